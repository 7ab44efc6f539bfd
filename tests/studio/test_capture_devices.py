"""Monitors and application windows on a real X server (Xvfb), recorded by real ffmpeg.

Xvfb supports RandR 1.5 monitors, so ``xrandr --setmonitor`` splits its one X screen
into two monitors as a two-monitor desktop is. Most tests run with no window
manager: a frame is played by a parent window holding the application's window, and an
EWMH manager's bookkeeping by the root properties it sets (``_NET_SUPPORTING_WM_CHECK``,
``_NET_CLIENT_LIST``). One test runs a real reparenting manager (Openbox) on a private
Xvfb, and skips where Openbox is not installed.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import av
import numpy as np
import pytest

from shared.media import probe
from studio.capture import DeviceNotFoundError, Recorder, RecordingSettings
from studio.capture.devices import Screen, Window, list_screens, list_windows
from studio.capture.errors import ToolMissingError
from studio.capture.screen import parse_screen
from tests.studio.conftest import stop_process
from tests.studio.x11 import XClient
from tests.xserver import start_openbox, start_xvfb, stop_xvfb

pytestmark = pytest.mark.slow

RED, BLUE, GREEN = 0xFF0000, 0x0000FF, 0x00FF00


def x_run(*args: str) -> None:
    """Run an X11 program on ``$DISPLAY``; fail the test with what it said if it fails."""
    result = subprocess.run(args, capture_output=True, text=True, timeout=20)
    assert result.returncode == 0, f"{args}: {result.stderr}"


def set_root_window_property(name: str, window: int) -> None:
    x_run("xprop", "-root", "-f", name, "32x", "-set", name, hex(window))


def middle_colour(path: Path) -> np.ndarray:
    """The median RGB of a frame in the middle of the video at ``path``."""
    with av.open(str(path)) as container:
        frames = [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]
    assert frames, f"{path} has no frames"
    return np.median(frames[len(frames) // 2].reshape(-1, 3), axis=0)


def record(folder: Path, screen: str, seconds: float = 2.0) -> Path:
    recorder = Recorder(folder, RecordingSettings(screen=screen, mic="none", camera="none"))
    recorder.start()
    time.sleep(seconds)
    finished = recorder.stop()
    assert finished is not None
    return finished.main


@pytest.fixture
def x_env(xvfb, monkeypatch) -> str:
    """This process and its children see the shared Xvfb (1280x720); returns the display."""
    for tool in ("xrandr", "xwininfo", "xprop"):
        if shutil.which(tool) is None:
            pytest.skip(f"{tool} is not installed (apt-get install x11-xserver-utils x11-utils)")
    monkeypatch.setenv("DISPLAY", xvfb)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    return xvfb


@pytest.fixture
def only_tools(tmp_path, monkeypatch):
    """Leave on ``$PATH`` only the named X11 programs (as if the rest were not installed)."""

    def keep(*tools: str) -> None:
        folder = tmp_path / "bin"
        folder.mkdir(exist_ok=True)
        for tool in tools:
            (folder / tool).symlink_to(shutil.which(tool))
        monkeypatch.setenv("PATH", str(folder))

    return keep


# --- monitors ------------------------------------------------------------------------------


def test_each_monitor_is_a_screen_and_records_only_its_own_rectangle(x_env, tmp_path):
    client = XClient(x_env)
    try:
        client.window("left half", (0, 0, 640, 720), RED)
        client.window("right half", (640, 0, 640, 720), BLUE)
        # "left" takes over the output's monitor, so there are two monitors, not three.
        x_run("xrandr", "--setmonitor", "left", "640/169x720/190+0+0", "screen")
        x_run("xrandr", "--setmonitor", "right", "640/169x720/190+640+0", "none")
        assert list_screens() == [
            Screen(0, 640, 720, f"{x_env}.0", 0, 0, "left", False),
            Screen(1, 640, 720, f"{x_env}.0", 640, 0, "right", False),
        ]
        target = parse_screen("1")
        assert (target.x, target.y, target.width, target.height) == (640, 0, 640, 720)
        # A region is in screen pixels: it may lie on either monitor, not past the screen.
        assert parse_screen("region:700,100,500,500").x == 700
        with pytest.raises(DeviceNotFoundError, match="region inside 1280x720"):
            parse_screen("region:700,100,640,500")

        main = record(tmp_path / "rec", "1")

        x_run("xrandr", "--delmonitor", "right")
        x_run("xrandr", "--setmonitor", "*right", "640/169x720/190+640+0", "none")
        first = list_screens()[0]  # RandR lists the primary monitor first
        assert (first.name, first.primary, first.x) == ("right", True, 640)
    finally:
        for name in ("left", "right"):
            subprocess.run(["xrandr", "--delmonitor", name], capture_output=True)
        client.close()
    info = probe(main)
    assert (info.video.width, info.video.height) == (640, 720)
    red, green, blue = middle_colour(main)
    assert blue > 200 and red < 60 and green < 60  # the right half, none of the left


def test_without_randr_each_x_screen_is_one_screen(tmp_path):
    """The old behaviour: an X server without RandR lists its X screens (xdpyinfo)."""
    for tool in ("Xvfb", "xdpyinfo", "xrandr"):
        if shutil.which(tool) is None:
            pytest.skip(f"{tool} is not installed")
    server, display = start_xvfb(["800x600x24", "640x480x24"], ["-extension", "RANDR"])
    # Held open: Xvfb resets when its last client goes, and a program connecting while
    # it resets (xdpyinfo right after xrandr) may find no display.
    holder = XClient(display)
    try:
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("DISPLAY", display)
            screens = list_screens()
            target = parse_screen("1")
    finally:
        holder.close()
        stop_xvfb(server)
    assert screens == [Screen(0, 800, 600, f"{display}.0"), Screen(1, 640, 480, f"{display}.1")]
    assert (target.display, target.x, target.y, target.width) == (f"{display}.1", 0, 0, 640)


def test_without_xrandr_xdpyinfo_still_lists_the_screen(x_env, only_tools):
    only_tools("xdpyinfo")
    assert list_screens() == [Screen(0, 1280, 720, f"{x_env}.0")]


def test_without_xrandr_and_xdpyinfo_one_line_names_the_package(x_env, tmp_path, only_tools):
    only_tools()
    with pytest.raises(ToolMissingError, match="x11-xserver-utils"):
        parse_screen("0")
    with pytest.raises(ToolMissingError, match="x11-utils"):
        list_windows()
    result = subprocess.run(
        [sys.executable, "-m", "studio.cli", "record", str(tmp_path / "rec"), "--screen", "0"]
        + ["--mic", "none", "--duration", "1"],
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    assert "xrandr" in lines[0] and "apt-get install x11-xserver-utils" in lines[0]
    assert "not found" not in lines[0]


# --- windows -------------------------------------------------------------------------------


def test_a_named_window_inside_a_frame_is_found_where_it_is_and_recorded(x_env, tmp_path):
    """No window manager: the first named window down each branch of the tree."""
    client = XClient(x_env)
    try:
        top = client.window("Plain Top Level", (900, 400, 200, 150), GREEN)
        frame = client.window(None, (100, 50, 400, 300), BLUE)  # a frame as managers draw
        slides = client.window("Lecture Slides", (5, 25, 390, 270), RED, parent=frame)
        client.window("a part of the slides", (10, 10, 100, 100), GREEN, parent=slides)
        client.window("Hidden Slides", (0, 0, 300, 300), RED, mapped=False)
        listed = list_windows()
        assert Window(slides, "Lecture Slides", 105, 75, 390, 270) in listed
        assert Window(top, "Plain Top Level", 900, 400, 200, 150) in listed
        names = [w.name for w in listed]
        assert "Hidden Slides" not in names and "a part of the slides" not in names
        target = parse_screen("window:Lecture Slides")
        assert (target.window_id, target.x, target.y) == (slides, 105, 75)
        main = record(tmp_path / "rec", "window:Lecture Slides", 1.5)
    finally:
        client.close()
    info = probe(main)
    assert (info.video.width, info.video.height) == (390, 270)  # the window, not its frame
    red, green, blue = middle_colour(main)
    assert red > 200 and blue < 60  # the slides' red, not the frame's blue


def test_a_window_managers_client_list_names_the_applications(x_env):
    """EWMH: the manager's list wins over named frames, while the manager is there."""
    client = XClient(x_env)
    try:
        frame = client.window("Frame of Editor", (200, 100, 500, 400), BLUE)
        editor = client.window("Editor", (4, 30, 492, 366), RED, parent=frame)
        check = client.window(None, (-100, -100, 1, 1), 0, mapped=False)
        set_root_window_property("_NET_CLIENT_LIST", editor)
        # No manager's check window: the list is stale, the tree is read instead.
        set_root_window_property("_NET_SUPPORTING_WM_CHECK", check + 1000)
        assert [w.name for w in list_windows()] == ["Frame of Editor"]
        set_root_window_property("_NET_SUPPORTING_WM_CHECK", check)
        assert list_windows() == [Window(editor, "Editor", 204, 130, 492, 366)]
    finally:
        for name in ("_NET_CLIENT_LIST", "_NET_SUPPORTING_WM_CHECK"):
            subprocess.run(["xprop", "-root", "-remove", name], capture_output=True)
        client.close()


@pytest.fixture
def managed_display(monkeypatch):
    """A private Xvfb run by a real reparenting EWMH window manager (Openbox)."""
    for tool in ("Xvfb", "openbox", "xwininfo", "xprop", "xdpyinfo"):
        if shutil.which(tool) is None:
            pytest.skip(f"{tool} is not installed (apt-get install openbox x11-utils)")
    server, display = start_xvfb(["1280x720x24"])
    monkeypatch.setenv("DISPLAY", display)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    manager = None
    try:
        manager = start_openbox(display)
        yield display
    finally:
        if manager is not None:
            stop_process(manager)
        stop_xvfb(server)


def wait_for(condition, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def test_under_a_real_window_manager_the_application_window_is_recorded(managed_display, tmp_path):
    client = XClient(managed_display)
    try:
        slides = client.window("Lecture Slides", (300, 200, 400, 300), RED)
        wait_for(lambda: any(w.id == slides for w in list_windows()))
        tree = subprocess.run(
            ["xwininfo", "-id", hex(slides), "-children"], capture_output=True, text=True
        ).stdout
        parent = re.search(r"Parent window id: (0x[0-9a-f]+)", tree)[1]
        assert int(parent, 16) != client.root  # the manager has put it inside its frame
        (window,) = [w for w in list_windows() if w.name == "Lecture Slides"]
        assert (window.id, window.width, window.height) == (slides, 400, 300)
        main = record(tmp_path / "rec", "window:Lecture Slides", 1.5)
    finally:
        client.close()
    video = probe(main).video
    assert (video.width, video.height) == (400, 300)
    red, green, blue = middle_colour(main)
    assert red > 200 and blue < 60
