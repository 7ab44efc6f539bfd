"""Runs inside the test Wayland desktop (tests/wayland.py): a recording from the Studio
window while the desktop's picker is open, driven as a teacher would.

``python -c 'from tests.studio.wayland_share_driver import main; main()' SCENARIO FOLDER CHOICE``

``cancel``: while the picker waits, the event loop must keep turning; then the
prompt's Cancel is clicked. ``choose``: the person picks the screen in the picker
(the file CHOICE names the output) and the recording runs for two seconds.
``no-stream``: on a desktop whose PipeWire links nothing (no WirePlumber) the portal
shares the screen but no picture comes; while the recorder waits for the stream the
event loop must keep turning, then the one-sentence failure comes. Prints what was
seen as JSON.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

os.environ["QT_QPA_PLATFORM"] = "offscreen"

from PySide6.QtCore import Qt, QTimer  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from studio.capture import RecordingSettings  # noqa: E402
from studio.ui.recording import RecordingSession  # noqa: E402

TICK_MS = 20
#: Event-loop turns to see while the picker is open before the person acts (~1 s).
TURNS = 50


def wait(app: QApplication, condition, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while not condition() and time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.01)
    return bool(condition())


def main() -> None:
    scenario, folder, choice = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
    app = QApplication(["lectern-studio"])
    settings = RecordingSettings(screen="0", mic="none", camera="none")
    session = RecordingSession(folder, settings, countdown=False)
    seen: dict = {"signals": []}
    for name in ("starting", "started", "cancelled", "failed", "finished"):
        getattr(session, name).connect(lambda *args, n=name: seen["signals"].append(n))
    turns = {"while choosing": 0, "while starting": 0}

    def tick() -> None:
        if session.state == "choosing":
            turns["while choosing"] += 1
        if session.busy == "starting":
            turns["while starting"] += 1

    timer = QTimer()
    timer.timeout.connect(tick)
    timer.start(TICK_MS)
    session.start()
    seen["state after start"] = session.state
    if scenario == "no-stream":
        seen["loop turned"] = wait(app, lambda: turns["while starting"] >= TURNS, 60)
        seen["bar says"] = session.bar.state_label.text() if session.bar else None
        seen["failed"] = wait(app, lambda: "failed" in seen["signals"], 90)
        seen["turns while starting"] = turns["while starting"]
        seen["state"], seen["error"] = session.state, session.error
        seen["bar gone"] = session.bar is None
        seen["kept"] = sorted(p.name for p in folder.iterdir()) if folder.exists() else []
        print(json.dumps(seen))
        sys.stdout.flush()
        session.shutdown()
        return
    seen["prompt shown"] = session.share_prompt is not None and session.share_prompt.isVisible()
    seen["loop turned"] = wait(app, lambda: turns["while choosing"] >= TURNS, 60)
    seen["still choosing"] = session.state == "choosing"
    if scenario == "cancel":
        QTest.mouseClick(session.share_prompt.cancel_button, Qt.MouseButton.LeftButton)
        seen["cancelled"] = wait(app, lambda: "cancelled" in seen["signals"], 10)
        seen["prompt gone"] = session.share_prompt is None
        seen["kept"] = sorted(p.name for p in folder.iterdir()) if folder.exists() else []
    else:
        choice.write_text("HEADLESS-1\n")  # the person picks the screen
        seen["started"] = wait(app, lambda: "started" in seen["signals"], 60)
        seen["prompt gone"] = session.share_prompt is None
        wait(app, lambda: session.recorder.elapsed() > 2.0, 30)
        session.stop()
        seen["finished"] = wait(app, lambda: "finished" in seen["signals"], 60)
    seen["turns while choosing"] = turns["while choosing"]
    seen["state"] = session.state
    seen["error"] = session.error
    print(json.dumps(seen))
    sys.stdout.flush()
    session.shutdown()


if __name__ == "__main__":
    main()
