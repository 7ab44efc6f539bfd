"""The Studio shows the state it is in: the lesson title box, panels after a course switch,
lesson counts in the course switcher."""

from __future__ import annotations

from PySide6.QtCore import Qt

from studio.course import Course
from studio.settings import Settings
from studio.ui.main_window import MainWindow


def _texts(window) -> list[str]:
    return [window.course_box.itemText(i) for i in range(window.course_box.count())]


def test_switching_course_resets_every_panel_and_counts_stay_live(qapp, qtbot, course_folder):
    settings = Settings.in_file(course_folder.parent / "studio.ini")
    settings.set_preference("output_folder", str(course_folder.parent))
    window = MainWindow(Course.open(course_folder), settings)
    window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, False)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    review = window.review
    assert review.session is not None
    assert window.lesson_title_box.isVisible()
    assert window.lesson_title_box.text() == review.session.lesson.title
    assert review.seek_bar.maximum() > 0
    # The sound is drawn along the seek bar (read in the background).
    qtbot.waitUntil(lambda: len(review.seek_bar.waveform()) > 100, timeout=30_000)
    assert _texts(window) == ["Earth Science (1 lesson)"]
    review.find_box.setText("water")
    review.replace_box.setText("H2O")

    # A lesson removed: the switcher counts it at once; undo brings the count back.
    window.remove_lesson()
    assert _texts(window) == ["Earth Science (0 lessons)"]
    assert not window.lesson_title_box.isVisible()  # no lesson: nothing to title
    window.undo()
    assert _texts(window) == ["Earth Science (1 lesson)"]
    window.lesson_list.setCurrentRow(0)
    assert window.lesson_title_box.isVisible()

    assert window.new_course("Physics")
    assert window.course.title == "Physics"
    assert review.session is None
    assert not window.lesson_title_box.isVisible() and window.lesson_title_box.text() == ""
    assert review.seek_bar.maximum() == 0 and review.time_label.text() == "0:00 / 0:00"
    assert review.seek_bar.waveform() == []
    assert review.find_box.text() == "" and review.replace_box.text() == ""
    assert sorted(_texts(window)) == ["Earth Science (1 lesson)", "Physics (0 lessons)"]
    window.close()
