"""Fuzz driver for the pure core: model, rule, fixes, incremental edits.

Two input sources, both checked by ``fuzz_oracle.check_text`` on every lenient decoding:

1. arbitrary bytes (libFuzzer's own byte mutations, or random bytes);
2. structure-aware mutations of the corpus files (``/work/shared/corpus/files`` or
   ``$FUZZ_CORPUS``): byte flips, line duplication / deletion, splicing two files,
   inserting ``\\``, heredoc markers, quotes, brackets, ``#``, CR and other tokens.

Engines:

* ``atheris`` (default when importable): coverage-guided libFuzzer with the structural
  mutator as its custom mutator.  A supervisor restarts libFuzzer after each crash or hang
  until the time is up, so one run collects every distinct failure.
* ``random``: no coverage, pure Python; per-input time bound by ``setitimer`` plus a
  ``faulthandler`` watchdog for hangs in C code; keeps going after failures.

Usage (``make fuzz`` runs the first)::

    python tests/fuzz/fuzz_core.py run [--engine atheris|random] [--seconds 1800] [--timeout 10]
    python tests/fuzz/fuzz_core.py replay CASE.json|ARTIFACT ...
    python tests/fuzz/fuzz_core.py minimise CASE.json

Everything goes under ``--out`` (default ``.tools/fuzz``): ``crashes/*.json`` (one per
distinct failure: text, edits, traceback), ``slowest.bin``, ``summary.json``.
"""

from __future__ import annotations

import argparse
import faulthandler
import hashlib
import json
import os
import random
import signal
import subprocess
import sys
import time
import traceback
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
REPO = HERE.parent.parent
DEFAULT_CORPUS = Path(os.environ.get("FUZZ_CORPUS", "/work/shared/corpus/files"))
if not DEFAULT_CORPUS.is_dir():
    DEFAULT_CORPUS = REPO.parent / "shared" / "corpus" / "files"
MAX_LEN = 1 << 17


# --- structural mutator -------------------------------------------------------------------

_corpus: list[bytes] = []


def corpus() -> list[bytes]:
    if not _corpus and DEFAULT_CORPUS.is_dir():
        _corpus.extend(p.read_bytes()[:MAX_LEN] for p in sorted(DEFAULT_CORPUS.iterdir()) if p.is_file())
    return _corpus or [b"FROM python:3.12\nRUN pip install flask\n"]


def _tokens() -> list[bytes]:
    from fuzz_oracle import TOKENS

    return [t.encode("utf-8", "surrogatepass") for t in TOKENS] + [b"\xff", b"\xc3", b"\xed\xa0\x80", b"\r\r\n"]


TOKENS_B: list[bytes] = []


def mutate(data: bytes, rng: random.Random, max_size: int = MAX_LEN, byte_mutate=None) -> bytes:
    """One to four structural mutations of ``data`` (or of a corpus file when empty)."""
    if not TOKENS_B:
        TOKENS_B.extend(_tokens())
    files = corpus()
    if not data or rng.random() < 0.05:
        data = rng.choice(files)
    for _ in range(rng.randint(1, 4)):
        op = rng.random()
        lines = data.splitlines(keepends=True)
        if op < 0.15 and byte_mutate is not None:
            data = byte_mutate(data, max_size)
        elif op < 0.25 and data:  # flip bits in a few bytes
            buf = bytearray(data)
            for _ in range(rng.randint(1, 8)):
                i = rng.randrange(len(buf))
                buf[i] ^= 1 << rng.randrange(8)
            data = bytes(buf)
        elif op < 0.35 and lines:  # duplicate a run of lines
            i = rng.randrange(len(lines))
            j = min(len(lines), i + rng.randint(1, 5))
            lines[j:j] = lines[i:j] * rng.randint(1, 3)
            data = b"".join(lines)
        elif op < 0.45 and lines:  # delete a run of lines
            i = rng.randrange(len(lines))
            del lines[i : i + rng.randint(1, 6)]
            data = b"".join(lines)
        elif op < 0.55:  # splice with another corpus file, at a line or anywhere
            other = rng.choice(files)
            a = rng.randint(0, len(data))
            b = rng.randint(0, len(other))
            if rng.random() < 0.7:
                a = data.rfind(b"\n", 0, a) + 1
                b = other.rfind(b"\n", 0, b) + 1
            data = data[:a] + other[b : b + rng.choice((80, 400, 4000, MAX_LEN))]
        elif op < 0.85:  # insert special tokens, biased to line ends and starts
            for _ in range(rng.randint(1, 3)):
                i = rng.randint(0, len(data))
                if rng.random() < 0.5:
                    nl = data.find(b"\n", i)
                    i = len(data) if nl < 0 else nl + rng.choice((0, 1))
                data = data[:i] + rng.choice(TOKENS_B) + data[i:]
        elif op < 0.93 and data:  # delete or replace a small range
            i = rng.randrange(len(data))
            j = min(len(data), i + rng.randint(1, 16))
            data = data[:i] + (rng.choice(TOKENS_B) if rng.random() < 0.5 else b"") + data[j:]
        else:  # replace newlines with CR / CRLF in a region, or random bytes
            if rng.random() < 0.5:
                i = rng.randint(0, len(data))
                sep = rng.choice((b"\r", b"\r\n", b"\n\r", b""))
                data = data[:i] + data[i:].replace(b"\n", sep, rng.randint(1, 20))
            else:
                i = rng.randint(0, len(data))
                data = data[:i] + rng.randbytes(rng.randint(1, 32)) + data[i:]
    return data[:max_size]


# --- one input ----------------------------------------------------------------------------


class Stats:
    """Inputs run, and the slowest one by CPU time (wall time on a shared machine is noise)."""

    def __init__(self, out: Path, name: str) -> None:
        self.out = out
        self.name = name
        self.path = out / f"stats-{name}.json"
        self.start = time.monotonic()
        self.inputs = 0
        self.slowest = 0.0
        self.slowest_len = 0
        self.slowest_wall = 0.0
        self.last_write = 0.0

    def record(self, data: bytes, cpu: float, wall: float) -> None:
        self.inputs += 1
        self.slowest_wall = max(self.slowest_wall, wall)
        if cpu > self.slowest:
            self.slowest = cpu
            self.slowest_len = len(data)
            (self.out / f"slowest-{self.name}.bin").write_bytes(data)
        now = time.monotonic()
        if now - self.last_write > 5:
            self.write()
            self.last_write = now

    def write(self) -> None:
        secs = time.monotonic() - self.start
        self.path.write_text(json.dumps({
            "inputs": self.inputs, "seconds": round(secs, 1), "slowest": round(self.slowest, 4),
            "slowest_len": self.slowest_len, "slowest_wall": round(self.slowest_wall, 4),
        }))


def timed(stats: Stats, data: bytes, fn) -> None:
    cpu, wall = time.process_time(), time.perf_counter()
    try:
        fn()
    finally:
        stats.record(data, time.process_time() - cpu, time.perf_counter() - wall)


def signature(exc: BaseException) -> str:
    """Where it failed: exception type and the innermost frame in the project or oracle."""
    frames = traceback.extract_tb(exc.__traceback__)
    where = next((f for f in reversed(frames) if "pip_cache_lsp" in f.filename or "fuzz_oracle" in f.filename),
                 frames[-1] if frames else None)
    loc = f"{Path(where.filename).name}:{where.lineno}" if where else "?"
    msg = str(exc).split("\n", 1)[0][:80] if isinstance(exc, AssertionError) else ""
    return f"{type(exc).__name__} at {loc} {msg}".strip()


def save_case(out: Path, text: str, edits, error: str, sig: str) -> Path:
    crashes = out / "crashes"
    crashes.mkdir(parents=True, exist_ok=True)
    name = hashlib.sha1(sig.encode()).hexdigest()[:12]
    path = crashes / f"{name}.json"
    case = {"signature": sig, "text": text, "edits": [list(e) for e in edits], "error": error}
    if not path.exists() or len(json.loads(path.read_text())["text"]) > len(text):  # keep the smallest
        path.write_text(json.dumps(case, indent=1, ensure_ascii=True))
    return path


def run_one(data: bytes, out: Path | None) -> None:
    from fuzz_oracle import cases_for, check_text

    for text, edits in cases_for(data):
        try:
            check_text(text, edits)
        except Exception as exc:
            if out is not None:
                save_case(out, text, edits, traceback.format_exc(), signature(exc))
            raise


# --- atheris engine -----------------------------------------------------------------------


def atheris_child(argv: list[str], out: Path, name: str) -> None:
    import atheris

    with atheris.instrument_imports(include=["pip_cache_lsp", "fuzz_oracle"]):
        import fuzz_oracle  # noqa: F401

        import pip_cache_lsp.document  # noqa: F401
        import pip_cache_lsp.fix  # noqa: F401
    stats = Stats(out, name)

    def test_one(data: bytes) -> None:
        timed(stats, data, lambda: run_one(data, out))

    def custom_mutator(data: bytes, max_size: int, seed: int) -> bytes:
        rng = random.Random(seed)
        if rng.random() < 0.3:  # plain libFuzzer byte mutations: the arbitrary-bytes target
            return atheris.Mutate(data, max_size)
        return mutate(data, rng, max_size, atheris.Mutate)

    import atexit

    atexit.register(stats.write)
    atheris.Setup(argv, test_one, custom_mutator=custom_mutator)
    atheris.Fuzz()


def supervise_atheris(args: argparse.Namespace) -> int:
    out: Path = args.out
    work = out / "corpus"
    work.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + args.seconds
    run = 0
    while (left := int(deadline - time.monotonic())) > 5:
        run += 1
        cmd = [sys.executable, __file__, "_atheris", str(out), f"a{run}", str(work), str(DEFAULT_CORPUS),
               f"-max_total_time={left}", f"-timeout={args.timeout}", f"-max_len={MAX_LEN}",
               f"-artifact_prefix={out}/artifacts/", "-rss_limit_mb=4096", "-print_final_stats=1",
               "-reduce_inputs=1"]
        (out / "artifacts").mkdir(exist_ok=True)
        print(f"[fuzz] libFuzzer run {run}, {left}s left", flush=True)
        rc = subprocess.call(cmd)
        print(f"[fuzz] libFuzzer run {run} exited {rc}", flush=True)
        if rc == 0:
            break
    for art in sorted((out / "artifacts").glob("*")):  # hangs and hard crashes leave no JSON
        if art.name.startswith(("timeout-", "oom-", "slow-unit-")) and not art.with_suffix(".done").exists():
            from fuzz_oracle import cases_for

            text, edits = cases_for(art.read_bytes())[0]
            save_case(out, text, edits, f"libFuzzer {art.name.split('-')[0]}", f"{art.name.split('-')[0]} {art.name}")
            art.with_suffix(".done").touch()
    return summarise(out, args)


# --- random engine ------------------------------------------------------------------------


class Timeout(Exception):
    pass


def _alarm(signum, frame):
    raise Timeout("input took longer than the per-input bound")


def random_engine(args: argparse.Namespace, name: str = "r") -> int:
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(args.seed)
    stats = Stats(out, name)
    current = os.open(out / f"current-{name}.bin", os.O_RDWR | os.O_CREAT, 0o644)
    signal.signal(signal.SIGALRM, _alarm)
    pool: list[bytes] = []
    deadline = time.monotonic() + args.seconds
    failures: dict[str, int] = {}
    while time.monotonic() < deadline:
        r = rng.random()
        if r < 0.2:  # arbitrary bytes, biased towards ASCII and the tokens
            data = rng.randbytes(rng.randint(0, 512)) if rng.random() < 0.5 else bytes(
                rng.choice(b"RUN pip install \\\n\r#<EOF\"'[]`-") for _ in range(rng.randint(0, 400)))
        else:
            data = mutate(rng.choice(pool) if pool and r < 0.5 else b"", rng)
            if len(pool) < 200:
                pool.append(data)
            else:
                pool[rng.randrange(200)] = data
        os.pwrite(current, data, 0)
        os.ftruncate(current, len(data))
        faulthandler.dump_traceback_later(args.timeout * 3, exit=True)  # a hang the alarm cannot break
        signal.setitimer(signal.ITIMER_REAL, args.timeout)
        cpu, wall = time.process_time(), time.perf_counter()
        try:
            run_one(data, None)
        except Timeout as exc:
            from fuzz_oracle import cases_for

            text, edits = cases_for(data)[0]
            sig = "Timeout " + signature(exc)
            save_case(out, text, edits, traceback.format_exc(), sig)
            failures[sig] = failures.get(sig, 0) + 1
        except Exception as exc:
            from fuzz_oracle import cases_for, check_text

            sig = signature(exc)
            for text, edits in cases_for(data):  # save the decoding that fails
                try:
                    check_text(text, edits)
                except Exception:
                    save_case(out, text, edits, traceback.format_exc(), sig)
                    break
            if sig not in failures:
                print(f"[fuzz] new failure: {sig}", flush=True)
            failures[sig] = failures.get(sig, 0) + 1
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            faulthandler.cancel_dump_traceback_later()
        stats.record(data, time.process_time() - cpu, time.perf_counter() - wall)
    stats.write()
    return summarise(out, args)


# --- reporting, replay, minimising ----------------------------------------------------------


def summarise(out: Path, args: argparse.Namespace) -> int:
    runs = [{**json.loads(p.read_text()), "name": p.stem[6:]} for p in out.glob("stats-*.json")]
    inputs = sum(r["inputs"] for r in runs)
    seconds = sum(r["seconds"] for r in runs)
    slow = max(runs, key=lambda r: r["slowest"], default={"slowest": 0, "slowest_len": 0, "name": "-"})
    crashes = sorted(out.glob("crashes/*.json"))
    replay_time = None
    slowest_bin = out / f"slowest-{slow['name']}.bin"
    if slowest_bin.exists():  # re-time it outside instrumentation and without the watchdog
        t = time.perf_counter()
        try:
            run_one(slowest_bin.read_bytes(), None)
        except Exception:
            pass
        replay_time = round(time.perf_counter() - t, 4)
    summary = {
        "engine": args.engine, "inputs": inputs, "seconds": round(seconds, 1),
        "inputs_per_second": round(inputs / seconds, 1) if seconds else 0,
        "slowest_cpu_seconds": slow["slowest"], "slowest_len": slow["slowest_len"],
        "slowest_wall_seconds": max((r.get("slowest_wall", r["slowest"]) for r in runs), default=0),
        "slowest_input": str(slowest_bin), "slowest_replayed_seconds": replay_time,
        "failures": [json.loads(p.read_text())["signature"] for p in crashes],
    }
    (out / "summary.json").write_text(json.dumps(summary, indent=1))
    print(json.dumps(summary, indent=1))
    return 1 if crashes else 0


def load_case(path: Path) -> tuple[str, list]:
    raw = path.read_bytes()
    if path.suffix == ".json":
        case = json.loads(raw)
        return case["text"], [tuple(e) for e in case["edits"]]
    from fuzz_oracle import cases_for

    return cases_for(raw)[0]


def reproduce(text: str, edits) -> str | None:
    from fuzz_oracle import check_text

    try:
        check_text(text, edits)
    except Exception as exc:
        return signature(exc)
    return None


def minimise(text: str, edits: list) -> tuple[str, list]:
    """Greedy delta debugging that keeps the failure's signature."""
    sig = reproduce(text, edits)
    assert sig, "case does not fail"
    # 1. fewer edits: drop each, or start from the text after the first ones.
    i = 0
    while i < len(edits):
        trial = edits[:i] + edits[i + 1 :]
        ok = True
        try:
            same = reproduce(text, trial) == sig
        except Exception:
            ok = False
        if ok and same:
            edits = trial
        else:
            i += 1
    from pip_cache_lsp.document import Document

    while len(edits) > 1:
        s, e, new = edits[0]
        later = text[:s] + new + text[e:]
        if reproduce(later, edits[1:]) == sig:
            text, edits = later, edits[1:]
        else:
            break
    # 2. smaller text: delete chunks, halving the chunk size; shift a single edit along.
    def without(t: str, ed: list, a: int, b: int):
        if not ed:
            return t[:a] + t[b:], ed
        if len(ed) > 1:
            return None
        s, e, new = ed[0]
        if b <= s:
            return t[:a] + t[b:], [(s - (b - a), e - (b - a), new)]
        if a >= e:
            return t[:a] + t[b:], ed
        return None

    chunk = max(1, len(text) // 2)
    while chunk >= 1:
        a = 0
        while a < len(text):
            trial = without(text, edits, a, min(len(text), a + chunk))
            if trial is not None and reproduce(*trial) == sig:
                text, edits = trial
            else:
                a += chunk
        chunk //= 2
    Document(text)  # still a valid start
    return text, edits


def main(argv: list[str]) -> int:
    if argv and argv[0] == "_atheris":
        out, name = Path(argv[1]), argv[2]
        atheris_child([sys.argv[0], *argv[3:]], out, name)
        return 0
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run")
    try:
        import atheris  # noqa: F401

        default_engine = "atheris"
    except ImportError:
        default_engine = "random"
    r.add_argument("--engine", choices=["atheris", "random"], default=default_engine)
    r.add_argument("--seconds", type=int, default=int(os.environ.get("FUZZ_SECONDS", "1800")))
    r.add_argument("--timeout", type=int, default=10, help="per-input bound in seconds")
    r.add_argument("--seed", type=int, default=None)
    r.add_argument("--out", type=Path, default=REPO / ".tools" / "fuzz")
    rp = sub.add_parser("replay")
    rp.add_argument("paths", nargs="+", type=Path)
    mp = sub.add_parser("minimise")
    mp.add_argument("path", type=Path)
    sp = sub.add_parser("summary", help="re-print the summary of a finished run")
    sp.add_argument("--out", type=Path, default=REPO / ".tools" / "fuzz")
    sp.add_argument("--engine", default="?")
    args = p.parse_args(argv)
    if args.cmd == "run":
        args.out = args.out.resolve()
        args.out.mkdir(parents=True, exist_ok=True)
        print(f"[fuzz] engine={args.engine} seconds={args.seconds} corpus={DEFAULT_CORPUS} "
              f"({len(corpus())} files) out={args.out}", flush=True)
        return supervise_atheris(args) if args.engine == "atheris" else random_engine(args)
    if args.cmd == "summary":
        summarise(args.out.resolve(), args)
        return 0
    if args.cmd == "replay":
        bad = 0
        for path in args.paths:
            text, edits = load_case(path)
            t = time.perf_counter()
            sig = reproduce(text, edits)
            print(f"{path}: {sig or 'ok'} ({time.perf_counter() - t:.3f}s)")
            bad += bool(sig)
        return 1 if bad else 0
    text, edits = load_case(args.path)
    text, edits = minimise(text, list(edits))
    print(json.dumps({"text": text, "edits": [list(e) for e in edits]}, ensure_ascii=True))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
