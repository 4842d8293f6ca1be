"""The LSP handlers: each fetches state, calls the core or the producer, and answers.

State lives in :mod:`.session`, pygls workarounds in :mod:`.transport`, the one
diagnostics producer in :mod:`.diagnostics`, code actions in :mod:`.actions`.
"""

from __future__ import annotations

import functools
import logging
import os
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from lsprotocol import types

from pip_cache_lsp import __version__
from pip_cache_lsp.config import ConfigError, ProjectConfig, find_config
from pip_cache_lsp.lsp import actions, convert
from pip_cache_lsp.lsp.positions import UTF16, PositionCodec
from pip_cache_lsp.lsp.session import OpenDocument, PipCacheServer, path_of
from pip_cache_lsp.lsp.settings import KEYS, SECTION, parse_settings
from pip_cache_lsp.names import SOURCE

if TYPE_CHECKING:  # the core (parser, tree-sitter) loads with the first document, after initialize
    from pip_cache_lsp.document import Document
    from pip_cache_lsp.lsp.diagnostics import DiagnosticCache

logger = logging.getLogger(__name__)
F = TypeVar("F", bound=Callable[..., Any])


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


def _cache(entry: OpenDocument) -> DiagnosticCache:
    if entry.diagnostics is None:
        from pip_cache_lsp.lsp.diagnostics import DiagnosticCache

        entry.diagnostics = DiagnosticCache()
    return entry.diagnostics


def publish(ls: PipCacheServer, uri: str) -> None:
    """Push a document's diagnostics (never to a client that pulls them)."""
    entry = ls.documents.get(uri)
    if entry is None or ls.pull:
        return
    body = _cache(entry).publish_body(uri, entry.version, entry.doc, ls.codec, ls.policy(entry),
                                      ls.transport.unstructure)
    ls.transport.send_text(body)


def refresh_all(ls: PipCacheServer) -> None:
    """After a settings change: re-check every open document."""
    if ls.pull:
        if ls.supports("workspace", "diagnostics", "refresh_support"):
            ls.workspace_diagnostic_refresh(None)
        return
    for uri in list(ls.documents):
        publish(ls, uri)


@server.feature(types.INITIALIZE)
@guarded()
def initialize(ls: PipCacheServer, params: types.InitializeParams) -> None:
    ls.codec = PositionCodec(str(ls.workspace.position_encoding or UTF16))
    ls.pull = ls.supports("text_document", "diagnostic")
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
    publish(ls, item.uri)


def _project(ls: PipCacheServer, uri: str) -> ProjectConfig:
    """The file's ``[tool.pip-cache-lsp]`` settings; a broken table is logged, not fatal."""
    if not uri.startswith("file:"):
        return ProjectConfig()
    try:
        return find_config(path_of(uri).parent)
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
        publish(ls, uri)


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
        publish(ls, params.text_document.uri)


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
    items = _cache(entry).diagnostics(entry.doc, ls.codec, ls.policy(entry))
    return types.RelatedFullDocumentDiagnosticReport(items=items, result_id=result_id)


@server.feature(types.TEXT_DOCUMENT_CODE_ACTION,
                types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix, convert.FIX_ALL_KIND]))
@guarded(default=[])
def code_action(ls: PipCacheServer, params: types.CodeActionParams) -> list[types.CodeAction]:
    entry = ls.documents.get(params.text_document.uri)
    if entry is None:
        return []
    doc, codec = entry.doc, ls.codec
    pairs = _cache(entry).pairs(doc, codec, ls.policy(entry))
    span = codec.offset(doc, params.range.start), codec.offset(doc, params.range.end)
    only = [str(kind) for kind in params.context.only] if params.context.only else None
    return actions.code_actions(params.text_document.uri, doc, codec, pairs, span, only)


@server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
@guarded()
def did_change_configuration(ls: PipCacheServer, params: types.DidChangeConfigurationParams) -> None:
    settings = params.settings
    if isinstance(settings, dict) and (SECTION in settings or KEYS & settings.keys()):
        _apply_settings(ls, settings)
    elif ls.supports("workspace", "configuration"):
        ls.workspace_configuration(
            types.ConfigurationParams(items=[types.ConfigurationItem(section=SECTION)]),
            callback=lambda result: _apply_settings(ls, result[0] if result else None))


def _apply_settings(ls: PipCacheServer, raw: Any) -> None:
    try:
        new = parse_settings(raw, lambda m: ls.log(m, types.MessageType.Warning), ls.settings)
        if new != ls.settings:
            ls.settings = new
            ls.log(f"settings changed: {new}")
            refresh_all(ls)
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
