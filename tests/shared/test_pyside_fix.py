"""The PySide6 reference-count work-arounds: many emits and void calls do not abort.

Run in a child process: without the work-around the interpreter aborts, which must
fail this test rather than end the test run.
"""

from __future__ import annotations

import subprocess
import sys

CHILD = """
import os
os.environ["QT_QPA_PLATFORM"] = "offscreen"
import shared.ui
from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QColor, QImage, QPainter

class Ping(QObject):
    ping = Signal()

ping = Ping()
image = QImage(8, 8, QImage.Format.Format_ARGB32)
painter = QPainter(image)
for _ in range(50_000):  # ten times more than None's and True's references in a fresh process
    ping.ping.emit()
    painter.setBrush(QColor("#fff"))
painter.end()
print("alive")
"""


def test_many_emits_and_void_calls_leave_the_interpreter_alive():
    result = subprocess.run(
        [sys.executable, "-c", CHILD], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "alive"
