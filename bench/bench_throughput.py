"""Throughput and latency of queue mode: email in, `quotebot serve` stores and queues, N `quotebot worker`s answer.

Everything is real: the test mail server (scripts/mailserver.sh: postfix + dovecot on loopback), RabbitMQ, and
PostgreSQL as the store. Each message carries its own drawing (a fixture with a unique DXF comment), so the parse
cache does not help. Quote replies without the optional images (QUOTEBOT_VISUALS=off).

- idle: one message at a time with one worker, the latency a customer sees on an idle system;
- live burst: MESSAGES emails sent at once with 1, 2 and 4 workers running: messages per second (first arrival to
  last reply sent) and arrival-to-reply-sent latency p50 / p95 (arrival: when the listener stored the message);
- drain: the same burst stored and queued before the workers start, so the rate is the workers' own (the mail
  server and the listener, which share the 2 cores, are idle meanwhile).

    .venv/bin/python bench/bench_throughput.py [--messages 500] [--workers 1,2,4] [--idle 20]
"""

from __future__ import annotations

import argparse
import os
import signal
import smtplib
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
DRAWINGS = [ROOT / "fixtures/drawings/dxf" / n for n in ("bracket.dxf", "shaft.dxf", "plate_inch.dxf")]
SHOP, CUSTOMERS = "quotes@shop.example", ("alice@customer.example", "bob@customer.example")
POSTGRES = os.environ.get("QUOTEBOT_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres:postgres@127.0.0.1:5432/test")
BROKER = os.environ.get("QUOTEBOT_BENCH_BROKER_URL", "amqp://guest:guest@127.0.0.1:5672/%2F")


def free_ports(n: int) -> list[int]:
    socks = [socket.socket() for _ in range(n)]
    for s in socks:
        s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in socks]
    for s in socks:
        s.close()
    return ports


@contextmanager
def mail_server() -> Iterator[tuple[dict[str, str], int]]:
    """(QUOTEBOT_* email variables for the shop's mailbox, SMTP port) of a fresh loopback mail server."""
    folder = tempfile.mkdtemp(prefix="quotebot-bench-mail-", dir="/tmp")
    os.chmod(folder, 0o755)
    env = {**os.environ, "QUOTEBOT_MAIL_DIR": folder,
           **{f"QUOTEBOT_MAIL_{n}_PORT": str(p) for n, p in zip(("IMAP", "SMTP", "LMTP", "AUTH"), free_ports(4),
                                                                   strict=True)}}
    script = str(ROOT / "scripts/mailserver.sh")
    out = subprocess.run(["bash", script, "start"], env=env, capture_output=True, text=True, check=True)
    info = dict(line.split("=", 1) for line in out.stdout.splitlines() if "=" in line)
    imap, smtp, password = info["IMAP_PORT"], int(info["SMTP_PORT"]), info["PASSWORD"]
    try:
        yield {"QUOTEBOT_IMAP_URL": f"imap://quotes%40shop.example:{password}@127.0.0.1:{imap}/INBOX",
               "QUOTEBOT_SMTP_URL": f"smtp://quotes%40shop.example:{password}@127.0.0.1:{smtp}",
               "QUOTEBOT_EMAIL_ADDRESS": SHOP, "QUOTEBOT_EMAIL_POLL_S": "0.2",
               "QUOTEBOT_EMAIL_RATE_LIMIT": "100000/3600"}, smtp
    finally:
        subprocess.run(["bash", script, "stop"], env=env, capture_output=True)


@contextmanager
def fresh_schema() -> Iterator[str]:
    engine = sa.create_engine(POSTGRES)
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    with engine.begin() as conn:
        conn.execute(sa.text(f"CREATE SCHEMA {schema}"))
    try:
        yield f"{POSTGRES}{'&' if '?' in POSTGRES else '?'}options=-csearch_path%3D{schema}"
    finally:
        with engine.begin() as conn:
            conn.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
        engine.dispose()


def drop_queue(name: str) -> None:
    import pika  # type: ignore[import-untyped]

    connection = pika.BlockingConnection(pika.URLParameters(BROKER))
    channel = connection.channel()
    for suffix in ("", ".DQ", ".XQ"):
        channel.queue_delete(queue=name + suffix)
    connection.close()


@contextmanager
def process(command: str, env: dict[str, str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    with log.open("ab") as out:
        proc = subprocess.Popen([sys.executable, "-m", "bot", "-v", command], cwd=ROOT, env=env,
                                stdin=subprocess.DEVNULL, stdout=out, stderr=out)
    try:
        yield proc
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def wait_until(check: object, what: str, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while not check():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise SystemExit(f"bench_throughput: {what} did not happen in {timeout_s:.0f} s")
        time.sleep(0.05)


def rfq(i: int) -> EmailMessage:
    path = DRAWINGS[i % len(DRAWINGS)]
    msg = EmailMessage()
    msg["From"], msg["To"] = CUSTOMERS[i % 2], SHOP
    msg["Subject"] = f"RFQ {i}: {path.stem}"
    msg["Message-ID"] = make_msgid(domain="customer.example")
    msg.set_content(f"Hello, please quote {50 * (1 + i % 20)} pcs in 6061-T6.")
    unique = f"999\nbench rfq {i} {uuid.uuid4().hex}\n".encode() + path.read_bytes()
    msg.add_attachment(unique, maintype="application", subtype="octet-stream", filename=path.name)
    return msg


def ledger(db: str) -> list[tuple[float, float]]:
    """(arrival, reply sent) as epoch seconds for every answered message."""
    engine = sa.create_engine(db)
    with engine.connect() as conn:
        if not sa.inspect(conn).has_table("messages"):
            return []
        rows = conn.execute(sa.text(
            "SELECT i.created_at, o.sent_at FROM messages i JOIN messages o ON o.dedupe_key = 'reply:' || i.dedupe_key "
            "WHERE i.direction = 'in' AND o.status = 'sent'")).all()
    engine.dispose()
    return [(a.timestamp(), s.timestamp()) for a, s in rows]


def stored(db: str) -> int:
    engine = sa.create_engine(db)
    with engine.connect() as conn:
        n = conn.execute(sa.text("SELECT count(*) FROM messages WHERE direction = 'in'")).scalar_one() \
            if sa.inspect(conn).has_table("messages") else 0
    engine.dispose()
    return int(n)


def pct(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1] if len(values) > 1 else values[0]


def run(mail_env: dict[str, str], smtp_port: int, *, workers: int, messages: list[EmailMessage], mode: str,
        logs: Path) -> dict[str, float]:
    """One measurement. ``mode``: "idle" (one message at a time), "live" (all sent at once while the workers run)
    or "drain" (all stored and queued first, then the workers start: the workers' own throughput)."""
    queue = f"quotebot-bench-{uuid.uuid4().hex[:8]}"
    with fresh_schema() as db, ExitStack() as stack:
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(logs), "QUOTEBOT_DATABASE_URL": db,
               "QUOTEBOT_BROKER_URL": BROKER, "QUOTEBOT_QUEUE": queue, "QUOTEBOT_VISUALS": "off", **mail_env}
        stack.callback(drop_queue, queue)
        serve_log = logs / f"serve-{mode}-{workers}.log"
        stack.enter_context(process("serve", env, serve_log))
        wait_until(lambda: serve_log.exists() and "email  started" in serve_log.read_text(), "serve starting", 120)

        def start_workers() -> None:
            worker_logs = [logs / f"worker-{mode}-{workers}-{n}.log" for n in range(workers)]
            for log in worker_logs:
                stack.enter_context(process("worker", env, log))
            wait_until(lambda: all(log.exists() and "worker started" in log.read_text() for log in worker_logs),
                       "workers starting", 120)

        if mode != "drain":
            start_workers()
        with smtplib.SMTP("127.0.0.1", smtp_port, timeout=30) as smtp:
            for n, msg in enumerate(messages, 1):
                smtp.send_message(msg)
                if mode == "idle":
                    wait_until(lambda n=n: len(ledger(db)) >= n, f"reply {n}", 120)
        started = 0.0
        if mode == "drain":
            wait_until(lambda: stored(db) >= len(messages), f"{len(messages)} messages stored", 60 + len(messages))
            start_workers()
            started = time.time()  # from when every worker is warm and consuming
        wait_until(lambda: len(ledger(db)) >= len(messages), f"{len(messages)} replies", 60 + 3 * len(messages))
        rows = ledger(db)
    latencies = [sent - arrived for arrived, sent in rows]
    span = max(s for _, s in rows) - (started or min(a for a, _ in rows))
    return {"n": len(rows), "rate": len(rows) / span, "p50": pct(latencies, 50), "p95": pct(latencies, 95),
            "max": max(latencies), "span": span}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=500)
    parser.add_argument("--workers", default="1,2,4")
    parser.add_argument("--idle", type=int, default=20, help="messages sent one at a time for the idle latency")
    parser.add_argument("--logs", type=Path, help="keep the serve and worker logs in this folder")
    args = parser.parse_args()
    counts = [int(w) for w in args.workers.split(",")]
    print(f"queue-mode throughput: {args.messages} emails, each with its own DXF, through RabbitMQ + PostgreSQL; "
          f"{os.cpu_count()} CPU cores; no images")
    with mail_server() as (mail_env, smtp_port), tempfile.TemporaryDirectory(prefix="quotebot-bench-") as tmp:
        logs = args.logs or Path(tmp)
        logs.mkdir(parents=True, exist_ok=True)
        if args.idle:
            idle = run(mail_env, smtp_port, workers=1, messages=[rfq(i) for i in range(args.idle)], mode="idle",
                       logs=logs)
            print(f"\nidle system, one message at a time ({idle['n']:.0f} messages, 1 worker): "
                  f"arrival-to-reply p50 {idle['p50']:.2f} s, p95 {idle['p95']:.2f} s, max {idle['max']:.2f} s "
                  f"(target p95 < 2 s)")
        for mode, title in (("live", "live burst: all sent at once while the workers run (arrival = stored by "
                                     "the listener)"),
                            ("drain", "drain: all stored and queued first, then the workers start (their own "
                                      "throughput; latency includes the wait)")):
            print(f"\n{title}\n\n| workers | messages | seconds | msgs/s | speed-up | p50 s | p95 s |\n"
                  "|---|---|---|---|---|---|---|")
            base = None
            for workers in counts:
                r = run(mail_env, smtp_port, workers=workers, messages=[rfq(i) for i in range(args.messages)],
                        mode=mode, logs=logs)
                base = base or r["rate"]
                print(f"| {workers} | {r['n']:.0f} | {r['span']:.1f} | {r['rate']:.2f} | {r['rate'] / base:.2f}x | "
                      f"{r['p50']:.2f} | {r['p95']:.2f} |", flush=True)
    print("\nspeed-up is against 1 worker (target: at least 1.7x with 2 workers on 2 cores)")


if __name__ == "__main__":
    main()
