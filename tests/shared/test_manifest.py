"""The manifest: JSON Schema validation, its messages, versions and the dataclasses."""

from __future__ import annotations

import copy
import json
import re

import jsonschema
import pytest

from shared.manifest import (
    FORMAT_VERSION,
    SCHEMA_PATH,
    CaptionTrack,
    CourseInfo,
    FileEntry,
    LessonEntry,
    Manifest,
    ManifestError,
    NewerFormatError,
    is_lesson_uid,
    new_course_id,
    new_lesson_uid,
    validate_manifest_dict,
)

SHA = "ab" * 32


def _manifest() -> Manifest:
    files = [
        "cover.jpg",
        "lessons/intro/captions.en.vtt",
        "lessons/intro/chapters.json",
        "lessons/intro/chapters.vtt",
        "lessons/intro/poster.jpg",
        "lessons/intro/presenter.mp4",
        "lessons/intro/thumbs/chapter-001.jpg",
        "lessons/intro/transcript.json",
        "lessons/intro/video.mp4",
        "lessons/week-2/video.webm",
    ]
    return Manifest(
        format_version=FORMAT_VERSION,
        course=CourseInfo(
            id="bio-101",
            version=3,
            title="Biology 101",
            description="Cells.",
            author="Dr. Green",
            language="en-GB",
            created="2024-09-02T14:30:00Z",
            cover="cover.jpg",
        ),
        lessons=(
            LessonEntry(
                id="intro",
                title="Introduction",
                duration_ms=61250,
                video="lessons/intro/video.mp4",
                presenter_video="lessons/intro/presenter.mp4",
                captions=(CaptionTrack("en", "lessons/intro/captions.en.vtt"),),
                transcript="lessons/intro/transcript.json",
                chapters="lessons/intro/chapters.json",
                chapters_vtt="lessons/intro/chapters.vtt",
                thumbnails=("lessons/intro/thumbs/chapter-001.jpg",),
                poster="lessons/intro/poster.jpg",
            ),
            LessonEntry(id="week-2", title="Week 2", duration_ms=0, video=files[-1]),
        ),
        files=tuple(FileEntry(path, 10 + n, SHA) for n, path in enumerate(files)),
    )


@pytest.fixture
def data() -> dict:
    return _manifest().to_dict()


def _error(data, **kwargs) -> ManifestError:
    with pytest.raises(ManifestError) as caught:
        validate_manifest_dict(data, **kwargs)
    return caught.value


def test_schema_is_valid_draft_2020_12():
    schema = json.loads(SCHEMA_PATH.read_text())
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)


def test_round_trip_through_dict_and_json(data):
    manifest = _manifest()
    validate_manifest_dict(data)
    assert Manifest.from_dict(data) == manifest
    assert Manifest.from_json(manifest.to_json()) == manifest
    assert Manifest.from_json(manifest.to_json().encode()) == manifest
    assert Manifest.from_dict(json.loads(json.dumps(data))).to_dict() == data


def test_json_is_deterministic_and_sorted():
    text = _manifest().to_json()
    assert text == _manifest().to_json()
    assert text.endswith("}\n")
    assert list(json.loads(text)) == sorted(json.loads(text))
    assert text.index('"course"') < text.index('"files"') < text.index('"format"')


def test_optional_members_are_left_out_not_null(data):
    second = data["lessons"][1]
    assert second == {
        "id": "week-2",
        "title": "Week 2",
        "duration_ms": 0,
        "video": "lessons/week-2/video.webm",
        "captions": [],
        "thumbnails": [],
    }
    assert "null" not in _manifest().to_json()


def test_helpers():
    manifest = _manifest()
    assert manifest.total_duration_ms == 61250
    assert manifest.total_size == sum(10 + n for n in range(10))
    assert manifest.file("cover.jpg").size == 10 and manifest.file("nope") is None
    assert manifest.lesson("week-2").title == "Week 2" and manifest.lesson("x") is None
    assert manifest.lessons[0].duration == 61.25
    fields = dict(manifest.referenced_paths())
    assert fields["course.cover"] == "cover.jpg"
    assert fields["lessons[0].captions[0].path"] == "lessons/intro/captions.en.vtt"
    assert fields["lessons[0].thumbnails[0]"] == "lessons/intro/thumbs/chapter-001.jpg"


def test_new_course_id_is_valid_and_fresh(data):
    first, second = new_course_id(), new_course_id()
    assert first != second
    data["course"]["id"] = first
    validate_manifest_dict(data)


@pytest.mark.parametrize(
    ("edit", "field", "words"),
    [
        (lambda d: d["lessons"][0].pop("title"), "lessons[0].title", "missing"),
        (lambda d: d["lessons"][0].update(title=""), "lessons[0].title", "non-empty"),
        (lambda d: d["lessons"][0].update(title="   "), "lessons[0].title", "'   '"),
        (lambda d: d["lessons"][0].update(duration_ms="61"), "lessons[0].duration_ms", "integer"),
        (lambda d: d["lessons"][0].update(duration_ms=1.5), "lessons[0].duration_ms", "integer"),
        (lambda d: d["lessons"][0].update(duration_ms=-1), "lessons[0].duration_ms", "minimum"),
        (lambda d: d["lessons"][1].update(id="Week 2"), "lessons[1].id", "lowercase id"),
        (lambda d: d["lessons"][1].update(id="aux"), "lessons[1].id", "reserves for devices"),
        (lambda d: d["course"].update(version=0), "course.version", "minimum"),
        (lambda d: d["course"].update(id="Bio 101"), "course.id", "stable lowercase id"),
        (lambda d: d["course"].update(language="english"), "course.language", "BCP 47"),
        (lambda d: d["course"].update(created="2024-09-02 14:30"), "course.created", "ISO 8601"),
        (lambda d: d["course"].pop("author"), "course.author", "missing"),
        (lambda d: d["course"].update(colour="red"), "course", "'colour' was unexpected"),
        (lambda d: d.update(lessons=[]), "lessons", "non-empty"),
        (lambda d: d["files"][0].update(sha256="AB" * 32), "files[0].sha256", "lowercase hex"),
        (lambda d: d["files"][0].update(size=-5), "files[0].size", "minimum"),
        (lambda d: d["lessons"][0].update(captions=[{"language": "en"}]), "path", "missing"),
    ],
)
def test_schema_errors_name_the_field(data, edit, field, words):
    edit(data)
    error = _error(data)
    assert error.field.endswith(field), error
    assert f"{error.field}: " in str(error)
    assert words in str(error)
    assert "\n" not in str(error)


@pytest.mark.parametrize(
    "path",
    [
        "../evil",
        "/abs/file",
        "a//b",
        "a/",
        "a\\b",
        "C:/x",
        "a/./b",
        "a/../b",
        "x.",
        ".hidden",
        "a b",
        "é.mp4",
        "",
        "a" * 256,
    ],
)
def test_unsafe_member_paths_are_refused(data, path):
    data["files"].insert(0, {"path": path, "size": 1, "sha256": SHA})
    error = _error(data)
    assert error.field == "files[0].path"
    assert "relative member path" in str(error) or "is too long" in str(error)
    assert len(str(error)) < 600


@pytest.mark.parametrize(
    "path", ["video.mp4", "lessons/intro/captions.pt-BR.vtt", "_x/y-1/z.tar.gz", "A/B"]
)
def test_safe_member_paths_are_accepted(data, path):
    data["files"].append({"path": path, "size": 1, "sha256": SHA})
    data["files"].sort(key=lambda entry: entry["path"])
    validate_manifest_dict(data)


def test_a_bad_lesson_id_is_reported_not_the_paths_made_from_it(data):
    data["lessons"][0]["id"] = "Intro!"
    for entry in data["files"]:
        entry["path"] = entry["path"].replace("lessons/intro/", "lessons/Intro!/")
    for key in ("video", "presenter_video", "transcript", "chapters", "chapters_vtt", "poster"):
        data["lessons"][0][key] = data["lessons"][0][key].replace("intro", "Intro!")
    assert _error(data).field == "lessons[0].id"


def test_consistency_rules(data):
    twin = copy.deepcopy(data)
    twin["lessons"][1]["id"] = "intro"
    assert "also used by lessons[0]" in str(_error(twin))

    unsorted = copy.deepcopy(data)
    unsorted["files"].reverse()
    assert "out of order" in str(_error(unsorted))

    repeated = copy.deepcopy(data)
    repeated["files"].insert(1, dict(repeated["files"][0]))
    assert "appears twice" in str(_error(repeated))

    itself = copy.deepcopy(data)
    itself["files"].append({"path": "manifest.json", "size": 1, "sha256": SHA})
    itself["files"].sort(key=lambda entry: entry["path"])
    assert "must not list itself" in str(_error(itself))

    unknown = copy.deepcopy(data)
    unknown["lessons"][0]["poster"] = "lessons/intro/other.jpg"
    error = _error(unknown)
    assert error.field == "lessons[0].poster" and "not in the files table" in str(error)

    cover = copy.deepcopy(data)
    cover["course"]["cover"] = "missing.jpg"
    assert _error(cover).field == "course.cover"

    languages = copy.deepcopy(data)
    languages["lessons"][0]["captions"].append(
        {"language": "en", "path": "lessons/intro/captions.en.vtt"}
    )
    assert "two caption tracks" in str(_error(languages))


def test_newer_minor_is_accepted_with_unknown_fields(data):
    data["format_version"] = "1.12"
    data["signature"] = "future"
    data["course"]["tags"] = ["biology"]
    data["lessons"][0]["quiz"] = {"questions": 3}
    data["files"][0]["mime"] = "image/jpeg"
    manifest = Manifest.from_dict(data)
    assert manifest.format_version == "1.12"
    assert manifest.lessons[0] == _manifest().lessons[0]


def test_newer_minor_still_checks_known_fields(data):
    data["format_version"] = "1.9"
    data["lessons"][0]["title"] = ""
    assert _error(data).field == "lessons[0].title"


def test_same_version_refuses_unknown_fields(data):
    data["lessons"][0]["quiz"] = "x"
    assert "'quiz' was unexpected" in str(_error(data))


def test_newer_major_is_refused(data):
    data["format_version"] = "2.0"
    data["something"] = "completely different"
    with pytest.raises(NewerFormatError) as caught:
        validate_manifest_dict(data, source="biology.lectern")
    assert str(caught.value) == (
        "biology.lectern was made by a newer Lectern (format 2.0); update Lectern to open it."
    )
    assert caught.value.version == "2.0"


@pytest.mark.parametrize("version", ["0.9", "1", "1.0.0", "v1.0", 1.0, None, "01.x"])
def test_malformed_or_older_versions_are_refused(data, version):
    data["format_version"] = version
    error = _error(data)
    assert error.field == "format_version"
    assert not isinstance(error, NewerFormatError)


def test_not_a_lectern_manifest(data):
    data["format"] = "scorm"
    assert "not a Lectern course" in str(_error(data))
    assert "not a JSON object" in str(_error([data]))


def test_message_names_the_source_and_what_to_do(data):
    data["lessons"][0]["title"] = ""
    message = str(_error(data, source="course.lectern"))
    assert message.startswith("The manifest of course.lectern is invalid: lessons[0].title: ")
    assert message.endswith("ask its author for a new copy.")


@pytest.mark.parametrize(
    ("text", "words"),
    [
        (b'{"format": "lectern",', "not JSON"),
        (b'{"format": "lectern", "format": "x"}', "appears twice"),
        (b'{"duration_ms": NaN}', "NaN"),
        (b'{"duration_ms": Infinity}', "Infinity"),
        ("{}".encode("utf-16"), "UTF-8"),
        (b"[" * 100_000 + b"]" * 100_000, "nested more than"),
        (b"[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]", "nested more than"),
    ],
)
def test_strict_json(text, words):
    with pytest.raises(ManifestError) as caught:
        Manifest.from_json(text)
    assert words in str(caught.value)
    assert re.search(r"^The manifest is invalid: ", str(caught.value))


def test_lesson_uid_round_trips_and_is_optional(data):
    assert "uid" not in data["lessons"][0]  # a format 1.0 lesson: known by its id alone
    data["lessons"][0]["uid"] = "0b6f9a52-3c1e-4d7a-9f00-5a1b2c3d4e5f"
    manifest = Manifest.from_dict(data)
    assert manifest.lessons[0].uid == "0b6f9a52-3c1e-4d7a-9f00-5a1b2c3d4e5f"
    assert Manifest.from_json(manifest.to_json()) == manifest
    assert is_lesson_uid(new_lesson_uid()) and new_lesson_uid() != new_lesson_uid()


def test_lesson_uids_are_checked(data):
    data["lessons"][0]["uid"] = "Not A UID"
    assert _error(data).field == "lessons[0].uid"
    data["lessons"][0]["uid"] = "same"
    data["lessons"].append({**data["lessons"][0], "id": "other"})
    error = _error(data)
    assert error.field == "lessons[2].uid" and "also used by lessons[0]" in str(error)
