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

from shared.workspace import LessonWorkspace
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
