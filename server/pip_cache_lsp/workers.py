"""Forked workers for ``check``: the files of a big run, in chunks, over one process per core.

``concurrent.futures.ProcessPoolExecutor`` did this before, and cost the parent as much CPU
as a fifth of the whole corpus check: 13 ms to import it and ``multiprocessing`` and about
30 ms of queue threads, pickling and wake-ups while the workers did the work.  Here the
parent forks the workers itself, hands out chunk numbers through one pipe (a read of four
bytes from a pipe is atomic, so each number reaches one worker; every worker takes the next
chunk when it is free, so none is left alone with a long tail), and reads each worker's
pickled results from a pipe of its own.  Results come back in the order of the input.

A worker that dies (killed, out of memory) does not lose its files: the parent checks every
chunk no result came for itself.  An exception in the work is re-raised in the parent, as
the executor did.  Only where ``os.fork`` is safe to use this way (Linux); elsewhere the
caller keeps the executor.
"""

from __future__ import annotations

import gc
import os
import pickle
import selectors
import signal
import struct
import sys
from collections.abc import Callable, Iterator, Sequence
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")

AVAILABLE = sys.platform == "linux"
_INDEX = struct.Struct("<I")
_LENGTH = struct.Struct("<Q")


class _Failed:
    """An exception raised by the work in a worker, carried back to the parent."""

    def __init__(self, error: BaseException) -> None:
        self.error = error


def run(work: Callable[[T], R], items: Sequence[T], workers: int, chunksize: int) -> Iterator[R]:
    """``map(work, items)`` over ``workers`` forked processes, yielding in order.

    Chunks shrink as the work runs out (:func:`guided`), down to ``chunksize``.
    """
    chunks = [items[start:end] for start, end in guided(len(items), workers, chunksize)]
    # every chunk number must fit in the pipe at once (PIPE_BUF): guided() makes some 4 ln(count) + 8
    assert len(chunks) * _INDEX.size <= 4096, len(chunks)
    for stream in (sys.stdout, sys.stderr):  # a child must not write the parent's buffered output again
        stream.flush()
    tasks_r, tasks_w = os.pipe()
    os.write(tasks_w, b"".join(_INDEX.pack(i) for i in range(len(chunks))))
    os.close(tasks_w)  # drained, the pipe reads as end of file: no more work
    gc.freeze()  # the workers are forks: a collection there would write to (and copy) every shared page
    children: dict[int, int] = {}  # result pipe -> pid
    try:
        for _ in range(min(workers, len(chunks))):
            results_r, results_w = os.pipe()
            pid = os.fork()
            if pid == 0:  # the worker
                os.close(results_r)
                for fd in children:
                    os.close(fd)
                _serve(work, chunks, tasks_r, results_w)  # never returns
            os.close(results_w)
            children[results_r] = pid
        os.close(tasks_r)
        yield from _collect(work, chunks, children)
    finally:
        for fd, pid in children.items():
            try:
                os.kill(pid, signal.SIGTERM)  # gone already, unless the parent stopped early
            except ProcessLookupError:
                pass
            os.waitpid(pid, 0)
            os.close(fd)
        gc.unfreeze()


def guided(count: int, workers: int, smallest: int) -> list[tuple[int, int]]:
    """(start, end) of each chunk of ``count`` items: each a ``2 * workers``-th of what is left.

    Guided scheduling: the first chunks are big, so neighbouring files (of one directory,
    which repeat one another's instructions) are checked by one worker and its memo
    (``memo.py``); the last are small, so no worker is left alone with a big one at the end.
    """
    out = []
    start = 0
    while start < count:
        end = min(count, start + max(smallest, (count - start) // (2 * workers), 1))
        out.append((start, end))
        start = end
    return out


def _serve(work: Callable[[T], R], chunks: list[Sequence[T]], tasks: int, out: int) -> None:
    code = 0
    try:
        signal.signal(signal.SIGINT, signal.SIG_DFL)  # Ctrl-C stops the parent, which stops the workers
        while (data := os.read(tasks, _INDEX.size)):
            index = _INDEX.unpack(data)[0]
            try:
                result: object = [work(item) for item in chunks[index]]
            except Exception as exc:  # the parent raises it
                result = _Failed(exc)
            body = pickle.dumps((index, result), pickle.HIGHEST_PROTOCOL)
            _write_all(out, _LENGTH.pack(len(body)) + body)
    except BaseException:
        code = 1
    finally:
        os._exit(code)  # no atexit handlers, no flushing of the parent's buffers


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _collect(work: Callable[[T], R], chunks: list[Sequence[T]], children: dict[int, int]) -> Iterator[R]:
    """Yield each chunk's results in order as they arrive; check what a dead worker left."""
    done: dict[int, list[R]] = {}
    buffers = {fd: bytearray() for fd in children}
    following = 0
    with selectors.DefaultSelector() as selector:
        for fd in children:
            selector.register(fd, selectors.EVENT_READ)
        open_pipes = len(children)
        while open_pipes:
            for key, _ in selector.select():
                fd = key.fd
                assert isinstance(fd, int)
                data = os.read(fd, 1 << 20)
                if not data:
                    selector.unregister(fd)
                    open_pipes -= 1
                    continue
                buffer = buffers[fd]
                buffer += data
                while len(buffer) >= _LENGTH.size:
                    length = _LENGTH.unpack_from(buffer)[0]
                    if len(buffer) < _LENGTH.size + length:
                        break
                    index, result = pickle.loads(buffer[_LENGTH.size:_LENGTH.size + length])
                    del buffer[:_LENGTH.size + length]
                    if isinstance(result, _Failed):
                        raise result.error
                    done[index] = result
            while following in done:
                yield from done.pop(following)
                following += 1
    for index in range(following, len(chunks)):  # a worker died: its chunks are checked here
        yield from done.pop(index) if index in done else map(work, chunks[index])
