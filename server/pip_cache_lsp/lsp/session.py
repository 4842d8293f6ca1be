"""The server's state: open documents, settings, the negotiated encoding and diagnostics mode.

Only this is mutable; handlers read it and call the core.  What applies to one
document (:class:`Policy`) is resolved here once per request: the project's
``[tool.pip-cache-lsp]`` wins over the editor's settings, as CI applies it.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlparse

from lsprotocol import types
from pygls.exceptions import JsonRpcInvalidParams, JsonRpcMethodNotFound
from pygls.lsp.server import LanguageServer

from pip_cache_lsp import __version__
from pip_cache_lsp.config import ProjectConfig
from pip_cache_lsp.lsp import transport
from pip_cache_lsp.lsp.clients import breaks_lone_cr
from pip_cache_lsp.lsp.early import SYNC_PARSE_LIMIT as SYNC_PARSE_LIMIT
from pip_cache_lsp.lsp.positions import UTF16, PositionCodec
from pip_cache_lsp.lsp.settings import SEVERITY_KINDS, Settings
from pip_cache_lsp.names import SOURCE
from pip_cache_lsp.rules import registered

if TYPE_CHECKING:  # the core (parser, tree-sitter) loads with the first document, after initialize
    from pip_cache_lsp.document import Document
    from pip_cache_lsp.findings import Finding
    from pip_cache_lsp.lsp.diagnostics import DiagnosticCache
    from pip_cache_lsp.rules import Rule

logger = logging.getLogger(__name__)
_revisions = itertools.count(1)


def path_of(uri: str) -> Path:
    parsed = urlparse(uri)
    return Path(unquote(parsed.path)) if parsed.scheme == "file" else Path("/nonexistent")


@dataclass(frozen=True, slots=True)
class Policy:
    """How one document is checked and shown: resolved from the settings and its project."""

    enabled: bool
    honour_env: bool
    severity: types.DiagnosticSeverity | None  # None: each rule's default
    selected: frozenset[str]
    builder_stages: str = "information"

    def severity_of(self, finding: Finding) -> types.DiagnosticSeverity:
        """The severity a shown finding (see ``findings.under_policy``) has in the editor."""
        if finding.rule.kind == "hint":  # faded, whatever level the rules are shown at
            return types.DiagnosticSeverity.Hint
        if finding.builder_stage is not None:
            return types.DiagnosticSeverity.Information
        return self.severity if self.severity is not None else SEVERITY_KINDS[finding.severity]


@dataclass(slots=True)
class OpenDocument:
    """An open editor buffer: the model, the client's version, and a revision for pull results.

    Revisions come from one server-wide counter, so a result id handed out before a
    close can never match the reopened document (``id()`` of a freed entry can).
    ``project`` holds the ``[tool.pip-cache-lsp]`` settings of the file's project;
    ``diagnostics`` the adapter's per-block output, reused across keystrokes.
    A text over :data:`SYNC_PARSE_LIMIT` is parsed by ``analysis`` in steps that
    yield to the event loop (see ``server.publish``); ``doc.parsed`` is false until then.
    """

    uri: str
    doc: Document
    version: int | None
    project: ProjectConfig = field(default_factory=ProjectConfig)
    revision: int = field(default_factory=lambda: next(_revisions))
    diagnostics: DiagnosticCache | None = None
    analysis: asyncio.Task[None] | None = None  # the stepwise parse of a big text, while it runs
    told_too_big: bool = False  # the "not checked" warning went out (once while over maxFileSize)
    # PipCacheServer.policy's answer, with the settings, project and rule registry it was read from
    policy_cache: tuple[Settings, ProjectConfig, tuple[Rule, ...], Policy] | None = None

    def changed(self) -> None:
        self.revision = next(_revisions)

    def cancel_analysis(self) -> None:
        """The text is changing or going away: a running analysis of the old one is stale."""
        if self.analysis is not None:
            self.analysis.cancel()
            self.analysis = None


def lone_cr_breaks_lines(client: types.ClientInfo | None, options: Any) -> bool:
    """Whether this client counts a lone CR as a line end; decides the line model of every position.

    Neovim, Emacs/eglot (which sends no clientInfo), Zed and most editors count lines
    by LF alone, as BuildKit, git and grep do; a position computed with the other
    model would land on the wrong line after a lone CR, and a fix would corrupt the
    file.  ``initializationOptions.lineBreaks`` (``"lsp"`` or ``"lf"``) overrides.
    """
    return breaks_lone_cr(client.name if client is not None else None, options)


class PipCacheServer(LanguageServer):
    """Server state: open documents, settings, negotiated encoding, diagnostics mode."""

    def __init__(self) -> None:
        super().__init__(SOURCE, __version__, text_document_sync_kind=types.TextDocumentSyncKind.Incremental,
                         protocol_cls=transport.Protocol, converter_factory=transport.strict_converter)
        self.documents: dict[str, OpenDocument] = {}
        self.settings = Settings()
        self.codec = PositionCodec(UTF16)
        self.pull = False  # the client asks for diagnostics; never push to it then
        self.lone_cr = True  # the client's line model: does a lone CR end a line (lone_cr_breaks_lines)
        self.shutdown_requested = False  # LSP: exit without shutdown first means exit code 1

    @property
    def transport(self) -> transport.Protocol:
        """The protocol, typed as ours (pygls types it as its own)."""
        protocol = self.protocol
        assert isinstance(protocol, transport.Protocol)
        return protocol

    def start_io(self, stdin: Any = None, stdout: Any = None) -> None:
        transport.run_stdio(self, stdin, stdout)

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

    def policy(self, entry: OpenDocument) -> Policy:
        """How ``entry`` is checked: the project's file wins over the editor's settings.

        Kept on the entry while the settings, its project's and the rule registry are the
        same objects (all three are replaced, never changed): every keystroke asks.
        """
        settings, project, rules = self.settings, entry.project, registered()
        cached = entry.policy_cache
        if cached is not None and cached[0] is settings and cached[1] is project and cached[2] is rules:
            return cached[3]
        policy = self._policy(entry)
        entry.policy_cache = (settings, project, rules, policy)
        return policy

    def _policy(self, entry: OpenDocument) -> Policy:
        settings, project = self.settings, entry.project
        enabled = settings.enable and not project.excluded(path_of(entry.uri))
        severity = SEVERITY_KINDS[project.severity] if project.severity else settings.severity
        honour_env = settings.honour_env if project.honour_env is None else project.honour_env
        selected = settings.selected() if enabled else frozenset()
        if project.select is not None:
            selected = frozenset(project.select) & selected if settings.select is not None else frozenset(
                project.select) - settings.ignore
        selected -= frozenset(project.ignore)
        builder_stages = project.builder_stages or settings.builder_stages or "information"
        return Policy(enabled, honour_env, severity, selected, builder_stages)

    def supports(self, *path: str) -> bool:
        """Whether the client's capabilities have ``path`` (e.g. "workspace", "configuration") set."""
        caps: Any = self.client_capabilities
        for name in path:
            caps = getattr(caps, name, None)
            if caps is None:
                return False
        return bool(caps)
