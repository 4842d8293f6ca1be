"""What the engine reports: a rule's match in a block (:class:`Hit`) and in the file (:class:`Finding`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pip_cache_lsp.rules import Rule

MISSING: object = object()  # a variable the command itself does not set


@dataclass(frozen=True, slots=True)
class Hit:
    """A command a rule matched, relative to its block, with what its own environment sets.

    ``env_value`` and ``cache_dir`` are the values of the rule's off and
    directory variables set by the command itself (inline, ``export``, ``env``),
    or :data:`MISSING`: the stage's then apply.
    """

    rule: Rule
    start: int
    end: int
    insert_at: int
    insert_text: str
    env_value: object = MISSING
    cache_dir: object = MISSING


@dataclass(frozen=True, slots=True)
class Finding:
    """One reported command, in absolute code-point offsets, with its fix."""

    rule: Rule
    start: int
    end: int
    insert_at: int
    insert_text: str
    instruction_at: int  # start of the instruction's first line (for an ignore comment)
    indent: str

    @property
    def code(self) -> str:
        return self.rule.code

    @property
    def message(self) -> str:
        return self.rule.message

    @property
    def severity(self) -> str:
        """The rule's default severity; settings may override it."""
        return self.rule.severity
