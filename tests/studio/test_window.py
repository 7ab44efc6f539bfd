"""The Studio window end to end: import the sample, review and edit it, export the course.

The sample is built once per module through the window's own import; the tests
then run in order on that one window (each leaves the edits as it found them,
except the last, which exports).
"""

from __future__ import annotations

import os

os.environ["QT_QPA_PLATFORM"] = "offscreen"  # before anything loads Qt

import json
import re
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from PySide6.QtCore import Qt

from shared.library import Library
from shared.package import read_member_text, verify_package
from shared.timecode import clock
from studio.course import Course
from studio.editing import low_confidence_words
from studio.settings import Settings
from studio.speech import snap_to_pause
from studio.ui import review as review_module
from studio.ui.main_window import TITLE, MainWindow

SAMPLE = Path(__file__).resolve().parents[2] / "resources" / "sample" / "lecture.mp4"
BUILD_TIMEOUT = 180_000
PREVIEW: dict[str, object] = {}  # what the window showed while the sample was being built


@pytest.fixture(scope="module")
def window(qapp, request, tmp_path_factory):
    """A shown Studio window on a new course with the sample lecture imported."""
    bot = QtBot(request)
    home = tmp_path_factory.mktemp("studio")
    settings = Settings.in_file(home / "studio.ini")
    settings.set_preference("output_folder", str(home / "courses"))
    window = MainWindow(Course.open(home / "first"), settings)
    window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, False)
    window.show()
    bot.waitExposed(window)
    assert window.windowTitle() == TITLE
    assert window.new_course("Earth Science")  # File > New course…, as a teacher would
    assert window.course.folder.parent == home / "courses"
    assert window.course.title == "Earth Science"
    window.import_videos([SAMPLE])
    assert window.busy() and window.progress_bar.isVisible()
    # The video can be watched as soon as it is prepared, while the rest is built.
    bot.waitUntil(lambda: window.review.previewing is not None, timeout=BUILD_TIMEOUT)
    review = window.review
    PREVIEW["while building"] = window.busy() and review.session is None
    PREVIEW["banner"] = review.processing_label.isVisible() and review.processing_label.text()
    PREVIEW["editable"] = any(
        w.isEnabled() for w in (review.tabs, review.in_action, review.in_button, review.cut_button)
    )
    PREVIEW["listed"] = "watch it now" in window.lesson_list.currentItem().text()
    review.video.seek(20.0)
    bot.waitUntil(lambda: review.playhead() >= 19.0, timeout=10_000)
    bot.waitUntil(lambda: not window.busy(), timeout=BUILD_TIMEOUT)
    PREVIEW["resumed at"] = review.playhead()
    assert window.last_error is None
    yield window
    if window.isVisible():
        window.close()


def test_the_video_can_be_watched_before_the_lesson_is_built(window):
    assert PREVIEW["while building"] and PREVIEW["listed"]
    assert "Still processing" in PREVIEW["banner"]
    assert not PREVIEW["editable"]  # edits wait for the transcript and chapters
    assert not window.review.processing_label.isVisible() and window.review.tabs.isEnabled()
    assert PREVIEW["resumed at"] >= 19.0  # the built lesson opened where the teacher was


def _rename_chapter(window, row: int, text: str, qtbot) -> None:
    window.review.chapters.item(row, 1).setText(text)
    qtbot.waitUntil(lambda: window.review.session.state.chapters[row].title == text)


def test_import_lists_the_lesson_and_opens_it_for_review(window):
    assert window.lesson_list.count() == 1
    assert "Ready" in window.lesson_list.item(0).text()
    review = window.review
    assert clock(review.session.lesson.duration) in window.lesson_list.item(0).text()
    assert review.isEnabled() and review.session is not None
    assert review.transcript.rowCount() == len(review.session.state.transcript.segments) > 5
    assert review.chapters.rowCount() == len(review.session.state.chapters) > 1
    assert len(review.seek_bar.chapter_marks()) == review.chapters.rowCount()
    course = json.loads((window.course.folder / "course.json").read_text(encoding="utf-8"))
    assert course["lessons"] == [review.session.folder.name]


def test_low_confidence_words_are_highlighted(window):
    review = window.review
    unsure = low_confidence_words(review.session.state.transcript)
    if not unsure:
        pytest.skip("the engine was sure of every word")
    item = review.transcript.item(unsure[0].segment, 1)
    assert "background" in item.data(review_module._HTML_ROLE)
    assert unsure[0].word.text.strip() in item.toolTip()


def test_undo_and_redo_a_chapter_rename(window, qtbot):
    review = window.review
    before = review.session.state.chapters[1].title
    _rename_chapter(window, 1, "Stores of water", qtbot)
    assert "Edited" in window.lesson_list.item(0).text()
    window.undo_action.trigger()
    assert review.session.state.chapters[1].title == before
    assert review.chapters.item(1, 1).text() == before
    window.redo_action.trigger()
    assert review.chapters.item(1, 1).text() == "Stores of water"
    window.undo_action.trigger()
    assert not review.session.edited


def test_cancel_an_import_leaves_nothing_behind(window, qtbot):
    folders = sorted(p.name for p in window.course.folder.iterdir())
    window.import_videos([SAMPLE])
    assert window.cancel_button.isVisible()
    assert "Processing" in window.lesson_list.item(1).text()
    qtbot.mouseClick(window.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not window.busy(), timeout=BUILD_TIMEOUT)
    assert window.last_error is None
    assert window.lesson_list.count() == 1
    assert sorted(p.name for p in window.course.folder.iterdir()) == folders


def test_find_and_replace(window):
    review = window.review
    review.find_box.setText("water cycle")
    review.replace_box.setText("hydrological cycle")
    assert review.replace_all() >= 1
    assert "hydrological cycle" in review.session.state.transcript.text
    window.undo_action.trigger()
    assert "hydrological" not in review.session.state.transcript.text


def test_edit_and_export_the_course(window, qtbot, tmp_path):
    review = window.review
    window.title_box.setText("Earth Science")
    window.title_box.textEdited.emit("Earth Science")
    window.author_box.setText("A. Teacher")
    window.author_box.textEdited.emit("A. Teacher")

    chapter_start = review.session.state.chapters[1].start
    _rename_chapter(window, 1, "Where water is kept", qtbot)

    # The first line the trim keeps that says "sky" (where Whisper splits lines varies).
    row = next(
        i
        for i, s in enumerate(review.session.state.transcript.segments)
        if s.start > 6 and re.search(r"\bsky\b", s.text)
    )
    segment = review.session.state.transcript.segments[row]
    corrected = segment.text.replace("sky", "clouds")
    review.transcript.item(row, 1).setText(corrected)
    qtbot.waitUntil(lambda: review.session.state.transcript.segments[row].text == corrected)

    review.video.seek(5.0)
    qtbot.waitUntil(lambda: abs(review.playhead() - 5.0) < 0.05, timeout=10_000)
    qtbot.mouseClick(review.in_button, Qt.MouseButton.LeftButton)
    # The in point goes into the nearest pause between words (studio.speech).
    snapped = snap_to_pause(review.session.state.transcript, 5.0)
    assert review.session.state.in_point == pytest.approx(snapped, abs=0.05)
    assert review.trim_label.text().startswith("In 0:05")
    in_point = review.session.state.in_point

    output = tmp_path / "earth.lectern"
    window.export_to(output)
    assert window.busy()
    qtbot.waitUntil(lambda: not window.busy(), timeout=BUILD_TIMEOUT)
    assert window.last_error is None
    assert window.last_export is not None

    manifest = verify_package(output)
    assert manifest.course.title == "Earth Science"
    assert manifest.course.author == "A. Teacher"
    assert manifest.course.id == window.course.id
    lesson = manifest.lessons[0]
    chapters = json.loads(read_member_text(output, lesson.chapters))["chapters"]
    renamed = next(c for c in chapters if c["title"] == "Where water is kept")
    assert renamed["start"] == pytest.approx(chapter_start - in_point, abs=0.01)
    assert chapters[0]["start"] == 0
    segments = json.loads(read_member_text(output, lesson.transcript))["segments"]
    fixed = next(s for s in segments if s["text"] == corrected)
    assert fixed["start"] == pytest.approx(segment.start - in_point, abs=0.01)
    assert not any(s["text"] == segment.text for s in segments)

    # What a learner gets: the corrected word is found, at the trimmed time.
    library = Library.open(tmp_path / "library")
    try:
        library.import_course(output)
        hits = [h for h in library.search("clouds") if h.kind == "segment"]
        hit = next(h for h in hits if h.time == pytest.approx(segment.start - in_point, abs=0.01))
        assert "\x02clouds\x03" in hit.snippet
    finally:
        library.close()


def test_quit_saves_the_course_details(window):
    window.description_box.setPlainText("Where water goes.")
    window.quit_action.trigger()
    assert not window.isVisible()
    reopened = Course.open(window.course.folder)
    assert reopened.title == "Earth Science"
    assert reopened.description == "Where water goes."
    assert reopened.id == window.course.id
