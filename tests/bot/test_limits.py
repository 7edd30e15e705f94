"""Every limit, read from the environment and hit by a real file through the real pipeline (SQLite store):
the reply names the file, the limit and what to send instead, in text, HTML and Slack blocks."""

from __future__ import annotations

import io
import itertools
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import ezdxf
import pymupdf
import pytest

from bot import cli
from bot.chat import run_chat
from bot.config import Settings, SettingsError
from bot.email.translate import headers_only_inbound, read_message, to_inbound_message
from bot.limits import LIMIT_VARIABLES, MIB, Limits, format_bytes
from bot.models import Attachment, Channel, InboundMessage, RenderedReply, ThreadKey
from bot.pipeline import Deps, answer_thread, handle, submit
from bot.render import make_environment
from bot.store import SqlThreadStore
from estimator import load_rate_card
from tests.bot.test_archives import make_zip, zero_zip
from tests.conftest import ROOT, fixture_path

BRACKET = fixture_path("dxf/bracket.dxf").read_bytes()
SHAFT = fixture_path("dxf/shaft.dxf").read_bytes()
NOW = datetime(2026, 11, 27, tzinfo=UTC)
_ids = itertools.count()

MakeDeps = Callable[..., Deps]


@pytest.fixture
def deps_with(tmp_path: Path) -> Iterator[MakeDeps]:
    """``deps_with(**limits)``: pipeline dependencies on a SQLite store, with those limits."""
    with SqlThreadStore(f"sqlite:///{tmp_path / 'q.db'}") as store:
        yield lambda **limits: Deps(store=store, card=load_rate_card(), env=make_environment(), now=lambda: NOW,
                                    limits=Limits(**limits))


def send(deps: Deps, *files: tuple[str, bytes], text: str = "") -> RenderedReply:
    inbound = InboundMessage(
        thread=ThreadKey(channel=Channel.CHAT, id=f"t{next(_ids)}"), dedupe_key=f"m{next(_ids)}", text=text,
        attachments=tuple(Attachment(filename=n, data=d) for n, d in files), received_at=NOW,
    )
    reply = handle(inbound, deps)
    assert reply is not None
    return reply


def said(reply: RenderedReply, sentence: str) -> None:
    """The sentence is in the text reply, in the HTML and in a Slack block (bold removed from both)."""
    assert sentence in reply.text, reply.text
    assert sentence in re.sub(r"</?strong>", "", reply.html).replace("&#39;", "'"), reply.html
    assert sentence in slack_text(reply).replace("*", ""), reply.blocks


def slack_text(reply: RenderedReply) -> str:
    """The mrkdwn of the reply's section and context blocks."""
    blocks: list[dict[str, Any]] = json.loads(json.dumps(reply.blocks))
    texts = [b["text"]["text"] for b in blocks if isinstance(b.get("text"), dict)]
    texts += [e["text"] for b in blocks if b["type"] == "context" for e in b["elements"]]
    return " ".join(texts)


class RecordingSender:
    def __init__(self) -> None:
        self.sent: list[RenderedReply] = []

    def send(self, reply: RenderedReply) -> None:
        self.sent.append(reply)


def dxf_with_lines(count: int) -> bytes:
    doc = ezdxf.new("R2000")
    msp = doc.modelspace()
    for i in range(count):
        msp.add_line((i, 0), (i, 10))
    out = io.StringIO()
    doc.write(out)
    return out.getvalue().encode()


# --- configuration


def test_every_limit_is_read_from_its_variable() -> None:
    environ = {name: str(i + 2) for i, name in enumerate(LIMIT_VARIABLES.values())}
    environ["QUOTEBOT_MAX_DXF_ENTITIES"] = "250,000"
    limits = Settings.from_env(environ).limits
    assert limits.model_dump() == {field: int(environ[name].replace(",", ""))
                                   for field, name in LIMIT_VARIABLES.items()}
    assert limits.parse.model_dump() == {"max_pages": limits.max_pages, "max_dxf_entities": 250_000}


def test_defaults() -> None:
    assert Settings.from_env({"QUOTEBOT_MAX_PAGES": " "}).limits == Limits() == Limits(
        max_attachment_bytes=25 * MIB, max_attachments=20, max_pages=20, max_dxf_entities=500_000,
        max_zip_members=32, max_unzipped_bytes=64 * MIB, max_nesting=3, max_mime_depth=10)


@pytest.mark.parametrize(("name", "value", "message"), [
    ("QUOTEBOT_MAX_PAGES", "ten", "QUOTEBOT_MAX_PAGES must be a whole number of at least 1; got 'ten'."),
    ("QUOTEBOT_MAX_UNZIPPED_BYTES", "64MB",
     "QUOTEBOT_MAX_UNZIPPED_BYTES must be a whole number of at least 1; got '64MB'."),
    ("QUOTEBOT_MAX_NESTING", "0", "QUOTEBOT_MAX_NESTING must be a whole number of at least 1; got '0'."),
    ("QUOTEBOT_MAX_ATTACHMENTS", "-3", "QUOTEBOT_MAX_ATTACHMENTS must be a whole number of at least 1; got '-3'."),
    ("QUOTEBOT_MAX_MIME_DEPTH", "500", "QUOTEBOT_MAX_MIME_DEPTH must be at most 100; got '500'."),
    ("QUOTEBOT_PARSE_TIMEOUT_S", "soon", "QUOTEBOT_PARSE_TIMEOUT_S must be a number of seconds above 0; got 'soon'."),
    ("QUOTEBOT_PARSE_MEMORY_MB", "2.5", "QUOTEBOT_PARSE_MEMORY_MB must be a whole number of at least 1; got '2.5'."),
])
def test_a_bad_value_names_its_variable(name: str, value: str, message: str) -> None:
    with pytest.raises(SettingsError) as info:
        Settings.from_env({name: value})
    assert str(info.value) == message


def test_the_command_refuses_to_start_with_a_bad_limit(monkeypatch: pytest.MonkeyPatch,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("QUOTEBOT_MAX_ZIP_MEMBERS", "lots")
    assert cli.main(["serve"]) == 2
    assert capsys.readouterr().err == (
        "quotebot: QUOTEBOT_MAX_ZIP_MEMBERS must be a whole number of at least 1; got 'lots'.\n")


def test_the_readme_lists_every_limit_with_its_default() -> None:
    readme = (ROOT / "README.md").read_text()
    for field, name in LIMIT_VARIABLES.items():
        row = next((line for line in readme.splitlines() if line.startswith(f"| `{name}` |")), None)
        assert row is not None, name
        default = getattr(Limits(), field)
        assert f"{default:,}" in row or format_bytes(default).replace(" MB", " MiB") in row, row


@pytest.mark.parametrize(("count", "text"), [(12, "12 bytes"), (1000, "1,000 bytes"), (2048, "2 KB"),
                                             (25 * MIB, "25 MB"), (int(11.6 * 1024), "11.6 KB")])
def test_sizes_read_as_people_read_them(count: int, text: str) -> None:
    assert format_bytes(count) == text


# --- each limit through the pipeline


def test_attachment_bytes(deps_with: MakeDeps) -> None:
    reply = send(deps_with(max_attachment_bytes=1000), ("bracket.dxf", BRACKET))
    assert reply.outcome == "unreadable"
    said(reply, f"I couldn't read bracket.dxf: it is {format_bytes(len(BRACKET))}, and the most I accept is "
                "1,000 bytes. A DXF, or a PDF of the drawing sheets only, is usually much smaller.")


def test_a_zip_bomb_is_refused_after_the_unpack_limit(deps_with: MakeDeps) -> None:
    bomb = zero_zip(10 * MIB)
    reply = send(deps_with(max_unzipped_bytes=MIB), ("bomb.zip", bomb))
    said(reply, "I couldn't open bomb.zip: the archives in your message unpack to more than 1 MB, the most I unpack "
                "from one message. Could you attach the drawings directly, or send them over several messages?")


def test_a_member_larger_than_the_file_limit(deps_with: MakeDeps) -> None:
    reply = send(deps_with(max_attachment_bytes=2 * MIB), ("bomb.zip", zero_zip(10 * MIB)))
    said(reply, "I couldn't read zeros.dxf: it is larger than 2 MB, the most I accept.")


def test_zip_members(deps_with: MakeDeps) -> None:
    archive = make_zip({"a.dxf": BRACKET, "b.dxf": SHAFT, "c.dxf": BRACKET})
    reply = send(deps_with(max_zip_members=2), ("parts.zip", archive))
    said(reply, "I couldn't open parts.zip: it holds more than 2 files, the most I open in one archive. "
                "Could you zip only the drawings to quote, or attach them directly?")


def test_zip_in_zip_in_zip(deps_with: MakeDeps) -> None:
    nested = make_zip({"level2.zip": make_zip({"level3.zip": make_zip({"bracket.dxf": BRACKET})})})
    refused = send(deps_with(max_nesting=2), ("level1.zip", nested))
    said(refused, "I couldn't open level3.zip: it is a zip inside zips more than 2 levels deep. "
                  "Could you put the drawings in a single zip, or attach them directly?")
    read = send(deps_with(), ("level1.zip", nested), text="50 pcs")
    assert read.outcome == "estimate" and "(bracket.dxf)" in read.text


def test_traversal_names_and_encrypted_members(deps_with: MakeDeps) -> None:
    archive = make_zip({"../../etc/bracket.dxf": BRACKET, "/abs/secret.dxf": b"0\nEOF\n"},
                       encrypted=("/abs/secret.dxf",))
    reply = send(deps_with(), ("drawings.zip", archive), text="50 pcs")
    assert reply.outcome == "estimate" and "(bracket.dxf)" in reply.text and "../" not in reply.text
    said(reply, "I couldn't read secret.dxf: it is password-protected inside the zip. "
                "Could you send it without the password?")


def test_a_damaged_zip(deps_with: MakeDeps) -> None:
    reply = send(deps_with(), ("cut.zip", make_zip({"bracket.dxf": BRACKET})[:-30]))
    said(reply, "I couldn't open cut.zip: the zip is damaged, or compressed in a way I can't read.")


def test_dxf_entities(deps_with: MakeDeps) -> None:
    reply = send(deps_with(max_dxf_entities=100), ("lines.dxf", dxf_with_lines(150)))
    said(reply, "I couldn't read lines.dxf: it has more than 100 entities, the most I read in one DXF. "
                "Could you send a DXF of this part's drawing only, or a PDF?")
    assert send(deps_with(max_dxf_entities=200), ("lines.dxf", dxf_with_lines(150))).outcome != "unreadable"


def test_the_entity_limit_reaches_the_parse_worker(tmp_path: Path) -> None:
    settings = Settings(limits=Limits(max_dxf_entities=100))
    deps = cli.build_deps(settings, db_url=f"sqlite:///{tmp_path / 'w.db'}")
    assert isinstance(deps.store, SqlThreadStore)
    with deps.store:
        reply = send(deps, ("lines.dxf", dxf_with_lines(150)))
    said(reply, "I couldn't read lines.dxf: it has more than 100 entities")


def test_pdf_pages(deps_with: MakeDeps) -> None:
    sheet = pymupdf.open(fixture_path("pdf/bracket.pdf"))
    doc = pymupdf.open()
    for _ in range(3):
        doc.insert_pdf(sheet)
    reply = send(deps_with(max_pages=1), ("set.pdf", doc.tobytes()))
    said(reply, "the file has 3 pages; I read page 1 (at most 1 page of one file). "
                "Send pages 2-3 as a separate file to have them read too.")


def test_attachments_per_message(deps_with: MakeDeps) -> None:
    files = [("bracket.dxf", BRACKET), ("shaft.dxf", SHAFT), ("plate.dxf", BRACKET), ("other.dxf", SHAFT)]
    reply = send(deps_with(max_attachments=2), *files, text="20 pcs")
    assert reply.outcome == "estimate" and "(bracket.dxf)" in reply.text and "(shaft.dxf)" in reply.text
    said(reply, "I read at most 2 files per message, so these 2 were not read: plate.dxf, other.dxf. "
                "Could you send them in another message?")


def test_many_files_past_the_limit_are_summed_up(deps_with: MakeDeps) -> None:
    archive = make_zip({f"{i:02}.dxf": BRACKET for i in range(30)})
    reply = send(deps_with(max_attachments=2, max_zip_members=40), ("shaft.dxf", SHAFT), ("many.zip", archive))
    said(reply, "I read at most 2 files per message, so these 29 were not read: 01.dxf, 02.dxf, 03.dxf, 04.dxf, "
                "05.dxf, 06.dxf, 07.dxf, 08.dxf, 09.dxf, 10.dxf and 19 more. Could you send them in another message?")
    assert reply.subject == "SHAFT-S2 rev B, BRACKET-M1 rev A: a question before I can quote"
    one = send(deps_with(max_attachments=1), ("shaft.dxf", SHAFT), ("many.zip", archive))
    said(one, "I read at most 1 file per message, so this one was not read: many.zip. Could you send it in another "
              "message?")


class RecordingQueue:
    def __init__(self) -> None:
        self.threads: list[ThreadKey] = []

    def enqueue(self, thread: ThreadKey) -> None:
        self.threads.append(thread)


def test_queue_mode_stores_the_files_of_a_zip_and_the_workers_reply_names_the_refusals(deps_with: MakeDeps) -> None:
    queue = RecordingQueue()
    deps = replace(deps_with(max_nesting=1), queue=queue)
    archive = make_zip({"bracket.dxf": BRACKET, "inner.zip": make_zip({"shaft.dxf": SHAFT})})
    inbound = InboundMessage(thread=ThreadKey(channel=Channel.EMAIL, id="<q@x>"), dedupe_key="<q@x>",
                             attachments=(Attachment(filename="drawings.zip", data=archive),), received_at=NOW)
    sender = RecordingSender()
    assert submit(inbound, deps, sender) and queue.threads == [inbound.thread]
    [stored] = deps.store.pending_inbound(inbound.thread)
    assert [(a.filename, a.fetch_error) for a in stored.attachments] == [
        ("bracket.dxf", None), ("inner.zip", "archive-too-deep")]
    assert answer_thread(inbound.thread, replace(deps, queue=None), sender) == 1
    said(sender.sent[0], "I couldn't open inner.zip: it is a zip inside zips more than 1 level deep.")


# --- email: forwards and MIME depth


def forwarded(depth: int) -> EmailMessage:
    """A message forwarding a message forwarding ... (``depth`` forwards), the innermost with bracket.dxf."""
    msg = EmailMessage()
    msg["From"], msg["Subject"] = "alice@customer.example", "Bracket"
    msg.set_content("the bracket")
    msg.add_attachment(BRACKET, maintype="application", subtype="dxf", filename="bracket.dxf")
    for level in range(depth):
        outer = EmailMessage()
        outer["From"], outer["Subject"] = "alice@customer.example", f"Fwd {level + 1}"
        outer.set_content(f"forward {level + 1}")
        outer.add_attachment(msg)
        msg = outer
    return msg


def test_forwards_deeper_than_the_nesting_limit(deps_with: MakeDeps) -> None:
    deps = deps_with(max_nesting=2)
    inbound = to_inbound_message(forwarded(3), received_at=NOW, limits=deps.limits)
    assert inbound is not None
    assert [(a.filename, a.fetch_error) for a in inbound.attachments] == [("Bracket.eml", "forward-too-deep")]
    reply = handle(inbound, deps)
    assert reply is not None
    said(reply, "I couldn't read the forwarded message Bracket.eml: it is forwarded more than 2 levels deep. "
                "Could you forward its drawings directly?")
    within = to_inbound_message(forwarded(2), received_at=NOW, limits=deps.limits)
    assert within is not None and [a.filename for a in within.attachments] == ["bracket.dxf"]


def nested_multipart(depth: int) -> bytes:
    head = "From: alice@customer.example\r\nSubject: deep\r\nMessage-ID: <deep@customer.example>\r\n"
    body = "".join(f'Content-Type: multipart/mixed; boundary="b{i}"\r\n\r\n--b{i}\r\n' for i in range(depth))
    body += ('Content-Type: application/dxf\r\nContent-Disposition: attachment; filename="bracket.dxf"\r\n\r\n'
             "0\r\nEOF\r\n")
    body += "".join(f"--b{i}--\r\n" for i in reversed(range(depth)))
    return (head + body).encode()


def test_mime_structure_deeper_than_the_limit(deps_with: MakeDeps) -> None:
    deps = deps_with(max_mime_depth=3)
    msg, whole = read_message(nested_multipart(3))
    assert whole
    found = to_inbound_message(msg, received_at=NOW, limits=deps.limits)
    assert found is not None and [a.filename for a in found.attachments] == ["bracket.dxf"]
    msg, whole = read_message(nested_multipart(5))
    inbound = to_inbound_message(msg, received_at=NOW, limits=deps.limits)
    assert inbound is not None
    assert [(a.filename, a.fetch_error) for a in inbound.attachments] == [("deep.eml", "message-too-deep")]
    reply = handle(inbound, deps)
    assert reply is not None
    said(reply, "I couldn't read all of deep.eml: its parts are nested more than 3 levels deep, and files there "
                "were not read. Could you attach the drawings to a new message?")


@pytest.mark.parametrize("depth", [150, 300])  # 300: the standard library's parser itself fails
def test_a_message_too_deep_for_the_standard_library_gets_an_answer(depth: int) -> None:
    msg, whole = read_message(nested_multipart(depth))
    assert not whole
    inbound = headers_only_inbound(msg, received_at=NOW)
    assert inbound is not None and inbound.text == "deep" and inbound.dedupe_key == "<deep@customer.example>"
    assert [(a.filename, a.fetch_error) for a in inbound.attachments] == [("deep.eml", "message-too-deep")]


# --- the terminal channel (Slack: tests/slack/test_end_to_end.py)


def test_chat_attach_opens_a_zip_like_every_channel(deps_with: MakeDeps, tmp_path: Path) -> None:
    archive = tmp_path / "drawings.zip"
    archive.write_bytes(make_zip({"drawings/bracket.dxf": BRACKET, "../shaft.dxf": SHAFT}))
    too_big = tmp_path / "big.pdf"
    too_big.write_bytes(b"%PDF-1.7\n" + bytes(150_000))
    out = io.StringIO()
    run_chat(deps_with(max_attachment_bytes=100 * 1024), thread="zip", attach=[str(archive), str(too_big)],
             stdin=io.StringIO(""), stdout=out, files_dir=None)
    assert "(bracket.dxf)" in out.getvalue() and "(shaft.dxf)" in out.getvalue()
    assert "I couldn't read big.pdf: it is larger than 100 KB, the most I accept." in out.getvalue()
