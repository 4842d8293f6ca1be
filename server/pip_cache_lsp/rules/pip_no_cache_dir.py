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

import functools
import re
from typing import TYPE_CHECKING

from pip_cache_lsp.rules import Cache, Cleanup, Match, OffFlag, Rule, spells

if TYPE_CHECKING:
    from pip_cache_lsp.shell import Command, Word

FLAG = "--no-cache-dir"
_SHELL_INSERT, _EXEC_INSERT = f" {FLAG}", f', "{FLAG}"'  # one string each, shared by every finding
DOCS_URL = "https://github.com/pip-cache-lsp/pip-cache-lsp/blob/main/docs/rules/pip-no-cache-dir.md"
HADOLINT_CODE = "DL3042"
KICS_ID = "f2f903fb-b977-461e-98d7-b3e2185c6118"

# ``pip``, ``pip3``, ``pip3.12``, RHEL's ``pip-3.9``; ``python3``, ``python3.13t`` (free-threaded).
_PIP = re.compile(r"pip(?:-?\d+(?:\.\d+)*)?")
_PYTHON = re.compile(r"python(?:\d+(?:\.\d+)*t?)?")
# pip's global options that take a value (``pip --log x install``).
_PIP_OPTIONS_WITH_VALUE = frozenset({
    "--python", "--log", "--log-file", "--proxy", "--retries", "--timeout", "--exists-action",
    "--trusted-host", "--cert", "--client-cert", "--cache-dir", "--use-feature", "--use-deprecated",
    "--keyring-provider", "--resume-retries", "--local-log",
})
_PYTHON_SHORT_WITH_VALUE = frozenset("WXQ")  # python's short options that take a value (``-W error``)
# pip's strtobool: any of these makes pip drop its cache (even the "false" ones).
_PIP_BOOLS = frozenset({"y", "yes", "t", "true", "on", "1", "n", "no", "f", "false", "off", "0"})
# Subcommands that fill the cache: install, download and wheel all resolve through it.
_FILLS = ("install", "download", "wheel")
_CONFIG_FILES = ("global", "site", "user")  # ``pip config --global|--site|--user``
_ISOLATED = "--isolated"
# A variable where a command's name goes (``$PIP install``, ``"${PIP}" install``, ``sudo $PIP …``): its
# value is only known to the stage, so such a RUN is read even when it never spells ``pip``.
_COMMAND_EXPANSION = re.compile(
    r"""(?:^(?i:onbuild[ \t]+)?(?i:run)(?:[ \t]+--\S+)*|[;&|(`\n]|\b(?:then|do|else|sudo|exec|eval|env))"""
    r"""[ \t]*"?\$\{?[A-Za-z_]\w*\}?"?[ \t]""")
# What :data:`_COMMAND_EXPANSION` ends with: searched first (a literal ``$`` starts it, which ``re``
# finds fast), and what comes before each match checked by hand (see :func:`_command_expansion`).
_NAME_EXPANSION = re.compile(r"""\$\{?[A-Za-z_]\w*\}?"?[ \t]""")
_BEFORE_NAME = ("then", "do", "else", "sudo", "exec", "eval", "env")
_KEYWORD_ENDS = "".join({keyword[-1] for keyword in _BEFORE_NAME})
_SEPARATOR_BEFORE_NAME = tuple(";&|(`\n")
RULE_MESSAGE = ("pip install without --no-cache-dir: pip's download cache stays in the image layer; "
                "add --no-cache-dir (or set PIP_NO_CACHE_DIR=1)")


@functools.lru_cache(maxsize=512)
def _kind(name: str) -> re.Pattern[str] | None:
    """Whether a command name is pip's (:data:`_PIP`) or python's (:data:`_PYTHON`); names repeat."""
    return _PIP if _PIP.fullmatch(name) else _PYTHON if _PYTHON.fullmatch(name) else None


def _command_expansion(text: str) -> bool:
    """``_COMMAND_EXPANSION.search(text) is not None``, at a fraction of its cost.

    The regex tries its alternatives (a separator or keyword before the name) at every
    offset of the text; here each ``$NAME`` followed by a blank is found first, then what
    stands before it (a ``"``, blanks) is stepped over backwards and the separator or
    keyword looked for there.  The start of the text (``RUN --flag $X``) is the regex's own.
    """
    if _COMMAND_EXPANSION.match(text) is not None:
        return True
    for m in _NAME_EXPANSION.finditer(text):
        at = m.start()
        if at and text[at - 1] == '"':
            at -= 1
        while at and text[at - 1] in " \t":
            at -= 1
        before = text[at - 1] if at else ""
        if before in _SEPARATOR_BEFORE_NAME:
            return True
        if before not in _KEYWORD_ENDS:  # most: ``=$X ``, ``/$X `` (at the start, "": no keyword either)
            continue
        for keyword in _BEFORE_NAME:  # ``\b`` before it: no word character (str.isalnum or ``_``)
            size = len(keyword)
            if text.endswith(keyword, 0, at) and (at == size or not _word_char(text[at - size - 1])):
                return True
    return False


def _word_char(char: str) -> bool:
    return char.isalnum() or char == "_"


def _runs_pip(name: str) -> bool:
    """A command name that runs pip or python."""
    return _kind(name) is not None


def disables_cache(value: object) -> bool:
    """Whether pip, seeing ``PIP_NO_CACHE_DIR=value``, runs without a cache."""
    return isinstance(value, str) and value.strip().lower() in _PIP_BOOLS


def is_no_cache_flag(word: str | None) -> bool:
    """``--no-cache-dir``, or an abbreviation optparse resolves to it uniquely."""
    return word is not None and len(word) >= len("--no-ca") and FLAG.startswith(word)


def _cache_dir_option(word: str) -> tuple[bool, str | None] | None:
    """``--cache-dir`` (or a unique prefix down to ``--ca``), with its ``=value`` if inline."""
    name, eq, value = word.partition("=")
    if len(name) >= len("--ca") and "--cache-dir".startswith(name):
        return bool(eq), value if eq else None
    return None


def environment_key(name: str) -> str | None:
    """The option an environment name sets: pip reads every ``PIP_`` name, the rest lower-cased.

    ``pip/_internal/configuration.py`` ``Configuration.get_environ_vars`` and
    ``_normalize_name`` (``_`` becomes ``-``): ``PIP_no_cache_dir`` is ``no-cache-dir``.
    """
    return name[4:].lower().replace("_", "-") if name.startswith("PIP_") else None


class PipNoCacheDir(Rule):
    """pip install (download, wheel), run with pip's cache on."""

    def may_run(self, text: str) -> bool:
        """The text spells pip, or a command's name is a variable (``$PIP install``)."""
        return spells(text, "pip") or ("$" in text and _command_expansion(text))

    def may_match(self, name: str, source: str) -> bool:
        """The name can run pip (``pip``, ``pip3.12``, ``python3 -m pip``) and the text spells a subcommand.

        Most ``python`` commands (``python -c …``, ``python -m venv``) fail the second
        test, and their words are never decoded.
        """
        return _runs_pip(name) and (spells(source, "install") or spells(source, "download")
                                    or spells(source, "wheel"))

    def may_clean(self, name: str, source: str) -> bool:
        return _runs_pip(name) and spells(source, "purge")

    def may_configure(self, name: str, source: str) -> bool:
        return _runs_pip(name) and spells(source, "config")

    def cleanup(self, command: Command) -> Cleanup | None:
        """``pip cache purge`` empties the cache directory (``pip/_internal/commands/cache.py`` ``purge_cache``)."""
        i = _subcommand_index(command)
        if i is None or command.argv[i].value != "cache" or i + 1 == len(command.argv):
            return None
        return Cleanup(True) if command.argv[i + 1].value == "purge" else None

    def configures(self, command: Command) -> tuple[str, str | None] | None:
        """``pip config [--global|--site|--user] set|unset SECTION.no-cache-dir [VALUE]``.

        ``pip/_internal/commands/configuration.py``: ``set_name_value``/``unset_name``;
        with no file option the user's file is written (``_determine_file``).  The key is
        read back lower-cased with ``_`` as ``-`` (``configuration.py`` ``_normalize_name``).
        """
        i = _subcommand_index(command)
        argv = command.argv
        if i is None or argv[i].value != "config":
            return None
        scope, words = "user", []
        for word in argv[i + 1:]:
            value = word.value
            if value is None:
                return None
            if value in ("--global", "--site", "--user"):
                scope = value[2:]
            elif not value.startswith("-"):
                words.append(value)
        if len(words) < 2 or words[0] not in ("set", "unset"):
            return None
        section, dot, option = words[1].partition(".")
        if not dot or option.lower().replace("_", "-") != "no-cache-dir":
            return None
        if words[0] == "set":
            return (f"{scope}/pip/{section}", words[2]) if len(words) >= 3 else None
        return f"{scope}/pip/{section}", None

    def off_flags(self, command: Command) -> tuple[OffFlag, ...]:
        """Every ``--no-cache-dir`` (or abbreviation) among pip's options of an install, download or wheel.

        Read as :meth:`match` reads them (an option's value is skipped, pip's ``--``
        ends them); the engine checks that without them the command matches.
        """
        argv = command.argv
        i = _subcommand_index(command)
        if i is None or argv[i].value not in _FILLS:
            return ()
        flags: list[OffFlag] = []
        j, options = 1, True
        while j < len(argv):
            word = argv[j]
            value = word.value
            j += 1
            if not value or value[0] != "-" or not options:
                continue
            if value == "--":
                options = j - 1 < i
            elif is_no_cache_flag(value):
                flags.append(OffFlag(j - 1, word.start, word.end, True, value))
            elif value.startswith("--ca") and (option := _cache_dir_option(value)) is not None:
                j += not option[0] and j < len(argv)
            elif value in _PIP_OPTIONS_WITH_VALUE:
                j += 1
        return tuple(flags)

    def match(self, command: Command) -> Match | None:
        argv = command.argv
        i = _subcommand_index(command)
        if i is None or argv[i].value not in _FILLS:
            return None
        subcommand = argv[i]
        off: bool | None = None  # what the command line last said: off, on (--cache-dir), nothing
        cache_dir: str | None = None
        on_at = 0  # where the last ``--cache-dir`` (with its value) ends
        isolated = False
        j, options = 1, True
        while j < len(argv):
            value = argv[j].value
            j += 1
            if not value or value[0] != "-" or not options:
                continue
            if value == "--":
                options = j - 1 < i  # pip's own ``--`` after the subcommand ends its options
                continue
            isolated = isolated or value == _ISOLATED  # ``pip/_internal/cli/main.py``: ``"--isolated" in cmd_args``
            if is_no_cache_flag(value):
                off = True
            elif value.startswith("--ca") and (option := _cache_dir_option(value)) is not None:
                inline, directory = option
                if not inline:
                    directory = argv[j].value if j < len(argv) else None
                    j += j < len(argv)
                # an empty directory is no cache (``pip/_internal/cache.py`` ``Cache``: ``cache_dir or None``)
                off, cache_dir, on_at = directory == "", directory, argv[j - 1].end
            elif value in _PIP_OPTIONS_WITH_VALUE:
                j += 1
        if off:
            return None
        name = subcommand.value or ""
        message = None if name == "install" else _MESSAGES[name]
        insert = _EXEC_INSERT if command.exec_form else _SHELL_INSERT
        if off is False:  # ``--cache-dir`` last: pip's command line wins over its environment and files;
            # the flag goes after it, for the last one wins (optparse)
            return Match(argv[0].start, subcommand.end, on_at, insert, cache_dir or None, message, True)
        end = subcommand.end  # mapped back through the source maps: once
        return Match(argv[0].start, end, end, insert, None, message, isolated,
                     _CONFIG_KEYS[isolated, name])


_MESSAGES = {name: RULE_MESSAGE.replace("pip install", f"pip {name}", 1) for name in _FILLS}
# The configuration keys that turn a subcommand's cache off: ``[global]`` and its own section, in
# each file pip reads (--isolated skips the user's file only).
_CONFIG_KEYS = {(isolated, name): tuple(f"{scope}/pip/{section}"
                                        for scope in (_CONFIG_FILES[:2] if isolated else _CONFIG_FILES)
                                        for section in ("global", name))
                for isolated in (False, True) for name in _FILLS}


def _start(argv: tuple[Word, ...]) -> int | None:
    """The index of pip's first word after ``pip`` or ``python [opts] -m pip``; None if not pip."""
    kind = _kind((argv[0].value or "").rsplit("/", 1)[-1])
    if kind is not _PYTHON:
        return 1 if kind is _PIP else None
    i = 1
    while i < len(argv):  # python's options: grouped short ones (``-Im pip``, ``-mpip``), ``-W x``
        value = argv[i].value or ""
        if not value.startswith("-") or value in ("-", "--"):
            return None
        i += 1
        if value.startswith("--"):
            i += value == "--check-hash-based-pycs"
            continue
        for k in range(1, len(value)):
            flag, rest = value[k], value[k + 1:]
            if flag == "c":
                return None
            if flag == "m":
                module = rest or (argv[i].value if i < len(argv) else None)
                return (i + (not rest)) if module == "pip" else None
            if flag in _PYTHON_SHORT_WITH_VALUE:
                i += not rest
                break
    return None


def _subcommand_index(command: Command) -> int | None:
    """Where pip's subcommand is in ``pip [opts] SUB`` or ``python [opts] -m pip [opts] SUB``."""
    argv = command.argv
    i = _start(argv) if argv else None
    if i is None:
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
    message=RULE_MESSAGE,
    help=HELP,
    docs_url=DOCS_URL,
    cache=Cache(off_variable="PIP_NO_CACHE_DIR", dir_variable="PIP_CACHE_DIR", subdir="pip",
                turns_off=disables_cache, key=environment_key, key_prefix="PIP_"),
    fix_title="Add --no-cache-dir",
    fix_all_title="Add --no-cache-dir to every pip install",
    aliases=frozenset({HADOLINT_CODE.lower(), KICS_ID}),
    properties={"hadolint": HADOLINT_CODE, "kics": KICS_ID},
    off_value="1",  # any strtobool value turns pip's cache off; "1" reads as what it does
)
