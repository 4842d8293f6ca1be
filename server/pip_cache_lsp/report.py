"""Findings as the CLI prints them: text, JSON, SARIF 2.1.0 and GitHub workflow commands.

Lines and columns are 1-based and count characters (code points); an end
column points just past the last character, as in ruff's and ESLint's JSON
(SARIF says so with ``columnKind: unicodeCodePoints``).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from operator import attrgetter
from pathlib import PurePath

from pip_cache_lsp import __version__
from pip_cache_lsp.findings import Finding
from pip_cache_lsp.names import FORMATS
from pip_cache_lsp.rules import Rule, hint_rules, registered
from pip_cache_lsp.text import LineIndex

_SARIF_LEVEL = {"error": "error", "warning": "warning", "info": "note", "hint": "note"}
_GITHUB_COMMAND = {"error": "error", "warning": "warning", "info": "notice", "hint": "notice"}
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
    severity: str  # its project's (or the command line's) level, else its rule's: error, warning, info or hint
    fix_title: str
    fix_end_line: int | None = None  # where a hint's removal ends (None: the fix inserts)
    fix_end_column: int | None = None

    def __reduce__(self) -> tuple[type[Located], tuple[object, ...]]:
        """Pickled as its fields in order, rebuilt by one call.

        ``check``'s workers send thousands; a frozen dataclass's own state is set back
        one ``object.__setattr__`` at a time, in Python.
        """
        return Located, _LOCATED_FIELDS(self)


_LOCATED_FIELDS = attrgetter(*(f.name for f in fields(Located)))


def locate(path: str, lines: LineIndex, finding: Finding, severity: str | None) -> Located:
    """``severity`` is the level it is shown at (the command line's, the project's, or the rule's)."""
    line, col = lines.position(finding.start)
    end_line, end_col = lines.position(finding.end)
    fix_line, fix_col = lines.position(finding.insert_at)
    removes = finding.fix_end is not None and finding.fix_end > finding.insert_at
    fix_end_line, fix_end_col = lines.position(finding.fix_end) if removes and finding.fix_end else (None, None)
    return Located(path, line + 1, col + 1, end_line + 1, end_col + 1, finding.code, finding.message,
                   fix_line + 1, fix_col + 1, finding.insert_text, severity or finding.severity,
                   finding.rule.fix_title, None if fix_end_line is None else fix_end_line + 1,
                   None if fix_end_col is None else fix_end_col + 1)


def text(found: list[Located], severity: str | None) -> str:
    return "".join(f"{f.path}:{f.line}:{f.column}: {f.code} {f.message}\n" for f in found)


def as_json(found: list[Located], severity: str | None) -> str:
    rows = [
        {"path": f.path, "line": f.line, "column": f.column, "end_line": f.end_line,
         "end_column": f.end_column, "code": f.code, "severity": f.severity, "message": f.message}
        for f in found
    ]
    import json  # the machine formats import theirs: text, the common one, needs none

    return json.dumps(rows, indent=2) + "\n"


def _uri(path: str) -> str:
    from urllib.parse import quote

    pure = PurePath(path)
    return pure.as_uri() if pure.is_absolute() else quote(pure.as_posix())


def _sarif_rule(rule: Rule, severity: str | None) -> dict[str, object]:
    level = rule.severity if rule.kind == "hint" else severity or rule.severity  # a hint stays a hint
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": rule.help},
        "help": {"text": rule.help, "markdown": f"{rule.help}\n\n[Rule documentation]({rule.docs_url})"},
        "helpUri": rule.docs_url,
        "defaultConfiguration": {"level": _SARIF_LEVEL[level]},
        "properties": {"tags": list(rule.tags), **rule.properties},
    }


def sarif(found: list[Located], severity: str | None) -> str:
    """SARIF 2.1.0: every registered rule in the driver's rules, each result pointing at its own.

    The hints are listed after the rules when a result is one (they are reported only
    when selected).
    """
    reported = {f.code for f in found}
    rules = (*registered(), *(hint for hint in hint_rules() if hint.code in reported))
    index = {rule.code: i for i, rule in enumerate(rules)}
    results = []
    for f in found:
        artifact = {"uri": _uri(f.path)}
        results.append({
            "ruleId": f.code,
            "ruleIndex": index[f.code],
            "level": _SARIF_LEVEL[f.severity],
            "message": {"text": f.message},
            "locations": [{"physicalLocation": {
                "artifactLocation": artifact,
                "region": {"startLine": f.line, "startColumn": f.column,
                           "endLine": f.end_line, "endColumn": f.end_column},
            }}],
            "fixes": [{
                "description": {"text": f.fix_title},
                "artifactChanges": [{"artifactLocation": artifact, "replacements": [{
                    "deletedRegion": {"startLine": f.fix_line, "startColumn": f.fix_column,
                                      "endLine": f.fix_line if f.fix_end_line is None else f.fix_end_line,
                                      "endColumn": f.fix_column if f.fix_end_column is None else f.fix_end_column},
                    "insertedContent": {"text": f.fix_text},
                }]}],
            }],
        })
    log = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "pip-cache-lsp", "version": __version__,
                                "informationUri": INFORMATION_URI,
                                "rules": [_sarif_rule(rule, severity) for rule in rules]}},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    }
    import json

    return json.dumps(log, indent=2) + "\n"


def _escape(value: str, prop: bool = False) -> str:
    value = value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return value.replace(":", "%3A").replace(",", "%2C") if prop else value


def github(found: list[Located], severity: str | None) -> str:
    """GitHub Actions workflow commands: each finding becomes a pull-request annotation at its level."""
    return "".join(
        f"::{_GITHUB_COMMAND[f.severity]} file={_escape(f.path, True)},line={f.line},col={f.column},"
        f"endLine={f.end_line},endColumn={f.end_column},title={_escape(f.code, True)}::{_escape(f.message)}\n"
        for f in found
    )


WRITERS = {"text": text, "json": as_json, "sarif": sarif, "github": github}
assert sorted(WRITERS) == sorted(FORMATS), "every format the CLI offers has a writer"
