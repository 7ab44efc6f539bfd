"""The interactive transcript: what is said, line by line, in step with the video.

The line being spoken is highlighted and kept in view. While the learner scrolls or
hovers over the transcript, following the video pauses, and resumes a few seconds
after they stop. Clicking a word seeks to that word; clicking the time of a line (or
anywhere else on it) seeks to the start of the line.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import QEvent, QPoint, QRect, Qt, QTimer, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QKeyEvent,
    QMouseEvent,
    QTextBlockFormat,
    QTextCharFormat,
    QTextCursor,
    QTextFormat,
    QWheelEvent,
)
from PySide6.QtWidgets import QTextEdit, QWidget

from shared.timecode import clock
from shared.transcription import Segment, Transcript
from shared.ui import theme

__all__ = ["TranscriptView"]

RESUME_AFTER_MS = 3000
"""How long after the learner stops scrolling or leaves the view it follows the video again."""


@dataclass(frozen=True)
class _Line:
    start: float
    end: float
    words: tuple[tuple[int, int, float], ...]  # (first char, last char, start) in the block


class TranscriptView(QTextEdit):
    """A read-only transcript that follows the video and seeks where it is clicked.

    Signals:
        seekRequested(float): the learner clicked a line or word at this time, seconds.
    """

    seekRequested = Signal(float)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setReadOnly(True)
        self.setAccessibleName("Transcript")
        self.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.viewport().setCursor(Qt.CursorShape.PointingHandCursor)
        self.setMouseTracking(True)
        self._lines: list[_Line] = []
        self._starts: list[float] = []
        self._current = -1
        self._hovering = False
        self._user_scrolled = False
        self._resume = QTimer(self)
        self._resume.setSingleShot(True)
        self._resume.setInterval(RESUME_AFTER_MS)
        self._resume.timeout.connect(self._resume_following)
        self.verticalScrollBar().sliderPressed.connect(self._user_scrolling)
        self.verticalScrollBar().sliderReleased.connect(self._user_scrolling)

    # ------------------------------------------------------------------ model

    def set_transcript(self, transcript: Transcript | None) -> None:
        """Show a transcript (``None`` or an empty one shows a short notice)."""
        self.clear()
        self._lines, self._starts, self._current = [], [], -1
        segments: Sequence[Segment] = transcript.segments if transcript else ()
        if not segments:
            self.setPlaceholderText("This lesson has no transcript.")
            return
        cursor = QTextCursor(self.document())
        time_format = QTextCharFormat()
        time_format.setForeground(QColor(theme.MUTED))
        time_format.setFontFamilies(["monospace"])
        time_format.setFontPointSize(9)
        text_format = QTextCharFormat()
        block_format = QTextBlockFormat()
        block_format.setTopMargin(3)
        block_format.setBottomMargin(3)
        block_format.setLineHeight(125, QTextBlockFormat.LineHeightTypes.ProportionalHeight.value)
        cursor.beginEditBlock()
        for index, segment in enumerate(segments):
            if index:
                cursor.insertBlock(block_format)
            else:
                cursor.setBlockFormat(block_format)
            stamp = clock(segment.start)
            cursor.insertText(f"{stamp:>7}  ", time_format)
            column = len(f"{stamp:>7}  ")
            words: list[tuple[int, int, float]] = []
            if segment.words:
                for word in segment.words:
                    text = word.text if words else word.text.lstrip()
                    first = column + len(text) - len(text.lstrip())
                    column += len(text)
                    if text.strip():
                        words.append((first, column, word.start))
                    cursor.insertText(text, text_format)
            else:
                cursor.insertText(segment.text.strip(), text_format)
            self._lines.append(_Line(segment.start, segment.end, tuple(words)))
        cursor.endEditBlock()
        self._starts = [line.start for line in self._lines]
        self.moveCursor(QTextCursor.MoveOperation.Start)

    def line_count(self) -> int:
        return len(self._lines)

    def current_line(self) -> int:
        """The highlighted line, or -1."""
        return self._current

    def line_at(self, seconds: float) -> int:
        """The line being spoken at ``seconds`` (the last one started), or -1."""
        return bisect.bisect_right(self._starts, seconds + 1e-6) - 1

    def line_rect(self, index: int) -> QRect:
        """Where line ``index`` is drawn, in viewport coordinates."""
        block = self.document().findBlockByNumber(index)
        rect = self.document().documentLayout().blockBoundingRect(block).toRect()
        return rect.translated(0, -self.verticalScrollBar().value())

    def word_rect(self, index: int, word: int) -> QRect:
        """Where word ``word`` of line ``index`` is drawn, in viewport coordinates."""
        block = self.document().findBlockByNumber(index)
        first, last, _ = self._lines[index].words[word]
        cursor = QTextCursor(block)
        cursor.setPosition(block.position() + first)
        left = self.cursorRect(cursor)
        cursor.setPosition(block.position() + last)
        right = self.cursorRect(cursor)
        return QRect(left.topLeft(), QPoint(right.right(), left.bottom()))

    def is_following(self) -> bool:
        """Whether the view scrolls with the video now."""
        return not (self._hovering or self._user_scrolled)

    # ---------------------------------------------------------------- playing

    def set_position(self, seconds: float) -> None:
        """Highlight the line spoken at ``seconds`` and keep it in view when following."""
        index = self.line_at(seconds)
        if index == self._current:
            return
        self._current = index
        self._highlight()
        if self.is_following():
            self._scroll_to_current()

    def _highlight(self) -> None:
        if self._current < 0:
            self.setExtraSelections([])
            return
        selection = QTextEdit.ExtraSelection()
        selection.format.setBackground(QColor(theme.ACCENT_SOFT))
        selection.format.setProperty(QTextFormat.Property.FullWidthSelection, True)
        selection.format.setFontWeight(QFont.Weight.DemiBold)
        cursor = QTextCursor(self.document().findBlockByNumber(self._current))
        cursor.movePosition(QTextCursor.MoveOperation.EndOfBlock, QTextCursor.MoveMode.KeepAnchor)
        selection.cursor = cursor
        self.setExtraSelections([selection])

    def _scroll_to_current(self) -> None:
        if self._current < 0:
            return
        block = self.document().findBlockByNumber(self._current)
        rect = self.document().documentLayout().blockBoundingRect(block)
        bar = self.verticalScrollBar()
        # Keep the current line a third of the way down, so what comes next is visible.
        target = int(rect.top() - self.viewport().height() / 3)
        bar.setValue(max(bar.minimum(), min(bar.maximum(), target)))

    # ----------------------------------------------------------------- events

    def _user_scrolling(self) -> None:
        self._user_scrolled = True
        self._resume.start()

    def _resume_following(self) -> None:
        self._user_scrolled = False
        if not self._hovering:
            self._scroll_to_current()

    def wheelEvent(self, event: QWheelEvent) -> None:
        self._user_scrolling()
        super().wheelEvent(event)

    def enterEvent(self, event: QEvent) -> None:
        self._hovering = True
        self._resume.stop()
        super().enterEvent(event)

    def leaveEvent(self, event: QEvent) -> None:
        self._hovering = False
        self._user_scrolled = True
        self._resume.start()
        super().leaveEvent(event)

    def time_at(self, point: QPoint) -> float | None:
        """The time of the word (or else the line) at viewport ``point``."""
        if not self._lines:
            return None
        cursor = self.cursorForPosition(point)
        block = cursor.block()
        index = block.blockNumber()
        if not 0 <= index < len(self._lines):
            return None
        if not self.line_rect(index).contains(point):
            return None
        line = self._lines[index]
        column = cursor.position() - block.position()
        for first, last, start in line.words:
            if first <= column <= last:
                return start
        return line.start

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            seconds = self.time_at(event.position().toPoint())
            if seconds is not None:
                self.seekRequested.emit(seconds)
                event.accept()
                return
        super().mouseReleaseEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        # Enter on the transcript seeks to the highlighted line; other keys scroll.
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self._current >= 0:
            self.seekRequested.emit(self._lines[self._current].start)
            return
        if event.key() in (Qt.Key.Key_Up, Qt.Key.Key_Down, Qt.Key.Key_PageUp, Qt.Key.Key_PageDown):
            self._user_scrolling()
        super().keyPressEvent(event)
