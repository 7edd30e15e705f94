"""Email edge: an RFC 822 message -> InboundMessage, and a RenderedReply -> a threaded EmailMessage.

Pure: the standard library's ``email`` package with ``policy.default`` (made tolerant of header values its
parser fails on, see ``TOLERANT``); no network, no disk.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from email import policy
from email.errors import HeaderParseError
from email.headerregistry import BaseHeader, HeaderRegistry, UnstructuredHeader
from email.message import EmailMessage, Message
from email.parser import BytesParser
from email.utils import format_datetime, parseaddr, parsedate_to_datetime

from bot.email.text import html_to_text, new_text
from bot.filenames import safe_filename
from bot.limits import Limits
from bot.models import Attachment, Channel, InboundMessage, RenderedReply, ThreadKey

# Deeper messages are read for their headers only (see ``read_message``); QUOTEBOT_MAX_MIME_DEPTH is at most this.
PARSEABLE_DEPTH = 100
_REPLY_PREFIX = re.compile(r"^\s*(?:(?:re|aw|sv|antw|wg|fw|fwd|tr)\s*(?:\[\d+\])?\s*:\s*)+", re.I)
# An id longer than this is not taken for one (the store keys threads and messages by ids of up to 512
# characters): the message then gets a content-derived id, as when it has none.
MAX_MESSAGE_ID_CHARS = 250
MAX_ADDRESS_CHARS = 254  # RFC 5321: a path of 256 characters, brackets included
_MSGID = re.compile(rf"<[^<>\s\x00]{{1,{MAX_MESSAGE_ID_CHARS - 2}}}>(?![^<>\s])")

ACKNOWLEDGEMENT_TEXT = (
    "Thank you for your message. It has been passed to our sales team, who will get back to you.\n"
)


@dataclass(frozen=True)
class Envelope:
    """What a reply needs from the message it answers: who, which subject, which thread."""

    message_id: str
    thread_id: str
    reply_to: str
    subject: str
    references: tuple[str, ...] = ()


class _TolerantHeaders(HeaderRegistry):
    """The standard header classes, but a value their parser fails on is kept as unstructured text.

    Python's structured header parsers raise IndexError, AttributeError and others on some malformed values
    (e.g. a Message-ID or an address list cut short); one such header must not make the message unreadable.
    """

    def __call__(self, name: str, value: str) -> BaseHeader:
        try:
            return super().__call__(name, value)
        except (IndexError, AttributeError, TypeError, ValueError, LookupError, OverflowError, HeaderParseError):
            unparsed: type[BaseHeader] = type("_UnparsedHeader", (UnstructuredHeader, self.base_class), {})
            return unparsed(name, value)  # type: ignore[call-arg]


# policy.default, with unparseable header values kept as text (what ``read_message`` parses with)
TOLERANT = policy.default.clone(header_factory=_TolerantHeaders())


def header_text(value: object) -> str:
    """A header value as text. Raw 8-bit bytes in a header (UTF-8 sent without encoded words, as SMTPUTF8
    mail is) reach Python as lone surrogates, which no database or encoder accepts: they are read as UTF-8."""
    return str(value or "").encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def message_ids(value: object) -> tuple[str, ...]:
    """Every ``<id@host>`` in a header value, in order."""
    return tuple(_MSGID.findall(header_text(value)))


def first_address(header: object) -> str:
    """The first address of an address header, or "" when there is none that mail can be sent to (no "@",
    or longer than the 254 characters SMTP allows)."""
    addresses = getattr(header, "addresses", None)
    if addresses is None:  # absent, or kept as text because the address parser failed on it
        address = parseaddr(header_text(header))[1]
    else:
        address = header_text(addresses[0].addr_spec) if addresses else ""
    return address if "@" in address and len(address) <= MAX_ADDRESS_CHARS else ""


def sender_address(msg: Message) -> str:
    """The From address, lower-cased (empty when there is none)."""
    return first_address(msg.get("From")).lower()


def message_id(msg: Message) -> str:
    """The Message-ID, or a stable one made from the content when the sender left it out."""
    found = message_ids(msg.get("Message-ID"))
    if found:
        return found[0]
    return f"<sha256.{hashlib.sha256(_content(msg)).hexdigest()[:32]}@quotebot.invalid>"


def _content(msg: Message) -> bytes:
    """The message's headers and part payloads as received, for a fingerprint.

    Not ``msg.as_bytes()``: writing a message back refolds its headers, and Python's folding of a MIME
    parameter with a very long name never ends (and fails on some malformed headers).
    """
    parts = [f"{k}: {v}".encode("utf-8", "surrogatepass") for k, v in msg.raw_items()]
    # decode=True gives the transferred bytes; the text form would decode them in the part's charset,
    # which fails on a bad one ("utf-8\0")
    payloads = (p.get_payload(decode=True) for p in msg.walk() if not p.is_multipart())
    parts += [data for data in payloads if isinstance(data, bytes)]
    return b"\n".join(parts)


def to_envelope(msg: Message) -> Envelope:
    """The threading facts of a message: its id, the thread root, the reply address and the subject."""
    own = message_id(msg)
    references = message_ids(msg.get("References"))
    in_reply_to = message_ids(msg.get("In-Reply-To"))
    if in_reply_to and in_reply_to[-1] not in references:
        references += in_reply_to[-1:]
    return Envelope(
        message_id=own,
        thread_id=references[0] if references else own,
        reply_to=first_address(msg.get("Reply-To")) or sender_address(msg),
        subject=header_text(msg.get("Subject")).replace("\x00", "").strip(),  # PostgreSQL text holds no NUL
        references=references,
    )


def is_reply_subject(subject: str) -> bool:
    return bool(_REPLY_PREFIX.match(subject))


def to_inbound_message(
    msg: EmailMessage, *, received_at: datetime | None = None, limits: Limits | None = None
) -> InboundMessage | None:
    """The message as the pipeline reads it; None when it has no sender address.

    The text is the subject (unless it is a "Re:" of an earlier one) and the new text of the body, with
    quoted replies and signatures removed; forwarded messages add their text and attachments.

    Forwards nested deeper than ``limits.max_nesting``, and multipart structure nested deeper than
    ``limits.max_mime_depth`` levels, are not read: each appears as an attachment with the ``forward-too-deep``
    or ``message-too-deep`` code, so the reply says so. Zip archives are passed on whole (the pipeline opens
    them, as for every channel).
    """
    sender = sender_address(msg)
    if not sender:
        return None
    limits = limits or Limits()
    envelope = to_envelope(msg)
    texts: list[str] = []
    files: list[Attachment] = []
    _collect(msg, texts, files, depth=0, limits=limits)
    subject = envelope.subject
    if subject and not is_reply_subject(subject):
        texts.insert(0, subject)
    return InboundMessage(
        thread=ThreadKey(channel=Channel.EMAIL, id=envelope.thread_id),
        dedupe_key=envelope.message_id,
        sender=sender,
        text="\n\n".join(t for t in texts if t.strip()),
        attachments=tuple(files),
        received_at=received_at or _date(msg),
    )


def read_message(raw: bytes) -> tuple[EmailMessage, bool]:
    """The parsed message, and whether its body can be read.

    The standard library recurses once per multipart level: its parser fails past a few hundred levels, and
    serialising or searching a message fails past about 250. A message nested deeper than
    ``PARSEABLE_DEPTH`` is read for its headers only (False), and answered with ``headers_only_inbound``.
    """
    try:
        msg = BytesParser(policy=TOLERANT).parsebytes(raw)
        whole = _depth(msg) <= PARSEABLE_DEPTH
    except RecursionError:
        whole = False
    if not whole:
        msg = BytesParser(policy=TOLERANT).parsebytes(raw, headersonly=True)
    assert isinstance(msg, EmailMessage)
    return msg, whole


def _depth(msg: Message) -> int:
    """How deep the message's parts nest (forwarded messages included), walked without recursion."""
    deepest = 0
    stack = [(msg, 0)]
    while stack:
        part, depth = stack.pop()
        deepest = max(deepest, depth)
        payload = part.get_payload() if part.is_multipart() else None
        if isinstance(payload, list):
            stack.extend((p, depth + 1) for p in payload if isinstance(p, Message))
    return deepest


def headers_only_inbound(msg: EmailMessage, *, received_at: datetime | None = None) -> InboundMessage | None:
    """A message read for its headers only (see ``read_message``): its subject as the text, and one
    ``message-too-deep`` entry, so the reply says its content could not be read."""
    sender = sender_address(msg)
    if not sender:
        return None
    envelope = to_envelope(msg)
    subject = "" if is_reply_subject(envelope.subject) else envelope.subject
    marker = Attachment(filename=_message_name(msg), data=b"", fetch_error="message-too-deep")
    return InboundMessage(
        thread=ThreadKey(channel=Channel.EMAIL, id=envelope.thread_id), dedupe_key=envelope.message_id,
        sender=sender, text=subject, attachments=(marker,), received_at=received_at or _date(msg),
    )


def _date(msg: Message) -> datetime:
    try:
        value = parsedate_to_datetime(str(msg.get("Date", "")))
    except (TypeError, ValueError, OverflowError):
        return datetime.now(UTC)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _leaves(part: Message, *, depth: int, limit: int) -> Iterator[Message | None]:
    """Leaf parts in order; a forwarded message (message/rfc822) is yielded whole, not entered. None stands
    for multipart structure nested deeper than ``limit``, which is not entered."""
    if part.get_content_type() == "message/rfc822" or not part.is_multipart():
        yield part
        return
    if depth >= limit:
        yield None
        return
    for sub in part.get_payload():
        if isinstance(sub, Message):
            yield from _leaves(sub, depth=depth + 1, limit=limit)


def _body_text(part: Message) -> str:
    content = part.get_payload(decode=True)
    raw = _decode(content, part.get_content_charset()) if isinstance(content, bytes) else ""
    if part.get_content_type() == "text/html":
        return html_to_text(raw)
    return raw


def _decode(content: bytes, charset: str | None) -> str:
    """Text in its declared charset; UTF-8 when the charset is unknown, not a text encoding, or fails."""
    try:
        return content.decode(charset or "utf-8", errors="replace")
    except (LookupError, ValueError, UnicodeError):  # "x-unknown", "rot13", "idna", "utf-8\0"
        return content.decode("utf-8", errors="replace")


def _find_body(msg: Message, *, limits: Limits) -> Message | None:
    """The text/plain (else text/html) body.

    A multipart part whose payload did not split into parts (no boundary) is a string; Python's
    ``get_body`` would walk its characters as parts, so such a tree gets its first text leaf instead.
    """
    if not isinstance(msg, EmailMessage):
        return None
    if any(p.get_content_maintype() == "multipart" and not p.is_multipart() for p in msg.walk()):
        return next((p for p in _leaves(msg, depth=0, limit=limits.max_mime_depth) if p is not None
                     and p.get_content_type() in ("text/plain", "text/html")
                     and p.get_content_disposition() != "attachment"), None)
    return msg.get_body(preferencelist=("plain", "html"))


def _collect(msg: Message, texts: list[str], files: list[Attachment], *, depth: int, limits: Limits) -> None:
    body = _find_body(msg, limits=limits)
    if body is not None:
        texts.append(new_text(_body_text(body)))
    too_deep = False
    for part in _leaves(msg, depth=0, limit=limits.max_mime_depth):
        if part is None:
            too_deep = True
        elif part is body:
            continue
        elif part.get_content_type() == "message/rfc822":
            inner = part.get_payload()
            if not (isinstance(inner, list) and inner and isinstance(inner[0], EmailMessage)):
                continue
            if depth < limits.max_nesting:
                _collect(inner[0], texts, files, depth=depth + 1, limits=limits)
            else:
                files.append(Attachment(filename=_message_name(inner[0]), data=b"", content_type="message/rfc822",
                                        fetch_error="forward-too-deep"))
        else:
            files.extend(_attachments(part))
    if too_deep:
        files.append(Attachment(filename=_message_name(msg), data=b"", fetch_error="message-too-deep"))


def _message_name(msg: Message) -> str:
    """How a reply names a (forwarded) message: its subject as a file name, e.g. "Bracket drawings.eml"."""
    subject = " ".join(str(msg.get("Subject", "")).replace("/", "-").replace("\\", "-").split())
    return f"{subject[:80] or 'message'}.eml"


def _attachments(part: Message) -> list[Attachment]:
    """The file in one leaf part: none for body alternatives and inline images."""
    filename = part.get_filename()
    ctype = part.get_content_type()
    disposition = part.get_content_disposition()
    if filename is None and (disposition != "attachment" or ctype.startswith("text/")):
        return []  # an alternative body, or an unnamed inline part
    if ctype.startswith("image/") and (disposition == "inline" or part.get("Content-ID")):
        return []  # logos and signature images
    data = part.get_payload(decode=True)
    if not isinstance(data, bytes) or not data:
        return []
    return [Attachment(filename=safe_filename(filename or "attachment"), data=data, content_type=ctype)]


def reply_message_id(in_reply_to: str, *, domain: str) -> str:
    """A Message-ID on the shop's domain, the same for every send of the same reply (resends thread the same)."""
    digest = hashlib.sha256(in_reply_to.encode()).hexdigest()[:24]
    return f"<quotebot.{digest}@{domain}>"


def _reply_headers(msg: EmailMessage, envelope: Envelope, *, sender: str, subject: str, now: datetime) -> None:
    msg["From"] = sender
    msg["To"] = envelope.reply_to
    base = _REPLY_PREFIX.sub("", envelope.subject).strip() or subject
    msg["Subject"] = f"Re: {base}"
    msg["Date"] = format_datetime(now)
    msg["In-Reply-To"] = envelope.message_id
    msg["References"] = " ".join((*envelope.references, envelope.message_id)[-20:])


def to_email_message(
    reply: RenderedReply, *, envelope: Envelope, sender: str, now: datetime, bcc: str | None = None
) -> EmailMessage:
    """The reply as multipart/alternative (text and HTML), threaded under the message it answers.

    Args:
        reply: the rendered reply; ``reply.in_reply_to`` must be ``envelope.message_id``.
        envelope: the answered message's threading facts.
        sender: the shop's address, e.g. quotes@shop.example; its domain names the Message-ID.
        now: the Date header.
        bcc: a blind copy (the shop's own mailbox keeps what was sent; smtplib strips the header).
    """
    msg = EmailMessage()
    _reply_headers(msg, envelope, sender=sender, subject=reply.subject, now=now)
    if bcc:
        msg["Bcc"] = bcc
    msg["Message-ID"] = reply_message_id(reply.in_reply_to, domain=sender.rpartition("@")[2])
    msg.set_content(reply.text)
    msg.add_alternative(reply.html, subtype="html")
    for f in reply.files:  # preview.png, chart.png, quote.pdf: the message becomes multipart/mixed
        maintype, _, subtype = (f.content_type or "application/octet-stream").partition("/")
        msg.add_attachment(f.data, maintype=maintype, subtype=subtype, filename=f.filename)
    return msg


def to_acknowledgement(envelope: Envelope, *, sender: str, now: datetime) -> EmailMessage:
    """The short reply to a sender outside the allowlist; marked auto-replied so no robot answers it."""
    msg = EmailMessage()
    _reply_headers(msg, envelope, sender=sender, subject="your message", now=now)
    msg["Message-ID"] = reply_message_id("ack:" + envelope.message_id, domain=sender.rpartition("@")[2])
    msg["Auto-Submitted"] = "auto-replied"
    msg.set_content(ACKNOWLEDGEMENT_TEXT)
    return msg
