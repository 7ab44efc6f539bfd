"""On Wayland the desktop's own picker asks what to share: the Studio keeps answering.

A real headless sway desktop (tests/wayland.py) whose screen-cast portal asks a picker
that waits for the person, as GNOME's or KDE's does; the Studio's recording session
runs in it as the desktop's user (tests/studio/wayland_share_driver.py).
"""

from __future__ import annotations

import json
import subprocess

import av
import pytest

from tests.wayland import WaylandError, missing_packages, start_session


@pytest.fixture(scope="module")
def desktop():
    missing = missing_packages()
    if missing:
        pytest.skip(f"the Wayland desktop needs Debian packages: {' '.join(missing)}")
    try:
        session = start_session(picker=True)
    except WaylandError as error:
        pytest.fail(str(error))
    yield session
    session.stop()


def drive(desktop, scenario: str):
    folder = desktop.user_folder(scenario) / "recording"
    choice = desktop.runtime / "choice"
    choice.unlink(missing_ok=True)
    code = "from tests.studio.wayland_share_driver import main; main()"
    out = subprocess.run(
        desktop.python_command(code, scenario, str(folder), str(choice)),
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    return json.loads(out.stdout.strip().splitlines()[-1]), folder


def test_the_window_keeps_answering_while_the_picker_is_open_and_cancel_gives_up(desktop):
    seen, folder = drive(desktop, "cancel")
    assert seen["state after start"] == "choosing" and seen["prompt shown"]
    # The event loop turned all through, the picker still waiting: nothing blocked it.
    assert seen["loop turned"] and seen["still choosing"], seen
    assert seen["cancelled"] and seen["prompt gone"], seen
    assert seen["signals"] == ["cancelled"]  # never started, never failed
    assert seen["state"] == "done" and seen["error"] is None
    assert not any(name.endswith(".mkv") for name in seen["kept"]), seen["kept"]


def test_choosing_in_the_picker_starts_the_recording(desktop):
    seen, folder = drive(desktop, "choose")
    assert seen["state after start"] == "choosing" and seen["loop turned"], seen
    assert seen["started"] and seen["finished"] and seen["prompt gone"], (seen["error"], seen)
    assert seen["signals"] == ["starting", "started", "finished"]
    with av.open(str(folder / "main.mkv")) as container:
        frames = sum(1 for _ in container.decode(video=0))
    assert frames >= 30  # two seconds at 30 fps, give or take the start
