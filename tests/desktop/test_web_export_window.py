"""The Studio's "Export for LMS / web" dialog, driven as a teacher drives it.

On a real X server with a window manager: Ctrl+Shift+E, clicks on the format and the
buttons, the destination typed; the export itself is the real one (a SCORM zip that
is then opened and read). Cancel is checked on a real dialog whose export is
cancelled while it waits for the worker's one thread.
"""

from __future__ import annotations

import threading
import zipfile
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from shared.ui.worker import Worker
from studio.ui.web_export_dialog import WebExportDialog


def test_export_for_lms_with_keys_and_clicks(desktop_720, course_folder, tmp_path):
    seen = desktop_720.drive("studio", "web-export", course_folder, tmp_path)
    assert seen["ctrl+shift+e opens"], seen
    assert seen["suggested"].endswith("Earth Science (scorm12).zip"), seen
    assert seen["web folder suggested"].endswith("Earth Science (web)"), seen
    # A destination under a file: one sentence, nothing else.
    assert seen["error shown"], seen
    error = seen["error"]
    assert "not-a-folder" in error and "\n" not in error and error.endswith("."), error
    # ".zip" is added for a package; the SCORM zip holds the manifest and the player.
    output = Path(seen["output"])
    assert seen["exported"] and output == tmp_path / "exports" / "earth.zip", seen
    with zipfile.ZipFile(output) as archive:
        names = archive.namelist()
        assert archive.testzip() is None
    assert names[0] == "imsmanifest.xml" and "index.html" in names, names
    assert any(name.endswith("/video.mp4") for name in names), names
    assert seen["progress"] == 1000 and "Exported" in seen["status"], seen
    assert seen["window free again"], seen
    assert seen["open folder shown"] and seen["opened"] == [str(output.parent)], seen
    assert seen["closed"], seen


def test_cancel_leaves_nothing(qapp, qtbot, tmp_path, course_folder):
    worker = Worker(max_threads=1)
    release = threading.Event()
    # The pool's one thread is busy, so the export waits: Cancel lands before it runs.
    worker.submit("holding the pool", lambda _inputs, _state: release.wait(60))
    dialog = WebExportDialog(course_folder, worker)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.select("web-zip")
    dialog.destination_box.setText(str(tmp_path / "web"))
    QTest.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    assert dialog.job is not None and dialog.cancel_button.text() == "Cancel"
    assert not dialog.export_button.isEnabled()
    QTest.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    release.set()
    qtbot.waitUntil(lambda: dialog.job is None, timeout=60_000)
    assert dialog.result_path is None and dialog.error is None
    assert "Cancelled" in dialog.status_label.text()
    assert not (tmp_path / "web.zip").exists()
    assert [p.name for p in tmp_path.iterdir() if "web" in p.name] == []
    assert dialog.isVisible() and dialog.export_button.isEnabled()
    worker.wait(10_000)
