"""Replies rendered from templates/ with jinja2: plain text and HTML for email (and chat), Block Kit for Slack."""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
from decimal import Decimal
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

import jinja2
from jinja2 import BaseLoader, Environment, StrictUndefined, TemplateNotFound, select_autoescape
from jinja2.bccache import Bucket, FileSystemBytecodeCache
from markupsafe import Markup

from bot.blocks import clip, fit_slack_limits
from bot.filenames import strip_invisible
from bot.limits import format_bytes
from bot.reply import Reply, describe_tolerance, format_number
from estimator import PriceBreak

_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£"}
# a subject names the drawings; mail clients show about 80 characters, RFC 5322 advises lines under 78
MAX_SUBJECT_CHARS = 200


class ResourceLoader(BaseLoader):
    """Loads templates from the installed ``templates`` package, never from a source-tree path."""

    def __init__(self, root: Traversable) -> None:
        self.root = root

    def get_source(self, environment: Environment, template: str) -> tuple[str, str, Any]:
        node = self.root
        for part in template.split("/"):
            node = node.joinpath(part)
        if not node.is_file():
            raise TemplateNotFound(template)
        return node.read_text(encoding="utf-8"), template, lambda: True


class TemplateCache(FileSystemBytecodeCache):
    """Compiled templates kept on disk between runs of the command line (compiling them all costs more than
    a quote). File names carry a fingerprint of jinja2 and of this module, whose settings decide what a
    template compiles to; a changed template source is recompiled (jinja2 checks its checksum). A cache
    that cannot be read or written is skipped, never an error.
    """

    def __init__(self, directory: Path) -> None:
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        super().__init__(str(directory), pattern=f"__quotebot_{_fingerprint()}_%s.cache")

    def load_bytecode(self, bucket: Bucket) -> None:
        with contextlib.suppress(OSError, ValueError, EOFError):
            super().load_bytecode(bucket)

    def dump_bytecode(self, bucket: Bucket) -> None:
        with contextlib.suppress(OSError):
            super().dump_bytecode(bucket)


@functools.cache
def _fingerprint() -> str:
    return hashlib.sha256(jinja2.__version__.encode() + Path(__file__).read_bytes()).hexdigest()[:16]


def money(value: Decimal | float, currency: str = "USD") -> str:
    symbol = _SYMBOLS.get(currency, currency + " ")
    return f"{symbol}{Decimal(value):,.2f}"


def mrkdwn(text: object) -> str:
    """Escape Slack's control characters in user-supplied text (``<!channel>`` and ``<@U123>`` stay text)."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _visible(value: object) -> object:
    """Jinja's ``finalize``: every printed string loses control and format characters (bidirectional
    overrides, NUL, escape sequences), whatever the template; Markup stays Markup."""
    if isinstance(value, Markup):
        return Markup(strip_invisible(str(value), keep_newlines=True))
    if isinstance(value, str):
        return strip_invisible(value, keep_newlines=True)
    return value


def make_environment(root: Traversable | None = None, *, cache_dir: Path | None = None) -> Environment:
    """The one template environment; ``cache_dir`` keeps compiled templates there (see ``TemplateCache``)."""
    cache = None
    if cache_dir is not None:
        with contextlib.suppress(OSError):
            cache = TemplateCache(cache_dir)
    env = Environment(
        loader=ResourceLoader(root or files("templates")),
        bytecode_cache=cache,
        undefined=StrictUndefined,
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False, default=False),
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=_visible,
    )
    env.filters.update(
        money=money,
        mrkdwn=mrkdwn,
        number=format_number,
        tolerance=describe_tolerance,
        qty=lambda n: f"{int(n):,}",
        filesize=format_bytes,
        slack_row=slack_row,
        rjust=lambda v, width: str(v).rjust(width),
        ljust=lambda v, width: str(v).ljust(width),
    )
    return env


def render_text(env: Environment, reply: Reply) -> str:
    return env.get_template(f"email/{reply.template}.txt").render(reply=reply)


def render_html(env: Environment, reply: Reply) -> str:
    return env.get_template(f"email/{reply.template}.html").render(reply=reply)


def render_blocks(env: Environment, reply: Reply) -> tuple[dict[str, object], ...]:
    """Block Kit blocks; the template's output is parsed, so malformed JSON fails here, not in Slack."""
    raw = env.get_template(f"slack/{reply.template}.json").render(reply=reply)
    blocks = json.loads(raw)
    if not isinstance(blocks, list):
        raise ValueError(f"slack/{reply.template}.json rendered {type(blocks).__name__}, expected a list")
    return fit_slack_limits(blocks)


def render_subject(reply: Reply) -> str:
    names = ", ".join(d.name for d in reply.drawings) or "your drawing"
    if reply.parts and reply.quote_number:
        subject = f"Quote {reply.quote_number}: {names}"
    elif reply.needs:
        subject = f"{names}: a question before I can quote"
    elif reply.unreadable:
        files = [u.filename for u in reply.unreadable]
        more = f" and {len(files) - 3:,} more" if len(files) > 4 else ""
        subject = f"Could not read {', '.join(files[:3] if more else files)}{more}"
    else:
        subject = "quotebot"
    return clip(" ".join(strip_invisible(subject).split()), MAX_SUBJECT_CHARS)


def slack_row(b: PriceBreak, currency: str) -> str:
    star = "*" if b.requested else ""
    return (
        f"{star}{b.quantity:,} pcs{star} · {b.route.value} · {money(b.unit_price, currency)} each"
        f" · {money(b.total, currency)} · {b.lead_time_days} d"
    )
