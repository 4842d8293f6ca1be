"""The two hints: a suppression comment that silences nothing, and a cache mount an off flag makes useless.

They are :class:`~pip_cache_lsp.rules.Rule` objects of ``kind == "hint"``, so every
adapter reads their code, docs page, severity and fix title like a rule's; they match
no command (the stage fold finds them, ``stage.py``) and are not in
:func:`~pip_cache_lsp.rules.registered`: the engine never runs them on a RUN.
Severity ``hint``: the editor shows them faded (LSP ``DiagnosticTag.Unnecessary``),
SARIF as ``note``, GitHub as ``::notice``; they fail a CI run only with
``--failure-threshold hint``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from pip_cache_lsp.rules import Cache, Match, Rule

if TYPE_CHECKING:
    from pip_cache_lsp.shell import Command

_DOCS = "https://github.com/pip-cache-lsp/pip-cache-lsp/blob/main/docs/rules/"
_NO_CACHE = Cache(off_variable="", dir_variable="", subdir="", turns_off=lambda value: False)


class Hint(Rule):
    """A hint: no command matches it; the fold reports it (see the module docstring)."""

    kind: ClassVar[str] = "hint"

    def may_run(self, text: str) -> bool:
        return False

    def may_match(self, name: str, source: str) -> bool:
        return False

    def match(self, command: Command) -> Match | None:
        return None


UNUSED_SUPPRESSION = Hint(
    code="unused-suppression",
    name="UnusedSuppression",
    summary="a suppression comment that silences nothing",
    message="unused suppression: it silences nothing here",
    help=("A suppression comment (# pip-cache-lsp: ignore, # hadolint ignore=DL3042, ignore-stage, "
          "disable-file, ...) that silences no finding where it stands is noise, and would hide a finding "
          "that appears later. Remove it (or the unused code from its list). Codes of other tools are "
          "left alone."),
    docs_url=_DOCS + "unused-suppression.md",
    cache=_NO_CACHE,
    fix_title="Remove unused suppression",
    fix_all_title="Remove every unused suppression",
    severity="hint",
    tags=("docker", "maintainability"),
)

USELESS_CACHE_MOUNT = Hint(
    code="useless-cache-mount",
    name="UselessCacheMount",
    summary="a cache mount that the tool's --no-cache flag makes useless",
    message="the cache mount is never used; remove the flag to reuse downloads across builds",
    help=("A RUN mounts a BuildKit cache on pip's (or uv's) cache directory, but every pip (uv) command in "
          "it turns the cache off with --no-cache-dir (--no-cache). The mount already keeps the cache out "
          "of the layer; the flag only stops later builds from reusing what earlier ones downloaded. "
          "Remove the flag."),
    docs_url=_DOCS + "useless-cache-mount.md",
    cache=_NO_CACHE,
    fix_title="Remove the flag (the cache mount reuses downloads)",
    fix_all_title="Remove every flag a cache mount makes useless",
    severity="hint",
    tags=("docker", "build-speed"),
)

HINTS = (UNUSED_SUPPRESSION, USELESS_CACHE_MOUNT)


def mount_message(target: str, flag: str) -> str:
    return f"the cache mount on {target} is never used; remove {flag} to reuse downloads across builds"


def mount_fix_title(flag: str) -> str:
    return f"Remove {flag} (the cache mount reuses downloads)"


def unused_message(text: str, whole: bool) -> str:
    if whole:
        return "unused suppression: this comment silences nothing here"
    return f"unused suppression: {text} silences nothing here"
