"""Every fixture drawing against its golden extract (fixtures/drawings/expected/<dir>_<name>.json).

After a deliberate parser change: `pytest tests/parsers/test_golden_drawings.py --update-golden`, then
review the diff of the golden files like code.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from parsers import ParseError, parse_drawing
from tests.conftest import DRAWINGS

EXPECTED = DRAWINGS / "expected"
FILES = sorted(p for p in DRAWINGS.glob("*/*") if p.parent.name in ("dxf", "pdf"))


def extract(path: Path) -> dict[str, object]:
    """The contract minus text positions, which move by a point between PyMuPDF releases."""
    try:
        data = parse_drawing(path.read_bytes(), path.name).to_contract()
        for d in data["dimensions"]:
            d.pop("position", None)
        return data
    except ParseError as exc:
        return {"file": path.name, "error": {"code": exc.code, "type": type(exc).__name__}}


@pytest.mark.parametrize("path", FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_golden(path: Path, update_golden: bool) -> None:
    golden = EXPECTED / f"{path.parent.name}_{path.name}.json"
    if golden.exists() and not update_golden and '"code": "ocr"' in golden.read_text(encoding="utf-8"):
        from parsers.pdf_ocr import find_tessdata

        if find_tessdata(os.environ) is None:
            pytest.skip("read by OCR: needs Tesseract's language data (Debian: tesseract-ocr)")
    got = json.loads(json.dumps(extract(path)))
    if update_golden or not golden.exists():
        golden.parent.mkdir(exist_ok=True)
        golden.write_text(json.dumps(got, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        if not update_golden:
            pytest.fail(f"{golden.name} did not exist; written now, review and commit it")
    assert got == json.loads(golden.read_text(encoding="utf-8"))


def test_every_golden_file_has_a_drawing() -> None:
    names = {f"{p.parent.name}_{p.name}.json" for p in FILES}
    assert {p.name for p in EXPECTED.glob("*.json")} <= names
