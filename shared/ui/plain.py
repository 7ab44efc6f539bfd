"""Package and user text in Qt widgets, always shown as the characters it holds.

Qt guesses whether a string is HTML (``Qt::mightBeRichText``) for labels left on
automatic text format, message boxes and tooltips. A course is made by someone
else: a title that is HTML would draw its own banners and links, load local
images, or hang the layout with nested tables. So every widget that shows such
text uses :func:`plain` (labels, message boxes) or :func:`plain_tip` (tooltips).
List, tree and combo box items, window titles and painted text are always plain.
"""

from __future__ import annotations

from typing import TypeVar

from PySide6.QtGui import Qt  # QtGui's Qt also has convertFromPlainText
from PySide6.QtWidgets import QLabel, QMessageBox

__all__ = ["plain", "plain_tip"]

_Shown = TypeVar("_Shown", QLabel, QMessageBox)


def plain(widget: _Shown) -> _Shown:
    """Make a label or message box show its text literally; returns it."""
    widget.setTextFormat(Qt.TextFormat.PlainText)
    return widget


def plain_tip(text: str) -> str:
    """Tooltip markup that shows ``text`` literally (tooltips have no text format)."""
    return Qt.convertFromPlainText(text) if text else ""
