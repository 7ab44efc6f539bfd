"""The library's migrations, applied from every earlier schema version on real SQLite files."""

from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path

import pytest
import sqlite_utils

from shared.library import Library, NewerLibraryError, schema


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
