"""The stage fold: the environment each RUN sees, and which of its hits nothing exempts.

A handful of dictionary operations per instruction.  Each block keeps the stage
in effect after it (``stage``) and the hits left on it (``hits``), so an edit that
changes no stage re-checks only its own blocks (:func:`stage_hits`).  What turns
a tool's cache off comes from the rule's :class:`~pip_cache_lsp.rules.Cache`;
nothing here names a tool.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Iterator
from typing import Protocol, TypeVar

from pip_cache_lsp.facts import Facts
from pip_cache_lsp.findings import MISSING, Finding, Hit

_VARIABLE = re.compile(r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))")


class Stage:
    """The environment a RUN of one stage sees: ENV over ARG, and the user it runs as.

    Never changed once a block refers to it: an ENV, ARG or USER makes a new one
    (:meth:`copy`), so each block can keep the stage it was checked under.
    """

    __slots__ = ("env", "args", "user")

    def __init__(self, env: dict[str, str | None] | None = None, user: str | None = None,
                 args: dict[str, str | None] | None = None) -> None:
        self.env: dict[str, str | None] = env if env is not None else {}
        self.args: dict[str, str | None] = args if args is not None else {}
        self.user = user

    def copy(self) -> Stage:
        return Stage(dict(self.env), self.user, dict(self.args))

    def get(self, name: str) -> str | None:
        return self.env[name] if name in self.env else self.args.get(name)

    def expand(self, value: str | None) -> str | None:
        """Dockerfile variable substitution; None when a variable's value is unknown."""
        if value is None or "$" not in value:
            return value
        unknown = False

        def substitute(m: re.Match[str]) -> str:
            nonlocal unknown
            known = self.get(m.group(1) or m.group(3))
            if known is None and m.group(2) is not None:
                return m.group(2)
            if known is None:
                unknown = True
                return ""
            return known

        expanded = _VARIABLE.sub(substitute, value)
        return None if unknown else expanded

    def covers(self, hit: Hit, targets: tuple[str, ...]) -> bool:
        """Whether the rule's off variable or a cache mount keeps this hit's cache out of the layer."""
        cache = hit.rule.cache
        value = self.get(cache.off_variable) if hit.env_value is MISSING else hit.env_value
        if cache.turns_off(value):
            return True
        cache_dir = self.get(cache.dir_variable) if hit.cache_dir is MISSING else hit.cache_dir
        return any(self._is_cache(self.expand(t), cache_dir, cache.subdir) for t in targets)

    def _is_cache(self, target: str | None, cache_dir: object, subdir: str) -> bool:
        if target is None:
            return False
        target = target.rstrip("/") or "/"
        if isinstance(cache_dir, str) and cache_dir:
            return f"{cache_dir.rstrip('/')}/".startswith(f"{target}/")
        if self.user not in (None, "root", "0") and target.startswith("/root/"):
            return False  # the tool of a non-root user caches under that user's home
        return target.endswith((f"/.cache/{subdir}", "/.cache")) or target in (f".cache/{subdir}", ".cache")


class Checked(Protocol):
    """What the fold needs of a block: its facts, and slots for what the fold leaves on it."""

    facts: Facts | None
    stage: Stage | None
    hits: tuple[Hit, ...]
    instruction_offset: int
    indent: str


def changes_stage(block: Checked) -> bool:
    """Whether a block can change what later RUNs see (FROM, ENV, ARG, USER)."""
    facts = block.facts
    return facts is not None and facts.changes_stage


def stage_hits(block: Checked, stage: Stage | None, honour_env: bool) -> tuple[Hit, ...]:
    """The hits of a RUN block that ``stage`` does not exempt; kept on the block."""
    facts = block.facts
    block.stage = stage
    if facts is None:
        return ()
    if not facts.calls:
        hits: tuple[Hit, ...] = ()
    elif not honour_env:
        hits = facts.calls
    else:
        scope = stage or Stage()
        hits = tuple(hit for hit in facts.calls if not scope.covers(hit, facts.cache_targets))
    if hits and facts.suppressed:
        hits = tuple(hit for hit in hits if hit.rule.code not in facts.suppressed)
    block.hits = hits
    return hits


B = TypeVar("B", bound=Checked)


def fold(blocks: Iterable[tuple[int, B]], honour_env: bool) -> list[tuple[int, B]]:
    """Fold stage environments over every block; returns the blocks that have hits."""
    with_hits: list[tuple[int, B]] = []
    global_args = Stage()
    stages: dict[str, Stage] = {}
    stage: Stage | None = None
    name: str | None = None
    for start, block in blocks:
        facts = block.facts
        if facts is None:  # nothing to check; the stage passes through
            block.stage = stage
            continue
        if facts.stage_base is not None:
            base = stages.get(facts.stage_base)
            stage = Stage(dict(base.env), base.user) if base else Stage()
            name = facts.stage_name
        elif facts.env:
            stage = stage.copy() if stage else Stage()  # a snippet without FROM: one implicit stage
            stage.env.update([(key, stage.expand(value)) for key, value in facts.env])
        elif facts.args:
            if stage is None:
                for key, default in facts.args:
                    global_args.args[key] = global_args.expand(default)
            else:
                stage = stage.copy()
                for key, default in facts.args:
                    stage.args[key] = stage.expand(default) if default is not None else global_args.args.get(key)
        elif facts.user is not None:
            stage = stage.copy() if stage else Stage()
            stage.user = stage.expand(facts.user)
        if name and stage is not None:
            stages[name] = stage
        if stage_hits(block, stage, honour_env):
            with_hits.append((start, block))
    return with_hits


def findings_of(start: int, block: Checked, active: Collection[str] | None = None) -> Iterator[Finding]:
    """The findings of a folded block that starts at ``start`` (of the rules in ``active``)."""
    for hit in block.hits:
        if active is not None and hit.rule.code not in active:
            continue
        yield Finding(hit.rule, start + hit.start, start + hit.end, start + hit.insert_at, hit.insert_text,
                      start + block.instruction_offset, block.indent)
