"""LineIndex: the three LSP line terminators, offset <-> position, and incremental edits."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pip_cache_lsp.text import LineIndex, line_starts


@pytest.mark.parametrize(
    ("text", "starts"),
    [
        pytest.param("", [0], id="empty"),
        pytest.param("a", [0], id="one line, no terminator"),
        pytest.param("a\n", [0, 2], id="LF at end opens an empty last line"),
        pytest.param("a\nb", [0, 2], id="LF"),
        pytest.param("a\r\nb", [0, 3], id="CRLF is one terminator"),
        pytest.param("a\rb", [0, 2], id="lone CR"),
        pytest.param("a\r", [0, 2], id="lone CR at end"),
        pytest.param("\r", [0, 1], id="only CR"),
        pytest.param("\r\n\r\n", [0, 2, 4], id="two CRLF"),
        pytest.param("\n\r", [0, 1, 2], id="LF then CR is two terminators"),
        pytest.param("\r\r\n", [0, 1, 3], id="CR then CRLF"),
        pytest.param("a\nb\rc\r\nd", [0, 2, 4, 7], id="all three"),
        pytest.param("\n\n\n", [0, 1, 2, 3], id="blank lines"),
        pytest.param("é\nü", [0, 2], id="code points, not bytes"),
        pytest.param("\U0001f600\n", [0, 2], id="astral char counts one"),
    ],
)
def test_line_starts(text: str, starts: list[int]) -> None:
    index = LineIndex(text)
    assert index.starts == starts
    assert index.line_count == len(starts)
    assert [index.line_start(line) for line in range(len(starts))] == starts


@pytest.mark.parametrize(
    ("text", "start", "end", "expected"),
    [
        ("a\nb\r\nc", 0, None, [2, 5]),
        ("a\nb\r\nc", 2, None, [5]),
        ("a\nb\r\nc", 2, 5, [5]),
        ("a\nb\r\nc", 2, 4, [4]),  # the window cuts the CRLF: the CR alone ends a line
        ("a\nb\r\nc", 3, None, [5]),
        ("a\nb\r\nc", 0, 1, []),
        ("x\ny\nz", 0, None, [2, 4]),  # the fast path (no CR)
        ("x\ny\nz", 1, None, [2, 4]),
    ],
)
def test_line_starts_window(text: str, start: int, end: int | None, expected: list[int]) -> None:
    assert line_starts(text, start, end) == expected


@pytest.mark.parametrize(
    ("text", "positions"),
    [
        ("", [(0, 0)]),
        ("ab", [(0, 0), (0, 1), (0, 2)]),
        ("a\nb", [(0, 0), (0, 1), (1, 0), (1, 1)]),
        ("a\r\nb", [(0, 0), (0, 1), (0, 2), (1, 0), (1, 1)]),
        ("a\rb", [(0, 0), (0, 1), (1, 0), (1, 1)]),
        ("\n\r", [(0, 0), (1, 0), (2, 0)]),
        ("é\r\nx", [(0, 0), (0, 1), (0, 2), (1, 0), (1, 1)]),
    ],
)
def test_position_of_every_offset(text: str, positions: list[tuple[int, int]]) -> None:
    index = LineIndex(text)
    assert [index.position(offset) for offset in range(len(text) + 1)] == positions


@pytest.mark.parametrize(
    ("text", "ends"),
    [
        ("", [0]),
        ("abc", [3]),
        ("ab\ncd", [2, 5]),
        ("ab\r\ncd\r\n", [2, 6, 8]),
        ("ab\rcd\r", [2, 5, 6]),
        ("\n\n", [0, 1, 2]),
        ("\r\n", [0, 2]),
    ],
)
def test_content_end(text: str, ends: list[int]) -> None:
    index = LineIndex(text)
    assert [index.content_end(text, line) for line in range(index.line_count)] == ends


def _round_trip(text: str) -> None:
    index = LineIndex(text)
    for offset in range(len(text) + 1):
        line, column = index.position(offset)
        assert index.line_start(line) + column == offset
        assert index.line_of(offset) == line
    for line in range(index.line_count):
        assert index.position(index.line_start(line)) == (line, 0)


@pytest.mark.parametrize("text", ["", "a", "a\nb\r\nc\rd", "\r\n\n\r\r", "x\r", "é\U0001f600\nz"])
def test_round_trip(text: str) -> None:
    _round_trip(text)


@given(st.text(alphabet="ab\r\n", max_size=40))
def test_round_trip_property(text: str) -> None:
    _round_trip(text)


@pytest.mark.parametrize(
    ("old", "start", "end", "inserted"),
    [
        pytest.param("a\rb", 2, 2, "\n", id="LF after a CR pairs with it"),
        pytest.param("a\r\nb", 2, 3, "", id="deleting the LF of CRLF leaves a lone CR"),
        pytest.param("a\r\nb", 1, 2, "", id="deleting the CR of CRLF leaves an LF"),
        pytest.param("a\nb", 1, 1, "\r", id="CR before LF makes CRLF"),
        pytest.param("ab", 1, 1, "\r", id="a lone CR at the edit"),
        pytest.param("ab", 1, 1, "\n\r\n\r", id="three terminators at once"),
        pytest.param("a\nb\nc\nd", 1, 5, "", id="join lines"),
        pytest.param("a\nb\nc\nd", 0, 7, "", id="delete everything"),
        pytest.param("", 0, 0, "x\ny\r\nz\r", id="insert into empty"),
        pytest.param("a\nb\nc", 5, 5, "\n", id="append a terminator"),
        pytest.param("a\r", 2, 2, "\nb", id="append LF to a trailing CR"),
        pytest.param("a\rb", 1, 2, "\r\n", id="replace CR with CRLF"),
        pytest.param("\r\r\r", 1, 2, "\n", id="CR in a row replaced"),
    ],
)
def test_edit_matches_fresh_index(old: str, start: int, end: int, inserted: str) -> None:
    new = old[:start] + inserted + old[end:]
    for asked in (True, False):  # lines found before the edit (re-scanned around it), or after it
        index = LineIndex(old)
        if asked:
            assert index.line_count == len(LineIndex(old).starts)
        index.edit(new, start, end, len(inserted))
        fresh = LineIndex(new)
        assert index.starts == fresh.starts
        assert index.line_count == fresh.line_count
        assert [index.position(i) for i in range(len(new) + 1)] == [fresh.position(i) for i in range(len(new) + 1)]


def test_edit_examples_exact() -> None:
    index = LineIndex("a\rb")
    assert index.starts == [0, 2]
    index.edit("a\r\nb", 2, 2, 1)
    assert index.starts == [0, 3]
    index.edit("a\r\nb\nc", 4, 4, 2)
    assert index.starts == [0, 3, 5]
    index.edit("a\r\nc", 3, 5, 0)
    assert index.starts == [0, 3]
    assert index.position(4) == (1, 1)


_edit = st.tuples(st.integers(0, 1000), st.integers(0, 6), st.text(alphabet="ab\r\n", max_size=6))


@settings(max_examples=300)
@given(st.text(alphabet="ab\r\n", max_size=30), st.lists(_edit, max_size=8))
def test_edit_sequence_property(text: str, edits: list[tuple[int, int, str]]) -> None:
    """Any sequence of edits leaves the index equal to a fresh index of the final text."""
    index = LineIndex(text)
    index.position(0)  # the lines found: each edit below re-scans around itself
    for at, length, inserted in edits:
        start = at % (len(text) + 1)
        end = min(start + length, len(text))
        text = text[:start] + inserted + text[end:]
        index.edit(text, start, end, len(inserted))
        fresh = LineIndex(text)
        assert index.starts == fresh.starts
        assert [index.position(i) for i in range(len(text) + 1)] == [fresh.position(i) for i in range(len(text) + 1)]


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet="ab\n\r", max_size=40), st.booleans(),
       st.lists(st.integers(min_value=0, max_value=40), max_size=12))
def test_counting_answers_as_the_split_lines(text: str, lone_cr: bool, offsets: list[int]) -> None:
    """Before its lines are split, line_of and position count breaks: in any order, the same answers."""
    counted, split = LineIndex(text, lone_cr), LineIndex(text, lone_cr)
    split.starts  # noqa: B018 -- split now
    for offset in [min(o, len(text)) for o in offsets]:
        assert counted.line_of(offset) == split.line_of(offset)
        assert counted.position(offset) == split.position(offset)
    assert counted.starts == split.starts


def test_counting_splits_after_a_few_passes() -> None:
    """Questions in random order would count the text again and again: past four passes it is split."""
    text = "a\n" * 100
    index = LineIndex(text, lone_cr=False)
    for offset in range(199, 0, -1):  # backwards: each answer counts from the start
        assert index.line_of(offset) == offset // 2
    assert index._starts is not None and index.position(3) == (1, 1)
    ordered = LineIndex(text, lone_cr=False)
    for offset in range(0, 200, 7):  # in order: each answer counts on from the last
        assert ordered.position(offset) == (offset // 2, offset % 2)
    assert ordered._starts is None
