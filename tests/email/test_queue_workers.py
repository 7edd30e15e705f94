"""Queue mode end to end: `quotebot serve` stores and queues email, `quotebot worker` processes answer it.

Real processes, a real broker (RabbitMQ or Redis on 127.0.0.1), PostgreSQL as the shared store and the test mail
server. A worker killed with SIGKILL mid-job loses nothing and no message is answered twice.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa

from bot.models import Channel, ThreadKey
from bot.queue import DramatiqQueue
from tests.conftest import RABBITMQ, REDIS, ROOT, listening
from tests.email.conftest import ALICE, BOB, SHOP, MailServer, compose, text_of
from tests.email.test_end_to_end import BRACKET, SHAFT, count, replies


def _env(mail: MailServer, db: str, broker: str, queue: str, home: Path) -> dict[str, str]:
    return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(home), "QUOTEBOT_DATABASE_URL": db,
            "QUOTEBOT_BROKER_URL": broker, "QUOTEBOT_QUEUE": queue, "QUOTEBOT_VISUALS": "off", **mail.env()}


@contextmanager
def _process(command: str, env: dict[str, str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    """``quotebot -v COMMAND`` with its output in ``log``; stopped with SIGTERM (or killed) at the end."""
    with log.open("ab") as out:
        proc = subprocess.Popen([sys.executable, "-m", "bot", "-v", command], cwd=ROOT, env=env,
                                stdin=subprocess.DEVNULL, stdout=out, stderr=out)
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def _wait_for(check: object, log: Path, *, timeout_s: float = 45.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not check():  # type: ignore[operator]
        if time.monotonic() > deadline:
            pytest.fail(f"condition not met in {timeout_s:.0f} s; log:\n{log.read_text()[-3000:]}")
        time.sleep(0.05)


def _statuses(db: str) -> list[tuple[str, str, int]]:
    engine = sa.create_engine(db)
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT direction, status, count(*) FROM messages GROUP BY 1, 2")).all()
    engine.dispose()
    return sorted((str(d), str(s), int(n)) for d, s, n in rows)


def _threads(db: str) -> list[ThreadKey]:
    engine = sa.create_engine(db)
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT DISTINCT thread FROM messages")).all()
    engine.dispose()
    return [ThreadKey.parse(r[0]) for r in rows]


@pytest.mark.postgres
def test_a_worker_killed_mid_job_loses_nothing_and_no_message_is_answered_twice(
    mail: MailServer, postgres_url: str, queue_name: str, tmp_path: Path
) -> None:
    if not listening(5672):
        pytest.skip("no RabbitMQ on 127.0.0.1:5672")
    env = _env(mail, postgres_url, RABBITMQ, queue_name, tmp_path)
    drawings = (BRACKET, SHAFT)
    batch = [compose(ALICE if i % 2 else BOB, f"RFQ {i}", f"Quote {25 * (i + 1)} pcs in 6061 please.",
                     files=(drawings[i % 2],)) for i in range(8)]
    logs = {name: tmp_path / f"{name}.log" for name in ("serve", "a", "b")}
    with ExitStack() as stack:
        stack.enter_context(_process("serve", env, logs["serve"]))
        doomed = stack.enter_context(_process("worker", env, logs["a"]))
        _wait_for(lambda: "worker started" in logs["a"].read_text(), logs["a"])
        for msg in batch:
            mail.send(msg)
        # kill worker A once it is inside a job, before the batch is done
        _wait_for(lambda: "answering thread=" in logs["a"].read_text(), logs["a"])
        doomed.kill()
        doomed.wait()
        killed_mid_batch = len(replies(mail.messages(ALICE) + mail.messages(BOB))) < len(batch)
        stack.enter_context(_process("worker", env, logs["b"]))
        found_alice = mail.wait(ALICE, count(4))
        found_bob = mail.wait(BOB, count(4))
        _wait_for(lambda: _statuses(postgres_url) == [("in", "answered", 8), ("out", "sent", 8)], logs["b"])
        # every thread queued again (a restarted listener does this): the workers find nothing left to do
        queue = DramatiqQueue.from_url(RABBITMQ, queue_name=queue_name)
        threads = _threads(postgres_url)
        for key in threads:
            queue.enqueue(key)
        queue.close()
        _wait_for(lambda: logs["b"].read_text().count("answered thread=") >= len(threads), logs["b"], timeout_s=30)
    assert killed_mid_batch, "worker A finished the whole batch before it was killed"
    got = replies(found_alice) + replies(found_bob)
    assert sorted(str(r["In-Reply-To"]) for r in got) == sorted(str(m["Message-ID"]) for m in batch)
    assert len(replies(mail.messages(ALICE) + mail.messages(BOB))) == len(batch), "a reply was sent twice"
    assert all("Quote Q-" in text_of(r) for r in got), [text_of(r)[:300] for r in got]
    assert _statuses(postgres_url) == [("in", "answered", 8), ("out", "sent", 8)]
    assert "answering thread=" in logs["a"].read_text()


@pytest.mark.postgres
def test_redis_broker_answers_a_follow_up_in_the_same_thread(
    mail: MailServer, postgres_url: str, queue_name: str, tmp_path: Path
) -> None:
    if not listening(6379):
        pytest.skip("no Redis on 127.0.0.1:6379")
    env = _env(mail, postgres_url, REDIS, queue_name, tmp_path)
    log = tmp_path / "bot.log"
    with _process("serve", env, log), _process("worker", env, log):
        first = compose(ALICE, "Shaft", "Hi, please quote this.", files=(SHAFT,))
        mail.send(first)
        asked = replies(mail.wait(ALICE, count(1)))[0]
        follow_up = compose(ALICE, "Re: Shaft", "40 pcs in 6061", reply_to=asked)
        mail.send(follow_up)
        found = mail.wait(ALICE, count(2))
    second = replies(found)[1]
    assert second["In-Reply-To"] == follow_up["Message-ID"]
    assert "40 pcs" in text_of(second)
    assert len(_threads(postgres_url)) == 1
    assert "answered thread=" in log.read_text()


def test_queue_mode_refuses_sqlite_in_plain_words(mail: MailServer, tmp_path: Path) -> None:
    env = _env(mail, f"sqlite:///{tmp_path / 'bot.db'}", RABBITMQ, "unused", tmp_path)
    for command in ("serve", "worker"):
        done = subprocess.run([sys.executable, "-m", "bot", command], cwd=ROOT, env=env, capture_output=True,
                              text=True, timeout=60, stdin=subprocess.DEVNULL)
        assert done.returncode == 1
        assert "queue mode needs a database every process can share" in done.stderr
        assert "PostgreSQL" in done.stderr


def test_worker_without_a_broker_says_what_to_set(tmp_path: Path) -> None:
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp_path),
           "QUOTEBOT_DATABASE_URL": f"sqlite:///{tmp_path / 'bot.db'}"}
    done = subprocess.run([sys.executable, "-m", "bot", "worker"], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=60, stdin=subprocess.DEVNULL)
    assert done.returncode == 1
    assert "set QUOTEBOT_BROKER_URL" in done.stderr


def test_broker_url_scheme_is_checked() -> None:
    from bot.queue import QueueConfigError, make_broker

    with pytest.raises(QueueConfigError, match="amqp://"):
        make_broker("http://127.0.0.1:5672")


def test_thread_keys_read_back_from_their_text() -> None:
    key = ThreadKey(channel=Channel.SLACK, id="C123:1700000000.000100")
    assert ThreadKey.parse(str(key)) == key
    assert SHOP  # the shop's mailbox is the one the workers send from
