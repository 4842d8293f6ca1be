"""The first squiggle before pygls is loaded: ``initialize`` and the first ``didOpen``, answered early.

Importing ``lsprotocol.types`` (attrs builds ~570 classes) takes most of a cold start,
while an editor's first exchange is always the same: ``initialize``, ``initialized``,
``didOpen``.  :func:`serve_stdio` reads those with :mod:`.framing` and answers them
from the core alone -- the ``initialize`` result and the document's
``publishDiagnostics``, each exactly as the pygls path sends it -- then loads pygls
and hands over.  Nothing is lost or answered twice at the hand-over:

* every byte read early is replayed to the pygls read loop (:class:`ReplayStream`), so
  pygls's server ends up in the state it would have reached by itself (settings,
  parent watch, the open document, the ``initialized`` log message);
* what the replay would send again -- the ``initialize`` response, a
  ``publishDiagnostics`` equal to the early one -- is dropped (:class:`HandoverOut`);
  anything else goes out (a replayed publish that differs replaces the early one).

Anything out of the ordinary hands over at once, before answering: a client that pulls
diagnostics, capabilities that pygls might refuse (a plain check of their types),
initialization options, a project file with settings, a big text, a
header or body that is not the plain case, any other message.  ``tests/lsp/
test_early_start.py`` compares both paths message by message.
"""

from __future__ import annotations

import io
import json
import os
import select
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO
from urllib.parse import unquote, urlparse

from pip_cache_lsp import __version__
from pip_cache_lsp.lsp.clients import breaks_lone_cr
from pip_cache_lsp.lsp.framing import HEADER, MAX_CONTENT_LENGTH, MAX_HEADER_LINE, header_line, invalid_reason
from pip_cache_lsp.lsp.units import UTF8, UTF16, UTF32, line_character
from pip_cache_lsp.names import SOURCE

if TYPE_CHECKING:
    from pip_cache_lsp.document import Document
    from pip_cache_lsp.findings import Finding

IDLE = 0.02  # seconds without input after which pygls starts loading (an editor sends didOpen at once)
SYNC_PARSE_LIMIT = 512 * 1024  # characters: parsed at once (~50 ms for 20,000 lines); bigger in steps
# Settings() defaults (settings.py loads lsprotocol); tests/lsp/test_early_start.py checks they agree
MAX_FILE_SIZE = 2_000_000
MAX_DIAGNOSTICS = 1000
SEVERITY = {"error": 1, "warning": 2, "information": 3, "info": 3, "hint": 4}  # settings.SEVERITY_KINDS
INFORMATION = 3
UNNECESSARY = 1  # DiagnosticTag.Unnecessary, on the hints

# What pygls answers to ``initialize`` for this server (pygls.capabilities.ServerCapabilitiesBuilder),
# for client capabilities that :func:`position_encoding` accepts; the test compares it with pygls's.
CAPABILITIES: dict[str, Any] = {
    "textDocumentSync": {"openClose": True, "change": 2, "save": True},
    "hoverProvider": True,
    "codeActionProvider": {"codeActionKinds": ["quickfix", f"source.fixAll.{SOURCE}"]},
    "executeCommandProvider": {"commands": []},
    "diagnosticProvider": {"interFileDependencies": False, "workspaceDiagnostics": False, "identifier": SOURCE},
    "workspace": {"workspaceFolders": {"supported": True, "changeNotifications": True}, "fileOperations": {}},
}
_PARAMS = {"processId", "rootUri", "rootPath", "capabilities", "clientInfo", "initializationOptions",
           "workspaceFolders", "locale", "trace", "workDoneToken"}
_TRACE = (None, "off", "messages", "verbose")


# -- reading --------------------------------------------------------------------------------------


class Reader:
    """Reads whole plain messages off file descriptor ``fd``, keeping every byte read for the replay.

    It reads the descriptor itself (``select`` then ``os.read``), so it can stop waiting
    as soon as ``loaded`` is set -- pygls is ready, so an idle client hands over -- and no
    byte is left in a buffer the pygls loop does not see.
    """

    def __init__(self, fd: int, loaded: threading.Event | None = None,
                 on_idle: Callable[[], None] | None = None) -> None:
        self.fd = fd
        self.loaded = loaded
        self.on_idle = on_idle  # called once, when the client has sent nothing for IDLE seconds
        self.buf = bytearray()  # read, not consumed yet
        self.seen = bytearray()  # everything read from fd

    def _fill(self) -> bool:
        """More bytes in :attr:`buf`; False at end of input, or when pygls is loaded and nothing is waiting."""
        while True:
            if self.loaded is not None and self.loaded.is_set():
                ready, _, _ = select.select([self.fd], [], [], 0)
                if not ready:
                    return False
            else:
                ready, _, _ = select.select([self.fd], [], [], IDLE)
                if not ready:
                    if self.on_idle is not None:
                        self.on_idle()
                        self.on_idle = None
                    continue
            data = os.read(self.fd, 1 << 16)
            if not data:
                return False
            self.buf += data
            self.seen += data
            return True

    def _readline(self) -> bytes | None:
        while (nl := self.buf.find(b"\n", 0, MAX_HEADER_LINE)) < 0:
            if len(self.buf) >= MAX_HEADER_LINE or not self._fill():
                return None  # a line too long for a header, the end of input, or pygls is ready
        line = bytes(self.buf[: nl + 1])
        del self.buf[: nl + 1]
        return line

    def _read(self, n: int) -> bytes | None:
        while len(self.buf) < n:
            if not self._fill():
                return None
        data = bytes(self.buf[:n])
        del self.buf[:n]
        return data

    def message(self) -> dict[str, Any] | None:
        """The next message if it is plain (one valid Content-Length, a JSON-RPC object); else None."""
        length: int | None = None
        while True:
            line = self._readline()
            if line is None:
                return None
            if not line.strip():
                break
            header = header_line(line)
            if header is None or header[0] not in (HEADER, b"content-type") or \
                    line.lower().rfind(HEADER) > 0:
                return None
            if header[0] == HEADER:
                value = header[1]
                if length is not None or not value.isdigit() or len(value) >= 19:
                    return None
                length = int(value)
        if length is None or length > MAX_CONTENT_LENGTH:
            return None
        body = self._read(length)
        if body is None:
            return None
        try:
            data = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError):
            return None
        return data if isinstance(data, dict) and invalid_reason(data) is None else None


class ReplayStream:
    """The bytes read early, then the stream itself: what the pygls read loop reads from."""

    def __init__(self, seen: bytes, stream: BinaryIO) -> None:
        self.prefix = io.BytesIO(seen)
        self.left = len(seen)
        self.stream = stream

    def readline(self, limit: int = -1) -> bytes:
        if not self.left:
            return self.stream.readline(limit)
        line = self.prefix.readline(limit)
        self.left -= len(line)
        if not self.left and not line.endswith(b"\n") and (limit < 0 or len(line) < limit):
            line += self.stream.readline(limit - len(line) if limit >= 0 else -1)
        return line

    def read(self, n: int = -1) -> bytes:
        if not self.left:
            return self.stream.read(n)
        data = self.prefix.read(n if n >= 0 else self.left)
        self.left -= len(data)
        return data

    def close(self) -> None:
        self.stream.close()


class HandoverOut:
    """pygls's output during and after the replay: drops what the early path already sent."""

    def __init__(self, stream: BinaryIO, initialize_id: Any, published: list[dict[str, Any]]) -> None:
        self.stream = stream
        self.initialize_id = initialize_id
        self.published = published
        self.armed = initialize_id is not None or bool(published)

    def write(self, data: bytes) -> int:
        if self.armed and self._already_sent(data):
            return len(data)
        return self.stream.write(data)

    def _already_sent(self, data: bytes) -> bool:
        _, sep, body = data.partition(b"\r\n\r\n")
        try:
            message = json.loads(body) if sep else None
        except ValueError:
            return False
        if not isinstance(message, dict):
            return False
        if self.initialize_id is not None and "method" not in message and message.get("id") == self.initialize_id \
                and type(message.get("id")) is type(self.initialize_id):
            self.initialize_id = None
            self.armed = bool(self.published)
            return "result" in message
        if message.get("method") == "textDocument/publishDiagnostics" and message in self.published:
            self.published.remove(message)
            self.armed = self.initialize_id is not None or bool(self.published)
            return True
        return False

    def flush(self) -> None:
        self.stream.flush()

    def close(self) -> None:
        self.stream.close()


# -- answering ------------------------------------------------------------------------------------


_STRING_KEYS = frozenset({"failureHandling", "parser", "version", "engine"})  # the string-valued capabilities
_STRING_SETS = frozenset({"codeActionKind", "foldingRangeKind"})  # whose valueSet holds strings, not integers


def _plain_capabilities(value: Any, key: str = "", parent: str = "", depth: int = 0) -> bool:
    """Capabilities typed as LSP types them, as far as a plain check can tell (else pygls decides).

    Flags are booleans; a few named keys hold strings; a ``valueSet`` holds integers
    (strings under ``codeActionKind``/``foldingRangeKind``), every other list strings.
    ``experimental`` is the client's own.  Anything else hands over: pygls may refuse it.
    """
    if key == "experimental":
        return True
    if isinstance(value, dict):
        return depth < 8 and all(_plain_capabilities(v, k, key, depth + 1) for k, v in value.items())
    if isinstance(value, list):
        kind = int if key == "valueSet" and parent not in _STRING_SETS else str
        return all(type(v) is kind for v in value)
    return type(value) is bool or (type(value) is str and key in _STRING_KEYS)


def position_encoding(params: dict[str, Any]) -> str | None:
    """The encoding pygls would choose, for ``initialize`` params the early path can answer; else None."""
    if not _PARAMS.issuperset(params):
        return None
    caps = params.get("capabilities")
    if not isinstance(caps, dict) or not _plain_capabilities(caps):
        return None
    if not (params.get("processId") is None or type(params.get("processId")) is int):
        return None
    if any(params.get(k) is not None and type(params.get(k)) is not str for k in ("rootUri", "rootPath", "locale")):
        return None
    if params.get("trace") not in _TRACE or params.get("initializationOptions") not in (None, {}):
        return None
    info = params.get("clientInfo")
    if info is not None and not (isinstance(info, dict) and type(info.get("name")) is str and
                                 set(info) <= {"name", "version"} and type(info.get("version", "")) is str):
        return None
    folders = params.get("workspaceFolders")
    if folders is not None and not (isinstance(folders, list) and all(
            isinstance(f, dict) and set(f) == {"uri", "name"} and all(type(v) is str for v in f.values())
            for f in folders)):
        return None
    text_document = caps.get("textDocument", {})
    sync = text_document.get("synchronization", {}) if isinstance(text_document, dict) else None
    if not isinstance(text_document, dict) or not isinstance(sync, dict) or "diagnostic" in text_document:
        return None  # a pull client: its first diagnostics answer a request, which pygls serves
    general = caps.get("general", {})
    if not isinstance(general, dict):
        return None
    encodings = general.get("positionEncodings")
    if encodings is None:
        return UTF16
    if not isinstance(encodings, list) or not all(type(e) is str for e in encodings):
        return None
    return next((e for e in encodings if e in (UTF8, UTF16, UTF32)), None)


def initialize_result(encoding: str, params: dict[str, Any]) -> dict[str, Any]:
    """pygls's ``initialize`` result for ``params``.

    A client's ``willSave``/``willSaveWaitUntil`` flag, set either way, is answered
    ``false`` (no such handler); an absent one is left out.
    """
    sync = params["capabilities"].get("textDocument", {}).get("synchronization", {})
    document_sync: dict[str, Any] = {"openClose": True, "change": 2}
    for flag in ("willSave", "willSaveWaitUntil"):
        if flag in sync:
            document_sync[flag] = False
    document_sync["save"] = True
    return {"capabilities": {"positionEncoding": encoding, **CAPABILITIES, "textDocumentSync": document_sync},
            "serverInfo": {"name": SOURCE, "version": __version__}}


def _project_is_default(uri: str) -> bool:
    """Whether the file has no ``[tool.pip-cache-lsp]`` settings (as ``server._project`` reads them)."""
    from pip_cache_lsp.config import ConfigError, ProjectConfig, find_config

    if not uri.startswith("file:"):
        return True
    parsed = urlparse(uri)
    path = Path(unquote(parsed.path)) if parsed.scheme == "file" else Path("/nonexistent")
    try:
        return find_config(path.parent) == ProjectConfig()
    except (ConfigError, OSError):
        return False


def _diagnostic(doc: Document, encoding: str, finding: Finding) -> dict[str, Any]:
    """``convert.diagnostic`` as lsprotocol unstructures it, under the default settings."""
    rule = finding.rule
    (sl, sc), (el, ec) = line_character(doc, finding.start, encoding), line_character(doc, finding.end, encoding)
    hint = rule.kind == "hint"
    severity = SEVERITY["hint"] if hint else INFORMATION if finding.builder_stage is not None \
        else SEVERITY[finding.severity]
    diagnostic = {"range": {"start": {"line": sl, "character": sc}, "end": {"line": el, "character": ec}},
                  "message": finding.message, "severity": severity, "code": rule.code,
                  "codeDescription": {"href": rule.docs_url}, "source": SOURCE}
    if hint:
        diagnostic["tags"] = [UNNECESSARY]
    return diagnostic


def publish_diagnostics(uri: str, version: Any, text: str, encoding: str, lone_cr: bool) -> str | None:
    """The body of the document's first ``publishDiagnostics``, as the pygls path sends it; None: hand over."""
    from pip_cache_lsp.document import Document
    from pip_cache_lsp.findings import under_policy
    from pip_cache_lsp.rules import known_codes

    if len(text) > min(SYNC_PARSE_LIMIT, MAX_FILE_SIZE) or not _project_is_default(uri):
        return None
    doc = Document(text, lone_cr=lone_cr)
    findings = [shown for f in doc.findings(True, frozenset(known_codes()))
                if (shown := under_policy(f, "information")) is not None]
    if len(findings) > MAX_DIAGNOSTICS:
        return None
    diagnostics = ",".join(json.dumps(_diagnostic(doc, encoding, f)) for f in findings)
    return ('{"jsonrpc": "2.0", "method": "textDocument/publishDiagnostics", "params": {"uri": '
            f'{json.dumps(uri)}, "version": {json.dumps(version)}, "diagnostics": [{diagnostics}]}}}}')


def _write(out: BinaryIO, body: str) -> None:
    data = body.encode("utf-8")
    out.write(b"Content-Length: %d\r\nContent-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n"
              % len(data) + data)
    out.flush()


def _load_pygls(loaded: threading.Event) -> None:
    try:
        import pip_cache_lsp.lsp.server  # noqa: F401
    except BaseException:  # the main thread imports it again and meets the error itself
        pass
    finally:
        loaded.set()


def early_start(stdin: BinaryIO, stdout: BinaryIO) -> tuple[ReplayStream, HandoverOut]:
    """Answer what can be answered before pygls loads; the streams the pygls loop goes on with.

    The early path hands over when a message is not the plain case, after the first
    publish, or -- once ``initialize`` is answered and the client goes quiet for
    :data:`IDLE` -- when pygls, loading in a thread meanwhile, is ready first.
    """
    loaded = threading.Event()
    loading: list[threading.Thread] = []

    def load() -> None:  # in a thread: it would slow the early answers down, so not while they are due
        if not loading:
            loading.append(threading.Thread(target=_load_pygls, args=(loaded,), name="load-pygls", daemon=True))
            loading[0].start()

    try:
        fd = stdin.fileno()
    except (AttributeError, OSError, ValueError):  # not a file descriptor: pygls from the first byte
        return ReplayStream(b"", stdin), HandoverOut(stdout, None, [])
    reader = Reader(fd, None)
    initialize_id: Any = None
    published: list[dict[str, Any]] = []
    try:
        message = reader.message()
        if message is None or message.get("method") != "initialize" or "id" not in message:
            raise LookupError
        params = message.get("params")
        encoding = position_encoding(params) if isinstance(params, dict) else None
        if encoding is None:
            raise LookupError
        assert isinstance(params, dict)
        info = params.get("clientInfo")
        lone_cr = breaks_lone_cr(info.get("name") if isinstance(info, dict) else None, None)
        initialize_id = message["id"]
        result = initialize_result(encoding, params)
        _write(stdout, json.dumps({"id": initialize_id, "jsonrpc": "2.0", "result": result}))
        reader.loaded, reader.on_idle = loaded, load
        message = reader.message()
        if message is None or message.get("method") != "initialized" or "id" in message:
            raise LookupError
        message = reader.message()
        if message is None or message.get("method") != "textDocument/didOpen" or "id" in message:
            raise LookupError
        item = (message.get("params") or {}).get("textDocument")
        if not (isinstance(item, dict) and set(item) == {"uri", "languageId", "version", "text"}
                and type(item["uri"]) is str and type(item["languageId"]) is str
                and type(item["version"]) is int and type(item["text"]) is str) or len(message["params"]) != 1:
            raise LookupError
        body = publish_diagnostics(item["uri"], item["version"], item["text"], encoding, lone_cr)
        if body is None:
            raise LookupError
        _write(stdout, body)
        published.append(json.loads(body))
    except LookupError:
        pass
    return ReplayStream(bytes(reader.seen), stdin), HandoverOut(stdout, initialize_id, published)


def serve_stdio() -> int:
    """``pip-cache-lsp serve`` over stdio: the early answers, then pygls from where they left off.

    Where ``select`` cannot wait on a pipe (Windows), pygls serves from the first byte.
    """
    from_start = sys.platform == "win32"
    stdin, stdout = (sys.stdin.buffer, sys.stdout.buffer) if from_start else \
        early_start(sys.stdin.buffer, sys.stdout.buffer)
    from pip_cache_lsp.lsp.server import serve

    return serve(stdin=stdin, stdout=stdout)
