"""Exit when the parent process dies: a backstop for a supervisor killed with SIGKILL, which never
gets to stop its children."""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable

log = logging.getLogger("chatterbox_sidecar.parent_watch")

POLL_SECONDS = 0.5


def watch_parent(
    parent_pid: int, on_parent_gone: Callable[[], None], poll_seconds: float = POLL_SECONDS
) -> threading.Thread:
    """Starts a daemon thread that calls `on_parent_gone` once `parent_pid` is gone."""
    direct_child = os.getppid() == parent_pid
    if not direct_child:
        # Started through a wrapper (shell, npx): our ppid is the wrapper, so probe the pid itself.
        log.warning("--parent-pid is not our parent process; watching it by pid", extra={"parent_pid": parent_pid})

    def parent_alive() -> bool:
        if direct_child:
            # Once the parent dies we are re-parented (to init or a subreaper), so getppid() changes.
            return os.getppid() == parent_pid
        try:
            os.kill(parent_pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True

    def watch() -> None:
        stop = threading.Event()
        while parent_alive():
            stop.wait(poll_seconds)
        log.warning("parent process is gone; shutting down", extra={"parent_pid": parent_pid})
        on_parent_gone()

    thread = threading.Thread(target=watch, name="parent-watch", daemon=True)
    thread.start()
    return thread
