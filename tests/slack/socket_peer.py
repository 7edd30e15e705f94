"""A local Socket Mode peer: a small RFC 6455 WebSocket server speaking Slack's envelope protocol.

On connect it sends ``hello``; ``send`` delivers an ``events_api`` or ``interactive`` envelope and
``wait_ack`` returns the client's ``{"envelope_id": ...}`` acknowledgement; ``request_refresh`` sends
``disconnect`` (refresh_requested) and the client is expected to open a new connection.
"""

from __future__ import annotations

import base64
import hashlib
import json
import socket
import struct
import threading
import time
import uuid
from typing import Any

_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
OP_TEXT, OP_CLOSE, OP_PING, OP_PONG = 0x1, 0x8, 0x9, 0xA


def _recv_exact(sock: socket.socket, n: int) -> bytes:
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise ConnectionError("peer closed")
        data += chunk
    return data


def _frame(opcode: int, payload: bytes) -> bytes:
    head = bytes([0x80 | opcode])
    n = len(payload)
    if n < 126:
        head += bytes([n])
    elif n < 1 << 16:
        head += bytes([126]) + struct.pack(">H", n)
    else:
        head += bytes([127]) + struct.pack(">Q", n)
    return head + payload


class WsConnection:
    """One accepted client connection, read on its own thread."""

    def __init__(self, server: SocketModePeer, sock: socket.socket) -> None:
        self.server = server
        self.sock = sock
        self.path = ""
        self.open = False
        self._send_lock = threading.Lock()
        self.thread = threading.Thread(target=self._run, name="socket-mode-peer-conn", daemon=True)

    def send_text(self, text: str) -> None:
        with self._send_lock:
            self.sock.sendall(_frame(OP_TEXT, text.encode()))

    def _handshake(self) -> None:
        request = b""
        while b"\r\n\r\n" not in request:
            chunk = self.sock.recv(4096)
            if not chunk:
                raise ConnectionError("closed during handshake")
            request += chunk
        lines = request.decode("latin-1").split("\r\n")
        self.path = lines[0].split(" ")[1]
        headers = {k.strip().lower(): v.strip() for k, _, v in (ln.partition(":") for ln in lines[1:] if ln)}
        key = headers["sec-websocket-key"]
        accept = base64.b64encode(hashlib.sha1((key + _GUID).encode()).digest()).decode()
        self.sock.sendall(
            ("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
             f"Sec-WebSocket-Accept: {accept}\r\n\r\n").encode()
        )

    def _read_frame(self) -> tuple[int, bytes]:
        b1, b2 = _recv_exact(self.sock, 2)
        n = b2 & 0x7F
        if n == 126:
            n = struct.unpack(">H", _recv_exact(self.sock, 2))[0]
        elif n == 127:
            n = struct.unpack(">Q", _recv_exact(self.sock, 8))[0]
        mask = _recv_exact(self.sock, 4) if b2 & 0x80 else b"\0\0\0\0"
        payload = bytes(c ^ mask[i % 4] for i, c in enumerate(_recv_exact(self.sock, n)))
        return b1 & 0x0F, payload

    def _run(self) -> None:
        try:
            self._handshake()
            self.open = True
            self.server.connected(self)
            self.send_text(json.dumps({"type": "hello", "num_connections": 1,
                                       "debug_info": {"host": "applink-test", "approximate_connection_time": 3600},
                                       "connection_info": {"app_id": "A0QUOTE"}}))
            while True:
                opcode, payload = self._read_frame()
                if opcode == OP_PING:
                    with self._send_lock:
                        self.sock.sendall(_frame(OP_PONG, payload))
                elif opcode == OP_TEXT:
                    self.server.received(json.loads(payload))
                elif opcode == OP_CLOSE:
                    with self._send_lock:
                        self.sock.sendall(_frame(OP_CLOSE, payload[:2]))
                    break
        except (ConnectionError, OSError):
            pass
        finally:
            self.open = False
            self.server.disconnected(self)

    def close(self) -> None:
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.thread.join(timeout=5)
        self.sock.close()


class SocketModePeer:
    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(0.2)  # lets the accept loop notice close()
        self.port = self.listener.getsockname()[1]
        self.connections: list[WsConnection] = []
        self.acks: dict[str, dict[str, Any]] = {}
        self.urls_issued = 0
        self._cond = threading.Condition()
        self._closing = threading.Event()
        self._accept_thread = threading.Thread(target=self._accept_loop, name="socket-mode-peer", daemon=True)

    def __enter__(self) -> SocketModePeer:
        self._accept_thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._closing.set()
        self._accept_thread.join()
        self.listener.close()
        for conn in list(self.connections):
            conn.close()

    def url(self) -> str:
        """A fresh connection URL, as ``apps.connections.open`` issues one per call."""
        with self._cond:
            self.urls_issued += 1
        return f"ws://127.0.0.1:{self.port}/link/?ticket={uuid.uuid4()}&app_id=A0QUOTE"

    def _accept_loop(self) -> None:
        while not self._closing.is_set():
            try:
                sock, _ = self.listener.accept()
            except TimeoutError:
                continue
            sock.settimeout(None)
            conn = WsConnection(self, sock)
            with self._cond:
                self.connections.append(conn)
            conn.thread.start()

    def connected(self, conn: WsConnection) -> None:
        with self._cond:
            self._cond.notify_all()

    def disconnected(self, conn: WsConnection) -> None:
        with self._cond:
            self._cond.notify_all()

    def received(self, message: dict[str, Any]) -> None:
        with self._cond:
            if "envelope_id" in message:
                self.acks[message["envelope_id"]] = message
            self._cond.notify_all()

    def _wait(self, probe: Any, timeout_s: float, what: str) -> Any:
        deadline = time.monotonic() + timeout_s
        with self._cond:
            while (found := probe()) is None:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"timed out after {timeout_s}s waiting for {what}")
                self._cond.wait(left)
            return found

    def active(self, *, timeout_s: float = 20.0) -> WsConnection:
        """The newest open connection (waiting for one)."""
        return self._wait(lambda: next((c for c in reversed(self.connections) if c.open), None),
                          timeout_s, "an open Socket Mode connection")  # type: ignore[no-any-return]

    def send(self, kind: str, payload: dict[str, Any], *, retry_attempt: int = 0) -> str:
        envelope_id = str(uuid.uuid4())
        envelope: dict[str, Any] = {"envelope_id": envelope_id, "payload": payload, "type": kind,
                                    "accepts_response_payload": kind != "events_api"}
        if kind == "events_api":
            envelope.update(retry_attempt=retry_attempt, retry_reason="timeout" if retry_attempt else "")
        self.active().send_text(json.dumps(envelope))
        return envelope_id

    def wait_ack(self, envelope_id: str, *, timeout_s: float = 20.0) -> dict[str, Any]:
        return self._wait(lambda: self.acks.get(envelope_id), timeout_s,  # type: ignore[no-any-return]
                          f"the ack of envelope {envelope_id}")

    def request_refresh(self, *, timeout_s: float = 20.0) -> WsConnection:
        """Send ``disconnect`` (refresh_requested) and wait for the client's new connection."""
        old = self.active()
        old.send_text(json.dumps({"type": "disconnect", "reason": "refresh_requested",
                                  "debug_info": {"host": "applink-test"}}))
        return self._wait(lambda: next((c for c in reversed(self.connections) if c.open and c is not old), None),
                          timeout_s, "a new connection after refresh_requested")  # type: ignore[no-any-return]
