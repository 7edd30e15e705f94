"""How much quotebot adds on top of the bare libraries, as ratios (run: python bench/bench_quote.py).

For each fixture drawing: the bare library read (ezdxf.readfile / pymupdf open + get_text on every page),
our extract (parse_drawing) and our full quote (parse, intake, estimate, render text/HTML/Slack; the
content-hash cache emptied before each run), each the best of N runs. Scans include OCR. Prints
milliseconds and the ratio to the bare library; no pass/fail threshold here.
"""

from __future__ import annotations

import argparse
import io
import time
from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def best_ms(fn: Callable[[], object], runs: int) -> float:
    best = float("inf")
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best * 1000


def bare_read(path: Path) -> Callable[[], object]:
    data = path.read_bytes()
    if path.suffix == ".dxf":
        import ezdxf

        return lambda: ezdxf.read(io.StringIO(data.decode("utf-8", errors="replace")))

    import pymupdf

    def read_pdf() -> object:
        with pymupdf.open(stream=data, filetype="pdf") as doc:
            return [page.get_text("dict") for page in doc]

    return read_pdf


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    files = args.files or [
        p for p in sorted((ROOT / "fixtures" / "drawings").glob("*/*"))
        if p.suffix in (".dxf", ".pdf") and p.stem not in ("corrupt", "encrypted")
    ]

    from bot.conversation import Step, ThreadState
    from bot.models import Attachment, Channel, InboundMessage, ThreadKey
    from bot.pipeline import Deps, compose_reply, read_attachments, render_reply
    from bot.render import make_environment
    from bot.store import SqlThreadStore, parsed_drawings
    from estimator import load_rate_card
    from parsers import parse_drawing

    store = SqlThreadStore("sqlite://")
    deps = Deps(store=store, card=load_rate_card(), env=make_environment(), ask_material=False)
    key = ThreadKey(channel=Channel.CHAT, id="bench")
    inbound = InboundMessage(thread=key, dedupe_key="bench", received_at=datetime.now(UTC))

    def full_quote(path: Path) -> Callable[[], object]:
        files = (Attachment(filename=path.name, data=path.read_bytes()),)

        def run() -> object:
            with store.engine.begin() as conn:  # time a first parse, not the content-hash cache
                conn.execute(parsed_drawings.delete())
            drawings, unreadable = read_attachments(files, deps)
            state = ThreadState(key=key, drawings=drawings, quantities=(10, 500))
            reply, _ = compose_reply(state, Step.ESTIMATE, unreadable=unreadable, deps=deps)
            return render_reply(reply, inbound=inbound, env=deps.env)

        return run

    print(f"{'file':<22} {'bare ms':>9} {'extract ms':>11} {'quote ms':>9} {'extract/bare':>13} {'quote/bare':>11}")
    for path in files:
        data = path.read_bytes()
        bare = best_ms(bare_read(path), args.runs)
        extract = best_ms(partial(parse_drawing, data, path.name), args.runs)
        quote = best_ms(full_quote(path), args.runs)
        print(f"{path.name:<22} {bare:>9.1f} {extract:>11.1f} {quote:>9.1f} {extract / bare:>13.2f} "
              f"{quote / bare:>11.2f}")
    store.close()


if __name__ == "__main__":
    main()
