"""Import directions from the architecture guide: pure libraries never import upward or outward."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

FORBIDDEN = {
    "parsers": {"bot", "estimator", "slack_bolt", "slack_sdk", "jinja2", "sqlalchemy", "matplotlib"},
    "estimator": {"bot", "parsers", "slack_bolt", "slack_sdk", "jinja2", "ezdxf", "pymupdf", "fitz", "sqlalchemy"},
    "bot": {"slack_bolt", "slack_sdk", "imaplib", "smtplib", "imapclient"},
}
ALLOWED = {
    "bot/slack/": {"slack_bolt", "slack_sdk"},
    "bot/email/mailbox.py": {"imaplib", "smtplib", "imapclient"},
}


def imported_roots(path: Path) -> set[str]:
    roots: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_import_direction(package: str) -> None:
    bad = []
    for path in sorted((ROOT / package).rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        allowed: set[str] = set().union(*(v for k, v in ALLOWED.items() if rel.startswith(k)))
        bad += [f"{rel} imports {n}" for n in sorted(imported_roots(path) & (FORBIDDEN[package] - allowed))]
    assert bad == []


def test_forbidden_import_is_caught(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("import slack_bolt\nfrom parsers.models import Dimension\n")
    assert imported_roots(module) == {"slack_bolt", "parsers"}


def test_pure_libraries_do_no_network_io() -> None:
    for package in ("parsers", "estimator"):
        for path in sorted((ROOT / package).rglob("*.py")):
            roots = imported_roots(path)
            assert not roots & {"socket", "urllib", "http", "requests", "httpx"}, path


def test_help_does_not_import_heavy_libraries() -> None:
    code = (
        "import sys; from bot.cli import build_parser; build_parser().format_help(); "
        "print(sorted(m for m in ('ezdxf','pymupdf','fitz','matplotlib','sqlalchemy') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize("module", ["parsers", "estimator"])
def test_public_api_is_complete(module: str) -> None:
    mod = __import__(module)
    public = {n for n in dir(mod) if not n.startswith("_")} - {"annotations"}
    submodules = {p.stem for p in (ROOT / module).glob("*.py")} | {"rates"}
    assert public - submodules == set(mod.__all__)
