"""A desktop as people have it: Xvfb at a laptop's size with the openbox window manager.

The apps run in their own process on that display (platform xcb, see ``drive.py``),
so key presses go through the X server (XTEST, ``xdotool key``) and Qt resolves the
shortcuts as it does for a person's keyboard.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # this process's own widgets

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.studio.conftest import stop_process
from tests.xserver import XvfbError, start_openbox

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "resources" / "sample" / "lecture.mp4"
COURSE_ID = "earth-science"


def _start_xvfb(size: str) -> tuple[subprocess.Popen, str]:
    """Xvfb on a display number it picks itself (``-displayfd``): no race with other suites."""
    read, write = os.pipe()
    process = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write), "-screen", "0", f"{size}x24", "-nolisten", "tcp"],
        pass_fds=(write,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write)
    with os.fdopen(read) as pipe:
        number = pipe.readline().strip()
    if not number:
        stop_process(process)
        pytest.fail("Xvfb did not start")
    return process, f":{number}"


class Desktop:
    """One Xvfb screen with openbox on it."""

    def __init__(self, size: str) -> None:
        for tool in ("Xvfb", "openbox", "xdotool", "xprop"):
            if shutil.which(tool) is None:
                pytest.skip(f"{tool} is not installed (make setup installs it)")
        self.size = size
        self.xvfb, self.display = _start_xvfb(size)
        self.env = {**os.environ, "DISPLAY": self.display, "QT_QPA_PLATFORM": "xcb"}
        self.env.pop("WAYLAND_DISPLAY", None)
        try:
            self.wm = start_openbox(self.display)
        except XvfbError as error:
            stop_process(self.xvfb)
            pytest.fail(str(error))

    def drive(self, app: str, scenario: str, data: Path, out_dir: Path, timeout: int = 300) -> dict:
        """Run ``scenario`` of ``app`` (player or studio) on this desktop; its results."""
        out = out_dir / f"{app}-{scenario}-{self.size}.json"
        result = subprocess.run(
            [sys.executable, "-m", "tests.desktop.drive", app, scenario, str(data), str(out)],
            env={**self.env, "LECTERN_TEST_HOME": str(out_dir)},
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
        return json.loads(out.read_text())

    def close(self) -> None:
        stop_process(self.wm)
        stop_process(self.xvfb)


@pytest.fixture(scope="module")
def desktop_720():
    desktop = Desktop("1280x720")
    yield desktop
    desktop.close()


@pytest.fixture(scope="module")
def desktop_768():
    desktop = Desktop("1366x768")
    yield desktop
    desktop.close()


def _studio(*args: str | Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "studio.cli", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr


@pytest.fixture(scope="session")
def built_lesson(tmp_path_factory) -> Path:
    """The sample lecture built into a lesson folder once (transcript, chapters)."""
    folder = tmp_path_factory.mktemp("built") / "water-cycle"
    _studio("build", SAMPLE, "-o", folder)
    return folder


@pytest.fixture(scope="session")
def library_root(tmp_path_factory, built_lesson) -> Path:
    """A Player library holding the sample as a one-lesson course."""
    folder = tmp_path_factory.mktemp("package")
    package = folder / "earth-science.lectern"
    _studio("package", built_lesson, "-o", package, "--title", "Earth Science", "--id", COURSE_ID)
    from shared.library import Library

    root = folder / "library"
    with Library.open(root) as library:
        library.import_course(package)
    return root


@pytest.fixture
def course_folder(tmp_path, built_lesson) -> Path:
    """A Studio course folder with the built sample as its one lesson."""
    from studio.course import Course

    course = Course.open(tmp_path / "Earth Science")
    lesson = course.folder / "water-cycle"
    shutil.copytree(built_lesson, lesson)
    course.add_lesson(lesson)
    course.save()
    return course.folder
