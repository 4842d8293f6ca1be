"""The three ways to fix a finding, each proven on a copy of the text before it is offered.

* ``flag``: the rule's own insertion (``--no-cache-dir``, ``--no-cache``); the preferred one.
* ``env``: ``ENV <off variable>=<off value>`` right after the stage's ``FROM``: the cache is off
  for the stage and every stage built on it.  pip reads ``PIP_NO_CACHE_DIR`` (``cmdoptions.py``
  ``_handle_no_cache_dir``), uv ``UV_NO_CACHE`` (``uv-cli`` ``CacheArgs``, clap's boolish parser).
* ``mount``: ``RUN --mount=type=cache,target=<the cache directory>``: the cache lives in
  BuildKit's cache, not the layer, and speeds the next build.  Options as BuildKit's
  ``frontend/dockerfile/instructions/commands_runmount.go`` ``parseMount`` reads them (a CSV
  row of ``key=value``: ``type``, ``target``/``dst``/``destination``, ``uid``, ``gid``, ``id``,
  ``sharing``, ``mode``); the mount is owned by ``uid``/``gid`` (default 0, mode 0755), so a
  non-root ``USER`` needs its uid written.

Nothing is offered on faith: :class:`Planner` applies a remedy's edits to a copy of the text,
builds a fresh :class:`~pip_cache_lsp.document.Document` with the same line model and
computes the findings under the same policy.  The findings the remedy claims must be gone
and no finding of any rule may appear; otherwise it is refused and the refusal logged.
Positions are code-point offsets; no LSP type is used here.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from pip_cache_lsp.dockerfile import Instruction, parse
from pip_cache_lsp.document import Block, Document
from pip_cache_lsp.facts import read_mount
from pip_cache_lsp.findings import Finding, Hit, under_policy
from pip_cache_lsp.names import FIX_STRATEGIES
from pip_cache_lsp.stage import Stage

STRATEGIES = FIX_STRATEGIES  # flag (preferred), env, mount
# Characters BuildKit's CSV mount parser (or its variable expansion) would read otherwise in a target.
_UNSAFE_TARGET = re.compile(r"[\s,\"'$\\`=]")
_ROOT = ("root", "0")


@dataclass(frozen=True, slots=True)
class Edit:
    """Replace ``start..end`` (code points) with ``text``; the remedies here only insert."""

    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class Remedy:
    """One verified fix: what it is, its title, its edits and the findings it removes."""

    strategy: str
    title: str
    edits: tuple[Edit, ...]
    fixes: tuple[Finding, ...]


@dataclass(frozen=True, slots=True)
class Check:
    """The policy the findings are computed (and a remedy verified) under, and when to offer a mount.

    ``offer_cache_mount``: offer a mount in a file that shows no sign of BuildKit (no
    ``# syntax=`` line, no other ``--mount``, no heredoc); the editor setting
    ``offerCacheMount``, and ``check --fix-strategy mount`` (the user asked for it).
    """

    honour_env: bool = True
    selected: frozenset[str] | None = None
    builder_stages: str = "information"
    offer_cache_mount: bool = False


def apply_edits(text: str, edits: Iterable[Edit]) -> str:
    """``text`` with ``edits`` applied; right to left, so earlier offsets stay valid.

    Insertions at one offset land in the order given; an edit given twice is applied once.
    """
    for edit in _ordered(edits):
        text = text[: edit.start] + edit.text + text[edit.end :]
    return text


def _ordered(edits: Iterable[Edit]) -> list[Edit]:
    """The order :func:`apply_edits` applies ``edits`` in: right to left, the last given first at one offset."""
    unique = list(dict.fromkeys(edits))
    return [edit for _, edit in sorted(enumerate(unique), key=lambda p: (p[1].start, p[1].end, p[0]), reverse=True)]


def remedies_for(doc: Document, finding: Finding, check: Check = Check(),
                 log: Callable[[str], None] | None = None) -> list[Remedy]:
    """The verified remedies of one finding: flag, env, mount (those that apply, in that order)."""
    return Planner(doc, check, log).for_finding(finding)


def fix_text(text: str, strategy: str, check: Check = Check(), lone_cr: bool = False,
             log: Callable[[str], None] | None = None) -> tuple[str, int]:
    """The whole file fixed with ``strategy``: the new text and how many findings it removed.

    Rounds of :meth:`Planner.for_file` until none is left to apply: each round removes
    findings and adds none, so this ends.  Findings the strategy cannot fix stay.
    """
    fixed = 0
    while True:
        planner = Planner(Document(text, lone_cr=lone_cr), check, log)
        remedy = planner.for_file(strategy)
        if remedy is None:
            return text, fixed
        text = apply_edits(text, remedy.edits)
        fixed += len(remedy.fixes)


def _key(finding: Finding) -> tuple[str, int]:
    return finding.rule.code, finding.start


@dataclass(frozen=True, slots=True)
class _Candidate:
    """A remedy before verification: the findings it may remove, the one it must."""

    strategy: str
    edits: tuple[Edit, ...]
    target: Finding
    candidates: tuple[Finding, ...]
    title: Callable[[int], str]  # given how many findings it removes


class Planner:
    """The remedies of one document's findings under one :class:`Check`.

    Built on request (a code action, ``check --fix``), never per keystroke: it parses
    the text again for the instructions' details, and once more into the copy the
    candidates are checked on.
    """

    def __init__(self, doc: Document, check: Check = Check(), log: Callable[[str], None] | None = None) -> None:
        self.doc = doc
        self.check = check
        self.log = log
        self._instructions: list[Instruction] | None = None
        self._shown: list[Finding] | None = None
        self._everything: list[Finding] | None = None
        self._sites: dict[tuple[str, int], tuple[int, Block, Hit]] | None = None
        self._verified: dict[tuple[Edit, ...], tuple[set[tuple[str, int]], str | None]] = {}
        self._copy: Document | None = None

    # --- what the document holds -------------------------------------------------------------

    def findings(self) -> list[Finding]:
        """The findings shown under the policy (the selected rules): what remedies fix."""
        if self._shown is None:
            self._shown = _shown(self.doc, self.check, self.check.selected)
        return self._shown

    def _all(self) -> list[Finding]:
        """The findings of every rule: none of them may appear after a remedy."""
        if self._everything is None:
            self._everything = _shown(self.doc, self.check, None)
        return self._everything

    def _site(self, finding: Finding) -> tuple[int, Block, Hit] | None:
        """The block (and its start) and the hit a finding came from."""
        if self._sites is None:
            self._sites = {}
            for start, block in self.doc.blocks_with_findings(self.check.honour_env):
                for hit in block.hits:
                    self._sites.setdefault((hit.rule.code, start + hit.start), (start, block, hit))
        return self._sites.get(_key(finding))

    def _parsed(self) -> list[Instruction]:
        if self._instructions is None:
            self._instructions = parse(self.doc.text, self.doc.directives)
        return self._instructions

    def _froms(self) -> list[Instruction]:
        """Each stage's FROM, by stage index (the fold counts them the same way)."""
        return [ins for ins in self._parsed() if ins.keyword == "FROM" and not ins.onbuild]

    def _instruction_at(self, start: int) -> Instruction | None:
        return next((ins for ins in self._parsed() if ins.start == start), None)

    def _stage_of(self, finding: Finding) -> Stage | None:
        site = self._site(finding)
        return site[1].stage if site is not None else None

    def buildkit_sign(self) -> bool:
        """Whether the file already needs BuildKit: a ``# syntax=`` line, a ``--mount``, a heredoc."""
        if self.doc.directives.syntax:
            return True
        return any(ins.heredocs or any(name == "mount" for name, _ in ins.flags) for ins in self._parsed())

    # --- the remedies ---------------------------------------------------------------------------

    def for_finding(self, finding: Finding) -> list[Remedy]:
        """Verified remedies for ``finding``: flag (preferred), env, mount; refusals are logged."""
        out = []
        for strategy in STRATEGIES:
            candidate = self._candidate(finding, strategy, self.check.offer_cache_mount)
            if candidate is not None and (remedy := self._verify(candidate)) is not None:
                out.append(remedy)
        return out

    def for_file(self, strategy: str) -> Remedy | None:
        """One remedy fixing with ``strategy`` every finding it can, or None when it fixes none.

        A finding another chosen remedy may fix (its stage's ENV, its RUN's mount) gets
        no second one.  When the combination fails its check (a remedy's own finding
        stays, or one appears), the first remedy that passes alone is returned: the
        caller applies it and asks again.
        """
        if strategy not in STRATEGIES:
            raise ValueError(f"unknown fix strategy {strategy!r} (known: {', '.join(STRATEGIES)})")
        chosen: list[_Candidate] = []
        claimed: set[tuple[str, int]] = set()
        for finding in self.findings():
            if _key(finding) in claimed:
                continue
            candidate = self._candidate(finding, strategy, True)
            if candidate is None:
                continue
            chosen.append(candidate)
            claimed.update(map(_key, candidate.candidates))
        if not chosen:
            return None
        edits = tuple(dict.fromkeys(edit for c in chosen for edit in c.edits))
        gone, failure = self._outcome(edits)
        if failure is None and all(_key(c.target) in gone for c in chosen):
            fixes = tuple(f for f in self.findings() if _key(f) in gone)
            return Remedy(strategy, f"Fix {len(fixes)} finding(s) ({strategy})", edits, fixes)
        for candidate in chosen:
            remedy = self._verify(candidate, quiet=True)
            if remedy is not None:
                return remedy
        return None

    def _candidate(self, finding: Finding, strategy: str, mount_without_sign: bool) -> _Candidate | None:
        if strategy == "flag" or finding.fix_end is not None:  # a hint's fix is its removal, whatever the strategy
            return self._flag(finding)
        if strategy == "env":
            return self._env(finding)
        return self._mount(finding, mount_without_sign)

    def _flag(self, finding: Finding) -> _Candidate:
        end = finding.insert_at if finding.fix_end is None else finding.fix_end  # a hint removes text
        edit = Edit(finding.insert_at, end, finding.insert_text)
        return _Candidate("flag", (edit,), finding, (finding,), lambda _n: finding.rule.fix_title)

    def _env(self, finding: Finding) -> _Candidate | None:
        """``ENV VAR=value`` after the stage's FROM; claims the rule's findings there and in its descendants."""
        rule = finding.rule
        stage = self._stage_of(finding)
        if rule.off_value is None or stage is None or stage.index < 0:
            return None
        froms = self._froms()
        if stage.index >= len(froms):
            return None
        from_ins = froms[stage.index]
        if from_ins.open_ended:  # a FROM continued to the end of the text: a line after it would join it
            return None
        text, at = self.doc.text, from_ins.end
        eol = _line_end(text, at)
        line = f"{from_ins.indent}ENV {rule.cache.off_variable}={rule.off_value}"
        insert = f"{line}{eol}" if at and text[at - 1] == "\n" else f"{eol}{line}"
        stages = self.doc.graph.descendants(stage.index)
        candidates = tuple(f for f in self.findings() if f.rule is rule and (s := self._stage_of(f)) is not None
                           and s.index in stages)
        label, setting = stage.label, f"ENV {rule.cache.off_variable}={rule.off_value}"

        def title(count: int) -> str:
            return (f"Turn the {rule.cache.subdir} cache off for stage '{label}' ({setting}): "
                    f"fixes {count} finding{'' if count == 1 else 's'}")

        return _Candidate("env", (Edit(at, at, insert),), finding, candidates, title)


    def _mount(self, finding: Finding, without_sign: bool) -> _Candidate | None:
        """``--mount=type=cache,target=<cache dir>[,uid=…,gid=…]`` after ``RUN``; claims the RUN's findings."""
        site = self._site(finding)
        if site is None:
            return None
        start, block, hit = site
        ins = self._instruction_at(start)
        if ins is None or ins.keyword != "RUN" or ins.onbuild:
            return None
        if not without_sign and not self.buildkit_sign():
            return None
        stage = block.stage or Stage()
        target = stage.cache_dir(hit)
        if target is None or _UNSAFE_TARGET.search(target):
            return None
        if target in _mount_targets(ins, stage):  # a mount of the RUN already uses it (a bind, a secret)
            return None
        owner = _owner(stage, self._account_lines(stage, start))
        if owner is None:
            return None
        flag = f"--mount=type=cache,target={target}{owner}"
        text, at = self.doc.text, start + ins.first_offset
        word = re.match(r"\S+", text[at:])
        at += len(word.group(0)) if word else 0  # RUN (any case; an escape right after it is its own)
        if word is not None and word.group(0).endswith(ins.escape) and word.group(0)[:-1].upper() == "RUN":
            at -= 1
        spaces = re.match(r"[ \t]*", text[at:])
        gap = spaces.group(0) if spaces else ""
        insert = f"{flag} " if gap else f" {flag} "
        at += len(gap)
        candidates = tuple(f for f in self.findings() if f.rule is finding.rule
                           and start <= f.start < start + ins.length)

        def title(_count: int) -> str:
            return f"Use a BuildKit cache mount for the {finding.rule.cache.subdir} cache ({flag})"

        return _Candidate("mount", (Edit(at, at, insert),), finding, candidates, title)

    def _account_lines(self, stage: Stage, before: int) -> list[str]:
        """The RUN scripts a uid can come from: the stage's before ``before``, and its bases'."""
        stages = set(self.doc.graph.ancestors(stage.index)) or {stage.index}
        out, index = [], -1
        for ins in self._parsed():
            if ins.start >= before and index == stage.index:
                break
            if ins.keyword == "FROM" and not ins.onbuild:
                index += 1
            elif ins.keyword == "RUN" and index in stages:
                out.append(ins.text if ins.heredocs else ins.logical[ins.command_start :])
        return out

    # --- verification ----------------------------------------------------------------------------

    def _verify(self, candidate: _Candidate, quiet: bool = False) -> Remedy | None:
        gone, failure = self._outcome(candidate.edits)
        if failure is None and _key(candidate.target) not in gone:
            failure = "the finding it is for would remain"
        if failure is not None:
            if self.log is not None and not quiet:
                finding = candidate.target
                line = self.doc.lines.position(finding.start)[0] + 1
                self.log(f"not offering the {candidate.strategy} fix for {finding.code} on line {line}: {failure}")
            return None
        fixes = tuple(f for f in candidate.candidates if _key(f) in gone)
        return Remedy(candidate.strategy, candidate.title(len(fixes)), candidate.edits, fixes)

    def _scratch(self) -> Document:
        """A document of its own, parsed afresh from the text with the same line model.

        Each candidate is applied to it with :meth:`Document.edit` (the incremental parse,
        which ends where a full one would) and taken back: one full parse per request, not
        one per candidate.
        """
        if self._copy is None or self._copy.text != self.doc.text:
            self._copy = Document(self.doc.text, lone_cr=self.doc.lines.lone_cr)
        return self._copy

    def _undo(self, applied: list[Edit]) -> None:
        """Take back ``applied`` (in the order they were applied), newest first."""
        copy = self._copy
        if copy is None:
            return
        original = self.doc.text
        try:
            for edit in reversed(applied):
                copy.edit(edit.start, edit.start + len(edit.text), original[edit.start : edit.end])
        except ValueError:
            self._copy = None
        if self._copy is not None and self._copy.text != original:
            self._copy = None  # never reuse a copy that differs from the document

    def _outcome(self, edits: tuple[Edit, ...]) -> tuple[set[tuple[str, int]], str | None]:
        """Which shown findings ``edits`` remove, and why they must not be applied (None: they may)."""
        cached = self._verified.get(edits)
        if cached is not None:
            return cached
        after = self._scratch()
        applied = _ordered(edits)
        before = {(f.rule.code, _moved(f.start, edits)) for f in self._all()}
        failure = None
        try:
            for edit in applied:
                after.edit(edit.start, edit.end, edit.text)
            remaining = {_key(f) for f in _shown(after, self.check, None)}
            appeared = [key for key in remaining if key not in before]
            if appeared:
                code, at = min(appeared, key=lambda k: k[1])
                failure = f"a {code} finding would appear on line {after.lines.position(at)[0] + 1}"
        finally:
            self._undo(applied)
        gone = {_key(f) for f in self.findings() if (f.rule.code, _moved(f.start, edits)) not in remaining}
        self._verified[edits] = (gone, failure)
        return gone, failure


def _shown(doc: Document, check: Check, selected: frozenset[str] | None) -> list[Finding]:
    """The findings as the policy shows them (builder stages: information, ignore or report)."""
    return [shown for f in doc.findings(check.honour_env, selected)
            if (shown := under_policy(f, check.builder_stages)) is not None]


def _moved(offset: int, edits: Sequence[Edit]) -> int:
    """Where ``offset`` is after ``edits`` (an insertion at the offset comes before it)."""
    shift = 0
    for edit in edits:
        if edit.end <= offset:
            shift += len(edit.text) - (edit.end - edit.start)
    return offset + shift


def _line_end(text: str, at: int) -> str:
    """The terminator of the line ending at ``at``; for an unterminated last line, the one before it."""
    nl = text.rfind("\n", 0, at)
    if nl < 0:
        nl = text.find("\n", at)
    return "\r\n" if nl > 0 and text[nl - 1] == "\r" else "\n"


def _mount_targets(ins: Instruction, stage: Stage) -> set[str]:
    """Every target the RUN's mounts use, of any type (two mounts cannot share one)."""
    return {stage.absolute(stage.expand(target) or target)
            for name, value in ins.flags if name == "mount" and value
            for _, target in read_mount(value) if target}


def _owner(stage: Stage, scripts: list[str]) -> str | None:
    """The ``,uid=…[,gid=…]`` a mount needs to be writable by the stage's user; None when unknown."""
    account = stage.account
    if account is None:
        return "" if stage.user is None or stage.user in _ROOT else None
    if "$" in account:
        return None
    user, _, group = account.partition(":")
    user, group = user.strip(), group.strip()
    if user in _ROOT:
        return ""
    uid = user if user.isdigit() else _declared_id(scripts, ("useradd", "adduser"), ("-u", "--uid"), user)
    if uid is None:
        return None
    if not group:
        return f",uid={uid}"
    gid = group if group.isdigit() else _declared_id(scripts, ("groupadd", "addgroup"), ("-g", "--gid"), group)
    return f",uid={uid}" if gid is None else f",uid={uid},gid={gid}"


# Options of useradd/adduser/groupadd/addgroup (shadow, Debian, BusyBox) that take a value.
_VALUE_OPTIONS = frozenset({
    "-b", "-c", "-d", "-e", "-f", "-g", "-G", "-h", "-k", "-K", "-p", "-P", "-R", "-s", "-u", "-Z",
    "--base-dir", "--comment", "--home-dir", "--home", "--expiredate", "--inactive", "--gid", "--groups",
    "--skel", "--key", "--password", "--root", "--prefix", "--shell", "--uid", "--selinux-user", "--ingroup",
    "--gecos", "--firstuid", "--lastuid", "--firstgid", "--lastgid", "--conf",
})
_SEPARATOR = re.compile(r"&&|\|\||[;|&\n()]")


def _declared_id(scripts: list[str], commands: tuple[str, ...], options: tuple[str, str], name: str) -> str | None:
    """The numeric id the last ``useradd -u N name`` (or the like) in ``scripts`` gave ``name``."""
    short, long = options
    found = None
    for script in scripts:
        for part in _SEPARATOR.split(script):
            try:
                words = shlex.split(part)
            except ValueError:
                continue
            while words and (words[0] in ("sudo", "exec", "command") or "=" in words[0]):
                words = words[1:]
            if not words or words[0].rsplit("/", 1)[-1] not in commands:
                continue
            number, positional, i = None, [], 1
            while i < len(words):
                word = words[i]
                value = None
                if word in (short, long):
                    value = words[i + 1] if i + 1 < len(words) else None
                    i += 1
                elif word.startswith(long + "="):
                    value = word[len(long) + 1 :]
                elif word.startswith(short) and len(word) > 2 and not word.startswith("--"):
                    value = word[2:]
                elif word in _VALUE_OPTIONS:
                    i += 1
                elif not word.startswith("-"):
                    positional.append(word)
                if value is not None:
                    number = value
                i += 1
            if positional and positional[0] == name and number is not None and number.isdigit():
                found = number
    return found
