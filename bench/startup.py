"""Start-up: ``pip-cache-lsp serve`` spawn -> initialize response, and the imports on that path.

    .venv/bin/python bench/startup.py [--runs N] [--top N] [--json FILE]

The import table comes from ``python -X importtime`` running what ``serve`` runs before it
reads its first message (the CLI module, then the server module); "cumulative" includes a
module's own imports.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bytecode import compile_package  # noqa: E402
from keystroke import ROOT, server_commands  # noqa: E402
from lspclient import Client  # noqa: E402

SERVE_PATH = "import pip_cache_lsp.cli; import pip_cache_lsp.lsp.server"


def spawn_to_initialize(runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        client = Client(server_commands()["ours"], cwd=str(ROOT))
        client.request("initialize", {"processId": None, "rootUri": None, "capabilities": {}})
        times.append(time.perf_counter() - t0)
        client.notify("initialized", {})
        client.stop()
    return times


def python_bare(runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], check=True)
        times.append(time.perf_counter() - t0)
    return times


def import_times() -> list[tuple[int, int, str]]:
    """(self us, cumulative us, module) for every import on the serve path."""
    p = subprocess.run([sys.executable, "-X", "importtime", "-c", SERVE_PATH],
                       capture_output=True, text=True, check=True)
    rows = []
    for line in p.stderr.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        self_us, cum_us, name = line[len("import time:"):].split("|")
        rows.append((int(self_us), int(cum_us), name.rstrip()))
    return rows


def top_level_groups(rows: list[tuple[int, int, str]]) -> dict[str, int]:
    """Self time summed by top-level package."""
    groups: dict[str, int] = {}
    for self_us, _, name in rows:
        top = name.strip().split(".")[0]
        groups[top] = groups.get(top, 0) + self_us
    return dict(sorted(groups.items(), key=lambda kv: -kv[1]))


def run(runs: int = 10) -> dict:
    compile_package()
    return {"initialize_s": spawn_to_initialize(runs), "python_s": python_bare(runs), "imports": import_times()}


def report(res: dict, top: int = 12) -> str:
    init = res["initialize_s"]
    rows = res["imports"]
    total = sum(r[0] for r in rows)
    out = [f"  serve spawn -> initialize response: p50 {statistics.median(init) * 1000:.0f} ms, "
           f"min {min(init) * 1000:.0f}, max {max(init) * 1000:.0f} (n={len(init)}); "
           f"bare `python -c pass` p50 {statistics.median(res['python_s']) * 1000:.0f} ms",
           f"  imports on the serve path (-X importtime): {total / 1000:.0f} ms self time in total; by package:",
           "    " + ", ".join(f"{k} {v / 1000:.1f}" for k, v in list(top_level_groups(rows).items())[:8]) + " (ms)",
           f"  top {top} modules by cumulative time (ms, self in brackets):"]
    for self_us, cum_us, name in sorted(rows, key=lambda r: -r[1])[:top]:
        out.append(f"    {cum_us / 1000:7.1f}  ({self_us / 1000:5.1f})  {name.strip()}")
    return "\n".join(out)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--top", type=int, default=12)
    ap.add_argument("--json")
    args = ap.parse_args()
    res = run(args.runs)
    print("== start-up ==")
    print(report(res, args.top))
    if args.json:
        Path(args.json).write_text(json.dumps(res))
    return 0


if __name__ == "__main__":
    sys.exit(main())
