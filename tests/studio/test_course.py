"""The course folder: cover, lesson order, trash, the course list and lesson states;
and the course details form over it.

Real files in temporary folders: lessons are small workspaces around a two-second
video made with ffmpeg, covers are images drawn with Pillow.
"""

from __future__ import annotations

import os

os.environ["QT_QPA_PLATFORM"] = "offscreen"  # before anything loads Qt

import json
import subprocess
import zipfile
from pathlib import Path

import pytest
from PIL import Image

from PySide6.QtCore import Qt

from shared.chapters import chapters_from_changes
from shared.jobs import JobState
from shared.package import read_manifest, read_member, verify_package
from shared.workspace import VIDEO_NAME, Lesson, LessonWorkspace, NotAWorkspaceError, save_lesson
from studio.course import (
    COURSE_FILE,
    EDITED,
    READY,
    RECORDED,
    RECORDINGS_DIR,
    TRASH_DIR,
    Course,
    CourseFileError,
    CoverImageError,
    ExportRequest,
    LessonNotFoundError,
    export_course,
    first_chapter_picture,
    lesson_state,
    lesson_thumbnail,
    list_courses,
    new_course,
)
from studio.editing import EditSession, SetInPoint
from studio.ui.course_details import CourseDetailsForm


@pytest.fixture(scope="module")
def video(tmp_path_factory, ffmpeg_bin: str) -> Path:
    """A two-second 320x180 H.264 video."""
    path = tmp_path_factory.mktemp("media") / "video.mp4"
    subprocess.run(
        [ffmpeg_bin, "-v", "error", "-f", "lavfi", "-i", "testsrc=size=320x180:rate=10",
         "-t", "2", "-pix_fmt", "yuv420p", "-c:v", "libx264", str(path)],
        check=True,
    )  # fmt: skip
    return path


def make_lesson(folder: Path, video: Path, title: str, *, thumbnail: bool = False) -> Path:
    """A lesson workspace with just a video (and optionally a chapter picture)."""
    folder.mkdir(parents=True)
    (folder / "video.mp4").write_bytes(video.read_bytes())
    thumbs: tuple[str, ...] = ()
    if thumbnail:
        (folder / "thumbs").mkdir()
        Image.new("RGB", (32, 18), "red").save(folder / "thumbs" / "chapter-001.jpg")
        thumbs = ("thumbs/chapter-001.jpg",)
    save_lesson(
        folder,
        Lesson(id=folder.name, title=title, duration=2.0, video="video.mp4", thumbnails=thumbs),
    )
    return folder


def make_recording(folder: Path) -> Path:
    folder.mkdir(parents=True)
    (folder / "recording.json").write_text(
        json.dumps({"format": "lectern-recording", "version": 1, "state": "recording"}),
        encoding="utf-8",
    )
    return folder


@pytest.fixture
def course(tmp_path: Path) -> Course:
    return Course.open(tmp_path / "courses" / "earth")


@pytest.fixture
def png(tmp_path: Path) -> Path:
    path = tmp_path / "picture.png"
    Image.new("RGB", (64, 36), "blue").save(path)
    return path


# ------------------------------------------------------------------ cover


def test_set_cover_copies_the_image_and_remembers_it(course: Course, png: Path) -> None:
    cover = course.set_cover(png)
    assert cover == course.folder / "cover.png"
    assert cover.read_bytes() == png.read_bytes()
    assert json.loads((course.folder / COURSE_FILE).read_text())["cover"] == "cover.png"
    assert Course.open(course.folder).cover_path == cover


def test_a_jpeg_named_png_is_stored_as_jpg_and_replaces_the_old_cover(
    course: Course, png: Path, tmp_path: Path
) -> None:
    course.set_cover(png)
    disguised = tmp_path / "photo.png"
    Image.new("RGB", (64, 36), "green").save(disguised, format="JPEG")
    assert course.set_cover(disguised) == course.folder / "cover.jpg"
    assert not (course.folder / "cover.png").exists()
    assert Course.open(course.folder).cover == "cover.jpg"


def test_clear_cover_removes_the_file(course: Course, png: Path) -> None:
    course.set_cover(png)
    course.clear_cover()
    assert course.cover_path is None
    assert not (course.folder / "cover.png").exists()
    assert Course.open(course.folder).cover is None


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        ("notes.png", b"just some text, not a picture", "not a PNG or JPEG"),
        ("picture.gif", b"GIF89a\x01\x00\x01\x00", "not a PNG or JPEG"),
        ("missing.png", None, "cannot be read"),
    ],
)
def test_a_bad_cover_is_refused_with_a_clear_message(
    course: Course, tmp_path: Path, name: str, content: bytes | None, words: str
) -> None:
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(CoverImageError, match=words) as caught:
        course.set_cover(path)
    assert name in str(caught.value)
    assert course.cover is None and not list(course.folder.glob("cover.*"))


def test_a_cover_name_from_elsewhere_in_course_json_is_ignored(course: Course) -> None:
    data = json.loads((course.folder / COURSE_FILE).read_text())
    (course.folder / COURSE_FILE).write_text(json.dumps({**data, "cover": "../../etc/passwd"}))
    assert Course.open(course.folder).cover is None


# ------------------------------------------------------------------ order


def test_move_lesson_persists_the_order_including_unlisted_lessons(
    course: Course, video: Path
) -> None:
    for name in ("a", "b", "c"):
        make_lesson(course.folder / name, video, name.upper())
    course.add_lesson(course.folder / "a")  # b and c are on disk but not listed
    make_recording(course.folder / RECORDINGS_DIR / "monday")
    assert [p.name for p in course.lesson_folders()] == ["a", "b", "c"]

    course.move_lesson("c", 0)
    assert course.lessons == ["c", "a", "b"]
    course.move_lesson(course.folder / "a", 99)
    assert Course.open(course.folder).lessons == ["c", "b", "a"]
    course.move_lesson("a", 1)
    assert [p.name for p in Course.open(course.folder).lesson_folders()] == ["c", "a", "b"]
    with pytest.raises(LessonNotFoundError, match="no lesson 'zzz'"):
        course.move_lesson("zzz", 0)


def test_hidden_folders_are_not_lessons(course: Course, video: Path) -> None:
    make_lesson(course.folder / ".intro.abc.part", video, "Half-built")
    assert course.lesson_folders() == []


# ------------------------------------------------------------------ trash


def test_remove_lesson_moves_it_to_the_trash_and_restore_brings_it_back(
    course: Course, video: Path
) -> None:
    for name in ("a", "b"):
        course.add_lesson(make_lesson(course.folder / name, video, name))
    trashed = course.remove_lesson(course.folder / "a")
    assert trashed == course.folder / TRASH_DIR / "a"
    assert (trashed / "video.mp4").is_file() and not (course.folder / "a").exists()
    assert Course.open(course.folder).lessons == ["b"]
    assert [p.name for p in course.lesson_folders()] == ["b"]

    # A second lesson of the same name goes to the trash beside the first.
    course.add_lesson(make_lesson(course.folder / "a", video, "a again"))
    assert course.remove_lesson("a") == course.folder / TRASH_DIR / "a-2"

    restored = course.restore_lesson(trashed, index=0)
    assert restored == course.folder / "a"
    assert Course.open(course.folder).lessons == ["a", "b"]
    assert (restored / "video.mp4").is_file()
    with pytest.raises(LessonNotFoundError):
        course.remove_lesson("nothing-here")
    with pytest.raises(LessonNotFoundError):
        course.remove_lesson(TRASH_DIR)
    with pytest.raises(LessonNotFoundError):
        course.restore_lesson(course.folder / "b")  # not in the trash


def test_a_recording_goes_to_the_trash_and_back_to_the_recordings(course: Course) -> None:
    recording = make_recording(course.folder / RECORDINGS_DIR / "monday")
    trashed = course.remove_lesson(recording)
    assert trashed == course.folder / TRASH_DIR / RECORDINGS_DIR / "monday"
    assert (trashed / "recording.json").is_file() and not recording.exists()
    assert course.restore_lesson(trashed) == recording
    assert course.lessons == [] and (recording / "recording.json").is_file()


# ------------------------------------------------------------------ courses


def test_new_course_picks_a_free_folder_named_after_the_title(tmp_path: Path) -> None:
    first = new_course(tmp_path, "Earth Science: Rocks")
    second = new_course(tmp_path, "Earth Science: Rocks")
    assert first.folder == tmp_path / "earth-science-rocks"
    assert second.folder == tmp_path / "earth-science-rocks-2"
    assert Course.open(second.folder).title == "Earth Science: Rocks"
    assert first.id != second.id
    assert new_course(tmp_path, "  ").folder == tmp_path / "untitled-course"


def test_list_courses_summarizes_each_course_folder(tmp_path: Path, video: Path, png) -> None:
    root = tmp_path / "Lectern"
    assert list_courses(root) == []
    geology = new_course(root, "Geology")
    for name in ("one", "two"):
        geology.add_lesson(make_lesson(geology.folder / name, video, name))
    make_recording(geology.folder / RECORDINGS_DIR / "three")
    geology.set_cover(png)
    empty = new_course(root, "Empty")
    (root / "not-a-course").mkdir()
    broken = root / "broken"
    broken.mkdir()
    (broken / COURSE_FILE).write_text("{not json")

    summaries = {summary.folder.name: summary for summary in list_courses(root)}
    assert set(summaries) == {"geology", "empty", "broken"}
    assert summaries["geology"].title == "Geology"
    assert summaries["geology"].lessons == 2
    assert summaries["geology"].duration == pytest.approx(4.0)
    assert summaries["geology"].cover == geology.folder / "cover.png"
    assert summaries["empty"].lessons == 0 and summaries["empty"].duration == 0
    assert summaries["empty"].folder == empty.folder
    assert summaries["broken"].error and "course.json" in summaries["broken"].error
    assert summaries["geology"].updated.tzinfo is not None


# ------------------------------------------------------------------ lesson states


def test_lesson_state_and_thumbnail(course: Course, video: Path) -> None:
    built = make_lesson(course.folder / "built", video, "Built", thumbnail=True)
    plain = make_lesson(course.folder / "plain", video, "Plain")
    recording = make_recording(course.folder / RECORDINGS_DIR / "recorded")

    assert lesson_state(built) == READY
    assert lesson_state(recording) == RECORDED
    EditSession.open(built).apply(SetInPoint(0.5))
    assert lesson_state(built) == EDITED
    with pytest.raises(NotAWorkspaceError):
        lesson_state(course.folder)

    assert lesson_thumbnail(built) == built / "thumbs" / "chapter-001.jpg"
    frame = lesson_thumbnail(plain)
    assert frame is not None and frame.parent == plain
    with Image.open(frame) as picture:
        assert picture.format == "JPEG" and picture.width == 320
    assert lesson_thumbnail(plain) == frame  # made once, then reused
    assert lesson_thumbnail(recording) is None  # nothing recorded yet


# ------------------------------------------------------------------ export


def test_export_carries_the_cover(course: Course, video: Path, png: Path, tmp_path: Path) -> None:
    course.add_lesson(make_lesson(course.folder / "intro", video, "Intro"))
    course.set_cover(png)
    output = tmp_path / "earth.lectern"
    manifest = export_course(ExportRequest(course, output), state=JobState())
    assert manifest.course.cover == "cover.png"
    assert read_manifest(output).course.cover == "cover.png"
    verify_package(output)
    assert read_member(output, "cover.png") == png.read_bytes()
    with zipfile.ZipFile(output) as archive:
        assert "cover.png" in archive.namelist()


def test_export_without_cover_has_none(course: Course, video: Path, tmp_path: Path) -> None:
    course.add_lesson(make_lesson(course.folder / "intro", video, "Intro"))
    output = tmp_path / "earth.lectern"
    assert export_course(ExportRequest(course, output), state=JobState()).course.cover is None


@pytest.fixture(scope="module")
def two_slides(tmp_path_factory, ffmpeg_bin: str) -> Path:
    """A four-second video: a red slide for two seconds, then a blue one."""
    path = tmp_path_factory.mktemp("slides") / "slides.mp4"
    subprocess.run(
        [ffmpeg_bin, "-v", "error",
         "-f", "lavfi", "-i", "color=c=red:size=320x180:rate=10:d=2",
         "-f", "lavfi", "-i", "color=c=blue:size=320x180:rate=10:d=2",
         "-filter_complex", "[0:v][1:v]concat=n=2:v=1[v]", "-map", "[v]",
         "-pix_fmt", "yuv420p", "-c:v", "libx264", str(path)],
        check=True,
    )  # fmt: skip
    return path


def build_lesson(folder: Path, video: Path, title: str) -> Path:
    """A lesson built as the pipeline builds one: real chapter pictures from the video."""
    folder.mkdir(parents=True)
    (folder / VIDEO_NAME).write_bytes(video.read_bytes())
    found = chapters_from_changes([2.0], 4.0, min_length=1.0)
    workspace = LessonWorkspace(folder)
    derived = workspace.write_derived(None, found, language="en")
    workspace.save(
        Lesson(
            id=folder.name, title=title, duration=4.0, video=VIDEO_NAME, **derived.lesson_fields()
        )
    )
    return folder


def _colour(path: Path) -> tuple[int, int, int]:
    with Image.open(path) as picture:
        return picture.convert("RGB").resize((1, 1)).getpixel((0, 0))


def test_the_default_cover_is_the_first_slides_chapter_picture(
    qtbot, course: Course, two_slides: Path, png: Path, tmp_path: Path
) -> None:
    assert course.default_cover is None and course.shown_cover is None  # nothing yet
    lesson = build_lesson(course.folder / "waves", two_slides, "Waves")
    course.add_lesson(lesson)
    picture = lesson / "thumbs" / "chapter-001.jpg"
    red, green, blue = _colour(picture)
    assert red > 200 and green < 60 and blue < 60  # the first slide, not the second

    # The lesson's picture is its first chapter picture; no raw frame is made.
    assert first_chapter_picture(lesson) == picture
    assert lesson_thumbnail(lesson) == picture
    assert not list(lesson.glob(".thumbnail*"))

    # The course without a cover shows it, lists it and ships it as its cover.
    assert course.cover_path is None and course.default_cover == picture
    assert list_courses(course.folder.parent)[0].cover == picture
    form = CourseDetailsForm()
    qtbot.addWidget(form)
    form.set_course(course)
    assert not form.cover_button.icon().isNull() and not form.remove_cover_button.isEnabled()
    assert "first slide" in form.cover_button.toolTip()
    output = tmp_path / "waves.lectern"
    manifest = export_course(ExportRequest(course, output), state=JobState())
    assert manifest.course.cover == "cover.jpg"
    verify_package(output)
    assert read_member(output, "cover.jpg") == picture.read_bytes()

    # A cover of the teacher's own wins over the default.
    course.set_cover(png)
    assert course.shown_cover == course.folder / "cover.png"
    assert list_courses(course.folder.parent)[0].cover == course.folder / "cover.png"


def test_an_empty_course_cannot_be_exported(course: Course, tmp_path: Path) -> None:
    with pytest.raises(CourseFileError, match="no lessons"):
        export_course(ExportRequest(course, tmp_path / "x.lectern"), state=JobState())


# ------------------------------------------------------------------ details form


def test_details_form_applies_user_edits_to_the_course(qtbot, course: Course) -> None:
    course.title, course.language = "Geology", "de"
    form = CourseDetailsForm()
    qtbot.addWidget(form)
    assert not form.isEnabled()
    with qtbot.assertNotEmitted(form.changed):
        form.set_course(course)
    assert form.isEnabled() and form.title_box.text() == "Geology"
    assert form.language() == "de" and "German" in form.language_box.currentText()

    with qtbot.waitSignal(form.changed):
        qtbot.keyClicks(form.title_box, " 101")
    assert course.title == "Geology 101"
    with qtbot.waitSignal(form.changed):
        qtbot.keyClicks(form.author_box, "Ada")
    with qtbot.waitSignal(form.changed):
        form.description_box.setPlainText("Rocks and how they form.")
    assert (course.author, course.description) == ("Ada", "Rocks and how they form.")

    # A language typed as a tag or a name is applied; anything else is put back.
    for typed, tag in (("pt-BR", "pt-BR"), ("french", "fr")):
        form.language_box.lineEdit().clear()
        qtbot.keyClicks(form.language_box.lineEdit(), typed)
        with qtbot.waitSignal(form.changed):
            form.language_box.lineEdit().editingFinished.emit()
        assert course.language == tag
    form.language_box.lineEdit().setText("not a language")
    with qtbot.assertNotEmitted(form.changed):
        form.language_box.lineEdit().editingFinished.emit()
    assert course.language == "fr" and form.language() == "fr"


def test_details_form_cover_choose_remove_and_refuse(
    qtbot, course: Course, png: Path, tmp_path: Path
) -> None:
    form = CourseDetailsForm()
    qtbot.addWidget(form)
    form.set_course(course)
    assert not form.remove_cover_button.isEnabled()
    assert form.cover_button.icon().isNull()

    with qtbot.waitSignal(form.changed):
        assert form.choose_cover(png)
    assert course.cover_path == course.folder / "cover.png"
    assert not form.cover_button.icon().isNull() and form.remove_cover_button.isEnabled()

    text = tmp_path / "notes.png"
    text.write_text("not a picture")
    with qtbot.waitSignal(form.failed) as failed, qtbot.assertNotEmitted(form.changed):
        assert not form.choose_cover(text)
    assert "not a PNG or JPEG" in failed.args[0]
    assert course.cover == "cover.png"  # the old cover stays

    with qtbot.waitSignal(form.changed):
        qtbot.mouseClick(form.remove_cover_button, Qt.MouseButton.LeftButton)
    assert course.cover_path is None and not (course.folder / "cover.png").exists()
    assert form.cover_button.icon().isNull() and not form.remove_cover_button.isEnabled()


@pytest.mark.parametrize(
    ("titles", "expected"),
    [
        ([], "Lesson 1"),
        (["Introduction", "Waves"], "Lesson 3"),
        (["Week 1: Waves", "Week 2: Sound"], "Week 3"),
        (["Lecture 9", "Lecture 10 - Optics", "Exam review"], "Lecture 11"),
    ],
)
def test_the_next_lesson_is_named_after_the_course_s_own_numbering(titles, expected):
    from studio.course import next_lesson_title

    assert next_lesson_title(titles) == expected


@pytest.mark.parametrize(
    ("window", "documents_only", "expected"),
    [
        ("Photosynthesis.odp - LibreOffice Impress", True, "Photosynthesis"),
        ("*lecture_02_waves.pdf — Document Viewer", True, "Lecture 02 waves"),
        ("Mozilla Firefox", True, ""),
        ("Lecture Slides", False, "Lecture Slides"),
        ("", False, ""),
    ],
)
def test_a_window_title_names_the_document_not_the_program(window, documents_only, expected):
    from studio.course import title_from_window

    assert title_from_window(window, documents_only=documents_only) == expected


def test_a_recording_keeps_the_title_given_at_stop(tmp_path):
    from studio.course import (
        RECORDING_TITLE_FILE,
        recording_title,
        recording_title_typed,
        set_recording_title,
    )

    assert recording_title(tmp_path) is None
    set_recording_title(tmp_path, "  Light   and leaves ")
    assert recording_title(tmp_path) == "Light and leaves"
    set_recording_title(tmp_path, "   ")  # blank: the title kept stays
    assert recording_title(tmp_path) == "Light and leaves"
    assert recording_title_typed(tmp_path)
    set_recording_title(tmp_path, "Lesson 4", typed=False)  # the Studio's suggestion, kept
    assert recording_title(tmp_path) == "Lesson 4"
    assert not recording_title_typed(tmp_path)
    (tmp_path / RECORDING_TITLE_FILE).write_text("Waves\n", encoding="utf-8")  # an older one
    assert recording_title_typed(tmp_path)
    (tmp_path / RECORDING_TITLE_FILE).write_bytes(b"\xff\xfe broken")
    assert recording_title(tmp_path) is None
    assert not recording_title_typed(tmp_path)
