"""The Lectern Player window and its pages."""

from player.ui.lesson_view import LessonView, WatchedSpans
from player.ui.library_view import LibraryView
from player.ui.main_window import TITLE, MainWindow
from player.ui.notes_panel import NotesPanel
from player.ui.search_panel import SearchPanel

__all__ = [
    "MainWindow",
    "TITLE",
    "LibraryView",
    "LessonView",
    "NotesPanel",
    "SearchPanel",
    "WatchedSpans",
]
