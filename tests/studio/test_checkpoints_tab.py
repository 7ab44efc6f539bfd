"""The review panel's Checkpoints tab on a real lesson: import, tick, move, delete, undo.

A lesson is built by the real pipeline from a generated 20-second video; the panel is
shown and driven with mouse clicks on its widgets; every change is written to the
lesson's ``checkpoints.json`` at once and undone like the other edits.
"""

from __future__ import annotations

import os

os.environ["QT_QPA_PLATFORM"] = "offscreen"  # before anything loads Qt

import shutil
import subprocess
from pathlib import Path

import pytest

from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from shared.workspace import LessonWorkspace
from studio.editing import ChangeCheckpoint
from studio.pipeline import BuildOptions, build_lesson
from studio.ui.review import ReviewPanel

BANK = Path(__file__).resolve().parents[1] / "shared" / "banks" / "moodle-sample.gift"
WAIT = 20_000


@pytest.fixture(scope="module")
def built_lesson(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("questions")
    video = folder / "talk.mp4"
    subprocess.run(
        [
            "ffmpeg",
            "-v",
            "error",
            "-f",
            "lavfi",
            "-i",
            "testsrc2=size=320x240:rate=25:duration=20",
            "-pix_fmt",
            "yuv420p",
            str(video),
        ],
        check=True,
    )
    build_lesson(video, folder / "lesson", BuildOptions(title="Leaves"))
    return folder / "lesson"


@pytest.fixture
def panel(qapp, qtbot, built_lesson, tmp_path):
    folder = tmp_path / "lesson"
    shutil.copytree(built_lesson, folder)
    panel = ReviewPanel()
    qtbot.addWidget(panel)
    panel.resize(1100, 820)
    panel.show()
    qtbot.waitExposed(panel)
    panel.open_lesson(folder)
    qtbot.waitUntil(panel.video.is_loaded, timeout=WAIT)
    panel.tabs.setCurrentWidget(panel.checkpoints)
    yield panel
    panel.close_lesson()


def _on_disk(panel: ReviewPanel) -> list[tuple[str, float | None, bool]]:
    workspace = LessonWorkspace.open(panel.session.folder)
    return [(q.title, q.at, q.required) for q in workspace.checkpoints()]


def test_questions_are_imported_at_the_playhead_and_shown_on_the_seek_bar(qtbot, panel):
    tab = panel.checkpoints
    assert tab.table.rowCount() == 0 and "No questions yet" in tab.hint.text()
    panel.video.seek(5.0)
    qtbot.waitUntil(lambda: abs(panel.playhead() - 5.0) < 0.05, timeout=WAIT)
    assert tab.import_file(BANK)
    assert tab.table.rowCount() == 12
    assert panel.tabs.tabText(3) == "Checkpoints (12)"
    assert {at for at, _, _ in panel.seek_bar.checkpoint_marks()} == {5.0}
    saved = _on_disk(panel)
    assert len(saved) == 12 and saved[0] == ("Light reactions", 5.0, False)
    assert tab.table.item(0, 2).text() == "Light reactions"
    assert tab.table.item(0, 1).text() == "single choice"
    assert not tab.import_file(BANK)  # the same questions again: nothing new
    assert tab.table.rowCount() == 12
    panel.undo()
    assert tab.table.rowCount() == 0 and _on_disk(panel) == []
    panel.redo()
    assert tab.table.rowCount() == 12 and len(_on_disk(panel)) == 12


def test_required_is_ticked_with_a_click_and_moving_and_deleting_are_undone(qtbot, panel):
    tab = panel.checkpoints
    panel.video.seek(5.0)
    qtbot.waitUntil(lambda: abs(panel.playhead() - 5.0) < 0.05, timeout=WAIT)
    tab.import_file(BANK)
    table = tab.table
    cell = table.visualItemRect(table.item(1, 3))
    # The tick box sits at the left of its cell.
    qtbot.mouseClick(
        table.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(cell.left() + 11, cell.center().y())
    )
    qtbot.waitUntil(lambda: _on_disk(panel)[1][2], timeout=WAIT)
    assert panel.seek_bar.checkpoint_marks()[1][1] in ("required", "open")
    assert [state for _, state, _ in panel.seek_bar.checkpoint_marks()].count("required") == 1
    row = table.visualItemRect(table.item(1, 2))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=row.center())
    assert tab.selected().title == "Oxygen"
    panel.video.seek(12.0)
    qtbot.waitUntil(lambda: abs(panel.playhead() - 12.0) < 0.05, timeout=WAIT)
    qtbot.mouseClick(tab.move_button, Qt.MouseButton.LeftButton)
    assert dict((t, at) for t, at, _ in _on_disk(panel))["Oxygen"] == 12.0
    assert table.item(tab.table.currentRow(), 0).text() == "0:12"
    qtbot.mouseClick(tab.delete_button, Qt.MouseButton.LeftButton)
    assert "Oxygen" not in [t for t, _, _ in _on_disk(panel)] and table.rowCount() == 11
    panel.undo()
    assert "Oxygen" in [t for t, _, _ in _on_disk(panel)]
    panel.undo()
    assert dict((t, at) for t, at, _ in _on_disk(panel))["Oxygen"] == 5.0
    panel.undo()
    assert not _on_disk(panel)[1][2]  # no longer required


def test_a_broken_bank_is_one_sentence_and_changes_nothing(qtbot, panel, tmp_path):
    bad = tmp_path / "bad.gift"
    bad.write_bytes(b"\xff\xfe\x00broken")
    with qtbot.waitSignal(panel.failed) as failed:
        assert not panel.checkpoints.import_file(bad)
    assert failed.args[0].startswith(f"The question bank {bad} cannot be imported")
    assert panel.checkpoints.table.rowCount() == 0 and not panel.session.can_undo


# ------------------------------------------------------------- the question form, by keys


def _focus():
    widget = QApplication.focusWidget()
    assert widget is not None
    return widget


def _type(text: str) -> None:
    QTest.keyClicks(_focus(), text)


def _press(key: Qt.Key, modifier=Qt.KeyboardModifier.NoModifier, times: int = 1) -> None:
    for _ in range(times):
        QTest.keyClick(_focus(), key, modifier)


def _questions(panel: ReviewPanel):
    return LessonWorkspace.open(panel.session.folder).checkpoints()


def _open_form(qtbot, tab, key: Qt.Key):
    tab.table.setFocus()
    qtbot.waitUntil(tab.table.hasFocus, timeout=WAIT)
    before = tab.dialog
    _press(key)
    qtbot.waitUntil(lambda: tab.dialog is not before and tab.dialog.isVisible(), timeout=WAIT)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is tab.dialog.prompt_box, timeout=WAIT)
    return tab.dialog


def test_a_question_is_written_with_the_keyboard_refused_until_right_and_undone(qtbot, panel):
    tab = panel.checkpoints
    panel.video.seek(7.0)
    qtbot.waitUntil(lambda: abs(panel.playhead() - 7.0) < 0.05, timeout=WAIT)
    dialog = _open_form(qtbot, tab, Qt.Key.Key_Insert)  # Ins in the list: a new question
    assert dialog.windowTitle() == "New question" and dialog.kind() == "single"
    _press(Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)  # Save, nothing written
    assert dialog.isVisible() and dialog.problem() == "Write the question first."
    _type("Which gas do leaves release?")
    _press(Qt.Key.Key_Tab, times=2)  # past the short name, to choice 1's tick box
    _press(Qt.Key.Key_Tab)
    _type("Oxygen")
    _press(Qt.Key.Key_Tab)
    _type("Yes: it comes from splitting water.")
    _press(Qt.Key.Key_Tab, times=2)
    _type("Carbon dioxide")
    _press(Qt.Key.Key_Return)
    assert dialog.isVisible() and dialog.problem() == "Mark the correct choice."
    _press(Qt.Key.Key_Backtab, times=4)  # back to choice 1's tick box
    assert _focus() is dialog.choice_lines[0].correct
    _press(Qt.Key.Key_Space)
    _press(Qt.Key.Key_R, Qt.KeyboardModifier.AltModifier)  # Required before going on
    qtbot.waitUntil(dialog.required_box.isChecked, timeout=WAIT)  # a mnemonic animates
    _press(Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=WAIT)

    (saved,) = _questions(panel)
    assert saved.prompt == "Which gas do leaves release?" and saved.at == 7.0
    assert [(c.text, c.correct, c.feedback) for c in saved.choices] == [
        ("Oxygen", True, "Yes: it comes from splitting water."),
        ("Carbon dioxide", False, ""),
    ]
    assert saved.required and not saved.rewatch_on_wrong
    assert tab.table.rowCount() == 1 and tab.table.currentRow() == 0
    assert [state for _, state, _ in panel.seek_bar.checkpoint_marks()] == ["required"]
    assert panel.session.undo_label == "Add a question"
    panel.undo()
    assert _questions(panel) == () and tab.table.rowCount() == 0


def test_enter_rewrites_a_question_and_del_deletes_it_both_undone(qtbot, panel):
    tab = panel.checkpoints
    panel.video.seek(5.0)
    qtbot.waitUntil(lambda: abs(panel.playhead() - 5.0) < 0.05, timeout=WAIT)
    tab.import_file(BANK)
    original = _questions(panel)[0]
    tab.table.setCurrentCell(0, 2)
    dialog = _open_form(qtbot, tab, Qt.Key.Key_Return)  # Enter on a question: edit it
    assert dialog.windowTitle() == "Edit question"
    assert dialog.prompt_box.toPlainText() == original.prompt
    _press(Qt.Key.Key_Backtab)  # to the kind of question
    assert _focus() is dialog.kind_box
    _press(Qt.Key.Key_End)  # the last kind: short answer
    assert dialog.kind() == "short" and dialog.answers_box.isVisible()
    _press(Qt.Key.Key_Tab, times=3)  # question, short name, accepted answer 1
    assert _focus() is dialog.answer_lines[0].answer
    _type("3,14")
    _press(Qt.Key.Key_Tab)
    _type("0.01x")
    _press(Qt.Key.Key_Return)
    assert dialog.problem().startswith("The tolerance of answer 1 is not a number")
    _press(Qt.Key.Key_Backspace)
    _press(Qt.Key.Key_E, Qt.KeyboardModifier.AltModifier)  # at the end of the lesson
    qtbot.waitUntil(dialog.end_button.isChecked, timeout=WAIT)
    _press(Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=WAIT)

    rewritten = _questions(panel)[0]
    assert rewritten.id == original.id and rewritten.kind == "short"
    assert [(a.number, a.tolerance) for a in rewritten.accepted] == [(3.14, 0.01)]
    assert rewritten.at is None and rewritten.after_chapter is None
    assert tab.table.item(0, 1).text() == "short answer"
    assert len(_questions(panel)) == 12

    qtbot.waitUntil(lambda: QApplication.focusWidget() is tab.table, timeout=WAIT)
    assert tab.table.currentRow() == 0  # the list has the focus back, on that question
    _press(Qt.Key.Key_Delete)
    assert len(_questions(panel)) == 11 and original.id not in {q.id for q in _questions(panel)}
    panel.undo()
    assert _questions(panel)[0] == rewritten
    panel.undo()
    assert _questions(panel)[0] == original


def test_a_question_saved_unchanged_or_left_with_escape_stays_as_it_was(qtbot, panel):
    tab = panel.checkpoints
    tab.import_file(BANK)
    panel.apply(ChangeCheckpoint(_questions(panel)[2].id, at=6.789))  # finer than the box
    before = _questions(panel)
    assert before[2].at == 6.789
    cell = tab.table.visualItemRect(tab.table.item(2, 2))
    for click in (qtbot.mouseClick, qtbot.mouseDClick):  # as a mouse does: press, then double
        click(tab.table.viewport(), Qt.MouseButton.LeftButton, pos=cell.center())
    qtbot.waitUntil(lambda: tab.dialog is not None and tab.dialog.isVisible(), timeout=WAIT)
    dialog = tab.dialog
    assert dialog.prompt_box.toPlainText() == before[2].prompt  # double-click: edit it
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is dialog.prompt_box, timeout=WAIT)
    _press(Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)  # saved unchanged
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=WAIT)
    assert _questions(panel) == before and panel.session.undo_label != "Edit a question"
    tab.table.setCurrentCell(2, 2)
    dialog = _open_form(qtbot, tab, Qt.Key.Key_Return)
    _type(" changed")
    _press(Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=WAIT)
    assert _questions(panel) == before and panel.session.undo_label != "Edit a question"
