"""Private X servers for the tests, the benches and the screenshot scripts: one helper.

Xvfb picks its own free display and tells us which (``-displayfd``): a display number
probed by hand can be taken by another suite in between, and two suites then share
one X server and their key grabs collide (see /work/shared/TESTING.md). The server
writes the number only once it accepts connections, so nothing polls for it either.

As a program it runs a command on a private display::

    .venv/bin/python -m tests.xserver --screen 1600x1000x24 -- \\
        .venv/bin/python tests/player/make_screenshots.py
"""

from __future__ import annotations

import argparse
import contextlib
import os
import select
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence

__all__ = ["XvfbError", "start_xvfb", "stop_xvfb", "xvfb", "start_openbox"]

DEFAULT_SCREEN = "1280x720x24"


class XvfbError(RuntimeError):
    """Xvfb is missing or did not start."""


def start_xvfb(
    screens: Sequence[str] = (DEFAULT_SCREEN,),
    args: Sequence[str] = (),
    timeout: float = 20.0,
) -> tuple[subprocess.Popen, str]:
    """Start Xvfb on a display it picks itself; return the process and ``":N"``.

    Args:
        screens: one ``WIDTHxHEIGHTxDEPTH`` per X screen.
        args: more Xvfb arguments (``["-extension", "RANDR"]``, ...).
        timeout: seconds to wait for the server to be ready.
    """
    if shutil.which("Xvfb") is None:
        raise XvfbError("Xvfb is not installed (apt-get install xvfb)")
    read_end, write_end = os.pipe()
    command = ["Xvfb", "-displayfd", str(write_end), "-nolisten", "tcp", *args]
    for number, screen in enumerate(screens):
        command += ["-screen", str(number), screen]
    try:
        process = subprocess.Popen(
            command,
            pass_fds=(write_end,),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    finally:
        os.close(write_end)
    try:
        text = b""
        deadline = time.monotonic() + timeout
        while not text.endswith(b"\n"):
            left = deadline - time.monotonic()
            ready, _, _ = select.select([read_end], [], [], max(0.0, left))
            if not ready:
                stop_xvfb(process)
                raise XvfbError(f"Xvfb did not start within {timeout:g} s")
            chunk = os.read(read_end, 64)
            if not chunk:
                stop_xvfb(process)
                raise XvfbError(f"Xvfb exited before it had a display ({process.poll()})")
            text += chunk
    finally:
        os.close(read_end)
    return process, f":{int(text.strip())}"


def stop_xvfb(process: subprocess.Popen, timeout: float = 10.0) -> None:
    """End the server: SIGTERM, then SIGKILL if it has not gone within ``timeout``."""
    if process.poll() is None:
        process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _client_list(env: dict[str, str]) -> str:
    return subprocess.run(
        ["xprop", "-root", "_NET_CLIENT_LIST"], env=env, capture_output=True, text=True
    ).stdout


def start_openbox(display: str, timeout: float = 30.0) -> subprocess.Popen:
    """Start openbox on ``display`` and return once it manages the windows mapped after.

    Openbox sets ``_NET_SUPPORTING_WM_CHECK`` early in its start-up, before it reads its
    theme and menus; a window mapped in between is never managed (its map request is
    lost, and it stays unmapped). So a probe window is mapped, again each second,
    until openbox lists it in ``_NET_CLIENT_LIST``; only then is the desktop ready.
    """
    from tests.studio.x11 import XClient  # libX11 through ctypes

    env = {**os.environ, "DISPLAY": display}
    env.pop("WAYLAND_DISPLAY", None)
    manager = subprocess.Popen(
        ["openbox", "--sm-disable"],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    client = XClient(display)
    try:
        probe = client.window("openbox probe", (0, 0, 32, 32), 0, mapped=False)
        deadline = time.monotonic() + timeout
        while f"{probe:#x}" not in _client_list(env):
            if manager.poll() is not None or time.monotonic() > deadline:
                manager.kill()
                manager.wait()
                raise XvfbError(f"openbox did not manage a window on {display}")
            client.map(probe)
            time.sleep(1.0 if "window id" in _client_list(env) else 0.1)
        client.destroy(probe)
    finally:
        client.close()
    return manager


@contextlib.contextmanager
def xvfb(screens: Sequence[str] = (DEFAULT_SCREEN,), args: Sequence[str] = ()) -> Iterator[str]:
    """A private Xvfb for the ``with`` block; yields its display (``":N"``)."""
    process, display = start_xvfb(screens, args)
    try:
        yield display
    finally:
        stop_xvfb(process)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run a command on a private Xvfb display.")
    parser.add_argument("--screen", action="append", help=f"WxHxD (default {DEFAULT_SCREEN})")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("give the command to run after --")
    with xvfb(args.screen or [DEFAULT_SCREEN]) as display:
        env = {**os.environ, "DISPLAY": display, "QT_QPA_PLATFORM": "xcb"}
        env.pop("WAYLAND_DISPLAY", None)
        return subprocess.run(command, env=env).returncode


if __name__ == "__main__":
    sys.exit(main())
