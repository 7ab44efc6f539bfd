"""The one helper that starts every test X server: Xvfb picks its display (-displayfd)."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from tests.xserver import start_xvfb, stop_xvfb

pytestmark = pytest.mark.skipif(
    shutil.which("Xvfb") is None or shutil.which("xdpyinfo") is None,
    reason="Xvfb / xdpyinfo are not installed (apt-get install xvfb x11-utils)",
)


def _screens(display: str) -> list[str]:
    info = subprocess.run(
        ["xdpyinfo", "-display", display], capture_output=True, text=True, check=True
    ).stdout
    return [line.split()[1] for line in info.splitlines() if "dimensions:" in line]


def test_servers_started_together_get_their_own_displays_ready_at_once():
    started = [start_xvfb(["640x480x24"]), start_xvfb(["800x600x24", "320x240x24"])]
    try:
        (_, first), (_, second) = started
        assert first != second
        # Ready as soon as the number is known: no polling, each its own screens.
        assert _screens(first) == ["640x480"]
        assert _screens(second) == ["800x600", "320x240"]
    finally:
        for process, _ in started:
            stop_xvfb(process)
    assert all(process.poll() is not None for process, _ in started)


def test_the_runner_gives_a_command_a_private_display():
    command = [sys.executable, "-m", "tests.xserver", "--screen", "400x300x24", "--"]
    command += ["sh", "-c", 'xdpyinfo | grep dimensions && echo "$DISPLAY $QT_QPA_PLATFORM"']
    result = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "400x300 pixels" in result.stdout and " xcb" in result.stdout
