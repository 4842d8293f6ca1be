"""Command line: ``pip-cache-lsp check`` for CI and pre-commit, ``serve`` for editors.

Each subcommand imports what it needs when it runs, so ``serve`` answers the
editor's ``initialize`` without loading the checker, and ``--version`` loads nothing.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from pip_cache_lsp import __version__
from pip_cache_lsp.names import BUILDER_STAGES, FIX_STRATEGIES, FORMATS, SEVERITIES, THRESHOLDS


class _HelpFormatter(argparse.HelpFormatter):
    """argparse's, given the terminal's width.

    Its own asks ``shutil``, whose import (with ``bz2`` and ``lzma``) cost every start,
    ``serve``'s included, a few milliseconds for help that is rarely shown.
    """

    def __init__(self, prog: str, indent_increment: int = 2, max_help_position: int = 24,
                 width: int | None = None) -> None:
        super().__init__(prog, indent_increment, max_help_position, _columns() - 2 if width is None else width)


def _columns() -> int:
    """``shutil.get_terminal_size().columns``: ``$COLUMNS``, else the terminal of stdout, else 80."""
    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            columns = 0
    return columns or 80


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="pip-cache-lsp",
        description="Catch `pip install` without --no-cache-dir in Dockerfiles.",
        formatter_class=_HelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    check = sub.add_parser("check", help="check Dockerfiles (files, directories, or - for stdin)",
                           formatter_class=_HelpFormatter)
    check.add_argument("paths", nargs="*", default=["."], metavar="PATH",
                       help="files or directories to check; - reads stdin (default: .)")
    mode = check.add_mutually_exclusive_group()
    mode.add_argument("--fix", action="store_true", help="insert --no-cache-dir in place (stdin: print fixed text)")
    mode.add_argument("--diff", action="store_true", help="print the diff --fix would apply, change nothing")
    check.add_argument("--fix-strategy", choices=FIX_STRATEGIES, default=None,
                       help="what --fix and --diff insert: flag (--no-cache-dir / --no-cache; default), env (one "
                            "ENV per stage, after its FROM) or mount (a BuildKit cache mount on the RUN); each "
                            "fix is checked before it is applied, and what a strategy cannot fix stays reported")
    check.add_argument("--format", choices=FORMATS, default="text",
                       help="output format: text, json, sarif (2.1.0) or github (workflow annotations)")
    check.add_argument("--severity", choices=SEVERITIES, default=None,
                       help="level of the rules' findings in sarif/github output (default: warning, or the "
                            "project's; hints stay hints)")
    check.add_argument("--exit-zero", action="store_true", help="exit 0 even when findings remain")
    check.add_argument("--failure-threshold", choices=THRESHOLDS, default=None,
                       help="exit 1 only for findings at or above this level (hadolint's option; "
                            "default: warning, or the project's; none never fails)")
    check.add_argument("--select", type=_codes, default=None, metavar="CODES",
                       help="report only these rules (comma-separated codes; default: every rule, "
                            "no hint: select unused-suppression or useless-cache-mount to report them)")
    check.add_argument("--ignore", type=_codes, default=None, metavar="CODES",
                       help="never report these rules (comma-separated codes)")
    check.add_argument("--builder-stages", choices=BUILDER_STAGES, default=None,
                       help="findings in stages that never reach the final image: information (default), "
                            "report (as any other) or ignore")
    check.add_argument("--no-honour-env", dest="honour_env", action="store_false", default=None,
                       help="report pip installs even when PIP_NO_CACHE_DIR or a cache mount covers them")
    serve = sub.add_parser("serve", help="run the language server (stdio by default)", formatter_class=_HelpFormatter)
    serve.add_argument("--tcp", metavar="HOST:PORT", help="listen on TCP instead of stdio (for debugging)")
    return parser


def _codes(value: str) -> tuple[str, ...]:
    """A comma-separated list of rule codes, each one a registered rule."""
    from pip_cache_lsp.rules import known_codes

    chosen = tuple(code.strip() for code in value.split(",") if code.strip())
    unknown = [code for code in chosen if code not in known_codes()]
    if unknown:
        raise argparse.ArgumentTypeError(f"unknown rule code(s) {', '.join(unknown)} "
                                         f"(known: {', '.join(known_codes())})")
    return chosen


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "serve":
        if args.tcp:
            from pip_cache_lsp.lsp.server import serve  # the CLI alone never pays for pygls

            return serve(args.tcp)
        from pip_cache_lsp.lsp.early import serve_stdio  # answers the first messages before pygls loads

        return serve_stdio()
    from pip_cache_lsp.checker import run_check

    return run_check(args)


