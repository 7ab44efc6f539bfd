"""The lesson page: the video with its controls, chapters, transcript, notes and questions.

Progress is reported to the library as the learner watches: the position every few
seconds while playing and at every pause, seek and close; and the spans actually
played, each a contiguous stretch (a seek ends one), so skipping ahead never counts
as watching. The speed does not matter. The lesson's checkpoints are asked over the
video by :class:`~player.ui.checkpoint_gate.CheckpointGate`.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSlider,
    QSplitter,
    QStyle,
    QStyledItemDelegate,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from player.settings import SPEEDS, Settings
from player.ui.checkpoint_gate import CheckpointGate, chapter_start_of
from player.ui.notes_panel import NotesPanel
from player.ui.questions_panel import QuestionsPanel
from player.ui.slide_panel import SlidePanel
from shared.captions import CaptionFileError, Cue, cues_from_transcript, read_vtt
from shared.chapters import Slide
from shared.errors import LecternError
from shared.library import LessonInfo, Library
from shared.timecode import clock
from shared.transcription import Transcript
from shared.ui.chapter_list import ChapterList
from shared.ui.plain import plain
from shared.ui.seek_bar import SeekBar
from shared.ui.theme import tinted_icon
from shared.ui.transcript_view import TranscriptView
from shared.ui.video_view import VideoView

__all__ = ["FoundText", "LessonView", "WatchedSpans"]

SAVE_EVERY_MS = 5000
RESUME_FROM = 5.0
"""A saved position at least this far in (and this far from the end) is offered to resume."""


class WatchedSpans:
    """Turns the positions seen while playing into contiguous played spans.

    ``report(start, end)`` gets each span. A seek (:meth:`seeked`) or a jump in the
    positions ends a span; ticks that still show the old position after a seek are
    ignored until the player reaches the new one.
    """

    JUMP = 3.0
    """A step larger than this between two ticks is a jump, not playing (even at 2x)."""
    ARRIVED = 1.5
    """A tick this close to a seek's target means the seek has happened."""
    STALE_TICKS = 25

    def __init__(self, report: Callable[[float, float], None]) -> None:
        self._report = report
        self._start: float | None = None
        self._last: float | None = None
        self._target: float | None = None
        self._stale = 0

    def tick(self, position: float) -> None:
        """The player is playing at ``position`` seconds."""
        if self._target is not None:
            if abs(position - self._target) > self.ARRIVED and self._stale < self.STALE_TICKS:
                self._stale += 1
                return
            self._target = None
        if self._start is None or self._last is None:
            self._start = self._last = position
            return
        if position < self._last - 0.25 or position - self._last > self.JUMP:
            self.close()
            self._start = self._last = position
            return
        self._last = max(self._last, position)

    def seeked(self, target: float) -> None:
        """A seek to ``target`` was asked for: the current span ends here."""
        self.close()
        self._target = target
        self._stale = 0

    def flush(self) -> None:
        """Report the span so far and keep going from its end."""
        if self._start is not None and self._last is not None and self._last - self._start > 0.05:
            self._report(self._start, self._last)
            self._start = self._last

    def close(self) -> None:
        """Report and end the current span (pause, end, leaving the lesson)."""
        self.flush()
        self._start = self._last = None


@dataclass(frozen=True)
class FoundText:
    """A place in the lesson where the find box's words are: said, or shown on a slide.

    Attributes:
        time: where to go: the start of the line said, or the moment the slide text
            first appears (the step of the slide that shows it).
        kind: ``"said"`` or ``"on slide"``.
        text: the line said, or the slide lines of that step.
    """

    time: float
    kind: str
    text: str


log = logging.getLogger(__name__)


@dataclass
class _Open:
    course_id: str
    course_title: str
    lesson: LessonInfo
    lessons: list[LessonInfo]
    #: the xAPI session of this opening of the lesson (the Video Profile's session-id).
    session: str = field(default_factory=lambda: str(uuid.uuid4()))


def _tool(icon: QStyle.StandardPixmap, name: str, tip: str, style: QStyle) -> QToolButton:
    button = QToolButton()
    button.setIcon(tinted_icon(style, icon))
    button.setIconSize(QSize(20, 20))
    button.setAccessibleName(name)
    button.setToolTip(tip)
    button.setAutoRaise(True)
    button.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
    return button


class LessonView(QWidget):
    """Plays one lesson and keeps the library's progress and notes up to date.

    Signals:
        backRequested(): the learner wants the library.
        fullscreenRequested(bool): enter (True) or leave full screen.
        message(str): a short status message.
        failed(str): an error message to show.
        exportRequested(str): export the notes of this course.
        activityRecorded(): an xAPI statement was queued for the LRS.
    """

    backRequested = Signal()
    fullscreenRequested = Signal(bool)
    message = Signal(str)
    failed = Signal(str)
    exportRequested = Signal(str)
    activityRecorded = Signal()

    def __init__(self, library: Library, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("page")
        self.library = library
        self.settings = settings
        self.current: _Open | None = None
        self.spans = WatchedSpans(self._report_span)
        self._fullscreen = False
        self._resume_after_note = False
        style = self.style()

        # Header: where we are and lesson navigation.
        self.back_button = QPushButton(style.standardIcon(QStyle.StandardPixmap.SP_ArrowBack), "")
        self.back_button.setAccessibleName("Back to the library")
        self.back_button.setToolTip("Back to the library (Alt+Left)")
        self.course_label = plain(QLabel())
        self.course_label.setObjectName("muted")
        self.title_label = plain(QLabel())
        self.title_label.setObjectName("lessonTitle")
        self.lesson_box = QComboBox()
        self.lesson_box.setAccessibleName("Lesson")
        self.lesson_box.setMinimumWidth(220)
        self.complete_button = QPushButton(
            style.standardIcon(QStyle.StandardPixmap.SP_DialogApplyButton), "Mark complete"
        )
        self.complete_button.setCheckable(True)
        self.complete_button.setAccessibleName("Mark this lesson complete")
        titles = QVBoxLayout()
        titles.setSpacing(0)
        titles.addWidget(self.course_label)
        titles.addWidget(self.title_label)
        self.header = QWidget()
        head = QHBoxLayout(self.header)
        head.setContentsMargins(0, 0, 0, 0)
        head.setSpacing(10)
        head.addWidget(self.back_button)
        head.addLayout(titles, 1)
        head.addWidget(self.lesson_box)
        head.addWidget(self.complete_button)

        # Resume offer.
        self.banner = QFrame()
        self.banner.setObjectName("banner")
        self.banner_label = QLabel()
        self.resume_button = QPushButton("Resume")
        self.resume_button.setObjectName("primary")
        self.resume_button.setAccessibleName("Resume where you stopped")
        self.restart_button = QPushButton("Start over")
        self.restart_button.setAccessibleName("Start the lesson from the beginning")
        banner = QHBoxLayout(self.banner)
        banner.setContentsMargins(14, 8, 8, 8)
        banner.addWidget(self.banner_label, 1)
        banner.addWidget(self.resume_button)
        banner.addWidget(self.restart_button)
        self.banner.hide()
        self._resume_at = 0.0

        # Video and controls.
        self.video = VideoView()
        self.seek_bar = SeekBar()
        self.play_button = _tool(
            QStyle.StandardPixmap.SP_MediaPlay, "Play", "Play / pause (Space, K)", style
        )
        self.back10 = _tool(
            QStyle.StandardPixmap.SP_MediaSeekBackward, "Back 10 seconds", "Back 10 s (J)", style
        )
        self.forward10 = _tool(
            QStyle.StandardPixmap.SP_MediaSeekForward,
            "Forward 10 seconds",
            "Forward 10 s (L)",
            style,
        )
        self.time_label = QLabel("0:00 / 0:00")
        self.time_label.setObjectName("timeLabel")
        self.time_label.setAccessibleName("Time")
        self.speed_box = QComboBox()
        self.speed_box.setAccessibleName("Playback speed")
        self.speed_box.setToolTip("Speed (< slower, > faster)")
        # The plain item delegate follows the style sheet's colours for the drop-down
        # list; the menu-like one took the dark bar's light text onto a white list.
        self.speed_box.setItemDelegate(QStyledItemDelegate(self.speed_box))
        for speed in SPEEDS:
            self.speed_box.addItem(f"{speed:g}×", speed)
        self.captions_button = _tool(
            QStyle.StandardPixmap.SP_FileDialogDetailedView,
            "Captions",
            "Captions on/off (C)",
            style,
        )
        self.captions_button.setText("CC")
        self.captions_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.captions_button.setCheckable(True)
        self.mute_button = _tool(QStyle.StandardPixmap.SP_MediaVolume, "Mute", "Mute (M)", style)
        self.mute_button.setCheckable(True)
        self.volume = QSlider(Qt.Orientation.Horizontal)
        self.volume.setRange(0, 100)
        self.volume.setFixedWidth(90)
        self.volume.setAccessibleName("Volume")
        self.layout_button = _tool(
            QStyle.StandardPixmap.SP_TitleBarNormalButton,
            "Presenter layout",
            "Presenter: picture-in-picture / side by side",
            style,
        )
        self.swap_button = _tool(
            QStyle.StandardPixmap.SP_BrowserReload,
            "Swap videos",
            "Swap lecture and presenter",
            style,
        )
        self.fullscreen_button = _tool(
            QStyle.StandardPixmap.SP_TitleBarMaxButton, "Full screen", "Full screen (F)", style
        )
        self.fullscreen_button.setCheckable(True)

        self.controls = QFrame()
        self.controls.setObjectName("controls")
        row = QHBoxLayout()
        row.setSpacing(4)
        for widget in (self.play_button, self.back10, self.forward10):
            row.addWidget(widget)
        row.addSpacing(8)
        row.addWidget(self.time_label)
        row.addStretch(1)
        for widget in (
            self.speed_box,
            self.captions_button,
            self.mute_button,
            self.volume,
            self.layout_button,
            self.swap_button,
            self.fullscreen_button,
        ):
            row.addWidget(widget)
        controls = QVBoxLayout(self.controls)
        controls.setContentsMargins(12, 4, 12, 8)
        controls.setSpacing(2)
        controls.addWidget(self.seek_bar)
        controls.addLayout(row)

        player_box = QWidget()
        player_layout = QVBoxLayout(player_box)
        player_layout.setContentsMargins(0, 0, 0, 0)
        player_layout.setSpacing(0)
        player_layout.addWidget(self.video, 1)
        player_layout.addWidget(self.controls)

        # Side panels.
        self.chapters = ChapterList()
        self.transcript = TranscriptView()
        self._segments: list[tuple[float, str]] = []
        self.find_box = QLineEdit()
        self.find_box.setPlaceholderText("Find in this lesson (Ctrl+F)")
        self.find_box.setAccessibleName("Find in this lesson")
        self.find_box.setClearButtonEnabled(True)
        self.find_count = QLabel()
        self.find_count.setObjectName("muted")
        self.find_count.setAccessibleName("Matches in this lesson")
        self.find_results = QListWidget()
        self.find_results.setAccessibleName("Found in this lesson")
        self.find_results.setMaximumHeight(150)
        self.find_results.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.find_results.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.find_results.hide()
        self._found: list[FoundText] = []
        self.slide_panel = SlidePanel()
        self._slides: list[Slide] = []

        self.gate = CheckpointGate(
            library,
            self.video,
            lambda at: chapter_start_of([c.start for c in self.chapters.chapters()], at),
            self,
        )
        self.notes = NotesPanel(library, self.video.position)
        self.questions = QuestionsPanel()
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("Lesson panels")
        self.tabs.addTab(self.chapters, "Chapters")
        self.tabs.addTab(self.transcript, "Transcript")
        self.tabs.addTab(self.slide_panel, "Slides")
        self.tabs.addTab(self.notes, "Notes")
        self.tabs.addTab(self.questions, "Questions")
        self.tabs.setMinimumWidth(300)
        # Five panels side by side in the narrow column of a 1280x720 screen: tighter tabs,
        # so that none is scrolled out of sight.
        self.tabs.tabBar().setProperty("compact", True)
        side = QWidget()
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(0, 0, 0, 0)
        find = QHBoxLayout()
        find.addWidget(self.find_box, 1)
        find.addWidget(self.find_count)
        side_layout.addLayout(find)
        side_layout.addWidget(self.find_results)
        side_layout.addWidget(self.tabs, 1)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(player_box)
        self.splitter.addWidget(side)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([900, 380])

        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 14, 20, 16)
        layout.setSpacing(10)
        layout.addWidget(self.header)
        layout.addWidget(self.banner)
        layout.addWidget(self.splitter, 1)

        self._save_timer = QTimer(self)
        self._save_timer.setInterval(SAVE_EVERY_MS)
        self._save_timer.timeout.connect(self.save_progress)
        self._connect()
        self._shortcuts()
        self._apply_preferences()

    # ----------------------------------------------------------------- wiring

    def _connect(self) -> None:
        video = self.video
        video.positionChanged.connect(self._on_position)
        video.frameShown.connect(self.gate.check)
        self.gate.asking.connect(self._asking)
        self.gate.answersChanged.connect(self._answers_changed)
        self.gate.rewatchRequested.connect(self._rewatch)
        self.gate.failed.connect(self.failed)
        video.durationChanged.connect(self._on_duration)
        video.playingChanged.connect(self._on_playing)
        video.ended.connect(self._on_ended)
        video.errorOccurred.connect(self.failed)
        video.clicked.connect(self.toggle_play)
        video.doubleClicked.connect(self.toggle_fullscreen)
        self.seek_bar.seekRequested.connect(self.seek)
        self.chapters.seekRequested.connect(self.seek)
        self.transcript.seekRequested.connect(self.seek)
        self.notes.seekRequested.connect(self.seek)
        self.questions.seekRequested.connect(self.seek)
        self.questions.askRequested.connect(self.ask_again)
        self.notes.message.connect(self.message)
        self.find_box.textChanged.connect(self._count_found)
        self.find_box.returnPressed.connect(self.find_next)
        self.find_results.itemActivated.connect(self._found_chosen)
        self.find_results.itemClicked.connect(self._found_chosen)
        self.notes.editingStarted.connect(self._note_typing)
        self.notes.editingFinished.connect(self._note_typed)
        self.notes.changed.connect(self._show_note_marks)
        self.notes.failed.connect(self.failed)
        self.notes.export_button.clicked.connect(
            lambda: self.current and self.exportRequested.emit(self.current.course_id)
        )
        self.play_button.clicked.connect(self.toggle_play)
        self.back10.clicked.connect(lambda: self.skip(-10))
        self.forward10.clicked.connect(lambda: self.skip(10))
        self.speed_box.currentIndexChanged.connect(self._speed_chosen)
        self.captions_button.toggled.connect(self.set_captions)
        self.mute_button.toggled.connect(self.set_muted)
        self.volume.valueChanged.connect(self._volume_changed)
        self.layout_button.clicked.connect(self.toggle_presenter_layout)
        self.swap_button.clicked.connect(self.swap_videos)
        self.fullscreen_button.clicked.connect(self.toggle_fullscreen)
        self.back_button.clicked.connect(self.backRequested)
        self.resume_button.clicked.connect(self._resume)
        self.restart_button.clicked.connect(self._start_over)
        self.lesson_box.activated.connect(self._lesson_chosen)
        self.complete_button.toggled.connect(self._mark_complete)

    def _shortcuts(self) -> None:
        bindings: list[tuple[tuple[QKeySequence | str, ...], Callable[[], object]]] = [
            (("Space", "K"), self.toggle_play),
            (("J",), lambda: self.skip(-10)),
            (("L",), lambda: self.skip(10)),
            (("Left",), lambda: self.skip(-5)),
            (("Right",), lambda: self.skip(5)),
            # One sequence each: X11 also matches "Shift+." to a press of ">", and two
            # bindings for one press make Qt drop it as ambiguous.
            (("<",), lambda: self.step_speed(-1)),
            ((">",), lambda: self.step_speed(1)),
            (("F",), self.toggle_fullscreen),
            (("C",), lambda: self.set_captions(not self.video.captions_visible())),
            (("M",), lambda: self.set_muted(not self.video.is_muted())),
            (("N",), lambda: self.add_note("note")),
            (("B",), lambda: self.add_note("bookmark")),
            (("PgUp",), self.previous_chapter),
            (("PgDown",), self.next_chapter),
            (("Escape",), lambda: self._fullscreen and self.toggle_fullscreen()),
            (("Alt+Left",), self.backRequested.emit),
            (("Q",), self.show_questions),
        ]
        self._shortcut_objects = []
        for keys, action in bindings:
            shortcut = QShortcut(self)
            shortcut.setObjectName(f"lesson {'/'.join(keys)}")
            shortcut.setKeys([QKeySequence(key) for key in keys])
            shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
            shortcut.activated.connect(action)
            self._shortcut_objects.append(shortcut)

    def _apply_preferences(self) -> None:
        prefs = self.settings.preference
        self.speed_box.setCurrentIndex(SPEEDS.index(prefs("speed")))
        self.video.set_rate(prefs("speed"))
        self.volume.setValue(round(prefs("volume") * 100))
        self.video.set_volume(prefs("volume"))
        self.set_muted(prefs("muted"), remember=False)
        self.set_captions(prefs("captions"), remember=False)
        self.video.set_presenter_layout(prefs("presenter_layout"))
        if prefs("presenter_swapped"):
            self.video.swap()

    # ---------------------------------------------------------------- lessons

    def open_lesson(self, course_id: str, lesson_id: str, at: float | None = None) -> None:
        """Show a lesson; start at ``at`` seconds, or offer to resume where it stopped.

        Raises:
            LecternError: the lesson is not in the library or its files are damaged.
        """
        self.close_lesson()
        lessons = self.library.lessons(course_id)
        lesson = next((item for item in lessons if item.id == lesson_id), None)
        if lesson is None:
            lesson = self.library.lesson(course_id, lesson_id)  # raises NotInLibraryError
        course = self.library.course(course_id)
        self.current = _Open(course_id, course.title, lesson, lessons)
        self.course_label.setText(course.title)
        self.title_label.setText(lesson.title)
        self.lesson_box.blockSignals(True)
        self.lesson_box.clear()
        for item in lessons:
            self.lesson_box.addItem(f"{item.position + 1}. {item.title}", item.id)
        self.lesson_box.setCurrentIndex(lessons.index(lesson) if lesson in lessons else 0)
        self.lesson_box.blockSignals(False)
        self.complete_button.blockSignals(True)
        self.complete_button.setChecked(lesson.completed)
        self.complete_button.blockSignals(False)

        transcript = self._load_text(course_id, lesson_id)
        self.seek_bar.set_duration(lesson.duration)
        self.seek_bar.set_position(0)
        self.video.load(lesson.video, lesson.presenter_video)
        self.video.set_cues(self._cues(lesson, transcript))
        has_presenter = lesson.presenter_video is not None
        self.layout_button.setVisible(has_presenter)
        self.swap_button.setVisible(has_presenter)
        self.notes.set_lesson(course_id, lesson_id)
        self.gate.load(course_id, lesson_id)
        self._show_answers()
        self.library.record_opened(course_id, lesson_id)
        self._record("initialized")
        self._update_time(0.0)

        self.banner.hide()
        saved = self.library.position(course_id, lesson_id)
        if at is not None and at >= 0:
            self.seek(at)
        elif RESUME_FROM <= saved <= lesson.duration - RESUME_FROM:
            self._resume_at = saved
            self.banner_label.setText(
                f"You stopped at <b>{clock(saved)}</b> last time. Continue from there?"
            )
            self.banner.show()
        self.video.setFocus()

    def _load_text(self, course_id: str, lesson_id: str) -> Transcript | None:
        try:
            chapters = self.library.chapters(course_id, lesson_id)
        except LecternError as error:
            chapters = []
            self.failed.emit(str(error))
        self.chapters.set_chapters(chapters)
        self.seek_bar.set_chapters([(chapter.start, chapter.title) for chapter in chapters])
        transcript = None
        try:
            transcript = self.library.transcript(course_id, lesson_id)
        except LecternError as error:
            self.failed.emit(str(error))
        self.transcript.set_transcript(transcript)
        self._segments = [(s.start, s.text) for s in transcript.segments] if transcript else []
        self._slides = []
        try:
            self._slides = self.library.slides(course_id, lesson_id)
        except LecternError as error:
            self.failed.emit(str(error))
        self.slide_panel.set_slides(self._slides)
        self.tabs.setTabEnabled(self.tabs.indexOf(self.slide_panel), bool(self._slides))
        self.find_box.clear()
        self.tabs.setTabEnabled(0, bool(chapters))
        self.tabs.setCurrentIndex(0 if chapters else 1)
        return transcript

    def _cues(self, lesson: LessonInfo, transcript: Transcript | None) -> list[Cue]:
        preferred = self.settings.preference("caption_language")
        languages = sorted(lesson.captions, key=lambda lang: (lang != preferred, lang))
        for language in languages:
            try:
                return read_vtt(lesson.captions[language])
            except CaptionFileError as error:
                self.message.emit(str(error))
        if transcript is not None and transcript.segments:
            return cues_from_transcript(transcript)
        return []

    def close_lesson(self) -> None:
        """Save where the learner is and stop playing."""
        if self.current is None:
            return
        self.video.pause()
        self.spans.close()
        self.save_progress()
        self._record("terminated", time=self.video.position())
        self.current = None  # before unloading: stopping reports position 0
        self.gate.clear()
        self._save_timer.stop()
        self.video.unload()

    def lesson(self) -> LessonInfo | None:
        return self.current.lesson if self.current else None

    def _lesson_chosen(self, index: int) -> None:
        if self.current is not None:
            lesson_id = self.lesson_box.itemData(index)
            if lesson_id != self.current.lesson.id:
                self._safely(lambda: self.open_lesson(self.current.course_id, lesson_id))

    def _mark_complete(self, done: bool) -> None:
        if self.current is not None:
            self.library.mark_complete(self.current.course_id, self.current.lesson.id, done)
            self.message.emit("Lesson marked complete" if done else "Lesson marked not complete")

    def _safely(self, action: Callable[[], object]) -> None:
        try:
            action()
        except LecternError as error:
            self.failed.emit(str(error))

    # --------------------------------------------------------------- progress

    def _record(self, verb: str, **facts: float) -> None:
        """Queue one xAPI event of the open lesson (initialized, played, paused, seeked,
        terminated) for the LRS; a failure is logged and never stops playback."""
        if self.current is None:
            return
        try:
            recorded = self.library.outbox.record(
                self.current.course_id,
                self.current.lesson.id,
                verb,
                session=self.current.session,
                **facts,
            )
        except LecternError as error:
            log.warning("could not record %s: %s", verb, error)
            return
        if recorded is not None:
            self.activityRecorded.emit()

    def _report_span(self, start: float, end: float) -> None:
        if self.current is not None:
            self.library.add_watched(self.current.course_id, self.current.lesson.id, start, end)

    def save_progress(self) -> None:
        """Save the position and the span played so far."""
        if self.current is None:
            return
        self.spans.flush()
        try:
            self.library.save_position(
                self.current.course_id, self.current.lesson.id, self.video.position()
            )
        except LecternError as error:
            self.failed.emit(str(error))

    # --------------------------------------------------------------- playback

    def toggle_play(self) -> None:
        if self.current is None:
            return
        if self.banner.isVisible():
            self.banner.hide()
        self.video.toggle()

    def seek(self, seconds: float) -> None:
        """Go to ``seconds``; ends the watched span and saves the position."""
        if self.current is None:
            return
        self.banner.hide()
        seconds = self.gate.before_seek(seconds)
        origin = self.video.position()
        self.spans.seeked(seconds)
        self.video.seek(seconds)
        if abs(seconds - origin) >= 0.5:  # a jump, not the player settling on a frame
            self._record("seeked", time_from=origin, time_to=seconds)
        self._on_position(self.video.position())
        self.save_progress()
        self.gate.after_seek()

    def skip(self, seconds: float) -> None:
        self.seek(self.video.position() + seconds)

    def step_speed(self, steps: int) -> None:
        index = min(len(SPEEDS) - 1, max(0, self.speed_box.currentIndex() + steps))
        self.speed_box.setCurrentIndex(index)

    def _speed_chosen(self, index: int) -> None:
        speed = SPEEDS[index]
        self.video.set_rate(speed)
        self.settings.set_preference("speed", speed)
        self.message.emit(f"Speed {speed:g}×")

    def set_captions(self, on: bool, remember: bool = True) -> None:
        self.video.set_captions_visible(on)
        self.captions_button.blockSignals(True)
        self.captions_button.setChecked(on)
        self.captions_button.blockSignals(False)
        self.captions_button.setAccessibleName("Captions on" if on else "Captions off")
        if remember:
            self.settings.set_preference("captions", on)
            self.message.emit("Captions on" if on else "Captions off")

    def set_muted(self, muted: bool, remember: bool = True) -> None:
        self.video.set_muted(muted)
        self.mute_button.blockSignals(True)
        self.mute_button.setChecked(muted)
        self.mute_button.blockSignals(False)
        icon = (
            QStyle.StandardPixmap.SP_MediaVolumeMuted
            if muted
            else QStyle.StandardPixmap.SP_MediaVolume
        )
        self.mute_button.setIcon(tinted_icon(self.style(), icon))
        self.mute_button.setAccessibleName("Unmute" if muted else "Mute")
        if remember:
            self.settings.set_preference("muted", muted)

    def _volume_changed(self, value: int) -> None:
        self.video.set_volume(value / 100)
        self.settings.set_preference("volume", value / 100)

    def toggle_presenter_layout(self) -> None:
        layout = "side" if self.video.presenter_layout() == "pip" else "pip"
        self.video.set_presenter_layout(layout)
        self.settings.set_preference("presenter_layout", layout)

    def swap_videos(self) -> None:
        self.video.swap()
        self.settings.set_preference("presenter_swapped", self.video.is_swapped())

    def toggle_fullscreen(self) -> None:
        self._fullscreen = not self._fullscreen
        self.header.setVisible(not self._fullscreen)
        self.tabs.parentWidget().setVisible(not self._fullscreen)
        if self._fullscreen:
            self.banner.hide()
        self.layout().setContentsMargins(*((0, 0, 0, 0) if self._fullscreen else (20, 14, 20, 16)))
        self.fullscreen_button.setChecked(self._fullscreen)
        self.fullscreenRequested.emit(self._fullscreen)

    def is_fullscreen(self) -> bool:
        return self._fullscreen

    def previous_chapter(self) -> None:
        start = self.chapters.previous_start(self.video.position())
        if start is not None:
            self.seek(start)

    def next_chapter(self) -> None:
        start = self.chapters.next_start(self.video.position())
        if start is not None:
            self.seek(start)

    def add_note(self, kind: str) -> None:
        if self.current is None:
            return
        self.tabs.setCurrentWidget(self.notes)
        self.notes.add(kind)

    def find_in_lesson(self) -> None:
        """Ctrl+F in a lesson: search its own transcript and the words on its slides."""
        self.tabs.setCurrentIndex(1)
        self.find_box.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.find_box.selectAll()

    def _words(self) -> list[str]:
        return self.find_box.text().casefold().split()

    def found_lines(self) -> list[int]:
        """The transcript lines holding the words in the find box (case ignored)."""
        words = self._words()
        if not words:
            return []
        return [
            index
            for index, (_start, text) in enumerate(self._segments)
            if all(word in text.casefold() for word in words)
        ]

    def found(self) -> list[FoundText]:
        """Every place the find box's words are said or shown, in time order.

        A slide hit is the step of the slide where all the words are first shown
        (OCR often joins words, so a word is found inside a longer one).
        """
        words = self._words()
        if not words:
            return []
        hits = [
            FoundText(self._segments[i][0], "said", self._segments[i][1])
            for i in self.found_lines()
        ]
        for slide in self._slides:
            shown = ""
            for start, text in slide.steps():
                shown += "\n" + text.casefold()
                if all(word in shown for word in words):
                    hits.append(FoundText(start, "on slide", text.replace("\n", " · ")))
                    break
        return sorted(hits, key=lambda hit: (hit.time, hit.kind))

    def _count_found(self) -> None:
        self._found = self.found()
        self.find_results.clear()
        if not self.find_box.text().strip():
            self.find_count.setText("")
            self.find_results.hide()
            return
        said = sum(hit.kind == "said" for hit in self._found)
        shown = len(self._found) - said
        self.find_count.setText(f"{said} said · {shown} on slide")
        for hit in self._found:
            # List items are always plain text: slide and transcript text is the author's.
            item = QListWidgetItem(f"{clock(hit.time)}  {hit.kind}:  {hit.text}")
            item.setData(Qt.ItemDataRole.AccessibleTextRole, f"{hit.kind} at {clock(hit.time)}")
            self.find_results.addItem(item)
        self.find_results.setVisible(bool(self._found))

    def _found_chosen(self, item: QListWidgetItem) -> None:
        row = self.find_results.row(item)
        if 0 <= row < len(self._found) and self.current is not None:
            self.seek(self._found[row].time)
            self.video.play()

    def find_next(self) -> int:
        """Go to the next place found after the playhead (said or on a slide) and play
        from there; returns its row in :attr:`find_results`, or -1."""
        if self.current is None or not self._found:
            return -1
        now = self.video.position()
        row = next((i for i, hit in enumerate(self._found) if hit.time > now + 0.5), 0)
        self.find_results.setCurrentRow(row)
        self.seek(self._found[row].time)
        self.video.play()
        return row

    def _note_typing(self) -> None:
        """The video waits while a note is typed (and goes on after, if it was playing)."""
        self._resume_after_note = self._resume_after_note or self.video.is_playing()
        self.video.pause()

    def _note_typed(self) -> None:
        if self._resume_after_note and self.current is not None:
            self.video.play()
        self._resume_after_note = False

    def _show_note_marks(self) -> None:
        self.seek_bar.set_note_marks([(n.time, n.kind, n.text) for n in self.notes.notes()])

    def _resume(self) -> None:
        self.banner.hide()
        self.seek(self._resume_at)
        self.video.play()

    def _start_over(self) -> None:
        self.banner.hide()
        self.seek(0.0)
        self.video.play()

    # ------------------------------------------------------------- reactions

    def _on_position(self, seconds: float) -> None:
        if self.video.is_playing():
            self.spans.tick(seconds)
            self.gate.check(seconds)
        self.seek_bar.set_position(seconds)
        self.chapters.set_position(seconds)
        self.transcript.set_position(seconds)
        self.slide_panel.set_position(seconds)
        self._update_time(seconds)

    def _update_time(self, seconds: float) -> None:
        total = self.current.lesson.duration if self.current else 0.0
        self.time_label.setText(f"{clock(seconds)} / {clock(total)}")

    def _on_duration(self, seconds: float) -> None:
        if seconds > 0:
            self.seek_bar.set_duration(seconds)
            self._update_time(self.video.position())

    def _on_playing(self, playing: bool) -> None:
        icon = (
            QStyle.StandardPixmap.SP_MediaPause if playing else QStyle.StandardPixmap.SP_MediaPlay
        )
        self.play_button.setIcon(tinted_icon(self.style(), icon))
        self.play_button.setAccessibleName("Pause" if playing else "Play")
        if playing:
            self.banner.hide()
            self._save_timer.start()
            self._record("played", time=self.video.position())
        else:
            self._save_timer.stop()
            self.spans.close()
            self.save_progress()
            self._record("paused", time=self.video.position())

    def _on_ended(self) -> None:
        self.spans.close()
        self.save_progress()
        self.gate.at_end()
        if not self.gate.is_asking():
            self.message.emit("End of the lesson")

    # ------------------------------------------------------------- questions

    def _asking(self, on: bool) -> None:
        """While a question is shown its keys are the card's: the lesson's are off."""
        for shortcut in self._shortcut_objects:
            shortcut.setEnabled(not on)
        self.controls.setEnabled(not on)
        if not on:
            self.video.setFocus()

    def _show_answers(self) -> None:
        self.seek_bar.set_checkpoint_marks(self.gate.marks())
        self.questions.set_questions(self.gate.questions(), self.gate.answers())

    def show_questions(self) -> None:
        """The Questions tab, with the keyboard in its list (Q)."""
        self.tabs.setCurrentWidget(self.questions)
        self.questions.focus_list()

    def ask_again(self, question_id: str) -> None:
        """Go to a question's moment and ask it, even if it was answered before.

        The seek respects the required questions before it: one not answered yet is
        asked first, where it stands.
        """
        at = self.gate.time_of(question_id)
        if self.current is None or at is None:
            return
        self.video.pause()
        self.seek(at)
        if not self.gate.is_asking():
            self.gate.ask_again(question_id)

    def _answers_changed(self) -> None:
        self._show_answers()
        if self.current is None:
            return
        try:
            done = self.library.lesson(self.current.course_id, self.current.lesson.id).completed
        except LecternError as error:
            self.failed.emit(str(error))
            return
        self.complete_button.blockSignals(True)
        self.complete_button.setChecked(done)
        self.complete_button.blockSignals(False)

    def _rewatch(self, start: float) -> None:
        self.seek(start)
        self.video.play()
