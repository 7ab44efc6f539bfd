"""A recording's lesson is named after its first slide unless the teacher typed a title.

A real slide (title and bullets) is on the Xvfb screen, drawn by ffplay; the Studio
records it through its picker and bar, the title question is answered at Stop, and
the lesson is built for real: ffmpeg, slide detection and OCR.
"""

from __future__ import annotations

import os

os.environ["QT_QPA_PLATFORM"] = "offscreen"  # before anything loads Qt

import re
import shutil
import subprocess
import time

import pytest

from PySide6.QtCore import Qt

from shared.workspace import LessonWorkspace, load_lesson
from studio.course import Course, recording_title, recording_title_typed
from studio.settings import Settings
from studio.ui.main_window import MainWindow
from tests.shared.slide_videos import save_slide_picture
from tests.studio.conftest import stop_process

SLIDE_TITLE = "Photosynthesis in Leaves"
BUILD_TIMEOUT = 180_000


def letters(text: str) -> str:
    """OCR may drop the space between small words: compare letters only."""
    return re.sub(r"\W+", "", text.casefold())


@pytest.fixture
def slide_on_screen(capture_env, tmp_path):
    """A slide titled SLIDE_TITLE filling the 1280x720 screen (ffplay showing a PNG)."""
    if shutil.which("ffplay") is None:
        pytest.skip("ffplay is not installed (it shows the slide on the screen)")
    picture = tmp_path / "slide.png"
    save_slide_picture(picture, SLIDE_TITLE, ["Light is caught by chlorophyll", "Sugar is made"])
    process = subprocess.Popen(
        ["ffplay", "-loglevel", "error", "-an", "-noborder", "-left", "0", "-top", "0"]
        + ["-window_title", "slide", "-loop", "0", str(picture)],
        env={**capture_env, "SDL_AUDIODRIVER": "dummy"},
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    if shutil.which("xdotool") is not None:
        # On the screen before anything records it: a busy machine maps the window late.
        subprocess.run(
            ["xdotool", "search", "--sync", "--onlyvisible", "--name", "^slide$"],
            env=capture_env,
            stdout=subprocess.DEVNULL,
            timeout=60,
            check=True,
        )
        time.sleep(0.5)  # and painted
    yield
    stop_process(process)


@pytest.fixture
def window(qapp, qtbot, tmp_path, capture_env):
    settings = Settings.in_file(tmp_path / "studio.ini")
    for name, value in (("screen", "0"), ("camera", "none"), ("mic", "none")):
        settings.set_preference(name, value)
    settings.set_preference("countdown", False)
    window = MainWindow(Course.open(tmp_path / "Biology"), settings)
    window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, False)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    yield window
    if window.isVisible():
        window.close()


def _record_and_stop(window, qtbot):
    """Record the screen for about two seconds; the title question once Stop is clicked."""
    window.record_lesson()
    picker = window.picker
    assert picker is not None and picker.isVisible()
    qtbot.mouseClick(picker.record_button, Qt.MouseButton.LeftButton)
    session = window.recording
    assert session is not None
    qtbot.waitUntil(lambda: session.bar is not None and session.bar.last_stats, timeout=60_000)
    qtbot.waitUntil(lambda: session.recorder.elapsed() > 2.0, timeout=60_000)
    qtbot.mouseClick(session.bar.stop_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.title_dialog is not None, timeout=60_000)
    return session, window.title_dialog


def _built_lesson(window, qtbot):
    qtbot.waitUntil(lambda: window.recording is None and window.isVisible(), timeout=120_000)
    qtbot.waitUntil(lambda: bool(window.course.lesson_folders()), timeout=BUILD_TIMEOUT)
    qtbot.waitUntil(lambda: not window.busy(), timeout=BUILD_TIMEOUT)
    assert window.last_error is None
    [folder] = window.course.lesson_folders()
    return load_lesson(folder)


def test_a_kept_suggestion_gives_way_to_the_first_slides_title(window, qtbot, slide_on_screen):
    session, dialog = _record_and_stop(window, qtbot)
    assert dialog.title_box.text() == "Lesson 1"  # nothing better is known at Stop
    qtbot.mouseClick(dialog.keep_button, Qt.MouseButton.LeftButton)
    assert recording_title(session.folder) == "Lesson 1"
    assert not recording_title_typed(session.folder)
    lesson = _built_lesson(window, qtbot)
    assert letters(lesson.title) == letters(SLIDE_TITLE), lesson.title
    assert window.lesson_list.item(0).text().startswith(lesson.title)


def test_a_title_the_teacher_typed_is_never_replaced_by_the_slides(window, qtbot, slide_on_screen):
    session, dialog = _record_and_stop(window, qtbot)
    dialog.title_box.selectAll()
    qtbot.keyClicks(dialog.title_box, "Week 3: how plants eat")
    qtbot.keyClick(dialog.title_box, Qt.Key.Key_Return)
    assert recording_title_typed(session.folder)
    lesson = _built_lesson(window, qtbot)
    assert lesson.title == "Week 3: how plants eat"
    # The slide was read all the same: it names the first chapter.
    [folder] = window.course.lesson_folders()
    chapters = LessonWorkspace(folder).chapters()
    assert letters(chapters[0].title) == letters(SLIDE_TITLE)
