"""Test-side LSP helpers, independent of the server's own position code.

Positions are converted here from first principles (encode the line prefix and
count units), so a conversion bug in the server cannot hide behind the same
bug in the tests.  :class:`Session` drives one initialized server: it mirrors
every open document's text, sends edits in the negotiated encoding, and reads
diagnostics the way the client would -- pushed or pulled.
"""

from __future__ import annotations

import contextlib
import json
import re
import sys
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from lsprotocol import types
from lsprotocol.converters import get_converter
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities
from pytest_lsp.client import DEFAULT_CLIENT_FEATURES, register_lsp_features

SERVER = [sys.executable, "-m", "pip_cache_lsp", "serve"]
CODE = "pip-no-cache-dir"
SOURCE = "pip-cache-lsp"
DOCS = "https://github.com/pip-cache-lsp/pip-cache-lsp/blob/main/docs/rules/pip-no-cache-dir.md"
MESSAGE = (
    "pip install without --no-cache-dir: pip's download cache stays in the image layer; "
    "add --no-cache-dir (or set PIP_NO_CACHE_DIR=1)"
)
FIX_ALL_KIND = "source.fixAll.pip-cache-lsp"
BARRIER_URI = "file:///barrier/never-opened"
_CONVERTER = get_converter()
_EOL = re.compile(r"\r\n|\r|\n")
_LF = re.compile(r"\n")


# -- positions -----------------------------------------------------------------------------
def _width(text: str, encoding: str) -> int:
    if encoding == "utf-32":
        return len(text)
    return len(text.encode("utf-16-le" if encoding == "utf-16" else "utf-8")) // (2 if encoding == "utf-16" else 1)


def _line_starts(text: str, lone_cr: bool = True) -> list[int]:
    """Line starts as the client counts them: VS Code ends a line at a lone CR too, Neovim only at LF."""
    return [0, *(m.end() for m in (_EOL if lone_cr else _LF).finditer(text))]


def position(text: str, offset: int, encoding: str, lone_cr: bool = True) -> types.Position:
    """The LSP position of code-point ``offset`` in ``text``."""
    starts = _line_starts(text, lone_cr)
    line = max(i for i, s in enumerate(starts) if s <= offset)
    return types.Position(line=line, character=_width(text[starts[line]:offset], encoding))


def span(text: str, start: int, end: int, encoding: str, lone_cr: bool = True) -> types.Range:
    return types.Range(start=position(text, start, encoding, lone_cr), end=position(text, end, encoding, lone_cr))


def offset(text: str, pos: types.Position, encoding: str, lone_cr: bool = True) -> int:
    """The code-point offset of ``pos`` (must be inside the text: tests build exact edits)."""
    starts = _line_starts(text, lone_cr)
    start = starts[pos.line]
    units = 0
    index = start
    while units < pos.character:
        units += _width(text[index], encoding)
        index += 1
    assert units == pos.character, f"{pos} splits a character"
    return index


def apply_edits(text: str, edits: Sequence[types.TextEdit], encoding: str, lone_cr: bool = True) -> str:
    """Apply LSP TextEdits (all relative to ``text``, non-overlapping) as a client would."""
    located = [(offset(text, e.range.start, encoding, lone_cr), offset(text, e.range.end, encoding, lone_cr), i,
                e.new_text)
               for i, e in enumerate(edits)]
    out, at = [], 0
    for start, end, _, new in sorted(located):
        assert start >= at, "overlapping edits"
        out += [text[at:start], new]
        at = end
    return "".join(out) + text[at:]


def r(line: int, char: int, end_line: int, end_char: int) -> types.Range:
    return types.Range(start=types.Position(line=line, character=char),
                       end=types.Position(line=end_line, character=end_char))


def diagnostic(rng: types.Range, severity: types.DiagnosticSeverity = types.DiagnosticSeverity.Warning
               ) -> types.Diagnostic:
    """The whole Diagnostic the server must send for a finding at ``rng``."""
    return types.Diagnostic(range=rng, severity=severity, code=CODE, source=SOURCE, message=MESSAGE,
                            code_description=types.CodeDescription(href=DOCS))


def expected(text: str, needles: Sequence[str], encoding: str,
             severity: types.DiagnosticSeverity = types.DiagnosticSeverity.Warning,
             lone_cr: bool = True) -> list[types.Diagnostic]:
    """Diagnostics covering the first occurrence (after the previous one) of each needle."""
    out, at = [], 0
    for needle in needles:
        start = text.index(needle, at)
        at = start + len(needle)
        out.append(diagnostic(span(text, start, at, encoding, lone_cr), severity))
    return out


def as_json(value: Any) -> Any:
    """The wire form of an lsprotocol value: whole objects compare regardless of tuple/list."""
    return _CONVERTER.unstructure(value)


# -- clients -------------------------------------------------------------------------------
def _utf32_only() -> types.ClientCapabilities:
    """A minimal client offering only utf-32 positions, pushed diagnostics and code action literals."""
    kinds = ["", "quickfix", "source", "source.fixAll"]
    return types.ClientCapabilities(
        general=types.GeneralClientCapabilities(position_encodings=["utf-32"]),
        text_document=types.TextDocumentClientCapabilities(
            synchronization=types.TextDocumentSyncClientCapabilities(did_save=True),
            publish_diagnostics=types.PublishDiagnosticsClientCapabilities(version_support=True),
            code_action=types.CodeActionClientCapabilities(
                is_preferred_support=True,
                code_action_literal_support=types.ClientCodeActionLiteralOptions(
                    code_action_kind=types.ClientCodeActionKindOptions(value_set=kinds))),
        ),
        workspace=types.WorkspaceClientCapabilities(configuration=True),
    )


def capabilities(name: str) -> types.ClientCapabilities:
    if name == "utf32":
        return _utf32_only()
    return client_capabilities({"vscode": "visual-studio-code", "neovim": "neovim"}[name])


ENCODING = {"vscode": "utf-16", "neovim": "utf-8", "utf32": "utf-32"}
# What each client says it is: the server picks its line model from it (a lone CR ends a line in VS Code only).
CLIENT_INFO = {"vscode": types.ClientInfo(name="Visual Studio Code", version="1.95.0"),
               "neovim": types.ClientInfo(name="Neovim", version="0.12.0"), "utf32": None}
LONE_CR = {"vscode": True, "neovim": False, "utf32": False}
PULL = {"vscode": False, "neovim": True, "utf32": False}
CLIENTS = sorted(ENCODING)


def make_client() -> LanguageClient:
    """pytest-lsp's client, but keeping *every* publishDiagnostics, not just the last per URI."""
    client = LanguageClient()
    client.published = []  # type: ignore[attr-defined]

    def publish(ls: LanguageClient, params: types.PublishDiagnosticsParams) -> None:
        params.diagnostics = list(params.diagnostics)  # the converter makes tuples; tests compare lists
        ls.diagnostics[params.uri] = params.diagnostics
        ls.published.append(params)  # type: ignore[attr-defined]

    register_lsp_features(client, {**DEFAULT_CLIENT_FEATURES, types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS: publish})
    return client


CONFIG = ClientServerConfig(server_command=SERVER, client_factory=make_client)


@dataclass
class Session:
    """One initialized client/server pair, with a mirror of every open document."""

    client: LanguageClient
    name: str
    texts: dict[str, str] = field(default_factory=dict)
    versions: dict[str, int] = field(default_factory=dict)
    lone_cr_override: bool | None = None  # when initializationOptions.lineBreaks chose the model

    @property
    def encoding(self) -> str:
        return ENCODING[self.name]

    @property
    def pull(self) -> bool:
        return PULL[self.name]

    @property
    def lone_cr(self) -> bool:
        return LONE_CR[self.name] if self.lone_cr_override is None else self.lone_cr_override

    # -- document sync -----------------------------------------------------------------
    def open(self, uri: str, text: str, version: int = 1) -> None:
        self.texts[uri], self.versions[uri] = text, version
        self.client.text_document_did_open(types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri=uri, language_id="dockerfile", version=version, text=text)))

    def close(self, uri: str) -> None:
        self.texts.pop(uri, None)
        self.client.text_document_did_close(
            types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri)))

    def change_raw(self, uri: str, version: int, changes: list[Any]) -> None:
        """Send a didChange as given; the mirror is not touched."""
        self.client.text_document_did_change(types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=changes))

    def edits(self, uri: str, *edits: tuple[int, int, str]) -> int:
        """One didChange of code-point edits ``(start, end, text)``, each on the text left by the previous."""
        text = self.texts[uri]
        changes = []
        for start, end, new in edits:
            changes.append(types.TextDocumentContentChangePartial(range=span(text, start, end, self.encoding,
                                                                                  self.lone_cr),
                                                                  text=new))
            text = text[:start] + new + text[end:]
        self.texts[uri] = text
        self.versions[uri] += 1
        self.change_raw(uri, self.versions[uri], changes)
        return self.versions[uri]

    def send_raw(self, message: dict[str, Any]) -> None:
        """Write a JSON-RPC message straight to the server's stdin, unchecked (for malformed params)."""
        body = json.dumps({"jsonrpc": "2.0", **message}).encode()
        self.client._server.stdin.write(b"Content-Length: %d\r\n\r\n%s" % (len(body), body))

    def edit(self, uri: str, start: int, end: int, new: str) -> int:
        return self.edits(uri, (start, end, new))

    def apply(self, uri: str, edits: Sequence[types.TextEdit]) -> str:
        """Apply a code action's TextEdits like an editor does.

        Locally, then as one didChange holding them last-to-first (so each range is
        still valid when it is applied).
        """
        text = self.texts[uri]
        self.texts[uri] = apply_edits(text, edits, self.encoding, self.lone_cr)
        ordered = sorted(edits, key=lambda e: offset(text, e.range.start, self.encoding, self.lone_cr), reverse=True)
        self.versions[uri] += 1
        self.change_raw(uri, self.versions[uri],
                        [types.TextDocumentContentChangePartial(range=e.range, text=e.new_text) for e in ordered])
        return self.texts[uri]

    # -- reading results -----------------------------------------------------------------
    async def barrier(self) -> None:
        """A request round trip: every notification the server sent before it has arrived."""
        await self.client.text_document_code_action_async(types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=BARRIER_URI), range=r(0, 0, 0, 0),
            context=types.CodeActionContext(diagnostics=[])))

    async def take(self, uri: str | None = None) -> list[types.PublishDiagnosticsParams]:
        """The publishes received since the last take (for ``uri``, or all)."""
        await self.barrier()
        published: list[types.PublishDiagnosticsParams] = self.client.published  # type: ignore[attr-defined]
        mine = [p for p in published if uri is None or p.uri == uri]
        published[:] = [p for p in published if p not in mine]
        return mine

    async def pull_report(self, uri: str, previous: str | None = None) -> types.DocumentDiagnosticReport:
        return await self.client.text_document_diagnostic_async(types.DocumentDiagnosticParams(
            text_document=types.TextDocumentIdentifier(uri=uri), previous_result_id=previous))

    async def diagnostics(self, uri: str) -> list[types.Diagnostic]:
        """What the editor shows now: the one publish since the last look (push), or a pull."""
        if self.pull:
            assert await self.take() == [], "a pull client must never get pushed diagnostics"
            report = await self.pull_report(uri)
            assert isinstance(report, types.RelatedFullDocumentDiagnosticReport)
            return list(report.items)
        published = await self.take(uri)
        assert len(published) >= 1, f"nothing published for {uri}"
        assert published[-1].version == self.versions.get(uri), (published[-1].version, self.versions.get(uri))
        return list(published[-1].diagnostics)

    async def actions(self, uri: str, rng: types.Range, only: list[str] | None = None,
                      diagnostics: Sequence[types.Diagnostic] = ()) -> list[types.CodeAction]:
        result = await self.client.text_document_code_action_async(types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri), range=rng,
            context=types.CodeActionContext(diagnostics=list(diagnostics), only=only)))
        return list(result or [])

    def expected(self, uri: str, *needles: str,
                 severity: types.DiagnosticSeverity = types.DiagnosticSeverity.Warning) -> list[types.Diagnostic]:
        return expected(self.texts[uri], needles, self.encoding, severity, self.lone_cr)

    def logs(self, since: int = 0, kind: types.MessageType | None = None) -> list[str]:
        return [m.message for m in self.client.log_messages[since:] if kind is None or m.type == kind]


async def initialize(client: LanguageClient, name: str, options: Any = None, process_id: int | None = None,
                     caps: types.ClientCapabilities | None = None) -> Session:
    """Initialize as client ``name`` (its capabilities, unless amended ones are given)."""
    await client.initialize_session(types.InitializeParams(
        capabilities=caps or capabilities(name), initialization_options=options, process_id=process_id,
        client_info=CLIENT_INFO.get(name)))
    return Session(client, name)


@contextlib.asynccontextmanager
async def fresh_session(name: str, options: Any = None,
                        caps: types.ClientCapabilities | None = None) -> AsyncIterator[Session]:
    """A server of its own (for initializationOptions, or a test that ends the server)."""
    client = await CONFIG.start()
    try:
        yield await initialize(client, name, options, caps=caps)
        await client.shutdown_session()
    finally:
        await stop(client)


async def stop(client: LanguageClient) -> None:
    """pygls's stop() waits for the server to exit; after a failed test it may never, so kill it."""
    server = client._server
    if server is not None and server.returncode is None:
        server.kill()
    await client.stop()
