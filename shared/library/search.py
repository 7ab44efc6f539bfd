"""``library.search``: find words in transcripts, titles and notes.

Search uses two FTS5 indexes (tokenizer ``unicode61 remove_diacritics 2``, prefix
indexes for 2-4 letters), both external-content tables so no text is stored twice:

* ``labels_fts`` over ``labels``: course, lesson and chapter titles and the learner's
  notes (small, always ranked in full);
* ``segments_fts`` over ``segments``: every transcript segment (large; for queries
  that match more than :data:`SEGMENT_CANDIDATES` segments, the best are chosen among
  the first that many matches, which keeps common words and short prefixes fast).

What the person types is never passed to FTS5: :func:`search_tokens` splits it into
words the way the tokenizer does, each word becomes a quoted phrase, the last one a
prefix (search as you type), and all are ANDed. Hits of both indexes are merged by
bm25 multiplied by a weight per kind (:data:`KIND_WEIGHTS`: titles above notes above
segments). Matched words in :attr:`SearchHit.snippet` are wrapped in
:data:`MARK_START` and :data:`MARK_END` (``"\\x02"`` and ``"\\x03"``), which never
occur in text, for the UI to turn into bold.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from shared.library.text import _highlight, _match_expression, search_tokens
from shared.library.values import SearchHit

if TYPE_CHECKING:
    from shared.library.core import Library

__all__ = ["Search", "KIND_WEIGHTS", "SEGMENT_CANDIDATES"]

#: bm25 multipliers when hits of different kinds are merged (bm25 is negative: lower is better).
KIND_WEIGHTS: Mapping[str, float] = {
    "course": 10.0,
    "lesson": 8.0,
    "chapter": 6.0,
    "note": 3.0,
    "segment": 1.0,
}
#: At most this many matching segments are scored per query (see the module doc).
SEGMENT_CANDIDATES = 2000


class Search:
    """``library.search``: call it with what the person typed; also keeps the indexes."""

    def __init__(self, library: Library) -> None:
        self._lib = library

    def __call__(
        self, text: str, *, limit: int = 50, course_id: str | None = None
    ) -> list[SearchHit]:
        """Find words in transcripts, titles and notes, best first.

        Whatever ``text`` is, this returns hits or an empty list and never raises for
        it: see :func:`search_tokens` and the module doc for how the query is built.

        Args:
            text: what the person typed.
            limit: the most hits to return.
            course_id: search only this course.

        Raises:
            NotInLibraryError: ``course_id`` is not installed.
        """
        tokens = search_tokens(text)
        if not tokens or limit <= 0:
            return []
        query = _match_expression(tokens)
        with self._lib._lock:
            key = None if course_id is None else self._lib._course_key(course_id)
            scope = "" if key is None else "AND labels.course_key = :key"
            labels = self._lib._rows(
                "SELECT labels.kind, labels.lesson_key, labels.time_ms, labels.text, "
                "labels.note_id, labels.course_key, bm25(labels_fts) AS score "
                "FROM labels_fts JOIN labels ON labels.id = labels_fts.rowid "
                f"WHERE labels_fts MATCH :query {scope} ORDER BY score LIMIT :limit",
                {"query": query, "key": key, "limit": limit},
            )
            scope = "" if key is None else "AND lessons.course_key = :key"
            join = "" if key is None else "JOIN lessons ON lessons.key = segments.lesson_key"
            candidates = self._lib._rows(
                "SELECT id, score FROM ("
                "  SELECT segments.id, bm25(segments_fts) AS score FROM segments_fts "
                f"  JOIN segments ON segments.id = segments_fts.rowid {join} "
                f"  WHERE segments_fts MATCH :query {scope} LIMIT :cap"
                ") ORDER BY score LIMIT :limit",
                {"query": query, "key": key, "cap": SEGMENT_CANDIDATES, "limit": limit},
            )
            scored = [(row["score"] * KIND_WEIGHTS[row["kind"]], "label", row) for row in labels]
            scored += [
                (row["score"] * KIND_WEIGHTS["segment"], "segment", row) for row in candidates
            ]
            scored.sort(key=lambda item: item[0])
            scored = scored[:limit]
            segment_ids = [row["id"] for _, source, row in scored if source == "segment"]
            segments = {
                row["id"]: row
                for row in self._lib._rows(
                    "SELECT segments.id, segments.lesson_key, segments.start_ms AS time_ms, "
                    "segments.text FROM segments WHERE segments.id IN "
                    f"({', '.join('?' * len(segment_ids))})",
                    segment_ids,
                )
            }
            names = self._names(
                {row["lesson_key"] for _, _, row in scored if row.get("lesson_key")}
                | {row["lesson_key"] for row in segments.values()},
                {row["course_key"] for _, source, row in scored if source == "label"},
            )
        hits = []
        for score, source, row in scored:
            data = segments[row["id"]] if source == "segment" else row
            kind = "segment" if source == "segment" else data["kind"]
            lesson_id = lesson_title = None
            if data["lesson_key"] is not None:
                course_id_, course_title, lesson_id, lesson_title = names["lesson"][
                    data["lesson_key"]
                ]
            else:
                course_id_, course_title = names["course"][data["course_key"]]
            time_ms = data["time_ms"]
            hits.append(
                SearchHit(
                    kind=kind,
                    course_id=course_id_,
                    course_title=course_title,
                    lesson_id=lesson_id,
                    lesson_title=lesson_title,
                    time=None if time_ms is None else time_ms / 1000,
                    snippet=_highlight(data["text"], tokens),
                    rank=score,
                    note_id=data.get("note_id"),
                )
            )
        return hits

    def _names(self, lesson_keys: set[int], course_keys: set[int]) -> dict[str, dict]:
        lessons = {
            row[0]: row[1:]
            for row in self._lib.db.execute(
                "SELECT lessons.key, courses.id, courses.title, lessons.id, lessons.title "
                "FROM lessons JOIN courses ON courses.key = lessons.course_key "
                f"WHERE lessons.key IN ({', '.join('?' * len(lesson_keys))})",
                list(lesson_keys),
            )
        }
        courses = {
            row[0]: row[1:]
            for row in self._lib.db.execute(
                "SELECT key, id, title FROM courses "
                f"WHERE key IN ({', '.join('?' * len(course_keys))})",
                list(course_keys),
            )
        }
        return {"lesson": lessons, "course": courses}

    def optimize(self) -> None:
        """Merge the search indexes' b-trees into one each (after many imports)."""
        with self._lib.atomic():
            for fts in ("segments_fts", "labels_fts"):
                self._lib.db.execute(f"INSERT INTO {fts}({fts}) VALUES ('optimize')")
