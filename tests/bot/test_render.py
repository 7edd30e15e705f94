"""Every template renders for every outcome; hostile text is escaped in HTML and Slack mrkdwn."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path

import pytest

from bot.conversation import Step
from bot.render import make_environment, money, render_blocks, render_html, render_text
from bot.reply import DrawingSummary, Reply, UnreadableFile

HOSTILE = 'Bracket "A" <rev 2> & <script>x</script>'
DRAWING = DrawingSummary(name=HOSTILE, file="b<1>.dxf", size="100 × 80 × 30 mm", material="AL <6061>",
                         dimension_count=7, tightest="±0.02 mm on 80", general_tolerance="ISO 2768-m",
                         notes=("units <assumed>",))
REPLIES = {
    "needs": Reply(step=Step.ASK_MISSING, drawings=(DRAWING,), needs=("quantity", "material", "thickness"),
                   default_material="6061-T6"),
    "unreadable": Reply(step=Step.UNREADABLE, unreadable=(
        UnreadableFile(filename="x<y>.dwg", code="unsupported-file-type", detected="DWG"),
        UnreadableFile(filename="p.pdf", code="encrypted-pdf"),
        UnreadableFile(filename="c.dxf", code="corrupt-drawing"),
        UnreadableFile(filename="slow.pdf", code="timed-out"),
    )),
    **{step.value: Reply(step=step) for step in (Step.HELP, Step.ACKNOWLEDGE, Step.CANCELLED, Step.ASK_FOR_DRAWING)},
}


class _Collect(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: object) -> None:
        self.tags.append(tag)


@pytest.fixture(scope="module")
def env():
    return make_environment()


@pytest.mark.parametrize("case", sorted(REPLIES))
def test_every_outcome_renders_in_every_format(env, case: str) -> None:
    reply = REPLIES[case]
    assert render_text(env, reply).strip()
    html = render_html(env, reply)
    parser = _Collect()
    parser.feed(html)
    assert "script" not in parser.tags
    blocks = render_blocks(env, reply)
    assert blocks and all("type" in b for b in blocks)
    json.dumps(blocks)


def test_hostile_names_are_escaped(env) -> None:
    reply = REPLIES["needs"]
    html = render_html(env, reply)
    assert "&lt;script&gt;" in html and "<script>" not in html
    assert HOSTILE in render_text(env, reply)
    text = json.dumps(render_blocks(env, reply))
    assert "<script>" not in text and "&lt;rev 2&gt;" in text


def test_unreadable_reply_names_each_file_and_what_to_send(env) -> None:
    text = render_text(env, REPLIES["unreadable"])
    assert "x<y>.dwg" in text and "DXF" in text
    assert "password" in text
    assert "c.dxf" in text
    assert "slow.pdf in time" in text


@pytest.mark.parametrize(("value", "expected"), [(18.4, "$18.40"), (9200, "$9,200.00"), (0.005, "$0.01")])
def test_money(value: float, expected: str) -> None:
    assert money(value) == expected


def test_compiled_templates_are_kept_on_disk_and_render_the_same(env, tmp_path: Path) -> None:
    reply = REPLIES["needs"]
    first = make_environment(cache_dir=tmp_path / "templates")
    text = render_text(first, reply)
    cached = sorted(p.name for p in (tmp_path / "templates").iterdir())

    second = make_environment(cache_dir=tmp_path / "templates")

    assert cached and all(name.startswith("__quotebot_") for name in cached)
    assert render_text(second, reply) == text == render_text(env, reply)
    assert render_html(second, reply) == render_html(env, reply)


def test_a_cache_that_cannot_be_made_is_skipped(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("not a folder")

    env = make_environment(cache_dir=tmp_path / "file" / "templates")

    assert render_text(env, REPLIES["needs"]).strip()
