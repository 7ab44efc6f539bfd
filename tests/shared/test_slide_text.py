"""Slide text: from detection to the lesson, the package and the learner's library search.

Real values from slide-aware detection (:class:`SlideChange`, :class:`SlideText`), real
packages written and verified, a real SQLite library.
"""

from __future__ import annotations

import json

import pytest

from shared import package as pkg
from shared.chapters import (
    Slide,
    SlideFileError,
    SlideLine,
    chapters_from_slides,
    load_slides,
    retime_slides,
    save_slides,
    slide_at,
    slides_from_changes,
)
from shared.chapters.slides import SlideChange, SlideText
from shared.contents import ContentError, parse_slides
from shared.library import Library
from shared.manifest import FORMAT_VERSION, Manifest
from tests.shared import bad_packages
from tests.shared.test_library import make_package


def _said(start: float, end: float, text: str):
    from shared.transcription import Segment

    return Segment(start, end, text)


FIRST = SlideText("Where Is the Water?", ("Where Is the Water?", "Oceans hold most of it"))
REVEALED = SlideText(
    "Where Is the Water?",
    ("Where Is the Water?", "Oceans hold most of it", "Ice caps hold more"),
)
# OCR reads the same line a little differently on the next step: still one line.
REREAD = SlideText("Where ls the Water?", ("Where ls the Water?", "Oceans hold most of it."))
CHANGES = [
    SlideChange(0.0, REVEALED, ((0.0, FIRST), (6.2, REVEALED))),
    SlideChange(12.4, SlideText("", ("x = 42", "print(x)"))),  # a slide without a title
    SlideChange(17.0, SlideText("", ())),  # nothing readable
    SlideChange(21.0, REREAD),
]


def test_each_slide_keeps_every_line_once_timed_when_it_first_appears():
    slides = slides_from_changes(CHANGES, 30.0)
    assert [(s.start, s.end) for s in slides] == [
        (0.0, 12.4),
        (12.4, 17.0),
        (17.0, 21.0),
        (21.0, 30.0),
    ]
    first = slides[0]
    assert first.title == "Where Is the Water?"
    assert [(line.text, line.start) for line in first.lines] == [
        ("Where Is the Water?", 0.0),
        ("Oceans hold most of it", 0.0),
        ("Ice caps hold more", 6.2),  # the reveal: a step inside the slide
    ]
    assert first.steps() == [
        (0.0, "Where Is the Water?\nOceans hold most of it"),
        (6.2, "Ice caps hold more"),
    ]
    assert slides[2].lines == () and slides[2].title == ""
    # Stored once: the revealed step does not repeat the lines shown before it.
    data = first.to_dict()
    assert [line.get("start") for line in data["lines"]] == [None, None, 6.2]
    assert Slide.from_dict(json.loads(json.dumps(data))) == first


def test_a_chapter_per_slide_titled_by_the_slide_else_by_the_speech():
    slides = slides_from_changes(CHANGES, 30.0)
    speech = [_said(13.0, 15.0, "So, here is a short program."), _said(22.0, 24.0, "Again.")]
    chapters = chapters_from_slides(slides, 30.0, segments=speech)
    assert [(c.start, c.title) for c in chapters] == [
        (0.0, "Where Is the Water?"),
        (12.4, "Here is a short program"),  # no title on the slide: what is said
        (17.0, "Chapter 3"),  # neither
        (21.0, "Where ls the Water?"),
    ]


def test_slide_text_files_round_trip_follow_cuts_and_refuse_damage(tmp_path):
    slides = slides_from_changes(CHANGES, 30.0)
    path = save_slides(slides, tmp_path / "slides.json")
    assert load_slides(path) == slides
    assert slide_at(slides, 13.0) == slides[1] and slide_at(slides, 0.0) == slides[0]
    # Cut 2-8 s out: the revealed line now appears at 0.2 s, the next slide at 6.4 s.
    kept = ((0.0, 2.0), (8.0, 30.0))

    def clip(start: float, end: float):
        pieces, offset = [], 0.0
        for a, b in kept:
            low, high = max(start, a), min(end, b)
            if high > low or (high == low and start == end and a <= start <= b):
                pieces.append((offset + low - a, offset + high - a))
            offset += b - a
        return (pieces[0][0], pieces[-1][1]) if pieces else None

    moved = retime_slides(slides, clip)
    assert [(s.start, s.end) for s in moved] == [
        (0.0, 6.4),
        (6.4, 11.0),
        (11.0, 15.0),
        (15.0, 24.0),
    ]
    assert [line.start for line in moved[0].lines] == [0.0, 0.0, 2.0]
    (tmp_path / "bad.json").write_text('{"slides": [{"start": "x"}]}', encoding="utf-8")
    with pytest.raises(SlideFileError, match="slide 1"):
        load_slides(tmp_path / "bad.json")


def test_a_package_carries_the_slide_text_and_checks_it(tmp_path):
    good = bad_packages.make_good_package(tmp_path)
    manifest = pkg.verify_package(good)
    assert manifest.format_version == FORMAT_VERSION  # 1.2 or newer
    lesson = manifest.lessons[0]
    assert lesson.slides == bad_packages.SLIDES
    body = pkg.read_member(good, lesson.slides)
    slides = parse_slides(body, lesson)
    assert [s.title for s in slides] == ["Agenda", "Lipid bilayer"]
    assert slides[1].lines[1] == SlideLine("Osmosis across it", 41.5)
    hostile = json.dumps({"slides": [{"start": 0, "end": 1, "title": "x", "lines": [{"text": 5}]}]})
    with pytest.raises(ContentError, match=r"slides\[0\]\.lines\[0\]\.text"):
        parse_slides(hostile.encode(), lesson)


def _as_format_1_1(data: dict) -> None:
    """What Lectern wrote before slide text: format 1.1, no ``slides`` member."""
    data["format_version"] = "1.1"
    for lesson in data["lessons"]:
        lesson.pop("slides", None)


def _without_slides(items: list[tuple[str, bytes]]) -> None:
    items[:] = [(name, body) for name, body in items if not name.endswith("slides.json")]


def _old_package(folder, version: int = 2):
    """A real unsigned package as Lectern wrote it in format 1.1."""
    new = make_package(folder, version=version, signing_key=None)
    out = folder / f"old-{version}.lectern"
    return bad_packages.repack(
        new, out, manifest=_as_format_1_1, members=_without_slides, refresh=True
    )


def test_a_format_1_1_package_still_opens_imports_and_searches(tmp_path):
    old = _old_package(tmp_path / "packages")
    manifest = pkg.verify_package(old)
    assert manifest.format_version == "1.1"
    assert all(lesson.slides is None for lesson in manifest.lessons)
    assert Manifest.from_json(manifest.to_json()).lessons[0].slides is None
    with Library.open(tmp_path / "library") as library:
        library.import_course(old)
        assert library.slides("bio-101", "intro") == []
        hits = library.search("membrane")
        assert hits and {hit.kind for hit in hits} == {"segment"}


def test_the_library_finds_words_on_slides_at_the_step_that_shows_them(tmp_path):
    with Library.open(tmp_path / "library") as library:
        library.import_course(make_package(tmp_path / "packages"))
        # "Osmosis" is never said: it is revealed on the second slide of both lessons,
        # 11.5 s after the slide appears.
        hits = library.search("osmosis")
        assert sorted((h.kind, h.lesson_id, h.time) for h in hits) == [
            ("slide", "intro", 41.5),
            ("slide", "week-2", 41.5),
        ]
        assert all(h.snippet == "\x02Osmosis\x03 across it" for h in hits)
        hits = library.search("bilayer", course_id="bio-101")
        assert {(h.kind, h.time) for h in hits} == {("slide", 30.0)}
        # Said and shown: each hit is marked as what it is.
        hits = library.search("mitochondria")
        assert {h.kind for h in hits} == {"segment", "chapter"}
        assert [s.title for s in library.slides("bio-101", "intro")] == ["Agenda", "Lipid bilayer"]
        # A new version without slide text removes the old lesson's slide rows.
        result = library.import_course(make_package(tmp_path / "v3", version=3, slides=False))
        assert result.action == "updated"
        assert library.search("osmosis") == []
        assert library.db["slide_text"].count == 0
