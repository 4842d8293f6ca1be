"""GapList against a plain sorted list of (offset, item) shifted by each edit's delta."""

from __future__ import annotations

from bisect import bisect_left, bisect_right

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pip_cache_lsp.gaplist import GapList


def test_fresh_list_reads_back() -> None:
    gaps = GapList([0, 3, 3, 7], ["a", "b", "c", "d"])
    length = 10
    assert len(gaps) == 4
    assert list(gaps.pairs(length)) == [(0, "a"), (3, "b"), (3, "c"), (7, "d")]
    assert gaps.offsets(length) == [0, 3, 3, 7]
    assert [gaps.key(i, length) for i in (0, 1, 2, 3, -1, -4)] == [0, 3, 3, 7, 7, 0]
    assert [gaps.item(i) for i in (0, 3, -1, -2)] == ["a", "d", "d", "c"]
    assert list(gaps.after_gap(length)) == []  # nothing moved past the gap yet


@pytest.mark.parametrize(
    ("offset", "le", "lt"),
    [(-1, 0, 0), (0, 1, 0), (2, 1, 1), (3, 3, 1), (4, 3, 3), (7, 4, 3), (8, 4, 4), (10, 4, 4)],
)
def test_counts_on_both_sides_of_the_gap(offset: int, le: int, lt: int) -> None:
    length = 10
    for gap in range(5):  # the same answers wherever the gap sits
        gaps = GapList([0, 3, 3, 7], ["a", "b", "c", "d"])
        gaps._move_gap(gap, length)
        assert gaps.count_le(offset, length) == le, gap
        assert gaps.count_lt(offset, length) == lt, gap
        assert list(gaps.pairs(length)) == [(0, "a"), (3, "b"), (3, "c"), (7, "d")]


def test_splice_keeps_items_past_the_edit_without_shifting_them() -> None:
    # text of length 20; replace [5, 8) by 6 characters: delta +3
    gaps = GapList([1, 5, 6, 8, 15], ["a", "b", "c", "d", "e"])
    removed = gaps.splice(5, 8, [5, 9], ["x", "y"], 20)
    assert removed == ["b", "c"]
    new_length = 23
    assert list(gaps.pairs(new_length)) == [(1, "a"), (5, "x"), (9, "y"), (11, "d"), (18, "e")]
    assert list(gaps.after_gap(new_length)) == [(11, "d"), (18, "e")]
    assert gaps.count_le(11, new_length) == 4 and gaps.count_lt(11, new_length) == 3
    assert gaps.key(-1, new_length) == 18 and gaps.item(2) == "y" and gaps.item(3) == "d"


def test_splice_insertion_only() -> None:
    gaps = GapList([0, 4], ["a", "b"])
    assert gaps.splice(2, 2, [2], ["n"], 6) == []
    assert list(gaps.pairs(7)) == [(0, "a"), (2, "n"), (5, "b")]


def test_splice_removes_everything() -> None:
    gaps = GapList([0, 4], ["a", "b"])
    assert gaps.splice(0, 7, [], [], 6) == ["a", "b"]
    assert len(gaps) == 0 and list(gaps.pairs(0)) == [] and gaps.count_le(0, 0) == 0


def test_bare_offsets() -> None:
    gaps: GapList[None] = GapList([0, 2, 5])
    assert gaps.splice(1, 3, [1], None, 8) == []
    assert len(gaps) == 3
    assert gaps.offsets(7) == [0, 1, 4]
    assert gaps.count_le(4, 7) == 3 and gaps.count_lt(4, 7) == 2
    assert gaps.key(2, 7) == 4


@st.composite
def scenario(draw: st.DrawFn) -> tuple[int, list[tuple[int, int]], list[tuple[int, int, int, int, int, list[int]]]]:
    length = draw(st.integers(0, 30))
    offsets = sorted(draw(st.lists(st.integers(0, length), max_size=12)))
    ops = []
    current = length
    for _ in range(draw(st.integers(0, 8))):
        a = draw(st.integers(0, current))
        b = draw(st.integers(a, current))
        n = draw(st.integers(0, 8))
        start = draw(st.integers(0, a))
        stop = draw(st.integers(b, current + 1))
        delta = n - (b - a)
        new_stop = stop + delta
        keys = sorted(draw(st.lists(st.integers(start, max(start, new_stop)), max_size=4)))
        new_length = current + delta
        keys = [k for k in keys if k <= new_length]
        ops.append((a, b, n, start, stop, keys))
        current = new_length
    return length, list(enumerate(offsets)), ops


@settings(max_examples=400)
@given(scenario(), st.integers(0, 1_000))
def test_against_reference_list(case, serial_base: int) -> None:
    length, initial, ops = case
    gaps = GapList([o for _, o in initial], [("init", i) for i, _ in initial])
    model = [(o, ("init", i)) for i, o in initial]
    serial = serial_base

    def check() -> None:
        assert list(gaps.pairs(length)) == model
        assert gaps.offsets(length) == [o for o, _ in model]
        assert len(gaps) == len(model)
        keys = [o for o, _ in model]
        for offset in range(-1, length + 2):
            assert gaps.count_le(offset, length) == bisect_right(keys, offset)
            assert gaps.count_lt(offset, length) == bisect_left(keys, offset)
        for i in range(-len(model), len(model)):
            assert gaps.key(i, length) == model[i][0]
            assert gaps.item(i) == model[i][1]

    check()
    for a, b, n, start, stop, keys in ops:
        delta = n - (b - a)
        items = []
        for _ in keys:
            serial += 1
            items.append(("new", serial))
        removed = gaps.splice(start, stop, keys, items, length)
        expected_removed = [item for o, item in model if start <= o < stop]
        past = [(o + delta, item) for o, item in model if o >= stop]
        model = [(o, item) for o, item in model if o < start] + list(zip(keys, items, strict=True)) + past
        length += delta
        assert removed == expected_removed
        assert list(gaps.after_gap(length)) == past
        check()
