"""Starting the Lectern Player window."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from player.settings import APPLICATION, ORGANIZATION, Settings
from player.ui.main_window import TITLE, MainWindow
from player.ui.single_instance import SingleInstance, hand_over, server_name
from shared.errors import LecternError
from shared.library import Library, default_library_root
from shared.ui import theme
from shared.ui.dialogs import show_unexpected_errors
from shared.ui.display import require_display

__all__ = ["run_window", "make_window"]


def _open_requested(window: MainWindow, path: str) -> None:
    """A later start of the Player on this library: come forward, import its file."""
    if window.isMinimized():
        window.showNormal()
    window.raise_()
    window.activateWindow()
    if path:
        window.import_files([Path(path)])


def make_window(library: Library, settings: Settings | None = None) -> MainWindow:
    """A Player window on ``library`` (the QApplication must exist)."""
    return MainWindow(library, settings if settings is not None else Settings())


def run_window(
    library_root: str | Path | None,
    open_file: str | Path | None = None,
    settings_file: str | Path | None = None,
) -> int:
    """Open the library in ``library_root`` in the Player window and run until it closes.

    Args:
        library_root: the library folder; the default per-user library when ``None``.
        open_file: a ``.lectern`` package to import as soon as the window shows.
        settings_file: keep preferences and window state in this INI file instead of
            the per-user Player settings.

    Returns:
        The exit status: 0 after a normal close, 1 if the library cannot be opened.
    """
    if QApplication.instance() is None:
        require_display("lectern-player")
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName(APPLICATION)
    app.setOrganizationName(ORGANIZATION)
    app.setApplicationDisplayName(TITLE)
    theme.apply(app)
    show_unexpected_errors(TITLE)
    name = server_name(Path(library_root) if library_root else default_library_root())
    if hand_over(name, Path(open_file) if open_file is not None else None):
        # One Player per library: the running one imports the file and comes forward.
        print("lectern-player: passed to the Lectern Player that is already open.")
        return 0
    try:
        library = Library.open(library_root)
    except LecternError as error:
        print(f"lectern-player: {error}", file=sys.stderr)
        return 1
    settings = Settings.in_file(str(settings_file)) if settings_file else Settings()
    try:
        window = make_window(library, settings)
        instance = SingleInstance(name, window)
        instance.openRequested.connect(lambda path: _open_requested(window, path))
        instance.listen()
        window.show()
        if open_file is not None:
            QTimer.singleShot(0, lambda: window.import_files([Path(open_file)]))
        return app.exec()
    finally:
        library.close()
