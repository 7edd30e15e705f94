"""Every limit the bot applies to what it receives, in one frozen model.

Read from the environment once, by ``bot.config.Settings.from_env``; each reply that refuses a file states
the limit it hit (``templates/_partials/unreadable.*``).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, PositiveInt

from parsers import ParseLimits
from parsers.limits import DEFAULT_MAX_DXF_ENTITIES, DEFAULT_MAX_PAGES

MIB = 1024 * 1024


class Limits(BaseModel):
    """What the bot reads of one message.

    Attributes:
        max_attachment_bytes: a larger file is not read (and, on Slack, not downloaded).
        max_attachments: files read per message, files inside archives included; later ones are listed as
            not read.
        max_pages: pages of a PDF read; later pages are skipped and the reply says which.
        max_dxf_entities: a DXF with more entities (blocks included) is not read.
        max_zip_members: an archive holding more files is not opened.
        max_unzipped_bytes: all archives of one message together unpack to at most this many bytes (bytes
            actually decompressed are counted, never the sizes an archive claims).
        max_nesting: how deep containers may nest: archives inside archives, forwarded messages inside
            forwarded messages.
        max_mime_depth: how deep the multipart structure of one email may nest (at most 100).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    max_attachment_bytes: PositiveInt = 25 * MIB
    max_attachments: PositiveInt = 20
    max_pages: PositiveInt = DEFAULT_MAX_PAGES
    max_dxf_entities: PositiveInt = DEFAULT_MAX_DXF_ENTITIES
    max_zip_members: PositiveInt = 32
    max_unzipped_bytes: PositiveInt = 64 * MIB
    max_nesting: PositiveInt = 3
    # at most bot.email.translate.PARSEABLE_DEPTH: deeper messages are read for their headers only
    max_mime_depth: PositiveInt = Field(default=10, le=100)

    def limit_for(self, code: str) -> int | None:
        """The limit behind a refusal code (``too-large``: bytes; ``archive-too-deep``: levels; ...), if any."""
        field = _LIMIT_OF_CODE.get(code)
        return None if field is None else int(getattr(self, field))

    @property
    def parse(self) -> ParseLimits:
        """The part of the limits the parsers apply (in the parse worker)."""
        return ParseLimits(max_pages=self.max_pages, max_dxf_entities=self.max_dxf_entities)


# The limit each refusal code of an UnreadableFile is about.
_LIMIT_OF_CODE = {
    "too-large": "max_attachment_bytes",
    "too-many-files": "max_attachments",
    "too-many-entities": "max_dxf_entities",
    "archive-too-many-files": "max_zip_members",
    "archive-too-large": "max_unzipped_bytes",
    "archive-too-deep": "max_nesting",
    "forward-too-deep": "max_nesting",
    "message-too-deep": "max_mime_depth",
}

# The environment variable of each limit (read by ``bot.config.Settings.from_env``).
LIMIT_VARIABLES: dict[str, str] = {
    "max_attachment_bytes": "QUOTEBOT_MAX_ATTACHMENT_BYTES",
    "max_attachments": "QUOTEBOT_MAX_ATTACHMENTS",
    "max_pages": "QUOTEBOT_MAX_PAGES",
    "max_dxf_entities": "QUOTEBOT_MAX_DXF_ENTITIES",
    "max_zip_members": "QUOTEBOT_MAX_ZIP_MEMBERS",
    "max_unzipped_bytes": "QUOTEBOT_MAX_UNZIPPED_BYTES",
    "max_nesting": "QUOTEBOT_MAX_NESTING",
    "max_mime_depth": "QUOTEBOT_MAX_MIME_DEPTH",
}


def format_bytes(count: int) -> str:
    """A size as people read it: "25 MB", "25.4 MB", "800 KB", "12 bytes" (binary multiples)."""
    for unit, size in (("GB", 1024 * MIB), ("MB", MIB), ("KB", 1024)):
        if count >= size:
            value = count / size
            return f"{value:,.0f} {unit}" if value == int(value) else f"{value:,.1f} {unit}"
    return f"{count:,} byte{'' if count == 1 else 's'}"
