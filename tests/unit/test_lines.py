"""The parser's block scanner and the line index, written for speed, against their plain definitions.

``iter_blocks`` finds lines with a few regular expressions (a C-level scan per instruction);
the reference below is the per-physical-line loop it replaced, copied as it was.  Every field
of every instruction must come out the same, over generated text (blanks, comments,
escapes, carriage returns, byte-order marks, heredocs) and over the corpus when present.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import fields
from itertools import accumulate

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from corpus_files import CORPUS
from pip_cache_lsp.dockerfile import (
    _HEREDOC_KEYWORDS,
    _KEYWORD,
    _WORD,
    BOM,
    Heredoc,
    Instruction,
    _exec_form,
    _heredoc_words,
    _skip_space,
    _split_instruction,
    iter_blocks,
    parse_directives,
)
from pip_cache_lsp.text import line_starts

EXAMPLES = int(os.environ.get("PROPERTY_EXAMPLES", "300"))
SETTINGS = settings(max_examples=EXAMPLES * 10, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _reference_lines(text: str, pos: int) -> Iterator[str]:
    n = len(text)
    while pos < n:
        nl = text.find("\n", pos)
        end = n if nl < 0 else nl + 1
        yield text[pos:end].removesuffix("\n")
        pos = end


def _reference_continuation(lines: Iterator[str], pos: int, escape: str, parts: list[str]) -> tuple[int, bool]:
    for line in lines:
        pos += len(line) + 1
        content = line.rstrip("\r")
        stripped = content.lstrip()
        if not stripped or stripped[0] == "#":
            continue
        trimmed = content.rstrip(" \t")
        if trimmed[-1] == escape:
            parts.append(trimmed[:-1])
            continue
        parts.append(content)
        return pos, False
    return pos, True


def reference_blocks(text: str, pos: int, escape: str) -> Iterator[Instruction]:
    """The scanner as one loop over physical lines (the code before the regex scan)."""
    n = len(text)
    lines = _reference_lines(text, pos)
    comment_start = -1
    comments: list[str] = []
    for line in lines:
        line_start = pos
        pos += len(line) + 1
        content = line.rstrip("\r")
        stripped = content.lstrip()
        lead = len(content) - len(stripped)
        if line_start == 0 and stripped.startswith(BOM):
            stripped = stripped[1:]
            lead += 1
        if not stripped:
            comment_start, comments = -1, []
            continue
        if stripped[0] == "#":
            if comment_start < 0:
                comment_start = line_start
            comments.append(stripped)
            continue
        block_start = comment_start if comment_start >= 0 else line_start
        trimmed = stripped.rstrip(" \t")
        continued = trimmed[-1:] == escape
        parts = [trimmed[:-1] if continued else stripped]
        if continued:
            pos, continued = _reference_continuation(lines, pos, escape, parts)
        logical = "".join(parts)
        keyword, onbuild, command_start, flags = _split_instruction(logical)
        heredocs: list[Heredoc] = []
        open_ended = continued
        if keyword in _HEREDOC_KEYWORDS and "<<" in logical:
            for marker, name, chomp, quoted in _heredoc_words(logical, command_start):
                body_start = min(pos, n)
                terminated = False
                for body in lines:
                    body_line = pos
                    pos += len(body) + 1
                    candidate = body.rstrip("\r")
                    if (candidate.lstrip("\t") if chomp else candidate) == name:
                        terminated = True
                        break
                pos = min(pos, n)
                body_end = body_line if terminated else pos
                heredocs.append(
                    Heredoc(name, marker, chomp, quoted, body_start - block_start, body_end - block_start, terminated)
                )
                open_ended = open_ended or not terminated
        pos = min(pos, n)
        yield Instruction(
            start=block_start,
            length=pos - block_start,
            open_ended=open_ended,
            keyword=keyword,
            onbuild=onbuild,
            comments=tuple(comments),
            instruction_offset=line_start - block_start,
            indent=content[:lead] if line_start != 0 else content[:lead].lstrip(BOM),
            logical=logical,
            first_offset=line_start + lead - block_start,
            escape=escape,
            command_start=command_start,
            flags=flags,
            exec_form=_exec_form(logical, command_start) if keyword == "RUN" and not heredocs else None,
            heredocs=tuple(heredocs),
            text=text[block_start:pos],
        )
        comment_start, comments = -1, []


def _map(ins: Instruction) -> tuple[object, ...]:
    built = ins._logical_map()
    return (built._derived, built._origin)


def _as_tuples(blocks: Iterator[Instruction]) -> list[tuple[object, ...]]:
    names = [f.name for f in fields(Instruction)]
    return [tuple(getattr(ins, name) for name in names) + _map(ins) for ins in blocks]


def assert_same_blocks(text: str, pos: int, escape: str) -> None:
    assert _as_tuples(iter_blocks(text, pos, escape)) == _as_tuples(reference_blocks(text, pos, escape))


# what the scanner reads: line ends, blanks of every kind, comments, both escapes, heredoc words
_PIECES = ["\n", "\r", "\r\n", " ", "\t", "\x0b", "\x0c", "\x1c", "\x85", "\xa0", "\u2028", BOM, "#", "# c", "\\", "`",
           "RUN", "run", "FROM", "COPY", "ONBUILD", " a", "x", "é", "<<EOF", "<<-EOF", "EOF", "\tEOF", "<<'E'", "E",
           "--mount=x", '["a"]', "--"]
dockerish = st.lists(st.sampled_from(_PIECES), max_size=30).map("".join)


@SETTINGS
@given(dockerish, st.sampled_from(["\\", "`"]), st.integers(0, 3))
@example("RUN a \\", "\\", 0)
@example("RUN a \\\n", "\\", 0)
@example("RUN a \\\n   ", "\\", 0)
@example("RUN a \\\n# c", "\\", 0)
@example("RUN a \\\n# c \\", "\\", 0)
@example("RUN a\r\\\r\r\n b \\ \r \n c\r\r", "\\", 0)
@example("  \ufeff# c\n# d\nRUN a\n", "\\", 0)
@example("  \ufeff# c\nRUN a\n", "\\", 0)
@example("  \ufeff# c\n\nRUN a\n", "\\", 0)
@example("  \ufeff\r\n# d\nRUN a\n", "\\", 0)
@example("\ufeff  # c\nRUN a\n", "\\", 0)
@example(" \ufeff\\\nRUN a\n", "\\", 0)
@example("# a\n\n# b\n#c\nRUN x\n# d\n", "\\", 0)
@example("RUN <<EOF <<-E\nx\nEOF\n\tE\nRUN y", "\\", 0)
@example("RUN <<EOF\nx\r\nEOF\r\n", "\\", 0)
@example("RUN a `\n\n b `", "`", 0)
def test_iter_blocks_is_the_line_loop(text: str, escape: str, skip: int) -> None:
    starts = [0, *line_starts(text, lone_cr=False)]
    assert_same_blocks(text, starts[min(skip, len(starts) - 1)], escape)


@pytest.mark.skipif(not CORPUS.is_dir(), reason="the corpus of real Dockerfiles is not here")
def test_iter_blocks_is_the_line_loop_on_the_corpus() -> None:
    for path in sorted(CORPUS.iterdir()):
        text = path.read_text(encoding="utf-8", errors="surrogateescape")
        directives = parse_directives(text)
        assert_same_blocks(text, directives.end, directives.escape)


def _reference_line_starts(text: str) -> list[int]:
    return list(accumulate(len(line) + 1 for line in text.split("\n")))[:-1]


@SETTINGS
@given(dockerish)
def test_line_starts_at_lf_is_the_split(text: str) -> None:
    assert line_starts(text, lone_cr=False) == _reference_line_starts(text)
    if "\r" not in text:
        assert line_starts(text) == _reference_line_starts(text)


def _reference_split(logical: str) -> tuple[str, bool, int, tuple[tuple[str, str | None], ...]]:
    """``_split_instruction`` as it was: the keyword read by ``_KEYWORD``, the flags by the same code."""
    m = _KEYWORD.match(logical)
    if not m:
        return "", False, len(logical), ()
    keyword, pos, onbuild = m.group(1).upper(), m.end(), False
    if keyword == "ONBUILD":
        inner = _KEYWORD.match(logical, pos)
        if inner:
            keyword, pos, onbuild = inner.group(1).upper(), inner.end(), True
    flags: list[tuple[str, str | None]] = []
    while logical.startswith("--", pos):
        word = _WORD.match(logical, pos)
        assert word is not None
        text = word.group(0)
        if text == "--":
            pos = _skip_space(logical, word.end())
            break
        name, eq, value = text[2:].partition("=")
        flags.append((name.lower(), value if eq else None))
        pos = _skip_space(logical, word.end())
    return keyword, onbuild, pos, tuple(flags)


@SETTINGS
@given(dockerish)
@example("RUN")
@example("RUN   ")
@example(" \x1c\u2028 run\x85\xa0x")
@example("")
@example(" \t")
@example("\ufeff\n--")
@example("onbuild  run --a=b -- x")
def test_split_instruction_is_the_regex_reading(logical: str) -> None:
    assert _split_instruction(logical) == _reference_split(logical)
