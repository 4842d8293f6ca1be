"""The forked workers of ``check`` (workers.py): in order, complete, and nothing left behind."""

from __future__ import annotations

import os
import signal
import sys

import pytest

from pip_cache_lsp import workers

pytestmark = pytest.mark.skipif(not workers.AVAILABLE, reason="forked workers are Linux-only")

PARENT = os.getpid()


def square(n: int) -> tuple[int, int]:
    return n * n, os.getpid()


def fails_on_seven(n: int) -> int:
    if n == 7:
        raise ValueError(f"no {n}")
    return n


def dies_on_five(n: int) -> int:
    if n == 5 and os.getpid() != PARENT:  # only in a worker: the parent checks the chunk again
        os.kill(os.getpid(), signal.SIGKILL)
    return n


def children() -> set[str]:
    """This process's children, running or not yet reaped (other tests may have left their own)."""
    out: set[str] = set()
    for task in os.listdir("/proc/self/task"):
        with open(f"/proc/self/task/{task}/children") as f:
            out.update(f.read().split())
    return out


BEFORE: set[str] = set()


@pytest.fixture(autouse=True)
def _children_before() -> None:
    BEFORE.clear()
    BEFORE.update(children())


def no_children_left() -> bool:
    return children() <= BEFORE


@pytest.mark.parametrize(("count", "procs", "chunk"), [(1, 2, 8), (7, 2, 8), (8, 2, 8), (399, 2, 8), (1000, 3, 10),
                                                       (50, 8, 1)])
def test_results_come_in_the_order_of_the_input(count: int, procs: int, chunk: int) -> None:
    out = list(workers.run(square, list(range(count)), procs, chunk))
    assert [value for value, _ in out] == [n * n for n in range(count)]
    pids = {pid for _, pid in out}
    assert PARENT not in pids and 1 <= len(pids) <= procs
    assert no_children_left()


def test_the_work_is_shared_between_the_workers() -> None:
    def slow(n: int) -> int:
        import time

        time.sleep(0.002)
        return os.getpid()

    pids = list(workers.run(slow, list(range(200)), 2, 4))
    assert len(set(pids)) == 2


def test_an_exception_in_the_work_is_raised_in_the_parent() -> None:
    with pytest.raises(ValueError, match="no 7"):
        list(workers.run(fails_on_seven, list(range(40)), 2, 4))
    assert no_children_left()


def test_a_dead_workers_files_are_checked_by_the_parent() -> None:
    assert list(workers.run(dies_on_five, list(range(40)), 2, 4)) == list(range(40))
    assert no_children_left()


def test_stopping_early_stops_the_workers() -> None:
    results = workers.run(square, list(range(10_000)), 2, 100)
    assert next(results)[0] == 0
    results.close()
    assert no_children_left()


def test_buffered_output_is_written_once(capfd: pytest.CaptureFixture[str]) -> None:
    sys.stdout.write("before the fork")  # still in the buffer when the workers start
    assert len(list(workers.run(square, list(range(20)), 2, 4))) == 20
    sys.stdout.flush()
    assert capfd.readouterr().out == "before the fork"


@pytest.mark.parametrize(("count", "n", "smallest"), [(0, 2, 8), (1, 2, 8), (399, 2, 8), (2000, 2, 31), (2000, 8, 1),
                                                     (10**7, 2, 1), (17, 3, 4)])
def test_guided_chunks(count: int, n: int, smallest: int) -> None:
    """Every item once, in order; each chunk a 2n-th of what is left (at least ``smallest``), so few chunks."""
    chunks = workers.guided(count, n, smallest)
    assert (chunks[0][0] if chunks else 0) == 0 and (chunks[-1][1] if chunks else 0) == count
    assert all(end == after for (_, end), (after, _) in zip(chunks, chunks[1:], strict=False))  # no gap, no overlap
    left = count
    for start, end in chunks:
        assert end - start == min(left, max(smallest, left // (2 * n), 1))
        left -= end - start
    assert len(chunks) * 4 <= 4096  # every chunk number fits in the pipe at once
