"""Drives Settings' "Import model pack…" on a real X display, as a person would.

``python -m tests.studio.drive_model_import SCENARIO PACK INI OUT`` opens the Studio's
settings dialog on ``$DISPLAY`` (platform xcb), picks "Import model pack…" in the model
list with the keyboard, types PACK into the file dialog and presses Enter, all with
``xdotool`` (XTEST, through the X server). Scenario ``cancel`` then clicks the
"Cancel import" button with the mouse as soon as the progress bar shows; scenario
``finish`` waits for the import (and its speed measurement) to end. What the dialog
showed is written to the JSON file OUT.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

os.environ["QT_QPA_PLATFORM"] = "xcb"

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication, QWidget

import shared.ui  # noqa: F401  (the PySide6 emit fix, before any signal)
from studio.settings import Settings
from studio.ui.settings_dialog import SettingsDialog


def wait(condition: Callable[[], object], timeout: float = 60.0) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        QApplication.processEvents()
        if condition():
            return True
        time.sleep(0.01)
    return bool(condition())


def xdotool(*args: str) -> None:
    subprocess.run(["xdotool", *args], check=True, timeout=20)


def click(widget: QWidget) -> None:
    """A real left click in the middle of ``widget`` (the mouse moves there first)."""
    centre = widget.mapToGlobal(widget.rect().center())
    xdotool("mousemove", "--sync", str(centre.x()), str(centre.y()), "click", "1")


def answer_file_dialog(pack: str, seen: dict) -> None:
    """Wait for the file dialog on the X server, type ``pack`` into it and press Enter."""
    title = "Import a speech model pack"
    found = subprocess.run(
        ["xdotool", "search", "--sync", "--onlyvisible", "--name", title],
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout.split()
    if found:
        seen["file_dialog"] = title
        xdotool("windowfocus", "--sync", found[0])
        xdotool("type", "--delay", "10", pack)
        xdotool("key", "Return")


def main(scenario: str, pack: str, ini: str, out: str) -> int:
    app = QApplication(sys.argv)
    dialog = SettingsDialog(Settings(QSettings(ini, QSettings.Format.IniFormat)))
    dialog.show()
    wait(dialog.isVisible, 10)
    xdotool("windowfocus", "--sync", str(int(dialog.winId())))
    dialog.model_box.setFocus()
    wait(dialog.model_box.hasFocus, 5)
    seen: dict = {"progress": [], "statuses": []}
    # The file dialog runs its own event loop, so its keys are typed from another thread.
    typist = threading.Thread(target=answer_file_dialog, args=(pack, seen), daemon=True)
    typist.start()
    steps = dialog.model_box.findData("\x00import") - dialog.model_box.currentIndex()
    xdotool("key", "--delay", "60", *["Down"] * steps)  # activates "Import model pack…"
    wait(lambda: dialog.import_job is not None, 60)
    job = dialog.import_job
    seen["started"] = job is not None
    if job is not None:
        job.progress.connect(lambda f: seen["progress"].append(round(f, 3)))
        job.status.connect(seen["statuses"].append)
        job.cancelled.connect(lambda: seen.setdefault("outcome", "cancelled"))
        job.succeeded.connect(lambda _m: seen.setdefault("outcome", "succeeded"))
        job.failed.connect(lambda _m: seen.setdefault("outcome", "failed"))
    wait(lambda: dialog.import_row.isVisible() and dialog.import_progress.value() > 0, 30)
    seen["bar_shown"] = dialog.import_row.isVisible()
    seen["ok_enabled_while_importing"] = dialog.ok_button.isEnabled()
    wait(lambda: dialog.import_progress.value() >= 30, 30)
    dialog.grab().save(str(Path(out).with_name(Path(out).stem + "-importing.png")))
    if scenario == "cancel":
        click(dialog.import_cancel)
    wait(lambda: dialog.import_job is None, 300)
    seen["bar_hidden_after"] = not dialog.import_row.isVisible()
    seen["note"] = dialog.model_note.text()
    seen["model"] = dialog.model_box.currentData()
    seen["model_label"] = dialog.model_box.currentText()
    seen["ok_enabled_after"] = dialog.ok_button.isEnabled()
    grab = dialog.grab()
    grab.save(str(Path(out).with_suffix(".png")))
    Path(out).write_text(json.dumps(seen, indent=1))
    dialog.close()
    app.processEvents()
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:5]))
