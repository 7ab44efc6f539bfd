"""Chapters: slide-change detection on real H.264 videos, titles, merging, files."""

from __future__ import annotations

import json
from dataclasses import dataclass

import cv2
import pytest

from shared.chapters import (
    Chapter,
    ChapterDetectionError,
    ChapterFileError,
    chapter_cues,
    chapters_from_changes,
    detect_slide_changes,
    load_chapters,
    make_thumbnails,
    merge_chapters,
    save_chapters,
    title_from_segments,
)
from shared.jobs import Cancelled, JobState
from tests.shared.slide_videos import make_scroll_video, make_slide_video, random_slides

SIZE = (640, 360)


@dataclass(frozen=True)
class Segment:
    start: float
    end: float
    text: str


def assert_matches(found: list[float], truth: list[float], tolerance: float = 1.0) -> None:
    assert len(found) == len(truth), f"found {found}, expected {truth}"
    for got, want in zip(found, truth, strict=True):
        assert abs(got - want) <= tolerance, f"found {found}, expected {truth}"


@pytest.fixture(scope="module")
def videos(tmp_path_factory):
    return tmp_path_factory.mktemp("slide-videos")


@pytest.fixture(scope="module")
def lecture(videos):
    """~50 s, pointer, webcam inset, CRF 30, some neighbours share the template and title."""
    slides = random_slides(7, 6, min_seconds=6.0, max_seconds=10.0, similar=0.5)
    path = videos / "lecture.mp4"
    truth = make_slide_video(path, slides, size=SIZE, crf=30, seed=7)
    return path, truth, sum(s[0] for s in slides)


def test_finds_every_slide_change_and_nothing_else(lecture):
    path, truth, _ = lecture
    assert_matches(detect_slide_changes(path), truth)


def test_a_fade_between_slides_is_one_change(videos):
    slides = random_slides(11, 5, min_seconds=7.0, max_seconds=10.0)
    path = videos / "faded.mp4"
    truth = make_slide_video(path, slides, size=SIZE, fade=1.5, crf=28, seed=11)
    assert_matches(detect_slide_changes(path), truth)


@pytest.mark.parametrize(("seconds", "seed"), [(0.6, 2), (1.0, 3)])
def test_a_slide_pushed_out_by_the_next_is_a_change_not_a_scroll(videos, seconds, seed):
    # Each sample in the middle of a push looks like the page scrolled; the slides on
    # either side of it still share nothing, so it is a change like a cut or a fade.
    slides = random_slides(seed, 7, min_seconds=6.0, max_seconds=12.0)
    path = videos / f"push-{seed}.mp4"
    truth = make_slide_video(path, slides, size=SIZE, push=seconds, crf=26, seed=seed)
    assert_matches(detect_slide_changes(path), truth)


def test_pointer_and_webcam_alone_are_not_changes(videos):
    slides = [(40.0, "One slide all along", ["a first point", "a second point", "the third"])]
    path = videos / "static.mp4"
    assert make_slide_video(path, slides, size=SIZE, crf=32, seed=13) == []
    assert detect_slide_changes(path) == []


def test_slides_differing_only_in_text_are_told_apart(videos):
    bullets = ["light reaction in the leaf", "carbon from the air", "water from the root"]
    slides = [
        (8.0, "Photosynthesis", bullets),
        (8.0, "Photosynthesis", ["glucose as the energy store", "oxygen as a by-product", "why"]),
        (8.0, "Cellular respiration", ["glucose as the energy store", "oxygen as a by-product", "why"]),
    ]  # fmt: skip
    path = videos / "similar.mp4"
    truth = make_slide_video(path, slides, size=SIZE, crf=30, seed=17)
    assert truth == [8.0, 16.0]
    assert_matches(detect_slide_changes(path), truth)


def test_a_slide_flashed_for_a_second_is_not_a_change(videos):
    lesson = ("Energy in plants", ["where the energy comes from", "how the plant stores it"])
    quiz = ("Quiz time", ["what does a leaf need", "why is the sky blue", "hands up"])
    slides = [(10.0, *lesson), (1.0, *quiz), (10.0, *lesson), (8.0, *quiz)]
    path = videos / "flash.mp4"
    assert make_slide_video(path, slides, size=SIZE, crf=30, seed=23) == [10.0, 11.0, 21.0]
    assert_matches(detect_slide_changes(path, min_gap=0.5), [21.0])


@pytest.fixture(scope="module")
def build_up(videos):
    """Bullets appearing one by one every 2 s, then a new slide."""
    first = ["where the energy comes from", "how the plant stores it", "what the cell needs"]
    slides = [
        (8.0, "Energy in plants", first[:1]),
        (2.0, "Energy in plants", first[:2]),
        (2.0, "Energy in plants", first),
        (9.0, "Water transport", ["roots take up water", "the stem carries it", "leaves lose it"]),
        (8.0, "Summary", ["energy from light", "water from the soil"]),
    ]
    path = videos / "build-up.mp4"
    return path, make_slide_video(path, slides, size=SIZE, crf=28, seed=19)


def test_each_bullet_appearing_is_a_change_when_gaps_allow(build_up):
    path, truth = build_up
    assert truth == [8.0, 10.0, 12.0, 21.0]
    assert_matches(detect_slide_changes(path, min_gap=1.0), truth)


def test_min_gap_keeps_the_new_slide_over_the_bullets_before_it(build_up):
    path, _ = build_up
    # 8 and 10 (one bullet each) are within 5 s of 12 (a whole new slide).
    assert_matches(detect_slide_changes(path, min_gap=5.0), [12.0, 21.0])


def test_scrolling_a_page_is_not_a_change_but_a_cut_to_another_page_is(videos):
    """Reading on screen: three source files, each scrolled with the wheel every 0.4 to
    1.2 s, then a cut to the next in the middle of the scrolling. The scrolled text
    fills the picture and never stops moving; only the two cuts are changes."""
    import difflib
    import inspect
    import shlex
    import textwrap

    documents = [inspect.getsource(module) for module in (textwrap, shlex, difflib)]
    path = videos / "reading.mp4"
    truth = make_scroll_video(path, documents, seed=3)
    assert_matches(detect_slide_changes(path), truth)


def test_min_gap_is_respected_from_start_end_and_between(lecture):
    path, truth, duration = lecture
    found = detect_slide_changes(path, min_gap=12.0)
    boundaries = [0.0, *found, duration]
    assert found
    assert all(b - a >= 12.0 for a, b in zip(boundaries, boundaries[1:], strict=False))
    assert all(min(abs(f - t) for t in truth) <= 1.0 for f in found)


def test_progress_goes_up_to_one(lecture):
    path, _, _ = lecture
    state = JobState()
    detect_slide_changes(path, state=state)
    progress = [p for p, _ in state.history]
    assert progress == sorted(progress)
    assert progress[-1] == 1.0
    assert len(progress) > 10
    assert state.status == "Finding slide changes"


def test_cancel_stops_detection(lecture):
    path, _, _ = lecture

    def cancel_halfway(progress: float, _status: str) -> None:
        if progress > 0.3:
            state.cancel()

    state = JobState(cancel_halfway)
    with pytest.raises(Cancelled):
        detect_slide_changes(path, state=state)
    assert state.progress < 0.6


def test_corrupt_video_is_a_detection_error(tmp_path):
    broken = tmp_path / "broken lecture.mp4"
    broken.write_bytes(b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 40)
    with pytest.raises(ChapterDetectionError, match="broken lecture.mp4"):
        detect_slide_changes(broken)
    with pytest.raises(ChapterDetectionError, match="missing.mp4"):
        detect_slide_changes(tmp_path / "missing.mp4")
    with pytest.raises(ChapterDetectionError, match="broken lecture.mp4"):
        make_thumbnails(broken, [Chapter(0.0, 5.0, "A")], tmp_path / "thumbs")


def test_truncated_video_still_gives_the_changes_before_the_cut(lecture, tmp_path):
    path, truth, _ = lecture
    data = path.read_bytes()
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(data[: len(data) * 6 // 10])
    try:
        found = detect_slide_changes(cut)
    except ChapterDetectionError as error:
        # An MP4 whose index sits after the cut cannot be read at all; say so clearly.
        assert "cut.mp4" in str(error)
    else:
        assert all(min(abs(f - t) for t in truth) <= 1.0 for f in found)


# ----------------------------------------------------------------- chapters, titles

SPEECH = [
    Segment(0.5, 4.0, "Okay, so, welcome to the course on plant biology. Today is day one."),
    Segment(10.2, 14.0, "Um, and now the light reactions, which happen in the thylakoid."),
    Segment(14.0, 19.0, "They need water."),
    Segment(30.4, 36.0, "So uh the Calvin cycle uses the energy stored in ATP and NADPH to fix carbon."),
]  # fmt: skip


def test_chapters_are_contiguous_from_zero_to_the_end():
    chapters = chapters_from_changes([20.0, 10.0, 30.0], 45.0, segments=SPEECH)
    assert [(c.start, c.end) for c in chapters] == [(0, 10), (10, 20), (20, 30), (30, 45)]
    assert all(c.source == "detected" and c.thumbnail is None for c in chapters)


def test_chapter_titles_come_from_the_first_words_after_the_change():
    chapters = chapters_from_changes([10.0, 20.0, 30.0], 45.0, segments=SPEECH)
    assert [c.title for c in chapters] == [
        "Welcome to the course on plant biology",
        "The light reactions, which happen in the thylakoid",
        "Chapter 3",
        "The Calvin cycle uses the energy stored in ATP and NADPH to…",
    ]
    assert all(len(c.title) <= 60 for c in chapters)


def test_short_chapters_are_folded_into_the_one_before():
    chapters = chapters_from_changes([2.0, 10.0, 12.0, 43.0], 45.0, min_length=5.0)
    assert [(c.start, c.end) for c in chapters] == [(0, 10), (10, 45)]
    assert [c.title for c in chapters] == ["Chapter 1", "Chapter 2"]
    assert chapters_from_changes([], 0.0) == []


@pytest.mark.parametrize(
    ("text", "title"),
    [
        ("So, okay, um, and now entropy. It always grows.", "Entropy"),
        ("Right, let's look at the second law.", "Let's look at the second law"),
        ("Alright. Good. What is a gradient?", "What is a gradient?"),
        ("um", ""),
        (
            "the quick brown fox jumps over the lazy dog again and again and again",
            "The quick brown fox jumps over the lazy dog again and again…",
        ),
    ],
)
def test_title_trims_filler_and_length(text, title):
    assert title_from_segments([Segment(1.0, 5.0, text)], 0.0, 10.0) == title


def test_title_skips_speech_from_the_previous_slide():
    long = Segment(0.0, 20.0, "This ends the first part of the story. Next we meet the Romans.")
    assert title_from_segments([long], 15.0, 30.0) == "Next we meet the Romans"
    assert title_from_segments([long], 40.0, 50.0) == ""
    assert title_from_segments([Segment(12.0, 14.0, "Too late.")], 0.0, 10.0) == ""


# -------------------------------------------------------------------------- merging

DETECTED = [Chapter(0, 10, "A"), Chapter(10, 20, "B"), Chapter(20, 35, "C"), Chapter(35, 50, "D")]


def test_merge_extend_keeps_manual_and_far_detected():
    manual = [Chapter(21.0, 30.0, "My C", source="manual"), Chapter(42.0, 44.0, "Extra", source="manual")]  # fmt: skip
    merged = merge_chapters(DETECTED, manual, mode="extend")
    assert [(c.start, c.end, c.title) for c in merged] == [
        (0, 10, "A"),
        (10, 21, "B"),
        (21, 35, "My C"),
        (35, 42, "D"),
        (42, 50, "Extra"),
    ]
    assert [c.source for c in merged] == ["detected", "detected", "manual", "detected", "manual"]


def test_merge_replace_keeps_only_manual_chapters_contiguous():
    manual = [Chapter(25.0, 26.0, "Two", source="manual"), Chapter(0.0, 3.0, "One", source="manual")]  # fmt: skip
    merged = merge_chapters(DETECTED, manual, mode="replace")
    assert [(c.start, c.end, c.title) for c in merged] == [(0, 25, "One"), (25, 50, "Two")]
    assert merge_chapters(DETECTED, [], mode="replace") == []
    with pytest.raises(ValueError, match="merge mode"):
        merge_chapters(DETECTED, manual, mode="mix")


def test_chapter_cues_skip_empty_chapters():
    chapters = [Chapter(0, 10, "A"), Chapter(10, 10, "Empty"), Chapter(10, 12.5, "B")]
    assert chapter_cues(chapters) == [(0, 10, "A"), (10, 12.5, "B")]


def test_chapter_rejects_impossible_values():
    with pytest.raises(ValueError):
        Chapter(5.0, 4.0, "Backwards")
    with pytest.raises(ValueError):
        Chapter(0.0, 4.0, "Who made it", source="guessed")


# ----------------------------------------------------------------------- thumbnails


def test_thumbnails_are_jpegs_of_the_requested_width(lecture, tmp_path):
    path, truth, duration = lecture
    chapters = chapters_from_changes(truth, duration)
    state = JobState()
    with_pictures = make_thumbnails(path, chapters, tmp_path / "pictures", width=200, state=state)
    names = [f"chapter-{n:03d}.jpg" for n in range(1, len(chapters) + 1)]
    assert [c.thumbnail for c in with_pictures] == names
    assert [(c.start, c.end, c.title) for c in with_pictures] == [
        (c.start, c.end, c.title) for c in chapters
    ]
    for name in names:
        data = (tmp_path / "pictures" / name).read_bytes()
        assert data[:3] == b"\xff\xd8\xff"
        picture = cv2.imread(str(tmp_path / "pictures" / name))
        assert picture.shape[:2] == (112, 200)
    assert sorted(p.name for p in (tmp_path / "pictures").iterdir()) == names
    assert state.progress == 1.0


def test_thumbnail_shows_its_own_slide_not_the_previous_one(lecture, tmp_path):
    path, truth, duration = lecture
    chapters = chapters_from_changes(truth, duration)

    def pictures(offset: float) -> list:
        made = make_thumbnails(path, chapters, tmp_path / str(offset), offset=offset)
        return [cv2.imread(str(tmp_path / str(offset) / c.thumbnail), 0) for c in made]

    def changed_share(a, b) -> float:
        # The slide area only: the webcam inset sits in the right-hand quarter.
        return float((cv2.absdiff(a, b)[:, :220] > 40).mean())

    early, later = pictures(1.0), pictures(3.0)
    # Two moments of one chapter show the same slide; neighbouring chapters do not.
    assert all(changed_share(a, b) < 0.005 for a, b in zip(early, later, strict=True))
    assert all(changed_share(a, b) > 0.005 for a, b in zip(early, early[1:], strict=False))


def test_cancelled_thumbnails_leave_nothing(lecture, tmp_path):
    path, truth, duration = lecture
    chapters = chapters_from_changes(truth, duration)

    def cancel_after_two(progress: float, _status: str) -> None:
        if progress >= 2 / len(chapters):
            state.cancel()

    state = JobState(cancel_after_two)
    with pytest.raises(Cancelled):
        make_thumbnails(path, chapters, tmp_path / "pictures", state=state)
    assert list((tmp_path / "pictures").iterdir()) == []


# ---------------------------------------------------------------------------- files


def test_save_and_load_round_trip(tmp_path):
    chapters = [
        Chapter(0.0, 12.5, "Intro — what we will do", "chapter-001.jpg"),
        Chapter(12.5, 40.0, "Café physics", None, "manual"),
    ]
    path = save_chapters(chapters, tmp_path / "out" / "chapters.json")
    assert json.loads(path.read_text(encoding="utf-8"))["chapters"][1]["source"] == "manual"
    assert load_chapters(path) == chapters
    assert [p.name for p in path.parent.iterdir()] == ["chapters.json"]


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (None, "does not exist"),
        ("{not json", "not valid JSON"),
        ('["a list"]', '"chapters" list'),
        ('{"chapters": [{"start": 0, "end": 3}]}', "chapter 1: .*title"),
        ('{"chapters": [{"start": 5, "end": 3, "title": "x"}]}', "chapter 1"),
        ('{"chapters": [{"start": "0", "end": 3, "title": "x"}]}', "number"),
    ],
)
def test_bad_chapter_files_are_chapter_file_errors(tmp_path, content, reason):
    path = tmp_path / "chapters.json"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(ChapterFileError, match=f"chapters.json.*{reason}"):
        load_chapters(path)


def test_title_across_segments_keeps_sentence_case():
    @dataclass(frozen=True)
    class Piece:
        start: float
        end: float
        text: str

    pieces = [
        Piece(10.2, 12.0, "Now let's see what happens when"),
        Piece(12.0, 14.0, "The clouds get heavy."),
    ]
    assert (
        title_from_segments(pieces, 10.0, 30.0)
        == "Now let's see what happens when the clouds get heavy"
    )
    names = [Piece(10.2, 12.0, "Today we travel to"), Piece(12.0, 14.0, "Paris and Rome.")]
    assert title_from_segments(names, 10.0, 30.0) == "Today we travel to Paris and Rome"
