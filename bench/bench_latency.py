"""Latency of `quotebot quote` against the bare libraries, per fixture drawing (run: python bench/bench_latency.py).

For every fixture drawing, in one process, round by round:

* bare: what a program that only loads and reads the file does: ``ezdxf.readfile(path)`` for DXF;
  ``pymupdf.open(path)`` and ``page.get_text()`` of every page for PDF;
* parse: ``parsers.parse_drawings`` of the file's bytes in this process (what the parse worker runs);
* quote: ``quotebot quote FILE --qty 10,500`` run in this process through ``bot.cli.main``: the same code
  as the console script (settings, a scratch in-memory store, the rate card and templates, the parse in a
  worker process with its time limit and memory cap, intake, estimate, the rendered reply), without the
  Python start-up and imports;
* quote + images: the same with ``--out DIR`` (annotated preview, price chart and quote PDF written), in a
  second pass (drawing the images leaves the process busier, which would slow the plain quotes).

Each pass alternates the bare read with the others, so all see the same machine load; each figure is the
median of up to ``--runs`` rounds (fewer for slow files, see ``--max-seconds``) and the ratios are
quote / bare of the same pass. Then, clearly apart, single runs in new processes: ``python -m bot quote``
(interpreter start-up, imports, the parse worker's fork server starting), first with an empty template
cache and then with the cache the first run left, and the bare read with its imports.

Prints tables; no pass/fail.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import io
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # measure the code next to this script, whatever is installed
DRAWINGS = ROOT / "fixtures" / "drawings"
QTY = ["--qty", "10,500"]


def bare_reader(path: Path) -> Callable[[int], object]:
    """The bare library's load-and-read of ``path`` (raises when the library cannot read it)."""
    if path.suffix.lower() == ".dxf":
        import ezdxf

        return lambda _round: ezdxf.readfile(path)
    import pymupdf

    def read_pdf(_round: int) -> object:
        with pymupdf.open(path) as doc:
            return [page.get_text() for page in doc]

    return read_pdf


def is_scan(path: Path) -> bool:
    """A PDF without a text layer to speak of: the quote reads it with OCR."""
    if path.suffix.lower() != ".pdf":
        return False
    import pymupdf

    with pymupdf.open(path) as doc:
        return sum(len(page.get_text().strip()) for page in doc) < 20


def quote(path: Path, out: Path | None) -> int:
    """`quotebot quote` in this process; stdout and stderr are swallowed. Returns the exit code."""
    from bot.cli import main

    argv = ["quote", str(path), *QTY] + (["--out", str(out)] if out else [])
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        return main(argv)


def quote_round(path: Path, scratch: Path | None, round_number: int) -> int:
    """One round's quote; with ``scratch``, the images go to a folder of their own there."""
    return quote(path, scratch / f"{path.stem}-{round_number}" if scratch else None)


@dataclass
class Row:
    path: Path
    note: str = ""
    bare: list[float] = field(default_factory=list)
    parse: list[float] = field(default_factory=list)
    plain: list[float] = field(default_factory=list)
    bare_images: list[float] = field(default_factory=list)  # the bare reads of the images pass
    images: list[float] = field(default_factory=list)

    @property
    def fmt(self) -> str:
        return self.path.suffix.lower().lstrip(".")


def timed(fn: Callable[[], object]) -> float:
    started = time.perf_counter()
    fn()
    return (time.perf_counter() - started) * 1000


def alternate(*works: Callable[[int], object], runs: int, max_seconds: float) -> list[list[float]]:
    """Rounds of each work in turn, until ``runs`` rounds or ``max_seconds`` have passed (one at least)."""
    times: list[list[float]] = [[] for _ in works]
    started = time.perf_counter()
    for i in range(runs):
        for work, spent in zip(works, times, strict=True):
            spent.append(timed(functools.partial(work, i)))
        if time.perf_counter() - started > max_seconds:
            break
    return times


def parse_round(path: Path, _round: int) -> object:
    from parsers import parse_drawings

    with quiet_stderr():  # Tesseract prints progress noise straight to file descriptor 2
        return parse_drawings(path.read_bytes(), path.name)


@contextlib.contextmanager
def quiet_stderr() -> Iterator[None]:
    sys.stderr.flush()
    saved = os.dup(2)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(devnull)
        os.close(saved)


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def cold_runs(dxf: Path | None, pdf: Path | None) -> list[tuple[str, float]]:
    """Wall time of one new Python process each: `python -m bot quote` with an empty template cache, again
    with the cache it left, and the bare read with its imports."""
    path_env = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    results = []
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "PYTHONPATH": path_env, "XDG_CACHE_HOME": cache}
        for path in filter(None, (dxf, pdf)):
            rel = path.relative_to(ROOT)
            read = (
                f"import ezdxf; ezdxf.readfile({str(rel)!r})"
                if path.suffix == ".dxf"
                else f"import pymupdf; d = pymupdf.open({str(rel)!r}); [p.get_text() for p in d]"
            )
            quote_argv = [sys.executable, "-m", "bot", "quote", str(rel), *QTY]
            for label, argv in (
                (f"python -m bot quote {rel} --qty 10,500   (first run: templates compiled)", quote_argv),
                (f"python -m bot quote {rel} --qty 10,500   (later run: compiled templates cached)", quote_argv),
                (f"python -c '{read}'", [sys.executable, "-c", read]),
            ):
                started = time.perf_counter()
                subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, check=False)
                results.append((label, (time.perf_counter() - started) * 1000))
            shutil.rmtree(Path(cache) / "quotebot", ignore_errors=True)
    return results


def default_files(include_cases: bool) -> list[Path]:
    folders = ["dxf", "pdf"] + (["dxf_cases/good", "pdf_cases"] if include_cases else [])
    return [p for f in folders for p in sorted((DRAWINGS / f).iterdir()) if p.suffix.lower() in (".dxf", ".pdf")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("files", nargs="*", type=Path, help="drawings (default: fixtures/drawings/dxf and pdf)")
    parser.add_argument("--all", action="store_true", help="also the case files in dxf_cases/good and pdf_cases")
    parser.add_argument("--runs", type=int, default=7, help="rounds per file (default 7)")
    parser.add_argument("--max-seconds", type=float, default=8.0,
                        help="stop adding rounds for a file after this long (default 8; at least one round)")
    parser.add_argument("--no-images", action="store_true", help="skip the quote + images column")
    parser.add_argument("--no-cold", action="store_true", help="skip the cold-process runs")
    args = parser.parse_args()
    files = [p.resolve() for p in args.files] or default_files(args.all)

    readable, skipped = [], []
    for path in files:
        try:
            bare_reader(path)(0)
            readable.append(path)
        except Exception as exc:  # the bare library cannot read it: nothing to compare with
            skipped.append(f"{path.name} ({type(exc).__name__})")
    if readable:
        quote(readable[0], None)  # the first parse starts the worker's fork server (counted under "cold")

    rows = [Row(p, note="no text layer: the quote reads it with OCR" if is_scan(p) else "") for p in readable]
    for row in rows:
        row.bare, row.parse, row.plain = alternate(
            bare_reader(row.path), functools.partial(parse_round, row.path),
            functools.partial(quote_round, row.path, None), runs=args.runs, max_seconds=args.max_seconds)
    if not args.no_images:
        with tempfile.TemporaryDirectory() as tmp:
            for row in rows:
                row.bare_images, row.images = alternate(
                    bare_reader(row.path), functools.partial(quote_round, row.path, Path(tmp)),
                    runs=args.runs, max_seconds=args.max_seconds)

    version = sys.version.split()[0]
    print(f"quotebot quote vs the bare library: median ms of up to {args.runs} rounds, python {version}")
    print(f"{'file':<24} {'runs':>4} {'bare ms':>8} {'parse ms':>9} {'ratio':>6} {'quote ms':>9} {'ratio':>6} "
          f"{'+images ms':>11} {'ratio':>6}  note")
    for r in rows:
        bare, parse, plain, images = median(r.bare), median(r.parse), median(r.plain), median(r.images)
        print(f"{r.path.name:<24} {len(r.bare):>4} {bare:>8.1f} {parse:>9.1f} {parse / bare:>6.2f} {plain:>9.1f} "
              f"{plain / bare:>6.2f} {images:>11.1f} {images / median(r.bare_images):>6.2f}  {r.note}")
    if skipped:
        print(f"skipped (the bare library cannot read them): {', '.join(skipped)}")

    print("\nmedian ratio per format (parse / bare; quote / bare; quote + images / bare)")
    for fmt, label in (("dxf", "DXF"), ("pdf", "PDF, all"), ("pdf-text", "PDF with a text layer")):
        chosen = [r for r in rows if r.fmt == fmt.split("-")[0] and (fmt != "pdf-text" or not r.note)]
        if chosen:
            parse = median([median(r.parse) / median(r.bare) for r in chosen])
            plain = median([median(r.plain) / median(r.bare) for r in chosen])
            images = median([median(r.images) / median(r.bare_images) for r in chosen])
            bare = median([median(r.bare) for r in chosen])
            quoted = median([median(r.plain) for r in chosen])
            print(f"  {label:<22} {parse:6.2f}x {plain:6.2f}x {images:6.2f}x   ({len(chosen)} files; median bare "
                  f"{bare:.1f} ms, median quote {quoted:.1f} ms)")

    if not args.no_cold:
        dxf = next((r.path for r in rows if r.fmt == "dxf"), None)
        pdf = next((r.path for r in rows if r.fmt == "pdf" and not r.note), None)
        print("\ncold: one new Python process each (interpreter start-up, imports, parse worker start), once")
        for label, ms in cold_runs(dxf, pdf):
            print(f"  {ms:8.0f} ms  {label}")


if __name__ == "__main__":
    main()
