"""The review panel on a real lesson: first picture, cuts, chapter moves, chapter pictures.

The sample lecture is built once per module through the real pipeline; each test
edits its own copy of the lesson folder in a freshly shown panel.
"""

from __future__ import annotations

import os

os.environ["QT_QPA_PLATFORM"] = "offscreen"  # before anything loads Qt

import shutil
from pathlib import Path

import pytest

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QCheckBox, QHeaderView, QLineEdit, QPushButton, QTableWidget

from shared.timecode import clock
from studio.editing import EditSession, low_confidence_words
from studio.pipeline import BuildOptions, build_lesson
from studio.ui import review as review_module
from studio.ui.review import ADDED, DETECTED, PICTURE_ROLE, ReviewPanel

SAMPLE = Path(__file__).resolve().parents[2] / "resources" / "sample" / "lecture.mp4"
WAIT = 20_000  # ms; generous, the machines are shared


@pytest.fixture(scope="module")
def built_lesson(tmp_path_factory) -> Path:
    """The sample lecture built into a lesson workspace by the real pipeline."""
    folder = tmp_path_factory.mktemp("review") / "water-cycle"
    build_lesson(SAMPLE, folder, BuildOptions())
    return folder


@pytest.fixture
def panel(qapp, qtbot, built_lesson, tmp_path):
    """A shown review panel on a fresh copy of the built lesson, its video loaded."""
    folder = tmp_path / "lesson"
    shutil.copytree(built_lesson, folder)
    panel = ReviewPanel()
    qtbot.addWidget(panel)
    panel.resize(1100, 820)
    panel.show()
    qtbot.waitExposed(panel)
    panel.open_lesson(folder)
    qtbot.waitUntil(panel.video.is_loaded, timeout=WAIT)
    yield panel
    panel.close_lesson()


def _seek(qtbot, panel: ReviewPanel, seconds: float) -> None:
    panel.video.seek(seconds)
    qtbot.waitUntil(lambda: abs(panel.playhead() - seconds) < 0.05, timeout=WAIT)


def test_opening_a_lesson_shows_its_first_picture_without_playing(qtbot, panel):
    qtbot.waitUntil(lambda: not panel.video.frame().isNull(), timeout=WAIT)
    assert not panel.video.is_playing()
    assert panel.playhead() == 0
    image = panel.video.frame()
    # The sample's first slide is light; a black (not yet rendered) frame would be dark.
    samples = [
        QColor(image.pixel(x * image.width() // 8, y * image.height() // 8)).lightness()
        for x in range(1, 8)
        for y in range(1, 8)
    ]
    assert max(samples) > 128


def test_the_next_lesson_opened_shows_its_picture_too(qtbot, panel, built_lesson, tmp_path):
    qtbot.waitUntil(lambda: not panel.video.frame().isNull(), timeout=WAIT)
    other = tmp_path / "other"
    shutil.copytree(built_lesson, other)  # another file: the player changes its source
    panel.open_lesson(other)
    qtbot.waitUntil(panel.video.is_loaded, timeout=WAIT)
    qtbot.waitUntil(lambda: not panel.video.frame().isNull(), timeout=WAIT)
    assert not panel.video.is_playing()


def test_cut_selection_shows_on_the_seek_bar_and_undo_removes_it(qtbot, panel):
    bar = panel.seek_bar
    qtbot.waitUntil(lambda: bar.maximum() > 0, timeout=WAIT)
    assert not panel.cut_button.isEnabled()
    # Shift+drag on the seek bar selects 30 s .. 40 s.
    y = bar.height() // 2
    shift = Qt.KeyboardModifier.ShiftModifier
    qtbot.mousePress(bar, Qt.MouseButton.LeftButton, shift, QPoint(bar.x_for(30), y))
    qtbot.mouseMove(bar, QPoint(bar.x_for(35), y))
    qtbot.mouseRelease(bar, Qt.MouseButton.LeftButton, shift, QPoint(bar.x_for(40), y))
    start, end = bar.selection()
    assert start == pytest.approx(30, abs=0.5) and end == pytest.approx(40, abs=0.5)
    assert panel.cut_button.isEnabled()
    qtbot.mouseClick(panel.cut_button, Qt.MouseButton.LeftButton)

    assert panel.session.state.cuts == ((start, end),)
    assert bar.ranges() == [(start, end)]
    assert bar.selection() is None
    assert panel.cuts.rowCount() == 1 and panel.cuts.item(0, 0).text() == "Cut"
    assert "1 cut" in panel.trim_label.text()
    assert "left out" in bar.hover_text(bar.x_for(35))
    # Saved at once, like every edit.
    assert EditSession.open(panel.session.folder).state.cuts == ((start, end),)

    panel.undo()
    assert panel.session.state.cuts == ()
    assert bar.ranges() == [] and panel.cuts.rowCount() == 0
    panel.redo()
    assert bar.ranges() == [(start, end)]


def test_marks_and_keys_cut_and_trim_and_a_cut_can_be_put_back(qtbot, panel):
    from studio.speech import snap_to_pause

    def snapped(at: float) -> float:  # keys put cut points in the nearest pause
        return snap_to_pause(panel.session.state.transcript, at)

    panel.setFocus()
    _seek(qtbot, panel, 50.0)
    qtbot.keyClick(panel, Qt.Key.Key_BracketLeft)
    assert "mark the end" in panel.selection_label.text()
    _seek(qtbot, panel, 55.0)
    qtbot.keyClick(panel, Qt.Key.Key_BracketRight)
    expected = (snapped(50.0), snapped(55.0))
    assert abs(expected[0] - 50.0) <= 0.8 and abs(expected[1] - 55.0) <= 0.8
    assert panel.seek_bar.selection() == pytest.approx(expected, abs=0.05)
    qtbot.keyClick(panel, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    (cut,) = panel.session.state.cuts
    assert cut == pytest.approx(expected, abs=0.05)

    _seek(qtbot, panel, 4.0)
    qtbot.keyClick(panel, Qt.Key.Key_I)
    _seek(qtbot, panel, 120.0)
    qtbot.keyClick(panel, Qt.Key.Key_O)
    state = panel.session.state
    assert state.in_point == pytest.approx(snapped(4.0), abs=0.05)
    assert state.out_point == pytest.approx(snapped(120.0), abs=0.05)
    # In and out trims are drawn like cuts and listed with them.
    assert len(panel.seek_bar.ranges()) == 3
    assert [panel.cuts.item(row, 0).text() for row in range(3)] == [
        "Start (before the in point)",
        "Cut",
        "End (after the out point)",
    ]
    assert "(I)" in panel.in_button.toolTip() and "(Ctrl+K)" in panel.cut_button.toolTip()

    panel.cuts.selectRow(1)
    qtbot.mouseClick(panel.restore_cut_button, Qt.MouseButton.LeftButton)
    assert panel.session.state.cuts == ()
    assert panel.session.state.in_point == pytest.approx(snapped(4.0), abs=0.05)
    assert panel.session.undo_label == "Restore a cut"
    assert panel.restore_cut(0)
    assert panel.session.state.in_point == 0


def test_dragging_a_chapter_mark_moves_the_chapter_start(qtbot, panel):
    bar = panel.seek_bar
    qtbot.waitUntil(lambda: bar.maximum() > 0, timeout=WAIT)
    old = panel.session.state.chapters[2].start
    target = old - 5.0
    y = bar.height() // 2
    qtbot.mousePress(bar, Qt.MouseButton.LeftButton, pos=QPoint(bar.x_for(old), y))
    qtbot.mouseMove(bar, QPoint(bar.x_for(old - 2), y))
    qtbot.mouseRelease(bar, Qt.MouseButton.LeftButton, pos=QPoint(bar.x_for(target), y))
    moved = panel.session.state.chapters
    pixel = bar.maximum() / 1000 / bar.width()
    assert moved[2].start == pytest.approx(target, abs=2 * pixel + 0.01)
    assert moved[1].end == moved[2].start
    assert bar.chapter_marks()[2][0] == moved[2].start
    assert panel.chapters.item(2, 0).text() == clock(moved[2].start)
    panel.undo()
    assert panel.session.state.chapters[2].start == old


def _wheel(bar, x: int, notches: int, modifiers=Qt.KeyboardModifier.ControlModifier) -> None:
    """A real wheel event over the seek bar (``notches`` > 0 rolls away from the user)."""
    from PySide6.QtCore import QPointF
    from PySide6.QtGui import QWheelEvent
    from PySide6.QtWidgets import QApplication

    where = QPointF(x, bar.height() / 2)
    event = QWheelEvent(
        where,
        QPointF(bar.mapToGlobal(where.toPoint())),
        QPoint(0, 0),
        QPoint(0, 120 * notches),
        Qt.MouseButton.NoButton,
        modifiers,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(bar, event)


def _drag(qtbot, bar, start: int, end: int, modifiers=Qt.KeyboardModifier.NoModifier) -> None:
    y = bar.height() // 2
    qtbot.mousePress(bar, Qt.MouseButton.LeftButton, pos=QPoint(start, y))
    qtbot.mouseMove(bar, QPoint((start + end) // 2, y))
    qtbot.mouseRelease(bar, Qt.MouseButton.LeftButton, modifiers, QPoint(end, y))


def test_zoomed_in_the_seek_bar_shows_the_words_and_in_points_snap_to_pauses(qtbot, panel):
    from studio.speech import snap_to_pause, words

    bar = panel.seek_bar
    qtbot.waitUntil(lambda: bar.maximum() > 0, timeout=WAIT)
    spoken = words(panel.session.state.transcript)
    # A longish word well inside the lesson: a point in its middle is inside speech.
    word = next(w for w in spoken if w.start > 20 and w.end - w.start >= 0.3)
    middle = (word.start + word.end) / 2
    assert bar.words_shown() == []  # the whole lesson: too small to read

    # Ctrl+wheel over the word zooms in around it until the words can be written.
    for _ in range(10):
        start, end = bar.view()
        if end - start <= bar.WORDS_SPAN:
            break
        _wheel(bar, bar.x_for(middle), 1)
    start, end = bar.view()
    assert end - start <= bar.WORDS_SPAN and start <= middle <= end
    assert word.text.strip() in bar.words_shown()
    assert bar.hover_text(bar.x_for(middle)).startswith(clock(middle)[:4])

    # An in point a few seconds before the word, dragged into the middle of the word,
    # lands in the pause next to it.
    assert panel.set_in_point(max(start + 0.5, word.start - 3.0), exact=True)
    in_point = panel.session.state.in_point
    assert bar.trim_points() == {"in": in_point}
    target = bar.x_for(middle)
    raw = bar.seconds_at(target)
    snapped = snap_to_pause(panel.session.state.transcript, raw)
    assert abs(snapped - raw) > 0.05  # snapping really moves this point
    _drag(qtbot, bar, bar.x_for(in_point), target)
    assert panel.session.state.in_point == pytest.approx(snapped, abs=0.002)
    assert bar.trim_points() == {"in": panel.session.state.in_point}
    assert word.text.strip() in bar.words_shown()  # an edit keeps the zoom

    # With Shift held it stays exactly where it was let go.
    panel.undo()
    assert panel.session.state.in_point == pytest.approx(in_point)
    _drag(qtbot, bar, bar.x_for(in_point), target, Qt.KeyboardModifier.ShiftModifier)
    pixel = bar.seconds_at(target + 1) - bar.seconds_at(target)
    exact = panel.session.state.in_point
    assert exact == pytest.approx(raw, abs=1.5 * pixel)  # where it was let go, to the pixel
    assert abs(exact - raw) < abs(exact - snapped)  # not snapped

    # The out point drags the same way; Ctrl+wheel the other way shows the whole again.
    assert panel.set_out_point(min(end - 0.5, word.end + 3.0), exact=True)
    out_point = panel.session.state.out_point
    _drag(qtbot, bar, bar.x_for(out_point), bar.x_for(out_point - 1.0))
    assert panel.session.state.out_point < out_point
    for _ in range(12):
        _wheel(bar, bar.x_for(middle), -1)
    assert bar.view() == (0.0, bar.maximum() / 1000)
    assert bar.words_shown() == []

    # Closing the lesson leaves no zoom, words or in and out points behind.
    bar.zoom(16.0, middle)
    assert bar.words_shown()
    panel.close_lesson()
    assert bar.view() == (0.0, 0.0) and bar.trim_points() == {} and bar.words_shown() == []


def test_move_chapter_start_to_the_playhead(qtbot, panel):
    old = panel.session.state.chapters[1].start
    _seek(qtbot, panel, old + 3.0)
    panel.tabs.setCurrentIndex(1)
    panel.chapters.selectRow(1)
    qtbot.mouseClick(panel.move_chapter_button, Qt.MouseButton.LeftButton)
    assert panel.session.state.chapters[1].start == pytest.approx(old + 3.0, abs=0.05)
    assert panel.session.undo_label == "Move a chapter start"


def test_chapter_list_has_pictures_and_tells_detected_from_added(qtbot, panel):
    panel.tabs.setCurrentIndex(1)
    table = panel.chapters
    count = table.rowCount()
    assert count == len(panel.session.state.chapters) > 1
    for row in range(count):
        assert not table.item(row, 0).icon().isNull()
        assert Path(table.item(row, 0).data(PICTURE_ROLE)).is_file()
        assert table.item(row, 2).text() == DETECTED

    first = panel.session.state.chapters[0]
    _seek(qtbot, panel, first.start + (first.end - first.start) / 2)
    qtbot.keyClick(panel, Qt.Key.Key_M, Qt.KeyboardModifier.ControlModifier)
    assert table.rowCount() == count + 1
    assert table.item(1, 2).text() == ADDED
    assert table.item(0, 2).text() == DETECTED
    # The new chapter has no built picture: one is made from the video in the background.
    qtbot.waitUntil(lambda: table.item(1, 0).data(PICTURE_ROLE) is not None, timeout=WAIT)
    assert Path(table.item(1, 0).data(PICTURE_ROLE)).is_file()
    assert not table.item(1, 0).icon().isNull()

    table.item(1, 1).setText("A closer look")
    qtbot.waitUntil(lambda: panel.session.state.chapters[1].title == "A closer look")
    assert table.item(1, 2).text() == ADDED
    panel.delete_chapter(1)
    assert table.rowCount() == count


def test_transcript_find_correct_and_click_to_play(qtbot, panel):
    panel.tabs.setCurrentIndex(2)
    panel.setFocus()
    qtbot.keyClick(panel, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert panel.tabs.currentIndex() == 0 and panel.find_box.hasFocus()
    qtbot.keyClicks(panel.find_box, "water cycle")
    assert panel.find_count.text().endswith("matches")
    row = panel.find_next()
    assert "water cycle" in panel.session.state.transcript.segments[row].text.lower()
    assert panel.transcript.currentRow() == row

    segment = panel.session.state.transcript.segments[row]
    corrected = segment.text.replace("water", "Water", 1)
    panel.transcript.item(row, 1).setText(corrected)
    qtbot.waitUntil(lambda: panel.session.state.transcript.segments[row].text == corrected)
    assert panel.session.state.transcript.segments[row].start == segment.start
    assert panel.session.state.transcript.segments[row].words[0].start == segment.words[0].start

    unsure = low_confidence_words(panel.session.state.transcript)
    if unsure:
        item = panel.transcript.item(unsure[0].segment, 1)
        assert "background" in item.data(review_module._HTML_ROLE)

    # Lines wrap: in a narrow column a row grows taller than one line of text.
    line = panel.transcript.fontMetrics().height()
    header = panel.transcript.horizontalHeader()
    header.setSectionResizeMode(1, QHeaderView.ResizeMode.Interactive)
    header.resizeSection(1, 160)
    qtbot.waitUntil(
        lambda: max(panel.transcript.rowHeight(r) for r in range(5)) > 2 * line, timeout=WAIT
    )
    header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)

    target = panel.session.state.transcript.segments[3]
    rect = panel.transcript.visualItemRect(panel.transcript.item(3, 1))
    qtbot.mouseClick(panel.transcript.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.waitUntil(panel.video.is_playing, timeout=WAIT)
    qtbot.waitUntil(lambda: panel.playhead() >= target.start, timeout=WAIT)
    # The line being spoken is tinted.
    qtbot.waitUntil(lambda: panel.spoken_row() >= 3, timeout=WAIT)
    tint = panel.transcript.item(panel.spoken_row(), 1).background()
    assert tint.style() != Qt.BrushStyle.NoBrush
    panel.video.pause()


def test_every_control_has_an_accessible_name(panel):
    for kind in (QPushButton, QCheckBox, QLineEdit, QTableWidget):
        for widget in panel.findChildren(kind):
            if type(widget) is kind:
                assert widget.accessibleName(), widget
