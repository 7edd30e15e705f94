"""Peak memory and time of the DXF reader on a large generated drawing (run: python bench/bench_dxf_large.py).

Writes a DXF with about a million entities (a grid of plates: outline lines, corner arcs, holes, a few
dimensions and notes) to a temporary folder, never into the project, then reads it with parse_drawing in a
child process and prints the file size, entity count, wall time and the child's peak RSS.
"""

from __future__ import annotations

import argparse
import io
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
_CHILD = """
import json, sys, time
from parsers import parse_drawing
data = open(sys.argv[1], "rb").read()
ticks = []
t0 = time.perf_counter()
d = parse_drawing(data, "large.dxf", progress=ticks.append)
print(json.dumps({"seconds": time.perf_counter() - t0, "dimensions": len(d.dimensions), "holes": len(d.holes),
                  "issues": [i.code for i in d.issues], "progress_calls": len(ticks),
                  "envelope": d.envelope and d.envelope.model_dump()}))
"""


def write_large_dxf(out: io.TextIOBase, *, plates: int) -> int:
    """Write an R12-style DXF of ``plates`` 40x30 plates (4 lines, 4 arcs, 2 circles each); returns entities."""
    out.write("0\nSECTION\n2\nHEADER\n9\n$INSUNITS\n70\n4\n0\nENDSEC\n0\nSECTION\n2\nENTITIES\n")
    count = 0
    columns = max(1, int(plates**0.5))
    for i in range(plates):
        x0, y0 = (i % columns) * 50.0, (i // columns) * 40.0
        for a, b, c, d in ((2, 0, 38, 0), (40, 2, 40, 28), (38, 30, 2, 30), (0, 28, 0, 2)):
            out.write(f"0\nLINE\n8\nPART\n10\n{x0 + a}\n20\n{y0 + b}\n11\n{x0 + c}\n21\n{y0 + d}\n")
        for cx, cy, start in ((38, 2, 270), (38, 28, 0), (2, 28, 90), (2, 2, 180)):
            out.write(f"0\nARC\n8\nPART\n10\n{x0 + cx}\n20\n{y0 + cy}\n40\n2.0\n50\n{start}\n51\n{start + 90}\n")
        for cx in (10, 30):
            out.write(f"0\nCIRCLE\n8\nPART\n10\n{x0 + cx}\n20\n{y0 + 15}\n40\n3.3\n")
        count += 10
    out.write("0\nTEXT\n8\nNOTES\n10\n0\n20\n-20\n40\n3.5\n1\nMATERIAL: AL 6061-T6\n")
    out.write("0\nTEXT\n8\nNOTES\n10\n0\n20\n-30\n40\n3.5\n1\n4X %%c6.6 THRU\n")
    out.write("0\nENDSEC\n0\nEOF\n")
    return count + 2


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--entities", type=int, default=1_000_000)
    parser.add_argument("--keep", type=Path, default=None, help="write the DXF here instead of a temp folder")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = args.keep or Path(tmp) / "large.dxf"
        with path.open("w", encoding="ascii", newline="\n") as out:
            entities = write_large_dxf(out, plates=args.entities // 10)
        t0 = time.perf_counter()
        proc = subprocess.run(
            [sys.executable, "-c", _CHILD, str(path)], cwd=ROOT, capture_output=True, text=True, check=False
        )
        wall = time.perf_counter() - t0
        peak_mib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        if proc.returncode != 0:
            sys.exit(proc.stderr)
        result = json.loads(proc.stdout)
        size_mib = path.stat().st_size / 2**20
    print(f"file {size_mib:.1f} MiB, {entities} entities")
    print(f"parse {result['seconds']:.1f} s (child wall {wall:.1f} s), peak RSS {peak_mib:.0f} MiB")
    print(json.dumps({k: v for k, v in result.items() if k != "seconds"}))


if __name__ == "__main__":
    main()
