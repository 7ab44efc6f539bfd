"""Reviewing one lesson: the video with chapter marks, transcript, chapters and trim.

Every change goes through the lesson's :class:`EditSession` as one command, so it
is saved at once and undone with Ctrl+Z; the widgets are then filled again from
the session's state. Times shown and given are on the original (built) timeline.
"""

from __future__ import annotations

import html
from collections.abc import Set
from pathlib import Path

from PySide6.QtCore import QModelIndex, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QPainter, QTextDocument
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from shared.errors import LecternError
from shared.transcription import Segment
from shared.ui.seek_bar import SeekBar, format_time
from shared.ui.video_view import VideoView
from studio.editing import (
    AddChapter,
    ClearTrim,
    CorrectSegment,
    DeleteChapter,
    Edit,
    EditSession,
    RenameChapter,
    SetInPoint,
    SetOutPoint,
    low_confidence_words,
)

__all__ = ["ReviewPanel"]

_HTML_ROLE = Qt.ItemDataRole.UserRole + 1
_UNSURE = "background:#ffd866; color:#1a1a1a"


def segment_html(segment: Segment, unsure: Set[int]) -> str:
    """The segment's text with the words at the ``unsure`` indexes highlighted."""
    words = segment.words
    if not unsure or "".join(w.text for w in words).strip() != segment.text:
        return html.escape(segment.text)
    parts = []
    for index, word in enumerate(words):
        text = html.escape(word.text)
        if index in unsure:
            lead = text[: len(text) - len(text.lstrip())]
            text = f'{lead}<span style="{_UNSURE}">{text.lstrip()}</span>'
        parts.append(text)
    return "".join(parts).strip()


class _RichDelegate(QStyledItemDelegate):
    """Paints the HTML kept in an item (highlighted words); edits its plain text."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex) -> None:
        markup = index.data(_HTML_ROLE)
        if not markup:
            super().paint(painter, option, index)
            return
        self.initStyleOption(option, index)
        option.text = ""
        style = option.widget.style() if option.widget else None
        if style is not None:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, option, painter, option.widget)
        document = QTextDocument()
        document.setDefaultFont(option.font)
        colour = option.palette.text().color().name()
        document.setHtml(f'<span style="color:{colour}">{markup}</span>')
        document.setTextWidth(option.rect.width())
        painter.save()
        painter.translate(option.rect.topLeft())
        painter.setClipRect(QRectF(0, 0, option.rect.width(), option.rect.height()))
        document.drawContents(painter)
        painter.restore()


def _cell(text: str, editable: bool = False) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    flags = Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsEnabled
    if editable:
        flags |= Qt.ItemFlag.ItemIsEditable
    item.setFlags(flags)
    return item


class ReviewPanel(QWidget):
    """The review area for the selected lesson.

    Signals:
        changed(): an edit was made, undone or redone.
        failed(str): an edit could not be made; the reason, for a person.
        message(str): a short status-bar message.
    """

    changed = Signal()
    failed = Signal(str)
    message = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session: EditSession | None = None
        self._filling = False

        self.video = VideoView()
        self.seek_bar = SeekBar()
        self.time_label = QLabel("0:00")
        self.play_button = QPushButton("Play")
        self.play_button.setAccessibleName("Play or pause")

        self.transcript = QTableWidget(0, 2)
        self.transcript.setAccessibleName("Transcript")
        self.transcript.setHorizontalHeaderLabels(["Time", "Text"])
        self.transcript.setItemDelegateForColumn(1, _RichDelegate(self.transcript))
        self.find_box = QLineEdit()
        self.find_box.setPlaceholderText("Find")
        self.find_box.setAccessibleName("Find")
        self.replace_box = QLineEdit()
        self.replace_box.setPlaceholderText("Replace with")
        self.replace_box.setAccessibleName("Replace with")
        self.replace_button = QPushButton("Replace all")

        self.chapters = QTableWidget(0, 2)
        self.chapters.setAccessibleName("Chapters")
        self.chapters.setHorizontalHeaderLabels(["Start", "Title"])
        self.add_chapter_button = QPushButton("Add at playhead")
        self.delete_chapter_button = QPushButton("Delete chapter")

        self.in_button = QPushButton("Set in point")
        self.out_button = QPushButton("Set out point")
        self.clear_trim_button = QPushButton("Clear trim")
        self.trim_label = QLabel()
        self.trim_label.setAccessibleName("Trim")

        for table in (self.transcript, self.chapters):
            table.verticalHeader().hide()
            table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
            table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
            table.setEditTriggers(
                QAbstractItemView.EditTrigger.DoubleClicked
                | QAbstractItemView.EditTrigger.EditKeyPressed
                | QAbstractItemView.EditTrigger.AnyKeyPressed
            )
            header = table.horizontalHeader()
            header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
            header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self._layout()
        self._connect()
        self.setEnabled(False)

    def _layout(self) -> None:
        transport = QHBoxLayout()
        transport.addWidget(self.play_button)
        transport.addWidget(self.seek_bar, 1)
        transport.addWidget(self.time_label)
        trim = QHBoxLayout()
        for widget in (self.in_button, self.out_button, self.clear_trim_button):
            trim.addWidget(widget)
        trim.addWidget(self.trim_label, 1)
        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.addWidget(self.video, 1)
        top_layout.addLayout(transport)
        top_layout.addLayout(trim)

        transcript_page = QWidget()
        page = QVBoxLayout(transcript_page)
        replace = QHBoxLayout()
        replace.addWidget(self.find_box)
        replace.addWidget(self.replace_box)
        replace.addWidget(self.replace_button)
        page.addLayout(replace)
        page.addWidget(self.transcript)
        chapters_page = QWidget()
        page = QVBoxLayout(chapters_page)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_chapter_button)
        buttons.addWidget(self.delete_chapter_button)
        buttons.addStretch(1)
        page.addLayout(buttons)
        page.addWidget(self.chapters)
        self.tabs = QTabWidget()
        self.tabs.addTab(transcript_page, "Transcript")
        self.tabs.addTab(chapters_page, "Chapters")

        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.addWidget(top)
        self.splitter.addWidget(self.tabs)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.splitter)

    def _connect(self) -> None:
        self.play_button.clicked.connect(self.video.toggle)
        self.video.playingChanged.connect(
            lambda playing: self.play_button.setText("Pause" if playing else "Play")
        )
        self.video.positionChanged.connect(self._position)
        self.video.durationChanged.connect(self.seek_bar.set_duration)
        self.seek_bar.seekRequested.connect(self.video.seek)
        self.transcript.itemChanged.connect(self._segment_edited)
        self.transcript.cellClicked.connect(self._segment_clicked)
        self.replace_button.clicked.connect(self.replace_all)
        self.replace_box.returnPressed.connect(self.replace_all)
        self.chapters.itemChanged.connect(self._chapter_edited)
        self.chapters.cellClicked.connect(self._chapter_clicked)
        self.add_chapter_button.clicked.connect(lambda: self.add_chapter())
        self.delete_chapter_button.clicked.connect(lambda: self.delete_chapter())
        self.in_button.clicked.connect(lambda: self.set_in_point())
        self.out_button.clicked.connect(lambda: self.set_out_point())
        self.clear_trim_button.clicked.connect(lambda: self.apply(ClearTrim()))

    # ----------------------------------------------------------------- lesson

    def open_lesson(self, folder: Path) -> None:
        """Review the lesson in ``folder``.

        Raises:
            LecternError: the workspace or its edits cannot be read.
        """
        session = EditSession.open(folder)
        self.close_lesson()
        self.session = session
        lesson = session.lesson
        self.video.load(
            folder / lesson.video,
            folder / lesson.presenter_video if lesson.presenter_video else None,
        )
        self.seek_bar.set_duration(lesson.duration)
        self.setEnabled(True)
        self.refresh()

    def close_lesson(self) -> None:
        if self.session is not None:
            self.video.unload()
        self.session = None
        self.refresh()
        self.setEnabled(False)

    def playhead(self) -> float:
        return self.video.position()

    def _position(self, seconds: float) -> None:
        self.seek_bar.set_position(seconds)
        self.time_label.setText(format_time(seconds))

    # ------------------------------------------------------------------ edits

    def apply(self, edit: Edit) -> bool:
        """Make one edit through the session; ``False`` (and ``failed``) if refused."""
        if self.session is None:
            return False
        try:
            self.session.apply(edit)
        except LecternError as error:
            self.failed.emit(str(error))
            self.refresh()
            return False
        self.refresh()
        self.changed.emit()
        return True

    def undo(self) -> None:
        if self.session is not None and self.session.can_undo:
            label = self.session.undo_label
            self._guard(self.session.undo)
            self.message.emit(f"Undid: {label}")

    def redo(self) -> None:
        if self.session is not None and self.session.can_redo:
            label = self.session.redo_label
            self._guard(self.session.redo)
            self.message.emit(f"Redid: {label}")

    def _guard(self, step: object) -> None:
        try:
            step()  # type: ignore[operator]
        except LecternError as error:
            self.failed.emit(str(error))
        self.refresh()
        self.changed.emit()

    def correct_segment(self, index: int, text: str) -> bool:
        return self.apply(CorrectSegment(index, text))

    def replace_all(self) -> int:
        find = self.find_box.text()
        if self.session is None or not find.strip():
            return 0
        try:
            count = self.session.replace_all(find, self.replace_box.text())
        except LecternError as error:
            self.failed.emit(str(error))
            return 0
        self.refresh()
        if count:
            self.changed.emit()
        self.message.emit(f"Replaced {count} time(s)" if count else f"“{find}” was not found")
        return count

    def rename_chapter(self, index: int, title: str) -> bool:
        return self.apply(RenameChapter(index, title))

    def add_chapter(self, at: float | None = None) -> bool:
        return self.apply(AddChapter(self.playhead() if at is None else at))

    def delete_chapter(self, index: int | None = None) -> bool:
        index = self.chapters.currentRow() if index is None else index
        if index < 0:
            self.failed.emit("Select a chapter in the list first, then delete it.")
            return False
        return self.apply(DeleteChapter(index))

    def set_in_point(self, at: float | None = None) -> bool:
        return self.apply(SetInPoint(self.playhead() if at is None else at))

    def set_out_point(self, at: float | None = None) -> bool:
        return self.apply(SetOutPoint(self.playhead() if at is None else at))

    # ---------------------------------------------------------------- showing

    def refresh(self) -> None:
        """Fill the transcript, chapters and trim from the session's state."""
        self._filling = True
        try:
            self._fill()
        finally:
            self._filling = False

    def _fill(self) -> None:
        state = self.session.state if self.session is not None else None
        segments = state.transcript.segments if state is not None else ()
        chapters = state.chapters if state is not None else ()
        unsure: dict[int, set[int]] = {}
        if state is not None:
            for ref in low_confidence_words(state.transcript):
                unsure.setdefault(ref.segment, set()).add(ref.index)
        self.transcript.setRowCount(len(segments))
        for row, segment in enumerate(segments):
            self.transcript.setItem(row, 0, _cell(format_time(segment.start)))
            item = _cell(segment.text, editable=True)
            marked = unsure.get(row, set())
            item.setData(_HTML_ROLE, segment_html(segment, marked))
            if marked:
                words = ", ".join(segment.words[i].text.strip() for i in sorted(marked))
                item.setToolTip(f"The transcription may be wrong here: {words}")
            self.transcript.setItem(row, 1, item)
        self.chapters.setRowCount(len(chapters))
        for row, chapter in enumerate(chapters):
            self.chapters.setItem(row, 0, _cell(format_time(chapter.start)))
            self.chapters.setItem(row, 1, _cell(chapter.title, editable=True))
        self.seek_bar.set_chapters([(c.start, c.title) for c in chapters])
        if state is None:
            self.trim_label.setText("")
        else:
            out = format_time(state.out_point) if state.out_point is not None else "end"
            self.trim_label.setText(f"In {format_time(state.in_point)} · Out {out}")

    def _segment_edited(self, item: QTableWidgetItem) -> None:
        if self._filling or self.session is None or item.column() != 1:
            return
        segment = self.session.state.transcript.segments[item.row()]
        row, text = item.row(), item.text()
        if text.strip() != segment.text:
            # Not from inside the item's own signal: the edit refills the table.
            QTimer.singleShot(0, lambda: self.correct_segment(row, text))

    def _segment_clicked(self, row: int, _column: int) -> None:
        if self.session is not None:
            self.video.seek(self.session.state.transcript.segments[row].start)

    def _chapter_edited(self, item: QTableWidgetItem) -> None:
        if self._filling or self.session is None or item.column() != 1:
            return
        row, text = item.row(), item.text()
        if text != self.session.state.chapters[row].title:
            QTimer.singleShot(0, lambda: self.rename_chapter(row, text))

    def _chapter_clicked(self, row: int, _column: int) -> None:
        if self.session is not None:
            self.video.seek(self.session.state.chapters[row].start)
