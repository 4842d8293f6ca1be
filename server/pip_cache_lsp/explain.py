"""Why a command is (or is not) reported: the text behind a hover, computed on request.

Nothing here runs per keystroke.  Given a :class:`~pip_cache_lsp.document.Document`
whose fold is current and an offset, :func:`explain_finding` re-reads the one
instruction (its commands, mounts, cleanups) and walks the blocks once for where
each variable got its value, then says what the rule saw, every exemption it
checked and why none applies, the fixes and the rule's page.  :func:`explain_at`
does the same for an exemption under the cursor: an ``ENV``/``ARG`` of a rule's off
variable, a ``--mount`` flag, a cleanup command.

Every name in the text comes from the rule's declarations (``Rule.cache``: the off and
directory variables, the cache's subdirectory, ``turns_off``; ``docs_url``; the flag
its fix inserts): no tool is named here.  The result is structured (:class:`Explanation`:
lines of plain text, code spans and links), so an adapter renders it as markdown or
plain text and escapes user text in one place.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from pip_cache_lsp.dockerfile import Instruction, iter_blocks
from pip_cache_lsp.document import Block, Document
from pip_cache_lsp.facts import _removed, read_mount
from pip_cache_lsp.findings import MISSING, Finding, Hit
from pip_cache_lsp.rules import Cache, Cleanup, Match, Rule, registered
from pip_cache_lsp.run import run_commands
from pip_cache_lsp.shell import Command
from pip_cache_lsp.stage import Graph, Stage, _resolved

# -- the structure an adapter renders ----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Piece:
    """A run of text: plain, a code span (user text, names, values) or a link."""

    text: str
    kind: str = "text"  # "text", "code" or "link"
    target: str = ""  # a link's address


Line = tuple[Piece, ...]


@dataclass(frozen=True, slots=True)
class Section:
    heading: str
    lines: tuple[Line, ...]


@dataclass(frozen=True, slots=True)
class Explanation:
    """A hover's content and the code-point range it explains."""

    start: int
    end: int
    title: Line
    sections: tuple[Section, ...]

    def plain(self) -> str:
        """The text without markup (for a plain-text client and for tests)."""
        parts = ["".join(p.text if p.kind != "link" else f"{p.text}: {p.target}" for p in self.title)]
        for section in self.sections:
            parts.append(f"\n{section.heading}:" if section.heading else "")
            parts.extend("- " + "".join(p.text if p.kind != "link" else f"{p.text}: {p.target}" for p in line)
                         for line in section.lines)
        return "\n".join(parts)


def code(text: object) -> Piece:
    return Piece(str(text), "code")


def value_code(value: object) -> Piece:
    """A value as a code span; an empty one as ``""`` (a code span cannot be empty)."""
    return code(value) if value != "" else code('""')


def link(text: str, target: str) -> Piece:
    return Piece(text, "link", target)


def _line(*parts: str | Piece) -> Line:
    return tuple(Piece(p) if isinstance(p, str) else p for p in parts if p != "")


# -- where things are --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Origin:
    """An ENV or ARG instruction that gives a variable its value (as written)."""

    at: int  # offset of the instruction's line
    keyword: str  # ENV or ARG
    name: str  # the name as written (pip folds ``PIP_no_cache_dir`` into ``PIP_NO_CACHE_DIR``)
    value: str | None  # as written; None: an ARG without a default
    stage: int | None  # the stage's index; None for a global ARG (before the first FROM)


@dataclass(slots=True)
class _Context:
    """The document's blocks (starts current), the stage graph, and where each stage's FROM is."""

    doc: Document
    blocks: list[Block]
    starts: list[int]
    graph: Graph
    froms: dict[int, tuple[int, str]] = field(default_factory=dict)  # stage index -> (offset, FROM text)
    labels: dict[int, str] = field(default_factory=dict)
    settings: dict[tuple[str, int], list[tuple[Block, Origin]]] = field(default_factory=dict)  # see _settings

    def line(self, offset: int) -> int:
        return self.doc.lines.line_of(offset) + 1

    def at(self, offset: int) -> Block | None:
        """The block holding ``offset``."""
        i = bisect.bisect_right(self.starts, offset) - 1
        if i < 0:
            return None
        block = self.blocks[i]
        return block if offset < block.start + block.length or i == len(self.blocks) - 1 else None

    def instruction(self, block: Block) -> Instruction:
        """The block parsed again (the model keeps no parse of it)."""
        return next(iter_blocks(self.doc.text, block.start, self.doc.directives.escape))

    def stage_name(self, index: int | None) -> str:
        if index is None or index < 0:
            return "the global scope" if index is None else "the text before any FROM"
        return f"stage {self.labels.get(index, str(index))}"

    def ancestors(self, index: int) -> list[int]:
        """``index`` and the stages it is built on, nearest first."""
        return self.graph.ancestors(index)


def _context(doc: Document, honour_env: bool) -> _Context:
    doc.blocks_with_findings(honour_env)  # the fold current: each block's stage
    blocks = doc.blocks
    ctx = _Context(doc, blocks, [b.start for b in blocks], doc.graph)
    for block in blocks:
        facts = block.facts
        if facts is not None and facts.stage_base is not None and block.stage is not None:
            at = block.start + block.instruction_offset
            end = doc.text.find("\n", at)
            ctx.froms[block.stage.index] = (at, doc.text[at: len(doc.text) if end < 0 else end].strip())
            ctx.labels[block.stage.index] = block.stage.label
    return ctx


def _same_name(cache: Cache | None, name: str, variable: str) -> bool:
    """Whether the tool reads ENV ``name`` as ``variable`` (pip folds case and ``-``)."""
    if name == variable:
        return True
    key = cache.key if cache is not None else None
    return (key is not None and len(name) == len(variable) and name.startswith(cache.key_prefix)  # type: ignore[union-attr]
            and key(name) == key(variable))


def _settings(ctx: _Context, variable: str, cache: Cache | None) -> list[tuple[Block, Origin]]:
    """Every ENV and ARG that sets ``variable``, in order (one walk per variable and hover)."""
    key = (variable, id(cache))
    found = ctx.settings.get(key)
    if found is None:
        found = ctx.settings[key] = list(_find_settings(ctx, variable, cache))
    return found


def _find_settings(ctx: _Context, variable: str, cache: Cache | None) -> Iterator[tuple[Block, Origin]]:
    for block in ctx.blocks:
        facts = block.facts
        if facts is None or not (facts.env or facts.args):
            continue
        stage = block.stage.index if block.stage is not None else None
        at = block.start + block.instruction_offset
        for name, value in facts.env:
            if _same_name(cache, name, variable):
                yield block, Origin(at, "ENV", name, value, stage)
        for name, default in facts.args:
            if _same_name(cache, name, variable):
                yield block, Origin(at, "ARG", name, default, stage)


def _origin(ctx: _Context, variable: str, cache: Cache | None, before: int, stage: Stage | None) -> Origin | None:
    """The ENV (else ARG) that gives ``variable`` its value in ``stage`` at offset ``before``.

    Both come down the ``FROM <stage>`` chain, as the fold reads them (an ARG declared in a
    stage "is automatically inherited by other stages based on that stage", Dockerfile reference).
    """
    if stage is None:
        return None
    chain = ctx.ancestors(stage.index) if stage.index >= 0 else [stage.index]
    env: Origin | None = None
    arg: Origin | None = None
    for _, origin in _settings(ctx, variable, cache):
        if origin.at >= before or origin.stage not in chain:
            continue
        if origin.keyword == "ENV":
            env = origin
        else:
            arg = origin
    return env or arg


def _where(ctx: _Context, origin: Origin) -> tuple[str | Piece, ...]:
    """``ENV PIP_NO_CACHE_DIR`` on line 3 in stage ``base``."""
    return (code(f"{origin.keyword} {origin.name}"), f" on line {ctx.line(origin.at)}",
            f" ({_stage_text(ctx, origin.stage)})")


def _stage_text(ctx: _Context, index: int | None) -> str:
    if index is None:
        return "a global ARG, before the first FROM"
    if index < 0:
        return "before any FROM"
    return f"stage {ctx.labels.get(index, str(index))}"


def _from_text(ctx: _Context, index: int) -> tuple[str | Piece, ...]:
    at, text = ctx.froms.get(index, (0, ""))
    return (code(_trim(text)), f" (line {ctx.line(at)})") if text else ("no FROM",)


# -- words and values ------------------------------------------------------------------------------


_CONTINUATION = re.compile(r"[ \t]*[\\`]\r?\n[ \t]*")


def _trim(text: str, limit: int = 160) -> str:
    """Command text as written, continuation lines joined, long text cut."""
    text = _CONTINUATION.sub(" ", text).strip()
    text = " ".join(part.strip() for part in text.splitlines() if part.strip())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def flag_of(hit: Hit | Finding) -> str:
    """The option the rule's fix inserts (``--no-cache-dir``), from the fix's own text."""
    return hit.insert_text.strip().lstrip(",").strip().strip('"').replace("\\ ", " ").strip()


def reading(rule: Rule, value: object) -> str:
    """What the tool makes of its off variable's value."""
    tool = rule.cache.subdir
    if rule.cache.turns_off(value):
        return f"which {tool} reads as 'cache off'"
    if value == "":
        return f"an empty value, which {tool} does not read as 'cache off'"
    return f"which {tool} reads as 'cache on'"


def _value(stage: Stage | None, value: object) -> object:
    return _resolved(stage or Stage(), value)


# -- mounts -------------------------------------------------------------------------------------

_FLAG_WORD = re.compile(r"""(?:[^\s"']|"(?:[^"\\]|\\.)*"?|'[^']*'?)+""")


@dataclass(frozen=True, slots=True)
class Mount:
    type: str
    target: str
    start: int  # the ``--mount=…`` word's span, block offsets
    end: int
    text: str


def mounts(ins: Instruction) -> list[Mount]:
    """The ``--mount`` flags of a RUN with their spans, read as ``facts._cache_targets`` reads them."""
    out: list[Mount] = []
    logical, smap = ins.logical, ins.logical_map
    pos = logical.find("RUN") + 3 if logical[:3].upper() == "RUN" else 0
    pos = len(logical) - len(logical[pos:].lstrip()) if pos else pos
    while logical.startswith("--", pos):
        word = _FLAG_WORD.match(logical, pos)
        if word is None or word.group(0) == "--":
            break
        text = word.group(0)
        name, eq, value = text[2:].partition("=")
        if name.lower() == "mount" and eq:
            for kind, target in read_mount(value):  # BuildKit's default type is bind
                out.append(Mount(kind or "bind", target, smap.start(word.start()), smap.end(word.end()), text))
        pos = word.end()
        while pos < len(logical) and logical[pos].isspace():
            pos += 1
    return out


def _holds(path: str, directory: str | None, subdir: str) -> bool:
    """The fold's own test: a mount or removal of ``path`` takes the cache directory with it."""
    return Stage._holds(path, directory, subdir)


# -- a finding ------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Seen:
    """One reported command, re-read: its block, parse, hit, stage and command."""

    ctx: _Context
    block: Block
    ins: Instruction
    hit: Hit
    stage: Stage | None
    commands: list[Command]
    index: int | None  # the hit's command among ``commands``
    match: Match | None

    @property
    def command(self) -> Command | None:
        return self.commands[self.index] if self.index is not None else None


def _all_hits(block: Block, stage: Stage | None) -> list[Hit]:
    """Every match of a RUN before exemptions (the calls and the commands the stage's values complete)."""
    facts = block.facts
    if facts is None:
        return []
    calls = list(facts.calls)
    if facts.deferred:
        expand = (stage or Stage()).expand
        calls += [hit for d in facts.deferred for hit in d.hits(expand)]
    return sorted(calls, key=lambda hit: hit.start)


def _seen(ctx: _Context, start: int, rule: Rule) -> _Seen | None:
    block = ctx.at(start)
    if block is None or block.facts is None:
        return None
    hit = next((h for h in (*block.hits, *_all_hits(block, block.stage)) if block.start + h.start == start
                and h.rule is rule), None)
    if hit is None:
        return None
    ins = ctx.instruction(block)
    commands = list(run_commands(ins))
    index = next((i for i, c in enumerate(commands) if c.argv and c.argv[0].start == hit.start), None)
    match = rule.match(commands[index]) if index is not None else None
    return _Seen(ctx, block, ins, hit, block.stage, commands, index, match)


def explain_finding(doc: Document, finding: Finding, severity: str, honour_env: bool = True) -> Explanation | None:
    """What the rule saw at ``finding``, every exemption it checked and why none applies, the fixes."""
    ctx = _context(doc, honour_env)
    seen = _seen(ctx, finding.start, finding.rule)
    if seen is None:
        return None
    rule = finding.rule
    title = _line(code(rule.code), f" ({severity}): {finding.message}")
    sections = [
        Section("What it saw", tuple(_saw(seen))),
        Section("Exemptions checked", tuple(_exemptions(seen, honour_env))),
        Section("Image", tuple(_image(seen, finding))),
        Section("Fixes", tuple(_fixes(seen))),
        Section("", (_line(link(f"Rule page: {rule.code}", rule.docs_url)),)),
    ]
    return Explanation(finding.start, finding.end, title, tuple(sections))


def _command_text(seen: _Seen) -> str:
    command = seen.command
    text = seen.ins.text
    if command is None or not command.argv:
        return _trim(text[seen.hit.start:seen.hit.end])
    return _trim(text[command.argv[0].start:command.argv[-1].end])


def _saw(seen: _Seen) -> Iterator[Line]:
    ctx, stage, hit = seen.ctx, seen.stage, seen.hit
    at = seen.block.start + hit.start
    yield _line("Command: ", code(_command_text(seen)), f" (line {ctx.line(at)})")
    if stage is not None and stage.index >= 0:
        base = ctx.graph.bases[stage.index] if stage.index < len(ctx.graph.bases) else None
        built = ("; built on ", code(ctx.labels.get(base, str(base)))) if base is not None else ()
        named = (code(stage.name), f" (stage {stage.index})") if stage.name else (f"stage {stage.index}",)
        yield _line("Stage: ", *named, ", ", *_from_text(ctx, stage.index), *built)
    else:
        yield _line("Stage: none (no FROM before this RUN)")
    yield _user(seen)
    yield _cache_dir(seen)


def _user(seen: _Seen) -> Line:
    stage = seen.stage
    user = stage.user if stage is not None else None
    if user is None:
        return _line("User: ", code("root"), " (no USER: the default)")
    at = _last_user(seen)
    where = f" (USER on line {seen.ctx.line(at)})" if at is not None else " (USER)"
    return _line("User: ", code(user), where)


def _last_user(seen: _Seen) -> int | None:
    stage = seen.stage
    if stage is None:
        return None
    chain = seen.ctx.ancestors(stage.index)
    found = None
    for block in seen.ctx.blocks:
        if block.start >= seen.block.start:
            break
        facts = block.facts
        if facts is not None and facts.user is not None and block.stage is not None and block.stage.index in chain:
            found = block.start + block.instruction_offset
    return found


def _cache_dir(seen: _Seen) -> Line:
    """Where the cache goes, and which value decided it (``Stage.cache_dir``'s order)."""
    ctx, stage, hit = seen.ctx, seen.stage or Stage(), seen.hit
    cache = hit.rule.cache
    directory = stage.cache_dir(hit)
    shown: str | Piece = code(directory) if directory else "unknown"
    before = seen.block.start
    if hit.cache_dir is not MISSING:
        value = _resolved(stage, hit.cache_dir)
        if seen.match is not None and seen.match.cache_dir is not None:
            option = _option_before(seen, seen.match.cache_dir)
            how: tuple[str | Piece, ...] = ("from the command line's ", code(option))
        else:
            how = ("from ", code(cache.dir_variable), " in the command's own environment")
        if isinstance(value, str) and value and not value.startswith("/"):
            how += (", relative, resolved against WORKDIR ", code(stage.workdir))
        return _line("Cache directory: ", shown, " — ", *how)
    if not hit.ignores_variables:
        value = stage.lookup(cache.dir_variable, hit)
        if isinstance(value, str) and value:
            origin = _origin(ctx, cache.dir_variable, cache, before, seen.stage)
            how = ("from ", *_where(ctx, origin)) if origin else ("from ", code(cache.dir_variable))
            if not value.startswith("/"):
                how += (", relative, resolved against WORKDIR ", code(stage.workdir))
            return _line("Cache directory: ", shown, " — ", *how)
    ignored: tuple[str | Piece, ...] = ()
    if hit.ignores_variables:
        ignored = (" (the command ignores ", code(cache.dir_variable), ")")
    xdg = stage.get("XDG_CACHE_HOME") if hit.kept is None or "XDG_CACHE_HOME" in hit.kept else None
    if xdg:
        origin = _origin(ctx, "XDG_CACHE_HOME", None, before, seen.stage)
        where = _where(ctx, origin) if origin else (code("XDG_CACHE_HOME"),)
        return _line("Cache directory: ", shown, " — ", code(f"$XDG_CACHE_HOME/{cache.subdir}"), ", from ",
                     *where, *ignored)
    default = code(f"$HOME/.cache/{cache.subdir}")
    if stage.get("HOME"):
        origin = _origin(ctx, "HOME", None, before, seen.stage)
        where = _where(ctx, origin) if origin else (code("HOME"),)
        return _line("Cache directory: ", shown, " — ", default, ", with HOME from ", *where, *ignored)
    if directory is not None:
        return _line("Cache directory: ", shown, " — ", default, ", with root's home ", code("/root"), *ignored)
    return _line("Cache directory: unknown — ", default, " for user ", code(stage.user or "?"),
                 " whose home the Dockerfile does not set (no ENV HOME); the rule assumes a ", code(".cache"),
                 " under some home", *ignored)


def _option_before(seen: _Seen, value: str) -> str:
    """The words on the command line that set the cache directory (``--cache-dir /x``)."""
    command = seen.command
    if command is None:
        return value
    argv = command.argv
    for i in range(len(argv) - 1, -1, -1):
        word = argv[i].value or ""
        if word.endswith("=" + value) and word.startswith("-"):
            return word
        if word == value and i > 0 and (argv[i - 1].value or "").startswith("-"):
            return f"{argv[i - 1].value} {value}"
    return value


def _exemptions(seen: _Seen, honour_env: bool) -> Iterator[Line]:
    if not honour_env:
        yield _line("honourEnv is off: the environment, mounts and cleanups are not consulted; every such "
                    "command is reported")
    yield from _off_variable(seen)
    flag = flag_of(seen.hit)
    yield _line("Flag: ", code(flag), " is not on the command")
    yield from _mount_lines(seen)
    yield from _cleanup_lines(seen)
    if seen.hit.config:
        yield from _config_lines(seen)


def _off_variable(seen: _Seen) -> Iterator[Line]:
    """The off variable: the value that reaches the command and each setting that does not."""
    ctx, stage, hit = seen.ctx, seen.stage, seen.hit
    rule, cache = hit.rule, hit.rule.cache
    var = cache.off_variable
    name = code(var)
    effective = _origin(ctx, var, cache, seen.block.start, stage)
    if hit.ignores_variables or hit.env_value is not MISSING:
        if hit.ignores_variables:
            yield _line(name, ": not read — ", *_ignoring(seen))
        else:
            value = _value(stage, hit.env_value)
            yield _line(name, ": set to ", value_code(value if value is not None else "?"),
                        " in the command's own environment, ", reading(rule, value))
        if effective is not None:
            yield _line("Elsewhere: ", value_code(f"{effective.name}={effective.value or ''}"),
                        f": {effective.keyword} on line {ctx.line(effective.at)} — not what this command reads")
    else:
        scope = stage or Stage()
        unfiltered = cache.lookup(scope.env, var, MISSING)
        if unfiltered is MISSING:
            unfiltered = cache.lookup(scope.args, var, None)
        value = scope.lookup(var, hit)
        if hit.kept is not None and unfiltered is not None and value is None:
            where = (" by ", *_where(ctx, effective)) if effective else ()
            yield _line(name, ": set to ", value_code(unfiltered), *where, ", but ", code(_wrapper(seen)),
                        " resets the environment (sudo's env_reset, env -i): the command does not see it")
        elif value is None and hit.shell_value is not MISSING:
            assigned = _value(stage, hit.shell_value)
            yield _line(name, ": the script assigns ", value_code(assigned if assigned is not None else "?"),
                        " without exporting it, so the command does not see it (the stage does not set it)")
        elif value is None:
            yield _line(name, ": not set in this stage")
        else:
            if hit.shell_value is not MISSING:
                value = _value(stage, hit.shell_value)
                yield _line(name, ": the script assigns ", value_code(value), " before the command, ",
                            reading(rule, value))
            else:
                where = (" by ", *_where(ctx, effective)) if effective else ()
                yield _line(name, ": set to ", value_code(value), *where, ", ", reading(rule, value))
    yield from _elsewhere(seen, effective)


def _wrapper(seen: _Seen) -> str:
    """The wrapper before the command that cleared its environment, as written (``sudo``, ``env -i``)."""
    text = seen.ins.text[: seen.hit.start]
    for word in ("sudo", "env -i", "env --ignore-environment", "env -", "su", "runuser", "doas"):
        if word in text[-80:]:
            return word
    return "a wrapper"


def _ignoring(seen: _Seen) -> tuple[str | Piece, ...]:
    command, match = seen.command, seen.match
    if match is not None and match.cache_dir is not None:
        return ("the command line's ", code(_option_before(seen, match.cache_dir)),
                " overrides the environment")
    # The rule's match says an option does it (pip's ``--isolated``); which one is the rule's to know,
    # so the command's options are all shown.
    options = [w.value for w in command.argv[1:] if w.value and w.value.startswith("-")] if command else []
    if options:
        return ("an option on the command line (", *_join(code(o) for o in options),
                ") makes the tool ignore its environment variables")
    return ("the command line makes the tool ignore its environment variables",)


def _elsewhere(seen: _Seen, effective: Origin | None) -> Iterator[Line]:
    """Settings of the off variable that do not reach this command, and why."""
    ctx, stage, hit = seen.ctx, seen.stage, seen.hit
    rule, cache = hit.rule, hit.rule.cache
    index = stage.index if stage is not None else -1
    chain = ctx.ancestors(index) if index >= 0 else [index]
    run_at = seen.block.start
    for _, origin in _settings(ctx, cache.off_variable, cache):
        if origin == effective:
            continue
        value = origin.value
        shown = (code(f"{origin.name}={value}") if value is not None else code(origin.name))
        line = ctx.line(origin.at)
        reads = (", ", reading(rule, value)) if value is not None else ()
        if origin.stage is None:
            yield _line("Elsewhere: ", shown, f": a global ARG on line {line}", *reads,
                        " — not seen here: a stage sees a global ARG only after declaring it again (",
                        code(f"ARG {origin.name}"), ")")
        elif origin.stage == index and origin.at > run_at:
            yield _line("Elsewhere: ", shown, f": {origin.keyword} on line {line}", *reads, " — after this RUN")
        elif origin.stage in chain and origin.at < run_at:
            yield _line("Elsewhere: ", shown, f": {origin.keyword} on line {line}", *reads,
                        " — overridden by a later setting")
        else:
            this = ("this stage is ", *_from_text(ctx, index)) if index >= 0 else ("this RUN has no stage",)
            yield _line("Elsewhere: ", shown, f": {origin.keyword} on line {line} in {_stage_text(ctx, origin.stage)}",
                        *reads, " — not reached here: ", *this,
                        *((", not built on ", code(ctx.labels.get(origin.stage, str(origin.stage))))
                          if origin.stage is not None and origin.stage >= 0 else ()))


def _mount_lines(seen: _Seen) -> Iterator[Line]:
    stage, hit = seen.stage or Stage(), seen.hit
    subdir = hit.rule.cache.subdir
    directory = stage.cache_dir(hit)
    found = mounts(seen.ins)
    if not found:
        yield _line("Mounts: none on this RUN")
        return
    for mount in found:
        yield _line("Mount ", code(_trim(mount.text)), ": ", *_mount_reading(stage, mount, directory, subdir))


def _mount_reading(stage: Stage, mount: Mount, directory: str | None, subdir: str) -> tuple[str | Piece, ...]:
    if mount.type not in ("cache", "tmpfs"):
        return ("a ", code(f"type={mount.type}"), " mount keeps nothing out of the layer (only cache and tmpfs do)",)
    expanded = stage.expand(mount.target)
    if not mount.target or expanded is None:
        if not mount.target:
            return ("it has no target",)
        return ("its target ", code(mount.target), " uses a variable the Dockerfile does not set",)
    path = stage.absolute(expanded)
    relative = (" (relative: resolved against WORKDIR ", code(stage.workdir), ")") if not expanded.startswith("/") \
        else ()
    if _holds(path, directory, subdir):
        held = ("the cache directory ", code(directory)) if directory else ("some user's ", code(f".cache/{subdir}"))
        return ("on ", code(path), *relative, ", which is ", *held, " or a parent of it",)
    if directory is None:
        return ("on ", code(path), *relative, ", which is no user's ", code(f".cache/{subdir}"),
                " nor a parent of one",)
    return ("on ", code(path), *relative, ", which is neither ", code(directory), " nor a parent of it",)


def _cleanup_lines(seen: _Seen) -> Iterator[Line]:
    """Cleanups in the same RUN: which path they remove and why that misses, or why they may not run."""
    stage, hit = seen.stage or Stage(), seen.hit
    rule = hit.rule
    subdir = rule.cache.subdir
    directory = stage.cache_dir(hit)
    any_seen = False
    for i, command in enumerate(seen.commands):
        if seen.index is not None and i == seen.index:
            continue
        paths = list(_removed(command, seen.ins.text))
        cleanup = rule.cleanup(command)
        if not paths and cleanup is None:
            continue
        any_seen = True
        text = code(_trim(seen.ins.text[command.argv[0].start:command.argv[-1].end]))
        line = seen.ctx.line(seen.block.start + command.argv[0].start)
        if seen.index is not None and i < seen.index:
            yield _line("Cleanup ", text, f" (line {line}): runs before the command, so it empties nothing it left")
            continue
        if not command.always:
            yield _line("Cleanup ", text, f" (line {line}): does not always run (after ", code("||"),
                        ", in a condition or a pipeline), so the cache may stay")
            continue
        if cleanup is not None:
            note = cleanup.note or "it empties the cache"
            yield _line("Cleanup ", text, f" (line {line}): {note}")
            continue
        for path in paths:
            yield _line("Cleanup ", text, f" (line {line}): ", *_removal(stage, path, directory, subdir))
    if not any_seen:
        yield _line("Cleanup: none later in this RUN (a cleanup in a later RUN cannot shrink this layer)")


def _removal(stage: Stage, path: str, directory: str | None, subdir: str) -> tuple[str | Piece, ...]:
    if path == f"$({subdir})":
        return ("removes the tool's own cache directory",)
    if path.startswith("$(") and path.endswith(")"):  # ``"$(uv cache dir)"``: another tool's answer
        return ("removes the cache directory ", code(path[2:-1]), " reports, not this one",)
    resolved = stage._path(path)
    if resolved is None:
        return ("removes ", code(path), ", which is unknown here",)
    absolute = stage.absolute(resolved)
    if _holds(absolute, directory, subdir):
        return ("removes ", code(absolute), ", the cache directory or a parent of it",)
    if directory is None:
        return ("removes ", code(absolute), ", which is no user's ", code(f".cache/{subdir}"),)
    return ("removes ", code(absolute), ", which is neither ", code(directory), " nor a parent of it",)


def _config_lines(seen: _Seen) -> Iterator[Line]:
    stage, hit = seen.stage or Stage(), seen.hit
    written = dict(stage.config)
    written.update((stage._config_key(k), v) for k, v in hit.configured)
    found = False
    for key in hit.config:
        value = written.get(stage._config_key(key), MISSING)
        if value is MISSING:
            continue
        found = True
        yield _line("Configuration ", code(key), ": ",
                    "unset" if value is None else value_code(value), ", ", reading(hit.rule, value))
    if not found:
        yield _line("Configuration: nothing written in the image turns the cache off (read: ",
                    *_join(code(k) for k in hit.config), ")")


def _join(pieces: Iterator[Piece]) -> tuple[str | Piece, ...]:
    out: list[str | Piece] = []
    for piece in pieces:
        if out:
            out.append(", ")
        out.append(piece)
    return tuple(out)


def _image(seen: _Seen, finding: Finding) -> Iterator[Line]:
    ctx, stage = seen.ctx, seen.stage
    if stage is None or stage.index < 0:
        yield _line("No FROM before this RUN: it is checked as part of the final image")
        return
    placement = ctx.graph.placement(seen.block)
    label = code(stage.label)
    if placement is None:
        yield _line("Stage ", label, " reaches the final image")
        return
    final = len(ctx.graph.bases) - 1
    if finding.builder_stage is None and stage.index in ctx.graph.copied():
        yield _line("Stage ", label, " does not reach the final image (the last stage, ",
                    code(ctx.labels.get(final, str(final))), "), but a ", code("COPY --from"),
                    " ships its cache directory")
    else:
        yield _line("Stage ", label, " does not reach the final image (the last stage, ",
                    code(ctx.labels.get(final, str(final))), "): a builder stage, and no COPY --from ships its cache")


def _fixes(seen: _Seen) -> Iterator[Line]:
    """The three remedies the code actions offer (``remedies.py``), named as their titles name them."""
    ctx, stage, hit = seen.ctx, seen.stage, seen.hit
    rule = hit.rule
    cache = rule.cache
    yield _line("Add ", code(flag_of(hit)), " to the command (quick fix: ", rule.fix_title, ")")
    if rule.off_value is not None:  # a rule without one declares no stage-wide fix
        at = ctx.froms.get(stage.index) if stage is not None else None
        after = f" after the stage's FROM (line {ctx.line(at[0])})" if at else ""
        setting = code(f"ENV {cache.off_variable}={rule.off_value}")
        yield _line(f"Turn the {cache.subdir} cache off for the stage: ", setting, after)
    directory = (stage or Stage()).cache_dir(hit)
    if directory:
        yield _line(f"Use a BuildKit cache mount for the {cache.subdir} cache: ",
                    code(f"RUN --mount=type=cache,target={directory}"))


# -- an exemption under the cursor --------------------------------------------------------------


def explain_at(doc: Document, offset: int, active: frozenset[str] | None = None,
               honour_env: bool = True) -> Explanation | None:
    """What the exemption at ``offset`` exempts: an off variable's ENV/ARG, a mount, a cleanup; else None."""
    ctx = _context(doc, honour_env)
    block = ctx.at(offset)
    if block is None:
        return None
    rules = [rule for rule in registered() if active is None or rule.code in active]
    if not rules:
        return None
    keyword = getattr(block, "keyword", "")
    if keyword in ("ENV", "ARG") and block.facts is not None:
        return _variable_at(ctx, block, offset, rules, honour_env)
    if keyword == "RUN":
        ins = ctx.instruction(block)
        relative = offset - block.start
        for mount in mounts(ins):
            if mount.start <= relative < mount.end:
                return _mount_at(ctx, block, ins, mount, rules, honour_env)
        return _cleanup_at(ctx, block, ins, relative, rules, honour_env)
    return None


def _words(ins: Instruction) -> Iterator[tuple[str, int, int]]:
    """The argument words of an ENV/ARG with their spans in block offsets."""
    logical, smap = ins.logical, ins.logical_map
    for word in _FLAG_WORD.finditer(logical, ins.command_start):
        yield word.group(0), smap.start(word.start()), smap.end(word.end())


def _variable_at(ctx: _Context, block: Block, offset: int, rules: list[Rule], honour_env: bool) -> Explanation | None:
    ins = ctx.instruction(block)
    relative = offset - block.start
    words = list(_words(ins))
    if not words:
        return None
    legacy = ins.keyword == "ENV" and "=" not in words[0][0]
    for i, (text, start, end) in enumerate(words):
        if legacy and i > 0:
            break
        name = text.partition("=")[0]
        hover_end = words[-1][2] if legacy else end
        if not start <= relative < hover_end:
            continue
        for rule in rules:
            cache = rule.cache
            if _same_name(cache, name, cache.off_variable):
                return _off_setting(ctx, block, ins, rule, name, start, hover_end, honour_env)
        return None
    return None


def _off_setting(ctx: _Context, block: Block, ins: Instruction, rule: Rule, name: str, start: int, end: int,
                 honour_env: bool) -> Explanation:
    """An ENV/ARG of a rule's off variable: its reading, and the commands it turns off."""
    cache = rule.cache
    facts = block.facts
    assert facts is not None
    at = block.start + block.instruction_offset
    stage = block.stage
    if ins.keyword == "ENV":
        value: str | None = next((v for k, v in facts.env if k == name), None)
        value = stage.get(name) if stage is not None and stage.get(name) is not None else value
    else:
        value = stage.args.get(name) if stage is not None else next((v for k, v in facts.args if k == name), None)
    title = _line(code(f"{ins.keyword} {name}"), ": the off variable of ", code(rule.code))
    lines: list[Line] = []
    if value is None:
        lines.append(_line("No value here (an ARG without a default): the build may pass one with ",
                           code("--build-arg")))
    else:
        lines.append(_line("Value ", value_code(value), ", ", reading(rule, value)))
    if name != cache.off_variable:
        lines.append(_line(rule.cache.subdir, " reads ", code(name), " as ", code(cache.off_variable)))
    if block.stage is None:
        lines.append(_line("A global ARG: stages see it only after declaring it again (",
                           code(f"ARG {name}"), ")"))
        return Explanation(block.start + start, block.start + end, title, (Section("", tuple(lines)),))
    reached, others = _reached(ctx, block, rule, at)
    off = cache.turns_off(value)
    if not honour_env:
        lines.append(_line("honourEnv is off: the environment exempts nothing"))
    verb = "turns off the cache of" if off and honour_env else "does not turn off the cache of"
    lines.append(_line(f"It {verb} {len(reached)} command(s) of ", code(rule.code),
                       f" in {_stage_text(ctx, block.stage.index)} and the stages built on it"))
    listed = tuple(_line(code(text), f" (line {line})") for line, text in reached)
    sections = [Section("", tuple(lines))]
    if listed:
        sections.append(Section("Commands it reaches", listed))
    if others:
        sections.append(Section("Commands that do not see it", tuple(_line(code(t), f" (line {n}): {why}")
                                                                     for n, t, why in others)))
    sections.append(Section("", (_line(link(f"Rule page: {rule.code}", rule.docs_url)),)))
    return Explanation(block.start + start, block.start + end, title, tuple(sections))


def _reached(ctx: _Context, setting: Block, rule: Rule, at: int) -> tuple[list[tuple[int, str]],
                                                                           list[tuple[int, str, str]]]:
    """The rule's commands in this stage (after it) and in stages built on it that read this setting."""
    cache = rule.cache
    index = setting.stage.index if setting.stage is not None else -1
    reached: list[tuple[int, str]] = []
    others: list[tuple[int, str, str]] = []
    for block in ctx.blocks:
        if block.start <= setting.start or block.facts is None or block.stage is None:
            continue
        stage = block.stage
        if index not in (ctx.ancestors(stage.index) if stage.index >= 0 else [stage.index]):
            continue
        hits = [h for h in _all_hits(block, stage) if h.rule is rule]
        if not hits:
            continue
        origin = _origin(ctx, cache.off_variable, cache, block.start, stage)
        for hit in hits:
            line = ctx.line(block.start + hit.start)
            text = _trim(_source(ctx, block)[hit.start:hit.end])
            if origin is None or origin.at != at:
                others.append((line, text, f"overridden by line {ctx.line(origin.at)}" if origin else "not set"))
            elif hit.ignores_variables:
                others.append((line, text, "the command ignores the environment"))
            elif hit.env_value is not MISSING:
                others.append((line, text, "the command sets its own value"))
            elif hit.kept is not None and stage.lookup(cache.off_variable, hit) is None:
                others.append((line, text, "its environment is reset (sudo, env -i)"))
            else:
                reached.append((line, text))
    return reached, others


def _source(ctx: _Context, block: Block) -> str:
    return ctx.doc.text[block.start: block.start + block.length]


def _mount_at(ctx: _Context, block: Block, ins: Instruction, mount: Mount, rules: list[Rule],
              honour_env: bool) -> Explanation:
    stage = block.stage or Stage()
    title = _line(code(_trim(mount.text)))
    lines: list[Line] = []
    if mount.type not in ("cache", "tmpfs"):
        lines.append(_line("A ", code(f"type={mount.type}"), " mount keeps nothing out of the layer: only cache "
                           "and tmpfs mounts hold a tool's cache"))
    else:
        hits = [h for h in _all_hits(block, block.stage) if h.rule in rules]
        if not hits:
            lines.append(_line("No command of a checked rule in this RUN uses a cache"))
        for hit in hits:
            directory = stage.cache_dir(hit)
            text = code(_trim(ins.text[hit.start:hit.end]))
            reading_ = _mount_reading(stage, mount, directory, hit.rule.cache.subdir)
            holds = _holds(stage.absolute(stage.expand(mount.target) or "\0"), directory, hit.rule.cache.subdir)
            what = f"Keeps {hit.rule.cache.subdir}'s cache out of the layer for " if holds else "Holds nothing for "
            lines.append(_line(what, text, f" (line {ctx.line(block.start + hit.start)}; ", code(hit.rule.code),
                               "): ", *reading_))
        if not honour_env:
            lines.append(_line("honourEnv is off: mounts exempt nothing"))
    return Explanation(block.start + mount.start, block.start + mount.end, title, (Section("", tuple(lines)),))


def _cleanup_at(ctx: _Context, block: Block, ins: Instruction, relative: int, rules: list[Rule],
                honour_env: bool) -> Explanation | None:
    commands = list(run_commands(ins))
    for command in commands:
        argv = command.argv
        if not argv or not argv[0].start <= relative < argv[-1].end:
            continue
        paths = list(_removed(command, ins.text))
        cleanups = [(rule, c) for rule in rules if (c := rule.cleanup(command)) is not None]
        if not paths and not cleanups:
            continue
        return _cleanup(ctx, block, ins, command, paths, cleanups, rules, honour_env)
    return None


def _cleanup(ctx: _Context, block: Block, ins: Instruction, command: Command, paths: list[str],
             cleanups: list[tuple[Rule, Cleanup]], rules: list[Rule], honour_env: bool) -> Explanation:
    stage = block.stage or Stage()
    argv = command.argv
    start, end = argv[0].start, argv[-1].end
    title = _line(code(_trim(ins.text[start:end])), ": a cleanup")
    lines: list[Line] = []
    if not command.always:
        lines.append(_line("It does not always run (after ", code("||"), ", in a condition or a pipeline): it "
                           "exempts nothing"))
    hits = [h for h in _all_hits(block, block.stage) if h.rule in rules and h.start < start]
    for rule, cleanup in cleanups:
        if cleanup.complete:
            lines.append(_line("Empties ", rule.cache.subdir, "'s cache (", code(rule.code), ")"))
        else:
            lines.append(_line("Does not empty ", rule.cache.subdir, "'s cache: ", cleanup.note or ""))
    for path in paths:
        for rule in dict.fromkeys(h.rule for h in hits):
            directory = next(stage.cache_dir(h) for h in hits if h.rule is rule)
            lines.append(_line(code(rule.code), ": ", *_removal(stage, path, directory, rule.cache.subdir)))
    exempted = []
    for hit in hits:
        directory = stage.cache_dir(hit)
        subdir = hit.rule.cache.subdir
        by_tool = any(rule is hit.rule and c.complete for rule, c in cleanups)
        by_path = any(p == f"$({subdir})" or ((r := stage._path(p)) is not None
                                                and _holds(stage.absolute(r), directory, subdir))
                      for p in paths)
        if (by_tool or by_path) and command.always:
            exempted.append(_line(code(_trim(ins.text[hit.start:hit.end])),
                                  f" (line {ctx.line(block.start + hit.start)})"))
    sections = [Section("", tuple(lines))]
    if exempted and honour_env:
        sections.append(Section("Commands before it in this RUN that it exempts", tuple(exempted)))
    elif hits:
        sections.append(Section("", (_line("It exempts none of the commands before it in this RUN"),)))
    else:
        sections.append(Section("", (_line("No command of a checked rule runs before it in this RUN"),)))
    return Explanation(block.start + start, block.start + end, title, tuple(sections))
