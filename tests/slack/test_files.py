"""SlackFileFetcher against the local peer: bot token, size limit, Slack's HTML sign-in page."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from slack_sdk import WebClient

from bot.errors import AttachmentFetchFailed, AttachmentTooLarge
from bot.slack.files import SlackFileFetcher, is_html_page
from bot.slack.translate import SlackFile
from tests.conftest import fixture_path
from tests.slack.peer import BOT_TOKEN, SIGN_IN_PAGE, SlackPeer

BRACKET = fixture_path("dxf/bracket.dxf").read_bytes()


@pytest.fixture
def peer() -> Iterator[SlackPeer]:
    with SlackPeer() as p:
        yield p


def fetcher(peer: SlackPeer, *, token: str = BOT_TOKEN, max_bytes: int = 10**6) -> SlackFileFetcher:
    return SlackFileFetcher(WebClient(token=token, base_url=peer.api_url), max_bytes=max_bytes)


def test_download_with_the_bot_token(peer: SlackPeer) -> None:
    ref = SlackFile.model_validate(peer.add_file("bracket.dxf", BRACKET))
    attachment = fetcher(peer).fetch(ref)
    assert (attachment.filename, attachment.data) == ("bracket.dxf", BRACKET)
    assert [c.token for c in peer.calls_to("download")] == [BOT_TOKEN]


def test_a_file_known_only_by_id_is_looked_up_first(peer: SlackPeer) -> None:
    ref = SlackFile.model_validate(peer.add_file("bracket.dxf", BRACKET, check_file_info=True))
    assert fetcher(peer).fetch(ref).data == BRACKET
    assert [c.method for c in peer.calls] == ["files.info", "download"]


def test_wrong_token_gets_the_sign_in_page_which_is_refused(peer: SlackPeer) -> None:
    ref = SlackFile.model_validate(peer.add_file("bracket.dxf", BRACKET))
    with pytest.raises(AttachmentFetchFailed, match="^could not fetch 'bracket.dxf': Slack sent a web page"):
        fetcher(peer, token="xoxb-revoked").fetch(ref)


def test_stated_size_over_the_limit_is_not_downloaded(peer: SlackPeer) -> None:
    ref = SlackFile.model_validate(peer.add_file("bracket.dxf", BRACKET))
    with pytest.raises(AttachmentTooLarge) as info:
        fetcher(peer, max_bytes=1000).fetch(ref)
    assert str(info.value) == f"'bracket.dxf' is {len(BRACKET)} bytes; the limit is 1000 bytes."
    assert peer.calls_to("download") == []


def test_bytes_over_the_limit_stop_the_download(peer: SlackPeer) -> None:
    ref = SlackFile.model_validate(peer.add_file("bracket.dxf", BRACKET, size=1))
    with pytest.raises(AttachmentTooLarge, match="the limit is 1000 bytes"):
        fetcher(peer, max_bytes=1000).fetch(ref)


@pytest.mark.parametrize("url", [
    "http://files.slack.com/files-pri/T1-F1/x.dxf",  # not HTTPS
    "https://files.slack.com.evil.example/x.dxf",
    "https://example.com/files-pri/T1-F1/x.dxf",
])
def test_the_token_is_sent_only_to_slack(peer: SlackPeer, url: str) -> None:
    with pytest.raises(AttachmentFetchFailed, match="untrusted download host"):
        fetcher(peer).fetch(SlackFile(id="F1", name="x.dxf", size=1, url_private_download=url))
    assert fetcher(peer).is_trusted_url("https://files.slack.com/files-pri/T1-F1/x.dxf")


@pytest.mark.parametrize(("data", "ctype", "html"), [
    (SIGN_IN_PAGE, "application/octet-stream", True),
    (b"\n  <html><body>x</body></html>", None, True),
    (b"anything", "text/html; charset=utf-8", True),
    (BRACKET[:600], "application/octet-stream", False),
    (b"%PDF-1.7\n", "application/pdf", False),
])
def test_html_pages_are_recognised_by_type_or_first_bytes(data: bytes, ctype: str | None, html: bool) -> None:
    assert is_html_page(data, ctype) is html


def test_the_peer_takes_files_upload_v2_for_the_visuals(peer: SlackPeer) -> None:
    client = WebClient(token=BOT_TOKEN, base_url=peer.api_url)
    response = client.files_upload_v2(channel="C0SALES", thread_ts="1764201000.000100", content=b"\x89PNG preview",
                                      filename="preview.png", title="Preview")
    assert response["ok"] and list(peer.uploads.values()) == [b"\x89PNG preview"]
    assert [c.method for c in peer.calls] == ["files.getUploadURLExternal", "files.completeUploadExternal"]
