"""Every template renders for every outcome; hostile text is escaped in HTML and Slack mrkdwn."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from bot.conversation import Step
from bot.render import make_environment, money, render_blocks, render_html, render_subject, render_text
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


# Every refusal code the pipeline produces, with the limit it states (see bot.limits.Limits.limit_for).
REFUSALS = (
    UnreadableFile(filename="big<1>.pdf", code="too-large", limit=25 * 2**20, size_bytes=31 * 2**20 + 200_000),
    UnreadableFile(filename="member.dxf", code="too-large", limit=25 * 2**20),
    UnreadableFile(filename="huge.dxf", code="too-large"),
    UnreadableFile(filename="site.dxf", code="too-many-entities", limit=500_000),
    UnreadableFile(filename="all.zip", code="archive-too-many-files", limit=32),
    UnreadableFile(filename="bomb.zip", code="archive-too-large", limit=64 * 2**20),
    UnreadableFile(filename="inner.zip", code="archive-too-deep", limit=3),
    UnreadableFile(filename="secret.dxf", code="encrypted-archive"),
    UnreadableFile(filename="bad.zip", code="damaged-archive"),
    UnreadableFile(filename="Bracket.eml", code="forward-too-deep", limit=1),
    UnreadableFile(filename="deep.eml", code="message-too-deep", limit=10),
    UnreadableFile(filename="empty.zip", code="empty-file"),
)
SENTENCES = (
    "I couldn't read big<1>.pdf: it is 31.2 MB, and the most I accept is 25 MB.",
    "I couldn't read member.dxf: it is larger than 25 MB, the most I accept.",
    "I couldn't read huge.dxf: reading it needs more memory than I have for one file.",
    "I couldn't read site.dxf: it has more than 500,000 entities, the most I read in one DXF.",
    "I couldn't open all.zip: it holds more than 32 files, the most I open in one archive.",
    "I couldn't open bomb.zip: the archives in your message unpack to more than 64 MB, the most I unpack from one "
    "message.",
    "I couldn't open inner.zip: it is a zip inside zips more than 3 levels deep.",
    "I couldn't read secret.dxf: it is password-protected inside the zip.",
    "I couldn't open bad.zip: the zip is damaged, or compressed in a way I can't read.",
    "I couldn't read the forwarded message Bracket.eml: it is forwarded more than 1 level deep.",
    "I couldn't read all of deep.eml: its parts are nested more than 10 levels deep, and files there were not read.",
    "I couldn't read empty.zip: the file is empty.",
)


def test_each_refusal_says_what_why_and_what_to_send_in_every_format(env) -> None:
    skipped = tuple(UnreadableFile(filename=f"{i}.dxf", code="too-many-files", limit=20) for i in range(12))
    reply = Reply(step=Step.UNREADABLE, unreadable=REFUSALS + skipped)
    text = render_text(env, reply)
    html = render_html(env, reply)
    plain_html = re.sub(r"</?(strong|p)>", "", html).replace("&lt;", "<").replace("&gt;", ">").replace("&#39;", "'")
    blocks: list[dict[str, Any]] = json.loads(json.dumps(render_blocks(env, reply)))
    slack = " ".join(b["text"]["text"] for b in blocks if b["type"] == "section")
    plain_slack = slack.replace("*", "").replace("&lt;", "<").replace("&gt;", ">")
    for sentence in SENTENCES:
        assert sentence in text and sentence in plain_html and sentence in plain_slack, sentence
    assert "damaged or incomplete" not in text  # every code has its own reply
    assert text.count("Could you") + text.count("would work") + text.count("much smaller") >= len(REFUSALS)
    listed = ("I read at most 20 files per message, so these 12 were not read: 0.dxf, 1.dxf, 2.dxf, 3.dxf, 4.dxf, "
              "5.dxf, 6.dxf, 7.dxf, 8.dxf, 9.dxf and 2 more. Could you send them in another message?")
    assert listed in text and listed in plain_html and listed in plain_slack
    assert "big&lt;1&gt;.pdf" in html and "big&lt;1&gt;.pdf" in slack


def test_the_subject_names_a_few_refused_files() -> None:
    few = Reply(step=Step.UNREADABLE, unreadable=REFUSALS[:4])
    assert render_subject(few) == "Could not read big<1>.pdf, member.dxf, huge.dxf, site.dxf"
    many = Reply(step=Step.UNREADABLE, unreadable=REFUSALS)
    assert render_subject(many) == "Could not read big<1>.pdf, member.dxf, huge.dxf and 9 more"


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
