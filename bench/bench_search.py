"""How fast the library's full-text search is on a large library.

Generates a library of ``--hours`` of lecture transcripts (default 1000 h: 200 courses
x 10 lessons x 30 min, a segment of about 12 words every 5 s, so about 720,000
segments and 8.6 M words) straight into a new library through the code path import
uses (``Library._store_course``: the same inserts, triggers and FTS5 indexes; only
the zip packages are skipped). Words follow a Zipf distribution (s = 1.07) over a
vocabulary of about 4,000 words: the ~170 most common English words as the head and
pronounceable made-up words as the tail, plus 20 topic words per course. Reports
the build time and database size, then p50/p95 latency (``limit=50``, as the UI) of:

* 200 one-word queries (words drawn uniformly from the vocabulary),
* 200 two-word queries (neighbouring words from a generated sentence),
* 200 prefix queries (2-4 letters of a vocabulary word, search-as-you-type),
* the 10 most common words (worst case: they are in most segments),
* 200 inflected words ("word" + "s", then a common word: the porter stemmer's path),
* 200 misheard queries (a common word, then a word with one letter wrong: the exact
  words find nothing, so the closest indexed words are tried and hits are approximate),
* 200 nonsense words (the fallback runs and finds nothing close),

next to references measured in the same run: a rowid lookup loop on ``segments`` and
a ``LIKE '%word%'`` scan over 10,000 segments. Prints a Markdown table; the target is
p95 <= 50 ms.

    .venv/bin/python bench/bench_search.py            # 1000 hours
    .venv/bin/python bench/bench_search.py --hours 50 # quicker, same shape
"""

from __future__ import annotations

import argparse
import itertools
import platform
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from shared.chapters import Chapter  # noqa: E402
from shared.library import LessonTexts, Library  # noqa: E402
from shared.manifest import CourseInfo, LessonEntry, Manifest  # noqa: E402
from shared.transcription import Segment  # noqa: E402

LESSONS_PER_COURSE = 10
LESSON_MINUTES = 30
SEGMENT_SECONDS = 5
WORDS_PER_SEGMENT = 12
CHAPTERS_PER_LESSON = 8
VOCABULARY = 4000
QUERIES = 200

COMMON = [
    "the",
    "of",
    "and",
    "to",
    "a",
    "in",
    "is",
    "it",
    "you",
    "that",
    "he",
    "was",
    "for",
    "on",
    "are",
    "with",
    "as",
    "I",
    "his",
    "they",
    "be",
    "at",
    "one",
    "have",
    "this",
    "from",
    "or",
    "had",
    "by",
    "not",
    "word",
    "but",
    "what",
    "some",
    "we",
    "can",
    "out",
    "other",
    "were",
    "all",
    "there",
    "when",
    "up",
    "use",
    "your",
    "how",
    "said",
    "an",
    "each",
    "she",
    "which",
    "do",
    "their",
    "time",
    "if",
    "will",
    "way",
    "about",
    "many",
    "then",
    "them",
    "write",
    "would",
    "like",
    "so",
    "these",
    "her",
    "long",
    "make",
    "thing",
    "see",
    "him",
    "two",
    "has",
    "look",
    "more",
    "day",
    "could",
    "go",
    "come",
    "did",
    "number",
    "sound",
    "no",
    "most",
    "people",
    "my",
    "over",
    "know",
    "water",
    "than",
    "call",
    "first",
    "who",
    "may",
    "down",
    "side",
    "been",
    "now",
    "find",
    "any",
    "new",
    "work",
    "part",
    "take",
    "get",
    "place",
    "made",
    "live",
    "where",
    "after",
    "back",
    "little",
    "only",
    "round",
    "man",
    "year",
    "came",
    "show",
    "every",
    "good",
    "me",
    "give",
    "our",
    "under",
    "name",
    "very",
    "through",
    "just",
    "form",
    "sentence",
    "great",
    "think",
    "say",
    "help",
    "low",
    "line",
    "differ",
    "turn",
    "cause",
    "much",
    "mean",
    "before",
    "move",
    "right",
    "boy",
    "old",
    "too",
    "same",
    "tell",
    "does",
    "set",
    "three",
    "want",
    "air",
    "well",
    "also",
    "play",
    "small",
    "end",
    "put",
    "home",
    "read",
    "hand",
    "port",
    "large",
    "spell",
    "add",
    "even",
    "land",
    "here",
    "must",
    "big",
    "high",
    "such",
    "follow",
    "act",
    "why",
    "ask",
    "men",
    "change",
    "went",
    "light",
    "kind",
    "off",
    "need",
]
SYLLABLES = [a + b for a in "bcdfgklmnprstvz" for b in ("a", "e", "i", "o", "u", "ar", "en", "on")]


def _vocabulary(rng: random.Random, size: int) -> list[str]:
    words = list(dict.fromkeys(COMMON))
    seen = set(words)
    while len(words) < size:
        word = "".join(rng.choice(SYLLABLES) for _ in range(rng.choice((2, 2, 3, 3, 4))))
        if word not in seen:
            seen.add(word)
            words.append(word)
    return words


class Corpus:
    """Random lecture text with Zipf-distributed words."""

    def __init__(self, seed: int = 1) -> None:
        self.rng = random.Random(seed)
        self.words = _vocabulary(self.rng, VOCABULARY)
        weights = [1 / rank**1.07 for rank in range(1, len(self.words) + 1)]
        self.cumulative = list(itertools.accumulate(weights))

    def sentence(self, topic: Sequence[str], count: int = WORDS_PER_SEGMENT) -> str:
        words = self.rng.choices(self.words, cum_weights=self.cumulative, k=count)
        for _ in range(self.rng.choice((0, 1, 1, 2))):  # lectures keep naming their topic
            words[self.rng.randrange(count)] = self.rng.choice(topic)
        return " ".join(words).capitalize() + "."

    def course(self, number: int) -> tuple[Manifest, dict[str, LessonTexts]]:
        topic = ["".join(self.rng.choice(SYLLABLES) for _ in range(4)) + "ology" for _ in range(20)]
        info = CourseInfo(
            f"course-{number:04d}",
            1,
            f"{topic[0].capitalize()} and {topic[1]} {number}",
            created="2024-01-01T00:00:00Z",
        )
        lessons, texts = [], {}
        segments_per_lesson = LESSON_MINUTES * 60 // SEGMENT_SECONDS
        for index in range(LESSONS_PER_COURSE):
            lesson_id = f"lesson-{index + 1:02d}"
            lessons.append(
                LessonEntry(
                    lesson_id,
                    f"{self.rng.choice(topic).capitalize()} part {index + 1}",
                    LESSON_MINUTES * 60_000,
                    f"lessons/{lesson_id}/video.mp4",
                )
            )
            segments = tuple(
                Segment(
                    SEGMENT_SECONDS * n,
                    SEGMENT_SECONDS * (n + 1),
                    self.sentence(topic, self.rng.randint(8, 16)),
                )
                for n in range(segments_per_lesson)
            )
            step = LESSON_MINUTES * 60 / CHAPTERS_PER_LESSON
            chapters = tuple(
                Chapter(step * n, step * (n + 1), self.sentence(topic, 4).rstrip("."))
                for n in range(CHAPTERS_PER_LESSON)
            )
            texts[lesson_id] = LessonTexts(segments, chapters)
        return Manifest("1.0", info, tuple(lessons), ()), texts


def _percentiles(samples: list[float]) -> tuple[float, float, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered), p95, ordered[-1]


def _time_each(run: Callable[[str], object], queries: Sequence[str]) -> list[float]:
    times = []
    for query in queries:
        start = time.perf_counter()
        run(query)
        times.append((time.perf_counter() - start) * 1000)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--hours", type=float, default=1000, help="hours of lectures (1000)")
    parser.add_argument("--keep", type=Path, help="build the library in this folder and keep it")
    args = parser.parse_args()

    corpus = Corpus()
    course_hours = LESSONS_PER_COURSE * LESSON_MINUTES / 60
    course_count = max(1, round(args.hours / course_hours))
    with tempfile.TemporaryDirectory(dir=args.keep) as tmp:
        root = Path(tmp) / "library"
        with Library.open(root) as library:
            start = time.perf_counter()
            generate = 0.0
            for number in range(course_count):
                g0 = time.perf_counter()
                manifest, texts = corpus.course(number)
                generate += time.perf_counter() - g0
                with library.atomic():
                    library._store_course(manifest, texts)  # the indexing code path of import
            build = time.perf_counter() - start - generate
            o0 = time.perf_counter()
            library.optimize()
            optimize = time.perf_counter() - o0
            library.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            segments = library.db["segments"].count
            words = sum(
                len(row[0].split()) for row in library.db.execute("SELECT text FROM segments")
            )
            size = (root / "library.db").stat().st_size
            try:
                fts_bytes = library.db.execute(
                    "SELECT sum(pgsize) FROM dbstat WHERE name LIKE 'segments_fts%'"
                ).fetchone()[0]
            except sqlite3.OperationalError:  # SQLite built without the dbstat table
                fts_bytes = 0

            rng = random.Random(2)
            one_word = [rng.choice(corpus.words) for _ in range(QUERIES)]
            two_word = []
            for _ in range(QUERIES):
                pair = corpus.sentence(corpus.words[:1], 12).rstrip(".").lower().split()
                at = rng.randrange(len(pair) - 1)
                two_word.append(f"{pair[at]} {pair[at + 1]}")
            prefixes = []
            while len(prefixes) < QUERIES:
                word = rng.choice(corpus.words)
                if len(word) >= 2:
                    prefixes.append(word[: rng.randint(2, min(4, len(word)))])
            common = corpus.words[:10]

            long_words = [word for word in corpus.words if len(word) >= 6]
            inflected = [rng.choice(long_words) + "s " + rng.choice(common) for _ in range(QUERIES)]
            misheard = []  # the last word with one letter wrong ("q" is in no made-up word)
            for _ in range(QUERIES):
                word = rng.choice(long_words)
                at = rng.randrange(1, len(word) - 1)
                misheard.append(f"{rng.choice(common)} {word[:at]}q{word[at + 1 :]}")
            nonsense = ["".join(rng.choices("qxjw", k=rng.randint(5, 9))) for _ in range(QUERIES)]

            def search(text: str) -> object:
                return library.search(text, limit=50)

            hits: list[object] = []

            def search_counting(text: str) -> object:
                found = library.search(text, limit=50)
                hits.append(bool(found) and all(hit.approximate for hit in found))
                return found

            c0 = time.perf_counter()
            library.search(misheard[0])  # the first fallback reads the vocabulary
            cold = (time.perf_counter() - c0) * 1000
            vocabulary = len(library.search._vocabulary()[1])
            library.search("warm up the cache")
            rows = {
                "one word (200)": _time_each(search, one_word),
                "two words (200)": _time_each(search, two_word),
                "prefix, 2-4 letters (200)": _time_each(search, prefixes),
                "10 most common words": _time_each(search, common),
                "inflected word + common word, stemmed (200)": _time_each(search, inflected),
                "common word + misheard word, approximate fallback (200)": _time_each(
                    search_counting, misheard
                ),
                "nonsense word, fallback finds nothing (200)": _time_each(search, nonsense),
            }
            approximate_share = sum(hits) / len(hits)
            ids = [str(rng.randint(1, segments)) for _ in range(QUERIES)]

            def lookup(rowid: str) -> object:
                return library.db.execute(
                    "SELECT count(*) FROM segments WHERE rowid = ?", (int(rowid),)
                ).fetchone()

            lookups = _time_each(lookup, ids)

            def like(word: str) -> object:
                return library.db.execute(
                    "SELECT count(*) FROM (SELECT text FROM segments LIMIT 10000) "
                    "WHERE text LIKE ?",
                    (f"%{word}%",),
                ).fetchone()

            likes = _time_each(like, one_word[:50])

    print(
        f"# Library search benchmark ({platform.processor() or platform.machine()}, "
        f"SQLite via Python {platform.python_version()})\n"
    )
    print("| build | value |\n|---|---|")
    print(f"| courses x lessons | {course_count} x {LESSONS_PER_COURSE} |")
    print(f"| hours of lectures | {course_count * course_hours:,.0f} |")
    print(f"| segments / words | {segments:,} / {words:,} |")
    print(f"| build (indexing only) | {build:,.1f} s ({words / build / 1e6:.2f} M words/s) |")
    print(f"| text generation (not counted) | {generate:,.1f} s |")
    print(f"| optimize (FTS merge) | {optimize:,.1f} s |")
    print(f"| library.db size | {size / 1e6:,.0f} MB (segments_fts {fts_bytes / 1e6:,.0f} MB) |")
    print(f"| indexed terms (fts5vocab) | {vocabulary:,} |")
    print(f"| first approximate search (reads the vocabulary) | {cold:,.1f} ms |")
    print(f"| misheard queries answered by approximate hits | {approximate_share:.0%} |")
    print()
    print("| queries (limit=50) | p50 ms | p95 ms | max ms | p95 target |")
    print("|---|---|---|---|---|")
    for name, samples in rows.items():
        p50, p95, top = _percentiles(samples)
        verdict = "ok" if p95 <= 50 else "MISSED"
        print(f"| {name} | {p50:.2f} | {p95:.2f} | {top:.2f} | <= 50 ({verdict}) |")
    for name, samples in (
        ("reference: rowid lookup on segments", lookups),
        ("reference: LIKE scan of 10,000 segments", likes),
    ):
        p50, p95, top = _percentiles(samples)
        print(f"| {name} | {p50:.3f} | {p95:.3f} | {top:.3f} | |")


if __name__ == "__main__":
    main()
