"""Package and user text that is HTML shows literally in every view of the Player.

A sound package on the real sample lecture, whose course title, author, description,
lesson title, chapter titles, transcript, captions and slide text all hold HTML (33 nested tables,
a banner, an image tag), is imported and every view is opened. Before these views
used plain text, the nested tables hung the window at start-up.
"""

from __future__ import annotations

import pytest

from PySide6.QtCore import Qt
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import QLabel, QMessageBox

from shared import media
from shared.library import Library
from tests.player.conftest import SAMPLE
from tests.shared.bad_packages import hostile_text, make_hostile_text_package

KINDS = ["tables", "html", "html-banner"]


def _shown(tip: str) -> str:
    """What a tooltip (which Qt renders as HTML when it looks like HTML) displays."""
    document = QTextDocument()
    document.setHtml(tip)
    return document.toPlainText()


def _plain_labels(widget, text: str) -> list[QLabel]:
    found = [label for label in widget.findChildren(QLabel) if label.text() == text]
    assert found, f"no label shows {text[:60]!r}"
    for label in found:
        assert label.textFormat() == Qt.TextFormat.PlainText, text[:60]
    return found


@pytest.fixture(scope="module")
def duration() -> float:
    return media.probe(SAMPLE).duration


@pytest.mark.parametrize("kind", KINDS)
def test_every_view_shows_hostile_text_literally(qtbot, open_window, tmp_path, kind, duration):
    package = make_hostile_text_package(tmp_path / "src", kind, video=SAMPLE, duration=duration)
    text = {
        field: hostile_text(kind, field)[:500]
        for field in (
            "course title", "author", "lesson title", "chapter 1", "segment 2",
            "slide 2", "slide line 2",
        )
    }  # fmt: skip
    root = tmp_path / "library"
    with Library.open(root) as library:
        course_id = library.import_course(package).course_id
        lesson_id = library.lessons(course_id)[0].id
        description = library.course(course_id).description
        library.add_note(course_id, lesson_id, 2.0, hostile_text(kind, "note"))
        library.save_position(course_id, lesson_id, 20.0)
    window = open_window(root)

    # The library: a "continue" card and the course card.
    view = window.library_view
    _plain_labels(view, text["course title"])
    _plain_labels(view, text["lesson title"])
    tips = [label.toolTip() for label in view.findChildren(QLabel) if label.toolTip()]
    assert text["course title"] in [_shown(tip) for tip in tips]

    # The course page.
    view.show_course(course_id)
    page = view.course_page
    _plain_labels(page, text["course title"])
    _plain_labels(page, description)
    assert page.meta.textFormat() == Qt.TextFormat.PlainText
    assert page.meta.text().startswith(text["author"])
    assert text["lesson title"] in page.lessons.item(0).text()

    # The lesson: header, lesson list, chapters, transcript, notes.
    assert window.open_lesson(course_id, lesson_id, 0.0)
    lesson = window.lesson_view
    assert lesson.course_label.text() == text["course title"]
    assert lesson.title_label.text() == text["lesson title"]
    for label in (lesson.course_label, lesson.title_label):
        assert label.textFormat() == Qt.TextFormat.PlainText
    assert text["lesson title"] in lesson.lesson_box.itemText(0)
    first = lesson.chapters.item(0)
    assert first.text().startswith(text["chapter 1"])
    assert _shown(first.toolTip()).endswith(text["chapter 1"])
    # The seek bar's tooltip names the chapter literally (a note marked near it may follow).
    assert text["chapter 1"] in lesson.seek_bar.hover_text(lesson.seek_bar.x_for(1.0))
    assert text["segment 2"] in lesson.transcript.toPlainText()
    notes = lesson.notes.tree
    qtbot.waitUntil(lambda: notes.topLevelItemCount() == 1)
    assert notes.topLevelItem(0).text(1) == hostile_text(kind, "note")

    # The slide text: the Slides tab and "on slide" finds show it as the characters it is.
    slides = lesson.slide_panel
    lesson.seek(duration / 2 + 2.0)  # the second slide, its second line revealed
    qtbot.waitUntil(lambda: text["slide line 2"] in slides.shown_lines(), timeout=20_000)
    assert text["slide 2"] in slides.shown_lines()
    assert slides.heading.textFormat() == Qt.TextFormat.PlainText
    lesson.find_box.setText(text["slide line 2"].split()[-1])  # (cut short for "tables")
    found = lesson.found()
    row = next(i for i, hit in enumerate(found) if hit.kind == "on slide" and hit.time > 60)
    assert text["slide line 2"] in found[row].text
    assert text["slide line 2"] in lesson.find_results.item(row).text()
    lesson.find_box.clear()

    # Search results are HTML made from escaped text: they show the title literally.
    window.search_box.setText("table" if kind == "tables" else "title")  # "[course title]"
    window.search_panel.run()
    results = window.search_panel.results
    qtbot.waitUntil(lambda: results.count() > 0)
    shown = [_shown(results.itemWidget(results.item(i)).text()) for i in range(results.count())]
    assert any(text["course title"] in line for line in shown)

    # Dialogs: asking before removing, and an error quoting the title.
    window.confirm_remove(course_id)
    box = window.message_box
    assert isinstance(box, QMessageBox) and box.textFormat() == Qt.TextFormat.PlainText
    assert text["course title"] in box.text()
    box.reject()
    window.show_error(f"Cannot open “{text['course title']}”.")
    assert window.message_box.textFormat() == Qt.TextFormat.PlainText
    window.message_box.reject()
