"""The library page: lessons to continue, then the learner's courses, then a course's lessons."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QKeyEvent,
    QLinearGradient,
    QMouseEvent,
    QPainter,
    QPixmap,
    QResizeEvent,
)
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from shared.library import ContinueItem, InstalledCourse, LessonInfo, Library
from shared.timecode import clock
from shared.ui.plain import plain, plain_tip

__all__ = ["LibraryView", "cover_pixmap"]

CARD_WIDTH = 280
_ORPHAN_ROLE = Qt.ItemDataRole.UserRole + 1
COVER = QSize(CARD_WIDTH - 2, 150)


def cover_pixmap(path: Path | None, title: str, size: QSize = COVER) -> QPixmap:
    """The course cover scaled to fill ``size``, or a gradient with the title's initials."""
    if path is not None:
        pixmap = QPixmap(str(path))
        if not pixmap.isNull():
            scaled = pixmap.scaled(
                size,
                Qt.AspectRatioMode.KeepAspectRatioByExpanding,
                Qt.TransformationMode.SmoothTransformation,
            )
            x = (scaled.width() - size.width()) // 2
            y = (scaled.height() - size.height()) // 2
            return scaled.copy(x, y, size.width(), size.height())
    pixmap = QPixmap(size)
    painter = QPainter(pixmap)
    gradient = QLinearGradient(0, 0, size.width(), size.height())
    hue = sum(map(ord, title)) % 360
    gradient.setColorAt(0, QColor.fromHsv(hue, 120, 200))
    gradient.setColorAt(1, QColor.fromHsv((hue + 40) % 360, 160, 130))
    painter.fillRect(pixmap.rect(), gradient)
    initials = "".join(word[0] for word in title.split()[:2] if word[:1].isalnum()).upper() or "?"
    font = QFont()
    font.setPixelSize(size.height() // 3)
    font.setBold(True)
    painter.setFont(font)
    painter.setPen(QColor(255, 255, 255, 230))
    painter.drawText(QRectF(pixmap.rect()), Qt.AlignmentFlag.AlignCenter, initials)
    painter.end()
    return pixmap


def _duration(seconds: float) -> str:
    minutes = round(seconds / 60)
    if minutes < 1:
        return f"{round(seconds)} s"
    if minutes < 60:
        return f"{minutes} min"
    return f"{minutes // 60} h {minutes % 60:02d} min"


class _Card(QFrame):
    """A clickable, focusable card."""

    activated = Signal()

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("card")
        self.setAccessibleName(name)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setCursor(Qt.CursorShape.PointingHandCursor)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton and self.rect().contains(
            event.position().toPoint()
        ):
            self.activated.emit()
        super().mouseReleaseEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space):
            self.activated.emit()
            return
        super().keyPressEvent(event)


def _label(text: str, name: str = "", wrap: bool = False) -> QLabel:
    label = plain(QLabel(text))
    if name:
        label.setObjectName(name)
    label.setWordWrap(wrap)
    return label


class CourseCard(_Card):
    """Cover, title, author, lesson count and length, and a progress bar."""

    def __init__(self, course: InstalledCourse, parent: QWidget | None = None) -> None:
        super().__init__(f"Course {course.title}", parent)
        self.course = course
        self.setFixedWidth(CARD_WIDTH)
        cover = QLabel()
        cover.setPixmap(cover_pixmap(course.cover, course.title))
        cover.setFixedSize(COVER)
        title = _label(course.title, "subheading", wrap=True)
        author = _label(course.author or "Unknown author", "muted")
        lessons = "lesson" if course.lesson_count == 1 else "lessons"
        facts = _label(f"{course.lesson_count} {lessons} · {_duration(course.duration)}", "muted")
        progress = QProgressBar()
        progress.setRange(0, 1000)
        progress.setValue(round(course.coverage * 1000))
        progress.setAccessibleName(f"{round(course.coverage * 100)}% watched")
        done = _label(
            f"{round(course.coverage * 100)}% watched · {course.completed_lessons}/"
            f"{course.lesson_count} completed",
            "muted",
        )
        body = QVBoxLayout()
        body.setContentsMargins(14, 10, 14, 14)
        body.setSpacing(4)
        for widget in (title, author, facts):
            body.addWidget(widget)
        body.addSpacing(6)
        body.addWidget(progress)
        body.addWidget(done)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(1, 1, 1, 1)
        layout.setSpacing(0)
        layout.addWidget(cover)
        layout.addLayout(body)
        layout.addStretch(1)


class ContinueCard(_Card):
    """A lesson to resume: course, lesson, where it stopped."""

    def __init__(self, item: ContinueItem, cover: Path | None, parent: QWidget | None = None):
        super().__init__(f"Continue {item.lesson_title}", parent)
        self.item = item
        self.setFixedWidth(CARD_WIDTH + 80)
        thumb = QLabel()
        size = QSize(112, 63)
        thumb.setPixmap(cover_pixmap(cover, item.course_title, size))
        thumb.setFixedSize(size)
        course = _label(item.course_title, "muted")
        course.setToolTip(plain_tip(item.course_title))
        course.ensurePolished()  # the stylesheet's font decides where to elide
        course.setText(
            course.fontMetrics().elidedText(item.course_title, Qt.TextElideMode.ElideRight, 170)
        )
        lesson = _label(item.lesson_title, "subheading", wrap=True)
        lesson.setStyleSheet("margin-top: 0;")
        where = _label(f"{clock(item.position)} of {clock(item.duration)}", "muted")
        progress = QProgressBar()
        progress.setRange(0, 1000)
        progress.setValue(round(item.position / item.duration * 1000) if item.duration else 0)
        text = QVBoxLayout()
        text.setSpacing(2)
        text.addWidget(course)
        text.addWidget(lesson)
        text.addWidget(where)
        text.addWidget(progress)
        play = QLabel()
        play.setPixmap(self.style().standardIcon(QStyle.StandardPixmap.SP_MediaPlay).pixmap(24))
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 12)
        layout.setSpacing(12)
        layout.addWidget(thumb, 0, Qt.AlignmentFlag.AlignTop)
        layout.addLayout(text, 1)
        layout.addWidget(play, 0, Qt.AlignmentFlag.AlignVCenter)


class CoursePage(QWidget):
    """One course: its description and lessons; choosing a lesson opens it."""

    lessonChosen = Signal(str, str)
    back = Signal()
    removeRequested = Signal(str)

    def __init__(self, library: Library, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.library = library
        self.course: InstalledCourse | None = None
        style = self.style()
        self.back_button = QPushButton(
            style.standardIcon(QStyle.StandardPixmap.SP_ArrowBack), "All courses"
        )
        self.back_button.setAccessibleName("Back to all courses")
        self.remove_button = QPushButton(
            style.standardIcon(QStyle.StandardPixmap.SP_TrashIcon), "Remove course…"
        )
        self.remove_button.setAccessibleName("Remove this course from the library")
        self.cover = QLabel()
        self.title = _label("", "heading", wrap=True)
        self.meta = _label("", "muted", wrap=True)
        # Package text: always shown as typed, never as rich text.
        self.signer = _label("", "muted", wrap=True)
        self.signer.setTextFormat(Qt.TextFormat.PlainText)
        self.signer.setAccessibleName("Who signed this course")
        self.description = _label("", wrap=True)
        self.orphan_box: QMessageBox | None = None
        self.lessons = QListWidget()
        self.lessons.setAccessibleName("Lessons")
        self.lessons.setIconSize(QSize(24, 24))
        top = QHBoxLayout()
        top.addWidget(self.back_button)
        top.addStretch(1)
        top.addWidget(self.remove_button)
        info = QVBoxLayout()
        info.addWidget(self.title)
        info.addWidget(self.meta)
        info.addWidget(self.signer)
        info.addWidget(self.description)
        info.addStretch(1)
        head = QHBoxLayout()
        head.setSpacing(18)
        head.addWidget(self.cover, 0, Qt.AlignmentFlag.AlignTop)
        head.addLayout(info, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(28, 18, 28, 22)
        layout.setSpacing(14)
        layout.addLayout(top)
        layout.addLayout(head)
        layout.addWidget(_label("Lessons", "subheading"))
        layout.addWidget(self.lessons, 1)
        self.back_button.clicked.connect(self.back)
        self.remove_button.clicked.connect(
            lambda: self.course and self.removeRequested.emit(self.course.id)
        )
        self.lessons.itemActivated.connect(self._chosen)
        self.lessons.itemClicked.connect(self._chosen)

    def show_course(self, course: InstalledCourse) -> None:
        self.course = course
        self.cover.setPixmap(cover_pixmap(course.cover, course.title))
        self.title.setText(course.title)
        lessons = "lesson" if course.lesson_count == 1 else "lessons"
        self.meta.setText(
            f"{course.author or 'Unknown author'} · {course.lesson_count} {lessons} · "
            f"{_duration(course.duration)} · {round(course.coverage * 100)}% watched"
        )
        signed = course.signed_by
        self.signer.setText(
            signed[:1].upper() + signed[1:]
            if course.signer_key is not None
            else "Unsigned: nobody vouches for where this course comes from"
        )
        self.description.setText(course.description)
        self.description.setVisible(bool(course.description))
        self.lessons.clear()
        style = self.style()
        for lesson in self.library.lessons(course.id):
            self.lessons.addItem(self._item(lesson, style))
        for lesson in self.library.orphans(course.id):
            self.lessons.addItem(self._orphan_item(lesson, style))

    def _orphan_item(self, lesson: LessonInfo, style: QStyle) -> QListWidgetItem:
        count = len(self.library.notes(lesson.course_id, lesson.id))
        item = QListWidgetItem(
            f"{lesson.title}\nNo longer in the course · your {count} note(s) and progress are kept"
        )
        item.setIcon(style.standardIcon(QStyle.StandardPixmap.SP_FileDialogContentsView))
        item.setToolTip("Open to read your notes on this lesson")
        item.setData(Qt.ItemDataRole.UserRole, lesson.id)
        item.setData(_ORPHAN_ROLE, True)
        return item

    def show_orphan_notes(self, lesson_id: str) -> QMessageBox | None:
        """Show the notes on a lesson the course no longer has (it cannot be played)."""
        if self.course is None:
            return None
        lesson = next((o for o in self.library.orphans(self.course.id) if o.id == lesson_id), None)
        if lesson is None:
            return None
        notes = self.library.notes(self.course.id, lesson_id)
        lines = [
            f"{clock(note.time)}  {'(bookmark) ' if note.kind == 'bookmark' else ''}"
            f"{note.text.strip()}"
            for note in notes
        ]
        box = QMessageBox(
            QMessageBox.Icon.Information,
            lesson.title,
            f"“{lesson.title}” is no longer in this course, so it cannot be played. "
            "Your notes on it are kept:\n\n" + ("\n".join(lines) or "No notes."),
            QMessageBox.StandardButton.Close,
            self,
        )
        box.setTextFormat(Qt.TextFormat.PlainText)  # the learner's and the package's text
        self.orphan_box = box
        box.open()
        return box

    @staticmethod
    def _item(lesson: LessonInfo, style: QStyle) -> QListWidgetItem:
        state = "completed" if lesson.completed else f"{round(lesson.coverage * 100)}% watched"
        item = QListWidgetItem(
            f"{lesson.position + 1}.  {lesson.title}\n{clock(lesson.duration)} · {state}"
        )
        icon = (
            QStyle.StandardPixmap.SP_DialogApplyButton
            if lesson.completed
            else QStyle.StandardPixmap.SP_MediaPlay
        )
        item.setIcon(style.standardIcon(icon))
        item.setData(Qt.ItemDataRole.UserRole, lesson.id)
        return item

    def _chosen(self, item: QListWidgetItem) -> None:
        if self.course is None:
            return
        lesson_id = str(item.data(Qt.ItemDataRole.UserRole))
        if item.data(_ORPHAN_ROLE):
            self.show_orphan_notes(lesson_id)
        else:
            self.lessonChosen.emit(self.course.id, lesson_id)


class LibraryView(QStackedWidget):
    """The library: "Continue where you left off", the course cards, and a course page.

    Signals:
        lessonChosen(str, str, float): course, lesson and a start time (-1: offer to resume).
        importRequested(): the learner wants to import a course.
        removeRequested(str): the learner wants to remove this course.
    """

    lessonChosen = Signal(str, str, float)
    importRequested = Signal()
    removeRequested = Signal(str)

    def __init__(self, library: Library, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.library = library
        self.courses: list[InstalledCourse] = []
        self._cards: list[CourseCard] = []

        self.overview = QWidget()
        self.overview.setObjectName("page")
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(self.overview)
        self.continue_heading = _label("Continue where you left off", "subheading")
        self.continue_row = QHBoxLayout()
        self.continue_row.setSpacing(14)
        self.courses_heading = _label("Your courses", "heading")
        self.import_button = QPushButton(
            self.style().standardIcon(QStyle.StandardPixmap.SP_DialogOpenButton), "Import course…"
        )
        self.import_button.setObjectName("primary")
        self.import_button.setAccessibleName("Import a course package")
        self.grid = QGridLayout()
        self.grid.setHorizontalSpacing(18)
        self.grid.setVerticalSpacing(18)
        self.grid.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.empty = _label(
            "Your library is empty. Import a course package (.lectern) with Ctrl+O, "
            "or drop one on this window.",
            "muted",
            wrap=True,
        )
        header = QHBoxLayout()
        header.addWidget(self.courses_heading)
        header.addStretch(1)
        header.addWidget(self.import_button)
        layout = QVBoxLayout(self.overview)
        layout.setContentsMargins(28, 22, 28, 22)
        layout.setSpacing(12)
        layout.addWidget(self.continue_heading)
        layout.addLayout(self.continue_row)
        layout.addSpacing(10)
        layout.addLayout(header)
        layout.addWidget(self.empty)
        layout.addLayout(self.grid)
        layout.addStretch(1)

        self.course_page = CoursePage(library)
        self.course_page.setObjectName("page")
        self.addWidget(scroll)
        self.addWidget(self.course_page)
        self.import_button.clicked.connect(self.importRequested)
        self.course_page.back.connect(self.show_overview)
        self.course_page.lessonChosen.connect(
            lambda c, lesson: self.lessonChosen.emit(c, lesson, -1.0)
        )
        self.course_page.removeRequested.connect(self.removeRequested)

    # ------------------------------------------------------------------ pages

    def show_overview(self) -> None:
        self.setCurrentIndex(0)

    def show_course(self, course_id: str) -> None:
        self.refresh()
        for course in self.courses:
            if course.id == course_id:
                self.course_page.show_course(course)
                self.setCurrentWidget(self.course_page)
                return
        self.show_overview()

    def current_course(self) -> str | None:
        """The course whose page is shown, if any."""
        if self.currentWidget() is self.course_page and self.course_page.course:
            return self.course_page.course.id
        return None

    # ---------------------------------------------------------------- content

    def refresh(self) -> None:
        """Read the courses and progress from the library again."""
        self.courses = self.library.courses()
        covers = {course.id: course.cover for course in self.courses}
        _clear(self.continue_row)
        items = self.library.continue_watching(limit=3)
        for item in items:
            card = ContinueCard(item, covers.get(item.course_id))
            card.activated.connect(
                lambda item=item: self.lessonChosen.emit(
                    item.course_id, item.lesson_id, item.position
                )
            )
            self.continue_row.addWidget(card)
        self.continue_row.addStretch(1)
        self.continue_heading.setVisible(bool(items))
        self.empty.setVisible(not self.courses)
        self._cards = []
        for course in self.courses:
            card = CourseCard(course)
            card.activated.connect(lambda course=course: self.show_course(course.id))
            self._cards.append(card)
        self._place_cards()
        if self.currentWidget() is self.course_page and self.course_page.course:
            fresh = [c for c in self.courses if c.id == self.course_page.course.id]
            if fresh:
                self.course_page.show_course(fresh[0])
            else:
                self.show_overview()

    def course_cards(self) -> list[CourseCard]:
        return list(self._cards)

    def _place_cards(self) -> None:
        while self.grid.count():
            item = self.grid.takeAt(0)
            if item.widget() is not None and item.widget() not in self._cards:
                item.widget().deleteLater()
        columns = max(1, (self.width() - 56 + 18) // (CARD_WIDTH + 18))
        for index, card in enumerate(self._cards):
            self.grid.addWidget(card, index // columns, index % columns)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._place_cards()


def _clear(layout: QHBoxLayout | QGridLayout) -> None:
    while layout.count():
        item = layout.takeAt(0)
        widget = item.widget()
        if widget is not None:
            widget.deleteLater()
