"""A damaged or read-only library from the learner's side: the CLI and the window say so."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

from shared.library import DB_NAME, Library
from tests.player.test_cli import lectern_player
from tests.shared import bad_packages


@pytest.fixture
def damaged(tmp_path) -> Path:
    """A library with one course whose database was overwritten with garbage after a backup."""
    package = bad_packages.make_good_package(tmp_path / "course")
    root = tmp_path / "library"
    with Library.open(root) as library:
        library.import_course(package)
        library.add_note("bio-101", "intro", 3.0, "kept in the backup")
    with open(root / DB_NAME, "r+b") as handle:
        handle.write(os.urandom(4096))
    return root


def test_commands_heal_a_damaged_library_and_say_so_once(damaged):
    result = lectern_player(damaged, "list")
    assert result.returncode == 0, result.stderr
    assert "bio-101" in result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("lectern-player: Your library was damaged")
    assert "restored from the backup" in lines[0]
    again = lectern_player(damaged, "list")
    assert again.returncode == 0 and again.stderr == ""  # healed: nothing more to say


def test_repair_on_request(damaged):
    healed = lectern_player(damaged, "repair")
    assert healed.returncode == 0, healed.stderr
    assert healed.stdout.startswith("Your library was damaged")
    sound = lectern_player(damaged, "repair")
    assert sound.returncode == 0
    assert sound.stdout.strip() == "The library is sound (1 course); nothing needed repair."


def test_damage_found_while_a_command_runs_is_one_sentence_about_repair(tmp_path):
    package = bad_packages.make_good_package(tmp_path / "course")
    root = tmp_path / "library"
    with Library.open(root) as library:
        library.import_course(package)
    conn = sqlite3.connect(root / DB_NAME)
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    root_page = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'courses'").fetchone()
    conn.close()
    with open(root / DB_NAME, "r+b") as handle:  # the courses table's page, header intact
        handle.seek((root_page[0] - 1) * page_size)
        handle.write(b"\xee" * page_size)
    result = lectern_player(root, "list")
    assert result.returncode == 1, (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "lectern-player repair" in lines[0]
    assert "unexpected" not in lines[0]
    assert lectern_player(root, "repair").returncode == 0
    listed = lectern_player(root, "list")
    assert listed.returncode == 0 and "bio-101" in listed.stdout


def test_the_window_shows_what_opening_a_damaged_library_did(open_window, damaged):
    window = open_window(damaged)
    assert window.notice_bar is not None and window.notice_bar.isVisible()
    text = window.notice_label.text()
    assert text.startswith("Your library was damaged") and text == window.library.notice
    assert [card.course.id for card in window.library_view.course_cards()] == ["bio-101"]


def test_the_window_of_a_sound_library_has_no_banner(open_window, tmp_path):
    root = tmp_path / "library"
    Library.open(root).close()
    window = open_window(root)
    assert window.notice_bar is None
