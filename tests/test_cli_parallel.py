"""``check`` over many files (forked workers) says and does exactly what it does file by file."""

from __future__ import annotations

from pathlib import Path

import pytest

from pip_cache_lsp import checker
from pip_cache_lsp.cli import main

SHAPES = [
    "FROM python\nRUN pip install flask\n",
    "FROM python\nRUN pip install --no-cache-dir flask\n",
    "FROM python AS build\nRUN uv pip install x\nFROM scratch\n",
    "FROM python\nENV PIP_NO_CACHE_DIR=1\nRUN pip install a && pip download b\n",
    "FROM python\n# hadolint ignore=DL3042\nRUN pip install a\n",
]


def tree(root: Path, count: int) -> list[str]:
    paths = []
    for i in range(count):
        path = root / f"d{i:04d}" / "Dockerfile"
        path.parent.mkdir(parents=True)
        path.write_text(SHAPES[i % len(SHAPES)] + f"LABEL n={i}\n")
        paths.append(str(path))
    return paths


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.mark.parametrize("fmt", ["json", "text", "sarif"])
def test_many_files_report_as_one_by_one(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                         monkeypatch: pytest.MonkeyPatch, fmt: str) -> None:
    paths = tree(tmp_path, checker.PARALLEL_FROM + 57)
    # an error after them (a missing path sends the files before it to be checked at once)
    paths.append(str(tmp_path / "missing" / "Dockerfile"))
    paths.insert(50, paths[10])  # a file named twice
    parallel = run(["check", "--format", fmt, *paths], capsys)
    monkeypatch.setattr(checker, "PARALLEL_FROM", 10**9)
    serial = run(["check", "--format", fmt, *paths], capsys)
    assert parallel == serial
    assert parallel[0] == 2 and "missing" in parallel[2]


def test_many_files_are_fixed_as_one_by_one(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    paths_a, paths_b = tree(first, checker.PARALLEL_FROM + 3), tree(second, checker.PARALLEL_FROM + 3)
    parallel = run(["check", "--fix", *paths_a], capsys)
    monkeypatch.setattr(checker, "PARALLEL_FROM", 10**9)
    serial = run(["check", "--fix", *paths_b], capsys)
    assert parallel[0] == serial[0]
    assert parallel[2] == serial[2] and "fixed" in parallel[2]
    assert [Path(p).read_bytes() for p in paths_a] == [Path(p).read_bytes() for p in paths_b]
    assert b"--no-cache-dir flask" in Path(paths_a[0]).read_bytes()


def test_the_executor_where_workers_are_not_forked(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    from pip_cache_lsp import workers

    paths = tree(tmp_path, checker.PARALLEL_FROM + 1)
    forked = run(["check", "--format", "json", *paths], capsys)
    monkeypatch.setattr(workers, "AVAILABLE", False)  # macOS, Windows: ProcessPoolExecutor
    assert run(["check", "--format", "json", *paths], capsys) == forked
