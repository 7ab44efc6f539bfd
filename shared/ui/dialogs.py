"""Dialogs both apps show the same way."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QWidget

__all__ = ["error_box"]


def error_box(parent: QWidget, title: str, message: str) -> QMessageBox:
    """Open an error's own words in a warning box that does not block the window."""
    box = QMessageBox(
        QMessageBox.Icon.Warning, title, message, QMessageBox.StandardButton.Ok, parent
    )
    box.setAccessibleName("Error")
    box.open()
    return box
