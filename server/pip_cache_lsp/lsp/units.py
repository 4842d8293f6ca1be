"""Code points -> LSP columns, free of lsprotocol: :mod:`.positions` and :mod:`.early` share it."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pip_cache_lsp.document import Document

UTF8, UTF16, UTF32 = "utf-8", "utf-16", "utf-32"


def units(char: str, encoding: str) -> int:
    code = ord(char)
    if encoding == UTF16:
        return 2 if code > 0xFFFF else 1
    if encoding == UTF8:
        return 1 if code < 0x80 else 2 if code < 0x800 else 3 if code < 0x10000 else 4
    return 1


def line_character(doc: Document, offset: int, encoding: str) -> tuple[int, int]:
    """The LSP ``(line, character)`` of ``offset`` in ``encoding``."""
    line, column = doc.lines.position(offset)
    if encoding != UTF32 and column:
        prefix = doc.text[offset - column : offset]
        if not prefix.isascii():
            column = sum(units(c, encoding) for c in prefix)
    return line, column
