"""The Lectern Player main window: library, lesson and search pages, import and menus."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QSize, Qt, QTimer, QUrl
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QDragEnterEvent,
    QDropEvent,
    QKeyEvent,
    QKeySequence,
    QShowEvent,
)
from PySide6.QtWidgets import (
    QFileDialog,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QProgressDialog,
    QSizePolicy,
    QStackedWidget,
    QStyle,
    QToolBar,
    QWidget,
)

from player.settings import Settings
from player.ui.lesson_view import LessonView
from player.ui.library_view import LibraryView
from player.ui.lrs_sync import BackgroundSync, LrsDialog
from player.ui.review_view import ReviewView
from player.ui.search_panel import SearchPanel
from shared import __version__
from shared.errors import LecternError
from shared.jobs import ProgressState
from shared.library import ImportPlan, ImportResult, Library, SearchHit
from shared.package import SUFFIX
from shared.ui.dialogs import error_box
from shared.ui.plain import plain
from shared.ui.window_fit import fit_to_screen, scrolling
from shared.ui.worker import Job, Worker

__all__ = ["MainWindow", "TITLE"]

TITLE = "Lectern Player"
PREFERRED_SIZE = QSize(1360, 860)

SHORTCUTS = """<table cellspacing=6>
<tr><td><b>Space</b>, <b>K</b></td><td>Play / pause</td></tr>
<tr><td><b>J</b> / <b>L</b></td><td>Back / forward 10 seconds</td></tr>
<tr><td><b>←</b> / <b>→</b></td><td>Back / forward 5 seconds</td></tr>
<tr><td><b>&lt;</b> / <b>&gt;</b></td><td>Slower / faster</td></tr>
<tr><td><b>PgUp</b> / <b>PgDn</b></td><td>Previous / next chapter</td></tr>
<tr><td><b>F</b></td><td>Full screen</td></tr>
<tr><td><b>C</b></td><td>Captions on / off</td></tr>
<tr><td><b>M</b></td><td>Mute</td></tr>
<tr><td><b>N</b> / <b>B</b></td><td>Note / bookmark at the current time</td></tr>
<tr><td><b>Ctrl+F</b></td><td>Find in the lesson (in the library: search it)</td></tr>
<tr><td><b>Ctrl+Shift+F</b></td><td>Search all courses</td></tr>
<tr><td><b>1</b>-<b>9</b>, <b>Enter</b></td><td>On a question: choose, then check and go on</td></tr>
<tr><td><b>Alt+T</b> / <b>Alt+R</b></td><td>After a wrong answer: try again / re-watch the chapter</td></tr>
<tr><td><b>Esc</b></td><td>Skip a question that is not required</td></tr>
<tr><td><b>Ctrl+R</b></td><td>Review questions answered wrong</td></tr>
<tr><td><b>Ctrl+O</b></td><td>Import a course</td></tr>
<tr><td><b>Ctrl+Q</b></td><td>Quit</td></tr></table>"""


class MainWindow(QMainWindow):
    """The Player window over one open :class:`Library`.

    Args:
        library: the learner's library (the window does not close it).
        settings: preferences and window state.
    """

    def __init__(self, library: Library, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.library = library
        self.settings = settings
        self.worker = Worker(self)
        self.import_job: Job | None = None
        self.progress_dialog: QProgressDialog | None = None
        self.message_box: QMessageBox | None = None
        self.update_box: QMessageBox | None = None
        self.last_error: str | None = None
        self._queue: list[Path] = []
        self._previous_page: QWidget | None = None
        self.setWindowTitle(TITLE)
        self.setAcceptDrops(True)
        self._fitted = False

        self.library_view = LibraryView(library)
        self.lesson_view = LessonView(library, settings)
        self.search_panel = SearchPanel(library)
        self.review_view = ReviewView(library)
        self.pages = QStackedWidget()
        for page in (self.library_view, self.lesson_view, self.search_panel, self.review_view):
            self.pages.addWidget(page)
        self.setCentralWidget(scrolling(self.pages))
        self.sync = BackgroundSync(library, self.worker, self)
        self._build_toolbar()
        self._build_menus()
        self._build_status()
        self._build_notice()
        self._connect()
        self._restore_state()
        self.library_view.refresh()
        self.review_view.refresh()

    # ---------------------------------------------------------------- building

    def _build_toolbar(self) -> None:
        style = self.style()
        bar = QToolBar("Main")
        bar.setObjectName("mainToolbar")
        bar.setMovable(False)
        bar.setFloatable(False)
        bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        brand = QLabel("  Lectern")
        brand.setStyleSheet("font-size: 14pt; font-weight: 700;")
        brand.setAccessibleName("Lectern Player")
        self.library_action = QAction(
            style.standardIcon(QStyle.StandardPixmap.SP_DirHomeIcon), "Library", self
        )
        self.library_action.setShortcut(QKeySequence("Ctrl+L"))
        self.library_action.setToolTip("Show the library (Ctrl+L)")
        self.import_action = QAction(
            style.standardIcon(QStyle.StandardPixmap.SP_DialogOpenButton), "Import…", self
        )
        self.review_action = QAction(
            style.standardIcon(QStyle.StandardPixmap.SP_DialogHelpButton), "Review", self
        )
        self.review_action.setShortcut(QKeySequence("Ctrl+R"))
        self.review_action.setToolTip(
            "Questions you answered wrong, back after 1, 3 and 7 days (Ctrl+R)"
        )
        self.import_action.setShortcut(QKeySequence.StandardKey.Open)
        self.import_action.setToolTip("Import a course package (Ctrl+O)")
        self.import_folder_action = QAction("Import a folder of videos…", self)
        self.import_folder_action.setToolTip(
            "Import a folder of lecture videos (and their caption files) as a course of its own"
        )
        self.search_box = QLineEdit()
        self.search_box.setPlaceholderText("Search all courses   (Ctrl+Shift+F)")
        self.search_box.setAccessibleName("Search the library")
        self.search_box.setClearButtonEnabled(True)
        self.search_box.setMinimumWidth(340)
        self.search_box.setMaximumWidth(520)
        spacer = QWidget()
        spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        bar.addWidget(brand)
        bar.addSeparator()
        bar.addAction(self.library_action)
        bar.addAction(self.review_action)
        bar.addWidget(spacer)
        bar.addWidget(self.search_box)
        bar.addAction(self.import_action)
        for action in (self.library_action, self.review_action, self.import_action):
            button = bar.widgetForAction(action)
            button.setAccessibleName(action.text().rstrip("…"))
            button.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.addToolBar(bar)
        self.toolbar = bar

    def _build_notice(self) -> None:
        """A banner under the toolbar with what opening the library found (damage healed, ...)."""
        self.notice_bar: QToolBar | None = None
        if not self.library.notice:
            return
        label = QLabel(self.library.notice)
        label.setTextFormat(Qt.TextFormat.PlainText)
        label.setWordWrap(True)
        label.setAccessibleName("Library notice")
        label.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        bar = QToolBar("Library notice")
        bar.setObjectName("noticeBar")
        bar.setMovable(False)
        bar.setFloatable(False)
        bar.addWidget(label)
        bar.addAction("Dismiss", bar.hide)
        self.addToolBarBreak()
        self.addToolBar(bar)
        self.notice_bar, self.notice_label = bar, label

    def _build_menus(self) -> None:
        menu = self.menuBar().addMenu("&File")
        menu.addAction(self.import_action)
        menu.addAction(self.import_folder_action)
        self.remove_action = menu.addAction("&Remove course…", self._remove_current)
        self.export_action = menu.addAction("&Export notes…", self._export_current)
        menu.addSeparator()
        self.lrs_action = menu.addAction("&LRS and sync…", self.show_lrs_settings)
        self.sync_action = menu.addAction("&Sync now", self.sync.sync_now)
        menu.addSeparator()
        self.quit_action = QAction("&Quit", self)
        self.quit_action.setShortcut(QKeySequence("Ctrl+Q"))
        self.quit_action.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
        self.quit_action.triggered.connect(self.close)
        menu.addAction(self.quit_action)
        view = self.menuBar().addMenu("&View")
        view.addAction(self.library_action)
        view.addAction(self.review_action)
        self.search_action = QAction("&Search all courses", self)
        self.search_action.setShortcut(QKeySequence("Ctrl+Shift+F"))
        self.search_action.triggered.connect(self.focus_search)
        view.addAction(self.search_action)
        # Ctrl+F finds in the open lesson's transcript; elsewhere it searches the library.
        self.find_action = QAction("&Find", self)
        self.find_action.setShortcut(QKeySequence("Ctrl+F"))
        self.find_action.triggered.connect(self.find)
        view.addAction(self.find_action)
        view.addAction("&Full screen", self.lesson_view.toggle_fullscreen)
        help_menu = self.menuBar().addMenu("&Help")
        help_menu.addAction("&Keyboard shortcuts", self._show_shortcuts)
        self.about_action = help_menu.addAction(f"&About {TITLE}", self._show_about)

    def _build_status(self) -> None:
        self.import_bar = QProgressBar()
        self.import_bar.setRange(0, 1000)
        self.import_bar.setFixedWidth(220)
        self.import_bar.setAccessibleName("Import progress")
        self.import_bar.hide()
        self.statusBar().addPermanentWidget(self.import_bar)
        self.statusBar().addPermanentWidget(self.sync.label)

    def _connect(self) -> None:
        self.library_action.triggered.connect(self.show_library)
        self.import_action.triggered.connect(self.choose_import)
        self.import_folder_action.triggered.connect(self.choose_import_folder)
        self.search_box.textChanged.connect(self._search_typed)
        self.search_box.returnPressed.connect(self.search_panel.run)
        self.search_panel.hitChosen.connect(self.open_hit)
        self.library_view.lessonChosen.connect(self._lesson_chosen)
        self.library_view.importRequested.connect(self.choose_import)
        self.library_view.removeRequested.connect(self.confirm_remove)
        self.lesson_view.backRequested.connect(self.show_library)
        self.lesson_view.fullscreenRequested.connect(self._fullscreen)
        self.lesson_view.message.connect(lambda text: self.statusBar().showMessage(text, 4000))
        self.lesson_view.failed.connect(self.show_error)
        self.lesson_view.exportRequested.connect(self.export_notes)
        self.lesson_view.activityRecorded.connect(self.sync.show_state)
        self.review_action.triggered.connect(self.show_review)
        self.review_view.jumpRequested.connect(self.open_lesson)
        self.review_view.failed.connect(self.show_error)
        self.review_view.countChanged.connect(
            lambda count: self.review_action.setText(f"Review ({count})" if count else "Review")
        )

    # ------------------------------------------------------------------- pages

    def show_lrs_settings(self) -> None:
        """The LRS settings; saving them syncs soon."""
        dialog = LrsDialog(self.library, self)
        dialog.accepted.connect(lambda: self.sync.soon(0))
        self.lrs_dialog = dialog
        dialog.open()

    def show_library(self) -> None:
        self.lesson_view.close_lesson()
        self.sync.soon()
        if self.lesson_view.is_fullscreen():
            self.lesson_view.toggle_fullscreen()
        self.library_view.refresh()
        self.pages.setCurrentWidget(self.library_view)

    def show_review(self) -> None:
        """The questions due for review (answered wrong 1, 3 or 7 days ago)."""
        self.lesson_view.close_lesson()
        if self.lesson_view.is_fullscreen():
            self.lesson_view.toggle_fullscreen()
        self.review_view.refresh()
        self.pages.setCurrentWidget(self.review_view)
        self.review_view.list.setFocus()

    def open_lesson(self, course_id: str, lesson_id: str, at: float | None = None) -> bool:
        """Show a lesson, at ``at`` seconds or offering to resume; ``False`` if it failed."""
        try:
            self.lesson_view.open_lesson(course_id, lesson_id, at)
        except LecternError as error:
            self.show_error(str(error))
            return False
        self.pages.setCurrentWidget(self.lesson_view)
        return True

    def _lesson_chosen(self, course_id: str, lesson_id: str, at: float) -> None:
        self.open_lesson(course_id, lesson_id, at if at >= 0 else None)

    def open_hit(self, hit: SearchHit) -> None:
        """Go to a search hit: a lesson at the hit's time, or a course's page."""
        if hit.lesson_id is None:
            self.show_library()
            self.library_view.show_course(hit.course_id)
            return
        if self.open_lesson(hit.course_id, hit.lesson_id, hit.time):
            self.lesson_view.video.play()  # the learner came for what is said there

    def find(self) -> None:
        if self.pages.currentWidget() is self.lesson_view and self.lesson_view.current:
            self.lesson_view.find_in_lesson()
        else:
            self.focus_search()

    def focus_search(self) -> None:
        self.search_box.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search_box.selectAll()
        if self.search_box.text().strip():
            self._show_search()

    def _show_search(self) -> None:
        if self.pages.currentWidget() is not self.search_panel:
            self._previous_page = self.pages.currentWidget()
            if self._previous_page is self.lesson_view:
                self.lesson_view.video.pause()
            self.pages.setCurrentWidget(self.search_panel)

    def _search_typed(self, text: str) -> None:
        if text.strip():
            self._show_search()
            self.search_panel.set_query(text)
        elif self.pages.currentWidget() is self.search_panel:
            self.search_panel.set_query("")
            back = self._previous_page or self.library_view
            self.pages.setCurrentWidget(back)

    def _fullscreen(self, on: bool) -> None:
        self.toolbar.setVisible(not on)
        self.menuBar().setVisible(not on)
        self.statusBar().setVisible(not on)
        self.showFullScreen() if on else self.showNormal()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape and self.search_box.hasFocus():
            self.search_box.clear()
            return
        super().keyPressEvent(event)

    # ------------------------------------------------------------------ import

    def choose_import(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(
            self, "Import a course", str(Path.home()), f"Lectern courses (*{SUFFIX});;All files (*)"
        )
        self.import_files([Path(path) for path in paths])

    def choose_import_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(
            self, "Import a folder of videos", str(Path.home())
        )
        if folder:
            self.import_files([Path(folder)])

    def import_files(self, paths: Sequence[Path]) -> None:
        """Import course packages (or folders of videos) one after another in the background."""
        self._queue.extend(Path(path) for path in paths)
        if self.import_job is None and self.update_box is None:
            self._next_import()

    def _next_import(self) -> None:
        if not self._queue:
            return
        path = self._queue.pop(0)
        try:
            plan = None if path.is_dir() else self.library.plan_import(path)
        except LecternError:
            plan = None  # the import itself reports what is wrong, in the usual way
        if plan is not None and plan.orphaned:
            self.confirm_update(path, plan)
            return
        self._start_import(path)

    def confirm_update(self, path: Path, plan: ImportPlan) -> None:
        """Ask before an update that leaves lessons out: their notes become orphans."""
        names = "\n".join(f"• {title}" for title in plan.orphaned)
        box = QMessageBox(
            QMessageBox.Icon.Question,
            "Update course",
            f"The new version of “{plan.title}” no longer has these lessons:\n\n{names}\n\n"
            "Your notes and progress on them will be kept: you can still read them on the "
            "course page and export them with the other notes. Update the course?",
            QMessageBox.StandardButton.Cancel,
            self,
        )
        box.setTextFormat(Qt.TextFormat.PlainText)  # lesson titles come from the package
        update = box.addButton("Update", QMessageBox.ButtonRole.AcceptRole)
        box.setDefaultButton(update)

        def answered(_: int) -> None:
            self.update_box = None
            if box.clickedButton() is update:
                self._start_import(path)
            else:
                self.statusBar().showMessage(f"“{plan.title}” was not updated", 6000)
                QTimer.singleShot(0, self._next_import)

        box.finished.connect(answered)
        self.update_box = box
        box.open()

    def _start_import(self, path: Path) -> None:
        library = self.library

        def run(p: Path, state: ProgressState) -> ImportResult:
            if p.is_dir():  # a plain folder of videos becomes a course of its own
                return library.import_video_folder(p, state=state)
            return library.import_course(p, state=state)

        job = self.worker.submit("importing the course", run, path)
        self.import_job = job
        dialog = QProgressDialog(f"Importing {path.name}…", "Cancel", 0, 1000, self)
        dialog.setLabel(plain(QLabel(f"Importing {path.name}…")))  # statuses name the course
        dialog.setWindowTitle("Importing a course")
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setMinimumDuration(300)
        dialog.setAutoClose(False)
        dialog.setAutoReset(False)
        dialog.canceled.connect(job.cancel)
        self.progress_dialog = dialog
        self.import_bar.setValue(0)
        self.import_bar.show()
        self.statusBar().showMessage(f"Importing {path.name}…")
        job.progress.connect(self._import_progress)
        job.status.connect(lambda text: dialog.setLabelText(f"{path.name}: {text}"))
        job.succeeded.connect(self._imported)
        job.failed.connect(self.show_error)
        job.cancelled.connect(lambda: self.statusBar().showMessage("Import cancelled", 4000))
        job.done.connect(self._import_done)

    def _import_progress(self, fraction: float) -> None:
        self.import_bar.setValue(round(fraction * 1000))
        if self.progress_dialog is not None:
            self.progress_dialog.setValue(round(fraction * 1000))

    def _imported(self, result: ImportResult) -> None:
        words = {"imported": "Imported", "updated": "Updated", "unchanged": "Already up to date:"}
        self.statusBar().showMessage(
            f"{words.get(result.action, 'Imported')} “{result.title}”", 6000
        )
        self.library_view.refresh()
        if result.notices:
            box = QMessageBox(
                QMessageBox.Icon.Information,
                TITLE,
                f"{words.get(result.action, 'Imported')} “{result.title}”.\n\n"
                + "\n\n".join(result.notices),
                QMessageBox.StandardButton.Ok,
                self,
            )
            box.setTextFormat(Qt.TextFormat.PlainText)
            self.message_box = box
            box.open()

    def _import_done(self) -> None:
        self.import_job = None
        self.import_bar.hide()
        if self.progress_dialog is not None:
            self.progress_dialog.reset()
            self.progress_dialog.hide()
            self.progress_dialog.deleteLater()
            self.progress_dialog = None
        if self._queue:
            QTimer.singleShot(0, self._next_import)
        elif self.pages.currentWidget() is self.library_view:
            self.library_view.refresh()

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if _package_paths(event.mimeData().urls()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = _package_paths(event.mimeData().urls())
        if paths:
            event.acceptProposedAction()
            self.import_files(paths)

    # ------------------------------------------------------------------ remove

    def _remove_current(self) -> None:
        course = self.library_view.current_course()
        current = self.lesson_view.current
        course_id = course or (current.course_id if current else None)
        if course_id is None:
            self.show_error("Open a course first, then choose Remove course.")
            return
        self.confirm_remove(course_id)

    def confirm_remove(self, course_id: str) -> None:
        """Ask before removing a course and its progress and notes."""
        try:
            title = self.library.course(course_id).title
        except LecternError as error:
            self.show_error(str(error))
            return
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            "Remove course",
            f"Remove “{title}” from your library?\n\nIts lessons, your progress and your notes "
            "on it will be deleted. You can import the package again later.",
            QMessageBox.StandardButton.Cancel,
            self,
        )
        plain(box)
        remove = box.addButton("Remove", QMessageBox.ButtonRole.DestructiveRole)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.finished.connect(
            lambda _: box.clickedButton() is remove and self.remove_course(course_id)
        )
        self.message_box = box
        box.open()

    def remove_course(self, course_id: str) -> None:
        current = self.lesson_view.current
        if current is not None and current.course_id == course_id:
            self.lesson_view.close_lesson()
        try:
            self.library.remove_course(course_id)
        except LecternError as error:
            self.show_error(str(error))
        self.library_view.show_overview()
        self.show_library()
        self.statusBar().showMessage("Course removed", 4000)

    # ------------------------------------------------------------------- notes

    def _export_current(self) -> None:
        current = self.lesson_view.current
        course_id = current.course_id if current else self.library_view.current_course()
        if course_id is None:
            self.show_error("Open a course first, then choose Export notes.")
            return
        self.export_notes(course_id)

    def export_notes(self, course_id: str) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, "Export notes", str(Path.home() / f"{course_id}-notes.md"), "Markdown (*.md)"
        )
        if not path:
            return
        try:
            written = self.library.export_notes(course_id, path)
        except (LecternError, OSError) as error:
            self.show_error(str(error))
            return
        self.statusBar().showMessage(f"Notes exported to {written}", 6000)

    # ------------------------------------------------------------------ errors

    def show_error(self, message: str) -> None:
        """Show an error's own words in a dialog that does not block the window."""
        self.last_error = message
        self.message_box = error_box(self, TITLE, message)

    def _show_about(self) -> None:
        text = (
            f"<h3>{TITLE} {__version__}</h3><p>Watch your courses at your own pace, with "
            "chapters, captions and the transcript; search every word said; keep notes and "
            "bookmarks. Everything stays on this computer and works with no internet.</p>"
        )
        box = QMessageBox(QMessageBox.Icon.NoIcon, f"About {TITLE}", text, parent=self)
        box.setTextFormat(Qt.TextFormat.RichText)
        self.message_box = box
        box.open()

    def _show_shortcuts(self) -> None:
        box = QMessageBox(
            QMessageBox.Icon.Information, "Keyboard shortcuts", SHORTCUTS, parent=self
        )
        box.setTextFormat(Qt.TextFormat.RichText)
        self.message_box = box
        box.open()

    # ------------------------------------------------------------ window state

    def _restore_state(self) -> None:
        fit_to_screen(self, PREFERRED_SIZE, self.settings.window("geometry") or None)
        splitter = self.settings.window("lesson_splitter")
        if splitter:
            self.lesson_view.splitter.restoreState(splitter)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._fitted:  # the window manager's frame can be measured now
            self._fitted = True
            QTimer.singleShot(300, self, lambda: fit_to_screen(self, PREFERRED_SIZE))

    def closeEvent(self, event: QCloseEvent) -> None:
        self.lesson_view.close_lesson()
        self.sync.timer.stop()
        for job in self.worker.running():
            job.cancel()
        self.worker.wait(10_000)
        self.settings.set_window("geometry", self.saveGeometry())
        self.settings.set_window("lesson_splitter", self.lesson_view.splitter.saveState())
        self.settings.sync()
        super().closeEvent(event)


def _package_paths(urls: Sequence[QUrl]) -> list[Path]:
    return [
        Path(url.toLocalFile())
        for url in urls
        if url.isLocalFile() and url.toLocalFile().lower().endswith(SUFFIX)
    ]
