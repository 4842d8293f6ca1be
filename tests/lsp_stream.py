"""What the real-editor tests read: a teed LSP stream (a wrapper on PATH copies it), the server process."""

from __future__ import annotations

import json
from pathlib import Path


def lsp_messages(path: Path) -> list[dict]:
    """The JSON-RPC messages in a teed LSP stream (Content-Length framing, lengths in bytes)."""
    data = path.read_bytes() if path.exists() else b""
    messages, pos = [], 0
    while pos < len(data):
        head_end = data.find(b"\r\n\r\n", pos)
        if head_end < 0:
            break
        headers = dict(line.split(b": ", 1) for line in data[pos:head_end].split(b"\r\n"))
        length = int(headers[b"Content-Length"])
        body = data[head_end + 4:head_end + 4 + length]
        if len(body) < length:
            break  # cut short when the process ended
        messages.append(json.loads(body))
        pos = head_end + 4 + length
    return messages


def alive(pid: int) -> bool:
    """Whether process ``pid`` is running (a zombie is not)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, IndexError):
        return False
    return state != "Z"
