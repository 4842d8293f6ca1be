"""The LSP handlers: each fetches state, calls the core or the producer, and answers.

State lives in :mod:`.session`, pygls workarounds in :mod:`.transport`, the one
diagnostics producer in :mod:`.diagnostics`, code actions in :mod:`.actions`.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from lsprotocol import types

from pip_cache_lsp import __version__
from pip_cache_lsp.config import ConfigError, ProjectConfig, find_config
from pip_cache_lsp.lsp import actions, convert
from pip_cache_lsp.lsp.parent import watch_parent
from pip_cache_lsp.lsp.positions import UTF16, PositionCodec
from pip_cache_lsp.lsp.session import SYNC_PARSE_LIMIT, OpenDocument, PipCacheServer, lone_cr_breaks_lines, path_of
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
        def failed(ls: PipCacheServer, exc: Exception) -> Any:
            logger.exception("handler %s failed", handler.__name__)
            ls.log(f"{handler.__name__} failed ({type(exc).__name__}: {exc}); continuing", types.MessageType.Error)
            return default

        @functools.wraps(handler)
        def run(ls: PipCacheServer, params: Any) -> Any:
            try:
                return handler(ls, params)
            except Exception as exc:
                return failed(ls, exc)

        @functools.wraps(handler)
        async def run_async(ls: PipCacheServer, params: Any) -> Any:
            try:
                return await handler(ls, params)
            except Exception as exc:
                return failed(ls, exc)

        return run_async if inspect.iscoroutinefunction(handler) else run  # type: ignore[return-value]

    return wrap


server = PipCacheServer()


def _cache(entry: OpenDocument) -> DiagnosticCache:
    if entry.diagnostics is None:
        from pip_cache_lsp.lsp.diagnostics import DiagnosticCache

        entry.diagnostics = DiagnosticCache()
    return entry.diagnostics


def publish(ls: PipCacheServer, uri: str) -> None:
    """Bring the client's view of ``uri`` up to date.

    Push its diagnostics (never to a client that pulls them); a text over
    ``maxFileSize`` is not checked (:func:`_too_big`); a text not parsed yet is
    analysed in steps first (:func:`_analyse`), which publishes when done.
    """
    entry = ls.documents.get(uri)
    if entry is None or _too_big(ls, entry):
        return
    if not entry.doc.parsed:
        if entry.analysis is None:
            entry.analysis = asyncio.get_running_loop().create_task(_analyse(ls, entry))
        return
    if ls.pull:
        return
    body = _cache(entry).publish_body(uri, entry.version, entry.doc, ls.codec, ls.policy(entry),
                                      ls.transport.unstructure, ls.settings.max_diagnostics)
    ls.transport.send_text(body)


def _too_big(ls: PipCacheServer, entry: OpenDocument) -> bool:
    """Over ``maxFileSize``: no check, no diagnostics, and one warning while it stays over."""
    size, limit = len(entry.doc.text), ls.settings.max_file_size
    if size <= limit:
        entry.told_too_big = False
        return False
    entry.cancel_analysis()
    if not entry.told_too_big:
        entry.told_too_big = True
        message = (f"pip-cache-lsp: {entry.uri} is not checked: {size:,} characters, over maxFileSize "
                   f"({limit:,})")
        ls.log(message, types.MessageType.Warning)
        ls.window_show_message(types.ShowMessageParams(type=types.MessageType.Warning, message=message))
    if not ls.pull:
        ls.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=entry.uri, diagnostics=[], version=entry.version))
    return True


async def _analyse(ls: PipCacheServer, entry: OpenDocument) -> None:
    """Parse a big text in steps, serving other messages between them; then publish.

    An edit, a close or shutdown cancels it (:meth:`OpenDocument.cancel_analysis`);
    the document stays unparsed and the next :func:`publish` starts over.
    """
    try:
        for _ in entry.doc.parse_steps():
            await asyncio.sleep(0)
    except Exception as exc:
        logger.exception("analysis of %s failed", entry.uri)
        ls.log(f"analysis of {entry.uri} failed ({type(exc).__name__}: {exc}); continuing", types.MessageType.Error)
        return
    finally:
        if entry.analysis is asyncio.current_task():
            entry.analysis = None
    if ls.documents.get(entry.uri) is entry:
        publish(ls, entry.uri)


async def analysed(ls: PipCacheServer, uri: str) -> OpenDocument | None:
    """The entry for ``uri`` once its text is parsed (None: not open, or over ``maxFileSize``)."""
    while (entry := ls.documents.get(uri)) is not None and not entry.doc.parsed:
        if entry.analysis is None:
            publish(ls, uri)
            if entry.analysis is None:  # too big: not checked
                return None
        await asyncio.wait([entry.analysis])
    return entry


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
    ls.lone_cr = lone_cr_breaks_lines(params.client_info, params.initialization_options)
    if params.process_id is not None:
        watch_parent(params.process_id, lambda m: ls.log(m, types.MessageType.Warning))


@server.feature(types.INITIALIZED)
@guarded()
def initialized(ls: PipCacheServer, params: types.InitializedParams) -> None:
    ls.log(f"pip-cache-lsp {__version__}: positions in {ls.codec.encoding}, "
           f"lines end at {'LF, CRLF or a lone CR' if ls.lone_cr else 'LF (a lone CR is a character)'}, "
           f"{'pull' if ls.pull else 'push'} diagnostics, {ls.settings}")


@server.feature(types.SHUTDOWN)
@guarded()
def shutdown(ls: PipCacheServer, params: None) -> None:
    ls.shutdown_requested = True
    for entry in ls.documents.values():
        entry.cancel_analysis()


@server.feature(types.TEXT_DOCUMENT_DID_OPEN)
@guarded()
def did_open(ls: PipCacheServer, params: types.DidOpenTextDocumentParams) -> None:
    from pip_cache_lsp.document import Document

    item = params.text_document
    if (old := ls.documents.get(item.uri)) is not None:
        old.cancel_analysis()
    doc = Document(item.text, parse=len(item.text) <= min(SYNC_PARSE_LIMIT, ls.settings.max_file_size),
                   lone_cr=ls.lone_cr)
    ls.documents[item.uri] = OpenDocument(item.uri, doc, item.version, _project(ls, item.uri))
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
    if not entry.doc.parsed:
        entry.cancel_analysis()  # a newer version: the analysis under way is stale
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
    A big text (a paste, a full replace) leaves the document unparsed, for :func:`publish`
    to analyse in steps.
    """
    if not isinstance(change, types.TextDocumentContentChangePartial):
        doc.replace(change.text, parse=len(change.text) <= SYNC_PARSE_LIMIT)
        return
    start, end = ls.codec.offset(doc, change.range.start), ls.codec.offset(doc, change.range.end)
    if start > end:
        ls.log(f"didChange for {uri}: reversed range {change.range}; applied to the span it names",
               types.MessageType.Warning)
        start, end = end, start
    if doc.parsed and len(change.text) > SYNC_PARSE_LIMIT:
        doc.replace(doc.text[:start] + change.text + doc.text[end:], parse=False)
    else:
        doc.edit(start, end, change.text)


@server.feature(types.TEXT_DOCUMENT_DID_SAVE)
@guarded()
def did_save(ls: PipCacheServer, params: types.DidSaveTextDocumentParams) -> None:
    entry = ls.documents.get(params.text_document.uri)
    if entry is not None and params.text is not None and params.text != entry.doc.text:
        ls.log(f"{params.text_document.uri}: saved text differs from the edits received; resynced",
               types.MessageType.Warning)
        entry.cancel_analysis()
        entry.doc.replace(params.text, parse=len(params.text) <= SYNC_PARSE_LIMIT)
        entry.changed()
        publish(ls, params.text_document.uri)


@server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
@guarded()
def did_close(ls: PipCacheServer, params: types.DidCloseTextDocumentParams) -> None:
    uri = params.text_document.uri
    if (entry := ls.documents.pop(uri, None)) is not None:
        entry.cancel_analysis()
        if not ls.pull:
            ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))


@server.feature(types.TEXT_DOCUMENT_DIAGNOSTIC,
                types.DiagnosticOptions(identifier=SOURCE, inter_file_dependencies=False,
                                        workspace_diagnostics=False))
@guarded()
async def pull_diagnostics(ls: PipCacheServer,
                           params: types.DocumentDiagnosticParams) -> types.DocumentDiagnosticReport:
    entry = await analysed(ls, params.text_document.uri)
    if entry is None:
        return types.RelatedFullDocumentDiagnosticReport(items=[])
    result_id = f"{entry.revision}:{hash(ls.settings)}"
    if params.previous_result_id == result_id:
        return types.RelatedUnchangedDocumentDiagnosticReport(result_id=result_id)
    items = _cache(entry).diagnostics(entry.doc, ls.codec, ls.policy(entry), ls.settings.max_diagnostics)
    return types.RelatedFullDocumentDiagnosticReport(items=items, result_id=result_id)


@server.feature(types.TEXT_DOCUMENT_CODE_ACTION,
                types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix, convert.FIX_ALL_KIND]))
@guarded(default=[])
def code_action(ls: PipCacheServer, params: types.CodeActionParams) -> list[types.CodeAction]:
    entry = ls.documents.get(params.text_document.uri)
    if entry is None or not entry.doc.parsed or len(entry.doc.text) > ls.settings.max_file_size:
        return []
    doc, codec = entry.doc, ls.codec
    pairs = _cache(entry).pairs(doc, codec, ls.policy(entry))
    span = codec.offset(doc, params.range.start), codec.offset(doc, params.range.end)
    only = [str(kind) for kind in params.context.only] if params.context.only else None
    from pip_cache_lsp.remedies import Check  # the core is loaded: the document is parsed

    policy = ls.policy(entry)
    check = Check(policy.honour_env, policy.selected, policy.builder_stages, ls.settings.offer_cache_mount)
    return actions.code_actions(params.text_document.uri, doc, codec, pairs, span, only, check,
                                lambda message: ls.log(message, types.MessageType.Info))


@server.feature(types.TEXT_DOCUMENT_HOVER)
@guarded()
def hover(ls: PipCacheServer, params: types.HoverParams) -> types.Hover | None:
    """Why the finding under the cursor is reported, or what the exemption there exempts."""
    entry = ls.documents.get(params.text_document.uri)
    if entry is None or not entry.doc.parsed or len(entry.doc.text) > ls.settings.max_file_size:
        return None
    from pip_cache_lsp.lsp import hover as hovers

    doc, codec, policy = entry.doc, ls.codec, ls.policy(entry)
    caps = ls.client_capabilities.text_document
    formats = caps.hover.content_format if caps is not None and caps.hover is not None else None
    offset = codec.offset(doc, params.position)
    return hovers.hover(doc, codec, hovers.shown_at(doc, policy, offset), offset, policy,
                        hovers.content_format(list(formats) if formats else None))


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


def serve(tcp: str | None = None, stdin: Any = None, stdout: Any = None) -> int:
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
        server.start_io(stdin, stdout)
    return 0 if server.shutdown_requested else 1
