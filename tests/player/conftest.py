"""Fixtures for the Player window tests: a real course built with the real CLI.

Qt runs on the offscreen platform; QMediaPlayer plays there (no audio device needed).
"""

from __future__ import annotations

import os

os.environ["QT_QPA_PLATFORM"] = "offscreen"  # before anything loads Qt

import subprocess
import sys
from pathlib import Path

import pytest

from tests.lrs import lrs  # noqa: F401 - a real LRS (Ralph) on loopback, for the sync tests

SAMPLE = Path(__file__).resolve().parents[2] / "resources" / "sample" / "lecture.mp4"
COURSE_ID = "earth-science"
COURSE_TITLE = "Introduction to Earth Science"


def _studio(*args: str | Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "studio.cli", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr


@pytest.fixture(scope="session")
def course_package(tmp_path_factory) -> Path:
    """A real one-lesson course: the sample lecture transcribed, chaptered and packaged."""
    folder = tmp_path_factory.mktemp("course")
    lesson, package = folder / "lesson", folder / "earth-science.lectern"
    _studio("build", SAMPLE, "-o", lesson)
    _studio("package", lesson, "-o", package, "--title", COURSE_TITLE, "--id", COURSE_ID)
    return package


@pytest.fixture
def library_root(tmp_path, course_package) -> Path:
    """A library folder with the course imported."""
    from shared.library import Library

    root = tmp_path / "library"
    with Library.open(root) as library:
        library.import_course(course_package)
    return root


@pytest.fixture
def open_window(qapp, qtbot, tmp_path):
    """``open_window(root)`` -> a shown Player window; windows and libraries close after."""
    from player.settings import Settings
    from player.ui.main_window import MainWindow
    from shared.library import Library
    from shared.ui import theme

    theme.apply(qapp)
    opened: list[tuple[MainWindow, Library]] = []

    def make(root: Path) -> MainWindow:
        library = Library.open(root)
        window = MainWindow(library, Settings.in_file(str(tmp_path / "player.ini")))
        qtbot.addWidget(window)
        window.show()
        window.activateWindow()
        qtbot.waitExposed(window)
        opened.append((window, library))
        return window

    yield make
    for window, library in opened:
        if window.isVisible():
            window.close()
        library.close()


@pytest.fixture
def window(open_window, library_root):
    return open_window(library_root)
