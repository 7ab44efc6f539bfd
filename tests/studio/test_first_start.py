"""A first start that guides: no silent course, a welcome page, Help, readable titles."""

from __future__ import annotations

import os

os.environ["QT_QPA_PLATFORM"] = "offscreen"  # before anything loads Qt

import pytest

from PySide6.QtCore import Qt

from studio.app import course_to_open
from studio.course import new_course
from studio.pipeline import title_from_file_name
from studio.settings import Settings
from studio.ui.main_window import MainWindow


@pytest.mark.parametrize(
    ("stem", "title"),
    [
        ("Lecture 2 - Resonance and Doppler", "Lecture 2 - Resonance and Doppler"),
        ("lecture_02_intro", "Lecture 02 intro"),
        ("lecture-02-intro", "Lecture 02 intro"),
        ("Week 3.  Waves  ", "Week 3. Waves"),
        ("iPhone recording", "iPhone recording"),
        ("---", "Lesson"),
    ],
)
def test_titles_from_file_names_read_as_a_person_writes_them(stem, title):
    assert title_from_file_name(stem) == title


@pytest.fixture
def settings(tmp_path) -> Settings:
    settings = Settings.in_file(tmp_path / "studio.ini")
    settings.set_preference("output_folder", str(tmp_path / "courses"))
    return settings


def test_a_first_start_makes_no_course(settings, tmp_path):
    assert course_to_open(settings) is None
    assert not (tmp_path / "courses" / "My course").exists()
    made = new_course(tmp_path / "courses", "Physics")
    assert course_to_open(settings) == made.folder  # the newest course, when there is one


def test_the_welcome_page_offers_a_new_course_and_the_three_ways_in(qapp, qtbot, settings):
    window = MainWindow(None, settings)
    window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, False)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    assert window.welcome.isVisible() and not window.lesson_list.isVisible()
    buttons = [
        window.welcome_new_button,
        window.welcome_record_button,
        window.welcome_import_button,
        window.welcome_open_button,
    ]
    assert all(button.isVisible() for button in buttons)
    assert not window.export_action.isEnabled()
    assert window.new_course("Acoustics")
    assert not window.welcome.isVisible() and window.lesson_list.isVisible()
    assert window.empty_lessons.isVisible()  # a course with no lessons says what to do
    assert window.export_action.isEnabled()
    assert [window.course_box.itemText(i) for i in range(window.course_box.count())] == [
        "Acoustics (0 lessons)"
    ]
    window.close()
    assert settings.preference("last_course") == str(window.course.folder)


def test_help_has_the_keyboard_shortcuts_and_an_about_box(qapp, qtbot, settings):
    window = MainWindow(None, settings)
    qtbot.addWidget(window)
    menus = {action.text().replace("&", ""): action.menu() for action in window.menuBar().actions()}
    assert "Help" in menus
    window.shortcuts_action.trigger()
    assert "Ctrl+K" in window.message_box.text() and "Space" in window.message_box.text()
    window.message_box.close()
    window.about_action.trigger()
    assert "Lectern Studio" in window.message_box.text()
    window.message_box.close()
    window.close()
