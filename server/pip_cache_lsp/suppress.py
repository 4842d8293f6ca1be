"""Suppression comments, kept apart from the rule (as hadolint keeps its pragmas).

Per instruction, in the comment lines directly above it (no blank line between):
``# pip-cache-lsp: ignore``, ``# hadolint ignore=DL3042`` (a comma list may name
other rules too) and KICS's ``# kics-scan ignore-line``.  Per file, in the comments
before the first instruction (where KICS requires its file-level comments):
``# pip-cache-lsp: disable-file``, ``# kics-scan disable=<ids>`` naming the KICS
query and ``# hadolint global ignore=DL3042``.
"""

from __future__ import annotations

import re

KICS_ID = "f2f903fb-b977-461e-98d7-b3e2185c6118"
HADOLINT_CODE = "DL3042"
IGNORE_COMMENT = "# pip-cache-lsp: ignore"

_OURS = re.compile(r"#\s*pip-cache-lsp\s*:\s*ignore\b", re.IGNORECASE)
_HADOLINT = re.compile(r"#\s*hadolint\s+ignore\s*=\s*([\w\s,-]+)", re.IGNORECASE)
_KICS_LINE = re.compile(r"#\s*kics-scan\s+ignore-line\b", re.IGNORECASE)
_FILE_OURS = re.compile(r"^\s*#\s*pip-cache-lsp\s*:\s*disable-file\b", re.IGNORECASE | re.MULTILINE)
_FILE_KICS = re.compile(r"^\s*#\s*kics-scan\s+disable\s*=\s*([\w\s,-]+)", re.IGNORECASE | re.MULTILINE)
_FILE_HADOLINT = re.compile(r"^\s*#\s*hadolint\s+global\s+ignore\s*=\s*([\w\s,-]+)", re.IGNORECASE | re.MULTILINE)


def _names(listing: str) -> set[str]:
    return {part.strip().lower() for part in re.split(r"[,\s]+", listing) if part.strip()}


def instruction_suppressed(comments: tuple[str, ...]) -> bool:
    """Whether the comment lines directly above an instruction silence the rule for it."""
    for comment in comments:
        if _OURS.match(comment) or _KICS_LINE.match(comment):
            return True
        m = _HADOLINT.match(comment)
        if m and HADOLINT_CODE.lower() in _names(m.group(1)):
            return True
    return False


def file_disabled(prologue: str) -> bool:
    """Whether the comments before the first instruction switch the rule off for the file."""
    if "#" not in prologue:
        return False
    if _FILE_OURS.search(prologue):
        return True
    if any(KICS_ID in _names(m.group(1)) for m in _FILE_KICS.finditer(prologue)):
        return True
    return any(HADOLINT_CODE.lower() in _names(m.group(1)) for m in _FILE_HADOLINT.finditer(prologue))
