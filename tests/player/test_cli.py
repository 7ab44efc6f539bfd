"""`lectern-player COURSE.lectern`: verify and summarize, run as a person would."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.shared import bad_packages


def player(*args: str | Path) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "player.cli", "info", *map(str, args)]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def good(tmp_path_factory) -> Path:
    return bad_packages.make_good_package(tmp_path_factory.mktemp("course"))


def test_summary_lists_lessons_and_first_lines(good: Path):
    result = player(good, "--lines", "2")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Biology 101  by Dr. Green")
    assert "2 lesson(s), 3:03 in all" in result.stdout  # 183.75 s
    assert "1. Lesson 1  [1:01]" in result.stdout and "2. Lesson 2  [2:02]" in result.stdout
    assert "Sentence 1." in result.stdout and "Sentence 2." not in result.stdout


def test_json_summary(good: Path):
    result = player(good, "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert set(data["first_lines"]) == {"intro", "week-2"}


@pytest.mark.parametrize(
    "case", ["tampered-member", "parent-traversal", "newer-major", "zip-bomb-declared"]
)
def test_bad_package_is_one_sentence(good: Path, tmp_path: Path, case: str):
    bad_case = next(c for c in bad_packages.CASES if c.name == case)
    bad = bad_case.build(good, tmp_path / f"{case}.lectern")
    result = player(bad)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr
    assert bad.name in lines[0]


def test_missing_file(tmp_path: Path):
    result = player(tmp_path / "nope.lectern")
    assert result.returncode == 1 and "nope.lectern" in result.stderr


def lectern_player(library: Path, *args: str | Path, stdin: str | None = None):
    cmd = [sys.executable, "-m", "player.cli", "--library", str(library), *map(str, args)]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120, input=stdin)


def test_library_commands_end_to_end(good: Path, tmp_path: Path):
    library = tmp_path / "library"
    result = lectern_player(library, "import", good)
    assert result.returncode == 0, result.stderr
    assert "Imported: 'Biology 101' (bio-101)" in result.stdout
    again = lectern_player(library, "import", good, "--json")
    assert json.loads(again.stdout) == [
        {
            "course_id": "bio-101",
            "title": "Biology 101",
            "action": "unchanged",
            "signed_by": "unsigned",
            "beside": None,
            "orphaned": [],
        }
    ]
    listed = json.loads(lectern_player(library, "list", "--json").stdout)
    assert [c["id"] for c in listed] == ["bio-101"] and listed[0]["lessons"] == 2

    hits = json.loads(lectern_player(library, "search", "sentence", "12", "--json").stdout)
    assert hits[0]["lesson_id"] in {"intro", "week-2"} and hits[0]["time"] == 12.0
    for odd in ['"', "NEAR(", "a OR", "*", "-", "☃", "x" * 500]:
        assert lectern_player(library, "search", odd).returncode == 0

    progress = json.loads(lectern_player(library, "progress", "--json").stdout)
    assert progress[0]["completed_lessons"] == 0

    from shared.library import Library

    with Library.open(library) as lib:
        lib.add_note("bio-101", "intro", 45.0, "Remember the mitochondria")
    notes = tmp_path / "notes.md"
    result = lectern_player(library, "export-notes", "biology", "-o", notes)
    assert result.returncode == 0, result.stderr
    assert "Remember the mitochondria" in notes.read_text(encoding="utf-8")
    assert "0:45" in notes.read_text(encoding="utf-8")

    refused = lectern_player(library, "remove", "bio-101")
    assert refused.returncode == 1 and "--yes" in refused.stderr
    assert lectern_player(library, "remove", "bio-101", "--yes").returncode == 0
    assert json.loads(lectern_player(library, "list", "--json").stdout) == []


def test_unknown_course_and_bad_import_are_one_sentence(good: Path, tmp_path: Path):
    library = tmp_path / "library"
    result = lectern_player(library, "export-notes", "nothing", "-o", tmp_path / "n.md")
    assert result.returncode == 1 and "No course 'nothing'" in result.stderr
    bad_case = next(c for c in bad_packages.CASES if c.name == "tampered-member")
    bad = bad_case.build(good, tmp_path / "bad.lectern")
    result = lectern_player(library, "import", bad)
    assert result.returncode == 1 and "bad.lectern" in result.stderr
    assert "Traceback" not in result.stderr


def test_window_without_a_screen_is_one_sentence(tmp_path: Path):
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"}
    }
    cmd = [sys.executable, "-m", "player.cli", "--library", str(tmp_path / "library")]
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=60, env=env)
    assert result.returncode == 1, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "no screen" in lines[0], result.stderr


@pytest.mark.parametrize("limit", ["1e20", "-1", "0", "99999999999999999999999", "ten"])
def test_search_limit_out_of_range_is_a_usage_error(tmp_path: Path, limit: str):
    result = lectern_player(tmp_path / "library", "search", "cell", "--limit", limit)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "--limit" in result.stderr.splitlines()[-1]
    assert not (tmp_path / "library").exists()  # refused before the library is opened
