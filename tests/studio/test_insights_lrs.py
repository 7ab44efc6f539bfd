"""Insights read from a real Learning Record Store (Ralph on loopback, tests/lrs.py).

A class's statements are sent to the LRS, among those of another course; `lectern-studio
insights --lrs` must find the same numbers as from the progress files themselves, ask
only for the course's own activities, and refuse an LRS it cannot read in one sentence
while the files named beside it still count.
"""

from __future__ import annotations

import json
import urllib.parse
from pathlib import Path

import pytest

from shared import xapi
from shared.insights import read_statements
from shared.lrs import Endpoint, send_statements
from tests.course_packages import studio
from tests.lrs import lrs, lrs_unreachable_url  # noqa: F401 - the fixture
from tests.studio.insights_course import NOW_MS, make_course, make_progress

OTHER_COURSE = "another-course"


@pytest.fixture(scope="module")
def course(tmp_path_factory, lrs) -> tuple[Path, Path, Path, int]:  # noqa: F811
    root = tmp_path_factory.mktemp("insights-lrs")
    made = make_course(root / "course")
    progress = make_progress(root / "progress", made.id, learners=24, seed=3)
    statements = [s for path in sorted(progress.iterdir()) for s in read_statements(path)]
    other = [
        xapi.played(xapi.actor(f"o{n}"), xapi.lesson_activity(OTHER_COURSE, "l1"), "L", 0, 30,
                    at_ms=NOW_MS)
        for n in range(7)
    ]  # fmt: skip
    endpoint = Endpoint(lrs.url, lrs.user, lrs.key)
    for start in range(0, len(statements), 100):
        send_statements(endpoint, statements[start : start + 100])
    send_statements(endpoint, other)
    return made.folder, progress, root / "config", len(statements)


def _lrs_name(url: str) -> str:
    return f"the LRS at {urllib.parse.urlsplit(url).netloc}"


def test_the_lrs_gives_the_same_insights_as_the_files(course, lrs):  # noqa: F811
    folder, progress, config, sent = course
    from_files = json.loads(studio("insights", folder, progress, "--json", config=config).stdout)
    result = studio(
        "insights", folder, "--lrs", lrs.url, "--lrs-user", lrs.user, "--lrs-key", "-", "--json",
        config=config, input=lrs.key + "\n",
    )  # fmt: skip
    from_lrs = json.loads(result.stdout)
    assert from_lrs["lessons"] == from_files["lessons"]
    assert from_lrs["learners"] == from_files["learners"] == 24
    # Only the course's activities were asked for: the other course never came.
    assert from_lrs["files"] == [
        {"name": _lrs_name(lrs.url), "statements": sent, "refused": None, "future": 0, "other": 0}
    ]
    assert result.stderr == ""


def test_wrong_credentials_are_refused_in_one_sentence(course, lrs):  # noqa: F811
    folder, _progress, config, _sent = course
    result = studio(
        "insights", folder, "--lrs", lrs.url, "--lrs-user", lrs.user, "--lrs-key", "wrong",
        config=config, check=False,
    )  # fmt: skip
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 2, lines
    assert lines[0].startswith(f"{_lrs_name(lrs.url)} was not read: ")
    assert "credentials" in lines[0] or "refused" in lines[0], lines[0]
    assert lines[1].startswith("lectern-studio: error: No progress was imported")
    assert result.stdout == ""


def test_an_unreachable_lrs_loses_nothing_the_files_give(course):
    folder, progress, config, _sent = course
    address = lrs_unreachable_url()
    result = studio("insights", folder, progress, "--lrs", address, "--json", config=config)
    data = json.loads(result.stdout)
    assert data["learners"] == 24  # the files still count
    refused = [f for f in data["files"] if f["refused"]]
    assert [f["name"] for f in refused] == [_lrs_name(address)]
    assert result.stderr.strip().splitlines() == [refused[0]["refused"]]


def test_nothing_to_read_and_a_bad_address_are_usage_errors(course):
    folder, _progress, config, _sent = course
    none = studio("insights", folder, config=config, check=False)
    assert none.returncode == 2
    assert "name progress files or folders, or an lrs" in none.stderr.lower()
    bad = studio("insights", folder, "--lrs", "lrs.example.org", config=config, check=False)
    assert bad.returncode == 2
    assert "is not an LRS address" in bad.stderr
