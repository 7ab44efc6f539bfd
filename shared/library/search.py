"""``library.search``: find words in transcripts, on slides, in titles and notes.

Search uses three FTS5 indexes (tokenizer ``porter unicode61 remove_diacritics 2``, prefix
indexes for 2-4 letters), all external-content tables so no text is stored twice:

* ``labels_fts`` over ``labels``: course, lesson and chapter titles and the learner's
  notes (small, always ranked in full);
* ``segments_fts`` over ``segments``: every transcript segment (large; for queries
  that match more than :data:`SEGMENT_CANDIDATES` segments, the best are chosen among
  the first that many matches, which keeps common words and short prefixes fast);
* ``slide_text_fts`` over ``slide_text`` (migration ``0004_slide_text``): the words
  shown on slides, one row per step of a slide timed when its lines appear, scored the
  same way as segments. Its hits are ``kind="slide"`` ("on slide"), the segments'
  ``kind="segment"`` ("said").

Both indexes stem with FTS5's ``porter`` tokenizer (migration ``0003_stemmed_search``),
so "cells" finds "cell" and "Americans" finds "American". When the typed words find
nothing at all, each is compared with the indexes' vocabulary (their ``fts5vocab``
tables, read once per change of the database): terms within a small Levenshtein
distance (rapidfuzz) join it as alternatives, and the hits of that second query are
marked :attr:`SearchHit.approximate` ("fellow Americans" finds "fellow America").

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

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from shared.library.text import _WORD_RE, _fold, _highlight, _match_expression, search_tokens
from shared.library.values import SearchHit

if TYPE_CHECKING:
    from shared.library.core import Library

__all__ = ["Search", "KIND_WEIGHTS", "SEGMENT_CANDIDATES", "CLOSE_WORDS", "MAX_FUZZY_LETTERS"]

#: bm25 multipliers when hits of different kinds are merged (bm25 is negative: lower is better).
KIND_WEIGHTS: Mapping[str, float] = {
    "course": 10.0,
    "lesson": 8.0,
    "chapter": 6.0,
    "note": 3.0,
    "slide": 1.2,
    "segment": 1.0,
}
#: The indexes of timed text: ``(table, hit kind)``; each row has a lesson and a start.
_TIMED = (("segments", "segment"), ("slide_text", "slide"))
#: At most this many matching segments are scored per query (see the module doc).
SEGMENT_CANDIDATES = 2000
#: At most this many close vocabulary terms stand in for each typed word.
CLOSE_WORDS = 3
#: Longer typed "words" are not compared with the vocabulary (no word is that long).
MAX_FUZZY_LETTERS = 40
_MIN_FUZZY_LETTERS = 4


class Search:
    """``library.search``: call it with what the person typed; also keeps the indexes."""

    def __init__(self, library: Library) -> None:
        self._lib = library
        self._vocab: tuple[dict[int, list[str]], frozenset[str]] = ({}, frozenset())
        self._vocab_stamp: tuple | None = None

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
        hits = self._run(tokens, _match_expression(tokens), limit, course_id)
        if hits:
            return hits
        alternatives = self.close_words(tokens)
        if not any(alternatives):
            return []
        query = _match_expression(tokens, alternatives)
        extra = [term for terms in alternatives for term in terms]
        return self._run(tokens, query, limit, course_id, extra=extra, approximate=True)

    def close_words(self, tokens: list[str]) -> list[list[str]]:
        """For each token, the library's indexed terms (porter stems) closest to it.

        A term is close if its Levenshtein distance to the folded token is at most 1
        (tokens of 4-5 letters) or 2 (longer ones), or if it is the longest term of
        more than 5 letters the token begins with (a stem); tokens under 4 letters or
        over :data:`MAX_FUZZY_LETTERS` get none. At most :data:`CLOSE_WORDS` per
        token, closest first; the token itself is never among them.
        """
        by_length, known = self._vocabulary()
        close = []
        for token in tokens:
            word = _fold(token)
            if not _MIN_FUZZY_LETTERS <= len(word) <= MAX_FUZZY_LETTERS:
                close.append([])
                continue
            reach = 1 if len(word) <= 5 else 2
            terms = [
                term
                for length in range(len(word) - reach, len(word) + reach + 1)
                for term in by_length.get(length, ())
            ]
            found = process.extract(
                word,
                terms,
                scorer=Levenshtein.distance,
                score_cutoff=reach,
                limit=CLOSE_WORDS + 1,
            )
            terms = [term for term, _, _ in found if term != word]
            # Stems are often shorter than any inflection: "evaporatoin" (misheard
            # "evaporation") is far from "evapor" but begins with it.
            stem = next(
                (
                    word[:length]
                    for length in range(len(word) - 1, _MIN_FUZZY_LETTERS, -1)
                    if word[:length] in known
                ),
                None,
            )
            if stem and stem not in terms:
                terms.append(stem)
            close.append(terms[:CLOSE_WORDS])
        return close

    def _vocabulary(self) -> tuple[dict[int, list[str]], frozenset[str]]:
        """Every term of both indexes by length, and all of them, read from their
        ``fts5vocab`` tables once and again only after an index changed."""
        with self._lib._lock:
            conn = self._lib.db.conn
            # FTS5's structure record (id 10) changes with every write to its index, in
            # any connection; progress and settings writes leave it alone.
            stamp = tuple(
                conn.execute(f"SELECT block FROM {fts}_data WHERE id = 10").fetchone()
                for fts in ("segments_fts", "labels_fts", "slide_text_fts")
            )
            if self._vocab_stamp != stamp:
                by_length: dict[int, list[str]] = {}
                for (term,) in conn.execute(
                    "SELECT term FROM segments_vocab UNION SELECT term FROM labels_vocab "
                    "UNION SELECT term FROM slide_text_vocab"
                ):
                    if _WORD_RE.fullmatch(term):
                        by_length.setdefault(len(term), []).append(term)
                known = frozenset(term for terms in by_length.values() for term in terms)
                self._vocab, self._vocab_stamp = (by_length, known), stamp
            return self._vocab

    def _run(
        self,
        tokens: list[str],
        query: str,
        limit: int,
        course_id: str | None,
        *,
        extra: list[str] | None = None,
        approximate: bool = False,
    ) -> list[SearchHit]:
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
            scored = [(row["score"] * KIND_WEIGHTS[row["kind"]], "label", row) for row in labels]
            for table, kind in _TIMED:
                join = "" if key is None else f"JOIN lessons ON lessons.key = {table}.lesson_key"
                scored += [
                    (row["score"] * KIND_WEIGHTS[kind], kind, row)
                    for row in self._lib._rows(
                        "SELECT id, score FROM ("
                        f"  SELECT {table}.id, bm25({table}_fts) AS score FROM {table}_fts "
                        f"  JOIN {table} ON {table}.id = {table}_fts.rowid {join} "
                        f"  WHERE {table}_fts MATCH :query {scope} LIMIT :cap"
                        ") ORDER BY score LIMIT :limit",
                        {"query": query, "key": key, "cap": SEGMENT_CANDIDATES, "limit": limit},
                    )
                ]
            scored.sort(key=lambda item: item[0])
            scored = scored[:limit]
            timed: dict[tuple[str, int], dict] = {}
            for table, kind in _TIMED:
                ids = [row["id"] for _, source, row in scored if source == kind]
                for row in self._lib._rows(
                    f"SELECT id, lesson_key, start_ms AS time_ms, text FROM {table} "
                    f"WHERE id IN ({', '.join('?' * len(ids))})",
                    ids,
                ):
                    timed[kind, row["id"]] = row
            names = self._names(
                {row["lesson_key"] for _, _, row in scored if row.get("lesson_key")}
                | {row["lesson_key"] for row in timed.values()},
                {row["course_key"] for _, source, row in scored if source == "label"},
            )
        hits = []
        for score, source, row in scored:
            data = row if source == "label" else timed[source, row["id"]]
            kind = data["kind"] if source == "label" else source
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
                    snippet=_highlight(data["text"], tokens, extra or ()),
                    rank=score,
                    note_id=data.get("note_id"),
                    approximate=approximate,
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
            for fts in ("segments_fts", "labels_fts", "slide_text_fts"):
                self._lib.db.execute(f"INSERT INTO {fts}({fts}) VALUES ('optimize')")
