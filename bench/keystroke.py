"""Keystroke latency through the real servers over stdio: didChange -> publishDiagnostics.

For each document (bench/gen.py: 200 lines, 10,000 lines with as many findings,
10,000 lines with thousands of findings) and each server (ours, and
dockerfile-language-server-nodejs when installed under .tools/docker-langserver),
times, one change at a time, waiting for each change's diagnostics:

* open     didOpen -> diagnostics (a fresh URI each time)
* type     one character typed / deleted at the end of a pip install line in a RUN
* del \\    deleting the trailing backslash of a continuation line (splits an instruction)
* type \\   typing it back (merges the two again)
* paste    pasting 500 lines of instructions in the middle of the file
* cut      removing them again
* break    typing ``x`` right after ``install`` in a finding's ``pip install`` (``installx``: the finding goes)
* make     deleting that ``x`` again (the finding comes back)

    .venv/bin/python bench/keystroke.py [--budget SECONDS] [--json FILE] [--only ours|peer]
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from gen import bench_files, paste_chunk  # noqa: E402
from lspclient import Client, Text, percentile  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
PEER = ROOT / ".tools" / "docker-langserver" / "node_modules" / ".bin" / "docker-langserver"
SCENARIOS = ["open", "type", "del \\", "type \\", "paste 500", "cut 500", "break", "make"]


def server_commands() -> dict[str, list[str]]:
    ours = Path(sys.executable).parent / "pip-cache-lsp"
    cmds = {"ours": [str(ours), "serve"] if ours.exists() else [sys.executable, "-m", "pip_cache_lsp", "serve"]}
    if PEER.exists() and shutil.which("node"):
        cmds["docker-langserver"] = [str(PEER), "--stdio"]
    return cmds


def _middle(lines: list[str], pred: Callable[[str], bool]) -> int:
    mid = len(lines) // 2
    for d in range(len(lines)):
        for i in (mid + d, mid - d):
            if 0 <= i < len(lines) and pred(lines[i]):
                return i
    raise LookupError("no line fits")


def _repeat(budget: float, max_reps: int, min_reps: int, body: Callable[[], None]) -> None:
    t0 = time.perf_counter()
    for i in range(max_reps):
        if i >= min_reps and time.perf_counter() - t0 > budget:
            break
        body()


def bench_document(client: Client, name: str, text: str, budget: float) -> dict[str, list[float]]:
    res: dict[str, list[float]] = {s: [] for s in SCENARIOS}
    slug = name.replace(" ", "-")
    # open: a fresh URI each time, closed again afterwards
    n = [0]

    def one_open() -> None:
        n[0] += 1
        doc = Text.of(text, f"file:///bench/{slug}/open{n[0]}/Dockerfile")
        res["open"].append(client.open(doc))
        client.close(doc)

    one_open()  # warm-up
    res["open"].clear()
    _repeat(budget, 30, 5, one_open)

    doc = Text.of(text, f"file:///bench/{slug}/Dockerfile")
    client.open(doc)
    sizes = {"publish bytes": client.last_size}
    lines = doc.lines
    tl = _middle(lines, lambda s: "pip install" in s)
    tc = len(lines[tl]) - 2 if lines[tl].endswith(" \\") else len(lines[tl])
    bl = _middle(lines, lambda s: s.startswith("    && ") and s.endswith(" \\"))
    pl = _middle(lines, lambda s: s.startswith(("RUN ", "FROM ")))
    ml, mc = _finding_line(lines)
    chunk = paste_chunk(500)
    chunk_lines = chunk.count("\n")

    def type_cycle(record: bool) -> None:
        for k in range(10):
            dt = client.change(doc, tl, tc + k, tl, tc + k, "abcdefghij"[k])
            if record:
                res["type"].append(dt)
        for k in range(10, 0, -1):
            dt = client.change(doc, tl, tc + k - 1, tl, tc + k, "")
            if record:
                res["type"].append(dt)

    def slash_cycle(record: bool) -> None:
        end = len(doc.lines[bl])
        d1 = client.change(doc, bl, end - 1, bl, end, "")
        d2 = client.change(doc, bl, end - 1, bl, end - 1, "\\")
        if record:
            res["del \\"].append(d1)
            res["type \\"].append(d2)

    def paste_cycle(record: bool) -> None:
        d1 = client.change(doc, pl, 0, pl, 0, chunk)
        d2 = client.change(doc, pl, 0, pl + chunk_lines, 0, "")
        if record:
            res["paste 500"].append(d1)
            res["cut 500"].append(d2)

    def make_break_cycle(record: bool) -> None:
        d1 = client.change(doc, ml, mc, ml, mc, "x")
        d2 = client.change(doc, ml, mc, ml, mc + 1, "")
        if record:
            res["break"].append(d1)
            res["make"].append(d2)

    type_cycle(False)
    _repeat(budget, 25, 2, lambda: type_cycle(True))
    slash_cycle(False)
    _repeat(budget, 200, 10, lambda: slash_cycle(True))
    make_break_cycle(False)
    _repeat(budget, 200, 10, lambda: make_break_cycle(True))
    paste_cycle(False)
    _repeat(budget, 50, 5, lambda: paste_cycle(True))
    assert doc.text() == text, "the edit cycles must leave the document as it was"
    client.close(doc)
    res["_sizes"] = [float(sizes["publish bytes"])]
    return res


def _finding_line(lines: list[str]) -> tuple[int, int]:
    """Line and column right after ``install`` of the make/break edit.

    A finding's line in a block of the same shape at every size (a ``RUN set -eux \\``
    continuation with three installs): the cost compared across sizes is then the
    document's, not the block's.
    """
    line = _middle(lines, lambda s: s.startswith("    && pip install ") and "--no-cache-dir" not in s)
    return line, lines[line].index("pip install") + len("pip install")


def make_break_interleaved(argv: list[str], budget: float, sizes: tuple[str, ...] = ("200 lines", "10k lines"),
                           max_reps: int = 300, min_reps: int = 10) -> dict[str, list[float]]:
    """The make/break keystrokes at each size, one server process per size, cycles alternating.

    Measured one size after the other, a drift of the (shared) machine between the two phases
    moves the 10k/200 ratio by tens of percent; alternating keeps both under the same load.
    """
    files = bench_files()
    clients, docs = {}, {}
    for size in sizes:
        clients[size] = Client(argv, cwd=str(ROOT))
        clients[size].initialize()
        docs[size] = Text.of(files[size], f"file:///bench/interleaved/{size.replace(' ', '-')}/Dockerfile")
        clients[size].open(docs[size])
    res: dict[str, list[float]] = {size: [] for size in sizes}

    def cycle(record: bool) -> None:
        for size in sizes:
            client, doc = clients[size], docs[size]
            line, col = _finding_line(doc.lines)
            d1 = client.change(doc, line, col, line, col, "x")
            d2 = client.change(doc, line, col, line, col + 1, "")
            if record:
                res[size] += [d1, d2]

    for _ in range(3):
        cycle(False)
    _repeat(budget, max_reps, min_reps, lambda: cycle(True))
    for size in sizes:
        assert docs[size].text() == files[size]
        clients[size].stop()
    return res


def run(budget: float = 4.0, only: str | None = None) -> dict:
    files = bench_files()
    results: dict = {"files": {k: {"lines": v.count("\n"), "chars": len(v)} for k, v in files.items()}, "servers": {}}
    for server, argv in server_commands().items():
        if only and not server.startswith(only.replace("peer", "docker")):
            continue
        client = Client(argv, cwd=str(ROOT))
        client.initialize()
        per_file = {}
        for name, text in files.items():
            per_file[name] = bench_document(client, name, text, budget)
        client.stop()
        per_file["make/break interleaved"] = make_break_interleaved(argv, budget)
        results["servers"][server] = per_file
    return results


def fmt_ms(v: float) -> str:
    ms = v * 1000
    return f"{ms:.2f}" if ms < 10 else f"{ms:.1f}" if ms < 100 else f"{ms:.0f}"


def interleaved_make_break(per_server: dict) -> dict[str, float]:
    """p50 of the make/break keystrokes (both directions pooled) per size, from the interleaved run."""
    return {size: percentile(v, 0.5) for size, v in per_server["make/break interleaved"].items()}


def report(results: dict) -> str:
    servers = list(results["servers"])
    out = []
    for name, meta in results["files"].items():
        sizes = {s: results["servers"][s][name]["_sizes"][0] for s in servers}
        out.append(f"\n{name}: {meta['lines']} lines, {meta['chars']} chars; publishDiagnostics "
                   + ", ".join(f"{s} {int(b)} B" for s, b in sizes.items()))
        head = f"  {'scenario':<10}" + "".join(f"{s + ' p50/p95 ms':>30}" for s in servers)
        if len(servers) == 2:
            head += f"{'ratio p50':>11}"
        out.append(head)
        for sc in SCENARIOS:
            row = f"  {sc:<10}"
            p50s = []
            for s in servers:
                v = results["servers"][s][name][sc]
                p50s.append(percentile(v, 0.5))
                row += f"{fmt_ms(p50s[-1]) + ' / ' + fmt_ms(percentile(v, 0.95)) + f'  (n={len(v)})':>30}"
            if len(servers) == 2:
                row += f"{p50s[1] / p50s[0]:>10.1f}x"
            out.append(row)
    ours = results["servers"].get("ours")
    if ours:
        small = percentile(ours["200 lines"]["type"], 0.5)
        big = percentile(ours["10k lines"]["type"], 0.5)
        out.append(f"\nours: typing p50 10k/200 = {big / small:.2f}x (target <= 1.5x); "
                   f"200-line p50 {fmt_ms(small)} ms (target < 2 ms); "
                   f"10k open p50 {fmt_ms(percentile(ours['10k lines']['open'], 0.5))} ms (target < 50 ms)")
    for s in servers:
        mb = interleaved_make_break(results["servers"][s])
        n = len(results["servers"][s]["make/break interleaved"]["200 lines"])
        out.append(f"{s}: make/break a finding, sizes interleaved (n={n} each): p50 200 lines {fmt_ms(mb['200 lines'])}"
                   f" ms, 10k lines {fmt_ms(mb['10k lines'])} ms, 10k/200 = {mb['10k lines'] / mb['200 lines']:.2f}x "
                   f"(target 1.0)")
    return "\n".join(out)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--budget", type=float, default=4.0, help="seconds per scenario (at least a few reps each)")
    ap.add_argument("--json", help="also write the raw samples here")
    ap.add_argument("--only", choices=["ours", "peer"])
    args = ap.parse_args()
    results = run(args.budget, args.only)
    print("== keystroke latency (didChange -> publishDiagnostics, real servers over stdio) ==")
    if "docker-langserver" not in results["servers"] and args.only != "ours":
        print("(docker-langserver not installed: npm install --prefix .tools/docker-langserver "
              "dockerfile-language-server-nodejs)")
    print(report(results))
    if args.json:
        Path(args.json).write_text(json.dumps(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
