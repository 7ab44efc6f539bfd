"""Windows: an unexpected error shows one sentence with the log's place; the log has the rest."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

import shared.ui  # noqa: F401  (the PySide6 emit fix, before any signal)
from shared import logs
from shared.ui.dialogs import show_unexpected_errors
from shared.ui.worker import Worker


@pytest.fixture
def log_path(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    path = logs.setup_logging("lectern-window-test")
    assert path is not None
    yield path
    logs.stop_logging()


def _broken_job(inputs, state) -> int:
    state.set_status("Reading")
    return len(inputs["lessons"])  # inputs has no "lessons": a programming error


def test_a_job_that_breaks_shows_where_the_log_is(qapp, qtbot, log_path: Path):
    worker = Worker()
    job = worker.submit("importing the course", _broken_job, {"title": "Private title"})
    with qtbot.waitSignal(job.failed, timeout=10_000) as failed:
        pass
    message = failed.args[0]
    assert message.startswith("Something unexpected went wrong while importing the course")
    assert "(KeyError)" in message and str(log_path) in message
    assert message.count(". ") == 0 and message.endswith(".")
    text = log_path.read_text(encoding="utf-8")
    assert "importing the course: unexpected error" in text and "_broken_job" in text
    worker.wait(5000)


@pytest.mark.qt_no_exception_capture
def test_an_error_in_a_slot_opens_one_box_and_is_logged(qapp, qtbot, log_path: Path):
    window = QWidget()
    qtbot.addWidget(window)
    window.show()
    window.activateWindow()
    saved = sys.excepthook
    try:
        show_unexpected_errors("Lectern Player")

        def broken_slot() -> None:
            raise RuntimeError("a bug in a slot")

        QTimer.singleShot(0, broken_slot)

        def box() -> QMessageBox:
            found = [w for w in QApplication.allWidgets() if isinstance(w, QMessageBox)]
            found = [w for w in found if w.isVisible()]
            assert len(found) == 1
            return found[0]

        qtbot.waitUntil(lambda: box() is not None, timeout=5000)
        shown = box()
        assert shown.windowTitle() == "Lectern Player"
        assert "(RuntimeError)" in shown.text() and str(log_path) in shown.text()
        shown.close()
    finally:
        sys.excepthook = saved
    text = log_path.read_text(encoding="utf-8")
    assert "unexpected error in the window" in text and "a bug in a slot" in text
