#!/usr/bin/env python3
"""Benchmark candidate shell parsers for pip-cache-lsp.

Compares (1) tree-sitter-bash via py-tree-sitter, (2) bashlex, (3) a minimal
hand-written lexer on the RUN bodies of a corpus of real Dockerfiles:
parse success, speed, error tolerance on truncated (half-typed) input, and a
fixed table of tricky cases (are the pip commands found, with correct word
offsets?).

Standalone: run with the dev venv, e.g.
    .venv/bin/python bench/shell_parsers.py [--corpus DIR] [--repeats N]
"""
from __future__ import annotations

import argparse
import os
import random
import re
import statistics
import sys
import time

CORPUS_DIR = "/work/shared/corpus/files"
N_CUTS = 5
SEED = 20240601

# A "word" is (text, start, end) with character offsets into the parsed body;
# a "command" is the list of its words (command name + arguments, with leading
# VAR=value assignments and redirections excluded).

# --------------------------------------------------------------------------
# Dockerfile RUN extraction (deliberately simple)
# --------------------------------------------------------------------------
RUN_RE = re.compile(r"^\s*RUN(?:\s+|$)", re.IGNORECASE)
FLAG_RE = re.compile(r"^--(?:mount|network|security)=\S*\s*")
HEREDOC_RE = re.compile(r"(?<!<)<<(-?)\s*([\"']?)([A-Za-z_][A-Za-z0-9_]*)\2")


def extract_run_bodies(text: str) -> list[str]:
    lines = text.splitlines()
    bodies = []
    i = 0
    while i < len(lines):
        m = RUN_RE.match(lines[i])
        if not m:
            i += 1
            continue
        # Join continuation lines (backslash + newline removed); comment and
        # blank lines inside a continuation are skipped.
        cur = lines[i][m.end():]
        i += 1
        while cur.rstrip(" \t").endswith("\\") and i < len(lines):
            cur = cur.rstrip(" \t")[:-1]
            nxt = lines[i]
            i += 1
            if nxt.lstrip().startswith("#") or not nxt.strip():
                cur += "\\"  # keep continuing
                continue
            cur += nxt
        if cur.rstrip(" \t").endswith("\\"):
            cur = cur.rstrip(" \t")[:-1]
        body = cur.strip()
        while True:
            fm = FLAG_RE.match(body)
            if not fm:
                break
            body = body[fm.end():]
        if body.startswith("["):
            continue  # exec form JSON array
        hm = HEREDOC_RE.search(body)
        if hm:
            delim = hm.group(3)
            strip_tabs = hm.group(1) == "-"
            out = []
            while i < len(lines):
                ln = lines[i]
                i += 1
                if (ln.lstrip("\t") if strip_tabs else ln).strip() == delim:
                    break
                out.append(ln)
            if hm.start() == 0:
                # `RUN <<EOF`: the heredoc body is the script
                body = "\n".join(out)
            else:
                # `RUN cmd <<EOF`: keep the heredoc as shell text
                body = "\n".join([body] + out + [delim])
        if body.strip():
            bodies.append(body)
    return bodies


# --------------------------------------------------------------------------
# Parser 1: tree-sitter-bash
# --------------------------------------------------------------------------
import tree_sitter  # noqa: E402
import tree_sitter_bash  # noqa: E402

TS_LANG = tree_sitter.Language(tree_sitter_bash.language())
TS_PARSER = tree_sitter.Parser(TS_LANG)


def _byte_to_char_map(text: str, data: bytes):
    if len(data) == len(text):
        return None
    m = [0] * (len(data) + 1)
    b = 0
    for ci, ch in enumerate(text):
        n = len(ch.encode("utf-8", "surrogatepass"))
        for k in range(n):
            m[b + k] = ci
        b += n
    m[b] = len(text)
    return m


def ts_parse(text: str):
    return TS_PARSER.parse(text.encode("utf-8", "surrogatepass"))


def ts_commands(text: str) -> list[list[tuple[str, int, int]]]:
    data = text.encode("utf-8", "surrogatepass")
    tree = TS_PARSER.parse(data)
    bmap = _byte_to_char_map(text, data)
    conv = (lambda b: b) if bmap is None else (lambda b: bmap[b])
    cmds = []
    stack = [tree.root_node]
    while stack:
        node = stack.pop()
        if node.type == "command":
            words = []
            for i, ch in enumerate(node.children):
                # command name + arguments; skips assignments and redirects
                if node.field_name_for_child(i) in ("name", "argument"):
                    s, e = conv(ch.start_byte), conv(ch.end_byte)
                    words.append((text[s:e], s, e))
            if words:
                cmds.append(words)
        stack.extend(reversed(node.children))
    cmds.sort(key=lambda c: c[0][1])
    return cmds


def ts_has_error(text: str) -> bool:
    return ts_parse(text).root_node.has_error


# --------------------------------------------------------------------------
# Parser 2: bashlex
# --------------------------------------------------------------------------
import bashlex  # noqa: E402


def _bl_walk(node, out):
    if isinstance(node, list):
        for n in node:
            _bl_walk(n, out)
        return
    if not isinstance(node, bashlex.ast.node):
        return
    if node.kind == "command":
        words = [(p.word, p.pos[0], p.pos[1]) for p in node.parts
                 if p.kind == "word"]
        if words:
            out.append(words)
    for v in vars(node).values():
        if isinstance(v, (list, bashlex.ast.node)):
            _bl_walk(v, out)


def bl_parse(text: str):
    return bashlex.parse(text)


def bl_commands(text: str) -> list[list[tuple[str, int, int]]]:
    out: list = []
    _bl_walk(bashlex.parse(text), out)
    # bashlex word text is the unquoted value; use the source slice instead
    cmds = [[(text[s:e], s, e) for (_, s, e) in c] for c in out]
    cmds.sort(key=lambda c: c[0][1])
    return cmds


# --------------------------------------------------------------------------
# Parser 3: minimal hand-written lexer
# --------------------------------------------------------------------------
SEPARATORS = ("&&", "||", ";", "|", "&", "\n")
REDIR_RE = re.compile(r"\d*(?:>>|>&|<&|&>|>\||<<<|>|<)")
ASSIGN_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\+?=")
KEYWORDS = {"if", "then", "else", "elif", "do", "while", "until", "!", "{",
            "(", "time"}
END_KEYWORDS = {"fi", "done", "}", ")", "esac"}


def hand_lex(text: str):
    """Return tokens: ('word', text, start, end) or ('sep', op, start, end).

    Honours '...', "..." (with backslash escapes inside), backslash escapes
    and backslash-newline continuation outside quotes, '#' comments at word
    start, separators && || ; | & newline, and redirection operators
    (token kind 'redir'). Unterminated quotes run to end of input.
    """
    toks = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c in " \t\r":
            i += 1
            continue
        if c == "\\" and i + 1 < n and text[i + 1] == "\n":
            i += 2
            continue
        if c == "#":
            while i < n and text[i] != "\n":
                i += 1
            continue
        m = REDIR_RE.match(text, i)
        if m:
            toks.append(("redir", m.group(), i, m.end()))
            i = m.end()
            continue
        sep = next((s for s in SEPARATORS if text.startswith(s, i)), None)
        if sep:
            toks.append(("sep", sep, i, i + len(sep)))
            i += len(sep)
            continue
        start = i
        while i < n:
            c = text[i]
            if c == "\\":
                i += 2
            elif c == "'":
                j = text.find("'", i + 1)
                i = n if j < 0 else j + 1
            elif c == '"':
                i += 1
                while i < n and text[i] != '"':
                    i += 2 if text[i] == "\\" else 1
                i += 1
            elif c in " \t\r\n;&|<>":
                break
            else:
                i += 1
        i = min(i, n)
        toks.append(("word", text[start:i], start, i))
    return toks


def hand_commands(text: str) -> list[list[tuple[str, int, int]]]:
    cmds = []
    cur: list = []
    skip_next = False

    def flush():
        words = list(cur)
        while words and (ASSIGN_RE.match(words[0][0])
                         or words[0][0] in KEYWORDS):
            words.pop(0)
        if words and words[0][0] not in END_KEYWORDS:
            cmds.append(words)
        cur.clear()

    for kind, val, s, e in hand_lex(text):
        if kind == "sep":
            flush()
        elif kind == "redir":
            skip_next = True  # next word is the redirection target
        elif skip_next:
            skip_next = False  # redirection target
        else:
            cur.append((val, s, e))
    flush()
    return cmds


# --------------------------------------------------------------------------
# pip-install detection (shared by all parsers)
# --------------------------------------------------------------------------
PIP_NAME_RE = re.compile(r"^(?:.*/)?pip(?:\d(?:\.\d+)?)?$")
PY_NAME_RE = re.compile(r"^(?:.*/)?python(?:\d(?:\.\d+)?)?$")


def _unq(w: str) -> str:
    return w.strip("\"'")


def is_pip_install(cmd) -> bool:
    ws = [_unq(w[0]) for w in cmd]
    if not ws:
        return False
    if PIP_NAME_RE.match(ws[0]):
        rest = ws[1:]
    elif PY_NAME_RE.match(ws[0]) and len(ws) >= 3 and ws[1] == "-m" \
            and ws[2] == "pip":
        rest = ws[3:]
    else:
        return False
    # skip global options before the subcommand
    for w in rest:
        if w.startswith("-"):
            continue
        return w == "install"
    return False


def pip_spans(cmds):
    """Pip-install commands as tuples of (start, end) word spans."""
    return [tuple((s, e) for (_, s, e) in c) for c in cmds if is_pip_install(c)]


PARSERS = {
    "tree-sitter": ts_commands,
    "bashlex": bl_commands,
    "hand-lexer": hand_commands,
}
PARSE_ONLY = {
    "tree-sitter": ts_parse,
    "bashlex": bl_parse,
    "hand-lexer": hand_lex,
}


def safe(fn, text):
    try:
        return fn(text), None
    except Exception as ex:  # noqa: BLE001 - we measure failures
        return None, ex


# --------------------------------------------------------------------------
# Tricky cases
# --------------------------------------------------------------------------
# Each case: (label, source, expected pip commands as lists of words).  Word
# offsets are located by sequential search from the previous match, so
# expected words must be listed in source order.  Expected = what a linter
# needs from the parser directly (nested strings such as sh -c "..." are not
# commands for the parser; a linter would re-parse them in a second pass).
TRICKY = [
    ("quoted arg", 'pip install "a b" c', [["pip", "install", '"a b"', "c"]]),
    ("echo string", 'echo "pip install x"', []),
    ("comment", "# pip install x\napt-get update", []),
    ("trailing comment", "pip install x # pip install y", [["pip", "install", "x"]]),
    ("sh -c string", 'sh -c "pip install x"', []),
    ("$(...)", "echo $(pip install x)", [["pip", "install", "x"]]),
    ("backticks", "echo `pip install x`", [["pip", "install", "x"]]),
    ("VAR=1 prefix", "VAR=1 PIP_X=2 pip install x", [["pip", "install", "x"]]),
    ("if/then/fi", "if [ -f r ]; then pip install -r r; fi",
     [["pip", "install", "-r", "r"]]),
    ("for loop", "for p in a b; do pip install $p; done",
     [["pip", "install", "$p"]]),
    ("redirect+pipe", "pip install x 2>&1 | tee log", [["pip", "install", "x"]]),
    ("set -ex; ...", "set -ex; pip3 install --upgrade pip",
     [["pip3", "install", "--upgrade", "pip"]]),
    ("&& chain", "apt-get update && python3 -m pip install -U x && rm -rf y",
     [["python3", "-m", "pip", "install", "-U", "x"]]),
    ("continuation", "pip install \\\n    a \\\n    b",
     [["pip", "install", "a", "b"]]),
    ("contin. in quotes", 'pip install "a\\\nb" c', [["pip", "install", '"a\\\nb"', "c"]]),
    ("unterminated quote", 'pip install "x', [["pip", "install", '"x']]),
    ("half-typed &&", "pip install x && ", [["pip", "install", "x"]]),
    ("subshell ( )", "(cd /a && pip install .)", [["pip", "install", "."]]),
    ("case/esac", "case $A in x) pip install x;; *) true;; esac",
     [["pip", "install", "x"]]),
]


def expected_spans(src, expected):
    cur = 0
    res = []
    for cmd in expected:
        spans = []
        for w in cmd:
            s = src.find(w, cur)
            assert s >= 0, (src, w)
            spans.append((s, s + len(w)))
            cur = s + len(w)
        res.append(tuple(spans))
    return res


# --------------------------------------------------------------------------
# Benchmark
# --------------------------------------------------------------------------
def pct(xs, p):
    if not xs:
        return float("nan")
    xs = sorted(xs)
    k = min(len(xs) - 1, max(0, int(round(p / 100 * (len(xs) - 1)))))
    return xs[k]


def load_bodies(corpus):
    if not os.path.isdir(corpus):
        return [], 0
    bodies = []
    nfiles = 0
    for name in sorted(os.listdir(corpus)):
        path = os.path.join(corpus, name)
        if not os.path.isfile(path):
            continue
        nfiles += 1
        with open(path, "rb") as f:
            text = f.read().decode("utf-8", errors="replace")
        bodies.extend(extract_run_bodies(text))
    return bodies, nfiles


def bench_speed(bodies, repeats):
    res = {}
    for pname in PARSERS:
        row = {}
        for label, fn in (("parse", PARSE_ONLY[pname]),
                          ("parse+extract", PARSERS[pname])):
            per_body = []
            for b in bodies:
                ts = []
                for _ in range(repeats):
                    t0 = time.perf_counter_ns()
                    try:
                        fn(b)
                    except Exception:  # noqa: BLE001
                        pass
                    ts.append(time.perf_counter_ns() - t0)
                per_body.append(statistics.median(ts))
            row[label] = (statistics.median(per_body), pct(per_body, 95),
                          sum(per_body))
        res[pname] = row
    return res


def bench_truncation(bodies):
    """Per parser, how often the commands before a cut survive the cut.

    Among (body, cut) pairs where the parser's full-body parse
    has >= 1 pip-install command lying wholly before the cut, the fraction
    where all those commands are recovered identically from the prefix.
    Also a 'common' ground truth: bodies where all three parsers agree on the
    full-body pip-install spans (same denominator for every parser).
    """
    rng = random.Random(SEED)
    full = {p: [safe(fn, b)[0] for b in bodies] for p, fn in PARSERS.items()}
    full_spans = {p: [None if c is None else pip_spans(c) for c in full[p]]
                  for p in PARSERS}
    stats = {p: {"cuts": 0, "raised": 0, "den": 0, "ok": 0,
                 "cden": 0, "cok": 0, "ts_err": 0} for p in PARSERS}
    for bi, b in enumerate(bodies):
        if len(b) < 2:
            continue
        cuts = [rng.randint(1, len(b) - 1) for _ in range(N_CUTS)]
        agree = [full_spans[p][bi] for p in PARSERS]
        common = agree[0] if all(a is not None and a == agree[0]
                                 for a in agree) else None
        for cut in cuts:
            prefix = b[:cut]
            for p, fn in PARSERS.items():
                st = stats[p]
                st["cuts"] += 1
                cmds, err = safe(fn, prefix)
                got = set() if cmds is None else set(pip_spans(cmds))
                if err is not None:
                    st["raised"] += 1
                if p == "tree-sitter" and ts_has_error(prefix):
                    st["ts_err"] += 1
                fs = full_spans[p][bi]
                if fs:
                    want = [c for c in fs if c[-1][1] <= cut]
                    if want:
                        st["den"] += 1
                        st["ok"] += all(c in got for c in want)
                if common:
                    want = [c for c in common if c[-1][1] <= cut]
                    if want:
                        st["cden"] += 1
                        st["cok"] += all(c in got for c in want)
    return stats


def run_tricky():
    rows = []
    for label, src, exp in TRICKY:
        want = expected_spans(src, exp)
        row = [label, src]
        for fn in PARSERS.values():
            cmds, err = safe(fn, src)
            if err is not None:
                row.append("RAISE")
            else:
                got = pip_spans(cmds)
                if got == want:
                    row.append("ok")
                elif len(got) < len(want):
                    row.append("MISS")
                elif len(got) > len(want):
                    row.append("EXTRA")
                elif [c[0] for c in got] == [c[0] for c in want]:
                    row.append("words~")  # right command, some word spans differ
                else:
                    row.append("WRONG")
        rows.append(row)
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--corpus", default=CORPUS_DIR)
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args()
    sys.setrecursionlimit(10000)

    print("== Tricky cases (pip-install commands + word offsets) ==")
    rows = run_tricky()
    names = list(PARSERS)
    print(f"{'case':<20} {'source':<44} " + " ".join(f"{n:>11}" for n in names))
    for r in rows:
        src = r[1].replace("\n", "\\n")
        src = src if len(src) <= 44 else src[:41] + "..."
        print(f"{r[0]:<20} {src:<44} " + " ".join(f"{c:>11}" for c in r[2:]))
    print("ok = exact pip commands and word offsets; words~ = right commands, "
          "some word spans differ;\nMISS/EXTRA = too few/many pip commands; "
          "RAISE = exception")
    print(f"{'TOTAL ok':<20} {'':<44} " + " ".join(
        f"{sum(r[2 + i] == 'ok' for r in rows):>8}/{len(rows):<2}"
        for i in range(len(names))))
    print()

    bodies, nfiles = load_bodies(args.corpus)
    if not bodies:
        print(f"corpus {args.corpus} absent or empty; skipping corpus benchmark")
        return
    print(f"== Corpus: {nfiles} files, {len(bodies)} RUN bodies, "
          f"{sum(map(len, bodies))} chars, "
          f"{sum('pip' in b for b in bodies)} bodies mention 'pip' ==")
    print()
    print("-- Parse success on complete RUN bodies --")
    n = len(bodies)
    ts_clean = sum(not ts_has_error(b) for b in bodies)
    pip_found = {}
    for p, fn in PARSERS.items():
        res = [safe(fn, b) for b in bodies]
        ok = sum(e is None for _, e in res)
        pip_found[p] = sum(len(pip_spans(c)) for c, e in res if e is None)
        extra = f" ({ts_clean}/{n} = {ts_clean / n:.1%} without ERROR/MISSING)" \
            if p == "tree-sitter" else ""
        print(f"{p:<12} no exception: {ok}/{n} = {ok / n:.1%}{extra}; "
              f"pip-install commands found: {pip_found[p]}")
        if p == "bashlex":
            kinds = {}
            for _, e in res:
                if e is not None:
                    k = type(e).__name__
                    kinds[k] = kinds.get(k, 0) + 1
            print(f"{'':<12} exception types: {kinds}")
    print()

    print(f"-- Speed per RUN body (median of {args.repeats} repeats per body) --")
    sp = bench_speed(bodies, args.repeats)
    print(f"{'parser':<12} {'op':<14} {'median us':>10} {'p95 us':>10} "
          f"{'total ms':>10}")
    for p, row in sp.items():
        for op, (med, p95, tot) in row.items():
            print(f"{p:<12} {op:<14} {med / 1e3:>10.1f} {p95 / 1e3:>10.1f} "
                  f"{tot / 1e6:>10.1f}")
    print()

    print(f"-- Error tolerance: {N_CUTS} seeded random cuts per body "
          f"(seed {SEED}) --")
    st = bench_truncation(bodies)
    print(f"{'parser':<12} {'cuts':>6} {'raised':>14} "
          f"{'recovered (own truth)':>24} {'recovered (common truth)':>26}")
    for p, s in st.items():
        own = f"{s['ok']}/{s['den']} = {s['ok'] / max(1, s['den']):.1%}"
        com = f"{s['cok']}/{s['cden']} = {s['cok'] / max(1, s['cden']):.1%}"
        print(f"{p:<12} {s['cuts']:>6} "
              f"{s['raised']:>6} ({s['raised'] / s['cuts']:>5.1%}) "
              f"{own:>24} {com:>26}")
    t = st["tree-sitter"]
    print(f"(tree-sitter: {t['ts_err']}/{t['cuts']} = "
          f"{t['ts_err'] / t['cuts']:.1%} of truncated inputs contain "
          f"ERROR/MISSING nodes, yet still yield a tree)")
    print("own truth: pip-install commands the same parser finds in the full "
          "body; common truth: bodies where all three parsers agree.")


if __name__ == "__main__":
    main()
