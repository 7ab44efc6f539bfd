"""The course details form: title, author, description, language and cover image.

Every edit is applied to the :class:`~studio.course.Course` at once and announced
with ``changed``; saving ``course.json`` is the owner's job (the window saves a
moment after the last keystroke). The cover is the exception: choosing or removing
it copies or deletes the file and saves at once, as :meth:`Course.set_cover` does.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QPoint, QSize, Qt, Signal
from PySide6.QtGui import QIcon, QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QMenu,
    QPlainTextEdit,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from shared.errors import LecternError
from shared.ui import theme
from studio.course import LANGUAGES, Course, is_language_tag

__all__ = ["CourseDetailsForm", "COVER_SIZE", "IMAGE_FILTER"]

COVER_SIZE = QSize(192, 108)
IMAGE_FILTER = "Images (*.png *.jpg *.jpeg);;All files (*)"


class CourseDetailsForm(QWidget):
    """Edit one course's details; ``changed()`` after each edit, ``failed(message)`` on errors."""

    changed = Signal()
    failed = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.course: Course | None = None
        self.menu: QMenu | None = None
        self.title_box = QLineEdit()
        self.title_box.setAccessibleName("Course title")
        self.author_box = QLineEdit()
        self.author_box.setAccessibleName("Author")
        self.description_box = QPlainTextEdit()
        self.description_box.setAccessibleName("Description")
        self.description_box.setMaximumHeight(90)
        self.language_box = QComboBox()
        self.language_box.setAccessibleName("Language")
        self.language_box.setEditable(True)
        self.language_box.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        for code, name in LANGUAGES:
            self.language_box.addItem(f"{name} ({code})", code)
        self.language_box.setToolTip("Choose a language, or type a tag such as pt-BR.")

        self.cover_button = QToolButton()
        self.cover_button.setAccessibleName("Cover image")
        self.cover_button.setToolTip("Click to choose a cover image (PNG or JPEG)")
        self.cover_button.setIconSize(COVER_SIZE)
        self.cover_button.setFixedSize(COVER_SIZE + QSize(8, 8))
        self.cover_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)
        self.cover_button.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.cover_button.setStyleSheet(
            f"QToolButton {{ border: 1px dashed {theme.BORDER}; border-radius: 4px; }}"
        )
        self.remove_cover_button = QPushButton("Remove cover")
        self.remove_cover_button.setAccessibleName("Remove the cover image")
        cover = QVBoxLayout()
        cover.addWidget(self.cover_button)
        cover.addWidget(self.remove_cover_button, 0, Qt.AlignmentFlag.AlignLeft)
        cover_row = QHBoxLayout()
        cover_row.addLayout(cover)
        cover_row.addStretch(1)

        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow("Title", self.title_box)
        form.addRow("Author", self.author_box)
        form.addRow("Description", self.description_box)
        form.addRow("Language", self.language_box)
        form.addRow("Cover", cover_row)

        self.title_box.textEdited.connect(self._text_edited)
        self.author_box.textEdited.connect(self._text_edited)
        self.description_box.textChanged.connect(self._text_edited)
        self.language_box.activated.connect(self._language_edited)
        self.language_box.lineEdit().editingFinished.connect(self._language_edited)
        self.cover_button.clicked.connect(lambda: self.choose_cover())
        self.cover_button.customContextMenuRequested.connect(self._cover_menu)
        self.remove_cover_button.clicked.connect(self.remove_cover)
        self.set_course(None)

    # ------------------------------------------------------------------ showing

    def set_course(self, course: Course | None) -> None:
        """Show ``course`` (``None`` empties and disables the form); emits nothing."""
        self.course = course
        self.setEnabled(course is not None)
        for widget in (self.title_box, self.author_box, self.description_box, self.language_box):
            widget.blockSignals(True)
        self.language_box.lineEdit().blockSignals(True)
        self.title_box.setText(course.title if course else "")
        self.author_box.setText(course.author if course else "")
        self.description_box.setPlainText(course.description if course else "")
        self._show_language(course.language if course else "en")
        for widget in (self.title_box, self.author_box, self.description_box, self.language_box):
            widget.blockSignals(False)
        self.language_box.lineEdit().blockSignals(False)
        self._show_cover()

    def _show_language(self, code: str) -> None:
        index = self.language_box.findData(code)
        if index >= 0:
            self.language_box.setCurrentIndex(index)
        else:
            self.language_box.setCurrentIndex(-1)
            self.language_box.setEditText(code)

    def _show_cover(self) -> None:
        path = self.course.cover_path if self.course else None
        shown = self.course.shown_cover if self.course else None  # else the first slide
        pixmap = QPixmap(str(shown)) if shown else QPixmap()
        self.cover_button.setToolTip(
            "Click to choose a cover image (PNG or JPEG)"
            if path or not shown
            else "The first slide stands in as the cover; click to choose another (PNG or JPEG)"
        )
        if pixmap.isNull():
            self.cover_button.setIcon(QIcon())
            self.cover_button.setText("Choose a cover…")
            self.cover_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        else:
            scaled = pixmap.scaled(
                COVER_SIZE,
                Qt.AspectRatioMode.KeepAspectRatio,
                Qt.TransformationMode.SmoothTransformation,
            )
            self.cover_button.setIcon(QIcon(scaled))
            self.cover_button.setText("")
            self.cover_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)
        self.remove_cover_button.setEnabled(path is not None)

    def language(self) -> str | None:
        """The language shown, as a tag: chosen, typed as a tag or a name; ``None`` if neither."""
        text = self.language_box.currentText().strip()
        index = self.language_box.findText(text)
        if index >= 0:
            return self.language_box.itemData(index)
        for code, name in LANGUAGES:
            if text.lower() in (code, name.lower()):
                return code
        return text if is_language_tag(text) else None

    # ------------------------------------------------------------------ editing

    def _text_edited(self) -> None:
        if self.course is None:
            return
        self.course.title = self.title_box.text()
        self.course.author = self.author_box.text()
        self.course.description = self.description_box.toPlainText()
        self.changed.emit()

    def _language_edited(self) -> None:
        if self.course is None:
            return
        language = self.language()
        if language is None:  # not a language: show the course's own again
            self._show_language(self.course.language)
            return
        self._show_language(language)
        if language != self.course.language:
            self.course.language = language
            self.changed.emit()

    def choose_cover(self, path: Path | None = None) -> bool:
        """Make ``path`` (asked for with a file dialog when ``None``) the course cover."""
        if self.course is None:
            return False
        if path is None:
            name, _ = QFileDialog.getOpenFileName(
                self, "Choose a cover image", str(self.course.folder), IMAGE_FILTER
            )
            if not name:
                return False
            path = Path(name)
        try:
            self.course.set_cover(path)
        except LecternError as error:
            self.failed.emit(str(error))
            return False
        self._show_cover()
        self.changed.emit()
        return True

    def remove_cover(self) -> None:
        """Take the cover away (its copy in the course folder is deleted)."""
        if self.course is None or self.course.cover is None:
            return
        try:
            self.course.clear_cover()
        except LecternError as error:
            self.failed.emit(str(error))
            return
        self._show_cover()
        self.changed.emit()

    def _cover_menu(self, position: QPoint) -> None:
        menu = QMenu(self)
        menu.addAction("Choose a cover…", lambda: self.choose_cover())
        remove = menu.addAction("Remove cover", self.remove_cover)
        remove.setEnabled(self.course is not None and self.course.cover_path is not None)
        menu.popup(self.cover_button.mapToGlobal(position))
        self.menu = menu
