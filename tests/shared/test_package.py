"""The .lectern package: round trip, determinism, atomicity and every refusal."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import shutil
import struct
import zipfile
from pathlib import Path

import pytest

from shared import package as pkg
from shared.errors import LecternError
from shared.jobs import Cancelled, JobState
from shared.manifest import ManifestError, NewerFormatError
from tests.shared import bad_packages
from tests.shared.bad_packages import CASES, TRANSCRIPT, VIDEO, BadCase


@pytest.fixture
def sources(tmp_path):
    return bad_packages.make_sources(tmp_path / "sources")


@pytest.fixture
def good(tmp_path) -> Path:
    return bad_packages.make_good_package(tmp_path)


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict[str, Path]:
    """Every bad package, built once for the module (the streamed zip bomb takes a second)."""
    folder = tmp_path_factory.mktemp("bad")
    good = bad_packages.make_good_package(folder)
    return {case.name: case.build(good, folder / f"{case.name}.lectern") for case in CASES}


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(".") or ".part" in p.name)


def _source_files(lesson: pkg.LessonSource) -> list[Path]:
    paths = [lesson.video, lesson.presenter_video, lesson.transcript, lesson.chapters]
    paths += [lesson.chapters_vtt, lesson.poster, *(p for _, p in lesson.captions)]
    return [p for p in [*paths, *lesson.thumbnails] if p is not None]


# ----------------------------------------------------------------------------- writing


def test_round_trip_write_verify_extract(sources, tmp_path):
    course, lessons, cover = sources
    out = tmp_path / "course.lectern"
    written = pkg.write_package(course, lessons, out, cover=cover)

    assert pkg.read_manifest(out) == written
    assert pkg.verify_package(out) == written
    dest = tmp_path / "extracted"
    assert pkg.extract_package(out, dest) == written

    assert written.course.cover == "cover.jpg"
    assert (dest / "cover.jpg").read_bytes() == cover.read_bytes()
    for source, entry in zip(lessons, written.lessons, strict=True):
        assert entry.id == source.id and entry.title == source.title
        assert entry.duration_ms == round(source.duration * 1000)
        assert entry.video == f"lessons/{source.id}/video.mp4"  # suffix lower-cased
        pairs = list(zip(_source_files(source), _paths(entry), strict=True))
        for path, member in pairs:
            assert (dest / member).read_bytes() == path.read_bytes(), member
    files = {p.relative_to(dest).as_posix() for p in dest.rglob("*") if p.is_file()}
    assert files == {e.path for e in written.files} | {"manifest.json"}
    assert json.loads((dest / "manifest.json").read_text()) == written.to_dict()
    for entry in written.files:
        assert hashlib.sha256((dest / entry.path).read_bytes()).hexdigest() == entry.sha256


def _paths(entry) -> list[str]:
    paths = [entry.video, entry.presenter_video, entry.transcript, entry.chapters]
    paths += [entry.chapters_vtt, entry.poster, *(t.path for t in entry.captions)]
    return [p for p in [*paths, *entry.thumbnails] if p is not None]


def test_layout_follows_the_format(sources, tmp_path):
    course, lessons, cover = sources
    manifest = pkg.write_package(course, lessons, tmp_path / "c.lectern", cover=cover)
    intro = manifest.lessons[0]
    assert intro.presenter_video == "lessons/intro/presenter.mp4"
    assert [(t.language, t.path) for t in intro.captions] == [
        ("en", "lessons/intro/captions.en.vtt"),
        ("de", "lessons/intro/captions.de.vtt"),
    ]
    assert intro.transcript == "lessons/intro/transcript.json"
    assert intro.chapters == "lessons/intro/chapters.json"
    assert intro.chapters_vtt == "lessons/intro/chapters.vtt"
    assert intro.thumbnails[0] == "lessons/intro/thumbs/chapter-001.jpg"
    assert intro.poster == "lessons/intro/poster.png"
    assert manifest.lessons[1].presenter_video is None
    assert [e.path for e in manifest.files] == sorted(e.path for e in manifest.files)


def test_manifest_first_media_stored_text_deflated(good):
    with zipfile.ZipFile(good) as zf:
        infos = zf.infolist()
    assert infos[0].filename == "manifest.json"
    assert infos[0].compress_type == zipfile.ZIP_STORED  # patched in place; see package.py
    assert good.read_bytes()[30 : 30 + len("manifest.json")] == b"manifest.json"
    for info in infos[1:]:
        text = info.filename.endswith((".json", ".vtt"))
        expected = zipfile.ZIP_DEFLATED if text else zipfile.ZIP_STORED
        assert info.compress_type == expected, info.filename
        assert info.date_time == (2024, 9, 2, 14, 30, 0)
        assert info.external_attr >> 16 == 0o100644
        assert info.create_system == 3
    assert [i.filename for i in infos[1:]] == sorted(i.filename for i in infos[1:])


def test_same_inputs_give_identical_bytes(sources, tmp_path):
    course, lessons, cover = sources
    first = tmp_path / "a.lectern"
    second = tmp_path / "b.lectern"
    pkg.write_package(course, lessons, first, cover=cover)
    pkg.write_package(course, lessons, second, cover=cover)
    assert first.read_bytes() == second.read_bytes()


def test_same_content_elsewhere_gives_identical_bytes(tmp_path):
    one = bad_packages.make_good_package(tmp_path / "one")
    two = bad_packages.make_good_package(tmp_path / "elsewhere" / "two")
    assert one.read_bytes() == two.read_bytes()


def test_changed_content_changes_the_hash(sources, tmp_path):
    course, lessons, cover = sources
    before = pkg.write_package(course, lessons, tmp_path / "a.lectern", cover=cover)
    lessons[0].video.write_bytes(b"new video")
    after = pkg.write_package(course, lessons, tmp_path / "b.lectern", cover=cover)
    assert before.file(VIDEO).sha256 != after.file(VIDEO).sha256
    assert after.file(VIDEO) == pkg.verify_package(tmp_path / "b.lectern").file(VIDEO)


def test_empty_created_is_filled_in(sources, tmp_path):
    course, lessons, _ = sources
    manifest = pkg.write_package(
        dataclasses.replace(course, created=""), lessons, tmp_path / "c.lectern"
    )
    assert manifest.course.created.endswith("Z") and len(manifest.course.created) == 20
    assert manifest.course.cover is None


def test_progress_is_by_bytes_and_ends_at_one(sources, tmp_path):
    course, lessons, cover = sources
    state = JobState()
    pkg.write_package(course, lessons, tmp_path / "c.lectern", cover=cover, state=state)
    fractions = [f for f, _ in state.history]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    assert any(status.startswith("Packaging lessons/") for _, status in state.history)


class _CancelAfter(JobState):
    """Cancels (or presses Ctrl+C) after ``count`` progress checks."""

    def __init__(self, count: int, interrupt: bool = False) -> None:
        super().__init__()
        self.count, self.interrupt = count, interrupt

    def cancelled(self) -> bool:
        self.count -= 1
        if self.count < 0 and self.interrupt:
            raise KeyboardInterrupt
        return self.count < 0


@pytest.mark.parametrize("interrupt", [False, True], ids=["cancel", "ctrl-c"])
def test_cancelled_write_leaves_nothing(sources, tmp_path, interrupt):
    course, lessons, cover = sources
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    out = out_dir / "c.lectern"
    expected = KeyboardInterrupt if interrupt else Cancelled
    with pytest.raises(expected):
        pkg.write_package(course, lessons, out, cover=cover, state=_CancelAfter(5, interrupt))
    assert list(out_dir.iterdir()) == []


def test_failed_write_keeps_the_existing_package(sources, tmp_path):
    course, lessons, cover = sources
    out = tmp_path / "c.lectern"
    pkg.write_package(course, lessons, out, cover=cover)
    before = out.read_bytes()
    with pytest.raises(Cancelled):
        pkg.write_package(course, lessons, out, cover=cover, state=_CancelAfter(3))
    missing = dataclasses.replace(lessons[1], video=tmp_path / "gone.mp4")
    with pytest.raises(pkg.PackageInputError):
        pkg.write_package(course, [lessons[0], missing], out, cover=cover)
    assert out.read_bytes() == before
    assert _leftovers(tmp_path) == []


def test_missing_input_is_named(sources, tmp_path):
    course, lessons, _ = sources
    gone = tmp_path / "nowhere" / "lecture.mp4"
    broken = dataclasses.replace(lessons[0], video=gone)
    with pytest.raises(pkg.PackageInputError) as caught:
        pkg.write_package(course, [broken], tmp_path / "c.lectern")
    message = str(caught.value)
    assert str(gone) in message and "intro" in message and "c.lectern" in message
    assert not (tmp_path / "c.lectern").exists()


def test_folder_as_input_is_refused(sources, tmp_path):
    course, lessons, _ = sources
    broken = dataclasses.replace(lessons[0], transcript=tmp_path)
    with pytest.raises(pkg.PackageInputError, match="is not a file"):
        pkg.write_package(course, [broken], tmp_path / "c.lectern")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda lesson: {"title": "  "}, "lessons[0].title"),
        (lambda lesson: {"id": "Intro Lesson"}, "lessons[0].id"),
        (lambda lesson: {"id": "con"}, "lessons[0].id"),
        (lambda lesson: {"duration": -1.0}, "lessons[0].duration_ms"),
        (
            lambda lesson: {"captions": (("english!", lesson.captions[0][1]),)},
            "lessons[0].captions[0].language",
        ),
    ],
    ids=["blank-title", "spaces-in-id", "device-id", "negative-duration", "bad-language"],
)
def test_bad_lesson_details_are_refused_before_writing(sources, tmp_path, change, field):
    course, lessons, _ = sources
    broken = dataclasses.replace(lessons[0], **change(lessons[0]))
    with pytest.raises(pkg.PackageInputError) as caught:
        pkg.write_package(course, [broken], tmp_path / "c.lectern")
    assert field in str(caught.value)
    assert list(tmp_path.glob("*.lectern")) == [] and _leftovers(tmp_path) == []


def test_duplicate_lesson_ids_and_no_lessons_are_refused(sources, tmp_path):
    course, lessons, _ = sources
    twin = dataclasses.replace(lessons[1], id="intro")
    with pytest.raises(pkg.PackageInputError, match=r"lessons\[1\]\.id"):
        pkg.write_package(course, [lessons[0], twin], tmp_path / "c.lectern")
    with pytest.raises(pkg.PackageInputError, match="lessons"):
        pkg.write_package(course, [], tmp_path / "c.lectern")


def test_non_finite_duration_is_refused(sources, tmp_path):
    course, lessons, _ = sources
    with pytest.raises(pkg.PackageInputError, match="duration"):
        pkg.write_package(
            course, [dataclasses.replace(lessons[0], duration=float("nan"))], tmp_path / "c.lectern"
        )


def test_bad_course_details_are_refused(sources, tmp_path):
    course, lessons, _ = sources
    for change, field in [({"version": 0}, "course.version"), ({"id": "A B"}, "course.id")]:
        with pytest.raises(pkg.PackageInputError, match=field.replace(".", r"\.")):
            pkg.write_package(
                dataclasses.replace(course, **change), lessons, tmp_path / "c.lectern"
            )


def test_zip64_members_round_trip(sources, tmp_path, monkeypatch):
    # A real >4 GiB member is too slow for the suite; force the ZIP64 path instead.
    monkeypatch.setattr(pkg, "_ZIP64_FROM", 0)
    course, lessons, cover = sources
    out = tmp_path / "c.lectern"
    written = pkg.write_package(course, lessons, out, cover=cover)
    with zipfile.ZipFile(out) as zf:
        video = zf.getinfo(VIDEO)
    assert video.extract_version >= 45  # ZIP64
    with open(out, "rb") as handle:
        handle.seek(video.header_offset + 28)
        (extra_length,) = struct.unpack("<H", handle.read(2))
    assert extra_length >= 20  # the local header carries the ZIP64 extra field
    assert pkg.verify_package(out) == written
    assert pkg.extract_package(out, tmp_path / "x") == written


# ----------------------------------------------------------------------------- reading


def test_newer_minor_version_is_accepted(good, tmp_path):
    def newer(data):
        data["format_version"] = "1.7"
        data["signature"] = {"by": "a future Lectern"}
        data["lessons"][0]["quiz"] = "lessons/intro/quiz.json"

    out = bad_packages.repack(good, tmp_path / "newer.lectern", manifest=newer)
    manifest = pkg.verify_package(out)
    assert manifest.format_version == "1.7"
    assert manifest.lessons[0].id == "intro"


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_verify_refuses(built, case: BadCase):
    path = built[case.name]
    with pytest.raises(case.error) as caught:
        pkg.verify_package(path)
    _check_message(caught.value, path, case)


def _check_message(error: BaseException, path: Path, case: BadCase) -> None:
    message = str(error)
    assert isinstance(error, pkg.PackageError)
    assert str(path) in message
    assert "\n" not in message and message.endswith(".")
    assert error.member == case.member
    if case.member is not None:
        assert case.member in message or repr(case.member) in message
    if case.needle is not None:
        assert case.needle in message


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_read_manifest_refuses_everything_the_listing_shows(built, case: BadCase):
    path = built[case.name]
    if case.content:
        assert pkg.read_manifest(path).course.id == "bio-101"
        return
    with pytest.raises(case.error) as caught:
        pkg.read_manifest(path)
    _check_message(caught.value, path, case)


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_extract_of_a_bad_package_leaves_nothing(built, case: BadCase, tmp_path):
    dest = tmp_path / "course"
    with pytest.raises(case.error):
        pkg.extract_package(built[case.name], dest)
    assert not dest.exists()
    assert list(tmp_path.iterdir()) == []
    assert not (tmp_path.parent / "evil.txt").exists()


def test_every_refusal_is_a_package_error():
    for case in CASES:
        assert issubclass(case.error, pkg.PackageError) and issubclass(case.error, LecternError)
    assert issubclass(pkg.NewerPackageError, NewerFormatError)
    assert issubclass(pkg.InvalidManifestError, ManifestError)
    assert len({case.error for case in CASES}) >= 15


def test_missing_and_folder_packages(tmp_path):
    with pytest.raises(pkg.PackageNotFoundError, match="no such file"):
        pkg.verify_package(tmp_path / "absent.lectern")
    with pytest.raises(pkg.PackageUnreadableError, match="folder"):
        pkg.read_manifest(tmp_path)


def test_limits_can_be_tightened(good):
    with pytest.raises(pkg.ZipBombError, match="in all"):
        pkg.verify_package(good, limits=pkg.Limits(max_total_bytes=10_000))
    with pytest.raises(pkg.ZipBombError, match="members"):
        pkg.read_manifest(good, limits=pkg.Limits(max_members=3))
    with pytest.raises(pkg.ManifestTooLargeError):
        pkg.read_manifest(good, limits=pkg.Limits(max_manifest_bytes=100))


def test_verify_reports_progress_and_can_be_cancelled(good):
    state = JobState()
    pkg.verify_package(good, state=state)
    assert state.progress == 1.0
    with pytest.raises(Cancelled, match="Verifying good.lectern"):
        pkg.verify_package(good, state=_CancelAfter(2))


def test_cancelled_extract_leaves_nothing(good, tmp_path):
    dest = tmp_path / "out" / "course"
    with pytest.raises(Cancelled):
        pkg.extract_package(good, dest, state=_CancelAfter(4))
    assert not dest.exists() and list(dest.parent.iterdir()) == []


def test_extract_refuses_an_existing_folder_unless_replacing(good, tmp_path):
    dest = tmp_path / "course"
    dest.mkdir()
    (dest / "old.txt").write_text("old")
    with pytest.raises(pkg.DestinationExistsError, match="already exists"):
        pkg.extract_package(good, dest)
    assert (dest / "old.txt").exists()
    manifest = pkg.extract_package(good, dest, replace=True)
    assert not (dest / "old.txt").exists()
    assert (dest / manifest.lessons[0].video).is_file()
    assert _leftovers(tmp_path) == []


def test_failed_replace_keeps_the_old_folder(built, good, tmp_path):
    dest = tmp_path / "course"
    pkg.extract_package(good, dest)
    before = sorted(p.relative_to(dest) for p in dest.rglob("*"))
    with pytest.raises(pkg.ChecksumError):
        pkg.extract_package(built["tampered-member"], dest, replace=True)
    assert sorted(p.relative_to(dest) for p in dest.rglob("*")) == before
    assert _leftovers(tmp_path) == []


def test_read_member(good, tmp_path):
    manifest = pkg.read_manifest(good)
    text = pkg.read_member_text(good, manifest.lessons[0].transcript)
    assert len(json.loads(text)["segments"]) == 40
    assert pkg.read_member(good, VIDEO) == dict(bad_packages.read_members(good)[1])[VIDEO]
    with pytest.raises(pkg.MissingMemberError, match="nope.json"):
        pkg.read_member(good, "lessons/intro/nope.json")
    with pytest.raises(pkg.MemberTooLargeError, match="extract"):
        pkg.read_member(good, VIDEO, max_bytes=100)
    tampered = bad_packages.tampered_member(good, tmp_path / "t.lectern")
    assert pkg.read_member(tampered, TRANSCRIPT)  # other members still readable
    with pytest.raises(pkg.ChecksumError):
        pkg.read_member(tampered, VIDEO)


def test_package_summary(good):
    summary = pkg.package_summary(pkg.read_manifest(good))
    assert summary["title"] == "Biology 101" and summary["version"] == 2
    assert summary["lesson_count"] == 2
    assert [lesson["duration_ms"] for lesson in summary["lessons"]] == [61250, 122500]
    assert summary["total_duration_ms"] == 183750
    assert summary["total_duration"] == "0:03:03"
    assert summary["lessons"][0]["languages"] == ["en", "de"]
    json.dumps(summary)  # ready for --json


def test_package_written_elsewhere_is_still_readable(good, tmp_path):
    copy = tmp_path / "copy" / "course.lectern"
    copy.parent.mkdir()
    shutil.copyfile(good, copy)
    assert pkg.verify_package(copy) == pkg.verify_package(good)


def test_two_inputs_for_one_member_are_refused(sources, tmp_path):
    course, lessons, _ = sources
    clash = dataclasses.replace(lessons[0], chapters_vtt=lessons[0].chapters)  # both .json
    with pytest.raises(pkg.PackageInputError, match="would both be stored as"):
        pkg.write_package(course, [clash], tmp_path / "c.lectern")
