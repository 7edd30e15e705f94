"""Slack file download: GET ``url_private_download`` with the bot token, within a size limit.

Slack answers a download with a missing or refused token with HTTP 200 and an HTML sign-in page, so a
response is accepted only when neither its content type nor its first bytes say HTML.
"""

from __future__ import annotations

import logging
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import urlsplit

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.errors import AttachmentFetchFailed, AttachmentTooLarge
from bot.models import Attachment
from bot.slack.translate import SlackFile

logger = logging.getLogger(__name__)

CHUNK_BYTES = 64 * 1024
_HTML_STARTS = (b"<!doctype html", b"<html", b"<head", b"<!--")


def is_html_page(data: bytes, content_type: str | None) -> bool:
    """True when a download is a web page (Slack's sign-in page) rather than the file."""
    if content_type and content_type.split(";")[0].strip().lower() in ("text/html", "application/xhtml+xml"):
        return True
    return data[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower().startswith(_HTML_STARTS)


class _TrustedRedirects(urllib.request.HTTPRedirectHandler):
    """Follow a redirect only to a host the bot token may be sent to."""

    def __init__(self, fetcher: SlackFileFetcher) -> None:
        self.fetcher = fetcher

    def redirect_request(self, req: Any, fp: Any, code: int, msg: str, headers: Any, newurl: str) -> Any:
        if not self.fetcher.is_trusted_url(newurl):
            raise urllib.error.HTTPError(newurl, code, "redirect to an untrusted host", headers, fp)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


class SlackFileFetcher:
    """Downloads shared files with the bot token (needs the ``files:read`` scope)."""

    def __init__(self, client: WebClient, *, max_bytes: int, timeout_s: float = 30.0) -> None:
        self.client = client
        self.max_bytes = max_bytes
        self.timeout_s = timeout_s
        self._api_host = urlsplit(client.base_url).hostname
        self._opener = urllib.request.build_opener(_TrustedRedirects(self))

    def is_trusted_url(self, url: str) -> bool:
        """The bot token goes only to Slack's own hosts over HTTPS, or to the configured Web API host."""
        parts = urlsplit(url)
        host = parts.hostname or ""
        if host == self._api_host:
            return parts.scheme in ("https", "http")
        return parts.scheme == "https" and (host == "slack.com" or host.endswith(".slack.com"))

    def fetch(self, ref: SlackFile) -> Attachment:
        """The file's bytes as an Attachment.

        Raises:
            AttachmentTooLarge: Slack's stated size, or the bytes received, exceed ``max_bytes``.
            AttachmentFetchFailed: no download URL, an untrusted URL, an HTTP or network error, or an HTML
                page instead of the file (a missing or refused token).
        """
        if ref.url_private_download is None or ref.file_access == "check_file_info":
            ref = self.fetch_info(ref)
        if ref.size is not None and ref.size > self.max_bytes:
            raise AttachmentTooLarge(filename=ref.filename, size_bytes=ref.size, limit_bytes=self.max_bytes)
        url = ref.url_private_download
        if url is None:
            raise AttachmentFetchFailed(filename=ref.filename, reason="Slack gave no download URL")
        if not self.is_trusted_url(url):
            host = urlsplit(url).hostname
            raise AttachmentFetchFailed(filename=ref.filename, reason=f"untrusted download host {host!r}")
        request = urllib.request.Request(url, headers={"Authorization": f"Bearer {self.client.token}"})
        try:
            with self._opener.open(request, timeout=self.timeout_s) as response:
                content_type = response.headers.get("Content-Type")
                data = self._read_limited(response, ref)
        except (urllib.error.URLError, OSError) as exc:
            raise AttachmentFetchFailed(filename=ref.filename, reason=f"download failed: {exc}") from exc
        if is_html_page(data, content_type) and ref.filetype != "html":
            raise AttachmentFetchFailed(
                filename=ref.filename,
                reason="Slack sent a web page instead of the file (is the bot token valid, with files:read?)",
            )
        logger.info("downloaded %s (%d bytes)", ref.filename, len(data))
        return Attachment(filename=ref.filename, data=data, content_type=ref.mimetype)

    def fetch_info(self, ref: SlackFile) -> SlackFile:
        """The full file object from ``files.info``, for events that carry only the file id.

        Raises:
            AttachmentFetchFailed: ``files.info`` failed.
        """
        try:
            response = self.client.files_info(file=ref.id)
        except SlackApiError as exc:
            reason = f"files.info: {exc.response.get('error')}"
            raise AttachmentFetchFailed(filename=ref.filename, reason=reason) from exc
        return SlackFile.model_validate(response["file"])

    def _read_limited(self, response: Any, ref: SlackFile) -> bytes:
        chunks: list[bytes] = []
        received = 0
        while chunk := response.read(CHUNK_BYTES):
            received += len(chunk)
            if received > self.max_bytes:
                raise AttachmentTooLarge(filename=ref.filename, size_bytes=received, limit_bytes=self.max_bytes)
            chunks.append(chunk)
        return b"".join(chunks)
