"""Hover latency through the real server over stdio: ``textDocument/hover`` -> its answer.

For each document of the keystroke bench (bench/gen.py), hovers the first 200 ``pip
install`` commands (a finding, or a command an exemption covers: then null) and
prints p50/p95.  A hover is computed on request (``explain.py``), never per keystroke.

    .venv/bin/python bench/hover.py
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from gen import bench_files  # noqa: E402
from lspclient import Client, Text, percentile  # noqa: E402


def main() -> None:
    client = Client([sys.executable, "-m", "pip_cache_lsp", "serve"])
    try:
        client.initialize()
        client.serving()
        for name, text in bench_files().items():
            doc = Text.of(text, f"file:///bench/hover/{name.replace(' ', '-')}/Dockerfile")
            client.open(doc)
            targets = [(i, line.index("pip install")) for i, line in enumerate(text.splitlines())
                       if "pip install" in line][:200]
            times, answered = [], 0
            for line, column in targets:
                start = time.perf_counter()
                reply = client.request("textDocument/hover", {"textDocument": {"uri": doc.uri},
                                                              "position": {"line": line, "character": column + 1}})
                times.append((time.perf_counter() - start) * 1000)
                answered += reply.get("result") is not None
            print(f"{name}: hover over `pip install` (n={len(times)}, {answered} explained): "
                  f"p50 {percentile(times, 0.5):.2f} ms, p95 {percentile(times, 0.95):.2f} ms")
    finally:
        client.stop()


if __name__ == "__main__":
    main()
