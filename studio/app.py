"""Starting the Lectern Studio window."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from shared.errors import LecternError
from shared.ui import theme
from shared.ui.dialogs import show_unexpected_errors
from shared.ui.display import require_display
from studio.course import Course, list_courses
from studio.settings import Settings, output_folder
from studio.ui.main_window import TITLE, MainWindow

__all__ = ["run_window", "course_to_open"]


def course_to_open(settings: Settings) -> Path | None:
    """The course last opened if it is still there, else the newest in the output folder.

    ``None`` on a first start (no course anywhere): the window then welcomes the
    teacher and makes a course only when asked, never a silent "My course".
    """
    last = settings.preference("last_course")
    if last and (Path(last) / "course.json").is_file():
        return Path(last)
    usable = [summary for summary in list_courses(output_folder(settings)) if not summary.error]
    return usable[0].folder if usable else None


def run_window(project_dir: Path | None) -> int:
    """Open the course folder ``project_dir`` in the Studio window and run until it closes.

    Args:
        project_dir: the course folder (created with a new ``course.json`` when it has
            none); :func:`course_to_open` when ``None`` (the welcome page if that is
            ``None`` too).

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
    show_unexpected_errors(TITLE)
    settings = Settings()
    folder = project_dir or course_to_open(settings)
    try:
        course = Course.open(folder) if folder is not None else None
    except LecternError as error:
        print(f"lectern-studio: {error}", file=sys.stderr)
        return 1
    window = MainWindow(course, settings)
    window.show()
    QTimer.singleShot(0, window.offer_recovery)
    return app.exec()
