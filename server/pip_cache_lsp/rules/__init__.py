"""Rules as modules: what a rule declares, and the registry every adapter reads.

A rule is one module holding one :class:`Rule` instance: its code, names, message,
default severity, docs page, which commands it matches (:meth:`Rule.may_match`,
:meth:`Rule.match`), what turns its cache off (:class:`Cache`) and its fix (the
:class:`Match` it returns carries the insertion).  The engine beneath (the
Dockerfile model, the shell reader, the stage fold) knows no rule; the adapters
(LSP, CLI, reports, settings, suppression comments) read :func:`registered` and
pick up a new rule without an edit.

Kept import-light: the language server reads the registry's codes while it
answers ``initialize``, before the parser and tree-sitter are loaded.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar

if TYPE_CHECKING:
    from pip_cache_lsp.shell import Command

SEVERITIES = ("error", "warning", "info", "hint")  # a rule's default, [tool.pip-cache-lsp] and the CLI


@dataclass(frozen=True, slots=True)
class Cache:
    """Where a tool keeps its cache and what turns it off: what the stage fold checks.

    ``off_variable`` turns the cache off when ``turns_off`` accepts its value;
    ``dir_variable`` moves it; otherwise it is ``~/.cache/<subdir>``.  A cache mount
    on that directory or a parent keeps it out of the layer.
    """

    off_variable: str
    dir_variable: str
    subdir: str
    turns_off: Callable[[object], bool]
    # How the tool reads an environment name, when it folds spellings together (pip reads
    # ``PIP_no_cache_dir`` as ``PIP_NO_CACHE_DIR``); None: names are read exactly.
    key: Callable[[str], str | None] | None = None
    key_prefix: str = ""  # every name ``key`` folds starts with this (``PIP_``)

    def lookup(self, env: Mapping[str, str | None], variable: str, default: object = None) -> object:
        """The value the tool reads for ``variable`` in ``env`` (the last spelling it folds together)."""
        key = self.key
        if key is None or not env:
            return env.get(variable, default)
        wanted, found, size, prefix = key(variable), default, len(variable), self.key_prefix
        for name, value in env.items():  # a folded spelling has the same length (ASCII case, ``_`` / ``-``)
            if name == variable or (len(name) == size and name.startswith(prefix) and key(name) == wanted):
                found = value
        return found


@dataclass(slots=True)
class Match:
    """A command a rule reports, in block offsets: its range and the text that fixes it.

    Never changed once built; not ``frozen``, whose ``__init__`` costs an ``object.__setattr__`` per field.
    """

    start: int
    end: int
    insert_at: int
    insert_text: str
    cache_dir: str | None = None  # where the command line puts the cache (``--cache-dir``), if it does
    message: str | None = None  # the finding's message, when not the rule's (``pip download …``)
    # The tool reads neither the off nor the directory variable (``pip --isolated``, or a
    # ``--cache-dir`` on the command line that overrides them).
    ignores_variables: bool = False
    # Configuration keys (see :meth:`Rule.configures`) that turn the cache off for this command.
    config: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class OffFlag:
    """An option word that turns the tool's cache off for one command (see :meth:`Rule.off_flags`).

    ``start``/``end`` (block offsets) is what removing it takes away: the whole word,
    or one letter of a group of short flags (uv's ``-qn``: the ``n``).  ``spelling``
    is how a message names it.
    """

    index: int  # the word's place in the command's argv
    start: int
    end: int
    whole_word: bool
    spelling: str


@dataclass(frozen=True, slots=True)
class Cleanup:
    """A command of the tool's own that empties its cache (``complete``), or one that does not quite.

    ``note`` says why an incomplete one still leaves the cache in the layer (it is
    added to the message of the findings before it).
    """

    complete: bool
    note: str | None = None


@dataclass(eq=False)
class Rule:
    """One rule.  Subclasses implement :meth:`may_match` and :meth:`match`.

    Instances compare by identity: a finding refers to the rule that made it.
    """

    code: str  # the id users type: settings, --select, suppression comments
    name: str  # SARIF's PascalCase name
    summary: str  # one line: SARIF shortDescription
    message: str  # the diagnostic's text
    help: str  # a paragraph: SARIF fullDescription and help
    docs_url: str
    cache: Cache
    fix_title: str  # the quick fix's title
    fix_all_title: str
    severity: str = "warning"  # default; one of SEVERITIES
    aliases: frozenset[str] = field(default_factory=frozenset)  # other tools' ids that suppress it (lower case)
    tags: tuple[str, ...] = ("docker", "image-size")
    properties: dict[str, str] = field(default_factory=dict)  # extra SARIF rule properties
    # What the stage-wide fix writes (``ENV <cache.off_variable>=<off_value>``); None: no such fix.
    off_value: str | None = None

    kind: ClassVar[str] = "rule"

    def may_match(self, name: str, source: str) -> bool:
        """Cheap test on a command's name and source text before its words are decoded."""
        raise NotImplementedError

    def match(self, command: Command) -> Match | None:
        """The range and fix if ``command`` fills the cache with the cache on."""
        raise NotImplementedError

    def may_run(self, text: str) -> bool:
        """Cheap test on a whole RUN's text: can it run this rule's tool at all?"""
        return True

    def off_flags(self, command: Command) -> tuple[OffFlag, ...]:
        """The words that turn the cache off for ``command``, a command that fills it but for them.

        () when it does not fill the cache or its own options leave the cache on.  The
        ``useless-cache-mount`` hint points at these when a cache mount would keep
        the cache out of the layer anyway; with them removed the command must match
        (:meth:`match`).  A rule that does not say (the default) gets no such hint.
        """
        return ()

    def may_clean(self, name: str, source: str) -> bool:
        """Cheap test, like :meth:`may_match`, for the tool's own cache cleaning commands."""
        return False

    def cleanup(self, command: Command) -> Cleanup | None:
        """Whether ``command`` cleans the tool's cache (``pip cache purge``, ``uv cache clean``)."""
        return None

    def may_configure(self, name: str, source: str) -> bool:
        """Cheap test, like :meth:`may_match`, for commands that write the tool's configuration."""
        return False

    def configures(self, command: Command) -> tuple[str, str | None] | None:
        """A configuration ``command`` writes that later commands read: (key, value; None unsets).

        Keys are the rule's own; a key starting ``user/`` is kept per home directory.
        A :class:`Match` lists the keys that turn its command's cache off
        (``Match.config``), and the stage fold carries what was written.
        """
        return None


def spells(text: str, word: str) -> bool:
    """Cheap test before decoding shell words: could the shell read ``word`` in ``text``?

    Quotes and backslashes can split a word (``p''ip``, ``p\\ip``) and a JSON escape can
    hide a letter (``"\\u0070ip"``); with those removed or present, ``word`` must appear.
    """
    if word in text:  # removing quotes and backslashes around it leaves it whole: the common answer
        return True
    if "'" not in text and '"' not in text and "\\" not in text:  # nothing to remove: the text is its plain form
        return False
    global _plain
    last = _plain
    if last[0] is text:  # the same text asked for another word (each rule's test, each subcommand)
        plain = last[1]
    else:
        if "\\" in text:
            plain = None if "\\u" in text else text.replace("\\", "").replace("'", "").replace('"', "")
        else:
            plain = text.replace("'", "").replace('"', "")
        _plain = (text, plain)
    return plain is None or word in plain


_plain: tuple[str, str | None] = ("", "")  # the last text spells() read, quotes and backslashes removed


_REGISTRY: dict[str, Rule] = {}
_builtin_loaded = False


def register(rule: Rule) -> Rule:
    """Add a rule (or replace one of the same code); adapters see it from then on."""
    _load_builtin()
    if rule.severity not in SEVERITIES:
        raise ValueError(f"rule {rule.code}: severity must be one of {', '.join(SEVERITIES)}")
    _REGISTRY[rule.code] = rule
    _registered.clear()
    return rule


def unregister(code: str) -> None:
    """Remove a rule (tests that register an extra one clean up with this)."""
    _REGISTRY.pop(code, None)
    _registered.clear()


def registered() -> tuple[Rule, ...]:
    """Every rule, built-in ones first, in registration order."""
    if _registered:  # asked once per instruction: the tuple is kept until the registry changes
        return _registered[0]
    _load_builtin()
    rules = tuple(_REGISTRY.values())
    _registered.append(rules)
    return rules


_registered: list[tuple[Rule, ...]] = []  # registered()'s answer while the registry is unchanged


def by_code(code: str) -> Rule | None:
    registered()
    return _REGISTRY.get(code)


def codes() -> tuple[str, ...]:
    """The rules' codes: what is checked when nothing is selected (the CLI's default)."""
    return tuple(rule.code for rule in registered())


def hint_rules() -> tuple[Rule, ...]:
    """The hints (``kind == "hint"``): reported about suppressions and mounts, not by matching commands.

    The editor shows them unless its ``select``/``ignore`` leave them out; the CLI only
    when selected (``--select``).  Their findings are made by the stage fold
    (``stage.py``), not by :meth:`Rule.match`.
    """
    from pip_cache_lsp.rules import hints as module

    return module.HINTS


def hint_codes() -> tuple[str, ...]:
    return tuple(hint.code for hint in hint_rules())


def known_codes() -> tuple[str, ...]:
    """Every code a user may select or ignore: the rules', then the hints'."""
    return (*codes(), *hint_codes())


def _load_builtin() -> None:
    """The built-in rules, on first use (each module is one import)."""
    global _builtin_loaded
    if _builtin_loaded:
        return
    _builtin_loaded = True
    from pip_cache_lsp.rules import pip_no_cache_dir, uv_no_cache

    for rule in (pip_no_cache_dir.RULE, uv_no_cache.RULE):
        _REGISTRY[rule.code] = rule
