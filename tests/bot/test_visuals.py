"""The preview, chart and quote PDF for every fixture drawing that can be priced."""

from __future__ import annotations

import struct
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, date, datetime

import pymupdf
import pytest

from bot.artefacts import build_artefacts
from bot.conversation import Step, ThreadState
from bot.models import Attachment, Channel, ThreadKey
from bot.pipeline import Deps, compose_reply, read_attachments
from bot.render import make_environment
from bot.store import SqlThreadStore
from bot.visuals import render_preview
from estimator import load_rate_card
from tests.conftest import DRAWINGS

PRICEABLE = ["dxf/bracket.dxf", "dxf/bracket_rev_b.dxf", "dxf/shaft.dxf", "dxf/plate_inch.dxf", "dxf/no_dims.dxf",
             "pdf/bracket.pdf", "pdf/shaft_inch.pdf", "pdf/no_dims.pdf"]


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


@pytest.fixture(scope="module")
def deps() -> Iterator[Deps]:
    with SqlThreadStore("sqlite://") as store:
        yield Deps(store=store, card=load_rate_card(), env=make_environment(), ask_material=False,
                   now=lambda: datetime(2026, 11, 27, tzinfo=UTC))


@pytest.mark.parametrize("name", PRICEABLE)
def test_every_fixture_gets_preview_chart_and_pdf(deps: Deps, name: str) -> None:
    data = (DRAWINGS / name).read_bytes()
    files = (Attachment(filename=name.split("/")[-1], data=data),)
    drawings, _ = read_attachments(files, deps)
    # thickness and size given in the thread, as a customer would for a one-view sheet
    state = ThreadState(key=ThreadKey(channel=Channel.CHAT, id=name), drawings=drawings, quantities=(10, 500),
                        thickness_mm=6.0)
    reply, _ = compose_reply(state, Step.ESTIMATE, unreadable=(), deps=deps)
    if not reply.parts:
        pytest.skip(f"{name} cannot be priced: needs {reply.needs}")
    out = {f.filename: f.data for f in build_artefacts(reply, drawings, load={a.sha256: a.data for a in files}.get,
                                                        env=deps.env, today=date(2026, 11, 27), customer="buyer@x")}
    assert set(out) == {"preview.png", "chart.png", "quote.pdf"}
    assert png_size(out["preview.png"]) == (1400, 1050)
    assert png_size(out["chart.png"]) == (1000, 1100)
    with pymupdf.open(stream=out["quote.pdf"], filetype="pdf") as pdf:
        assert 1 <= len(pdf) <= 2
        text = " ".join(page.get_text() for page in pdf)
    part = reply.parts[0]
    assert reply.quote_number and reply.quote_number in text and "buyer@x" in text
    assert (part.estimate.part_number or part.estimate.file or "") in text
    for b in part.rows:
        assert f"{b.unit_price:,.2f}" in text


@pytest.mark.parametrize("name", PRICEABLE)
def test_every_callout_is_outlined(name: str) -> None:
    from parsers import parse_drawing

    data = (DRAWINGS / name).read_bytes()
    drawing = parse_drawing(data, name.split("/")[-1])
    assert render_preview(data, drawing).outlined == len(drawing.dimensions)


def test_extract_never_imports_matplotlib() -> None:
    path = str(DRAWINGS / "dxf/bracket.dxf")
    code = ("import sys, contextlib, io; from bot.cli import main\n"
            f"with contextlib.redirect_stdout(io.StringIO()): main(['extract', {path!r}])\n"
            "print('matplotlib' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
