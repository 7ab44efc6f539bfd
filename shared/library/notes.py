"""``library.notes``: the learner's notes and bookmarks, searchable as soon as written."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from shared.errors import LecternError
from shared.files import write_text_atomic
from shared.library.errors import NotInLibraryError
from shared.library.text import _when
from shared.library.values import NOTE_KINDS, Note
from shared.timecode import clock, whole_ms

if TYPE_CHECKING:
    from shared.library.core import Library

__all__ = ["Notes"]


class Notes:
    """``library.notes``: call it with a course (and lesson) id to list notes."""

    def __init__(self, library: Library) -> None:
        self._lib = library

    def add(
        self, course_id: str, lesson_id: str, seconds: float, text: str, *, kind: str = "note"
    ) -> Note:
        """Add a note or bookmark at a time in a lesson; it becomes searchable at once.

        Raises:
            NotInLibraryError: the course or lesson is not installed.
            ValueError: ``kind`` is not ``"note"`` or ``"bookmark"``, or the time is not finite.
        """
        if kind not in NOTE_KINDS:
            raise ValueError(f"kind must be one of {NOTE_KINDS}, got {kind!r}")
        with self._lib.atomic():
            key = self._lib._lesson_key(course_id, lesson_id)
            time_ms = min(max(whole_ms(seconds), 0), self._lib._duration_ms(key))
            now = self._lib._now()
            note_id = self._lib.db.execute(
                "INSERT INTO notes (lesson_key, kind, time_ms, text, created_ms, updated_ms) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (key, kind, time_ms, text, now, now),
            ).lastrowid
            self._lib.db.execute(
                "INSERT INTO labels (kind, course_key, lesson_key, time_ms, text, note_id) "
                "SELECT 'note', course_key, key, ?, ?, ? FROM lessons WHERE key = ?",
                (time_ms, text, note_id, key),
            )
            return self.note(note_id)

    def update(self, note_id: int, text: str) -> Note:
        """Change a note's text.

        Raises:
            NotInLibraryError: there is no such note.
        """
        with self._lib.atomic():
            self.note(note_id)
            self._lib.db.execute(
                "UPDATE notes SET text = ?, updated_ms = ? WHERE id = ?",
                (text, self._lib._now(), note_id),
            )
            self._lib.db.execute("UPDATE labels SET text = ? WHERE note_id = ?", (text, note_id))
            return self.note(note_id)

    def delete(self, note_id: int) -> None:
        """Delete a note (and its search entry).

        Raises:
            NotInLibraryError: there is no such note.
        """
        with self._lib.atomic():
            self.note(note_id)
            self._lib.db.execute("DELETE FROM notes WHERE id = ?", (note_id,))

    _NOTE_SELECT = (
        "SELECT notes.*, lessons.id AS lesson_id, courses.id AS course_id FROM notes "
        "JOIN lessons ON lessons.key = notes.lesson_key "
        "JOIN courses ON courses.key = lessons.course_key "
    )

    @staticmethod
    def _note(row: Mapping[str, Any]) -> Note:
        return Note(
            id=row["id"],
            course_id=row["course_id"],
            lesson_id=row["lesson_id"],
            time=row["time_ms"] / 1000,
            text=row["text"],
            kind=row["kind"],
            created=_when(row["created_ms"]),
            updated=_when(row["updated_ms"]),
        )

    def note(self, note_id: int) -> Note:
        """One note by id.

        Raises:
            NotInLibraryError: there is no such note.
        """
        rows = self._lib._rows(self._NOTE_SELECT + "WHERE notes.id = ?", (note_id,))
        if not rows:
            raise NotInLibraryError(f"The note {note_id}")
        return self._note(rows[0])

    def __call__(self, course_id: str, lesson_id: str | None = None) -> list[Note]:
        """Notes and bookmarks of a course (or one lesson), by lesson order then time."""
        if lesson_id is None:
            where, params = "lessons.course_key = ?", (self._lib._course_key(course_id),)
        else:
            where, params = "notes.lesson_key = ?", (self._lib._lesson_key(course_id, lesson_id),)
        rows = self._lib._rows(
            self._NOTE_SELECT + f"WHERE {where} "
            "ORDER BY lessons.orphaned_ms IS NOT NULL, lessons.position, notes.time_ms, notes.id",
            params,
        )
        return [self._note(row) for row in rows]

    def export_markdown(self, course_id: str) -> str:
        """The course's notes as Markdown: a heading per lesson, one line per note.

        Each line reads on its own outside Lectern: ``- **Lesson title, m:ss**
        (Chapter title): text``; bookmarks say ``bookmark`` and further lines of a
        note are indented under it. Notes on lessons the course no longer has
        (``Library.orphans``) come last, under headings that say so.
        """
        course = self._lib.course(course_id)
        lessons = {lesson.id: lesson for lesson in self._lib.lessons(course_id)}
        orphans = {lesson.id: lesson for lesson in self._lib.orphans(course_id)}
        lines = [f"# {course.title}", ""]
        current, chapters = None, []
        notes = self(course_id)
        lesson = None
        for note in notes:
            if note.lesson_id != current:
                current = note.lesson_id
                if note.lesson_id in lessons:
                    lesson = lessons[note.lesson_id]
                    lines += [f"## {lesson.position + 1}. {lesson.title}", ""]
                else:
                    lesson = orphans[note.lesson_id]
                    lines += [f"## {lesson.title} (no longer in the course)", ""]
                try:
                    chapters = self._lib.chapters(course_id, note.lesson_id)
                except LecternError:
                    chapters = []  # the notes matter more than the chapter names
            chapter = next((c.title for c in reversed(chapters) if c.start <= note.time), "")
            where = f"**{lesson.title}, {clock(note.time)}**"
            where += f" ({chapter})" if chapter else ""
            where += ", bookmark" if note.kind == "bookmark" else ""
            text = note.text.strip().replace("\r\n", "\n").replace("\n", "\n  ")
            lines.append(f"- {where}: {text}" if text else f"- {where}")
            if note is notes[-1] or notes[notes.index(note) + 1].lesson_id != current:
                lines.append("")
        if not notes:
            lines += ["No notes yet.", ""]
        return "\n".join(lines)

    def export(self, course_id: str, path: str | os.PathLike[str]) -> Path:
        """Write :meth:`export_markdown` to ``path`` atomically and return it."""
        return write_text_atomic(path, self.export_markdown(course_id))
