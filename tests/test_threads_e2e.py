"""Threads end to end through `quotebot chat` on SQLite and PostgreSQL, including SIGKILL mid-processing."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.conftest import DRAWINGS, ROOT

BRACKET = str(DRAWINGS / "dxf/bracket.dxf")
REV_B = str(DRAWINGS / "dxf/bracket_rev_b.dxf")


def chat_command(db_url: str, thread: str, *extra: str) -> list[str]:
    return [sys.executable, "-m", "bot", "chat", "--no-visuals", "--db", db_url, "--thread", thread, *extra]


def run_env(home: Path) -> dict[str, str]:
    return {"PATH": "/usr/bin:/bin", "HOME": str(home), "XDG_DATA_HOME": str(home / "share")}


def test_scripted_conversation(db_url: str, tmp_path: Path) -> None:
    script = "500\nwhat about 304?\n/attach " + REV_B + "\nwhy?\n"
    out = subprocess.run(chat_command(db_url, "bracket", "--attach", BRACKET), input=script, text=True,
                         capture_output=True, env=run_env(tmp_path), cwd=ROOT, timeout=180)
    assert out.returncode == 0, out.stderr
    turns = out.stdout.split("you> ")[1:]
    assert len(turns) == 5
    first, qty, material, revision, why = turns
    assert "How many do you need?" in first and "BRACKET-M1 rev A" in first
    assert "500 pcs" in qty and "Recommended" in qty and "Q-" in qty
    assert "304" in material and "What changed since the last quote" in material and "unit price" in material
    assert "revision 2" in material
    assert "BRACKET-M1 rev B received: what changed since rev A" in revision
    assert "80: tightened, ±0.02 → ±0.01" in revision and "removed R5" in revision
    assert "revision 3" in revision
    assert "How this price is built up" in why and "scale-up rules" in why and "revision 3" in why


def _ledger(db_url: str) -> tuple[dict[str, str], dict[str, int], int]:
    """(inbound dedupe key -> status, replies per inbound key, pending outbound count)."""
    engine = sa.create_engine(db_url)
    with engine.connect() as conn:
        if not sa.inspect(conn).has_table("messages"):  # killed before its first start-up finished
            rows = []
        else:
            rows = list(conn.execute(sa.text("SELECT direction, dedupe_key, status FROM messages")).all())
    engine.dispose()
    inbound = {key: status for direction, key, status in rows if direction == "in"}
    replies: dict[str, int] = {}
    for direction, key, _status in rows:
        if direction == "out":
            replies[key.removeprefix("reply:")] = replies.get(key.removeprefix("reply:"), 0) + 1
    pending_out = sum(1 for direction, _key, status in rows if direction == "out" and status == "pending")
    return inbound, replies, pending_out


def test_sigkill_mid_processing_answers_every_stored_message_once(db_url: str, tmp_path: Path) -> None:
    rng = random.Random(7)
    lines = [f"/attach {BRACKET}", "500", "what about 304?", "10 and 100", f"/attach {REV_B}", "why?",
             "make it 2,000", "6061-T6 please", "thanks"]
    interrupted = 0
    for _ in range(5):
        with subprocess.Popen(chat_command(db_url, "crash"), stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, text=True, env=run_env(tmp_path), cwd=ROOT) as proc:
            assert proc.stdin is not None
            before = sum(len(part) for part in _ledger(db_url)[:2])
            proc.stdin.write("\n".join(lines) + "\n")
            proc.stdin.flush()
            # kill at a random point once this run is at work (start-up time varies with the machine's load)
            deadline = time.monotonic() + 60
            while sum(len(part) for part in _ledger(db_url)[:2]) == before and time.monotonic() < deadline:
                time.sleep(0.05)
            time.sleep(rng.uniform(0.0, 1.5))
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
        inbound, replies, pending_out = _ledger(db_url)
        if any(status == "received" for status in inbound.values()) or pending_out:
            interrupted += 1
    # a restart with nothing to say finishes what the killed runs left
    done = subprocess.run(chat_command(db_url, "crash"), input="", text=True, capture_output=True,
                          env=run_env(tmp_path), cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stderr
    inbound, replies, pending_out = _ledger(db_url)
    assert inbound, "no message was stored"
    assert set(inbound.values()) == {"answered"}
    assert all(replies.get(key) == 1 for key in inbound), replies
    assert pending_out == 0
    if interrupted == 0:
        pytest.skip("no kill landed mid-processing on this machine; the invariants above still held")
