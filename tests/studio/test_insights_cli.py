"""`lectern-studio insights`: the real CLI in its own process on a course folder and a
class's progress files (Lectern's own, another player's, an LRS page) with bad files
among them."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pytest

from shared import xapi
from tests.course_packages import studio
from tests.studio.insights_course import (
    LESSONS,
    NOW_MS,
    add_bad_files,
    make_course,
    make_progress,
)


@pytest.fixture(scope="module")
def course(tmp_path_factory) -> tuple[Path, Path, Path]:
    root = tmp_path_factory.mktemp("insights")
    made = make_course(root / "course")
    progress = make_progress(root / "progress", made.id)
    add_bad_files(progress, made.id)
    return made.folder, progress, root / "config"


def test_a_folder_reads_with_bad_files_refused_in_one_sentence_each(course):
    folder, progress, config = course
    result = studio("insights", folder, progress, config=config)
    errors = result.stderr.strip().splitlines()
    assert errors == [
        "broken.json was not imported: it ends in the middle of a statement (the file is "
        "cut short).",
        "other-course.json was not imported: none of its statements is about a lesson of "
        "the course 'Biology 101' (it is progress of another course).",
    ]
    out = result.stdout
    assert out.startswith("Biology 101: 40 learner(s), ")
    assert "duplicate(s) counted once" in out  # learner-00-again.json
    assert "Photosynthesis (3:00): 40 learner(s)" in out
    assert "chapter 1:00 The Calvin cycle:" in out
    assert "question at 1:00 'Where do the light reactions happen?'" in out
    assert "Thylakoids (right)" in out
    assert "re-watched around 1:0" in out or "re-watched around 1:1" in out


def test_json_has_the_numbers_per_second_and_each_file(course):
    folder, progress, config = course
    data = json.loads(studio("insights", folder, progress, "--json", config=config).stdout)
    assert data["learners"] == 40
    files = {f["name"]: f for f in data["files"]}
    assert files["broken.json"]["refused"].startswith("broken.json was not imported")
    assert files["learner-00.json"]["refused"] is None
    photosynthesis = data["lessons"][0]
    assert len(photosynthesis["viewers"]) == 180
    assert photosynthesis["viewers"][0] == 40  # everyone starts at the start
    assert max(photosynthesis["plays"][60:75]) > max(photosynthesis["viewers"][60:75])
    assert photosynthesis["still_watching"] == sorted(photosynthesis["still_watching"])[::-1]
    where = photosynthesis["questions"][0]
    assert [o["label"] for o in where["options"]] == ["Thylakoids", "Stroma", "Nucleus"]
    assert sum(o["count"] for o in where["options"]) == where["answers"]
    assert where["first_correct"] <= where["eventually_correct"] <= where["learners"]


def test_csv_to_stdout_and_to_a_file(course, tmp_path):
    folder, progress, config = course
    printed = studio("insights", folder, progress, "--csv", config=config).stdout
    rows = list(csv.reader(io.StringIO(printed)))
    assert rows[0] == ["lesson", "measure", "at_seconds", "item", "value"]
    assert ["Photosynthesis", "viewers", "0", "", "40"] in rows
    assert {r[1] for r in rows[1:]} >= {
        "viewers",
        "plays",
        "still_watching",
        "chapter_completed",
        "answer_count",
        "question_first_try_correct",
    }
    out = tmp_path / "insights.csv"
    studio("insights", folder, progress, "-o", out, config=config)
    assert out.read_text(encoding="utf-8-sig") == printed
    again = studio("insights", folder, progress, "-o", out, config=config, check=False)
    assert again.returncode == 1 and "--force" in again.stderr


def test_an_lrs_export_of_another_players_statements_counts(course, tmp_path):
    """A JSON-lines LRS export, using only played-segments, progress and length."""
    folder, _progress, config = course
    uid = LESSONS[1][1]
    course_id = json.loads((folder / "course.json").read_text())["id"]
    lines = []
    for n in range(3):
        lines.append(
            {
                "id": f"00000000-0000-4000-8000-00000000000{n}",
                "actor": {"account": {"homePage": "https://lms.example.org", "name": f"s{n}"}},
                "verb": {"id": "http://adlnet.gov/expapi/verbs/terminated"},
                "object": {"id": xapi.lesson_activity(course_id, uid)},
                "timestamp": "2026-04-01T09:00:00Z",
                "result": {"extensions": {xapi.EXT["played-segments"]: "0[.]30[,]20[.]30"}},
                "context": {"extensions": {xapi.EXT["length"]: 120}},
            }
        )
    export = tmp_path / "lrs.jsonl"
    export.write_text("\n".join(json.dumps(line) for line in lines))
    data = json.loads(studio("insights", folder, export, "--json", config=config).stdout)
    respiration = data["lessons"][1]
    assert respiration["learners"] == 3
    assert respiration["viewers"][25] == 3 and respiration["plays"][25] == 6
    assert respiration["viewers"][31] == 0 and data["lessons"][0]["learners"] == 0


def test_nothing_usable_is_one_sentence_and_exit_1(course, tmp_path):
    folder, progress, config = course
    only_bad = tmp_path / "bad"
    only_bad.mkdir()
    shutil.copy(progress / "broken.json", only_bad)
    future = xapi.played(
        xapi.actor("x"),
        xapi.lesson_activity(json.loads((folder / "course.json").read_text())["id"], "respiration"),
        "R",
        0,
        10,
        at_ms=NOW_MS * 2,
    )
    (only_bad / "future.json").write_text(json.dumps([future]))
    result = studio("insights", folder, only_bad, config=config, check=False)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "broken.json was not imported: it ends in the middle of a statement (the file is "
        "cut short).",
        "future.json was not imported: all its statements are dated in the future.",
        "lectern-studio: error: No progress was imported: every file was refused (see above); export the progress "
        "again with lectern-player export-progress.",
    ]
    not_course = studio("insights", tmp_path, progress, config=config, check=False)
    assert not_course.returncode == 1
    assert not_course.stderr.strip() == (
        f"lectern-studio: error: {tmp_path} is not a Lectern course folder (it has no course.json); choose the "
        "folder the Studio made for the course."
    )
    assert not (tmp_path / "course.json").exists()  # nothing made where nothing was
