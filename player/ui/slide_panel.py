"""The slide text of the current chapter: the words shown on the slide, as OCR read them.

The text comes from the course package, which someone else made: it is shown only
as plain text (list items and a plain label), never as rich text.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QLabel, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from shared.chapters import Slide, slide_at
from shared.timecode import clock
from shared.ui.plain import plain

__all__ = ["SlidePanel"]

_NO_TEXT = "This lesson's package carries no slide text."


class SlidePanel(QWidget):
    """Shows the lines of the slide on screen, following the playhead."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Slide text")
        self._slides: tuple[Slide, ...] = ()
        self._shown: Slide | None = None
        self._count = 0
        self.heading = plain(QLabel(_NO_TEXT))
        self.heading.setObjectName("muted")
        self.heading.setWordWrap(True)
        self.lines = QListWidget()
        self.lines.setAccessibleName("Lines on the slide")
        self.lines.setWordWrap(True)
        self.lines.setSelectionMode(QListWidget.SelectionMode.NoSelection)
        self.lines.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(self.heading)
        layout.addWidget(self.lines, 1)

    def set_slides(self, slides: Sequence[Slide]) -> None:
        """The lesson's slides (none for packages without slide text)."""
        self._slides = tuple(slides)
        self._shown = None
        self.lines.clear()
        self.heading.setText("" if self._slides else _NO_TEXT)
        self.set_position(0.0)

    def slides(self) -> tuple[Slide, ...]:
        return self._slides

    def current_slide(self) -> Slide | None:
        """The slide whose text is shown."""
        return self._shown

    def shown_lines(self) -> list[str]:
        return [self.lines.item(row).text() for row in range(self.lines.count())]

    def set_position(self, seconds: float) -> None:
        """Show the slide on screen at ``seconds``, with the lines revealed by then."""
        slide = slide_at(self._slides, seconds)
        if slide is None:
            return
        visible = [line for line in slide.lines if line.start <= seconds + 1e-3]
        if slide is self._shown and len(visible) == self._count:
            return
        self._count = len(visible)
        self._shown = slide
        total = len(self._slides)
        number = self._slides.index(slide) + 1
        self.heading.setText(f"Slide {number} of {total} · from {clock(slide.start)}")
        self.lines.clear()
        texts = [line.text for line in visible]
        if slide.title and slide.title not in texts:
            texts.insert(0, slide.title)  # OCR reads the title as a line; a package may not
        for text in texts:
            item = QListWidgetItem(text)
            if text == slide.title:
                font = QFont(self.lines.font())
                font.setBold(True)
                item.setFont(font)
            self.lines.addItem(item)
