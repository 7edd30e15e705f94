"""How much of one file the parsers read: pages of a PDF, entities of a DXF.

The bot sets these from its configuration; the defaults suit a single part drawing or a small drawing set.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, PositiveInt

DEFAULT_MAX_PAGES = 20
DEFAULT_MAX_DXF_ENTITIES = 500_000


class ParseLimits(BaseModel):
    """Limits applied while one file is read.

    Attributes:
        max_pages: pages of a PDF that are read; later pages are skipped and a ``pages-skipped`` issue says so.
        max_dxf_entities: a DXF with more entities (model space, paper space and blocks) is refused with
            ``TooManyEntities`` before it is loaded.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    max_pages: PositiveInt = DEFAULT_MAX_PAGES
    max_dxf_entities: PositiveInt = DEFAULT_MAX_DXF_ENTITIES
