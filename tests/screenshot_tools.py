"""What the screenshot scripts share: waiting on the event loop and grabbing the screen.

The scripts run under Xvfb with the xcb platform; a screen grab (not ``widget.grab()``)
is what shows video surfaces.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEventLoop, QRect, QTimer
from PySide6.QtWidgets import QApplication, QWidget


def wait(ms: int) -> None:
    """Run the event loop for ``ms`` milliseconds."""
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def wait_until(condition: Callable[[], object], timeout: float = 30.0) -> None:
    """Run the event loop until ``condition()`` is true (``TimeoutError`` after ``timeout`` s)."""
    end = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > end:
            raise TimeoutError("the window did not get there in time")
        wait(50)


def shoot(widget: QWidget, path: Path, rect: QRect | None = None) -> None:
    """Save the part of the screen under ``rect`` (the widget's frame by default) to ``path``."""
    QApplication.processEvents()
    rect = rect if rect is not None else widget.frameGeometry()
    picture = widget.screen().grabWindow(0, rect.x(), rect.y(), rect.width(), rect.height())
    path.parent.mkdir(parents=True, exist_ok=True)
    if not picture.save(str(path)):
        raise OSError(f"cannot write {path}")
    print(f"wrote {path} ({picture.width()}x{picture.height()})")
