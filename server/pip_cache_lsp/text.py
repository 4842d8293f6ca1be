"""Offsets inside the core are code-point indexes into a Python ``str``.

This module is the only place that knows how text splits into lines, in one of
two models.  ``lone_cr=True``: lines end at ``\\n``, ``\\r\\n`` or a lone ``\\r``, the
three terminators the Language Server Protocol names, and the ones VS Code's text
model counts.  ``lone_cr=False``: lines end at ``\\n`` only (a ``\\r`` before it
belongs to the terminator, a lone one is a character), as BuildKit, git, grep,
Neovim and Emacs count them.  The CLI's reports use the second; the language
server picks per client (``lsp/session.py``).  The Dockerfile parser has its own,
BuildKit-faithful notion of lines and never uses this index.
"""

from __future__ import annotations

import re
from itertools import accumulate

from pip_cache_lsp.gaplist import GapList

_EOL = re.compile(r"\r\n|\r|\n")
_LF = re.compile(r"\n")


def line_starts(text: str, start: int = 0, end: int | None = None, lone_cr: bool = True) -> list[int]:
    """Offsets of the lines beginning after a terminator in ``text[start:end]``."""
    if start == 0 and end is None and (not lone_cr or "\r" not in text):  # the whole-text case, at C speed
        return list(accumulate(len(line) + 1 for line in text.split("\n")))[:-1]
    return [m.end() for m in (_EOL if lone_cr else _LF).finditer(text, start, len(text) if end is None else end)]


class LineIndex:
    """Maps offsets to (line, column) and back; columns count code points.

    Line starts live in a :class:`GapList`, so :meth:`edit` re-scans only the lines
    an edit touched and shifts nothing: a keystroke costs the same in a 20-line and
    a 10,000-line file.  They are found when first needed, not before: a document
    without findings is never asked (the CLI locates findings only), and splitting a
    text into lines costs some 4-6% of checking it.  Until then :meth:`line_of` and
    :meth:`position` count line breaks instead, from the offset they last answered
    (findings are located in order), which costs a C-speed scan of the text between
    them: the diagnostics of a newly opened 10,000-line file, or a file's few
    findings, never split it.  Lines end at ``\n`` only in that mode; a text a lone
    ``\r`` may end lines of is split at once.
    """

    __slots__ = ("_starts", "_text", "_length", "lone_cr", "_at", "_line", "_counted")

    def __init__(self, text: str, lone_cr: bool = True) -> None:
        self.lone_cr = lone_cr
        self._starts: GapList[None] | None = None
        self._text = text  # until the lines are found
        self._length = len(text)
        self._at = self._line = 0  # the offset line_of last answered by counting, and its line
        self._counted = 0  # characters counted so far: past a few passes over the text, it is split

    def _lines(self) -> GapList[None]:
        starts = self._starts
        if starts is None:
            starts = self._starts = GapList([0, *line_starts(self._text, lone_cr=self.lone_cr)])
            self._text = ""
        return starts

    def _count(self, offset: int) -> int | None:
        """``line_of(offset)`` by counting ``\n`` from the last answer; None: ask the split lines."""
        text = self._text
        if self._starts is not None or self._counted > 4 * len(text) or (self.lone_cr and "\r" in text):
            return None
        at = self._at
        if offset >= at:
            line = self._line + text.count("\n", at, offset)
            self._counted += offset - at
        else:
            line = text.count("\n", 0, offset)
            self._counted += offset
        self._at, self._line = offset, line
        return line

    @property
    def starts(self) -> list[int]:
        """Every line start, in order (materialised; for tests and diagnostics)."""
        return self._lines().offsets(self._length)

    @property
    def line_count(self) -> int:
        return len(self._lines())

    def line_start(self, line: int) -> int:
        return self._lines().key(line, self._length)

    def line_of(self, offset: int) -> int:
        line = self._count(offset) if self._starts is None else None
        return self._lines().count_le(offset, self._length) - 1 if line is None else line

    def position(self, offset: int) -> tuple[int, int]:
        line = self._count(offset) if self._starts is None else None
        if line is not None:  # counted: the line starts after the last break before the offset
            return line, offset - self._text.rfind("\n", 0, offset) - 1
        line = self.line_of(offset)
        return line, offset - self.line_start(line)

    def content_end(self, text: str, line: int) -> int:
        """The offset where ``line``'s terminator (or the text) begins."""
        start = self.line_start(line)
        end = self.line_start(line + 1) if line + 1 < self.line_count else len(text)
        if end > start and text[end - 1] == "\n":
            end -= 1
            if end > start and text[end - 1] == "\r":
                end -= 1
        elif self.lone_cr and end > start and text[end - 1] == "\r":
            end -= 1
        return end

    def edit(self, new_text: str, start: int, old_end: int, inserted: int) -> None:
        """Update after ``old[start:old_end]`` became ``inserted`` characters of ``new_text``.

        A ``\\r`` just before the edit may pair with an inserted ``\\n`` (or lose its
        partner), so the re-scan starts one character early and runs one late.
        """
        if self._starts is None:  # no line found yet: they will be found in the new text
            self._text = new_text
            self._length = len(new_text)
            self._at = self._line = 0
            return
        scan_from = max(start - 1, 0)
        scan_to = min(start + inserted + 1, len(new_text))
        fresh = line_starts(new_text, start=scan_from, end=min(scan_to + 1, len(new_text)), lone_cr=self.lone_cr)
        fresh = [s for s in fresh if scan_from < s <= scan_to]
        # old starts in (scan_from, old_end + 1] are replaced; later ones sit in untouched text
        self._starts.splice(scan_from + 1, old_end + 2, fresh, None, self._length)
        self._length = len(new_text)
