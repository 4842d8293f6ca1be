"""Framing and JSON-RPC checks, free of pygls and lsprotocol imports.

:mod:`.transport` reads every message with them, and :mod:`.early` reads the first
ones with them before pygls is loaded, so both read a stream alike.
"""

from __future__ import annotations

from typing import Any

MAX_CONTENT_LENGTH = 64 * 1024 * 1024  # a bigger message is refused unread (a 64 MB didOpen is read)
MAX_HEADER_LINE = 4096  # of a longer line (the tail of a damaged body) only the end is kept
HEADER = b"content-length"


def _valid_id(value: Any) -> bool:
    return type(value) is int or type(value) is str


def invalid_reason(data: Any) -> str | None:
    """Why ``data`` is not a JSON-RPC 2.0 message object (None: it is one)."""
    if isinstance(data, list):
        return "batches are not supported (LSP has none)" if data else "an empty array is not a message"
    if not isinstance(data, dict):
        return f"a message must be an object, not {type(data).__name__}"
    if data.get("jsonrpc") != "2.0":
        return f'"jsonrpc" must be "2.0", not {data.get("jsonrpc")!r}' if "jsonrpc" in data else '"jsonrpc" missing'
    if "id" in data and not _valid_id(data["id"]) and not (data["id"] is None and "error" in data):
        return f'"id" must be an integer or a string, not {type(data["id"]).__name__}'
    if "method" in data:
        if not isinstance(data["method"], str):
            return f'"method" must be a string, not {type(data["method"]).__name__}'
        if data.get("params") is not None and not isinstance(data["params"], (dict, list)):
            return f'"params" must be an object or an array, not {type(data["params"]).__name__}'
    elif "id" not in data or ("result" not in data and "error" not in data):
        return 'neither a request, a notification nor a response (no "method"; no "id" with "result"/"error")'
    return None


def header_line(line: bytes) -> tuple[bytes, bytes] | None:
    """``(name, value)`` of a header line, the name lower-cased; a line with a glued header is cut at it.

    A body shorter or longer than announced leaves its bytes in front of the next
    ``Content-Length`` on the same line; cutting there loses the damaged message only.
    """
    at = line.lower().rfind(HEADER)
    if at > 0:
        line = line[at:]
    name, colon, value = line.partition(b":")
    if not colon:
        return None
    return name.strip().lower(), value.strip()
