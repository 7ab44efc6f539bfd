"""`lectern-studio checkpoints`: import banks into a real lesson, list them, package them.

Every command runs the real CLI in its own process on a lesson built by ``build``.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from shared.package import read_manifest, read_member
from tests.course_packages import build_lesson, lesson_json, package, silent_video, studio

BANKS = Path(__file__).resolve().parents[1] / "shared" / "banks"


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("cli")
    video = silent_video(shutil.which("ffmpeg") or "ffmpeg", folder / "v.mp4", 8.0)
    config = folder / "config"
    return build_lesson(video, folder / "lesson", "Leaves", config=config), config


@pytest.fixture
def lesson(built, tmp_path) -> tuple[Path, Path]:
    folder = tmp_path / "lesson"
    shutil.copytree(built[0], folder)
    return folder, built[1]


def test_import_names_what_it_skips_and_list_shows_the_rest(lesson):
    folder, config = lesson
    result = studio(
        "checkpoints",
        folder,
        "import",
        BANKS / "moodle-sample.gift",
        "--at",
        "3.5",
        "--required",
        config=config,
    )
    assert "12 question(s) added, 3 skipped; the lesson has 12." in result.stdout
    assert "skipped: “Matching pairs” was not imported: matching questions" in result.stdout
    assert "skipped: “Essay” was not imported: essay questions" in result.stdout
    aiken = studio(
        "checkpoints",
        folder,
        "import",
        BANKS / "moodle-sample-aiken.txt",
        "--after-chapter",
        "1",
        "--json",
        config=config,
    )
    data = json.loads(aiken.stdout)
    assert [item["placement"] for item in data["added"]] == ["after chapter 1"] * 2
    assert len(data["skipped"]) == 2 and data["total"] == 14
    listed = json.loads(studio("checkpoints", folder, "list", "--json", config=config).stdout)
    assert len(listed) == 14
    assert listed[0]["name"] == "Light reactions" and listed[0]["at"] == 3.5
    assert listed[0]["required"] and not listed[-1]["required"]
    text = studio("checkpoints", folder, "list", config=config).stdout.splitlines()
    assert text[0].split()[1:3] == ["at", "0:03"] and text[0].endswith("required")
    assert lesson_json(folder)["checkpoints"] == "checkpoints.json"


def test_questions_travel_in_the_package_and_survive_a_rebuild(lesson, tmp_path):
    folder, config = lesson
    studio("checkpoints", folder, "import", BANKS / "moodle-sample-aiken.txt", config=config)
    out = tmp_path / "course.lectern"
    package([folder], out, config=config)
    manifest = read_manifest(out)
    assert manifest.format_version == "1.3"
    member = manifest.lessons[0].checkpoints
    assert json.loads(read_member(out, member))["checkpoints"][0]["kind"] == "single"
    video = silent_video(shutil.which("ffmpeg") or "ffmpeg", tmp_path / "v2.mp4", 8.0)
    build_lesson(video, folder, "Leaves", config=config, force=True)
    listed = json.loads(studio("checkpoints", folder, "list", "--json", config=config).stdout)
    assert len(listed) == 2


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["import", "missing.gift"], "does not exist"),
        (["import", "{bank}", "--at", "99"], "99 s is outside the lesson"),
        (["import", "{bank}", "--after-chapter", "7"], "There is no chapter 7"),
        (["import", "{binary}"], "is not UTF-8 text"),
    ],
)
def test_bad_input_is_one_sentence_and_changes_nothing(lesson, tmp_path, args, words):
    folder, config = lesson
    binary = tmp_path / "b.gift"
    binary.write_bytes(b"\xff\x00\xfe")
    argv = [a.format(bank=BANKS / "moodle-sample.gift", binary=binary) for a in args]
    result = studio("checkpoints", folder, *argv, config=config, check=False)
    assert result.returncode != 0 and words in result.stderr
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert "checkpoints" not in lesson_json(folder) or lesson_json(folder)["checkpoints"] is None


def test_an_edited_lesson_packages_its_questions_on_the_edited_timeline(lesson, tmp_path):
    from shared.checkpoints import SHORT, Accepted, Checkpoint
    from shared.workspace import LessonWorkspace
    from studio.editing import Cut, EditSession

    folder, config = lesson
    answer = (Accepted(text="x"),)
    questions = [
        Checkpoint("after", SHORT, "After the cut?", accepted=answer, at=6.0),
        Checkpoint("inside", SHORT, "Inside the cut?", accepted=answer, at=3.0),
        Checkpoint("end", SHORT, "At the end?", accepted=answer),
    ]
    LessonWorkspace.open(folder).save_checkpoints(questions)
    session = EditSession.open(folder)
    session.apply(Cut(2.0, 4.0))
    assert session.edited and session.state.checkpoints == tuple(questions)
    out = tmp_path / "edited.lectern"
    package([folder], out, config=config)
    lesson_entry = read_manifest(out).lessons[0]
    assert lesson_entry.duration == pytest.approx(6.0, abs=0.1)
    stored = json.loads(read_member(out, lesson_entry.checkpoints))["checkpoints"]
    at = {item["id"]: item.get("at") for item in stored}
    assert at["after"] == pytest.approx(4.0, abs=1e-3)  # two seconds earlier
    assert at["inside"] == pytest.approx(2.0, abs=1e-3)  # where the video goes on
    assert at["end"] is None  # still "at the end"
    # The lesson folder keeps the questions on the original timeline.
    assert [q.at for q in LessonWorkspace.open(folder).checkpoints()] == [6.0, 3.0, None]
