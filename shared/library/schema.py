"""The library's schema: named migrations applied in order when a library opens.

Each migration is a function of the database, recorded by name in the ``migrations``
table when it has run, so each runs once. Append new ones to :data:`MIGRATIONS`; never
rename or reorder them. A database that records a migration this Lectern does not know
was written by a newer Lectern and is refused with :class:`NewerLibraryError`.

Table changes that SQLite's ``ALTER TABLE`` cannot make go through sqlite-utils'
``Table.transform`` (it copies the table inside the migration's transaction). The
search indexes are hand-written FTS5: sqlite-utils' ``enable_fts`` cannot declare the
prefix indexes that keep search-as-you-type fast.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Collection
from pathlib import Path

import sqlite_utils

from shared.library.errors import NewerLibraryError
from shared.library.updates import MIGRATION as SIGNERS_AND_ORPHANS

__all__ = ["DB_NAME", "COURSES_DIR", "MIGRATIONS", "TABLES", "migrate", "missing_tables"]

DB_NAME = "library.db"
COURSES_DIR = "courses"

_SEGMENTS_SCHEMA = (
    """CREATE TABLE courses (
        key INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        version INTEGER NOT NULL,
        title TEXT NOT NULL,
        description TEXT NOT NULL DEFAULT '',
        author TEXT NOT NULL DEFAULT '',
        language TEXT NOT NULL DEFAULT '',
        created TEXT NOT NULL DEFAULT '',
        cover TEXT,
        imported_ms INTEGER NOT NULL,
        opened_ms INTEGER
    )""",
    """CREATE TABLE lessons (
        key INTEGER PRIMARY KEY,
        course_key INTEGER NOT NULL REFERENCES courses(key) ON DELETE CASCADE,
        id TEXT NOT NULL,
        position INTEGER NOT NULL,
        title TEXT NOT NULL,
        duration_ms INTEGER NOT NULL,
        video TEXT NOT NULL,
        presenter_video TEXT,
        poster TEXT,
        transcript TEXT,
        chapters TEXT,
        captions TEXT NOT NULL DEFAULT '{}',
        thumbnails TEXT NOT NULL DEFAULT '[]',
        UNIQUE (course_key, id)
    )""",
    """CREATE TABLE segments (
        id INTEGER PRIMARY KEY,
        lesson_key INTEGER NOT NULL REFERENCES lessons(key) ON DELETE CASCADE,
        start_ms INTEGER NOT NULL,
        end_ms INTEGER NOT NULL,
        text TEXT NOT NULL
    )""",
    "CREATE INDEX segments_lesson ON segments(lesson_key, start_ms)",
    """CREATE TABLE notes (
        id INTEGER PRIMARY KEY,
        lesson_key INTEGER NOT NULL REFERENCES lessons(key) ON DELETE CASCADE,
        kind TEXT NOT NULL CHECK (kind IN ('note', 'bookmark')),
        time_ms INTEGER NOT NULL,
        text TEXT NOT NULL,
        created_ms INTEGER NOT NULL,
        updated_ms INTEGER NOT NULL
    )""",
    "CREATE INDEX notes_lesson ON notes(lesson_key, time_ms)",
    """CREATE TABLE labels (
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL,
        course_key INTEGER NOT NULL REFERENCES courses(key) ON DELETE CASCADE,
        lesson_key INTEGER REFERENCES lessons(key) ON DELETE CASCADE,
        time_ms INTEGER,
        text TEXT NOT NULL,
        note_id INTEGER REFERENCES notes(id) ON DELETE CASCADE
    )""",
    "CREATE INDEX labels_course ON labels(course_key)",
    "CREATE INDEX labels_lesson ON labels(lesson_key)",
    "CREATE INDEX labels_note ON labels(note_id)",
    """CREATE TABLE progress (
        lesson_key INTEGER PRIMARY KEY REFERENCES lessons(key) ON DELETE CASCADE,
        position_ms INTEGER NOT NULL DEFAULT 0,
        marked INTEGER,
        played_ms INTEGER
    )""",
    "CREATE INDEX progress_played ON progress(played_ms)",
    """CREATE TABLE watched (
        lesson_key INTEGER NOT NULL REFERENCES lessons(key) ON DELETE CASCADE,
        start_ms INTEGER NOT NULL,
        end_ms INTEGER NOT NULL,
        PRIMARY KEY (lesson_key, start_ms)
    ) WITHOUT ROWID""",
    "CREATE TABLE settings (name TEXT PRIMARY KEY, value TEXT NOT NULL)",
)


def _fts_statements(table: str, tokenize: str = "unicode61 remove_diacritics 2") -> tuple[str, ...]:
    """An external-content FTS5 index over ``table(text)`` kept in sync by triggers."""
    fts = f"{table}_fts"
    return (
        f"CREATE VIRTUAL TABLE {fts} USING fts5(text, content='{table}', content_rowid='id', "
        f"tokenize='{tokenize}', prefix='2 3 4')",
        f"CREATE TRIGGER {table}_ai AFTER INSERT ON {table} BEGIN "
        f"INSERT INTO {fts}(rowid, text) VALUES (new.id, new.text); END",
        f"CREATE TRIGGER {table}_ad AFTER DELETE ON {table} BEGIN "
        f"INSERT INTO {fts}({fts}, rowid, text) VALUES ('delete', old.id, old.text); END",
        f"CREATE TRIGGER {table}_au AFTER UPDATE OF text ON {table} BEGIN "
        f"INSERT INTO {fts}({fts}, rowid, text) VALUES ('delete', old.id, old.text); "
        f"INSERT INTO {fts}(rowid, text) VALUES (new.id, new.text); END",
    )


def _initial(db: sqlite_utils.Database) -> None:
    for statement in (*_SEGMENTS_SCHEMA, *_fts_statements("segments"), *_fts_statements("labels")):
        db.execute(statement)


def _stemmed_search(db: sqlite_utils.Database) -> None:
    """Search finds inflections: both indexes are rebuilt with FTS5's porter stemmer
    (over the same unicode61 tokenizer), and each gets an ``fts5vocab`` table listing its
    terms, which the search's approximate fallback compares the typed words with."""
    for table in ("segments", "labels"):
        for trigger in ("ai", "ad", "au"):
            db.execute(f"DROP TRIGGER IF EXISTS {table}_{trigger}")
        db.execute(f"DROP TABLE IF EXISTS {table}_fts")
        for statement in _fts_statements(table, "porter unicode61 remove_diacritics 2"):
            db.execute(statement)
        db.execute(f"INSERT INTO {table}_fts({table}_fts) VALUES ('rebuild')")
        db.execute(f"CREATE VIRTUAL TABLE {table}_vocab USING fts5vocab({table}_fts, 'row')")


def _slide_text(db: sqlite_utils.Database) -> None:
    """Words shown on slides are searchable: each lesson keeps its slide text file
    (``lessons.slides``, package format 1.2), and ``slide_text`` holds one row per step
    of a slide (the lines that appear together, from the moment they appear) under its
    own stemmed FTS5 index and vocabulary, apart from what is said (``segments``)."""
    db.execute("ALTER TABLE lessons ADD COLUMN slides TEXT")
    db.execute(
        """CREATE TABLE slide_text (
        id INTEGER PRIMARY KEY,
        lesson_key INTEGER NOT NULL REFERENCES lessons(key) ON DELETE CASCADE,
        start_ms INTEGER NOT NULL,
        text TEXT NOT NULL
    )"""
    )
    db.execute("CREATE INDEX slide_text_lesson ON slide_text(lesson_key, start_ms)")
    for statement in _fts_statements("slide_text", "porter unicode61 remove_diacritics 2"):
        db.execute(statement)
    db.execute("CREATE VIRTUAL TABLE slide_text_vocab USING fts5vocab(slide_text_fts, 'row')")


def _checkpoints(db: sqlite_utils.Database) -> None:
    """Checkpoints (manifest format 1.3): each lesson's questions as installed, and the
    learner's answers to them, kept across course updates (by lesson and question id)
    with their place in the Leitner review (``box`` 1-3, ``due_ms``)."""
    db.execute("ALTER TABLE lessons ADD COLUMN checkpoints TEXT")
    db.execute(
        """CREATE TABLE checkpoints (
            lesson_key INTEGER NOT NULL REFERENCES lessons(key) ON DELETE CASCADE,
            id TEXT NOT NULL,
            position INTEGER NOT NULL,
            time_ms INTEGER NOT NULL,
            required INTEGER NOT NULL,
            PRIMARY KEY (lesson_key, id)
        ) WITHOUT ROWID"""
    )
    db.execute(
        """CREATE TABLE checkpoint_answers (
            lesson_key INTEGER NOT NULL REFERENCES lessons(key) ON DELETE CASCADE,
            checkpoint_id TEXT NOT NULL,
            answer TEXT NOT NULL,
            correct INTEGER NOT NULL,
            attempts INTEGER NOT NULL,
            spent_ms INTEGER NOT NULL,
            first_ms INTEGER NOT NULL,
            answered_ms INTEGER NOT NULL,
            box INTEGER,
            due_ms INTEGER,
            PRIMARY KEY (lesson_key, checkpoint_id)
        ) WITHOUT ROWID"""
    )
    db.execute("CREATE INDEX checkpoint_answers_due ON checkpoint_answers(due_ms)")


def _outbox(db: sqlite_utils.Database) -> None:
    """The learner's activity waiting for the LRS: one xAPI statement per row, under its
    own id (so a statement is queued once), in the order it was made, marked with the
    time the LRS acknowledged it. Kept by course id, not by a key into ``courses``: a
    removed course's activity is still the learner's and still goes out."""
    db.execute(
        """CREATE TABLE outbox (
            id TEXT PRIMARY KEY,
            course_id TEXT NOT NULL,
            made_ms INTEGER NOT NULL,
            statement TEXT NOT NULL,
            sent_ms INTEGER
        )"""
    )
    db.execute("CREATE INDEX outbox_waiting ON outbox(made_ms, id) WHERE sent_ms IS NULL")
    db.execute("CREATE INDEX outbox_course ON outbox(course_id, made_ms)")


def _checkpoint_attempts(db: sqlite_utils.Database) -> None:
    """Every attempt at a checkpoint question (``checkpoint_answers`` keeps the last one
    with the count), so each attempt can be told to an LRS as its own ``answered``. A
    library from before keeps only each question's last attempt: that one is carried over."""
    db.execute(
        """CREATE TABLE checkpoint_attempts (
            lesson_key INTEGER NOT NULL REFERENCES lessons(key) ON DELETE CASCADE,
            checkpoint_id TEXT NOT NULL,
            attempt INTEGER NOT NULL,
            answer TEXT NOT NULL,
            correct INTEGER NOT NULL,
            spent_ms INTEGER NOT NULL,
            answered_ms INTEGER NOT NULL,
            PRIMARY KEY (lesson_key, checkpoint_id, attempt)
        ) WITHOUT ROWID"""
    )
    db.execute(
        "INSERT INTO checkpoint_attempts (lesson_key, checkpoint_id, attempt, answer, correct, "
        "spent_ms, answered_ms) SELECT lesson_key, checkpoint_id, attempts, answer, correct, "
        "spent_ms, answered_ms FROM checkpoint_answers"
    )


#: ``(name, function)`` in the order they are applied; append, never rename or reorder.
MIGRATIONS: list[tuple[str, Callable[[sqlite_utils.Database], None]]] = [
    ("0001_initial", _initial),
    SIGNERS_AND_ORPHANS,
    ("0003_stemmed_search", _stemmed_search),
    ("0004_slide_text", _slide_text),
    ("0005_checkpoints", _checkpoints),
    ("0006_outbox", _outbox),
    ("0007_checkpoint_attempts", _checkpoint_attempts),
]


#: Every table the current schema has (the search indexes' shadow tables aside).
TABLES = (
    "courses",
    "lessons",
    "segments",
    "notes",
    "labels",
    "progress",
    "watched",
    "settings",
    "checkpoints",
    "checkpoint_answers",
    "checkpoint_attempts",
    "outbox",
    "segments_fts",
    "labels_fts",
    "segments_vocab",
    "labels_vocab",
    "slide_text",
    "slide_text_fts",
    "slide_text_vocab",
    "migrations",
)


def migrate(
    db: sqlite_utils.Database,
    path: Path,
    atomic: Callable[[], contextlib.AbstractContextManager],
    now: Callable[[], int],
) -> list[str]:
    """Apply the migrations ``db`` has not had yet, each in its own transaction.

    Args:
        db: the open database.
        path: the database file, for the error message.
        atomic: the library's transaction context.
        now: the library's clock, in milliseconds.

    Returns:
        The names of the migrations applied now.

    Raises:
        NewerLibraryError: ``db`` records a migration this Lectern does not know.
    """
    db.execute("CREATE TABLE IF NOT EXISTS migrations (name TEXT PRIMARY KEY, applied_ms INTEGER)")
    applied = {row[0] for row in db.execute("SELECT name FROM migrations")}
    known = [name for name, _ in MIGRATIONS]
    unknown = sorted(applied - set(known))
    if unknown:
        raise NewerLibraryError(path, unknown)
    done = []
    for name, step in MIGRATIONS:
        if name in applied:
            continue
        with atomic():
            step(db)
            db.execute("INSERT INTO migrations (name, applied_ms) VALUES (?, ?)", (name, now()))
        done.append(name)
    return done


#: The tables each later migration adds; the others come with ``0001_initial``.
ADDED_BY = {
    "0003_stemmed_search": ("segments_vocab", "labels_vocab"),
    "0004_slide_text": ("slide_text", "slide_text_fts", "slide_text_vocab"),
    "0005_checkpoints": ("checkpoints", "checkpoint_answers"),
    "0006_outbox": ("outbox",),
    "0007_checkpoint_attempts": ("checkpoint_attempts",),
}


def expected_tables(applied: Collection[str]) -> list[str]:
    """The tables a library that has had the migrations ``applied`` must have.

    A library from an earlier Lectern lacks the tables of the migrations it has not had
    yet: that is not damage (opening it applies them).
    """
    added = {table: name for name, tables in ADDED_BY.items() for table in tables}
    added["migrations"] = ""  # always there once the library has any migration table
    applied = {*applied, ""}
    return [table for table in TABLES if added.get(table, "0001_initial") in applied]


def missing_tables(db: sqlite_utils.Database) -> list[str]:
    """The tables of :data:`TABLES` that ``db`` lacks (empty for a sound library)."""
    present = set(db.table_names())
    return [name for name in TABLES if name not in present]
