from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DRAWINGS = ROOT / "fixtures" / "drawings"
CORPUS = ROOT.parent / "shared" / "corpus"


def fixture_path(name: str) -> Path:
    """A committed fixture drawing, e.g. fixture_path("dxf/bracket.dxf")."""
    return DRAWINGS / name


@pytest.fixture(autouse=True)
def clean_environ(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never see the developer's Slack, email or database settings."""
    for name in list(os.environ):
        if name.startswith(("QUOTEBOT_", "SLACK_")) and not name.startswith("QUOTEBOT_TEST_"):
            monkeypatch.delenv(name)


def _postgres_url() -> str | None:
    return os.environ.get("QUOTEBOT_TEST_POSTGRES_URL")


@contextmanager
def postgres_schema() -> Iterator[str]:
    """A URL on the test PostgreSQL server whose search path is a new, empty schema (dropped afterwards)."""
    url = _postgres_url()
    if not url:
        pytest.skip("QUOTEBOT_TEST_POSTGRES_URL is not set (scripts/test sets it when a server runs)")
    import sqlalchemy as sa

    schema = f"t_{uuid.uuid4().hex[:12]}"
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text(f"CREATE SCHEMA {schema}"))
    sep = "&" if "?" in url else "?"
    try:
        yield f"{url}{sep}options=-csearch_path%3D{schema}"
    finally:
        with engine.begin() as conn:
            conn.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
        engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database: a SQLite file, or a new schema on the test PostgreSQL server."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'quotebot.db'}"
        return
    with postgres_schema() as url:
        yield url


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh schema on the test PostgreSQL server (queue mode needs a shared database)."""
    with postgres_schema() as url:
        yield url


RABBITMQ = "amqp://guest:guest@127.0.0.1:5672/%2F"
REDIS = "redis://127.0.0.1:6379/15"


def listening(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(1)
        return sock.connect_ex(("127.0.0.1", port)) == 0


@pytest.fixture
def queue_name() -> Iterator[str]:
    """A queue of this test's own, removed afterwards (parallel runs on one broker do not share jobs)."""
    name = f"quotebot-test-{uuid.uuid4().hex[:10]}"
    yield name
    if listening(5672):
        import pika  # type: ignore[import-untyped]

        connection = pika.BlockingConnection(pika.URLParameters(RABBITMQ))
        channel = connection.channel()
        for suffix in ("", ".DQ", ".XQ"):
            channel.queue_delete(queue=name + suffix)
        connection.close()
    if listening(6379):
        import redis

        client = redis.Redis.from_url(REDIS)
        keys = list(client.scan_iter(f"dramatiq:{name}*"))
        if keys:
            client.delete(*keys)
        client.close()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true", help="rewrite golden files from current output")


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))
