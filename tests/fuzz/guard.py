"""Hypothesis profile and wall-clock guards shared by the fuzz tests.

CI runs a fixed, derandomized number of examples per test; ``QUOTEBOT_FUZZ_EXAMPLES=N`` runs N random
examples per test instead (a longer local run), and ``QUOTEBOT_FUZZ_SEED`` fixes that run's seed.
"""

from __future__ import annotations

import faulthandler
import os
import resource
import signal
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any, TypeVar

from hypothesis import HealthCheck, Phase, settings

F = TypeVar("F", bound=Callable[..., Any])

# One example in process may take this long (seconds) before it fails as a hang.
HANG_S = 20.0
# Past this, faulthandler dumps every thread's stack and ends the process: a hang inside C code (MuPDF,
# Tesseract) that SIGALRM cannot interrupt still never blocks CI.
HARD_HANG_S = 90.0


# What one example may allocate on top of what the process already maps (MiB); past it, MemoryError.
EXTRA_MEMORY_MB = 3072


class Hang(AssertionError):
    """An example ran past its wall-clock limit."""


def examples(ci: int) -> int:
    """How many examples a test runs: ``ci`` in CI, or QUOTEBOT_FUZZ_EXAMPLES for a longer local run."""
    value = os.environ.get("QUOTEBOT_FUZZ_EXAMPLES", "").strip()
    return int(value) if value else ci


def fuzz(ci: int) -> Callable[[F], F]:
    """The settings decorator of a fuzz test: ``ci`` derandomized examples in CI, no deadline, no database.

    Timing belongs to the hang guard, not to Hypothesis' deadline; slow and large inputs are the point.
    """
    local = bool(os.environ.get("QUOTEBOT_FUZZ_EXAMPLES", "").strip())
    seed = os.environ.get("QUOTEBOT_FUZZ_SEED", "").strip()
    decorator: Callable[[F], F] = settings(
        max_examples=examples(ci),
        deadline=None,
        derandomize=not local,
        database=None,
        print_blob=True,
        # explain re-runs examples to point at lines; it doubles the cost of a failure and says little here
        phases=(Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink),
        suppress_health_check=(HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much,
                               HealthCheck.large_base_example, HealthCheck.function_scoped_fixture),
    )
    if local and seed:
        from hypothesis import seed as fixed_seed

        def both(test: F) -> F:
            return fixed_seed(int(seed))(decorator(test))

        return both
    return decorator


@contextmanager
def time_limit(seconds: float = HANG_S, *, what: str = "example") -> Iterator[None]:
    """Fail with ``Hang`` when the block runs longer than ``seconds`` (main thread, Python code).

    A hang inside C code cannot be interrupted by a signal handler; ``HARD_HANG_S`` later faulthandler
    dumps the stacks and exits, so the run fails loudly instead of blocking.
    """

    def expire(signum: int, frame: FrameType | None) -> None:
        raise Hang(f"{what} ran for more than {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    faulthandler.dump_traceback_later(HARD_HANG_S, exit=True, file=sys.__stderr__ or sys.stderr)
    try:
        yield
    finally:
        faulthandler.cancel_dump_traceback_later()
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _mapped_bytes() -> int:
    """The process's current address-space size (VmSize)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("no VmSize in /proc/self/status")


@contextmanager
def memory_limit(extra_mb: int = EXTRA_MEMORY_MB) -> Iterator[None]:
    """Cap the address space at what is mapped now plus ``extra_mb`` MiB while the block runs.

    An input that makes a parser allocate without bound then fails with MemoryError (the isolated worker
    does the same with its own cap), instead of swapping the machine.
    """
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    cap = _mapped_bytes() + extra_mb * 2**20
    if hard != resource.RLIM_INFINITY:
        cap = min(cap, hard)
    resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


@contextmanager
def bounded(seconds: float = HANG_S, *, what: str = "example") -> Iterator[None]:
    """Both guards: ``time_limit`` and ``memory_limit``."""
    with time_limit(seconds, what=what), memory_limit():
        yield
