"""The Lectern Studio main window: one course folder, its lessons, review and export."""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QByteArray, QProcess, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QIcon, QKeySequence, QPixmap, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from shared import __version__
from shared.errors import LecternError
from shared.files import atomic_path
from shared.manifest import Manifest
from shared.package import SUFFIX
from shared.timecode import clock
from shared.ui.dialogs import error_box
from shared.ui.plain import plain, plain_tip
from shared.ui.window_fit import fit_to_screen, scrolling
from shared.ui.worker import Job, Worker
from shared.workspace import CHECKPOINTS_NAME, LESSON_FILE, LessonWorkspace, load_lesson
from studio.batch import (
    FAILED,
    NOT_VIDEO,
    BatchOptions,
    BatchResult,
    LessonJob,
    adopt_staged_lessons,
    plan_lessons,
    run_batch,
    staging_folder,
    staging_folders,
)
from studio.capture import RecordingSettings
from studio.course import (
    EDITED,
    READY,
    RECORDED,
    RECORDINGS_DIR,
    Course,
    ExportRequest,
    export_course,
    lesson_state,
    lesson_thumbnail,
    list_courses,
    new_course,
    next_lesson_title,
    recorded_screen,
    recording_title,
    recording_title_typed,
    set_recording_title,
    title_from_window,
    unbuilt_recordings,
)
from studio.editing import (
    EDITS_FILE,
    EditSession,
    edited_duration,
    rename_lesson,
    workspace_stamp,
)
from studio.nudges import LONG_SECONDS, split_lesson
from studio.pipeline import BuildResult, build_lesson
from studio.settings import (
    Settings,
    build_options,
    output_folder,
    recording_settings,
)
from studio.ui.course_details import CourseDetailsForm
from studio.ui.lesson_title_dialog import LessonTitleDialog
from studio.ui.recording import RecordingSession, SourcePickerDialog
from studio.ui.review import ReviewPanel
from studio.ui.settings_dialog import SettingsDialog
from studio.ui.web_export_dialog import WebExportDialog

__all__ = ["MainWindow", "TITLE"]

TITLE = "Lectern Studio"
PREFERRED_SIZE = QSize(1360, 860)
SHORTCUTS = """<table cellspacing=6>
<tr><td><b>Ctrl+N</b> / <b>Ctrl+O</b></td><td>New course / open a course</td></tr>
<tr><td><b>Ctrl+R</b></td><td>Record a lesson</td></tr>
<tr><td><b>Ctrl+Shift+P</b></td><td>Pause / resume the recording (anywhere; Settings change it)</td></tr>
<tr><td><b>Ctrl+Shift+S</b></td><td>Stop the recording (anywhere; Settings change it)</td></tr>
<tr><td><b>Ctrl+I</b> / <b>Ctrl+E</b></td><td>Import videos / export the course</td></tr>
<tr><td><b>Ctrl+Shift+I</b></td><td>Learner insights: how the lessons were watched</td></tr>
<tr><td><b>Ctrl+Shift+E</b></td><td>Export for an LMS or the web (SCORM, cmi5, a web page)</td></tr>
<tr><td><b>Space</b></td><td>Play / pause the lesson under review</td></tr>
<tr><td><b>I</b> / <b>O</b></td><td>In point / out point at the playhead</td></tr>
<tr><td><b>[</b> / <b>]</b></td><td>Mark the start / end of a cut</td></tr>
<tr><td><b>Ctrl+K</b></td><td>Cut the selection out</td></tr>
<tr><td><b>Ctrl+M</b></td><td>Add a chapter at the playhead</td></tr>
<tr><td><b>Ctrl+F</b> / <b>Ctrl+H</b></td><td>Find / replace in the transcript</td></tr>
<tr><td><b>F2</b></td><td>Correct the selected transcript line</td></tr>
<tr><td><b>Ctrl+Shift+W</b></td><td>Check the words with a second speech model</td></tr>
<tr><td><b>Ctrl+Z</b> / <b>Ctrl+Shift+Z</b></td><td>Undo / redo</td></tr>
<tr><td><b>Ctrl+,</b></td><td>Settings</td></tr>
<tr><td><b>Ctrl+Q</b></td><td>Quit</td></tr></table>"""
ABOUT = f"""<h3>{TITLE} {__version__}</h3>
<p>Record or import lectures, and turn them into chaptered, captioned lessons with a
transcript, all on this computer. Export a course for your learners to watch in
Lectern Player, with no internet needed.</p>"""
VIDEO_FILTER = "Videos (*.mp4 *.mkv *.mov *.webm *.avi *.m4v);;All files (*)"
_FOLDER_ROLE = Qt.ItemDataRole.UserRole
_RECORDING_ROLE = Qt.ItemDataRole.UserRole + 1
_PREVIEW_ROLE = Qt.ItemDataRole.UserRole + 2
_THUMB = QSize(96, 54)
_STATE_TEXT = {RECORDED: "Recorded", READY: "Ready", EDITED: "Edited"}


@dataclass
class _Step:
    """One undoable change in the window, newest last in the history.

    Either an edit inside a lesson (undone by that lesson's own session, so the
    window only remembers which lesson) or a change to the course's list of lessons
    with its own ``undo`` and ``redo``.
    """

    label: str
    folder: Path | None = None
    undo: Callable[[], None] | None = None
    redo: Callable[[], None] | None = None


def recording_name(folder: Path) -> str:
    """What the teacher calls a recording: its title, else when it was made."""
    title = recording_title(folder)
    if title:
        return title
    try:  # folders are named by the time they were started: "2026-12-07 05.10.11"
        made = time.strptime(folder.name[:19], "%Y-%m-%d %H.%M.%S")
    except ValueError:
        return folder.name
    return time.strftime("Recording of %d %b %Y, %H:%M", made)


def _lesson_text(title: str, duration: float, state: str) -> str:
    line = f"{clock(duration)} · {_STATE_TEXT.get(state, state.title())}"
    if duration > LONG_SECONDS:  # engagement drops after about 6 minutes (studio.nudges)
        line += " · over 6 min"
    return f"{title}\n{line}"


def _lesson_tip(duration: float) -> str:
    """A long lesson's tooltip in the list: why it is flagged and what to do."""
    if duration <= LONG_SECONDS:
        return ""
    return (
        f"This lesson is {clock(duration)} long; learners' attention drops after about "
        "6 minutes. Split it at a chapter: right-click the chapter > Split the lesson here."
    )


class MainWindow(QMainWindow):
    """The Studio window over one :class:`Course` folder."""

    # From the build job's thread: the lesson's media can be played (video, presenter).
    _media_ready = Signal(object, object)

    def __init__(
        self,
        course: Course | None,
        settings: Settings | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        #: The open course; ``None`` on a first start until the teacher makes or opens one.
        self.course: Course | None = course
        self.settings = settings if settings is not None else Settings()
        self.settings_dialog: SettingsDialog | None = None
        self.picker: SourcePickerDialog | None = None
        self.recording: RecordingSession | None = None
        #: Asked after Stop: the lesson's title (``None`` when not open).
        self.title_dialog: LessonTitleDialog | None = None
        #: A recording saved while its title was still being asked for.
        self._saved_recording: Path | None = None
        self._icons: dict[Path, tuple[float, QIcon]] = {}
        self._texts: dict[Path, tuple[object, tuple[str, float]]] = {}
        self.worker = Worker(self)
        self.job: Job | None = None
        self.insights_window: QMainWindow | None = None
        self.job_label = ""
        self._job_status = ""
        self.building: Path | None = None
        self.building_from: Path | None = None
        #: The media of the lesson being built, playable before the build is done.
        self.building_media: tuple[Path, Path | None] | None = None
        self._resume_at = 0.0
        self.player_pid = 0
        self.last_error: str | None = None
        self.last_export: Manifest | None = None
        self.message_box: QMessageBox | None = None
        self.web_export_dialog: WebExportDialog | None = None
        self._queue: list[Path] = []
        #: The lessons a parallel import is building, in a hidden folder of the course.
        self._batch: list[LessonJob] = []
        self._batch_dir: Path | None = None
        self._history: list[_Step] = []
        self._future: list[_Step] = []
        self.setWindowTitle(TITLE)
        self._fitted = False

        self.review = ReviewPanel()
        self._build_left()
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.left)
        self.splitter.addWidget(self.review)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([340, 1020])
        self.welcome = self._build_welcome()
        self.pages = QStackedWidget()
        self.pages.addWidget(scrolling(self.splitter))
        self.pages.addWidget(scrolling(self.welcome))
        self.setCentralWidget(self.pages)
        self._build_actions()
        self._build_status()
        self._save_timer = QTimer(self)
        self._save_timer.setSingleShot(True)
        self._save_timer.setInterval(600)
        self._save_timer.timeout.connect(self.save_course)
        self._connect()
        self._restore_window()
        self._show_course()
        self.refresh_lessons()
        if self.lesson_list.count() and self.lesson_list.item(0).data(_FOLDER_ROLE):
            self.lesson_list.setCurrentRow(0)
        self._show_page()

    # ---------------------------------------------------------------- building

    def _build_left(self) -> None:
        self.course_box = QComboBox()
        self.course_box.setAccessibleName("Course")
        self.course_box.setToolTip("Your courses (in the output folder set in Settings)")
        self.new_course_button = QPushButton("New…")
        self.new_course_button.setAccessibleName("New course")
        courses = QHBoxLayout()
        courses.addWidget(self.course_box, 1)
        courses.addWidget(self.new_course_button)

        self.details = CourseDetailsForm()
        self.title_box = self.details.title_box
        self.author_box = self.details.author_box
        self.description_box = self.details.description_box
        details = QGroupBox("Course")
        box = QVBoxLayout(details)
        box.addLayout(courses)
        box.addWidget(self.details)

        self.lesson_list = QListWidget()
        self.lesson_list.setAccessibleName("Lessons")
        self.lesson_list.setWordWrap(True)
        self.lesson_list.setIconSize(_THUMB)
        self.lesson_list.setSpacing(2)
        self.lesson_list.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.lesson_list.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.lesson_list.setToolTip("Drag lessons to put them in order")
        self.lesson_list.setMinimumHeight(150)
        self.lesson_title_box = QLineEdit()
        self.lesson_title_box.setAccessibleName("Lesson title")
        self.lesson_title_box.setPlaceholderText("Lesson title")
        self.lesson_title_box.setToolTip("The selected lesson's title (Enter to keep it)")
        self.lesson_title_box.hide()  # only while a lesson is open: it edits that lesson
        self.record_button = QPushButton("Record lesson…")
        self.record_button.setObjectName("primary")
        self.record_button.setAccessibleName("Record a new lesson")
        self.import_button = QPushButton("Import video…")
        self.remove_button = QPushButton("Remove")
        self.remove_button.setAccessibleName("Remove the selected lesson")
        self.remove_button.setToolTip(
            "Move the lesson to the course's trash (Ctrl+Z brings it back)"
        )
        self.export_button = QPushButton("Export course…")
        buttons = QHBoxLayout()
        buttons.addWidget(self.record_button)
        buttons.addWidget(self.import_button)
        buttons.addWidget(self.remove_button)
        self.empty_lessons = QLabel(
            "No lessons yet. Record one (Ctrl+R) or import a video you have (Ctrl+I); "
            "Lectern writes its transcript and chapters."
        )
        self.empty_lessons.setWordWrap(True)
        self.empty_lessons.setProperty("muted", True)
        self.empty_lessons.hide()
        lessons = QGroupBox("Lessons")
        box = QVBoxLayout(lessons)
        box.addWidget(self.empty_lessons)
        box.addWidget(self.lesson_list, 1)
        box.addWidget(self.lesson_title_box)
        box.addLayout(buttons)
        self.insights_button = QPushButton("Learner insights…")
        self.insights_button.setToolTip(
            "How learners watched the lessons and answered the questions (Ctrl+Shift+I)"
        )
        course_buttons = QHBoxLayout()
        course_buttons.addWidget(self.export_button, 1)
        course_buttons.addWidget(self.insights_button)
        box.addLayout(course_buttons)

        # On a short screen the course form scrolls; the lessons and their buttons stay.
        self.details_scroll = QScrollArea()
        self.details_scroll.setWidgetResizable(True)
        self.details_scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        self.details_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.details_scroll.setWidget(details)
        self.details_scroll.setMinimumHeight(140)
        self.details_scroll.setMinimumWidth(details.minimumSizeHint().width() + 16)
        self.left = QWidget()
        layout = QVBoxLayout(self.left)
        layout.setContentsMargins(6, 6, 0, 6)
        layout.addWidget(self.details_scroll, 0)
        layout.addWidget(lessons, 1)

    def _build_welcome(self) -> QWidget:
        """The first start: no course yet, so say what a course is and the ways in."""
        page = QWidget()
        page.setObjectName("page")
        heading = QLabel("Welcome to Lectern Studio")
        heading.setObjectName("heading")
        intro = QLabel(
            "A course holds your lessons, in order, with its title and cover. Make one, "
            "then add lessons in any of three ways:"
        )
        intro.setWordWrap(True)
        ways = QLabel(
            "<ul>"
            "<li><b>Record</b> a lesson: your screen, a camera and a microphone (Ctrl+R).</li>"
            "<li><b>Import</b> lecture videos you already have (Ctrl+I).</li>"
            "<li><b>Open</b> a course folder made before, here or on another computer "
            "(Ctrl+O).</li></ul>"
            "Lectern then writes the transcript, finds the chapters and makes captions, on "
            "this computer. Export the course (Ctrl+E) to give it to your learners."
        )
        ways.setWordWrap(True)
        self.welcome_new_button = QPushButton("New course…")
        self.welcome_new_button.setObjectName("primary")
        self.welcome_new_button.setAccessibleName("New course")
        self.welcome_record_button = QPushButton("Record a lesson…")
        self.welcome_record_button.setAccessibleName("Record a lesson in a new course")
        self.welcome_import_button = QPushButton("Import videos…")
        self.welcome_import_button.setAccessibleName("Import videos into a new course")
        self.welcome_open_button = QPushButton("Open a course…")
        self.welcome_open_button.setAccessibleName("Open a course folder")
        buttons = QHBoxLayout()
        for button in (
            self.welcome_new_button,
            self.welcome_record_button,
            self.welcome_import_button,
            self.welcome_open_button,
        ):
            buttons.addWidget(button)
        buttons.addStretch(1)
        column = QVBoxLayout()
        column.addStretch(1)
        for widget in (heading, intro, ways):
            column.addWidget(widget)
        column.addSpacing(12)
        column.addLayout(buttons)
        column.addStretch(2)
        outer = QHBoxLayout(page)
        outer.addStretch(1)
        outer.addLayout(column, 4)
        outer.addStretch(1)
        return page

    def _show_page(self) -> None:
        """The course, or the welcome page while there is none; course actions follow."""
        has_course = self.course is not None
        self.pages.setCurrentIndex(0 if has_course else 1)
        self.export_action.setEnabled(has_course)
        self.web_export_action.setEnabled(has_course)
        self.remove_action.setEnabled(has_course and self.lesson_list.currentItem() is not None)

    def _with_course(self, then: Callable[[], None]) -> None:
        """Run ``then`` in the open course, asking for a new course first if there is none."""
        if self.course is not None:
            then()
            return
        title, ok = QInputDialog.getText(
            self, "New course", "Your lessons go in a course. Title of the new course:"
        )
        if ok and title.strip() and self.new_course(title):
            then()

    def _build_actions(self) -> None:
        style = self.style()
        self.import_action = QAction(
            style.standardIcon(QStyle.StandardPixmap.SP_DialogOpenButton), "&Import video…", self
        )
        self.import_action.setShortcut(QKeySequence("Ctrl+I"))
        self.export_action = QAction(
            style.standardIcon(QStyle.StandardPixmap.SP_DialogSaveButton), "&Export course…", self
        )
        self.export_action.setShortcut(QKeySequence("Ctrl+E"))
        self.web_export_action = QAction("Export for &LMS / web…", self)
        self.web_export_action.setShortcut(QKeySequence("Ctrl+Shift+E"))
        self.new_course_action = QAction("&New course…", self)
        self.new_course_action.setShortcut(QKeySequence("Ctrl+N"))
        self.open_course_action = QAction(
            style.standardIcon(QStyle.StandardPixmap.SP_DirOpenIcon), "&Open course…", self
        )
        self.open_course_action.setShortcut(QKeySequence("Ctrl+O"))
        self.quit_action = QAction("&Quit", self)
        self.quit_action.setShortcut(QKeySequence("Ctrl+Q"))
        self.quit_action.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
        self.undo_action = QAction("&Undo", self)
        self.undo_action.setShortcut(QKeySequence("Ctrl+Z"))
        self.redo_action = QAction("&Redo", self)
        self.redo_action.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
        self.settings_action = QAction("&Settings…", self)
        self.settings_action.setShortcuts(
            [QKeySequence(QKeySequence.StandardKey.Preferences), QKeySequence("Ctrl+,")]
        )
        self.record_action = QAction(
            style.standardIcon(QStyle.StandardPixmap.SP_MediaPlay), "&Record lesson…", self
        )
        self.record_action.setShortcut(QKeySequence("Ctrl+R"))
        self.remove_action = QAction("Re&move lesson", self)
        self.remove_action.setShortcut(QKeySequence("Ctrl+Backspace"))
        self.insights_action = QAction("Learner i&nsights…", self)
        self.insights_action.setShortcut(QKeySequence("Ctrl+Shift+I"))
        self.insights_action.setToolTip(
            "How learners watched and answered, from their progress files"
        )
        menu = self.menuBar().addMenu("&File")
        menu.addAction(self.new_course_action)
        menu.addAction(self.open_course_action)
        menu.addSeparator()
        menu.addAction(self.record_action)
        menu.addAction(self.import_action)
        menu.addAction(self.remove_action)
        menu.addAction(self.export_action)
        menu.addAction(self.insights_action)
        menu.addAction(self.web_export_action)
        menu.addSeparator()
        menu.addAction(self.quit_action)
        edit = self.menuBar().addMenu("&Edit")
        edit.addAction(self.undo_action)
        edit.addAction(self.redo_action)
        edit.addSeparator()
        for action in self.review.edit_actions():
            edit.addAction(action)
        edit.addSeparator()
        edit.addAction(self.settings_action)
        help_menu = self.menuBar().addMenu("&Help")
        self.shortcuts_action = help_menu.addAction("&Keyboard shortcuts", self.show_shortcuts)
        self.about_action = help_menu.addAction(f"&About {TITLE}", self.show_about)
        self._update_undo()

    def _build_status(self) -> None:
        self.progress_bar = QProgressBar()
        self.progress_bar.setRange(0, 1000)
        self.progress_bar.setFixedWidth(220)
        self.progress_bar.setAccessibleName("Progress")
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setAccessibleName("Cancel the running job")
        self.statusBar().addPermanentWidget(self.progress_bar)
        self.statusBar().addPermanentWidget(self.cancel_button)
        self.undo_remove_button = QPushButton("Undo remove")
        self.undo_remove_button.setAccessibleName("Bring the removed lesson back")
        self.statusBar().addPermanentWidget(self.undo_remove_button)
        self.progress_bar.hide()
        self.cancel_button.hide()
        self.undo_remove_button.hide()
        self._removed: _Step | None = None

    def _connect(self) -> None:
        self.import_action.triggered.connect(self.choose_import)
        self.import_button.clicked.connect(self.choose_import)
        self.export_action.triggered.connect(self.choose_export)
        self.export_button.clicked.connect(self.choose_export)
        self.web_export_action.triggered.connect(self.choose_web_export)
        self.quit_action.triggered.connect(self.close)
        self.undo_action.triggered.connect(self.undo)
        self.redo_action.triggered.connect(self.redo)
        self.cancel_button.clicked.connect(self.cancel_job)
        self.lesson_list.currentItemChanged.connect(self._lesson_chosen)
        self.lesson_list.itemActivated.connect(self._item_activated)
        self.lesson_title_box.editingFinished.connect(self._rename_lesson)
        self.new_course_action.triggered.connect(self.choose_new_course)
        self.open_course_action.triggered.connect(self.choose_open_course)
        self.review.changed.connect(self._edited)
        self.review.edited.connect(lambda folder: self._push(_Step("", folder=folder)))
        self.review.failed.connect(self.show_error)
        self.review.splitRequested.connect(self.split_lesson)
        self.review.message.connect(lambda text: self.statusBar().showMessage(text, 4000))
        self.details.changed.connect(self._details_edited)
        self.details.failed.connect(self.show_error)
        self.settings_action.triggered.connect(self.open_settings)
        self.record_action.triggered.connect(self.record_lesson)
        self.record_button.clicked.connect(self.record_lesson)
        self.remove_action.triggered.connect(self.remove_lesson)
        self.remove_button.clicked.connect(self.remove_lesson)
        self.insights_action.triggered.connect(self.open_insights)
        self.insights_button.clicked.connect(self.open_insights)
        self.undo_remove_button.clicked.connect(self.undo_remove)
        self.new_course_button.clicked.connect(self.choose_new_course)
        self.course_box.activated.connect(self._course_picked)
        self.lesson_list.model().rowsMoved.connect(self._lessons_moved)
        self._media_ready.connect(self._show_media_ready)
        self.welcome_new_button.clicked.connect(self.choose_new_course)
        self.welcome_record_button.clicked.connect(self.record_lesson)
        self.welcome_import_button.clicked.connect(self.choose_import)
        self.welcome_open_button.clicked.connect(self.choose_open_course)

    def _restore_window(self) -> None:
        geometry = self.settings.window("geometry")
        fit_to_screen(self, PREFERRED_SIZE, QByteArray(geometry) if geometry else None)
        splitter = self.settings.window("splitter")
        if splitter:
            self.splitter.restoreState(QByteArray(splitter))

    # ------------------------------------------------------------------ course

    def _show_course(self) -> None:
        if self.course is not None:
            self._adopt_leftover_batches()
            self.details.set_course(self.course)
        self.refresh_courses()

    def _details_edited(self) -> None:
        self._save_timer.start()

    def refresh_courses(self) -> None:
        """Fill the course picker: the courses in the output folder, and the open one."""
        self.course_box.blockSignals(True)
        self.course_box.clear()
        try:
            found = list_courses(output_folder(self.settings))
        except OSError:
            found = []
        folders = [summary.folder for summary in found]
        if self.course is None:
            for summary in found:
                count = f"{summary.lessons} lesson{'s' if summary.lessons != 1 else ''}"
                self.course_box.addItem(f"{summary.title} ({count})", str(summary.folder))
            self.course_box.setCurrentIndex(-1)
            self.course_box.blockSignals(False)
            return
        if self.course.folder not in folders:
            self.course_box.addItem(self.course.title, str(self.course.folder))
        for summary in found:
            lessons = summary.lessons
            title = summary.title
            if summary.folder == self.course.folder:  # what is open now, not what was saved
                title, lessons = self.course.title, len(self.course.lesson_folders())
            count = f"{lessons} lesson{'s' if lessons != 1 else ''}"
            self.course_box.addItem(f"{title} ({count})", str(summary.folder))
        self.course_box.setCurrentIndex(self.course_box.findData(str(self.course.folder)))
        self.course_box.blockSignals(False)

    def _show_course_count(self) -> None:
        """Update the open course's entry in the switcher, without reading the others.

        Lessons come and go with every build step; reading every course in the output
        folder each time would cost a moment per step with hundreds of courses.
        """
        if self.course is None:
            return
        index = self.course_box.findData(str(self.course.folder))
        if index < 0:
            self.refresh_courses()
            return
        lessons = len(self.course.lesson_folders())
        count = f"{lessons} lesson{'s' if lessons != 1 else ''}"
        self.course_box.setItemText(index, f"{self.course.title} ({count})")

    def _course_picked(self, index: int) -> None:
        folder = self.course_box.itemData(index)
        changed = folder and (self.course is None or Path(folder) != self.course.folder)
        if changed and not self.open_course_folder(Path(folder)):
            self.refresh_courses()

    def save_course(self) -> bool:
        self._save_timer.stop()
        if self.course is None:
            return True
        try:
            self.course.save()
        except LecternError as error:
            self.show_error(str(error))
            return False
        return True

    def refresh_lessons(self) -> None:
        """List the course's lessons (picture, title, duration, state), keeping the selection."""
        current = self.current_folder()
        self.lesson_list.blockSignals(True)
        self.lesson_list.clear()
        if self.course is None:
            self.lesson_list.blockSignals(False)
            self.refresh_courses()
            return
        movable = Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsEnabled
        movable |= Qt.ItemFlag.ItemIsDragEnabled
        for folder in self.course.lesson_folders():
            text, length = self._row_text(folder)
            item = QListWidgetItem(self._icon(folder), text)
            item.setToolTip(_lesson_tip(length))
            item.setData(_FOLDER_ROLE, str(folder))
            item.setFlags(movable)
            self.lesson_list.addItem(item)
            if folder == current:
                self.lesson_list.setCurrentItem(item)
        for folder, interrupted in unbuilt_recordings(self.course):
            if folder in self._queue or folder == self.building_from:
                continue
            state = "Interrupted recording" if interrupted else "Recorded, not processed"
            item = QListWidgetItem(
                self._icon(folder), f"{recording_name(folder)}\n{state} · double-click to process"
            )
            item.setData(_RECORDING_ROLE, str(folder))
            item.setFlags(Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsEnabled)
            item.setToolTip("Process this recording into a lesson (transcript, chapters).")
            self.lesson_list.addItem(item)
        if self.building is not None:
            source = self.building_from or self.building
            name = recording_name(source) if self.building_from else self.building.name
            item = QListWidgetItem(self._icon(source), f"{name}\nProcessing…")
            item.setFlags(Qt.ItemFlag.NoItemFlags)
            if self.building_media is not None:
                item.setText(f"{name}\nProcessing… · you can watch it now")
                item.setData(_PREVIEW_ROLE, True)
                item.setFlags(Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsEnabled)
            self.lesson_list.addItem(item)
            if self.review.previewing is not None:
                self.lesson_list.setCurrentItem(item)
        for lesson in self._batch:
            done = (lesson.folder / LESSON_FILE).is_file()
            state = "Built · listed when the others are done" if done else "Processing…"
            item = QListWidgetItem(f"{lesson.source.name}\n{state}")
            item.setFlags(Qt.ItemFlag.NoItemFlags)
            self.lesson_list.addItem(item)
        for waiting in self._queue:
            item = QListWidgetItem(f"{waiting.name}\nWaiting to be processed…")
            item.setFlags(Qt.ItemFlag.NoItemFlags)
            item.setToolTip(plain_tip(f"{waiting} is processed after the lessons before it."))
            self.lesson_list.addItem(item)
        self.lesson_list.blockSignals(False)
        self.remove_action.setEnabled(self.lesson_list.currentItem() is not None)
        self._show_course_count()  # the open course's entry in the switcher stays true
        self.empty_lessons.setVisible(self.lesson_list.count() == 0)
        if self.review.session is None:  # the lesson shown was removed or rebuilt
            self.lesson_title_box.hide()

    def _row_text(self, folder: Path) -> tuple[str, float]:
        """A lesson's row (title, length, state) and length, read again when its files change."""
        stamp = workspace_stamp(folder)
        kept = self._texts.get(folder)
        if kept is not None and kept[0] == stamp:
            return kept[1]
        try:
            workspace = LessonWorkspace.open(folder)
            state = lesson_state(workspace)
            length = edited_duration(workspace) if state == EDITED else workspace.lesson.duration
            text = _lesson_text(workspace.lesson.title, length, state)
        except LecternError:
            text, length = f"{folder.name}\nCannot be read", 0.0
        self._texts[folder] = (stamp, (text, length))
        return text, length

    def _icon(self, folder: Path) -> QIcon:
        """The lesson's picture, made once per folder and kept while its file is unchanged."""
        picture = lesson_thumbnail(folder) if folder.is_dir() else None
        stamp = picture.stat().st_mtime if picture is not None else 0.0
        cached = self._icons.get(folder)
        if cached is not None and cached[0] == stamp:
            return cached[1]
        icon = QIcon()
        if picture is not None:
            pixmap = QPixmap(str(picture))
            if not pixmap.isNull():
                scaled = pixmap.scaled(
                    _THUMB,
                    Qt.AspectRatioMode.KeepAspectRatio,
                    Qt.TransformationMode.SmoothTransformation,
                )
                icon = QIcon(scaled)
        self._icons[folder] = (stamp, icon)
        return icon

    def _lessons_moved(self, *_args: object) -> None:
        """Keep the course in the order the teacher dragged the lessons into."""
        names = []
        for row in range(self.lesson_list.count()):
            folder = self.lesson_list.item(row).data(_FOLDER_ROLE)
            if folder:
                names.append(Path(folder).name)
        before = [folder.name for folder in self.course.lesson_folders()]
        if names != before:
            self._set_order(names)
            self._push(
                _Step(
                    "Reorder lessons",
                    undo=lambda: self._set_order(before),
                    redo=lambda: self._set_order(names),
                )
            )

    def _set_order(self, names: list[str]) -> None:
        self.course.lessons = list(names)  # the course changes its list in place
        self.save_course()
        QTimer.singleShot(0, self.refresh_lessons)

    def current_folder(self) -> Path | None:
        item = self.lesson_list.currentItem()
        folder = item.data(_FOLDER_ROLE) if item is not None else None
        return Path(folder) if folder else None

    def select_lesson(self, folder: Path) -> None:
        for row in range(self.lesson_list.count()):
            item = self.lesson_list.item(row)
            if item.data(_FOLDER_ROLE) == str(folder):
                self.lesson_list.setCurrentItem(item)
                return

    def _lesson_chosen(self, item: QListWidgetItem | None) -> None:
        folder = item.data(_FOLDER_ROLE) if item is not None else None
        at, self._resume_at = self._resume_at, 0.0
        if item is not None and item.data(_PREVIEW_ROLE) and self.building_media is not None:
            self._preview_build()
        elif not folder:
            self.review.close_lesson()
        else:
            try:
                self.review.open_lesson(Path(folder), at)
            except LecternError as error:
                self.review.close_lesson()
                self.show_error(str(error))
        session = self.review.session
        self.lesson_title_box.setVisible(session is not None)
        self.lesson_title_box.setText(session.lesson.title if session is not None else "")
        self._update_undo()

    def _rename_lesson(self) -> None:
        session = self.review.session
        if session is None or self.lesson_title_box.text() == session.lesson.title:
            return
        folder, before = session.folder, session.lesson.title
        try:
            after = session.rename_lesson(self.lesson_title_box.text()).title
        except LecternError as error:
            self.lesson_title_box.setText(session.lesson.title)
            self.show_error(str(error))
            return
        self._edited()
        self._push(
            _Step(
                "Rename lesson",
                undo=lambda: self._retitle(folder, before),
                redo=lambda: self._retitle(folder, after),
            )
        )

    def _retitle(self, folder: Path, title: str) -> None:
        """Give the lesson in ``folder`` ``title`` again (undo and redo of a rename)."""
        session = self.review.session_of(folder)
        if session is not None:
            session.rename_lesson(title)
        else:
            rename_lesson(folder, title)
        self.refresh_lessons()
        current = self.review.session
        if current is not None and current.folder == folder:
            self.lesson_title_box.setText(current.lesson.title)

    def _edited(self) -> None:
        self._update_undo()
        item = self.lesson_list.currentItem()
        session = self.review.session
        if item is not None and session is not None:
            state = EDITED if session.edited else READY
            lesson = session.lesson
            length = session.state.timeline.duration if session.edited else lesson.duration
            item.setText(_lesson_text(lesson.title, length, state))
            item.setToolTip(_lesson_tip(length))

    # -------------------------------------------------------------------- undo

    def _push(self, step: _Step) -> None:
        """Remember a new change for Ctrl+Z; what was undone can no longer be redone."""
        self._history.append(step)
        self._future.clear()
        self._update_undo()

    def _session_for_step(self, step: _Step) -> EditSession | None:
        """The lesson an edit step belongs to, opened for review (Ctrl+Z goes there)."""
        assert step.folder is not None
        if self.review.session is None or self.review.session.folder != step.folder:
            if self.review.session_of(step.folder) is None:
                return None  # removed, rebuilt or changed on disk: its history is gone
            self.select_lesson(step.folder)
        session = self.review.session
        return session if session is not None and session.folder == step.folder else None

    def _label(self, step: _Step, undoing: bool) -> str:
        if step.folder is None:
            return step.label
        session = self.review.session_of(step.folder)
        if session is None:
            return ""
        return session.undo_label if undoing else session.redo_label

    def undo(self) -> None:
        """Undo the newest change: an edit in a lesson, a rename, a removal or a reorder."""
        self._step(self._history, self._future, undoing=True)

    def redo(self) -> None:
        """Redo the change undone last."""
        self._step(self._future, self._history, undoing=False)

    def _step(self, source: list[_Step], target: list[_Step], undoing: bool) -> None:
        while source:
            step = source.pop()
            if step.folder is not None:
                session = self._session_for_step(step)
                if session is None or not (session.can_undo if undoing else session.can_redo):
                    continue  # nothing left to do there: try the one before
                if undoing:
                    self.review.undo()
                else:
                    self.review.redo()
            else:
                action = step.undo if undoing else step.redo
                try:
                    if action is not None:
                        action()
                except LecternError as error:
                    self.show_error(str(error))
                    continue
                self.statusBar().showMessage(
                    f"{'Undid' if undoing else 'Redid'}: {step.label}", 4000
                )
            target.append(step)
            break
        self._update_undo()

    def _update_undo(self) -> None:
        for action, steps, verb, undoing in (
            (self.undo_action, self._history, "Undo", True),
            (self.redo_action, self._future, "Redo", False),
        ):
            label = self._label(steps[-1], undoing) if steps else ""
            action.setEnabled(bool(steps))
            action.setText(f"&{verb} {label}" if label else f"&{verb}")

    # ------------------------------------------------------------------- jobs

    def busy(self) -> bool:
        return self.job is not None

    def _start(self, label: str, job: Job) -> None:
        self.job, self.job_label, self._job_status = job, label, ""
        self.import_action.setEnabled(False)
        self.export_action.setEnabled(False)
        self.web_export_action.setEnabled(False)
        self.import_button.setEnabled(False)
        self.export_button.setEnabled(False)
        self.progress_bar.setValue(0)
        self.progress_bar.show()
        self.cancel_button.show()
        self.statusBar().showMessage(label)
        job.progress.connect(lambda f: self.progress_bar.setValue(round(f * 1000)))
        job.progress.connect(lambda _f: self._note_progress())
        job.status.connect(lambda text: self.statusBar().showMessage(f"{label} {text}"))
        job.status.connect(self._job_said)
        job.failed.connect(self.show_error)
        job.cancelled.connect(lambda: self.statusBar().showMessage("Cancelled", 4000))
        job.done.connect(self._job_done)

    def cancel_job(self) -> None:
        if self.job is not None:
            self._queue.clear()
            self.job.cancel()

    def _job_done(self) -> None:
        if self._batch_dir is not None:
            self._collect_batch()
        if self.review.previewing is not None:  # the build failed or was cancelled
            self.review.close_lesson()
        self.job = None
        self.building = None
        self.building_media = None
        self.progress_bar.hide()
        self.cancel_button.hide()
        for widget in (self.import_action, self.export_action, self.web_export_action):
            widget.setEnabled(self.course is not None or widget is self.import_action)
        for widget in (self.import_button, self.export_button):
            widget.setEnabled(True)
        self.refresh_lessons()
        if self._queue:
            QTimer.singleShot(0, self._next_import)

    # ------------------------------------------------------------------ import

    def choose_import(self) -> None:
        if self.course is None:
            self._with_course(self.choose_import)
            return
        paths, _ = QFileDialog.getOpenFileNames(
            self, "Import lecture videos", str(Path.home()), VIDEO_FILTER
        )
        self.import_videos([Path(path) for path in paths])

    def import_videos(self, videos: list[Path]) -> None:
        """Build a lesson from each video, one after another, in the background."""
        if self.course is None:
            self._with_course(lambda: self.import_videos(videos))
            return
        # Recording folders keep the queue: it finishes them and names them "Lesson N".
        parallel = self.settings.preference("parallel_imports") and all(
            video.is_file() for video in videos
        )
        if len(videos) > 1 and parallel and not self.busy() and not self._queue:
            self._import_in_parallel(videos)
            return
        self._queue.extend(videos)
        if not self.busy():
            self._next_import()
        else:
            self.refresh_lessons()  # list them as waiting

    def _next_import(self) -> None:
        if not self._queue or self.busy():
            return
        source = self._queue.pop(0)
        recording = source.is_dir()
        folder = self.course.new_lesson_folder(source)
        self.building = folder
        self.building_from = source if recording else None
        title, from_slides = None, False
        if recording:  # named by its first slide once read, unless the teacher typed a title
            title = recording_title(source) or self._next_lesson_title()
            from_slides = recorded_screen(source) and not recording_title_typed(source)
        options = build_options(self.settings, title=title, title_from_slides=from_slides)
        job = self.worker.submit(
            "building the lesson",
            lambda inputs, state: build_lesson(*inputs, state, media_ready=self._media_ready.emit),
            (source, folder, options),
        )
        self._start(f"Building {source.name}…", job)
        job.succeeded.connect(self._built)
        self.refresh_lessons()

    def _import_in_parallel(self, videos: list[Path]) -> None:
        """Build the videos side by side on a local Dask cluster (``studio.batch``)."""
        # A hidden folder (lesson_folders skips it) whose lessons join the course when
        # the batch ends, finished, failed or cancelled.
        staging = staging_folder(self.course.folder)
        self._batch_dir = staging
        self._batch = plan_lessons(videos, staging)
        built = build_options(self.settings)
        options = BatchOptions(
            engine=built.engine,
            model=built.model,
            language=built.language,
            loudness=built.loudness,
            min_chapter=built.min_chapter,
        )
        job = self.worker.submit(
            "importing videos in parallel",
            lambda inputs, state: run_batch(*inputs, state),
            (videos, staging, options),
        )
        self._start(f"Building {len(videos)} lessons in parallel…", job)
        job.status.connect(lambda _text: self.refresh_lessons())
        job.succeeded.connect(self._batch_built)
        self.refresh_lessons()

    def _batch_built(self, result: BatchResult) -> None:
        problems = [o.error for o in result.with_status(FAILED, NOT_VIDEO) if o.error]
        if problems:
            self.show_error("\n".join(problems))

    def _collect_batch(self) -> None:
        """Move the lessons the batch finished into the course, in the order chosen."""
        assert self.course is not None and self._batch_dir is not None
        staging, order = self._batch_dir, [lesson.folder for lesson in self._batch]
        self._batch, self._batch_dir = [], None
        self._adopt_staged(staging, order)

    def _adopt_leftover_batches(self) -> None:
        """Lessons a parallel import finished before the Studio was killed join the course."""
        assert self.course is not None
        for staging in staging_folders(self.course.folder):
            try:
                adopt_staged_lessons(self.course, staging)
            except OSError as error:
                self.show_error(f"Could not add a built lesson to the course ({error.strerror}).")

    def _adopt_staged(self, staging: Path, order: list[Path]) -> None:
        assert self.course is not None
        try:
            added = adopt_staged_lessons(self.course, staging, order)
        except OSError as error:
            self.show_error(f"Could not add a built lesson to the course ({error.strerror}).")
            return
        if added is not None:
            self.refresh_lessons()
            self.select_lesson(added)

    def _show_media_ready(self, video: Path, presenter: Path | None) -> None:
        """The lesson being built can be watched: list it, and show it if nothing else is."""
        if self.building is None:
            return
        self.building_media = (video, presenter)
        watching = self.review.session is not None or self.review.previewing is not None
        self.refresh_lessons()
        if not watching:
            for row in range(self.lesson_list.count()):
                if self.lesson_list.item(row).data(_PREVIEW_ROLE):
                    self.lesson_list.setCurrentRow(row)

    def _preview_build(self) -> None:
        assert self.building_media is not None
        video, presenter = self.building_media
        try:
            self.review.preview(video, presenter, self._processing_note())
        except LecternError as error:
            self.review.close_lesson()
            if video.exists():  # else the build has just finished and moved it: no error
                self.show_error(str(error))

    def _processing_note(self) -> str:
        percent = round(self.progress_bar.value() / 10)
        # The job's own words, not the status bar's (other messages pass through there).
        status = f"{self.job_label} {self._job_status}".strip()
        return (
            f"Still processing ({percent}%): {status}. You can watch the video now; the "
            "transcript, chapters and trimming open here as soon as they are ready."
        )

    def _job_said(self, text: str) -> None:
        self._job_status = text
        self._note_progress()

    def _note_progress(self) -> None:
        if self.review.previewing is not None:
            self.review.set_processing_note(self._processing_note())

    def _built(self, result: BuildResult) -> None:
        self.course.add_lesson(result.folder)
        if self.review.previewing is not None:  # carry on from where the teacher is
            self._resume_at = self.review.playhead()
            self.review.close_lesson()
        self.building = None
        self.building_from = None
        self.building_media = None
        self.refresh_lessons()
        self.select_lesson(result.folder)
        self._resume_at = 0.0
        for warning in result.lesson.warnings:
            self.statusBar().showMessage(warning, 8000)
        if not result.lesson.warnings:
            self.statusBar().showMessage(f"Built “{result.lesson.title}”", 6000)

    def _item_activated(self, item: QListWidgetItem) -> None:
        recording = item.data(_RECORDING_ROLE)
        if recording:
            self.import_videos([Path(recording)])

    # -------------------------------------------------------------- recovery

    def offer_recovery(self) -> None:
        """Offer to finish and process recordings that a crash or a kill interrupted."""
        if self.course is None:
            return
        interrupted = [folder for folder, broken in unbuilt_recordings(self.course) if broken]
        if not interrupted:
            return
        names = ", ".join(recording_name(folder) for folder in interrupted)
        box = QMessageBox(
            QMessageBox.Icon.Question,
            TITLE,
            f"Lectern Studio stopped while recording ({names}). Everything up to the last "
            "two seconds is on disk. Recover it now and make it a lesson?",
            QMessageBox.StandardButton.NoButton,
            self,
        )
        plain(box)
        box.setAccessibleName("Recover recording")
        recover_button = box.addButton("Recover", QMessageBox.ButtonRole.AcceptRole)
        box.addButton("Later", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(recover_button)
        box.buttonClicked.connect(
            lambda button: self.import_videos(interrupted) if button is recover_button else None
        )
        self.message_box = box
        box.open()

    # ----------------------------------------------------------------- courses

    def choose_new_course(self) -> None:
        title, ok = QInputDialog.getText(self, "New course", "Title of the new course:")
        if ok and title.strip():
            self.new_course(title)

    def new_course(self, title: str) -> bool:
        """Make a course called ``title`` in the output folder and open it."""
        try:
            course = new_course(output_folder(self.settings), title)
        except LecternError as error:
            self.show_error(str(error))
            return False
        except OSError as error:
            self.show_error(
                f"The course folder cannot be made in {output_folder(self.settings)} "
                f"({error.strerror}); choose another output folder in Settings."
            )
            return False
        return self.open_course_folder(course.folder)

    def choose_open_course(self) -> None:
        folder = QFileDialog.getExistingDirectory(
            self,
            "Open a course folder",
            str(self.course.folder.parent if self.course else output_folder(self.settings)),
        )
        if folder:
            self.open_course_folder(Path(folder))

    def open_course_folder(self, folder: Path) -> bool:
        """Switch the window to the course in ``folder`` (created if it has none)."""
        if self.busy():
            self.show_error("Wait for the running job to finish (or cancel it), then switch.")
            return False
        if self.recording is not None:
            self.show_error("Wait for the recording to be saved into this course, then switch.")
            return False
        try:
            course = Course.open(folder)
        except LecternError as error:
            self.show_error(str(error))
            return False
        self._rename_lesson()  # a title typed but not yet confirmed belongs to this course
        self.save_course()
        self.review.close_lesson()
        self.review.clear_inputs()
        self.lesson_title_box.clear()
        self.lesson_title_box.hide()
        self.course = course
        self._history.clear()  # the steps belong to the other course
        self._future.clear()
        self._removed = None
        self.undo_remove_button.hide()
        self._update_undo()
        self._show_course()
        self.refresh_lessons()
        if self.lesson_list.count() and self.lesson_list.item(0).data(_FOLDER_ROLE):
            self.lesson_list.setCurrentRow(0)
        self._show_page()
        self.statusBar().showMessage(f"Opened “{course.title}”", 4000)
        self._remember_course()
        QTimer.singleShot(0, self.offer_recovery)
        return True

    def _remember_course(self) -> None:
        if self.course is None:
            return
        self.settings.set_preference("last_course", str(self.course.folder))
        self.settings.sync()

    # ------------------------------------------------------------- lessons

    def remove_lesson(self) -> None:
        """Move the selected lesson (or recording) to the course's trash; undo brings it back."""
        item = self.lesson_list.currentItem() if self.course is not None else None
        folder = item.data(_FOLDER_ROLE) or item.data(_RECORDING_ROLE) if item else None
        if not folder or self.busy():
            return
        folder = Path(folder)
        row = self.lesson_list.row(item)
        try:
            trashed = self._trash(folder)
        except LecternError as error:
            self.show_error(str(error))
            return
        place = {"trashed": trashed}

        def restore() -> None:
            self.undo_remove_button.hide()
            back = self.course.restore_lesson(place["trashed"], row)
            self.refresh_lessons()
            self.select_lesson(back)

        def remove_again() -> None:
            place["trashed"] = self._trash(folder)

        step = _Step("Remove lesson", undo=restore, redo=remove_again)
        self._push(step)
        self._removed = step
        self.statusBar().showMessage(
            f"Moved {folder.name} to the course's trash (Ctrl+Z brings it back)", 10_000
        )
        self.undo_remove_button.show()
        QTimer.singleShot(15_000, self.undo_remove_button.hide)

    def split_lesson(self, folder: Path, chapter: int) -> Path | None:
        """Split a lesson at the start of chapter ``chapter``; Ctrl+Z puts it back together."""
        if self.course is None or self.busy():
            return None
        saved = {
            name: (folder / name).read_bytes() if (folder / name).is_file() else None
            for name in (LESSON_FILE, EDITS_FILE, CHECKPOINTS_NAME)
        }
        try:
            new = split_lesson(self.course, folder, chapter)
        except LecternError as error:
            self.show_error(str(error))
            return None
        self.review.forget(folder)
        place = {"new": new}

        def join() -> None:
            self.review.forget(folder)
            self.course.remove_lesson(place["new"])
            for name, data in saved.items():
                if data is None:
                    (folder / name).unlink(missing_ok=True)
                else:
                    with atomic_path(folder / name) as tmp:
                        tmp.write_bytes(data)
            self.refresh_lessons()
            self.select_lesson(folder)

        def split_again() -> None:
            place["new"] = split_lesson(self.course, folder, chapter)
            self.review.forget(folder)
            self.refresh_lessons()
            self.select_lesson(place["new"])

        self._push(_Step("Split lesson", undo=join, redo=split_again))
        self.refresh_lessons()
        self.select_lesson(new)
        self.statusBar().showMessage(
            f"Split into two lessons at chapter {chapter} (Ctrl+Z joins them again)", 10_000
        )
        return new

    def _trash(self, folder: Path) -> Path:
        """Move a lesson or recording folder to the course's trash; where it went."""
        self.review.forget(folder)
        trashed = self.course.remove_lesson(folder)
        self.refresh_lessons()
        return trashed

    def undo_remove(self) -> None:
        """Bring back the lesson removed last (the status bar's button)."""
        step, self._removed = self._removed, None
        self.undo_remove_button.hide()
        if step is None or step not in self._history:
            return
        if self._history[-1] is step:
            self.undo()
            return
        self._history.remove(step)  # other changes came after it: bring it back alone
        try:
            assert step.undo is not None
            step.undo()
        except LecternError as error:
            self.show_error(str(error))
        self._update_undo()

    # ----------------------------------------------------------- recording

    def record_lesson(self) -> None:
        """Choose the sources (remembered from last time), then record a new lesson."""
        if self.recording is not None:
            return
        if self.course is None:
            self._with_course(self.record_lesson)
            return
        self.picker = SourcePickerDialog(
            recording_settings(self.settings),
            self.settings.preference("countdown"),
            self,
            quality=self.settings.preference("quality"),
        )
        self.picker.accepted.connect(self._sources_picked)
        self.picker.open()

    def _sources_picked(self) -> None:
        chosen, countdown = self.picker.settings(), self.picker.countdown()
        for name in ("screen", "camera", "mic"):
            self.settings.set_preference(name, getattr(chosen, name))
        self.settings.set_preference("countdown", countdown)
        self.settings.set_preference("quality", self.picker.quality())
        self.settings.sync()
        self.start_recording(chosen, countdown)

    def start_recording(
        self, settings: RecordingSettings, countdown: bool = True
    ) -> RecordingSession | None:
        """Record into a new folder of the course's recordings; it becomes a lesson."""
        if self.recording is not None:
            return None
        root = self.course.folder / RECORDINGS_DIR
        folder = root / time.strftime("%Y-%m-%d %H.%M.%S")
        number = 2
        while folder.exists():
            folder, number = root / f"{time.strftime('%Y-%m-%d %H.%M.%S')}-{number}", number + 1
        session = RecordingSession(
            folder,
            settings,
            countdown,
            self,
            pause_key=self.settings.preference("pause_key"),
            stop_key=self.settings.preference("stop_key"),
        )
        session.starting.connect(self.hide)
        session.stopping.connect(self._recording_stopping)
        session.finished.connect(self._recorded)
        session.failed.connect(self._recording_failed)
        session.cancelled.connect(self._recording_over)
        self.recording = session
        self.record_action.setEnabled(False)
        self.record_button.setEnabled(False)
        session.start()
        return session

    def _recording_over(self) -> None:
        self.recording = None
        self.record_action.setEnabled(True)
        self.record_button.setEnabled(True)
        self.show()
        self.raise_()
        self.activateWindow()

    def _recording_stopping(self, reason: str) -> None:
        self.show()
        text = f"Recording stopped: {reason}. Saving it…" if reason else "Saving the recording…"
        self.statusBar().showMessage(text, 10_000)
        session = self.recording
        if session is None:
            return
        suggestion = self.suggested_title(session)
        # Kept at once: a crash while the question is open loses no name either.
        with contextlib.suppress(LecternError, OSError):
            set_recording_title(session.folder, suggestion, typed=False)
        self.title_dialog = LessonTitleDialog(suggestion, self)
        self.title_dialog.finished.connect(
            lambda _result, folder=session.folder: self._title_chosen(folder)
        )
        self.title_dialog.open()

    def suggested_title(self, session: RecordingSession) -> str:
        """The recorded window's document, else the course's next lesson name."""
        window = session.recorded_area is not None and session.settings.screen.startswith("window:")
        hint = title_from_window(session.window_title, documents_only=not window)
        return hint or self._next_lesson_title()

    def _next_lesson_title(self) -> str:
        titles = []
        for folder in self.course.lesson_folders() if self.course is not None else []:
            try:
                titles.append(load_lesson(folder).title)
            except LecternError:
                continue
        return next_lesson_title(titles)

    def _title_chosen(self, folder: Path) -> None:
        dialog, self.title_dialog = self.title_dialog, None
        if dialog is not None:
            try:
                set_recording_title(folder, dialog.title(), typed=dialog.typed())
            except (LecternError, OSError) as error:
                self.show_error(f"The lesson's title could not be kept ({error}).")
            dialog.deleteLater()
        if self._saved_recording == folder:  # saved while the question was open
            self._saved_recording = None
            self._build_recording(folder)

    def _recorded(self, folder: Path) -> None:
        self._recording_over()
        self.refresh_lessons()
        if self.title_dialog is not None:
            self._saved_recording = Path(folder)  # built once the title is chosen
            return
        self._build_recording(Path(folder))

    def _build_recording(self, folder: Path) -> None:
        self.import_videos([folder])

    def _recording_failed(self, message: str) -> None:
        self._recording_over()
        self.refresh_lessons()
        self.show_error(message)

    # ------------------------------------------------------------ settings

    def open_settings(self) -> None:
        self.settings_dialog = SettingsDialog(self.settings, self)
        self.settings_dialog.accepted.connect(self.refresh_courses)
        self.settings_dialog.open()

    # ------------------------------------------------------------------ export

    def choose_export(self) -> None:
        if self.course is None:
            return
        name = f"{self.course.folder.name}{SUFFIX}"
        path, _ = QFileDialog.getSaveFileName(
            self,
            "Export course",
            str(self.course.folder.parent / name),
            f"Lectern course (*{SUFFIX})",
        )
        if path:
            self.export_to(Path(path))

    def export_to(self, output: Path) -> None:
        """Write the course package to ``output`` in the background."""
        if self.busy():
            self.show_error("Wait for the running job to finish (or cancel it), then export.")
            return
        if not self.save_course():
            return
        job = self.worker.submit(
            "exporting the course", export_course, ExportRequest(self.course, output)
        )
        self._start(f"Exporting {output.name}…", job)
        job.succeeded.connect(lambda manifest: self._exported(manifest, output))

    def choose_web_export(self) -> None:
        """Open "Export for LMS / web": a web page, SCORM or cmi5 (``studio.export``)."""
        if self.course is None:
            return
        if self.busy():
            self.show_error("Wait for the running job to finish (or cancel it), then export.")
            return
        if not self.save_course():
            return
        self.web_export_dialog = WebExportDialog(self.course.folder, self.worker, self)
        self.web_export_dialog.job_started.connect(self._hold)
        self.web_export_dialog.open()

    def _hold(self, job: Job) -> None:
        """A job another window shows (its own progress and errors): hold the others."""
        self.job, self.job_label = job, job.name
        for widget in (self.import_action, self.export_action, self.web_export_action):
            widget.setEnabled(False)
        for widget in (self.import_button, self.export_button):
            widget.setEnabled(False)
        job.done.connect(self._job_done)

    def _exported(self, manifest: Manifest, output: Path) -> None:
        self.last_export = manifest
        text = f"Exported “{manifest.course.title}” ({len(manifest.lessons)} lesson(s)) to {output}"
        self.statusBar().showMessage(text, 8000)
        box = QMessageBox(
            QMessageBox.Icon.Information,
            TITLE,
            f"{text}.\n\nOpen it in Lectern Player to see it as your learners will?",
            QMessageBox.StandardButton.NoButton,
            self,
        )
        plain(box)
        box.setAccessibleName("Export finished")
        open_button = box.addButton("Open in Lectern Player", QMessageBox.ButtonRole.AcceptRole)
        box.addButton(QMessageBox.StandardButton.Close)
        box.setDefaultButton(open_button)
        box.buttonClicked.connect(
            lambda button: self.open_in_player(output) if button is open_button else None
        )
        self.message_box = box
        box.open()

    def open_insights(self) -> None:
        """Open the course's Learner insights window (one per course, raised if open)."""
        if self.course is None:
            return
        window = self.insights_window
        if window is not None and window.folder == self.course.folder and window.isVisible():
            window.raise_()
            window.activateWindow()
            return
        from studio.ui.insights_window import InsightsWindow  # QtCharts only when wanted

        try:
            window = InsightsWindow(self.course.folder, self)
        except LecternError as error:
            self.show_error(str(error))
            return
        window.setWindowFlag(Qt.WindowType.Window, True)
        self.insights_window = window
        window.show()

    def open_in_player(self, package: Path) -> bool:
        """Start Lectern Player on ``package`` as its own process (it imports it)."""
        if getattr(sys, "frozen", False):
            # The installed folder (build_installer.spec): sys.executable is
            # lectern-studio itself, and lectern-player sits next to it.
            program, arguments = str(Path(sys.executable).with_name("lectern-player")), []
        else:
            program, arguments = sys.executable, ["-m", "player.cli"]
        started, self.player_pid = QProcess.startDetached(program, [*arguments, str(package)])
        if not started:
            self.show_error(
                f"Lectern Player could not be started; open {package} with lectern-player."
            )
        return started

    # ------------------------------------------------------------------ errors

    def show_error(self, message: str) -> None:
        """Show an error's own words in a dialog that does not block the window."""
        self.last_error = message
        self.message_box = error_box(self, TITLE, message)

    def show_shortcuts(self) -> None:
        box = QMessageBox(
            QMessageBox.Icon.Information, "Keyboard shortcuts", SHORTCUTS, parent=self
        )
        box.setTextFormat(Qt.TextFormat.RichText)
        self.message_box = box
        box.open()

    def show_about(self) -> None:
        box = QMessageBox(QMessageBox.Icon.NoIcon, f"About {TITLE}", ABOUT, parent=self)
        box.setTextFormat(Qt.TextFormat.RichText)
        self.message_box = box
        box.open()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._fitted:  # the window manager's frame can be measured now
            self._fitted = True
            QTimer.singleShot(300, self, lambda: fit_to_screen(self, PREFERRED_SIZE))

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.recording is not None:
            # Stop at once and keep what was recorded; the next start offers to recover it.
            self.recording.shutdown()
            self.recording = None
        self._rename_lesson()  # a title typed but not yet confirmed with Enter
        self.save_course()
        self.settings.set_window("geometry", self.saveGeometry())
        self.settings.set_window("splitter", self.splitter.saveState())
        self._remember_course()
        self._queue.clear()
        for job in self.worker.running():
            job.cancel()
        self.worker.wait(10_000)
        if self._batch_dir is not None:  # a parallel import was cancelled by closing
            self._collect_batch()
        self.review.close_lesson()
        super().closeEvent(event)
