"""A raw stdio JSON-RPC client for abusing the server: it can send any bytes at all.

No LSP library on this side: messages are framed by hand so a test can send a broken
body, a lying ``Content-Length`` or garbage between messages.  A reader thread parses
whatever the server writes into a queue; the test side waits for responses by id and
for ``publishDiagnostics`` by uri and version.
"""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

SERVER = [sys.executable, "-m", "pip_cache_lsp", "serve"]


def frame(body: bytes, length: int | None = None) -> bytes:
    return b"Content-Length: %d\r\n\r\n" % (len(body) if length is None else length) + body


def encode(msg: dict) -> bytes:
    return json.dumps(msg, ensure_ascii=False).encode("utf-8")


class ServerDied(AssertionError):
    pass


class RawServer:
    """One ``pip_cache_lsp serve`` process and a transcript of what went each way."""

    def __init__(self, stderr_path: Path) -> None:
        self.stderr_file = open(stderr_path, "wb")  # noqa: SIM115 - closed in close()
        self.proc = subprocess.Popen(SERVER, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=self.stderr_file, bufsize=-1)
        self.inbox: queue.Queue[dict | None] = queue.Queue()
        self.pending: list[dict] = []  # read but not yet claimed
        self.transcript: list[tuple[str, str]] = []
        self.logs: list[str] = []
        self.next_id = 1
        self.write_lock = threading.Lock()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    # -- wire ------------------------------------------------------------------------------
    def _read(self) -> None:
        out = self.proc.stdout
        assert out is not None
        while True:
            headers = {}
            while True:
                line = out.readline()
                if not line:
                    self.inbox.put(None)
                    return
                line = line.strip()
                if not line:
                    break
                name, _, value = line.decode("ascii", "replace").partition(":")
                headers[name.strip().lower()] = value.strip()
            need = int(headers.get("content-length", "0"))
            body = b""
            while len(body) < need:  # an unbuffered pipe returns what is there
                chunk = out.read(need - len(body))
                if not chunk:
                    self.inbox.put(None)
                    return
                body += chunk
            try:
                msg = json.loads(body)
            except ValueError:
                msg = {"unparsable": body.decode("utf-8", "replace")}
            self.inbox.put(msg)

    def send_bytes(self, data: bytes, note: str | None = None) -> None:
        self.transcript.append(("->", note or data[:300].decode("utf-8", "replace")))
        assert self.proc.stdin is not None
        with self.write_lock:
            try:
                self.proc.stdin.write(data)
                self.proc.stdin.flush()
            except BrokenPipeError as exc:
                raise ServerDied(self.report("server closed its stdin")) from exc

    def send(self, msg: dict) -> None:
        body = encode(msg)
        note = body[:300].decode("utf-8", "replace") + (f"... ({len(body)} bytes)" if len(body) > 300 else "")
        self.send_bytes(frame(body), note)

    def _next(self, deadline: float) -> dict:
        try:
            msg = self.inbox.get(timeout=max(0.01, deadline - time.monotonic()))
        except queue.Empty:
            raise AssertionError(self.report("timed out waiting for the server")) from None
        if msg is None:
            self.inbox.put(None)
            raise ServerDied(self.report(f"server exited with {self.proc.wait(5)}"))
        text = json.dumps(msg)
        self.transcript.append(("<-", text[:300] + ("..." if len(text) > 300 else "")))
        return msg

    def wait_for(self, match, timeout: float = 30.0) -> dict:
        for i, msg in enumerate(self.pending):
            if match(msg):
                return self.pending.pop(i)
        deadline = time.monotonic() + timeout
        while True:
            msg = self._next(deadline)
            if match(msg):
                return msg
            if msg.get("method") not in ("window/logMessage",):
                self.pending.append(msg)
            else:
                self.logs.append(msg["params"]["message"])
            if len(self.pending) > 1000:
                del self.pending[:500]

    def drain(self, seconds: float = 0.2) -> list[dict]:
        """Everything that arrives within ``seconds``."""
        got = list(self.pending)
        self.pending.clear()
        deadline = time.monotonic() + seconds
        while True:
            try:
                got.append(self._next(deadline))
            except AssertionError as exc:
                if isinstance(exc, ServerDied):
                    raise
                return got

    # -- JSON-RPC --------------------------------------------------------------------------
    def request(self, method: str, params: Any = None, timeout: float = 30.0) -> dict:
        """Send a request and return the whole response message (``result`` or ``error``)."""
        rid = self.next_id
        self.next_id += 1
        msg = {"jsonrpc": "2.0", "id": rid, "method": method}
        if params is not None:
            msg["params"] = params
        self.send(msg)
        return self.wait_for(lambda m: m.get("id") == rid and "method" not in m, timeout)

    def notify(self, method: str, params: Any = None) -> None:
        msg = {"jsonrpc": "2.0", "method": method}
        if params is not None:
            msg["params"] = params
        self.send(msg)

    def initialize(self, options: dict | None = None, process_id: int | None = None) -> dict:
        params = {
            "processId": process_id, "rootUri": None,
            "capabilities": {"general": {"positionEncodings": ["utf-16"]},
                             "textDocument": {"publishDiagnostics": {"versionSupport": True}}},
        }
        if options is not None:
            params["initializationOptions"] = options
        response = self.request("initialize", params)
        self.notify("initialized", {})
        if "result" in response:  # serving in full: the early start (lsp/early.py) has handed over to pygls
            ready = self.wait_for(lambda m: m.get("method") == "window/logMessage"
                                  and "positions in" in m["params"]["message"])
            self.logs.append(ready["params"]["message"])
        return response

    # -- LSP helpers -----------------------------------------------------------------------
    def open(self, uri: str, text: str, version: int = 1) -> None:
        self.notify("textDocument/didOpen",
                    {"textDocument": {"uri": uri, "languageId": "dockerfile", "version": version, "text": text}})

    def change(self, uri: str, version: int | None, changes: list[dict]) -> None:
        self.notify("textDocument/didChange",
                    {"textDocument": {"uri": uri, "version": version}, "contentChanges": changes})

    def close_doc(self, uri: str) -> None:
        self.notify("textDocument/didClose", {"textDocument": {"uri": uri}})

    def diagnostics(self, uri: str, version: int | None = None, timeout: float = 30.0) -> list[dict]:
        """The next pushed diagnostics for ``uri`` (with ``version``, if given)."""
        msg = self.wait_for(lambda m: m.get("method") == "textDocument/publishDiagnostics"
                            and m["params"]["uri"] == uri
                            and (version is None or m["params"].get("version") == version), timeout)
        return msg["params"]["diagnostics"]

    def pull(self, uri: str, timeout: float = 30.0) -> list[dict]:
        response = self.request("textDocument/diagnostic", {"textDocument": {"uri": uri}}, timeout)
        assert "result" in response, response
        return response["result"]["items"]

    def rss_kb(self) -> int:
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        raise AssertionError("no VmRSS")

    def alive(self) -> bool:
        return self.proc.poll() is None

    def report(self, why: str) -> str:
        tail = "\n".join(f"  {d} {t}" for d, t in self.transcript[-12:])
        self.stderr_file.flush()
        err = Path(self.stderr_file.name).read_text(errors="replace")[-2000:]
        return f"{why}\nlast exchange:\n{tail}\nserver stderr (tail):\n{err}"

    def close(self) -> None:
        if self.alive():
            try:
                self.request("shutdown", timeout=2)
                self.notify("exit")
                self.proc.wait(10)
            except (AssertionError, OSError, subprocess.TimeoutExpired):
                pass
        if self.alive():
            self.proc.kill()
            self.proc.wait(5)
        self.stderr_file.close()


def rss_mb(kb: int) -> float:
    return round(kb / 1024, 1)


def env_ok() -> bool:
    return os.path.exists("/proc/self/status")
