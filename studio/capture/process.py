"""Child processes (ffmpeg) that stop cleanly when we do, even after ``kill -9``.

Each child gets ``SIGTERM`` from the kernel when the thread that started it dies
(``PR_SET_PDEATHSIG``), so ffmpeg writes its trailer and nothing is left running.
Start children from a long-lived thread (the main one), since the signal follows
the starting thread, not the process.
"""

from __future__ import annotations

import ctypes
import signal
import subprocess
import sys
from typing import Any

__all__ = ["popen_child", "stop_child"]

_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)


def popen_child(args: list[str], **kwargs: Any) -> subprocess.Popen:
    """``subprocess.Popen`` in its own session that dies with its parent (on Linux)."""
    if sys.platform.startswith("linux"):
        kwargs.setdefault("preexec_fn", _die_with_parent)
    # Own session: Ctrl+C in the terminal reaches us, and we stop children in order.
    return subprocess.Popen(args, start_new_session=True, **kwargs)


def stop_child(process: subprocess.Popen, timeout: float = 10.0) -> int:
    """Ask ffmpeg to finish (SIGINT writes the trailer), kill it if it does not."""
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    return process.returncode
