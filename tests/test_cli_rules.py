"""``pip-cache-lsp check`` with two rules (issue 14, section 3): choosing rules, severities, failing builds.

``--select`` / ``--ignore`` and their ``[tool.pip-cache-lsp]`` keys, ``--builder-stages``,
hadolint's ``--failure-threshold`` (default ``warning``: information-level findings in
builder stages do not fail a build), and how each output format carries each
finding's rule and level.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pip_cache_lsp.cli import main

PIP_MESSAGE = ("pip install without --no-cache-dir: pip's download cache stays in the image layer; "
               "add --no-cache-dir (or set PIP_NO_CACHE_DIR=1)")
UV_MESSAGE = "uv without --no-cache: uv's cache stays in the image layer; add --no-cache (or set UV_NO_CACHE=1)"
IN_BUILDER = " (stage 'builder' is not part of the final image)"
PIP_URL = "https://github.com/pip-cache-lsp/pip-cache-lsp/blob/main/docs/rules/pip-no-cache-dir.md"
UV_URL = "https://github.com/pip-cache-lsp/pip-cache-lsp/blob/main/docs/rules/uv-no-cache.md"
KNOWN = "pip-no-cache-dir, uv-no-cache, unused-suppression, useless-cache-mount"  # the rules, then the hints

# Line 2 is in a builder stage, line 4 in the final one; each has a pip and a uv finding.
MIXED = ("FROM python AS builder\n"
         "RUN pip install a && uv sync\n"
         "FROM python\n"
         "RUN pip install b && uv pip install c\n")
MIXED_FIXED = ("FROM python AS builder\n"
               "RUN pip install --no-cache-dir a && uv sync --no-cache\n"
               "FROM python\n"
               "RUN pip install --no-cache-dir b && uv pip install --no-cache c\n")
ONLY_BUILDER = "FROM python AS builder\nRUN pip install a && uv sync\nFROM python\nCOPY --from=builder /app /app\n"

# (line, column, end_line, end_column, code) of MIXED's findings, 1-based as the CLI prints them.
PIP_B = (2, 5, 2, 16, "pip-no-cache-dir")
UV_B = (2, 22, 2, 29, "uv-no-cache")
PIP_F = (4, 5, 4, 16, "pip-no-cache-dir")
UV_F = (4, 22, 4, 36, "uv-no-cache")


@pytest.fixture(autouse=True)
def _cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run in the temporary directory, so that no pyproject.toml of this repository applies."""
    monkeypatch.chdir(tmp_path)


def dockerfile(tmp_path: Path, text: str = MIXED, name: str = "Dockerfile") -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["check", *args])
    out, err = capsys.readouterr()
    return code, out, err


def json_rows(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[tuple[object, ...]]]:
    code, out, err = run(capsys, "--format", "json", *args)
    assert err == ""
    return code, [(r["line"], r["column"], r["end_line"], r["end_column"], r["code"], r["severity"], r["message"])
                  for r in json.loads(out)]


def row(where: tuple[int, int, int, int, str], severity: str, builder: bool) -> tuple[object, ...]:
    message = PIP_MESSAGE if where[4] == "pip-no-cache-dir" else UV_MESSAGE
    return (*where, severity, message + (IN_BUILDER if builder else ""))


ALL_ROWS = [row(PIP_B, "info", True), row(UV_B, "info", True), row(PIP_F, "warning", False),
            row(UV_F, "warning", False)]


def test_json_carries_code_and_severity(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = dockerfile(tmp_path)
    code, out, err = run(capsys, "--format", "json", path)
    assert (code, err) == (1, "")
    assert json.loads(out) == [
        {"path": path, "line": line, "column": col, "end_line": end_line, "end_column": end_col, "code": rule,
         "severity": severity, "message": message}
        for line, col, end_line, end_col, rule, severity, message in ALL_ROWS
    ]


def test_text_output_names_each_rule(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = dockerfile(tmp_path)
    code, out, err = run(capsys, path)
    assert (code, err) == (1, "")
    assert out == (f"{path}:2:5: pip-no-cache-dir {PIP_MESSAGE}{IN_BUILDER}\n"
                   f"{path}:2:22: uv-no-cache {UV_MESSAGE}{IN_BUILDER}\n"
                   f"{path}:4:5: pip-no-cache-dir {PIP_MESSAGE}\n"
                   f"{path}:4:22: uv-no-cache {UV_MESSAGE}\n")


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        pytest.param(["--select", "uv-no-cache"], [ALL_ROWS[1], ALL_ROWS[3]], id="select uv"),
        pytest.param(["--select", "pip-no-cache-dir"], [ALL_ROWS[0], ALL_ROWS[2]], id="select pip"),
        pytest.param(["--ignore", "pip-no-cache-dir"], [ALL_ROWS[1], ALL_ROWS[3]], id="ignore pip"),
        pytest.param(["--ignore", "uv-no-cache"], [ALL_ROWS[0], ALL_ROWS[2]], id="ignore uv"),
        pytest.param(["--select", "uv-no-cache,pip-no-cache-dir"], ALL_ROWS, id="select both, comma-separated"),
        pytest.param(["--select", " uv-no-cache , "], [ALL_ROWS[1], ALL_ROWS[3]], id="spaces and empty items"),
        pytest.param(["--select", "uv-no-cache", "--ignore", "uv-no-cache"], [], id="ignore wins over select"),
        pytest.param(["--ignore", "uv-no-cache,pip-no-cache-dir"], [], id="ignore both"),
        pytest.param(["--builder-stages", "report"],
                     [row(PIP_B, "warning", False), row(UV_B, "warning", False), ALL_ROWS[2], ALL_ROWS[3]],
                     id="builder-stages report: warnings with the plain message"),
        pytest.param(["--builder-stages", "ignore"], [ALL_ROWS[2], ALL_ROWS[3]], id="builder-stages ignore"),
        pytest.param(["--builder-stages", "information"], ALL_ROWS, id="builder-stages information"),
        pytest.param(["--severity", "error"],
                     [ALL_ROWS[0], ALL_ROWS[1], row(PIP_F, "error", False), row(UV_F, "error", False)],
                     id="severity error leaves builder findings at info"),
        pytest.param(["--severity", "error", "--builder-stages", "report"],
                     [row(PIP_B, "error", False), row(UV_B, "error", False), row(PIP_F, "error", False),
                      row(UV_F, "error", False)], id="severity error with builder-stages report"),
    ],
)
def test_choosing_rules_and_stages(tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str],
                                   expected: list[tuple[object, ...]]) -> None:
    code, got = json_rows(capsys, *args, dockerfile(tmp_path))
    assert got == expected
    assert code == (1 if expected else 0)


@pytest.mark.parametrize("option", ["--select", "--ignore"])
@pytest.mark.parametrize("value", ["bogus-rule", "uv-no-cache,bogus-rule", "DL3042"])
def test_unknown_code_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str], option: str,
                                       value: str) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["check", option, value, dockerfile(tmp_path)])
    assert exc.value.code == 2
    out, err = capsys.readouterr()
    assert out == ""
    unknown = value.split(",")[-1]
    assert f"unknown rule code(s) {unknown} (known: {KNOWN})" in err
    assert option in err


@pytest.mark.parametrize(
    ("args", "text", "exit_code"),
    [
        pytest.param([], ONLY_BUILDER, 0, id="info only, default threshold"),
        pytest.param(["--failure-threshold", "warning"], ONLY_BUILDER, 0, id="info only, warning"),
        pytest.param(["--failure-threshold", "error"], ONLY_BUILDER, 0, id="info only, error"),
        pytest.param(["--failure-threshold", "info"], ONLY_BUILDER, 1, id="info only, info"),
        pytest.param(["--failure-threshold", "none"], ONLY_BUILDER, 0, id="info only, none"),
        pytest.param(["--builder-stages", "report"], ONLY_BUILDER, 1, id="info only, reported as warnings"),
        pytest.param(["--builder-stages", "ignore", "--failure-threshold", "info"], ONLY_BUILDER, 0,
                     id="info only, ignored"),
        pytest.param([], MIXED, 1, id="warnings, default threshold"),
        pytest.param(["--failure-threshold", "warning"], MIXED, 1, id="warnings, warning"),
        pytest.param(["--failure-threshold", "info"], MIXED, 1, id="warnings, info"),
        pytest.param(["--failure-threshold", "error"], MIXED, 0, id="warnings, error"),
        pytest.param(["--failure-threshold", "none"], MIXED, 0, id="warnings, none"),
        pytest.param(["--failure-threshold", "error", "--severity", "error"], MIXED, 1, id="errors, error"),
        pytest.param(["--failure-threshold", "error", "--severity", "error"], ONLY_BUILDER, 0,
                     id="info only with severity error, error"),
        pytest.param(["--failure-threshold", "info", "--exit-zero"], MIXED, 0, id="exit-zero wins"),
        pytest.param(["--failure-threshold", "info"], "FROM python\nRUN uv sync --no-cache\n", 0, id="clean file"),
    ],
)
def test_failure_threshold(tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], text: str,
                           exit_code: int) -> None:
    code, out, err = run(capsys, *args, dockerfile(tmp_path, text))
    assert err == ""
    assert code == exit_code


def test_unknown_failure_threshold_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["check", "--failure-threshold", "style", dockerfile(tmp_path)])
    assert exc.value.code == 2
    assert "style" in capsys.readouterr().err


def write_project(tmp_path: Path, table: str, text: str = MIXED) -> str:
    (tmp_path / "pyproject.toml").write_text(f"[tool.pip-cache-lsp]\n{table}\n")
    return dockerfile(tmp_path, text)


@pytest.mark.parametrize(
    ("table", "args", "expected", "exit_code"),
    [
        pytest.param('select = ["uv-no-cache"]', [], [ALL_ROWS[1], ALL_ROWS[3]], 1, id="select"),
        pytest.param('ignore = ["uv-no-cache"]', [], [ALL_ROWS[0], ALL_ROWS[2]], 1, id="ignore"),
        pytest.param('select = ["uv-no-cache"]', ["--select", "pip-no-cache-dir"], [ALL_ROWS[0], ALL_ROWS[2]], 1,
                     id="command line select wins"),
        pytest.param('ignore = ["uv-no-cache"]', ["--ignore", "pip-no-cache-dir"], [], 0,
                     id="command line ignore adds to the project's"),
        pytest.param('builder-stages = "ignore"', [], [ALL_ROWS[2], ALL_ROWS[3]], 1, id="builder-stages ignore"),
        pytest.param('builder-stages = "report"', [],
                     [row(PIP_B, "warning", False), row(UV_B, "warning", False), ALL_ROWS[2], ALL_ROWS[3]], 1,
                     id="builder-stages report"),
        pytest.param('builder-stages = "report"', ["--builder-stages", "information"], ALL_ROWS, 1,
                     id="command line builder-stages wins"),
        pytest.param('failure-threshold = "error"', [], ALL_ROWS, 0, id="failure-threshold error"),
        pytest.param('failure-threshold = "none"', [], ALL_ROWS, 0, id="failure-threshold none"),
        pytest.param('failure-threshold = "error"', ["--failure-threshold", "warning"], ALL_ROWS, 1,
                     id="command line failure-threshold wins"),
    ],
)
def test_project_settings(tmp_path: Path, capsys: pytest.CaptureFixture[str], table: str, args: list[str],
                          expected: list[tuple[object, ...]], exit_code: int) -> None:
    path = write_project(tmp_path, table)
    code, got = json_rows(capsys, *args, path)
    assert (code, got) == (exit_code, expected)


@pytest.mark.parametrize(
    ("table", "exit_code"),
    [
        pytest.param('failure-threshold = "info"', 1, id="info"),
        pytest.param('failure-threshold = "warning"', 0, id="warning"),
        pytest.param('builder-stages = "report"', 1, id="builder-stages report"),
        pytest.param('builder-stages = "ignore"\nfailure-threshold = "info"', 0, id="ignored, info"),
        pytest.param('select = ["pip-no-cache-dir"]\nfailure-threshold = "info"', 1, id="select pip, info"),
    ],
)
def test_project_threshold_on_builder_findings(tmp_path: Path, capsys: pytest.CaptureFixture[str], table: str,
                                               exit_code: int) -> None:
    path = write_project(tmp_path, table, ONLY_BUILDER)
    code, _, err = run(capsys, path)
    assert (code, err) == (exit_code, "")


@pytest.mark.parametrize(
    ("table", "message"),
    [
        pytest.param('select = ["bogus"]', f"select: unknown rule code(s) bogus (known: {KNOWN})", id="select"),
        pytest.param('ignore = ["bogus"]', f"ignore: unknown rule code(s) bogus (known: {KNOWN})", id="ignore"),
        pytest.param('builder-stages = "sometimes"', "builder-stages must be one of report, information, ignore",
                     id="builder-stages"),
        pytest.param('failure-threshold = "style"', "failure-threshold must be one of error, warning, info, hint, none",
                     id="failure-threshold"),
    ],
)
def test_project_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str], table: str, message: str) -> None:
    path = write_project(tmp_path, table)
    code, out, err = run(capsys, path)
    assert code == 2
    assert message in err
    assert str(tmp_path / "pyproject.toml") in err


def test_sarif_lists_both_rules_and_each_result_points_at_its_own(tmp_path: Path,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "--format", "sarif", dockerfile(tmp_path))
    assert (code, err) == (1, "")
    (sarif_run,) = json.loads(out)["runs"]
    rules = sarif_run["tool"]["driver"]["rules"]
    assert [(r["id"], r["helpUri"]) for r in rules] == [("pip-no-cache-dir", PIP_URL), ("uv-no-cache", UV_URL)]
    assert [r["name"] for r in rules] == ["PipInstallWithoutNoCacheDir", "UvWithoutNoCache"]
    assert [r["defaultConfiguration"]["level"] for r in rules] == ["warning", "warning"]
    results = sarif_run["results"]
    assert [(r["ruleId"], r["ruleIndex"], r["level"]) for r in results] == [
        ("pip-no-cache-dir", 0, "note"), ("uv-no-cache", 1, "note"),
        ("pip-no-cache-dir", 0, "warning"), ("uv-no-cache", 1, "warning")]
    assert [r["message"]["text"] for r in results] == [PIP_MESSAGE + IN_BUILDER, UV_MESSAGE + IN_BUILDER,
                                                        PIP_MESSAGE, UV_MESSAGE]
    regions = [r["locations"][0]["physicalLocation"]["region"] for r in results]
    assert [(g["startLine"], g["startColumn"], g["endLine"], g["endColumn"]) for g in regions] == [
        PIP_B[:4], UV_B[:4], PIP_F[:4], UV_F[:4]]
    inserted = [r["fixes"][0]["artifactChanges"][0]["replacements"][0]["insertedContent"]["text"] for r in results]
    assert inserted == [" --no-cache-dir", " --no-cache", " --no-cache-dir", " --no-cache"]
    assert [r["fixes"][0]["description"]["text"] for r in results] == [
        "Add --no-cache-dir", "Add --no-cache", "Add --no-cache-dir", "Add --no-cache"]


def test_sarif_with_only_uv_selected_still_lists_both_rules(tmp_path: Path,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--format", "sarif", "--select", "uv-no-cache", dockerfile(tmp_path))
    (sarif_run,) = json.loads(out)["runs"]
    assert [r["id"] for r in sarif_run["tool"]["driver"]["rules"]] == ["pip-no-cache-dir", "uv-no-cache"]
    assert [(r["ruleId"], r["ruleIndex"]) for r in sarif_run["results"]] == [("uv-no-cache", 1), ("uv-no-cache", 1)]


def test_github_uses_notice_for_information(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = dockerfile(tmp_path)
    code, out, err = run(capsys, "--format", "github", path)
    assert (code, err) == (1, "")
    file = path.replace(":", "%3A").replace(",", "%2C")
    assert out == (
        f"::notice file={file},line=2,col=5,endLine=2,endColumn=16,title=pip-no-cache-dir::{PIP_MESSAGE}{IN_BUILDER}\n"
        f"::notice file={file},line=2,col=22,endLine=2,endColumn=29,title=uv-no-cache::{UV_MESSAGE}{IN_BUILDER}\n"
        f"::warning file={file},line=4,col=5,endLine=4,endColumn=16,title=pip-no-cache-dir::{PIP_MESSAGE}\n"
        f"::warning file={file},line=4,col=22,endLine=4,endColumn=36,title=uv-no-cache::{UV_MESSAGE}\n")


def test_github_with_builder_stages_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--format", "github", "--builder-stages", "report", dockerfile(tmp_path))
    assert code == 1
    assert [line.split(" ", 1)[0] for line in out.splitlines()] == ["::warning"] * 4
    assert IN_BUILDER not in out


def test_fix_fixes_both_rules(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = dockerfile(tmp_path)
    code, out, err = run(capsys, "--fix", path)
    assert (code, out) == (0, "")
    assert err == "pip-cache-lsp: fixed 4 finding(s) in 1 file(s)\n"
    assert Path(path).read_text() == MIXED_FIXED
    assert run(capsys, "--failure-threshold", "info", path) == (0, "", "")


@pytest.mark.parametrize(
    ("args", "fixed"),
    [
        pytest.param(["--select", "uv-no-cache"],
                     MIXED.replace("uv sync", "uv sync --no-cache").replace("uv pip install", "uv pip install --no-cache"),
                     id="select uv"),
        pytest.param(["--ignore", "uv-no-cache"], MIXED.replace("pip install a", "pip install --no-cache-dir a")
                     .replace("RUN pip install b", "RUN pip install --no-cache-dir b"), id="ignore uv"),
        pytest.param(["--builder-stages", "ignore"], "FROM python AS builder\nRUN pip install a && uv sync\nFROM python\n"
                     "RUN pip install --no-cache-dir b && uv pip install --no-cache c\n",
                     id="builder-stages ignore leaves builder stages alone"),
    ],
)
def test_fix_obeys_the_selection(tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str],
                                 fixed: str) -> None:
    path = dockerfile(tmp_path)
    code, out, _ = run(capsys, "--fix", *args, path)
    assert (code, out) == (0, "")
    assert Path(path).read_text() == fixed


def test_diff_shows_both_rules_fixes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = dockerfile(tmp_path)
    code, out, _ = run(capsys, "--diff", "--format", "json", path)
    assert code == 1
    assert "+RUN pip install --no-cache-dir a && uv sync --no-cache\n" in out
    assert "+RUN pip install --no-cache-dir b && uv pip install --no-cache c\n" in out
    assert Path(path).read_text() == MIXED
