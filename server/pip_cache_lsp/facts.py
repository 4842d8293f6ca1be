"""One instruction -> what it contributes to the checks: :class:`Facts`.

The model runs :func:`analyze` only for the blocks an edit re-parsed and keeps
the result.  Stage facts (ENV, ARG, USER, FROM, cache mounts) are read here the
way BuildKit reads them; a RUN's commands are matched against every registered
rule.  An instruction that contributes nothing gets None, most of them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace

from pip_cache_lsp.dockerfile import Instruction
from pip_cache_lsp.findings import MISSING, Hit
from pip_cache_lsp.rules import Cleanup, Match, OffFlag, Rule, registered, spells
from pip_cache_lsp.run import run_commands
from pip_cache_lsp.shell import Command, Wanted, Word, basename, expand_argv, unwrap_env
from pip_cache_lsp.suppress import INSTRUCTION, STAGE, Pragma, may_hold_pragma, pragmas
from pip_cache_lsp.words import buildkit_words, dollar_quotes


@dataclass(frozen=True, slots=True)
class Deferred:
    """A command with simple expansions in its words, matched when the fold knows the stage.

    What it needs then: the rules that may run in the RUN, the commands before and after
    it, and the paths ``rm -r`` removes after it.
    """

    command: Command
    rules: tuple[Rule, ...]
    earlier: tuple[Command, ...]
    later: tuple[Command, ...]
    source: str

    @property
    def needs_stage(self) -> bool:
        """Whether a variable is left that only the stage can give (the script's are substituted)."""
        return any("$" in text for word in self.command.argv if word.template is not None
                   for text, _ in word.template)

    def hits(self, expand: Callable[[str], str | None]) -> Iterator[Hit]:
        """The rules' matches once the words are expanded with ``expand``."""
        command = self.command
        env, argv, kept = unwrap_env(expand_argv(command.argv, expand))  # ``$SUDO pip``: a value may be a wrapper
        if kept is not None:
            command = replace(command, env={k: v for k, v in command.env.items() if k in kept},
                              kept=kept if command.kept is None else kept & command.kept, assigned={})
        command = replace(command, argv=argv, env={**command.env, **env}) if env else replace(command, argv=argv)
        yield from _hits(command, list(self.rules), list(self.earlier), list(self.later), self.source)


@dataclass(frozen=True, slots=True)
class Muted:
    """A command whose own flag turns its cache off, in a RUN with a cache mount.

    ``hit`` is what the rule would match with ``flags`` removed: the stage tells
    whether the mount holds that hit's cache directory (``useless-cache-mount``).
    """

    hit: Hit
    flags: tuple[OffFlag, ...]
    removals: tuple[tuple[int, int], ...]  # per flag, what its fix removes (block offsets)


@dataclass(slots=True)
class Facts:
    """What one instruction contributes: matched commands, cache mounts, ENV/ARG values, stage.

    Never changed once built, but not ``frozen``: a frozen dataclass's ``__init__`` sets each
    of these fields through ``object.__setattr__``, about 3 µs per instruction that
    contributes anything (most ENV, ARG, FROM and WORKDIR), where plain slots cost a tenth.
    """

    calls: tuple[Hit, ...] = ()
    cache_targets: tuple[str, ...] = ()  # cache and tmpfs mount targets, as written (BuildKit expands them)
    env: tuple[tuple[str, str], ...] = ()  # as written, quotes removed, variables unexpanded
    args: tuple[tuple[str, str | None], ...] = ()  # (name, default or None)
    user: str | None = None
    account: str | None = None  # USER as written (``name[:group]``), for a cache mount's uid/gid
    workdir: str | None = None
    stage_base: str | None = None  # FROM's image or stage, as written (BuildKit matches it case-sensitively)
    stage_name: str | None = None  # lower-cased, as BuildKit stores AS names
    stage_suppressed: frozenset[str] = frozenset()  # codes an ignore-stage pragma above FROM silences
    copies_from: str | None = None  # COPY --from=<stage or index>, lower-cased as BuildKit looks it up
    copy_sources: tuple[str, ...] = ()
    copy_destination: str | None = None
    suppressed: frozenset[str] = frozenset()  # codes the comments above silence
    config: tuple[tuple[str, str | None], ...] = ()  # tool configuration a RUN writes (``pip config set``)
    deferred: tuple[Deferred, ...] = ()  # commands whose words need the stage's values (``$PIP install``)
    shell: tuple[str, ...] | None = None  # SHELL's array
    shell_form: bool = False  # a RUN whose text goes to the stage's SHELL (not exec form)
    pragmas: tuple[Pragma, ...] = ()  # the suppression comments above (instruction and, for FROM, stage)
    muted: tuple[Muted, ...] = ()  # commands a flag turns off, in a RUN with a cache mount
    reuse_targets: tuple[str, ...] = ()  # type=cache mount targets alone (tmpfs keeps nothing across builds)
    # The same RUN read by a stage whose SHELL is bash: set only when its text holds ``$'`` or
    # ``$"``, which bash decodes and dash does not (bash manual, 3.1.2.4 and 3.1.2.5).
    as_bash: Facts | None = None
    onbuild: bool = False  # an ONBUILD trigger: it runs in the stage built FROM this one

    @property
    def changes_stage(self) -> bool:
        """Whether the instruction can change what later RUNs see or what the image ships."""
        return bool(self.stage_base is not None or self.env or self.args or self.user is not None
                    or self.workdir is not None or self.copies_from is not None or self.config
                    or self.shell is not None or self.onbuild)


def analyze(ins: Instruction) -> Facts | None:
    """What one instruction contributes (the shell walk happens here); None for nothing.

    The suppression comments above it are kept (``pragmas``), whatever the instruction:
    the fold tells which of them silence something.
    """
    found: tuple[Pragma, ...] = ()
    if ins.comments and may_hold_pragma(ins.text, ins.instruction_offset):
        stage = ins.keyword == "FROM" and not ins.onbuild
        found = pragmas(ins.text, ins.instruction_offset, STAGE if stage else INSTRUCTION, registered())
    facts = _analyze(ins, found)
    if found and (facts is None or not facts.pragmas):
        facts = replace(facts, pragmas=found) if facts is not None else Facts(pragmas=found)
    return facts


def _silenced(found: tuple[Pragma, ...], scope: str) -> frozenset[str]:
    return frozenset().union(*(p.codes for p in found if p.scope == scope)) if found else frozenset()


def _analyze(ins: Instruction, found: tuple[Pragma, ...], trigger: bool = False) -> Facts | None:
    if ins.onbuild and not trigger:  # an ONBUILD trigger: checked at the end of its stage (stage.fold)
        facts = _analyze(ins, found, True)
        if facts is None or facts.stage_base is not None or facts.copies_from is not None:
            return None  # ONBUILD FROM is an error; ONBUILD COPY --from ships nothing here
        return replace(facts, onbuild=True, as_bash=replace(facts.as_bash, onbuild=True) if facts.as_bash else None)
    if ins.keyword == "RUN":
        return _run_facts(ins, registered(), found)
    if ins.keyword == "ENV":
        env = tuple(_env_pairs(ins.command))
        return Facts(env=env) if env else None
    if ins.keyword == "ARG":
        args = tuple(_arg_pairs(ins.command))
        return Facts(args=args) if args else None
    if ins.keyword == "USER":
        return Facts(user=ins.command.split(":", 1)[0].strip() or None, account=ins.command.strip() or None)
    if ins.keyword == "FROM":
        words = ins.command.split()
        base = words[0] if words else ""
        name = words[2].lower() if len(words) >= 3 and words[1].lower() == "as" else None
        return Facts(stage_base=base, stage_name=name, stage_suppressed=_silenced(found, STAGE), pragmas=found)
    if ins.keyword == "SHELL":
        array = _json_words(ins.command)
        return Facts(shell=tuple(array)) if array else None
    if ins.keyword == "WORKDIR":
        return Facts(workdir=ins.command.strip() or None) if ins.command.strip() else None
    if ins.keyword == "COPY":  # BuildKit's ADD has no --from
        source = next((value for name, value in ins.flags if name == "from" and value), None)
        if source is None:
            return None
        words = _json_words(ins.command) or buildkit_words(ins.command)
        return Facts(copies_from=source.lower(), copy_sources=tuple(words[:-1]),
                     copy_destination=words[-1] if len(words) >= 2 else None)
    return None


def _run_facts(ins: Instruction, rules: tuple[Rule, ...], found: tuple[Pragma, ...]) -> Facts | None:
    # the RUN's own flags (``--mount=…,target=/root/.cache/uv``) are read by BuildKit, never by the
    # shell: a tool named only there runs nowhere, and its rule walks nothing
    line = ins.logical[ins.command_start:] if ins.flags else ins.logical
    candidates = [rule for rule in rules if rule.may_run(line) or (ins.heredocs and rule.may_run(ins.text))]
    if not candidates:
        return Facts(pragmas=found) if found else None
    text = ins.text if ins.heredocs else ins.logical
    facts = _read_run(ins, candidates, text, False, found)
    if ins.exec_form is None and dollar_quotes(text):  # bash reads these words otherwise
        as_bash = _read_run(ins, candidates, text, True, found)
        if as_bash != facts:
            empty = Facts(shell_form=True, pragmas=found)
            return replace(facts or empty, as_bash=as_bash or empty)
    return facts


def _read_run(ins: Instruction, candidates: list[Rule], text: str, bash: bool,
              found: tuple[Pragma, ...]) -> Facts | None:
    """The facts of a RUN read by the stage's shell: dash, or bash when ``bash``."""
    # configuration is written by a command that spells ``config`` (``pip config set``): else none is
    configuring = spells(text, "config")
    # ``rm -r`` matters only after a command a rule reports, or one that waits for the stage (its
    # paths are what that command's cache may lose): the walk reads an ``rm`` once one has gone by.
    reported = [False]
    cleans = "purge" in text or "clean" in text or "clear" in text or "prune" in text  # a tool's own cleanup
    wanted = _wanted(candidates, "rm" in text, configuring, cleans, reported)
    expands = "$" in text  # else no word is templated
    reuse = tuple(target for kind, target in _mounts(ins) if kind == "cache") if ins.flags else ()
    commands: list[Command] = []
    matched: list[tuple[int, Rule, Match]] = []  # (the command's index, rule, match) of what the rules report
    waiting: list[int] = []  # the indexes of the commands left to the stage (their words are templated)
    try:
        for command in run_commands(ins, wanted, bash):  # the walk is lazy: ``reported`` is set before it reads on
            i = len(commands)
            commands.append(command)
            if expands and _templated(command, candidates, ins.text):
                waiting.append(i)
                reported[0] = True
                continue
            for rule in candidates:
                match = rule.match(command)
                if match is not None:
                    matched.append((i, rule, match))
                    reported[0] = True
            # a flag that makes a cache mount useless: the rm -r after it decides too (_muted)
            if reuse and not reported[0] and any(rule.off_flags(command) for rule in candidates):
                reported[0] = True
        calls = tuple(_hit(commands[i], rule, match, commands[:i] if configuring else [], commands[i + 1:], ins.text)
                      for i, rule, match in matched) if matched else ()
        muted = tuple(_muted(commands, waiting, candidates, configuring, ins.text)) if reuse else ()
    except RecursionError:  # a last resort: the walker skips what is nested too deep
        return Facts(pragmas=found) if found else None
    deferred: tuple[Deferred, ...] = ()
    if waiting:
        pending = [Deferred(commands[i], tuple(candidates), tuple(commands[:i] if configuring else ()),
                            tuple(commands[i + 1:]), ins.text) for i in waiting]
        known = [d for d in pending if not d.needs_stage]  # ``X="pip install"; $X a``: the script says
        if known:
            calls = tuple(sorted((*calls, *(hit for d in known for hit in d.hits(_no_variable))),
                                 key=lambda hit: hit.start))
        deferred = tuple(d for d in pending if d.needs_stage)
    config = tuple(_configured(commands, candidates)) if configuring else ()
    if len(calls) > 1:  # ``sh -c "$(pip install x)"``: the substitution is read in both shells; one finding
        first: dict[tuple[str, int, int], Hit] = {}
        for hit in calls:
            first.setdefault((hit.rule.code, hit.start, hit.end), hit)
        calls = tuple(first.values())
    if not calls and not config and not deferred and not muted:
        return Facts(pragmas=found) if found else None
    return Facts(calls=calls, cache_targets=tuple(_cache_targets(ins)) if calls or deferred or muted else (),
                 suppressed=_silenced(found, INSTRUCTION), config=config, deferred=deferred,
                 shell_form=ins.exec_form is None, pragmas=found, muted=muted,
                 reuse_targets=reuse if muted else ())


def _muted(commands: list[Command], waiting: list[int], rules: list[Rule], configuring: bool,
           source: str) -> Iterator[Muted]:
    """The commands whose own flag turns the cache off, with the hit each would be without it.

    Asked only of a RUN with a ``type=cache`` mount.  The rule names the flags
    (:meth:`Rule.off_flags`); without them the command must match, or it is not
    the flags that keep its cache off (``pip install --no-cache-dir --cache-dir ""``).
    """
    for i, command in enumerate(commands):
        if i in waiting:  # left to the stage
            continue
        for rule in rules:
            if rule.match(command) is not None or not (flags := rule.off_flags(command)):
                continue
            stripped = _without(command, flags)
            match = rule.match(stripped)
            if match is not None:
                yield Muted(_hit(stripped, rule, match, commands[:i] if configuring else [], commands[i + 1:],
                                 source), flags, tuple(_removal(flag, source, command.exec_form) for flag in flags))


def _removal(flag: OffFlag, source: str, exec_form: bool) -> tuple[int, int]:
    """What removing ``flag`` takes: the word and one blank beside it (after it, else before it).

    An exec-form element goes with the comma and blanks before it; a letter of a
    group of short flags goes alone.
    """
    start, end = flag.start, flag.end
    if not flag.whole_word:
        return start, end
    if exec_form:
        before = source[:start].rstrip(" \t")
        return (len(before) - 1, end) if before.endswith(",") else (start, end)
    if source[end:end + 1] in (" ", "\t") and end < len(source):
        return start, end + 1
    if start and source[start - 1] in (" ", "\t"):
        return start - 1, end
    return start, end


def _without(command: Command, flags: tuple[OffFlag, ...]) -> Command:
    """``command`` as it would read with ``flags`` removed (a word, or letters of a short-flag group)."""
    argv: list[Word] = []
    for i, word in enumerate(command.argv):
        mine = [flag for flag in flags if flag.index == i]
        if not mine:
            argv.append(word)
        elif not any(flag.whole_word for flag in mine):
            start = word.start
            value = "".join(c for k, c in enumerate(word.value or "")
                            if not any(flag.start - start == k for flag in mine))
            argv.append(Word(value, start, word.end))
    return replace(command, argv=tuple(argv))


def _no_variable(text: str) -> str | None:
    return None


def _templated(command: Command, rules: list[Rule], source: str) -> bool:
    """Whether a word of ``command`` holds a simple expansion the stage may resolve, and a rule may care.

    A command named by a variable (``$PIP install``) may be any; otherwise a rule must
    want its name (``rm -rf $DIR`` is read by the cleanups, at the fold, already).
    """
    argv = command.argv
    for word in argv:
        if word.template is not None:
            break
    else:
        return False
    if argv[0].value is None:
        return True
    name = basename(argv[0])
    return any(rule.may_match(name, source) for rule in rules)


def _configured(commands: list[Command], rules: list[Rule]) -> Iterator[tuple[str, str | None]]:
    """The configuration the commands that always run write, in order (``pip config set``)."""
    for command in commands:
        for rule in rules:
            written = rule.configures(command)
            if written is not None and command.always:  # asked last: on the grammar path it walks up the tree
                yield written


def _wanted(rules: list[Rule], removes: bool, configures: bool, cleans: bool, reported: list[bool]) -> Wanted:
    """The shell walk's name test for one RUN: only what its text makes possible is asked.

    Most pip RUNs neither remove, clean nor configure: then it is the rule's own test.
    ``rm`` is wanted once ``reported[0]`` is set (a command a rule may report went by).
    """
    if len(rules) == 1 and not (removes or configures or cleans):
        return rules[0].may_match

    def wanted(name: str, source: str) -> bool:
        if removes and name == "rm" and reported[0]:
            return True
        for rule in rules:
            if (rule.may_match(name, source) or (cleans and rule.may_clean(name, source))
                    or (configures and rule.may_configure(name, source))):
                return True
        return False

    return wanted


def _hits(command: Command, rules: list[Rule], earlier: list[Command], later: list[Command],
          source: str) -> Iterator[Hit]:
    """The rules' matches of ``command``, with what the commands after it in the RUN clean up."""
    for rule in rules:
        match = rule.match(command)
        if match is not None:
            yield _hit(command, rule, match, earlier, later, source)


def _hit(command: Command, rule: Rule, match: Match, earlier: list[Command], later: list[Command],
         source: str) -> Hit:
    """One match, with its command's environment and what the commands after it always clean up."""
    env, cache = command.env, rule.cache
    if match.ignores_variables or not env:  # most commands set no variable of their own
        env_value: object = MISSING
        cache_dir: object = match.cache_dir if match.cache_dir is not None else MISSING
    else:
        env_value = cache.lookup(env, cache.off_variable, MISSING)
        cache_dir = match.cache_dir if match.cache_dir is not None else cache.lookup(env, cache.dir_variable, MISSING)
    # Of the commands after it, the cleanups and ``rm -r`` that always run; whether one always
    # runs is asked last, for those alone (on the grammar path it walks up the tree).
    cleanups: list[Cleanup] = []
    removed: list[str] = []
    for c in later:
        cleanup = rule.cleanup(c)
        paths = _removed(c, source)
        if (cleanup is not None or paths) and c.always:
            if cleanup is not None:
                cleanups.append(cleanup)
            removed += paths
    cleaned = bool(cleanups) and any(c.complete for c in cleanups)
    note = next((c.note for c in cleanups if c.note), None) if cleanups and not cleaned else None
    shell_value = cache.lookup(command.assigned, cache.off_variable, MISSING) if command.assigned else MISSING
    configured = tuple(_configured(earlier, [rule])) if match.config and earlier else ()
    insert = match.insert_text.replace(" ", "\\ ") if command.escape_blanks else match.insert_text
    return Hit(rule, match.start, match.end, match.insert_at, insert, env_value, cache_dir,
               shell_value, tuple(removed), cleaned, note, match.message, match.ignores_variables, match.config,
               configured, command.kept)


_EXPANSION_WORD = re.compile(r'"?(\$\{?[A-Za-z_][A-Za-z0-9_]*\}?[^"\s$`]*)"?')
_TOOL_DIR = re.compile(r'"?\$\((uv|pip[0-9.]*) cache dir\)"?')


def _removed(command: Command, source: str) -> list[str]:
    """The paths ``rm -r`` (``-R``, ``--recursive``, grouped as in ``-rf``) removes.

    A path written with a variable (``$UV_CACHE_DIR``, ``"${HOME}/.cache"``) is kept as
    written, for the stage to expand; ``"$(uv cache dir)"`` becomes ``$(uv)``, the
    tool's own cache directory.  ``dir/*`` empties ``dir``.
    """
    argv = command.argv
    if not argv or (argv[0].value or "").rsplit("/", 1)[-1] != "rm":
        return []  # most commands: a list, not a generator, for each command after each hit
    recursive, paths, options = False, [], True
    for word in argv[1:]:
        value = word.value
        if value is None:
            raw = source[word.start : word.end]
            if (tool := _TOOL_DIR.fullmatch(raw)) is not None:
                paths.append(f"$({tool.group(1).rstrip('0123456789.')})")
            elif (match := _EXPANSION_WORD.fullmatch(raw)) is not None:
                paths.append(match.group(1))
            continue
        if options and value == "--":
            options = False
        elif options and value.startswith("--"):
            recursive = recursive or value == "--recursive"
        elif options and value.startswith("-") and len(value) > 1:
            recursive = recursive or "r" in value or "R" in value
        else:
            paths.append(value)
    return [path[:-2] if path.endswith("/*") else path for path in paths] if recursive else []


def _cache_targets(ins: Instruction) -> Iterator[str]:
    """Targets of ``--mount=type=cache`` and ``type=tmpfs`` flags: what keeps a cache out of the layer.

    Other mounts (bind, secret, ssh) keep nothing out of the layer.
    """
    return (target for kind, target in _mounts(ins) if kind in ("cache", "tmpfs"))


def _mounts(ins: Instruction) -> Iterator[tuple[str, str]]:
    """(type, target) of each ``--mount`` flag of ``ins``, read like BuildKit (:func:`read_mount`)."""
    for name, value in ins.flags:
        if name == "mount" and value is not None:
            yield from read_mount(value)


def read_mount(value: str) -> Iterator[tuple[str, str]]:
    """(type, target) of one ``--mount=`` value; the type lower-cased, "" when the flag names none.

    CSV fields, keys and the type in any case (``dockerfile/instructions/runmount.go``
    ``parseMount`` lower-cases both).  The one reading of a mount flag: the fold, the fixes
    and the hover all take theirs from here.
    """
    import csv  # here: few RUNs mount anything

    for row in csv.reader(["".join(buildkit_words(value))]):
        fields = {key.strip().lower(): val for key, _, val in (f.partition("=") for f in row)}
        yield ((fields.get("type") or "").lower(),
               fields.get("target") or fields.get("dst") or fields.get("destination") or "")


def _json_words(text: str) -> list[str] | None:
    """COPY's JSON form (``COPY ["src", "dest"]``), as BuildKit's ``parseMaybeJSON`` reads it."""
    if not text.lstrip().startswith("["):
        return None
    import json

    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        return None
    return value if isinstance(value, list) and all(isinstance(v, str) for v in value) else None


def _env_pairs(args: str) -> Iterator[tuple[str, str]]:
    """ENV's two syntaxes: ``K=V K2="V 2"`` and the legacy ``K value with spaces``."""
    words = buildkit_words(args)
    if words and "=" not in words[0]:
        rest = args.strip().split(None, 1)
        yield words[0], " ".join(buildkit_words(rest[1])) if len(rest) > 1 else ""
        return
    for word in words:
        name, eq, value = word.partition("=")
        if eq:
            yield name, value


def _arg_pairs(args: str) -> Iterator[tuple[str, str | None]]:
    for word in buildkit_words(args):
        name, eq, value = word.partition("=")
        yield name, value if eq else None
