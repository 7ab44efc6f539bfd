"""The Studio window around its lessons: recovering a recording, switching courses, Player.

A camera-only recording from the sample video (no screen or microphone needed) stands
in for a lesson whose recorder died before it finished: the recording is real, only
its finalizing step never ran.
"""

from __future__ import annotations

import os

os.environ["QT_QPA_PLATFORM"] = "offscreen"  # before anything loads Qt

import json
import signal
import sqlite3
import time
from pathlib import Path

import pytest

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from shared.workspace import load_lesson
from studio.capture import Recorder, RecordingSettings
from studio.course import RECORDINGS_DIR as RECORDINGS
from studio.course import Course, unbuilt_recordings
from studio.settings import Settings
from studio.ui.main_window import MainWindow

SAMPLE = Path(__file__).resolve().parents[2] / "resources" / "sample" / "lecture.mp4"
BUILD_TIMEOUT = 180_000


def _unfinished_recording(folder: Path, seconds: float = 3.0) -> None:
    recorder = Recorder(folder, RecordingSettings(screen="none", camera=str(SAMPLE), mic="none"))
    recorder.start()
    time.sleep(seconds)
    recorder.stop(finish=False)


def _click(box: QMessageBox, role: QMessageBox.ButtonRole, qtbot) -> None:
    button = next(b for b in box.buttons() if box.buttonRole(b) == role)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


@pytest.fixture
def window(qapp, qtbot, tmp_path):
    course = Course.open(tmp_path / "Physics")
    window = MainWindow(course, Settings.in_file(tmp_path / "studio.ini"))
    window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, False)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    yield window
    if window.isVisible():
        window.close()


def test_an_unfinished_recording_is_offered_for_recovery_and_becomes_a_lesson(window, qtbot):
    recording = window.course.folder / RECORDINGS / "recording-1"
    _unfinished_recording(recording)
    assert unbuilt_recordings(window.course) == [(recording, True)]
    window.refresh_lessons()
    assert "Interrupted recording" in window.lesson_list.item(0).text()

    window.offer_recovery()
    box = window.message_box
    assert box is not None and box.isVisible() and "recording-1" in box.text()
    _click(box, QMessageBox.ButtonRole.AcceptRole, qtbot)
    assert window.busy()
    qtbot.waitUntil(lambda: not window.busy(), timeout=BUILD_TIMEOUT)
    assert window.last_error is None
    assert unbuilt_recordings(window.course) == []
    [folder] = window.course.lesson_folders()
    lesson = load_lesson(folder)
    # A camera's picture has no slides to name it by (the sample has: it is not read).
    assert lesson.title == "Lesson 1"
    assert lesson.duration == pytest.approx(3.0, abs=1.0)
    assert Path(lesson.source).parent == recording.resolve()
    data = json.loads((recording / "recording.json").read_text(encoding="utf-8"))
    assert data["state"] == "finished"
    assert window.lesson_list.count() == 1 and "Lesson 1" in window.lesson_list.item(0).text()


def test_later_keeps_the_recording_listed_to_process_by_double_click(window, qtbot):
    recording = window.course.folder / RECORDINGS / "recording-2"
    _unfinished_recording(recording, 2.0)
    window.offer_recovery()
    _click(window.message_box, QMessageBox.ButtonRole.RejectRole, qtbot)
    assert not window.busy()
    window.refresh_lessons()
    item = window.lesson_list.item(0)
    assert "double-click" in item.text()
    window.lesson_list.itemActivated.emit(item)
    qtbot.waitUntil(lambda: not window.busy(), timeout=BUILD_TIMEOUT)
    assert window.last_error is None
    assert len(window.course.lesson_folders()) == 1


def test_nothing_to_recover_asks_nothing(window):
    window.offer_recovery()
    assert window.message_box is None


def test_open_another_course_folder(window, tmp_path):
    other = Course.open(tmp_path / "Chemistry")
    other.author = "B. Chemist"
    other.save()
    assert window.open_course_folder(other.folder)
    assert window.course.folder == other.folder
    assert window.author_box.text() == "B. Chemist"
    assert window.course_box.currentText().startswith("Chemistry")
    new = tmp_path / "Biology"
    assert window.open_course_folder(new)
    assert (new / "course.json").is_file()
    assert window.lesson_list.count() == 0


def test_a_course_folder_that_cannot_be_read_is_one_sentence(window, tmp_path):
    broken = tmp_path / "Broken"
    broken.mkdir()
    (broken / "course.json").write_text("{not json", encoding="utf-8")
    before = window.course.folder
    assert not window.open_course_folder(broken)
    assert "course.json" in window.last_error and "cannot be read" in window.last_error
    assert window.course.folder == before


def test_exported_course_opens_in_the_player(window, qtbot, tmp_path, monkeypatch):
    window.import_videos([SAMPLE])
    qtbot.waitUntil(lambda: not window.busy(), timeout=BUILD_TIMEOUT)
    output = tmp_path / "physics.lectern"
    window.export_to(output)
    qtbot.waitUntil(lambda: not window.busy(), timeout=BUILD_TIMEOUT)
    assert window.last_error is None
    box = window.message_box
    assert box.isVisible() and "Open it in Lectern Player" in box.text()

    # The Player runs as its own process, offscreen, with its library in tmp_path.
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    _click(box, QMessageBox.ButtonRole.AcceptRole, qtbot)
    assert window.player_pid > 0
    database = tmp_path / "data" / "Lectern" / "library.db"
    try:

        def imported() -> bool:
            if not database.exists():
                return False
            with sqlite3.connect(database) as db:
                try:
                    return db.execute("select title from courses").fetchall() == [("Physics",)]
                except sqlite3.OperationalError:
                    return False

        qtbot.waitUntil(imported, timeout=60_000)
    finally:
        os.kill(window.player_pid, signal.SIGTERM)


def test_renaming_the_lesson_in_the_window_is_saved(window, qtbot):
    recording = window.course.folder / RECORDINGS / "recording-3"
    _unfinished_recording(recording, 2.0)
    window.import_videos([recording])
    qtbot.waitUntil(lambda: not window.busy(), timeout=BUILD_TIMEOUT)
    window.lesson_list.setCurrentRow(0)
    box = window.lesson_title_box
    assert box.isEnabled() and box.text() == "Lesson 1"
    box.selectAll()
    qtbot.keyClicks(box, "Forces and motion")
    qtbot.keyClick(box, Qt.Key.Key_Return)
    [folder] = window.course.lesson_folders()
    assert load_lesson(folder).title == "Forces and motion"
    assert window.lesson_list.item(0).text().startswith("Forces and motion\n")
    box.clear()
    qtbot.keyClick(box, Qt.Key.Key_Return)
    assert "needs a title" in window.last_error
    assert box.text() == "Forces and motion" == load_lesson(folder).title

    # Ctrl+Z takes the rename back, Ctrl+Shift+Z makes it again.
    window.message_box.close()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.keyClick(window.lesson_list, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert load_lesson(folder).title == "Lesson 1" == box.text()
    assert window.lesson_list.item(0).text().startswith("Lesson 1\n")
    window.redo_action.trigger()
    assert load_lesson(folder).title == "Forces and motion" == box.text()

    # A title typed but not confirmed with Enter is kept when the window closes.
    box.selectAll()
    qtbot.keyClicks(box, "Energy")
    window.close()
    assert load_lesson(folder).title == "Energy"


def test_lessons_show_pictures_reorder_by_drag_and_remove_with_undo(window, qtbot):
    for name in ("recording-a", "recording-b"):
        _unfinished_recording(window.course.folder / RECORDINGS / name, 2.0)
    window.import_videos(
        [window.course.folder / RECORDINGS / n for n in ("recording-a", "recording-b")]
    )
    texts = [window.lesson_list.item(row).text() for row in range(window.lesson_list.count())]
    assert texts == ["recording-a\nProcessing…", "recording-b\nWaiting to be processed…"]
    qtbot.waitUntil(lambda: not window.busy() and not window._queue, timeout=BUILD_TIMEOUT)
    first, second = window.course.lesson_folders()
    assert [load_lesson(f).title for f in (first, second)] == ["Lesson 1", "Lesson 2"]
    items = [window.lesson_list.item(row) for row in range(window.lesson_list.count())]
    assert all(not item.icon().isNull() for item in items)
    assert all("Ready" in item.text() for item in items)

    # Drag the second lesson above the first (the model move a drop makes).
    model = window.lesson_list.model()
    assert model.moveRows(model.index(0, 0).parent(), 1, 1, model.index(0, 0).parent(), 0)
    qtbot.waitUntil(lambda: window.course.lesson_folders() == [second, first])
    assert Course.open(window.course.folder).lessons == [second.name, first.name]

    window.select_lesson(second)
    qtbot.mouseClick(window.remove_button, Qt.MouseButton.LeftButton)
    assert window.course.lesson_folders() == [first]
    assert not second.exists() and window.undo_remove_button.isVisible()
    qtbot.mouseClick(window.undo_remove_button, Qt.MouseButton.LeftButton)
    assert window.course.lesson_folders() == [second, first]
    assert window.current_folder() == second

    # Ctrl+Z goes back through every change, newest first: the remove (redone), an
    # edit in one lesson, then the drag; Ctrl+Shift+Z does them again.
    window.redo_action.trigger()
    assert window.course.lesson_folders() == [first] and not second.exists()
    window.select_lesson(first)
    assert window.review.add_chapter(1.0)
    assert "Edited" in window.lesson_list.currentItem().text()
    assert window.undo_action.text() == "&Undo Add a chapter"
    undo = (Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(window.lesson_list, *undo)
    assert not window.review.session.edited
    qtbot.keyClick(window.lesson_list, *undo)
    assert window.course.lesson_folders() == [second, first]
    qtbot.keyClick(window.lesson_list, *undo)
    assert window.course.lesson_folders() == [first, second]  # the drag, undone
    assert not window.undo_action.isEnabled()
    window.redo_action.trigger()
    assert window.course.lesson_folders() == [second, first]


def test_new_course_goes_in_the_output_folder_and_is_listed(window, tmp_path):
    window.settings.set_preference("output_folder", str(tmp_path / "courses"))
    assert window.new_course("Astronomy 101")
    assert window.course.folder.parent == tmp_path / "courses"
    assert window.course.title == "Astronomy 101"
    assert window.windowTitle() == "Lectern Studio"
    assert window.new_course("Geology")
    titles = [window.course_box.itemText(i) for i in range(window.course_box.count())]
    assert any(t.startswith("Astronomy 101") for t in titles)
    assert window.course_box.currentText().startswith("Geology")
    index = next(i for i, t in enumerate(titles) if t.startswith("Astronomy"))
    window.course_box.activated.emit(index)
    assert window.course.title == "Astronomy 101"
    assert window.settings.preference("last_course") == str(window.course.folder)


def test_a_lesson_recorded_through_the_window_has_the_words_that_were_said(
    window, qtbot, capture_env, play, speech_wav
):
    """Screen (Xvfb) and microphone (PulseAudio null sink) through the picker and the bar."""
    speech, text = speech_wav
    window.record_lesson()
    picker = window.picker
    assert picker is not None and picker.isVisible() and "0" in picker.screen_specs()
    picker.countdown_box.setChecked(False)
    picker.accept()
    session = window.recording
    assert session is not None
    qtbot.waitUntil(
        lambda: session.state == "recording" and session.bar is not None, timeout=60_000
    )
    assert not window.isVisible() and session.bar.isVisible()
    player = play(speech)
    qtbot.waitUntil(lambda: player.poll() is not None, timeout=60_000)
    qtbot.wait(1000)
    assert session.bar.last_stats.mic is not None
    qtbot.mouseClick(session.bar.stop_button, Qt.MouseButton.LeftButton)
    # Stop asks what the lesson is called; the recording is built once it is named.
    qtbot.waitUntil(lambda: window.title_dialog is not None, timeout=60_000)
    dialog = window.title_dialog
    dialog.title_box.selectAll()
    qtbot.keyClicks(dialog.title_box, "Photosynthesis")
    qtbot.keyClick(dialog.title_box, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.recording is None and window.isVisible(), timeout=120_000)
    qtbot.waitUntil(lambda: window.busy(), timeout=60_000)
    qtbot.waitUntil(lambda: not window.busy(), timeout=BUILD_TIMEOUT)
    assert window.last_error is None
    [folder] = window.course.lesson_folders()
    lesson = load_lesson(folder)
    assert lesson.title == "Photosynthesis"
    assert Path(lesson.source).parent.parent == window.course.folder / RECORDINGS
    said = (folder / lesson.transcript).read_text(encoding="utf-8").lower()
    # Most of the key words, not all: a loaded machine can blur a word or two.
    key_words = ("plants", "sunlight", "energy", "process", "photosynthesis", "leaves")
    heard = [w for w in key_words if w in said]
    assert len(heard) >= 3, said
    assert window.settings.preference("countdown") is False
    assert window.settings.preference("screen") == "0"


def test_a_recording_still_being_made_is_not_offered_for_recovery(window):
    folder = window.course.folder / RECORDINGS / "recording-live"
    recorder = Recorder(folder, RecordingSettings(screen="none", camera=str(SAMPLE), mic="none"))
    recorder.start()
    try:
        time.sleep(1.0)
        assert unbuilt_recordings(window.course) == []  # its recorder (this process) runs
    finally:
        recorder.stop(finish=False)
    assert unbuilt_recordings(window.course) == [(folder, True)]
