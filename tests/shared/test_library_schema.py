"""The library's migrations, applied from every earlier schema version on real SQLite files."""

from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path

import pytest
import sqlite_utils

from shared.library import Library, NewerLibraryError, schema
from tests.shared.test_library import make_package


def _schema_sql(path: Path) -> set[tuple[str, str]]:
    conn = sqlite3.connect(path)
    try:
        rows = conn.execute("SELECT name, sql FROM sqlite_master WHERE sql IS NOT NULL").fetchall()
    finally:
        conn.close()
    return set(rows)


def _at_version(path: Path, count: int) -> None:
    """A database that has had only the first ``count`` migrations."""
    conn = sqlite3.connect(path, isolation_level=None)
    db = sqlite_utils.Database(conn)
    stamps = iter(range(1, 1000))

    @contextlib.contextmanager
    def atomic():
        with db.atomic():
            yield db

    original = schema.MIGRATIONS
    try:
        schema.MIGRATIONS = original[:count]
        applied = schema.migrate(db, path, atomic, lambda: next(stamps))
    finally:
        schema.MIGRATIONS = original
        conn.close()
    assert applied == [name for name, _ in original[:count]]


@pytest.mark.parametrize("count", range(len(schema.MIGRATIONS) + 1))
def test_every_earlier_schema_version_migrates_to_the_current_one(tmp_path, count):
    fresh = tmp_path / "fresh"
    Library.open(fresh).close()
    old = tmp_path / "old"
    old.mkdir()
    _at_version(old / schema.DB_NAME, count)
    with Library.open(old) as library:
        # An older library is migrated, not taken for a damaged one and set aside.
        assert library.report.damage is None, library.report.damage
        names = [row[0] for row in library.db.execute("SELECT name FROM migrations")]
        assert schema.missing_tables(library.db) == []
    assert names == [name for name, _ in schema.MIGRATIONS]
    assert _schema_sql(old / schema.DB_NAME) == _schema_sql(fresh / schema.DB_NAME)


def test_migration_names_are_unique_and_ordered():
    names = [name for name, _ in schema.MIGRATIONS]
    assert len(set(names)) == len(names)
    assert names == sorted(names)


def test_a_library_from_a_newer_lectern_is_refused_and_left_alone(tmp_path):
    Library.open(tmp_path).close()
    conn = sqlite3.connect(tmp_path / schema.DB_NAME)
    with conn:
        conn.execute("INSERT INTO migrations (name, applied_ms) VALUES ('9999_future', 1)")
    conn.close()
    before = (tmp_path / schema.DB_NAME).read_bytes()
    with pytest.raises(NewerLibraryError, match="newer Lectern"):
        Library.open(tmp_path)
    assert (tmp_path / schema.DB_NAME).read_bytes() == before


def test_stemmed_search_indexes_what_an_older_library_already_holds(tmp_path):
    with Library.open(tmp_path) as library:
        library.import_course(make_package(tmp_path / "packages"))
    conn = sqlite3.connect(tmp_path / schema.DB_NAME)
    with conn:  # back to the indexes of 0001_initial, as a library made before 0003 has them
        for table in ("segments", "labels"):
            for trigger in ("ai", "ad", "au"):
                conn.execute(f"DROP TRIGGER {table}_{trigger}")
            conn.execute(f"DROP TABLE {table}_vocab")
            conn.execute(f"DROP TABLE {table}_fts")
            for statement in schema._fts_statements(table):
                conn.execute(statement)
            conn.execute(f"INSERT INTO {table}_fts({table}_fts) VALUES ('rebuild')")
        conn.execute("DELETE FROM migrations WHERE name = '0003_stemmed_search'")
    old = conn.execute("SELECT rowid FROM segments_fts WHERE segments_fts MATCH 'membranes'")
    assert old.fetchall() == []  # unstemmed: "membranes" is not "membrane"
    conn.close()
    with Library.open(tmp_path) as library:
        assert library.db["migrations"].count == len(schema.MIGRATIONS)
        (stemmed,) = library.search("membranes cell")
        assert (stemmed.lesson_id, stemmed.time, stemmed.approximate) == ("intro", 10.0, False)
        (close,) = library.search("membrana cells")
        assert close.approximate and close.time == 10.0


def test_courses_installed_before_slide_text_was_kept_get_it_from_their_files(tmp_path):
    with Library.open(tmp_path) as library:
        library.import_course(make_package(tmp_path / "packages"))
        library.import_course(make_package(tmp_path / "packages", course_id="old", slides=False))
    conn = sqlite3.connect(tmp_path / schema.DB_NAME)
    with conn:  # back to a library made before 0004: no slide text in the database
        for trigger in ("ai", "ad", "au"):
            conn.execute(f"DROP TRIGGER slide_text_{trigger}")
        for table in ("slide_text_vocab", "slide_text_fts", "slide_text"):
            conn.execute(f"DROP TABLE {table}")
        conn.execute("ALTER TABLE lessons DROP COLUMN slides")
        conn.execute("DELETE FROM migrations WHERE name = '0004_slide_text'")
    conn.close()
    with Library.open(tmp_path) as library:
        assert library.db["migrations"].count == len(schema.MIGRATIONS)
        # The installed package's slides.json is read back: its words are found again.
        hits = library.search("osmosis")
        assert sorted((h.kind, h.lesson_id, h.time) for h in hits) == [
            ("slide", "intro", 41.5),
            ("slide", "week-2", 41.5),
        ]
        assert library.slides("bio-101", "intro")[1].title
        assert library.slides("old", "intro") == []  # its package had no slide text
    with Library.open(tmp_path) as library:  # done once: a second open adds nothing
        assert len(library.search("osmosis")) == 2
