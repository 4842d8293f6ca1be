"""Contract tests: what ``lsp/transport.py`` relies on in pygls, one test per reliance.

pygls's private methods change between releases.  Each override and call in
``transport.py`` and ``session.py`` that reaches past pygls's public API has a test
here that fails if a pygls release changes it; ``pyproject.toml`` pins pygls to the
versions these pass on.  Read with ``transport.py`` side by side.
"""

from __future__ import annotations

import asyncio
import inspect
import io
import json
import threading
from typing import Any

import pytest
from lsprotocol import types
from pygls.exceptions import JsonRpcInvalidParams
from pygls.lsp.server import LanguageServer
from pygls.protocol import LanguageServerProtocol

from pip_cache_lsp.lsp import transport
from pip_cache_lsp.lsp.session import PipCacheServer


class Recorder:
    """A writer that keeps what the protocol sends."""

    def __init__(self) -> None:
        self.data = bytearray()

    def write(self, data: bytes) -> None:
        self.data += data

    def close(self) -> None:
        pass

    def messages(self) -> list[dict[str, Any]]:
        out, rest = [], bytes(self.data)
        while rest:
            head, _, rest = rest.partition(b"\r\n\r\n")
            length = int(head.split(b"Content-Length: ")[1].split(b"\r\n")[0])
            out.append(json.loads(rest[:length]))
            rest = rest[length:]
        return out


def frame(message: dict[str, Any]) -> bytes:
    body = json.dumps(message).encode()
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


def fresh() -> tuple[PipCacheServer, Recorder]:
    server = PipCacheServer()
    recorder = Recorder()
    server.protocol.set_writer(recorder)
    return server, recorder


@pytest.mark.parametrize("method, name", [
    (types.TEXT_DOCUMENT_DID_OPEN, "lsp_text_document__did_open"),
    (types.TEXT_DOCUMENT_DID_CHANGE, "lsp_text_document__did_change"),
    (types.TEXT_DOCUMENT_DID_CLOSE, "lsp_text_document__did_close"),
])
def test_builtin_document_handlers_are_ours(method: str, name: str) -> None:
    """pygls dispatches built-ins (``lsp_method`` attributes) first: our overrides must run.

    It registers them by method name, so a renamed method would silently bring back its own.
    """
    assert hasattr(LanguageServerProtocol, name), f"pygls no longer has {name}"
    assert getattr(getattr(LanguageServerProtocol, name), "method_name", None) == method
    server, _ = fresh()
    handler = server.protocol._get_handler(method)
    assert getattr(handler, "__func__", None) is getattr(transport.Protocol, name)


def test_our_document_handlers_skip_pyglss_store() -> None:
    """The forward reaches our feature and pygls's workspace never sees the document."""
    server, _ = fresh()
    seen: list[Any] = []
    server.protocol.fm.features[types.TEXT_DOCUMENT_DID_OPEN] = seen.append
    params = types.DidOpenTextDocumentParams(types.TextDocumentItem("file:///x", "dockerfile", 1, "FROM a\n"))
    server.protocol._get_handler(types.TEXT_DOCUMENT_DID_OPEN)(params)
    assert seen == [params]
    started = server.protocol.lsp_initialize(types.InitializeParams(types.ClientCapabilities()))
    if inspect.isgenerator(started):  # pygls's built-in handlers are generators
        for _ in started:
            pass
    assert "file:///x" not in server.workspace.text_documents


def test_structure_message_raises_invalid_params_for_a_bad_request() -> None:
    """pygls raises (it does not reply) when a request's params do not structure; we answer it."""
    server, recorder = fresh()
    bad = {"jsonrpc": "2.0", "id": 7, "method": types.TEXT_DOCUMENT_CODE_ACTION, "params": {"nope": 1}}
    with pytest.raises(JsonRpcInvalidParams):
        LanguageServerProtocol.structure_message(server.protocol, dict(bad))
    assert server.protocol.structure_message(dict(bad)) is transport.ANSWERED
    assert recorder.messages()[0] == {"jsonrpc": "2.0", "id": 7,
                                      "error": {"code": -32602, "message": "Invalid Params"}}
    assert server.protocol.get_message_type(types.TEXT_DOCUMENT_CODE_ACTION) is types.CodeActionRequest
    assert server.protocol.get_message_type("no/such") is None


def test_send_response_signature() -> None:
    params = inspect.signature(LanguageServerProtocol._send_response).parameters
    assert list(params)[:4] == ["self", "msg_id", "result", "error"]


def test_send_text_frames_like_pygls() -> None:
    """Our pre-serialized frames carry the same headers pygls writes for its own messages."""
    server, recorder = fresh()
    server.protocol.notify("window/logMessage", types.LogMessageParams(types.MessageType.Log, "x"))
    ours = Recorder()
    server.protocol.set_writer(ours)
    server.transport.send_text('{"jsonrpc": "2.0"}')
    assert bytes(recorder.data).split(b"\r\n\r\n")[0] == b"Content-Length: %d\r\n%s" % (
        len(bytes(recorder.data).split(b"\r\n\r\n", 1)[1]),
        f"Content-Type: {server.protocol.CONTENT_TYPE}; charset={server.protocol.CHARSET}".encode())
    assert bytes(ours.data).split(b"\r\n\r\n")[0].split(b"\r\n")[1] == \
        bytes(recorder.data).split(b"\r\n\r\n")[0].split(b"\r\n")[1]
    diagnostic = types.Diagnostic(types.Range(types.Position(0, 1), types.Position(0, 2)), "m")
    assert server.transport.unstructure(diagnostic) == {
        "range": {"start": {"line": 0, "character": 1}, "end": {"line": 0, "character": 2}}, "message": "m"}


def _run_loop(data: bytes) -> Recorder:
    server, recorder = fresh()
    server.protocol.initialize_seen = True  # type: ignore[attr-defined]
    reader = transport.StreamReader(io.BytesIO(data))
    assert isinstance(server.protocol, transport.Protocol)
    asyncio.run(transport.read_loop(threading.Event(), reader, server.protocol))
    return recorder


def test_read_loop_frames_resyncs_and_refuses_like_this() -> None:
    """Our loop replaces ``run_async``: headers in any case, a lying length costs one message only."""
    shutdown = {"jsonrpc": "2.0", "id": 1, "method": "shutdown"}
    damaged = b'Content-Length: 5\r\n\r\n{"jsonrpc": "2.0"}'  # 5 bytes announced, more sent
    huge = b"Content-Length: 1000000000000\r\n\r\n{}"
    body = json.dumps(shutdown).encode()
    recorder = _run_loop(damaged + huge + b"content-length:%d\r\n\r\n" % len(body) + body)
    assert recorder.messages()[-1] == {"jsonrpc": "2.0", "id": 1, "result": None}


def test_structure_message_once_is_what_pyglss_object_hook_gives() -> None:
    """We call ``structure_message`` once, on the top-level object.

    pygls runs it as ``json.loads``'s object_hook (on every nested object); ours calls it once, on the top-level object: the same message for everything but objects
    nested in params that hold a "jsonrpc" key (which pygls would wrongly structure).
    """
    server, _ = fresh()
    raw = json.dumps({"jsonrpc": "2.0", "id": 3, "method": types.TEXT_DOCUMENT_CODE_ACTION,
                      "params": {"textDocument": {"uri": "file:///x"},
                                 "range": {"start": {"line": 0, "character": 1}, "end": {"line": 0, "character": 2}},
                                 "context": {"diagnostics": [], "only": ["quickfix"]}}})
    pyglss = json.loads(raw, object_hook=server.protocol.structure_message)
    ours = server.protocol.structure_message(json.loads(raw))
    assert ours == pyglss and isinstance(ours, types.CodeActionRequest)
    init = {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"processId": None, "capabilities": {}}}
    assert isinstance(server.protocol.structure_message(init), types.InitializeRequest)


def test_shutdown_flag_and_exit_we_rely_on() -> None:
    """After pygls's shutdown handler ``protocol._shutdown`` is set (our gate reads it).

    And ``exit`` leaves ``handle_message`` as SystemExit (``read_loop`` lets it through).
    """
    server, recorder = fresh()
    assert server.protocol._shutdown is False
    server.protocol.handle_message(server.protocol.structure_message(
        {"jsonrpc": "2.0", "id": 1, "method": "shutdown"}))
    assert server.protocol._shutdown is True
    assert recorder.messages()[-1] == {"jsonrpc": "2.0", "id": 1, "result": None}
    with pytest.raises(SystemExit):
        server.protocol.handle_message(server.protocol.structure_message({"jsonrpc": "2.0", "method": "exit"}))


def test_converter_factory_and_strict_hooks() -> None:
    """``converter_factory`` is a constructor keyword; our converter is pygls's, stricter.

    It structures valid params exactly as pygls's (tuples for ``Sequence``) and refuses the coercions cattrs would make.
    """
    from pygls.lsp._base_server import BaseLanguageServer
    from pygls.protocol import default_converter

    assert "converter_factory" in inspect.signature(BaseLanguageServer.__init__).parameters
    ours, pyglss = transport.strict_converter(), default_converter()
    good = {"textDocument": {"uri": "file:///x"},
            "range": {"start": {"line": 0, "character": 1}, "end": {"line": 0, "character": 2}},
            "context": {"diagnostics": [{"range": {"start": {"line": 0, "character": 1},
                                                   "end": {"line": 0, "character": 2}}, "message": "m"}],
                        "only": ["quickfix"]}}
    assert ours.structure(good, types.CodeActionParams) == pyglss.structure(good, types.CodeActionParams)
    change = {"textDocument": {"uri": "u", "version": 2}, "contentChanges": [
        {"text": "x"}, {"range": good["range"], "text": "y"}]}
    assert ours.structure(change, types.DidChangeTextDocumentParams) == \
        pyglss.structure(change, types.DidChangeTextDocumentParams)
    for bad in ({"line": "1", "character": 0}, {"line": True, "character": 0}):
        assert pyglss.structure(bad, types.Position) is not None  # cattrs coerces
        with pytest.raises(Exception):  # noqa: B017 - cattrs wraps it in its own exception group
            ours.structure(bad, types.Position)
    with pytest.raises(Exception):  # noqa: B017
        ours.structure({**good, "context": {"diagnostics": [], "only": "quickfix"}}, types.CodeActionParams)
    server, _ = fresh()
    assert isinstance(server.protocol._converter, type(ours))


def test_language_server_members_we_use() -> None:
    """Constructor keywords and attributes ``session.py`` and ``transport.run_stdio`` use."""
    parameters = inspect.signature(LanguageServer.__init__).parameters
    assert {"name", "version", "text_document_sync_kind"} <= parameters.keys()  # protocol_cls: isinstance below
    server, _ = fresh()
    assert isinstance(server.protocol, transport.Protocol)
    assert isinstance(inspect.getattr_static(LanguageServer, "client_capabilities"), property)
    for name in ("thread_pool", "shutdown", "report_server_error",
                 "window_log_message", "workspace_diagnostic_refresh", "workspace_configuration"):
        assert hasattr(server, name), name
    assert hasattr(server.protocol, "_converter") and hasattr(server.protocol, "writer")
