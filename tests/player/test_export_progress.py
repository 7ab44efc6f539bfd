"""`lectern-player export-progress`: a course's progress as xAPI Video Profile statements.

A real package with questions is imported into a real library; the learner watches
parts of a lesson and answers its questions (through the library, as the Player does);
the real CLI writes the statements in a child process.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from shared import xapi
from shared.library import Library
from tests.shared.test_checkpoints_library import _package


def _export(root: Path, out: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "player.cli",
            "--library",
            str(root),
            "export-progress",
            "Biology 101",
            "-o",
            str(out),
            *extra,
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_progress_is_exported_as_video_profile_statements_with_stable_ids(tmp_path):
    package = _package(tmp_path / "course")
    root = tmp_path / "library"
    with Library.open(root) as library:
        course = library.import_course(package).course_id
        questions = library.checkpoints.of(course, "intro")
        library.add_watched(course, "intro", 0, 30)
        library.add_watched(course, "intro", 40, 61.25)
        library.checkpoints.answer(course, "intro", questions[0], 1)
        library.checkpoints.answer(course, "intro", questions[0], 0)
        library.checkpoints.answer(course, "intro", questions[1], "3.14")
        learner = library.activity.learner_id()
    out = tmp_path / "progress.json"
    result = _export(root, out)
    assert result.returncode == 0, result.stderr
    assert "Wrote 5 xAPI statement(s)" in result.stdout
    statements = json.loads(out.read_text(encoding="utf-8"))
    verbs = [s["verb"]["id"].rsplit("/", 1)[-1] for s in statements]
    # 80 % watched; each attempt at a question is its own statement, in order.
    assert sorted(verbs) == ["answered", "answered", "answered", "played", "played"]
    tries = [
        s["result"]
        for s in statements
        if "answered" in s["verb"]["id"] and s["object"]["id"].endswith(":where")
    ]
    assert tries == [{"success": False, "response": "1"}, {"success": True, "response": "0"}]
    played = [s for s in statements if s["verb"]["id"] == xapi.VERBS["played"]]
    assert [s["result"]["extensions"][xapi.EXT["time-from"]] for s in played] == [0.0, 40.0]
    assert {s["object"]["id"] for s in played} == {f"urn:lectern:course:{course}:lesson:intro"}
    answered = {
        s["object"]["id"].rsplit(":", 1)[-1]: s for s in statements if "answered" in s["verb"]["id"]
    }
    assert answered["where"]["result"] == {"success": True, "response": "0"}
    assert answered["where"]["object"]["definition"]["interactionType"] == "choice"
    assert answered["pi"]["object"]["definition"]["interactionType"] == "numeric"
    for statement in statements:  # pseudonymous: a random id, no name, no e-mail
        assert statement["actor"] == {
            "objectType": "Agent",
            "account": {"homePage": "urn:lectern", "name": learner},
        }
    again = tmp_path / "again.json"
    assert _export(root, again).returncode == 0
    assert [s["id"] for s in json.loads(again.read_text())] == [s["id"] for s in statements]

    with Library.open(root) as library:  # watching the rest completes the lesson
        library.add_watched(course, "intro", 30, 40)
    done = tmp_path / "done.json"
    assert _export(root, done, "--email", "ann@example.org").returncode == 0
    later = json.loads(done.read_text(encoding="utf-8"))
    (completed,) = [s for s in later if s["verb"]["id"] == xapi.VERBS["completed"]]
    assert completed["result"]["extensions"][xapi.EXT["progress"]] == 1.0
    assert completed["result"]["extensions"][xapi.EXT["played-segments"]] == "0.000[.]61.250"
    assert completed["actor"] == {"objectType": "Agent", "mbox": "mailto:ann@example.org"}


def test_an_existing_file_and_an_unknown_course_are_one_sentence(tmp_path):
    package = _package(tmp_path / "course")
    root = tmp_path / "library"
    with Library.open(root) as library:
        library.import_course(package)
    out = tmp_path / "taken.json"
    out.write_text("keep me", encoding="utf-8")
    result = _export(root, out)
    assert result.returncode != 0 and out.read_text(encoding="utf-8") == "keep me"
    assert len(result.stderr.strip().splitlines()) == 1
    missing = subprocess.run(
        [
            sys.executable,
            "-m",
            "player.cli",
            "--library",
            str(root),
            "export-progress",
            "Chemistry",
            "-o",
            str(tmp_path / "x.json"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert missing.returncode != 0 and "No course 'Chemistry'" in missing.stderr
