"""A small rule registered from outside the package: ``apk add`` without ``--no-cache``.

It exists to prove that adding a rule touches no adapter (issue 12): the tests
register it and expect it in every output.  hadolint calls it DL3019.
"""

from __future__ import annotations

from pip_cache_lsp.rules import Cache, Match, Rule, register, spells
from pip_cache_lsp.shell import Command


class ApkNoCache(Rule):
    def may_run(self, text: str) -> bool:
        return spells(text, "apk")

    def may_match(self, name: str, source: str) -> bool:
        return name == "apk" and spells(source, "add")

    def match(self, command: Command) -> Match | None:
        argv = command.argv
        if len(argv) < 2 or (argv[0].value or "").rsplit("/", 1)[-1] != "apk" or argv[1].value != "add":
            return None
        if any(w.value == "--no-cache" for w in argv[2:]):
            return None
        insert = ', "--no-cache"' if command.exec_form else " --no-cache"
        return Match(argv[0].start, argv[1].end, argv[1].end, insert)


RULE = ApkNoCache(
    code="apk-no-cache",
    name="ApkAddWithoutNoCache",
    summary="apk add without --no-cache keeps the package index in the layer",
    message="apk add without --no-cache: the package index stays in the image layer",
    help="apk add keeps its index under /var/cache/apk; --no-cache fetches it to a temporary place.",
    docs_url="https://example.invalid/apk-no-cache",
    cache=Cache(off_variable="APK_TEST_NO_CACHE", dir_variable="APK_TEST_CACHE_DIR", subdir="apk",
                turns_off=lambda value: value == "1"),
    fix_title="Add --no-cache",
    fix_all_title="Add --no-cache to every apk add",
    severity="error",
    aliases=frozenset({"dl3019"}),
)


def install() -> None:
    register(RULE)
