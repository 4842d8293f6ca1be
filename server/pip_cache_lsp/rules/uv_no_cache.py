"""``uv-no-cache``: a uv command that fills uv's cache, run with the cache on, leaves it in the layer.

What uv itself does, with its source (astral-sh/uv):

* ``--no-cache`` (short ``-n``, hidden alias ``--no-cache-dir``) is a *global* clap
  argument, so it may stand before or after the subcommand
  (``crates/uv-cache/src/cli.rs`` ``CacheArgs``; the alias: PR #1380).  For
  ``uv run``, ``uv tool run`` and ``uvx`` everything after the command they run is
  that command's own (clap ``trailing_var_arg``, ``crates/uv-cli/src/lib.rs``
  ``RunArgs.command`` / ``ToolRunArgs.command``).
* ``UV_NO_CACHE`` is read with clap's ``BoolishValueParser``: ``y yes t true on 1``
  turn the cache off, ``n no f false off 0`` leave it ON (any case); anything else is
  an error and an empty value counts as unset -- the opposite of pip's
  ``PIP_NO_CACHE_DIR``.
* The cache is ``--cache-dir`` > ``UV_CACHE_DIR`` > ``$XDG_CACHE_HOME/uv`` >
  ``$HOME/.cache/uv`` on Linux (``CacheArgs`` doc comment, ``uv_dirs::user_cache_dir``).

Which commands fill the cache is in ``docs/rules/uv-no-cache.md``, each with the reason.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from pip_cache_lsp.rules import Cache, Cleanup, Match, OffFlag, Rule, spells

if TYPE_CHECKING:
    from pip_cache_lsp.shell import Command, Word

FLAG = "--no-cache"
DOCS_URL = "https://github.com/pip-cache-lsp/pip-cache-lsp/blob/main/docs/rules/uv-no-cache.md"
_TRUE = frozenset({"y", "yes", "t", "true", "on", "1"})  # clap's BoolishValueParser, true side
_PYTHON = re.compile(r"python(?:\d+(?:\.\d+)*t?)?")
_PYTHON_OPTIONS_WITH_VALUE = frozenset({"-W", "-X", "-Q"})
_NO_CACHE = frozenset({"--no-cache", "-n", "--no-cache-dir"})
_SHORT_FLAGS = re.compile(r"-[qvn]+")  # boolean short flags clap lets one group (``-qn``)
# quotes and backslashes may split it: then walk.  ``uv/`` is a directory (``…/uv/install.sh``), never the command.
# ``uv`` or ``uvx`` as a word: ``(?<![\w.-])uvx?(?![\w./-])``, searched from its literal (``re`` skips
# to an ``uv`` fast, where a leading lookbehind is tried at every character); see :func:`_names_uv`.
_UV_AT = re.compile(r"uvx?(?![\w./-])")
_WORD_CHARACTER = re.compile(r"[\w.-]")
# uv's options that take a value as the next word (an ``--opt=value`` word is one word).
_OPTIONS_WITH_VALUE = frozenset({
    "--cache-dir", "--directory", "--project", "--config-file", "--color", "--python-preference",
    "--allow-insecure-host", "--python", "-p", "--with", "-w", "--with-editable", "--with-requirements", "--from",
    "--index", "--index-url", "-i", "--extra-index-url", "--default-index", "--find-links", "-f", "--package",
    "--extra", "--group", "--only-group", "--no-group", "--env-file", "--resolution", "--prerelease",
    "--index-strategy", "--keyring-provider", "--exclude-newer", "--link-mode", "-C", "--config-setting",
    "--refresh-package", "--reinstall-package", "--upgrade-package", "-P", "--no-binary-package",
    "--no-build-package", "--no-install-package", "--requirement", "-r", "--constraint", "-c", "--override",
    "--build-constraint", "-b", "--target", "--prefix", "--output-file", "-o", "--python-platform",
    "--python-version", "--torch-backend", "--fork-strategy", "--emit-index-annotation", "--out-dir",
    "--wheel", "--sdist", "--script", "--only-dev", "--format", "--no-emit-package",
})
# Commands that fill uv's cache, by their words after ``uv``; the rule page says why each does.
_FILLS = frozenset({
    ("pip", "install"), ("pip", "sync"), ("pip", "compile"), ("sync",), ("add",), ("remove",), ("lock",),
    ("export",), ("build",), ("run",), ("tool", "install"), ("tool", "run"), ("tool", "upgrade"), ("venv",),
})
_GROUPS = frozenset({"pip", "tool", "cache", "python", "self", "auth"})  # commands with subcommands
_RUNS_A_COMMAND = frozenset({("run",), ("tool", "run")})


def disables_cache(value: object) -> bool:
    """Whether uv, seeing ``UV_NO_CACHE=value``, runs without a cache (clap's boolish parser)."""
    return isinstance(value, str) and value.lower() in _TRUE


def _names_uv(text: str) -> bool:
    """``uv`` or ``uvx`` as a word of ``text``: no word character, ``.`` or ``-`` before it."""
    for m in _UV_AT.finditer(text):
        at = m.start()
        if not at or _WORD_CHARACTER.match(text, at - 1) is None:
            return True
    return False


def _is_no_cache(value: str) -> bool:
    return value in _NO_CACHE or (_SHORT_FLAGS.fullmatch(value) is not None and "n" in value)


class UvNoCache(Rule):
    """A uv command that fills the cache, run with uv's cache on."""

    def may_run(self, text: str) -> bool:
        """``uv`` or ``uvx`` as a word (not ``uvicorn``, ``libuv``): most RUNs skip the shell walk."""
        if not spells(text, "uv"):
            return False
        if _names_uv(text):
            return True
        if "'" not in text and '"' not in text and "\\" not in text:
            return False
        if "$" in text or "\\u" in text:  # an expansion glued to it (``"$X"uv``), a JSON escape (``\\u0075v``)
            return True
        # quotes and backslashes removed, as the shell removes them from a word (``u'v'``, ``u\\v``):
        # most RUNs with quotes (``python -c 'import uvicorn'``) still name no uv
        return _names_uv(text.replace("\\", "").replace("'", "").replace('"', ""))

    def may_match(self, name: str, source: str) -> bool:
        return name in ("uv", "uvx") or (_PYTHON.fullmatch(name) is not None and spells(source, "uv"))

    def may_clean(self, name: str, source: str) -> bool:
        return self.may_match(name, source) and (spells(source, "clean") or spells(source, "clear")
                                                 or spells(source, "prune"))

    def cleanup(self, command: Command) -> Cleanup | None:
        """``uv cache clean`` (aliases ``uv cache clear``, ``uv clean``) with no package empties the cache.

        ``crates/uv-cli/src/lib.rs`` ``CacheCommand::Clean`` (``alias = "clear"``) and the
        hidden top-level ``Commands::Clean``; ``uv cache prune --ci`` removes pre-built
        wheels but keeps the ones uv built from source (``CacheCommand::Prune``, ``--ci``).
        """
        argv = command.argv
        exe = (argv[0].value or "").rsplit("/", 1)[-1] if argv else ""
        start = 1 if exe == "uv" else _after_python_m_uv(argv) if _PYTHON.fullmatch(exe) else None
        if start is None:
            return None
        words = [w.value for w in argv[start:] if not (w.value or "").startswith("-")]
        options = {w.value for w in argv[start:] if (w.value or "").startswith("-")}
        if words[:2] in (["cache", "clean"], ["cache", "clear"]) and len(words) == 2 or words == ["clean"]:
            return Cleanup(True)
        if words[:2] == ["cache", "prune"] and "--ci" in options:
            return Cleanup(False, "uv cache prune --ci keeps the wheels uv built from source")
        return None

    def match(self, command: Command) -> Match | None:
        read = _read(command)
        if read is None:
            return None
        key, last, flags = read
        if flags.no_cache or not _fills(key, flags):
            return None
        insert = f', "{FLAG}"' if command.exec_form else f" {FLAG}"
        return Match(command.argv[0].start, last.end, last.end, insert, cache_dir=flags.cache_dir)

    def off_flags(self, command: Command) -> tuple[OffFlag, ...]:
        """``--no-cache``, ``--no-cache-dir``, ``-n`` where clap reads them, of a command that fills the cache.

        In a group of short flags (``-qn``) only the ``n`` is the flag; a group written
        with quotes or inside an exec-form string is left alone (its letters' places
        are not plain to see).
        """
        read = _read(command)
        if read is None:
            return ()
        key, _, flags = read
        if not flags.no_cache or not _fills(key, flags):
            return ()
        out: list[OffFlag] = []
        argv = command.argv
        for i in flags.off:
            word = argv[i]
            value = word.value or ""
            start, end = word.start, word.end
            if value in _NO_CACHE or set(value[1:]) == {"n"}:
                out.append(OffFlag(i, start, end, True, value if value in _NO_CACHE else "-n"))
            elif end - start == len(value) and not command.exec_form:
                out.extend(OffFlag(i, start + k, start + k + 1, False, "-n") for k, c in enumerate(value) if c == "n")
            else:
                return ()
        return tuple(out)


def _read(command: Command) -> tuple[tuple[str, ...], Word, _Flags] | None:
    """uv's subcommand (its words), the last word of it, and what its options say; None if not one we know."""
    argv = command.argv
    if not argv:
        return None
    exe = (argv[0].value or "").rsplit("/", 1)[-1]
    if exe == "uvx":
        flags = _Flags()
        _read_options(command, 1, ("tool", "run"), flags)
        return ("tool", "run"), argv[0], flags
    start = 1 if exe == "uv" else _after_python_m_uv(argv) if _PYTHON.fullmatch(exe) else None
    if start is None:
        return None
    i = start
    path: list[str] = []
    last: Word | None = None
    before = _Flags()
    while i < len(argv):  # the subcommand's words, with uv's global options among them
        value = argv[i].value
        if value is None:
            return None  # a computed word where the subcommand goes: nothing we could judge
        if value.startswith("-"):
            i = before.read(argv, i)
            continue
        path.append(value)
        last = argv[i]
        i += 1
        if path[0] not in _GROUPS or len(path) == 2:
            break
    key = tuple(path)
    if last is None or key not in _FILLS:
        return None
    _read_options(command, i, key, before)
    return key, last, before


def _read_options(command: Command, i: int, key: tuple[str, ...], flags: _Flags) -> None:
    """Read uv's options after the subcommand into ``flags``."""
    argv = command.argv
    j = i
    if key in _RUNS_A_COMMAND:  # options until the command it runs; the rest are that command's own
        while j < len(argv) and (argv[j].value or "").startswith("-"):
            j = flags.read(argv, j)
    else:
        while j < len(argv):
            j = flags.read(argv, j) if (argv[j].value or "").startswith("-") else j + 1


class _Flags:
    """What uv's own options say about the cache: off, or moved by ``--cache-dir``."""

    __slots__ = ("no_cache", "cache_dir", "seen", "off")

    def __init__(self) -> None:
        self.no_cache = False
        self.off: list[int] = []  # the indexes of the words that turned it off
        self.cache_dir: str | None = None
        self.seen: set[str] = set()

    def read(self, argv: tuple[Word, ...], i: int) -> int:
        """Read the option at ``argv[i]``; the index of the next word to read."""
        value = argv[i].value or ""
        name, eq, inline = value.partition("=")
        self.seen.add(name)
        if _is_no_cache(value):
            self.no_cache = True
            self.off.append(i)
            return i + 1
        if name == "--cache-dir":
            if eq:
                self.cache_dir = inline
                return i + 1
            self.cache_dir = argv[i + 1].value if i + 1 < len(argv) else None
            return i + 2
        return i + 2 if not eq and value in _OPTIONS_WITH_VALUE else i + 1


def _fills(key: tuple[str, ...], flags: _Flags) -> bool:
    """The cases where a listed command still leaves the cache alone."""
    if key == ("venv",):
        return "--seed" in flags.seen  # only seeding installs packages (pip, setuptools) through the cache
    if key == ("export",):
        return "--frozen" not in flags.seen  # otherwise it locks first, as ``uv lock`` does
    if key == ("remove",):
        return not ("--frozen" in flags.seen and "--no-sync" in flags.seen)
    if key == ("run",) and ("--no-sync" in flags.seen or "--no-project" in flags.seen):
        # no project environment to sync; only ``--with`` requirements are installed (through the cache)
        return any(option.startswith("--with") or option == "-w" for option in flags.seen)
    return True


def _after_python_m_uv(argv: tuple[Word, ...]) -> int | None:
    """For ``python [opts] -m uv …``, the index after ``uv``; else None."""
    i = 1
    while i < len(argv):
        value = argv[i].value or ""
        if value == "-m":
            return i + 2 if i + 1 < len(argv) and argv[i + 1].value == "uv" else None
        if value == "-muv":
            return i + 1
        if value.startswith("-m") or value == "-c" or not value.startswith("-"):
            return None
        i += 2 if value in _PYTHON_OPTIONS_WITH_VALUE else 1
    return None


HELP = (
    "uv keeps every wheel it downloads or builds under ~/.cache/uv. In a docker build that directory becomes "
    "part of the RUN's layer, so the image ships a second copy of every package, and deleting it in a later "
    "layer does not shrink the image. Add --no-cache (uv's global option), set UV_NO_CACHE=1 in the stage, or "
    "mount a cache on uv's cache directory (RUN --mount=type=cache,target=/root/.cache/uv)."
)

RULE = UvNoCache(
    code="uv-no-cache",
    name="UvWithoutNoCache",
    summary="a uv command without --no-cache keeps uv's cache in the image layer",
    message="uv without --no-cache: uv's cache stays in the image layer; add --no-cache (or set UV_NO_CACHE=1)",
    help=HELP,
    docs_url=DOCS_URL,
    cache=Cache(off_variable="UV_NO_CACHE", dir_variable="UV_CACHE_DIR", subdir="uv", turns_off=disables_cache),
    fix_title="Add --no-cache",
    fix_all_title="Add --no-cache to every uv command",
    off_value="1",  # clap's BoolishValueParser reads "1" as true
)
