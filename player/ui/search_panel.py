"""Search over the whole library: results as the learner types, matched words in bold."""

from __future__ import annotations

import html

from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QLabel,
    QListWidget,
    QListWidgetItem,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from shared.errors import LecternError
from shared.library import MARK_END, MARK_START, Library, SearchHit
from shared.timecode import clock
from shared.ui import theme
from shared.ui.plain import plain

__all__ = ["SearchPanel", "snippet_html"]

DEBOUNCE_MS = 180
_HINT = "Type to search what is said, what the slides show, titles and your notes."
_KIND_NAMES = {
    "segment": "Said",
    "slide": "On slide",
    "chapter": "Chapter",
    "lesson": "Lesson",
    "course": "Course",
    "note": "Your note",
}


def snippet_html(snippet: str) -> str:
    """The snippet as HTML: escaped, with the marked words in bold accent colour."""
    text = html.escape(snippet)
    text = text.replace(html.escape(MARK_START), MARK_START).replace(
        html.escape(MARK_END), MARK_END
    )
    return text.replace(MARK_START, f'<b style="color:{theme.ACCENT}">').replace(MARK_END, "</b>")


class SearchPanel(QWidget):
    """Shows the hits of one query; choosing a hit emits :attr:`hitChosen`.

    Signals:
        hitChosen(object): the chosen :class:`SearchHit`.
    """

    hitChosen = Signal(object)

    def __init__(self, library: Library, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("page")
        self.library = library
        self.hits: list[SearchHit] = []
        self._query = ""
        self.heading = QLabel("Search")
        self.heading.setObjectName("heading")
        self.summary = plain(QLabel(_HINT))
        self.summary.setObjectName("muted")
        self.results = QListWidget()
        self.results.setAccessibleName("Search results")
        self.results.setVerticalScrollMode(QListWidget.ScrollMode.ScrollPerPixel)
        self.results.setSpacing(2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(28, 22, 28, 22)
        layout.setSpacing(10)
        layout.addWidget(self.heading)
        layout.addWidget(self.summary)
        layout.addWidget(self.results, 1)
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(DEBOUNCE_MS)
        self._debounce.timeout.connect(self.run)
        self.results.itemActivated.connect(self._chosen)
        self.results.itemClicked.connect(self._chosen)

    def set_query(self, text: str) -> None:
        """Search for ``text`` once the learner pauses typing."""
        self._query = text
        self._debounce.start()

    def query(self) -> str:
        return self._query

    def run(self) -> None:
        """Search now for the current query."""
        self._debounce.stop()
        self.results.clear()
        self.hits = []
        text = self._query
        if not text.strip():
            self.summary.setText(_HINT)
            return
        try:
            self.hits = self.library.search(text, limit=50)
        except LecternError as error:
            self.summary.setText(str(error))
            return
        if not self.hits:
            self.summary.setText(f"Nothing found for “{text.strip()}”.")
            return
        count = len(self.hits)
        close = " (no exact match: close words, marked ≈)" if self.hits[0].approximate else ""
        self.summary.setText(
            f"{count} result{'s' if count != 1 else ''} for “{text.strip()}”{close}"
        )
        for hit in self.hits:
            self._add(hit)

    def _add(self, hit: SearchHit) -> None:
        item = QListWidgetItem()
        where = html.escape(hit.course_title)
        if hit.lesson_title:
            where += " › " + html.escape(hit.lesson_title)
        when = f" · {clock(hit.time)}" if hit.time is not None else ""
        kind = _KIND_NAMES.get(hit.kind, hit.kind)
        if hit.approximate:  # found through words close to the typed ones
            kind = f"≈ {kind} (approximate)"
        label = QLabel(
            f'<span style="color:{theme.MUTED}">{kind}{when}</span>'
            f"&nbsp;&nbsp;<b>{where}</b><br>{snippet_html(hit.snippet)}"
        )
        label.setTextFormat(Qt.TextFormat.RichText)
        label.setWordWrap(True)
        label.setContentsMargins(10, 6, 10, 6)
        label.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        label.setStyleSheet("background: transparent;")
        icon = {
            "segment": QStyle.StandardPixmap.SP_MediaPlay,
            "slide": QStyle.StandardPixmap.SP_FileDialogContentsView,
            "chapter": QStyle.StandardPixmap.SP_FileDialogListView,
            "note": QStyle.StandardPixmap.SP_FileDialogDetailedView,
        }.get(hit.kind, QStyle.StandardPixmap.SP_DirIcon)
        item.setIcon(self.style().standardIcon(icon))
        item.setData(Qt.ItemDataRole.UserRole, self.results.count())
        plain = hit.snippet.replace(MARK_START, "").replace(MARK_END, "")
        item.setData(Qt.ItemDataRole.AccessibleTextRole, f"{kind}{when}: {plain}")
        label.ensurePolished()  # the stylesheet's font decides the height
        width = max(320, self.results.viewport().width() - 60)
        item.setSizeHint(QSize(width, label.heightForWidth(width) + 18))  # + item padding
        self.results.addItem(item)
        self.results.setItemWidget(item, label)

    def _chosen(self, item: QListWidgetItem) -> None:
        index = int(item.data(Qt.ItemDataRole.UserRole))
        if 0 <= index < len(self.hits):
            self.hitChosen.emit(self.hits[index])
