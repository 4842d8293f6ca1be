"""Suppression comments, by rule code, kept apart from the rules (as hadolint keeps its pragmas).

Per instruction, in the comment lines directly above it (no blank line between):
``# pip-cache-lsp: ignore`` (every rule) or ``# pip-cache-lsp: ignore=<code>[,<code>…]``,
``# hadolint ignore=<ids>`` naming a rule's alias (DL3042 for pip-no-cache-dir) and
KICS's ``# kics-scan ignore-line`` (the rules that have a KICS query).  Per file, in
the comments before the first instruction (where KICS requires its file-level
comments): ``# pip-cache-lsp: disable-file[=<codes>]``, ``# kics-scan disable=<ids>``
and ``# hadolint global ignore=<ids>``.  A rule declares its aliases
(:attr:`pip_cache_lsp.rules.Rule.aliases`); nothing here names one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from pip_cache_lsp.rules import Rule

IGNORE_COMMENT = "# pip-cache-lsp: ignore"

_LIST = r"([\w\s,-]+)"
_OURS = re.compile(r"#\s*pip-cache-lsp\s*:\s*ignore\b(?!-)(?:\s*=\s*" + _LIST + ")?", re.IGNORECASE)
_HADOLINT = re.compile(r"#\s*hadolint\s+ignore\s*=\s*" + _LIST, re.IGNORECASE)
_KICS_LINE = re.compile(r"#\s*kics-scan\s+ignore-line\b", re.IGNORECASE)
_FILE_OURS = re.compile(r"^\s*#\s*pip-cache-lsp\s*:\s*disable-file\b(?!-)(?:[ \t]*=[ \t]*([\w \t,-]+))?",
                        re.IGNORECASE | re.MULTILINE)
_FILE_KICS = re.compile(r"^\s*#\s*kics-scan\s+disable\s*=\s*" + _LIST, re.IGNORECASE | re.MULTILINE)
_FILE_HADOLINT = re.compile(r"^\s*#\s*hadolint\s+global\s+ignore\s*=\s*" + _LIST, re.IGNORECASE | re.MULTILINE)


def _names(listing: str) -> set[str]:
    return {part.strip().lower() for part in re.split(r"[,\s]+", listing) if part.strip()}


def _by_name(rules: Iterable[Rule], names: set[str]) -> set[str]:
    """Codes of the rules that ``names`` (our codes or other tools' ids) refer to."""
    return {rule.code for rule in rules if rule.code.lower() in names or rule.aliases & names}


def instruction_suppressed(comments: tuple[str, ...], rules: tuple[Rule, ...]) -> frozenset[str]:
    """Codes of the rules that the comment lines directly above an instruction silence."""
    codes: set[str] = set()
    for comment in comments:
        if m := _OURS.match(comment):
            codes |= _by_name(rules, _names(m.group(1))) if m.group(1) else {r.code for r in rules}
        elif _KICS_LINE.match(comment):
            codes |= {rule.code for rule in rules if "kics" in rule.properties}
        elif m := _HADOLINT.match(comment):
            codes |= _by_name(rules, _names(m.group(1)))
    return frozenset(codes)


def file_disabled(prologue: str, rules: tuple[Rule, ...]) -> frozenset[str]:
    """Codes of the rules that the comments before the first instruction switch off for the file."""
    if not may_hold_pragma(prologue, len(prologue)):  # each pattern spells ``#``, blanks, its tool's name
        return frozenset()
    codes: set[str] = set()
    for m in _FILE_OURS.finditer(prologue):
        codes |= _by_name(rules, _names(m.group(1))) if m.group(1) and m.group(1).strip() else {r.code for r in rules}
    for m in _FILE_KICS.finditer(prologue):
        codes |= _by_name(rules, _names(m.group(1)))
    for m in _FILE_HADOLINT.finditer(prologue):
        codes |= _by_name(rules, _names(m.group(1)))
    return frozenset(codes)


_STAGE_OURS = re.compile(r"#\s*pip-cache-lsp\s*:\s*ignore-stage\b(?:\s*=\s*" + _LIST + ")?", re.IGNORECASE)
_STAGE_HADOLINT = re.compile(r"#\s*hadolint\s+stage\s+ignore\s*=\s*" + _LIST, re.IGNORECASE)


def stage_suppressed(comments: tuple[str, ...], rules: tuple[Rule, ...]) -> frozenset[str]:
    """Codes silenced for a whole stage by the comments directly above its ``FROM``.

    ``# pip-cache-lsp: ignore-stage[=<codes>]`` and hadolint 2.15's
    ``# hadolint stage ignore=<ids>`` (hadolint PR #1195: it applies to the stage
    that follows the comment).
    """
    codes: set[str] = set()
    for comment in comments:
        if m := _STAGE_OURS.match(comment):
            codes |= _by_name(rules, _names(m.group(1))) if m.group(1) else {r.code for r in rules}
        elif m := _STAGE_HADOLINT.match(comment):
            codes |= _by_name(rules, _names(m.group(1)))
    return frozenset(codes)


_OUR_PATTERNS = (_OURS, _STAGE_OURS, _FILE_OURS)
# Each pattern above (instruction, stage and file level) spells ``#``, blanks, its tool's name, matched
# as they match it (ignoring case): comment lines without one hold no pragma (:func:`may_hold_pragma`).
# The ``#`` first lets ``re`` skip to each ``#`` (the names alone, ignoring case: ~20× slower on prose).
_TOOL_NAMES = re.compile(r"#\s*(?:pip-cache-lsp|hadolint|kics-scan)", re.IGNORECASE)
# Where a comment applies: the instruction under it, the stage of the FROM under it, the file.
INSTRUCTION, STAGE, FILE = "instruction", "stage", "file"
_NAME = re.compile(r"[\w-]+")


@dataclass(frozen=True, slots=True)
class Name:
    """One code or id in a comment's list, with the offsets of its text and the rules it names."""

    start: int
    end: int
    codes: frozenset[str]  # our rules it names; empty for another tool's id (never reported)
    text: str


@dataclass(frozen=True, slots=True)
class Pragma:
    """A suppression comment where it stands, and what it silences.

    Offsets are relative to the text it was read from (a block's, or the prologue).
    ``names`` is empty for a comment that names no code (every rule).  ``reportable``
    is false for a comment that is another tool's alone (``# kics-scan ignore-line``
    silences every KICS query on the line: only KICS can tell whether it is used).
    ``inert`` marks one of ours that silences nothing where it stands
    (``ignore-stage`` above an instruction that is no FROM).  ``ours`` is false for
    hadolint's and KICS's syntax: those tools read it too, and they see a command line,
    not what a cache mount, the environment or a cleanup does (hadolint issue #497), so
    such a comment is judged by the command lines alone (see :func:`unused`).
    """

    scope: str
    line_start: int  # after a byte order mark
    line_end: int  # past the line break
    start: int  # the comment, from its ``#`` to its last non-blank character
    end: int
    names: tuple[Name, ...]
    codes: frozenset[str]
    comment: str  # its text, from ``#``
    reportable: bool = True
    inert: bool = False
    ours: bool = True  # our syntax (``# pip-cache-lsp: …``), not hadolint's or KICS's


def _pragma(comment: str, at: int, line: tuple[int, int], scope: str, rules: tuple[Rule, ...]) -> Pragma | None:
    """The pragma a stripped comment line holds (``at``: where it starts), read as ``scope`` reads it.

    The patterns, and the codes each silences, are those of :func:`instruction_suppressed`,
    :func:`stage_suppressed` and :func:`file_disabled`.  Above a FROM, an instruction-level
    comment is read too (it silences nothing there); above another instruction, our
    ``ignore-stage`` is (inert: it silences nothing there either).
    """
    comment = comment.rstrip()
    end = at + len(comment)
    inert = False
    m: re.Match[str] | None
    if scope == FILE:
        m = _FILE_OURS.match(comment)
        bare = m is not None and not (m.group(1) and m.group(1).strip())
        m = m or _FILE_KICS.match(comment) or _FILE_HADOLINT.match(comment)
    else:
        m = None
        if scope == STAGE:
            m = _STAGE_OURS.match(comment) or _STAGE_HADOLINT.match(comment)
        elif m := _STAGE_OURS.match(comment):
            inert = True
        if m is None:
            scope = INSTRUCTION
            m = _OURS.match(comment)
            if m is None and _KICS_LINE.match(comment):
                kics = frozenset(rule.code for rule in rules if "kics" in rule.properties)
                return Pragma(INSTRUCTION, *line, at, end, (), kics, comment, reportable=False, ours=False)
            m = m or _HADOLINT.match(comment)
        bare = m is not None and m.group(1) is None
    if m is None:
        return None
    ours = m.re in _OUR_PATTERNS
    if bare:
        return Pragma(scope, *line, at, end, (), frozenset() if inert else frozenset(r.code for r in rules),
                      comment, inert=inert, ours=ours)
    base = at + m.start(1)
    names = tuple(Name(base + n.start(), base + n.end(), frozenset(_by_name(rules, {n.group().lower()})), n.group())
                  for n in _NAME.finditer(m.group(1)))
    codes: frozenset[str] = frozenset() if inert else frozenset().union(*(n.codes for n in names))
    return Pragma(scope, *line, at, end, names, codes, comment, inert=inert, ours=ours)


def _comment_lines(text: str, end: int) -> Iterator[tuple[str, int, tuple[int, int]]]:
    """Each comment line of ``text[:end]``: (stripped comment, where it starts, its line's extent)."""
    pos = 0
    while pos < end:
        nl = text.find("\n", pos)
        stop = len(text) if nl < 0 else nl + 1
        line = text[pos:stop]
        content = line.rstrip("\r\n")
        lead = len(content) - len(content.lstrip().lstrip("\ufeff").lstrip())
        stripped = content[lead:]
        if stripped.startswith("#"):  # a byte order mark before the first line is no part of it
            yield stripped, pos + lead, (1 if pos == 0 and text.startswith("\ufeff") else pos, stop)
        pos = stop


def may_hold_pragma(text: str, end: int) -> bool:
    """Cheap test before :func:`pragmas` (any scope) and :func:`file_disabled`: does a ``#`` name a tool?

    Most comments above an instruction, and most prologues (``# syntax=``, prose), hold
    no pragma; reading each line against the patterns costs more than one search for
    the names every pattern spells.
    """
    return _TOOL_NAMES.search(text, 0, end) is not None


def pragmas(text: str, end: int, scope: str, rules: tuple[Rule, ...]) -> tuple[Pragma, ...]:
    """The suppression comments among the lines of ``text[:end]``, in order.

    For a block, ``end`` is where its instruction's own line starts (every line before
    it is a comment line directly above it); ``scope`` is STAGE for a FROM (whose
    comments may also hold instruction-level ones, which silence nothing there), else
    INSTRUCTION; for the prologue, FILE.
    """
    out = []
    for comment, at, line in _comment_lines(text, end):
        pragma = _pragma(comment, at, line, scope, rules)
        if pragma is not None:
            out.append(pragma)
    return tuple(out)


@dataclass(frozen=True, slots=True)
class Unused:
    """What of a pragma silences nothing: the whole comment, or one name of its list.

    ``start``/``end`` is the hint's range; the fix removes ``remove_start:remove_end``.
    """

    start: int
    end: int
    remove_start: int
    remove_end: int
    whole: bool
    text: str  # what is unused, as written (a code, or the comment)


def unused(found: tuple[Pragma, ...], silenced: Iterable[str], written: Iterable[str] | None = None,
           ) -> Iterator[Unused]:
    """The unused parts of ``found`` (in order), given the codes of the hits they stand over.

    ``silenced``: the codes of the findings there would be without the comments;
    ``written`` (default the same): the codes of the commands whose own command line
    leaves the cache on, whatever exempts them -- what another tool's comment
    (``ours=False``) is judged by, for that tool sees no mount, environment or cleanup.
    A hit is credited to the first pragma (and the first name in it) that silences it:
    every other one that also names its rule is unused, so removing any one reported
    part never lets a finding through.  Names of other tools and ``reportable=False``
    pragmas are never reported, and the latter take no credit (only their tool can
    tell what they are for).
    """
    mine = set(silenced)
    theirs = set(written) if written is not None else mine
    for pragma in found:
        if not pragma.reportable:
            continue
        left = mine if pragma.ours else theirs
        if not pragma.names:
            if pragma.inert or not (pragma.codes & left):
                yield _whole(pragma)
            mine -= pragma.codes
            theirs -= pragma.codes
            continue
        dead: list[Name] = []
        for name in pragma.names:
            if not name.codes:
                continue
            if pragma.inert or not (name.codes & left):
                dead.append(name)
            mine -= name.codes
            theirs -= name.codes
        if not dead:
            continue
        if len(dead) == len(pragma.names):  # every name is ours and unused: the comment goes
            yield _whole(pragma)
            continue
        for name in dead:
            start, end = _without_separator(pragma, name, dead)
            yield Unused(name.start, name.end, start, end, False, name.text)


def _whole(pragma: Pragma) -> Unused:
    """The comment, and its whole line to go."""
    return Unused(pragma.start, pragma.end, pragma.line_start, pragma.line_end, True, pragma.comment)


def _without_separator(pragma: Pragma, name: Name, dead: list[Name]) -> tuple[int, int]:
    """A name and the separator before it, or after it when no name before it stays.

    Each removal then takes its own separator, so several in one list never overlap
    and what stays is a well-formed list.
    """
    names = pragma.names
    index = names.index(name)
    kept_before = any(n not in dead for n in names[:index])
    if kept_before:
        return names[index - 1].end, name.end
    return name.start, names[index + 1].start
