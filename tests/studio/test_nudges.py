"""Nudges: long lessons and chapters, suggested questions, and splitting a lesson in one step.

The split runs on a real lesson built by the pipeline (a generated 24-second video with
chapters at 8 s and 16 s) inside a real course folder, then both halves are packaged.
"""

from __future__ import annotations

import os

os.environ["QT_QPA_PLATFORM"] = "offscreen"  # before anything loads Qt

import shutil
import subprocess
from pathlib import Path

import pytest

from shared.chapters import Chapter
from shared.checkpoints import SHORT, Accepted, Checkpoint
from shared.jobs import JobState
from shared.manifest import is_lesson_uid
from shared.workspace import LessonWorkspace
from studio.course import Course, package_lessons
from studio.editing import edited_duration, load_edits
from studio.nudges import SplitError, checkpoint_suggestions, long_parts, split_lesson
from studio.pipeline import BuildOptions, build_lesson


def test_a_question_is_suggested_about_every_five_minutes_where_there_is_none():
    assert checkpoint_suggestions(200, []) == []  # a short lesson needs none
    assert checkpoint_suggestions(600, []) == [300]
    assert checkpoint_suggestions(750, []) == [250, 500]
    assert checkpoint_suggestions(750, [300]) == [525]
    assert checkpoint_suggestions(3600, [1200])[:3] == [300, 600, 900]


def test_lessons_and_chapters_longer_than_six_minutes_are_flagged():
    chapters = [Chapter(0, 100, "Short"), Chapter(100, 500, "Long one"), Chapter(500, 520, "End")]
    found = long_parts(520, chapters)
    assert [(p.what, p.index, p.title) for p in found] == [
        ("lesson", 0, ""),
        ("chapter", 2, "Long one"),
    ]
    assert found[1].length == 400
    assert long_parts(300, [Chapter(0, 300, "All")]) == []


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("split")
    video = folder / "talk.mp4"
    subprocess.run(
        [
            "ffmpeg",
            "-v",
            "error",
            "-f",
            "lavfi",
            "-i",
            "testsrc2=size=320x240:rate=25:duration=24",
            "-pix_fmt",
            "yuv420p",
            str(video),
        ],
        check=True,
    )
    manual = (Chapter(0, 8, "One"), Chapter(8, 16, "Two"), Chapter(16, 24, "Three"))
    options = BuildOptions(title="Leaves", manual_chapters=manual, chapters_mode="replace")
    build_lesson(video, folder / "lesson", options)
    return folder / "lesson"


def test_a_lesson_is_split_at_a_chapter_boundary_in_one_step(built, tmp_path):
    course = Course.open(tmp_path / "Course")
    folder = course.folder / "leaves"
    shutil.copytree(built, folder)
    course.add_lesson(folder)
    workspace = LessonWorkspace.open(folder)
    workspace.ensure_uid()
    early = Checkpoint("early", SHORT, "Early?", accepted=(Accepted(text="a"),), at=3.0)
    late = Checkpoint("late", SHORT, "Late?", accepted=(Accepted(text="b"),), after_chapter=3)
    workspace.save_checkpoints([early, late])
    with pytest.raises(SplitError, match="no chapter 9"):
        split_lesson(course, folder, 9)
    new = split_lesson(course, folder, 3)
    assert [p.name for p in course.lesson_folders()] == ["leaves", new.name]
    first, second = LessonWorkspace.open(folder), LessonWorkspace.open(new)
    assert second.lesson.title == "Leaves (part 2)"
    assert is_lesson_uid(second.lesson.uid) and second.lesson.uid != first.lesson.uid
    assert load_edits(folder).out_point == 16.0 and load_edits(new).in_point == 16.0
    assert edited_duration(folder) == pytest.approx(16.0) and edited_duration(new) == 8.0
    assert [q.id for q in first.checkpoints()] == ["early"]
    assert [q.id for q in second.checkpoints()] == ["late"]
    manifest = package_lessons(
        [folder, new],
        tmp_path / "course.lectern",
        lambda loaded: course.info(loaded),
        state=JobState(),
    )
    assert [round(lesson.duration) for lesson in manifest.lessons] == [16, 8]
    assert [bool(lesson.checkpoints) for lesson in manifest.lessons] == [True, True]


def test_the_window_splits_a_lesson_and_undo_joins_it_again(qapp, qtbot, built, tmp_path):
    from studio.settings import Settings
    from studio.ui.main_window import MainWindow

    course = Course.open(tmp_path / "Course")
    folder = course.folder / "leaves"
    shutil.copytree(built, folder)
    course.add_lesson(folder)
    settings = Settings.in_file(tmp_path / "s.ini")
    settings.set_preference("output_folder", str(tmp_path))
    window = MainWindow(Course.open(course.folder), settings)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    qtbot.waitUntil(lambda: window.review.session is not None, timeout=20_000)
    assert "split" not in window.review.checkpoints.hint.text()  # 24 s is not long
    new = window.split_lesson(folder, 2)
    assert new is not None and window.lesson_list.count() == 2
    assert window.current_folder() == new
    assert load_edits(new).in_point == 8.0
    window.undo_action.trigger()  # Edit > Undo (offscreen Qt resolves no shortcut keys)
    qtbot.waitUntil(lambda: window.lesson_list.count() == 1, timeout=10_000)
    assert load_edits(folder).out_point is None and not new.exists()
    window.close()


def test_the_checkpoints_tab_flags_a_long_lesson_and_its_long_chapters(qtbot):
    from shared.transcription import Transcript
    from studio.editing import EditState
    from studio.ui.checkpoints_tab import CheckpointsTab

    tab = CheckpointsTab(lambda: 0.0)
    qtbot.addWidget(tab)
    chapters = (Chapter(0, 50, "Opening"), Chapter(50, 800, "Everything else"))
    tab.show_state(EditState(Transcript.empty(800), chapters, 800.0))
    text = tab.hint.text()
    assert "This lesson is 13:20 long" in text and "Split the lesson here" in text
    assert "Chapters longer than 6 minutes: 2 (12:30)" in text
    assert "consider one near 4:27, 8:53" in text
    tab.show_state(EditState(Transcript.empty(200), (Chapter(0, 200, "All"),), 200.0))
    assert "long" not in tab.hint.text() and "No questions yet" in tab.hint.text()


@pytest.fixture(scope="module")
def long_lesson(tmp_path_factory) -> Path:
    """A real 6 min 40 s lesson (a tiny, slow test picture: a few seconds to build)."""
    folder = tmp_path_factory.mktemp("long")
    video = folder / "long.mp4"
    subprocess.run(
        ["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "testsrc2=size=160x120:rate=2:duration=400"]
        + ["-pix_fmt", "yuv420p", str(video)],
        check=True,
    )
    build_lesson(video, folder / "lesson", BuildOptions(title="Everything at once"))
    return folder / "lesson"


def test_the_lesson_list_flags_lessons_longer_than_six_minutes(
    qapp, qtbot, built, long_lesson, tmp_path
):
    from studio.editing import SetOutPoint
    from studio.settings import Settings
    from studio.ui.main_window import MainWindow

    course = Course.open(tmp_path / "Course")
    for name, lesson in (("long", long_lesson), ("leaves", built)):
        shutil.copytree(lesson, course.folder / name)
        course.add_lesson(course.folder / name)
    settings = Settings.in_file(tmp_path / "s.ini")
    settings.set_preference("output_folder", str(tmp_path))
    window = MainWindow(Course.open(course.folder), settings)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    rows = [window.lesson_list.item(row) for row in range(window.lesson_list.count())]
    assert rows[0].text() == "Everything at once\n6:40 · Ready · over 6 min"
    assert "6:40 long" in rows[0].toolTip() and "Split the lesson here" in rows[0].toolTip()
    assert rows[1].text() == "Leaves\n0:24 · Ready" and rows[1].toolTip() == ""
    window.lesson_list.setCurrentRow(0)
    qtbot.waitUntil(
        lambda: (
            window.review.session is not None
            and window.review.session.folder == course.folder / "long"
        ),
        timeout=20_000,
    )
    assert window.review.apply(SetOutPoint(300.0))  # trimmed to 5 minutes: no longer long
    item = window.lesson_list.currentItem()
    assert item.text() == "Everything at once\n5:00 · Edited" and item.toolTip() == ""
    window.close()
