"""SourceMap, TextBuilder and LazySourceMap: derived offsets back to the source, through chains."""

from __future__ import annotations

import pytest

from pip_cache_lsp.sourcemap import LazySourceMap, SourceMap, TextBuilder

# "ab\\\ncd" with the line continuation removed: derived "abcd"
CONTINUED = SourceMap([(0, 0), (2, 4)])


@pytest.mark.parametrize(
    ("i", "start", "end"),
    [
        (0, 0, 0),
        (1, 1, 1),
        (2, 4, 2),  # end: just after 'b', not after the removed continuation
        (3, 5, 5),
        (4, 6, 6),  # one past the derived text: past the last piece
    ],
)
def test_start_and_end_across_a_removed_continuation(i: int, start: int, end: int) -> None:
    assert CONTINUED.start(i) == start
    assert CONTINUED.end(i) == end


@pytest.mark.parametrize(("i", "expected"), [(0, 0), (5, 5), (-1, 0)])
def test_empty_map_is_identity(i: int, expected: int) -> None:
    smap = SourceMap([])
    assert smap.start(max(i, 0)) == expected
    assert smap.end(i) == expected


def test_end_of_zero_or_negative_is_start_of_zero() -> None:
    smap = SourceMap([(0, 7)])
    assert smap.end(0) == 7
    assert smap.end(-3) == 7


def test_chained_map() -> None:
    # child: derived "bcd" from CONTINUED's derived "abcd" at offset 1
    child = SourceMap([(0, 1)], CONTINUED)
    assert [child.start(i) for i in range(4)] == [1, 4, 5, 6]
    assert [child.end(i) for i in range(4)] == [1, 2, 5, 6]


def test_three_level_chain() -> None:
    top = SourceMap([(0, 100)])  # block starts at 100 in the document
    middle = SourceMap([(0, 0), (3, 5)], top)  # "abc" + "def" with two characters dropped between
    inner = SourceMap([(0, 2)], middle)  # derived "cdef" from middle's derived at 2
    assert [inner.start(i) for i in range(5)] == [102, 105, 106, 107, 108]
    assert [inner.end(i) for i in range(5)] == [102, 103, 106, 107, 108]


def test_builder_merges_contiguous_pieces() -> None:
    builder = TextBuilder()
    builder.add("ab", 10)
    builder.add("", 99)  # ignored
    builder.add("cd", 12)  # contiguous: same piece
    builder.add("ef", 20)
    text, smap = builder.build()
    assert text == "abcdef"
    assert smap._derived == (0, 4) and smap._origin == (10, 20)
    assert [smap.start(i) for i in range(7)] == [10, 11, 12, 13, 20, 21, 22]
    assert [smap.end(i) for i in range(7)] == [10, 11, 12, 13, 14, 21, 22]


def test_builder_escape_width() -> None:
    # source: ab\"cd  (positions: a=10 b=11 \=12 "=13 c=14 d=15)
    builder = TextBuilder()
    builder.add("ab", 10)
    builder.add_escape('"', 12, 2)
    builder.add("cd", 14)
    text, smap = builder.build()
    assert text == 'ab"cd'
    assert [smap.start(i) for i in range(6)] == [10, 11, 12, 14, 15, 16]
    # a range ending on the escaped quote ends after the whole escape
    assert [smap.end(i) for i in range(6)] == [10, 11, 12, 14, 15, 16]


def test_builder_piece_after_escape_is_new_piece() -> None:
    # An escape followed by text that happens to continue at origin+1 must not merge into it.
    builder = TextBuilder()
    builder.add_escape("A", 0, 6)  # \u0041
    builder.add("b", 1)  # contrived origin: contiguous with the escape's origin, not its width
    text, smap = builder.build()
    assert text == "Ab"
    assert smap.start(1) == 1
    assert smap.end(1) == 6  # just after the escape
    assert smap.end(2) == 2


def test_escape_width_through_a_chain() -> None:
    parent = SourceMap([(0, 50)])
    builder = TextBuilder()
    builder.add("x", 0)
    builder.add_escape("é", 1, 6)
    builder.add("y", 7)
    text, smap = builder.build(parent)
    assert text == "xéy"
    assert [smap.start(i) for i in range(4)] == [50, 51, 57, 58]
    assert [smap.end(i) for i in range(4)] == [50, 51, 57, 58]


def test_lazy_map_builds_once_on_first_use() -> None:
    calls: list[int] = []

    def build() -> SourceMap:
        calls.append(1)
        return SourceMap([(0, 10), (3, 20)])

    lazy = LazySourceMap(build)
    assert calls == []
    assert lazy.start(3) == 20
    assert lazy.end(3) == 13
    assert lazy.start(0) == 10
    assert calls == [1]


def test_lazy_map_as_parent() -> None:
    lazy = LazySourceMap(lambda: SourceMap([(0, 10), (3, 20)]))
    child = SourceMap([(0, 2)], lazy)
    assert [child.start(i) for i in range(3)] == [12, 20, 21]
    assert [child.end(i) for i in range(3)] == [12, 13, 21]
