"""The Lectern Studio main window: one course folder, its lessons, review and export."""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

from PySide6.QtCore import QProcess, Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QSplitter,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from shared.errors import LecternError
from shared.jobs import ProgressState
from shared.manifest import Manifest
from shared.package import SUFFIX
from shared.ui.dialogs import error_box
from shared.ui.seek_bar import format_time
from shared.ui.worker import Job, Worker
from shared.workspace import load_lesson
from studio.capture.recording import build_inputs, load_recording
from studio.course import Course, ExportRequest, export_course
from studio.editing import has_edits
from studio.pipeline import BuildOptions, BuildResult, build_lesson
from studio.ui.review import ReviewPanel

__all__ = ["MainWindow", "TITLE", "RECORDINGS", "unbuilt_recordings"]

TITLE = "Lectern Studio"
VIDEO_FILTER = "Videos (*.mp4 *.mkv *.mov *.webm *.avi *.m4v);;All files (*)"
#: Where a course keeps its recordings (one folder each), beside its lesson folders.
RECORDINGS = "recordings"
_FOLDER_ROLE = Qt.ItemDataRole.UserRole
_RECORDING_ROLE = Qt.ItemDataRole.UserRole + 1


def unbuilt_recordings(course: Course) -> list[tuple[Path, bool]]:
    """The course's recordings no lesson was built from, oldest first.

    Returns:
        ``(recording folder, interrupted)`` pairs; ``interrupted`` is true when the
        recorder stopped without finishing (a crash or a killed process) and no other
        process is recording it now.
    """
    root = course.folder / RECORDINGS
    if not root.is_dir():
        return []
    built = set()
    for folder in course.lesson_folders():
        try:
            built.add(Path(load_lesson(folder).source).parent)
        except LecternError:
            continue
    found = []
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        if folder.resolve() in built:
            continue
        try:
            data = load_recording(folder)
        except LecternError:
            continue
        if data.get("state") == "finished":
            found.append((folder, False))
        elif data.get("state") in ("recording", "stopped") and not _recording_now(data):
            found.append((folder, True))
    return found


def _recording_now(data: dict) -> bool:
    """Whether a live process (other than a dead one) still writes this recording."""
    pid = data.get("pid")
    if data.get("state") != "recording" or not pid:
        return False
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False
    return b"python" in cmdline or b"lectern" in cmdline


class MainWindow(QMainWindow):
    """The Studio window over one :class:`Course` folder."""

    def __init__(self, course: Course, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.course = course
        self.worker = Worker(self)
        self.job: Job | None = None
        self.job_label = ""
        self.building: Path | None = None
        self.building_from: Path | None = None
        self.player_pid = 0
        self.last_error: str | None = None
        self.last_export: Manifest | None = None
        self.message_box: QMessageBox | None = None
        self._queue: list[Path] = []
        self.setWindowTitle(TITLE)
        self.resize(1360, 860)
        self.setMinimumSize(900, 600)

        self.review = ReviewPanel()
        self._build_left()
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.left)
        splitter.addWidget(self.review)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([320, 1040])
        self.setCentralWidget(splitter)
        self._build_actions()
        self._build_status()
        self._save_timer = QTimer(self)
        self._save_timer.setSingleShot(True)
        self._save_timer.setInterval(600)
        self._save_timer.timeout.connect(self.save_course)
        self._connect()
        self._show_course()
        self.refresh_lessons()
        if self.lesson_list.count() and self.lesson_list.item(0).data(_FOLDER_ROLE):
            self.lesson_list.setCurrentRow(0)

    # ---------------------------------------------------------------- building

    def _build_left(self) -> None:
        self.title_box = QLineEdit()
        self.title_box.setAccessibleName("Course title")
        self.author_box = QLineEdit()
        self.author_box.setAccessibleName("Author")
        self.description_box = QPlainTextEdit()
        self.description_box.setAccessibleName("Description")
        self.description_box.setMaximumHeight(90)
        details = QGroupBox("Course")
        form = QFormLayout(details)
        form.addRow("Title", self.title_box)
        form.addRow("Author", self.author_box)
        form.addRow("Description", self.description_box)

        self.lesson_list = QListWidget()
        self.lesson_list.setAccessibleName("Lessons")
        self.lesson_list.setWordWrap(True)
        self.lesson_title_box = QLineEdit()
        self.lesson_title_box.setAccessibleName("Lesson title")
        self.lesson_title_box.setPlaceholderText("Lesson title")
        self.lesson_title_box.setEnabled(False)
        self.import_button = QPushButton("Import video…")
        self.export_button = QPushButton("Export course…")
        lessons = QGroupBox("Lessons")
        box = QVBoxLayout(lessons)
        box.addWidget(self.lesson_list, 1)
        box.addWidget(self.lesson_title_box)
        box.addWidget(self.import_button)
        box.addWidget(self.export_button)

        self.left = QWidget()
        layout = QVBoxLayout(self.left)
        layout.setContentsMargins(6, 6, 0, 6)
        layout.addWidget(details)
        layout.addWidget(lessons, 1)

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
        menu = self.menuBar().addMenu("&File")
        menu.addAction(self.new_course_action)
        menu.addAction(self.open_course_action)
        menu.addSeparator()
        menu.addAction(self.import_action)
        menu.addAction(self.export_action)
        menu.addSeparator()
        menu.addAction(self.quit_action)
        edit = self.menuBar().addMenu("&Edit")
        edit.addAction(self.undo_action)
        edit.addAction(self.redo_action)
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
        self.progress_bar.hide()
        self.cancel_button.hide()

    def _connect(self) -> None:
        self.import_action.triggered.connect(self.choose_import)
        self.import_button.clicked.connect(self.choose_import)
        self.export_action.triggered.connect(self.choose_export)
        self.export_button.clicked.connect(self.choose_export)
        self.quit_action.triggered.connect(self.close)
        self.undo_action.triggered.connect(self.review.undo)
        self.redo_action.triggered.connect(self.review.redo)
        self.cancel_button.clicked.connect(self.cancel_job)
        self.lesson_list.currentItemChanged.connect(self._lesson_chosen)
        self.lesson_list.itemActivated.connect(self._item_activated)
        self.lesson_title_box.editingFinished.connect(self._rename_lesson)
        self.new_course_action.triggered.connect(self.choose_new_course)
        self.open_course_action.triggered.connect(self.choose_open_course)
        self.review.changed.connect(self._edited)
        self.review.failed.connect(self.show_error)
        self.review.message.connect(lambda text: self.statusBar().showMessage(text, 4000))
        for box in (self.title_box, self.author_box):
            box.textEdited.connect(self._details_edited)
        self.description_box.textChanged.connect(self._details_edited)

    # ------------------------------------------------------------------ course

    def _show_course(self) -> None:
        self.title_box.setText(self.course.title)
        self.author_box.setText(self.course.author)
        self.description_box.blockSignals(True)
        self.description_box.setPlainText(self.course.description)
        self.description_box.blockSignals(False)

    def _details_edited(self) -> None:
        self.course.title = self.title_box.text()
        self.course.author = self.author_box.text()
        self.course.description = self.description_box.toPlainText()
        self._save_timer.start()

    def save_course(self) -> bool:
        self._save_timer.stop()
        try:
            self.course.save()
        except LecternError as error:
            self.show_error(str(error))
            return False
        return True

    def refresh_lessons(self) -> None:
        """List the course's lessons (title, duration, state), keeping the selection."""
        current = self.current_folder()
        self.lesson_list.blockSignals(True)
        self.lesson_list.clear()
        for folder in self.course.lesson_folders():
            try:
                lesson = load_lesson(folder)
                state = "Edited" if has_edits(folder) else "Built"
                text = f"{lesson.title}\n{format_time(lesson.duration)} · {state}"
            except LecternError:
                text = f"{folder.name}\nCannot be read"
            item = QListWidgetItem(text)
            item.setData(_FOLDER_ROLE, str(folder))
            self.lesson_list.addItem(item)
            if folder == current:
                self.lesson_list.setCurrentItem(item)
        for folder, interrupted in unbuilt_recordings(self.course):
            if folder in self._queue or folder == self.building_from:
                continue
            state = "Interrupted recording" if interrupted else "Recorded, not processed"
            item = QListWidgetItem(f"{folder.name}\n{state} · double-click to process")
            item.setData(_RECORDING_ROLE, str(folder))
            item.setToolTip("Process this recording into a lesson (transcript, chapters).")
            self.lesson_list.addItem(item)
        if self.building is not None:
            item = QListWidgetItem(f"{self.building.name}\nBuilding…")
            item.setFlags(Qt.ItemFlag.NoItemFlags)
            self.lesson_list.addItem(item)
        self.lesson_list.blockSignals(False)

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
        if not folder:
            self.review.close_lesson()
        else:
            try:
                self.review.open_lesson(Path(folder))
            except LecternError as error:
                self.review.close_lesson()
                self.show_error(str(error))
        session = self.review.session
        self.lesson_title_box.setEnabled(session is not None)
        self.lesson_title_box.setText(session.lesson.title if session is not None else "")
        self._update_undo()

    def _rename_lesson(self) -> None:
        session = self.review.session
        if session is None or self.lesson_title_box.text() == session.lesson.title:
            return
        try:
            session.rename_lesson(self.lesson_title_box.text())
        except LecternError as error:
            self.lesson_title_box.setText(session.lesson.title)
            self.show_error(str(error))
            return
        self._edited()

    def _edited(self) -> None:
        self._update_undo()
        item = self.lesson_list.currentItem()
        session = self.review.session
        if item is not None and session is not None:
            state = "Edited" if session.edited else "Built"
            lesson = session.lesson
            item.setText(f"{lesson.title}\n{format_time(lesson.duration)} · {state}")

    def _update_undo(self) -> None:
        session = self.review.session
        self.undo_action.setEnabled(session is not None and session.can_undo)
        self.redo_action.setEnabled(session is not None and session.can_redo)
        self.undo_action.setText(
            f"&Undo {session.undo_label}" if session and session.can_undo else "&Undo"
        )
        self.redo_action.setText(
            f"&Redo {session.redo_label}" if session and session.can_redo else "&Redo"
        )

    # ------------------------------------------------------------------- jobs

    def busy(self) -> bool:
        return self.job is not None

    def _start(self, label: str, job: Job) -> None:
        self.job, self.job_label = job, label
        self.import_action.setEnabled(False)
        self.export_action.setEnabled(False)
        self.import_button.setEnabled(False)
        self.export_button.setEnabled(False)
        self.progress_bar.setValue(0)
        self.progress_bar.show()
        self.cancel_button.show()
        self.statusBar().showMessage(label)
        job.progress.connect(lambda f: self.progress_bar.setValue(round(f * 1000)))
        job.status.connect(lambda text: self.statusBar().showMessage(f"{label} {text}"))
        job.failed.connect(self.show_error)
        job.cancelled.connect(lambda: self.statusBar().showMessage("Cancelled", 4000))
        job.done.connect(self._job_done)

    def cancel_job(self) -> None:
        if self.job is not None:
            self._queue.clear()
            self.job.cancel()

    def _job_done(self) -> None:
        self.job = None
        self.building = None
        self.progress_bar.hide()
        self.cancel_button.hide()
        for widget in (self.import_action, self.export_action):
            widget.setEnabled(True)
        for widget in (self.import_button, self.export_button):
            widget.setEnabled(True)
        self.refresh_lessons()
        if self._queue:
            QTimer.singleShot(0, self._next_import)

    # ------------------------------------------------------------------ import

    def choose_import(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(
            self, "Import lecture videos", str(Path.home()), VIDEO_FILTER
        )
        self.import_videos([Path(path) for path in paths])

    def import_videos(self, videos: list[Path]) -> None:
        """Build a lesson from each video, one after another, in the background."""
        self._queue.extend(videos)
        if not self.busy():
            self._next_import()

    def _next_import(self) -> None:
        if not self._queue or self.busy():
            return
        source = self._queue.pop(0)
        recording = source.is_dir()
        folder = self.course.new_lesson_folder(source)
        self.building = folder
        self.building_from = source if recording else None
        title = None
        if recording:
            title = f"Lesson {len(self.course.lesson_folders()) + 1}"
        job = self.worker.submit(
            "building the lesson", _build_job, (source, folder, BuildOptions(title=title))
        )
        self._start(f"Building {source.name}…", job)
        job.succeeded.connect(self._built)
        self.refresh_lessons()

    def _built(self, result: BuildResult) -> None:
        self.course.add_lesson(result.folder)
        self.building = None
        self.building_from = None
        self.refresh_lessons()
        self.select_lesson(result.folder)
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
        interrupted = [folder for folder, broken in unbuilt_recordings(self.course) if broken]
        if not interrupted:
            return
        names = ", ".join(folder.name for folder in interrupted)
        box = QMessageBox(
            QMessageBox.Icon.Question,
            TITLE,
            f"Lectern Studio stopped while recording ({names}). Everything up to the last "
            "two seconds is on disk. Recover it now and make it a lesson?",
            QMessageBox.StandardButton.NoButton,
            self,
        )
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
        folder = QFileDialog.getExistingDirectory(
            self, "Folder for the new course", str(self.course.folder.parent)
        )
        if folder:
            self.open_course_folder(Path(folder))

    def choose_open_course(self) -> None:
        folder = QFileDialog.getExistingDirectory(
            self, "Open a course folder", str(self.course.folder.parent)
        )
        if folder:
            self.open_course_folder(Path(folder))

    def open_course_folder(self, folder: Path) -> bool:
        """Switch the window to the course in ``folder`` (created if it has none)."""
        if self.busy():
            self.show_error("Wait for the running job to finish (or cancel it), then switch.")
            return False
        try:
            course = Course.open(folder)
        except LecternError as error:
            self.show_error(str(error))
            return False
        self.save_course()
        self.review.close_lesson()
        self.course = course
        self._show_course()
        self.refresh_lessons()
        if self.lesson_list.count() and self.lesson_list.item(0).data(_FOLDER_ROLE):
            self.lesson_list.setCurrentRow(0)
        self.statusBar().showMessage(f"Opened “{course.title}”", 4000)
        QTimer.singleShot(0, self.offer_recovery)
        return True

    # ------------------------------------------------------------------ export

    def choose_export(self) -> None:
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
        box.setAccessibleName("Export finished")
        open_button = box.addButton("Open in Lectern Player", QMessageBox.ButtonRole.AcceptRole)
        box.addButton(QMessageBox.StandardButton.Close)
        box.setDefaultButton(open_button)
        box.buttonClicked.connect(
            lambda button: self.open_in_player(output) if button is open_button else None
        )
        self.message_box = box
        box.open()

    def open_in_player(self, package: Path) -> bool:
        """Start Lectern Player on ``package`` as its own process (it imports it)."""
        started, self.player_pid = QProcess.startDetached(
            sys.executable, ["-m", "player.cli", str(package)]
        )
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

    def closeEvent(self, event: QCloseEvent) -> None:
        self.save_course()
        self._queue.clear()
        for job in self.worker.running():
            job.cancel()
        self.worker.wait(10_000)
        self.review.close_lesson()
        super().closeEvent(event)


def _build_job(inputs: tuple[Path, Path, BuildOptions], state: ProgressState) -> BuildResult:
    """Build a lesson from a video file, or from a recording folder (finished first)."""
    source, folder, options = inputs
    if source.is_dir():
        state.set_status("Finishing the recording")
        main, camera = build_inputs(source)
        options = dataclasses.replace(options, camera=camera)
        source = main
    return build_lesson(source, folder, options, state)
