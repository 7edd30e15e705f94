"""Coverage-guided fuzzing with atheris (libFuzzer) of the parsers and the email and Slack edges.

    .venv/bin/pip install atheris            # not a test dependency: the ``fuzz`` extra
    .venv/bin/python bench/fuzz_atheris.py dxf --seconds 300
    .venv/bin/python bench/fuzz_atheris.py all --seconds 120     # every target in turn

Each target starts from its seeds in fixtures/fuzz (and the saved regressions) and keeps what it learns
in out/fuzz/<target>/corpus; a crash (any exception but the target's documented errors), a hang past
``--timeout`` seconds or an RSS past ``--rss-mb`` is written to out/fuzz/<target>/ as crash-*, timeout-*
or oom-*. Copy a real one to fixtures/fuzz/regressions/<kind>/ (see fixtures/fuzz/README.md).

Pages are read without OCR here (as on a machine without Tesseract): OCR takes seconds per page and reads
a rendered bitmap, which byte mutations do not steer. The script prints one row per target: executions,
executions per second, coverage (libFuzzer's ``cov`` and ``ft``), new corpus inputs and findings.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

ROOT = Path(__file__).resolve().parents[1]
TARGETS = ("dxf", "pdf", "email", "slack")


def _dxf_target() -> Callable[[bytes], None]:
    import parsers

    def one(data: bytes) -> None:
        try:
            parsers.parse_drawings(data, "fuzz.dxf")
        except parsers.ParseError:
            pass

    return one


def _pdf_target() -> Callable[[bytes], None]:
    import parsers
    import parsers.pdf

    cast(Any, parsers.pdf).find_tessdata = lambda environ: None  # no OCR (see the module docstring)

    def one(data: bytes) -> None:
        try:
            parsers.parse_drawings(data, "fuzz.pdf")
        except parsers.ParseError:
            pass

    return one


def _email_target() -> Callable[[bytes], None]:
    from bot.email.policy import classify
    from bot.email.translate import headers_only_inbound, read_message, to_envelope, to_inbound_message

    def one(data: bytes) -> None:
        msg, whole = read_message(data)
        classify(msg, own_address="quotes@shop.example", allow=())
        to_envelope(msg)
        if whole:
            to_inbound_message(msg)
        else:
            headers_only_inbound(msg)

    return one


def _slack_target() -> Callable[[bytes], None]:
    import json

    from bot.slack.translate import to_file_refs, to_inbound_message

    def one(data: bytes) -> None:
        try:
            body = json.loads(data)
        except (ValueError, RecursionError):
            return  # not JSON: bolt refuses it before quotebot sees it
        if isinstance(body, dict):
            to_inbound_message(body)
            to_file_refs(body)

    return one


# target -> (seed kind, modules whose code atheris instruments for coverage, test function factory)
_SETUP: dict[str, tuple[str, tuple[str, ...], Callable[[], Callable[[bytes], None]]]] = {
    "dxf": ("dxf", ("parsers", "ezdxf"), _dxf_target),
    "pdf": ("pdf", ("parsers",), _pdf_target),
    "email": ("email", ("bot.email", "email"), _email_target),
    "slack": ("slack", ("bot.slack.translate",), _slack_target),
}


def run_child(target: str, libfuzzer_args: list[str]) -> None:
    """Inside the fuzzing process: instrument, then hand over to libFuzzer (which exits the process)."""
    import importlib

    import atheris

    _, modules, factory = _SETUP[target]
    with atheris.instrument_imports(include=list(modules)):
        for name in modules:
            importlib.import_module(name)
        one = factory()
    atheris.Setup([sys.argv[0], *libfuzzer_args], one)
    atheris.Fuzz()


def prepare_corpus(target: str, out: Path) -> Path:
    """out/fuzz/<target>/corpus, holding the seeds and saved regressions (kept between runs)."""
    kind = _SETUP[target][0]
    corpus = out / target / "corpus"
    corpus.mkdir(parents=True, exist_ok=True)
    for folder in (ROOT / "fixtures" / "fuzz" / kind, ROOT / "fixtures" / "fuzz" / "regressions" / kind):
        for path in sorted(folder.glob("*")) if folder.is_dir() else ():
            if path.is_file() and not (corpus / path.name).exists():
                shutil.copyfile(path, corpus / path.name)
    return corpus


_STAT = re.compile(r"^stat::(\w+):\s+(\d+)", re.M)
_PROGRESS = re.compile(r"#(\d+)\s+\w+\s+cov: (\d+) ft: (\d+) corp: (\d+)")


def fuzz(target: str, *, seconds: int, timeout_s: int, rss_mb: int, max_len: int, out: Path) -> dict[str, str]:
    corpus = prepare_corpus(target, out)
    before = len(list(corpus.iterdir()))
    artifacts = out / target
    args = [str(corpus), f"-max_total_time={seconds}", f"-timeout={timeout_s}", f"-rss_limit_mb={rss_mb}",
            f"-max_len={max_len}", f"-artifact_prefix={artifacts}/", "-print_final_stats=1"]
    done = subprocess.run([sys.executable, __file__, "--child", target, *args], capture_output=True, text=True,
                          errors="replace", cwd=ROOT)
    log = done.stdout + done.stderr
    (artifacts / "last-run.log").write_text(log)
    stats = dict(_STAT.findall(log))
    progress = _PROGRESS.findall(log)
    last = progress[-1] if progress else ("?", "?", "?", "?")
    findings = sorted(p.name for p in artifacts.iterdir() if p.name.startswith(("crash-", "timeout-", "oom-")))
    execs = stats.get("number_of_executed_units", last[0])
    return {
        "target": target, "seconds": str(seconds), "execs": execs,
        "execs/s": stats.get("average_exec_per_sec", "?"), "cov": last[1], "ft": last[2],
        "new inputs": str(len(list(corpus.iterdir())) - before), "peak RSS MB": stats.get("peak_rss_mb", "?"),
        "findings": ", ".join(findings) or "none", "exit": str(done.returncode),
    }


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--child"]:
        run_child(argv[1], argv[2:])
        return 0
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("target", choices=(*TARGETS, "all"))
    parser.add_argument("--seconds", type=int, default=120, help="fuzzing time per target (default 120)")
    parser.add_argument("--timeout", type=int, default=20, help="one input past this many seconds is a hang")
    parser.add_argument("--rss-mb", type=int, default=3072, help="an RSS past this is a memory blow-up")
    parser.add_argument("--max-len", type=int, default=256 * 1024, help="largest input libFuzzer makes (bytes)")
    parser.add_argument("--out", type=Path, default=ROOT / "out" / "fuzz", help="corpus and findings")
    args = parser.parse_args(argv)
    try:
        import atheris  # noqa: F401
    except ImportError:
        print("atheris is not installed: .venv/bin/pip install atheris (Linux, CPython 3.8-3.11 wheels)",
              file=sys.stderr)
        return 2
    rows = [fuzz(t, seconds=args.seconds, timeout_s=args.timeout, rss_mb=args.rss_mb, max_len=args.max_len,
                 out=args.out) for t in (TARGETS if args.target == "all" else (args.target,))]
    columns = list(rows[0])
    widths = {c: max(len(c), *(len(r[c]) for r in rows)) for c in columns}
    print("  ".join(c.ljust(widths[c]) for c in columns))
    for row in rows:
        print("  ".join(row[c].ljust(widths[c]) for c in columns))
    return 1 if any(r["findings"] != "none" for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
