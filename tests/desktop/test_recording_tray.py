"""The tray icon on a desktop that has a tray: trayer (Debian) under openbox.

When one screen is recorded whole the bar hides and the controls are a tray icon.
``drive.py studio tray`` records from the Studio and pauses, resumes and stops from
the icon's menu with real clicks through the X server (xdotool); the tray is a real
XEmbed system tray host, as on a desktop panel.
"""

from __future__ import annotations

import shutil
import subprocess
import time

import pytest

from studio.capture.recording import load_recording
from studio.course import new_course
from tests.studio.conftest import stop_process
from tests.studio.x11 import XClient

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def tray(desktop_720):
    """trayer docked at the top right, owning the desktop's system tray."""
    if shutil.which("trayer") is None:
        pytest.skip("trayer is not installed (make setup installs it)")
    process = subprocess.Popen(
        ["trayer", "--edge", "top", "--align", "right", "--widthtype", "pixel", "--width", "160"]
        + ["--heighttype", "pixel", "--height", "32", "--SetDockType", "true"],
        env=desktop_720.env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    client = XClient(desktop_720.display)
    deadline = time.monotonic() + 30
    while not client.selection_owner("_NET_SYSTEM_TRAY_S0"):
        if process.poll() is not None or time.monotonic() > deadline:
            client.close()
            stop_process(process)
            pytest.fail("trayer did not take the system tray")
        time.sleep(0.05)
    client.close()
    yield
    stop_process(process)


def test_pause_resume_and_stop_from_the_tray_icon_s_menu(desktop_720, tray, tmp_path):
    course = new_course(tmp_path / "courses", "Biology")
    seen = desktop_720.drive("studio", "tray", course.folder, tmp_path, timeout=300)
    assert seen["started"] and seen["tray"] and seen["icon shown"], seen
    x, y, width, height = seen["icon"]
    assert y < 32 and x > 1280 - 160 - width, seen["icon"]  # docked in trayer's panel
    assert seen["bar hidden"]  # the whole screen is recorded: the icon is the control
    assert seen["pause clicked"] and seen["paused"] and seen["menu says resume"], seen
    assert seen["bar shown while paused"]
    assert seen["resume clicked"] and seen["resumed"] and seen["bar hidden again"], seen
    assert seen["stop clicked"] and seen["saved"], seen
    assert seen["segments"] == 2  # before the pause and after it
    data = load_recording(seen["folder"])
    assert data["state"] == "finished"
    assert len(data["pauses"]) == 1 and all(data["pauses"][0])
    assert seen["title kept"] == "Lesson 1"  # Esc keeps the suggestion
