"""Where the time goes: profiles of the keystroke path, the open path and the batch check.

The server is driven in-process through pygls's own entry points (``json.loads`` with
``structure_message``, then ``handle_message``; the writer counts bytes), which is exactly what
its stdio loop does per message, minus the pipe.  Every handler on these paths is synchronous,
so the profile holds the whole per-message cost: JSON decoding, cattrs structuring, our model,
diagnostics conversion, cattrs unstructuring and ``json.dumps`` of the reply.

Uses pyinstrument when importable (the project venv, or ``.tools/bench-venv`` of the same
Python), and prints cProfile's top functions by own time either way.  pyinstrument's HTML
reports go to ``.tools/profiles/``.

    .venv/bin/python bench/profiles.py [keystroke|open|batch ...]
"""

from __future__ import annotations

import contextlib
import cProfile
import io
import json
import os
import pstats
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from gen import batch_set, bench_files  # noqa: E402

OUT = ROOT / ".tools" / "profiles"


def _pyinstrument():
    try:
        import pyinstrument
    except ImportError:
        venv = ROOT / ".tools" / "bench-venv" / "lib"
        for site in venv.glob(f"python{sys.version_info[0]}.{sys.version_info[1]}/site-packages"):
            sys.path.append(str(site))
        try:
            import pyinstrument
        except ImportError:
            return None
    return pyinstrument


class _CountingWriter:
    def __init__(self) -> None:
        self.bytes = 0

    def write(self, data: bytes) -> None:
        self.bytes += len(data)

    def close(self) -> None:
        pass


class InProcessServer:
    """Feeds JSON-RPC messages to the real server object the way its stdio loop does."""

    def __init__(self) -> None:
        from pip_cache_lsp.lsp.server import server

        self.server = server
        self.proto = server.protocol
        self.writer = _CountingWriter()
        self.proto.set_writer(self.writer)
        self.version = 1
        self.feed({"jsonrpc": "2.0", "id": 1, "method": "initialize",
                   "params": {"processId": None, "rootUri": None, "capabilities": {}}})
        self.feed({"jsonrpc": "2.0", "method": "initialized", "params": {}})

    def feed(self, obj: dict) -> None:
        body = json.dumps(obj)
        self.proto.handle_message(json.loads(body, object_hook=self.proto.structure_message))

    def open(self, uri: str, text: str) -> None:
        self.feed({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": {
            "uri": uri, "languageId": "dockerfile", "version": 1, "text": text}}})

    def close(self, uri: str) -> None:
        self.feed({"jsonrpc": "2.0", "method": "textDocument/didClose", "params": {"textDocument": {"uri": uri}}})

    def change(self, uri: str, line: int, c0: int, c1: int, text: str) -> None:
        self.version += 1
        self.feed({"jsonrpc": "2.0", "method": "textDocument/didChange", "params": {
            "textDocument": {"uri": uri, "version": self.version}, "contentChanges": [{"range": {
                "start": {"line": line, "character": c0}, "end": {"line": line, "character": c1}}, "text": text}]}})


def keystroke_workload(name: str = "10k many", cycles: int = 10) -> Callable[[], None]:
    text = bench_files()[name]
    srv = InProcessServer()
    uri = "file:///prof/Dockerfile"
    srv.open(uri, text)
    lines = text.split("\n")
    tl = next(i for i in range(len(lines) // 2, len(lines)) if "pip install" in lines[i])
    tc = len(lines[tl]) - 2 if lines[tl].endswith(" \\") else len(lines[tl])

    def work() -> None:
        for _ in range(cycles):
            for k in range(10):
                srv.change(uri, tl, tc + k, tc + k, "x")
            for k in range(10, 0, -1):
                srv.change(uri, tl, tc + k - 1, tc + k, "")

    return work


def open_workload(name: str = "10k lines", count: int = 10) -> Callable[[], None]:
    text = bench_files()[name]
    srv = InProcessServer()

    def work() -> None:
        for i in range(count):
            srv.open(f"file:///prof/open{i}/Dockerfile", text)
            srv.close(f"file:///prof/open{i}/Dockerfile")

    return work


def batch_workload() -> Callable[[], None]:
    from pip_cache_lsp import cli

    corpus = Path(os.environ.get("PIP_CACHE_LSP_CORPUS", "/work/shared/corpus/files"))
    if corpus.is_dir():
        files = [str(p) for p in sorted(corpus.iterdir())]
    else:
        tmp = tempfile.mkdtemp(prefix="pcl-prof-")
        files = [str(p) for p in batch_set(Path(tmp), 400)]

    def work() -> None:
        with contextlib.redirect_stdout(io.StringIO()):
            cli.main(["check", *files])

    return work


WORKLOADS = {
    "keystroke": ("200 keystrokes on the 10,000-line file with 3,000 findings", keystroke_workload),
    "keystroke-few": ("200 keystrokes on the 10,000-line file with 8 findings",
                      lambda: keystroke_workload("10k lines")),
    "open": ("10 x didOpen of the 10,000-line file (8 findings)", open_workload),
    "open-many": ("5 x didOpen of the 10,000-line file with 3,000 findings", lambda: open_workload("10k many", 5)),
    "batch": ("check over the corpus in-process (start-up excluded)", batch_workload),
}


def profile(name: str, top: int = 14) -> None:
    label, make = WORKLOADS[name]
    work = make()
    print(f"\n== profile: {name}: {label} ==")
    t0 = time.perf_counter()
    work()
    print(f"  wall without a profiler: {(time.perf_counter() - t0) * 1000:.0f} ms")
    work = make()
    prof = cProfile.Profile()
    prof.enable()
    work()
    prof.disable()
    s = io.StringIO()
    stats = pstats.Stats(prof, stream=s)
    stats.sort_stats("tottime").print_stats(top)
    body = s.getvalue()
    print("  cProfile, top functions by own time:")
    start = body.find("   ncalls")
    print("\n".join("  " + ln for ln in body[start:].strip().splitlines()))
    pi = _pyinstrument()
    if pi is None:
        print("  (pyinstrument not available: .tools/bench-venv/bin/pip install pyinstrument)")
        return
    work = make()
    p = pi.Profiler(interval=0.001, use_timing_thread=True)
    p.start()
    work()
    p.stop()
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / f"{name}.html").write_text(p.output_html())
    text = p.output_text(unicode=False, color=False, show_all=False)
    print(f"  pyinstrument call tree (HTML: {OUT / (name + '.html')}):")
    print("\n".join("  " + ln for ln in text.splitlines()[:60]))


def main(argv: list[str]) -> int:
    names = argv[1:] or ["keystroke", "keystroke-few", "open", "batch"]
    for name in names:
        profile(name)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
