"""Logging for every command: one correlation id per inbound message, human or JSON lines, secrets redacted.

``configure_logging`` is called once, by ``bot.cli``; everything else only logs through
``logging.getLogger(__name__)``. Where an inbound message is handled (the pipeline, the Slack and email
listeners) the code runs inside ``correlated(dedupe_key)``, and every record logged meanwhile, in that
thread, carries ``cid``: a short hash of the message's dedupe key, so a message reprocessed after a restart
logs the same id, and a user quoting the id from an apology leads to every line about their message.

Settings (environment): ``QUOTEBOT_LOG_LEVEL`` (DEBUG, INFO, WARNING, ...), ``QUOTEBOT_LOG_FORMAT``
(``text``, the default, or ``json`` for one JSON object per line) and ``QUOTEBOT_LOG_FILE`` (a file that
receives the same lines as stderr).
"""

from __future__ import annotations

import hashlib
import logging
import sys
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any
from urllib.parse import quote

NO_CID = "-"
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [cid=%(cid)s]: %(message)s"
REDACTED = "***"
# shorter values are too likely to occur in ordinary text to be replaced everywhere
MIN_SECRET_CHARS = 6

_cid: ContextVar[str] = ContextVar("quotebot_cid", default=NO_CID)


class LogConfigError(ValueError):
    """A QUOTEBOT_LOG_* variable is malformed; the message names it."""


def correlation_id(key: str) -> str:
    """The correlation id of the inbound message with this dedupe key (12 hex digits, stable across runs)."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:12]


def current_cid() -> str:
    """The correlation id of the message being handled in this thread, or ``-`` outside one."""
    return _cid.get()


@contextmanager
def correlated(key: str) -> Iterator[str]:
    """Within the block, records logged by this thread carry the correlation id of ``key``; yields the id."""
    token = _cid.set(correlation_id(key))
    try:
        yield _cid.get()
    finally:
        _cid.reset(token)


class CorrelationFilter(logging.Filter):
    """Adds ``record.cid``; on a handler, so records from every library get it, not only ours."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "cid"):
            record.cid = _cid.get()
        return True


class RedactSecrets(logging.Filter):
    """Replaces known secret values (and their URL-encoded forms) by ``***`` in messages and tracebacks.

    Defence in depth: the code does not log secrets, and this filter keeps a library's debug output, or an
    exception that quotes a URL, from writing one to a log.
    """

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self._secrets: list[str] = []
        self.add(secrets)

    def add(self, secrets: Iterable[str]) -> None:
        found = set(self._secrets)
        for value in secrets:
            if value and len(value) >= MIN_SECRET_CHARS:
                found |= {value, quote(value, safe=""), quote(value)}
        self._secrets = sorted(found, key=len, reverse=True)  # longest first: a URL before the password in it

    def redact(self, text: str) -> str:
        for value in self._secrets:
            if value in text:
                text = text.replace(value, REDACTED)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        if not self._secrets:
            return True
        try:
            message = record.getMessage()
        except Exception:  # a malformed call: the handler reports it when formatting
            return True
        redacted = self.redact(message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        if record.exc_info:
            # formatted here, so every formatter (text or JSON) prints the redacted traceback
            record.exc_text = self.redact(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        elif record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        return True


def _json_formatter() -> logging.Formatter:
    from pythonjsonlogger.json import JsonFormatter

    return JsonFormatter(
        "{asctime}{levelname}{name}{cid}{message}",
        style="{",
        rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
        json_ensure_ascii=False,
    )


def _level(environ: Mapping[str, str], default: int) -> int:
    name = environ.get("QUOTEBOT_LOG_LEVEL", "").strip().upper()
    if not name:
        return default
    level = logging.getLevelNamesMapping().get(name)
    if level is None:
        raise LogConfigError(f"QUOTEBOT_LOG_LEVEL: expected DEBUG, INFO, WARNING or ERROR, got {name!r}")
    return level


def configure_logging(environ: Mapping[str, str], *, default_level: int = logging.WARNING,
                      verbose: bool = False) -> RedactSecrets:
    """Log to stderr (and ``QUOTEBOT_LOG_FILE``) with correlation ids; returns the redaction filter to feed.

    Args:
        environ: the QUOTEBOT_LOG_* settings.
        default_level: the level when QUOTEBOT_LOG_LEVEL is unset (``-v`` makes it INFO).
        verbose: the user asked to see more (third-party warnings too).

    Raises:
        LogConfigError: an unknown level or format.
    """
    level = _level(environ, logging.INFO if verbose else default_level)
    kind = environ.get("QUOTEBOT_LOG_FORMAT", "").strip().lower() or "text"
    if kind not in ("text", "json"):
        raise LogConfigError(f"QUOTEBOT_LOG_FORMAT: expected 'text' or 'json', got {kind!r}")
    formatter = _json_formatter() if kind == "json" else logging.Formatter(TEXT_FORMAT)
    handlers: list[logging.Handler] = [logging.StreamHandler(sys.stderr)]
    if path := environ.get("QUOTEBOT_LOG_FILE", "").strip():
        handlers.append(logging.FileHandler(Path(path), encoding="utf-8"))
    redactor = RedactSecrets()
    for handler in handlers:
        handler.setFormatter(formatter)
        handler.addFilter(CorrelationFilter())
        handler.addFilter(redactor)
    logging.basicConfig(level=level, handlers=handlers, force=True)
    logging.captureWarnings(True)
    if not verbose and level > logging.DEBUG:
        # ezdxf reports every repair it makes as a warning; we report what matters as issues.
        logging.getLogger("ezdxf").setLevel(logging.ERROR)
        logging.getLogger("pika").setLevel(logging.WARNING)  # the broker client logs each connection step
    return redactor


def logger_levels() -> dict[str, int]:
    """The root level and every level set on a named logger: what a worker process should copy."""
    levels = {"": logging.getLogger().getEffectiveLevel()}
    for name, found in logging.root.manager.loggerDict.items():
        if isinstance(found, logging.Logger) and found.level != logging.NOTSET:
            levels[name] = found.level
    return levels


class RecordCollector(logging.Handler):
    """Keeps (level, logger, message) of the first ``limit`` records: a worker process sends them back."""

    def __init__(self, limit: int = 100, max_chars: int = 2000) -> None:
        super().__init__()
        self.limit = limit
        self.max_chars = max_chars
        self.records: list[tuple[int, str, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        if len(self.records) < self.limit:
            text = record.getMessage()
            if record.exc_info:
                text += "\n" + logging.Formatter().formatException(record.exc_info)
            self.records.append((record.levelno, record.name, text[: self.max_chars]))


def collect_worker_logs(levels: Mapping[str, int]) -> RecordCollector:
    """In a worker process: apply the parent's logger levels and collect what is logged."""
    collector = RecordCollector()
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
    root.addHandler(collector)
    for name, value in levels.items():
        logging.getLogger(name or None).setLevel(value)
    return collector


def replay_worker_logs(records: Iterable[Any], *, worker: str) -> None:
    """In the parent: log what a worker logged, under the same logger names, in the current correlation."""
    for item in records:
        try:
            level, name, text = int(item[0]), str(item[1]), str(item[2])
        except (TypeError, ValueError, IndexError):
            continue
        logging.getLogger(name).log(level, "%s", text, extra={"worker": worker})
