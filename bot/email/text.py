"""The new text of an email body: HTML to text, quoted replies, "On ... wrote:" blocks and signatures removed."""

from __future__ import annotations

import re
from html.parser import HTMLParser

_BLOCK_TAGS = {"p", "div", "br", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul", "ol", "pre", "hr"}
_SKIP_TAGS = {"script", "style", "head", "title", "blockquote"}
# Where mail clients put the message being answered (Gmail, Outlook, Apple Mail, Thunderbird).
_QUOTE_MARKERS = ("gmail_quote", "gmail_extra", "divrplyfwdmsg", "appendonsend", "moz-cite-prefix", "yahoo_quoted")
_VOID_TAGS = {"br", "hr", "img", "meta", "link", "input", "col", "area", "base", "wbr", "source"}

_QUOTE_HEADER = (
    re.compile(r"^\s*On\b.{0,300}\bwrote:\s*$", re.I | re.S),
    re.compile(r"^\s*Am\b.{0,300}\bschrieb\b.{0,120}:\s*$", re.I | re.S),
    re.compile(r"^\s*Le\b.{0,300}\ba écrit\s*:\s*$", re.I | re.S),
    re.compile(r"^\s*-{2,}\s*(?:Original Message|Ursprüngliche Nachricht|Message d'origine)\s*-{2,}\s*$", re.I),
    re.compile(r"^\s*_{10,}\s*$"),
)
_OUTLOOK_FROM = re.compile(r"^\s*\*?(?:From|Von|De)\s*:\*?\s", re.I)
_OUTLOOK_NEXT = re.compile(r"^\s*\*?(?:Sent|Date|Gesendet|Envoyé|To|An)\s*:", re.I)
_SIGNATURE = re.compile(r"^(?:-- ?|Sent from my \w+.*|Get Outlook for \w+.*)$", re.I)


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.stack: list[tuple[str, bool]] = []  # (tag, skipped) of open elements

    @property
    def skipping(self) -> bool:
        return any(skipped for _, skipped in self.stack)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCK_TAGS and not self.skipping:
            self.parts.append("\n")
        if tag in _VOID_TAGS:
            return
        marks = " ".join(v or "" for k, v in attrs if k in ("class", "id")).lower()
        self.stack.append((tag, tag in _SKIP_TAGS or any(m in marks for m in _QUOTE_MARKERS)))

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                break
        if tag in _BLOCK_TAGS and not self.skipping:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(re.sub(r"[ \t\r\n]+", " ", data))


def html_to_text(html: str) -> str:
    """Visible text of an HTML body, one line per block; quoted replies (blockquote, gmail_quote) dropped."""
    parser = _TextExtractor()
    parser.feed(html)
    parser.close()
    lines = (line.strip() for line in "".join(parser.parts).replace("\xa0", " ").splitlines())
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _is_quote_header(lines: list[str], i: int) -> bool:
    line = lines[i]
    two = line + " " + lines[i + 1] if i + 1 < len(lines) else line
    if any(p.match(line) for p in _QUOTE_HEADER):
        return True
    if line.lstrip().startswith(("On ", "Am ", "Le ")) and any(p.match(two) for p in _QUOTE_HEADER[:3]):
        return True  # "On Tue, 3 Mar 2026, Ann <ann@x>\nwrote:" wrapped by the client
    return bool(_OUTLOOK_FROM.match(line)) and any(_OUTLOOK_NEXT.match(n) for n in lines[i + 1:i + 4])


def new_text(body: str) -> str:
    """The part of a plain-text body the sender just wrote.

    Stops at the first quote header ("On ... wrote:", "-----Original Message-----", an Outlook
    "From:/Sent:" block) or signature delimiter ("-- "), and drops ">"-quoted lines.
    """
    lines = body.replace("\r\n", "\n").split("\n")
    kept: list[str] = []
    for i, line in enumerate(lines):
        if _is_quote_header(lines, i) or _SIGNATURE.match(line.rstrip("\n")):
            break
        if line.lstrip().startswith(">"):
            continue
        kept.append(line.rstrip())
    return "\n".join(kept).strip()
