"""The pygls server: each handler fetches state, calls the core, converts, sends.

Documents live in our own incremental :class:`Document` model, driven by the
change ranges.  pygls would also apply every ``didChange`` to a whole-text
copy of its own before our handler runs; we never read that copy, so
:class:`_Protocol` skips it rather than pay for every keystroke twice.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
import itertools
import json
import logging
import os
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import unquote, urlparse

from lsprotocol import types
from pygls.exceptions import JsonRpcInternalError, JsonRpcInvalidParams, JsonRpcMethodNotFound
from pygls.io_ import StdinAsyncReader, StdoutWriter, run_async
from pygls.lsp.server import LanguageServer
from pygls.protocol import LanguageServerProtocol
from pygls.protocol.language_server import lsp_method

from pip_cache_lsp import __version__
from pip_cache_lsp.config import ConfigError, ProjectConfig, find_config
from pip_cache_lsp.lsp import convert
from pip_cache_lsp.lsp.positions import UTF16, PositionCodec
from pip_cache_lsp.lsp.settings import KEYS, SECTION, SEVERITY_KINDS, Settings, parse_settings
from pip_cache_lsp.names import SOURCE

if TYPE_CHECKING:  # the core (parser, tree-sitter) loads with the first document, after initialize
    from pip_cache_lsp.document import Document
    from pip_cache_lsp.rule import Finding

logger = logging.getLogger(__name__)
F = TypeVar("F", bound=Callable[..., Any])


def _path_of(uri: str) -> Path:
    parsed = urlparse(uri)
    return Path(unquote(parsed.path)) if parsed.scheme == "file" else Path("/nonexistent")


class _Protocol(LanguageServerProtocol):
    """pygls's protocol minus its whole-text document store (we keep our own).

    These are plain functions, not generators like pygls's own: pygls files the Future
    of every generator handler under a fresh id and never removes it for a
    notification, which leaks ~2 kB per keystroke.
    """

    def _forward(self, method: str, params: Any) -> None:
        if (handler := self.fm.features.get(method)) is not None:
            handler(params)

    @lsp_method(types.TEXT_DOCUMENT_DID_OPEN)
    def lsp_text_document__did_open(self, params: types.DidOpenTextDocumentParams) -> None:  # type: ignore[override]
        self._forward(types.TEXT_DOCUMENT_DID_OPEN, params)

    @lsp_method(types.TEXT_DOCUMENT_DID_CHANGE)
    def lsp_text_document__did_change(self, params: types.DidChangeTextDocumentParams) -> None:  # type: ignore[override]
        self._forward(types.TEXT_DOCUMENT_DID_CHANGE, params)

    @lsp_method(types.TEXT_DOCUMENT_DID_CLOSE)
    def lsp_text_document__did_close(self, params: types.DidCloseTextDocumentParams) -> None:  # type: ignore[override]
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
            self._server.log(f"answered request {method!r} (id {data['id']!r}) with {error.code} {error.message}",
                             types.MessageType.Warning)
            return _ANSWERED

    def handle_message(self, message: Any) -> None:
        if message is not _ANSWERED:
            super().handle_message(message)

    def send_text(self, body: str) -> None:
        """Frame and write an already-serialized message (``body`` must be ASCII JSON)."""
        if self.writer is None:
            return
        header = f"Content-Length: {len(body)}\r\nContent-Type: {self.CONTENT_TYPE}; charset={self.CHARSET}\r\n\r\n"
        result = self.writer.write((header + body).encode(self.CHARSET))
        if inspect.isawaitable(result):
            asyncio.ensure_future(result)


_ANSWERED = object()  # a request already answered with an error while being read
_revisions = itertools.count(1)


@dataclass(slots=True)
class OpenDocument:
    """An open editor buffer: the model, the client's version, and a revision for pull results.

    Revisions come from one server-wide counter, so a result id handed out before a
    close can never match the reopened document (``id()`` of a freed entry can).
    ``project`` holds the ``[tool.pip-cache-lsp]`` settings of the file's project.
    """

    uri: str
    doc: Document
    version: int | None
    project: ProjectConfig = field(default_factory=ProjectConfig)
    revision: int = field(default_factory=lambda: next(_revisions))

    def changed(self) -> None:
        self.revision = next(_revisions)


class _ResyncingReader(StdinAsyncReader):
    """Finds the next header after a body read with a wrong Content-Length.

    pygls matches headers line by line from the line start; a body shorter or longer
    than announced leaves bytes glued in front of the next ``Content-Length:`` and the
    server would never match a header again.  Cutting the line at the header loses the
    damaged message only.
    """

    async def readline(self) -> bytes:  # type: ignore[override]
        line = await super().readline()
        at = line.find(b"Content-Length:")
        return line[at:] if at > 0 else line


class PipCacheServer(LanguageServer):
    """Server state: open documents, settings, negotiated encoding, diagnostics mode."""

    def __init__(self) -> None:
        super().__init__(SOURCE, __version__, text_document_sync_kind=types.TextDocumentSyncKind.Incremental,
                         protocol_cls=_Protocol)
        self.documents: dict[str, OpenDocument] = {}
        self.settings = Settings()
        self.codec = PositionCodec(UTF16)
        self.pull = False  # the client asks for diagnostics; never push to it then
        self.shutdown_requested = False  # LSP: exit without shutdown first means exit code 1

    def start_io(self, stdin: Any = None, stdout: Any = None) -> None:
        """pygls's stdio loop, reading through :class:`_ResyncingReader`."""
        self._stop_event = threading.Event()
        reader = _ResyncingReader(stdin or sys.stdin.buffer, self.thread_pool)
        self.protocol.set_writer(StdoutWriter(stdout or sys.stdout.buffer))
        try:
            asyncio.run(run_async(stop_event=self._stop_event, reader=reader, protocol=self.protocol,
                                  logger=logger, error_handler=self.report_server_error))
        except BrokenPipeError:
            logger.error("Connection to the client is lost! Shutting down the server.")
        except (KeyboardInterrupt, SystemExit):
            pass
        finally:
            self.shutdown()

    def log(self, message: str, level: types.MessageType = types.MessageType.Log) -> None:
        logger.log(logging.ERROR if level == types.MessageType.Error else logging.INFO, message)
        try:
            self.window_log_message(types.LogMessageParams(type=level, message=message))
        except Exception:  # the transport may be gone during shutdown
            logger.debug("could not send log message", exc_info=True)

    def report_server_error(self, error: Exception, source: Any) -> None:
        """pygls would pop up 'Error in server'; a log line is enough for a linter.

        An unknown method or malformed params are the client's mistake (pygls has already
        answered the error), so they are warnings, not internal errors.
        """
        if isinstance(error, JsonRpcMethodNotFound):
            self.log(f"unknown method: {error}; answered MethodNotFound", types.MessageType.Warning)
            return
        if isinstance(error, JsonRpcInvalidParams):  # the cause names the message type
            self.log(f"ignoring a message with invalid params: {error.__cause__ or error}", types.MessageType.Warning)
            return
        self.log(f"pip-cache-lsp internal error ({type(error).__name__}): {error}", types.MessageType.Error)

    # -- diagnostics ---------------------------------------------------------------------
    def effective(self, entry: OpenDocument) -> tuple[bool, types.DiagnosticSeverity, bool]:
        """(enabled, severity, honour_env) for one document: the project's file wins over the editor.

        A team's pyproject settings are what CI applies, so the editor shows the same.
        """
        project = entry.project
        if not self.settings.enable or project.excluded(_path_of(entry.uri)):
            return False, self.settings.severity, self.settings.honour_env
        severity = SEVERITY_KINDS[project.severity] if project.severity else self.settings.severity
        honour_env = self.settings.honour_env if project.honour_env is None else project.honour_env
        return True, severity, honour_env

    def findings(self, entry: OpenDocument) -> list[Finding]:
        enabled, _, honour_env = self.effective(entry)
        return entry.doc.findings(honour_env) if enabled else []

    def diagnostics(self, entry: OpenDocument) -> list[types.Diagnostic]:
        severity = self.effective(entry)[1]
        return [convert.diagnostic(entry.doc, self.codec, f, severity) for f in self.findings(entry)]

    def publish(self, uri: str) -> None:
        """Push the document's diagnostics, serialized block by block and reused.

        A block's diagnostics depend only on its text, the line it starts on and which of
        its pip calls the fold left as findings, so a keystroke re-serializes the edited
        block's alone; with thousands of findings this is most of the cost of a keystroke.
        """
        entry = self.documents.get(uri)
        if entry is None or self.pull:
            return
        from pip_cache_lsp.rule import findings_of

        enabled, severity, honour_env = self.effective(entry)
        doc, converter = entry.doc, self.protocol._converter
        parts = []
        for start, block in doc.blocks_with_findings(honour_env) if enabled else ():
            key = (doc.lines.line_of(start), self.codec.encoding, severity)
            cached = block.serialized
            # A refold (an ENV edit elsewhere, honourEnv) gives the block a new hits tuple without
            # re-parsing it; an identity check catches that for free.
            if not isinstance(cached, tuple) or cached[0] != key or cached[1] is not block.hits:
                fragments = (json.dumps(converter.unstructure(convert.diagnostic(doc, self.codec, f, severity)))
                             for f in findings_of(start, block))
                block.serialized = cached = (key, block.hits, ",".join(fragments))
            parts.append(cached[2])
        head = json.dumps({"jsonrpc": "2.0", "method": types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS,
                           "params": {"uri": uri, "version": entry.version}})
        self.protocol.send_text(f'{head[:-2]}, "diagnostics": [{",".join(parts)}]}}}}')

    def refresh_all(self) -> None:
        """After a settings change: re-check every open document."""
        if self.pull:
            if _supports(self.client_capabilities, "workspace", "diagnostics", "refresh_support"):
                self.workspace_diagnostic_refresh(None)
            return
        for uri in list(self.documents):
            self.publish(uri)


def _supports(caps: Any, *path: str) -> bool:
    for name in path:
        caps = getattr(caps, name, None)
        if caps is None:
            return False
    return bool(caps)


def guarded(default: Any = None) -> Callable[[F], F]:
    """Contain a handler's failure: log it, answer ``default``, keep serving."""

    def wrap(handler: F) -> F:
        @functools.wraps(handler)
        def run(ls: PipCacheServer, params: Any) -> Any:
            try:
                return handler(ls, params)
            except Exception as exc:
                logger.exception("handler %s failed", handler.__name__)
                ls.log(f"{handler.__name__} failed ({type(exc).__name__}: {exc}); continuing",
                       types.MessageType.Error)
                return default

        return run  # type: ignore[return-value]

    return wrap


server = PipCacheServer()


@server.feature(types.INITIALIZE)
@guarded()
def initialize(ls: PipCacheServer, params: types.InitializeParams) -> None:
    ls.codec = PositionCodec(str(ls.workspace.position_encoding or UTF16))
    ls.pull = _supports(params.capabilities, "text_document", "diagnostic")
    ls.settings = parse_settings(params.initialization_options, lambda m: ls.log(m, types.MessageType.Warning))
    if params.process_id:
        _watch_parent(params.process_id)


@server.feature(types.INITIALIZED)
@guarded()
def initialized(ls: PipCacheServer, params: types.InitializedParams) -> None:
    ls.log(f"pip-cache-lsp {__version__}: positions in {ls.codec.encoding}, "
           f"{'pull' if ls.pull else 'push'} diagnostics, {ls.settings}")


@server.feature(types.SHUTDOWN)
@guarded()
def shutdown(ls: PipCacheServer, params: None) -> None:
    ls.shutdown_requested = True


@server.feature(types.TEXT_DOCUMENT_DID_OPEN)
@guarded()
def did_open(ls: PipCacheServer, params: types.DidOpenTextDocumentParams) -> None:
    from pip_cache_lsp.document import Document

    item = params.text_document
    ls.documents[item.uri] = OpenDocument(item.uri, Document(item.text), item.version, _project(ls, item.uri))
    ls.publish(item.uri)


def _project(ls: PipCacheServer, uri: str) -> ProjectConfig:
    """The file's ``[tool.pip-cache-lsp]`` settings; a broken table is logged, not fatal."""
    if not uri.startswith("file:"):
        return ProjectConfig()
    try:
        return find_config(_path_of(uri).parent)
    except ConfigError as exc:
        ls.log(f"ignoring project settings: {exc}", types.MessageType.Warning)
        return ProjectConfig()
    except OSError:
        return ProjectConfig()


@server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
@guarded()
def did_change(ls: PipCacheServer, params: types.DidChangeTextDocumentParams) -> None:
    uri, version = params.text_document.uri, params.text_document.version
    entry = ls.documents.get(uri)
    if entry is None:
        ls.log(f"didChange for {uri}, which is not open; ignored", types.MessageType.Warning)
        return
    if entry.version is not None and version is not None and version <= entry.version:
        ls.log(f"didChange for {uri} has version {version} after {entry.version}; applied in order received",
               types.MessageType.Warning)
    try:
        for change in params.content_changes:
            _apply_change(ls, uri, entry.doc, change)
    finally:
        entry.version = version
        entry.changed()
        ls.publish(uri)


def _apply_change(ls: PipCacheServer, uri: str, doc: Document, change: types.TextDocumentContentChangeEvent) -> None:
    """Apply one content change; a reversed range counts as the span it names.

    It is most likely a backwards selection, and refusing it would leave our text
    unlike the editor's for good.
    """
    if not isinstance(change, types.TextDocumentContentChangePartial):
        doc.replace(change.text)
        return
    start, end = ls.codec.offset(doc, change.range.start), ls.codec.offset(doc, change.range.end)
    if start > end:
        ls.log(f"didChange for {uri}: reversed range {change.range}; applied to the span it names",
               types.MessageType.Warning)
        start, end = end, start
    doc.edit(start, end, change.text)


@server.feature(types.TEXT_DOCUMENT_DID_SAVE)
@guarded()
def did_save(ls: PipCacheServer, params: types.DidSaveTextDocumentParams) -> None:
    entry = ls.documents.get(params.text_document.uri)
    if entry is not None and params.text is not None and params.text != entry.doc.text:
        ls.log(f"{params.text_document.uri}: saved text differs from the edits received; resynced",
               types.MessageType.Warning)
        entry.doc.replace(params.text)
        entry.changed()
        ls.publish(params.text_document.uri)


@server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
@guarded()
def did_close(ls: PipCacheServer, params: types.DidCloseTextDocumentParams) -> None:
    uri = params.text_document.uri
    if ls.documents.pop(uri, None) is not None and not ls.pull:
        ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))


@server.feature(types.TEXT_DOCUMENT_DIAGNOSTIC,
                types.DiagnosticOptions(identifier=SOURCE, inter_file_dependencies=False,
                                        workspace_diagnostics=False))
@guarded()
def pull_diagnostics(ls: PipCacheServer, params: types.DocumentDiagnosticParams) -> types.DocumentDiagnosticReport:
    entry = ls.documents.get(params.text_document.uri)
    if entry is None:
        return types.RelatedFullDocumentDiagnosticReport(items=[])
    result_id = f"{entry.revision}:{hash(ls.settings)}"
    if params.previous_result_id == result_id:
        return types.RelatedUnchangedDocumentDiagnosticReport(result_id=result_id)
    return types.RelatedFullDocumentDiagnosticReport(items=ls.diagnostics(entry), result_id=result_id)


@server.feature(types.TEXT_DOCUMENT_CODE_ACTION,
                types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix, convert.FIX_ALL_KIND]))
@guarded(default=[])
def code_action(ls: PipCacheServer, params: types.CodeActionParams) -> list[types.CodeAction]:
    entry = ls.documents.get(params.text_document.uri)
    if entry is None:
        return []
    enabled, severity, honour_env = ls.effective(entry)
    doc, codec, uri = entry.doc, ls.codec, params.text_document.uri
    findings = doc.findings(honour_env) if enabled else []
    if not findings:
        return []
    start, end = codec.offset(doc, params.range.start), codec.offset(doc, params.range.end)
    touched = [f for f in findings if f.start <= end and start <= f.end]
    only = params.context.only
    actions: list[types.CodeAction] = []
    if _wanted(types.CodeActionKind.QuickFix, only):
        diagnostics = [convert.diagnostic(doc, codec, f, severity) for f in touched]
        for finding, diag in zip(touched, diagnostics, strict=True):
            actions.append(types.CodeAction(
                title=convert.FIX_TITLE, kind=types.CodeActionKind.QuickFix, diagnostics=[diag], is_preferred=True,
                edit=convert.workspace_edit(uri, [convert.fix_edit(doc, codec, finding)])))
        for finding, diag in zip(touched, diagnostics, strict=True):
            actions.append(types.CodeAction(
                title=convert.IGNORE_TITLE, kind=types.CodeActionKind.QuickFix, diagnostics=[diag],
                edit=convert.workspace_edit(uri, [convert.ignore_edit(doc, codec, finding)])))
    if (touched or only) and _wanted(convert.FIX_ALL_KIND, only):
        actions.append(types.CodeAction(
            title=convert.FIX_ALL_TITLE, kind=convert.FIX_ALL_KIND,
            diagnostics=[convert.diagnostic(doc, codec, f, severity) for f in findings],
            edit=convert.workspace_edit(uri, [convert.fix_edit(doc, codec, f) for f in findings])))
    return actions


def _wanted(kind: str, only: list[str] | None) -> bool:
    """LSP's ``only`` filter: a requested kind matches itself and every kind below it."""
    if not only:
        return True
    return any(kind == str(k) or kind.startswith(f"{k}.") for k in only)


@server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
@guarded()
def did_change_configuration(ls: PipCacheServer, params: types.DidChangeConfigurationParams) -> None:
    settings = params.settings
    if isinstance(settings, dict) and (SECTION in settings or KEYS & settings.keys()):
        _apply_settings(ls, settings)
    elif _supports(ls.client_capabilities, "workspace", "configuration"):
        ls.workspace_configuration(
            types.ConfigurationParams(items=[types.ConfigurationItem(section=SECTION)]),
            callback=lambda result: _apply_settings(ls, result[0] if result else None))


def _apply_settings(ls: PipCacheServer, raw: Any) -> None:
    try:
        new = parse_settings(raw, lambda m: ls.log(m, types.MessageType.Warning), ls.settings)
        if new != ls.settings:
            ls.settings = new
            ls.log(f"settings changed: {new}")
            ls.refresh_all()
    except Exception as exc:
        ls.log(f"could not apply settings ({exc}); keeping {ls.settings}", types.MessageType.Error)


def _watch_parent(pid: int) -> None:
    """Exit when the editor that started us is gone (LSP's processId)."""

    def watch() -> None:
        while True:
            time.sleep(2)
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                logger.info("client process %s is gone; exiting", pid)
                os._exit(0)
            except PermissionError:
                pass  # alive, owned by someone else

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def _quiet_after_shutdown(record: logging.LogRecord) -> bool:
    """After shutdown, a client may close the pipe before reading our reply (Neovim does).

    That is the client leaving, not an error: drop pygls's broken-pipe tracebacks then.
    """
    if not server.shutdown_requested:
        return True
    error = record.exc_info[1] if record.exc_info else None
    message = record.getMessage()
    gone = isinstance(error, (BrokenPipeError, ConnectionResetError))
    return not (gone or "BrokenPipe" in message or "Connection to the client is lost" in message)


def serve(tcp: str | None = None) -> int:
    """Run until the client says exit (or goes away); 0 only after a shutdown request.

    pygls swallows the SystemExit carrying LSP's exit code, so it is decided here.
    """
    logging.basicConfig(level=logging.WARNING, format="pip-cache-lsp: %(levelname)s %(message)s")
    for handler in logging.getLogger().handlers:
        handler.addFilter(_quiet_after_shutdown)
    if tcp:
        host, _, port = tcp.rpartition(":")
        server.start_tcp(host or "127.0.0.1", int(port))
    else:
        server.start_io()
    return 0 if server.shutdown_requested else 1
