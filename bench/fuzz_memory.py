"""Peak memory of the parser per file: the fuzz corpus, its regressions, or any files given.

    .venv/bin/python bench/fuzz_memory.py                       # fixtures/fuzz seeds and regressions
    .venv/bin/python bench/fuzz_memory.py fixtures/drawings/*/*.pdf out/fuzz/pdf/corpus/*

Each file is parsed (``parsers.parse_drawings``, OCR as configured on this machine) in a fresh child
process; the table gives the child's peak RSS, the same over an idle child that only imported the
parsers, the wall time and the outcome, worst first. It prints and never fails.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
_CHILD = """
import sys
import parsers, parsers.dxf, parsers.pdf
if sys.argv[1]:
    data = open(sys.argv[1], "rb").read()
    try:
        drawings = parsers.parse_drawings(data, sys.argv[1].rsplit("/", 1)[-1])
        print(f"{len(drawings)} drawing(s), {sum(len(d.dimensions) for d in drawings)} dimensions")
    except parsers.ParseError as exc:
        print(type(exc).__name__)
"""


def measure(path: str) -> tuple[float, float, str]:
    """(peak RSS in MiB, wall seconds, outcome) of parsing ``path`` ('' only imports) in a child."""
    started = time.perf_counter()
    child = subprocess.Popen([sys.executable, "-c", _CHILD, path], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                             cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert child.stdout is not None
    out = child.stdout.read().decode(errors="replace").strip()
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - started
    outcome = out.splitlines()[-1] if out else f"exit {child.returncode}"
    return usage.ru_maxrss / 1024, seconds, outcome


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("files", nargs="*", type=Path, help="default: fixtures/fuzz/{dxf,pdf} and their regressions")
    args = parser.parse_args(argv)
    fuzz = ROOT / "fixtures" / "fuzz"
    files = args.files or sorted(p for kind in ("dxf", "pdf") for folder in (fuzz / kind, fuzz / "regressions" / kind)
                                 if folder.is_dir() for p in folder.iterdir() if p.is_file())
    idle, _, _ = measure("")
    rows = sorted(((*measure(str(p)), p) for p in files), key=lambda row: -row[0])
    print(f"idle child (imports only): {idle:.0f} MiB")
    print(f"{'peak MiB':>9} {'over idle':>9} {'seconds':>8}  {'outcome':<34} file")
    for peak, seconds, outcome, path in rows:
        shown = path.relative_to(ROOT) if path.resolve().is_relative_to(ROOT) else path
        print(f"{peak:9.0f} {peak - idle:9.0f} {seconds:8.2f}  {outcome[:34]:<34} {shown}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
