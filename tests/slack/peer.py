"""A local Slack Web API peer: the endpoints quotebot calls, token checks, recorded calls, file downloads.

Wire format as in slack-bolt's and python-slack-sdk's mock servers: every method answers HTTP 200 with a
JSON body holding ``ok`` (and ``error`` when not ok); arguments come as a query string, a form or JSON.
File downloads answer a request without the bot token with HTTP 200 and an HTML sign-in page, as Slack does.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, TypeVar
from urllib.parse import parse_qsl

T = TypeVar("T")

BOT_TOKEN = "xoxb-0000-quotebot-test"
APP_TOKEN = "xapp-1-quotebot-test"
BOT_USER = "UQUOTEBOT"
BOT_ID = "BQUOTEBOT"
TEAM = "T0QUOTE"
APP_ID = "A0QUOTE"
SIGN_IN_PAGE = b"<!DOCTYPE html><html><head><title>Slack</title></head><body>Sign in to Slack</body></html>"


@dataclass
class Call:
    method: str
    args: dict[str, Any]
    token: str | None


@dataclass
class PeerFile:
    id: str
    name: str
    data: bytes
    sign_in_page: bool = False  # serve the HTML sign-in page even with the right token (token lacks files:read)
    downloads: int = 0
    meta: dict[str, Any] = field(default_factory=dict)


class SlackPeer:
    """Run with ``with SlackPeer() as peer``; point WebClient(base_url=peer.api_url) at it."""

    def __init__(self, *, socket_mode_url: Callable[[], str] | None = None) -> None:
        self.socket_mode_url = socket_mode_url
        self.calls: list[Call] = []
        self.messages: dict[tuple[str, str], dict[str, Any]] = {}
        self.files: dict[str, PeerFile] = {}
        self.uploads: dict[str, bytes] = {}
        self._ts = itertools.count(1)
        self._ids = itertools.count(1)
        self._changed = threading.Condition()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _make_handler(self))
        self.base_url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, name="slack-peer", daemon=True)

    @property
    def api_url(self) -> str:
        return self.base_url + "/api/"

    def __enter__(self) -> SlackPeer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self._thread.join()

    # -- what tests set up --------------------------------------------------------------------------------
    def next_ts(self) -> str:
        return f"1764201{next(self._ts):03d}.000{next(self._ids):03d}"

    def add_file(self, name: str, data: bytes, *, sign_in_page: bool = False, check_file_info: bool = False,
                 size: int | None = None) -> dict[str, Any]:
        """Host a file; returns the file object as an event carries it."""
        file_id = f"F{next(self._ids):08d}"
        url = f"{self.base_url}/files-pri/{TEAM}-{file_id}/download/{name}"
        meta: dict[str, Any] = {
            "id": file_id, "name": name, "title": name, "mimetype": "application/octet-stream",
            "filetype": name.rsplit(".", 1)[-1], "size": len(data) if size is None else size,
            "url_private": url, "url_private_download": url,
        }
        self.files[file_id] = PeerFile(id=file_id, name=name, data=data, sign_in_page=sign_in_page, meta=meta)
        return {"id": file_id, "mode": "hidden_by_limit", "file_access": "check_file_info"} if check_file_info else meta

    def user_message(self, *, channel: str, text: str, user: str = "U0BUYER", thread_ts: str | None = None,
                     files: list[dict[str, Any]] | None = None) -> dict[str, Any]:
        """Record a message a person wrote; returns it (the ``event`` fields Slack would send)."""
        ts = self.next_ts()
        message: dict[str, Any] = {"type": "message", "user": user, "text": text, "ts": ts, "channel": channel,
                                   "team": TEAM, "client_msg_id": f"cm-{ts}"}
        if thread_ts:
            message["thread_ts"] = thread_ts
        if files:
            message["files"] = files
            message["subtype"] = "file_share"
        with self._changed:
            self.messages[(channel, ts)] = message
        return dict(message)

    # -- what tests read ----------------------------------------------------------------------------------
    def calls_to(self, method: str) -> list[Call]:
        with self._changed:
            return [c for c in self.calls if c.method == method]

    def wait_for(self, probe: Callable[[], T | None], *, timeout_s: float = 30.0, what: str = "") -> T:
        """Block until ``probe()`` returns something (re-checked on every recorded call), or fail."""
        deadline = time.monotonic() + timeout_s
        with self._changed:
            while (found := probe()) is None:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"timed out after {timeout_s}s waiting for {what or probe}; "
                                         f"calls: {[c.method for c in self.calls]}")
                self._changed.wait(left)
            return found

    def thread(self, channel: str, thread_ts: str) -> list[dict[str, Any]]:
        """Messages in a thread, oldest first (the root included)."""
        with self._changed:
            found = [m for (c, _), m in self.messages.items()
                     if c == channel and (m["ts"] == thread_ts or m.get("thread_ts") == thread_ts)]
        return sorted(found, key=lambda m: float(m["ts"]))

    def bot_replies(self, channel: str, thread_ts: str) -> list[dict[str, Any]]:
        return [m for m in self.thread(channel, thread_ts) if m.get("bot_id") == BOT_ID]

    # -- the Web API ---------------------------------------------------------------------------------------
    def api(self, method: str, args: dict[str, Any], token: str | None) -> dict[str, Any]:
        with self._changed:
            self.calls.append(Call(method, args, token))
            try:
                expected = APP_TOKEN if method == "apps.connections.open" else BOT_TOKEN
                if token is None:
                    return {"ok": False, "error": "not_authed"}
                if token != expected:
                    return {"ok": False, "error": "invalid_auth"}
                handler = getattr(self, "_" + method.replace(".", "_"), None)
                if handler is None:
                    return {"ok": False, "error": "unknown_method"}
                result: dict[str, Any] = handler(args)
                return result
            finally:
                self._changed.notify_all()

    def _auth_test(self, args: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "url": "https://quotebot-test.slack.com/", "team": "Quotebot Test", "user": "quotebot",
                "team_id": TEAM, "user_id": BOT_USER, "bot_id": BOT_ID, "is_enterprise_install": False}

    def _apps_connections_open(self, args: dict[str, Any]) -> dict[str, Any]:
        if self.socket_mode_url is None:
            return {"ok": False, "error": "not_allowed_token_type"}
        return {"ok": True, "url": self.socket_mode_url()}

    def _bot_message(self, channel: str, ts: str, args: dict[str, Any]) -> dict[str, Any]:
        blocks = args.get("blocks")
        if isinstance(blocks, str):
            blocks = json.loads(blocks)
        message = {"type": "message", "user": BOT_USER, "bot_id": BOT_ID, "app_id": APP_ID, "team": TEAM,
                   "text": args.get("text", ""), "ts": ts, "blocks": blocks or []}
        if args.get("thread_ts"):
            message["thread_ts"] = str(args["thread_ts"])
        return message

    def _chat_postMessage(self, args: dict[str, Any]) -> dict[str, Any]:  # noqa: N802 (Slack's method name)
        channel = args.get("channel")
        if not channel or not (args.get("text") or args.get("blocks")):
            return {"ok": False, "error": "no_text" if channel else "channel_not_found"}
        ts = self.next_ts()
        message = self._bot_message(str(channel), ts, args)
        self.messages[(str(channel), ts)] = message
        return {"ok": True, "channel": channel, "ts": ts, "message": message}

    def _chat_update(self, args: dict[str, Any]) -> dict[str, Any]:
        key = (str(args.get("channel")), str(args.get("ts")))
        if key not in self.messages:
            return {"ok": False, "error": "message_not_found"}
        old = self.messages[key]
        if old.get("bot_id") != BOT_ID:
            return {"ok": False, "error": "cant_update_message"}
        message = self._bot_message(key[0], key[1], {**args, "thread_ts": old.get("thread_ts")})
        message["edited"] = {"user": BOT_USER, "ts": self.next_ts()}
        self.messages[key] = message
        return {"ok": True, "channel": key[0], "ts": key[1], "text": message["text"], "message": message}

    def _chat_delete(self, args: dict[str, Any]) -> dict[str, Any]:
        key = (str(args.get("channel")), str(args.get("ts")))
        if self.messages.pop(key, None) is None:
            return {"ok": False, "error": "message_not_found"}
        return {"ok": True, "channel": key[0], "ts": key[1]}

    def _conversations_replies(self, args: dict[str, Any]) -> dict[str, Any]:
        found = [m for (c, _), m in self.messages.items() if c == args.get("channel")
                 and (m["ts"] == args.get("ts") or m.get("thread_ts") == args.get("ts"))]
        if not found:
            return {"ok": False, "error": "thread_not_found"}
        return {"ok": True, "messages": sorted(found, key=lambda m: float(m["ts"])), "has_more": False}

    def _files_info(self, args: dict[str, Any]) -> dict[str, Any]:
        f = self.files.get(str(args.get("file")))
        return {"ok": True, "file": f.meta} if f else {"ok": False, "error": "file_not_found"}

    def _reactions_add(self, args: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True} if args.get("name") and args.get("timestamp") else {"ok": False, "error": "no_item"}

    def _files_getUploadURLExternal(self, args: dict[str, Any]) -> dict[str, Any]:  # noqa: N802
        file_id = f"F{next(self._ids):08d}"
        return {"ok": True, "upload_url": f"{self.base_url}/upload/{file_id}", "file_id": file_id}

    def _files_completeUploadExternal(self, args: dict[str, Any]) -> dict[str, Any]:  # noqa: N802
        files = args.get("files")
        items = json.loads(files) if isinstance(files, str) else files or []
        missing = [i["id"] for i in items if i["id"] not in self.uploads]
        if missing:
            return {"ok": False, "error": "file_not_found"}
        return {"ok": True, "files": [{"id": i["id"], "title": i.get("title", "")} for i in items]}

    def download(self, file_id: str, token: str | None) -> tuple[str, bytes]:
        with self._changed:
            f = self.files.get(file_id)
            self.calls.append(Call("download", {"file": file_id}, token))
            self._changed.notify_all()
            if f is None:
                return "text/html", SIGN_IN_PAGE
            f.downloads += 1
            if token != BOT_TOKEN or f.sign_in_page:
                return "text/html; charset=utf-8", SIGN_IN_PAGE
            return "application/octet-stream", f.data


def _make_handler(peer: SlackPeer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass

        def _token(self, args: dict[str, Any]) -> str | None:
            auth = self.headers.get("Authorization", "")
            if auth.startswith("Bearer "):
                return auth.removeprefix("Bearer ")
            token = args.pop("token", None)
            return str(token) if token else None

        def _body(self) -> bytes:
            return self.rfile.read(int(self.headers.get("Content-Length") or 0))

        def _args(self, body: bytes, query: str) -> dict[str, Any]:
            args: dict[str, Any] = dict(parse_qsl(query))
            ctype = self.headers.get("Content-Type", "")
            if body and ctype.startswith("application/json"):
                args.update(json.loads(body))
            elif body and ctype.startswith("application/x-www-form-urlencoded"):
                args.update(parse_qsl(body.decode()))
            return args

        def _reply(self, status: int, ctype: str, data: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _route(self) -> None:
            path, _, query = self.path.partition("?")
            body = self._body()
            if path.startswith("/api/"):
                args = self._args(body, query)
                result = peer.api(path.removeprefix("/api/"), args, self._token(args))
                self._reply(200, "application/json; charset=utf-8", json.dumps(result).encode())
            elif path.startswith("/files-pri/"):
                file_id = path.split("/")[2].split("-", 1)[-1]
                ctype, data = peer.download(file_id, self._token({}))
                self._reply(200, ctype, data)
            elif path.startswith("/upload/") and self.command == "POST":
                with peer._changed:
                    peer.uploads[path.removeprefix("/upload/")] = body
                self._reply(200, "text/plain", f"OK - {len(body)}".encode())
            else:
                self._reply(404, "text/plain", b"not found")

        do_GET = _route
        do_POST = _route

    return Handler
