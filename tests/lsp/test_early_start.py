"""The early start (``lsp/early.py``) answers the first messages exactly as the pygls path would.

Each case sends the same raw bytes to ``pip-cache-lsp serve`` (early answers, then pygls)
and to the pygls path alone (``server.serve()`` with no early phase), then ``shutdown``
and ``exit``, and compares every message the two wrote, parsed: the same responses
in the same order, the same ``publishDiagnostics`` in the same order, the same log
messages.  Cases cover what the early path answers (push clients, each position
encoding, non-ASCII text, lone CRs, builder stages, both rules) and what it hands
over untouched (pull clients, options and project settings, capabilities pygls may
refuse, malformed or early requests, other first messages).
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from pip_cache_lsp.lsp import early
from pip_cache_lsp.lsp.settings import SEVERITY_KINDS, Settings

EARLY = [sys.executable, "-m", "pip_cache_lsp", "serve"]
PYGLS = [sys.executable, "-c", "from pip_cache_lsp.lsp.server import serve; raise SystemExit(serve())"]

DOCKERFILE = (
    "FROM python:3.12-slim AS build\n"
    "RUN pip install requests  # é ünïcode and 🐍 before the finding\n"
    "RUN uv pip install --system flask\n"
    "FROM python:3.12-slim\n"
    "COPY --from=build /usr/local /usr/local\n"
    "# 🐍🐍 RUN pip install nothing\n"
    "RUN   python -m pip install \\\n"
    "        numpy \\\n"
    "  && pip3 install 'pandas<3' 🐍\n"
)


def frame(obj: Any) -> bytes:
    body = obj if isinstance(obj, bytes) else json.dumps(obj).encode()
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


def initialize(capabilities: dict | None = None, **params: Any) -> bytes:
    return frame({"jsonrpc": "2.0", "id": 1, "method": "initialize",
                  "params": {"processId": None, "rootUri": None, "capabilities": capabilities or {}, **params}})


INITIALIZED = frame({"jsonrpc": "2.0", "method": "initialized", "params": {}})


def did_open(text: str = DOCKERFILE, uri: str = "untitled:Dockerfile", version: int = 3) -> bytes:
    return frame({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": {
        "uri": uri, "languageId": "dockerfile", "version": version, "text": text}}})


END = frame({"jsonrpc": "2.0", "id": 99, "method": "shutdown"}) + frame({"jsonrpc": "2.0", "method": "exit"})


def transcript(argv: list[str], data: bytes) -> tuple[list[dict], int]:
    proc = subprocess.run(argv, input=data + END, capture_output=True, timeout=60)
    out, messages = io.BytesIO(proc.stdout), []
    while True:
        length = None
        while (line := out.readline()) not in (b"\r\n", b""):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
        if length is None:
            break
        messages.append(json.loads(out.read(length)))
    return messages, proc.returncode


def assert_same(data: bytes) -> list[dict]:
    ours, ours_rc = transcript(EARLY, data)
    theirs, theirs_rc = transcript(PYGLS, data)

    def kind(m: dict) -> str:
        return "response" if "method" not in m else m["method"]

    for k in ("response", "textDocument/publishDiagnostics", "window/logMessage", "window/showMessage"):
        assert [m for m in ours if kind(m) == k] == [m for m in theirs if kind(m) == k], k
    assert sorted(json.dumps(m, sort_keys=True) for m in ours) == sorted(json.dumps(m, sort_keys=True) for m in theirs)
    assert ours_rc == theirs_rc
    return ours


def publishes(messages: list[dict]) -> list[dict]:
    return [m for m in messages if m.get("method") == "textDocument/publishDiagnostics"]


NEOVIM_LIKE = {"general": {"positionEncodings": ["utf-8", "utf-16", "utf-32"]},
               "textDocument": {"synchronization": {"dynamicRegistration": False, "didSave": True},
                                "publishDiagnostics": {"relatedInformation": True, "tagSupport": {"valueSet": [1, 2]}},
                                "codeAction": {"codeActionLiteralSupport": {"codeActionKind": {"valueSet": [
                                    "", "quickfix", "source"]}}, "isPreferredSupport": True}},
               "workspace": {"configuration": True, "workspaceFolders": True, "applyEdit": True},
               "window": {"workDoneProgress": True}}

ANSWERED_EARLY = {
    "no capabilities": initialize(),
    "utf-8 first": initialize(NEOVIM_LIKE, clientInfo={"name": "Neovim", "version": "0.9.5"}),
    "utf-32 only": initialize({"general": {"positionEncodings": ["utf-32"]}}),
    "unknown then utf-16": initialize({"general": {"positionEncodings": ["utf-7", "utf-16"]}}),
    "vscode name (lone CR ends a line)": initialize({}, clientInfo={"name": "Visual Studio Code"}),
    "markdown, folding kinds, experimental": initialize({
        "general": {"markdown": {"parser": "marked", "version": "1.1.0"}, "staleRequestSupport": {
            "cancel": True, "retryOnContentModified": ["textDocument/semanticTokens/full"]}},
        "textDocument": {"foldingRange": {"foldingRangeKind": {"valueSet": ["comment", "imports"]}},
                         "completion": {"completionItemKind": {"valueSet": [1, 2, 3]}}},
        "experimental": {"anything": [1.5, None]}}),
    "willSave and willSaveWaitUntil (eglot, Neovim)": initialize({"textDocument": {"synchronization": {
        "willSave": True, "willSaveWaitUntil": True, "didSave": True, "dynamicRegistration": False}}}),
    "willSave false": initialize({"textDocument": {"synchronization": {"willSave": False}}}),
    "notebooks, file operations": initialize({"notebookDocument": {"synchronization": {}},
                                              "workspace": {"fileOperations": {"didCreate": True}}}),
    "workspace folders": initialize({}, workspaceFolders=[{"uri": "file:///nonexistent", "name": "x"}],
                                    rootUri="file:///nonexistent", trace="off", locale="en"),
}


@pytest.mark.parametrize("name", list(ANSWERED_EARLY))
def test_first_answers_match_pygls(name: str) -> None:
    text = DOCKERFILE.replace("FROM python:3.12-slim\n", "FROM python:3.12-slim\r# lone CR\r\n")
    messages = assert_same(ANSWERED_EARLY[name] + INITIALIZED + did_open(text) + did_open(DOCKERFILE, "untitled:b"))
    assert messages[0]["id"] == 1 and "result" in messages[0]
    first = publishes(messages)[0]["params"]
    assert first["uri"] == "untitled:Dockerfile" and len(first["diagnostics"]) >= 4


HINTED = ("# pip-cache-lsp: disable-file=uv-no-cache\nFROM python\n# hadolint ignore=DL3008,DL3042\n"
          "RUN pip install --no-cache-dir a\nRUN --mount=type=cache,target=/root/.cache/pip pip install --no-cache-dir b\n"
          "RUN pip install c\n")


def test_hints_answered_early_match_pygls() -> None:
    """The hints (severity 4, the Unnecessary tag) are in the first publish exactly as pygls sends them."""
    messages = assert_same(initialize() + INITIALIZED + did_open(HINTED))
    diagnostics = publishes(messages)[0]["params"]["diagnostics"]
    assert [(d["code"], d["severity"], d.get("tags")) for d in diagnostics] == [
        ("unused-suppression", 4, [1]), ("unused-suppression", 4, [1]), ("useless-cache-mount", 4, [1]),
        ("pip-no-cache-dir", 2, None)]


def test_the_early_path_really_answers_before_pygls_loads() -> None:
    """The first publish comes from the early path: the pygls path's log message follows it."""
    messages, _ = transcript(EARLY, initialize() + INITIALIZED + did_open())
    kinds = [m.get("method", "response") for m in messages]
    assert kinds[:3] == ["response", "textDocument/publishDiagnostics", "window/logMessage"], kinds
    theirs, _ = transcript(PYGLS, initialize() + INITIALIZED + did_open())
    assert [m.get("method", "response") for m in theirs][:3] == ["response", "window/logMessage",
                                                                 "textDocument/publishDiagnostics"]


def test_edits_after_the_early_open_are_served_by_pygls() -> None:
    change = frame({"jsonrpc": "2.0", "method": "textDocument/didChange", "params": {
        "textDocument": {"uri": "untitled:Dockerfile", "version": 4}, "contentChanges": [
            {"range": {"start": {"line": 1, "character": 11}, "end": {"line": 1, "character": 11}}, "text": "x"}]}})
    messages = assert_same(initialize() + INITIALIZED + did_open() + change)
    first, second = publishes(messages)[:2]
    assert second["params"]["version"] == 4
    assert len(second["params"]["diagnostics"]) == len(first["params"]["diagnostics"]) - 1  # installx


HANDED_OVER = {
    "pull client": initialize({"textDocument": {"diagnostic": {"dynamicRegistration": False}}}) + INITIALIZED
    + did_open(),
    "initialization options": initialize({}, initializationOptions={"maxDiagnostics": 1}) + INITIALIZED
    + did_open(),
    "line breaks option": initialize({}, initializationOptions={"lineBreaks": "lsp"}) + INITIALIZED
    + did_open("RUN pip install a\rRUN pip install b\n"),
    "no known encoding": initialize({"general": {"positionEncodings": ["utf-7"]}}) + INITIALIZED + did_open(),
    "willSave null": initialize({"textDocument": {"synchronization": {"willSave": None}}}) + INITIALIZED
    + did_open(),
    "a string for a boolean": initialize({"workspace": {"configuration": "yes"}}) + INITIALIZED + did_open(),
    "a float in capabilities": initialize({"workspace": {"configuration": 1.5}}) + INITIALIZED + did_open(),
    "a string for a string in an integer set": initialize({"workspace": {"symbol": {"symbolKind": {"valueSet": [
        "a"]}}}}) + INITIALIZED + did_open(),
    "an integer for a string": initialize({"general": {"markdown": {"parser": 1}}}) + INITIALIZED + did_open(),
    "a string for a flag deep down": initialize({"window": {"showMessage": {"messageActionItem": {
        "additionalPropertiesSupport": "x"}}}}) + INITIALIZED + did_open(),
    "processId a string": initialize({}, processId="1") + INITIALIZED + did_open(),
    "request before initialize": frame({"jsonrpc": "2.0", "id": 5, "method": "textDocument/codeAction",
                                        "params": {}}) + initialize() + INITIALIZED + did_open(),
    "notification before initialize": did_open() + initialize() + INITIALIZED + did_open(uri="untitled:c"),
    "not JSON first": frame(b"{nope") + initialize() + INITIALIZED + did_open(),
    "batch first": frame(b"[]") + initialize() + INITIALIZED + did_open(),
    "initialize without params": frame({"jsonrpc": "2.0", "id": 1, "method": "initialize"}) + initialize()
    + INITIALIZED + did_open(),
    "initialize twice": initialize() + initialize() + INITIALIZED + did_open(),
    "didOpen before initialized": initialize() + did_open() + INITIALIZED,
    "didOpen with a string version": initialize() + INITIALIZED + frame(
        {"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": {
            "uri": "untitled:x", "languageId": "dockerfile", "version": "1", "text": "RUN pip install a\n"}}}),
    "configuration first": initialize() + INITIALIZED + frame(
        {"jsonrpc": "2.0", "method": "workspace/didChangeConfiguration",
         "params": {"settings": {"pipCacheLsp": {"severity": "error"}}}}) + did_open(),
    "a lower-case header": b"content-length: %d\r\n\r\n" % len(initialize()[initialize().index(b"{"):])
    + initialize()[initialize().index(b"{"):] + INITIALIZED + did_open(),
    "a huge Content-Length": b"Content-Length: 99999999999\r\n\r\n" + initialize() + INITIALIZED + did_open(),
    "a body glued to the next header": initialize()[:-1] + initialize() + INITIALIZED + did_open(),
    "exit first": frame({"jsonrpc": "2.0", "method": "exit"}),
    "nothing after initialize": initialize(),
}


@pytest.mark.parametrize("name", list(HANDED_OVER))
def test_anything_else_is_answered_as_pygls_does(name: str) -> None:
    assert_same(HANDED_OVER[name])


def test_project_settings_hand_over(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.pip-cache-lsp]\nseverity = "error"\n')
    uri = (tmp_path / "Dockerfile").as_uri()
    messages = assert_same(initialize() + INITIALIZED + did_open(uri=uri))
    assert 1 in {d["severity"] for d in publishes(messages)[0]["params"]["diagnostics"]}  # the project's "error"


def test_a_file_uri_without_project_settings_is_answered_early(tmp_path: Path) -> None:
    uri = (tmp_path / "Dockerfile").as_uri()
    assert_same(initialize() + INITIALIZED + did_open(uri=uri))
    assert early._project_is_default(uri)


def test_big_texts_and_many_findings_hand_over() -> None:
    many = "".join(f"RUN pip install p{i}\n" for i in range(early.MAX_DIAGNOSTICS + 5))
    messages = assert_same(initialize() + INITIALIZED + did_open(many))
    assert len(publishes(messages)[0]["params"]["diagnostics"]) == early.MAX_DIAGNOSTICS + 1
    assert early.publish_diagnostics("untitled:x", 1, many, "utf-16", False) is None
    big = "RUN true\n" * (early.SYNC_PARSE_LIMIT // 9 + 1)
    assert early.publish_diagnostics("untitled:x", 1, big, "utf-16", False) is None


def test_constants_agree_with_the_pygls_path() -> None:
    from pip_cache_lsp.lsp import session

    defaults = Settings()
    assert (early.MAX_FILE_SIZE, early.MAX_DIAGNOSTICS) == (defaults.max_file_size, defaults.max_diagnostics)
    assert early.SEVERITY == {k: int(v) for k, v in SEVERITY_KINDS.items()}
    assert session.SYNC_PARSE_LIMIT == early.SYNC_PARSE_LIMIT


# -- the hand-over streams, byte by byte ------------------------------------------------------------


def test_replay_stream_serves_the_prefix_then_the_stream() -> None:
    stream = early.ReplayStream(b"Content-Length: 2\r\n\r\n{}Content-Le", io.BytesIO(b"ngth: 3\r\n\r\n[1]"))
    assert stream.readline(4096) == b"Content-Length: 2\r\n"
    assert stream.readline(4096) == b"\r\n"
    assert stream.read(2) == b"{}"
    assert stream.readline(4096) == b"Content-Length: 3\r\n"  # a line cut by the hand-over is whole again
    assert stream.readline(4096) == b"\r\n"
    assert stream.read(3) == b"[1]"
    assert stream.read(1) == b""
    short = early.ReplayStream(b"ab", io.BytesIO(b"cd"))
    assert short.read(4) == b"ab" and short.read(2) == b"cd"


def test_handover_out_drops_only_what_was_sent() -> None:
    sink = io.BytesIO()
    publish = {"jsonrpc": "2.0", "method": "textDocument/publishDiagnostics",
               "params": {"uri": "u", "version": 1, "diagnostics": []}}
    out = early.HandoverOut(sink, 1, [dict(publish)])

    def msg(obj: dict) -> bytes:
        body = json.dumps(obj).encode()
        return b"Content-Length: %d\r\n\r\n" % len(body) + body

    log = msg({"jsonrpc": "2.0", "method": "window/logMessage", "params": {"type": 4, "message": "x"}})
    out.write(msg({"jsonrpc": "2.0", "id": "1", "result": None}))  # another id (a string): sent
    out.write(msg({"jsonrpc": "2.0", "id": 1, "result": {}}))  # the early one: dropped
    out.write(log)
    different = {**publish, "params": {**publish["params"], "version": 2}}
    out.write(msg(different))  # differs: sent
    out.write(msg(publish))  # the same: dropped, once
    out.write(msg(publish))
    written = sink.getvalue()
    assert written.count(b"Content-Length") == 4 and not out.armed
    assert b'"id": "1"' in written and b'"version": 2' in written and written.endswith(msg(publish))


def test_a_stream_without_a_descriptor_is_served_by_pygls_from_the_first_byte() -> None:
    data = initialize()
    stdin, stdout = early.early_start(io.BytesIO(data), io.BytesIO())  # type: ignore[arg-type]
    assert stdin.read(len(data)) == data and not stdout.armed
