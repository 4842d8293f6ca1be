"""The hints in the CLI: silent by default, reported when selected, in every format, fixed by --fix.

Hints never fail a run unless ``--failure-threshold hint`` asks for it.
"""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from pip_cache_lsp.cli import main

SCHEMA = json.loads((Path(__file__).parent / "data" / "sarif-2.1.0-rtm.5.json").read_text())
BOTH = "unused-suppression,useless-cache-mount"
TEXT = (
    "FROM python\n"
    "# hadolint ignore=DL3008,DL3042\n"
    "RUN pip install --no-cache-dir a\n"
    "RUN --mount=type=cache,target=/root/.cache/pip pip install --no-cache-dir b\n"
)
FIXED = (
    "FROM python\n"
    "# hadolint ignore=DL3008\n"
    "RUN pip install --no-cache-dir a\n"
    "RUN --mount=type=cache,target=/root/.cache/pip pip install b\n"
)
UNUSED_MESSAGE = "unused suppression: DL3042 silences nothing here"
MOUNT_MESSAGE = ("the cache mount on /root/.cache/pip is never used; remove --no-cache-dir to reuse downloads "
                 "across builds")
ROWS = [(2, 26, 2, 32, "unused-suppression", "hint", UNUSED_MESSAGE),
        (4, 60, 4, 74, "useless-cache-mount", "hint", MOUNT_MESSAGE)]


@pytest.fixture(autouse=True)
def _cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


def dockerfile(tmp_path: Path, text: str = TEXT) -> str:
    path = tmp_path / "Dockerfile"
    path.write_text(text)
    return str(path)


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["check", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_silent_by_default(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, dockerfile(tmp_path)) == (0, "", "")
    assert run(capsys, "--format", "json", dockerfile(tmp_path)) == (0, "[]\n", "")


@pytest.mark.parametrize(
    ("select", "rows"),
    [
        pytest.param(BOTH, ROWS, id="both"),
        pytest.param("unused-suppression", ROWS[:1], id="unused-suppression"),
        pytest.param("useless-cache-mount", ROWS[1:], id="useless-cache-mount"),
        pytest.param("pip-no-cache-dir", [], id="a rule only"),
    ],
)
def test_select_reports_them_as_hints(tmp_path: Path, capsys: pytest.CaptureFixture[str], select: str,
                                      rows: list[tuple[object, ...]]) -> None:
    code, out, err = run(capsys, "--format", "json", "--select", select, dockerfile(tmp_path))
    assert (code, err) == (0, "")
    assert [(r["line"], r["column"], r["end_line"], r["end_column"], r["code"], r["severity"], r["message"])
            for r in json.loads(out)] == rows


def test_text_and_github(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = dockerfile(tmp_path)
    code, out, _ = run(capsys, "--select", BOTH, path)
    assert (code, out) == (0, f"{path}:2:26: unused-suppression {UNUSED_MESSAGE}\n"
                              f"{path}:4:60: useless-cache-mount {MOUNT_MESSAGE}\n")
    code, out, _ = run(capsys, "--select", BOTH, "--format", "github", "--severity", "error", path)
    escaped = path.replace(":", "%3A").replace(",", "%2C")
    assert (code, out) == (0, (
        f"::notice file={escaped},line=2,col=26,endLine=2,endColumn=32,title=unused-suppression::{UNUSED_MESSAGE}\n"
        f"::notice file={escaped},line=4,col=60,endLine=4,endColumn=74,title=useless-cache-mount::{MOUNT_MESSAGE}\n"))


def test_project_select(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.pip-cache-lsp]\nselect = ["pip-no-cache-dir", '
                                             '"unused-suppression"]\n')
    code, out, _ = run(capsys, "--format", "json", dockerfile(tmp_path))
    assert (code, [r["code"] for r in json.loads(out)]) == (0, ["unused-suppression"])


@pytest.mark.parametrize(
    ("threshold", "exit_code"),
    [("hint", 1), ("info", 0), ("warning", 0), ("error", 0), ("none", 0)],
)
def test_hints_fail_only_when_asked(tmp_path: Path, capsys: pytest.CaptureFixture[str], threshold: str,
                                    exit_code: int) -> None:
    code, _, _ = run(capsys, "--select", BOTH, "--failure-threshold", threshold, dockerfile(tmp_path))
    assert code == exit_code


def test_sarif_lists_the_hints_it_reports(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = dockerfile(tmp_path)
    _, out, _ = run(capsys, "--format", "sarif", path)
    log = json.loads(out)
    assert [r["id"] for r in log["runs"][0]["tool"]["driver"]["rules"]] == ["pip-no-cache-dir", "uv-no-cache"]
    _, out, _ = run(capsys, "--format", "sarif", "--select", BOTH, "--severity", "error", path)
    log = json.loads(out)
    jsonschema.validate(log, SCHEMA)
    run_ = log["runs"][0]
    rules = run_["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == ["pip-no-cache-dir", "uv-no-cache", "unused-suppression",
                                        "useless-cache-mount"]
    assert [r["defaultConfiguration"]["level"] for r in rules] == ["error", "error", "note", "note"]
    assert rules[2]["helpUri"].endswith("docs/rules/unused-suppression.md")
    results = run_["results"]
    assert [(r["ruleId"], r["ruleIndex"], r["level"]) for r in results] == [
        ("unused-suppression", 2, "note"), ("useless-cache-mount", 3, "note")]
    assert [r["fixes"] for r in results] == [
        [{"description": {"text": "Remove unused suppression"}, "artifactChanges": [{
            "artifactLocation": {"uri": Path(path).as_uri()}, "replacements": [{
                "deletedRegion": {"startLine": 2, "startColumn": 25, "endLine": 2, "endColumn": 32},
                "insertedContent": {"text": ""}}]}]}],
        [{"description": {"text": "Remove the flag (the cache mount reuses downloads)"}, "artifactChanges": [{
            "artifactLocation": {"uri": Path(path).as_uri()}, "replacements": [{
                "deletedRegion": {"startLine": 4, "startColumn": 60, "endLine": 4, "endColumn": 75},
                "insertedContent": {"text": ""}}]}]}],
    ]


def test_fix_removes_what_is_selected(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = dockerfile(tmp_path)
    code, _, err = run(capsys, "--fix", path)
    assert (code, Path(path).read_text()) == (0, TEXT)  # nothing selected: nothing removed
    code, _, err = run(capsys, "--fix", "--select", BOTH, path)
    assert (code, err) == (0, "pip-cache-lsp: fixed 2 finding(s) in 1 file(s)\n")
    assert Path(path).read_text() == FIXED
    assert run(capsys, "--select", f"{BOTH},pip-no-cache-dir", path) == (0, "", "")


def test_fix_whole_line_and_a_rule_fix_together(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = "FROM python\n# pip-cache-lsp: ignore=uv-no-cache\nRUN pip install a\n"
    path = dockerfile(tmp_path, text)
    code, _, _ = run(capsys, "--fix", "--select", f"{BOTH},pip-no-cache-dir", path)
    assert Path(path).read_text() == "FROM python\nRUN pip install --no-cache-dir a\n"
    assert code == 0
