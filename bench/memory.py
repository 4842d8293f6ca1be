"""Server memory: RSS (from /proc) of the real server process over stdio.

1. idle baseline after initialize, then after opening 100 large documents (each one of
   bench/gen.py's 10,000-line files with a distinct URI; also 100 x 1,000 lines).
2. steady state: RSS before and after 10,000 edits to one 10,000-line document (typing,
   deleting, and splitting/merging an instruction), sampled every 1,000 edits; growth after
   the first 1,000 (warm-up) is what a leak would show.

    .venv/bin/python bench/memory.py [--edits N] [--json FILE]
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from gen import bench_files, dockerfile  # noqa: E402
from keystroke import ROOT, server_commands  # noqa: E402
from lspclient import Client, Text  # noqa: E402


def mb(kb: int) -> float:
    return kb / 1024


def open_many(text: str, count: int, tag: str) -> dict:
    client = Client(server_commands()["ours"], cwd=str(ROOT))
    client.initialize()
    # one small document first, so the baseline has every module imported and warmed up
    warm = Text.of(dockerfile(50, 2, seed=5), "file:///mem/warm/Dockerfile")
    client.open(warm)
    client.close(warm)
    client.serving()  # pygls loaded (the early start answered the open before it was)
    idle = client.rss_kb()
    for i in range(count):
        client.open(Text.of(text, f"file:///mem/{tag}/{i}/Dockerfile"))
    loaded = client.rss_kb()
    client.stop()
    return {"idle_kb": idle, "loaded_kb": loaded, "docs": count, "doc_chars": len(text)}


def steady(text: str, edits: int) -> dict:
    client = Client(server_commands()["ours"], cwd=str(ROOT))
    client.initialize()
    doc = Text.of(text, "file:///mem/steady/Dockerfile")
    client.open(doc)
    client.serving()
    lines = doc.lines
    tl = next(i for i in range(len(lines) // 2, len(lines)) if "pip install" in lines[i])
    tc = len(lines[tl]) - 2 if lines[tl].endswith(" \\") else len(lines[tl])
    bl = next(i for i in range(len(lines) // 2, len(lines))
              if lines[i].startswith("    && ") and lines[i].endswith(" \\"))
    samples = [(0, client.rss_kb())]
    n = 0
    while n < edits:
        for k in range(8):  # type 8 chars, delete them, delete and retype a trailing backslash
            client.change(doc, tl, tc + k, tl, tc + k, "x")
        for k in range(8, 0, -1):
            client.change(doc, tl, tc + k - 1, tl, tc + k, "")
        end = len(doc.lines[bl])
        client.change(doc, bl, end - 1, bl, end, "")
        client.change(doc, bl, end - 1, bl, end - 1, "\\")
        n += 18
        if n // 1000 != (n - 18) // 1000:
            samples.append((n, client.rss_kb()))
    client.stop()
    return {"edits": n, "samples": samples}


def run(edits: int = 10_000) -> dict:
    files = bench_files()
    gc.collect()
    return {
        "open_10k": open_many(files["10k lines"], 100, "10k"),
        "open_1k": open_many(dockerfile(1000, 4, seed=8), 100, "1k"),
        "steady": steady(files["10k lines"], edits),
    }


def report(res: dict) -> str:
    out = [f"  {'documents':<34}{'idle MB':>9}{'loaded MB':>11}{'delta MB':>10}{'per doc KB':>12}{'text KB/doc':>13}"]
    for key, label in (("open_10k", "100 x 10,000 lines"), ("open_1k", "100 x 1,000 lines")):
        r = res[key]
        d = r["loaded_kb"] - r["idle_kb"]
        out.append(f"  {label:<34}{mb(r['idle_kb']):>9.1f}{mb(r['loaded_kb']):>11.1f}{mb(d):>10.1f}"
                   f"{d / r['docs']:>12.0f}{r['doc_chars'] / 1024:>13.0f}")
    s = res["steady"]["samples"]
    after_warm = next((kb for n, kb in s if n >= 1000), s[0][1])
    out.append(f"  steady state, {res['steady']['edits']} edits on a 10,000-line document: RSS "
               + " -> ".join(f"{mb(kb):.1f}" for _, kb in s) + " MB")
    out.append(f"  growth after warm-up (1k -> {s[-1][0]} edits): {mb(s[-1][1] - after_warm):+.1f} MB; "
               f"total {mb(s[-1][1] - s[0][1]):+.1f} MB")
    return "\n".join(out)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--edits", type=int, default=10_000)
    ap.add_argument("--json")
    args = ap.parse_args()
    res = run(args.edits)
    print("== memory: server RSS ==")
    print(report(res))
    if args.json:
        Path(args.json).write_text(json.dumps(res))
    return 0


if __name__ == "__main__":
    sys.exit(main())
