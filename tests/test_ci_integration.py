"""CI ecosystem: SARIF that validates, GitHub annotations, project config, pre-commit hooks."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from pip_cache_lsp.cli import main

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = json.loads((Path(__file__).parent / "data" / "sarif-2.1.0-rtm.5.json").read_text())
BAD = "FROM python\nRUN echo 'é' && pip install a\n"


def check(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["check", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_sarif_validates_and_carries_the_fix(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("Dockerfile").write_text(BAD)
    code, out, _ = check(capsys, "--format", "sarif", "--severity", "error", "Dockerfile")
    log = json.loads(out)
    jsonschema.validate(log, SCHEMA)
    assert code == 1
    run = log["runs"][0]
    assert run["tool"]["driver"]["rules"][0]["id"] == "pip-no-cache-dir"
    assert run["tool"]["driver"]["rules"][0]["helpUri"].endswith("docs/rules/pip-no-cache-dir.md")
    (result,) = run["results"]
    assert result["level"] == "error"
    assert result["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "Dockerfile"},
        "region": {"startLine": 2, "startColumn": 17, "endLine": 2, "endColumn": 28},
    }
    (replacement,) = result["fixes"][0]["artifactChanges"][0]["replacements"]
    assert replacement == {
        "deletedRegion": {"startLine": 2, "startColumn": 28, "endLine": 2, "endColumn": 28},
        "insertedContent": {"text": " --no-cache-dir"},
    }


def test_sarif_without_findings_validates(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "Dockerfile").write_text("FROM a\n")
    code, out, _ = check(capsys, "--format", "sarif", str(tmp_path))
    jsonschema.validate(json.loads(out), SCHEMA)
    assert code == 0 and json.loads(out)["runs"][0]["results"] == []


def test_github_annotations(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("a,b.Dockerfile").write_text(BAD)
    code, out, _ = check(capsys, "--format", "github", "a,b.Dockerfile")
    assert code == 1
    assert out == ("::warning file=a%2Cb.Dockerfile,line=2,col=17,endLine=2,endColumn=28,"
                   "title=pip-no-cache-dir::pip install without --no-cache-dir: pip's download cache stays "
                   "in the image layer; add --no-cache-dir (or set PIP_NO_CACHE_DIR=1)\n")
    assert check(capsys, "--format", "github", "--severity", "info", "a,b.Dockerfile")[1].startswith("::notice ")


def test_exit_zero(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "Dockerfile").write_text(BAD)
    code, out, _ = check(capsys, "--exit-zero", str(tmp_path))
    assert code == 0 and out.count("pip-no-cache-dir") == 1


def test_pyproject_settings(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                            monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.pip-cache-lsp]\nhonour-env = false\nseverity = "error"\nexclude = ["vendor", "legacy/*.dockerfile"]\n')
    (tmp_path / "src").mkdir()
    (tmp_path / "vendor" / "x").mkdir(parents=True)
    (tmp_path / "legacy").mkdir()
    (tmp_path / "src" / "Dockerfile").write_text("ENV PIP_NO_CACHE_DIR=1\nRUN pip install a\n")
    (tmp_path / "vendor" / "x" / "Dockerfile").write_text(BAD)
    (tmp_path / "legacy" / "old.dockerfile").write_text(BAD)
    (tmp_path / "legacy" / "Dockerfile").write_text(BAD)
    monkeypatch.chdir(tmp_path / "src")
    code, out, _ = check(capsys, "--format", "github", str(tmp_path))
    assert code == 1
    assert sorted(line.split(",")[0] for line in out.splitlines()) == [
        f"::error file={tmp_path}/legacy/Dockerfile",
        f"::error file={tmp_path}/src/Dockerfile",
    ]
    assert check(capsys, str(tmp_path / "src"))[0] == 1, "honour-env = false reports the ENV-covered install"
    assert check(capsys, "--severity", "warning", "--format", "github", str(tmp_path / "src"))[1].startswith(
        "::warning ")


def test_bad_pyproject_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.pip-cache-lsp]\nhonour_env = "no"\n')
    monkeypatch.chdir(tmp_path)
    code, _, err = check(capsys, ".")
    assert code == 2
    assert err == f"pip-cache-lsp: error: {tmp_path / 'pyproject.toml'}: unknown key(s) in [tool.pip-cache-lsp]: honour_env\n"


@pytest.mark.skipif(shutil.which("git") is None, reason="pre-commit needs git")
def test_pre_commit_hooks_through_try_repo(tmp_path: Path) -> None:
    """The real pre-commit installs this repository's hooks and runs them on a project."""
    repo = tmp_path / "project"
    repo.mkdir()
    (repo / "Dockerfile").write_text(BAD)
    (repo / "README.md").write_text("pip install a\n")
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "cache"), "GIT_AUTHOR_NAME": "t",
           "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@t"}
    git = ["git", "-C", str(repo)]
    subprocess.run([*git, "init", "-q"], check=True, env=env)
    subprocess.run([*git, "add", "."], check=True, env=env)
    pre_commit = [sys.executable, "-m", "pre_commit", "try-repo", str(ROOT)]
    checked = subprocess.run([*pre_commit, "pip-cache-lsp", "--all-files"], cwd=repo, env=env,
                             capture_output=True, text=True, check=False)
    assert checked.returncode == 1, checked.stdout + checked.stderr
    assert "Dockerfile:2:17: pip-no-cache-dir" in checked.stdout
    fixed = subprocess.run([*pre_commit, "pip-cache-lsp-fix", "--all-files"], cwd=repo, env=env,
                           capture_output=True, text=True, check=False)
    assert fixed.returncode == 1, "pre-commit fails a run whose hook modified files"
    assert "files were modified by this hook" in fixed.stdout
    assert (repo / "Dockerfile").read_text() == "FROM python\nRUN echo 'é' && pip install --no-cache-dir a\n"
    assert (repo / "README.md").read_text() == "pip install a\n"


def test_each_file_gets_its_own_projects_settings(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """Run from above two projects, as CI does: each file follows the pyproject next to it."""
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "pyproject.toml").write_text('[tool.pip-cache-lsp]\nseverity = "error"\n')
    (tmp_path / "b" / "pyproject.toml").write_text('[tool.pip-cache-lsp]\nexclude = ["Dockerfile"]\n')
    (tmp_path / "a" / "Dockerfile").write_text(BAD)
    (tmp_path / "b" / "Dockerfile").write_text(BAD)
    monkeypatch.chdir(tmp_path)
    code, out, _ = check(capsys, "--format", "github", "a/Dockerfile", "b/Dockerfile")
    assert code == 1
    assert [line.split(",")[0] for line in out.splitlines()] == ["::error file=a/Dockerfile"]
