"""`lectern-player COURSE.lectern`: verify and summarize, run as a person would."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.shared import bad_packages


def player(*args: str | Path) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "player.cli", *map(str, args)]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def good(tmp_path_factory) -> Path:
    return bad_packages.make_good_package(tmp_path_factory.mktemp("course"))


def test_summary_lists_lessons_and_first_lines(good: Path):
    result = player(good, "--lines", "2")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Biology 101  by Dr. Green")
    assert "2 lesson(s), 3:04 in all" in result.stdout
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
