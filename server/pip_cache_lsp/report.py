"""Findings as the CLI prints them: text, JSON, SARIF 2.1.0 and GitHub workflow commands.

Lines and columns are 1-based and count characters (code points); an end
column points just past the last character, as in ruff's and ESLint's JSON
(SARIF says so with ``columnKind: unicodeCodePoints``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePath

from pip_cache_lsp import __version__
from pip_cache_lsp.names import CODE, DOCS_URL, FORMATS
from pip_cache_lsp.rule import HELP, SUMMARY, Finding
from pip_cache_lsp.suppress import HADOLINT_CODE, KICS_ID
from pip_cache_lsp.text import LineIndex

_SARIF_LEVEL = {"error": "error", "warning": "warning", "info": "note"}
_GITHUB_COMMAND = {"error": "error", "warning": "warning", "info": "notice"}
INFORMATION_URI = "https://github.com/pip-cache-lsp/pip-cache-lsp"


@dataclass(frozen=True, slots=True)
class Located:
    """A finding with its file, 1-based bounds, and its fix as line/column + text."""

    path: str
    line: int
    column: int
    end_line: int
    end_column: int
    code: str
    message: str
    fix_line: int
    fix_column: int
    fix_text: str
    severity: str  # its project's (or the command line's) level: error, warning or info


def locate(path: str, lines: LineIndex, finding: Finding, severity: str) -> Located:
    line, col = lines.position(finding.start)
    end_line, end_col = lines.position(finding.end)
    fix_line, fix_col = lines.position(finding.insert_at)
    return Located(path, line + 1, col + 1, end_line + 1, end_col + 1, finding.code, finding.message,
                   fix_line + 1, fix_col + 1, finding.insert_text, severity)


def text(found: list[Located], severity: str) -> str:
    return "".join(f"{f.path}:{f.line}:{f.column}: {f.code} {f.message}\n" for f in found)


def as_json(found: list[Located], severity: str) -> str:
    rows = [
        {"path": f.path, "line": f.line, "column": f.column, "end_line": f.end_line,
         "end_column": f.end_column, "code": f.code, "message": f.message}
        for f in found
    ]
    import json  # the machine formats import theirs: text, the common one, needs none

    return json.dumps(rows, indent=2) + "\n"


def _uri(path: str) -> str:
    from urllib.parse import quote

    pure = PurePath(path)
    return pure.as_uri() if pure.is_absolute() else quote(pure.as_posix())


def sarif(found: list[Located], severity: str) -> str:
    level = _SARIF_LEVEL[severity]
    rule = {
        "id": CODE,
        "name": "PipInstallWithoutNoCacheDir",
        "shortDescription": {"text": SUMMARY},
        "fullDescription": {"text": HELP},
        "help": {"text": HELP, "markdown": f"{HELP}\n\n[Rule documentation]({DOCS_URL})"},
        "helpUri": DOCS_URL,
        "defaultConfiguration": {"level": level},
        "properties": {"tags": ["docker", "image-size"], "hadolint": HADOLINT_CODE, "kics": KICS_ID},
    }
    results = []
    for f in found:
        artifact = {"uri": _uri(f.path)}
        results.append({
            "ruleId": f.code,
            "ruleIndex": 0,
            "level": _SARIF_LEVEL[f.severity],
            "message": {"text": f.message},
            "locations": [{"physicalLocation": {
                "artifactLocation": artifact,
                "region": {"startLine": f.line, "startColumn": f.column,
                           "endLine": f.end_line, "endColumn": f.end_column},
            }}],
            "fixes": [{
                "description": {"text": "Add --no-cache-dir"},
                "artifactChanges": [{"artifactLocation": artifact, "replacements": [{
                    "deletedRegion": {"startLine": f.fix_line, "startColumn": f.fix_column,
                                      "endLine": f.fix_line, "endColumn": f.fix_column},
                    "insertedContent": {"text": f.fix_text},
                }]}],
            }],
        })
    log = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "pip-cache-lsp", "version": __version__,
                                "informationUri": INFORMATION_URI, "rules": [rule]}},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    }
    import json

    return json.dumps(log, indent=2) + "\n"


def _escape(value: str, prop: bool = False) -> str:
    value = value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return value.replace(":", "%3A").replace(",", "%2C") if prop else value


def github(found: list[Located], severity: str) -> str:
    """GitHub Actions workflow commands: each finding becomes a pull-request annotation at its level."""
    return "".join(
        f"::{_GITHUB_COMMAND[f.severity]} file={_escape(f.path, True)},line={f.line},col={f.column},"
        f"endLine={f.end_line},endColumn={f.end_column},title={_escape(f.code, True)}::{_escape(f.message)}\n"
        for f in found
    )


WRITERS = {"text": text, "json": as_json, "sarif": sarif, "github": github}
assert sorted(WRITERS) == sorted(FORMATS), "every format the CLI offers has a writer"
