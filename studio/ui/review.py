"""Reviewing one lesson: the video with chapter marks and cuts, transcript, chapters and trim.

Every change goes through the lesson's :class:`EditSession` as one command, so it
is saved at once and undone with Ctrl+Z; the widgets are then filled again from
the session's state. Times shown and given are on the original (built) timeline.
"""

from __future__ import annotations

import bisect
import dataclasses
import html
import tempfile
from collections.abc import Callable, Set
from pathlib import Path

from PySide6.QtCore import (
    QModelIndex,
    QPoint,
    QRectF,
    QRegularExpression,
    QSize,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import (
    QAction,
    QBrush,
    QColor,
    QGuiApplication,
    QIcon,
    QKeySequence,
    QPainter,
    QPaintEvent,
    QPalette,
    QTextCharFormat,
    QTextDocument,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QProgressBar,
    QPushButton,
    QSizePolicy,
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

from shared import media
from shared.chapters import Chapter
from shared.errors import LecternError
from shared.timecode import clock
from shared.transcription import Segment
from shared.ui import theme
from shared.ui.chapter_list import THUMB, chapter_pixmap
from shared.ui.dialogs import error_box
from shared.ui.plain import plain, plain_tip
from shared.ui.seek_bar import SeekBar
from shared.ui.video_view import VideoView
from shared.ui.worker import Worker
from studio.editing import (
    AddChapter,
    ClearTrim,
    CorrectSegment,
    Cut,
    DeleteChapter,
    Edit,
    EditSession,
    EditState,
    MoveBoundary,
    RenameChapter,
    SetInPoint,
    SetOutPoint,
    Uncut,
    count_matches,
    low_confidence_words,
)
from studio.second_opinion import SecondOpinion, load_opinion, save_opinion, second_opinion
from studio.speech import snap_to_pause, waveform, words_removed
from studio.speech import words as spoken_words
from studio.ui.checkpoints_tab import CheckpointsTab

__all__ = ["ReviewPanel"]

_HTML_ROLE = Qt.ItemDataRole.UserRole + 1
#: Where the picture shown for a chapter row comes from (a path), for tests and tooltips.
PICTURE_ROLE = Qt.ItemDataRole.UserRole + 2
_UNSURE = f"background:{theme.UNSURE_BACKGROUND}; color:{theme.UNSURE_TEXT}"
_FOUND = theme.FOUND
_PAD = 4
DETECTED, ADDED = "Detected", "Added by you"


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


def find_pattern(find: str) -> QRegularExpression | None:
    """The whole word or phrase ``find`` as :func:`studio.editing.replace_text` matches it."""
    words = find.split()
    if not words:
        return None
    body = r"\s+".join(QRegularExpression.escape(word) for word in words)
    return QRegularExpression(
        rf"(?<!\w){body}(?!\w)", QRegularExpression.PatternOption.CaseInsensitiveOption
    )


class _RichDelegate(QStyledItemDelegate):
    """Paints the HTML kept in an item (highlighted words), wrapped; edits its plain text.

    Matches of :attr:`find` are marked too.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.find: QRegularExpression | None = None

    def _document(self, option: QStyleOptionViewItem, index: QModelIndex) -> QTextDocument:
        document = QTextDocument()
        document.setDocumentMargin(_PAD)
        document.setDefaultFont(option.font)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        colour = option.palette.color(role)
        if not selected and isinstance(index.data(Qt.ItemDataRole.ForegroundRole), QBrush):
            colour = index.data(Qt.ItemDataRole.ForegroundRole).color()
        markup = index.data(_HTML_ROLE) or html.escape(index.data() or "")
        document.setHtml(f'<span style="color:{colour.name()}">{markup}</span>')
        if index.column() > 0:  # the time column is as wide as its text, the text wraps
            document.setTextWidth(max(40, option.rect.width()))
        if self.find is not None and index.column() == 1:
            found = QTextCharFormat()
            found.setBackground(QColor(_FOUND))
            found.setForeground(QColor(theme.TEXT))
            cursor = document.find(self.find)
            while not cursor.isNull():
                cursor.mergeCharFormat(found)
                cursor = document.find(self.find, cursor)
        return document

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex) -> None:
        self.initStyleOption(option, index)
        option.text = ""
        style = option.widget.style() if option.widget else None
        if style is not None:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, option, painter, option.widget)
        document = self._document(option, index)
        painter.save()
        painter.translate(option.rect.topLeft())
        painter.setClipRect(QRectF(0, 0, option.rect.width(), option.rect.height()))
        document.drawContents(painter)
        painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex) -> QSize:
        self.initStyleOption(option, index)
        document = self._document(option, index)
        return QSize(round(document.idealWidth()), round(document.size().height()))


class _ElidedLabel(QLabel):
    """A one-line label that takes only the room left and ends in … when it is short of it."""

    def __init__(self) -> None:
        super().__init__()
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        text = self.fontMetrics().elidedText(
            self.text(), Qt.TextElideMode.ElideRight, self.contentsRect().width()
        )
        painter.setPen(self.palette().color(self.foregroundRole()))
        align = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
        painter.drawText(self.contentsRect(), align, text)
        painter.end()


def _cell(text: str, editable: bool = False) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    flags = Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsEnabled
    if editable:
        flags |= Qt.ItemFlag.ItemIsEditable
    item.setFlags(flags)
    return item


def _table(columns: list[str], name: str) -> QTableWidget:
    table = QTableWidget(0, len(columns))
    table.setAccessibleName(name)
    table.setHorizontalHeaderLabels(columns)
    table.verticalHeader().hide()
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(
        QAbstractItemView.EditTrigger.DoubleClicked | QAbstractItemView.EditTrigger.EditKeyPressed
    )
    table.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
    table.setShowGrid(False)
    table.setAlternatingRowColors(True)
    header = table.horizontalHeader()
    header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
    header.setHighlightSections(False)
    for column in range(len(columns)):
        header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
    return table


def _left_out(state: EditState) -> list[tuple[float, float]]:
    """What the edit leaves out of the original video: trims and cuts, in order."""
    ranges = [(0.0, state.in_point)] if state.in_point > 0 else []
    ranges += list(state.cuts)
    if state.out_point is not None:
        ranges.append((state.out_point, state.duration))
    return ranges


def _length(seconds: float) -> str:
    return f"{seconds:.1f} s" if seconds < 60 else clock(seconds)


def _extract(inputs: list[tuple[Path, float, Path]], _state: object) -> list[Path]:
    """Background job: one picture per ``(video, time, destination)``."""
    return [
        media.extract_frame(video, at, dst, width=THUMB.width() * 2) for video, at, dst in inputs
    ]


class ReviewPanel(QWidget):
    """The review area for the selected lesson.

    Signals:
        changed(): an edit was made, undone or redone.
        edited(object): a new edit was made in the lesson in this folder (a Path).
        failed(str): an edit could not be made; the reason, for a person.
        message(str): a short status-bar message.
    """

    changed = Signal()
    edited = Signal(object)
    failed = Signal(str)
    message = Signal(str)
    splitRequested = Signal(Path, int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session: EditSession | None = None
        #: The video being watched while its lesson is still being built (no edits yet).
        self.previewing: Path | None = None
        self._preview_length = 0.0
        #: Sessions opened before, so each lesson keeps its undo history while the
        #: teacher goes from lesson to lesson.
        self._sessions: dict[Path, EditSession] = {}
        self._filling = False
        self._mark_start: float | None = None
        self._starts: list[float] = []
        self._spoken = -1
        self._pictures: dict[tuple[str, int], Path] = {}
        self._asked: set[tuple[str, int]] = set()
        self._picture_dir: tempfile.TemporaryDirectory[str] | None = None
        self._pictures_worker = Worker(self, max_threads=1)
        self._waveforms: dict[Path, list[float]] = {}
        #: A second model's opinion of the open lesson's transcript (its marks win over
        #: the probability marks), and the job asking for one.
        self.opinion: SecondOpinion | None = None
        self._check_worker = Worker(self, max_threads=1)
        self.check_job = None

        self.video = VideoView()
        self.seek_bar = SeekBar()
        self.seek_bar.set_selectable(True)
        self.seek_bar.set_marks_movable(True)
        self.seek_bar.set_zoomable(True)
        self.seek_bar.set_snap(self._snap)
        self.seek_bar.setAccessibleDescription(
            "Click to go to a time; Shift+drag to select a part to cut; "
            "drag a chapter mark to move the chapter's start; drag the in or out point "
            "to move it (it snaps to a pause between words; hold Shift to place it "
            "exactly); Ctrl+wheel zooms in to show the words"
        )
        self.time_label = QLabel("0:00 / 0:00")
        self.time_label.setAccessibleName("Time")
        self.play_button = QPushButton("Play")
        self.play_button.setAccessibleName("Play or pause")
        self.play_button.setToolTip("Play or pause (Space)")

        self._build_actions()
        self.in_button = self._button(self.in_action, "In point")
        self.out_button = self._button(self.out_action, "Out point")
        self.mark_start_button = self._button(self.mark_start_action, "Mark start")
        self.mark_end_button = self._button(self.mark_end_action, "Mark end")
        self.cut_button = self._button(self.cut_action, "Cut selection")
        self.clear_trim_button = QPushButton("Clear trim")
        self.clear_trim_button.setAccessibleName("Clear trim")
        self.clear_trim_button.setToolTip("Keep the whole video again: no in/out point, no cuts")
        self.selection_label = _ElidedLabel()
        self.selection_label.setAccessibleName("Selection")
        self._selection_hint = (
            "Select a part to cut: Shift+drag on the seek bar, or mark its start ( [ ) and "
            "end ( ] ) at the playhead. Drag a chapter mark on the seek bar to move its start."
        )
        self.selection_label.setToolTip(self._selection_hint)
        self.trim_label = QLabel()
        self.trim_label.setAccessibleName("Trim")
        self.as_edited_box = QCheckBox("Skip cuts while playing")
        self.as_edited_box.setAccessibleName("Skip cuts while playing")
        self.as_edited_box.setToolTip("Play the lesson as it will be exported: cut parts jump")
        self.as_edited_box.setChecked(True)

        self.processing_label = plain(QLabel())  # the build's status names files
        self.processing_label.setObjectName("banner")
        self.processing_label.setAccessibleName("Processing")
        self.processing_label.setWordWrap(True)
        self.processing_label.hide()

        self._build_transcript()
        self._build_chapters()
        self._build_cuts()
        self.checkpoints = CheckpointsTab(self.playhead)
        self._layout()
        self._connect()
        self.setEnabled(False)

    # --------------------------------------------------------------- building

    def _build_actions(self) -> None:
        def action(text: str, keys: str, slot: Callable[[], object]) -> QAction:
            made = QAction(text, self)
            made.setShortcut(QKeySequence(keys))
            made.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            made.setToolTip(f"{text} ({QKeySequence(keys).toString()})")
            made.triggered.connect(lambda: slot())
            self.addAction(made)
            return made

        # Cut points snap to the nearest pause between words; Shift (or { and } for
        # the marks) puts them exactly at the playhead.
        self.check_action = action(
            "Check the words with a second speech model", "Ctrl+Shift+W", self.check_words
        )
        self.in_action = action("Set the in point at the playhead", "I", self.set_in_point)
        self.out_action = action("Set the out point at the playhead", "O", self.set_out_point)
        self.mark_start_action = action("Mark the start of a cut here", "[", self.mark_start)
        self.mark_end_action = action("Mark the end of a cut here", "]", self.mark_end)
        self.exact_actions = [
            action(
                "In point exactly here (no snapping)",
                "Shift+I",
                lambda: self.set_in_point(exact=True),
            ),
            action(
                "Out point exactly here (no snapping)",
                "Shift+O",
                lambda: self.set_out_point(exact=True),
            ),
            action("Start of a cut exactly here", "{", lambda: self.mark_start(exact=True)),
            action("End of a cut exactly here", "}", lambda: self.mark_end(exact=True)),
        ]
        self.cut_action = action("Cut the selection out", "Ctrl+K", self.cut_selection)
        self.find_action = action("Find in the transcript", "Ctrl+F", self.show_find)
        self.replace_action = action("Replace in the transcript", "Ctrl+H", self.show_replace)
        self.add_chapter_action = action(
            "Add a chapter at the playhead", "Ctrl+M", self.add_chapter
        )
        # Space plays wherever the focus is in the panel (the transcript table too);
        # a line edit or a cell being edited takes its Space as text first.
        self.play_action = action("Play or pause", "Space", self.toggle_play)

    def edit_actions(self) -> list[QAction]:
        """The panel's keyboard actions, for a window's Edit menu."""
        return [
            self.in_action,
            self.out_action,
            self.mark_start_action,
            self.mark_end_action,
            self.cut_action,
            self.add_chapter_action,
            self.find_action,
            self.replace_action,
            *self.exact_actions,
        ]

    def _button(self, action: QAction, text: str) -> QPushButton:
        button = QPushButton(text)
        button.setAccessibleName(text)
        button.setToolTip(action.toolTip())
        button.clicked.connect(action.trigger)
        return button

    def _build_transcript(self) -> None:
        self.transcript = _table(["Time", "Text"], "Transcript")
        self.transcript.setWordWrap(True)
        self._delegate = _RichDelegate(self.transcript)
        self.transcript.setItemDelegateForColumn(0, self._delegate)
        self.transcript.setItemDelegateForColumn(1, self._delegate)
        self.transcript.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.transcript.setToolTip(
            "Click a line to play from there · double-click (or F2) to correct it; "
            "word timings are kept · highlighted words may be wrong"
        )
        self._rows_timer = QTimer(self)
        self._rows_timer.setSingleShot(True)
        self._rows_timer.setInterval(50)
        self._rows_timer.timeout.connect(self.transcript.resizeRowsToContents)
        self.transcript.horizontalHeader().sectionResized.connect(
            lambda *_: self._rows_timer.start()
        )

        self.find_box = QLineEdit()
        self.find_box.setPlaceholderText("Find (Ctrl+F)")
        self.find_box.setAccessibleName("Find")
        self.find_box.setClearButtonEnabled(True)
        self.find_count = QLabel()
        self.find_count.setAccessibleName("Matches")
        self.find_count.setProperty("muted", True)
        self.find_count.setMinimumWidth(90)
        self.replace_box = QLineEdit()
        self.replace_box.setPlaceholderText("Replace with (Ctrl+H)")
        self.replace_box.setAccessibleName("Replace with")
        self.replace_box.setClearButtonEnabled(True)
        self.replace_button = QPushButton("Replace all")
        self.replace_button.setAccessibleName("Replace all")
        self.replace_button.setToolTip("Replace the whole word or phrase everywhere (undoable)")
        self.check_button = self._button(self.check_action, "Check words…")
        self.check_button.setToolTip(
            "Transcribe again with another installed speech model and mark the words it "
            "heard differently: those are usually the wrong ones (Ctrl+Shift+W; again to "
            "cancel)"
        )
        self.check_progress = QProgressBar()
        self.check_progress.setRange(0, 1000)
        self.check_progress.setMaximumWidth(120)
        self.check_progress.setAccessibleName("Checking the words")
        self.check_progress.hide()

    def _build_chapters(self) -> None:
        self.chapters = _table(["Start", "Title", "Origin"], "Chapters")
        self.chapters.setIconSize(THUMB)
        self.chapters.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.chapters.verticalHeader().setDefaultSectionSize(THUMB.height() + 10)
        self.chapters.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.chapters.setToolTip(
            "Click a chapter to go to it · double-click its title to rename it · "
            "right-click for more"
        )
        self.add_chapter_button = self._button(self.add_chapter_action, "Add at playhead")
        self.move_chapter_button = QPushButton("Move start to playhead")
        self.move_chapter_button.setAccessibleName("Move start to playhead")
        self.move_chapter_button.setToolTip(
            "Start the selected chapter at the playhead (or drag its mark on the seek bar)"
        )
        self.delete_chapter_button = QPushButton("Delete chapter")
        self.delete_chapter_button.setAccessibleName("Delete chapter")
        self.delete_chapter_button.setToolTip("Its time joins the chapter before it")

    def _build_cuts(self) -> None:
        self.cuts = _table(["Left out", "From", "To", "Length"], "Cuts")
        self.cuts.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.cuts.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.restore_cut_button = QPushButton("Put back")
        self.restore_cut_button.setAccessibleName("Put back")
        self.restore_cut_button.setToolTip("Keep the selected part of the video again (undoable)")
        self.cuts_hint = QLabel(
            "Nothing is cut. Select a range with Shift+drag on the seek bar, or mark its "
            "start ( [ ) and end ( ] ) at the playhead, then Cut selection (Ctrl+K). "
            "I and O set the in and out points."
        )
        self.cuts_hint.setWordWrap(True)
        self.cuts_hint.setProperty("muted", True)

    def _layout(self) -> None:
        transport = QHBoxLayout()
        transport.addWidget(self.play_button)
        transport.addWidget(self.seek_bar, 1)
        transport.addWidget(self.time_label)
        edit = QHBoxLayout()
        for widget in (self.in_button, self.out_button):
            edit.addWidget(widget)
        edit.addSpacing(6)
        for widget in (self.mark_start_button, self.mark_end_button, self.cut_button):
            edit.addWidget(widget)
        edit.addWidget(self.selection_label, 1)
        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 6, 4)
        top_layout.addWidget(self.video, 1)
        top_layout.addLayout(transport)
        top_layout.addLayout(edit)

        transcript_page = QWidget()
        page = QVBoxLayout(transcript_page)
        page.setContentsMargins(6, 8, 6, 6)
        find = QHBoxLayout()
        find.addWidget(self.find_box, 2)
        find.addWidget(self.find_count)
        find.addWidget(self.replace_box, 2)
        find.addWidget(self.replace_button)
        find.addSpacing(12)
        find.addWidget(self.check_progress)
        find.addWidget(self.check_button)
        page.addLayout(find)
        page.addWidget(self.transcript, 1)

        chapters_page = QWidget()
        page = QVBoxLayout(chapters_page)
        page.setContentsMargins(6, 8, 6, 6)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_chapter_button)
        buttons.addWidget(self.move_chapter_button)
        buttons.addWidget(self.delete_chapter_button)
        buttons.addStretch(1)
        page.addLayout(buttons)
        page.addWidget(self.chapters, 1)

        cuts_page = QWidget()
        page = QVBoxLayout(cuts_page)
        page.setContentsMargins(6, 8, 6, 6)
        buttons = QHBoxLayout()
        buttons.addWidget(self.restore_cut_button)
        buttons.addWidget(self.clear_trim_button)
        buttons.addWidget(self.as_edited_box)
        buttons.addStretch(1)
        page.addLayout(buttons)
        page.addWidget(self.trim_label)
        page.addWidget(self.cuts_hint)
        page.addWidget(self.cuts, 1)

        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(transcript_page, "Transcript")
        self.tabs.addTab(chapters_page, "Chapters")
        self.tabs.addTab(cuts_page, "Cuts")
        self.tabs.addTab(self.checkpoints, "Checkpoints")

        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(top)
        self.splitter.addWidget(self.tabs)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([440, 400])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.processing_label)
        layout.addWidget(self.splitter)

    def _connect(self) -> None:
        self.play_button.clicked.connect(self.video.toggle)
        self.video.playingChanged.connect(
            lambda playing: self.play_button.setText("Pause" if playing else "Play")
        )
        self.video.positionChanged.connect(self._position)
        self.video.durationChanged.connect(self._duration)
        self.seek_bar.seekRequested.connect(self.video.seek)
        self.seek_bar.selectionChanged.connect(self._selection_changed)
        self.seek_bar.markMoved.connect(self.move_chapter)
        self.seek_bar.trimMoved.connect(self._trim_dragged)
        self.transcript.itemChanged.connect(self._segment_edited)
        self.transcript.cellClicked.connect(self._segment_clicked)
        self.find_box.textChanged.connect(self._count_matches)
        self.find_box.returnPressed.connect(self.find_next)
        self.replace_button.clicked.connect(self.replace_all)
        self.replace_box.returnPressed.connect(self.replace_all)
        self.chapters.itemChanged.connect(self._chapter_edited)
        self.chapters.cellClicked.connect(self._chapter_clicked)
        self.chapters.customContextMenuRequested.connect(self._chapter_menu)
        self.move_chapter_button.clicked.connect(lambda: self.move_chapter())
        self.delete_chapter_button.clicked.connect(lambda: self.delete_chapter())
        self.cuts.cellClicked.connect(self._cut_clicked)
        self.restore_cut_button.clicked.connect(lambda: self.restore_cut())
        self.clear_trim_button.clicked.connect(lambda: self.apply(ClearTrim()))
        self.checkpoints.editRequested.connect(self.apply)
        self.checkpoints.seekRequested.connect(self.video.seek)
        self.checkpoints.message.connect(self.message)
        self.checkpoints.failed.connect(self.failed)

    # ----------------------------------------------------------------- lesson

    def open_lesson(self, folder: Path, at: float = 0.0) -> None:
        """Review the lesson in ``folder`` from ``at`` seconds; its picture shows once loaded.

        A lesson opened before in this panel keeps its undo history.

        Raises:
            LecternError: the workspace or its edits cannot be read.
        """
        session = self._session_for(folder)
        self.close_lesson()
        self.session = session
        self.opinion = load_opinion(folder)
        lesson = session.lesson
        self.video.load(
            folder / lesson.video,
            folder / lesson.presenter_video if lesson.presenter_video else None,
        )
        self.seek_bar.set_duration(lesson.duration)
        self._show_waveform(folder / lesson.video)
        self._set_editable(True)
        self.setEnabled(True)
        self.refresh()
        if at > 0:
            self.video.seek(at)
        self._position(at)

    def _show_waveform(self, video: Path) -> None:
        """Draw the lesson's sound along the seek bar (made in the background, kept)."""
        kept = self._waveforms.get(video)
        self.seek_bar.set_waveform(kept or [])
        if kept is not None:
            return
        self._waveforms[video] = []
        job = self._pictures_worker.submit(
            "reading the sound", lambda path, state: waveform(path, state=state), video
        )
        job.succeeded.connect(lambda peaks: self._waveform_made(video, peaks))

    def _waveform_made(self, video: Path, peaks: list[float]) -> None:
        self._waveforms[video] = peaks
        if self.session is not None and self.session.folder / self.session.lesson.video == video:
            self.seek_bar.set_waveform(peaks)

    def _session_for(self, folder: Path) -> EditSession:
        """The kept session of ``folder`` while its files are unchanged, else a new one."""
        kept = self._sessions.get(folder)
        if kept is not None and kept.unchanged_on_disk():
            return kept
        session = EditSession.open(folder)
        self._sessions[folder] = session
        return session

    def forget(self, folder: Path) -> None:
        """Drop the kept session of ``folder`` (removed or rebuilt lessons)."""
        self._sessions.pop(folder, None)
        if self.session is not None and self.session.folder == folder:
            self.close_lesson()

    def preview(self, video: Path, presenter: Path | None, note: str) -> None:
        """Play a lesson's media while the rest of it (transcript, chapters) is built.

        Nothing can be edited yet; ``note`` says what is still being done and
        :meth:`set_processing_note` keeps it current.
        """
        self.close_lesson()
        self.previewing = video
        self._preview_length = media.probe(video).duration
        self.video.load(video, presenter)
        self.seek_bar.set_duration(self._preview_length)
        self._set_editable(False)
        self.setEnabled(True)
        self.set_processing_note(note)
        self._position(0.0)

    def set_processing_note(self, note: str) -> None:
        """What the banner over a preview says (the build's progress)."""
        self.processing_label.setText(note)
        self.processing_label.setVisible(self.previewing is not None)

    def _set_editable(self, editable: bool) -> None:
        for action in self.edit_actions():
            action.setEnabled(editable)
        buttons = (self.in_button, self.out_button, self.mark_start_button)
        buttons += (self.mark_end_button, self.cut_button, self.clear_trim_button)
        for widget in (self.tabs, self.selection_label, *buttons):
            widget.setEnabled(editable)
        self.seek_bar.set_selectable(editable)
        self.seek_bar.set_marks_movable(editable)

    def check_words(self) -> None:
        """Ask a second installed model where the transcript may be wrong (in the worker,
        with progress); asked again while it runs, cancel it."""
        if self.check_job is not None:
            self.check_job.cancel()
            return
        if self.session is None:
            return
        folder, media = self.session.folder, self.session.workspace.video
        transcript = self.session.state.transcript

        def run(_inputs: object, state: object) -> SecondOpinion:
            found = second_opinion(transcript, media, None, state)  # type: ignore[arg-type]
            save_opinion(folder, found)
            return found

        self.check_job = job = self._check_worker.submit("Checking the words", run)
        self.check_button.setText("Cancel check")
        self.check_progress.setValue(0)
        self.check_progress.show()
        job.progress.connect(lambda f: self.check_progress.setValue(round(f * 1000)))
        job.succeeded.connect(lambda found: self._checked(folder, found))
        job.failed.connect(lambda message: error_box(self, "Check words", message))
        job.done.connect(self._check_done)

    def _checked(self, folder: Path, found: SecondOpinion) -> None:
        if self.session is None or self.session.folder != folder:
            return  # another lesson is open now; this one shows its marks when reopened
        self.opinion = found
        self._fill_transcript(self.session.state)
        count = len(found.current(self.session.state.transcript))
        self.check_button.setToolTip(
            f"{found.model} heard {count} place(s) differently; they are marked. "
            "Check again (Ctrl+Shift+W) after correcting."
            if count
            else f"{found.model} heard every word the same."
        )

    def _check_done(self) -> None:
        self.check_job = None
        self.check_button.setText("Check words…")
        self.check_progress.hide()

    def close_lesson(self) -> None:
        if self.session is not None or self.previewing is not None:
            self.video.unload()
            self._pictures_worker.wait(10_000)  # a picture job must not outlive its lesson
        if self.check_job is not None:
            self.check_job.cancel()
        self.session = None
        self.opinion = None
        self.previewing = None
        self._preview_length = 0.0
        self.seek_bar.set_duration(0.0)
        self.seek_bar.set_position(0.0)
        self.seek_bar.set_waveform([])
        self.time_label.setText("0:00 / 0:00")
        self.processing_label.hide()
        self._mark_start = None
        self.seek_bar.set_selection(None, None)
        self.refresh()
        self.setEnabled(False)

    def clear_inputs(self) -> None:
        """Empty what the teacher typed for a lesson (find, replace): another course opens."""
        for box in (self.find_box, self.replace_box):
            box.clear()

    def toggle_play(self) -> None:
        if self.session is not None or self.previewing is not None:
            self.video.toggle()

    def playhead(self) -> float:
        return self.video.position()

    def _position(self, seconds: float) -> None:
        self.seek_bar.set_position(seconds)
        self._mark_spoken(seconds)
        total = self.session.lesson.duration if self.session is not None else self._preview_length
        self.time_label.setText(f"{clock(seconds)} / {clock(total)}")
        if self.session is not None and self.video.is_playing() and self.as_edited_box.isChecked():
            self._skip_left_out(seconds)

    def _duration(self, seconds: float) -> None:
        if seconds > 0:
            self.seek_bar.set_duration(seconds)

    def _skip_left_out(self, seconds: float) -> None:
        """While playing as edited, jump over a part that is left out."""
        assert self.session is not None
        state = self.session.state
        for start, end in _left_out(state):
            if start <= seconds < end - 0.05:
                if end >= state.duration - 0.05:
                    self.video.pause()
                else:
                    self.video.seek(end)
                return

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
        self.edited.emit(self.session.folder)
        return True

    def session_of(self, folder: Path) -> EditSession | None:
        """The session kept for ``folder`` (its undo history), if it was opened here."""
        return self._sessions.get(folder)

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

    def _guard(self, step: Callable[[], object]) -> None:
        try:
            step()
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
            self.edited.emit(self.session.folder)
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

    def move_chapter(self, index: int | None = None, at: float | None = None) -> bool:
        """Start chapter ``index`` (default: the selected one) at ``at`` (default: playhead)."""
        index = self.chapters.currentRow() if index is None else index
        if index < 0:
            self.failed.emit("Select a chapter in the list first, then move its start.")
            return False
        return self.apply(MoveBoundary(index, self.playhead() if at is None else at))

    def cut_point(self, exact: bool = False) -> float:
        """The playhead as a cut point: moved into the nearest pause between words.

        ``exact``, or Shift held while clicking a button, keeps the playhead as it is.
        """
        at = self.playhead()
        held = QGuiApplication.keyboardModifiers() & Qt.KeyboardModifier.ShiftModifier
        if self.session is None or exact or held:
            return at
        return snap_to_pause(self.session.state.transcript, at)

    def _snap(self, at: float) -> float:
        """Where a cut point dragged to ``at`` goes: the nearest pause between words."""
        if self.session is None:
            return at
        return snap_to_pause(self.session.state.transcript, at)

    def _trim_dragged(self, which: str, at: float) -> None:
        """The seek bar's in or out point was dragged to ``at`` (already snapped, or exact)."""
        if which == "in":
            self.set_in_point(at)
        else:
            self.set_out_point(at)

    def speech_left_out(self, start: float, end: float) -> str:
        """What leaving ``[start, end]`` out would cut from the speech, for a person; or ``""``."""
        if self.session is None:
            return ""
        lost = words_removed(self.session.state.transcript, start, end)
        if not lost:
            return ""
        said = "".join(word.text for word in lost[:8]).strip()
        more = "…" if len(lost) > 8 else ""
        return f"{len(lost)} spoken word{'s' if len(lost) != 1 else ''} (“{said}{more}”)"

    def set_in_point(self, at: float | None = None, exact: bool = False) -> bool:
        at = self.cut_point(exact) if at is None else at
        if not self.apply(SetInPoint(at)):
            return False
        lost = self.speech_left_out(0.0, at)
        if lost:
            self.message.emit(f"The in point leaves out {lost}; Ctrl+Z puts them back")
        return True

    def set_out_point(self, at: float | None = None, exact: bool = False) -> bool:
        at = self.cut_point(exact) if at is None else at
        if not self.apply(SetOutPoint(at)):
            return False
        lost = self.speech_left_out(at, float("inf"))
        if lost:
            self.message.emit(f"The out point leaves out {lost}; Ctrl+Z puts them back")
        return True

    # ------------------------------------------------------------------- cuts

    def mark_start(self, at: float | None = None, exact: bool = False) -> None:
        """Mark where a cut starts; with an end already marked after it, that is the selection."""
        at = self.cut_point(exact) if at is None else at
        selection = self.seek_bar.selection()
        end = selection[1] if selection is not None and selection[1] > at else None
        self.seek_bar.set_selection(at, end)
        self._mark_start = at
        self._show_selection()

    def mark_end(self, at: float | None = None, exact: bool = False) -> None:
        """Mark where a cut ends; with a start marked before it, that is the selection."""
        at = self.cut_point(exact) if at is None else at
        if self._mark_start is None or self._mark_start >= at:
            self.failed.emit(f"Mark the start of the part to cut first ( [ ), before {clock(at)}.")
            return
        self.seek_bar.set_selection(self._mark_start, at)

    def cut_selection(self) -> bool:
        """Cut the selected range out (Ctrl+K); the selection is then cleared."""
        selection = self.seek_bar.selection()
        if selection is None:
            self.failed.emit(
                "Select the part to cut first: Shift+drag on the seek bar, or mark its "
                "start ( [ ) and end ( ] ) at the playhead."
            )
            return False
        lost = self.speech_left_out(*selection)
        if not self.apply(Cut(*selection)):
            return False
        self._mark_start = None
        self.seek_bar.set_selection(None, None)
        with_speech = f" with {lost}" if lost else ""
        self.message.emit(
            f"Cut {_length(selection[1] - selection[0])}{with_speech}; Ctrl+Z puts it back"
        )
        return True

    def restore_cut(self, row: int | None = None) -> bool:
        """Keep again what row ``row`` of the cuts list (default: the selected one) leaves out."""
        row = self.cuts.currentRow() if row is None else row
        if self.session is None or not 0 <= row < self.cuts.rowCount():
            self.failed.emit("Select a cut in the list first, then put it back.")
            return False
        state = self.session.state
        start, end = _left_out(state)[row]
        if state.in_point > 0 and start == 0.0:
            return self.apply(SetInPoint(0.0))
        if state.out_point is not None and start == state.out_point:
            return self.apply(SetOutPoint(None))
        return self.apply(Uncut(start, end))

    def _selection_changed(self) -> None:
        selection = self.seek_bar.selection()
        self._mark_start = selection[0] if selection is not None else self._mark_start
        self._show_selection()

    def _show_selection(self) -> None:
        selection = self.seek_bar.selection()
        if selection is not None:
            start, end = selection
            text = f"{clock(start)}–{clock(end)} ({_length(end - start)})"
            lost = self.speech_left_out(start, end)
            if lost:  # said before Ctrl+K, not after
                text += f" · cuts {lost}"
            hint = f"Cutting this removes {lost}." if lost else self._selection_hint
            self.selection_label.setToolTip(hint)
        elif self._mark_start is not None and self.session is not None:
            text = f"From {clock(self._mark_start)} – mark the end ( ] )"
        else:
            text = "Shift+drag on the seek bar to select a part to cut"
        self.selection_label.setProperty("muted", selection is None)
        self.selection_label.style().polish(self.selection_label)
        self.selection_label.setText(text)
        self.cut_button.setEnabled(selection is not None)

    def _cut_clicked(self, row: int, _column: int) -> None:
        if self.session is not None:
            start, end = _left_out(self.session.state)[row]
            self.video.seek(max(0.0, start - 2.0) if start > 0 else end)

    # ------------------------------------------------------------- transcript

    def show_find(self) -> None:
        self.tabs.setCurrentIndex(0)
        self.find_box.setFocus()
        self.find_box.selectAll()

    def show_replace(self) -> None:
        self.tabs.setCurrentIndex(0)
        self.replace_box.setFocus()
        self.replace_box.selectAll()

    def _matching_rows(self) -> list[int]:
        find = self.find_box.text()
        if self.session is None or not find.strip():
            return []
        transcript = self.session.state.transcript
        return [
            row
            for row, segment in enumerate(transcript.segments)
            if count_matches(dataclasses.replace(transcript, segments=(segment,)), find)
        ]

    def _count_matches(self) -> None:
        find = self.find_box.text()
        pattern = find_pattern(find) if self.session is not None else None
        if pattern != self._delegate.find:
            self._delegate.find = pattern
            self.transcript.viewport().update()
        if self.session is None or not find.strip():
            self.find_count.setText("")
            return
        count = count_matches(self.session.state.transcript, find)
        self.find_count.setText(f"{count} match{'es' if count != 1 else ''}")

    def find_next(self) -> int:
        """Select (and go to) the next line with the word or phrase; its row, or -1."""
        rows = self._matching_rows()
        if not rows:
            return -1
        current = self.transcript.currentRow()
        row = next((r for r in rows if r > current), rows[0])
        self.transcript.setCurrentCell(row, 1)
        self.transcript.scrollToItem(self.transcript.item(row, 1))
        assert self.session is not None
        self.video.seek(self.session.state.transcript.segments[row].start)
        return row

    def spoken_row(self) -> int:
        """The transcript row marked as being spoken at the playhead, or -1."""
        return self._spoken

    def _mark_spoken(self, seconds: float) -> None:
        """Tint the line spoken at ``seconds``; while playing, keep it in view."""
        row = -1
        if self.session is not None:
            row = bisect.bisect_right(self._starts, seconds + 1e-3) - 1
        if row != self._spoken:
            for old, brush in ((self._spoken, QBrush()), (row, QBrush(QColor(theme.ACCENT_SOFT)))):
                for column in (0, 1):
                    item = self.transcript.item(old, column) if old >= 0 else None
                    if item is not None:
                        item.setBackground(brush)
            self._spoken = row
        editing = self.transcript.state() == QAbstractItemView.State.EditingState
        if row >= 0 and self.video.is_playing() and not editing:
            item = self.transcript.item(row, 1)
            rect = self.transcript.visualItemRect(item) if item is not None else None
            if rect is not None and not self.transcript.viewport().rect().contains(rect):
                self.transcript.scrollToItem(item, QAbstractItemView.ScrollHint.PositionAtCenter)

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
            self.video.play()

    # --------------------------------------------------------------- chapters

    def _chapter_edited(self, item: QTableWidgetItem) -> None:
        if self._filling or self.session is None or item.column() != 1:
            return
        row, text = item.row(), item.text()
        if text != self.session.state.chapters[row].title:
            QTimer.singleShot(0, lambda: self.rename_chapter(row, text))

    def _chapter_clicked(self, row: int, _column: int) -> None:
        if self.session is not None:
            self.video.seek(self.session.state.chapters[row].start)

    def _chapter_menu(self, point: QPoint) -> None:
        row = self.chapters.rowAt(point.y())
        if self.session is None or row < 0:
            return
        self.chapters.selectRow(row)
        menu = QMenu(self)
        menu.addAction("Go to this chapter", lambda: self._chapter_clicked(row, 0))
        menu.addAction("Rename", lambda: self.chapters.editItem(self.chapters.item(row, 1)))
        move = menu.addAction("Move start to playhead", lambda: self.move_chapter(row))
        move.setEnabled(row > 0)
        menu.addAction("Add a chapter at the playhead", self.add_chapter)
        menu.addSeparator()
        delete = menu.addAction("Delete", lambda: self.delete_chapter(row))
        delete.setEnabled(self.chapters.rowCount() > 1)
        menu.addSeparator()
        split = menu.addAction(
            "Split the lesson here (a new lesson from this chapter on)",
            lambda: self.splitRequested.emit(self.session.folder, row + 1),
        )
        split.setEnabled(row > 0)
        menu.popup(self.chapters.viewport().mapToGlobal(point))

    def _picture(self, chapter: Chapter) -> Path | None:
        """The picture for ``chapter``: the built one if it still starts there, else made here."""
        assert self.session is not None
        folder = self.session.folder
        for built in self.session.original.chapters:
            if built.thumbnail and abs(built.start - chapter.start) < 1e-3:
                path = folder / built.thumbnail
                if path.is_file():
                    return path
        return self._pictures.get((str(folder), round(chapter.start * 1000)))

    def _make_pictures(self, chapters: list[Chapter]) -> None:
        """Make the missing chapter pictures in the background; the rows update when done."""
        assert self.session is not None
        folder, video = self.session.folder, self.session.workspace.video
        if self._picture_dir is None:
            self._picture_dir = tempfile.TemporaryDirectory(prefix="lectern-chapters-")
        work = []
        for chapter in chapters:
            key = (str(folder), round(chapter.start * 1000))
            if key in self._asked:
                continue
            self._asked.add(key)
            name = f"{abs(hash(key[0])):x}-{key[1]}.jpg"
            at = chapter.start + max(0.0, min(1.0, chapter.duration / 2))
            work.append((key, (video, at, Path(self._picture_dir.name) / name)))
        if not work:
            return
        job = self._pictures_worker.submit(
            "making chapter pictures", _extract, [inputs for _key, inputs in work]
        )
        keys = [key for key, _inputs in work]
        job.succeeded.connect(lambda paths: self._pictures_made(keys, paths))

    def _pictures_made(self, keys: list[tuple[str, int]], paths: list[Path]) -> None:
        self._pictures.update(zip(keys, paths, strict=True))
        if self.session is not None:
            self._fill_pictures(self.session.state.chapters)

    def _fill_pictures(self, chapters: tuple[Chapter, ...]) -> None:
        missing = []
        for row, chapter in enumerate(chapters):
            item = self.chapters.item(row, 0)
            if item is None:
                continue
            picture = self._picture(chapter)
            if picture is None:
                missing.append(chapter)
            if (
                item.data(PICTURE_ROLE) != (str(picture) if picture else None)
                or item.icon().isNull()
            ):
                pixmap = chapter_pixmap(picture, row + 1)
                icon = QIcon(pixmap)
                icon.addPixmap(pixmap, QIcon.Mode.Selected)  # no blue tint when selected
                item.setIcon(icon)
                item.setData(PICTURE_ROLE, str(picture) if picture else None)
        if missing:
            self._make_pictures(missing)

    # ---------------------------------------------------------------- showing

    def refresh(self) -> None:
        """Fill the transcript, chapters, cuts and seek bar from the session's state."""
        self._filling = True
        try:
            self._fill()
        finally:
            self._filling = False

    def _fill(self) -> None:
        state = self.session.state if self.session is not None else None
        self._fill_transcript(state)
        self._fill_chapters(state)
        self._fill_cuts(state)
        self.checkpoints.show_state(state)
        self.seek_bar.set_checkpoint_marks(self.checkpoints.marks())
        count = len(state.checkpoints) if state is not None else 0
        self.tabs.setTabText(3, f"Checkpoints ({count})" if count else "Checkpoints")
        self._count_matches()
        self._show_selection()

    def _fill_transcript(self, state: EditState | None) -> None:
        segments = state.transcript.segments if state is not None else ()
        unsure: dict[int, set[int]] = {}
        heard: dict[int, list[str]] = {}
        if state is not None and self.opinion is not None:
            model = self.opinion.model
            for d in self.opinion.current(state.transcript):
                unsure.setdefault(d.segment, set()).update(d.words)
                other = f"“{d.heard}”" if d.heard else "nothing"
                heard.setdefault(d.segment, []).append(f"“{d.said}”: {model} heard {other}")
        elif state is not None:
            for ref in low_confidence_words(state.transcript):
                unsure.setdefault(ref.segment, set()).add(ref.index)
        self.transcript.setRowCount(len(segments))
        built = self.session.original.transcript.segments if self.session is not None else ()
        for row, segment in enumerate(segments):
            corrected = row < len(built) and built[row].text != segment.text
            stamp = _cell(clock(segment.start) + (" ✎" if corrected else ""))
            stamp.setForeground(QColor(theme.ACCENT if corrected else theme.MUTED))
            if corrected:
                stamp.setToolTip(plain_tip(f"You corrected this line; it said: {built[row].text}"))
            self.transcript.setItem(row, 0, stamp)
            item = _cell(segment.text, editable=True)
            marked = unsure.get(row, set())
            item.setData(_HTML_ROLE, segment_html(segment, marked))
            if row in heard:
                item.setToolTip(
                    plain_tip("A second model heard this differently: " + "; ".join(heard[row]))
                )
            elif marked:
                words = ", ".join(segment.words[i].text.strip() for i in sorted(marked))
                item.setToolTip(plain_tip(f"The transcription may be wrong here: {words}"))
            self.transcript.setItem(row, 1, item)
        self._starts = [segment.start for segment in segments]
        self._spoken = -1
        self._mark_spoken(self.playhead() if self.session is not None else 0.0)
        self._rows_timer.start()

    def _fill_chapters(self, state: EditState | None) -> None:
        chapters = state.chapters if state is not None else ()
        self.chapters.setRowCount(len(chapters))
        for row, chapter in enumerate(chapters):
            self.chapters.setItem(row, 0, _cell(clock(chapter.start)))
            self.chapters.setItem(row, 1, _cell(chapter.title, editable=True))
            detected = chapter.source == "detected"
            tag = _cell(DETECTED if detected else ADDED)
            tag.setForeground(QColor(theme.MUTED if detected else theme.ACCENT))
            tag.setToolTip(
                "Found from a slide change when the lesson was built"
                if detected
                else "A chapter you added"
            )
            self.chapters.setItem(row, 2, tag)
        if chapters:
            self._fill_pictures(chapters)
        self.seek_bar.set_chapters([(c.start, c.title) for c in chapters])
        self.move_chapter_button.setEnabled(len(chapters) > 1)
        self.delete_chapter_button.setEnabled(len(chapters) > 1)

    def _fill_cuts(self, state: EditState | None) -> None:
        ranges = _left_out(state) if state is not None else []
        self.cuts.setRowCount(len(ranges))
        for row, (start, end) in enumerate(ranges):
            if state is not None and start == 0.0 and state.in_point > 0:
                what = "Start (before the in point)"
            elif state is not None and state.out_point is not None and start == state.out_point:
                what = "End (after the out point)"
            else:
                what = "Cut"
            self.cuts.setItem(row, 0, _cell(what))
            self.cuts.setItem(row, 1, _cell(clock(start)))
            self.cuts.setItem(row, 2, _cell(clock(end)))
            self.cuts.setItem(row, 3, _cell(_length(end - start)))
        self.seek_bar.set_ranges(ranges, "left out")
        self.seek_bar.set_trim_points(
            state.in_point if state is not None and state.in_point > 0 else None,
            state.out_point if state is not None else None,
        )
        self.seek_bar.set_words(
            [(word.start, word.end, word.text) for word in spoken_words(state.transcript)]
            if state is not None
            else []
        )
        self.cuts_hint.setVisible(not ranges)
        self.restore_cut_button.setEnabled(bool(ranges))
        self.clear_trim_button.setEnabled(bool(ranges))
        self.tabs.setTabText(2, f"Cuts ({len(ranges)})" if ranges else "Cuts")
        if state is None:
            self.trim_label.setText("")
            return
        out = clock(state.out_point) if state.out_point is not None else "end"
        text = f"In {clock(state.in_point)} · Out {out}"
        if state.cuts:
            text += f" · {len(state.cuts)} cut{'s' if len(state.cuts) != 1 else ''}"
        text += f" · {clock(state.timeline.duration)} kept"
        self.trim_label.setText(text)
