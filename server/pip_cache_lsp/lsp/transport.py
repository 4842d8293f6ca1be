"""Every workaround around pygls's transport, in one module, each pinned by a contract test.

pygls 2.1 does several things a linter fed by keystrokes -- or by a hostile
client -- cannot live with; each override below says which, and
``tests/lsp/test_pygls_contract.py`` fails if a pygls release changes what it
relies on (``pyproject.toml`` pins the versions those tests pass on):

* :func:`read_loop` replaces pygls's ``run_async``: headers are read
  case-insensitively (``content-length:5`` is valid), a ``Content-Length`` over
  :data:`MAX_CONTENT_LENGTH` is refused without reading it, a line that has a
  header glued behind the rest of a body with a wrong length is cut at the header
  (the stream resynchronises), and :meth:`Protocol.receive` takes the body;
* :meth:`Protocol.receive` answers what JSON-RPC 2.0 says must be answered and
  pygls only logs: a body that is not JSON / not UTF-8 / nested too deep
  (``-32700``), anything but a well-formed message object (``-32600``); it applies
  the LSP lifecycle (``-32002`` before ``initialize``, ``-32600`` after
  ``shutdown``, notifications dropped) and hands the message to pygls's
  ``structure_message``/``handle_message``, once for the top-level object;
* :func:`strict_converter` is pygls's converter with structure hooks that refuse
  ``"1"`` for an integer, ``5`` for a string and ``"quickfix"`` for a list (cattrs
  coerces them), so such params get ``-32602``;
* :class:`Protocol` drops pygls's whole-text document store (the server keeps
  its own incremental model) by replacing the three built-in ``lsp_method``
  handlers for didOpen/didChange/didClose with plain forwards;
* it answers a request pygls cannot structure (pygls raises before anyone knows
  the id, so the client would wait forever);
* :meth:`Protocol.send_text` frames an already-serialized body, so diagnostics
  serialized once per block are not unstructured again per keystroke;
* :func:`run_stdio` is pygls's ``start_io`` around :func:`read_loop`.

``--tcp`` (a debugging aid) still runs pygls's own loop: the protocol-level parts
(lifecycle, strict params) apply there, the framing parts do not.
"""

from __future__ import annotations

import asyncio
import collections.abc
import inspect
import json
import logging
import sys
import threading
import typing
from typing import TYPE_CHECKING, Any, BinaryIO

from cattrs.cols import homogenous_tuple_structure_factory, list_structure_factory
from lsprotocol import types
from pygls.exceptions import JsonRpcInternalError, JsonRpcInvalidParams, JsonRpcMethodNotFound
from pygls.io_ import StdoutWriter
from pygls.protocol import LanguageServerProtocol, default_converter
from pygls.protocol.language_server import lsp_method

from pip_cache_lsp.lsp.framing import (
    HEADER,
    MAX_CONTENT_LENGTH,
    MAX_HEADER_LINE,
    _valid_id,
    header_line,
    invalid_reason,
)

if TYPE_CHECKING:
    from collections.abc import Callable
    from concurrent.futures import ThreadPoolExecutor

    import cattrs
    from pygls.lsp.server import LanguageServer

logger = logging.getLogger(__name__)
ANSWERED = object()  # a request already answered with an error while being read

_HEADER = HEADER

PARSE_ERROR = types.ErrorCodes.ParseError
INVALID_REQUEST = types.ErrorCodes.InvalidRequest
NOT_INITIALIZED = types.ErrorCodes.ServerNotInitialized


# -- params: strict types ------------------------------------------------------------------------


def _strict(kind: type, name: str) -> Callable[[Any, Any], Any]:
    def structure(value: Any, _: Any) -> Any:
        if type(value) is kind or (kind is float and type(value) is int):
            return value
        raise TypeError(f"expected {name}, not {type(value).__name__}")

    return structure


def _is_sequence(cl: Any) -> bool:
    return cl is list or typing.get_origin(cl) in (list, collections.abc.Sequence, collections.abc.MutableSequence)


def strict_converter() -> cattrs.Converter:
    """pygls's converter, but an integer must be a JSON integer, a string a string, a list a list.

    cattrs structures ``"1"`` as 1, 5 as ``"5"`` and a string as the list of its
    characters; lsprotocol's own union hooks already check types.  Sequences are
    structured as cattrs would (tuples for ``Sequence``, lists for ``list``) once the
    value is known to be a JSON array.
    """
    converter: cattrs.Converter = default_converter()  # type: ignore[no-untyped-call]
    for kind, name in ((int, "an integer"), (str, "a string"), (bool, "true or false"), (float, "a number")):
        converter.register_structure_hook(kind, _strict(kind, name))

    def sequence(cl: Any) -> Callable[[Any, Any], Any]:
        mutable = cl is list or typing.get_origin(cl) in (list, collections.abc.MutableSequence)
        inner = (list_structure_factory if mutable else homogenous_tuple_structure_factory)(cl, converter)

        def structure(value: Any, target: Any) -> Any:
            if not isinstance(value, list):
                raise TypeError(f"expected an array, not {type(value).__name__}")
            return inner(value, target)

        return structure

    converter.register_structure_hook_factory(_is_sequence, sequence)
    return converter


# -- the protocol --------------------------------------------------------------------------------


class Protocol(LanguageServerProtocol):
    """pygls's protocol minus its whole-text document store, plus JSON-RPC and LSP checks.

    The document handlers are plain functions, not generators like pygls's own:
    pygls files the Future of every generator handler under a fresh id and never
    removes it for a notification, which leaks ~2 kB per keystroke.
    """

    initialize_seen = False  # set once an initialize request has been read

    def _forward(self, method: str, params: Any) -> None:
        if (handler := self.fm.features.get(method)) is not None:
            handler(params)

    @lsp_method(types.TEXT_DOCUMENT_DID_OPEN)
    def lsp_text_document__did_open(self, params: types.DidOpenTextDocumentParams) -> None:
        self._forward(types.TEXT_DOCUMENT_DID_OPEN, params)

    @lsp_method(types.TEXT_DOCUMENT_DID_CHANGE)
    def lsp_text_document__did_change(self, params: types.DidChangeTextDocumentParams) -> None:
        self._forward(types.TEXT_DOCUMENT_DID_CHANGE, params)

    @lsp_method(types.TEXT_DOCUMENT_DID_CLOSE)
    def lsp_text_document__did_close(self, params: types.DidCloseTextDocumentParams) -> None:
        self._forward(types.TEXT_DOCUMENT_DID_CLOSE, params)

    def _log(self, message: str) -> None:
        log = getattr(self._server, "log", None)
        if log is not None:
            log(message, types.MessageType.Warning)
        else:
            logger.warning("%s", message)

    def reply_error(self, msg_id: Any, code: int, message: str) -> None:
        """An error response; ``msg_id`` None is sent as ``"id": null`` (pygls would leave it out)."""
        self.send_text(json.dumps({"jsonrpc": "2.0", "id": msg_id, "error": {"code": int(code), "message": message}}))

    def receive(self, body: bytes) -> None:
        """One message body off the wire: checked, answered if it must be, else handled by pygls."""
        try:
            data = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError) as exc:
            what = "not UTF-8" if isinstance(exc, UnicodeDecodeError) else \
                "nested too deep" if isinstance(exc, RecursionError) else "not JSON"
            self._log(f"a message body ({len(body)} bytes) is {what}; answered {int(PARSE_ERROR)}")
            self.reply_error(None, PARSE_ERROR, f"Parse error: the message body is {what}")
            return
        reason = invalid_reason(data)
        if reason is not None:
            msg_id = data.get("id") if isinstance(data, dict) and _valid_id(data.get("id")) else None
            self._log(f"invalid message: {reason}; answered {int(INVALID_REQUEST)}")
            self.reply_error(msg_id, INVALID_REQUEST, f"Invalid request: {reason}")
            return
        assert isinstance(data, dict)
        if not self._admitted(data):
            return
        message = self.structure_message(data)
        if isinstance(message, types.InitializeRequest):
            self.initialize_seen = True
        self.handle_message(message)

    def _admitted(self, data: dict[str, Any]) -> bool:
        """LSP's lifecycle: nothing but initialize (and exit) before initialize, nothing but exit after shutdown."""
        method = data.get("method")
        if method is None or method == types.EXIT:
            return True
        request = "id" in data
        if not self.initialize_seen and method != types.INITIALIZE:
            if request:
                self.reply_error(data["id"], NOT_INITIALIZED, f"Server not initialized: {method} before initialize")
            logger.warning("%s %r before initialize: %s", "request" if request else "notification", method,
                           f"answered {int(NOT_INITIALIZED)}" if request else "dropped")
            return False
        if self._shutdown:
            if request:
                self.reply_error(data["id"], INVALID_REQUEST, f"Invalid request: {method} after shutdown")
            logger.warning("%s %r after shutdown: %s", "request" if request else "notification", method,
                           f"answered {int(INVALID_REQUEST)}" if request else "dropped")
            return False
        return True

    def structure_message(self, data: dict[str, Any]) -> Any:
        """A request pygls cannot read (no ``params``, wrong params) still gets its error reply.

        pygls raises before the request id is known to anyone, so the client would wait
        forever; answer -32601 (unknown method) or -32602 (known method, bad params) here.
        """
        try:
            return super().structure_message(data)
        except (JsonRpcInvalidParams, JsonRpcInternalError):
            if "jsonrpc" not in data or "id" not in data or "method" not in data or "error" in data:
                raise
            method = str(data["method"])
            known = self.get_message_type(method) is not None or method in self.fm.features
            error = JsonRpcInvalidParams() if known else JsonRpcMethodNotFound.of(method)
            self._send_response(data["id"], error=types.ResponseError(code=error.code, message=error.message))
            self._log(f"answered request {method!r} (id {data['id']!r}) with {error.code} {error.message}")
            return ANSWERED

    def handle_message(self, message: Any) -> None:
        if message is not ANSWERED:
            super().handle_message(message)

    def send_text(self, body: str) -> None:
        """Frame and write an already-serialized message (``body`` must be ASCII JSON)."""
        if self.writer is None:
            return
        header = f"Content-Length: {len(body)}\r\nContent-Type: {self.CONTENT_TYPE}; charset={self.CHARSET}\r\n\r\n"
        result = self.writer.write((header + body).encode(self.CHARSET))
        if inspect.isawaitable(result):
            asyncio.ensure_future(result)

    def unstructure(self, value: Any) -> Any:
        """lsprotocol object -> JSON-ready data, as pygls would send it."""
        return self._converter.unstructure(value)


# -- framing -------------------------------------------------------------------------------------


class StreamReader:
    """Blocking reads of a binary stream, run in an executor so the event loop goes on serving."""

    def __init__(self, stream: BinaryIO, executor: ThreadPoolExecutor | None = None) -> None:
        self.stream = stream
        self.executor = executor

    def _readline(self) -> bytes:
        """A line; of a line longer than :data:`MAX_HEADER_LINE` only its end (where a header would be)."""
        line = self.stream.readline(MAX_HEADER_LINE)
        while line and not line.endswith(b"\n"):
            more = self.stream.readline(MAX_HEADER_LINE)
            if not more:
                break
            line = line[-MAX_HEADER_LINE:] + more
        return line[-2 * MAX_HEADER_LINE:]

    def _read(self, n: int) -> bytes:
        chunks, left = [], n
        while left:
            chunk = self.stream.read(left)
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)

    async def readline(self) -> bytes:
        return await asyncio.get_running_loop().run_in_executor(self.executor, self._readline)

    async def readexactly(self, n: int) -> bytes:
        return await asyncio.get_running_loop().run_in_executor(self.executor, self._read, n)


async def read_loop(stop_event: threading.Event, reader: StreamReader, protocol: Protocol,
                    error_handler: Callable[[Exception, Any], Any] | None = None) -> None:
    """Read framed messages until end of input or ``stop_event``: pygls's ``run_async``, hardened."""
    length: int | None = None
    while not stop_event.is_set():
        line = await reader.readline()
        if not line:
            break
        if line.strip():
            header = header_line(line)
            if header is not None and header[0] == _HEADER:
                value = header[1]
                length = int(value) if value.isdigit() and len(value) < 19 else -1
            continue
        if length is None:  # a blank line with no Content-Length before it: nothing to read
            continue
        announced, length = length, None
        if not 0 <= announced <= MAX_CONTENT_LENGTH:
            protocol._log(f"refused a message with Content-Length {'not a number' if announced < 0 else announced}"
                          f" (the limit is {MAX_CONTENT_LENGTH:,}); skipping to the next header")
            continue
        body = await reader.readexactly(announced)
        if len(body) < announced:
            break
        try:
            protocol.receive(body)
        except Exception as exc:
            logger.exception("Unable to handle message")
            if error_handler:
                error_handler(exc, None)


def run_stdio(server: LanguageServer, stdin: Any = None, stdout: Any = None) -> None:
    """pygls's ``start_io``, around :func:`read_loop`."""
    server._stop_event = stop_event = threading.Event()
    reader = StreamReader(stdin or sys.stdin.buffer, server.thread_pool)
    server.protocol.set_writer(StdoutWriter(stdout or sys.stdout.buffer))
    protocol = server.protocol
    assert isinstance(protocol, Protocol)
    try:
        asyncio.run(read_loop(stop_event, reader, protocol, server.report_server_error))
    except BrokenPipeError:
        logger.error("Connection to the client is lost! Shutting down the server.")
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        server.shutdown()  # type: ignore[no-untyped-call]
