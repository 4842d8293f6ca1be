"""``pip-cache-lsp check``: find, check, report and fix Dockerfiles.

Exit codes: 0 clean, 1 findings at or above the failure threshold (hadolint's
``--failure-threshold``, default ``warning``: information-level findings in builder
stages do not fail a build), 2 usage or I/O error (an error wins, but every other
file is still checked and reported).
"""

from __future__ import annotations

import argparse
import functools
import os
import stat
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from pip_cache_lsp import memo, report
from pip_cache_lsp.config import ConfigError, ProjectConfig, find_config
from pip_cache_lsp.document import Document
from pip_cache_lsp.files import FileError, Source, decode, discover, read, write_atomic
from pip_cache_lsp.findings import RANK, shown_severity, under_policy
from pip_cache_lsp.rules import codes

T = TypeVar("T")


@dataclass
class Outcome:
    """What checking one file produced."""

    found: list[report.Located] = field(default_factory=list)
    error: str | None = None
    fixed: int = 0
    output: str = ""  # a diff
    fixed_bytes: bytes | None = None  # the fixed text of stdin, encoded as it came (UTF-8, its BOM kept)
    left: list[report.Located] | None = None  # after --fix: what the strategy could not fix, in the fixed text


@dataclass(frozen=True)
class Policy:
    """How to check one file: the command line over its project's ``[tool.pip-cache-lsp]``."""

    honour_env: bool = True
    severity: str | None = None  # None: each rule's own default
    selected: frozenset[str] | None = None  # None: every rule
    builder_stages: str = "information"
    fix_strategy: str = "flag"  # what --fix inserts: the flag, the stage's ENV, or a cache mount


def check_source(name: str, source: Source, fix: bool, diff: bool, policy: Policy) -> tuple[Outcome, str | None]:
    """Findings of one decoded file, and its fixed text when fixing or diffing."""
    found = _located(name, source.text, policy)
    outcome = Outcome(found=found)
    if not found or not (fix or diff):
        return outcome, None
    from pip_cache_lsp.remedies import Check, fix_text  # only when fixing

    # The user chose the strategy: a mount needs no sign of BuildKit in the file.
    check = Check(policy.honour_env, policy.selected, policy.builder_stages, offer_cache_mount=True)
    fixed, outcome.fixed = fix_text(source.text, policy.fix_strategy, check, lone_cr=False)
    outcome.left = _located(name, fixed, policy) if outcome.fixed < len(found) else []
    if fixed == source.text:
        return outcome, None
    if diff:
        import difflib

        outcome.output = "".join(difflib.unified_diff(
            source.text.splitlines(keepends=True), fixed.splitlines(keepends=True),
            f"a/{name}", f"b/{name}"))
    return outcome, fixed


def _located(name: str, text: str, policy: Policy) -> list[report.Located]:
    """The findings of ``text`` the policy shows, located in it (before a fix, or what it left)."""
    doc = Document(text, lone_cr=False)  # lines as BuildKit, git and the code hosts count them
    out = []
    for found_finding in doc.findings(policy.honour_env, policy.selected):
        finding = under_policy(found_finding, policy.builder_stages)
        severity = shown_severity(finding, policy.severity, policy.builder_stages) if finding else None
        if finding is not None and severity is not None:
            out.append(report.locate(name, doc.lines, finding, severity))
    return out


def check_path(item: tuple[str, Policy], fix: bool, diff: bool) -> Outcome:
    path, policy = item
    try:
        source = read(path)
        outcome, fixed = check_source(str(path), source, fix, diff, policy)
        if fix and fixed is not None:
            write_atomic(path, source.encode(fixed))
        return outcome
    except FileError as exc:
        return Outcome(error=str(exc))


def check_stdin(fix: bool, diff: bool, policy: Policy) -> Outcome:
    try:
        source = decode(sys.stdin.buffer.read(), "-")
    except FileError as exc:
        return Outcome(error=str(exc))
    outcome, fixed = check_source("-", source, fix, diff, policy)
    if fix:  # bytes, as a file is written (files.Source.encode): the BOM and UTF-8 kept, whatever the locale
        outcome.fixed_bytes = source.encode(fixed if fixed is not None else source.text)
    return outcome


def run_check(args: argparse.Namespace) -> int:
    try:
        here = find_config(Path.cwd())  # for stdin, and the level SARIF's rule defaults to
    except ConfigError as exc:
        print(f"pip-cache-lsp: error: {exc}", file=sys.stderr)
        return 2
    severity = args.severity or here.severity  # SARIF's default level; None: each rule's
    memo.remember()  # files of one run repeat each other's instructions (memo.py); each worker fills its own
    try:
        outcomes = list(_check_all(args, here))
    finally:
        memo.remember(False)
    found = [f for o in outcomes for f in o.found]
    errors = [o.error for o in outcomes if o.error]
    for error in errors:
        print(f"pip-cache-lsp: error: {error}", file=sys.stderr)
    formatter = report.WRITERS[args.format]
    if args.fix:
        sys.stdout.write("".join(o.output for o in outcomes))
        for o in outcomes:
            if o.fixed_bytes is not None:
                sys.stdout.flush()
                sys.stdout.buffer.write(o.fixed_bytes)
                sys.stdout.buffer.flush()
        fixed = sum(o.fixed for o in outcomes)
        if fixed:
            files = sum(1 for o in outcomes if o.fixed)
            print(f"pip-cache-lsp: fixed {fixed} finding(s) in {files} file(s)", file=sys.stderr)
        found = [f for o in outcomes for f in (o.left if o.left is not None else o.found)]
        if "-" not in args.paths:  # stdout carries the fixed text of stdin
            sys.stdout.write(formatter(found, severity) if found or args.format != "text" else "")
    else:
        sys.stdout.write(formatter(found, severity) if found or args.format != "text" else "")
        if args.diff:
            sys.stdout.write("".join(o.output for o in outcomes))
    if errors:
        return 2
    threshold = args.failure_threshold or here.failure_threshold or "warning"
    failing = threshold != "none" and any(RANK[f.severity] >= RANK[threshold] for f in found)
    return 1 if failing and not args.exit_zero else 0


def _check_all(args: argparse.Namespace, here: ProjectConfig) -> Iterator[Outcome]:
    """Each file is checked under the settings of its own project, as the editor does."""
    configs: dict[str, tuple[ProjectConfig, Policy]] = {}  # by directory as given: one lookup each
    files: list[tuple[str, Policy]] = []  # paths as strings: cheaper to build and to send to workers
    for arg in args.paths:
        if arg == "-":
            yield from _check_files(files, args)
            files = []
            yield check_stdin(args.fix, args.diff, _policy(args, here))
            continue
        path = _normal(arg)
        try:
            is_dir = stat.S_ISDIR(os.stat(path).st_mode)
        except OSError as exc:
            if not os.path.islink(path):  # a dangling link is read, and its error reported, later
                yield from _check_files(files, args)
                files = []
                missing = isinstance(exc, (FileNotFoundError, NotADirectoryError))
                yield Outcome(error=f"{arg}: " + ("no such file or directory" if missing
                                                  else f"cannot read ({exc.strerror or exc})"))
                continue
            is_dir = False
        for file in map(str, discover(Path(path))) if is_dir else (path,):
            directory = os.path.dirname(file)
            try:
                config, policy = configs.get(directory) or configs.setdefault(
                    directory, _project(Path(directory or "."), args))
            except ConfigError as exc:
                yield Outcome(error=str(exc))
                continue
            if not config.excluded(file):
                files.append((file, policy))
    yield from _check_files(files, args)


def _normal(arg: str) -> str:
    """``arg`` as pathlib spells it (``./a//b/`` is ``a/b``), without a Path for a plain one."""
    return str(Path(arg)) if "//" in arg or "./" in arg or arg.endswith(("/", "/.")) else arg


def _project(directory: Path, args: argparse.Namespace) -> tuple[ProjectConfig, Policy]:
    config = find_config(directory)
    return config, _policy(args, config)


def _policy(args: argparse.Namespace, config: ProjectConfig) -> Policy:
    """The command line wins over the project's file, key by key."""
    select = args.select if args.select is not None else config.select
    ignore = set(args.ignore or ()) | set(config.ignore)
    selected = frozenset(select if select is not None else codes()) - ignore
    return Policy(_first(args.honour_env, config.honour_env, True), args.severity or config.severity, selected,
                  args.builder_stages or config.builder_stages or "information",
                  getattr(args, "fix_strategy", None) or config.fix_strategy or "flag")


PARALLEL_FROM = 200  # below this, forking workers costs more than it saves


def _check_files(files: list[tuple[str, Policy]], args: argparse.Namespace) -> Iterator[Outcome]:
    """Check files in order; many files are spread over worker processes (one per core)."""
    work = functools.partial(check_path, fix=args.fix, diff=args.diff)
    workers = min(os.cpu_count() or 1, 8)
    if len(files) < PARALLEL_FROM or workers < 2:
        yield from map(work, files)
        return
    chunksize = max(8, len(files) // (workers * 32))  # small: no worker is left alone with a big one at the end
    from pip_cache_lsp import workers as forked

    if forked.AVAILABLE:
        from pip_cache_lsp.grammar import load_grammar

        load_grammar()  # once, shared by the forks, instead of once in each
        yield from forked.run(work, files, workers, chunksize)
        return
    import gc
    from concurrent.futures import ProcessPoolExecutor

    gc.freeze()  # the workers are forks where the platform forks: a collection would copy every shared page
    with ProcessPoolExecutor(workers) as pool:
        yield from pool.map(work, files, chunksize=chunksize)


def _first(*values: T | None) -> T:
    return next(v for v in values if v is not None)
