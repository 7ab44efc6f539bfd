"""The Player window on a real imported lesson: playing, seeking, search, progress, import."""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path

import pytest

from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent

from player.ui.lesson_view import WatchedSpans
from shared.library import Library
from tests.player.conftest import COURSE_ID, COURSE_TITLE

WAIT = 20_000  # ms; generous, the machines are shared


def _lesson_id(window) -> str:
    return window.library.lessons(COURSE_ID)[0].id


def _open(window, at: float | None = None):
    assert window.open_lesson(COURSE_ID, _lesson_id(window), at)
    view = window.lesson_view
    return view


def _play_until(qtbot, view, seconds: float) -> None:
    view.video.play()
    qtbot.waitUntil(lambda: view.video.position() >= seconds, timeout=WAIT)


def _near(value: float, expected: float, tolerance: float = 0.6) -> bool:
    return abs(value - expected) <= tolerance


def test_window_is_titled_and_lists_the_course(window):
    assert window.windowTitle() == "Lectern Player"
    cards = window.library_view.course_cards()
    assert [card.course.title for card in cards] == [COURSE_TITLE]
    assert cards[0].course.lesson_count == 1


def test_playing_advances_the_position(qtbot, window):
    view = _open(window)
    assert view.video.position() == 0
    view.toggle_play()
    qtbot.waitUntil(lambda: view.video.position() > 1.0, timeout=WAIT)
    qtbot.waitUntil(lambda: view.seek_bar.value() > 1000, timeout=WAIT)
    assert view.video.is_playing()


def test_clicking_a_chapter_seeks_to_it(qtbot, window):
    view = _open(window)
    chapters = view.chapters.chapters()
    assert len(chapters) >= 3
    view.tabs.setCurrentWidget(view.chapters)
    item = view.chapters.item(2)
    rect = view.chapters.visualItemRect(item)
    qtbot.mouseClick(view.chapters.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.waitUntil(lambda: _near(view.video.position(), chapters[2].start), timeout=WAIT)
    qtbot.waitUntil(lambda: view.chapters.current_chapter() == 2, timeout=WAIT)
    # The seek bar marks the chapters and names the one under the mouse.
    assert [start for start, _ in view.seek_bar.chapter_marks()] == [c.start for c in chapters]
    x = view.seek_bar.x_for(chapters[2].start + 2.0)
    assert view.seek_bar.hover_text(x).endswith(chapters[2].title)


def test_clicking_a_transcript_line_or_word_seeks_there(qtbot, window):
    view = _open(window)
    transcript = window.library.transcript(COURSE_ID, _lesson_id(window))
    view.tabs.setCurrentWidget(view.transcript)
    qtbot.waitUntil(lambda: view.transcript.isVisible(), timeout=WAIT)
    line = 3
    rect = view.transcript.line_rect(line)
    # The time stamp at the start of the line (its first row: a long line wraps, and
    # the start of its second row is a word): seeks to the line.
    first_row = rect.top() + view.transcript.fontMetrics().height() // 2 + 2
    qtbot.mouseClick(
        view.transcript.viewport(),
        Qt.MouseButton.LeftButton,
        pos=QPoint(rect.left() + 8, first_row),
    )
    segment = transcript.segments[line]
    qtbot.waitUntil(lambda: _near(view.video.position(), segment.start), timeout=WAIT)
    qtbot.waitUntil(lambda: view.transcript.current_line() == line, timeout=WAIT)
    # A word: seeks to that word.
    word = 2
    rect = view.transcript.word_rect(line, word)
    qtbot.mouseClick(view.transcript.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.waitUntil(
        lambda: _near(view.video.position(), segment.words[word].start, 0.3), timeout=WAIT
    )


def test_a_search_result_opens_the_lesson_at_its_time(qtbot, window):
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert window.search_box.hasFocus()
    qtbot.keyClicks(window.search_box, "evaporation")
    panel = window.search_panel
    qtbot.waitUntil(lambda: panel.isVisible() and len(panel.hits) > 0, timeout=WAIT)
    index = next(i for i, hit in enumerate(panel.hits) if hit.kind == "segment")
    hit = panel.hits[index]
    assert "\x02" in hit.snippet
    item = panel.results.item(index)
    rect = panel.results.visualItemRect(item)
    qtbot.mouseClick(panel.results.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    view = window.lesson_view
    qtbot.waitUntil(lambda: window.pages.currentWidget() is view, timeout=WAIT)
    assert view.lesson().id == hit.lesson_id
    qtbot.waitUntil(lambda: view.video.is_loaded(), timeout=WAIT)
    # It plays from the hit: the learner came for what is said there.
    qtbot.waitUntil(view.video.is_playing, timeout=WAIT)
    qtbot.waitUntil(
        lambda: hit.time - 0.6 <= view.video.player.position() / 1000 <= hit.time + 5,
        timeout=WAIT,
    )
    assert not view.banner.isVisible()


def test_ctrl_f_in_a_lesson_finds_in_its_own_transcript_and_plays_the_line(qtbot, window):
    view = _open(window)
    qtbot.waitUntil(view.video.is_loaded, timeout=WAIT)
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert view.find_box.hasFocus() and not window.search_box.hasFocus()
    qtbot.keyClicks(view.find_box, "Evaporation")
    lines = view.found_lines()
    transcript = window.library.transcript(COURSE_ID, _lesson_id(window))
    assert lines and all("evaporation" in transcript.segments[i].text.lower() for i in lines)
    # The word is said, and shown on its slide.
    found = view.found()
    said = [hit for hit in found if hit.kind == "said"]
    shown = [hit for hit in found if hit.kind == "on slide"]
    assert [hit.time for hit in said] == [transcript.segments[i].start for i in lines]
    # (OCR may misread a letter of it on the summary slide: at least its own slide.)
    assert shown and all("evaporation" in hit.text.lower() for hit in shown)
    assert view.find_count.text() == f"{len(said)} said · {len(shown)} on slide"
    rows = [view.find_results.item(row).text() for row in range(view.find_results.count())]
    assert [row.split("  ")[1] for row in rows] == [f"{hit.kind}:" for hit in found]
    qtbot.keyClick(view.find_box, Qt.Key.Key_Return)
    start = found[0].time
    qtbot.waitUntil(view.video.is_playing, timeout=WAIT)
    qtbot.waitUntil(lambda: start - 0.6 <= view.video.position() <= start + 5, timeout=WAIT)
    assert window.pages.currentWidget() is view  # still in the lesson, not the library search
    view.video.pause()


def test_words_only_on_a_slide_are_found_marked_and_shown_where_they_appear(qtbot, window):
    """ "Steps" is never said in the sample lecture: only its fifth slide shows it."""
    view = _open(window)
    qtbot.waitUntil(view.video.is_loaded, timeout=WAIT)
    slides = window.library.slides(COURSE_ID, _lesson_id(window))
    slide = next(s for s in slides if re.sub(r"\W+", "", s.title.casefold()).startswith("steps3"))
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(view.find_box, "steps")
    assert [(hit.kind, hit.time) for hit in view.found()] == [("on slide", slide.start)]
    assert view.find_count.text() == "0 said · 1 on slide"
    assert "on slide:" in view.find_results.item(0).text()
    qtbot.keyClick(view.find_box, Qt.Key.Key_Return)
    qtbot.waitUntil(
        lambda: slide.start - 0.6 <= view.video.position() <= slide.start + 5, timeout=WAIT
    )
    view.video.pause()
    # The Slides tab shows the text of the slide on screen.
    bar = view.tabs.tabBar()
    index = view.tabs.indexOf(view.slide_panel)
    assert view.tabs.tabText(index) == "Slides" and view.tabs.isTabEnabled(index)
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(index).center())
    qtbot.waitUntil(lambda: view.slide_panel.isVisible(), timeout=WAIT)
    qtbot.waitUntil(lambda: view.slide_panel.current_slide() == slide, timeout=WAIT)
    assert view.slide_panel.shown_lines()[: len(slide.lines)] == [line.text for line in slide.lines]
    assert f"Slide {slides.index(slide) + 1} of {len(slides)}" in view.slide_panel.heading.text()


def test_the_library_search_marks_hits_said_or_on_slide_and_opens_a_slide_hit(qtbot, window):
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(window.search_box, "evaporation")
    panel = window.search_panel
    qtbot.waitUntil(lambda: panel.isVisible() and len(panel.hits) > 0, timeout=WAIT)
    kinds = {hit.kind for hit in panel.hits}
    assert {"segment", "slide"} <= kinds
    labels = [
        panel.results.itemWidget(panel.results.item(row)).text()
        for row in range(panel.results.count())
    ]
    for hit, label in zip(panel.hits, labels, strict=True):
        if hit.kind in ("segment", "slide"):
            assert ("Said" if hit.kind == "segment" else "On slide") in label
    index = next(i for i, hit in enumerate(panel.hits) if hit.kind == "slide")
    hit = panel.hits[index]
    slides = window.library.slides(COURSE_ID, hit.lesson_id)
    assert hit.time in [slide.start for slide in slides]  # where the slide shows the word
    rect = panel.results.visualItemRect(panel.results.item(index))
    qtbot.mouseClick(panel.results.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    view = window.lesson_view
    qtbot.waitUntil(lambda: window.pages.currentWidget() is view, timeout=WAIT)
    qtbot.waitUntil(
        lambda: hit.time - 0.6 <= view.video.player.position() / 1000 <= hit.time + 5,
        timeout=WAIT,
    )
    view.video.pause()


def test_progress_survives_closing_and_reopening(qtbot, open_window, library_root):
    first = open_window(library_root)
    view = _open(first, at=30.0)
    qtbot.waitUntil(lambda: view.video.is_loaded(), timeout=WAIT)
    _play_until(qtbot, view, 32.0)
    first.lesson_view.add_note("bookmark")
    first.close()
    with Library.open(library_root) as library:
        saved = library.position(COURSE_ID, _lesson_id(first))
        coverage = library.coverage(COURSE_ID, _lesson_id(first))
    assert saved >= 32.0
    assert coverage > 0

    second = open_window(library_root)
    library_view = second.library_view
    assert library_view.continue_heading.isVisible()
    assert library_view.course_cards()[0].course.coverage > 0
    view = _open(second)
    assert view.banner.isVisible()
    assert "0:32" in view.banner_label.text() or "0:33" in view.banner_label.text()
    assert len(view.notes.notes()) == 1
    qtbot.mouseClick(view.resume_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.video.position() >= saved - 0.5, timeout=WAIT)
    assert not view.banner.isVisible()


def test_seeking_does_not_inflate_coverage(qtbot, window):
    view = _open(window)
    lesson = view.lesson()
    qtbot.waitUntil(lambda: view.video.is_loaded(), timeout=WAIT)
    _play_until(qtbot, view, 2.0)
    view.seek(80.0)
    qtbot.waitUntil(lambda: view.video.position() >= 82.0, timeout=WAIT)
    view.video.pause()
    qtbot.waitUntil(lambda: not view.video.is_playing(), timeout=WAIT)
    watched = window.library.coverage(COURSE_ID, lesson.id) * lesson.duration
    spans = window.library.watched(COURSE_ID, lesson.id)
    assert 3.0 <= watched <= 6.0, spans
    assert all(end <= 3.5 or start >= 79.5 for start, end in spans), spans


def test_watched_spans_ignore_stale_ticks_after_a_seek():
    spans: list[tuple[float, float]] = []
    tracker = WatchedSpans(lambda start, end: spans.append((start, end)))
    for tick in (0.0, 0.5, 1.0, 1.5, 2.0):
        tracker.tick(tick)
    tracker.seeked(50.0)
    tracker.tick(2.05)  # the player still reports the old position once
    for tick in (50.0, 50.5, 51.0):
        tracker.tick(tick)
    tracker.close()
    assert spans == [(0.0, 2.0), (50.0, 51.0)]


def _tamper(package: Path, out: Path) -> Path:
    """A copy of ``package`` with bytes inside the stored video changed."""
    shutil.copy(package, out)
    with zipfile.ZipFile(out) as archive:
        info = next(i for i in archive.infolist() if i.filename.endswith("video.mp4"))
    data = bytearray(out.read_bytes())
    name_length = int.from_bytes(data[info.header_offset + 26 : info.header_offset + 28], "little")
    extra_length = int.from_bytes(data[info.header_offset + 28 : info.header_offset + 30], "little")
    middle = info.header_offset + 30 + name_length + extra_length + info.compress_size // 2
    data[middle : middle + 16] = bytes(b ^ 0xFF for b in data[middle : middle + 16])
    out.write_bytes(bytes(data))
    return out


def test_a_tampered_package_dropped_on_the_window_is_refused(
    qtbot, open_window, tmp_path, course_package
):
    window = open_window(tmp_path / "empty-library")
    bad = _tamper(course_package, tmp_path / "tampered.lectern")
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(bad))])
    event = QDropEvent(
        QPointF(100, 100),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    window.dropEvent(event)
    qtbot.waitUntil(lambda: window.last_error is not None, timeout=WAIT)
    qtbot.waitUntil(lambda: window.import_job is None, timeout=WAIT)
    assert "tampered.lectern" in window.last_error
    assert window.message_box is not None and window.message_box.isVisible()
    assert window.message_box.text() == window.last_error
    assert window.library.courses() == []
    assert not [p for p in (tmp_path / "empty-library" / "courses").iterdir()]


def test_importing_a_package_adds_the_course(qtbot, open_window, tmp_path, course_package):
    window = open_window(tmp_path / "new-library")
    assert window.library_view.course_cards() == []
    window.import_files([course_package])
    qtbot.waitUntil(lambda: len(window.library_view.course_cards()) == 1, timeout=60_000)
    assert window.last_error is None
    assert window.library.courses()[0].id == COURSE_ID


@pytest.mark.parametrize(
    "text",
    ['"', "'", "*", "(", ")", "AND", "OR NOT", "NEAR(a b", "a:b", "-x", "^", "\\", "%_",
     "日本語", "😀", "   ", "x" * 400, "\x02\x03", "evap*", "title:water", '"unclosed'],
)  # fmt: skip
def test_odd_search_input_never_errors(qtbot, window, text):
    window.search_box.setText(text)
    window.search_panel.run()
    assert window.last_error is None
    summary = window.search_panel.summary.text()
    assert summary


def test_keyboard_shortcuts_act(qtbot, window):
    view = _open(window, at=30.0)
    qtbot.waitUntil(lambda: view.video.is_loaded(), timeout=WAIT)
    qtbot.waitUntil(lambda: _near(view.video.position(), 30.0), timeout=WAIT)
    window.activateWindow()
    view.video.setFocus()
    target = view.video

    qtbot.keyClick(target, Qt.Key.Key_L)
    qtbot.waitUntil(lambda: _near(view.video.position(), 40.0), timeout=WAIT)
    qtbot.keyClick(target, Qt.Key.Key_J)
    qtbot.keyClick(target, Qt.Key.Key_J)
    qtbot.waitUntil(lambda: _near(view.video.position(), 20.0), timeout=WAIT)
    qtbot.keyClick(target, Qt.Key.Key_Right)
    qtbot.waitUntil(lambda: _near(view.video.position(), 25.0), timeout=WAIT)

    # The offscreen platform has no keyboard map (Shift is not folded into ">" as on
    # X11): tests/desktop/test_keys.py types Shift+> for real under Xvfb.
    assert view.video.rate() == 1.0
    qtbot.keyClick(target, Qt.Key.Key_Greater)
    assert view.video.rate() == 1.25
    qtbot.keyClick(target, Qt.Key.Key_Less)
    qtbot.keyClick(target, Qt.Key.Key_Less)
    assert view.video.rate() == 0.75

    captions = view.video.captions_visible()
    qtbot.keyClick(target, Qt.Key.Key_C)
    assert view.video.captions_visible() is not captions
    assert view.captions_button.isChecked() is not captions

    muted = view.video.is_muted()
    qtbot.keyClick(target, Qt.Key.Key_M)
    assert view.video.is_muted() is not muted

    qtbot.keyClick(target, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: view.video.is_playing(), timeout=WAIT)
    qtbot.keyClick(target, Qt.Key.Key_K)
    qtbot.waitUntil(lambda: not view.video.is_playing(), timeout=WAIT)

    chapters = view.chapters.chapters()
    before = view.video.position()
    qtbot.keyClick(target, Qt.Key.Key_PageDown)
    following = next(c.start for c in chapters if c.start > before + 1e-3)
    qtbot.waitUntil(lambda: _near(view.video.position(), following), timeout=WAIT)

    qtbot.keyClick(target, Qt.Key.Key_B)
    assert [note.kind for note in view.notes.notes()] == ["bookmark"]


def test_captions_show_over_the_video(qtbot, window):
    view = _open(window)
    qtbot.waitUntil(lambda: view.video.is_loaded(), timeout=WAIT)
    view.seek(5.0)
    qtbot.waitUntil(lambda: view.video.caption_text() != "", timeout=WAIT)
    assert view.video.caption.isVisible() == view.video.captions_visible()


def test_every_control_has_an_accessible_name(window):
    from PySide6.QtWidgets import QAbstractButton, QComboBox, QLineEdit, QSlider

    _open(window)
    missing = [
        widget
        for kind in (QAbstractButton, QComboBox, QLineEdit, QSlider)
        for widget in window.findChildren(kind)
        if widget.isVisibleTo(window)
        and widget.focusPolicy() != Qt.FocusPolicy.NoFocus
        and not widget.accessibleName()
        and not (isinstance(widget, QLineEdit) and isinstance(widget.parent(), QComboBox))
    ]
    assert not missing, [
        (type(w).__name__, w.objectName(), getattr(w, "text", lambda: "")()) for w in missing
    ]


def test_ctrl_q_closes_the_window(qtbot, window):
    qtbot.keyClick(window, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=WAIT)


def test_presenter_video_plays_in_sync_and_swaps(qtbot, qapp):
    from shared.ui.video_view import VideoView

    sample = Path(__file__).resolve().parents[2] / "resources" / "sample" / "lecture.mp4"
    view = VideoView()
    qtbot.addWidget(view)
    view.resize(640, 360)
    view.show()
    view.load(sample, sample)
    assert view.has_presenter()
    qtbot.waitUntil(view.is_loaded, timeout=WAIT)
    view.play()
    qtbot.waitUntil(lambda: view.position() > 1.0, timeout=WAIT)
    view.seek(40.0)
    qtbot.waitUntil(lambda: view.position() > 41.0, timeout=WAIT)
    qtbot.waitUntil(lambda: view.drift() < 0.5, timeout=WAIT)
    big = view.main_item.size().width()
    view.swap()
    assert view.presenter_item.size().width() == big > view.main_item.size().width()
    view.set_presenter_layout("side")
    assert view.main_item.pos().x() > view.presenter_item.pos().x()
    view.pause()
    view.unload()


def test_worker_delivers_progress_and_result_and_cancels(qtbot, qapp):
    from shared.jobs import check_cancelled
    from shared.ui.worker import Worker

    worker = Worker()

    def count(n, state):
        for i in range(n):
            state.set_progress(i / n)
        state.set_status("done")
        return n * 2

    job = worker.submit("counting", count, 1000)
    progress: list[float] = []
    job.progress.connect(progress.append)
    with qtbot.waitSignal(job.done, timeout=WAIT):
        pass
    assert job.result == 2000 and progress

    def forever(_inputs, state):
        while True:
            check_cancelled(state, "Waiting")

    job = worker.submit("waiting", forever)
    with qtbot.waitSignal(job.cancelled, timeout=WAIT):
        job.cancel()
    assert worker.wait(5000)


def test_transcript_stops_following_while_the_learner_scrolls(qtbot, window):
    from PySide6.QtCore import QPoint as Point
    from PySide6.QtGui import QWheelEvent

    view = _open(window)
    transcript = view.transcript
    view.tabs.setCurrentWidget(transcript)
    assert transcript.is_following()
    wheel = QWheelEvent(
        QPointF(20, 20),
        QPointF(transcript.viewport().mapToGlobal(Point(20, 20))),
        Point(0, 0),
        Point(0, -120),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    transcript.wheelEvent(wheel)
    assert not transcript.is_following()
    view.seek(100.0)
    assert transcript.current_line() == transcript.line_at(100.0)
    qtbot.waitUntil(transcript.is_following, timeout=WAIT)


def test_notes_are_added_edited_and_deleted(qtbot, window):
    view = _open(window, at=12.0)
    qtbot.waitUntil(lambda: view.video.is_loaded(), timeout=WAIT)
    note = view.notes.add("note")
    assert note is not None and _near(note.time, 12.0)
    item = view.notes.tree.topLevelItem(0)
    item.setText(1, "Remember the oceans")
    assert [n.text for n in view.notes.notes()] == ["Remember the oceans"]
    view.seek(60.0)
    rect = view.notes.tree.visualItemRect(item)
    qtbot.mouseClick(view.notes.tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.waitUntil(lambda: _near(view.video.position(), 12.0), timeout=WAIT)
    view.notes.tree.setCurrentItem(view.notes.tree.topLevelItem(0))
    view.notes.delete_selected()
    assert view.notes.notes() == []


def test_removing_a_course_asks_first(qtbot, window):
    window.confirm_remove(COURSE_ID)
    box = window.message_box
    assert box is not None and box.isVisible()
    assert COURSE_TITLE in box.text()
    cancel = box.button(box.StandardButton.Cancel)
    qtbot.mouseClick(cancel, Qt.MouseButton.LeftButton)
    assert [c.id for c in window.library.courses()] == [COURSE_ID]
    window.confirm_remove(COURSE_ID)
    remove = next(b for b in window.message_box.buttons() if b.text() == "Remove")
    qtbot.mouseClick(remove, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.library.courses() == [], timeout=WAIT)
    assert window.library_view.course_cards() == []


def test_run_window_imports_the_file_given_and_quits(qtbot, qapp, tmp_path, course_package):
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from player.app import run_window
    from player.ui.main_window import MainWindow

    seen: list[str] = []

    def check() -> None:
        windows = [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow)]
        window = next((w for w in windows if w.isVisible()), None)
        if window is not None and window.library_view.course_cards():
            seen.append(window.windowTitle())
            window.close()
        else:
            QTimer.singleShot(100, check)

    QTimer.singleShot(100, check)
    status = run_window(tmp_path / "lib", course_package, settings_file=tmp_path / "p.ini")
    assert status == 0
    assert seen == ["Lectern Player"]
