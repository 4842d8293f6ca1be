"""The incremental model of one Dockerfile: text, line index, instruction blocks, findings.

An edit re-parses from the block before it up to the first old block boundary
after it that the new parse lands on exactly; every block past that point is
kept with the analysis it carries.  Blocks, line starts and the blocks with
findings each live in a :class:`GapList`, so nothing past the edit is shifted: the
cost of a keystroke follows the size of the instruction being typed in, not the
size of the file.

Findings are folded incrementally too: each block remembers the stage
environment it was checked under, so an edit whose blocks change no stage
(FROM/ENV/ARG/USER) re-checks only its own blocks.  Other edits mark the fold
stale and the next :meth:`findings` refolds the file (a few dictionary
operations per instruction).  Only an edit in the
parser-directive header that changes the escape character re-parses everything.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from dataclasses import dataclass

from pip_cache_lsp.dockerfile import Directives, Instruction, iter_blocks, parse_directives
from pip_cache_lsp.facts import Facts
from pip_cache_lsp.findings import Finding, Hit
from pip_cache_lsp.gaplist import GapList
from pip_cache_lsp.memo import facts_of
from pip_cache_lsp.rules import Rule, registered
from pip_cache_lsp.stage import (
    Graph,
    Stage,
    changes_stage,
    file_hints,
    findings_of,
    fold,
    stage_hints,
    stage_hits,
    written_codes,
)
from pip_cache_lsp.suppress import FILE, Pragma, file_disabled, may_hold_pragma, pragmas
from pip_cache_lsp.text import LineIndex

_NEVER = sys.maxsize  # a chunk size that never yields: the synchronous parse


class Block:
    """What the model keeps of an instruction the rule has nothing on (most of them).

    Its extent, for the incremental parse, and the stage the fold carried past it.
    The parse itself -- logical text, source maps, the block's own copy of its
    source -- is dropped once analysed: it is what made a 10,000-line document cost
    2.5 MB.  What a plain block never has are class attributes, which cost nothing
    per block.  ``start`` is refreshed only by :attr:`Document.blocks`; the
    :class:`GapList` key is the live offset.
    """

    __slots__ = ("start", "length", "open_ended", "keyword", "stage")
    facts: Facts | None = None
    hits: tuple[Hit, ...] = ()
    hints: tuple[Hit, ...] = ()
    silenced: frozenset[str] = frozenset()
    instruction_offset = 0
    indent = ""

    def __init__(self, ins: Instruction) -> None:
        self.start = 0  # set by Document.blocks; an int object per block is not free
        self.length = ins.length
        self.open_ended = ins.open_ended
        self.keyword = ins.keyword
        self.stage: Stage | None = None


class RuleBlock(Block):
    """A block with facts (a RUN a rule matched, FROM, ENV, ARG, USER): what the fold needs."""

    __slots__ = ("facts", "hits", "hints", "silenced", "instruction_offset", "indent")

    def __init__(self, ins: Instruction, facts: Facts) -> None:
        super().__init__(ins)
        self.facts = facts
        self.hits = ()
        self.hints = ()
        self.silenced = frozenset()
        self.instruction_offset = ins.instruction_offset
        self.indent = ins.indent


class Prologue(Block):
    """The text before the first instruction, as a block: it holds the hints about file-level comments.

    Not in the document's blocks; :meth:`Document.blocks_with_findings` puts it first
    when it has hints (its offsets are the document's, it starts at 0).  One object per
    document, so the server's per-block cache keeps its diagnostics while they stay.
    """

    __slots__ = ("hints",)

    def __init__(self) -> None:  # no instruction: only what the fold's readers ask of a block
        self.start, self.length, self.open_ended, self.keyword = 0, 0, False, ""
        self.stage = None
        self.hints = ()


def _block(ins: Instruction) -> Block:
    facts = facts_of(ins)
    return Block(ins) if facts is None else RuleBlock(ins, facts)


@dataclass(slots=True)
class EditStats:
    """What the last edit cost: blocks parsed afresh, and whether it was a full parse."""

    reparsed: int = 0
    full: bool = False


class Document:
    """A Dockerfile that takes edits in code-point offsets and keeps its parse current."""

    def __init__(self, text: str, parse: bool = True, lone_cr: bool = True) -> None:
        """``parse=False`` keeps the text and its lines only: see :attr:`parsed`."""
        self.text = text
        self.lines = LineIndex(text, lone_cr)
        self.directives = Directives()
        self._blocks: GapList[Block] = GapList([], [])
        self._hits: GapList[Block] | None = None  # blocks with findings, when the fold is current
        self._graph = Graph()  # the stages and COPY --from edges the last fold saw
        self._honour_env = True
        self._codes: tuple[tuple[Rule, ...], frozenset[str]] = ((), frozenset())  # registered codes, per rules
        self._disabled: tuple[str, tuple[Rule, ...], frozenset[str]] | None = None  # file_disabled, per prologue
        self._file_pragmas: tuple[str, tuple[Rule, ...], tuple[Pragma, ...]] | None = None  # per prologue
        self._stage_pragmas = False  # a FROM has stage-level comments (known at each refold)
        self._prologue_block = Prologue()
        # The prologue, and where the first instruction's line ends: an edit past that changes nothing of it.
        self._prologue: tuple[str, int] | None = None
        self.last_edit = EditStats()
        self.parsed = False
        if parse:
            self._parse_all()

    def _parse_all(self) -> None:
        for _ in self.parse_steps(_NEVER):
            pass

    def parse_steps(self, chunk: int = 256) -> Iterator[None]:
        """Parse the whole text, yielding after every ``chunk`` instructions; commits at the end.

        Until the last step the document is as it was (a caller may drop the
        generator at any yield, e.g. when an edit arrives; an unparsed document then
        stays unparsed).  While :attr:`parsed` is false, edits change the text and the
        lines only, and there are no blocks or findings.
        """
        text = self.text
        directives = parse_directives(text)
        starts: list[int] = []
        blocks: list[Block] = []
        # each instruction is dropped once analysed: holding them all would make the collector
        # walk them again and again in a big file
        for count, ins in enumerate(iter_blocks(text, directives.end, directives.escape), 1):
            starts.append(ins.start)
            blocks.append(_block(ins))
            if count % chunk == 0:
                yield
        self.directives = directives
        self._blocks = GapList(starts, blocks)
        self._prologue = None
        self._hits = None
        self.last_edit = EditStats(len(blocks), True)
        self.parsed = True

    @property
    def blocks(self) -> list[Block]:
        """Every block in order, with ``start`` brought up to date (O(blocks); not for keystrokes)."""
        out = []
        for start, block in self._blocks.pairs(len(self.text)):
            block.start = start
            out.append(block)
        return out

    def replace(self, text: str, parse: bool = True) -> None:
        """Swap in a whole new text (a full-sync change or a resync); ``parse=False`` leaves it unparsed."""
        self.text = text
        self.lines = LineIndex(text, self.lines.lone_cr)
        self.parsed = False
        self._blocks = GapList([], [])
        self._prologue = None
        self._hits = None
        if parse:
            self._parse_all()

    def edit(self, start: int, end: int, new_text: str) -> None:
        """Replace ``text[start:end]`` with ``new_text``; offsets are code points."""
        old = self.text
        old_length = len(old)
        if not 0 <= start <= end <= old_length:
            raise ValueError(f"edit range {start}..{end} outside document of length {old_length}")
        text = old[:start] + new_text + old[end:]
        delta = len(new_text) - (end - start)
        self.text = text
        if self._prologue is not None and start <= self._prologue[1]:
            self._prologue = None
        self.lines.edit(text, start, end, len(new_text))
        if not self.parsed:
            return
        first_line = old.rfind("\n", 0, start) + 1
        nl = old.find("\n", end)
        after = old_length if nl < 0 else nl + 1  # first old line start past the edit
        if first_line <= self.directives.end:
            directives = parse_directives(text)
            if directives.escape != self.directives.escape:
                self._parse_all()
                return
            self.directives = directives
        blocks = self._blocks
        index = blocks.count_le(first_line, old_length)  # blocks starting at or before the edited line
        if index:  # the last of them is re-parsed too unless it ends before the edited line
            last = blocks.item(index - 1)
            if blocks.key(index - 1, old_length) + last.length > first_line or last.open_ended:
                index -= 1
        previous = blocks.item(index - 1) if index else None
        # Blocks before `keep` (old offsets) stay; parsing resumes at `resume` (new offsets). They
        # differ only when an edit in the directive header moved where the header ends.
        keep = blocks.key(index - 1, old_length) + previous.length if previous else 0
        resume = keep if previous else self.directives.end
        blocks.splice(keep, keep, [], [], old_length)  # gap at the edit: old blocks after it, in order
        stop = old_length + 1
        fresh: list[Block] = []
        starts: list[int] = []
        old_after = blocks.after_gap(old_length)
        pending = next(old_after, None)
        for ins in iter_blocks(text, resume, self.directives.escape):
            if ins.start >= after + delta:
                while pending is not None and pending[0] + delta < ins.start:
                    pending = next(old_after, None)
                if pending is not None and pending[0] + delta == ins.start:
                    stop = pending[0]
                    break
            fresh.append(_block(ins))
            starts.append(ins.start)
        removed = blocks.splice(keep, stop, starts, fresh, old_length)
        self.last_edit = EditStats(len(fresh), False)
        self._update_fold(keep, stop, removed, list(zip(starts, fresh, strict=True)), previous, old_length)

    def _prologue_end(self, length: int) -> int:
        """Where the first instruction's own line starts (after the comments above it)."""
        if not len(self._blocks):
            return length
        text, pos = self.text, self._blocks.key(0, length)
        while True:  # skip the block's leading comment lines
            nl = text.find("\n", pos)
            end = length if nl < 0 else nl + 1
            if not text[pos:end].lstrip().startswith("#"):
                return pos
            pos = end

    def _update_fold(self, start: int, stop: int, removed: list[Block], fresh: list[tuple[int, Block]],
                     previous: Block | None, old_length: int) -> None:
        """Re-check only the fresh blocks when none of them, old or new, changes a stage."""
        hits = self._hits
        if hits is None:
            return
        if any(map(changes_stage, removed)) or any(changes_stage(b) for _, b in fresh):
            self._hits = None
            return
        stage = previous.stage if previous is not None else None
        with_hits = [(at, b) for at, b in fresh if stage_hits(b, stage, self._honour_env)]
        hits.splice(start, stop, [at for at, _ in with_hits], [b for _, b in with_hits], old_length)

    @property
    def prologue(self) -> str:
        """The text before the first instruction: parser directives and file-level comments.

        Kept until an edit reaches the first instruction's line (what it depends on).
        """
        if self._prologue is None:
            text = self.text
            end = self._prologue_end(len(text))
            nl = text.find("\n", end)
            self._prologue = (text[:end], len(text) if nl < 0 else nl)
        return self._prologue[0]

    def blocks_with_findings(self, honour_env: bool = True) -> list[tuple[int, Block]]:
        """(start, block) of every block with hits or hints, in order; refolds only when stale.

        The prologue comes first when its file-level comments have hints.

        Adapters that cache per-block output (the server's diagnostics) iterate these rather
        than the flat finding list, and keep only the hits of :meth:`active_codes`.
        """
        length = len(self.text)
        if self._hits is None or honour_env != self._honour_env:
            self._graph = Graph()
            with_hits = fold(self._blocks.pairs(length), honour_env, self._graph)
            self._hits = GapList([start for start, _ in with_hits], [block for _, block in with_hits])
            self._honour_env = honour_env
            # FROMs change stages: between refolds none comes or goes
            self._stage_pragmas = any(b.facts is not None and b.facts.stage_base is not None and b.facts.pragmas
                                      for _, b in with_hits)
        pairs: list[tuple[int, Block]] = list(self._hits.pairs(length))
        written = self._written_codes
        if self._stage_pragmas:
            stage_hints(pairs, written)
        found = self.file_pragmas()
        if found:
            hints = file_hints(found, pairs, written)
            prologue = self._prologue_block
            prologue.hints = hints
            if hints:
                pairs.insert(0, (0, prologue))
        return pairs

    def _written_codes(self) -> dict[int, frozenset[str]]:
        """What hadolint's or KICS's stage and file comments are judged by (``stage.written_codes``)."""
        return written_codes(self._blocks.pairs(len(self.text)))

    def file_pragmas(self) -> tuple[Pragma, ...]:
        """The file-level suppression comments (in the prologue), kept while the prologue is unchanged."""
        if not len(self._blocks):
            return ()
        rules = registered()
        prologue = self.prologue
        cached = self._file_pragmas
        if cached is None or cached[0] != prologue or cached[1] != rules:
            # most prologues hold ``# syntax=`` or prose comments: one search for a tool's name turns them away
            found = pragmas(prologue, len(prologue), FILE, rules) if may_hold_pragma(prologue, len(prologue)) else ()
            cached = self._file_pragmas = (prologue, rules, found)
        return cached[2]

    def findings_in(self, start: int, block: Block, active: frozenset[str] | None = None) -> list[Finding]:
        """The findings of one block from :meth:`blocks_with_findings` (which must have run)."""
        return list(findings_of(start, block, active, self._graph))

    @property
    def graph(self) -> Graph:
        """The stages and COPY --from edges of the last fold (explanations read it on request)."""
        return self._graph

    def placement(self, block: Block) -> tuple[str, tuple[bool, ...]] | None:
        """What, beside its hits, a block's findings depend on: whether its stage reaches the final image."""
        return self._graph.placement(block)

    def active_codes(self, selected: frozenset[str] | None = None) -> frozenset[str]:
        """The rules reported in this document: ``selected`` (default all) minus those the file disables."""
        rules = registered()
        if selected is None:
            if self._codes[0] != rules:
                self._codes = (rules, frozenset(rule.code for rule in rules))
            codes = self._codes[1]
        else:
            codes = selected
        if not codes:
            return codes
        prologue = self.prologue
        cached = self._disabled
        if cached is None or cached[0] != prologue or cached[1] != rules:
            cached = self._disabled = (prologue, rules, file_disabled(prologue, rules))
        return codes - cached[2] if cached[2] else codes

    def findings(self, honour_env: bool = True, selected: frozenset[str] | None = None) -> list[Finding]:
        """Every finding of the rules in ``selected`` (default: every registered rule), in order."""
        active = self.active_codes(selected)
        if not active:
            return []
        return [f for start, block in self.blocks_with_findings(honour_env)
                for f in findings_of(start, block, active, self._graph)]
