"""Fixtures shared by the fuzz tests: the bot's dependencies as ``quotebot serve`` builds them, and the
Slack App around them. Failing inputs are printed whole, so Hypothesis' large-repr warning is expected."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.cli import build_deps
from bot.config import Settings
from bot.pipeline import Deps
from tests.conftest import postgres_schema
from tests.fuzz.slack_harness import ErrorRecorder, Harness, recording_errors, running_app

HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.filterwarnings("ignore:Generating overly large repr"))


@pytest.fixture(scope="module")
def served_deps(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deps]:
    """``build_deps`` as ``quotebot serve`` calls it (each file parsed in the isolated worker, 20 s and
    1 GiB per file here), on a SQLite file of its own."""
    path = tmp_path_factory.mktemp("fuzz") / "quotebot.db"
    deps = build_deps(Settings(parse_timeout_s=20, parse_memory_mb=1024), db_url=f"sqlite:///{path}")
    yield deps
    deps.store.close()  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def postgres_deps() -> Iterator[Deps]:
    """The same on a schema of its own on the test PostgreSQL server (stricter than SQLite: string lengths,
    no NUL in text)."""
    with postgres_schema() as url:
        deps = build_deps(Settings(parse_timeout_s=20, parse_memory_mb=1024), db_url=url)
        yield deps
        deps.store.close()  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def slack(served_deps: Deps) -> Iterator[Harness]:
    with running_app(served_deps) as harness:
        yield harness


@pytest.fixture(scope="module")
def errors() -> Iterator[ErrorRecorder]:
    with recording_errors() as recorder:
        yield recorder
