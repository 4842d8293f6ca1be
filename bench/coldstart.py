"""Cold start: spawn -> initialize -> initialized -> didOpen -> the first diagnostics, ours and the peer.

What a user waits through when the editor starts the server for the Dockerfile just opened.
Each run spawns a fresh process, sends ``initialize`` (capabilities as a push client), waits
for its result, sends ``initialized`` and ``didOpen`` at once, and stops the clock at the
first ``publishDiagnostics`` for that document.  Ours and dockerfile-language-server-nodejs
(when installed under .tools/docker-langserver) alternate run by run, at 200 and 10,000 lines
(bench/gen.py), so both see the same machine load; medians of ``--runs`` (default 7).

    .venv/bin/python bench/coldstart.py [--runs N] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bytecode import compile_package  # noqa: E402
from gen import bench_files  # noqa: E402
from keystroke import ROOT, server_commands  # noqa: E402
from lspclient import Client, Text  # noqa: E402

SIZES = ("200 lines", "10k lines")


def cold_start(argv: list[str], text: str) -> dict[str, float]:
    """Seconds from spawn to the initialize result, and to the first publishDiagnostics."""
    t0 = time.perf_counter()
    client = Client(argv, cwd=str(ROOT))
    try:
        client.initialize()
        t_init = time.perf_counter() - t0
        client.open(Text.of(text, "file:///coldstart/Dockerfile"))
        return {"initialize": t_init, "diagnostics": time.perf_counter() - t0}
    finally:
        client.stop()


def run(runs: int = 7) -> dict:
    compile_package()
    files = bench_files()
    servers = server_commands()
    for argv in servers.values():  # one unmeasured start each: disk caches, bytecode
        cold_start(argv, files["200 lines"])
    res: dict = {"runs": runs, "servers": {s: {f: [] for f in SIZES} for s in servers}}
    for _ in range(runs):
        for size in SIZES:
            for name, argv in servers.items():
                res["servers"][name][size].append(cold_start(argv, files[size]))
    return res


def p50(samples: list[dict[str, float]], key: str) -> float:
    return statistics.median(s[key] for s in samples)


def report(res: dict) -> str:
    servers = list(res["servers"])
    peer = "docker-langserver" if "docker-langserver" in servers else None
    out = [f"  spawn -> first publishDiagnostics, median of {res['runs']} (spawn -> initialize result in brackets), ms"]
    head = f"  {'document':<12}" + "".join(f"{s:>26}" for s in servers)
    if peer:
        head += f"{'ours / peer':>14}"
    out.append(head)
    for size in SIZES:
        row = f"  {size:<12}"
        for s in servers:
            v = res["servers"][s][size]
            row += f"{p50(v, 'diagnostics') * 1000:>17.0f} ({p50(v, 'initialize') * 1000:4.0f})"
        if peer:
            ratio = p50(res["servers"]["ours"][size], "diagnostics") / p50(res["servers"][peer][size], "diagnostics")
            row += f"{ratio:>13.2f}x"
        out.append(row)
    if not peer:
        out.append("  (docker-langserver not installed: npm install --prefix .tools/docker-langserver "
                   "dockerfile-language-server-nodejs)")
    return "\n".join(out)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--json")
    args = ap.parse_args()
    res = run(args.runs)
    print("== cold start ==")
    print(report(res))
    if args.json:
        Path(args.json).write_text(json.dumps(res))
    return 0


if __name__ == "__main__":
    sys.exit(main())
