"""The learner's Review page in the Player window, driven with key presses and clicks.

(Offscreen Qt delivers no Alt mnemonics; tests/desktop types them on a real X server.)

A real package with checkpoints is imported into a real library; a question answered
wrong becomes due (its due time is set to now, as a day later), is answered again
with the keyboard, moves to box 2, and "Jump to the explanation" opens the lesson at
the start of its chapter.
"""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractButton

from shared.library import Library
from tests.shared.test_checkpoints_library import _package


def _key(qtbot, window, key: Qt.Key, modifier=Qt.KeyboardModifier.NoModifier) -> None:
    """A key press on the widget with the focus (as the keyboard would deliver it)."""
    window.activateWindow()
    target = window.focusWidget()  # the window's focus, whichever window the app says is active
    assert target is not None
    QTest.keyClick(target, key, modifier)
    qtbot.wait(30)


def test_a_wrong_answer_comes_back_in_the_review_and_is_answered_with_keys(
    open_window, qtbot, tmp_path
):
    package = _package(tmp_path / "course")
    root = tmp_path / "library"
    with Library.open(root) as library:
        course = library.import_course(package).course_id
        question = library.checkpoints.of(course, "intro")[0]
        library.checkpoints.answer(course, "intro", question, 1)
        assert library.checkpoints.due() == []  # not before a day has passed
        library.db.execute("UPDATE checkpoint_answers SET due_ms = 0")  # a day later
    window = open_window(root)
    assert window.review_action.text() == "Review (1)"
    window.review_action.trigger()
    view = window.review_view
    assert window.pages.currentWidget() is view and view.list.count() == 1
    assert view.card.prompt.text() == "Where do the light reactions happen?"
    shown = [b for b in view.card.findChildren(QAbstractButton) if b.isVisibleTo(view.card)]
    assert [b.text() for b in shown if b.text().startswith("&")] == ["&1  Thylakoids", "&2  Stroma"]
    if os.environ.get("LECTERN_SHOTS"):  # LECTERN_SHOTS=docs/screenshots refreshes the README's
        window.resize(1100, 640)
        qtbot.wait(200)
        window.grab().save(str(Path(os.environ["LECTERN_SHOTS"]) / "player-review.png"))
    view.card.setFocus()
    _key(qtbot, window, Qt.Key.Key_2)
    _key(qtbot, window, Qt.Key.Key_Return)
    assert view.card.feedback.text() == "Not quite. No."
    assert view.card.rewatch_button.isVisible()
    qtbot.mouseClick(view.card.retry_button, Qt.MouseButton.LeftButton)  # Try again
    _key(qtbot, window, Qt.Key.Key_1)
    _key(qtbot, window, Qt.Key.Key_Return)
    assert view.card.feedback.text() == "Right! Right."
    stored = window.library.checkpoints.answers(course, "intro")["where"]
    assert stored.box == 1 and stored.attempts == 3  # wrong again: back to box 1
    window.library.db.execute("UPDATE checkpoint_answers SET due_ms = 0")
    _key(qtbot, window, Qt.Key.Key_Return)  # Continue: the list is read again
    assert view.list.count() == 1
    view.card.setFocus()
    _key(qtbot, window, Qt.Key.Key_1)
    _key(qtbot, window, Qt.Key.Key_Return)
    assert window.library.checkpoints.answers(course, "intro")["where"].box == 2
    _key(qtbot, window, Qt.Key.Key_Return)
    assert view.list.count() == 0 and window.review_action.text() == "Review"
    assert "Nothing to review now" in view.summary.text()


def test_jump_to_the_explanation_opens_the_lesson_at_its_chapter(open_window, qtbot, tmp_path):
    package = _package(tmp_path / "course")
    root = tmp_path / "library"
    with Library.open(root) as library:
        course = library.import_course(package).course_id
        question = library.checkpoints.of(course, "intro")[0]
        library.checkpoints.answer(course, "intro", question, 1)
        library.db.execute("UPDATE checkpoint_answers SET due_ms = 0")
    window = open_window(root)
    window.show_review()
    qtbot.mouseClick(window.review_view.jump_button, Qt.MouseButton.LeftButton)
    assert window.pages.currentWidget() is window.lesson_view
    assert window.lesson_view.current.lesson.id == "intro"
    assert window.lesson_view.video.position() == 0.0  # "Opening words" starts at 0
