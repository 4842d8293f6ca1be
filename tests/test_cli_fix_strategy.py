"""``check --fix --fix-strategy flag|env|mount``: the same checked fixes as the editor's, for a whole file.

What a strategy cannot fix stays reported (and fails the run, as any finding does);
BOM, CRLF and ``--fix -`` (stdin) behave as with the flag.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from pip_cache_lsp.cli import main

TEXT = "FROM python AS base\nRUN pip install a\nRUN sudo pip install b\nFROM base\nRUN uv sync\n"
FIXED = {
    "flag": ("FROM python AS base\nRUN pip install --no-cache-dir a\nRUN sudo pip install --no-cache-dir b\n"
             "FROM base\nRUN uv sync --no-cache\n", 3, 0),
    "env": ("FROM python AS base\nENV PIP_NO_CACHE_DIR=1\nRUN pip install a\nRUN sudo pip install b\n"
            "FROM base\nENV UV_NO_CACHE=1\nRUN uv sync\n", 2, 1),
    "mount": ("FROM python AS base\nRUN --mount=type=cache,target=/root/.cache/pip pip install a\n"
              "RUN --mount=type=cache,target=/root/.cache/pip sudo pip install b\n"
              "FROM base\nRUN --mount=type=cache,target=/root/.cache/uv uv sync\n", 3, 0),
}


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["check", *args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("strategy", sorted(FIXED))
def test_each_strategy(strategy: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "Dockerfile"
    target.write_text(TEXT)
    want, fixed, left = FIXED[strategy]
    code, out, err = run(capsys, "--fix", "--fix-strategy", strategy, "--builder-stages", "report", str(target))
    assert target.read_text() == want
    assert err == f"pip-cache-lsp: fixed {fixed} finding(s) in 1 file(s)\n"
    if left:  # the sudo pip: sudo resets the environment, the ENV cannot reach it; reported where it now is
        assert (code, out.split(": ")[0]) == (1, f"{target}:4:10")
    else:
        assert (code, out) == (0, "")
    assert run(capsys, "--fix", "--fix-strategy", strategy, str(target))[2] == "", "nothing more to fix"
    assert target.read_text() == want


def test_diff_with_a_strategy_changes_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "Dockerfile"
    target.write_text("FROM python\nRUN pip install a\n")
    code, out, _ = run(capsys, "--diff", "--fix-strategy", "env", str(target))
    assert code == 1 and "+ENV PIP_NO_CACHE_DIR=1\n" in out
    assert target.read_text() == "FROM python\nRUN pip install a\n"


def test_env_keeps_crlf_and_bom(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "Dockerfile"
    target.write_bytes(b"\xef\xbb\xbfFROM python\r\nRUN pip install a\r\n")
    assert run(capsys, "--fix", "--fix-strategy", "env", str(target))[0] == 0
    assert target.read_bytes() == b"\xef\xbb\xbfFROM python\r\nENV PIP_NO_CACHE_DIR=1\r\nRUN pip install a\r\n"


def test_mount_needs_a_known_uid(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The user asked for mounts (no BuildKit sign needed), but a user of unknown uid gets none."""
    target = tmp_path / "Dockerfile"
    text = "FROM python\nUSER app\nENV HOME=/home/app\nRUN pip install a\nUSER 1000\nRUN pip install b\n"
    target.write_text(text)
    code, out, err = run(capsys, "--fix", "--fix-strategy", "mount", str(target))
    assert target.read_text() == text.replace(
        "RUN pip install b", "RUN --mount=type=cache,target=/home/app/.cache/pip,uid=1000 pip install b")
    assert (code, err) == (1, "pip-cache-lsp: fixed 1 finding(s) in 1 file(s)\n")
    assert out.startswith(f"{target}:4:5: pip-no-cache-dir")


def test_stdin_with_a_strategy() -> None:
    cmd = [sys.executable, "-m", "pip_cache_lsp", "check", "--fix", "--fix-strategy", "env", "-"]
    done = subprocess.run(cmd, input="FROM python\nRUN pip install a\n", capture_output=True, text=True, check=False)
    assert (done.returncode, done.stdout) == (0, "FROM python\nENV PIP_NO_CACHE_DIR=1\nRUN pip install a\n")


def test_project_fix_strategy(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.pip-cache-lsp]\nfix-strategy = "env"\n')
    target = tmp_path / "Dockerfile"
    target.write_text("FROM python\nRUN pip install a\n")
    assert run(capsys, "--fix", str(target))[0] == 0
    assert target.read_text() == "FROM python\nENV PIP_NO_CACHE_DIR=1\nRUN pip install a\n"
    target.write_text("FROM python\nRUN pip install a\n")
    assert run(capsys, "--fix", "--fix-strategy", "flag", str(target))[0] == 0  # the command line wins
    assert target.read_text() == "FROM python\nRUN pip install --no-cache-dir a\n"
    (tmp_path / "pyproject.toml").write_text('[tool.pip-cache-lsp]\nfix-strategy = "magic"\n')
    code, _, err = run(capsys, "--fix", str(target))
    assert code == 2 and "fix-strategy must be one of flag, env, mount" in err


def test_unknown_strategy_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["check", "--fix", "--fix-strategy", "magic", "."])
    assert exc.value.code == 2 and "invalid choice" in capsys.readouterr().err


@pytest.mark.parametrize("strategy", sorted(FIXED))
def test_selected_hints_are_removed_whatever_the_strategy(strategy: str, tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    """A hint's fix is its removal: every strategy applies it (and ends: no round re-applies it)."""
    target = tmp_path / "Dockerfile"
    target.write_text("FROM python\n# pip-cache-lsp: ignore=uv-no-cache\nRUN pip install a\n")
    code, out, err = run(capsys, "--fix", "--fix-strategy", strategy, "--select",
                         "pip-no-cache-dir,uv-no-cache,unused-suppression", str(target))
    want = {
        "flag": "FROM python\nRUN pip install --no-cache-dir a\n",
        "env": "FROM python\nENV PIP_NO_CACHE_DIR=1\nRUN pip install a\n",
        "mount": "FROM python\nRUN --mount=type=cache,target=/root/.cache/pip pip install a\n",
    }[strategy]
    assert (target.read_text(), code, out) == (want, 0, "")
    assert err == "pip-cache-lsp: fixed 2 finding(s) in 1 file(s)\n"
