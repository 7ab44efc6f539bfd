"""The Lectern Studio window: a course folder, its lessons, review and export."""

from shared import ui as _shared_ui  # noqa: F401  (the PySide6 emit fix, before any signal)

__all__ = ["MainWindow", "TITLE"]

from studio.ui.main_window import TITLE, MainWindow  # noqa: E402
