"""Exit when the editor that started us is gone (LSP's ``processId``).

Any integer may arrive: one that cannot be a process id (zero, negative, beyond
the platform's ``pid_t``) is not watched and is reported once; an error while
watching stops the watch with one log line instead of killing the thread
silently.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable

logger = logging.getLogger(__name__)
MAX_PID = 2**31 - 1  # pid_t is a signed 32-bit integer on every platform we run on
INTERVAL = 2.0


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # alive, owned by someone else
    return True


def watch_parent(pid: int, warn: Callable[[str], None], exit_: Callable[[int], object] = os._exit,
                 interval: float = INTERVAL) -> threading.Thread | None:
    """Start a daemon thread that calls ``exit_(0)`` once ``pid`` is gone; None when ``pid`` is not watchable."""
    if not 0 < pid <= MAX_PID:
        warn(f"processId {pid} is not a valid process id; the server will not exit with its client")
        return None

    def watch() -> None:
        try:
            while True:
                time.sleep(interval)
                if not _alive(pid):
                    logger.info("client process %s is gone; exiting", pid)
                    exit_(0)
                    return
        except Exception as exc:  # e.g. an OS that refuses the signal: stop watching, say so once
            logger.warning("stopped watching client process %s: %s: %s", pid, type(exc).__name__, exc)

    thread = threading.Thread(target=watch, name="parent-watch", daemon=True)
    thread.start()
    return thread
