"""Slack payload mutators: fields of event and interaction bodies replaced by other types and hostile values,
removed, or added (subtypes, bot ids, files, actions).
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any

from hypothesis import strategies as st
from hypothesis.strategies import DrawFn

TS_VALUES = ("", "abc", "1e400", "-1", "nan", "inf", "-inf", "99999999999999999999", "1764201001.000100",
             "0", "1.2.3", " 1764201001.1 ", "1e-400", "253402300800", "-62135596801")
STRINGS = ("", "<@UQUOTEBOT>", "<@UQUOTEBOT|bot> 500 pcs", "&amp;&lt;&gt;&#0;&#xFFFFFFFF;", "<!channel>", "\x00",
           "x" * 50_000, "qty_99999999", "qty_", "qty_-1", "breakdown", "file_share", "bot_message",
           "thread_broadcast", "message_changed", "im", "app_mention", "message", "event_callback", "block_actions",
           "C0SALES", "D0BUYER", "../../etc/passwd", "Ø10 H7 500 pcs", "\ud83d", "check_file_info",
           "http://[::1", "https://files.slack.com:99999/x", "https://evil.example/f", "file:///etc/passwd",
           "PEER/files-pri/T0QUOTE-F00000001/download/bracket.dxf")
KEYS = ("type", "subtype", "user", "channel", "ts", "thread_ts", "text", "files", "event", "actions", "bot_id",
        "bot_profile", "channel_type", "container", "message", "action_id", "action_ts", "trigger_id", "id", "name",
        "size", "url_private_download", "file_access", "filetype", "mimetype")


def _scalar(draw: DrawFn) -> Any:
    return draw(st.one_of(
        st.sampled_from(TS_VALUES), st.sampled_from(STRINGS), st.none(), st.booleans(),
        st.integers(-(2**70), 2**70), st.floats(allow_nan=True, allow_infinity=True),
        st.sampled_from(([], {}, [None], [{}], [[]], {"id": None}, [1, 2, 3], {"": ""})),
    ))


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path (keys and indexes) into a JSON value, the root excluded."""
    found: list[tuple[Any, ...]] = []
    items: list[tuple[Any, Any]] = (list(value.items()) if isinstance(value, dict)
                                    else list(enumerate(value)) if isinstance(value, list) else [])
    for key, child in items:
        found.append((*prefix, key))
        found += _paths(child, (*prefix, key))
    return found


def _parent(body: Any, path: tuple[Any, ...]) -> Any:
    for key in path[:-1]:
        body = body[key]
    return body


def _mutate_once(draw: DrawFn, body: dict[str, Any]) -> None:
    paths = _paths(body)
    op = draw(st.sampled_from(("replace", "replace", "delete", "add", "deepen")))
    if op == "add" or not paths:
        containers = [p for p in paths if isinstance(_parent(body, (*p, None)), dict)]
        target = _parent(body, (*draw(st.sampled_from(containers)), None)) if containers else body
        target[draw(st.sampled_from(KEYS))] = _scalar(draw)
        return
    path = draw(st.sampled_from(paths))
    parent = _parent(body, path)
    if op == "delete":
        del parent[path[-1]]
    elif op == "deepen":  # a value wrapped in thousands of lists: recursion in whoever walks it
        value: Any = parent[path[-1]]
        for _ in range(draw(st.sampled_from((10, 500)))):
            value = [value]
        parent[path[-1]] = value
    else:
        parent[path[-1]] = _scalar(draw)


@st.composite
def mutated_payload(draw: DrawFn, seeds: Sequence[dict[str, Any]], *, max_mutations: int = 4) -> dict[str, Any]:
    """A seed payload with one to ``max_mutations`` field edits."""
    body = copy.deepcopy(draw(st.sampled_from(seeds)))
    for _ in range(draw(st.integers(1, max_mutations))):
        _mutate_once(draw, body)
    return body
