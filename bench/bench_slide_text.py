"""Benchmark what a build makes of the slides: chapter titles and the slide text a package carries.

On the TEST set of the evaluation corpus (``bench/corpus/build_corpus.py``: real Beamer
themes and text Lectern did not write, cached in ``~/.cache/lectern-corpus``) and on the
bundled sample lecture, each lecture goes through the Studio's own chapter step
(:func:`studio.pipeline.find_chapters`'s steps: slide-aware detection, OCR, one chapter
per slide) and prints:

* **titles**: the share of true slides whose chapter is titled with the slide's own
  title (case, punctuation and spacing ignored; a slide whose change was not found
  counts as untitled), and the share of chapters made whose title is the title of the
  slide on screen when they start. In the same run, on the narrated sample lecture
  (the corpus has no speech), the reference: the chapters the Studio made before
  (picture changes at least 10 s apart, titled from the first sentence said).
* **bytes**: ``slides.json`` as the lesson keeps it (each line once per slide, timed
  when it appears) and as the package stores it (deflated), per hour of video; beside
  it, the same text stored once per step without the dedupe (the reference).

Targets: >= 90% of chapters titled with the slide's own title; <= 2 MB of slide text
per hour in a package.

    .venv/bin/python bench/bench_slide_text.py [--limit N]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
if "build_corpus" not in sys.modules:
    sys.path.insert(0, str(ROOT / "bench" / "corpus"))

from build_corpus import CorpusError, Lecture, load_or_build  # noqa: E402

from shared import chapters as chapter_values  # noqa: E402
from shared.chapters.slides import detect_slides  # noqa: E402
from shared.media import probe  # noqa: E402
from shared.transcription import Segment  # noqa: E402

TOLERANCE = 1.0
HOUR = 3600.0
MB = 1_000_000
SAMPLE = ROOT / "resources" / "sample"


def same_title(a: str, b: str) -> bool:
    """Titles compared with case, punctuation and spacing ignored."""

    def key(text: str) -> str:
        return re.sub(r"[\W_]+", "", text.casefold())

    return bool(key(a)) and key(a) == key(b)


def same_words(a: str, b: str) -> bool:
    """Titles compared word by word: case and punctuation ignored, spaces not (OCR that
    runs words together, "WhereIstheWateronEarth?", fails this, not :func:`same_title`)."""

    def words(text: str) -> list[str]:
        return re.findall(r"[^\W_]+", text.casefold())

    return bool(words(a)) and words(a) == words(b)


def deflated(data: bytes) -> int:
    """Bytes as a package stores a text member (zip deflate, zlib's default level)."""
    packer = zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, -15)
    return len(packer.compress(data) + packer.flush())


def undeduplicated(changes, duration: float) -> bytes:
    """The reference: the same file with every step stored as a slide of its own, all its
    lines again (what a package would carry without the dedupe)."""
    states = [(at, text) for change in changes for at, text in change.states]
    ends = [at for at, _ in states[1:]] + [duration]
    steps = [
        chapter_values.Slide(
            round(at, 3),
            round(max(end, at), 3),
            text.title,
            tuple(chapter_values.SlideLine(line, round(at, 3)) for line in text.lines),
        ).to_dict()
        for (at, text), end in zip(states, ends, strict=True)
    ]
    return json.dumps({"slides": steps}, indent=2, sort_keys=True, ensure_ascii=False).encode()


def titled(chapters, starts: list[float], titles: list[str]) -> tuple[int, int]:
    """``(true slides titled right, chapters titled with the slide on screen)``."""
    by_slide = 0
    for start, title in zip(starts, titles, strict=True):
        near = [c for c in chapters if abs(c.start - start) <= TOLERANCE]
        by_slide += any(same_title(c.title, title) for c in near)
    by_chapter = 0
    for chapter in chapters:
        shown = max((i for i, s in enumerate(starts) if s <= chapter.start + TOLERANCE), default=0)
        by_chapter += same_title(chapter.title, titles[shown])
    return by_slide, by_chapter


def titled_words(chapters, starts: list[float], titles: list[str]) -> int:
    """True slides whose chapter carries the slide's title with its words apart."""
    by_slide = 0
    for start, title in zip(starts, titles, strict=True):
        near = [c for c in chapters if abs(c.start - start) <= TOLERANCE]
        by_slide += any(same_words(c.title, title) for c in near)
    return by_slide


def measure(
    name: str, path: Path, starts: list[float], titles: list[str], speech, *, before: bool
) -> dict:
    """One lecture through the Studio's chapter step (``before``: also the old one)."""
    duration = probe(path).duration
    # find_chapters' own steps, so the detected slides are kept for the reference bytes.
    changes = detect_slides(path)
    slides = chapter_values.slides_from_changes(changes, duration)
    chapters = chapter_values.chapters_from_slides(slides, duration, segments=speech)
    old = []
    if before:  # picture changes at least 10 s apart, titled from the speech
        old_changes = chapter_values.detect_slide_changes(path, min_gap=10.0)
        old = chapter_values.chapters_from_changes(old_changes, duration, segments=speech)
    text = json.dumps(
        {"slides": [s.to_dict() for s in slides]}, indent=2, sort_keys=True, ensure_ascii=False
    ).encode()
    reference = undeduplicated(changes, duration)
    by_slide, by_chapter = titled(chapters, starts, titles)
    by_words = titled_words(chapters, starts, titles)
    old_slide, old_chapter = titled(old, starts, titles)
    return {
        "name": name,
        "seconds": duration,
        "slides": len(starts),
        "chapters": len(chapters),
        "by_slide": by_slide,
        "by_chapter": by_chapter,
        "by_words": by_words,
        "before": before,
        "old_chapters": len(old),
        "old_slide": old_slide,
        "old_chapter": old_chapter,
        "raw": len(text),
        "packed": deflated(text),
        "ref_raw": len(reference),
        "ref_packed": deflated(reference),
    }


def corpus_rows(limit: int | None) -> list[dict]:
    try:
        folder, lectures = load_or_build("test")
    except CorpusError as error:
        sys.exit(str(error))
    rows = []
    for lecture in lectures[:limit]:
        lecture: Lecture
        starts = [0.0, *lecture.changes]
        row = measure(lecture.name, folder / lecture.path, starts, lecture.titles, (), before=False)
        rows.append(row)
        print(f"  {lecture.name}: {row['by_slide']}/{row['slides']}", file=sys.stderr, flush=True)
    return rows


def sample_row() -> dict:
    truth = json.loads((SAMPLE / "lecture.json").read_text(encoding="utf-8"))
    starts = [slide["start"] for slide in truth["slides"]]
    titles = [slide["title"] for slide in truth["slides"]]
    # The narration as the Studio's transcript would carry it, one segment per slide.
    segments = [Segment(s["start"], s["end"], s["narration"]) for s in truth["slides"]]
    return measure(
        "sample lecture (narrated)", SAMPLE / "lecture.mp4", starts, titles, segments, before=True
    )


def percent(part: int, whole: int) -> str:
    return f"{part / whole:.0%}" if whole else "-"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, help="score only the first N test lectures")
    args = parser.parse_args()
    rows = corpus_rows(args.limit)
    rows.append(sample_row())

    print("\nChapter titles: the slide's own title (case, punctuation, spacing ignored)\n")
    print("| lecture | s | slides | chapters | slides titled | chapters titled "
          "| slides titled, words apart | before: chapters | before: slides titled |")  # fmt: skip
    print("|" + "---|" * 9)
    for r in rows:
        print(
            f"| {r['name']} | {r['seconds']:.0f} | {r['slides']} | {r['chapters']} "
            f"| {r['by_slide']} ({percent(r['by_slide'], r['slides'])}) "
            f"| {r['by_chapter']} ({percent(r['by_chapter'], r['chapters'])}) "
            f"| {r['by_words']} ({percent(r['by_words'], r['slides'])}) "
            + (
                f"| {r['old_chapters']} | {r['old_slide']} "
                f"({percent(r['old_slide'], r['slides'])}) |"
                if r["before"]
                else "| - | - |"
            )
        )
    corpus = rows[:-1]
    total = {key: sum(r[key] for r in corpus) for key in corpus[0] if key != "name"}
    print(
        f"| **test set** | {total['seconds']:.0f} | {total['slides']} | {total['chapters']} "
        f"| **{percent(total['by_slide'], total['slides'])}** "
        f"| **{percent(total['by_chapter'], total['chapters'])}** "
        f"| **{percent(total['by_words'], total['slides'])}** | - | - |"
    )

    print("\nSlide text per hour of video (MB = 10^6 bytes)\n")
    print("| lectures | hours | slides.json | in the package (deflated) | per hour, package "
          "| reference: every step in full | in the package | reference per hour |")  # fmt: skip
    print("|" + "---|" * 8)
    for label, group in (("test set", corpus), ("sample lecture", rows[-1:])):
        hours = sum(r["seconds"] for r in group) / HOUR
        raw = sum(r["raw"] for r in group)
        packed = sum(r["packed"] for r in group)
        ref_raw = sum(r["ref_raw"] for r in group)
        ref = sum(r["ref_packed"] for r in group)
        print(
            f"| {label} | {hours:.3f} | {raw:,} B | {packed:,} B | **{packed / hours / MB:.3f} MB** "
            f"| {ref_raw:,} B | {ref:,} B | {ref / hours / MB:.3f} MB |"
        )
    print("\nTargets: >= 90% of chapters titled with the slide's own title; "
          "<= 2 MB of slide text per hour in a package.")  # fmt: skip


if __name__ == "__main__":
    main()
