"""Dialogs both apps show the same way."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QWidget

from shared.ui.plain import plain

__all__ = ["error_box"]


def error_box(parent: QWidget, title: str, message: str) -> QMessageBox:
    """Open an error's own words in a warning box that does not block the window."""
    box = QMessageBox(
        QMessageBox.Icon.Warning, title, message, QMessageBox.StandardButton.Ok, parent
    )
    plain(box)  # error messages quote titles and file names
    box.setAccessibleName("Error")
    box.open()
    return box
