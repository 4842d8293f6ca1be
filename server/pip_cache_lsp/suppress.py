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
from collections.abc import Iterable

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
    if "#" not in prologue:
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
