"""A test-only rule whose fixes are wrong on purpose: the remedies' check must refuse them.

``wrongtool install`` gets a flag that fixes nothing (its finding would stay),
``badtool install`` one that hides a new ``pip install`` in the RUN (a finding of
another rule would appear), and its ENV value is one its own ``turns_off`` rejects.
The mount fix is right (a cache mount on ``~/.cache/wrong``) and must be offered.
"""

from __future__ import annotations

from pip_cache_lsp.rules import Cache, Match, Rule, register, spells
from pip_cache_lsp.shell import Command

_INSERTS = {"wrongtool": " --oops", "badtool": " --no-cache && pip install surprise"}


class WrongFix(Rule):
    def may_run(self, text: str) -> bool:
        return spells(text, "tool")

    def may_match(self, name: str, source: str) -> bool:
        return name in _INSERTS

    def match(self, command: Command) -> Match | None:
        argv = command.argv
        name = (argv[0].value or "").rsplit("/", 1)[-1] if argv else ""
        if name not in _INSERTS or len(argv) < 2 or argv[1].value != "install":
            return None
        if any(w.value == "--no-cache" for w in argv[2:]):
            return None
        return Match(argv[0].start, argv[1].end, argv[1].end, _INSERTS[name])


RULE = WrongFix(
    code="wrong-fix",
    name="WrongFix",
    summary="a rule whose fixes are wrong, for the remedies' check",
    message="wrongtool: the cache stays in the layer",
    help="Test only.",
    docs_url="https://example.invalid/wrong-fix",
    cache=Cache(off_variable="WRONG_NO_CACHE", dir_variable="WRONG_CACHE_DIR", subdir="wrong",
                turns_off=lambda value: value == "1"),
    fix_title="Add --oops",
    fix_all_title="Add --oops everywhere",
    off_value="0",  # turns_off reads only "1": the ENV fix cannot work
)


def install() -> None:
    register(RULE)
