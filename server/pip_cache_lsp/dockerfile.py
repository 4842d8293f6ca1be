"""A Dockerfile parser faithful to BuildKit's (``frontend/dockerfile/parser``).

It works on one ``str`` and yields :class:`Instruction` blocks.  A block is
whole lines: the comment lines directly above an instruction (they carry
suppression pragmas, so editing them must re-check the instruction), the
instruction's own lines with their continuations, and its heredoc bodies.
Every offset inside a block is relative to the block's start, so the
incremental model can move a block by changing one integer.

BuildKit's rules reproduced here: parser directives only at the top; the
escape character (``\\`` or backtick) continues a line when it is the last
non-blank character; comment lines and blank lines inside a continuation are
dropped; heredoc words ``<<[-]NAME`` on RUN/COPY/ADD read bodies after the
instruction line; the argument is exec form when it is a JSON string array.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass

from pip_cache_lsp.sourcemap import LazySourceMap, SourceMap
from pip_cache_lsp.words import unquote_word

BOM = "\ufeff"
_DIRECTIVE = re.compile(r"#[ \t]*([a-zA-Z][a-zA-Z0-9]*)[ \t]*=[ \t]*(.+?)[ \t]*$")
_KNOWN_DIRECTIVES = frozenset({"syntax", "escape", "check"})
_KEYWORD = re.compile(r"\s*(\S+)\s*")
_HEREDOC_WORD = re.compile(r"(\d*)<<(-?)([^<]*)$")
_HEREDOC_KEYWORDS = frozenset({"RUN", "COPY", "ADD"})
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_WORD = re.compile(r"""(?:[^\s"']|"(?:[^"\\]|\\.)*"?|'[^']*'?)+""", re.DOTALL)


@dataclass(frozen=True, slots=True)
class Directives:
    """Parser directives and where they stop (the offset of the first other line)."""

    escape: str = "\\"
    end: int = 0
    syntax: bool = False  # a ``# syntax=`` line: the file asks for a BuildKit frontend


@dataclass(frozen=True, slots=True)
class Heredoc:
    """One ``<<NAME`` body; offsets relative to the block, body lines end at ``body_end``.

    ``marker`` is the logical offset of the ``<<NAME`` word, which tells which
    command of the line reads this body.
    """

    name: str
    marker: int
    chomp: bool
    quoted: bool
    body_start: int
    body_end: int
    terminated: bool


@dataclass(frozen=True, slots=True)
class JsonString:
    """One element of an exec-form array: decoded value, source of its raw token."""

    value: str
    start: int  # logical offsets of the token, quotes included
    end: int
    raw: str  # the token's text without the quotes, escapes kept


@dataclass(slots=True, eq=False)
class Instruction:
    """One instruction block, as parsed.  Only ``start`` is absolute."""

    start: int
    length: int
    open_ended: bool  # ran to end of text inside a continuation or heredoc
    keyword: str  # upper-case; for ``ONBUILD X`` this is X
    onbuild: bool
    comments: tuple[str, ...]  # the comment lines directly above, stripped
    instruction_offset: int  # where the instruction's first line begins
    indent: str
    logical: str  # the instruction line(s) with continuations removed
    first_offset: int  # where the first line's part of ``logical`` starts
    escape: str  # the file's escape character, for re-reading the lines in ``logical_map``
    command_start: int  # logical offset where the arguments (after flags) begin
    flags: tuple[tuple[str, str | None], ...]
    exec_form: tuple[JsonString, ...] | None  # a RUN's JSON array (the rule reads no other)
    heredocs: tuple[Heredoc, ...]
    text: str  # the whole block's source text

    @property
    def end(self) -> int:
        return self.start + self.length

    @property
    def logical_map(self) -> SourceMap:
        """Logical offset -> block-relative offset; built on first use (most blocks never ask)."""
        return LazySourceMap(self._logical_map)

    def _logical_map(self) -> SourceMap:
        """The continuation lines read again, for where each part came from."""
        text, first = self.text, self.first_offset
        nl = text.find("\n", first)
        line = text[first : len(text) if nl < 0 else nl].rstrip("\r").rstrip(" \t")
        continued = line[-1:] == self.escape
        parts, starts = [line[:-1] if continued else line], [first]
        if continued and nl >= 0:
            _continuation(_lines(text, nl + 1), nl + 1, self.escape, parts, starts)
        pieces: list[tuple[int, int]] = []
        length = 0
        for part, start in zip(parts, starts, strict=True):
            if part or not pieces:
                if length == 0:
                    pieces.clear()
                pieces.append((length, start))
                length += len(part)
        return SourceMap(pieces)

    @property
    def command(self) -> str:
        return self.logical[self.command_start :]


def parse_directives(text: str) -> Directives:
    """Read ``# escape=``, ``# syntax=`` and ``# check=`` from the top of ``text``."""
    escape = "\\"
    seen: set[str] = set()
    pos = 1 if text.startswith(BOM) else 0
    while pos < len(text):
        nl = text.find("\n", pos)
        nxt = len(text) if nl < 0 else nl + 1
        line = text[pos:nxt].rstrip("\r\n").lstrip()
        m = _DIRECTIVE.match(line)
        if not m or m.group(1).lower() not in _KNOWN_DIRECTIVES or m.group(1).lower() in seen:
            break
        name = m.group(1).lower()
        seen.add(name)
        if name == "escape" and m.group(2) in ("\\", "`"):
            escape = m.group(2)
        pos = nxt
    return Directives(escape, pos, "syntax" in seen)


def parse(text: str, directives: Directives | None = None) -> list[Instruction]:
    """Parse a whole document."""
    directives = directives or parse_directives(text)
    return list(iter_blocks(text, directives.end, directives.escape))


def iter_blocks(text: str, pos: int, escape: str) -> Iterator[Instruction]:
    """Yield instruction blocks from line start ``pos`` to the end of ``text``.

    Python touches each instruction and each continuation line once, with a ``find``
    and a look at the line's last character (:func:`_read_instruction`); the blank and
    comment lines between instructions are skipped by one regular expression, and the
    logical line is joined by another.  Only heredoc bodies are read line by line.
    """
    n = len(text)
    gap, joins = _scanners(escape)
    carry = ""  # line 0's comment behind a byte-order mark, when it is the first of the comments above
    bom_first = -1  # where line 0's instruction begins behind a byte-order mark
    if pos == 0 and (bom := _BOM_LEAD.match(text)) is not None:  # BuildKit drops one mark on line 0, after blanks
        nl = text.find("\n")
        rest = text[bom.end() : n if nl < 0 else nl].rstrip("\r")
        if not rest or rest[0] == "#":
            carry = rest
            pos = n if nl < 0 else nl + 1
        else:
            bom_first = bom.end()
    comments: tuple[str, ...]
    while pos < n:
        head = text[pos]
        if head == "#" or head.isspace():  # blank lines, comments, or an indented instruction
            skip = gap.match(text, pos)
            assert skip is not None  # every part may be empty
            line_start, first = skip.span("i")
            if first == n or text[first] == "#":  # a blank or comment last line without a line break
                return
            comments, block_start = (), line_start
            if line_start > pos and "#" in (skipped := text[pos:line_start]):  # the comments directly above
                run = []
                for line in reversed(skipped.split("\n")[:-1]):
                    stripped = line.rstrip("\r").lstrip()
                    if not stripped:  # a blank line: BuildKit keeps no comment across it
                        break
                    run.append(stripped)
                    block_start -= len(line) + 1
                if run:
                    run.reverse()
                    comments = tuple(run)
            if carry and block_start == pos:  # the comment on line 0 is directly above
                comments, block_start = (carry, *comments), 0
            indent = text[line_start:first]
        else:  # the instruction's line, at its first column: the most common block
            line_start = first = pos
            comments, block_start = ((carry,), 0) if carry else ((), pos)
            indent = ""
        carry = ""
        if line_start == 0:
            if bom_first >= 0:
                first = bom_first
                indent = text[:first]
            indent = indent.lstrip(BOM)
        nl = text.find("\n", first)
        end = n if nl < 0 else nl
        last = text[end - 1]
        if last == escape or last in " \t\r":  # continued, or a line to strip: the general case
            logical, pos, open_ended = _read_instruction(text, first, nl, escape, joins)
        else:  # one line, the most common block
            logical = text[first:end]
            pos = n if nl < 0 else nl + 1
            open_ended = False
        keyword, onbuild, command_start, flags = _split_instruction(logical)
        heredocs: tuple[Heredoc, ...] = ()
        if keyword in _HEREDOC_KEYWORDS and "<<" in logical:
            found: list[Heredoc] = []
            body_lines = _lines(text, pos)
            for marker, name, chomp, quoted in _heredoc_words(logical, command_start):
                body_start = pos
                terminated = False
                for body in body_lines:
                    body_line = pos
                    pos += len(body) + 1
                    candidate = body.rstrip("\r")
                    if (candidate.lstrip("\t") if chomp else candidate) == name:
                        terminated = True
                        break
                pos = min(pos, n)
                body_end = body_line if terminated else pos
                found.append(
                    Heredoc(name, marker, chomp, quoted, body_start - block_start, body_end - block_start, terminated)
                )
                open_ended = open_ended or not terminated
            heredocs = tuple(found)
        yield Instruction(  # by position: keywords would cost a dict per instruction (type calls take them so)
            block_start,  # start
            pos - block_start,  # length
            open_ended,
            keyword,
            onbuild,
            comments,
            line_start - block_start,  # instruction_offset
            indent,
            logical,
            first - block_start,  # first_offset
            escape,
            command_start,
            flags,
            # exec_form: a RUN's JSON array (most RUNs are shell form: no call to find that out)
            _exec_form(logical, command_start)
            if keyword == "RUN" and not heredocs and logical.startswith("[", command_start) else None,
            heredocs,
            text[block_start:pos],  # text
        )


def _read_instruction(text: str, first: int, nl: int, escape: str,
                      joins: tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]) -> tuple[str, int, bool]:
    """The logical line of the instruction whose text starts at ``first`` (``nl``: its line's break).

    Returns it, where the next line starts, and whether the text ended inside the
    continuation.  A line is continued when its last character is the escape (or
    the last before blanks and carriage returns: the slower check, rarely needed).
    A comment line ending in the escape reads as continued here, which ends the
    instruction where BuildKit does; a blank or comment line that is not continued
    is skipped.  Either makes the join use the pattern that drops such lines.
    """
    n = len(text)
    join, plain = joins[0], joins[2]
    if nl >= 0 and text[nl - 1] == escape:  # the usual shape: lines ending in the escape, then one that does not
        found = plain.search(text, nl + 1)  # the next line break no escape precedes
        end = n if found is None else found.start()
        start = text.rfind("\n", nl, end) + 1
        last = text[end - 1] if end > start else ""
        if last != escape and last not in " \t\r" and (line := text[start:end].lstrip()) and line[0] != "#":
            lines = text[first:start]
            if "#" in lines:  # a comment line may end in the escape: the pattern that knows comments
                lines = joins[1].sub("", lines)
            else:  # each line ends in the escape and its line break, nothing between them: one C call
                lines = lines.replace(escape + "\n", "")
            return lines + text[start:end], end + 1 if found is not None else n, False
        join = joins[0]  # anything else: line by line
    start = first  # the current line's start
    while True:
        end = n if nl < 0 else nl
        last = text[end - 1] if end > start else ""
        if last != escape and last in " \t\r":
            tail = text[start:end].rstrip("\r").rstrip(" \t")
            last = tail[-1:]
        if last != escape:
            if start == first or ((line := text[start:end].lstrip()) and line[0] != "#"):
                break  # the line that ends the instruction
            join = joins[1]  # a blank or comment line inside the continuation
        if nl < 0:  # the text ends inside the continuation
            lines = text[first:]
            if "#" in lines:
                join = joins[1]
            return join.sub("", lines if lines[-1] == "\n" else lines + "\n"), n, True
        start = nl + 1
        nl = text.find("\n", start)
    if start == first:
        return text[first:end].rstrip("\r"), n if nl < 0 else nl + 1, False
    lines = text[first:start]
    if "#" in lines:  # a comment line may end in the escape: the pattern that knows comments
        join = joins[1]
    return join.sub("", lines) + text[start:end].rstrip("\r"), n if nl < 0 else nl + 1, False


_BOM_LEAD = re.compile(r"[^\S\n]*\ufeff")
_SCANNERS: dict[str, tuple[re.Pattern[str], tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]]] = {}


def _scanners(escape: str) -> tuple[re.Pattern[str], tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]]:
    """The patterns that skip between instructions and join continuations, for ``escape``.

    ``gap``: blank lines and comment runs a blank line follows (BuildKit keeps no
    comment across a blank line); group ``c``, the comment lines directly above the
    instruction; group ``i``, the instruction line's indent (``[^\\S\\n]`` is
    ``str.isspace`` but the line break).  ``joins``: what a continuation drops from
    the logical line -- the escape, blanks and carriage returns after it and the line
    break; and the blank and comment lines after it, when there are any.
    """
    found = _SCANNERS.get(escape)
    if found is None:
        e = re.escape(escape)
        gap = re.compile(r"(?:[\s]*\#[^\n]*)*(?:[\s]*\n)?(?P<i>[^\S\n]*)")
        joins = (re.compile(rf"{e}[ \t]*\r*\n"), re.compile(rf"{e}[ \t]*\r*\n(?:[^\S\n]*(?:\#[^\n]*)?\n)*"),
                 re.compile(rf"\n(?<!{e}\n)"))
        found = _SCANNERS[escape] = (gap, joins)
    return found


def _lines(text: str, pos: int) -> Iterator[str]:
    """The lines from line start ``pos`` on, without their line breaks.

    The text is split a chunk at a time, each twice the last: a re-parse that stops
    after a few lines splits a few, and a whole document takes a few C calls rather
    than a ``find`` and a slice per line.
    """
    n = len(text)
    size = 512
    while pos < n:
        nl = text.find("\n", min(pos + size, n))
        end = n if nl < 0 else nl + 1
        chunk = text[pos:end]
        lines = chunk.split("\n")
        if chunk[-1] == "\n":
            lines.pop()
        yield from lines
        pos = end
        size *= 2


def _continuation(lines: Iterator[str], pos: int, escape: str, parts: list[str],
                  starts: list[int]) -> tuple[int, bool]:
    """Read the lines continuing an instruction, the first of them starting at ``pos``.

    Appends each line's part of the logical line to ``parts`` and where it starts
    to ``starts``; blank and comment lines are dropped.  Returns where the lines end
    (past the end of the text if it ends first) and whether the text ended while the
    instruction was still continued.
    """
    for line in lines:
        start = pos
        pos += len(line) + 1
        content = line.rstrip("\r")
        stripped = content.lstrip()
        if not stripped or stripped[0] == "#":
            continue
        trimmed = content.rstrip(" \t")
        starts.append(start)
        if trimmed[-1] == escape:
            parts.append(trimmed[:-1])
            continue
        parts.append(content)
        return pos, False
    return pos, True


def _split_instruction(logical: str) -> tuple[str, bool, int, tuple[tuple[str, str | None], ...]]:
    """Keyword, ONBUILD-ness, where the command starts (after flags), and the flags."""
    # ``_KEYWORD.match`` in one C call and no match object: str.split's blanks are the regex's \s,
    # and the rest comes back without its leading blanks
    words = logical.split(None, 1)
    if not words:
        return "", False, len(logical), ()
    pos = len(logical) - len(words[1]) if len(words) > 1 else len(logical)
    keyword, onbuild = sys.intern(words[0].upper()), False
    if keyword == "ONBUILD":
        inner = _KEYWORD.match(logical, pos)
        if inner:
            keyword, pos, onbuild = inner.group(1).upper(), inner.end(), True
    if not logical.startswith("--", pos):
        return keyword, onbuild, pos, ()
    flags: list[tuple[str, str | None]] = []
    while logical.startswith("--", pos):
        word = _WORD.match(logical, pos)
        assert word is not None  # "--" always matches
        text = word.group(0)
        if text == "--":
            pos = _skip_space(logical, word.end())
            break
        name, eq, value = text[2:].partition("=")
        flags.append((name.lower(), value if eq else None))
        pos = _skip_space(logical, word.end())
    return keyword, onbuild, pos, tuple(flags)


def _skip_space(text: str, pos: int) -> int:
    while pos < len(text) and text[pos].isspace():
        pos += 1
    return pos


def _heredoc_words(logical: str, start: int) -> Iterator[tuple[int, str, bool, bool]]:
    """BuildKit's ``heredocsFromLine``: shell words matching ``^\\d*<<-?NAME$``."""
    for word in _WORD.finditer(logical, start):
        m = _HEREDOC_WORD.match(word.group(0))
        if not m or not m.group(3):
            continue
        rest = m.group(3)
        name = unquote_word(rest)
        if name is None or not name:
            continue
        yield word.start(), name, m.group(2) == "-", ("'" in rest or '"' in rest)


def _exec_form(logical: str, command_start: int) -> tuple[JsonString, ...] | None:
    """The elements of a JSON string array, or None for shell form (BuildKit's parseMaybeJSON)."""
    if not logical.startswith("[", command_start):
        return None
    body = logical[command_start:].rstrip()
    import json  # here: most Dockerfiles have no exec-form RUN

    try:
        values = json.loads(body)
    except (ValueError, RecursionError):  # ~1,000 nested brackets: BuildKit's shell form too
        return None
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        return None
    tokens = list(_JSON_STRING.finditer(logical, command_start))
    if len(tokens) != len(values):
        return None
    return tuple(
        JsonString(v, t.start(), t.end(), t.group(0)[1:-1]) for v, t in zip(values, tokens, strict=True)
    )
