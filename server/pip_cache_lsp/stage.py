"""The stage fold: the environment each RUN sees, and which of its hits nothing exempts.

A handful of dictionary operations per instruction.  Each block keeps the stage
in effect after it (``stage``) and the hits left on it (``hits``), so an edit that
changes no stage re-checks only its own blocks (:func:`stage_hits`).  What turns
a tool's cache off comes from the rule's :class:`~pip_cache_lsp.rules.Cache`;
nothing here names a tool.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Protocol, TypeVar

from pip_cache_lsp.facts import Facts, Muted
from pip_cache_lsp.findings import MISSING, Finding, Hit
from pip_cache_lsp.rules.hints import UNUSED_SUPPRESSION, USELESS_CACHE_MOUNT, mount_message, unused_message
from pip_cache_lsp.shell import SHELLS as POSIX_SHELLS
from pip_cache_lsp.suppress import FILE, INSTRUCTION, STAGE, Pragma, unused
from pip_cache_lsp.words import ANSI_C_SHELLS, Template

# BuildKit's variable forms (``frontend/dockerfile/shell/lex.go``): $X, ${X}, ${X:-word}, ${X-word},
# ${X:+word}, ${X+word}.  With the colon an empty value counts as unset.
_VARIABLE = re.compile(r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-+])([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))")


_NOTHING: frozenset[str] = frozenset()


def _resolved(stage: Stage, value: object) -> object:
    """A shell value the script left to the stage (:class:`Template`), expanded; others as they are."""
    return stage.expand(value) if isinstance(value, Template) else value


_new_stage = object.__new__


class Stage:
    """The environment a RUN of one stage sees: ENV over ARG, the user, WORKDIR, which stage.

    Never changed once a block refers to it: an ENV, ARG, USER or WORKDIR makes a new
    one (:meth:`copy`), so each block can keep the stage it was checked under.
    ``index`` is the stage's number (-1 for text before any FROM), ``suppressed``
    the codes an ignore-stage pragma above its FROM silences.
    """

    __slots__ = ("env", "args", "user", "workdir", "index", "name", "suppressed", "config", "shell", "bash",
                 "account")

    def __init__(self, env: dict[str, str | None] | None = None, user: str | None = None,
                 args: dict[str, str | None] | None = None, workdir: str = "/", index: int = -1,
                 name: str | None = None, suppressed: frozenset[str] = frozenset(),
                 config: dict[str, str | None] | None = None) -> None:
        self.env: dict[str, str | None] = env if env is not None else {}
        self.args: dict[str, str | None] = args if args is not None else {}
        self.user = user
        self.workdir = workdir
        self.index = index
        self.name = name
        self.suppressed = suppressed
        self.config: dict[str, str | None] = config if config is not None else {}  # files RUNs wrote
        self.shell = True  # whether shell-form RUNs go to a POSIX shell (SHELL may say powershell or cmd)
        self.bash = False  # whether that shell decodes $'…' (SHELL ["/bin/bash", "-c"]); /bin/sh does not
        # USER as written (``name[:group]``), variables expanded where known: a cache mount's uid/gid
        self.account: str | None = None

    def copy(self) -> Stage:
        """Another stage like this one, with dicts of its own to change."""
        stage = self.successor()
        stage.env, stage.args, stage.config = dict(self.env), dict(self.args), dict(self.config)
        return stage

    def successor(self) -> Stage:
        """Another stage like this one, sharing its ``env``, ``args`` and ``config`` dicts.

        The fold makes one per ENV, ARG, USER, WORKDIR and SHELL, and gives it a dict of its
        own only for what the instruction changes (:func:`_applied`, :meth:`configure`): a USER
        or WORKDIR copies none.  The slots are set without ``__init__``'s parameters and
        defaults (a third of what that call cost).
        """
        stage = _new_stage(Stage)
        stage.env, stage.args, stage.config = self.env, self.args, self.config
        stage.user, stage.workdir, stage.index, stage.name = self.user, self.workdir, self.index, self.name
        stage.suppressed, stage.shell, stage.bash, stage.account = self.suppressed, self.shell, self.bash, self.account
        return stage

    def configure(self, written: Iterable[tuple[str, str | None]]) -> None:
        """Record configuration a RUN wrote (``pip config set``); a ``user/`` key is the user's own."""
        config = self.config = dict(self.config)  # perhaps shared with the stage before (see successor)
        for key, value in written:
            config[self._config_key(key)] = value

    def _config_key(self, key: str) -> str:
        """A ``user/`` key belongs to one home (the user's configuration file is under it)."""
        return f"{self.home() or '~' + (self.user or '')}:{key}" if key.startswith("user/") else key

    def lookup(self, variable: str, hit: Hit) -> object:
        """The value of a rule's variable that reaches the tool of ``hit`` from the stage (ENV over ARG)."""
        cache = hit.rule.cache
        env, args = self.env, self.args
        if hit.kept is not None:  # sudo's env_reset, env -i: only these names get through
            env = {k: v for k, v in env.items() if k in hit.kept}
            args = {k: v for k, v in args.items() if k in hit.kept}
        value = cache.lookup(env, variable, MISSING) if env else MISSING
        return cache.lookup(args, variable, None) if value is MISSING else value

    def configured_off(self, hit: Hit) -> bool:
        """Whether configuration written in the image (or earlier in the RUN) turns the cache off."""
        if not hit.config or not (self.config or hit.configured):
            return False
        written = self.config
        if hit.configured:
            written = {**written, **{self._config_key(k): v for k, v in hit.configured}}
        turns_off = hit.rule.cache.turns_off
        return any(turns_off(written.get(self._config_key(key))) for key in hit.config)

    @property
    def label(self) -> str:
        """How messages name the stage: its AS name, else its number."""
        return self.name if self.name is not None else str(max(self.index, 0))

    def get(self, name: str) -> str | None:
        return self.env[name] if name in self.env else self.args.get(name)

    def expand(self, value: str | None) -> str | None:
        """Dockerfile variable substitution; None when a variable's value is unknown."""
        if value is None or "$" not in value:
            return value
        unknown = False

        def substitute(m: re.Match[str]) -> str:
            nonlocal unknown
            name, operator, word = m.group(1) or m.group(4), m.group(2), m.group(3)
            known = self.get(name)
            is_set = known is not None and (known != "" or operator is None or not operator.startswith(":"))
            if operator is not None and operator.endswith("-"):
                return known if is_set and known is not None else word
            if operator is not None:  # ``+``: the word when set, else nothing
                return word if is_set else ""
            if known is None:
                unknown = True
                return ""
            return known

        expanded = _VARIABLE.sub(substitute, value)
        return None if unknown else expanded

    def absolute(self, path: str) -> str:
        """A path as BuildKit resolves it against WORKDIR, normalised (no trailing slash)."""
        if (path[:1] == "/" and "//" not in path and "/./" not in path and "/../" not in path
                and not path.endswith(("/", "/.", "/.."))):
            return path  # absolute and normal already: what normpath would return (most cache paths)
        return posixpath.normpath(posixpath.join("/", self.workdir, path))

    def home(self) -> str | None:
        """``$HOME`` for the stage's user: ENV HOME, else root's ``/root``; None when unknown."""
        home = self.get("HOME")
        if home:
            return home
        return "/root" if self.user in (None, "root", "0") or (self.user or "").startswith("0:") else None

    def cache_dir(self, hit: Hit) -> str | None:
        """Where the tool of ``hit`` keeps its cache here; None when the user's home is unknown.

        ``--cache-dir`` > the rule's directory variable > ``$XDG_CACHE_HOME/<tool>`` >
        ``$HOME/.cache/<tool>``, as pip (``pip/_internal/locations``, platformdirs) and
        uv (``uv-cache`` ``CacheArgs``) both resolve it on Linux.
        """
        cache = hit.rule.cache
        if hit.cache_dir is not MISSING:
            directory = _resolved(self, hit.cache_dir)
        elif hit.ignores_variables:
            directory = None
        else:
            directory = self.lookup(cache.dir_variable, hit)
        if isinstance(directory, str) and directory:
            return self.absolute(directory)
        xdg = self.get("XDG_CACHE_HOME") if hit.kept is None or "XDG_CACHE_HOME" in hit.kept else None
        if xdg:
            return self.absolute(posixpath.join(xdg, cache.subdir))
        home = self.home()
        return self.absolute(posixpath.join(home, ".cache", cache.subdir)) if home else None

    def turned_off(self, hit: Hit) -> bool:
        """Whether the off variable, configuration or a cleanup later in the RUN empties this hit's cache."""
        cache = hit.rule.cache
        if hit.env_value is not MISSING or hit.ignores_variables:
            value = _resolved(self, hit.env_value)
        else:
            value = self.lookup(cache.off_variable, hit)
            if value is not None and hit.shell_value is not MISSING:
                value = _resolved(self, hit.shell_value)  # exported by the stage: the script's value
        return cache.turns_off(value) or hit.cleaned or self.configured_off(hit)

    def mount_holding(self, hit: Hit, targets: tuple[str, ...]) -> str | None:
        """The first mount target (absolute) that is the hit's cache directory or a parent of it."""
        directory = self.cache_dir(hit)
        subdir = hit.rule.cache.subdir
        for target in targets:
            expanded = self.expand(target)
            if expanded and self._holds(mount := self.absolute(expanded), directory, subdir):
                return mount
        return None

    def covers(self, hit: Hit, targets: tuple[str, ...]) -> bool:
        """Whether the rule's off variable or a mount keeps this hit's cache out of the layer."""
        cache = hit.rule.cache
        if self.turned_off(hit):
            return True
        if not targets and not hit.removed:
            return False
        directory = self.cache_dir(hit)
        mounts = [self.absolute(expanded) for target in targets if (expanded := self.expand(target))]
        if f"$({cache.subdir})" in hit.removed:  # rm -rf "$(uv cache dir)": the tool's own answer
            return True
        removed = [self.absolute(path) for path in map(self._path, hit.removed) if path]
        return any(self._holds(path, directory, cache.subdir) for path in (*mounts, *removed))

    def removed(self, hit: Hit) -> bool:
        """Whether an ``rm -r`` later in the RUN always removes this hit's cache directory (or a parent)."""
        if not hit.removed:
            return False
        subdir = hit.rule.cache.subdir
        if f"$({subdir})" in hit.removed:
            return True
        directory = self.cache_dir(hit)
        return any(self._holds(self.absolute(path), directory, subdir) for path in map(self._path, hit.removed)
                   if path)

    def _path(self, path: str) -> str | None:
        """A path as the shell sees it: ``~`` and ``$HOME`` from the stage's home, variables expanded."""
        home = self.home()
        if path.startswith("~"):
            return home + path[1:] if home and (path == "~" or path.startswith("~/")) else None
        if "$" in path and "HOME" not in self.env and home:
            path = path.replace("${HOME}", home).replace("$HOME", home)
        return self.expand(path) if "$" in path else path

    @staticmethod
    def _holds(path: str, directory: str | None, subdir: str) -> bool:
        """Whether ``path`` is the cache directory or a parent of it (a mount there, or its removal)."""
        if directory is not None:
            return path == "/" or directory == path or directory.startswith(path + "/")
        # a user whose home is unknown: the cache directory of some home, not root's
        return not path.startswith("/root/") and path.endswith((f"/.cache/{subdir}", "/.cache"))


class Checked(Protocol):
    """What the fold needs of a block: its facts, and slots for what the fold leaves on it."""

    facts: Facts | None
    stage: Stage | None
    hits: tuple[Hit, ...]
    hints: tuple[Hit, ...]  # the hints' findings on the block (unused suppression, useless cache mount)
    silenced: frozenset[str]  # codes of the hits its stage's ignore-stage comments silenced
    instruction_offset: int
    indent: str


def changes_stage(block: Checked) -> bool:
    """Whether a block can change what later RUNs see (FROM, ENV, ARG, USER)."""
    facts = block.facts
    return facts is not None and facts.changes_stage


def stage_hits(block: Checked, stage: Stage | None, honour_env: bool) -> bool:
    """Check a block under ``stage``: keeps the hits it does not exempt, and the block's hints.

    True when the block belongs in the list of blocks with findings: it has hits or
    hints, its stage's suppression silenced some of its hits (the stage's comments
    are then used), or it is a FROM whose stage-level comments are judged after the
    fold (:func:`stage_hints`).
    """
    facts = block.facts
    block.stage = stage
    if facts is None:
        return False
    if facts.shell_form and stage is not None and not stage.shell:
        block.hits = ()  # SHELL ["powershell", …]: the text is no sh script, so nothing is read from it
        block.hints = _unused_hints(facts.pragmas, INSTRUCTION, (), ()) if facts.pragmas else ()
        block.silenced = frozenset()
        return bool(block.hints)
    if facts.as_bash is not None and stage is not None and stage.bash:
        facts = facts.as_bash  # SHELL ["/bin/bash", …]: $'…' words decoded
    if not (facts.calls or facts.deferred or facts.pragmas or facts.muted):
        # FROM, ENV, ARG, a RUN that only writes configuration, none with comments above it: the
        # common block has nothing to check, and what follows would find nothing
        block.hits = block.hints = ()
        block.silenced = _NOTHING
        return False
    calls = facts.calls
    if facts.deferred:  # words with $VAR: matched now that the stage's values are known
        expand = (stage or Stage()).expand
        calls = tuple(sorted((*calls, *(hit for d in facts.deferred for hit in d.hits(expand))),
                             key=lambda hit: hit.start))
    if not calls:
        hits: tuple[Hit, ...] = ()
    elif not honour_env:
        hits = calls
    else:
        scope = stage or Stage()
        hits = tuple(hit for hit in calls if not scope.covers(hit, facts.cache_targets))
    hints: tuple[Hit, ...] = ()
    if facts.pragmas:
        hints = _unused_hints(facts.pragmas, INSTRUCTION, hits, calls)
    if hits and facts.suppressed:
        hits = tuple(hit for hit in hits if hit.rule.code not in facts.suppressed)
    silenced: frozenset[str] = frozenset()
    if hits and stage is not None and stage.suppressed:
        silenced = frozenset(hit.rule.code for hit in hits if hit.rule.code in stage.suppressed)
        if silenced:
            hits = tuple(hit for hit in hits if hit.rule.code not in stage.suppressed)
    if facts.muted and honour_env:
        hints += _mount_hints(facts.muted, calls, facts.reuse_targets, stage or Stage())
    block.hits = hits
    block.hints = hints
    block.silenced = silenced
    return bool(hits or hints or silenced or (facts.stage_base is not None and facts.pragmas))


def _unused_hints(found: tuple[Pragma, ...], scope: str, hits: Collection[Hit] | frozenset[str],
                  written: Collection[Hit] | frozenset[str]) -> tuple[Hit, ...]:
    """The unused parts of the pragmas of ``scope``, as hints.

    ``hits`` (or their codes): what would be reported without the comments; ``written``:
    the hits (or codes) of the command lines alone, before any exemption, which other
    tools' comments are judged by (:func:`suppress.unused`).
    """
    mine = tuple(p for p in found if p.scope == scope)
    if not mine:
        return ()
    codes = hits if isinstance(hits, frozenset) else {hit.rule.code for hit in hits}
    lines = written if isinstance(written, frozenset) else {hit.rule.code for hit in written}
    return tuple(Hit(UNUSED_SUPPRESSION, part.start, part.end, part.remove_start, "",
                     message=unused_message(part.text, part.whole), fix_end=part.remove_end)
                 for part in unused(mine, codes, lines))


def _mount_hints(muted: tuple[Muted, ...], calls: tuple[Hit, ...], targets: tuple[str, ...],
                 stage: Stage) -> tuple[Hit, ...]:
    """Flags that make a ``type=cache`` mount useless: each rule whose every command in the RUN is off by flag.

    A command of the rule that runs with its cache in a mount (a hit the mount covers) uses
    the mount; a flag counts only when, without it, the mount (and nothing else: no off
    variable, configuration or cleanup) would keep that command's cache.
    """
    out: list[Hit] = []
    for entry in muted:
        rule = entry.hit.rule
        if any(hit.rule is rule and stage.mount_holding(hit, targets) and not stage.turned_off(hit)
               for hit in calls):
            continue  # the mount is used
        if stage.turned_off(entry.hit) or stage.removed(entry.hit):
            continue  # the cache is off anyway, or emptied: nothing would be reused
        target = stage.mount_holding(entry.hit, targets)
        if target is None:
            continue
        out.extend(Hit(USELESS_CACHE_MOUNT, flag.start, flag.end, remove[0], "",
                       message=mount_message(target, flag.spelling), fix_end=remove[1])
                   for flag, remove in zip(entry.flags, entry.removals, strict=True))
    return tuple(out)


def file_hints(found: tuple[Pragma, ...], pairs: Iterable[tuple[int, Checked]],
               written: Callable[[], dict[int, frozenset[str]]]) -> tuple[Hit, ...]:
    """The unused parts of the file-level comments: a code is used when a block still has a hit of it.

    ``pairs`` are the blocks with findings; their hits are what instruction and stage
    comments left (the file-level comments apply last, when findings are read).
    ``written`` gives the codes of the command lines alone, per stage (see
    :func:`written_codes`): asked only when another tool's comment is there.
    """
    codes = frozenset(hit.rule.code for _, block in pairs for hit in block.hits)
    lines = frozenset().union(*written().values()) if any(not p.ours for p in found) else codes
    return _unused_hints(found, FILE, codes, lines)


def written_codes(blocks: Iterable[tuple[int, Checked]]) -> dict[int, frozenset[str]]:
    """Per stage index, the codes of the commands whose own command line leaves the cache on.

    What hadolint and KICS see (no mount, environment or cleanup): another tool's
    stage- or file-level comment is used when one of these is under it.  A command
    whose words the stage expands counts for every rule that may match it.  Every
    block is read: asked only for a file that has such a comment.
    """
    out: dict[int, set[str]] = {}
    for _, block in blocks:
        facts = block.facts
        if facts is None or not (facts.calls or facts.deferred):
            continue
        codes = out.setdefault(block.stage.index if block.stage is not None else -1, set())
        codes.update(hit.rule.code for hit in facts.calls)
        codes.update(rule.code for d in facts.deferred for rule in d.rules)
    return {index: frozenset(codes) for index, codes in out.items()}


def stage_hints(pairs: Iterable[tuple[int, Checked]], written: Callable[[], dict[int, frozenset[str]]]) -> None:
    """Judge the stage-level suppression comments (above each FROM) once the fold has checked every block.

    ``pairs`` are the blocks with findings (:func:`stage_hits` put every block whose
    hits a stage silenced there, and every FROM with such comments); each FROM's hints
    are set again: its instruction-level comments (which silence nothing above a FROM)
    and its stage-level ones.
    """
    pairs = list(pairs)
    used: dict[int, set[str]] = {}
    for _, block in pairs:
        if block.silenced and block.stage is not None:
            used.setdefault(block.stage.index, set()).update(block.silenced)
    lines: dict[int, frozenset[str]] | None = None
    for _, block in pairs:
        facts = block.facts
        if facts is not None and facts.stage_base is not None and facts.pragmas and block.stage is not None:
            codes = frozenset(used.get(block.stage.index, ()))
            if any(not p.ours and p.scope == STAGE for p in facts.pragmas):
                lines = written() if lines is None else lines
                theirs = lines.get(block.stage.index, frozenset())
            else:
                theirs = codes
            block.hints = (*_unused_hints(facts.pragmas, INSTRUCTION, (), ()),
                           *_unused_hints(facts.pragmas, STAGE, codes, theirs))


B = TypeVar("B", bound=Checked)


@dataclass(slots=True)
class Graph:
    """Which stage each stage is built on, and what ``COPY --from`` takes out of which stage.

    The fold records it; :meth:`reaching` and :meth:`shipped` answer from it which
    findings end up in the final image.
    """

    bases: list[int | None] = field(default_factory=list)  # per stage: the stage it is FROM, if any
    names: dict[str, int] = field(default_factory=dict)  # AS names (lower-cased) -> stage
    copies: list[tuple[int, str, tuple[str, ...], str | None]] = field(default_factory=list)
    # (into, --from, sources, destination) per COPY --from
    _reaching: frozenset[int] | None = None
    _copied: frozenset[int] | None = None  # stages some COPY --from takes files out of (or builds on)
    _shipped: dict[tuple[int, str | None, str], bool] = field(default_factory=dict)

    def reaching(self) -> frozenset[int]:
        """The final stage (the last) and its ancestors through ``FROM <stage>``; -1 when no FROM."""
        if self._reaching is None:
            out: set[int] = {-1}  # text before any FROM belongs to no stage: never a builder
            stage = len(self.bases) - 1 if self.bases else None
            while stage is not None and stage not in out:
                out.add(stage)
                stage = self.bases[stage]
            self._reaching = frozenset(out)
        return self._reaching

    def placement(self, block: Checked) -> tuple[str, tuple[bool, ...]] | None:
        """Where a block's stage stands: None in the final image, else its label and per hit a flag.

        The flag says whether a COPY ships that hit's cache anyway.
        """
        stage = block.stage
        if stage is None or stage.index in self.reaching():
            return None
        if block.facts is not None and block.facts.onbuild and stage.index not in self.bases:
            return None  # an ONBUILD no stage of this file builds on: it is for the images built on this one
        if stage.index not in self.copied():  # nothing is ever copied out of it: the common builder
            return stage.label, (False,) * len(block.hits)
        return stage.label, tuple(self.shipped(stage.index, stage.cache_dir(hit), hit.rule.cache.subdir)
                                  for hit in block.hits)

    def copied(self) -> frozenset[int]:
        """The stages whose files a COPY --from can take: the sources and the stages they build on."""
        if self._copied is None:
            out: set[int] = set()
            for _, reference, _, _ in self.copies:
                stage = self.source(reference)
                while stage is not None and stage not in out:
                    out.add(stage)
                    stage = self.bases[stage] if 0 <= stage < len(self.bases) else None
            self._copied = frozenset(out)
        return self._copied

    def source(self, reference: str) -> int | None:
        """The stage a ``--from`` names (lower-cased name, or an index); None for an image."""
        if reference in self.names:
            return self.names[reference]
        if reference.isdigit() and int(reference) < len(self.bases):
            return int(reference)
        return None

    def shipped(self, stage: int, directory: str | None, subdir: str, depth: int = 0) -> bool:
        """Whether the final image gets ``directory`` (or part of it) out of ``stage`` through COPY --from.

        A copy from ``stage`` or from a stage built on it counts when it takes the
        directory, a parent or a part of it; a copy into a stage that does not reach
        the image counts when that stage's copy is shipped in turn.  With the
        directory unknown (a user whose home is unknown), a copy of ``/``, ``/home``
        or of a ``.cache`` directory counts.
        """
        if depth > len(self.copies):
            return False
        key = (stage, directory, subdir)
        if depth == 0 and key in self._shipped:
            return self._shipped[key]
        shipped = self._ships(stage, directory, subdir, depth)
        if depth == 0:
            self._shipped[key] = shipped
        return shipped

    def _ships(self, stage: int, directory: str | None, subdir: str, depth: int) -> bool:
        reaching = self.reaching()
        for into, reference, sources, destination in self.copies:
            source = self.source(reference)
            if source is None or not self._built_on(source, stage):
                continue
            for raw in sources:
                src = posixpath.normpath(posixpath.join("/", raw.rstrip("*")))
                if directory is None:
                    if into in reaching and (src in ("/", "/home") or src.endswith(("/.cache", f"/.cache/{subdir}"))):
                        return True
                    continue
                if not (src == "/" or directory == src or directory.startswith(src + "/")
                        or src.startswith(directory + "/")):
                    continue
                if into in reaching:
                    return True
                if destination is not None and (src == "/" or directory.startswith(src)):
                    inside = directory[len(src):] if src != "/" else directory
                    moved = posixpath.normpath(posixpath.join("/", destination, inside.lstrip("/")))
                    if self.shipped(into, moved, subdir, depth + 1):
                        return True
        return False

    def _built_on(self, stage: int | None, ancestor: int) -> bool:
        """Whether ``stage`` is ``ancestor`` or built on it through ``FROM <stage>``."""
        return stage is not None and ancestor in self.ancestors(stage)

    def ancestors(self, stage: int) -> list[int]:
        """``stage`` and the stages it is built on through ``FROM <stage>``, nearest first."""
        out: list[int] = []
        current: int | None = stage
        while current is not None and 0 <= current < len(self.bases) and current not in out:
            out.append(current)
            current = self.bases[current]
        return out

    def descendants(self, stage: int) -> set[int]:
        """``stage`` and every stage built on it, directly or through others."""
        return {other for other in range(len(self.bases)) if stage in self.ancestors(other)}


def fold(blocks: Iterable[tuple[int, B]], honour_env: bool, graph: Graph | None = None) -> list[tuple[int, B]]:
    """Fold stage environments over every block; returns the blocks that have hits.

    ``graph``, when given, receives the stages and their ``COPY --from`` edges.
    ``ONBUILD`` triggers are set aside and checked when their stage ends (:func:`_triggers`).
    """
    graph = graph if graph is not None else Graph()
    with_hits: list[tuple[int, B]] = []
    global_args = Stage()
    stages: dict[str, Stage] = {}
    stage: Stage | None = None
    name: str | None = None
    triggers: list[tuple[int, B, Stage | None]] = []  # this stage's ONBUILD blocks, and the stage at each
    for start, block in blocks:
        facts = block.facts
        if facts is None:  # nothing to check; the stage passes through
            block.stage = stage
            continue
        if facts.onbuild:
            block.stage = stage
            triggers.append((start, block, stage))
            continue
        if facts.stage_base is not None:
            if triggers:
                child = _triggers(stage, triggers, honour_env, with_hits)
                if name and child is not None:
                    stages[name] = child
                triggers = []
            reference = global_args.expand(facts.stage_base) or facts.stage_base  # FROM ${IMAGE}: global ARGs
            base = stages.get(reference)  # BuildKit: AS names are lower-cased, FROM's reference is not
            index = len(graph.bases)
            graph.bases.append(base.index if base else None)
            name = facts.stage_name
            # a stage built on another starts from its LLB state: ENV and the ARG values dispatchArg
            # added to it (BuildKit ``dispatchState.init``; reference.md: "An ARG variable declared
            # within a build stage is automatically inherited by other stages based on that stage")
            stage = Stage(dict(base.env), base.user, dict(base.args), workdir=base.workdir, index=index, name=name,
                          suppressed=facts.stage_suppressed, config=dict(base.config)) if base else \
                Stage(index=index, name=name, suppressed=facts.stage_suppressed)
            stage.shell, stage.bash = (base.shell, base.bash) if base else (True, False)
            stage.account = base.account if base else None
            if name:
                graph.names[name] = index
        elif facts.copies_from is not None:
            graph.copies.append((stage.index if stage else -1, facts.copies_from, facts.copy_sources,
                                 facts.copy_destination))
        elif facts.env or facts.args or facts.user is not None or facts.shell is not None or facts.workdir is not None:
            stage = _applied(stage, facts, global_args)
        if name and stage is not None:
            stages[name] = stage
        if facts.calls or facts.deferred or facts.pragmas or facts.muted or facts.as_bash is not None:
            if stage_hits(block, stage, honour_env):
                with_hits.append((start, block))
        else:  # most blocks (ENV, ARG, FROM, a RUN that only writes configuration): what stage_hits does for them
            block.stage = stage
            block.hits = block.hints = ()
            block.silenced = _NOTHING
        if facts.config:  # a RUN wrote configuration: later RUNs (and stages built on this one) read it
            stage = stage.successor() if stage else Stage()
            stage.configure(facts.config)
            block.stage = stage
            if name:
                stages[name] = stage
    if triggers:
        _triggers(stage, triggers, honour_env, with_hits)
        with_hits.sort(key=lambda pair: pair[0])
    return with_hits


def _applied(stage: Stage | None, facts: Facts, global_args: Stage) -> Stage | None:
    """The stage after an ENV, ARG, USER, SHELL or WORKDIR (a new one: kept stages never change)."""
    if facts.env:
        stage = stage.successor() if stage else Stage()  # a snippet without FROM: one implicit stage
        values = [(key, stage.expand(value)) for key, value in facts.env]  # all read before any is set
        stage.env = dict(stage.env)  # its own (see Stage.successor)
        stage.env.update(values)
    elif facts.args:
        if stage is None:
            for key, default in facts.args:
                global_args.args[key] = global_args.expand(default)
        else:
            stage = stage.successor()
            stage.args = dict(stage.args)  # its own (see Stage.successor)
            for key, default in facts.args:
                stage.args[key] = stage.expand(default) if default is not None else global_args.args.get(key)
    elif facts.user is not None:
        stage = stage.successor() if stage else Stage()
        stage.user = stage.expand(facts.user)
        stage.account = stage.expand(facts.account) or facts.account
    elif facts.shell is not None:  # a POSIX shell reads the text as we do; powershell, cmd do not
        stage = stage.successor() if stage else Stage()
        program = _program(facts.shell)
        stage.shell = program in POSIX_SHELLS
        stage.bash = program in ANSI_C_SHELLS
    elif facts.workdir is not None:
        stage = stage.successor() if stage else Stage()
        stage.workdir = stage.absolute(stage.expand(facts.workdir) or facts.workdir)
    return stage


def _program(shell: tuple[str, ...]) -> str:
    """The shell a SHELL array runs: its first element's name, or the program ``env`` starts."""
    names = [posixpath.basename(word).lower().removesuffix(".exe") for word in shell]
    if names[0] == "env":
        names = [n for n in names[1:] if not n.startswith("-") and "=" not in n] or [""]
    return names[0]


def _triggers(stage: Stage | None, triggers: list[tuple[int, B, Stage | None]], honour_env: bool,
              with_hits: list[tuple[int, B]]) -> Stage | None:
    """Check a stage's ONBUILD triggers as the stage built FROM it runs them; returns that stage's start.

    BuildKit stores each trigger in the image config (``dispatchOnbuild``) and runs them first
    in a stage built on the image (``initOnBuildTriggers``; also for ``FROM <stage>`` in the same
    Dockerfile, ``resolveStages``, in every release but v0.17.0).  They see the image config at the end of
    the parent stage -- every ENV, even one written after the ONBUILD, its USER, WORKDIR and SHELL
    -- and none of its ARGs, which an image does not keep.  ONBUILD ENV, ARG, USER, WORKDIR and
    SHELL apply to the triggers after them, and, with RUNs' configuration, to the child stage,
    which a same-Dockerfile child starts from (returned, with the parent's ARGs kept).
    """
    trigger = stage.successor() if stage is not None else Stage()
    trigger.args = {}
    child = stage
    scratch = Stage()  # an ONBUILD ARG is a stage ARG of the child: no global ARG is read
    for start, block, positional in triggers:
        facts = block.facts
        assert facts is not None
        if facts.env or facts.args or facts.user is not None or facts.shell is not None or facts.workdir is not None:
            trigger = _applied(trigger, facts, scratch) or trigger
            child = _applied(child, facts, scratch)
        elif stage_hits(block, trigger, honour_env):
            with_hits.append((start, block))
        if facts.config:
            trigger = trigger.successor()
            trigger.configure(facts.config)
            child = child.successor() if child else Stage()
            child.configure(facts.config)
        block.stage = positional  # the stage in effect after it, for an edit that re-checks the next block
    return child


def findings_of(start: int, block: Checked, active: Collection[str] | None = None,
                graph: Graph | None = None) -> Iterator[Finding]:
    """The findings of a folded block that starts at ``start`` (of the rules in ``active``).

    With ``graph``, a finding in a stage that never reaches the final image (and
    whose cache no COPY ships) names that stage in ``builder_stage``.
    """
    placement = graph.placement(block) if graph is not None else None
    for i, hit in enumerate(block.hits):
        if active is not None and hit.rule.code not in active:
            continue
        builder = placement[0] if placement is not None and not placement[1][i] else None
        yield Finding(hit.rule, start + hit.start, start + hit.end, start + hit.insert_at, hit.insert_text,
                      start + block.instruction_offset, block.indent, builder, hit.note, hit.message)
    for hit in block.hints:  # a hint is about the comment or the flag, wherever the stage goes
        if active is None or hit.rule.code in active:
            yield Finding(hit.rule, start + hit.start, start + hit.end, start + hit.insert_at, hit.insert_text,
                          start + block.instruction_offset, block.indent, headline=hit.message,
                          fix_end=None if hit.fix_end is None else start + hit.fix_end)
