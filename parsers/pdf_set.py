"""PDF reading across pages: split a drawing set into parts by title block, and tell drawings from letters.

Each page is a sheet. A title block naming a part number that differs from the current part's starts a
new part; a sheet with no part number of its own (a continuation sheet, "SHEET 2 OF 3") stays with the
part before it.
"""

from __future__ import annotations

from collections.abc import Sequence

from parsers.notes import read_notes
from parsers.pdf_build import PageRead
from parsers.pdf_notes import is_wordy
from parsers.pdf_text import Run

# A page of prose: most text is words, there are many of them and hardly any line work.
_DOCUMENT_MIN_RUNS = 8
_DOCUMENT_WORDY_SHARE = 0.5
_DOCUMENT_MAX_STROKES = 150


def split_parts(pages: Sequence[PageRead]) -> list[list[PageRead]]:
    """Group a file's pages into parts by the part number in each page's title block.

    Args:
        pages: the pages read, in order (at least one).

    Returns:
        The parts, each a non-empty list of consecutive pages.
    """
    parts: list[list[PageRead]] = []
    current: str | None = None
    for page in pages:
        number = read_notes(page.note_lines).part_number
        key = _key(number) if number else None
        if not parts or (key is not None and current is not None and key != current):
            parts.append([page])
        else:
            parts[-1].append(page)
        current = key or current
    return parts


def _key(part_number: str) -> str:
    return "".join(ch for ch in part_number.upper() if ch.isalnum())


def is_document_page(runs: Sequence[Run], *, strokes: int,
                     title_block: tuple[float, float, float, float] | None) -> bool:
    """Whether a page is a text document (a letter, an invoice, a data sheet) rather than a drawing.

    Args:
        runs: the page's text runs.
        strokes: how many straight strokes the page draws.
        title_block: the title block found on the page, if any.

    Returns:
        True when there is no title block, little line work, and most of many runs are prose.
    """
    if title_block is not None or strokes > _DOCUMENT_MAX_STROKES or len(runs) < _DOCUMENT_MIN_RUNS:
        return False
    wordy = sum(1 for r in runs if is_wordy(r))
    return wordy >= _DOCUMENT_WORDY_SHARE * len(runs)
