"""Dialogs both apps show the same way, and the last resort for unexpected errors."""

from __future__ import annotations

import logging
import sys
from types import TracebackType

from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from shared.logs import unexpected_error_message
from shared.ui.plain import plain

__all__ = ["error_box", "show_unexpected_errors"]

log = logging.getLogger(__name__)


def error_box(parent: QWidget | None, title: str, message: str) -> QMessageBox:
    """Open an error's own words in a warning box that does not block the window."""
    box = QMessageBox(
        QMessageBox.Icon.Warning, title, message, QMessageBox.StandardButton.Ok, parent
    )
    plain(box)  # error messages quote titles and file names
    box.setAccessibleName("Error")
    box.open()
    return box


def show_unexpected_errors(title: str) -> None:
    """Log any exception that escapes a Qt slot and show one sentence saying where the log is.

    Qt hands an exception raised in a slot or an event handler to ``sys.excepthook``
    and carries on; this hook writes its traceback to the log (:mod:`shared.logs`)
    and opens a warning box titled ``title`` on the active window.
    """
    shown: list[QMessageBox] = []

    def hook(kind: type[BaseException], error: BaseException, trace: TracebackType | None) -> None:
        if issubclass(kind, KeyboardInterrupt):
            sys.__excepthook__(kind, error, trace)
            return
        log.error("unexpected error in the window", exc_info=(kind, error, trace))
        try:
            parent = QApplication.activeWindow() or next(
                (w for w in QApplication.topLevelWidgets() if w.isVisible()), None
            )
            box = error_box(parent, title, unexpected_error_message(error))
            shown.append(box)  # a box with no parent needs a reference to stay open
            box.finished.connect(lambda _result: shown.remove(box))
        except Exception:  # the box itself failed: the log still has the first error
            log.exception("could not show the error box")

    sys.excepthook = hook
