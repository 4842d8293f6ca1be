"""Offsets that survive edits without being shifted: a gap buffer of positions.

Line starts, instruction blocks and findings are all "things at an offset in
the text".  After an edit, every one of them past the edit would move, and
shifting 10,000 of them in Python costs more than the whole rest of a
keystroke.  A :class:`GapList` keeps the items before the gap with absolute
offsets and the items after it with their distance from the *end* of the text,
which an edit at the gap does not change.  Edits happen where the user types,
so the gap moves rarely, and moving it costs only the items it passes.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Iterator
from typing import Generic, TypeVar

T = TypeVar("T")


class GapList(Generic[T]):
    """Items sorted by offset; the caller passes the text length to every call that needs it.

    Offsets are kept in ``array('i')`` (4 bytes each instead of a 36-byte int object;
    texts stay below 2**31 characters): a 10,000-line document's line index is then
    40 kB, not 440 kB.
    """

    __slots__ = ("_head_keys", "_head", "_tail_keys", "_tail")

    def __init__(self, keys: list[int], items: list[T] | None = None) -> None:
        """``items`` may be None for bare offsets (a line index needs no payload)."""
        self._head_keys = array("i", keys)
        self._head = items
        # Past the gap, reversed: _tail_keys[-1] belongs to the item nearest the gap and holds
        # its distance from the end, so these distances ascend from index 0.
        self._tail_keys = array("i")
        self._tail: list[T] | None = [] if items is not None else None

    def __len__(self) -> int:
        return len(self._head_keys) + len(self._tail_keys)

    def key(self, index: int, length: int) -> int:
        """The offset of item ``index`` (negative indexes count from the end)."""
        head, tail = len(self._head_keys), len(self._tail_keys)
        if index < 0:
            index += head + tail
        if index < head:
            return self._head_keys[index]
        return length - self._tail_keys[tail - 1 - (index - head)]

    def item(self, index: int) -> T:
        assert self._head is not None and self._tail is not None
        if index < 0:
            index += len(self)
        if index < len(self._head):
            return self._head[index]
        return self._tail[len(self._tail) - 1 - (index - len(self._head))]

    def count_le(self, offset: int, length: int) -> int:
        """How many items sit at or before ``offset``."""
        keys = self._head_keys
        if keys and keys[-1] > offset:
            return bisect_right(keys, offset)
        return len(self) - bisect_left(self._tail_keys, length - offset)

    def count_lt(self, offset: int, length: int) -> int:
        """How many items sit strictly before ``offset``."""
        keys = self._head_keys
        if keys and keys[-1] >= offset:
            return bisect_left(keys, offset)
        return len(self) - bisect_right(self._tail_keys, length - offset)

    def _move_gap(self, index: int, length: int) -> None:
        head_keys, head, tail_keys, tail = self._head_keys, self._head, self._tail_keys, self._tail
        while len(head_keys) > index:
            tail_keys.append(length - head_keys.pop())
            if head is not None and tail is not None:
                tail.append(head.pop())
        while len(head_keys) < index:
            head_keys.append(length - tail_keys.pop())
            if head is not None and tail is not None:
                head.append(tail.pop())

    def splice(self, start: int, stop: int, keys: list[int], items: list[T] | None, old_length: int) -> list[T]:
        """Replace the items at offsets ``[start, stop)`` of the old text by new ones.

        ``keys`` are offsets in the new text; everything past ``stop`` must be text the
        edit did not touch, so its distance from the end still holds.  Returns the
        removed items.
        """
        self._move_gap(self.count_lt(start, old_length), old_length)
        removed: list[T] = []
        tail_keys, tail = self._tail_keys, self._tail
        while tail_keys and old_length - tail_keys[-1] < stop:
            tail_keys.pop()
            if tail is not None:
                removed.append(tail.pop())
        self._head_keys.extend(keys)
        if self._head is not None and items is not None:
            self._head.extend(items)
        return removed

    def after_gap(self, length: int) -> Iterator[tuple[int, T]]:
        """Items past the gap, nearest first, with their offsets."""
        keys, items = self._tail_keys, self._tail
        assert items is not None
        for index in range(len(items) - 1, -1, -1):
            yield length - keys[index], items[index]

    def pairs(self, length: int) -> Iterator[tuple[int, T]]:
        """Every (offset, item), in order."""
        assert self._head is not None
        yield from zip(self._head_keys, self._head, strict=True)
        yield from self.after_gap(length)

    def offsets(self, length: int) -> list[int]:
        """Every offset, in order."""
        return [*self._head_keys, *(length - d for d in reversed(self._tail_keys))]
