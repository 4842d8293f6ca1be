"""A client that leaves right after ``shutdown`` (as Neovim does) gets no tracebacks on stderr."""

from __future__ import annotations

import json
import subprocess
import sys


def frame(message: dict) -> bytes:
    body = json.dumps(message).encode()
    return b"Content-Length: %d\r\n\r\n%s" % (len(body), body)


def test_client_leaving_after_shutdown_is_not_an_error() -> None:
    server = subprocess.Popen([sys.executable, "-m", "pip_cache_lsp", "serve"], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert server.stdin and server.stdout and server.stderr
    server.stdin.write(frame({"jsonrpc": "2.0", "id": 1, "method": "initialize",
                              "params": {"processId": None, "rootUri": None, "capabilities": {}}}))
    server.stdin.flush()
    header = server.stdout.readline()
    assert header.startswith(b"Content-Length:")
    server.stdout.close()  # the client stops reading, then asks to shut down and exits
    server.stdin.write(frame({"jsonrpc": "2.0", "id": 2, "method": "shutdown"}))
    server.stdin.write(frame({"jsonrpc": "2.0", "method": "exit"}))
    server.stdin.close()
    assert server.wait(timeout=10) == 0
    stderr = server.stderr.read().decode()
    assert "Traceback" not in stderr and "BrokenPipe" not in stderr, stderr
