"""Time and peak memory to refuse zip bombs with the default limits (run: python bench/bench_zip_bombs.py).

Builds each archive in a temporary folder (never in the project), then opens it in a fresh child process with
``bot.archives.expand_archives`` and the default ``Limits``, and prints: the archive's size, what it would
unpack to, the outcome, the wall time and the child's peak RSS above its baseline (after imports and after
reading the archive's bytes).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MIB = 1 << 20
_CHILD = """
import json, resource, sys, time
from bot.archives import expand_archives
from bot.limits import Limits
from bot.models import Attachment
data = open(sys.argv[1], "rb").read()
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
t0 = time.perf_counter()
found = expand_archives([Attachment(filename="bomb.zip", data=data)], Limits())
seconds = time.perf_counter() - t0
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
codes = {}
for a in found:
    codes[a.fetch_error or "read"] = codes.get(a.fetch_error or "read", 0) + 1
print(json.dumps({"seconds": seconds, "extra_mib": (peak - base) / 1024, "codes": codes}))
"""


def _zeros(archive: zipfile.ZipFile, name: str, size: int) -> None:
    with archive.open(name, "w", force_zip64=True) as member:
        chunk = bytes(min(size, MIB))
        for _ in range(size // len(chunk)):
            member.write(chunk)


def one_member(path: Path) -> int:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        _zeros(archive, "zeros.dxf", 1024 * MIB)
    return 1024 * MIB


def many_members(path: Path) -> int:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for i in range(32):
            _zeros(archive, f"part{i:02}.dxf", 32 * MIB)
    return 1024 * MIB


def nested(path: Path) -> int:
    """42.zip-style: 16 archives of 16 files of 4 MiB (1 GiB), two levels."""
    inner_path = path.with_suffix(".inner")
    with zipfile.ZipFile(inner_path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as inner:
        for i in range(16):
            _zeros(inner, f"{i}.dxf", 4 * MIB)
    inner_bytes = inner_path.read_bytes()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for i in range(16):
            archive.writestr(f"sheet{i}.zip", inner_bytes)
    return 1024 * MIB


def deep(path: Path) -> int:
    data = b"0\nEOF\n"
    for level in range(12):
        buffer = path.with_suffix(f".{level}")
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(f"level{level}.zip" if level else "part.dxf", data)
        data = buffer.read_bytes()
    path.write_bytes(data)
    return 12


def entries(path: Path) -> int:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as archive:
        for i in range(200_000):
            archive.writestr(zipfile.ZipInfo(f"{i}"), b"")
    return 0


CASES: dict[str, tuple[str, Callable[[Path], int]]] = {
    "one-member": ("1 member of 1 GiB of zeros", one_member),
    "many-members": ("32 members of 32 MiB of zeros", many_members),
    "nested": ("16 zips of 16 files of 4 MiB (42.zip style)", nested),
    "deep": ("a zip in a zip ... 12 levels deep", deep),
    "entries": ("200,000 empty entries", entries),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("cases", nargs="*", metavar="CASE", help=f"some of: {', '.join(CASES)} (default: all)")
    args = parser.parse_args()
    unknown = sorted(set(args.cases) - set(CASES))
    if unknown:
        parser.error(f"unknown case(s): {', '.join(unknown)}")
    print(f"{'case':<14} {'zip':>9} {'unpacks to':>11} {'seconds':>8} {'peak +MiB':>10}  outcome")
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.cases or CASES:
            what, build = CASES[name]
            path = Path(tmp) / f"{name}.zip"
            t0 = time.perf_counter()
            total = build(path)
            built = time.perf_counter() - t0
            out = subprocess.run([sys.executable, "-c", _CHILD, str(path)], capture_output=True, text=True,
                                 cwd=ROOT, check=True)
            result = json.loads(out.stdout)
            size = path.stat().st_size
            unpacks = f"{total / MIB:,.0f} MiB" if total > 100 else f"{total} levels" if total else "-"
            codes = ", ".join(f"{k} x{v}" for k, v in sorted(result["codes"].items()))
            print(f"{name:<14} {size / MIB:>7.2f}MB {unpacks:>11} {result['seconds']:>8.2f} "
                  f"{result['extra_mib']:>10.1f}  {codes}   ({what}; built in {built:.0f} s)")


if __name__ == "__main__":
    main()
