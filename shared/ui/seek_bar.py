"""A seek bar with chapter marks and a hover tooltip that shows the time under the mouse."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QPoint, QRect, Qt, Signal
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPaintEvent
from PySide6.QtWidgets import QSlider, QStyle, QStyleOptionSlider, QToolTip, QWidget

from shared.ui import theme

__all__ = ["SeekBar", "format_time"]


def format_time(seconds: float) -> str:
    """``83.4`` -> ``"1:23"``, ``3723`` -> ``"1:02:03"``."""
    total = int(max(0.0, seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:d}:{secs:02d}"


class SeekBar(QSlider):
    """A horizontal slider in milliseconds that seeks where it is clicked.

    Signals:
        seekRequested(float): the learner chose a time, in seconds (click, drag
            release or keys).
    """

    seekRequested = Signal(float)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(Qt.Orientation.Horizontal, parent)
        self.setAccessibleName("Seek bar")
        self.setMouseTracking(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setRange(0, 0)
        self.setSingleStep(5000)
        self.setPageStep(10000)
        self.setMinimumHeight(22)
        self._marks: list[tuple[float, str]] = []
        self._dragging = False
        self.actionTriggered.connect(self._action)

    # ------------------------------------------------------------------ model

    def set_duration(self, seconds: float) -> None:
        self.setRange(0, max(0, int(seconds * 1000)))

    def set_position(self, seconds: float) -> None:
        """Show the playing position (ignored while the learner drags)."""
        if not self._dragging:
            self.blockSignals(True)
            self.setValue(int(seconds * 1000))
            self.blockSignals(False)

    def set_chapters(self, marks: Sequence[tuple[float, str]]) -> None:
        """Chapter starts ``(seconds, title)`` to draw as ticks and name in the tooltip."""
        self._marks = sorted(marks)
        self.update()

    def chapter_marks(self) -> list[tuple[float, str]]:
        return list(self._marks)

    # --------------------------------------------------------------- geometry

    def _groove(self) -> QRect:
        option = QStyleOptionSlider()
        self.initStyleOption(option)
        return self.style().subControlRect(
            QStyle.ComplexControl.CC_Slider, option, QStyle.SubControl.SC_SliderGroove, self
        )

    def seconds_at(self, x: int) -> float:
        """The time under horizontal pixel ``x``."""
        groove = self._groove()
        span = max(1, groove.width())
        fraction = min(1.0, max(0.0, (x - groove.left()) / span))
        return fraction * self.maximum() / 1000

    def x_for(self, seconds: float) -> int:
        groove = self._groove()
        if self.maximum() <= 0:
            return groove.left()
        return groove.left() + round(groove.width() * seconds * 1000 / self.maximum())

    # ----------------------------------------------------------------- events

    def _action(self, action: int) -> None:
        # Keyboard steps and page clicks: seek to where the slider is about to go.
        if (
            action
            in (
                QSlider.SliderAction.SliderSingleStepAdd,
                QSlider.SliderAction.SliderSingleStepSub,
                QSlider.SliderAction.SliderPageStepAdd,
                QSlider.SliderAction.SliderPageStepSub,
                QSlider.SliderAction.SliderToMinimum,
                QSlider.SliderAction.SliderToMaximum,
            )
            and not self._dragging
        ):
            self.seekRequested.emit(self.sliderPosition() / 1000)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton and self.maximum() > 0:
            # Jump straight to the click, then let the slider drag from there.
            value = int(self.seconds_at(event.position().toPoint().x()) * 1000)
            self.setSliderPosition(value)
            self.setValue(value)
            self._dragging = True
            self.setSliderDown(True)
            event.accept()
            return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        point = event.position().toPoint()
        if self._dragging:
            value = int(self.seconds_at(point.x()) * 1000)
            self.setSliderPosition(value)
        QToolTip.showText(self.mapToGlobal(QPoint(point.x(), -8)), self.hover_text(point.x()), self)
        event.accept()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self._dragging and event.button() == Qt.MouseButton.LeftButton:
            self.setSliderDown(False)
            self._dragging = False
            self.seekRequested.emit(self.sliderPosition() / 1000)
            event.accept()
            return
        super().mouseReleaseEvent(event)

    def hover_text(self, x: int) -> str:
        """The tooltip for pixel ``x``: the time and the chapter it falls in."""
        seconds = self.seconds_at(x)
        title = ""
        for start, name in self._marks:
            if start <= seconds + 1e-6:
                title = name
        return f"{format_time(seconds)}  ·  {title}" if title else format_time(seconds)

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if not self._marks or self.maximum() <= 0:
            return
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        groove = self._groove()
        middle = groove.center().y()
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(theme.SURFACE))
        for start, _ in self._marks:
            if start <= 0:
                continue
            x = self.x_for(start)
            painter.drawRoundedRect(QRect(x - 1, middle - 5, 3, 10), 1, 1)
        painter.end()
