"""Time and peak memory as drawings grow, against the bare libraries (run: python bench/bench_scale.py [--quick]).

Generates, into a temporary folder (never into the project):

* DXF files of 10k, 100k and 1M model-space entities: a sheet of plates (outline lines, corner arcs,
  holes), one in ten with a linear dimension (rendered by ezdxf, with its block) and a hole note;
* PDF files of 1, 10 and 100 pages: vector drawing sheets of one part (outline, holes, dimension lines
  with arrowheads and values, toleranced callouts, a title block naming the part and the sheet).

Each measurement runs in a fresh process and reports the seconds spent on the work alone (imports and
interpreter start-up excluded) and the peak resident memory of the largest process it ran (the parse
worker included: ``ru_maxrss`` of its descendants, collected through a subreaper), so C allocations in
ezdxf, PyMuPDF and numpy count. One run each: at these sizes the noise is small against the work.

* bare: ``ezdxf.readfile``; ``pymupdf.open`` and ``page.get_text()`` of every page;
* parse: ``parsers.parse_drawings`` in the process (DXF files above 16 MiB are streamed; a PDF is read
  up to its first 20 pages, as the bot does);
* parse, all pages (PDF only): the same reader with the page cap lifted, to show the growth per page;
* quote: ``quotebot quote FILE --qty 10,500`` (``bot.cli.main``: parse in a worker, estimate, reply), with
  the attachment size limit (25 MiB) and the parse time limit (60 s) raised so that the largest files are
  read rather than refused; the worker's memory cap stays at its default (2048 MiB).

Then, per method, the cost per 10k entities (or per page) at each size and the growth factor between
sizes: (time ratio) / (size ratio), 1.00 for linear growth.

``--quick`` stops at 100k entities and 10 pages.
"""

from __future__ import annotations

import argparse
import ctypes
import json
import math
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, TextIO

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # measure the code next to this script, whatever is installed
PR_SET_CHILD_SUBREAPER = 36
PLATE_ENTITIES = 10  # 4 lines, 4 arcs, 2 circles


# -- generated drawings -------------------------------------------------------------------------------------


def write_dxf(path: Path, entities: int) -> int:
    """A DXF R2010 sheet of plates with about ``entities`` model-space entities; returns the exact count.

    Dimensions (with their blocks) and notes are made by ezdxf; the bulk geometry is written as DXF text
    with fresh handles, which takes seconds for a million entities instead of minutes.
    """
    import io

    import ezdxf

    plates = max(1, round(entities / (PLATE_ENTITIES + 0.2)))
    columns = max(1, int(plates**0.5))
    doc = ezdxf.new("R2010", setup=True, units=4)
    for name in ("PART", "DIMS", "NOTES"):
        doc.layers.add(name)
    msp = doc.modelspace()
    annotations = 0
    for i in range(0, plates, 10):
        x0, y0 = (i % columns) * 60.0, (i // columns) * 50.0
        dim = msp.add_linear_dim(base=(x0, y0 - 8), p1=(x0, y0), p2=(x0 + 40, y0), dimstyle="EZDXF",
                                 override={"dimlfac": 1.0, "dimdec": 2}, dxfattribs={"layer": "DIMS"})
        dim.render()
        msp.add_text("2X %%c6.6 THRU", height=2.5, dxfattribs={"layer": "NOTES", "insert": (x0 + 4, y0 + 33)})
        annotations += 2
    msp.add_text("MATERIAL: AL 6061-T6", height=3.5, dxfattribs={"layer": "NOTES", "insert": (0, -30)})
    handles = doc.entitydb.handles
    first = int(str(handles), 16)
    handles.reset("%X" % (first + plates * PLATE_ENTITIES + 16))
    text = io.StringIO()
    doc.write(text)
    head, sep, tail = text.getvalue().partition("  0\nENDSEC\n  0\nSECTION\n  2\nOBJECTS\n")
    owner = msp.block_record_handle
    with path.open("w", encoding="utf-8", newline="\n") as out:
        out.write(head)
        _write_plates(out, plates=plates, columns=columns, owner=owner, first_handle=first)
        out.write(sep + tail)
    return plates * PLATE_ENTITIES + annotations + 1


def _write_plates(out: TextIO, *, plates: int, columns: int, owner: str, first_handle: int) -> None:
    handle = first_handle
    chunk: list[str] = []
    for i in range(plates):
        x0, y0 = (i % columns) * 60.0, (i // columns) * 50.0
        for a, b, c, d in ((2, 0, 38, 0), (40, 2, 40, 28), (38, 30, 2, 30), (0, 28, 0, 2)):
            chunk.append(f"  0\nLINE\n  5\n{handle:X}\n330\n{owner}\n100\nAcDbEntity\n  8\nPART\n100\nAcDbLine\n"
                         f" 10\n{x0 + a}\n 20\n{y0 + b}\n 30\n0.0\n 11\n{x0 + c}\n 21\n{y0 + d}\n 31\n0.0\n")
            handle += 1
        for cx, cy, start in ((38, 2, 270), (38, 28, 0), (2, 28, 90), (2, 2, 180)):
            chunk.append(f"  0\nARC\n  5\n{handle:X}\n330\n{owner}\n100\nAcDbEntity\n  8\nPART\n100\nAcDbCircle\n"
                         f" 10\n{x0 + cx}\n 20\n{y0 + cy}\n 30\n0.0\n 40\n2.0\n100\nAcDbArc\n 50\n{start}\n"
                         f" 51\n{(start + 90) % 360}\n")
            handle += 1
        for cx in (10, 30):
            chunk.append(f"  0\nCIRCLE\n  5\n{handle:X}\n330\n{owner}\n100\nAcDbEntity\n  8\nPART\n100\nAcDbCircle\n"
                         f" 10\n{x0 + cx}\n 20\n{y0 + 15}\n 30\n0.0\n 40\n3.3\n")
            handle += 1
        if len(chunk) > 20_000:
            out.write("".join(chunk))
            chunk.clear()
    out.write("".join(chunk))


def write_pdf(path: Path, pages: int) -> int:
    """A vector drawing of one part on ``pages`` A3 sheets; returns the page count."""
    import pymupdf

    width, height = 1191.0, 842.0
    doc = pymupdf.open()
    for n in range(1, pages + 1):
        page = doc.new_page(width=width, height=height)
        shape = page.new_shape()
        shape.draw_rect(pymupdf.Rect(20, 20, width - 20, height - 20))
        shape.draw_rect(pymupdf.Rect(820, 700, width - 20, height - 20))
        for y in (725, 750, 775, 800):
            shape.draw_line((820, y), (width - 20, y))
        length = 100 + n % 50
        x0, y0, x1, y1 = 150.0, 250.0, 150.0 + 3 * length, 450.0
        shape.draw_rect(pymupdf.Rect(x0, y0, x1, y1))
        for cx, cy in ((x0 + 30, y0 + 30), (x1 - 30, y0 + 30), (x0 + 30, y1 - 30), (x1 - 30, y1 - 30)):
            shape.draw_circle((cx, cy), 10)
        for a, b, level in ((x0, x1, 200.0), (x0, (x0 + x1) / 2, 500.0)):
            shape.draw_line((a, level - 12), (a, level + 4))
            shape.draw_line((b, level - 12), (b, level + 4))
            shape.draw_line((a, level), (b, level))
            for tip, back in ((a, a + 8), (b, b - 8)):
                shape.draw_polyline([(back, level - 2.5), (tip, level), (back, level + 2.5)])
        shape.finish(width=0.6, color=(0, 0, 0))
        shape.commit()
        for x, y, text in (
            ((x0 + x1) / 2 - 20, 193, f"{length}.00 ±0.05"),
            ((3 * x0 + x1) / 4 - 10, 493, f"{length * 1.5:g}"),
            (x1 + 30, 300, "4X Ø6.6 THRU"),
            (x1 + 30, 330, "Ø10 H7"),
            (x1 + 30, 360, "R5"),
            (x1 + 30, 390, "M6x1-6H"),
            (40, 740, "DIMENSIONS IN MM"),
            (40, 756, "GENERAL TOLERANCES ISO 2768-m"),
            (824, 716, "TITLE: COVER PLATE"),
            (824, 741, "PART NO. CP-4410"),
            (824, 766, "MATERIAL: 6061-T6"),
            (824, 791, f"SHEET {n} OF {pages}"),
        ):
            page.insert_text((x, y), text, fontsize=11, fontname="helv")
    doc.save(path, garbage=3, deflate=True)
    return pages


# -- measurements in fresh processes ------------------------------------------------------------------------


def child(mode: str, path: Path) -> dict[str, Any]:
    """Run one measurement in this (fresh) process; seconds exclude imports."""
    if mode == "bare":
        if path.suffix == ".dxf":
            import ezdxf

            started = time.perf_counter()
            count = len(ezdxf.readfile(path).modelspace())
        else:
            import pymupdf

            started = time.perf_counter()
            with pymupdf.open(path) as doc:
                count = len([page.get_text() for page in doc])
        return {"seconds": time.perf_counter() - started, "count": count}
    if mode in ("parse", "parse-all"):
        import parsers
        from parsers.pdf import parse_drawing_set

        data = path.read_bytes()
        started = time.perf_counter()
        if mode == "parse-all":
            drawings = parse_drawing_set(data, path.name, max_pages=10**6)
        else:
            drawings = parsers.parse_drawings(data, path.name)
        seconds = time.perf_counter() - started
        return {"seconds": seconds, "dimensions": sum(len(d.dimensions) for d in drawings),
                "pages": sum(len(d.page_numbers) for d in drawings), "issues": sorted({
                    i.code.value for d in drawings for i in d.issues})}
    if mode == "quote":
        import contextlib
        import io

        from bot.cli import main

        started = time.perf_counter()
        with contextlib.redirect_stdout(io.StringIO()) as reply:
            code = main(["quote", str(path), "--qty", "10,500"])
        seconds = time.perf_counter() - started
        if code != 0:
            return {"error": [f"exit {code}: {reply.getvalue().strip().splitlines()[:3]}"], "seconds": seconds}
        return {"seconds": seconds, "reply_chars": len(reply.getvalue())}
    raise ValueError(mode)


def reap(argv: list[str]) -> dict[str, Any]:
    """Run ``argv`` as a subreaper: every descendant is reaped here, so ``RUSAGE_CHILDREN`` covers them all."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    proc = subprocess.run(argv, capture_output=True, text=True, check=False)
    while True:  # orphaned descendants (the parse worker's fork server) come back to this process
        try:
            os.wait()
        except ChildProcessError:
            break
    peak_mib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    if proc.returncode != 0:
        return {"error": proc.stderr.strip().splitlines()[-1:] or [f"exit {proc.returncode}"], "peak_mib": peak_mib}
    return {**json.loads(proc.stdout.strip().splitlines()[-1]), "peak_mib": peak_mib}


QUOTE_LIMITS = {"QUOTEBOT_MAX_ATTACHMENT_BYTES": str(2**31), "QUOTEBOT_PARSE_TIMEOUT_S": "1800"}


def measure(mode: str, path: Path) -> dict[str, Any]:
    me = [sys.executable, str(Path(__file__).resolve())]
    env = {**os.environ, **(QUOTE_LIMITS if mode == "quote" else {})}
    proc = subprocess.run([*me, "--reap", "--", *me, "--child", mode, str(path)], capture_output=True, text=True,
                          check=False, env=env)
    if proc.returncode != 0:
        return {"error": proc.stderr.strip().splitlines()[-1:]}
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


# -- report -------------------------------------------------------------------------------------------------


def report(title: str, unit: str, per: int, sizes: list[int], results: dict[str, list[dict[str, Any]]]) -> None:
    print(f"\n{title}")
    print(f"{'method':<12}" + "".join(f"{f'{s:,} {unit}':>26}" for s in sizes))
    for mode, rows in results.items():
        cells = ["failed" if "error" in row else f"{row['seconds']:.2f} s {row['peak_mib']:6.0f} MiB" for row in rows]
        print(f"{mode:<12}" + "".join(f"{c:>26}" for c in cells))
    label = f"{per:,} {unit}" if per > 1 else unit.rstrip("s")
    print(f"\nms per {label} (whole run / size); growth factor per step = time ratio / size ratio, 1.00 = linear")
    for mode, rows in results.items():
        units = _units(mode, sizes, rows)
        scaled = [_seconds(row) * 1000 * per / n for row, n in zip(rows, units, strict=True)]
        growth = [b / a for a, b in zip(scaled, scaled[1:], strict=False)]
        factors = "  ".join(f"{g:.2f}" for g in growth)
        print(f"{mode:<12}" + "".join(f"{v:>12.1f}" for v in scaled) + f"    growth {factors}")
    print(f"ms per {label} added between sizes (fixed costs such as start-up cancel out; equal = linear)")
    for mode, rows in results.items():
        units = _units(mode, sizes, rows)
        seconds = [_seconds(row) for row in rows]
        steps = [
            (seconds[i + 1] - seconds[i]) * 1000 * per / (units[i + 1] - units[i])
            if units[i + 1] > units[i] else math.nan
            for i in range(len(rows) - 1)
        ]
        spans = [f"{sizes[i]:,}-{sizes[i + 1]:,}" for i in range(len(rows) - 1)]
        print(f"{mode:<12}" + "".join(f"   {span}: {v:.1f}" for span, v in zip(spans, steps, strict=True)))
    for mode, rows in results.items():
        for row, size in zip(rows, sizes, strict=True):
            if "error" in row:
                print(f"  {mode} at {size:,} failed: {row['error']}")


def _seconds(row: dict[str, Any]) -> float:
    return math.nan if "error" in row else float(row["seconds"])


def _units(mode: str, sizes: list[int], rows: list[dict[str, Any]]) -> list[int]:
    """What each row's time is divided by: the pages actually read by a PDF parse capped at 20 pages."""
    return [int(row.get("pages") or size) if mode == "parse" else size for row, size in zip(rows, sizes, strict=True)]


def run(*, quick: bool, keep: Path | None) -> None:
    dxf_sizes = [10_000, 100_000] if quick else [10_000, 100_000, 1_000_000]
    pdf_sizes = [1, 10] if quick else [1, 10, 100]
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        folder = keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        dxf: dict[str, list[dict[str, Any]]] = {"bare": [], "parse": [], "quote": []}
        for size in dxf_sizes:
            path = folder / f"plates_{size}.dxf"
            t0 = time.perf_counter()
            count = write_dxf(path, size)
            print(f"generated {path.name}: {count:,} entities, {path.stat().st_size / 2**20:.1f} MiB "
                  f"in {time.perf_counter() - t0:.1f} s", flush=True)
            for mode in dxf:
                dxf[mode].append(measure(mode, path))
        pdf: dict[str, list[dict[str, Any]]] = {"bare": [], "parse": [], "parse-all": [], "quote": []}
        for pages in pdf_sizes:
            path = folder / f"sheets_{pages}.pdf"
            write_pdf(path, pages)
            print(f"generated {path.name}: {pages} pages, {path.stat().st_size / 2**10:.0f} KiB", flush=True)
            for mode in pdf:
                pdf[mode].append(measure(mode, path))
    report("DXF: seconds and peak memory (one fresh process each)", "entities", 10_000, dxf_sizes, dxf)
    report("PDF: seconds and peak memory (one fresh process each)", "pages", 1, pdf_sizes, pdf)
    capped = [r.get("pages") for r in pdf["parse"]]
    print(f"\nparse reads up to 20 pages (pages read: {capped}); its per-page cost divides by the pages read.")
    print(f"whole scale bench: {time.perf_counter() - started:.0f} s")


def main() -> None:
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        print(json.dumps(child(sys.argv[2], Path(sys.argv[3]))))
        return
    if len(sys.argv) > 2 and sys.argv[1] == "--reap":
        print(json.dumps(reap(sys.argv[3:])))
        return
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="stop at 100k entities and 10 pages")
    parser.add_argument("--keep", type=Path, help="write the generated drawings here instead of a temporary folder")
    args = parser.parse_args()
    run(quick=args.quick, keep=args.keep)


if __name__ == "__main__":
    main()

