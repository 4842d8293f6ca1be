"""Report writers: 1-based locations, text, JSON, GitHub workflow commands and SARIF 2.1.0."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from pip_cache_lsp import report
from pip_cache_lsp.findings import Finding
from pip_cache_lsp.report import Located, locate
from pip_cache_lsp.rules import registered
from pip_cache_lsp.rules.pip_no_cache_dir import RULE as PIP
from pip_cache_lsp.text import LineIndex

SOURCE = "FROM x\nRUN é && pip install a\n"


def finding(start: int, end: int, insert_at: int) -> Finding:
    return Finding(rule=PIP, start=start, end=end, insert_at=insert_at, insert_text=" --no-cache-dir",
                   instruction_at=0, indent="")


@pytest.mark.parametrize(
    ("text", "span", "expected"),
    [
        # (line, column, end_line, end_column, fix_line, fix_column)
        ("pip install a", (0, 11, 11), (1, 1, 1, 12, 1, 12)),
        (SOURCE, (16, 27, 27), (2, 10, 2, 21, 2, 21)),  # é counts one column
        ("FROM x\r\nRUN pip install a", (12, 23, 23), (2, 5, 2, 16, 2, 16)),
        ("RUN pip \\\n  install a", (4, 19, 19), (1, 5, 2, 10, 2, 10)),
        ("A\rRUN pip install", (6, 17, 17), (2, 5, 2, 16, 2, 16)),  # a lone CR ends a line for editors
        ("x\n", (2, 2, 2), (2, 1, 2, 1, 2, 1)),
    ],
)
def test_locate(text: str, span: tuple[int, int, int], expected: tuple[int, ...]) -> None:
    located = locate("Dockerfile", LineIndex(text), finding(*span), None)
    got = (located.line, located.column, located.end_line, located.end_column, located.fix_line, located.fix_column)
    assert got == expected
    assert located.path == "Dockerfile"
    assert located.code == "pip-no-cache-dir"
    assert located.message == PIP.message
    assert located.fix_text == " --no-cache-dir"
    assert located.fix_title == PIP.fix_title


@pytest.mark.parametrize(("override", "severity"), [(None, PIP.severity), ("error", "error"), ("info", "info")])
def test_locate_severity(override: str | None, severity: str) -> None:
    assert locate("D", LineIndex(SOURCE), finding(16, 27, 27), override).severity == severity


def located(path: str = "Dockerfile", severity: str = "warning", message: str = "msg", line: int = 2) -> Located:
    return Located(path=path, line=line, column=10, end_line=line, end_column=21, code="pip-no-cache-dir",
                   message=message, fix_line=line, fix_column=21, fix_text=" --no-cache-dir", severity=severity,
                   fix_title="Add --no-cache-dir")


def test_text() -> None:
    found = [located(), located(path="b/Dockerfile", line=7, message="other")]
    assert report.text(found, None) == (
        "Dockerfile:2:10: pip-no-cache-dir msg\n"
        "b/Dockerfile:7:10: pip-no-cache-dir other\n"
    )
    assert report.text([], None) == ""


def test_json() -> None:
    out = report.as_json([located(severity="error")], None)
    assert out.endswith("\n")
    assert json.loads(out) == [{
        "path": "Dockerfile", "line": 2, "column": 10, "end_line": 2, "end_column": 21,
        "code": "pip-no-cache-dir", "severity": "error", "message": "msg",
    }]
    assert json.loads(report.as_json([], None)) == []


@pytest.mark.parametrize(
    ("severity", "command"), [("error", "error"), ("warning", "warning"), ("info", "notice")],
)
def test_github_levels(severity: str, command: str) -> None:
    assert report.github([located(severity=severity)], None) == (
        f"::{command} file=Dockerfile,line=2,col=10,endLine=2,endColumn=21,title=pip-no-cache-dir::msg\n"
    )


def test_github_escaping() -> None:
    found = [located(path="dir/a,b:c%d.Dockerfile", message="50% done\r\nnext: a,b")]
    assert report.github(found, None) == (
        "::warning file=dir/a%2Cb%3Ac%25d.Dockerfile,line=2,col=10,endLine=2,endColumn=21,"
        "title=pip-no-cache-dir::50%25 done%0D%0Anext: a,b\n"  # ':' and ',' escaped in properties only
    )


def test_github_escape_order() -> None:
    """``%`` is escaped first, so an escape's own ``%`` is not escaped again."""
    assert report._escape("%0A\n") == "%250A%0A"
    assert report._escape("a:b,c", prop=True) == "a%3Ab%2Cc"
    assert report._escape("a:b,c") == "a:b,c"


def test_sarif() -> None:
    rules = registered()
    codes = [rule.code for rule in rules]
    found = [located(severity="error"), located(severity="warning", line=3), located(severity="info", line=4),
             located(path="a b/Dockerfile")]
    log = json.loads(report.sarif(found, None))
    assert log["version"] == "2.1.0"
    run = log["runs"][0]
    assert run["columnKind"] == "unicodeCodePoints"
    driver = run["tool"]["driver"]
    assert driver["name"] == "pip-cache-lsp"
    assert [rule["id"] for rule in driver["rules"]] == codes
    pip_rule = driver["rules"][codes.index("pip-no-cache-dir")]
    assert pip_rule["name"] == PIP.name
    assert pip_rule["helpUri"] == PIP.docs_url
    assert pip_rule["defaultConfiguration"] == {"level": "warning"}
    assert pip_rule["properties"] == {"tags": list(PIP.tags), "hadolint": "DL3042", "kics": PIP.properties["kics"]}
    results = run["results"]
    assert [r["level"] for r in results] == ["error", "warning", "note", "warning"]
    assert {r["ruleIndex"] for r in results} == {codes.index("pip-no-cache-dir")}
    assert all(driver["rules"][r["ruleIndex"]]["id"] == r["ruleId"] == "pip-no-cache-dir" for r in results)
    first = results[0]
    assert first["message"] == {"text": "msg"}
    assert first["locations"] == [{"physicalLocation": {
        "artifactLocation": {"uri": "Dockerfile"},
        "region": {"startLine": 2, "startColumn": 10, "endLine": 2, "endColumn": 21},
    }}]
    assert first["fixes"] == [{
        "description": {"text": "Add --no-cache-dir"},
        "artifactChanges": [{"artifactLocation": {"uri": "Dockerfile"}, "replacements": [{
            "deletedRegion": {"startLine": 2, "startColumn": 21, "endLine": 2, "endColumn": 21},
            "insertedContent": {"text": " --no-cache-dir"},
        }]}],
    }]
    assert results[3]["locations"][0]["physicalLocation"]["artifactLocation"] == {"uri": "a%20b/Dockerfile"}


@pytest.mark.parametrize(("override", "level"), [("error", "error"), ("warning", "warning"), ("info", "note")])
def test_sarif_severity_override_sets_every_rule_default(override: str, level: str) -> None:
    log = json.loads(report.sarif([], override))
    levels = [rule["defaultConfiguration"]["level"] for rule in log["runs"][0]["tool"]["driver"]["rules"]]
    assert levels == [level] * len(registered())
    assert log["runs"][0]["results"] == []


@pytest.mark.parametrize(
    ("path", "uri"),
    [("Dockerfile", "Dockerfile"), ("a b/Dockerfile", "a%20b/Dockerfile"), ("/tmp/x y/Dockerfile", "file:///tmp/x%20y/Dockerfile"),
     ("dir/50%.df", "dir/50%25.df")],
)
def test_uri(path: str, uri: str) -> None:
    assert report._uri(path) == uri


def test_writers_cover_every_format() -> None:
    assert set(report.WRITERS) == {"text", "json", "sarif", "github"}
    one = [replace(located(), message="m")]
    assert report.WRITERS["text"](one, None) == "Dockerfile:2:10: pip-no-cache-dir m\n"


def test_located_survives_pickling() -> None:
    """check's workers send their findings pickled (Located.__reduce__): every field comes back."""
    import pickle

    for found in (located(), replace(located(), fix_end_line=3, fix_end_column=1, severity="hint")):
        back = pickle.loads(pickle.dumps(found, pickle.HIGHEST_PROTOCOL))
        assert back == found and type(back) is Located
