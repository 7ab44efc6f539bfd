"""The lesson workspace: lesson.json round trip and what packaging reads from it."""

from __future__ import annotations

import dataclasses
import json
import subprocess

import pytest
from PIL import Image

from shared.captions import Cue, read_vtt
from shared.chapters import Chapter, load_chapters
from shared.transcription import Segment, Transcript, Word
from shared.workspace import (
    CHAPTERS_NAME,
    TRANSCRIPT_NAME,
    TRANSCRIPT_TEXT_NAME,
    VIDEO_NAME,
    Lesson,
    LessonWorkspace,
    NotAWorkspaceError,
    WorkspaceError,
    lesson_source,
    load_lesson,
    save_lesson,
    slugify,
)


def _lesson(tmp_path):
    for name in ("video.mp4", "transcript.json", "captions.en.vtt", "thumbs/chapter-001.jpg"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(b"x")
    return Lesson(
        id="intro",
        title="Intro",
        duration=12.5,
        video="video.mp4",
        transcript="transcript.json",
        captions={"en": "captions.en.vtt"},
        thumbnails=("thumbs/chapter-001.jpg",),
        poster="thumbs/chapter-001.jpg",
    )


def test_round_trip_and_package_source(tmp_path):
    lesson = _lesson(tmp_path)
    save_lesson(tmp_path, lesson)
    loaded = load_lesson(tmp_path)
    assert loaded.title == "Intro" and loaded.captions == {"en": "captions.en.vtt"}
    assert loaded.created and loaded.updated
    source = lesson_source(tmp_path)
    assert source.video == tmp_path.resolve() / "video.mp4"
    assert source.captions == (("en", tmp_path.resolve() / "captions.en.vtt"),)
    assert source.duration == 12.5


def test_missing_and_damaged_workspaces_are_named(tmp_path):
    with pytest.raises(NotAWorkspaceError, match="lesson.json"):
        load_lesson(tmp_path)
    save_lesson(tmp_path, _lesson(tmp_path))
    (tmp_path / "captions.en.vtt").unlink()
    with pytest.raises(WorkspaceError, match="captions.en.vtt"):
        load_lesson(tmp_path)
    (tmp_path / "lesson.json").write_text("{ not json")
    with pytest.raises(WorkspaceError, match="damaged"):
        load_lesson(tmp_path)
    data = _lesson(tmp_path).to_dict() | {"version": 99}
    (tmp_path / "lesson.json").write_text(json.dumps(data))
    with pytest.raises(WorkspaceError, match="newer Lectern"):
        load_lesson(tmp_path)


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("Intro: Part 1", "intro-part-1"),
        ("  ", "lesson"),
        ("Économie ☃ 101", "economie-101"),
        ("Con", "con-lesson"),
    ],
)
def test_slugify(text, slug):
    assert slugify(text) == slug


def test_workspace_reads_lesson_json_once_and_saves_what_it_keeps(tmp_path):
    save_lesson(tmp_path, _lesson(tmp_path))
    workspace = LessonWorkspace.open(tmp_path)
    assert LessonWorkspace.open(workspace) is workspace
    first = workspace.lesson
    renamed = LessonWorkspace.open(tmp_path).save(dataclasses.replace(first, title="Renamed"))
    assert workspace.lesson is first  # kept: what the folder was when it was read
    assert LessonWorkspace.open(tmp_path).lesson == renamed and renamed.title == "Renamed"
    assert renamed.updated and renamed.created == first.created
    assert workspace.source() == lesson_source(tmp_path, first)
    assert workspace.source().thumbnails == (tmp_path.resolve() / "thumbs/chapter-001.jpg",)
    _transcript().save_json(tmp_path / "transcript.json")
    assert workspace.transcript() is workspace.transcript()  # read once, when first asked
    assert workspace.chapters() == ()  # the lesson has no chapters file


@pytest.fixture
def video_workspace(tmp_path, ffmpeg_bin):
    """A workspace folder with a real 4 s video (a colour change at 2 s) and no lesson.json yet."""
    folder = tmp_path / "lesson"
    folder.mkdir()
    subprocess.run(
        [ffmpeg_bin, "-hide_banner", "-loglevel", "error", "-y",
         "-f", "lavfi", "-i", "color=c=red:s=160x90:r=10:d=2",
         "-f", "lavfi", "-i", "color=c=blue:s=160x90:r=10:d=2",
         "-filter_complex", "[0:v][1:v]concat=n=2:v=1[v]", "-map", "[v]",
         "-pix_fmt", "yuv420p", "-c:v", "libx264", str(folder / VIDEO_NAME)],
        check=True,
    )  # fmt: skip
    return LessonWorkspace(folder)


def _transcript(text: str = "Hello there.") -> Transcript:
    segment = Segment(0.5, 1.5, text, (Word(0.5, 1.5, " " + text, 0.9),))
    return Transcript(segments=(segment,), language="en", duration=4.0, model="", engine="")


def test_write_derived_writes_every_derived_file_and_names_them(video_workspace):
    found = [
        Chapter(0.0, 2.0, "Red", None, "detected"),
        Chapter(2.0, 4.0, "Blue", None, "detected"),
    ]
    derived = video_workspace.write_derived(_transcript(), found, language="en")
    folder = video_workspace.folder
    assert derived.transcript == TRANSCRIPT_NAME and derived.chapters == CHAPTERS_NAME
    assert derived.captions == {"en": "captions.en.vtt"} and derived.chapters_vtt == "chapters.vtt"
    assert derived.thumbnails == ("thumbs/chapter-001.jpg", "thumbs/chapter-002.jpg")
    assert derived.poster == "thumbs/chapter-001.jpg"
    assert [c.thumbnail for c in derived.found] == list(derived.thumbnails)
    assert Transcript.load_json(folder / TRANSCRIPT_NAME).segments[0].text == "Hello there."
    assert (folder / TRANSCRIPT_TEXT_NAME).read_text(encoding="utf-8") == "Hello there.\n"
    assert [c.text for c in read_vtt(folder / "captions.en.vtt")] == ["Hello there."]
    assert [c.title for c in load_chapters(folder / CHAPTERS_NAME)] == ["Red", "Blue"]
    assert [c.text for c in read_vtt(folder / "chapters.vtt")] == ["Red", "Blue"]
    red, blue = (Image.open(folder / name).convert("RGB") for name in derived.thumbnails)
    assert red.getpixel((10, 10))[0] > 200 and blue.getpixel((10, 10))[2] > 200
    assert not (folder / ".thumbs-new").exists()

    lesson = Lesson(id="colours", title="Colours", duration=4.0, video=VIDEO_NAME)
    video_workspace.save(dataclasses.replace(lesson, **derived.lesson_fields()))
    reopened = LessonWorkspace.open(folder)
    assert reopened.chapters() == derived.found
    assert reopened.transcript().segments == _transcript().segments


def test_write_derived_reuses_kept_pictures_and_writes_only_what_is_asked(video_workspace):
    folder = video_workspace.folder
    kept = folder.parent / "kept.jpg"
    Image.new("RGB", (32, 18), "green").save(kept)
    found = [Chapter(0.0, 2.0, "Red", None, "manual"), Chapter(2.0, 4.0, "Blue", None, "manual")]
    derived = video_workspace.write_derived(
        None,
        found,
        language="en",
        other_captions={"fr": ("captions.fr.vtt", [Cue(0.0, 1.0, "Bonjour")])},
        kept_pictures={1: kept},
    )
    assert derived.transcript is None and derived.captions == {"fr": "captions.fr.vtt"}
    assert not (folder / TRANSCRIPT_NAME).exists() and not (folder / TRANSCRIPT_TEXT_NAME).exists()
    assert [c.text for c in read_vtt(folder / "captions.fr.vtt")] == ["Bonjour"]
    second = folder / derived.thumbnails[1]
    assert second.read_bytes() == kept.read_bytes()  # linked or copied, not made again
    assert Image.open(folder / derived.thumbnails[0]).convert("RGB").getpixel((10, 10))[0] > 200

    nothing = LessonWorkspace(folder.parent / "empty")
    nothing.folder.mkdir()
    derived = nothing.write_derived(Transcript.empty(4.0), None, language="de")
    assert derived.captions == {} and derived.chapters is None and derived.thumbnails == ()
    assert sorted(p.name for p in nothing.folder.iterdir()) == [TRANSCRIPT_NAME]
