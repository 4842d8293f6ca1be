"""A real editor: batch Emacs runs the server through Eglot, with the documented recipe.

Each case starts ``emacs --batch -l docs/emacs/pip-cache-lsp.el -l tests/emacs/harness.el``: the
recipe users copy into init.el (docs/emacs.md), verbatim, then a harness that opens a Dockerfile,
waits for the finding through Eglot and Flymake, applies the quick fix with Eglot's own
``eglot-code-actions`` command, and saves.  Python checks the bytes on disk, the positions Flymake
shows (characters, with 2-, 3- and 4-byte UTF-8 before ``pip install``: Eglot 1.9 offers no
position encoding, so the server must answer in UTF-16 and Eglot must convert) and the JSON-RPC
traffic, which the ``pip-cache-lsp`` on PATH (a wrapper around this venv's server) tees to files.

Debian 12's Emacs 28.2 with Eglot 1.9 and dockerfile-mode (``.ci/apt-packages``).  Locally a
missing Emacs, Eglot or dockerfile-mode skips; with CI=true it fails.
"""

from __future__ import annotations

import functools
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from lsp_stream import alive as _alive  # noqa: E402  (tests/lsp_stream.py, shared with the other editor)
from lsp_stream import lsp_messages

ROOT = Path(__file__).resolve().parents[2]
HARNESS = Path(__file__).with_name("harness.el")
RECIPE = ROOT / "docs" / "emacs" / "pip-cache-lsp.el"
DIR_LOCALS = ROOT / "docs" / "emacs" / "dir-locals.el"  # severity "error", honourEnv :json-false
DOC = ROOT / "docs" / "emacs.md"
EMACS = os.environ.get("PIP_CACHE_LSP_EMACS") or shutil.which("emacs") or "/usr/bin/emacs"
EMACS_TIMEOUT = 90  # seconds for the whole editor session; each wait inside it has 15

PREFIX = 'RUN echo "naïve ☕ 🐍 ünïcödé" && '
DOCKERFILE = (
    "FROM python:3.12-slim\n"
    "# café: the next line has 2-, 3- and 4-byte UTF-8 characters before pip install\n"
    f"{PREFIX}pip install requests\n"
    "RUN pip install --no-cache-dir flask\n"
)
FIXED = DOCKERFILE.replace("pip install requests", "pip install --no-cache-dir requests")

# PIP_NO_CACHE_DIR covers both installs (the second stage inherits it): findings only with
# honourEnv false, which the project's .dir-locals.el (docs/emacs/dir-locals.el) says as :json-false.
ENCODINGS = {"utf-8": len(PREFIX.encode()), "utf-16": len(PREFIX.encode("utf-16-le")) // 2, "utf-32": len(PREFIX)}

COVERED = (
    "FROM python:3.12-slim AS base\n"
    "ENV PIP_NO_CACHE_DIR=1\n"
    "RUN pip install requests\n"
    "FROM base\n"
    "RUN python -m pip install flask\n"
)
COVERED_FIXED = COVERED.replace("install ", "install --no-cache-dir ")

# A lone carriage return inside an instruction.  LSP counts it as a line end, Emacs does not.
LONE_CR = "FROM python:3.12\nRUN echo a\r&& pip install flask\nRUN pip install b\n"
LONE_CR_FIXED_B = "FROM python:3.12\nRUN echo a\r&& pip install flask\nRUN pip install --no-cache-dir b\n"
LONE_CR_FIXED_BOTH = LONE_CR_FIXED_B.replace("install flask", "install --no-cache-dir flask")


@functools.cache
def _probe_emacs() -> tuple[str, str] | str:
    """(Emacs version, the eglot library it loads), or why the test cannot run."""
    problem = None
    if not (Path(EMACS).is_file() and os.access(EMACS, os.X_OK)):
        problem = f"emacs not found ({EMACS})"
    else:
        probe = ("(progn (require 'eglot) (require 'dockerfile-mode)"
                 " (princ (format \"%s\\n%s\" emacs-version (locate-library \"eglot\"))))")
        try:
            proc = subprocess.run([EMACS, "--batch", "--eval", probe], capture_output=True, text=True,
                                  timeout=60, stdin=subprocess.DEVNULL)
            if proc.returncode != 0:
                problem = f"emacs cannot load eglot and dockerfile-mode: {proc.stderr.strip()[-500:]}"
        except subprocess.TimeoutExpired:
            problem = "emacs --batch did not answer within 60s"
    if problem is None:
        version, eglot = proc.stdout.strip().splitlines()[-2:]
        return version, eglot
    return problem


def require_emacs() -> tuple[str, str]:
    """Return (Emacs version, eglot library), or skip (fail under CI) when one is missing."""
    probe = _probe_emacs()
    if isinstance(probe, tuple):
        return probe
    message = f"{probe}; apt-get install emacs-nox elpa-eglot elpa-dockerfile-mode (.ci/apt-packages)"
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"CI must run the Emacs test: {message}")
    pytest.skip(message)




def _tail(text: str, limit: int = 6000) -> str:
    return text if len(text) <= limit else "...\n" + text[-limit:]


class Session:
    """One batch Emacs run of the harness on one Dockerfile, and everything it left behind."""

    def __init__(self, tmp_path: Path, case: str, text: str, dir_locals: Path | None = None) -> None:
        self.version, self.eglot = require_emacs()
        work = tmp_path / "project"
        work.mkdir()
        if dir_locals is not None:
            (work / ".dir-locals.el").write_bytes(dir_locals.read_bytes())
        self.dockerfile = work / "Dockerfile"
        self.dockerfile.write_bytes(text.encode())
        result_file = tmp_path / "result.json"
        self.client_log, self.server_out = tmp_path / "client.jsonrpc", tmp_path / "server.jsonrpc"
        self.server_log, server_pid = tmp_path / "server.log", tmp_path / "server.pid"

        # The recipe says ("pip-cache-lsp" "serve"): first on PATH under that name is a wrapper that
        # runs this venv's pip-cache-lsp and tees what Eglot sends and what the server answers.
        venv_bin = Path(sys.executable).parent
        server = venv_bin / "pip-cache-lsp"
        server_cmd = shlex.quote(str(server)) if server.exists() else f"{shlex.quote(sys.executable)} -m pip_cache_lsp"
        bin_dir = tmp_path / "bin"
        bin_dir.mkdir()
        wrapper = bin_dir / "pip-cache-lsp"
        q = shlex.quote
        wrapper.write_text(
            "#!/bin/sh\n"
            f"tee {q(str(self.client_log))} | sh -c "
            + q(f'echo $$ > {q(str(server_pid))}; exec {server_cmd} "$@" 2>>{q(str(self.server_log))}')
            + f' sh "$@" | tee {q(str(self.server_out))}\n')
        wrapper.chmod(0o755)

        env = {k: v for k, v in os.environ.items() if not k.startswith("PCL_")}
        env.update(PATH=os.pathsep.join([str(bin_dir), str(venv_bin), env.get("PATH", "/usr/bin:/bin")]),
                   HOME=str(tmp_path / "home"), PCL_RESULT=str(result_file), PCL_FILE=str(self.dockerfile),
                   PCL_CASE=case, PCL_TIMEOUT="15")
        for xdg in ("CONFIG", "DATA", "STATE", "CACHE"):
            env[f"XDG_{xdg}_HOME"] = str(tmp_path / xdg.lower())

        self.command = [EMACS, "--batch", "-l", str(RECIPE), "-l", str(HARNESS)]
        started = time.monotonic()
        try:
            proc = subprocess.run(self.command, cwd=work, env=env, stdin=subprocess.DEVNULL, capture_output=True,
                                  text=True, errors="replace", timeout=EMACS_TIMEOUT)
            self.output, self.rc = proc.stdout + proc.stderr, proc.returncode
        except subprocess.TimeoutExpired as exc:
            self.output = "".join(x.decode(errors="replace") if isinstance(x, bytes) else (x or "")
                                  for x in (exc.stdout, exc.stderr))
            self.rc = None
        self.elapsed = time.monotonic() - started
        self.result = json.loads(result_file.read_text()) if result_file.exists() else None
        self.sent, self.received = lsp_messages(self.client_log), lsp_messages(self.server_out)
        self.pid = int(server_pid.read_text()) if server_pid.exists() else None

        if self.rc is None:
            self.fail(f"emacs did not finish within {EMACS_TIMEOUT}s")
        if self.result is None:
            self.fail("emacs exited without writing a result")
        if self.rc != 0 or self.result.get("error"):
            self.fail(f"the editor session failed: {self.result.get('error')}")

    def report(self, headline: str) -> str:
        """Everything needed to see what went wrong, without rerunning."""
        result = dict(self.result or {})
        events = result.pop("events", "(no events)")
        return (f"{headline}\nemacs {self.version}, eglot {self.eglot}, exit {self.rc}, {self.elapsed:.1f}s\n"
                f"$ {shlex.join(self.command)}\n--- emacs output:\n{_tail(self.output)}\n"
                f"--- result: {json.dumps(result, ensure_ascii=False, indent=1)}\n"
                f"--- saved bytes: {self.dockerfile.read_bytes()!r}\n"
                f"--- server stderr:\n{_tail(self.server_log.read_text() if self.server_log.exists() else '')}\n"
                f"--- eglot events buffer:\n{_tail(events)}")

    def fail(self, headline: str) -> None:
        pytest.fail(self.report(headline), pytrace=False)

    def method(self, name: str, messages: list[dict] | None = None) -> list[dict]:
        return [m for m in (self.sent if messages is None else messages) if m.get("method") == name]

    def check_server_ends(self) -> None:
        """Quitting Emacs ends the server (stdin closes; the server must not linger)."""
        assert self.pid is not None, "the wrapper did not record the server's pid"
        deadline = time.monotonic() + 10
        while _alive(self.pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        if _alive(self.pid):
            os.kill(self.pid, 9)
            self.fail(f"the server (pid {self.pid}) was still running 10s after Emacs quit")


def test_emacs_quickfix_end_to_end(tmp_path: Path) -> None:
    """The documented recipe attaches the server; its quick fix, applied by Eglot, fixes the file."""
    session = Session(tmp_path, "quickfix", DOCKERFILE)
    result = session.result
    try:
        assert result["steps"] == ["started", "eglot managing the buffer", "diagnostics", "the quick fix applied",
                                   "diagnostics cleared", "saved"]
        assert result["major_mode"] == "dockerfile-mode"
        assert result["server_command"] == ["pip-cache-lsp", "serve"]
        assert result["server_info"] == {"name": "pip-cache-lsp", "version": result["server_info"]["version"]}

        # The recipe's :initializationOptions, as JSON.  Eglot 1.9 offers no position encoding, so
        # the server must fall back to LSP's default, UTF-16 (a newer Eglot offers a list: the
        # server takes its first).
        (initialize,) = session.method("initialize")
        assert initialize["params"]["initializationOptions"] == {"severity": "warning", "honourEnv": True}
        offered = initialize["params"]["capabilities"].get("general", {}).get("positionEncodings")
        encoding = result["position_encoding"]
        assert encoding == (offered[0] if offered else "utf-16"), (offered, encoding)
        if session.eglot.split("/")[-2:-1] == ["eglot-1.9"]:
            assert offered is None and encoding == "utf-16"

        # As Flymake shows it: 0-based line, columns in characters; LSP's range in the negotiated units.
        (diagnostic,) = result["diagnostics"]
        column = len(PREFIX)
        units = ENCODINGS[encoding]
        assert (diagnostic["line"], diagnostic["column"], diagnostic["end_line"], diagnostic["end_column"]) == (
            2, column, 2, column + len("pip install"))
        assert diagnostic["lsp_range"] == {"start": {"line": 2, "character": units},
                                           "end": {"line": 2, "character": units + len("pip install")}}
        assert diagnostic["type"] == "eglot-warning"
        assert diagnostic["code"] == "pip-no-cache-dir"
        assert diagnostic["text"].startswith("pip-cache-lsp [pip-no-cache-dir]: ")
        assert "--no-cache-dir" in diagnostic["text"]

        # eglot-code-actions offered the server's actions, preferred one first, and applied it.
        assert result["offered"][0] == "Add --no-cache-dir"
        assert any(t.startswith("Ignore for this instruction") for t in result["offered"]), result["offered"]
        assert "default Add --no-cache-dir" in result["prompt"], "the preferred action is the default"
        # The edit reached the server as an incremental change (the idle path), and it cleared the finding.
        changes = [c for m in session.method("textDocument/didChange") for c in m["params"]["contentChanges"]]
        assert changes == [{"range": {"start": {"line": 2, "character": units + 11},
                                      "end": {"line": 2, "character": units + 11}},
                            "rangeLength": 0, "text": " --no-cache-dir"}]
        assert result["after"] == []
        deadline = time.monotonic() + 10  # the tee of Emacs's last messages may still be on its way to disk
        while not session.method("textDocument/didSave") and time.monotonic() < deadline:
            time.sleep(0.05)
        assert session.method("textDocument/didSave")

        # Only " --no-cache-dir" inserted after "install"; every other byte as it was.
        assert result["buffer_text"] == FIXED
        assert session.dockerfile.read_bytes() == FIXED.encode()
        assert not re.search(r"^(Error|Warning)\b", session.output, re.M), "Emacs reported a problem"
    except AssertionError as exc:
        session.fail(f"check failed: {exc}")
    session.check_server_ends()


def test_emacs_settings_and_fix_all(tmp_path: Path) -> None:
    """The documented .dir-locals.el reaches the server: :json-false arrives as false, and it is read so.

    Both installs are covered by PIP_NO_CACHE_DIR, so findings appear only if honourEnv is
    false, and as errors only if severity "error" got through.  Then C-u M-x eglot-code-actions
    with the server's fix-all kind, as docs/emacs.md describes, fixes both.
    """
    session = Session(tmp_path, "fixall", COVERED, dir_locals=DIR_LOCALS)
    result = session.result
    try:
        assert result["steps"] == ["started", "eglot managing the buffer", "diagnostics", "the quick fix applied",
                                   "diagnostics cleared", "saved"]
        assert ":json-false" in result["workspace_configuration"]
        # What went over the wire: JSON false, wherever Eglot put the settings.
        replies = [m["result"] for m in session.sent if "result" in m and "id" in m and m["result"] != [None]]
        pushed = [m["params"]["settings"] for m in session.method("workspace/didChangeConfiguration")]
        expected = {"severity": "error", "honourEnv": False}
        assert [expected] in replies or {"pipCacheLsp": expected} in pushed, (replies, pushed)
        assert [(d["line"], d["column"], d["type"]) for d in result["diagnostics"]] == [
            (2, 4, "eglot-error"), (4, 4, "eglot-error")]
        assert result["after"] == []
        assert session.dockerfile.read_bytes() == COVERED_FIXED.encode()
    except AssertionError as exc:
        session.fail(f"check failed: {exc}")
    session.check_server_ends()


def test_emacs_lone_carriage_return(tmp_path: Path, record_property) -> None:
    """A lone CR: Emacs counts lines by LF only, and so does the server for eglot (no clientInfo).

    The findings are where Emacs shows the two installs, and the fix for ``pip install b``
    lands on that line (issue 17: before the server chose the line model per client, the
    fix saved ``pip instal --no-cache-dirl b``).  What Eglot saw and saved is recorded as
    the test's ``lone_cr`` property.
    """
    session = Session(tmp_path, "lone-cr", LONE_CR)
    result = session.result
    published = [(d["range"]["start"]["line"], d["range"]["start"]["character"])
                 for m in session.method("textDocument/publishDiagnostics", session.received)[:1]
                 for d in m["params"]["diagnostics"]]
    observed = {
        "server_published_first": published,  # (line, character) in the server's line model
        "emacs_shows": [(d["line"], d["column"]) for d in result["diagnostics"]],
        "fix_for": result.get("fix_for") and (result["fix_for"]["line"], result["fix_for"]["column"]),
        "fix_error": result.get("fix_error"),
        "didChange_after_fix": [c for m in session.method("textDocument/didChange")
                              for c in m["params"]["contentChanges"]],
        "saved": session.dockerfile.read_bytes().decode(),
        "flymake_warnings": re.findall(r"^Warning \[flymake[^\n]*", session.output, re.M),
        "emacs_shows_after_fix": [(d["line"], d["column"]) for d in result["after"]],
    }
    detail = "observed:\n" + "\n".join(f"  {key}: {json.dumps(value, ensure_ascii=False)}"
                                         for key, value in observed.items())
    record_property("lone_cr", detail)
    session.check_server_ends()

    saved = session.dockerfile.read_bytes()
    assert result["b_line"] == 2
    assert [d["line"] for d in result["diagnostics"]] == [1, 2], detail
    assert [(d["column"], d["end_column"]) for d in result["diagnostics"]] == [(14, 25), (4, 15)], detail
    assert saved in (LONE_CR_FIXED_B.encode(), LONE_CR_FIXED_BOTH.encode()), detail
    assert result["after"] and [d["line"] for d in result["after"]] == [1], detail


def test_doc_shows_the_tested_recipe() -> None:
    """docs/emacs.md quotes the recipe files verbatim, so what users copy is what the test loads."""
    doc = DOC.read_text()
    assert RECIPE.read_text() in doc
    assert DIR_LOCALS.read_text() in doc
