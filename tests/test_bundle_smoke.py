"""The installer bundle works on its own: the smoke test of issue 15, item 4.

The bundle (``dist/lectern/``, built by PyInstaller) runs in a clean environment:
``env -i`` with only HOME, LANG and the display, so no .venv, no PATH and no system
ffmpeg. In it, Studio builds a lesson from the sample video with the bundled Whisper
model, packages and verifies it; the Player window opens on a private X server,
imports the package and quits on Ctrl+Q; and Studio's "Open in Lectern Player",
pressed with the keyboard after an export, starts the bundled Player on the package.

The bundle is built by the test run itself when the cache has none for the current
inputs (tests/bundle.py: several minutes once, then reused).
"""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

import pytest

from tests.bundle import built_bundle, clean_env
from tests.xserver import start_openbox, xvfb

# The first test may build the bundle (tests/bundle.py): minutes on two busy cores.
pytestmark = [pytest.mark.slow, pytest.mark.timeout(2400)]


@pytest.fixture(scope="module")
def bundle() -> Path:
    return built_bundle()


@pytest.fixture(scope="module")
def desktop():
    with xvfb() as display:
        manager = start_openbox(display)
        try:
            yield display
        finally:
            manager.terminate()
            manager.wait(timeout=10)


def run_clean(command: list, home: Path, cwd: Path, **kwargs) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*clean_env(home), *map(str, command)],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=600,
        cwd=cwd,
        **kwargs,
    )


def xdotool(display: str, *args: str, timeout: float = 60) -> str:
    return subprocess.run(
        ["xdotool", *args],
        env={"DISPLAY": display, "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=True,
        timeout=timeout,
    ).stdout


def window_named(display: str, name: str, timeout: float = 90) -> str:
    """The id of the first visible window whose title contains ``name``; waits for it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = subprocess.run(
            ["xdotool", "search", "--onlyvisible", "--name", name],
            env={"DISPLAY": display, "PATH": "/usr/bin:/bin"},
            capture_output=True,
            text=True,
        ).stdout.split()
        if found:
            return found[0]
        time.sleep(0.5)
    raise AssertionError(f"no window named {name!r} appeared within {timeout} s")


def press(display: str, window: str, *keys: str) -> None:
    xdotool(display, "windowactivate", "--sync", window)
    xdotool(display, "key", "--clearmodifiers", *keys)


def courses(bundle: Path, home: Path, cwd: Path) -> list[dict]:
    listed = run_clean([bundle / "lectern-player", "list", "--json"], home, cwd)
    assert listed.returncode == 0, listed.stderr
    return json.loads(listed.stdout)


@pytest.fixture(scope="module")
def lesson(bundle: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A course folder with one lesson the bundle built from the sample video."""
    work = tmp_path_factory.mktemp("bundle-smoke")
    home = work / "home"
    home.mkdir()
    sample = bundle / "_internal" / "lectern_resources" / "sample" / "lecture.mp4"
    built = run_clean(
        [bundle / "lectern-studio", "build", sample, "-o", work / "Earth Science" / "water-cycle"],
        home,
        work,
    )
    assert built.returncode == 0, built.stderr
    # Every step had what it needs in the bundle (the OCR once lacked Pillow and its models).
    assert "not installed" not in built.stderr, built.stderr
    return work, home


def test_the_bundle_builds_transcribes_packages_and_verifies_a_lesson(bundle, lesson):
    work, home = lesson
    folder = work / "Earth Science" / "water-cycle"
    captions = next(folder.rglob("*.vtt")).read_text(encoding="utf-8").lower()
    # The bundled tiny.en model heard the sample lecture (the water cycle).
    assert "water" in captions and "evaporat" in captions
    packaged = run_clean(
        [bundle / "lectern-studio", "package", folder, "-o", "course.lectern", "--title", "Earth"],
        home,
        work,
    )
    assert packaged.returncode == 0, packaged.stderr
    verified = run_clean([bundle / "lectern-studio", "verify", "course.lectern"], home, work)
    assert verified.returncode == 0 and "is sound" in verified.stdout, verified


def test_the_bundled_player_opens_imports_the_package_and_quits(bundle, lesson, desktop):
    work, home = lesson
    package = work / "course.lectern"
    if not package.exists():
        test_the_bundle_builds_transcribes_packages_and_verifies_a_lesson(bundle, lesson)
    player = subprocess.Popen(
        [*clean_env(home, desktop), str(bundle / "lectern-player"), str(package)],
        cwd=work,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        window = window_named(desktop, "Lectern Player")
        deadline = time.monotonic() + 60
        while not courses(bundle, home, work) and time.monotonic() < deadline:
            time.sleep(0.5)
        assert [c["title"] for c in courses(bundle, home, work)] == ["Earth"]
        press(desktop, window, "ctrl+q")
        _, stderr = player.communicate(timeout=60)
        assert player.returncode == 0, stderr
    finally:
        if player.poll() is None:
            player.kill()
            player.communicate()


def test_studio_open_in_lectern_player_starts_the_bundled_player(bundle, lesson, desktop):
    """Ctrl+E, Return (the suggested file name), Return ("Open in Lectern Player")."""
    work, _ = lesson
    home = work / "home-studio"  # a Player library of its own, so the import is this one's
    home.mkdir()
    course = work / "Earth Science"
    studio = subprocess.Popen(
        [*clean_env(home, desktop), str(bundle / "lectern-studio"), "--course", str(course)],
        cwd=work,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    player_pid = None
    try:
        window = window_named(desktop, "Lectern Studio")
        press(desktop, window, "ctrl+e")
        dialog = window_named(desktop, "Export course")
        press(desktop, dialog, "Return")
        finished = window_named(desktop, "Lectern Studio", timeout=5)  # main window still
        deadline = time.monotonic() + 120
        exported = work / "Earth Science.lectern"
        while not exported.exists() and time.monotonic() < deadline:
            time.sleep(0.5)
        assert exported.exists()
        box = _message_box(desktop, exclude={finished})
        press(desktop, box, "Return")
        player = window_named(desktop, "Lectern Player")
        player_pid = int(xdotool(desktop, "getwindowpid", player))
        deadline = time.monotonic() + 60
        while not courses(bundle, home, work) and time.monotonic() < deadline:
            time.sleep(0.5)
        assert [c["title"] for c in courses(bundle, home, work)] == ["Earth Science"]
        executable = Path(f"/proc/{player_pid}/exe").resolve()
        assert executable == (bundle / "lectern-studio").resolve()  # the bundle's, one exe
        press(desktop, player, "ctrl+q")
        press(desktop, window, "ctrl+q")
        _, stderr = studio.communicate(timeout=60)
        assert studio.returncode == 0, stderr
    finally:
        if studio.poll() is None:
            studio.kill()
            studio.communicate()
        if player_pid is not None:
            subprocess.run(["kill", str(player_pid)], capture_output=True)


def _message_box(display: str, exclude: set[str], timeout: float = 120) -> str:
    """The Studio window that appeared besides ``exclude``: the export's message box."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = subprocess.run(
            ["xdotool", "search", "--onlyvisible", "--name", "Lectern Studio"],
            env={"DISPLAY": display, "PATH": "/usr/bin:/bin"},
            capture_output=True,
            text=True,
        ).stdout.split()
        new = [w for w in found if w not in exclude]
        if new:
            return new[-1]
        time.sleep(0.5)
    raise AssertionError("the export's message box did not appear")


def test_programs_the_bundle_starts_get_the_users_library_path(bundle, desktop, tmp_path):
    """PyInstaller points LD_LIBRARY_PATH at _internal/; a system tool must not see that.

    ``lectern-studio devices`` lists the monitors with xrandr from PATH; here xrandr is a
    shim that writes down the LD_LIBRARY_PATH it got, then runs the real one.
    """
    home = tmp_path / "home"
    home.mkdir()
    tools = tmp_path / "tools"
    tools.mkdir()
    seen = tmp_path / "seen"
    shim = tools / "xrandr"
    shim.write_text(
        f'#!/bin/sh\nprintf "%s" "${{LD_LIBRARY_PATH-unset}}" > {seen}\nexec /usr/bin/xrandr "$@"\n'
    )
    shim.chmod(0o755)
    listed = subprocess.run(
        [
            *clean_env(home, desktop),
            f"PATH={tools}",
            "LD_LIBRARY_PATH=/the/users/libs",
            str(bundle / "lectern-studio"),
            "devices",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
    )
    assert seen.exists(), listed.stderr
    # The user's entry is there, and no folder of the bundle. (OpenCV's loader puts a
    # lib64 beside the bundle folder in front at import; no such folder exists.)
    entries = seen.read_text().split(":")
    assert "/the/users/libs" in entries
    inside = [e for e in entries if Path(e).exists() and Path(e).resolve().is_relative_to(bundle)]
    assert not inside, entries
