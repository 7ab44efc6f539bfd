"""The lesson workspace: lesson.json round trip and what packaging reads from it."""

from __future__ import annotations

import json

import pytest

from shared.workspace import (
    Lesson,
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
