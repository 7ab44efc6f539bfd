"""`lectern-player FILE` hands FILE to the Player already open on that library.

A real Player window runs on a private Xvfb in its own process; a second
``lectern-player`` process started with a package (as a double-click on a
``.lectern`` file does) must pass it over and exit, and the first Player imports it.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from tests.shared.bad_packages import make_good_package
from tests.xserver import xvfb

pytestmark = pytest.mark.timeout(240)


def _player(library: Path, *args: str | Path, env: dict[str, str]) -> list[str]:
    return [sys.executable, "-m", "player.cli", "--library", str(library), *map(str, args)]


def _listening(name: str) -> bool:
    path = Path(tempfile.gettempdir()) / name  # where QLocalServer puts its socket on Linux
    if not path.exists():
        return False
    with socket.socket(socket.AF_UNIX) as probe:
        try:
            probe.connect(str(path))
        except OSError:
            return False
    return True


def test_a_second_start_hands_its_file_to_the_open_player(tmp_path):
    from player.ui.single_instance import server_name

    package = make_good_package(tmp_path / "src")
    library = tmp_path / "library"
    env = {
        **os.environ,
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_STATE_HOME": str(tmp_path / "state"),
        "QT_QPA_PLATFORM": "xcb",
    }
    name = server_name(library)
    with xvfb() as display:
        env["DISPLAY"] = display
        first = subprocess.Popen(
            _player(library, env=env), env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        try:
            deadline = time.monotonic() + 120
            while not _listening(name):
                assert first.poll() is None, first.communicate()
                assert time.monotonic() < deadline, "the first Player never listened"
                time.sleep(0.2)
            second = subprocess.run(
                _player(library, package, env=env),
                env=env,
                capture_output=True,
                text=True,
                timeout=120,
            )
            assert second.returncode == 0, second.stderr
            assert "already open" in second.stdout
            installed = library / "courses"
            while not any(installed.glob("*/manifest.json")):
                assert first.poll() is None, first.communicate()
                assert time.monotonic() < deadline, "the first Player did not import the file"
                time.sleep(0.2)
            # Without a file, a second start only brings the open Player forward.
            third = subprocess.run(
                _player(library, env=env), env=env, capture_output=True, text=True, timeout=60
            )
            assert third.returncode == 0 and "already open" in third.stdout
            assert first.poll() is None
        finally:
            first.send_signal(signal.SIGTERM)
            try:
                first.wait(timeout=20)
            except subprocess.TimeoutExpired:
                first.kill()
                first.wait()
