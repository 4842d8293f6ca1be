"""Applying fixes: insertions, and the removals of the hints, so applying them cannot damage other bytes."""

from __future__ import annotations

from collections.abc import Iterable

from pip_cache_lsp.findings import Finding


def apply_fixes(text: str, findings: Iterable[Finding]) -> str:
    """Apply every finding's fix to ``text``, right to left; one edit per range.

    A rule's fix inserts at one offset; a hint's removes ``insert_at:fix_end``.  An
    edit that overlaps one already applied (further right) is skipped: the next run
    finds what it was for again.
    """
    edits = sorted({(f.insert_at, f.insert_at if f.fix_end is None else f.fix_end, f.insert_text)
                    for f in findings}, reverse=True)
    limit = len(text)
    for start, end, replacement in edits:
        if end > limit:
            continue
        text = text[:start] + replacement + text[end:]
        limit = start
    return text
