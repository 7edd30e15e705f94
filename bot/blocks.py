"""Slack Block Kit limits, applied to every rendered reply: Slack rejects a whole message over any of them.

Text from users (file names, drawing notes) is escaped by the templates; here every string also loses
invisible characters, and every text is clipped to its block's limit, so a 10 kB file name costs a
shortened line, never an ``invalid_blocks`` error and a lost reply.
"""

from __future__ import annotations

import re
from typing import Any

from bot.filenames import strip_invisible

MAX_BLOCKS = 50
HEADER_CHARS = 150
TEXT_CHARS = 3000  # a section's or a context element's text
FIELD_CHARS = 2000
MAX_FIELDS = 10
MAX_CONTEXT_ELEMENTS = 10
MAX_ACTION_ELEMENTS = 25
BUTTON_TEXT_CHARS = 75
BUTTON_VALUE_CHARS = 2000
ELLIPSIS = "…"
FENCE = "```"
_PARTIAL_ENTITY = re.compile(r"&[a-z]{0,4}$")  # "&am" left by a cut through "&amp;"


def clip(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters with an ellipsis; never ends inside ``&amp;``, and a
    code block cut open is closed again."""
    if len(text) <= limit:
        return text
    reserve = len(ELLIPSIS) + (len(FENCE) if FENCE in text else 0)
    cut = text[: max(0, limit - reserve)]
    cut = cut[: m.start()] if (m := _PARTIAL_ENTITY.search(cut)) else cut
    cut += ELLIPSIS
    if cut.count(FENCE) % 2 == 1 and text.count(FENCE) % 2 == 0:
        cut += FENCE
    return cut


def _clean(node: Any) -> Any:
    if isinstance(node, str):
        return strip_invisible(node, keep_newlines=True)
    if isinstance(node, list):
        return [_clean(n) for n in node]
    if isinstance(node, dict):
        return {k: _clean(v) for k, v in node.items()}
    return node


def _fit_text(obj: Any, limit: int) -> None:
    if isinstance(obj, dict) and isinstance(obj.get("text"), str):
        obj["text"] = clip(obj["text"], limit) or "-"  # Slack refuses an empty text


def _fit_block(block: dict[str, Any]) -> dict[str, Any]:
    kind = block.get("type")
    if kind == "header":
        _fit_text(block.get("text"), HEADER_CHARS)
    elif kind == "section":
        _fit_text(block.get("text"), TEXT_CHARS)
        if isinstance(block.get("fields"), list):
            block["fields"] = block["fields"][:MAX_FIELDS]
            for field in block["fields"]:
                _fit_text(field, FIELD_CHARS)
    elif kind == "context" and isinstance(block.get("elements"), list):
        block["elements"] = block["elements"][:MAX_CONTEXT_ELEMENTS]
        for element in block["elements"]:
            _fit_text(element, TEXT_CHARS)
    elif kind == "actions" and isinstance(block.get("elements"), list):
        block["elements"] = block["elements"][:MAX_ACTION_ELEMENTS]
        for element in block["elements"]:
            _fit_text(element.get("text"), BUTTON_TEXT_CHARS)
            if isinstance(element.get("value"), str):
                element["value"] = element["value"][:BUTTON_VALUE_CHARS]
    return block


def fit_slack_limits(blocks: list[Any]) -> tuple[dict[str, Any], ...]:
    """The blocks cleaned and within Slack's limits; past 50 blocks the rest is replaced by a note (the
    buttons at the end are kept)."""
    fitted = [_fit_block(_clean(b)) for b in blocks if isinstance(b, dict)]
    if len(fitted) > MAX_BLOCKS:
        tail = [fitted[-1]] if fitted[-1].get("type") == "actions" else []
        keep = fitted[: MAX_BLOCKS - 1 - len(tail)]
        note = {"type": "context", "elements": [{"type": "mrkdwn", "text": (
            f"{len(fitted) - len(keep) - len(tail)} more sections are left out: a Slack message holds at most "
            f"{MAX_BLOCKS}.")}]}
        fitted = [*keep, note, *tail]
    return tuple(fitted)
