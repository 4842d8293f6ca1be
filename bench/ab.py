"""A/B: this tree against one or more git revisions, same machine, same run, interleaved.

Each revision is checked out into a temporary worktree (``git worktree add --detach``, removed
afterwards) and run with ``PYTHONPATH`` pointing at its ``server/``; the same venv, the same
bench inputs (this tree's ``bench/gen.py``) and the same corpus serve every tree.  The machine is
shared, so nothing is measured one tree after the other: every round runs each tree once, in
turn, and the figures are medians over the rounds, with ratios to the first (baseline) tree.

What is timed:

* ``core``: the in-process model, in a fresh subprocess per tree and round, CPU time
  (``time.process_time``): ``Document(text).findings()`` of the 200- and 10,000-line bench files
  (open), a keystroke (``Document.edit`` of one character, then ``findings()``) typed and
  deleted on a ``pip install`` line of each (as ``bench/keystroke.py`` types), and one pass over
  the corpus and over the generated files (open + findings per file).
* ``check``: the whole ``python -m pip_cache_lsp check`` process over the corpus and over 2,000
  generated files (``bench/gen.py``'s ``batch_set``), wall time and CPU time of the process and
  its workers (``RUSAGE_CHILDREN``).
* ``server``: ``serve`` over stdio, one server per tree, keystrokes alternating between them
  (``bench/lspclient.py``): typing p50 on the 200- and 10,000-line documents, didOpen of the
  10,000-line document.
* ``--callgrind``: instructions executed (valgrind's Ir, independent of load) by one corpus pass
  and one pass over 400 generated files in-process, import and start-up subtracted.
* ``--same-findings REV``: ``check --format json`` over the corpus and the generated files, this
  tree against REV, byte for byte (speed work must not change a finding).

    .venv/bin/python bench/ab.py [--baseline cbbbefe] [--rev fc6917d ...] [--runs 7]
                                 [--skip core,check,server] [--callgrind] [--same-findings REV]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

CORPUS = Path(os.environ.get("PIP_CACHE_LSP_CORPUS", "/work/shared/corpus/files"))
GENERATED = 2000


# -- trees -------------------------------------------------------------------------------------
class Tree:
    def __init__(self, label: str, path: Path) -> None:
        self.label = label
        self.path = path

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env["PYTHONPATH"] = str(self.path / "server")
        env["PYTHONHASHSEED"] = "0"
        return env


def checkout(rev: str, into: Path) -> Tree:
    sha = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", rev], check=True,
                         capture_output=True, text=True).stdout.strip()
    path = into / sha
    subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", "--quiet", str(path), sha], check=True)
    return Tree(rev if rev == sha else f"{rev} ({sha})", path)


def remove(tree: Tree) -> None:
    subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree.path)], check=False)


def compile_tree(tree: Tree) -> None:
    """Compile the tree's bytecode before timing a process start.

    A ``check`` started from source compiles every module (this sandbox sets
    PYTHONDONTWRITEBYTECODE), which no installed copy pays (see bench/bytecode.py).
    """
    import compileall

    compileall.compile_dir(tree.path / "server" / "pip_cache_lsp", quiet=1)


# -- inputs -----------------------------------------------------------------------------------
def corpus_files() -> list[Path]:
    return sorted(p for p in CORPUS.iterdir() if p.is_file()) if CORPUS.is_dir() else []


def generated_files(tmp: Path) -> list[Path]:
    from gen import batch_set

    return batch_set(tmp / "generated", GENERATED)


# -- core: runs inside the tree's subprocess ---------------------------------------------------
def _typing_offset(text: str) -> int:
    """Offset where bench/keystroke.py types: end of the ``pip install`` line nearest the middle."""
    lines = text.split("\n")
    mid = len(lines) // 2
    for d in range(len(lines)):
        for i in (mid + d, mid - d):
            if 0 <= i < len(lines) and "pip install" in lines[i]:
                col = len(lines[i]) - 2 if lines[i].endswith(" \\") else len(lines[i])
                return sum(len(s) + 1 for s in lines[:i]) + col
    raise LookupError("no pip install line")


def core_worker(spec: dict) -> dict:
    """One round of the in-process figures (seconds of CPU per operation)."""
    from gen import bench_files

    from pip_cache_lsp.document import Document

    out: dict[str, float] = {}
    files = bench_files()

    def per_op(fn, reps: int) -> float:  # type: ignore[no-untyped-def]
        fn()  # warm
        best = []
        for _ in range(3):
            t0 = time.process_time()
            for _ in range(reps):
                fn()
            best.append((time.process_time() - t0) / reps)
        return statistics.median(best)

    for size, name, reps in (("200", "200 lines", 60), ("10k", "10k lines", 3)):
        text = files[name]
        out[f"open {size}"] = per_op(lambda text=text: Document(text).findings(), reps)
        doc = Document(text)
        doc.findings()
        at = _typing_offset(text)

        def keystroke(doc=doc, at=at) -> None:  # type: ignore[no-untyped-def]
            for k in range(10):
                doc.edit(at + k, at + k, "abcdefghij"[k])
                doc.findings()
            for k in range(10, 0, -1):
                doc.edit(at + k - 1, at + k, "")
                doc.findings()

        out[f"keystroke {size}"] = per_op(keystroke, 10) / 20
    for key in ("corpus", "generated"):
        texts = [Path(p).read_text(encoding="utf-8", errors="surrogateescape") for p in spec.get(key, [])]
        if texts:
            def one_pass(texts=texts) -> None:  # type: ignore[no-untyped-def]
                for t in texts:
                    Document(t).findings()
            one_pass()
            runs = []
            for _ in range(3):
                t0 = time.process_time()
                one_pass()
                runs.append(time.process_time() - t0)
            out[f"{key} pass"] = statistics.median(runs)
    return out


def callgrind_worker(spec: dict) -> None:
    from pip_cache_lsp.document import Document

    texts = [Path(p).read_text(encoding="utf-8", errors="surrogateescape") for p in spec["files"]]
    Document("FROM x\nRUN pip install a\n").findings()  # imports tree-sitter and the rules
    if spec["work"]:
        for t in texts:
            Document(t).findings()


def run_core(tree: Tree, spec_file: Path) -> dict:
    p = subprocess.run([sys.executable, str(Path(__file__)), "--worker", "core", str(spec_file)],
                       env=tree.env(), capture_output=True, text=True, check=True)
    return json.loads(p.stdout)


def callgrind_ir(tree: Tree, files: list[Path], work: bool, tmp: Path) -> int:
    spec = tmp / "cg.json"
    spec.write_text(json.dumps({"files": [str(p) for p in files], "work": work}))
    p = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null",
                        sys.executable, str(Path(__file__)), "--worker", "callgrind", str(spec)],
                       env=tree.env(), capture_output=True, text=True, check=True)
    m = re.search(r"Collected : (\d+)", p.stderr)
    if not m:
        raise RuntimeError(p.stderr[-2000:])
    return int(m.group(1))


# -- check: the whole process ------------------------------------------------------------------
def run_check(tree: Tree, files: list[Path]) -> tuple[float, float]:
    argv = [sys.executable, "-m", "pip_cache_lsp", "check", *map(str, files)]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run(argv, env=tree.env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd="/")
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def check_json(tree: Tree, files: list[Path]) -> bytes:
    argv = [sys.executable, "-m", "pip_cache_lsp", "check", "--format", "json", *map(str, files)]
    return subprocess.run(argv, env=tree.env(), capture_output=True, cwd="/").stdout


# -- server: serve over stdio, trees alternating -----------------------------------------------
def server_rounds(trees: list[Tree], rounds: int) -> dict[str, dict[str, list[float]]]:
    from gen import bench_files
    from lspclient import Client, Text

    files = bench_files()
    res: dict[str, dict[str, list[float]]] = {t.label: {"type 200": [], "type 10k": [], "open 10k": []}
                                              for t in trees}
    clients = {}
    for t in trees:
        c = Client([sys.executable, "-m", "pip_cache_lsp", "serve"], cwd="/", env=t.env())
        c.initialize()
        c.serving()
        docs = {}
        for size, name in (("200", "200 lines"), ("10k", "10k lines")):
            docs[size] = Text.of(files[name], f"file:///ab/{size}/Dockerfile")
            c.open(docs[size])
        clients[t.label] = (c, docs)

    def type_cycle(c, doc: Text, out: list[float] | None) -> None:  # type: ignore[no-untyped-def]
        lines = doc.lines
        at = _typing_offset(doc.text())
        line = doc.text()[:at].count("\n")
        col = len(lines[line]) - 2 if lines[line].endswith(" \\") else len(lines[line])
        for k in range(10):
            dt = c.change(doc, line, col + k, line, col + k, "abcdefghij"[k])
            if out is not None:
                out.append(dt)
        for k in range(10, 0, -1):
            dt = c.change(doc, line, col + k - 1, line, col + k, "")
            if out is not None:
                out.append(dt)

    n = [0]

    def open_once(c, label: str, out: list[float] | None) -> None:  # type: ignore[no-untyped-def]
        n[0] += 1
        doc = Text.of(files["10k lines"], f"file:///ab/open{n[0]}/Dockerfile")
        dt = c.open(doc)
        c.close(doc)
        if out is not None:
            out.append(dt)

    for t in trees:  # warm-up
        c, docs = clients[t.label]
        type_cycle(c, docs["200"], None)
        type_cycle(c, docs["10k"], None)
        open_once(c, t.label, None)
    for _ in range(rounds):
        for t in trees:
            c, docs = clients[t.label]
            for _ in range(3):
                type_cycle(c, docs["200"], res[t.label]["type 200"])
                type_cycle(c, docs["10k"], res[t.label]["type 10k"])
            for _ in range(3):
                open_once(c, t.label, res[t.label]["open 10k"])
    for t in trees:
        clients[t.label][0].stop()
    return res


# -- report ------------------------------------------------------------------------------------
def table(title: str, rows: list[str], trees: list[Tree], figures: dict[str, dict[str, float]], unit: str,
          scale: float) -> str:
    head = f"  {title:<30}" + "".join(f"{t.label[:22]:>24}" for t in trees)
    out = [head]
    for row in rows:
        if not all(row in figures[t.label] for t in trees):
            continue
        base = figures[trees[0].label][row]
        cells = []
        for i, t in enumerate(trees):
            v = figures[t.label][row]
            cell = f"{v * scale:.3f} {unit}" if v * scale < 10 else f"{v * scale:.1f} {unit}"
            if i:
                cell += f" ({(v / base - 1) * 100:+.0f}%)"
            cells.append(f"{cell:>24}")
        out.append(f"  {row:<30}" + "".join(cells))
    return "\n".join(out)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--worker", nargs=2, metavar=("KIND", "SPEC"), help=argparse.SUPPRESS)
    ap.add_argument("--baseline", default="cbbbefe", help="the revision every ratio is taken against")
    ap.add_argument("--rev", action="append", default=[], help="more revisions to compare (repeatable)")
    ap.add_argument("--no-here", action="store_true", help="leave this tree (the working copy) out")
    ap.add_argument("--runs", type=int, default=7, help="rounds (medians are taken over them)")
    ap.add_argument("--skip", default="", help="comma-separated: core,check,server")
    ap.add_argument("--callgrind", action="store_true", help="also count instructions (valgrind, slow)")
    ap.add_argument("--same-findings", metavar="REV",
                    help="only compare check --format json of this tree against REV, byte for byte")
    ap.add_argument("--json", help="write the raw figures here")
    args = ap.parse_args()

    if args.worker:
        kind, spec = args.worker
        data = json.loads(Path(spec).read_text())
        if kind == "core":
            print(json.dumps(core_worker(data)))
        else:
            callgrind_worker(data)
        return 0

    skip = set(filter(None, args.skip.split(",")))
    tmp = Path(tempfile.mkdtemp(prefix="pcl-ab-"))
    here = Tree("here", ROOT)
    trees: list[Tree] = []
    try:
        revs = [args.same_findings] if args.same_findings else [args.baseline, *args.rev]
        for rev in revs:
            trees.append(checkout(rev, tmp))
        if not args.no_here:
            trees.append(here)
        for t in trees:
            compile_tree(t)
        corpus = corpus_files()
        generated = generated_files(tmp)
        if not corpus:
            print(f"(corpus {CORPUS} not present: corpus figures skipped)")

        if args.same_findings:
            same = True
            for name, files in (("corpus", corpus), ("generated", generated)):
                if not files:
                    continue
                a, b = check_json(trees[0], files), check_json(here, files)
                ok = a == b and bool(a)
                same &= ok
                print(f"check --format json, {name} ({len(files)} files): {trees[0].label} {len(a)} B, "
                      f"here {len(b)} B: {'byte-identical' if ok else 'DIFFERENT'}")
            return 0 if same else 1

        print("trees: " + ", ".join(f"{t.label} = {t.path}" for t in trees))
        figures: dict[str, dict[str, list[float]]] = {t.label: {} for t in trees}

        def add(label: str, key: str, v: float) -> None:
            figures[label].setdefault(key, []).append(v)

        spec_file = tmp / "core.json"
        spec_file.write_text(json.dumps({"corpus": [str(p) for p in corpus],
                                         "generated": [str(p) for p in generated]}))
        t_start = time.perf_counter()
        for r in range(args.runs):
            order = trees if r % 2 == 0 else trees[::-1]  # neither tree always goes first
            for t in order:
                if "core" not in skip:
                    for k, v in run_core(t, spec_file).items():
                        add(t.label, "core " + k, v)
                if "check" not in skip:
                    for name, files in (("corpus", corpus), ("generated", generated)):
                        if files:
                            w, c = run_check(t, files)
                            add(t.label, f"check {name} wall", w)
                            add(t.label, f"check {name} cpu", c)
            print(f"  round {r + 1}/{args.runs} done ({time.perf_counter() - t_start:.0f} s)", file=sys.stderr)
        med = {t.label: {k: statistics.median(v) for k, v in figures[t.label].items()} for t in trees}

        if "server" not in skip:
            from lspclient import percentile

            srv = server_rounds(trees, args.runs)
            for t in trees:
                for k, v in srv[t.label].items():
                    med[t.label]["server " + k] = percentile(v, 0.5)
                    figures[t.label]["server " + k] = v

        print(f"\n== A/B, medians of {args.runs} interleaved rounds; (+x%) against {trees[0].label} ==")
        if "server" not in skip:
            print(table("server (stdio, p50)", ["server type 200", "server type 10k", "server open 10k"],
                        trees, med, "ms", 1000))
        if "check" not in skip:
            print(table("check process (s)", ["check corpus wall", "check corpus cpu", "check generated wall",
                                              "check generated cpu"], trees, med, "s", 1))
        if "core" not in skip:
            print(table("in-process core (CPU)", ["core open 200", "core open 10k", "core keystroke 200",
                                                  "core keystroke 10k"], trees, med, "ms", 1000))
            print(table("in-process passes (CPU)", ["core corpus pass", "core generated pass"], trees, med, "s", 1))
        if args.callgrind:
            ir: dict[str, dict[str, float]] = {t.label: {} for t in trees}
            for name, files in (("corpus", corpus), ("generated 400", generated[:400])):
                if files:
                    for t in trees:
                        base = callgrind_ir(t, files, False, tmp)
                        ir[t.label][f"Ir {name}"] = (callgrind_ir(t, files, True, tmp) - base) / 1e9
            print(table("callgrind (G instructions)", ["Ir corpus", "Ir generated 400"], trees, ir, "G", 1))
        if args.json:
            Path(args.json).write_text(json.dumps({"trees": [t.label for t in trees], "samples": figures}))
    finally:
        for t in trees:
            if t is not here:
                remove(t)
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
