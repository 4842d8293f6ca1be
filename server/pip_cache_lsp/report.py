"""Findings as the CLI prints them: one place for line/column arithmetic of reports.

Lines and columns are 1-based and count characters (code points); an end
column points just past the last character, as in ruff's and ESLint's JSON.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from pip_cache_lsp.rule import Finding
from pip_cache_lsp.text import LineIndex


@dataclass(frozen=True, slots=True)
class Located:
    """A finding with the file it is in and 1-based line/column bounds."""

    path: str
    line: int
    column: int
    end_line: int
    end_column: int
    code: str
    message: str


def locate(path: str, lines: LineIndex, finding: Finding) -> Located:
    line, col = lines.position(finding.start)
    end_line, end_col = lines.position(finding.end)
    return Located(path, line + 1, col + 1, end_line + 1, end_col + 1, finding.code, finding.message)


def text(found: list[Located]) -> str:
    return "".join(f"{f.path}:{f.line}:{f.column}: {f.code} {f.message}\n" for f in found)


def as_json(found: list[Located]) -> str:
    rows = [
        {"path": f.path, "line": f.line, "column": f.column, "end_line": f.end_line,
         "end_column": f.end_column, "code": f.code, "message": f.message}
        for f in found
    ]
    return json.dumps(rows, indent=2) + "\n"


FORMATS = {"text": text, "json": as_json}
