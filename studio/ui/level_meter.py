"""A horizontal microphone meter: RMS bar and peak hold on a dBFS scale."""

from __future__ import annotations

import time

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

__all__ = ["LevelMeter", "FLOOR_DBFS"]

#: The quiet end of the scale; anything below shows as an empty meter.
FLOOR_DBFS = -60.0
AMBER_DBFS = -18.0
RED_DBFS = -6.0
PEAK_HOLD_SECONDS = 1.5
PEAK_FALL_DB_PER_SECOND = 20.0
GREEN, AMBER, RED = QColor("#2fb35a"), QColor("#f0a020"), QColor("#e0423a")


def fraction(dbfs: float) -> float:
    """Where ``dbfs`` sits on the meter, 0 (floor) to 1 (full scale)."""
    return min(1.0, max(0.0, 1.0 - dbfs / FLOOR_DBFS))


class LevelMeter(QWidget):
    """Shows the RMS level as a bar (green, amber from -18 dBFS, red from -6 dBFS)
    and the peak as a line held for a moment, then falling."""

    def __init__(self, parent: QWidget | None = None, dark: bool = False) -> None:
        super().__init__(parent)
        self.rms = FLOOR_DBFS
        self.peak = FLOOR_DBFS
        self.hold = FLOOR_DBFS
        self._hold_at = 0.0
        self._dark = dark
        self.setAccessibleName("Microphone level")
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setMinimumWidth(80)

    def sizeHint(self) -> QSize:
        return QSize(160, 12)

    def set_level(self, rms_dbfs: float | None, peak_dbfs: float | None = None) -> None:
        """Show a new level; ``None`` empties the meter (no microphone)."""
        self.rms = FLOOR_DBFS if rms_dbfs is None else max(FLOOR_DBFS, rms_dbfs)
        self.peak = self.rms if peak_dbfs is None else max(FLOOR_DBFS, peak_dbfs)
        now = time.monotonic()
        falling = self.hold - PEAK_FALL_DB_PER_SECOND * max(
            0.0, now - self._hold_at - PEAK_HOLD_SECONDS
        )
        if self.peak >= falling:
            self.hold, self._hold_at = self.peak, now
        else:
            self.hold = max(FLOOR_DBFS, falling)
            self._hold_at = now - PEAK_HOLD_SECONDS
        self.setAccessibleDescription(f"{self.rms:.0f} dBFS")
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5)
        painter.setPen(QColor("#3a4454" if self._dark else "#c5ccd8"))
        painter.setBrush(QColor("#1c2330" if self._dark else "#e9edf3"))
        painter.drawRoundedRect(rect, 3, 3)
        inner = rect.adjusted(2, 2, -2, -2)
        width = inner.width() * fraction(self.rms)
        painter.setPen(Qt.PenStyle.NoPen)
        for start_db, end_db, colour in (
            (FLOOR_DBFS, AMBER_DBFS, GREEN),
            (AMBER_DBFS, RED_DBFS, AMBER),
            (RED_DBFS, 0.0, RED),
        ):
            left = inner.left() + inner.width() * fraction(start_db)
            right = min(inner.left() + width, inner.left() + inner.width() * fraction(end_db))
            if right > left:
                painter.setBrush(colour)
                painter.drawRect(QRectF(left, inner.top(), right - left, inner.height()))
        if self.hold > FLOOR_DBFS:
            x = inner.left() + inner.width() * fraction(self.hold)
            colour = RED if self.hold >= RED_DBFS else AMBER if self.hold >= AMBER_DBFS else GREEN
            painter.setBrush(colour.lighter(130))
            painter.drawRect(QRectF(min(x, inner.right() - 2), inner.top(), 2, inner.height()))
        painter.end()
