"""Starting the Lectern Studio window."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QStandardPaths, QTimer
from PySide6.QtWidgets import QApplication

from shared.errors import LecternError
from shared.ui import theme
from shared.ui.display import require_display
from studio.course import Course
from studio.ui.main_window import TITLE, MainWindow

__all__ = ["run_window", "default_course_folder"]


def default_course_folder() -> Path:
    """Where a course is kept when none is named: ``Documents/Lectern/My course``."""
    documents = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    return Path(documents or Path.home()) / "Lectern" / "My course"


def run_window(project_dir: Path | None) -> int:
    """Open the course folder ``project_dir`` in the Studio window and run until it closes.

    Args:
        project_dir: the course folder (created with a new ``course.json`` when it has
            none); :func:`default_course_folder` when ``None``.

    Returns:
        The exit status: 0 after a normal close, 1 if the course cannot be opened.
    """
    if QApplication.instance() is None:
        require_display("lectern-studio")
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("Lectern Studio")
    app.setOrganizationName("Lectern")
    app.setApplicationDisplayName(TITLE)
    theme.apply(app)
    try:
        course = Course.open(project_dir or default_course_folder())
    except LecternError as error:
        print(f"lectern-studio: {error}", file=sys.stderr)
        return 1
    window = MainWindow(course)
    window.show()
    QTimer.singleShot(0, window.offer_recovery)
    return app.exec()
