"""The Player window sends the learner's activity to a real LRS (Ralph on loopback).

The learner types the LRS settings into the dialog (a bad address is refused in one
sentence and nothing is saved), plays, skips and pauses a real lesson with the
lesson's keys, and goes back to the library; the window's background sync sends the
queue and its status says so. What Ralph holds is read back with GET. With the LRS
gone the status says "offline" and the statements wait.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox

from shared import xapi
from shared.lrs import Endpoint, fetch_statements
from tests.lrs import lrs_unreachable_url
from tests.player.conftest import COURSE_ID

WAIT = 30_000  # ms; generous, the machines are shared


def _fill(qtbot, dialog, values: dict[str, str]) -> None:
    for name, value in values.items():
        field = dialog.fields[name]
        field.setFocus()
        field.selectAll()
        qtbot.keyClick(field, Qt.Key.Key_Delete)
        qtbot.keyClicks(field, value)


def _save(qtbot, dialog) -> None:
    button = dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Save)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def test_the_window_sends_what_the_learner_did_and_shows_it(qtbot, window, lrs):
    lesson_id = window.library.lessons(COURSE_ID)[0].id
    assert window.open_lesson(COURSE_ID, lesson_id, 0.0)
    view = window.lesson_view
    qtbot.waitUntil(view.video.is_loaded, timeout=WAIT)
    window.activateWindow()
    view.video.setFocus()
    qtbot.keyClick(view.video, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: view.video.position() > 1.5, timeout=WAIT)
    qtbot.keyClick(view.video, Qt.Key.Key_L)  # forward 10 s: a seek
    qtbot.waitUntil(lambda: view.video.position() > 11.0, timeout=WAIT)
    qtbot.keyClick(view.video, Qt.Key.Key_K)
    qtbot.waitUntil(lambda: not view.video.is_playing(), timeout=WAIT)
    waiting = window.library.outbox.counts().waiting
    assert waiting >= 4  # initialized, played, seeked, paused
    assert window.sync.label.text() == f"LRS: not set ({waiting} kept here)"
    window.show_library()  # leaving the lesson terminates it; no LRS: nothing goes out
    assert window.sync.job is None and not window.sync.timer.isActive()

    window.lrs_action.trigger()
    dialog = window.lrs_dialog
    qtbot.waitExposed(dialog)
    _fill(qtbot, dialog, {"lrs_address": "lrs.example.org", "lrs_user": lrs.user})
    _save(qtbot, dialog)
    assert dialog.isVisible() and dialog.error_label.isVisible()
    assert "lrs_address" in dialog.error_label.text()
    assert window.library.setting("lrs_user") == ""  # nothing of it was saved
    _fill(qtbot, dialog, {"lrs_address": lrs.url, "lrs_key": lrs.key})
    _save(qtbot, dialog)
    assert not dialog.isVisible()
    qtbot.waitUntil(lambda: window.sync.label.text().startswith("LRS: all sent"), timeout=WAIT)
    assert window.library.outbox.counts().waiting == 0

    learner = window.library.activity.learner_id()
    agent = {"objectType": "Agent", "account": {"homePage": "urn:lectern", "name": learner}}
    held = list(fetch_statements(Endpoint(lrs.url, lrs.user, lrs.key), agent=agent))
    verbs = [s["verb"]["id"].rsplit("/", 1)[-1] for s in held]
    for verb in ("initialized", "played", "seeked", "paused", "terminated"):
        assert verb in verbs, verbs
    seeked = next(s for s in held if s["verb"]["id"] == xapi.VERBS["seeked"])
    jump = seeked["result"]["extensions"]
    assert jump[xapi.EXT["time-to"]] - jump[xapi.EXT["time-from"]] > 8
    terminated = next(s for s in held if s["verb"]["id"] == xapi.VERBS["terminated"])
    assert terminated["result"]["extensions"][xapi.EXT["progress"]] > 0


def test_with_the_lrs_unreachable_the_status_says_offline_and_keeps_the_queue(qtbot, window):
    window.library.set_setting("lrs_address", lrs_unreachable_url())
    lesson_id = window.library.lessons(COURSE_ID)[0].id
    assert window.open_lesson(COURSE_ID, lesson_id, 0.0)
    window.show_library()
    qtbot.waitUntil(lambda: window.sync.last is not None, timeout=WAIT)
    waiting = window.library.outbox.counts().waiting
    assert waiting >= 2  # initialized and terminated at least
    assert window.sync.last.unreachable
    assert window.sync.label.text() == f"LRS: offline, {waiting} waiting"
    assert "cannot be reached" in window.sync.label.toolTip()
    assert window.sync.timer.isActive()  # tried again later
