"""Load figures for docs/reliability.md: many documents, a steady edit stream, RSS over rounds.

1. open 200 documents of 300 lines at once (bench/gen.py) -> seconds until all 200 are published;
2. 50 edits/s for 30 s to one 300-line document (typing and deleting a character after a
   ``pip install``), sent on a clock without waiting -> p50/p99 latency from each didChange to
   the publishDiagnostics of its version, and versions never published;
3. RSS (from /proc) before and after rounds of opening and closing the 200 documents.

    .venv/bin/python bench/load.py [--seconds 30] [--rate 50] [--rounds 5] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from gen import dockerfile  # noqa: E402
from keystroke import ROOT, server_commands  # noqa: E402
from lspclient import PUBLISH, Client, percentile  # noqa: E402


def _open_params(uri: str, text: str) -> dict:
    return {"textDocument": {"uri": uri, "languageId": "dockerfile", "version": 1, "text": text}}


def open_many(client: Client, texts: list[str], tag: str) -> float:
    """Send every didOpen from a thread (the pipe would fill otherwise); seconds until all are published."""
    uris = [f"file:///load/{tag}/{i}/Dockerfile" for i in range(len(texts))]
    keys = {json.dumps(uri).encode() for uri in uris}
    t0 = time.perf_counter()
    sender = threading.Thread(target=lambda: [client.notify("textDocument/didOpen", _open_params(u, t))
                                              for u, t in zip(uris, texts, strict=True)])
    sender.start()
    seen: set[bytes] = set()
    while len(seen) < len(keys):
        body = client.recv()
        if PUBLISH in body:
            seen.update(k for k in keys if k in body)
    elapsed = time.perf_counter() - t0
    sender.join()
    return elapsed


def close_many(client: Client, count: int, tag: str) -> None:
    for i in range(count):
        client.notify("textDocument/didClose", {"textDocument": {"uri": f"file:///load/{tag}/{i}/Dockerfile"}})
    client.request("textDocument/diagnostic", {"textDocument": {"uri": "file:///load/none"}})  # a barrier


def edit_stream(client: Client, text: str, seconds: float, rate: float) -> dict:
    uri = "file:///load/typing/Dockerfile"
    client.notify("textDocument/didOpen", _open_params(uri, text))
    client.wait_publish(uri)
    lines = text.split("\n")
    line = next(i for i, s in enumerate(lines) if "pip install" in s and not s.endswith("\\"))
    col = len(lines[line])
    sent: dict[int, float] = {}
    total = int(seconds * rate)

    def send() -> None:
        start = time.perf_counter()
        for n in range(total):
            version = n + 2
            typing_ = n % 2 == 0  # type "x", then delete it
            rng = {"start": {"line": line, "character": col},
                   "end": {"line": line, "character": col + (0 if typing_ else 1)}}
            delay = start + n / rate - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            sent[version] = time.perf_counter()
            change = {"range": rng, "text": "x" if typing_ else ""}
            client.notify("textDocument/didChange",
                          {"textDocument": {"uri": uri, "version": version}, "contentChanges": [change]})

    sender = threading.Thread(target=send)
    sender.start()
    got: dict[int, float] = {}
    last = total + 1
    key = json.dumps(uri).encode()
    while last not in got:
        body = client.recv()
        if PUBLISH in body and key in body:
            got[json.loads(body)["params"]["version"]] = time.perf_counter()
    sender.join()
    latencies = [got[v] - sent[v] for v in sent if v in got]
    return {"edits": total, "p50_ms": percentile(latencies, 0.5) * 1000, "p99_ms": percentile(latencies, 0.99) * 1000,
            "max_ms": max(latencies) * 1000, "missed": sorted(set(sent) - set(got))}


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=30)
    ap.add_argument("--rate", type=float, default=50)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--json")
    args = ap.parse_args(argv)
    client = Client(server_commands()["ours"], cwd=str(ROOT))
    client.initialize()
    texts = [dockerfile(300, 6, seed=i) for i in range(200)]
    res: dict = {}
    rss = [client.rss_kb()]
    res["open_200x300_s"] = open_many(client, texts, "r0")
    close_many(client, len(texts), "r0")
    print(f"200 documents of 300 lines opened and published in {res['open_200x300_s']:.2f} s")
    rss.append(client.rss_kb())
    for r in range(1, args.rounds + 1):
        open_many(client, texts, f"r{r}")
        close_many(client, len(texts), f"r{r}")
        rss.append(client.rss_kb())
    res["rss_mb"] = [round(kb / 1024, 1) for kb in rss]
    print(f"RSS (MB): idle {res['rss_mb'][0]}, after each round of 200 opens + closes {res['rss_mb'][1:]}")
    res["edits"] = edit_stream(client, texts[0], args.seconds, args.rate)
    e = res["edits"]
    print(f"{args.rate:.0f} edits/s for {args.seconds:.0f} s ({e['edits']} edits): didChange -> publish "
          f"p50 {e['p50_ms']:.1f} ms, p99 {e['p99_ms']:.1f} ms, max {e['max_ms']:.1f} ms; "
          f"versions missed: {len(e['missed'])}")
    client.stop()
    if args.json:
        Path(args.json).write_text(json.dumps(res, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
