"""Protocol abuse against the running server (``python -m pip_cache_lsp serve`` over stdio).

Every test starts a fresh server with one open *probe* document and, after the abuse,
checks that the server still answers correctly for it: a full-text change with a new
version must come back as pushed diagnostics for that version on exactly the right
lines, and a pull request must agree.  Defects found here were fixed in the server; each test pins the fix.

Figures (timings, RSS) are printed; run with ``-s`` to see them.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from abuse_rpc import RawServer, ServerDied, encode, frame, rss_mb

from pip_cache_lsp.document import Document

PROBE = "file:///abuse/probe/Dockerfile"


class Probe:
    def __init__(self, server: RawServer) -> None:
        self.server = server
        self.version = 1
        self.round = 0
        server.open(PROBE, self.text(1), self.version)
        assert self.lines(server.diagnostics(PROBE, self.version)) == [1]

    @staticmethod
    def text(n: int) -> str:
        return "FROM python:3.12\n" + "".join(f"RUN pip install p{i}\n" for i in range(n))

    @staticmethod
    def lines(diags: list[dict]) -> list[int]:
        return sorted(d["range"]["start"]["line"] for d in diags)

    def check(self, timeout: float = 30.0) -> None:
        """The server still serves the probe: fresh diagnostics, pushed and pulled, are right."""
        s = self.server
        assert s.alive(), s.report("server died")
        self.round += 1
        n = 1 + self.round % 3
        self.version += 1
        s.change(PROBE, self.version, [{"text": self.text(n)}])
        assert self.lines(s.diagnostics(PROBE, self.version, timeout)) == list(range(1, n + 1))
        # and an incremental edit: fix the first install on line 1
        self.version += 1
        col = len("RUN pip install")
        s.change(PROBE, self.version, [{"range": {"start": {"line": 1, "character": col},
                                                  "end": {"line": 1, "character": col}},
                                        "text": " --no-cache-dir"}])
        assert self.lines(s.diagnostics(PROBE, self.version, timeout)) == list(range(2, n + 1))
        assert self.lines(s.pull(PROBE, timeout)) == list(range(2, n + 1))


def error_logs(server: RawServer, messages: list[dict]) -> list[str]:
    return [m["params"]["message"] for m in messages
            if m.get("method") == "window/logMessage" and m["params"]["type"] == 1]


def responses(messages: list[dict]) -> list[dict]:
    return [m for m in messages if "id" in m and "method" not in m]


# -- malformed input ---------------------------------------------------------------------------

MALFORMED = {  # body -> the (code, id) of the error reply JSON-RPC 2.0 requires; None: no reply
    "not json": (b"{not json", (-32700, None)),
    "truncated json": (b'{"jsonrpc": "2.0", "id": 1, "method": "textDoc', (-32700, None)),
    "invalid utf-8": (b"\xff\xfe{}", (-32700, None)),
    "array": (b"[]", (-32600, None)),
    "number": (b"123", (-32600, None)),
    "empty object": (b"{}", (-32600, None)),
    "request without method": (b'{"jsonrpc": "2.0", "id": 5}', (-32600, 5)),
    "response to nothing": (b'{"jsonrpc": "2.0", "id": 4242, "result": {}}', None),
    "no jsonrpc member": (b'{"id": 9, "method": "textDocument/diagnostic", "params": {}}', (-32600, 9)),
    "nul bytes": (b"\x00" * 64, (-32700, None)),
}


def test_malformed_bodies_are_answered_and_server_keeps_serving(server: RawServer, probe: Probe) -> None:
    for name, (body, expected) in MALFORMED.items():
        server.send_bytes(frame(body))
        got = server.drain(0.2)
        replies = [(m["error"]["code"], m["id"]) for m in responses(got)]
        print(f"{name}: replies={replies} error logs={error_logs(server, got)}")
        assert replies == ([] if expected is None else [expected]), got
        probe.check()


# -- framing -------------------------------------------------------------------------------------

# pygls reads headers line by line from the line start: after a body read with the wrong
# Content-Length, the rest of that body (or of the next message) is glued to the next
# 'Content-Length: N' line.  The server's reader cuts such a line at the header, losing only the
# damaged message (and possibly the one after it, which _sacrifice provides).


def _lying_frame(delta: int) -> bytes:
    body = encode({"jsonrpc": "2.0", "id": 999, "method": "textDocument/diagnostic",
                   "params": {"textDocument": {"uri": PROBE}}})
    return frame(body, len(body) + delta)


def _sacrifice(server: RawServer) -> None:
    # One harmless notification the bad frame may swallow: no server can save it.
    server.notify("$/sacrificial", {"pad": "x" * 80})


def test_content_length_too_short_then_more_messages(server: RawServer, probe: Probe) -> None:
    server.send_bytes(_lying_frame(-10), "Content-Length 10 bytes too short + diagnostic request")
    _sacrifice(server)
    assert server.alive()
    probe.check(timeout=2)


def test_content_length_too_long_then_more_messages(server: RawServer, probe: Probe) -> None:
    server.send_bytes(_lying_frame(+40), "Content-Length 40 bytes too long + diagnostic request")
    _sacrifice(server)
    assert server.alive()
    probe.check(timeout=2)


def test_garbage_between_messages_is_skipped(server: RawServer, probe: Probe) -> None:
    # Whole junk lines between frames are skipped by the header reader.
    server.send_bytes(b"hello\r\nX-Junk: 1\r\n\r\n", "junk header lines")
    probe.check()


def test_content_length_of_zero_and_extra_headers(server: RawServer, probe: Probe) -> None:
    server.send_bytes(b"Content-Length: 0\r\n\r\n", "Content-Length: 0")
    body = encode({"jsonrpc": "2.0", "id": 77, "method": "textDocument/diagnostic",
                   "params": {"textDocument": {"uri": PROBE}}})
    server.send_bytes(b"Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n" + frame(body))
    reply = server.wait_for(lambda m: m.get("id") == 77)
    assert "result" in reply, reply
    probe.check()


# -- methods -------------------------------------------------------------------------------------


def test_unknown_request_is_method_not_found(server: RawServer, probe: Probe) -> None:
    reply = server.request("pipCache/noSuchMethod", {"x": 1})
    assert reply["error"]["code"] == -32601, reply
    reply = server.request("textDocument/semanticTokens/full", {"textDocument": {"uri": PROBE}})
    assert reply["error"]["code"] == -32601, reply
    probe.check()


def test_unknown_notifications_are_ignored(server: RawServer, probe: Probe) -> None:
    server.notify("pipCache/noSuchNotification", {"x": 1})
    server.notify("$/noSuchNotification")
    server.notify("$/cancelRequest", {"id": 123456})
    got = server.drain(0.3)
    assert responses(got) == [], got
    probe.check()


def test_unknown_request_without_params_is_method_not_found(server: RawServer, probe: Probe) -> None:
    server.send_bytes(frame(b'{"jsonrpc": "2.0", "id": 11, "method": "pipCache/noSuchMethod"}'))
    reply = server.wait_for(lambda m: m.get("id") == 11, timeout=2)
    assert reply["error"]["code"] == -32601, reply


def test_request_with_invalid_params_gets_an_error_response(server: RawServer, probe: Probe) -> None:
    server.send_bytes(frame(b'{"jsonrpc": "2.0", "id": 6, "method": "textDocument/codeAction", "params": {}}'))
    reply = server.wait_for(lambda m: m.get("id") == 6, timeout=2)
    assert reply["error"]["code"] == -32602, reply


def test_invalid_params_notifications_are_dropped(server: RawServer, probe: Probe) -> None:
    server.notify("textDocument/didOpen", {"textDocument": {}})
    server.notify("textDocument/didChange", {"textDocument": {"uri": PROBE}, "contentChanges": "nope"})
    server.notify("textDocument/didOpen", None)
    server.drain(0.3)
    probe.check()


# -- documents -----------------------------------------------------------------------------------

NEVER = "file:///abuse/never/opened/Dockerfile"
ZERO = {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}}


def test_requests_for_unknown_documents(server: RawServer, probe: Probe) -> None:
    reply = server.request("textDocument/codeAction",
                           {"textDocument": {"uri": NEVER}, "range": ZERO, "context": {"diagnostics": []}})
    assert reply.get("result") in ([], None), reply
    reply = server.request("textDocument/diagnostic", {"textDocument": {"uri": NEVER}})
    assert reply["result"]["items"] == [], reply
    server.change(NEVER, 3, [{"range": ZERO, "text": "RUN pip install x\n"}])
    server.notify("textDocument/didSave", {"textDocument": {"uri": NEVER}, "text": "RUN pip install x\n"})
    server.close_doc(NEVER)
    got = server.drain(0.3)
    assert [m for m in got if m.get("method") == "textDocument/publishDiagnostics"
            and m["params"]["uri"] == NEVER and m["params"]["diagnostics"]] == []
    probe.check()


def _expected_lines(text: str) -> list[int]:
    doc = Document(text)
    return sorted(doc.lines.position(f.start)[0] for f in doc.findings())


def test_edit_ranges_past_the_end(server: RawServer, probe: Probe) -> None:
    uri = "file:///abuse/past-end/Dockerfile"
    server.open(uri, "FROM x\n", 1)
    server.diagnostics(uri, 1)
    # a line past the end: LSP clamps to the end of the document
    server.change(uri, 2, [{"range": {"start": {"line": 50, "character": 0}, "end": {"line": 99, "character": 7}},
                            "text": "RUN pip install a\n"}])
    expected = "FROM x\nRUN pip install a\n"
    assert Probe.lines(server.diagnostics(uri, 2)) == _expected_lines(expected) == [1]
    # a character past the end of a line clamps to that line's end
    server.change(uri, 3, [{"range": {"start": {"line": 1, "character": 500}, "end": {"line": 1, "character": 900}},
                            "text": " && pip install b"}])
    expected = "FROM x\nRUN pip install a && pip install b\n"
    diags = server.diagnostics(uri, 3)
    assert [d["range"]["start"]["character"] for d in diags] == [4, 21]
    # end before start: either refused (logged) or applied to the span between the two positions
    server.change(uri, 4, [{"range": {"start": {"line": 1, "character": 9}, "end": {"line": 0, "character": 0}},
                            "text": "zzz"}])
    as_span = "zzz" + expected[len("FROM x\nRUN pip "):]
    got = Probe.lines(server.diagnostics(uri, 4))
    assert got in (_expected_lines(expected), _expected_lines(as_span)), got
    if got != _expected_lines(expected):
        expected = as_span
    print("reversed range:", "applied as its span" if expected == as_span else "refused")
    # negative numbers are not valid LSP uintegers: the notification is dropped
    server.change(uri, 5, [{"range": {"start": {"line": -1, "character": -5}, "end": {"line": -1, "character": 0}},
                            "text": "RUN pip install c\n"}])
    server.drain(0.3)
    # after all that, the server's text must still be `expected`: a full-range replace proves it
    end = {"line": expected.count("\n"), "character": 0}
    server.change(uri, 6, [{"range": {"start": {"line": 0, "character": 0}, "end": end},
                            "text": "FROM x\nRUN pip install a && pip install b\nRUN pip install d\n"}])
    assert Probe.lines(server.diagnostics(uri, 6)) == [1, 1, 2]
    probe.check()


def test_stale_and_out_of_order_versions(server: RawServer, probe: Probe) -> None:
    uri = "file:///abuse/versions/Dockerfile"
    server.open(uri, "FROM x\n", 10)
    server.diagnostics(uri, 10)
    # versions go 12, 11 (out of order), 11 (duplicate), 3 (stale): applied in the order received
    steps = [(12, "FROM x\nRUN pip install a\n"), (11, "FROM x\nRUN pip install a\nRUN pip install b\n"),
             (11, "FROM x\n"), (3, "FROM x\n\nRUN pip install c\n")]
    for version, text in steps:
        server.change(uri, version, [{"text": text}])
        assert Probe.lines(server.diagnostics(uri, version)) == _expected_lines(text)
    assert Probe.lines(server.pull(uri)) == [2]
    # a null version is not a valid VersionedTextDocumentIdentifier: the change is dropped (logged)
    server.change(uri, None, [{"text": "RUN pip install z\n"}])
    got = server.drain(0.3)
    assert [m for m in got if m.get("method") == "textDocument/publishDiagnostics"] == []
    assert Probe.lines(server.pull(uri)) == [2]
    probe.check()


# -- size ----------------------------------------------------------------------------------------

_BLOCK = ('# build step\nLABEL org.example.step="value value value"\nENV PATH=/opt/venv/bin:$PATH\n'
          "COPY requirements.txt /app/requirements.txt\nWORKDIR /app\n")
_RUN = "RUN apt-get update && apt-get install -y gcc && \\\n    pip install -r requirements.txt\n"


def test_5mb_document(server: RawServer, probe: Probe) -> None:
    parts, size, n = ["FROM python:3.12\n"], 0, 0
    while size < 5 * 1024 * 1024:
        parts.append(_BLOCK)
        size += len(_BLOCK)
        if len(parts) % 20 == 0:
            parts.append(_RUN)
            size += len(_RUN)
            n += 1
    text = "".join(parts)
    uri = "file:///abuse/5mb/Dockerfile"
    # over the default maxFileSize (2,000,000) and maxDiagnostics (1,000): raise both for this document
    server.notify("workspace/didChangeConfiguration",
                  {"settings": {"pipCacheLsp": {"maxFileSize": 8_000_000, "maxDiagnostics": 5000}}})
    rss0 = server.rss_kb()
    t = time.perf_counter()
    server.open(uri, text, 1)
    diags = server.diagnostics(uri, 1, timeout=120)
    opened = time.perf_counter() - t
    assert len(diags) == n
    # one keystroke in the middle: fix the install nearest the middle
    line = diags[len(diags) // 2]["range"]["end"]
    t = time.perf_counter()
    server.change(uri, 2, [{"range": {"start": line, "end": line}, "text": " --no-cache-dir"}])
    assert len(server.diagnostics(uri, 2, timeout=60)) == n - 1
    keystroke = time.perf_counter() - t
    rss1 = server.rss_kb()
    server.close_doc(uri)
    probe.check(timeout=60)
    print(f"\n5 MB document ({len(text):,} chars, {n} findings): open+diagnostics {opened:.2f}s, "
          f"keystroke+diagnostics {keystroke:.3f}s, RSS {rss_mb(rss0)} -> {rss_mb(rss1)} MB open -> "
          f"{rss_mb(server.rss_kb())} MB after close")


def test_1mb_single_line(server: RawServer, probe: Probe) -> None:
    uri = "file:///abuse/1mb-line/Dockerfile"
    filler = "é😀" * (1024 * 1024 // 6)  # 1 MB of UTF-8; 3 UTF-16 units per pair
    text = "FROM x\nRUN echo " + filler + " && pip install y\n"
    t = time.perf_counter()
    server.open(uri, text, 1)
    diags = server.diagnostics(uri, 1, timeout=60)
    opened = time.perf_counter() - t
    column = len(("RUN echo " + filler + " && ").encode("utf-16-le")) // 2
    assert [(d["range"]["start"]["line"], d["range"]["start"]["character"]) for d in diags] == [(1, column)]
    # type at the far end of the line
    end = {"line": 1, "character": column + len("pip install")}
    t = time.perf_counter()
    server.change(uri, 2, [{"range": {"start": end, "end": end}, "text": " --no-cache-dir"}])
    assert server.diagnostics(uri, 2, timeout=60) == []
    keystroke = time.perf_counter() - t
    probe.check(timeout=60)
    print(f"\n1 MB line ({len(text.encode()):,} bytes): open+diagnostics {opened:.2f}s, "
          f"keystroke at column {column:,} {keystroke:.3f}s")


def test_10000_opens_and_closes(server: RawServer, probe: Probe) -> None:
    def cycle(count: int, tag: str) -> None:
        batch = []
        for i in range(count):
            uri = f"file:///abuse/many/{tag}{i}/Dockerfile"
            text = f"FROM python:3.12\nRUN pip install package-{i}\n" + "# padding line\n" * 20
            for msg in ({"method": "textDocument/didOpen",
                         "params": {"textDocument": {"uri": uri, "languageId": "dockerfile", "version": 1,
                                                     "text": text}}},
                        {"method": "textDocument/didClose", "params": {"textDocument": {"uri": uri}}}):
                batch.append(frame(encode({"jsonrpc": "2.0", **msg})))
            if len(batch) >= 400:
                server.send_bytes(b"".join(batch), f"{len(batch)} open/close notifications")
                batch = []
        server.send_bytes(b"".join(batch), f"{len(batch)} open/close notifications")
        # A request after them all: it is answered after every notification before it.
        rid = server.next_id
        server.next_id += 1
        server.send({"jsonrpc": "2.0", "id": rid, "method": "textDocument/diagnostic",
                     "params": {"textDocument": {"uri": f"file:///abuse/many/{tag}0/Dockerfile"}}})
        published = 0
        deadline = time.monotonic() + 120
        while True:
            msg = server._next(deadline)
            if msg.get("id") == rid and "method" not in msg:
                assert msg["result"]["items"] == [], "a closed document still has diagnostics"
                break
            if msg.get("method") == "textDocument/publishDiagnostics":
                published += 1
        assert published == 2 * count, published  # one on open, an empty one on close

    cycle(200, "warm")
    baseline = server.rss_kb()
    t = time.perf_counter()
    cycle(10_000, "n")
    elapsed = time.perf_counter() - t
    after = server.rss_kb()
    probe.check()
    print(f"\n10,000 opens+closes in {elapsed:.1f}s ({20_000 / elapsed:,.0f} notifications/s); "
          f"RSS baseline {rss_mb(baseline)} MB -> {rss_mb(after)} MB after the closes")
    assert after < baseline + 50 * 1024


def test_server_log_has_no_tracebacks_from_our_code(server: RawServer, probe: Probe) -> None:
    """Everything above stays inside pygls's error paths; our handlers never raise."""
    server.send_bytes(frame(b"{not json"))
    server.change(PROBE, 99, [{"range": {"start": {"line": 9, "character": 0}, "end": {"line": 0, "character": 0}},
                               "text": "x"}])
    server.drain(0.3)
    probe.check()
    server.stderr_file.flush()
    err = Path(server.stderr_file.name).read_text()
    assert "pip_cache_lsp/document.py" not in err and "pip_cache_lsp/rules/" not in err, err[-2000:]


def test_exit_without_shutdown_ends_the_process(server: RawServer, probe: Probe) -> None:
    server.notify("exit")
    deadline = time.monotonic() + 10
    while server.alive() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not server.alive()
    with pytest.raises(ServerDied):
        server.request("shutdown", timeout=5)
    print("exit without shutdown: return code", server.proc.returncode)
