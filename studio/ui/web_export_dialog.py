"""Export for LMS / web: the course as a web page, a SCORM package or a cmi5 package.

The dialog picks the format and where the export goes, then runs
:func:`studio.export.export_course` through the window's :class:`Worker` (off the GUI
thread) with a progress bar and Cancel. An error shows as the error's own sentence
in the dialog; a finished export offers to open the folder that holds it.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from shared.ui.plain import plain
from shared.ui.worker import Job, Worker
from studio.export import CMI5, HTML5, SCORM12, SCORM2004, ExportResult, export_course

__all__ = ["WebExportDialog", "CHOICES"]

#: What the dialog offers: (key, format, as a folder, label, what it is for).
CHOICES = (
    (
        "web-folder",
        HTML5,
        True,
        "&Web page (a folder)",
        "Opens in any browser, from a USB stick or a web folder; no LMS needed.",
    ),
    ("web-zip", HTML5, False, "Web page (&zip)", "The same web page, as one zip file."),
    (
        "scorm12",
        SCORM12,
        False,
        "&SCORM 1.2",
        "Moodle, Canvas, Cornerstone, SuccessFactors, most LMSs; a SCO per lesson.",
    ),
    (
        "scorm2004",
        SCORM2004,
        False,
        "SCORM &2004 (4th edition)",
        "For an LMS that asks for SCORM 2004; a SCO per lesson.",
    ),
    ("cmi5", CMI5, False, "c&mi5", "For an LMS with an xAPI learning record store."),
)

_NAMES = {
    HTML5: "a web page",
    SCORM12: "a SCORM 1.2 package",
    SCORM2004: "a SCORM 2004 package",
    CMI5: "a cmi5 package",
}


class WebExportDialog(QDialog):
    """Choose a format and a destination, export with progress, then open the folder.

    Signals:
        job_started(Job): the export is running (the window holds other jobs meanwhile).
    """

    job_started = Signal(object)

    def __init__(self, course_folder: Path, worker: Worker, parent: QWidget | None = None):
        super().__init__(parent)
        self.course_folder = Path(course_folder)
        self.worker = worker
        self.job: Job | None = None
        self.result_path: Path | None = None
        self.error: str | None = None
        self._force = False
        self.setWindowTitle("Export for LMS / web")
        self.setAccessibleName("Export for LMS / web")

        formats = QGroupBox("Format")
        column = QVBoxLayout(formats)
        self.format_group = QButtonGroup(self)
        self.format_buttons: dict[str, QRadioButton] = {}
        for index, (key, _fmt, _folder, label, note) in enumerate(CHOICES):
            button = QRadioButton(label)
            button.setAccessibleName(label.replace("&", ""))
            button.setToolTip(note)
            self.format_group.addButton(button, index)
            self.format_buttons[key] = button
            hint = plain(QLabel(note))
            hint.setProperty("muted", True)  # one line each: the dialog grows to fit
            hint.setContentsMargins(22, 0, 0, 4)
            column.addWidget(button)
            column.addWidget(hint)
        self.format_buttons["scorm12"].setChecked(True)

        self.destination_box = QLineEdit()
        self.destination_box.setAccessibleName("Export to")
        self.destination_box.setMinimumWidth(420)
        self.choose_button = QPushButton("Choose…")
        self.choose_button.setAccessibleName("Choose where the export goes")
        self.choose_button.setAutoDefault(False)  # Enter in the destination exports
        destination = QHBoxLayout()
        destination.addWidget(self.destination_box, 1)
        destination.addWidget(self.choose_button)
        where = QLabel("&Export to:")
        where.setBuddy(self.destination_box)

        self.progress_bar = QProgressBar()
        self.progress_bar.setRange(0, 1000)
        self.progress_bar.setAccessibleName("Export progress")
        self.status_label = plain(QLabel(""))
        self.status_label.setWordWrap(True)
        self.status_label.setAccessibleName("Export status")
        self.status_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        buttons = QDialogButtonBox()
        self.export_button = buttons.addButton("Export", QDialogButtonBox.ButtonRole.AcceptRole)
        self.export_button.setObjectName("primary")
        self.export_button.setDefault(True)
        self.open_folder_button = buttons.addButton(
            "Open folder", QDialogButtonBox.ButtonRole.ActionRole
        )
        self.open_folder_button.setAccessibleName("Open the folder that holds the export")
        self.open_folder_button.setAutoDefault(False)
        self.open_folder_button.hide()
        self.cancel_button = buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.cancel_button.setAccessibleName("Cancel the export")
        self.cancel_button.setAutoDefault(False)

        layout = QVBoxLayout(self)
        layout.addWidget(formats)
        layout.addWidget(where)
        layout.addLayout(destination)
        layout.addWidget(self.progress_bar)
        layout.addWidget(self.status_label)
        layout.addWidget(buttons)

        self._last_default = ""
        self._suggest()
        self.format_group.idToggled.connect(lambda _id, on: on and self._suggest())
        self.choose_button.clicked.connect(self.choose_destination)
        self.destination_box.textEdited.connect(lambda _text: self._reset())
        self.export_button.clicked.connect(self.start)
        self.cancel_button.clicked.connect(self.cancel)
        self.open_folder_button.clicked.connect(self.open_folder)

    # ----------------------------------------------------------------- choices

    def choice(self) -> tuple[str, str, bool]:
        """The chosen ``(key, format, as a folder)``."""
        key, fmt, folder, _label, _note = CHOICES[self.format_group.checkedId()]
        return key, fmt, folder

    def select(self, key: str) -> None:
        """Choose the format ``key`` of :data:`CHOICES`."""
        self.format_buttons[key].setChecked(True)

    def default_destination(self) -> Path:
        """Beside the course folder, named after it and the format."""
        key, _fmt, folder = self.choice()
        name = f"{self.course_folder.name} ({key.replace('-folder', '').replace('-zip', '')})"
        return self.course_folder.parent / (name if folder else f"{name}.zip")

    def _suggest(self) -> None:
        # Follow the format while the destination is still a suggestion of ours.
        current = self.destination_box.text()
        if not current or current == self._last_default:
            self._last_default = str(self.default_destination())
            self.destination_box.setText(self._last_default)
        self._reset()

    def destination(self) -> Path:
        """The destination typed, with ``.zip`` added for a format that is a zip file."""
        text = self.destination_box.text().strip()
        path = Path(text).expanduser() if text else self.default_destination()
        if not path.is_absolute():
            path = self.course_folder.parent / path
        _key, _fmt, folder = self.choice()
        if not folder and path.suffix.lower() != ".zip":
            path = path.with_name(path.name + ".zip")
        return path

    def choose_destination(self) -> None:
        _key, _fmt, folder = self.choice()
        start = str(self.destination())
        if folder:
            path = QFileDialog.getSaveFileName(self, "Export the web page to a new folder", start)[
                0
            ]
        else:
            path = QFileDialog.getSaveFileName(
                self, "Export to a zip file", start, "Zip files (*.zip)"
            )[0]
        if path:
            self.destination_box.setText(path)
            self._reset()

    # --------------------------------------------------------------- the job

    def _reset(self) -> None:
        """A new choice: forget the last outcome and the permission to replace."""
        if self.job is not None:
            return
        self._force = False
        self.error = None
        self.status_label.setText("")
        self.open_folder_button.hide()

    def _set_running(self, running: bool) -> None:
        for widget in (self.export_button, self.choose_button, self.destination_box):
            widget.setEnabled(not running)
        for button in self.format_buttons.values():
            button.setEnabled(not running)
        self.cancel_button.setText("Cancel" if running else "Close")

    def _say(self, text: str, error: bool = False) -> None:
        self.status_label.setProperty("error", error)  # the theme's QLabel[error="true"]
        self.status_label.style().unpolish(self.status_label)
        self.status_label.style().polish(self.status_label)
        self.status_label.setText(text)

    def start(self) -> None:
        """Export to the destination, asking first before replacing what is there."""
        if self.job is not None:
            return
        output = self.destination()
        _key, fmt, _folder = self.choice()
        if output.exists() and not self._force:
            answer = QMessageBox.question(
                self,
                "Replace?",
                f"{output} already exists. Replace it with this export?",
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                QMessageBox.StandardButton.No,
            )
            if answer != QMessageBox.StandardButton.Yes:
                return
            self._force = True
        self.error = None
        self.result_path = None
        self.open_folder_button.hide()
        self.progress_bar.setValue(0)
        self._say(f"Exporting to {output.name}…")
        force = self._force
        job = self.worker.submit(
            "exporting for LMS / web",
            lambda inputs, state: export_course(*inputs, state=state, force=force),
            (self.course_folder, output, fmt),
        )
        self.job = job
        self._set_running(True)
        job.progress.connect(lambda f: self.progress_bar.setValue(round(f * 1000)))
        job.status.connect(lambda text: self._say(text))
        job.succeeded.connect(self._exported)
        job.failed.connect(self._failed)
        job.cancelled.connect(lambda: self._say("Cancelled; nothing was written."))
        job.done.connect(self._done)
        self.job_started.emit(job)

    def _exported(self, result: ExportResult) -> None:
        self.result_path = result.output
        self.progress_bar.setValue(1000)
        self._say(
            f"Exported “{result.title}” ({len(result.lessons)} lesson(s)) as "
            f"{_NAMES[result.format]} to {result.output}."
        )
        self.open_folder_button.show()
        self.open_folder_button.setFocus()

    def _failed(self, message: str) -> None:
        self.error = message
        self._say(message, error=True)

    def _done(self) -> None:
        self.job = None
        self._force = False
        self._set_running(False)

    def cancel(self) -> None:
        """Stop a running export (it leaves nothing behind), or close the dialog."""
        if self.job is not None:
            self._say("Cancelling…")
            self.job.cancel()
        else:
            self.reject()

    def reject(self) -> None:
        if self.job is not None:  # Esc while exporting cancels first
            self.cancel()
            return
        super().reject()

    def folder_to_open(self) -> Path | None:
        """The folder that holds the export: the web page's own folder, or the zip's."""
        if self.result_path is None:
            return None
        return self.result_path if self.result_path.is_dir() else self.result_path.parent

    def open_folder(self) -> None:
        folder = self.folder_to_open()
        if folder is not None and not QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder))):
            self._say(f"No file manager could be opened; the export is in {folder}.", error=True)
