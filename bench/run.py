"""``make bench``: run every bench and print the figures, then a one-screen summary.

Each bench also runs alone (``.venv/bin/python bench/keystroke.py`` etc.).  Figures only:
nothing here passes or fails; the targets of issue 6 are printed next to the numbers.

    .venv/bin/python bench/run.py [--quick] [--skip coldstart,keystroke,batch,memory,startup] [--profile]
                                  [--baseline REV]

``--baseline REV`` then prints the keystroke, open and batch figures of this tree against
REV, interleaved in one run (``bench/ab.py``: REV checked out in a temporary worktree).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import batch  # noqa: E402
import coldstart  # noqa: E402
import keystroke  # noqa: E402
import memory  # noqa: E402
import startup  # noqa: E402
from lspclient import percentile  # noqa: E402


def ms(v: float) -> str:
    return keystroke.fmt_ms(v)


def summary(res: dict) -> str:
    out = ["", "== summary ==", f"  {'figure':<46}{'ours':>12}{'docker-langserver / hadolint':>32}{'target':>22}"]

    def row(name: str, ours: str, peer: str = "", target: str = "") -> None:
        out.append(f"  {name:<46}{ours:>12}{peer:>32}{target:>22}")

    cs = res.get("coldstart")
    if cs:
        srv = cs["servers"]
        for size, target in (("200 lines", "<= peer"), ("10k lines", "<= peer")):
            o = coldstart.p50(srv["ours"][size], "diagnostics")
            p = srv.get("docker-langserver", {}).get(size)
            peer = f"{coldstart.p50(p, 'diagnostics') * 1000:.0f} (ours {o / coldstart.p50(p, 'diagnostics'):.2f}x)" \
                if p else "-"
            row(f"cold start -> first diagnostics, {size} (ms)", f"{o * 1000:.0f}", peer, target)
    ks = res.get("keystroke")
    if ks:
        srv = ks["servers"]
        ours, peer = srv.get("ours", {}), srv.get("docker-langserver", {})
        for f, sc, label, target in (("200 lines", "type", "keystroke p50, 200 lines (ms)", "< 2"),
                                     ("10k lines", "type", "keystroke p50, 10k lines (ms)", "<= 1.5x 200-line"),
                                     ("10k many", "type", "keystroke p50, 10k lines/3,000 findings (ms)", ""),
                                     ("10k lines", "del \\", "delete trailing \\ p50, 10k (ms)", ""),
                                     ("10k lines", "paste 500", "paste 500 lines p50, 10k (ms)", ""),
                                     ("10k lines", "open", "didOpen -> diagnostics p50, 10k (ms)", "< 50")):
            o = ms(percentile(ours[f][sc], 0.5)) if ours else "-"
            p = ms(percentile(peer[f][sc], 0.5)) if peer else "-"
            row(label, o, p, target)
        for s in (ours, peer):
            if s:
                mb = keystroke.interleaved_make_break(s)
                row("make/break a finding p50 200 / 10k (ms)" if s is ours else "  (peer)",
                    f"{ms(mb['200 lines'])} / {ms(mb['10k lines'])}" if s is ours else "",
                    "" if s is ours else f"{ms(mb['200 lines'])} / {ms(mb['10k lines'])}",
                    f"10k/200 {mb['10k lines'] / mb['200 lines']:.2f} (1.0)" if s is ours else "")
    b = res.get("batch")
    if b:
        for s in b["sets"]:
            o = s["files"] / statistics.median(s["ours_s"])
            h = s["files"] / statistics.median(s["hadolint_s"]) if "hadolint_s" in s else None
            row(f"check files/s, {s['set'][:28]}", f"{o:.0f}",
                f"{h:.1f} (ours {o / h:.0f}x)" if h else "-", ">= 30x hadolint")
    m = res.get("memory")
    if m:
        r = m["open_10k"]
        row("RSS over idle, 100 x 10k-line docs (MB)", f"{(r['loaded_kb'] - r['idle_kb']) / 1024:.1f}", "", "< 60")
        s = m["steady"]["samples"]
        warm = next((kb for n, kb in s if n >= 1000), s[0][1])
        row(f"RSS growth over {m['steady']['edits']} edits after warm-up (MB)", f"{(s[-1][1] - warm) / 1024:+.1f}",
            "", "none")
    st = res.get("startup")
    if st:
        row("serve spawn -> initialize p50 (ms)", f"{statistics.median(st['initialize_s']) * 1000:.0f}", "", "< 300")
    return "\n".join(out)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="shorter budgets and fewer runs")
    ap.add_argument("--skip", default="", help="comma-separated benches to skip")
    ap.add_argument("--profile", action="store_true", help="also print the profiles (bench/profiles.py)")
    ap.add_argument("--baseline", metavar="REV", help="also compare keystroke and batch figures with REV (bench/ab.py)")
    args = ap.parse_args()
    skip = set(filter(None, args.skip.split(",")))
    res: dict = {}
    t0 = time.perf_counter()
    if "startup" not in skip:
        res["startup"] = startup.run(5 if args.quick else 10)
        print("== start-up ==")
        print(startup.report(res["startup"]))
    if "coldstart" not in skip:
        res["coldstart"] = coldstart.run(3 if args.quick else 7)
        print("\n== cold start: spawn -> initialize -> initialized -> didOpen -> first publishDiagnostics ==")
        print(coldstart.report(res["coldstart"]))
    if "keystroke" not in skip:
        res["keystroke"] = keystroke.run(1.0 if args.quick else 4.0)
        print("\n== keystroke latency (didChange -> publishDiagnostics, real servers over stdio) ==")
        if "docker-langserver" not in res["keystroke"]["servers"]:
            print("(docker-langserver not installed: npm install --prefix .tools/docker-langserver "
                  "dockerfile-language-server-nodejs)")
        print(keystroke.report(res["keystroke"]))
    if "batch" not in skip:
        res["batch"] = batch.run(2 if args.quick else 7, 1 if args.quick else 3)  # hadolint varies run to run
        print("\n== batch: whole `pip-cache-lsp check` process vs hadolint, same files ==")
        print(batch.report(res["batch"]))
    if "memory" not in skip:
        res["memory"] = memory.run(2000 if args.quick else 10_000)
        print("\n== memory: server RSS ==")
        print(memory.report(res["memory"]))
    print(summary(res))
    print(f"\n(bench took {time.perf_counter() - t0:.0f} s)")
    if args.baseline:
        import subprocess

        print(f"\n== against {args.baseline}, same run (bench/ab.py) ==", flush=True)
        subprocess.run([sys.executable, str(Path(__file__).with_name("ab.py")), "--baseline", args.baseline,
                        "--runs", "3" if args.quick else "7"], check=False)
    if args.profile:
        import profiles

        for name in ("keystroke", "open", "batch"):
            profiles.profile(name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
