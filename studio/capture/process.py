"""Child processes (ffmpeg) that stop cleanly when we do, even after ``kill -9``.

Each child gets ``SIGTERM`` from the kernel when the thread that started it dies
(``PR_SET_PDEATHSIG``), so ffmpeg writes its trailer and nothing is left running.
Start children from a long-lived thread (the main one, or a thread kept for the
purpose), since the signal follows the starting thread, not the process.

The signal is set by util-linux's ``setpriv --pdeathsig TERM``, which then executes
ffmpeg in its place (same process): the child runs no Python between fork and exec.
A ``preexec_fn`` (Python's ``prctl`` call in the child, the fallback where there is no
``setpriv``) makes the forked child run Python's and the libraries' after-fork code
first; started from a worker thread while the GUI thread ran, such a child hung before
its exec in CI, and ``Popen`` waited for it forever.
"""

from __future__ import annotations

import ctypes
import functools
import os
import signal
import subprocess
import sys
from collections.abc import Callable
from typing import Any

__all__ = ["popen_child", "stop_child"]

_PR_SET_PDEATHSIG = 1
_SIGTERM = int(signal.SIGTERM)


@functools.cache
def _prctl() -> Callable[..., int]:
    """libc's ``prctl``, looked up once, in the parent."""
    function = ctypes.CDLL(None, use_errno=True).prctl
    function.argtypes = [ctypes.c_int, *[ctypes.c_ulong] * 4]
    function.restype = ctypes.c_int
    return function


#: util-linux's setpriv (in every Debian and Ubuntu: util-linux is essential), by its
#: full path: the installed bundle runs with whatever PATH the desktop gives it.
SETPRIV = next((p for p in ("/usr/bin/setpriv", "/bin/setpriv") if os.access(p, os.X_OK)), None)


def popen_child(args: list[str], **kwargs: Any) -> subprocess.Popen:
    """``subprocess.Popen`` in its own session that dies with its parent (on Linux)."""
    if sys.platform.startswith("linux") and "preexec_fn" not in kwargs:
        if SETPRIV is not None:
            args = [SETPRIV, "--pdeathsig", "TERM", "--", *args]
        else:
            prctl = _prctl()
            kwargs["preexec_fn"] = lambda: prctl(_PR_SET_PDEATHSIG, _SIGTERM, 0, 0, 0)
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
