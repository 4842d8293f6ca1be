"""The checks every table-driven rule test makes, in one place.

A caught row gives its findings as ``(line, column, end_line, end_column)`` (0-based
code points, end exclusive) and the text after every fix; the fixed text must be
clean and fixing it again must change nothing.
"""

from __future__ import annotations

from pip_cache_lsp.document import Document
from pip_cache_lsp.fix import apply_fixes

Range = tuple[int, int, int, int]


def ranges(doc: Document, selected: frozenset[str]) -> list[Range]:
    """The findings of the ``selected`` rules, as (line, column, end_line, end_column)."""
    out = []
    for f in doc.findings(selected=selected):
        line, col = doc.lines.position(f.start)
        end_line, end_col = doc.lines.position(f.end)
        out.append((line, col, end_line, end_col))
    return out


def assert_caught(source: str, expected: list[Range], fixed: str, selected: frozenset[str]) -> None:
    """Exact ranges, exact fixed text, the fixed text clean, and fixing idempotent."""
    doc = Document(source)
    assert ranges(doc, selected) == expected
    assert apply_fixes(source, doc.findings(selected=selected)) == fixed
    again = Document(fixed)
    assert again.findings(selected=selected) == []
    assert apply_fixes(fixed, again.findings(selected=selected)) == fixed
