"""What the engine reports: a rule's match in a block (:class:`Hit`) and in the file (:class:`Finding`)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pip_cache_lsp.rules import Rule

MISSING: object = object()  # a variable the command itself does not set


@dataclass(slots=True)
class Hit:
    """A command a rule matched, relative to its block, with what its own environment sets.

    ``env_value`` and ``cache_dir`` are the values of the rule's off and
    directory variables set by the command itself (inline, ``export``, ``env``),
    or :data:`MISSING`: the stage's then apply.  Never changed once built, but not
    ``frozen``: a frozen ``__init__`` sets each of the 16 fields through ``object.__setattr__``.
    """

    rule: Rule
    start: int
    end: int
    insert_at: int
    insert_text: str
    env_value: object = MISSING
    cache_dir: object = MISSING
    shell_value: object = MISSING  # the off variable as a plain shell assignment before the command set it
    removed: tuple[str, ...] = ()  # paths an ``rm -r`` later in the same RUN always removes
    cleaned: bool = False  # the tool's own cleanup (``pip cache purge``) always runs later in the RUN
    note: str | None = None  # why a cleanup later in the RUN still leaves the cache
    message: str | None = None  # the match's own message, when not the rule's
    ignores_variables: bool = False  # the tool reads neither variable (``pip --isolated``)
    config: tuple[str, ...] = ()  # configuration keys that turn this command's cache off
    configured: tuple[tuple[str, str | None], ...] = ()  # configuration written earlier in the same RUN
    # The names of the stage's environment that reach the command (``sudo`` resets it, ``env -i``
    # clears it); None: all of them.
    kept: frozenset[str] | None = None
    fix_end: int | None = None  # the fix replaces ``insert_at:fix_end`` (a hint's removal); None: inserts


@dataclass(slots=True, unsafe_hash=True)
class Finding:
    """One reported command, in absolute code-point offsets, with its fix.

    Never changed once built, and hashed as a frozen one is; not ``frozen``, whose ``__init__``
    sets its eleven fields through ``object.__setattr__`` (1.6 µs against 0.2): ``findings()``
    builds every finding of the document again after each edit.
    """

    rule: Rule
    start: int
    end: int
    insert_at: int
    insert_text: str
    instruction_at: int  # start of the instruction's first line (for an ignore comment)
    indent: str
    builder_stage: str | None = None  # the stage's name when it never reaches the final image
    note: str | None = None
    headline: str | None = None  # the match's own message, when not the rule's
    fix_end: int | None = None  # the fix replaces ``insert_at:fix_end`` (a hint's removal); None: inserts

    @property
    def code(self) -> str:
        return self.rule.code

    @property
    def message(self) -> str:
        base = self.headline or self.rule.message
        message = base if self.note is None else f"{base} ({self.note})"
        if self.builder_stage is None:
            return message
        return f"{message} (stage '{self.builder_stage}' is not part of the final image)"

    @property
    def severity(self) -> str:
        """The rule's default severity; settings may override it."""
        return self.rule.severity


RANK = {"hint": -1, "info": 0, "warning": 1, "error": 2}  # for --failure-threshold


def under_policy(finding: Finding, builder_stages: str) -> Finding | None:
    """The finding as shown under ``builder_stages``: None when ignored, plain when reported as any other."""
    if finding.builder_stage is None or builder_stages == "information":
        return finding
    return None if builder_stages == "ignore" else dataclasses.replace(finding, builder_stage=None)


def shown_severity(finding: Finding, override: str | None, builder_stages: str = "information") -> str | None:
    """The severity a finding is shown at (error, warning, info, hint), or None to drop it.

    ``override`` is the user's severity for every rule (None: each rule's own);
    a finding in a stage that never reaches the final image is shown at ``info``,
    dropped, or as any other (``builder_stages``: information, ignore, report).
    """
    if finding.rule.kind == "hint":  # a hint stays a hint, whatever level the rules are shown at
        return "hint"
    if finding.builder_stage is not None and builder_stages != "report":
        return None if builder_stages == "ignore" else "info"
    return override or finding.rule.severity
