"""Finding Dockerfiles on disk and reading/writing them without losing a byte.

The checker's I/O lives here so the core stays pure: decoding is strict UTF-8
(a BOM is set aside and restored), a write goes to a temporary file in the
same directory and is renamed over the target, so a crash never leaves half a
Dockerfile, and the file's mode survives.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

_SKIP_DIRS = frozenset({".git", ".hg", ".svn", ".venv", "venv", "node_modules", "__pycache__", ".tox"})


class FileError(Exception):
    """A file that cannot be checked or fixed; the message is for the user."""


def is_dockerfile_name(name: str) -> bool:
    """``Dockerfile``, ``Containerfile``, ``Dockerfile.*``, ``*.dockerfile``, ``*.Dockerfile``."""
    return (
        name in ("Dockerfile", "Containerfile")
        or name.startswith(("Dockerfile.", "Containerfile."))
        or name.endswith((".dockerfile", ".Dockerfile"))
    )


def discover(path: Path) -> Iterator[Path]:
    """``path`` itself when it is not a directory, else the Dockerfiles under it, sorted.

    Symlinked directories are not followed, so a link loop cannot trap the walk.
    """
    if not path.is_dir():
        yield path
        return
    for root, dirs, files in os.walk(path):
        dirs[:] = sorted(d for d in dirs if d not in _SKIP_DIRS)
        for name in sorted(files):
            if is_dockerfile_name(name):
                yield Path(root, name)


@dataclass(frozen=True, slots=True)
class Source:
    """A decoded file: its text without the BOM, and whether it had one."""

    text: str
    bom: bool

    def encode(self, text: str) -> bytes:
        return ("\ufeff" if self.bom else "").encode() + text.encode("utf-8")


def decode(data: bytes, name: str) -> Source:
    if b"\0" in data:
        raise FileError(f"{name}: binary file (contains NUL bytes), not checked")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise FileError(f"{name}: not valid UTF-8 (byte {exc.start}), not checked") from None
    if text.startswith("\ufeff"):
        return Source(text[1:], True)
    return Source(text, False)


def read(path: str | Path) -> Source:
    """Read a regular file; a FIFO or device is refused before it is opened (it could block)."""
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            raise FileError(f"{path}: not a regular file, not checked")
        with open(path, "rb") as file:
            data = file.read()
    except FileNotFoundError:
        raise FileError(f"{path}: no such file (removed while checking?)") from None
    except IsADirectoryError:
        raise FileError(f"{path}: is a directory") from None
    except OSError as exc:
        raise FileError(f"{path}: cannot read ({exc.strerror or exc})") from None
    return decode(data, str(path))


def write_atomic(path: str | Path, data: bytes) -> None:
    """Replace ``path``'s content (through a symlink) via a renamed temporary file."""
    import tempfile  # only --fix writes

    target = Path(os.path.realpath(path))
    try:
        mode = stat.S_IMODE(target.stat().st_mode)
        if not os.access(target, os.W_OK):
            raise FileError(f"{path}: not writable, not fixed")
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except FileError:
        raise
    except OSError as exc:
        raise FileError(f"{path}: cannot write ({exc.strerror or exc}), not fixed") from None
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise FileError(f"{path}: cannot write ({exc.strerror or exc}), not fixed") from None
