"""A library that heals: backups, the clean-close marker and ten kinds of damage, on real files."""

from __future__ import annotations

import sqlite3

import pytest

from shared.library import DB_NAME, Library, LibraryLockedError
from shared.library.health import KEEP_BACKUPS, MARKER_NAME, backups, diagnose
from tests.shared import library_damage as damage

MOUNT = damage.can_mount()


@pytest.fixture(scope="module")
def pkgs(tmp_path_factory):
    return damage.packages(tmp_path_factory.mktemp("packages"))


@pytest.mark.parametrize("name", sorted(damage.SCENARIOS))
def test_no_course_is_lost_that_a_backup_or_the_course_folders_can_restore(tmp_path, pkgs, name):
    if name in damage.NEEDS_MOUNT and not MOUNT:
        pytest.skip("needs root to mount a tmpfs (read-only or full filesystem)")
    outcome = damage.SCENARIOS[name](tmp_path / "library", pkgs)
    assert outcome.restorable, outcome
    assert outcome.courses == (damage.BIO, damage.CHEM)
    assert outcome.said and outcome.said != "(nothing)", outcome
    assert "\n" not in outcome.said and outcome.said.endswith("."), outcome.said
    if name in ("truncated", "garbage", "zero_bytes", "wrong_schema"):
        assert outcome.said.startswith("Your library was damaged"), outcome.said
        assert "restored from the backup" in outcome.said and "nothing was lost" in outcome.said
        assert outcome.notes == 1  # the backup taken at the clean close holds the note
    if name in ("deleted_media", "deleted_course"):
        assert "import the course package again" in outcome.said
        assert outcome.notes == 1  # notes survive, and re-import repaired the files
    if name == "missing_wal":
        assert outcome.said == (
            "1 course missing from the library index was indexed again from its folder, "
            "and nothing was lost."
        )
    if name == "read_only":
        assert "nothing you do" in outcome.said and "read-only" in outcome.said
    if name == "locked":
        assert "busy" in outcome.said and "try again" in outcome.said
        assert outcome.notes == 2  # the write retried after the lock was released
    if name == "newer_schema":
        assert "newer Lectern" in outcome.said
    if name == "disk_full":
        assert "space" in outcome.said.lower() or "full" in outcome.said.lower(), outcome.said


def test_backups_are_taken_after_an_import_and_at_a_clean_close_and_only_a_few_kept(tmp_path, pkgs):
    root = tmp_path / "library"
    with Library.open(root) as library:
        assert backups(root) == []
        library.import_course(pkgs[damage.BIO])
        assert len(backups(root)) == 1
        assert (root / MARKER_NAME).exists()
    assert not (root / MARKER_NAME).exists()
    assert len(backups(root)) == 1  # nothing changed after the import's backup
    for number in range(KEEP_BACKUPS + 2):
        with Library.open(root) as library:
            library.add_note(damage.BIO, "intro", float(number), f"note {number}")
    kept = backups(root)
    assert len(kept) == KEEP_BACKUPS
    assert diagnose(kept[0], full=True) is None
    with sqlite3.connect(kept[0]) as conn:
        assert conn.execute("SELECT count(*) FROM notes").fetchone()[0] == KEEP_BACKUPS + 2
    with Library.open(root) as library:  # opening and closing without a change: no backup
        library.courses()
    assert backups(root) == kept


def test_an_unclean_close_gets_an_integrity_check_that_finds_damage_in_the_middle(tmp_path, pkgs):
    root = tmp_path / "library"
    damage.build(root, pkgs)
    db = root / DB_NAME
    size = db.stat().st_size
    with open(db, "r+b") as handle:  # damage inside, header intact: only a full check sees it
        handle.seek(size // 2)
        handle.write(b"\xff" * 4096 * 4)
    (root / MARKER_NAME).touch()  # as if the last session crashed
    with Library.open(root) as library:
        assert library.report.damage in (
            "the integrity check failed",
            "SQLite says: database disk image is malformed",
        )
        assert library.report.restored_from is not None
        assert "notes and progress since then may be lost" in library.notice
        assert [c.id for c in library.courses()] == [damage.BIO, damage.CHEM]
    assert any(p.name.startswith("damaged-") for p in (root / "backups").iterdir())


def test_repair_on_request_checks_the_whole_database(tmp_path, pkgs):
    root = tmp_path / "library"
    damage.build(root, pkgs)
    with Library.open(root, repair=True) as library:
        assert library.notice is None
        assert library.report.damage is None


def test_a_zero_byte_database_in_an_empty_folder_is_a_new_library(tmp_path):
    root = tmp_path / "library"
    root.mkdir()
    (root / DB_NAME).write_bytes(b"")
    with Library.open(root) as library:
        assert library.notice is None
        assert library.courses() == []


def test_a_lock_held_too_long_is_one_sentence(tmp_path):
    root = tmp_path / "library"
    Library.open(root).close()
    holder = sqlite3.connect(root / DB_NAME, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with Library.open(root) as library:
            library.lock_timeout = 0.2
            with pytest.raises(LibraryLockedError, match="is busy: another program"):
                library.set_setting("completion_threshold", 0.8)
    finally:
        holder.rollback()
        holder.close()
