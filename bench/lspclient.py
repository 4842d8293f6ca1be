"""A minimal raw JSON-RPC client over a language server's stdio, built for timing.

Nothing is parsed on the timed path: a publishDiagnostics is recognised by two
substring searches over its body (method and quoted URI), so the figure is the
server's work plus the pipe, not the client's JSON decoding.  Requests the server
sends (configuration, registration) are answered with ``null``.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import time
from dataclasses import dataclass, field

PUBLISH = b'"textDocument/publishDiagnostics"'


@dataclass
class Text:
    """The client's copy of a document, as lines, so edits can be sent as LSP ranges."""

    lines: list[str]  # without terminators
    version: int = 1
    uri: str = ""
    extra: dict = field(default_factory=dict)

    @classmethod
    def of(cls, text: str, uri: str) -> Text:
        return cls(text.split("\n"), 1, uri)

    def text(self) -> str:
        return "\n".join(self.lines)

    def apply(self, sl: int, sc: int, el: int, ec: int, new: str) -> None:
        head, tail = self.lines[sl][:sc], self.lines[el][ec:]
        self.lines[sl : el + 1] = (head + new + tail).split("\n")
        self.version += 1


class Client:
    def __init__(self, argv: list[str], cwd: str | None = None, env: dict[str, str] | None = None) -> None:
        self.argv = argv
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL, bufsize=0, cwd=cwd, env=env)
        self.rfile = io.BufferedReader(self.proc.stdout, buffer_size=1 << 20)  # type: ignore[arg-type]
        self.wfd = self.proc.stdin.fileno()  # type: ignore[union-attr]
        self.next_id = 0
        self.last_size = 0

    @property
    def pid(self) -> int:
        return self.proc.pid

    # -- wire -----------------------------------------------------------------------------
    def send(self, obj: dict) -> None:
        body = json.dumps(obj, separators=(",", ":")).encode()
        data = b"Content-Length: %d\r\n\r\n" % len(body) + body
        view = memoryview(data)
        while view:
            n = os.write(self.wfd, view)
            view = view[n:]

    def recv(self) -> bytes:
        length = 0
        while True:
            line = self.rfile.readline()
            if not line:
                raise EOFError(f"{self.argv[0]} closed its output")
            if line in (b"\r\n", b"\n"):
                break
            if line[:15].lower() == b"content-length:":
                length = int(line[15:])
        return self.rfile.read(length)

    def _answer_if_request(self, body: bytes) -> None:
        if b'"id"' in body and b'"method"' in body:
            msg = json.loads(body)
            if "method" in msg and "id" in msg:
                self.send({"jsonrpc": "2.0", "id": msg["id"], "result": None})

    def request(self, method: str, params: dict | None) -> dict:
        self.next_id += 1
        rid = self.next_id
        self.send({"jsonrpc": "2.0", "id": rid, "method": method, "params": params})
        while True:
            body = self.recv()
            msg = json.loads(body)
            if msg.get("id") == rid and "method" not in msg:
                return msg
            if "method" in msg and "id" in msg:
                self.send({"jsonrpc": "2.0", "id": msg["id"], "result": None})

    def notify(self, method: str, params: dict | None) -> None:
        self.send({"jsonrpc": "2.0", "method": method, "params": params})

    def wait_publish(self, uri: str) -> bytes:
        key = json.dumps(uri).encode()
        while True:
            body = self.recv()
            if PUBLISH in body and key in body:
                self.last_size = len(body)
                return body
            self._answer_if_request(body)

    # -- session --------------------------------------------------------------------------
    def initialize(self) -> dict:
        result = self.request("initialize", {
            "processId": os.getpid(), "rootUri": None, "capabilities": {
                "textDocument": {"synchronization": {"dynamicRegistration": False},
                                 "publishDiagnostics": {"relatedInformation": False}},
                "general": {"positionEncodings": ["utf-16"]}}})
        self.notify("initialized", {})
        return result

    def serving(self, uri: str = "file:///bench/ready/Dockerfile") -> None:
        """Return once the server answers a request (ours: pygls has loaded after its early start)."""
        self.request("textDocument/codeAction", {"textDocument": {"uri": uri}, "range": {
            "start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}},
            "context": {"diagnostics": []}})

    def open(self, doc: Text) -> float:
        """didOpen; seconds until its diagnostics arrive."""
        t0 = time.perf_counter()
        self.notify("textDocument/didOpen", {"textDocument": {
            "uri": doc.uri, "languageId": "dockerfile", "version": doc.version, "text": doc.text()}})
        self.wait_publish(doc.uri)
        return time.perf_counter() - t0

    def close(self, doc: Text) -> None:
        self.notify("textDocument/didClose", {"textDocument": {"uri": doc.uri}})

    def change(self, doc: Text, sl: int, sc: int, el: int, ec: int, new: str) -> float:
        """One incremental didChange; seconds until its publishDiagnostics is read."""
        doc.apply(sl, sc, el, ec, new)
        params = {"textDocument": {"uri": doc.uri, "version": doc.version}, "contentChanges": [
            {"range": {"start": {"line": sl, "character": sc}, "end": {"line": el, "character": ec}}, "text": new}]}
        t0 = time.perf_counter()
        self.notify("textDocument/didChange", params)
        self.wait_publish(doc.uri)
        return time.perf_counter() - t0

    def rss_kb(self) -> int:
        with open(f"/proc/{self.proc.pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        return 0

    def stop(self) -> None:
        try:
            self.request("shutdown", None)
            self.notify("exit", None)
            self.proc.wait(timeout=5)
        except Exception:
            self.proc.kill()
            self.proc.wait()


def percentile(values: list[float], q: float) -> float:
    s = sorted(values)
    if not s:
        return float("nan")
    k = (len(s) - 1) * q
    lo = int(k)
    hi = min(lo + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)
