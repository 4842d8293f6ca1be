"""Every workaround around pygls's transport, in one module, each pinned by a contract test.

pygls 2.1 does four things a linter fed by keystrokes cannot live with; each
override below says which, and ``tests/lsp/test_pygls_contract.py`` fails if a
pygls release changes what it relies on (``pyproject.toml`` pins the versions
those tests pass on):

* :class:`Protocol` drops pygls's whole-text document store (the server keeps
  its own incremental model) by replacing the three built-in ``lsp_method``
  handlers for didOpen/didChange/didClose with plain forwards;
* it answers a request pygls cannot structure (pygls raises before anyone knows
  the id, so the client would wait forever);
* :meth:`Protocol.send_text` frames an already-serialized body, so diagnostics
  serialized once per block are not unstructured again per keystroke;
* :class:`ResyncingReader` finds the next header after a body read with a wrong
  ``Content-Length`` and :func:`run_stdio` runs pygls's loop with it.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import sys
import threading
from typing import TYPE_CHECKING, Any

from lsprotocol import types
from pygls.exceptions import JsonRpcInternalError, JsonRpcInvalidParams, JsonRpcMethodNotFound
from pygls.io_ import StdinAsyncReader, StdoutWriter, run_async
from pygls.protocol import LanguageServerProtocol
from pygls.protocol.language_server import lsp_method

if TYPE_CHECKING:
    from pygls.lsp.server import LanguageServer

logger = logging.getLogger(__name__)
ANSWERED = object()  # a request already answered with an error while being read


class Protocol(LanguageServerProtocol):
    """pygls's protocol minus its whole-text document store (we keep our own).

    These are plain functions, not generators like pygls's own: pygls files the Future
    of every generator handler under a fresh id and never removes it for a
    notification, which leaks ~2 kB per keystroke.
    """

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
            log = getattr(self._server, "log", None)
            if log is not None:
                log(f"answered request {method!r} (id {data['id']!r}) with {error.code} {error.message}",
                    types.MessageType.Warning)
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


class ResyncingReader(StdinAsyncReader):
    """Finds the next header after a body read with a wrong Content-Length.

    pygls matches headers line by line from the line start; a body shorter or longer
    than announced leaves bytes glued in front of the next ``Content-Length:`` and the
    server would never match a header again.  Cutting the line at the header loses the
    damaged message only.
    """

    async def readline(self) -> bytes:
        line = await super().readline()
        at = line.find(b"Content-Length:")
        return line[at:] if at > 0 else line


def run_stdio(server: LanguageServer, stdin: Any = None, stdout: Any = None) -> None:
    """pygls's ``start_io``, reading through :class:`ResyncingReader`."""
    server._stop_event = stop_event = threading.Event()
    reader = ResyncingReader(stdin or sys.stdin.buffer, server.thread_pool)
    server.protocol.set_writer(StdoutWriter(stdout or sys.stdout.buffer))
    try:
        asyncio.run(run_async(stop_event=stop_event, reader=reader, protocol=server.protocol,
                              logger=logger, error_handler=server.report_server_error))
    except BrokenPipeError:
        logger.error("Connection to the client is lost! Shutting down the server.")
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        server.shutdown()  # type: ignore[no-untyped-call]
