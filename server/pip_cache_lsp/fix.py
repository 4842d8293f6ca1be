"""Applying fixes: pure insertions, so applying them cannot damage other bytes."""

from __future__ import annotations

from collections.abc import Iterable

from pip_cache_lsp.findings import Finding


def apply_fixes(text: str, findings: Iterable[Finding]) -> str:
    """Insert every finding's fix into ``text``; one insertion per offset, right to left."""
    inserts = sorted({(f.insert_at, f.insert_text) for f in findings}, reverse=True)
    for offset, insertion in inserts:
        text = text[:offset] + insertion + text[offset:]
    return text
