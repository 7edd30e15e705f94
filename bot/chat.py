"""The terminal channel: one thread, the same pipeline and store as Slack and email.

Lines typed are messages; ``/attach PATH`` attaches a drawing; ``/quit`` (or end of input) leaves.
When stdin is not a terminal, each line of stdin is one message, so a conversation can be scripted.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import TextIO

from bot.filenames import safe_filename
from bot.models import Attachment, Channel, InboundMessage, RenderedReply, ThreadKey
from bot.pipeline import Deps, deliver, handle, recover

PROMPT = "you> "


class ConsoleSender:
    """Prints replies; their files (preview, chart, quote PDF) are saved under ``files_dir``."""

    def __init__(self, out: TextIO, *, files_dir: Path | None = None) -> None:
        self.out = out
        self.files_dir = files_dir

    def send(self, reply: RenderedReply) -> None:
        body = reply.text.rstrip("\n")
        if reply.files and self.files_dir is not None:
            folder = self.files_dir / safe_filename(reply.in_reply_to.replace(":", "-"), default="reply")
            folder.mkdir(parents=True, exist_ok=True)
            saved = [folder / safe_filename(f.filename) for f in reply.files]
            for f, path in zip(reply.files, saved, strict=True):
                path.write_bytes(f.data)
            body += "\n\nAttached: " + ", ".join(str(path) for path in saved)
        self.out.write("quotebot> " + body.replace("\n", "\n          ") + "\n\n")
        self.out.flush()


def to_inbound_message(
    *, thread: ThreadKey, text: str, attachments: tuple[Attachment, ...], deps: Deps
) -> InboundMessage:
    return InboundMessage(
        thread=thread,
        dedupe_key=f"chat:{uuid.uuid4()}",
        sender="terminal",
        text=text,
        attachments=attachments,
        received_at=deps.now(),
    )


def load_attachment(path: str, *, max_bytes: int | None = None) -> Attachment | str:
    """The file as an Attachment, or a message saying why it could not be opened.

    A file larger than ``max_bytes`` is not read; it comes back empty with ``fetch_error="too-large"``, and the
    reply says so (as on Slack, where such a file is not downloaded).
    """
    file = Path(path).expanduser()
    try:
        if max_bytes is not None and file.stat().st_size > max_bytes:
            return Attachment(filename=file.name, data=b"", fetch_error="too-large")
        return Attachment(filename=file.name, data=file.read_bytes())
    except OSError as exc:
        return f"cannot open {path!r}: {exc.strerror}"


def run_chat(
    deps: Deps, *, thread: str, attach: list[str], stdin: TextIO, stdout: TextIO, files_dir: Path | None = None
) -> int:
    key = ThreadKey(channel=Channel.CHAT, id=thread)
    sender = ConsoleSender(stdout, files_dir=files_dir)
    interactive = stdin.isatty()
    recover(deps, thread=key)
    deliver(deps.store, sender, thread=key)
    if interactive:
        stdout.write(f"quotebot chat, thread {thread!r}. /attach PATH to send a drawing, /quit to leave.\n\n")

    def send(text: str, paths: list[str]) -> None:
        files: list[Attachment] = []
        for path in paths:
            loaded = load_attachment(path, max_bytes=deps.limits.max_attachment_bytes)
            if isinstance(loaded, str):
                stdout.write(f"quotebot> I {loaded}\n\n")
                continue
            files.append(loaded)
        if not text.strip() and not files:
            return
        handle(to_inbound_message(thread=key, text=text, attachments=tuple(files), deps=deps), deps)
        deliver(deps.store, sender, thread=key)

    if attach:
        for path in attach:
            stdout.write(f"{PROMPT}/attach {path}\n")
        send("", attach)
    while True:
        if interactive:
            stdout.write(PROMPT)
            stdout.flush()
        line = stdin.readline()
        if not line:
            break
        line = line.rstrip("\n")
        if not interactive and line.strip():
            stdout.write(f"{PROMPT}{line}\n")
        if line.strip() in ("/quit", "/exit"):
            break
        if line.startswith("/attach"):
            send("", [p for p in line.split(maxsplit=1)[1:]])
        else:
            send(line, [])
    return 0


