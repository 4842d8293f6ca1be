"""``pip-no-cache-dir``: a pip install that runs with its cache on leaves the cache in the layer.

hadolint DL3042, KICS f2f903fb.  What pip itself does, with its source:

* ``PIP_NO_CACHE_DIR`` disables the cache for *any* value pip's ``strtobool`` accepts,
  the "false" ones included, for backwards compatibility
  (``pip/_internal/cli/cmdoptions.py`` ``_handle_no_cache_dir``); the config loader
  skips an empty value, any other value is an error: neither exempts.
* ``--no-cache-dir`` may be abbreviated down to ``--no-ca`` (optparse accepts a
  unique prefix of a long option).
* The cache is ``PIP_CACHE_DIR`` or ``~/.cache/pip``.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from pip_cache_lsp.rules import Cache, Cleanup, Match, Rule, spells

if TYPE_CHECKING:
    from pip_cache_lsp.shell import Command

FLAG = "--no-cache-dir"
_SHELL_INSERT, _EXEC_INSERT = f" {FLAG}", f', "{FLAG}"'  # one string each, shared by every finding
DOCS_URL = "https://github.com/pip-cache-lsp/pip-cache-lsp/blob/main/docs/rules/pip-no-cache-dir.md"
HADOLINT_CODE = "DL3042"
KICS_ID = "f2f903fb-b977-461e-98d7-b3e2185c6118"

_PIP = re.compile(r"pip(?:\d+(?:\.\d+)*)?")
_PYTHON = re.compile(r"python(?:\d+(?:\.\d+)*)?")
# pip's global options that take a value (``pip --log x install``).
_PIP_OPTIONS_WITH_VALUE = frozenset({
    "--python", "--log", "--log-file", "--proxy", "--retries", "--timeout", "--exists-action",
    "--trusted-host", "--cert", "--client-cert", "--cache-dir", "--use-feature", "--use-deprecated",
    "--keyring-provider", "--resume-retries", "--local-log",
})
_PYTHON_OPTIONS_WITH_VALUE = frozenset({"-W", "-X", "-Q"})
# pip's strtobool: any of these makes pip drop its cache (even the "false" ones).
_PIP_BOOLS = frozenset({"y", "yes", "t", "true", "on", "1", "n", "no", "f", "false", "off", "0"})


def disables_cache(value: object) -> bool:
    """Whether pip, seeing ``PIP_NO_CACHE_DIR=value``, runs without a cache."""
    return isinstance(value, str) and value.strip().lower() in _PIP_BOOLS


def is_no_cache_flag(word: str | None) -> bool:
    """``--no-cache-dir``, or an abbreviation optparse resolves to it uniquely."""
    return word is not None and len(word) >= len("--no-ca") and FLAG.startswith(word)


class PipNoCacheDir(Rule):
    """pip install, run with pip's cache on."""

    def may_run(self, text: str) -> bool:
        return spells(text, "pip")

    def may_match(self, name: str, source: str) -> bool:
        """The name can run pip (``pip``, ``pip3.12``, ``python3 -m pip``) and the text spells install.

        Most ``python`` commands (``python -c …``, ``python -m venv``) fail the second
        test, and their words are never decoded.
        """
        return (_PIP.fullmatch(name) is not None or _PYTHON.fullmatch(name) is not None) and spells(source, "install")

    def may_clean(self, name: str, source: str) -> bool:
        return (_PIP.fullmatch(name) is not None or _PYTHON.fullmatch(name) is not None) and spells(source, "purge")

    def cleanup(self, command: Command) -> Cleanup | None:
        """``pip cache purge`` empties the cache directory (``pip/_internal/commands/cache.py`` ``purge_cache``)."""
        words = [w.value for w in command.argv]
        i = _subcommand_index(command)
        return Cleanup(True) if i is not None and words[i:i + 2] == ["cache", "purge"] else None

    def match(self, command: Command) -> Match | None:
        argv = command.argv
        if not argv:
            return None
        exe = (argv[0].value or "").rsplit("/", 1)[-1]
        i = 1
        if _PYTHON.fullmatch(exe):
            while i < len(argv):
                value = argv[i].value or ""
                if value == "-m" or value == "-mpip":
                    if value == "-m" and (i + 1 >= len(argv) or argv[i + 1].value != "pip"):
                        return None
                    i += 2 if value == "-m" else 1
                    break
                if value.startswith("-m") or value == "-c" or not value.startswith("-"):
                    return None
                i += 2 if value in _PYTHON_OPTIONS_WITH_VALUE else 1
            else:
                return None
        elif not _PIP.fullmatch(exe):
            return None
        while i < len(argv) and (argv[i].value or "").startswith("-"):
            i += 2 if argv[i].value in _PIP_OPTIONS_WITH_VALUE else 1
        if i >= len(argv) or argv[i].value != "install":
            return None
        if any(is_no_cache_flag(w.value) for w in argv[1:]):
            return None
        install = argv[i]
        return Match(argv[0].start, install.end, install.end, _EXEC_INSERT if command.exec_form else _SHELL_INSERT)


def _subcommand_index(command: Command) -> int | None:
    """Where pip's subcommand is in ``pip [opts] SUB`` or ``python [opts] -m pip [opts] SUB``."""
    argv = command.argv
    if not argv:
        return None
    exe = (argv[0].value or "").rsplit("/", 1)[-1]
    i = 1
    if _PYTHON.fullmatch(exe):
        while i < len(argv) and (argv[i].value or "") not in ("-m", "-mpip"):
            i += 1
        if i >= len(argv):
            return None
        i += 2 if argv[i].value == "-m" else 1
    elif not _PIP.fullmatch(exe):
        return None
    while i < len(argv) and (argv[i].value or "").startswith("-"):
        i += 2 if argv[i].value in _PIP_OPTIONS_WITH_VALUE else 1
    return i if i < len(argv) else None


HELP = (
    "pip saves every package it downloads under ~/.cache/pip. In a docker build that directory becomes part "
    "of the RUN's layer, so the image ships a second copy of every package that nothing will read, and "
    "deleting it in a later layer does not shrink the image. Add --no-cache-dir after `install`, set "
    "PIP_NO_CACHE_DIR=1 in the stage, or mount a cache on pip's cache directory "
    "(RUN --mount=type=cache,target=/root/.cache/pip)."
)

RULE = PipNoCacheDir(
    code="pip-no-cache-dir",
    name="PipInstallWithoutNoCacheDir",
    summary="pip install without --no-cache-dir keeps pip's download cache in the image layer",
    message=("pip install without --no-cache-dir: pip's download cache stays in the image layer; "
             "add --no-cache-dir (or set PIP_NO_CACHE_DIR=1)"),
    help=HELP,
    docs_url=DOCS_URL,
    cache=Cache(off_variable="PIP_NO_CACHE_DIR", dir_variable="PIP_CACHE_DIR", subdir="pip",
                turns_off=disables_cache),
    fix_title="Add --no-cache-dir",
    fix_all_title="Add --no-cache-dir to every pip install",
    aliases=frozenset({HADOLINT_CODE.lower(), KICS_ID}),
    properties={"hadolint": HADOLINT_CODE, "kics": KICS_ID},
)
