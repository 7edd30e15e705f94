"""The ``quotebot`` console script: extract, quote, chat, serve, worker, doctor. The only place that configures
logging (through ``bot.logs.configure_logging``).

Heavy imports (ezdxf, pymupdf, sqlalchemy) stay inside the subcommands so ``--help`` is instant.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.config import Settings
    from bot.pipeline import Deps


def _quantities(text: str) -> tuple[int, ...]:
    try:
        values = tuple(int(v.replace("_", "").strip()) for v in text.split(",") if v.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected quantities like 10,100,1000; got {text!r}") from None
    if not values or any(v < 1 for v in values):
        raise argparse.ArgumentTypeError(f"quantities must be whole numbers of at least 1; got {text!r}")
    return values


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="quotebot",
        description="CNC machining quotes from DXF and PDF drawings, in chat, Slack and email.",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log what happens (to stderr)")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("extract", help="print what the parsers read from drawings")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--json", action="store_true", help="the JSON contract instead of a table")

    p = sub.add_parser("quote", help="parse, estimate and print the reply as email would send it")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--qty", type=_quantities, default=(), metavar="N[,N...]", help="quantities to price")
    p.add_argument("--material", help='material, e.g. "6061-T6", "304 stainless", "Delrin"')
    p.add_argument("--explain", "--breakdown", dest="explain", action="store_true",
                   help="show how each price is built up (formulas, inputs) and every scale-up rule checked")
    p.add_argument("--json", action="store_true", help="the quote JSON contract instead of the reply")
    p.add_argument("--out", type=Path, metavar="DIR", help="also write preview.png, chart.png and quote.pdf here")

    p = sub.add_parser("chat", help="talk to the bot in this terminal (the embedded default channel)")
    p.add_argument("--attach", action="append", default=[], metavar="FILE", help="attach a drawing")
    p.add_argument("--thread", default="default", metavar="NAME", help="thread to open or resume")
    p.add_argument("--db", metavar="URL", help="SQLAlchemy database URL (default: a per-user SQLite file)")
    p.add_argument("--files", type=Path, metavar="DIR",
                   help="where quote files (preview, chart, PDF) are saved (default: in the per-user data folder)")
    p.add_argument("--no-visuals", action="store_true", help="quote without the preview, chart and PDF")

    p = sub.add_parser("serve", help="start every configured channel (Slack, email)")
    p.add_argument("--slack-http", type=int, metavar="PORT",
                   help="receive Slack events and button clicks as HTTP POSTs to /slack/events on PORT "
                        "(verified with SLACK_SIGNING_SECRET) instead of Socket Mode")
    p.add_argument("--db", metavar="URL", help="SQLAlchemy database URL (default: a per-user SQLite file)")

    p = sub.add_parser("worker", help="answer the messages `serve` queued (queue mode: QUOTEBOT_BROKER_URL)")
    p.add_argument("--threads", type=int, default=1, metavar="N",
                   help="jobs this process works on at once (default 1; start one worker per core)")
    p.add_argument("--db", metavar="URL", help="SQLAlchemy database URL (PostgreSQL; default QUOTEBOT_DATABASE_URL)")

    p = sub.add_parser("doctor", help="check the configuration, the database, Slack and the mail server")
    p.add_argument("--db", metavar="URL", help="SQLAlchemy database URL (default: as serve would use)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "doctor":
        return cmd_doctor(args)
    if args.command in ("quote", "chat"):
        _start_parse_workers()  # before the imports below, which it then runs beside
    settings = setup_logging_and_settings(args)
    if settings is None:
        return 2
    command = {"extract": cmd_extract, "quote": cmd_quote, "chat": cmd_chat, "serve": cmd_serve,
               "worker": cmd_worker}
    return command[args.command](args, settings)


def setup_logging_and_settings(args: argparse.Namespace) -> Settings | None:
    """Configure logging (bot.logs), then read the settings and have their secrets redacted from every log.

    Returns None, after saying why on stderr, when a setting is malformed (the CLI then exits with status 2).
    """
    from bot.config import Settings
    from bot.credentials import secret_values, url_password
    from bot.logs import configure_logging

    try:
        # a server's log is its record: serve and worker log every message handled, the one-shot commands only problems
        server = args.command in ("serve", "worker")
        redactor = configure_logging(os.environ, verbose=args.verbose,
                                     default_level=logging.INFO if server else logging.WARNING)
        settings = Settings.from_env(os.environ)
    except ValueError as exc:  # a malformed QUOTEBOT_* value or an unreadable secret file
        print(f"quotebot: {exc}", file=sys.stderr)
        return None
    redactor.add(secret_values(settings))
    if db := getattr(args, "db", None):  # a URL given on the command line may hold a password too
        redactor.add(p for p in (url_password(db),) if p)
    return settings


def _read_file(path: str) -> bytes:
    return Path(path).read_bytes()


def _progress(name: str) -> Any:
    """A one-line progress indicator on stderr, only when stderr is a terminal (large DXF files)."""
    if not sys.stderr.isatty():
        return None

    def report(done: float) -> None:
        sys.stderr.write(f"\rreading {name}: {done:4.0%}" + ("\n" if done >= 1.0 else ""))
        sys.stderr.flush()

    return report


def extract_one(path: str) -> dict[str, Any]:
    """The extract contract for one file; an unreadable file yields an object with ``error``."""
    from parsers import ParseError, parse_drawing

    name = Path(path).name
    try:
        data = _read_file(path)
    except OSError as exc:
        return {"file": name, "format": None, "dimensions": [], "issues": [],
                "error": {"code": "not-found", "message": f"cannot open {path!r}: {exc.strerror}"}}
    try:
        return parse_drawing(data, name, progress=_progress(name)).to_contract()
    except ParseError as exc:
        detected = getattr(exc, "detected", None)
        return {"file": name, "format": None, "dimensions": [], "issues": [],
                "error": {"code": exc.code, "message": str(exc), **({"detected": detected} if detected else {})}}


def cmd_extract(args: argparse.Namespace, settings: Settings) -> int:
    results = [extract_one(path) for path in args.files]
    if args.json:
        print(json.dumps(results, indent=2, ensure_ascii=False))
    else:
        for result in results:
            print(render_extract_table(result))
    return 1 if any("error" in r for r in results) else 0


def render_extract_table(result: dict[str, Any]) -> str:
    lines = [f"== {result['file']}"]
    if "error" in result:
        lines.append(f"   could not read: {result['error']['message']} [{result['error']['code']}]")
        return "\n".join(lines)
    env = result.get("envelope")
    size = " x ".join(f"{v:g}" for v in (env["x"], env["y"], env["z"]) if v) if env else "unknown"
    for label, value in (
        ("format", result["format"]), ("units", result["units"]), ("size", size),
        ("part", result["part_number"]), ("revision", result["revision"]), ("material", result["material"]),
        ("finish", result["finish"]), ("general tolerance", result["general_tolerance"]),
    ):
        lines.append(f"   {label:<18} {value if value is not None else '-'}")
    lines.append(f"   {'text':<24} {'kind':<9} {'nominal':>9} {'upper':>8} {'lower':>8} {'fit':<6} {'n':>2}")
    for d in result["dimensions"]:
        up = "" if d["upper"] is None else f"{d['upper']:+g}"
        lo = "" if d["lower"] is None else f"{d['lower']:+g}"
        lines.append(
            f"   {d['text'][:24]:<24} {d['kind']:<9} {d['nominal']:>9g} {up:>8} {lo:>8} "
            f"{d['fit'] or '':<6} {d['count']:>2}"
        )
    if not result["dimensions"]:
        lines.append("   (no dimensions found)")
    for issue in result["issues"]:
        lines.append(f"   issue [{issue['code']}] {issue['detail']}")
    return "\n".join(lines)


def _start_parse_workers() -> None:
    """The parse workers' fork server starts while this process imports and sets up the rest."""
    from bot.isolation import start_fork_server

    start_fork_server()


def build_deps(settings: Settings, *, db_url: str | None, **overrides: Any) -> Deps:
    from functools import partial

    from bot.config import default_cache_dir, default_db_url
    from bot.isolation import isolated_parse
    from bot.pipeline import Deps
    from bot.render import make_environment
    from bot.store import SqlThreadStore
    from estimator import load_rate_card
    from parsers import parse_drawings

    store = SqlThreadStore(db_url or settings.db_url or default_db_url())
    # the page and entity limits travel to the worker with the parse function
    target = partial(parse_drawings, limits=settings.limits.parse)
    return Deps(
        store=store,
        parse=isolated_parse(timeout_s=settings.parse_timeout_s, memory_mb=settings.parse_memory_mb, target=target),
        card=load_rate_card(settings.rates_path),
        env=make_environment(cache_dir=default_cache_dir()),
        limits=settings.limits,
        **overrides,
    )


def cmd_quote(args: argparse.Namespace, settings: Settings) -> int:
    from bot.contracts import to_quote_contract
    from bot.conversation import Step, ThreadState
    from bot.models import Attachment, Channel, InboundMessage, ThreadKey
    from bot.pipeline import compose_reply, read_attachments, render_reply
    from estimator import explain, find_material, render_explanation_text

    deps = build_deps(settings, db_url="sqlite://", ask_material=False, price_without_quantity=True)
    material = None
    if args.material:
        material = find_material(deps.card, args.material)
        if material is None:
            print(f"quotebot: unknown material {args.material!r}", file=sys.stderr)
            return 1
    try:
        files = tuple(Attachment(filename=Path(p).name, data=_read_file(p)) for p in args.files)
    except OSError as exc:
        print(f"quotebot: cannot open {exc.filename!r}: {exc.strerror}", file=sys.stderr)
        return 1
    key = ThreadKey(channel=Channel.CHAT, id="quote")
    drawings, unreadable = read_attachments(files, deps)
    state = ThreadState(key=key, drawings=drawings, quantities=args.qty, material=material)
    step = Step.ESTIMATE
    reply, _ = compose_reply(state, step if drawings else Step.UNREADABLE, unreadable=unreadable, deps=deps)
    if args.out and reply.parts:
        from bot.artefacts import build_artefacts
        from bot.filenames import safe_filename

        blobs = {a.sha256: a.data for a in files}
        args.out.mkdir(parents=True, exist_ok=True)
        for f in build_artefacts(reply, drawings, load=blobs.get, env=deps.env, today=deps.now().date()):
            path = args.out / safe_filename(f.filename)
            path.write_bytes(f.data)
            print(f"wrote {path}", file=sys.stderr)
    if args.json:
        print(json.dumps(to_quote_contract(reply, currency=deps.card.currency), indent=2))
    else:
        inbound = InboundMessage(thread=key, dedupe_key="cli", received_at=deps.now())
        print(render_reply(reply, inbound=inbound, env=deps.env).text, end="")
    if args.explain and not args.json:
        for part in reply.parts:
            for b in part.estimate.breaks:
                if b.requested or not args.qty:
                    explanation = explain(part.estimate, b.quantity)
                    print("\n" + render_explanation_text(explanation, currency=deps.card.currency))
    return 0 if drawings and not unreadable else 1


def cmd_chat(args: argparse.Namespace, settings: Settings) -> int:
    from bot.chat import run_chat
    from bot.config import default_files_dir

    deps = build_deps(settings, db_url=args.db, visuals=not args.no_visuals)
    files_dir = args.files or default_files_dir()
    return run_chat(deps, thread=args.thread, attach=args.attach, stdin=sys.stdin, stdout=sys.stdout,
                    files_dir=files_dir)


def print_database(url: str | None) -> None:
    """The database serve uses, its password hidden."""
    from bot.config import default_db_url
    from bot.credentials import display_db_url

    print(f"{'db':<6} {display_db_url(url or default_db_url())}", flush=True)


def cmd_doctor(args: argparse.Namespace) -> int:
    """One line per check in plain words; exit status 1 when any check failed."""
    from bot.doctor import run_doctor
    from bot.logs import configure_logging

    try:
        # the checks say what failed in words; library error logs would only repeat it (-v shows them)
        redactor = configure_logging(os.environ, verbose=args.verbose, default_level=logging.CRITICAL)
    except ValueError as exc:
        print(f"quotebot: {exc}", file=sys.stderr)
        return 1
    failed = False
    for check in run_doctor(os.environ, db_url=args.db, redactor=redactor):
        print(check.line(), flush=True)
        failed = failed or not check.ok
    return 1 if failed else 0


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    status = settings.channel_status(slack_http=args.slack_http is not None)
    for name, _ok, detail in status:
        print(f"{name:<6} {detail}", flush=True)
    print_database(args.db or settings.db_url)
    ready = {name for name, ok, _ in status if ok}
    if not ready:
        print("quotebot serve: no channel configured; set the variables above, or use `quotebot chat`.",
              file=sys.stderr)
        return 1
    import signal
    from contextlib import ExitStack

    def stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt  # SIGTERM stops the channels like Ctrl-C: work in flight finishes first

    signal.signal(signal.SIGTERM, stop)
    _start_parse_workers()
    from bot.queue import QueueConfigError, open_queue, redact_url

    deps = build_deps(settings, db_url=args.db, visuals=settings.visuals)
    try:
        queue = open_queue(settings, deps)
    except QueueConfigError as exc:
        print(f"quotebot serve: {exc}", file=sys.stderr)
        return 1
    if queue is not None:
        from dataclasses import replace

        deps = replace(deps, queue=queue)
        assert settings.broker_url is not None
        print(f"queue  {redact_url(settings.broker_url.get_secret_value())} ({settings.queue_name}); "
              "`quotebot worker` answers", flush=True)
    services: list[Any] = []
    with ExitStack() as stack:
        if "slack" in ready:
            from bot.slack import SlackSettings, start_slack
            from bot.slack.config import SlackConfigError

            try:
                slack = SlackSettings.from_env(os.environ)
            except SlackConfigError as exc:
                print(f"quotebot serve: {exc}", file=sys.stderr)
                return 1
            services.append(stack.enter_context(start_slack(slack, deps, http_port=args.slack_http)))
            print("slack  started" + (f" (HTTP on port {args.slack_http})" if args.slack_http else " (Socket Mode)"),
                  flush=True)
        if "email" in ready:
            from bot.email import EmailConfigError, start_email

            try:
                services.append(stack.enter_context(start_email(os.environ, deps)))
            except EmailConfigError as exc:
                print(f"quotebot serve: {exc}", file=sys.stderr)
                return 1
            print("email  started", flush=True)
        try:
            for service in services:
                service.wait()
        except KeyboardInterrupt:
            print("quotebot serve: stopping", file=sys.stderr)
    if queue is not None:
        queue.close()
    return 0


def cmd_worker(args: argparse.Namespace, settings: Settings) -> int:
    from bot.queue import worker_main

    _start_parse_workers()
    deps = build_deps(settings, db_url=args.db, visuals=settings.visuals)
    return worker_main(settings, os.environ, deps, threads=max(1, args.threads))
