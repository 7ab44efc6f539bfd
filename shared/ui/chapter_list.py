"""The chapter list: a thumbnail, title and start time per chapter; the current one marked."""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import QListWidget, QListWidgetItem, QWidget

from shared.chapters import Chapter
from shared.timecode import clock
from shared.ui import theme
from shared.ui.plain import plain_tip

__all__ = ["ChapterList", "THUMB", "chapter_pixmap"]

THUMB = QSize(112, 63)


def _placeholder(number: int) -> QPixmap:
    pixmap = QPixmap(THUMB)
    pixmap.fill(QColor(theme.ACCENT_SOFT))
    painter = QPainter(pixmap)
    painter.setPen(QColor(theme.ACCENT))
    font = QFont()
    font.setPixelSize(22)
    font.setBold(True)
    painter.setFont(font)
    painter.drawText(pixmap.rect(), Qt.AlignmentFlag.AlignCenter, str(number))
    painter.end()
    return pixmap


def chapter_pixmap(
    picture: str | Path | None, number: int, folder: Path | None = None, size: QSize = THUMB
) -> QPixmap:
    """The chapter picture at ``picture`` (relative to ``folder``) cropped to ``size``.

    A missing or unreadable picture gives a placeholder showing the chapter ``number``.
    """
    pixmap = QPixmap()
    if picture:
        path = Path(picture)
        if not path.is_absolute() and folder is not None:
            path = folder / path
        pixmap = QPixmap(str(path))
    if pixmap.isNull():
        return _placeholder(number).scaled(size)
    pixmap = pixmap.scaled(
        size,
        Qt.AspectRatioMode.KeepAspectRatioByExpanding,
        Qt.TransformationMode.SmoothTransformation,
    )
    if pixmap.size() != size:  # crop the overflow of a picture of another shape, centred
        x, y = (pixmap.width() - size.width()) // 2, (pixmap.height() - size.height()) // 2
        pixmap = pixmap.copy(x, y, size.width(), size.height())
    return pixmap


class ChapterList(QListWidget):
    """Chapters of one lesson; clicking (or Enter on) a chapter asks to seek to it.

    Signals:
        seekRequested(float): the start of the chosen chapter, seconds.
    """

    seekRequested = Signal(float)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Chapters")
        self.setIconSize(THUMB)
        self.setSpacing(2)
        self.setWordWrap(True)
        self.setUniformItemSizes(False)
        self.setVerticalScrollMode(QListWidget.ScrollMode.ScrollPerPixel)
        self._chapters: list[Chapter] = []
        self._starts: list[float] = []
        self._current = -1
        self.itemClicked.connect(self._chosen)
        self.itemActivated.connect(self._chosen)

    def set_chapters(self, chapters: Sequence[Chapter], thumbnail_dir: Path | None = None) -> None:
        """Show ``chapters``; thumbnails are looked up relative to ``thumbnail_dir``."""
        self.clear()
        self._chapters = sorted(chapters, key=lambda chapter: chapter.start)
        self._starts = [chapter.start for chapter in self._chapters]
        self._current = -1
        for number, chapter in enumerate(self._chapters, 1):
            item = QListWidgetItem(f"{chapter.title}\n{clock(chapter.start)}")
            item.setData(Qt.ItemDataRole.UserRole, chapter.start)
            item.setToolTip(plain_tip(f"{clock(chapter.start)}  {chapter.title}"))
            item.setIcon(QIcon(chapter_pixmap(chapter.thumbnail, number, thumbnail_dir)))
            self.addItem(item)

    def chapters(self) -> list[Chapter]:
        return list(self._chapters)

    def current_chapter(self) -> int:
        """The index of the chapter playing now, or -1."""
        return self._current

    def chapter_at(self, seconds: float) -> int:
        return bisect.bisect_right(self._starts, seconds + 1e-3) - 1

    def set_position(self, seconds: float) -> None:
        """Mark the chapter that ``seconds`` falls in."""
        index = self.chapter_at(seconds)
        if index == self._current:
            return
        previous = self.item(self._current) if self._current >= 0 else None
        if previous is not None:
            font = previous.font()
            font.setBold(False)
            previous.setFont(font)
        self._current = index
        item = self.item(index) if index >= 0 else None
        if item is not None:
            font = item.font()
            font.setBold(True)
            item.setFont(font)
            self.blockSignals(True)
            self.setCurrentItem(item)
            self.blockSignals(False)
            self.scrollToItem(item)

    def next_start(self, seconds: float) -> float | None:
        """The start of the chapter after the one at ``seconds``, or ``None``."""
        index = self.chapter_at(seconds) + 1
        return self._starts[index] if index < len(self._starts) else None

    def previous_start(self, seconds: float) -> float | None:
        """The start of the current chapter, or of the one before when just past its start.

        Like a music player: a few seconds into a chapter, "previous" restarts it.
        """
        index = self.chapter_at(seconds)
        if index < 0:
            return None
        if seconds - self._starts[index] < 3 and index > 0:
            index -= 1
        return self._starts[index]

    def _chosen(self, item: QListWidgetItem) -> None:
        self.seekRequested.emit(float(item.data(Qt.ItemDataRole.UserRole)))
