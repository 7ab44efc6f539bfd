"""The Studio window imports several videos at once through the batch runner.

Two short generated lectures (the fixture of ``test_batch``) are imported through the
window with "Process imports in parallel" on: a real ``LocalCluster`` of worker
processes builds them, and both lessons join the course's lesson list.
"""

from __future__ import annotations

import os
import shutil

os.environ["QT_QPA_PLATFORM"] = "offscreen"  # before anything loads Qt

import pytest

from PySide6.QtCore import Qt

from shared.workspace import LESSON_FILE, load_lesson
from studio.course import Course
from studio.settings import Settings
from studio.ui.main_window import MainWindow
from tests.studio.test_batch import lectures  # noqa: F401  (the fixture)

pytestmark = pytest.mark.slow
BUILD_TIMEOUT = 300_000


def _window(qtbot, tmp_path) -> MainWindow:
    settings = Settings.in_file(tmp_path / "studio.ini")
    settings.set_preference("parallel_imports", True)
    window = MainWindow(Course.open(tmp_path / "course"), settings)
    window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, False)
    qtbot.addWidget(window)
    window.show()
    return window


def _hidden(window: MainWindow) -> list[str]:
    return [p.name for p in window.course.folder.iterdir() if p.name.startswith(".")]


def test_several_videos_are_built_in_parallel_into_the_course(qtbot, tmp_path, lectures):  # noqa: F811
    window = _window(qtbot, tmp_path)
    window.import_videos(lectures[:2])
    assert window.busy() and window.progress_bar.isVisible() and window.cancel_button.isVisible()
    rows = [window.lesson_list.item(i).text() for i in range(window.lesson_list.count())]
    assert rows == ["lecture-1.mp4\nProcessing…", "lecture-2.mp4\nProcessing…"]
    statuses: list[str] = []
    window.job.status.connect(statuses.append)
    qtbot.waitUntil(lambda: not window.busy(), timeout=BUILD_TIMEOUT)

    assert window.last_error is None
    assert any("2/2 done, 0 failed" in text for text in statuses)
    folders = window.course.lesson_folders()
    assert [f.name for f in folders] == ["lecture-1", "lecture-2"]
    assert window.course.lessons == ["lecture-1", "lecture-2"]
    for folder in folders:
        assert (folder / LESSON_FILE).is_file()
        assert load_lesson(folder).duration > 3
    assert window.lesson_list.count() == 2
    assert "Processing" not in window.lesson_list.item(0).text()
    assert _hidden(window) == []  # the batch's staging folder is gone
    window.close()


def test_cancel_stops_the_batch_and_keeps_the_finished_lessons(qtbot, tmp_path, lectures):  # noqa: F811
    window = _window(qtbot, tmp_path)
    window.import_videos(lectures)
    batch = list(window._batch)
    qtbot.waitUntil(
        lambda: any((lesson.folder / LESSON_FILE).is_file() for lesson in batch),
        timeout=BUILD_TIMEOUT,
    )
    finished = sum((lesson.folder / LESSON_FILE).is_file() for lesson in batch)
    qtbot.mouseClick(window.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not window.busy(), timeout=BUILD_TIMEOUT)

    assert window.last_error is None
    kept = window.course.lesson_folders()
    assert finished <= len(kept) <= len(lectures)
    assert window.course.lessons == [f.name for f in kept]
    for folder in kept:
        assert load_lesson(folder).duration > 3
    assert window.lesson_list.count() == len(kept)
    assert _hidden(window) == []  # nothing half-written left behind
    window.close()


def test_closing_mid_batch_keeps_finished_lessons_and_a_killed_batch_joins_later(
    qtbot,
    tmp_path,
    lectures,  # noqa: F811
):
    window = _window(qtbot, tmp_path)
    window.import_videos(lectures)
    batch = list(window._batch)
    qtbot.waitUntil(
        lambda: any((lesson.folder / LESSON_FILE).is_file() for lesson in batch),
        timeout=BUILD_TIMEOUT,
    )
    window.close()  # cancels the batch; what it finished joins the course

    course = Course.open(tmp_path / "course")
    kept = course.lesson_folders()
    assert 1 <= len(kept) <= len(lectures)
    assert course.lessons == [f.name for f in kept]
    assert not [p for p in course.folder.iterdir() if p.name.startswith(".batch-")]

    # A Studio killed mid-batch leaves its staging folder: one lesson finished, one not.
    staging = course.folder / ".batch-0123456789ab"
    shutil.copytree(kept[0], staging / "finished-lecture")
    (staging / "half-built").mkdir()
    (staging / "half-built" / "transcript.json").write_text("{", encoding="utf-8")
    reopened = _window(qtbot, tmp_path)
    names = [f.name for f in reopened.course.lesson_folders()]
    assert names == [f.name for f in kept] + ["finished-lecture"]
    assert reopened.lesson_list.count() == len(kept) + 1
    assert _hidden(reopened) == []
    reopened.close()
