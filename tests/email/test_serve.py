"""`quotebot serve` as a process: killed with SIGKILL at random points it answers every message exactly once;
a full run at DEBUG level writes no secret to any output."""

from __future__ import annotations

import json
import os
import random
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from bot.email.config import DEFAULT_PROCESSED_FLAG
from bot.logs import correlation_id
from tests.conftest import DRAWINGS, ROOT
from tests.email.conftest import ALICE, BOB, SHOP, MailServer, compose, text_of

BRACKET = ("bracket.dxf", (DRAWINGS / "dxf/bracket.dxf").read_bytes())
SHAFT = ("shaft.dxf", (DRAWINGS / "dxf/shaft.dxf").read_bytes())
BRACKET_PDF = ("bracket.pdf", (DRAWINGS / "pdf/bracket.pdf").read_bytes())
DWG = ("housing.dwg", (DRAWINGS / "dxf/housing.dwg").read_bytes())
KILLS = 3


@dataclass
class Serve:
    """Where one test's `quotebot serve` runs write: stdout, stderr and the log file, appended across runs."""

    folder: Path
    env: dict[str, str]

    @property
    def log(self) -> Path:
        return self.folder / "serve.log"

    def outputs(self) -> str:
        return "".join(p.read_text(errors="replace") for p in (self.folder / "stdout", self.folder / "stderr",
                                                               self.log) if p.exists())

    def records(self, start: int = 0) -> list[dict[str, Any]]:
        """JSON log records from byte offset ``start``; every line must be one JSON object."""
        if not self.log.exists():
            return []
        with self.log.open("rb") as f:
            f.seek(start)
            lines = f.read().decode().splitlines()
        return [json.loads(line) for line in lines if line.strip()]

    def log_size(self) -> int:
        return self.log.stat().st_size if self.log.exists() else 0

    @contextmanager
    def run(self, *args: str) -> Iterator[subprocess.Popen[bytes]]:
        with (self.folder / "stdout").open("ab") as out, (self.folder / "stderr").open("ab") as err:
            proc = subprocess.Popen([sys.executable, "-m", "bot", "serve", *args], cwd=ROOT, env=self.env,
                                    stdin=subprocess.DEVNULL, stdout=out, stderr=err)
        try:
            yield proc
        finally:
            if proc.poll() is None:
                proc.kill()
            proc.wait(timeout=30)


def serve_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp_path),
            "QUOTEBOT_LOG_FORMAT": "json", "QUOTEBOT_LOG_FILE": str(tmp_path / "serve.log"), **extra}


def replies(mail: MailServer) -> list[EmailMessage]:
    return [m for user in (ALICE, BOB) for m, _ in mail.messages(user) if m["From"] == SHOP]


def ledger(db: str) -> list[tuple[str, str, str]]:
    """(direction, dedupe key, status) of every stored message."""
    engine = sa.create_engine(db)
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(sa.text("SELECT direction, dedupe_key, status FROM messages"))]
    except sa.exc.OperationalError:
        return []  # killed before the schema was created
    finally:
        engine.dispose()


def burst() -> list[EmailMessage]:
    """Eight messages in four threads: drawings, follow-ups that re-quote, a question, an unreadable file."""
    a1 = compose(ALICE, "Bracket", "Please quote the attached.", files=(BRACKET,))
    a2 = compose(ALICE, "Re: Bracket", "500 pcs", reply_to=a1)
    a3 = compose(ALICE, "Re: Bracket", "what about 304 stainless?", reply_to=a2)
    b1 = compose(BOB, "Shaft", "Quote 120 pcs please.", files=(SHAFT,))
    b2 = compose(BOB, "Re: Shaft", "make it 2,000", reply_to=b1)
    c1 = compose(ALICE, "Bracket PDF", "10 pcs", files=(BRACKET_PDF,))
    c2 = compose(ALICE, "Re: Bracket PDF", "it is 6 mm thick", reply_to=c1)
    d1 = compose(BOB, "Housing", "20 pcs of this one", files=(DWG,))
    return [a1, b1, a2, c1, d1, a3, b2, c2]


def sent(records: list[dict[str, Any]]) -> set[str]:
    """Dedupe keys of the messages whose reply went out (by the log of every run)."""
    return {r["message"].split()[4] for r in records if r["message"].startswith("sent the reply to ")}


def in_flight(records: list[dict[str, Any]]) -> set[str]:
    """Messages this run started answering or sending but did not finish (by correlation id)."""
    started = {r["cid"] for r in records if r["message"].startswith(("answering ", "stored "))}
    done = {r["cid"] for r in records if r["message"].startswith("sent the reply ")}
    return started - done


def test_serve_killed_at_random_points_answers_every_message_exactly_once(mail: MailServer, tmp_path: Path) -> None:
    seed = int(os.environ.get("QUOTEBOT_TEST_SEED") or random.randrange(1 << 30))  # set it to replay a run
    rng = random.Random(seed)
    db = f"sqlite:///{tmp_path / 'serve.db'}"
    serve = Serve(tmp_path, serve_env(tmp_path, QUOTEBOT_DATABASE_URL=db, **mail.env()))
    messages = burst()
    for n, msg in enumerate(messages, 1):  # one at a time: the mail server may deliver a burst out of order
        mail.send(msg)
        mail.wait(SHOP, lambda found: len(found) >= n)  # noqa: B023 (waited for at once)
    ids = {str(m["Message-ID"]) for m in messages}

    landed: list[str] = []  # how each kill landed
    # kill while answering, after a random number of replies went out, so kills hit the batch at different points
    targets = sorted(rng.sample(range(len(messages) - 1), KILLS))
    for target in targets:
        start = serve.log_size()
        with serve.run() as proc:
            deadline = time.monotonic() + 90
            while not (any(r["message"].startswith("answering ") for r in serve.records(start))
                       and len(sent(serve.records())) >= target):
                assert proc.poll() is None, serve.outputs()[-3000:]
                assert time.monotonic() < deadline, f"no progress towards {target} replies: {serve.outputs()[-3000:]}"
                time.sleep(0.05)
            time.sleep(rng.uniform(0.0, 1.5))
            proc.send_signal(signal.SIGKILL)
        statuses = {(d, s) for d, _, s in ledger(db)}
        pending = {("in", "received"), ("out", "pending"), ("out", "sending")} & statuses
        cut = in_flight(serve.records(start))
        landed.append("mid-message" if pending or cut else "between messages")

    with serve.run() as proc:
        mail.wait(SHOP, lambda found: sum(DEFAULT_PROCESSED_FLAG in f for m, f in found if m["From"] != SHOP)
                  == len(messages), timeout_s=90)
        final = mail.wait(ALICE, lambda _: len(replies(mail)) >= len(messages), timeout_s=60)
        assert final is not None
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0, serve.outputs()[-3000:]

    answered = Counter(str(r["In-Reply-To"]) for r in replies(mail))
    lost = ids - set(answered)
    duplicates = sum(n - 1 for n in answered.values() if n > 1)
    rows = ledger(db)
    summary = (f"seed {seed}: {KILLS} kills after {targets} replies ({', '.join(landed)}), then a clean run: "
               f"{len(messages)} messages, {len(answered)} answered, {len(lost)} lost, {duplicates} duplicates")
    print("\n" + summary)
    assert not lost and not duplicates, summary
    assert set(answered) == ids, summary
    assert sorted((d, s) for d, _, s in rows) == [("in", "answered")] * 8 + [("out", "sent")] * 8, rows
    assert "mid-message" in landed, f"no kill landed while a message was being answered: {summary}"
    # the same message logs the same correlation id in every run that touched it
    records = serve.records()
    for r in records:
        if r["message"].startswith("answering "):
            assert r["cid"] == correlation_id(r["message"].split()[1]), r
    by_id = {str(r["In-Reply-To"]): text_of(r) for r in replies(mail)}
    quoted = [m["Subject"] for m in messages if "Quote Q-" in by_id[str(m["Message-ID"])]]
    assert quoted == ["Shaft", "Re: Bracket", "Re: Bracket", "Re: Shaft", "Re: Bracket PDF"], (quoted, by_id)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def postgres_role() -> Iterator[tuple[str, str] | None]:
    """(URL, password) of a fresh role and schema on the test PostgreSQL server, or None without one."""
    admin = os.environ.get("QUOTEBOT_TEST_POSTGRES_URL")
    if not admin:
        yield None
        return
    name = f"qb_{uuid.uuid4().hex[:10]}"
    password = f"pw-{uuid.uuid4().hex}"
    engine = sa.create_engine(admin)
    with engine.begin() as conn:
        conn.execute(sa.text(f"CREATE ROLE {name} LOGIN PASSWORD '{password}'"))
        conn.execute(sa.text(f"CREATE SCHEMA {name} AUTHORIZATION {name}"))
    url = sa.engine.make_url(admin).set(username=name, password=password, query={"options": f"-csearch_path={name}"})
    try:
        yield url.render_as_string(hide_password=False), password
    finally:
        with engine.begin() as conn:
            conn.execute(sa.text(f"DROP SCHEMA {name} CASCADE"))
            conn.execute(sa.text(f"DROP ROLE {name}"))
        engine.dispose()


def test_full_serve_at_debug_level_writes_no_secret(mail: MailServer, tmp_path: Path) -> None:
    from tests.slack.conftest import SIGNING_SECRET, HttpDriver
    from tests.slack.events import app_mention, event_callback, message_event
    from tests.slack.peer import APP_TOKEN, BOT_TOKEN, SlackPeer

    secrets_dir = tmp_path / "secrets"
    secrets_dir.mkdir()
    (secrets_dir / "signing").write_text(SIGNING_SECRET + "\n")
    email = mail.env()
    (secrets_dir / "smtp").write_text(email.pop("QUOTEBOT_SMTP_URL") + "\n")
    port = _free_port()
    with SlackPeer() as peer, postgres_role() as pg:
        db = pg[0] if pg else f"sqlite:///{tmp_path / 'serve.db'}"
        env = serve_env(tmp_path, QUOTEBOT_LOG_LEVEL="DEBUG", QUOTEBOT_DATABASE_URL=db,
                        SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_APP_TOKEN=APP_TOKEN,
                        SLACK_SIGNING_SECRET_FILE=str(secrets_dir / "signing"),
                        QUOTEBOT_SMTP_URL_FILE=str(secrets_dir / "smtp"), QUOTEBOT_SLACK_API_URL=peer.api_url,
                        **email)
        serve = Serve(tmp_path, env)
        with serve.run("--slack-http", str(port)) as proc:
            driver = HttpDriver(f"http://127.0.0.1:{port}/slack/events")
            deadline = time.monotonic() + 60
            while "slack  started" not in serve.outputs():
                assert proc.poll() is None and time.monotonic() < deadline, serve.outputs()[-3000:]
                time.sleep(0.1)
            mail.send(compose(ALICE, "Shaft", "Quote 40 pcs please.", files=(SHAFT,)))
            root = peer.user_message(channel="C0SALES", text="<@UQUOTEBOT> please quote",
                                     files=[peer.add_file("bracket.dxf", BRACKET[1])])
            driver.deliver(event_callback(app_mention(root)))
            peer.wait_for(lambda: any("How many" in json.dumps(m.get("blocks"))
                                      for m in peer.bot_replies("C0SALES", root["ts"])) or None,
                          timeout_s=60, what="the question")
            answer = peer.user_message(channel="C0SALES", text="500", thread_ts=root["ts"])
            driver.deliver(event_callback(message_event(answer)))
            peer.wait_for(lambda: any("500 pcs" in json.dumps(m.get("blocks"))
                                      for m in peer.bot_replies("C0SALES", root["ts"])) or None,
                          timeout_s=60, what="the quote")
            mail.wait(ALICE, lambda found: any(m["From"] == SHOP for m, _ in found), timeout_s=60)
            proc.send_signal(signal.SIGTERM)
            assert proc.wait(timeout=30) == 0, serve.outputs()[-3000:]
    output = serve.outputs()
    records = serve.records()
    assert any(r["level"] == "DEBUG" for r in records), "the run did not log at DEBUG level"
    assert {r["logger"].split(".")[0] for r in records} >= {"bot", "slack_sdk"}
    assert any(r["cid"] != "-" and r["message"].startswith("handled ") for r in records)
    secrets = {"bot token": BOT_TOKEN, "app token": APP_TOKEN, "signing secret": SIGNING_SECRET,
               "mail password": mail.password}
    if pg:
        secrets["database password"] = pg[1]
        assert "db     " + sa.engine.make_url(db).render_as_string(hide_password=True) in output
    found = sorted(name for name, value in secrets.items() if value in output)
    assert found == [], f"secrets in the output of serve: {found}"
