"""``pip-cache-lsp check`` as CI and pre-commit run it: output, exit codes, safe fixes."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from pip_cache_lsp.cli import main

BAD = "FROM python\nRUN pip install a\n"
MESSAGE = ("pip install without --no-cache-dir: pip's download cache stays in the image layer; "
           "add --no-cache-dir (or set PIP_NO_CACHE_DIR=1)")


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["check", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_text_output_and_exit_one(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "Dockerfile").write_text("FROM python\nRUN echo é && pip install a\n")
    code, out, err = run(capsys, str(tmp_path / "Dockerfile"))
    assert (code, err) == (1, "")
    assert out == f"{tmp_path / 'Dockerfile'}:2:15: pip-no-cache-dir {MESSAGE}\n"


def test_json_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "Dockerfile").write_text("RUN pip \\\n  install a\n")
    code, out, _ = run(capsys, "--format", "json", str(tmp_path / "Dockerfile"))
    assert code == 1
    assert json.loads(out) == [{
        "path": str(tmp_path / "Dockerfile"), "line": 1, "column": 5, "end_line": 2, "end_column": 10,
        "code": "pip-no-cache-dir", "severity": "warning", "message": MESSAGE,
    }]


def test_clean_exits_zero(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "Dockerfile").write_text("RUN pip install --no-cache-dir a\n")
    assert run(capsys, str(tmp_path)) == (0, "", "")
    assert run(capsys, "--format", "json", str(tmp_path)) == (0, "[]\n", "")


def test_directory_walk_finds_dockerfile_names(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    names = ["Dockerfile", "Containerfile", "api.dockerfile", "Dockerfile.dev", "web.Dockerfile"]
    for name in [*names, "README.md", "dockerfile.bak", "Dockerfile"[:-1]]:
        (tmp_path / "sub").mkdir(exist_ok=True)
        (tmp_path / "sub" / name).write_text(BAD)
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "Dockerfile").write_text(BAD)
    code, out, _ = run(capsys, "--format", "json", str(tmp_path))
    assert code == 1
    assert sorted(Path(row["path"]).name for row in json.loads(out)) == sorted(names)


def test_bad_files_are_reported_and_others_still_checked(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = tmp_path / "Dockerfile"
    good.write_text(BAD)
    (tmp_path / "bin.Dockerfile").write_bytes(b"RUN a\0b\n")
    (tmp_path / "latin1.Dockerfile").write_bytes("RUN echo caf\xe9\n".encode("latin-1"))
    code, out, err = run(capsys, str(tmp_path / "missing"), str(tmp_path))
    assert code == 2
    assert out.count("pip-no-cache-dir") == 1
    assert err.splitlines() == [
        f"pip-cache-lsp: error: {tmp_path / 'missing'}: no such file or directory",
        f"pip-cache-lsp: error: {tmp_path / 'bin.Dockerfile'}: binary file (contains NUL bytes), not checked",
        f"pip-cache-lsp: error: {tmp_path / 'latin1.Dockerfile'}: not valid UTF-8 (byte 12), not checked",
    ]


def test_usage_error_exits_two(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["check", "--format", "xml"])
    assert exc.value.code == 2
    assert "invalid choice" in capsys.readouterr().err


def test_fix_keeps_crlf_bom_and_mode(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "Dockerfile"
    target.write_bytes(b"\xef\xbb\xbfFROM python\r\nRUN pip install a \\\r\n  && pip3 install b\r\n")
    target.chmod(0o640)
    code, out, err = run(capsys, "--fix", str(target))
    assert (code, out) == (0, "")
    assert err == "pip-cache-lsp: fixed 2 finding(s) in 1 file(s)\n"
    assert target.read_bytes() == (b"\xef\xbb\xbfFROM python\r\nRUN pip install --no-cache-dir a \\\r\n"
                                   b"  && pip3 install --no-cache-dir b\r\n")
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["Dockerfile"], "no temporary file left behind"
    assert run(capsys, "--fix", str(target))[:2] == (0, ""), "idempotent"


def test_fix_through_a_symlink_keeps_the_link(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    real = tmp_path / "real.dockerfile"
    real.write_text(BAD)
    link = tmp_path / "Dockerfile"
    link.symlink_to(real)
    assert run(capsys, "--fix", str(link))[0] == 0
    assert link.is_symlink()
    assert real.read_text() == "FROM python\nRUN pip install --no-cache-dir a\n"


def test_failed_write_leaves_the_file_and_no_temp(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "Dockerfile"
    target.write_text(BAD)

    def refuse(src: str, dst: str) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "replace", refuse)
    code, _, err = run(capsys, "--fix", str(target))
    assert code == 2
    assert err == f"pip-cache-lsp: error: {target}: cannot write (Permission denied), not fixed\n"
    assert target.read_text() == BAD
    assert [p.name for p in tmp_path.iterdir()] == ["Dockerfile"]


def test_diff_changes_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "Dockerfile"
    target.write_text(BAD)
    code, out, _ = run(capsys, "--diff", str(target))
    assert code == 1
    assert "-RUN pip install a\n+RUN pip install --no-cache-dir a\n" in out
    assert target.read_text() == BAD


def test_stdin_and_stdin_fix() -> None:
    cmd = [sys.executable, "-m", "pip_cache_lsp", "check"]
    done = subprocess.run([*cmd, "-"], input=BAD, capture_output=True, text=True, check=False)
    assert (done.returncode, done.stdout) == (1, f"-:2:5: pip-no-cache-dir {MESSAGE}\n")
    fixed = subprocess.run([*cmd, "--fix", "-"], input=BAD, capture_output=True, text=True, check=False)
    assert (fixed.returncode, fixed.stdout) == (0, "FROM python\nRUN pip install --no-cache-dir a\n")


@pytest.mark.parametrize("encoding", ["utf-8", "ascii"])
def test_stdin_fix_keeps_the_bom_and_utf8(encoding: str) -> None:
    cmd = [sys.executable, "-m", "pip_cache_lsp", "check", "--fix", "-"]
    source = "\ufeffFROM python\nRUN echo é && pip install a\n".encode()
    env = {**os.environ, "PYTHONIOENCODING": encoding, "LC_ALL": "C"}
    done = subprocess.run(cmd, input=source, capture_output=True, check=False, env=env)
    assert (done.returncode, done.stdout) == (
        0, "\ufeffFROM python\nRUN echo é && pip install --no-cache-dir a\n".encode())
    clean = subprocess.run(cmd, input=source.replace(b"install", b"install --no-cache-dir"),
                           capture_output=True, check=False, env=env)
    assert clean.stdout.startswith(b"\xef\xbb\xbfFROM")


def test_console_script_and_module_agree(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text(BAD)
    script = Path(sys.executable).with_name("pip-cache-lsp")
    by_module = subprocess.run([sys.executable, "-m", "pip_cache_lsp", "check", str(tmp_path)],
                               capture_output=True, text=True, check=False)
    by_script = subprocess.run([str(script), "check", str(tmp_path)], capture_output=True, text=True, check=False)
    assert by_module.returncode == by_script.returncode == 1
    assert by_module.stdout == by_script.stdout


def test_fifo_is_refused_without_blocking(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fifo = tmp_path / "Dockerfile"
    os.mkfifo(fifo)
    (tmp_path / "other.dockerfile").write_text(BAD)
    code, out, err = run(capsys, "--fix", str(tmp_path))
    assert code == 2
    assert err == (f"pip-cache-lsp: error: {fifo}: not a regular file, not checked\n"
                   "pip-cache-lsp: fixed 1 finding(s) in 1 file(s)\n")
    assert (tmp_path / "other.dockerfile").read_text() == "FROM python\nRUN pip install --no-cache-dir a\n"


def test_directory_symlink_loop_terminates(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "Dockerfile").write_text(BAD)
    (tmp_path / "a" / "loop").symlink_to(tmp_path)
    code, out, _ = run(capsys, "--format", "json", str(tmp_path))
    assert code == 1 and [Path(r["path"]) for r in json.loads(out)] == [tmp_path / "a" / "Dockerfile"]


def test_file_vanishing_before_the_write(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    import pip_cache_lsp.checker as checker

    target = tmp_path / "Dockerfile"
    target.write_text(BAD)
    real_write = checker.write_atomic

    def vanish_then_write(path: str | Path, data: bytes) -> None:
        Path(path).unlink()
        real_write(path, data)

    monkeypatch.setattr(checker, "write_atomic", vanish_then_write)
    code, _, err = run(capsys, "--fix", str(target))
    assert code == 2 and err.startswith(f"pip-cache-lsp: error: {target}: cannot write")
    assert list(tmp_path.iterdir()) == [], "nothing recreated, no temporary file left"


def test_paths_are_printed_as_pathlib_spells_them(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "proj" / "sub").mkdir(parents=True)
    (tmp_path / "proj" / "sub" / "Dockerfile").write_text(BAD)
    monkeypatch.chdir(tmp_path)
    for arg in ("./proj/sub/Dockerfile", "proj//sub//Dockerfile", "proj/sub/./Dockerfile", "proj/sub/Dockerfile/"):
        code, out, _ = run(capsys, arg)
        assert code == 1 and out.startswith("proj/sub/Dockerfile:2:5: "), arg


def _helps(columns: str, monkeypatch: pytest.MonkeyPatch) -> tuple[str, str]:
    """The ``check`` help with our formatter and with argparse's own, at ``$COLUMNS``."""
    import argparse

    from pip_cache_lsp import cli

    monkeypatch.setenv("COLUMNS", columns)
    ours = cli.build_parser()._subparsers._group_actions[0].choices["check"]  # type: ignore[union-attr]
    theirs = cli.build_parser()._subparsers._group_actions[0].choices["check"]  # type: ignore[union-attr]
    theirs.formatter_class = argparse.HelpFormatter
    return ours.format_help(), theirs.format_help()


@pytest.mark.parametrize("columns", ["52", "200", "0", "x"])
def test_help_is_wrapped_as_argparse_wraps_it(columns: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Our help formatter (no shutil import) wraps to the width argparse's own would ($COLUMNS, else 80)."""
    ours, theirs = _helps(columns, monkeypatch)
    assert ours == theirs
    assert ours != _helps("52" if columns != "52" else "200", monkeypatch)[0]  # the width is honoured
