"""Hostile file names, message text and drawing text through the real pipeline and every rendering: Slack
blocks (mrkdwn) and fallback text, email HTML, text and headers. Nothing pings, runs or hides; Slack's limits
hold; files are saved under safe names only."""

from __future__ import annotations

import io
import json
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from email import policy
from email.parser import BytesParser
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import ezdxf
import pytest

from bot.blocks import HEADER_CHARS, MAX_BLOCKS, TEXT_CHARS, clip, fit_slack_limits
from bot.chat import ConsoleSender
from bot.email.translate import Envelope, to_email_message, to_inbound_message
from bot.models import Attachment, Channel, InboundMessage, RenderedReply, ThreadKey
from bot.pipeline import Deps, handle
from bot.render import make_environment
from bot.slack.app import ack_text
from bot.slack.translate import SlackFile, to_post_kwargs
from bot.store import SqlThreadStore
from estimator import load_rate_card
from tests.conftest import fixture_path

RTL = "\u202e"
LONG = "W" * 10_240
HOSTILE_TEXT = f"<script>alert(1)</script> <!channel> <!here> <@U123> {RTL}gpj.exe {LONG}"
NAMES = [
    "<script>alert(1)</script>.dxf",
    "<!channel> <!here>.dxf",
    "<@U123>.dxf",
    f"invoice{RTL}fxd.exe.dxf",
    LONG + ".dxf",
    "../../etc/cron.d/evil.dxf",
    "..\\..\\windows\\evil.dxf",
    "/etc/passwd.dxf",
    "nul\x00byte\x1b[31m.dxf",
    "line\nbreak\r\n.dxf",
]
PINGS = ("<!channel>", "<!here>", "<@U123>", "<!everyone>")
SLACK_SECTION_LIMITS = {"header": HEADER_CHARS, "section": TEXT_CHARS, "context": TEXT_CHARS}


def plate_without_part_number() -> bytes:
    """A drawing whose name in replies is its file name (no part number in the title block)."""
    return fixture_path("dxf_cases/good/plate_r2018.dxf").read_bytes()


def hostile_dxf() -> bytes:
    """The bracket with hostile title-block text: the material label and a 10 kB note are read and quoted."""
    doc = ezdxf.readfile(str(fixture_path("dxf/bracket.dxf")))
    msp = doc.modelspace()
    for e in list(msp.query("TEXT MTEXT")):
        if "MATERIAL" in e.plain_text().upper() if e.dxftype() == "MTEXT" else "MATERIAL" in e.dxf.text.upper():
            msp.delete_entity(e)
    msp.add_text(f"MATERIAL: <!channel> <script>x</script> {RTL}unobtainium <@U123>", dxfattribs={"height": 2.5})
    msp.add_mtext(f"NOTE: {LONG} <!here>", dxfattribs={"char_height": 2.5})
    stream = io.StringIO()
    doc.write(stream)
    return stream.getvalue().encode()


@pytest.fixture
def deps(tmp_path: Path) -> Iterator[Deps]:
    with SqlThreadStore(f"sqlite:///{tmp_path / 'q.db'}") as store:
        yield Deps(store=store, card=load_rate_card(), env=make_environment(),
                   now=lambda: datetime(2026, 11, 27, 9, 0, tzinfo=UTC))


def inbound(key: str, text: str, *files: tuple[str, bytes]) -> InboundMessage:
    return InboundMessage(thread=ThreadKey(channel=Channel.SLACK, id=f"C1:{key}"), dedupe_key=key, sender="U0BUYER",
                          text=text, attachments=tuple(Attachment(filename=n, data=d) for n, d in files),
                          received_at=datetime(2026, 11, 27, tzinfo=UTC))


def strings(node: Any) -> Iterator[str]:
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for v in node.values():
            yield from strings(v)
    elif isinstance(node, list | tuple):
        for v in node:
            yield from strings(v)


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: set[str] = set()

    def handle_starttag(self, tag: str, attrs: object) -> None:
        self.tags.add(tag)


def check_reply(reply: RenderedReply) -> None:
    """Every rendering of a reply is safe and within limits."""
    blocks: list[dict[str, Any]] = [dict(b) for b in reply.blocks]
    assert 0 < len(blocks) <= MAX_BLOCKS
    for block in blocks:
        limit = SLACK_SECTION_LIMITS.get(str(block["type"]))
        texts = [block.get("text")] if block["type"] != "context" else block["elements"]
        for t in texts:
            if limit and isinstance(t, dict):
                assert 0 < len(t["text"]) <= limit, (block["type"], len(t["text"]))
    for s in strings(blocks):
        assert not any(p in s for p in PINGS) and "<script" not in s, s[:200]
        assert RTL not in s and "\x00" not in s and "\x1b" not in s
    post = to_post_kwargs(reply)
    assert not any(p in post["text"] for p in PINGS) and RTL not in post["text"]
    json.dumps(post)
    parser = _Tags()
    parser.feed(reply.html)
    assert parser.tags <= {"html", "head", "meta", "title", "body", "p", "strong", "ul", "li", "table", "tr",
                           "th", "td", "pre", "br", "em", "b", "h1", "h2", "h3", "div", "span", "a"}, parser.tags
    assert "script" not in parser.tags and "<script" not in reply.html
    for text in (reply.text, reply.html, reply.subject):
        assert RTL not in text and "\x00" not in text and "\x1b" not in text
    assert "\n" not in reply.subject and len(reply.subject) <= 200


@pytest.mark.parametrize("name", NAMES)
def test_hostile_file_name_in_every_rendering(deps: Deps, name: str) -> None:
    first = handle(inbound(f"m-{abs(hash(name))}", HOSTILE_TEXT, (name, plate_without_part_number())), deps)
    assert first is not None
    check_reply(first)
    [stored] = first.html.split("I read <strong>")[1:2] or [""]
    assert stored, first.text
    second = handle(inbound(f"n-{abs(hash(name))}", "500 pcs, 6 mm thick"), deps)
    assert second is not None
    check_reply(second)


def test_hostile_name_on_an_unreadable_file(deps: Deps) -> None:
    files = [(n.replace(".dxf", ".dwg"), fixture_path("dxf/housing.dwg").read_bytes()) for n in NAMES]
    reply = handle(inbound("unreadable", HOSTILE_TEXT, *files), deps)
    assert reply is not None
    check_reply(reply)
    assert reply.text.count("DWG is a closed format") == len(NAMES)


def test_hostile_drawing_text_is_quoted_safely(deps: Deps) -> None:
    reply = handle(inbound("drawing", "", ("bracket.dxf", hostile_dxf())), deps)
    assert reply is not None
    check_reply(reply)
    text = json.dumps(reply.blocks)
    assert "&lt;!channel&gt;" in text, "the material label should be read and escaped, not dropped"
    assert "&lt;!channel&gt;" in reply.html and "&lt;script&gt;" in reply.html
    quote = handle(inbound("drawing-2", "500 pcs in 6061-T6"), deps)
    assert quote is not None
    check_reply(quote)


def test_the_message_text_itself_is_never_echoed_raw(deps: Deps) -> None:
    reply = handle(inbound("text", HOSTILE_TEXT), deps)
    assert reply is not None
    check_reply(reply)


def test_email_reply_headers_stay_one_line_and_attachments_keep_safe_names(deps: Deps) -> None:
    reply = handle(inbound("mail", "10 pcs", (NAMES[-1], fixture_path("dxf/housing.dwg").read_bytes())), deps)
    assert reply is not None
    envelope = Envelope(message_id="<m1@customer.example>", thread_id="<m1@customer.example>",
                        reply_to="alice@customer.example", subject=f"Quote {RTL} <!channel>")
    msg = to_email_message(reply, envelope=envelope, sender="quotes@shop.example",
                           now=datetime(2026, 11, 27, tzinfo=UTC))
    raw = msg.as_bytes(policy=policy.SMTP)
    parsed = BytesParser(policy=policy.default).parsebytes(raw)
    assert "\n" not in str(parsed["Subject"])


def test_hostile_attachment_names_from_email_are_reduced_to_a_safe_name() -> None:
    from tests.email.conftest import compose

    one_line = [n for n in NAMES if "\n" not in n]  # the email package refuses to write the others
    msg = compose("alice@customer.example", "x", "10 pcs", files=tuple((n, b"0\nSECTION\n") for n in one_line))
    # a sender's software may write anything: an RFC 2231 name with a path, a newline and an RTL override
    raw = msg.as_bytes().decode()
    boundary = msg.get_boundary()
    evil = (f"--{boundary}\nContent-Type: application/octet-stream\nContent-Transfer-Encoding: base64\n"
            "Content-Disposition: attachment; filename*=utf-8''..%2F..%2Fetc%2Fcron.d%2Fx%0A%E2%80%AE.dxf\n\n"
            "MApTRUNUSU9OCg==\n")
    raw = raw.replace(f"--{boundary}--", evil + f"--{boundary}--")
    parsed = BytesParser(policy=policy.default).parsebytes(raw.encode())
    message = to_inbound_message(parsed)  # type: ignore[arg-type]
    assert message is not None
    names = [a.filename for a in message.attachments]
    assert len(names) == len(one_line) + 1 and names[-1] == "x.dxf", names
    for n in names:
        assert "/" not in n and "\\" not in n and not n.startswith(".") and len(n) <= 120
        assert RTL not in n and "\x00" not in n and "\n" not in n


def test_slack_acknowledgement_of_hostile_names() -> None:
    files = tuple(SlackFile(id=f"F{i}", name=n) for i, n in enumerate(NAMES))
    text = ack_text(files)
    assert not any(p in text for p in PINGS) and RTL not in text and len(text) < 3000


def test_chat_saves_reply_files_under_safe_names_only(tmp_path: Path) -> None:
    files_dir = tmp_path / "files"
    evil = RenderedReply(
        thread=ThreadKey(channel=Channel.CHAT, id="t"), in_reply_to="../../../escape", outcome="estimate",
        subject="s", text="t", html="h",
        files=(Attachment.model_construct(filename="../../outside.png", data=b"png", content_type=None,
                                          fetch_error=None),),
    )
    ConsoleSender(io.StringIO(), files_dir=files_dir).send(evil)
    written = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert written and all(files_dir in p.parents for p in written), written


def test_clip_keeps_entities_and_code_blocks_whole() -> None:
    assert clip("a &amp; b", 100) == "a &amp; b"
    assert clip("x" * 10 + "&amp;" + "y" * 10, 13) == "x" * 10 + "…"
    clipped = clip("```" + "z" * 5000 + "```", 3000)
    assert len(clipped) <= 3000 and clipped.endswith("…```")
    many = fit_slack_limits([{"type": "section", "text": {"type": "mrkdwn", "text": str(i)}} for i in range(80)]
                            + [{"type": "actions", "elements": []}])
    assert len(many) == MAX_BLOCKS and many[-1]["type"] == "actions" and "32 more sections" in json.dumps(many[-2])


def test_replies_are_drawn_one_at_a_time(monkeypatch: pytest.MonkeyPatch, deps: Deps) -> None:
    """pyplot and ezdxf's shared fonts are not thread-safe: two replies drawn at once (a Slack listener and the
    email channel) once failed with fontTools errors."""
    import bot.visuals as visuals

    busy = threading.Semaphore(1)
    overlaps: list[str] = []

    def exclusive(name: str, result: Any) -> Any:
        def render(*args: object, **kwargs: object) -> Any:
            if not busy.acquire(blocking=False):
                overlaps.append(name)
                return result
            try:
                time.sleep(0.02)
                return result
            finally:
                busy.release()
        return render

    monkeypatch.setattr(visuals, "render_preview", exclusive("preview", visuals.Preview(b"png", 0, 1, 1)))
    monkeypatch.setattr(visuals, "render_chart", exclusive("chart", b"png"))
    monkeypatch.setattr(visuals, "render_quote_pdf", exclusive("pdf", b"%PDF"))
    drawn = Deps(store=deps.store, card=deps.card, env=deps.env, now=deps.now, visuals=True)
    bracket = fixture_path("dxf/bracket.dxf").read_bytes()
    threads = [threading.Thread(target=handle, args=(inbound(f"t{i}", "10 pcs", ("bracket.dxf", bracket)), drawn))
               for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    replies = deps.store.pending_outbound()
    assert len(replies) == 6 and all(len(r.files) == 3 for r in replies)
    assert overlaps == []
