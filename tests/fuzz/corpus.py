"""The seed corpus (fixtures/fuzz) and the saved crashing inputs (fixtures/fuzz/regressions/<kind>/)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from tests.conftest import ROOT

FUZZ = ROOT / "fixtures" / "fuzz"
REGRESSIONS = FUZZ / "regressions"
KINDS = ("dxf", "pdf", "email", "slack")


@cache
def seeds(kind: str) -> tuple[bytes, ...]:
    """The seed files of one kind, in name order."""
    return tuple(p.read_bytes() for p in sorted((FUZZ / kind).iterdir()) if p.is_file())


def seed(kind: str, name: str) -> bytes:
    return (FUZZ / kind / name).read_bytes()


def ascii_dxf_seeds() -> tuple[bytes, ...]:
    return tuple(s for s in seeds("dxf") if not s.startswith(b"AutoCAD Binary DXF"))


@cache
def slack_seeds() -> tuple[dict[str, Any], ...]:
    return tuple(json.loads(s) for s in seeds("slack"))


def regressions(kind: str) -> list[Path]:
    """Every saved input of one kind (empty when none was saved yet)."""
    folder = REGRESSIONS / kind
    return sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")) if folder.is_dir() else []
