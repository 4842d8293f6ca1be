"""The incremental model of one Dockerfile: text, line index, instruction blocks.

An edit re-parses from the block before it up to the first old block boundary
after it that the new parse lands on exactly; every block past that point is
kept, shifted by the edit's length delta (one integer each), together with the
analysis cached on it.  Only an edit that touches the parser directives at the
top so that the escape character changes re-parses the whole file.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass

from pip_cache_lsp.dockerfile import Directives, Instruction, iter_blocks, parse_directives
from pip_cache_lsp.rule import Finding, check
from pip_cache_lsp.text import LineIndex


@dataclass(slots=True)
class EditStats:
    """What the last edit cost: blocks parsed afresh, and whether it was a full parse."""

    reparsed: int = 0
    full: bool = False


class Document:
    """A Dockerfile that takes edits in code-point offsets and keeps its parse current."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.lines = LineIndex(text)
        self.directives = Directives()
        self.blocks: list[Instruction] = []
        self.last_edit = EditStats()
        self._parse_all()

    def _parse_all(self) -> None:
        self.directives = parse_directives(self.text)
        self.blocks = list(iter_blocks(self.text, self.directives.end, self.directives.escape))
        self.last_edit = EditStats(len(self.blocks), True)

    def replace(self, text: str) -> None:
        """Swap in a whole new text (a full-sync change or a resync)."""
        self.text = text
        self.lines = LineIndex(text)
        self._parse_all()

    def edit(self, start: int, end: int, new_text: str) -> None:
        """Replace ``text[start:end]`` with ``new_text``; offsets are code points."""
        old = self.text
        if not 0 <= start <= end <= len(old):
            raise ValueError(f"edit range {start}..{end} outside document of length {len(old)}")
        text = old[:start] + new_text + old[end:]
        delta = len(new_text) - (end - start)
        self.text = text
        self.lines.edit(text, start, end, len(new_text))
        first_line = old.rfind("\n", 0, start) + 1
        nl = old.find("\n", end)
        after = len(old) if nl < 0 else nl + 1  # first old line start past the edit
        if first_line <= self.directives.end:
            directives = parse_directives(text)
            if directives.escape != self.directives.escape:
                self._parse_all()
                return
            self.directives = directives
        blocks = self.blocks
        i = bisect_right(blocks, first_line, key=lambda b: b.end)
        if i > 0 and blocks[i - 1].open_ended:
            i -= 1
        resume = blocks[i - 1].end if i > 0 else self.directives.end
        k = i
        fresh: list[Instruction] = []
        tail: list[Instruction] = []
        for block in iter_blocks(text, resume, self.directives.escape):
            if block.start >= after + delta:
                while k < len(blocks) and blocks[k].start + delta < block.start:
                    k += 1
                if k < len(blocks) and blocks[k].start + delta == block.start:
                    tail = blocks[k:]
                    for kept in tail:
                        kept.start += delta
                    break
            fresh.append(block)
        self.blocks = blocks[:i] + fresh + tail
        self.last_edit = EditStats(len(fresh), False)

    @property
    def prologue(self) -> str:
        """The text before the first instruction: parser directives and file-level comments."""
        if not self.blocks:
            return self.text
        first = self.blocks[0]
        return self.text[: first.start + first.instruction_offset]

    def findings(self, honour_env: bool = True) -> list[Finding]:
        return check(self.blocks, self.prologue, honour_env)
