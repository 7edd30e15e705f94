"""Structure-aware email messages: MIME trees, nesting, charsets, transfer encodings, broken and huge headers,
hostile attachment names. Written as raw bytes (not through ``EmailMessage``), so they may break the rules.
"""

from __future__ import annotations

import base64
import io
import quopri
import re
import zipfile
from collections.abc import Sequence

from hypothesis import strategies as st
from hypothesis.strategies import DrawFn

from tests.fuzz.corpus import seeds

CHARSETS = ("utf-8", "us-ascii", "iso-8859-1", "windows-1252", "utf-16", "utf-7", "iso-2022-jp", "koi8-r",
            "x-unknown", "", "utf-8\x00", "unicode-1-1-utf-7", "cp65001", "\"utf-8", "utf-8'en'", "ibm-1047",
            "idna", "rot13", "base64", "hex", "zlib", "uu")
ENCODINGS = ("7bit", "8bit", "binary", "base64", "quoted-printable", "x-uuencode", "uuencode", "BASE64 ",
             "garbage", "")
TEXT_BODIES = (
    "Please quote 500 pcs.", "500 pcs in 304 stainless, need them by Dec 12", "", "\x00\x01\x02",
    "On Tue, 3 Mar 2026, Ann <ann@x>\nwrote:\n> 10 pcs", "-- \nsig", "> quoted only", "Ø10 H7 ±0.02 °",
    "a" * 20_000, "\r\n" * 500, "make it 2,000 " * 300, "\ud800", "qty 99999999999999999999999",
)
HTML_BODIES = (
    "<p>Hi,</p><p>we need 40</p>", "<div class=gmail_quote><blockquote>old</blockquote></div>", "<" * 5000,
    "<div>" * 3000 + "deep" + "</div>" * 3000, "<script>" + "x" * 1000, "&#xFFFFFFFF; &#0; &nbsp;" * 50,
    "<![CDATA[", "<!--", "<p>" + "&amp;" * 5000, "<table><tr><td>250</td></tr></table>",
)
ADDRESSES = (
    "Alice Buyer <alice@customer.example>", "alice@customer.example", "", "<>", "undisclosed-recipients:;",
    "=?utf-8?q?=FF=FE?= <a@b.example>", "=?x-unknown?B?QUJD?= <a@b.example>", "\"unterminated <a@b.example>",
    "a@b.example, c@d.example", "<@route:a@b.example>", "a" * 5000 + "@example.com", "@", "a@", "@b",
    "Müller <müller@bücher.example>", "=?utf-8?b?" + "QUJD" * 2000 + "?= <a@b.example>", "(comment) a@b.example",
    "group: a@b.example;", "\"\\\" <a@b.example>", "a@[127.0.0.1]", "a@b.example\r\nBcc: x@y.example",
)
SUBJECTS = (
    "Quote request", "Re: Re: AW: bracket", "=?utf-8?q?Anfrage_=C3=98?=", "=?iso-8859-1?b?////?=",
    "=?utf-8?b?not base64!?=", "=?bogus?q?x?=", "x" * 100_000, "Fwd:" * 1000, "\x00", "Re:", "=?utf-8?q?=?=",
    "=?utf-8?q?" + "=E2=80" * 500 + "?=",
)
MESSAGE_IDS = (
    "<a1@customer.example>", "", "<>", "<" + "x" * 2000 + "@y>", "no-brackets@x", "<a@b> <c@d>", "<<a@b>>",
    " ".join(f"<r{i}@x>" for i in range(3000)), "<a@b\x00>", "<ünï@cöde>",
)
DATES = ("Tue, 24 Nov 2026 09:15:00 +0100", "", "garbage", "Tue, 99 Foo 99999 99:99:99 +9999",
         "Mon, 1 Jan 0001 00:00:00 +0000", "Fri, 31 Dec 9999 23:59:59 -2359", "1764201000", "Thu, 1 Jan 1970")
NAMES = (
    "bracket.dxf", "Halterung-Ü1.dxf", "../../etc/passwd", "C:\\Users\\a\\drawing.pdf", "", ".", "..", ".hidden.dxf",
    "x" * 5000 + ".dxf", "a\x00b.pdf", "\u202egpj.fxd", "drawing.PDF", "no extension", "/", "CON", "a/b/c/d.dxf",
)
RFC2231_NAMES = ("utf-8''Halterung-%C3%9C1.dxf", "utf-8''%FF%FE.pdf", "x-bogus''abc.dxf", "''", "utf-8'en'%",
                 "utf-8''" + "%41" * 3000)


def _header(draw: DrawFn, name: str, values: Sequence[str]) -> bytes:
    value = draw(st.sampled_from(values))
    if draw(st.integers(0, 9)) == 0:  # folding, stray bytes and encoded words out of place
        value = draw(st.sampled_from(("\r\n ", "\r\n\t", "\n", "\xff", "=?utf-8?q?")))  + value
    return f"{name}: {value}\r\n".encode("utf-8", "surrogateescape")


def _encode(draw: DrawFn, body: bytes, encoding: str) -> bytes:
    """The body in its transfer encoding, or (sometimes) deliberately wrong for it."""
    if draw(st.integers(0, 5)) == 0:
        return draw(st.sampled_from((body, b"!!!not base64 ===\r\n", b"=ZZ=\r\n=", b"begin 644 x\r\n`\r\nend")))
    name = encoding.strip().lower()
    if name == "base64":
        return base64.encodebytes(body)
    if name == "quoted-printable":
        return quopri.encodestring(body)
    return body


def _text_part(draw: DrawFn) -> bytes:
    html = draw(st.booleans())
    text = draw(st.sampled_from(HTML_BODIES if html else TEXT_BODIES))
    charset = draw(st.sampled_from(CHARSETS))
    encoding = draw(st.sampled_from(ENCODINGS))
    try:
        body = text.encode(charset.strip('"\x00\'en') or "utf-8", "surrogateescape")
    except (LookupError, UnicodeError, TypeError):
        body = text.encode("utf-8", "surrogatepass")
    head = f"Content-Type: text/{'html' if html else 'plain'}; charset=\"{charset}\"\r\n"
    return (head + f"Content-Transfer-Encoding: {encoding}\r\n\r\n").encode("utf-8", "surrogateescape") + _encode(
        draw, body, encoding)


def _zip(draw: DrawFn) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        names: set[str] = set()
        for _ in range(draw(st.integers(0, 4))):
            name = (draw(st.sampled_from(NAMES)) or "empty").replace("\x00", "_")
            if name in names:
                continue  # zipfile warns about a duplicate name
            names.add(name)
            inner = draw(st.sampled_from((*seeds("dxf")[:2], *seeds("pdf")[:2], b"", b"PK\x03\x04", b"\x00" * 100_000)))
            archive.writestr(zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0)), inner,
                             compress_type=zipfile.ZIP_DEFLATED)
    data = buffer.getvalue()
    if draw(st.booleans()):
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(st.sampled_from((b"", b"\x00" * 8, b"\xff" * 4))) + data[at + 8:]
    return data


def _attachment(draw: DrawFn) -> bytes:
    payload = draw(st.sampled_from(("dxf", "pdf", "zip", "random", "empty")))
    data = {"dxf": lambda: draw(st.sampled_from(seeds("dxf"))), "pdf": lambda: draw(st.sampled_from(seeds("pdf"))),
            "zip": lambda: _zip(draw), "random": lambda: draw(st.binary(max_size=512)), "empty": lambda: b""}[payload]()
    ctype = draw(st.sampled_from(("application/octet-stream", "application/pdf", "application/dxf", "application/zip",
                                  "image/png", "text/plain", "application/x-garbage", "", "/", "a/b/c")))
    encoding = draw(st.sampled_from(ENCODINGS))
    disposition = draw(st.sampled_from(("attachment", "inline", "", "garbage")))
    if draw(st.booleans()):
        params = f'; filename="{draw(st.sampled_from(NAMES))}"'
    else:
        params = f"; filename*={draw(st.sampled_from(RFC2231_NAMES))}"
    if draw(st.integers(0, 4)) == 0:
        params = "; filename*0*=utf-8''%C3; filename*1*=%9C1.dxf; filename*3=lost.pdf"
    head = (f"Content-Type: {ctype}; name=\"{draw(st.sampled_from(NAMES))}\"\r\n"
            f"Content-Disposition: {disposition}{params}\r\nContent-Transfer-Encoding: {encoding}\r\n")
    if draw(st.integers(0, 5)) == 0:
        head += "Content-ID: <logo@x>\r\n"
    return head.encode("utf-8", "surrogateescape") + b"\r\n" + _encode(draw, data, encoding)


def _part(draw: DrawFn, depth: int) -> bytes:
    kinds = ["text", "attachment"] + (["multipart", "message"] if depth < 12 else [])
    kind = draw(st.sampled_from(kinds))
    if kind == "text":
        return _text_part(draw)
    if kind == "attachment":
        return _attachment(draw)
    if kind == "message":
        return b"Content-Type: message/rfc822\r\n\r\n" + _message(draw, depth + 1)
    return _multipart(draw, depth + 1)


def _multipart(draw: DrawFn, depth: int) -> bytes:
    subtype = draw(st.sampled_from(("mixed", "alternative", "related", "report", "signed", "digest", "x-bogus")))
    boundary = draw(st.sampled_from(("b1", "b1", "", "x" * 80, "\"quoted\"", "a b", "b1--", "==", "b" * 2000)))
    parts = [_part(draw, depth) for _ in range(draw(st.integers(0, 4)))]
    head = f"Content-Type: multipart/{subtype}; boundary=\"{boundary}{depth}\"\r\n\r\npreamble\r\n".encode()
    closing = b"" if draw(st.integers(0, 6)) == 0 else f"--{boundary}{depth}--\r\n".encode()
    return head + b"".join(f"--{boundary}{depth}\r\n".encode() + p + b"\r\n" for p in parts) + closing


def _message(draw: DrawFn, depth: int) -> bytes:
    headers = [
        _header(draw, "From", ADDRESSES[:3] if depth == 0 and draw(st.booleans()) else ADDRESSES),
        _header(draw, "To", ("Quotes <quotes@shop.example>", *ADDRESSES[3:8])),
        _header(draw, "Subject", SUBJECTS),
        _header(draw, "Date", DATES),
        _header(draw, "Message-ID", MESSAGE_IDS),
        b"MIME-Version: 1.0\r\n",
    ]
    if draw(st.booleans()):
        headers.append(_header(draw, "References", MESSAGE_IDS))
    if draw(st.booleans()):
        headers.append(_header(draw, "In-Reply-To", MESSAGE_IDS))
    if draw(st.integers(0, 5)) == 0:
        headers.append(_header(draw, "Reply-To", ADDRESSES))
    if draw(st.integers(0, 7)) == 0:
        headers.append(b"X-Huge: " + b"y" * draw(st.sampled_from((998, 100_000, 1_000_000))) + b"\r\n")
    if draw(st.integers(0, 7)) == 0:
        headers.append(b"".join(b"X-Many-%d: v\r\n" % i for i in range(5000)))
    if draw(st.integers(0, 9)) == 0:
        headers.append(b"Broken header without colon\r\n")
    return b"".join(headers) + _part(draw, depth)


@st.composite
def email_message(draw: DrawFn) -> bytes:
    """A whole raw message with a random MIME tree, headers, charsets and attachments."""
    return _message(draw, 0)


@st.composite
def nested_message(draw: DrawFn) -> bytes:
    """Deep nesting: forwarded messages or multiparts inside each other, hundreds of levels deep."""
    levels = draw(st.sampled_from((4, 50, 200, 1000)))
    rfc822 = draw(st.booleans())
    head = b"From: a@customer.example\r\nSubject: deep\r\nMessage-ID: <deep@x>\r\n"
    body = b"Content-Type: text/plain\r\n\r\n100 pcs\r\n"
    for i in range(levels):
        if rfc822:
            body = b"Content-Type: message/rfc822\r\n\r\nFrom: b@customer.example\r\n" + body
        else:
            body = b'Content-Type: multipart/mixed; boundary="n%d"\r\n\r\n--n%d\r\n' % (i, i) + body + (
                b"\r\n--n%d--\r\n" % i)
    return head + body


_EDITS: tuple[tuple[bytes, tuple[str, ...]], ...] = (
    (rb"(?i)charset=\"?[^\";\r\n]*\"?", tuple(f'charset="{c}"' for c in CHARSETS)),
    (rb"(?i)Content-Transfer-Encoding: *[^\r\n]*", tuple(f"Content-Transfer-Encoding: {e}" for e in ENCODINGS)),
    (rb"(?i)boundary=\"?[^\";\r\n]*\"?",
     ('boundary=""', 'boundary="b1"', "boundary=", 'boundary="' + "x" * 3000 + '"')),
    (rb"(?i)filename=\"[^\"\r\n]*\"", tuple(f'filename="{n}"' for n in NAMES)
     + tuple(f"filename*={n}" for n in RFC2231_NAMES)),
    (rb"(?im)^From: [^\r\n]*", tuple(f"From: {a}" for a in ADDRESSES)),
    (rb"(?im)^Subject: [^\r\n]*", tuple(f"Subject: {s}" for s in SUBJECTS)),
    (rb"(?im)^Message-ID: [^\r\n]*", tuple(f"Message-ID: {m}" for m in MESSAGE_IDS)),
    (rb"(?im)^Date: [^\r\n]*", tuple(f"Date: {d}" for d in DATES)),
    (rb"(?im)^Content-Type: [^;\r\n]*", ("Content-Type: multipart/mixed", "Content-Type: message/rfc822",
                                         "Content-Type: text/html", "Content-Type: application/zip",
                                         "Content-Type: multipart/report", "Content-Type: ", "Content-Type: x")),
)


@st.composite
def edited_email(draw: DrawFn, seeds: Sequence[bytes]) -> bytes:
    """A seed message with some of its headers and MIME parameters replaced by hostile values."""
    data = draw(st.sampled_from(seeds))
    for _ in range(draw(st.integers(1, 4))):
        pattern, values = draw(st.sampled_from(_EDITS))
        found = list(re.finditer(pattern, data))
        if found:
            hit = draw(st.sampled_from(found))
            value = draw(st.sampled_from(values)).encode("utf-8", "surrogateescape")
            data = data[: hit.start()] + value + data[hit.end():]
    return data
