"""What an instruction contributes, remembered by its text across the documents of a batch.

A repository's Dockerfiles repeat one another: of the 9,381 instructions in the 399
real Dockerfiles of the test corpus, 40% are byte for byte an instruction of an earlier
file (31% of the RUNs).  :func:`pip_cache_lsp.facts.analyze` depends on nothing but the
instruction's own text (``Instruction.start`` is its only absolute field, and every
other one is read from the block's text, the escape character, and whether the block
starts the file) and on the registered rules, so ``check`` asks this memo first.

Only ``check`` turns it on (:func:`remember`), in each of its processes.  The language
server does not: its incremental model already re-reads only the instruction an edit
touches, and typing a character and deleting it again would be answered from here, which
would flatter the keystroke figures without helping a real edit.

The facts are shared between documents, which is safe because nothing changes a
:class:`~pip_cache_lsp.facts.Facts` once built (the fold and the fixes build new ones).
"""

from __future__ import annotations

from pip_cache_lsp.dockerfile import Instruction
from pip_cache_lsp.facts import Facts, analyze
from pip_cache_lsp.rules import Rule, registered

# What the memo may hold, in characters of instruction text (the keys keep the texts alive
# after their documents are gone): about 64 MB of str at most, then it starts again.
LIMIT = 32_000_000
LONGEST = 65_536  # a longer instruction is read afresh (a generated or hostile file)


class FactsMemo:
    """``analyze`` with its answers kept by instruction text."""

    def __init__(self, limit: int = LIMIT) -> None:
        self.limit = limit
        self.size = 0  # characters held
        self.rules: tuple[Rule, ...] = ()  # the registry the answers were read under
        self.known: dict[tuple[str, str, bool], Facts | None] = {}

    def __call__(self, ins: Instruction) -> Facts | None:
        text = ins.text
        if len(text) > LONGEST:
            return analyze(ins)
        rules = registered()
        if rules is not self.rules:  # a rule came or went (tests, plugins): every answer may differ
            self.known.clear()
            self.size = 0
            self.rules = rules
        key = (text, ins.escape, ins.start == 0)  # a file's first block may start with a BOM
        try:
            return self.known[key]
        except KeyError:
            pass
        facts = analyze(ins)
        if self.size + len(text) > self.limit:
            self.known.clear()
            self.size = 0
        self.known[key] = facts
        self.size += len(text)
        return facts


_memo: FactsMemo | None = None


def remember(on: bool = True) -> None:
    """Turn the memo on (a fresh one) or off for this process."""
    global _memo
    _memo = FactsMemo() if on else None


def facts_of(ins: Instruction) -> Facts | None:
    """:func:`analyze`, through the memo when :func:`remember` turned it on."""
    memo = _memo
    return analyze(ins) if memo is None else memo(ins)
