"""Maps offsets in derived text back to the document.

The rule reads *logical* text -- an instruction with its line continuations
removed, a ``sh -c`` string with its quotes decoded, a JSON string with its
escapes decoded -- but must report ranges and insert fixes in the *source*.
A :class:`SourceMap` records, for each contiguous piece of the derived text,
where that piece came from; maps chain, so a ``sh -c "…"`` inside an exec-form
JSON string inside a continued ``RUN`` still lands on the right character.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable


class SourceMap:
    """Piecewise-contiguous map from derived offsets to offsets in a parent text."""

    __slots__ = ("_derived", "_origin", "_width", "_parent")

    def __init__(self, pieces: list[tuple[int, int]], parent: SourceMap | None = None,
                 widths: dict[int, int] | None = None) -> None:
        # pieces: (derived_start, origin_start), sorted, first derived_start == 0;
        # widths: derived offset -> source length of a one-character piece decoded from an
        # escape (``\\"``, ``\\u006c``), so a range ending on it ends after the whole escape.
        # Tuples, and no dict without escapes: one map per instruction adds up in big files.
        self._derived = tuple(d for d, _ in pieces) or (0,)
        self._origin = tuple(o for _, o in pieces) or (0,)
        self._width = widths or None
        self._parent = parent

    def _local(self, i: int) -> int:
        k = bisect_right(self._derived, i) - 1
        return self._origin[k] + (i - self._derived[k])

    def start(self, i: int) -> int:
        """Where derived character ``i`` sits (or where text inserted before it goes)."""
        local = self._local(i)
        return self._parent.start(local) if self._parent else local

    def end(self, i: int) -> int:
        """The exclusive end matching derived exclusive end ``i``: just after character ``i-1``.

        Mapping ``i`` itself would land after a removed line continuation; an
        insertion right after a word must stay on the word's line.
        """
        if i <= 0:
            return self.start(0)
        local = self._local(i - 1) + (self._width.get(i - 1, 1) if self._width else 1)
        return self._parent.end(local) if self._parent else local


class LazySourceMap(SourceMap):
    """A :class:`SourceMap` built when first asked: most RUNs never map a position back."""

    __slots__ = ("_build", "_built")

    def __init__(self, build: Callable[[], SourceMap]) -> None:  # noqa: D107 -- no pieces yet
        self._build = build
        self._built: SourceMap | None = None

    def _map(self) -> SourceMap:
        if self._built is None:
            self._built = self._build()
        return self._built

    def start(self, i: int) -> int:
        return self._map().start(i)

    def end(self, i: int) -> int:
        return self._map().end(i)


class TextBuilder:
    """Accumulates derived text piece by piece, remembering each piece's origin."""

    __slots__ = ("_parts", "_pieces", "_widths", "_length")

    def __init__(self) -> None:
        self._parts: list[str] = []
        self._pieces: list[tuple[int, int]] = []
        self._widths: dict[int, int] = {}
        self._length = 0

    def add_escape(self, char: str, origin: int, width: int) -> None:
        """One character decoded from the ``width`` source characters at ``origin``."""
        self._pieces.append((self._length, origin))
        self._widths[self._length] = width
        self._parts.append(char)
        self._length += 1

    def add(self, text: str, origin: int) -> None:
        if not text:
            return
        if self._pieces:
            last_d, last_o = self._pieces[-1]
            if last_d in self._widths or last_o + (self._length - last_d) != origin:
                self._pieces.append((self._length, origin))
        else:
            self._pieces.append((0, origin))
        self._parts.append(text)
        self._length += len(text)

    def build(self, parent: SourceMap | None = None) -> tuple[str, SourceMap]:
        return "".join(self._parts), SourceMap(self._pieces, parent, self._widths)
