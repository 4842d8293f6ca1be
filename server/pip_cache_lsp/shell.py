"""Shell text -> the simple commands it runs, with exact word spans.

Shell text is read by tree-sitter-bash (see ``docs/design.md`` for why): it
is a real grammar, so quotes, ``&&``/``||``/``;``/``|``, subshells, command
substitutions, ``if``/``for`` bodies and comments come right for free, and it
is error-tolerant, so half-typed text in an editor still yields the commands
that are complete.  Scripts of simple commands only, most of them, take a faster
road (:mod:`simple_shell`) that reads the same words.  This module knows shell *syntax and execution*: which
words a command runs with (through ``sudo``, ``env``, ``xargs`` and friends),
which environment it sees (inline assignments, earlier ``export``), and which
strings are themselves scripts (``sh -c "…"``, a shell fed a heredoc).  It
knows nothing about pip.
"""

from __future__ import annotations

import dataclasses
import functools
import operator
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

from pip_cache_lsp.grammar import parse
from pip_cache_lsp.simple_shell import SimpleCommand, expanding, simple_commands, words
from pip_cache_lsp.sourcemap import SourceMap, TextBuilder
from pip_cache_lsp.words import (
    ANSI_C_SHELLS,
    DOUBLE_QUOTE_ESCAPABLE,
    VARIABLE,
    Template,
    ansi_c,
    decode_json,
    simple_parts,
    simple_template,
    unescape,
)

if TYPE_CHECKING:
    from tree_sitter import Node


SHELLS = frozenset({"sh", "bash", "dash", "ash", "zsh", "ksh", "mksh", "busybox"})
# Wrappers that run their operand as a command, and their options that take a value.
_WRAPPERS: dict[str, frozenset[str]] = {
    "sudo": frozenset({"-u", "-g", "-h", "-p", "-C", "-D", "-R", "-T", "-U", "-r", "-t", "--user", "--group"}),
    "doas": frozenset({"-u", "-C"}),
    "env": frozenset({"-u", "-C", "-S", "--unset", "--chdir", "--split-string"}),
    "nice": frozenset({"-n", "--adjustment"}),
    "ionice": frozenset({"-c", "-n", "-p", "-P", "-u", "--class", "--classdata"}),
    "time": frozenset({"-f", "-o", "--format", "--output"}),
    "xargs": frozenset({"-a", "-d", "-E", "-e", "-I", "-i", "-L", "-l", "-n", "-P", "-s", "--arg-file",
                        "--delimiter", "--max-args", "--max-procs", "--max-lines", "--max-chars"}),
    "nohup": frozenset(),
    "exec": frozenset({"-a"}),
    "command": frozenset(),
    "builtin": frozenset(),
    "stdbuf": frozenset({"-i", "-o", "-e"}),
    "timeout": frozenset({"-k", "-s", "--kill-after", "--signal"}),
    "chronic": frozenset(),
    "eatmydata": frozenset(),
    # run the command as another user: ``gosu USER cmd``, ``su-exec USER cmd``, ``runuser -u USER -- cmd``
    "gosu": frozenset(),
    "su-exec": frozenset(),
    "runuser": frozenset({"-u", "--user", "-g", "--group", "-G", "--supp-group", "-s", "--shell", "-w",
                          "--whitelist-environment"}),
    # ``TOOL [opts] run [opts] cmd``: the command runs in the tool's environment
    "conda": frozenset({"-n", "--name", "-p", "--prefix", "--cwd"}),
    "mamba": frozenset({"-n", "--name", "-p", "--prefix", "--cwd"}),
    "micromamba": frozenset({"-n", "--name", "-p", "--prefix", "--cwd", "-r", "--root-prefix", "-a", "--attach"}),
    "poetry": frozenset({"-C", "--directory", "-P", "--project"}),
    "pipenv": frozenset(),
    # read specially (see unwrap_env): ``find … -exec cmd {} ;``, ``eval word…``, ``su [-] [USER] -c cmd``
    "find": frozenset(),
    "eval": frozenset(),
    "su": frozenset(),
}
# Wrappers whose first operand is not the command (e.g. ``timeout 10 pip …``, ``gosu app pip …``).
_WRAPPER_OPERANDS = {"timeout": 1, "gosu": 1, "su-exec": 1}
_RUN_SUBCOMMAND = frozenset({"conda", "mamba", "micromamba", "poetry", "pipenv"})  # ``conda run cmd``
# Commands that run a string as a script, beside the shells' ``-c``: ``su -c``, ``runuser USER -c``, ``eval``.
SCRIPT_RUNNERS = frozenset({"su", "runuser", "eval"})
_RUNS_SCRIPTS = SHELLS | SCRIPT_RUNNERS  # the names shell_script_index or reads_script_from_stdin may accept
_FIND_EXEC = frozenset({"-exec", "-execdir", "-ok", "-okdir"})
_ASSIGNMENT = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)=(.*)", re.DOTALL)


Parts = tuple[tuple[str, bool], ...]  # a word's template: (text, split) -- unquoted expansions split


class Word:
    """A word's value (None when it holds an expansion) and its span in block offsets.

    The span is mapped back through the source maps only when asked for: a command
    has many words, and the rule needs the span of two of them at most.
    """

    __slots__ = ("value", "_start", "_end", "_map", "template")

    def __init__(self, value: str | None, start: int, end: int, smap: SourceMap | None = None,
                 template: Parts | None = None) -> None:
        self.value = value
        self._start, self._end, self._map = start, end, smap
        # For a word of simple expansions (``$PIP``, ``"${V:-x}"y``): its parts as (text, split),
        # the variables the script knows already substituted; the stage expands the rest.
        self.template = template

    @property
    def start(self) -> int:
        return self._map.start(self._start) if self._map is not None else self._start

    @property
    def end(self) -> int:
        return self._map.end(self._end) if self._map is not None else self._end

    def __repr__(self) -> str:
        return f"Word({self.value!r}, {self.start}, {self.end})"


@dataclass(slots=True)
class Command:
    """A simple command as it runs: its argv after wrappers, and the environment it adds.

    ``env`` maps a variable to the value this command's environment gives it on
    top of the instruction's (``""`` when unset).  ``exec_form`` commands are
    JSON array elements: an insertion must be a new element, not a new word.
    Never changed once built (:func:`dataclasses.replace` makes another), but not
    ``frozen``: its ``__init__`` would set each field through ``object.__setattr__``,
    for every command the walk reads.
    """

    argv: tuple[Word, ...]
    env: dict[str, str | None]
    exec_form: bool = False
    runs_always: bool | Callable[[], bool] = True  # see :attr:`always`; a callable is asked when needed
    assigned: dict[str, str | None] = dataclasses.field(default_factory=dict)  # shell variables, not exported
    # The inherited environment's names that reach the command when a wrapper clears or resets
    # it (``env -i``, ``sudo``); None: all of them.  ``env`` then holds only what is set after.
    kept: frozenset[str] | None = None
    # The script came out of an unquoted word (``sh -c pip\\ install\\ x``): a blank inserted into
    # it must be escaped, or the outer shell splits the word there.
    escape_blanks: bool = False

    @property
    def always(self) -> bool:
        """Whether it runs whenever the script gets past the command before it (not after ``||``, no pipe).

        Only cleanups ask, so the grammar path's walk up the tree happens for those alone.
        """
        runs = self.runs_always
        return runs if isinstance(runs, bool) else runs()


def basename(word: Word) -> str:
    return (word.value or "").rsplit("/", 1)[-1]


Wanted = Callable[[str, str], bool]


def commands_in_script(text: str, smap: SourceMap, env: dict[str, str | None] | None = None,
                       wanted: Wanted | None = None, kept: frozenset[str] | None = None,
                       escape_blanks: bool = False, positional: tuple[str, ...] | None = None,
                       bash: bool = False) -> Iterator[Command]:
    """The simple commands of a shell script, in source order, nested scripts included.

    With ``wanted``, only commands it accepts by their name and their source text (and
    wrappers and shells, which may run such a command) are reported; the words of the
    others are never decoded, which is most of the walk's cost.  ``bash``: the shell
    reading the script decodes ``$'…'`` (:data:`~pip_cache_lsp.words.ANSI_C_SHELLS`);
    else it is read as dash reads it.
    """
    walker = _Walker(text, smap, dict(env or {}), wanted, kept)
    walker.escape_blanks = escape_blanks
    walker.positional = positional
    walker.bash = bash
    return walker.run()


def commands_in_exec(argv: list[tuple[str, int, int, str]], smap: SourceMap,
                     wanted: Wanted | None = None) -> Iterator[Command]:
    """The commands of an exec-form array: the array itself, or the script it hands a shell.

    Each element is ``(value, token_start, token_end, raw)`` in ``smap``'s
    derived offsets; ``raw`` is the JSON text between the quotes.
    """
    words = tuple(Word(v, s, e, smap) for v, s, e, _ in argv)
    env, run, kept = unwrap_env(words)
    yield Command(run, env, exec_form=True, kept=kept)
    script_at = shell_script_index(run)
    if script_at is not None:
        index = words.index(run[script_at])
        _, start, _, raw = argv[index]
        script, script_map = decode_json(raw, start + 1, smap)
        args = tuple(w.value for w in run[script_at + 2:])
        yield from commands_in_script(script, script_map, env, wanted, kept, False,
                                      None if None in args else cast("tuple[str, ...]", args), decodes_ansi_c(run))


def unwrap(words: tuple[Word, ...]) -> tuple[dict[str, str | None], tuple[Word, ...]]:
    """Strip leading assignments and wrapper commands; return the added env and the real argv."""
    env, argv, _ = unwrap_env(words)
    return env, argv


def unwrap_env(words: tuple[Word, ...]) -> tuple[dict[str, str | None], tuple[Word, ...], frozenset[str] | None]:
    """:func:`unwrap`, and which inherited names still reach the command (None: every one).

    ``env -i`` (``-``, ``--ignore-environment``) starts from an empty environment (coreutils
    ``env``); ``sudo`` resets it (sudoers ``env_reset``, on by default: ``PIP_*`` and
    ``UV_*`` are not in ``env_keep``) unless ``-E``/``--preserve-env`` keeps all of it or
    ``--preserve-env=A,B`` those names; ``doas`` resets it unless doas.conf says ``keepenv``.
    Assignments written after the reset (``env -i A=1 pip``, ``sudo A=1 pip``) reach the command.
    """
    if words:  # the common case: the first word is the command (no assignment, no wrapper)
        first = words[0].value or ""
        if "=" not in first and first.rsplit("/", 1)[-1] not in _WRAPPERS:
            return {}, words, None
    env: dict[str, str | None] = {}
    kept: frozenset[str] | None = None
    i = 0
    while i < len(words):
        value = words[i].value
        m = _ASSIGNMENT.fullmatch(value or "")
        if m:
            env[m.group(1)] = m.group(2)
            i += 1
            continue
        name = basename(words[i])
        takes_value = _WRAPPERS.get(name)
        if takes_value is None:
            break
        if name in _SPECIAL:
            found = _SPECIAL[name](words, i)
            if found is None:
                break
            i, end = found
            words = words[:end]
            continue
        i += 1
        reset = name in ("sudo", "doas")
        preserved: frozenset[str] | None = frozenset()
        while i < len(words):
            opt = words[i].value or ""
            if opt == "--":
                i += 1
                break
            if name == "env" and _ASSIGNMENT.fullmatch(opt):
                break
            if name == "env" and opt in ("-", "--ignore-environment"):
                reset = True
            if not opt.startswith("-") or opt == "-":
                i += opt == "-"
                break
            if name == "env" and opt in ("-u", "--unset") and i + 1 < len(words):
                env[words[i + 1].value or ""] = ""
            elif name == "env" and opt[1:2] != "-":  # grouped short options: ``-i``, ``-iu NAME``, ``-uNAME``
                for k, flag in enumerate(opt[1:], 2):
                    reset = reset or flag == "i"
                    if flag in "uCS":
                        operand = opt[k:] or (words[i + 1].value if i + 1 < len(words) else None)
                        if flag == "u":
                            env[operand or ""] = ""
                        i += not opt[k:]
                        break
            elif name == "sudo":
                if opt == "--preserve-env" or (opt[1:2] != "-" and "E" in opt):
                    preserved = None
                elif opt.startswith("--preserve-env=") and preserved is not None:
                    preserved |= frozenset(opt.partition("=")[2].split(","))
            i += 2 if opt in takes_value else 1
        if reset and not (name == "sudo" and preserved is None):
            env = {k: v for k, v in env.items() if preserved is not None and k in preserved}
            kept = (preserved or frozenset()) if kept is None else kept & (preserved or frozenset())
        i += _WRAPPER_OPERANDS.get(name, 0)
    return env, words[i:], kept


def _find_exec(words: tuple[Word, ...], i: int) -> tuple[int, int] | None:
    """``find … -exec cmd {} ;`` (``-execdir``, ``-ok``, ``-okdir``; ``+`` ends it too): cmd's words.

    find(1) runs the command once per file found (or once for all with ``+``).
    """
    values = [w.value for w in words]
    for k in range(i + 1, len(words)):
        if values[k] in _FIND_EXEC:
            end = next((e for e in range(k + 1, len(words)) if values[e] in (";", "+")), len(words))
            return k + 1, end
    return None


def _eval(words: tuple[Word, ...], i: int) -> tuple[int, int] | None:
    """``eval a b c`` runs ``a b c``; a single operand is a script (:func:`shell_script_index`)."""
    return (i + 1, len(words)) if len(words) - i > 2 else None


def _run_subcommand(words: tuple[Word, ...], i: int) -> tuple[int, int] | None:
    """``conda run [-n env] cmd``, ``mamba run``, ``micromamba run``, ``poetry run``, ``pipenv run``."""
    takes_value = _WRAPPERS[basename(words[i])]
    j = i + 1
    while j < len(words) and (words[j].value or "").startswith("-"):  # the tool's own options first
        j += 2 if words[j].value in takes_value else 1
    if j >= len(words) or words[j].value != "run":
        return None
    return _after_options(words, j + 1, takes_value)


def _runuser(words: tuple[Word, ...], i: int) -> tuple[int, int] | None:
    """``runuser -u USER [--] cmd`` runs cmd; without ``-u`` it is ``su`` (a ``-c`` script)."""
    if not any(w.value in ("-u", "--user") or (w.value or "").startswith("--user=") for w in words[i + 1:]):
        return None
    return _after_options(words, i + 1, _WRAPPERS["runuser"])


def _after_options(words: tuple[Word, ...], j: int, takes_value: frozenset[str]) -> tuple[int, int]:
    """Where the command starts after a wrapper's options (``--`` ends them), and where it ends."""
    while j < len(words):
        opt = words[j].value or ""
        if opt == "--":
            return j + 1, len(words)
        if not opt.startswith("-"):
            break
        j += 2 if opt in takes_value else 1
    return j, len(words)


def _not_a_wrapper(words: tuple[Word, ...], i: int) -> tuple[int, int] | None:
    return None


_SPECIAL: dict[str, Callable[[tuple[Word, ...], int], tuple[int, int] | None]] = {
    "find": _find_exec, "eval": _eval, "runuser": _runuser, "su": _not_a_wrapper,
    **dict.fromkeys(_RUN_SUBCOMMAND, _run_subcommand),
}


def login_resets(argv: tuple[Word, ...]) -> bool:
    """``su -`` / ``-l`` / ``--login`` (and runuser's) start from a clean environment (util-linux su(1))."""
    return bool(argv) and basename(argv[0]) in ("su", "runuser") and any(
        w.value in ("-", "-l", "--login") for w in argv[1:])


def expand_argv(argv: tuple[Word, ...], expand: Callable[[str], str | None]) -> tuple[Word, ...]:
    """``argv`` with its templated words expanded by ``expand`` (the stage's ENV and ARG) and split.

    An unquoted expansion's value is split into fields at blanks (bash manual, 3.5.7 Word
    Splitting, default IFS); each field keeps the word's span, so an insertion after it lands
    after the word.  A word whose value stays unknown is kept as it was (value None).
    """
    out: list[Word] = []
    for word in argv:
        fields = _fields(word.template, expand) if word.value is None and word.template is not None else None
        if fields is None:
            out.append(word)
        else:
            out.extend(Word(field, word._start, word._end, word._map) for field in fields)
    return tuple(out)


def _fields(parts: Parts, expand: Callable[[str], str | None]) -> list[str] | None:
    fields: list[str] = []
    current, started = "", False
    for text, split in parts:
        value = expand(text) if "$" in text else text
        if value is None:
            return None
        if not split:
            current, started = current + value, True
            continue
        for k, piece in enumerate(re.split(r"[ \t\n]+", value)):
            if k > 0 and started:
                fields.append(current)
                current, started = "", False
            if piece:
                current, started = current + piece, True
    if started:
        fields.append(current)
    return fields


def shell_script_index(argv: tuple[Word, ...]) -> int | None:
    """For ``sh [opts] -c SCRIPT``, the index of SCRIPT in ``argv``; else None.

    Also ``su [opts] [USER] -c SCRIPT`` (``--command SCRIPT``; runuser alike: util-linux
    su(1) hands SCRIPT to the user's shell with ``-c``) and ``eval SCRIPT`` (bash manual,
    4.1 Bourne Shell Builtins).
    """
    if not argv:
        return None
    name = basename(argv[0])
    if name in SCRIPT_RUNNERS:
        if name == "eval":
            return 1 if len(argv) == 2 else None
        values = [w.value for w in argv]
        for k in range(1, len(argv) - 1):
            if values[k] in ("-c", "--command"):
                return k + 1
        return None
    if name not in SHELLS:
        return None
    has_c = False
    i = 1
    if basename(argv[0]) == "busybox":
        if len(argv) < 2 or (argv[1].value or "") not in SHELLS:
            return None
        i = 2
    while i < len(argv):
        opt = argv[i].value or ""
        if opt in ("-o", "+o", "-O", "+O"):
            i += 2
            continue
        if opt == "--":
            i += 1
            break
        if opt.startswith("--"):
            i += 1
            continue
        if len(opt) > 1 and opt[0] in "-+":
            has_c = has_c or "c" in opt[1:]
            i += 1
            continue
        break
    return i if has_c and i < len(argv) else None


def reads_script_from_stdin(argv: tuple[Word, ...]) -> bool:
    """A shell with no ``-c`` and no script file runs what its stdin (a heredoc) holds."""
    return stdin_script_args(argv) is not None


def stdin_script_args(argv: tuple[Word, ...]) -> tuple[Word, ...] | None:
    """For a shell that runs its stdin as the script, its positional parameters; else None.

    bash manual, 6.1 Invoking Bash (dash(1) alike): ``-s``, or no operand left after the
    options, reads the commands from stdin, and the operands after ``-s`` are ``$1``…
    (``sh -s -- a b <<EOF``); ``-c`` runs its operand instead, and a first operand without
    ``-s`` is a script file.  ``-o``/``-O`` take a value; ``--`` and ``-`` end the options.
    """
    if not argv:
        return None
    name, i = basename(argv[0]), 1
    if name == "busybox":
        if len(argv) < 2 or (argv[1].value or "") not in SHELLS:
            return None
        i = 2
    elif name not in SHELLS:
        return None
    stdin = False
    while i < len(argv):
        opt = argv[i].value
        if opt is None:
            break
        if opt in ("-o", "+o", "-O", "+O"):
            i += 2
            continue
        if opt in ("--", "-"):
            i += 1
            break
        if opt.startswith("--"):
            i += 1
            continue
        if len(opt) > 1 and opt[0] in "-+":
            if "c" in opt[1:]:
                return None
            stdin = stdin or "s" in opt[1:]
            i += 1
            continue
        break
    return argv[i:] if stdin or i >= len(argv) else None


def decodes_ansi_c(argv: tuple[Word, ...]) -> bool:
    """Whether the shell ``argv`` runs decodes ``$'…'`` in its script (bash, not dash)."""
    return bool(argv) and basename(argv[0]) in ANSI_C_SHELLS  # ``busybox sh``: its sh is ash


_NO_VARIABLES: dict[str, str | None] = {}  # a fast-path walker's shell variables: none, never written


def _no_stdin_scripts() -> tuple[()]:
    return ()  # the fast path reads no heredoc: a shell there reads no script from its stdin


class _Walker:
    """Walks one script, keeping its exported environment in order.

    A script of simple commands only is read by :mod:`simple_shell`'s regex; any
    other by tree-sitter-bash, whose tree is walked node by node.
    """

    def __init__(self, text: str, smap: SourceMap, env: dict[str, str | None],
                 wanted: Wanted | None = None, kept: frozenset[str] | None = None) -> None:
        self.wanted = wanted
        self.kept = kept  # the names of the RUN's environment that reach this script (see Command.kept)
        self.escape_blanks = False  # see Command.escape_blanks
        # ``sh -c SCRIPT NAME ARG…``: the ARGs are $1… and "$@" (None: unknown, as for a top-level script)
        self.positional: tuple[str, ...] | None = None
        self.bash = False  # the shell reading this script decodes $'…' (bash), or reads it as dash does
        self.depth = 0  # $(…) nested around the node being walked
        self.text = text
        self.smap = smap
        self.env = env  # exported variables so far
        # The fast path assigns nothing: it reads these empty class defaults; run() gives the
        # grammar path its own (a walker per script, most of them on the fast path).
        self.shell_vars: dict[str, str | None] = _NO_VARIABLES

    # What the grammar path's walk keeps, made in run(): see there.
    exported: set[str]
    allexport: bool
    functions: dict[str, Node]
    piped: set[int]
    redirects: dict[int, Node]
    substitutions: bool
    background: bool
    sets: bool
    scoped: bool
    char_at: Callable[[int], int]

    def run(self) -> Iterator[Command]:
        """The script's commands, lazily: the fast path's or the grammar walk's iterator itself."""
        text = self.text
        simple = simple_commands(text)
        if simple is not None:
            return self._simple(simple)
        self.shell_vars = {}
        self.exported = set()  # ``export NAME`` before NAME has a value
        self.allexport = False  # ``set -a`` / ``set -o allexport``: every assignment is exported
        self.functions = {}  # defined so far: a call runs the body in this shell
        self.piped = set()  # ids of the nodes walked that are elements of a pipeline
        self.redirects = {}  # a command's id -> the redirected_statement of its redirects
        self.char_at = operator.index  # byte offset -> character offset, below
        # Most scripts hold no $(…), `…`, <(…) or >(…): then no word needs searching for one.
        self.substitutions = "$(" in text or "`" in text or "<(" in text or ">(" in text
        # What only some scripts hold, so that the walk of the others pays nothing for it:
        # a lone ``&`` (a background job), ``set`` (set -a), a function definition.
        self.background = "&" in text.replace("&&", "").replace(">&", "").replace("&>", "")
        self.sets = "set" in text
        self.scoped = self.background or "(" in text or "|" in text or "`" in text
        data = self.text.encode("utf-8", "surrogatepass")
        if len(data) != len(self.text):  # byte offset -> character offset; the identity for ASCII
            self.char_at = _byte_to_char(self.text)
        return self._visit(parse(data))

    def _simple(self, commands: list[SimpleCommand]) -> Iterator[Command]:
        """The fast path: no redirect to read, no assignment, no expansion but of a variable."""
        for start, end, name, always in commands:
            if "$" not in name:
                if not self._worth_reading(name, start, end):
                    continue
                argv = self._simple_words(start, end)
            else:  # perhaps a computed name (``$PIP install``): read when simple, as the grammar does
                argv = self._simple_words(start, end)
                value = argv[0].value
                if value is not None:
                    if not self._worth_reading(value, start, end):
                        continue
                elif argv[0].template is None and self.wanted is not None:
                    continue
            command = self._command_of(argv, {}, always)  # _run, without a generator of its own
            yield command
            if command.argv and basename(command.argv[0]) in _RUNS_SCRIPTS:
                yield from self._nested(command, self._simple_script, _no_stdin_scripts, always)

    def _simple_words(self, start: int, end: int) -> list[Word]:
        """The words of the fast path's command at ``text[start:end]``; one with an expansion is templated."""
        text, smap = self.text, self.smap
        if "$" not in text:  # most scripts
            command = text[start:end]
            if "'" in command or '"' in command or "<" in command or ">" in command:
                return [Word(value, s, e, smap) for s, e, value in words(text, start, end)]
            out = []  # blanks alone split: words()'s plain case, each span found once
            for value in command.split():
                start = text.find(value, start)
                out.append(Word(value, start, start + len(value), smap))
                start += len(value)
            return out
        return [Word(value, s, e, smap) if "$" not in value or not expanding(text[s:e])
                else Word(None, s, e, smap, self._resolved(simple_template(text[s:e])))
                for s, e, value in words(text, start, end)]

    def _simple_script(self, word: Word) -> tuple[str, SourceMap] | None:
        builder = TextBuilder()
        for part, at in simple_parts(self.text, word._start, word._end):
            builder.add(part, at)
        return builder.build(self.smap)

    def _worth_reading(self, name: str, start: int, end: int) -> bool:
        """Whether the command named ``name`` at ``text[start:end]`` may be one the caller wants.

        Wrappers and shells always are: they may run such a command.
        """
        if self.wanted is None:
            return True
        base = name.rsplit("/", 1)[-1]
        if base == "find":  # long, and common (``find … -exec rm {} +``): only when it runs a wanted command
            source = self.text[start:end]
            at = max(source.find("-exec"), source.find("-ok"))
            after = source[at:].split(None, 2) if at >= 0 else []
            return len(after) >= 2 and self._worth_reading(after[1].strip("'\""), start, end)
        return base in _WRAPPERS or base in SHELLS or self.wanted(base, self.text[start:end])

    def _run(self, argv: list[Word], inline: dict[str, str | None],
             script_of: Callable[[Word], tuple[str, SourceMap] | None],
             stdin_scripts: Callable[[], Iterable[tuple[str, SourceMap, bool]]],
             always: bool | Callable[[], bool]) -> Iterator[Command]:
        """The command ``argv`` runs, then the scripts it hands a shell, for both readers.

        ``script_of`` decodes a ``sh -c`` operand with its source map; ``stdin_scripts``
        gives the heredoc bodies a shell reading stdin runs.  A nested script's commands
        run only when the shell that runs them does.
        """
        command = self._command_of(argv, inline, always)
        yield command
        if command.argv and basename(command.argv[0]) in _RUNS_SCRIPTS:  # most have no script of their own
            yield from self._nested(command, script_of, stdin_scripts, always)

    def _nested(self, command: Command, script_of: Callable[[Word], tuple[str, SourceMap] | None],
                stdin_scripts: Callable[[], Iterable[tuple[str, SourceMap, bool]]],
                always: bool | Callable[[], bool]) -> Iterator[Command]:
        """The commands of the script a shell or script runner ``command`` runs (see :meth:`_run`)."""
        nested: Iterable[Command] = ()
        script_at = shell_script_index(command.argv)
        if script_at is not None:
            script = script_of(command.argv[script_at])
            if script is not None:
                env, kept = command.env, command.kept
                if login_resets(command.argv):  # ``su - app -c …``: a login shell's clean environment
                    env, kept = {}, frozenset()
                word = command.argv[script_at]
                raw = self.text[word._start : word._end]
                escape = self.escape_blanks or ("'" not in raw and '"' not in raw and "\\" in raw)
                args = tuple(w.value for w in command.argv[script_at + 2:])  # after $0 (bash manual, 6.1)
                positional = None if None in args else cast("tuple[str, ...]", args)
                # eval runs its string in this shell; su and runuser in the user's, read as sh
                bash = self.bash if basename(command.argv[0]) == "eval" else decodes_ansi_c(command.argv)
                nested = commands_in_script(*script, env, self.wanted, kept, escape, positional, bash)
        elif (operands := stdin_script_args(command.argv)) is not None:
            args = tuple(w.value for w in operands)
            positional = None if None in args else cast("tuple[str, ...]", args)
            bash = decodes_ansi_c(command.argv)
            # an unquoted delimiter: this shell expands ``$1``, ``"$@"`` in the body first, with its own
            nested = (c for body, body_map, expanded in stdin_scripts()
                      for c in commands_in_script(body, body_map, command.env, self.wanted, command.kept, False,
                                                  self.positional if expanded else positional, bash))
        for inner in nested:  # a nested command runs always only if its shell does
            yield inner if always is True else dataclasses.replace(
                inner, runs_always=_Once(functools.partial(_both, command, inner)))

    def _command_of(self, words: list[Word], inline: dict[str, str | None],
                    always: bool | Callable[[], bool] = True) -> Command:
        """The command ``words`` run: wrappers and assignments stripped, environment merged."""
        wrapped_env, argv, kept = unwrap_env(tuple(words))
        assigned = {k: v for k, v in self.shell_vars.items() if k not in self.env} if self.shell_vars else {}
        if kept is None:  # by position: every command the walk reads is built here
            return Command(argv, {**self.env, **inline, **wrapped_env}, False, always, assigned, self.kept,
                           self.escape_blanks)
        # a wrapper cleared or reset the environment: only the names it keeps get through
        env = {k: v for k, v in {**self.env, **inline}.items() if k in kept}
        kept = kept if self.kept is None else kept & self.kept
        return Command(argv, {**env, **wrapped_env}, runs_always=always, assigned={}, kept=kept,
                       escape_blanks=self.escape_blanks)

    def _visit(self, root: Node) -> Iterator[Command]:
        # Pre-order with an explicit stack: ``a && b && ...`` nests one level per operator.
        # A node that runs in a child process (or may never run) gets a snapshot of the
        # variables pushed under its children, restored when the walk leaves it.
        stack: list[Node | _Scope] = [root]
        scoped, piped, background = self.scoped, self.piped, self.background  # piped: filled as the walk goes
        while stack:
            node = stack.pop()
            if isinstance(node, _Scope):
                self.env, self.shell_vars, self.exported, self.allexport = node.state
                continue
            kind = node.type
            if kind == "function_definition" and (fname := node.child_by_field_name("name")) is not None:
                body = node.child_by_field_name("body")
                if body is not None:
                    self.functions[self._text(fname)] = body
            if scoped and (kind in _OWN_PROCESS or (piped and node.id in piped)
                           or (background and _backgrounded(node))):  # see _OWN_PROCESS
                stack.append(_Scope((dict(self.env), dict(self.shell_vars), set(self.exported), self.allexport)))
            if kind == "command":
                yield from self._command(node)
            elif kind == "declaration_command":
                yield from self._visit_substitutions(node)
                self._declaration(node)
            elif kind == "unset_command" and node.children[0].type == "unset":  # not csh's unsetenv
                for child in node.named_children:
                    name = self._value(child)
                    if name:
                        self.env[name] = ""
                        self.shell_vars.pop(name, None)
            # an assignment alone (``A=1``; ``A=1 pip`` is a command's, and the walk never stacks a
            # command's children): asking ``node.parent`` would be a descent from the root
            elif kind == "variable_assignment":
                yield from self._visit_substitutions(node)
                name, value = self._assignment(node)
                self._assign(name, value, False)
            elif kind not in ("comment", "heredoc_body", "string_content", "raw_string", "word"):
                children = node.named_children
                if kind == "pipeline":
                    self.piped.update(child.id for child in children)
                elif kind == "redirected_statement":
                    self._note_redirects(node)
                stack.extend(reversed(children))

    def _note_redirects(self, statement: Node) -> None:
        """Remember which command ``statement``'s redirects follow (see :meth:`_redirected`).

        Found from above as the walk passes: from below, each ``node.parent`` is a descent from
        the root, and a command's redirects are asked for up to four times.
        """
        node = statement.child_by_field_name("body")
        while node is not None and node.type in ("list", "pipeline", "negated_command"):
            node = node.named_children[-1]
        if node is not None and node.type == "command":
            self.redirects[node.id] = statement

    def _redirected(self, command: Node) -> Node | None:
        """The ``redirected_statement`` whose redirects follow ``command``, if any.

        Its parent, usually; but tree-sitter-bash hangs the redirect of ``a && b >x`` on the
        whole list, where bash gives it to ``b``: then it is the ancestor whose body
        ``command`` ends.  ``tests/unit/test_shell.py`` holds it to that walk up the tree.
        """
        return self.redirects.get(command.id) if self.redirects else None

    def _called_function(self, name: Node | None) -> Node | None:
        if not self.functions:
            return None
        return self.functions.get(self._text(name)) if name is not None else None

    def _set_options(self, node: Node, name: Node | None) -> None:
        """``set -a`` / ``set -o allexport`` (and ``+a``, ``+o``): bash manual, 4.3.1 The Set Builtin."""
        if name is None or self._text(name) != "set":
            return
        args = [self._text(c) for c in node.named_children[1:]]
        for i, arg in enumerate(args):
            if arg[:1] in "-+" and arg[1:2] != "o" and "a" in arg[1:]:
                self.allexport = arg[0] == "-"
            elif arg in ("-o", "+o") and i + 1 < len(args) and args[i + 1] == "allexport":
                self.allexport = arg == "-o"

    def _skipped(self, node: Node, name: Node | None) -> bool:
        if self.wanted is None:
            return False
        value = self._value(_word_node(name)) if name is not None else None
        if value is None:  # a computed name: judged by the stage when it is simple (``$PIP``)
            return name is not None and self._word_template(_word_node(name)) is None
        redirected = self._redirected(node)  # words after a redirect are filed under it: ``pip >log install x``
        end = (redirected or node).end_byte
        return not self._worth_reading(value, self.char_at(node.start_byte), self.char_at(end))

    def _command(self, node: Node) -> Iterator[Command]:
        children = node.named_children
        name_node = node.child_by_field_name("name")  # asked once: each ask is a search of the children
        if self.sets:
            self._set_options(node, name_node)
        called = self._called_function(name_node)
        if called is not None:  # the body runs here, in this shell: its exports count
            self.functions.pop(self._text(name_node or node), None)  # no recursion
            for _ in self._visit(called):  # its commands were reported where it is defined
                pass
            return
        if self._skipped(node, name_node):
            if self.substitutions:
                for child in children:
                    if child.type != "word":  # a plain word holds no $(…)
                        yield from self._visit_substitutions(child)
            return
        inline: dict[str, str | None] = {}
        words: list[Word] = []
        for child in children:
            kind = child.type
            if kind == "word":
                words.append(self._word(child))
                continue
            if kind == "variable_assignment":
                name, value = self._assignment(child)
                inline[name] = value
            elif kind not in _REDIRECTS:
                words.append(self._word(_word_node(child)))
            if self.substitutions:
                yield from self._visit_substitutions(child)
        if children and children[-1].type == "number" and self._descriptor(node, children[-1]):
            words.pop()
        words.extend(self._words_after_redirects(node))
        yield from self._run(words, inline, functools.partial(self._script_of, node),
                             functools.partial(self._heredoc_scripts, node), _Once(functools.partial(_always, node)))

    def _script_of(self, command: Node, word: Word) -> tuple[str, SourceMap] | None:
        arg_node = self._node_of(command, word)
        return self._decode(arg_node) if arg_node is not None else None

    def _heredoc_scripts(self, command: Node) -> Iterator[tuple[str, SourceMap, bool]]:
        """The script a shell reading stdin gets, and whether this shell expanded it first.

        A heredoc's body is expanded when no part of its delimiter is quoted (bash manual,
        3.6.6 Here Documents).
        """
        redirected = self._redirected(command)
        if redirected is None:
            piped = self._piped_script(command)
            if piped is not None:
                yield (*piped, False)
            return
        # stdin is the last ``<<`` redirect that names no other descriptor (bash manual, 3.6
        # Redirections: they are processed in order, each ``<<`` replacing fd 0)
        last = None
        for redirect in redirected.children_by_field_name("redirect"):
            if redirect.type == "heredoc_redirect" and not self._other_descriptor(redirect):
                last = redirect
        body = next((c for c in last.named_children if c.type == "heredoc_body"), None) if last else None
        if last is not None and body is not None:
            start, end = self.char_at(body.start_byte), self.char_at(body.end_byte)
            builder = TextBuilder()
            builder.add(self.text[start:end], start)
            delimiter = next((self._text(c) for c in last.children if c.type == "heredoc_start"), "")
            yield (*builder.build(self.smap), not any(c in delimiter for c in "'\"\\"))

    def _other_descriptor(self, redirect: Node) -> bool:
        """``3<<EOF``: a heredoc redirect to a descriptor other than stdin."""
        fd = redirect.child_by_field_name("descriptor")
        if fd is None:
            fd = next((c for c in redirect.children if c.type == "file_descriptor"), None)
        return fd is not None and self._text(fd) != "0"

    def _piped_script(self, command: Node) -> tuple[str, SourceMap] | None:
        """``echo 'pip install x' | sh``: the string the command before the pipe writes, as a script.

        ``echo`` with one operand (no option, no backslash: dash's echo would decode one), or
        ``printf`` with a format holding no ``%`` or backslash (printf prints it as it is).
        """
        parent = command.parent
        if parent is None or parent.type != "pipeline":
            return None
        before = command.prev_named_sibling
        if before is None or before.type != "command":
            return None
        name = before.child_by_field_name("name")
        operands = [c for c in before.named_children if c.type not in ("command_name", *_REDIRECTS)]
        if name is None or self._text(name) not in ("echo", "printf") or len(operands) != 1:
            return None
        value = self._value(operands[0])
        if value is None or value.startswith("-") or "\\" in value or (self._text(name) == "printf" and "%" in value):
            return None
        script, smap = self._decode(operands[0])
        return script + "\n", smap

    def _descriptor(self, command: Node, number: Node) -> bool:
        """``pip 0</dev/null install x``: tree-sitter-bash reads the ``0`` as an argument."""
        redirected = self._redirected(command)
        redirect = redirected.child_by_field_name("redirect") if redirected is not None else None
        return redirect is not None and redirect.start_byte == number.end_byte

    def _words_after_redirects(self, command: Node) -> list[Word]:
        """``pip install a>=1 b`` redirects to ``=1``, and ``b`` is still an argument.

        tree-sitter-bash files every word after a redirect's target under the
        redirect; the shell passes them to the command.
        """
        redirected = self._redirected(command)
        if redirected is None:
            return []
        extra: list[Word] = []
        for redirect in redirected.children_by_field_name("redirect"):
            if redirect.type == "file_redirect":
                extra.extend(self._word(d) for d in redirect.children_by_field_name("destination")[1:]
                             if d.type != "number" or not self._io_number(d))
        return extra

    def _io_number(self, number: Node) -> bool:
        """``a >log 0<in``: tree-sitter-bash files the ``0`` as the last word of the redirect before it.

        Digits alone that touch a ``<`` or ``>`` are the descriptor of the redirect they start
        (POSIX Shell Command Language, 2.10.1: IO_NUMBER), never an argument: bash and dash
        run ``a`` alone.
        """
        end = self.char_at(number.end_byte)
        return self.text[end : end + 1] in ("<", ">") and self._text(number).isdigit()

    def _visit_substitutions(self, node: Node) -> Iterator[Command]:
        """Commands inside ``$(…)`` in a word or assignment: they run before the command does."""
        if not self.substitutions:
            return
        if self.depth >= _MAX_DEPTH:  # only the part nested this deep is skipped, never the rest
            return
        for sub in _substitutions(node):
            saved = (dict(self.env), dict(self.shell_vars), set(self.exported), self.allexport)
            self.depth += 1
            try:
                for child in sub.children:
                    yield from self._visit(child)
            finally:
                self.depth -= 1
            self.env, self.shell_vars, self.exported, self.allexport = saved  # a subshell: nothing leaks

    def _assign(self, name: str, value: str | None, export: bool) -> None:
        """A shell assignment; it reaches the environment when the name is (or becomes) exported.

        A name the environment already has stays exported (bash manual, 3.7.4 Environment);
        so do names ``export``-ed before they had a value and, after ``set -a``, every name.
        """
        self.shell_vars[name] = value
        if export or self.allexport or name in self.env or name in self.exported:
            self.env[name] = value

    def _declaration(self, node: Node) -> None:
        """``export``, and bash's ``declare -x`` / ``typeset -x`` (bash manual, 4.2 Bash Builtins)."""
        keyword = node.children[0].type if node.children else ""
        exporting = keyword == "export" or (keyword in ("declare", "typeset") and any(
            child.type == "word" and (text := self._text(child)).startswith("-") and "x" in text
            for child in node.named_children))
        for child in node.named_children:
            if child.type == "variable_assignment":
                name, value = self._assignment(child)
                self._assign(name, value, exporting)
            elif exporting and child.type == "variable_name":
                name = self._text(child)
                if name in self.shell_vars:
                    self.env[name] = self.shell_vars[name]
                else:
                    self.exported.add(name)
            elif exporting and child.type in ("string", "raw_string", "concatenation"):  # export "NAME=value"
                match = _ASSIGNMENT.fullmatch(self._value(child) or "")
                if match:
                    self._assign(match.group(1), match.group(2), True)

    def _assignment(self, node: Node) -> tuple[str, str | None]:
        name_node = node.child_by_field_name("name")
        value_node = node.child_by_field_name("value")
        name = self._text(name_node) if name_node is not None else ""
        if value_node is None:
            return name, ""
        value = self._value(value_node)
        return name, value if value is not None else self._template(value_node)

    def _template(self, node: Node) -> str | None:
        """A value with simple expansions (``"${X:-1}"``, ``$NC``): what the script knows, expanded.

        The variables the script has set are substituted here; the rest are left for the
        stage (:class:`~pip_cache_lsp.words.Template`).  None for anything else
        (``$(…)``, ``${X#p}``, backslashes): unknown.
        """
        parts: list[str] = []
        if not self._template_into(node, parts):
            return None
        text = self._known("".join(parts))
        return Template(text) if text is not None and "$" in text else text

    def _known(self, text: str) -> str | None:
        """``text`` with the simple expansions of variables the script has set substituted.

        Others are left for the stage; None when a variable's value is unknown.
        """
        unknown = False

        def substitute(m: re.Match[str]) -> str:
            nonlocal unknown
            name, operator, word = m.group(1) or m.group(4), m.group(2), m.group(3)
            if name in self.shell_vars:
                known = self.shell_vars[name]
            elif name in self.env:
                known = self.env[name]
            else:
                return m.group(0)  # the stage's, perhaps
            if known is None or ("$" in known and not isinstance(known, Template)):
                unknown = True
                return ""
            is_set = known != "" or operator is None or not operator.startswith(":")
            if operator is not None and operator.endswith("-"):
                return known if is_set else word
            if operator is not None:
                return word if is_set else ""
            return known

        text = VARIABLE.sub(substitute, text)
        return None if unknown else text

    def _template_into(self, node: Node, out: list[str]) -> bool:
        kind = node.type
        if kind == "concatenation":
            return all(self._template_into(child, out) for child in node.children)
        if kind == "string":
            return all(self._template_into(child, out) for child in node.children if child.type != '"')
        text = self._text(node)
        if kind in ("simple_expansion", "expansion"):
            if VARIABLE.fullmatch(text) is None:
                return False
        elif kind == "raw_string":
            text = text[1:-1]
            if "$" in text:
                return False
        elif kind not in ("word", "string_content") or "\\" in text or "$" in text or "`" in text:
            return False
        out.append(text)
        return True

    def _node_of(self, command: Node, word: Word) -> Node | None:
        """The node of one of ``command``'s words, wherever tree-sitter-bash filed it."""
        redirected = self._redirected(command)
        after = [d for r in redirected.children_by_field_name("redirect") if r.type == "file_redirect"
                 for d in r.children_by_field_name("destination")[1:]] if redirected is not None else []
        for child in [*command.named_children, *after]:
            target = _word_node(child)
            if self.smap.start(self.char_at(target.start_byte)) == word.start:
                return target
        return None

    def _text(self, node: Node) -> str:
        return self.text[self.char_at(node.start_byte) : self.char_at(node.end_byte)]

    def _word(self, node: Node) -> Word:
        start, end = self.char_at(node.start_byte), self.char_at(node.end_byte)
        if node.type == "word":  # the common case, as in _value, without finding the span twice
            text = self.text[start:end]
            if "\\" not in text:
                return Word(text, start, end, self.smap)
        value = self._value(node)
        if node.type == "string":
            before = node.prev_sibling  # ``$"…"``: bash's locale translation (3.1.2.5); dash's ``$`` and a string
            if before is not None and before.type == "$" and before.end_byte == node.start_byte:
                start = self.char_at(before.start_byte)
                if not self.bash and value is not None:
                    value = "$" + value
        return Word(value, start, end, self.smap, self._word_template(node) if value is None else None)

    def _word_template(self, node: Node) -> Parts | None:
        """A word of literal text and simple expansions, as (text, split) parts; None for others."""
        parts: list[tuple[str, bool]] = []
        if not self._parts_into(node, parts, False):
            return None
        return self._resolved(parts)

    def _resolved(self, parts: Iterable[tuple[str, bool]] | None) -> Parts | None:
        """A word's template with the variables the script knows substituted; None when one is unknown."""
        if parts is None:
            return None
        out = []
        for text, split in parts:
            known = self._known(text) if "$" in text else text
            if known is None:
                return None
            out.append((known, split))
        return tuple(out)

    def _positional_into(self, text: str, out: list[tuple[str, bool]], quoted: bool) -> bool:
        """``"$@"``, ``$*``, ``$1``/``${1}`` in a ``sh -c`` script given its arguments (bash manual, 3.4.2).

        ``"$@"`` is one word per argument: read as the arguments split at blanks, which is
        the same for arguments without blanks (the only ones taken).
        """
        positional = self.positional
        if positional is None or any(not arg or "$" in arg or any(c.isspace() for c in arg) for arg in positional):
            return False
        name = text.strip("${}")
        if name in ("@", "*") and (name == "@" or not quoted):
            out.append((" ".join(positional), True))
            return True
        if name.isdigit() and name != "0":
            index = int(name) - 1
            out.append((positional[index] if index < len(positional) else "", not quoted))
            return True
        return False

    def _parts_into(self, node: Node, out: list[tuple[str, bool]], quoted: bool) -> bool:
        kind = node.type
        if kind == "concatenation":
            return all(self._parts_into(child, out, quoted) for child in node.children)
        if kind == "string":
            # read from the source between the quotes: tree-sitter-bash's nodes of a string misplace
            # blanks next to an expansion (``" $X"`` starts the expansion at the blank; ``"$X "`` files
            # the blank in the closing quote)
            start, end = self.char_at(node.start_byte), self.char_at(node.end_byte)
            content = self.text[start + 1 : end - 1 if end - start >= 2 and self.text[end - 1] == '"' else end]
            if "\\" in content or "`" in content:
                return False
            for piece in _STRING_PIECE.findall(content):
                if piece[0] != "$":
                    out.append((piece, False))
                elif VARIABLE.fullmatch(piece) is not None:
                    out.append((piece, False))  # quoted: not split
                elif not self._positional_into(piece, out, True):
                    return False
            return True
        text = self._text(node)
        if kind in ("simple_expansion", "expansion"):
            if VARIABLE.fullmatch(text) is None:
                return self._positional_into(text, out, quoted)
            out.append((text, not quoted))
            return True
        if kind == "raw_string":
            out.append((text[1:-1], False))  # ``$`` in single quotes is no expansion: kept as is
            return "$" not in text
        if kind not in ("word", "string_content") or "\\" in text or "$" in text or "`" in text:
            return False
        out.append((text, False))
        return True

    def _value(self, node: Node) -> str | None:
        """The word after quote removal, or None when it holds an expansion."""
        if node.type == "word":  # the common case: plain text, nothing to decode
            text = self._text(node)
            if "\\" not in text:
                return text
        if _has_expansion(node):
            return None
        return self._decode(node, mapped=False)[0]

    def _decode(self, node: Node, mapped: bool = True) -> tuple[str, SourceMap]:
        """Quote removal with a map back to the source, for words and nested scripts."""
        builder = TextBuilder()
        self._decode_into(node, builder)
        return builder.build(self.smap if mapped else None)

    def _decode_into(self, node: Node, out: TextBuilder) -> None:
        start, end = self.char_at(node.start_byte), self.char_at(node.end_byte)
        kind = node.type
        if kind == "concatenation":
            for child in node.children:
                self._decode_into(child, out)
        elif kind == "raw_string":
            out.add(self.text[start + 1 : end - 1 if end - start >= 2 else end], start + 1)
        elif kind == "string":
            unescape(self.text, start + 1, end - 1 if self.text[end - 1 : end] == '"' and end - start >= 2 else end,
                     DOUBLE_QUOTE_ESCAPABLE, out)
        elif kind == "ansi_c_string":  # bash manual, 3.1.2.4; dash reads ``$`` and a single-quoted string
            close = end - 1 if end - start >= 3 and self.text[end - 1] == "'" else end
            if self.bash:
                ansi_c(self.text, start + 2, close, out)
            else:
                out.add("$", start)
                out.add(self.text[start + 2 : close], start + 2)
        else:
            unescape(self.text, start, end, None, out)


# Command substitutions nested deeper than this are not read (each level costs Python stack frames;
# no real script comes near it): the rest of the RUN is.
_MAX_DEPTH = 40
# A double-quoted string's text in pieces: literal text, or a ``$`` with what follows it that may
# make an expansion (a name, ``{…}``, a digit or special parameter); anything else fails VARIABLE and
# the positional test (``$(``, a lone ``$``), and the string gets no template.
_STRING_PIECE = re.compile(r"\$(?:\{[^}]*\}?|[A-Za-z_][A-Za-z0-9_]*|[0-9@*#?$!-]|)|[^$]+")
_REDIRECTS = frozenset({"file_redirect", "herestring_redirect", "heredoc_redirect"})
_EXPANSIONS = frozenset({"simple_expansion", "expansion", "command_substitution", "arithmetic_expansion",
                         "process_substitution"})


# Compound commands whose bodies may not run (bash manual, 3.2.5.2 Conditional Constructs,
# 3.2.5.1 Looping Constructs, 3.3 Shell Functions).
_MAYBE_RUN = frozenset({"if_statement", "elif_clause", "else_clause", "while_statement", "for_statement",
                        "c_style_for_statement", "case_statement", "case_item", "function_definition"})


class _Once:
    """A command's :attr:`Command.always`, worked out on first use and kept.

    Each hit asks it of the commands after it, and the walk up the tree behind it is
    not cheap: tree-sitter finds a node's parent by descending from the root.
    """

    __slots__ = ("_ask", "_answer")

    def __init__(self, ask: Callable[[], bool]) -> None:
        self._ask = ask
        self._answer: bool | None = None

    def __call__(self) -> bool:
        if self._answer is None:
            self._answer = self._ask()
        return self._answer


def _both(outer: Command, inner: Command) -> bool:
    return outer.always and inner.always


def _always(command: Node) -> bool:
    """Whether ``command`` runs whenever the script gets past the command before it.

    Not on the right of ``||``, not in a pipeline, not in a conditional, loop or
    function body, not sent to the background with ``&``.
    """
    child = command
    parent = command.parent
    # ``command`` is in the right (left) operand of a list passed on the way up: never in a left
    # one, it is the last command of the lists passed; never in a right one, their first
    right = left = False
    before_pipes = False  # in a list that starts a pipeline below, before its last command
    while parent is not None:
        kind = parent.type
        if kind in _MAYBE_RUN:
            return False
        if kind == "pipeline":
            inner = child.child_by_field_name("body") if child.type == "redirected_statement" else child
            starts = parent.named_children[0].start_byte == child.start_byte
            if before_pipes and starts and inner is not None and inner.type == "pipeline":
                # ``pip && a>=1 | b>=1 | c`` nests the pipeline of the first pipe in this one: still before them
                child, parent = parent, parent.parent
                continue
            if inner is None or inner.type != "list":
                return False
            # tree-sitter-bash files a list inside a pipeline, which bash never does: it files
            # ``a | b | c && d`` as ``a | (b | c && d)`` and ``a && b | c`` as ``(a && b) | c``,
            # where bash runs ``(a | b | c) && d`` and ``a && (b | c)``.  Of a list that starts the
            # pipeline, only its last command is a pipeline member; of one that ends it, its first.
            if not (left if starts else right):
                return False
            before_pipes = starts
        if kind == "list" and parent.child_count >= 3:
            if child.start_byte >= parent.children[2].start_byte:
                if parent.children[1].type == "||":
                    return False
                right = True
            else:
                left = True
        following = child.next_sibling
        if following is not None and following.type == "&":
            return False
        child, parent = parent, parent.parent
    return True


class _Scope:
    """The variables to restore when the walk leaves a subshell, pipeline element or function."""

    __slots__ = ("state",)

    def __init__(self, state: tuple[dict[str, str | None], dict[str, str | None], set[str], bool]) -> None:
        self.state = state


# What runs in a process of its own, so that it cannot change the variables of the commands after
# it: ``( … )``, ``$( … )`` (bash manual, 3.2.5.3 Grouping Commands, 3.5.4 Command Substitution), and
# a function's body, which runs only when it is called.  Every element of a pipeline does too (3.2.3
# Pipelines: the walk notes them as it passes the pipeline, since tree-sitter finds ``node.parent``
# by descending from the root), and a command sent to the background with ``&`` (3.2.4 Lists).
_OWN_PROCESS = frozenset({"subshell", "command_substitution", "process_substitution", "function_definition"})


def _backgrounded(node: Node) -> bool:
    """Whether ``&`` follows ``node``: it runs in a child process (bash manual, 3.2.4 Lists)."""
    following = node.next_sibling
    return following is not None and following.type == "&"


def _has_expansion(node: Node) -> bool:
    stack = [node]
    while stack:
        node = stack.pop()
        if node.type in _EXPANSIONS:
            return True
        stack.extend(node.named_children)
    return False


def _substitutions(node: Node) -> Iterator[Node]:
    """Command and process substitutions in a word: they run before the command does."""
    stack = [node]
    while stack:
        node = stack.pop()
        if node.type in ("command_substitution", "process_substitution"):
            yield node
        elif node.type in ("string", "concatenation", "expansion", "command_name", "file_redirect",
                           "variable_assignment", "declaration_command", "array"):
            stack.extend(reversed(node.named_children))


def _word_node(node: Node) -> Node:
    """A ``command_name`` wraps the word that names the command."""
    if node.type == "command_name" and node.named_children:
        return node.named_children[0]
    return node


def _byte_to_char(text: str) -> Callable[[int], int]:
    table: list[int] = []
    for index, char in enumerate(text):
        table.extend([index] * len(char.encode("utf-8", "surrogatepass")))
    table.append(len(text))
    return table.__getitem__
