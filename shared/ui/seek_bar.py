"""A seek bar with chapter marks and a hover tooltip that shows the time under the mouse.

For editing it can also shade ranges that are left out (hatched grey), let the user
select a range with Shift+drag, and let chapter marks be dragged to a new time. It can
zoom in on part of the timeline (Ctrl+wheel), write the transcript's words along it when
zoomed in far enough, and show in and out points that drag to a new time, snapped by a
function the owner gives (Shift held while dragging: no snapping).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QLine, QPoint, QRect, Qt, Signal
from PySide6.QtGui import (
    QBrush,
    QColor,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
    QPixmap,
    QWheelEvent,
)
from PySide6.QtWidgets import QSlider, QStyle, QStyleOptionSlider, QToolTip, QWidget

from shared.timecode import clock
from shared.ui import theme
from shared.ui.plain import plain_tip

__all__ = ["CHECKPOINT_COLOURS", "SeekBar"]

#: The colour of a checkpoint by its state, on the seek bar and in lists of questions.
CHECKPOINT_COLOURS = {
    "open": theme.ACCENT,
    "required": "#d9822b",
    "right": theme.BOOKMARK,
    "wrong": "#e0564f",
}


class SeekBar(QSlider):
    """A horizontal slider in milliseconds that seeks where it is clicked.

    Signals:
        seekRequested(float): the learner chose a time, in seconds (click, drag
            release or keys).
        selectionChanged(): a range was selected with Shift+drag (or cleared).
        markMoved(int, float): chapter mark ``index`` (in start order) was dragged
            to a time, seconds.
        trimMoved(str, float): the ``"in"`` or ``"out"`` point was dragged to a time,
            seconds (snapped unless Shift was held when it was let go).
    """

    seekRequested = Signal(float)
    selectionChanged = Signal()
    markMoved = Signal(int, float)
    trimMoved = Signal(str, float)

    #: How near (pixels) a press must be to a chapter mark to drag it.
    GRAB = 5
    #: The words are written along the bar when it shows at most this many seconds.
    WORDS_SPAN = 30.0
    #: The shortest stretch of time the bar zooms in to, seconds.
    MIN_SPAN = 2.0

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
        self._notes: list[tuple[float, str, str]] = []
        self._questions: list[tuple[float, str, str]] = []
        self._waveform: list[float] = []
        self._wave_key: tuple[float, ...] | None = None
        self._wave_picture = QPixmap()
        self._dragging = False
        self._ranges: list[tuple[float, float]] = []
        self._range_label = ""
        self._selection: tuple[float, float] | None = None
        self._selectable = False
        self._anchor: float | None = None
        self._movable = False
        self._moving: int | None = None
        self._moved_to = 0.0
        self._press_x = 0
        self._view: tuple[float, float] | None = None  # None: the whole duration
        self._zoomable = False
        self._words: list[tuple[float, float, str]] = []
        self._trim: dict[str, float] = {}
        self._snap: Callable[[float], float] | None = None
        self._trimming: str | None = None
        self._trim_to = 0.0
        self.actionTriggered.connect(self._action)

    # ------------------------------------------------------------------ model

    def set_duration(self, seconds: float) -> None:
        self.setRange(0, max(0, int(seconds * 1000)))
        self._view = None
        self.update()

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

    def set_note_marks(self, marks: Sequence[tuple[float, str, str]]) -> None:
        """The learner's notes and bookmarks ``(seconds, kind, text)``, drawn above the groove."""
        self._notes = sorted(marks)
        self.update()

    def note_marks(self) -> list[tuple[float, str, str]]:
        return list(self._notes)

    def set_checkpoint_marks(self, marks: Sequence[tuple[float, str, str]]) -> None:
        """Checkpoints ``(seconds, state, name)`` to draw as diamonds below the groove.

        ``state`` colours the diamond: ``"open"``, ``"required"``, ``"right"`` or ``"wrong"``.
        """
        self._questions = sorted(marks)
        if self._questions:
            self.setMinimumHeight(max(self.minimumHeight(), 32))
        self.update()

    def checkpoint_marks(self) -> list[tuple[float, str, str]]:
        return list(self._questions)

    def set_waveform(self, peaks: Sequence[float]) -> None:
        """Loudness peaks (0..1) spread evenly over the duration, drawn along the groove."""
        self._waveform = list(peaks)
        self.setMinimumHeight(40 if self._waveform else 22)
        self.update()

    def waveform(self) -> list[float]:
        return list(self._waveform)

    def _draw_waveform(self, groove: QRect) -> QPixmap:
        width, count = max(1, groove.width()), len(self._waveform)
        picture = QPixmap(width, max(1, self.height()))
        picture.fill(Qt.GlobalColor.transparent)
        middle, half = groove.center().y(), max(4, self.height() // 2 - 2)
        lines = []
        start, end = self.view()
        total = max(1e-9, self.maximum() / 1000)
        for x in range(width):
            at = start + (end - start) * x / width
            reach = round(self._waveform[min(count - 1, int(at / total * count))] * half)
            if reach:
                lines.append(QLine(x, middle - reach, x, middle + reach))
        painter = QPainter(picture)
        painter.setPen(QColor(theme.WAVEFORM))
        painter.drawLines(lines)  # one call: no Python round trip per column
        painter.end()
        return picture

    def paintEvent(self, event: QPaintEvent) -> None:
        if self._waveform and self.maximum() > 0:  # behind the groove and the handle
            groove = self._groove()
            key = (groove.width(), self.height(), len(self._waveform), id(self._waveform))
            key += self.view()
            if self._wave_key != key:  # drawn once per size and waveform, then reused
                self._wave_key, self._wave_picture = key, self._draw_waveform(groove)
            painter = QPainter(self)
            painter.drawPixmap(groove.left(), 0, self._wave_picture)
            painter.end()
        self._paint_marks(event)

    # ------------------------------------------------------------- zoom, words

    def set_zoomable(self, on: bool) -> None:
        """Let Ctrl+wheel zoom in and out (and the wheel move along while zoomed in)."""
        self._zoomable = on

    def view(self) -> tuple[float, float]:
        """The stretch of time shown, ``(start, end)`` in seconds."""
        return self._view if self._view is not None else (0.0, self.maximum() / 1000)

    def set_view(self, start: float, end: float) -> None:
        """Show only ``[start, end]`` seconds (at least :attr:`MIN_SPAN`); the whole if it covers all."""
        total = self.maximum() / 1000
        span = min(total, max(self.MIN_SPAN, end - start))
        start = min(max(0.0, start), total - span)
        self._view = None if span >= total - 1e-6 else (start, start + span)
        self.update()

    def zoom(self, factor: float, around: float | None = None) -> None:
        """Zoom in (``factor`` > 1) or out around ``around`` seconds (default: the playhead)."""
        start, end = self.view()
        around = self.value() / 1000 if around is None else around
        around = min(max(start, around), end)
        span = (end - start) / factor
        left = around - (around - start) / factor
        self.set_view(left, left + span)

    def set_words(self, words: Sequence[tuple[float, float, str]]) -> None:
        """The transcript's words ``(start, end, text)``, written along the bar when zoomed in."""
        self._words = sorted((float(a), float(b), str(t).strip()) for a, b, t in words)
        self.update()

    def words_shown(self) -> list[str]:
        """The words written along the bar now (none unless zoomed in far enough)."""
        return [text for _, text in self._word_layout()]

    def _word_layout(self) -> list[tuple[int, str]]:
        start, end = self.view()
        if not self._words or self.maximum() <= 0 or end - start > self.WORDS_SPAN:
            return []
        metrics = self.fontMetrics()
        placed: list[tuple[int, str]] = []
        right = -(10**9)
        for word_start, word_end, text in self._words:
            if word_end < start or word_start > end or not text:
                continue
            x = self.x_for(word_start)
            if x >= right + 3:  # no word written over the one before it
                placed.append((x, text))
                right = x + metrics.horizontalAdvance(text)
        return placed

    def wheelEvent(self, event: QWheelEvent) -> None:
        if not self._zoomable or self.maximum() <= 0:
            super().wheelEvent(event)
            return
        steps = event.angleDelta().y() / 120
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self.zoom(2.0**steps, self.seconds_at(round(event.position().x())))
        elif self._view is not None:
            start, end = self.view()
            shift = -steps * (end - start) / 4
            self.set_view(start + shift, end + shift)
        event.accept()

    # ---------------------------------------------------------- in, out points

    def set_trim_points(self, in_point: float | None, out_point: float | None) -> None:
        """The in and out points to draw as handles (``None``: not set)."""
        self._trim = {
            name: float(at) for name, at in (("in", in_point), ("out", out_point)) if at is not None
        }
        self.update()

    def trim_points(self) -> dict[str, float]:
        return dict(self._trim)

    def set_snap(self, snap: Callable[[float], float] | None) -> None:
        """Where a dragged in or out point goes for a time (Shift held: nowhere else)."""
        self._snap = snap

    def trim_near(self, x: int) -> str | None:
        """``"in"`` or ``"out"`` when that point's handle is within :attr:`GRAB` pixels of ``x``."""
        best, found = self.GRAB + 1, None
        for name, at in self._trim.items():
            distance = abs(self.x_for(at) - x)
            if distance < best:
                best, found = distance, name
        return found

    def _trim_target(self, x: int, modifiers: Qt.KeyboardModifier) -> float:
        at = self.seconds_at(x)
        exact = bool(modifiers & Qt.KeyboardModifier.ShiftModifier)
        return at if exact or self._snap is None else self._snap(at)

    def set_ranges(self, ranges: Sequence[tuple[float, float]], label: str = "") -> None:
        """Ranges ``(start, end)`` in seconds to shade as left out; ``label`` names them on hover."""
        self._ranges = sorted((float(a), float(b)) for a, b in ranges if b > a)
        self._range_label = label
        self.update()

    def ranges(self) -> list[tuple[float, float]]:
        return list(self._ranges)

    def set_selectable(self, on: bool) -> None:
        """Allow selecting a range with Shift+drag."""
        self._selectable = on

    def set_marks_movable(self, on: bool) -> None:
        """Allow dragging chapter marks (all but one at 0) to a new time."""
        self._movable = on

    def selection(self) -> tuple[float, float] | None:
        """The selected range ``(start, end)`` in seconds, or ``None``."""
        return self._selection

    def set_selection(self, start: float | None, end: float | None) -> None:
        """Select ``[start, end]`` (either order); ``None`` for either clears it."""
        if start is None or end is None or abs(end - start) < 1e-3:
            selection = None
        else:
            selection = (min(start, end), max(start, end))
        if selection != self._selection:
            self._selection = selection
            self.update()
            self.selectionChanged.emit()

    # --------------------------------------------------------------- geometry

    def _groove(self) -> QRect:
        option = QStyleOptionSlider()
        self.initStyleOption(option)
        return self.style().subControlRect(
            QStyle.ComplexControl.CC_Slider, option, QStyle.SubControl.SC_SliderGroove, self
        )

    def seconds_at(self, x: int) -> float:
        """The time under horizontal pixel ``x`` (in the stretch of time shown)."""
        groove = self._groove()
        width = max(1, groove.width())
        fraction = min(1.0, max(0.0, (x - groove.left()) / width))
        start, end = self.view()
        return start + fraction * (end - start)

    def x_for(self, seconds: float) -> int:
        groove = self._groove()
        start, end = self.view()
        if end <= start:
            return groove.left()
        return groove.left() + round(groove.width() * (seconds - start) / (end - start))

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

    def mark_near(self, x: int) -> int:
        """The index of the movable chapter mark within :attr:`GRAB` pixels of ``x``, or -1."""
        best, index = self.GRAB + 1, -1
        for number, (start, _) in enumerate(self._marks):
            distance = abs(self.x_for(start) - x)
            if start > 0 and distance < best:
                best, index = distance, number
        return index

    def mousePressEvent(self, event: QMouseEvent) -> None:
        x = event.position().toPoint().x()
        left = event.button() == Qt.MouseButton.LeftButton and self.maximum() > 0
        shift = bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
        if left and self._movable and self.trim_near(x) is not None:
            self._trimming = self.trim_near(x)
            self._press_x = x
            self._trim_to = self._trim[self._trimming]
            self.setCursor(Qt.CursorShape.SizeHorCursor)
            event.accept()
            return
        if left and self._selectable and shift:
            self._anchor = self.seconds_at(x)
            event.accept()
            return
        if left and self._movable and self.mark_near(x) >= 0:
            self._moving = self.mark_near(x)
            self._press_x = x
            self._moved_to = self._marks[self._moving][0]
            self.setCursor(Qt.CursorShape.SizeHorCursor)
            event.accept()
            return
        if left:
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
        if self._anchor is not None:
            self.set_selection(self._anchor, self.seconds_at(point.x()))
        elif self._trimming is not None:
            self._trim_to = self._trim_target(point.x(), event.modifiers())
            self.update()
        elif self._moving is not None:
            self._moved_to = self.seconds_at(point.x())
            self.update()
        elif self._movable and not self._dragging:
            near = self.mark_near(point.x()) >= 0 or self.trim_near(point.x()) is not None
            self.setCursor(Qt.CursorShape.SizeHorCursor if near else Qt.CursorShape.ArrowCursor)
        if self._dragging:
            value = int(self.seconds_at(point.x()) * 1000)
            self.setSliderPosition(value)
        tip = plain_tip(self.hover_text(point.x()))
        QToolTip.showText(self.mapToGlobal(QPoint(point.x(), -8)), tip, self)
        event.accept()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self._trimming is not None:
            name, self._trimming = self._trimming, None
            self.unsetCursor()
            self.update()
            x = event.position().toPoint().x()
            if abs(x - self._press_x) > 2:
                self.trimMoved.emit(name, self._trim_target(x, event.modifiers()))
            else:  # a click on the handle, not a drag: go there
                self.seekRequested.emit(self._trim[name])
            event.accept()
            return
        if self._anchor is not None:
            self.set_selection(self._anchor, self.seconds_at(event.position().toPoint().x()))
            self._anchor = None
            event.accept()
            return
        if self._moving is not None:
            index, self._moving = self._moving, None
            self.unsetCursor()
            self.update()
            x = event.position().toPoint().x()
            if abs(x - self._press_x) > 2:
                self.markMoved.emit(index, self.seconds_at(x))
            else:  # a click on a mark, not a drag: go there
                self.seekRequested.emit(self._marks[index][0])
            event.accept()
            return
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
        parts = [clock(seconds)]
        if title:
            parts.append(title)
        if self._range_label and any(a <= seconds <= b for a, b in self._ranges):
            parts.append(self._range_label)
        near = 4 * max(1.0, self.maximum() / 1000) / max(1, self._groove().width())
        for at, kind, text in self._notes:
            if abs(at - seconds) <= max(near, 0.5):
                parts.append(f"{kind.capitalize()}: {text}" if text else kind.capitalize())
        for at, _state, name in self._questions:
            if abs(at - seconds) <= max(near, 0.5):
                parts.append(f"Question: {name}")
        return "  ·  ".join(parts)

    def _paint_zoomed(self, painter: QPainter, groove: QRect) -> None:
        """The groove and the playhead while zoomed in (the slider's own are for the whole)."""
        middle = groove.center().y()
        painter.fillRect(QRect(groove.left(), middle - 2, groove.width(), 4), QColor(theme.MUTED))
        start, end = self.view()
        at = self.sliderPosition() / 1000
        if start <= at <= end:
            x = self.x_for(at)
            painter.setPen(QPen(QColor(theme.ACCENT), 2))
            painter.drawLine(x, 1, x, self.height() - 2)

    def _paint_marks(self, event: QPaintEvent) -> None:
        if self._view is None:
            super().paintEvent(event)
        if self.maximum() <= 0 or not (
            self._marks
            or self._ranges
            or self._selection
            or self._notes
            or self._questions
            or self._trim
            or self._words
            or self._view
        ):
            return
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        groove = self._groove()
        middle = groove.center().y()
        if self._view is not None:
            self._paint_zoomed(painter, groove)
        painter.setClipRect(QRect(groove.left() - 6, 0, groove.width() + 12, self.height()))
        painter.setPen(QColor(theme.TEXT))
        baseline = self.height() - self.fontMetrics().descent() - 1
        for x, text in self._word_layout():
            painter.drawText(x, baseline, text)
        painter.setPen(Qt.PenStyle.NoPen)
        band = QRect(0, middle - 7, 0, 14)
        for start, end in self._ranges:
            band.setLeft(self.x_for(start))
            band.setRight(max(self.x_for(end), self.x_for(start) + 2))
            painter.fillRect(band, QColor(120, 126, 138, 200))
            painter.fillRect(band, QBrush(QColor("#e6e8ec"), Qt.BrushStyle.BDiagPattern))
        if self._selection is not None:
            band.setLeft(self.x_for(self._selection[0]))
            band.setRight(self.x_for(self._selection[1]))
            painter.fillRect(band, QColor(47, 111, 223, 70))
            painter.setPen(QPen(QColor(theme.ACCENT), 2))
            painter.drawLine(band.left(), band.top() - 2, band.left(), band.bottom() + 2)
            painter.drawLine(band.right(), band.top() - 2, band.right(), band.bottom() + 2)
        painter.setPen(Qt.PenStyle.NoPen)
        for index, (start, _) in enumerate(self._marks):
            if start <= 0:
                continue
            if index == self._moving:
                painter.setBrush(QColor(theme.ACCENT))
                x = self.x_for(self._moved_to)
                painter.drawRoundedRect(QRect(x - 2, middle - 8, 5, 16), 2, 2)
                continue
            painter.setBrush(QColor(theme.SURFACE))
            x = self.x_for(start)
            painter.drawRoundedRect(QRect(x - 1, middle - 5, 3, 10), 1, 1)
        for at, kind, _text in self._notes:  # a small flag above the groove
            x = self.x_for(at)
            painter.setBrush(QColor(theme.NOTE if kind == "note" else theme.BOOKMARK))
            painter.drawPolygon(
                [QPoint(x - 4, middle - 10), QPoint(x + 4, middle - 10), QPoint(x, middle - 4)]
            )
        for at, state, _name in self._questions:  # a diamond below the groove
            x = self.x_for(at)
            painter.setBrush(QColor(CHECKPOINT_COLOURS.get(state, theme.ACCENT)))
            painter.setPen(QPen(QColor(theme.SURFACE), 1))
            y = middle + 8
            painter.drawPolygon(
                [QPoint(x, y - 5), QPoint(x + 5, y), QPoint(x, y + 5), QPoint(x - 5, y)]
            )
        painter.setPen(Qt.PenStyle.NoPen)
        for name, at in self._trim.items():  # [ at the in point, ] at the out point
            x = self.x_for(self._trim_to if name == self._trimming else at)
            painter.setPen(QPen(QColor(theme.ACCENT), 2))
            arm = 4 if name == "in" else -4
            painter.drawLine(x, middle - 9, x, middle + 9)
            painter.drawLine(x, middle - 9, x + arm, middle - 9)
            painter.drawLine(x, middle + 9, x + arm, middle + 9)
        painter.end()
