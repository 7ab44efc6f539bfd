"""The 3-2-1 before a recording starts, big in the middle of the recorded screen."""

from __future__ import annotations

from PySide6.QtCore import QRect, Qt, QTimer, Signal
from PySide6.QtGui import (
    QColor,
    QGuiApplication,
    QKeySequence,
    QPainter,
    QPaintEvent,
    QRegion,
    QScreen,
    QShortcut,
)
from PySide6.QtWidgets import QWidget

from studio.hotkeys import PAUSE_SHORTCUT, STOP_SHORTCUT

__all__ = ["Countdown"]

SIZE = 240


class Countdown(QWidget):
    """A round, frameless 3-2-1 on top of everything; Esc (or a click) cancels.

    The round shape is a window mask, so it needs no compositor. Call
    :meth:`start`; ``finished`` comes after the last second, with the window already
    hidden, or ``cancelled`` if the teacher changed their mind.
    """

    finished = Signal()
    cancelled = Signal()

    def __init__(
        self,
        seconds: int = 3,
        screen: QScreen | None = None,
        keys: tuple[str, str] = (PAUSE_SHORTCUT, STOP_SHORTCUT),
    ) -> None:
        super().__init__(
            None,
            Qt.WindowType.FramelessWindowHint
            | Qt.WindowType.WindowStaysOnTopHint
            | Qt.WindowType.Tool,
        )
        self.setAccessibleName("Recording starts in")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.seconds = max(1, int(seconds))
        #: The desktop-wide pause and stop shortcuts, said under the count.
        self.keys = keys
        self.left = self.seconds
        self._screen = screen or QGuiApplication.primaryScreen()
        self._timer = QTimer(self)
        self._timer.setInterval(1000)
        self._timer.timeout.connect(self._tick)
        self._over = False
        self.setFixedSize(SIZE, SIZE)
        self.setMask(QRegion(QRect(0, 0, SIZE, SIZE), QRegion.RegionType.Ellipse))
        cancel = QShortcut(QKeySequence(Qt.Key.Key_Escape), self)
        cancel.setContext(Qt.ShortcutContext.ApplicationShortcut)
        cancel.activated.connect(self.cancel)

    def start(self) -> None:
        """Show the count in the middle of the screen and start it."""
        self.left = self.seconds
        centre = self._screen.geometry().center()
        self.move(centre.x() - SIZE // 2, centre.y() - SIZE // 2)
        self.show()
        self.raise_()
        self.activateWindow()
        self._timer.start()

    def cancel(self) -> None:
        """Stop counting; ``cancelled`` follows."""
        self._end(self.cancelled)

    def _tick(self) -> None:
        self.left -= 1
        if self.left <= 0:
            self._end(self.finished)
        else:
            self.setAccessibleDescription(str(self.left))
            self.update()

    def _end(self, signal) -> None:
        if self._over:
            return
        self._over = True
        self._timer.stop()
        self.hide()
        signal.emit()

    def keyPressEvent(self, event) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self.cancel()
        else:
            super().keyPressEvent(event)

    def mousePressEvent(self, event) -> None:
        self.cancel()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), QColor("#11151c"))
        painter.setPen(QColor("#e0423a"))
        pen = painter.pen()
        pen.setWidth(8)
        painter.setPen(pen)
        painter.drawEllipse(self.rect().adjusted(6, 6, -6, -6))
        font = painter.font()
        font.setPixelSize(104)
        font.setBold(True)
        painter.setFont(font)
        painter.setPen(QColor("white"))
        painter.drawText(
            self.rect().adjusted(0, -40, 0, -40), Qt.AlignmentFlag.AlignCenter, str(self.left)
        )
        font.setPixelSize(13)
        font.setBold(False)
        painter.setFont(font)
        painter.setPen(QColor("#9aa4b5"))
        pause, stop = self.keys
        painter.drawText(
            self.rect().adjusted(0, 0, 0, -26),
            Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom,
            f"Esc cancels\n{pause} pauses\n{stop} stops",
        )
        painter.end()
