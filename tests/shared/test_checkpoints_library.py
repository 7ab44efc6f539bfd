"""Checkpoints travel in the package (format 1.3) and into the learner's library.

Real packages written by the package writer, read back, verified and imported into a
real SQLite library: answers, attempts and times are kept across reopening and course
updates, the review brings wrong answers back after 1, 3 and 7 days, and a lesson is
complete only when it is watched to the threshold and every required question is
answered. Older packages (1.0, 1.1, 1.2) still open.
"""

from __future__ import annotations

import dataclasses
import json
import zipfile
from pathlib import Path

import pytest

from shared import contents
from shared import package as pkg
from shared.checkpoints import SHORT, SINGLE, Accepted, Checkpoint, Choice, save_checkpoints
from shared.checkpoints.review import DAY_MS
from shared.library import Library
from shared.library.errors import CheckpointsUnreadableError
from shared.manifest import FORMAT_VERSION, Manifest
from shared.signing import SigningKey
from tests.shared import bad_packages

QUESTIONS = (
    Checkpoint(
        "where",
        SINGLE,
        "Where do the light reactions happen?",
        choices=(Choice("Thylakoids", True, "Right."), Choice("Stroma", False, "No.")),
        at=20.0,
        required=True,
        rewatch_on_wrong=True,
    ),
    Checkpoint(
        "pi",
        SHORT,
        "Pi to two places?",
        accepted=(Accepted(number=3.14, tolerance=0.005),),
        after_chapter=1,
    ),
)


def _package(
    tmp_path: Path, questions=QUESTIONS, *, version: int = 2, key: SigningKey | None = None
) -> Path:
    course, lessons, cover = bad_packages.make_sources(tmp_path / "sources")
    file = save_checkpoints(tmp_path / "checkpoints.json", questions)
    lessons[0] = dataclasses.replace(lessons[0], checkpoints=file)
    out = tmp_path / "course.lectern"
    course = dataclasses.replace(course, version=version)
    pkg.write_package(course, lessons, out, cover=cover, signing_key=key)
    return out


def _with_format(package: Path, out: Path, version: str) -> Path:
    """The package rewritten as an older format: its manifest says ``version``."""
    with zipfile.ZipFile(package) as old, zipfile.ZipFile(out, "w") as new:
        for info in old.infolist():
            data = old.read(info)
            if info.filename == "manifest.json":
                manifest = json.loads(data)
                manifest["format_version"] = version
                data = Manifest.from_dict(manifest).to_json().encode()
            new.writestr(info, data)
    return out


def test_checkpoints_travel_in_a_format_1_3_package(tmp_path):
    out = _package(tmp_path)
    manifest = pkg.verify_package(out)
    assert manifest.format_version == FORMAT_VERSION == "1.3"
    lesson = manifest.lessons[0]
    assert lesson.checkpoints == "lessons/intro/checkpoints.json"
    assert manifest.lessons[1].checkpoints is None
    data = pkg.read_member(out, lesson.checkpoints)
    assert contents.parse_checkpoints(data, lesson) == QUESTIONS


@pytest.mark.parametrize("version", ["1.0", "1.1", "1.2"])
def test_older_packages_without_checkpoints_still_open(tmp_path, version):
    course, lessons, cover = bad_packages.make_sources(tmp_path / "sources")
    plain = tmp_path / "plain.lectern"
    pkg.write_package(
        course, [dataclasses.replace(x, uid=None) for x in lessons], plain, cover=cover
    )
    old = _with_format(plain, tmp_path / f"old-{version}.lectern", version)
    assert pkg.verify_package(old).format_version == version
    with Library.open(tmp_path / "library") as library:
        result = library.import_course(old)
        lesson_id = library.lessons(result.course_id)[0].id
        assert library.checkpoints.of(result.course_id, lesson_id) == ()
        library.add_watched(result.course_id, lesson_id, 0, 1e6)
        assert library.lesson(result.course_id, lesson_id).completed


def test_a_package_with_broken_checkpoints_is_refused_in_one_sentence(tmp_path):
    broken = dataclasses.replace(QUESTIONS[0], choices=(Choice("a"), Choice("b")))
    out = _package(tmp_path, (broken,))
    with pytest.raises(pkg.InvalidContentError) as caught:
        pkg.verify_package(out)
    message = str(caught.value)
    assert "checkpoints.json" in message and "none of its choices is correct" in message
    assert "\n" not in message


def test_answers_are_kept_and_completion_needs_every_required_answer(tmp_path):
    out = _package(tmp_path)
    root = tmp_path / "library"
    with Library.open(root) as library:
        course = library.import_course(out).course_id
        questions = library.checkpoints.of(course, "intro")
        assert questions == QUESTIONS
        assert library.checkpoints.times(course, "intro") == {"where": 20.0, "pi": 30.0}
        library.add_watched(course, "intro", 0, 61.25)
        assert library.lesson(course, "intro").coverage == 1.0
        assert not library.lesson(course, "intro").completed  # "where" is required
        assert library.checkpoints.open_required(course, "intro") == 1
        wrong = library.checkpoints.answer(course, "intro", questions[0], 1, spent=4.5)
        assert not wrong.correct and wrong.feedback == "No."
        assert library.lesson(course, "intro").completed  # answered, even if wrong
        right = library.checkpoints.answer(course, "intro", questions[0], 0, spent=2.0)
        assert right.correct
        library.checkpoints.answer(course, "intro", questions[1], " 3,141 ", spent=1.0)
    with Library.open(root) as library:
        answers = library.checkpoints.answers(course, "intro")
        assert answers["where"].attempts == 2 and answers["where"].answer == 0
        assert answers["where"].correct and answers["where"].spent == 6.5
        assert answers["pi"].answer == " 3,141 " and answers["pi"].box is None
        assert answers["where"].box == 1  # wrong once: it comes back in the review
        assert library.lesson(course, "intro").completed
        tries = library.checkpoints.attempts(course, "intro")  # every attempt, in order
        assert [(t.number, t.answer, t.correct, t.spent) for t in tries["where"]] == [
            (1, 1, False, 4.5),
            (2, 0, True, 2.0),
        ]
        assert [t.answer for t in tries["pi"]] == [" 3,141 "]


def test_a_library_from_before_attempts_were_kept_keeps_each_last_answer(tmp_path):
    import sqlite3

    from shared.library import schema

    out = _package(tmp_path)
    root = tmp_path / "library"
    with Library.open(root) as library:
        course = library.import_course(out).course_id
        question = library.checkpoints.of(course, "intro")[0]
        library.checkpoints.answer(course, "intro", question, 1, spent=3.0)
        library.checkpoints.answer(course, "intro", question, 0, spent=1.0)
    conn = sqlite3.connect(root / schema.DB_NAME)
    with conn:  # back to a library made before 0007: no attempts table
        conn.execute("DROP TABLE checkpoint_attempts")
        conn.execute("DELETE FROM migrations WHERE name = '0007_checkpoint_attempts'")
    conn.close()
    with Library.open(root) as library:
        assert library.report.damage is None  # an older library, not a damaged one
        assert library.db["migrations"].count == len(schema.MIGRATIONS)
        (last,) = library.checkpoints.attempts(course, "intro")["where"]
        assert (last.number, last.answer, last.correct, last.spent) == (2, 0, True, 4.0)
        library.checkpoints.answer(course, "intro", question, 0, spent=1.0)
        numbers = [t.number for t in library.checkpoints.attempts(course, "intro")["where"]]
        assert numbers == [2, 3]


def test_the_review_brings_wrong_answers_back_after_one_three_and_seven_days(tmp_path):
    out = _package(tmp_path)
    with Library.open(tmp_path / "library") as library:
        course = library.import_course(out).course_id
        question = library.checkpoints.of(course, "intro")[0]
        library.checkpoints.answer(course, "intro", question, 1)
        answered = library.checkpoints.answers(course, "intro")["where"].answered
        start = round(answered.timestamp() * 1000)
        assert library.checkpoints.due(start + DAY_MS - 1000) == []
        (item,) = library.checkpoints.due(start + DAY_MS)
        assert item.checkpoint == question and item.box == 1 and item.time == 20.0
        assert item.explained_at == 0.0  # the chapter "Opening words" starts at 0
        for box, days in ((2, 3), (3, 7)):
            library.checkpoints.answer(course, "intro", question, 0, reviewing=True)
            stored = library.checkpoints.answers(course, "intro")["where"]
            assert stored.box == box
            assert stored.due - stored.answered == (stored.due - stored.answered).__class__(
                days=days
            )
        library.checkpoints.answer(course, "intro", question, 0, reviewing=True)
        assert library.checkpoints.answers(course, "intro")["where"].due is None
        assert library.checkpoints.due(start + 100 * DAY_MS) == []


def test_answers_survive_a_course_update_that_keeps_the_question(tmp_path):
    key = SigningKey.generate()  # an update comes from the same author
    first = _package(tmp_path / "v1", key=key)
    with Library.open(tmp_path / "library") as library:
        course = library.import_course(first).course_id
        question = library.checkpoints.of(course, "intro")[0]
        library.checkpoints.answer(course, "intro", question, 0)
        newer = (QUESTIONS[0], dataclasses.replace(QUESTIONS[1], id="new", required=True))
        update = _package(tmp_path / "v2", newer, version=3, key=key)
        assert library.import_course(update).action == "updated"
        assert set(library.checkpoints.answers(course, "intro")) == {"where"}
        assert library.checkpoints.open_required(course, "intro") == 1  # "new" is open


def test_a_damaged_installed_questions_file_is_one_sentence_and_the_lesson_still_plays(tmp_path):
    out = _package(tmp_path)
    with Library.open(tmp_path / "library") as library:
        course = library.import_course(out).course_id
        question = library.checkpoints.of(course, "intro")[0]
        library.checkpoints.answer(course, "intro", question, 1)
        library.db.execute("UPDATE checkpoint_answers SET due_ms = 0")
        installed = library.courses_dir / course / "lessons" / "intro" / "checkpoints.json"
        installed.write_text("{broken", encoding="utf-8")
        with pytest.raises(CheckpointsUnreadableError) as caught:
            library.checkpoints.of(course, "intro")
        message = str(caught.value)
        assert "import the course again" in message and "\n" not in message
        assert library.checkpoints.due() == []  # its review waits for a sound file
        assert library.lesson(course, "intro").duration == 61.25
