"""The one place where code-point offsets meet LSP positions.

The core counts code points; an LSP client counts UTF-16 code units unless it
negotiated ``utf-8`` or ``utf-32`` at initialize.  Every conversion in either
direction goes through :class:`PositionCodec`, so a line holding emoji or
accented letters maps the same way for diagnostics, edits and requests.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from lsprotocol import types

from pip_cache_lsp.lsp.units import UTF8, UTF16, UTF32, line_character
from pip_cache_lsp.lsp.units import units as _units

if TYPE_CHECKING:
    from pip_cache_lsp.document import Document

__all__ = ["UTF8", "UTF16", "UTF32", "PositionCodec"]


class PositionCodec:
    """Converts between document offsets and positions in one negotiated encoding."""

    __slots__ = ("encoding",)

    def __init__(self, encoding: str = UTF16) -> None:
        self.encoding = encoding if encoding in (UTF8, UTF16, UTF32) else UTF16

    def position(self, doc: Document, offset: int) -> types.Position:
        line, column = line_character(doc, offset, self.encoding)
        return types.Position(line=line, character=column)

    def range(self, doc: Document, start: int, end: int) -> types.Range:
        return types.Range(start=self.position(doc, start), end=self.position(doc, end))

    def offset(self, doc: Document, position: types.Position) -> int:
        """The offset of ``position``; past a line's end or the text's end it clamps, as LSP says."""
        lines = doc.lines
        if position.line >= lines.line_count:
            return len(doc.text)
        start = lines.line_start(position.line)
        end = lines.content_end(doc.text, position.line)
        content = doc.text[start:end]
        if self.encoding == UTF32 or content.isascii():
            return start + min(position.character, len(content))
        units = 0
        for index, char in enumerate(content):
            if units >= position.character:
                return start + index
            units += _units(char, self.encoding)
        return end
