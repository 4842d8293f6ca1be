"""The ``pip-no-cache-dir`` rule: which pip installs leave their cache in the layer.

Two passes, so an edit costs little.  :func:`analyze` reads one instruction
(its shell, its exec form, its mounts, its ENV/ARG/USER/FROM facts) into
:class:`Facts`; the model runs it only for blocks an edit re-parsed and keeps
the result.  :func:`fold` carries the stage environment over the blocks -- a
handful of dictionary operations per instruction -- leaving on each block the
stage it was checked under and the pip calls nothing exempts, which
:func:`findings_of` turns into :class:`Finding`\\ s.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Protocol, TypeVar

from pip_cache_lsp.dockerfile import Heredoc, Instruction
from pip_cache_lsp.names import CODE
from pip_cache_lsp.shell import (
    SHELLS,
    Command,
    basename,
    commands_in_exec,
    commands_in_script,
    reads_script_from_stdin,
)
from pip_cache_lsp.sourcemap import SourceMap, TextBuilder
from pip_cache_lsp.suppress import instruction_suppressed

FLAG = "--no-cache-dir"
_SHELL_INSERT, _EXEC_INSERT = f" {FLAG}", f', "{FLAG}"'  # one string each, shared by every finding
MESSAGE = (
    "pip install without --no-cache-dir: pip's download cache stays in the image layer; "
    "add --no-cache-dir (or set PIP_NO_CACHE_DIR=1)"
)
ENV_VAR = "PIP_NO_CACHE_DIR"
SUMMARY = "pip install without --no-cache-dir keeps pip's download cache in the image layer"
HELP = (
    "pip saves every package it downloads under ~/.cache/pip. In a docker build that directory becomes part "
    "of the RUN's layer, so the image ships a second copy of every package that nothing will read, and "
    "deleting it in a later layer does not shrink the image. Add --no-cache-dir after `install`, set "
    "PIP_NO_CACHE_DIR=1 in the stage, or mount a cache on pip's cache directory "
    "(RUN --mount=type=cache,target=/root/.cache/pip)."
)

_PIP = re.compile(r"pip(?:\d+(?:\.\d+)*)?")
_PYTHON = re.compile(r"python(?:\d+(?:\.\d+)*)?")
# pip's global options that take a value (``pip --log x install``).
_PIP_OPTIONS_WITH_VALUE = frozenset({
    "--python", "--log", "--log-file", "--proxy", "--retries", "--timeout", "--exists-action",
    "--trusted-host", "--cert", "--client-cert", "--cache-dir", "--use-feature", "--use-deprecated",
    "--keyring-provider", "--resume-retries", "--local-log",
})
_PYTHON_OPTIONS_WITH_VALUE = frozenset({"-W", "-X", "-Q"})
# pip's strtobool: any of these makes pip drop its cache (even the "false" ones, for
# backwards compatibility, see pip/_internal/cli/cmdoptions.py _handle_no_cache_dir);
# an empty value is skipped by pip's config loader, anything else is an error.
_PIP_BOOLS = frozenset({"y", "yes", "t", "true", "on", "1", "n", "no", "f", "false", "off", "0"})
_MISSING = object()


@dataclass(frozen=True, slots=True)
class Finding:
    """One offending pip install, in absolute code-point offsets, with its fix."""

    start: int
    end: int
    insert_at: int
    insert_text: str
    instruction_at: int  # start of the instruction's first line (for an ignore comment)
    indent: str
    code: str = CODE
    message: str = MESSAGE


@dataclass(frozen=True, slots=True)
class PipCall:
    """A pip install without the flag, relative to its block; ``env`` is what its command set."""

    start: int
    end: int
    insert_at: int
    insert_text: str
    env_value: object  # value of PIP_NO_CACHE_DIR set by the command itself, or _MISSING
    cache_dir: object  # value of PIP_CACHE_DIR set by the command itself, or _MISSING


@dataclass(frozen=True, slots=True)
class Facts:
    """What one instruction contributes: pip calls, cache mounts, ENV/ARG values, stage."""

    calls: tuple[PipCall, ...] = ()
    cache_targets: tuple[str, ...] = ()  # as written: BuildKit expands variables in them
    env: tuple[tuple[str, str], ...] = ()  # as written, quotes removed, variables unexpanded
    args: tuple[tuple[str, str | None], ...] = ()  # (name, default or None)
    user: str | None = None
    stage_base: str | None = None
    stage_name: str | None = None
    suppressed: bool = False


def disables_cache(value: object) -> bool:
    """Whether pip, seeing ``PIP_NO_CACHE_DIR=value``, runs without a cache."""
    return isinstance(value, str) and value.strip().lower() in _PIP_BOOLS


def is_no_cache_flag(word: str | None) -> bool:
    """``--no-cache-dir``, or an abbreviation optparse resolves to it uniquely."""
    return word is not None and len(word) >= len("--no-ca") and FLAG.startswith(word)


def _spells(text: str, word: str) -> bool:
    """Cheap test before decoding shell words: could the shell read ``word`` in ``text``?

    Quotes and backslashes can split a word (``p''ip``, ``p\\ip``) and a JSON escape can
    hide a letter (``"\\u0070ip"``); with those removed or present, ``word`` must appear.
    """
    if "\\" in text:
        if "\\u" in text:
            return True
        text = text.replace("\\", "")
    return word in text.replace("'", "").replace('"', "")


def _may_name_pip(text: str) -> bool:
    """Can this text run pip at all?  Most RUNs cannot, and skip the shell walk."""
    return _spells(text, "pip")


def may_install(name: str, source: str) -> bool:
    """A command that could be a pip install: it may run pip and it spells ``install``.

    The name must be one that can run pip (``pip``, ``pip3.12``, ``python3 -m pip``).
    Most ``python`` commands (``python -c …``, ``python -m venv``) fail the second test,
    and their words are never decoded.
    """
    return (_PIP.fullmatch(name) is not None or _PYTHON.fullmatch(name) is not None) and _spells(source, "install")


def pip_install(command: Command) -> PipCall | None:
    """The pip install ``command`` runs without the flag, if any (block-relative offsets)."""
    argv = command.argv
    if not argv:
        return None
    exe = basename(argv[0])
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
    text = _EXEC_INSERT if command.exec_form else _SHELL_INSERT
    return PipCall(argv[0].start, install.end, install.end, text,
                   command.env.get(ENV_VAR, _MISSING), command.env.get("PIP_CACHE_DIR", _MISSING))


EMPTY = Facts()  # most instructions contribute nothing: they share one object


def analyze(ins: Instruction) -> Facts:
    """What one instruction contributes to the rule (the shell walk happens here).

    An instruction that contributes nothing gets the shared :data:`EMPTY`, which the
    model and the fold recognise by identity.
    """
    if ins.keyword == "RUN":
        if not (_may_name_pip(ins.logical) or (ins.heredocs and _may_name_pip(ins.text))):
            return EMPTY
        try:
            calls = tuple(filter(None, map(pip_install, run_commands(ins))))
        except RecursionError:  # ~200 nested $(…): no shell script does this; skip, never crash
            return EMPTY
        if not calls:
            return EMPTY
        return Facts(calls=calls, cache_targets=tuple(_cache_targets(ins)),
                     suppressed=instruction_suppressed(ins.comments))
    if ins.onbuild:
        return EMPTY
    if ins.keyword == "ENV":
        env = tuple(_env_pairs(ins.command))
        return Facts(env=env) if env else EMPTY
    if ins.keyword == "ARG":
        args = tuple(_arg_pairs(ins.command))
        return Facts(args=args) if args else EMPTY
    if ins.keyword == "USER":
        return Facts(user=ins.command.split(":", 1)[0].strip() or None)
    if ins.keyword == "FROM":
        words = ins.command.split()
        base = words[0].lower() if words else None
        name = words[2].lower() if len(words) >= 3 and words[1].lower() == "as" else None
        return Facts(stage_base=base, stage_name=name)
    return EMPTY


def run_commands(ins: Instruction) -> Iterator[Command]:
    """Every simple command a RUN runs, whatever its form."""
    if ins.exec_form is not None:
        yield from commands_in_exec([(e.value, e.start, e.end, e.raw) for e in ins.exec_form], ins.logical_map,
                                    may_install)
        return
    if not ins.heredocs:
        script, smap = ins.logical[ins.command_start :], _offset_map(ins.logical_map, ins.command_start)
        yield from commands_in_script(script, smap, wanted=may_install)
        return
    # BuildKit runs a lone heredoc as the script itself; otherwise it hands the shell the
    # command line followed by the bodies, and a shell reading one runs it.
    if all(w.startswith("<<") or w[:1].isdigit() for w in ins.command.split()):
        for doc in ins.heredocs:
            script, smap = _heredoc_text(ins, doc).build()
            if not _foreign_shebang(script):
                yield from commands_in_script(script, smap, wanted=may_install)
        return
    # tree-sitter-bash cannot pair several heredocs on one line with their bodies, so the
    # line is parsed alone and a shell reading stdin gets the body whose marker is nearest
    # to its words (after them, as in `bash <<EOF`, or before, as in `<<EOF bash`).
    logical_map = ins.logical_map
    script, smap = ins.command, _offset_map(logical_map, ins.command_start)
    markers = [(logical_map.start(doc.marker), doc) for doc in ins.heredocs]
    for command in commands_in_script(script, smap, wanted=may_install):
        yield command
        if command.argv and reads_script_from_stdin(command.argv):
            start, end = command.argv[0].start, command.argv[-1].end
            at, body = min(markers, key=lambda m: (m[0] - end, 0) if m[0] >= end else (start - m[0], 1))
            yield from commands_in_script(*_heredoc_text(ins, body).build(), command.env, may_install)


def _heredoc_text(ins: Instruction, doc: Heredoc) -> TextBuilder:
    """A heredoc body as the shell reads it: split at ``\\n`` only, a CR before it dropped."""
    builder = TextBuilder()
    end = doc.body_end
    offset = doc.body_start
    body = ins.text[offset:end]
    if "\r" not in body:  # the common case: the body as it stands, one piece
        builder.add(body, offset)
        return builder
    for line in body.split("\n"):
        content = line[:-1] if line.endswith("\r") else line
        builder.add(content, offset)
        offset += len(line) + 1
        if offset <= end:
            builder.add("\n", offset - 1)
    return builder


def _offset_map(parent: SourceMap, offset: int) -> SourceMap:
    return SourceMap([(0, offset)], parent)


def _foreign_shebang(script: str) -> bool:
    """A heredoc script whose ``#!`` names something other than a shell (python, node…)."""
    if not script.startswith("#!"):
        return False
    names = [word.rsplit("/", 1)[-1] for word in script[2:].split("\n", 1)[0].split()]
    if names and names[0] == "env":
        names = names[1:]
    return not names or names[0] not in SHELLS


def _cache_targets(ins: Instruction) -> Iterator[str]:
    """Targets of ``--mount=type=cache`` flags, read like BuildKit: CSV fields, keys in any case."""
    for name, value in ins.flags:
        if name != "mount" or value is None:
            continue
        import csv  # here: few RUNs mount anything

        unquoted = "".join(_shell_words(value))
        for row in csv.reader([unquoted]):
            fields = {key.strip().lower(): val for key, _, val in (f.partition("=") for f in row)}
            if fields.get("type") == "cache":
                yield fields.get("target") or fields.get("dst") or fields.get("destination") or ""


def _env_pairs(args: str) -> Iterator[tuple[str, str]]:
    """ENV's two syntaxes: ``K=V K2="V 2"`` and the legacy ``K value with spaces``."""
    words = _shell_words(args)
    if words and "=" not in words[0]:
        rest = args.strip().split(None, 1)
        yield words[0], " ".join(_shell_words(rest[1])) if len(rest) > 1 else ""
        return
    for word in words:
        name, eq, value = word.partition("=")
        if eq:
            yield name, value


def _arg_pairs(args: str) -> Iterator[tuple[str, str | None]]:
    for word in _shell_words(args):
        name, eq, value = word.partition("=")
        yield name, value if eq else None


_SHELL_WORD = re.compile(r"""(?:[^\s"'\\]+|\\.|"(?:[^"\\]|\\.)*"?|'[^']*'?)+""", re.DOTALL)
_QUOTED = re.compile(r"""\\(.)|"((?:[^"\\]|\\.)*)"?|'([^']*)'?""", re.DOTALL)


def _shell_words(text: str) -> list[str]:
    """Whitespace-separated words with quotes removed -- BuildKit's ENV/ARG word split."""
    if '"' not in text and "'" not in text and "\\" not in text:
        return text.split()  # the common case: nothing quoted, blanks alone split
    return [
        _QUOTED.sub(lambda g: g.group(1) or re.sub(r"\\(.)", r"\1", g.group(2) or "") or g.group(3) or "", m.group(0))
        for m in _SHELL_WORD.finditer(text)
    ]


_VARIABLE = re.compile(r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))")


class Stage:
    """The environment a RUN of one stage sees: ENV over ARG, and the user it runs as.

    Never changed once a block refers to it: an ENV, ARG or USER makes a new one
    (:meth:`copy`), so each block can keep the stage it was checked under.
    """

    __slots__ = ("env", "args", "user")

    def __init__(self, env: dict[str, str | None] | None = None, user: str | None = None,
                 args: dict[str, str | None] | None = None) -> None:
        self.env: dict[str, str | None] = env if env is not None else {}
        self.args: dict[str, str | None] = args if args is not None else {}
        self.user = user

    def copy(self) -> Stage:
        return Stage(dict(self.env), self.user, dict(self.args))

    def get(self, name: str) -> str | None:
        return self.env[name] if name in self.env else self.args.get(name)

    def expand(self, value: str | None) -> str | None:
        """Dockerfile variable substitution; None when a variable's value is unknown."""
        if value is None or "$" not in value:
            return value
        unknown = False

        def substitute(m: re.Match[str]) -> str:
            nonlocal unknown
            known = self.get(m.group(1) or m.group(3))
            if known is None and m.group(2) is not None:
                return m.group(2)
            if known is None:
                unknown = True
                return ""
            return known

        expanded = _VARIABLE.sub(substitute, value)
        return None if unknown else expanded

    def covers(self, call: PipCall, targets: tuple[str, ...]) -> bool:
        """Whether PIP_NO_CACHE_DIR or a cache mount keeps this call's cache out of the layer."""
        value = self.get(ENV_VAR) if call.env_value is _MISSING else call.env_value
        if disables_cache(value):
            return True
        cache_dir = self.get("PIP_CACHE_DIR") if call.cache_dir is _MISSING else call.cache_dir
        return any(self._is_pip_cache(self.expand(t), cache_dir) for t in targets)

    def _is_pip_cache(self, target: str | None, cache_dir: object) -> bool:
        if target is None:
            return False
        target = target.rstrip("/") or "/"
        if isinstance(cache_dir, str) and cache_dir:
            return f"{cache_dir.rstrip('/')}/".startswith(f"{target}/")
        if self.user not in (None, "root", "0") and target.startswith("/root/"):
            return False  # pip of a non-root user caches under that user's home
        return target.endswith(("/.cache/pip", "/.cache")) or target in (".cache/pip", ".cache")


class Checked(Protocol):
    """What the fold needs of a block: its facts, and slots for what the fold leaves on it."""

    facts: Facts
    stage: Stage | None
    hits: tuple[PipCall, ...]
    instruction_offset: int
    indent: str


def changes_stage(block: Checked) -> bool:
    """Whether a block can change what later RUNs see (FROM, ENV, ARG, USER)."""
    facts = block.facts
    return bool(facts.stage_base is not None or facts.env or facts.args or facts.user is not None)


def stage_hits(block: Checked, stage: Stage | None, honour_env: bool) -> tuple[PipCall, ...]:
    """The pip calls of a RUN block that ``stage`` does not exempt; kept on the block."""
    facts = block.facts
    block.stage = stage
    if facts is EMPTY:
        return ()
    if not facts.calls or facts.suppressed:
        hits: tuple[PipCall, ...] = ()
    elif not honour_env:
        hits = facts.calls
    else:
        scope = stage or Stage()
        hits = tuple(call for call in facts.calls if not scope.covers(call, facts.cache_targets))
    block.hits = hits
    return hits


B = TypeVar("B", bound=Checked)


def fold(blocks: Iterable[tuple[int, B]], honour_env: bool) -> list[tuple[int, B]]:
    """Fold stage environments over every block; returns the blocks that have findings.

    Each block keeps the stage in effect after it (``stage``) and its findings
    (``hits``), so an edit that changes no stage re-checks only its own blocks.
    """
    with_hits: list[tuple[int, B]] = []
    global_args = Stage()
    stages: dict[str, Stage] = {}
    stage: Stage | None = None
    name: str | None = None
    for start, block in blocks:
        facts = block.facts
        if facts is EMPTY:  # nothing to check; the stage passes through
            block.stage = stage
            continue
        if facts.stage_base is not None:
            base = stages.get(facts.stage_base)
            stage = Stage(dict(base.env), base.user) if base else Stage()
            name = facts.stage_name
        elif facts.env:
            stage = stage.copy() if stage else Stage()  # a snippet without FROM: one implicit stage
            stage.env.update([(key, stage.expand(value)) for key, value in facts.env])
        elif facts.args:
            if stage is None:
                for key, default in facts.args:
                    global_args.args[key] = global_args.expand(default)
            else:
                stage = stage.copy()
                for key, default in facts.args:
                    stage.args[key] = stage.expand(default) if default is not None else global_args.args.get(key)
        elif facts.user is not None:
            stage = stage.copy() if stage else Stage()
            stage.user = stage.expand(facts.user)
        if name and stage is not None:
            stages[name] = stage
        if stage_hits(block, stage, honour_env):
            with_hits.append((start, block))
    return with_hits


def findings_of(start: int, block: Checked) -> Iterator[Finding]:
    """The findings of a folded block that starts at ``start``."""
    for call in block.hits:
        yield Finding(start + call.start, start + call.end, start + call.insert_at, call.insert_text,
                      start + block.instruction_offset, block.indent)
