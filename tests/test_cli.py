"""The console script as a user runs it: contracts, exit codes, no tracebacks on bad input."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from tests.conftest import DRAWINGS, ROOT

READABLE = sorted(
    p.relative_to(DRAWINGS).as_posix() for p in DRAWINGS.glob("*/*")
    if p.suffix in (".dxf", ".pdf") and p.stem not in ("corrupt", "encrypted")
)
UNREADABLE = ["dxf/corrupt.dxf", "dxf/housing.dwg", "pdf/corrupt.pdf", "pdf/encrypted.pdf"]
KINDS = {"linear", "diameter", "radius", "angular", "thread", "chamfer", "other"}


def quotebot(*args: str, stdin: str | None = None, tmp: Path | None = None) -> subprocess.CompletedProcess[str]:
    home = tmp or Path(tempfile.mkdtemp(prefix="quotebot-home-"))
    env = {"PATH": "/usr/bin:/bin", "HOME": str(home), "XDG_DATA_HOME": str(home / ".local" / "share")}
    return subprocess.run([sys.executable, "-m", "bot", *args], capture_output=True, text=True, input=stdin,
                          cwd=ROOT, env=env, timeout=120)


def check_contract(obj: dict) -> None:
    assert obj["format"] in ("dxf", "pdf")
    assert obj["units"] in ("mm", "in", None)
    env = obj["envelope"]
    assert env is None or (isinstance(env["x"], float) and isinstance(env["y"], float)
                           and (env["z"] is None or isinstance(env["z"], float)))
    for key in ("general_tolerance", "material", "finish", "part_number", "revision"):
        assert obj[key] is None or isinstance(obj[key], str)
    for d in obj["dimensions"]:
        assert isinstance(d["text"], str) and d["text"]
        assert isinstance(d["nominal"], float)
        assert d["kind"] in KINDS
        assert (d["upper"] is None) == (d["lower"] is None)
        assert d["fit"] is None or isinstance(d["fit"], str)
        assert isinstance(d["count"], int) and d["count"] >= 1
        assert d["page"] is None or isinstance(d["page"], int)
        assert 0.0 <= d["confidence"] <= 1.0
    for issue in obj["issues"]:
        assert set(issue) == {"code", "detail"}
    assert "error" not in obj


def test_extract_json_follows_the_contract_for_every_fixture() -> None:
    out = quotebot("extract", "--json", *(str(DRAWINGS / f) for f in READABLE))
    assert out.returncode == 0, out.stderr
    results = json.loads(out.stdout)
    assert [r["file"] for r in results] == [f.split("/")[-1] for f in READABLE]
    for obj in results:
        check_contract(obj)


@pytest.mark.parametrize("name", UNREADABLE)
def test_extract_unreadable_file_exits_1_with_an_error_object(name: str) -> None:
    out = quotebot("extract", "--json", str(DRAWINGS / name))
    assert out.returncode == 1
    assert "Traceback" not in out.stderr
    [obj] = json.loads(out.stdout)
    assert set(obj["error"]) >= {"code", "message"}


def test_extract_table_is_readable() -> None:
    out = quotebot("extract", str(DRAWINGS / "dxf/bracket.dxf"))
    assert out.returncode == 0
    assert "bracket.dxf" in out.stdout and "diameter" in out.stdout


def test_quote_prints_price_breaks_and_a_recommendation() -> None:
    out = quotebot("quote", str(DRAWINGS / "dxf/bracket.dxf"), "--qty", "10,500")
    assert out.returncode == 0, out.stderr
    assert "Recommended:" in out.stdout
    assert "500 pcs" in out.stdout and "lead time" in out.stdout


def test_quote_json_follows_the_contract() -> None:
    out = quotebot("quote", str(DRAWINGS / "dxf/bracket.dxf"), "--qty", "1,100", "--material", "304 stainless",
                   "--json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["currency"] == "USD" and data["needs"] == []
    [part] = data["parts"]
    assert "304" in part["material"]
    assert set(part["stock_mm"]) == {"x", "y", "z"}
    asked = [b for b in part["breaks"] if b["requested"]]
    assert [b["quantity"] for b in asked] == [1, 100]
    for b in part["breaks"]:
        assert b["route"] in b["routes"]
        assert b["unit_price"] == b["routes"][b["route"]]["unit_price"]
        assert abs(b["total"] - sum(line["amount"] for line in b["routes"][b["route"]]["lines"])) < 0.005
    assert part["crossover_quantity"] is None or part["crossover_quantity"] >= 1
    assert all(w["severity"] in ("critical", "major", "minor") for w in part["warnings"])
    assert part["assumptions"]


def test_quote_without_quantity_lists_quantity_as_a_need() -> None:
    data = json.loads(quotebot("quote", str(DRAWINGS / "dxf/bracket.dxf"), "--json").stdout)
    assert data["needs"] == ["quantity"]
    assert [b["quantity"] for b in data["parts"][0]["breaks"]][:3] == [1, 5, 10]


def test_quote_rejects_an_unknown_material() -> None:
    out = quotebot("quote", str(DRAWINGS / "dxf/bracket.dxf"), "--material", "unobtainium")
    assert out.returncode == 1 and "unobtainium" in out.stderr


def test_scripted_chat_reads_the_drawing_asks_then_quotes(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'chat.db'}"
    out = quotebot("chat", "--db", db, "--thread", "t", "--attach", str(DRAWINGS / "dxf/bracket.dxf"),
                   "--files", str(tmp_path / "files"), stdin="500\n", tmp=tmp_path)
    assert out.returncode == 0, out.stderr
    assert "How many do you need?" in out.stdout
    assert "500 pcs" in out.stdout and "Recommended" in out.stdout
    assert "Attached: " in out.stdout
    assert sorted(p.name for p in (tmp_path / "files").rglob("*")  if p.is_file()) == [
        "chart.png", "preview.png", "quote.pdf"]
    resumed = quotebot("chat", "--no-visuals", "--db", db, "--thread", "t", stdin="make it 1,000\n", tmp=tmp_path)
    assert "1,000 pcs" in resumed.stdout and "What changed" in resumed.stdout


def test_chat_uses_a_per_user_database_by_default(tmp_path: Path) -> None:
    out = quotebot("chat", "--no-visuals", "--thread", "x", stdin="hello\n", tmp=tmp_path)
    assert out.returncode == 0, out.stderr
    assert list(tmp_path.rglob("quotebot.db"))


def test_quote_out_writes_the_three_files(tmp_path: Path) -> None:
    out = quotebot("quote", str(DRAWINGS / "dxf/bracket.dxf"), "--qty", "10", "--out", str(tmp_path / "q"))
    assert out.returncode == 0, out.stderr
    assert sorted(p.name for p in (tmp_path / "q").iterdir()) == ["chart.png", "preview.png", "quote.pdf"]


def test_serve_says_what_is_missing() -> None:
    out = quotebot("serve")
    assert out.returncode == 1
    assert "SLACK_BOT_TOKEN" in out.stdout and "QUOTEBOT_IMAP_URL" in out.stdout
