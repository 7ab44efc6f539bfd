"""Chapters of a build from the slides: the OCR engine missing, and a video with no text.

Real videos made with FFmpeg; real detection and OCR.
"""

from __future__ import annotations

import re
import subprocess
import sys
from dataclasses import dataclass

import pytest

from shared.chapters import load_chapters, load_slides
from shared.chapters import slides as slides_module
from shared.media import ffmpeg_exe
from studio.pipeline import find_chapters
from tests.shared.slide_videos import make_slide_video

DECK = [
    (6.0, "Where Is the Water on Earth", ["Oceans hold most of it"]),
    (6.0, "Where Is the Water on Earth", ["Oceans hold most of it", "Ice caps hold more"]),
    (5.0, "The Water Cycle", ["Evaporation from the sea", "Rain over the land"]),
    (12.0, "Clouds and Rain", ["Droplets grow until they fall"]),
]


@pytest.fixture(scope="module")
def deck(tmp_path_factory):
    path = tmp_path_factory.mktemp("deck") / "deck.mp4"
    truth = make_slide_video(path, DECK, size=(960, 540), crf=26, seed=5, pointer=False)
    return path, truth


def test_every_slide_is_a_chapter_titled_by_the_slide_and_a_reveal_is_a_step(deck):
    path, truth = deck
    slides, found, warning = find_chapters(path, 29.0, min_chapter=10.0)
    assert warning == ""
    # Three slides; the 5 s one is a chapter too (shorter than the 10 s for text-less changes).
    # (OCR sometimes drops the spaces between small words: letters are compared.)
    assert [re.sub(r"\W+", "", c.title.casefold()) for c in found] == [
        "whereisthewateronearth",
        "thewatercycle",
        "cloudsandrain",
    ]
    assert [round(c.start) for c in found[1:]] == [round(t) for t in truth[1:]]
    first = slides[0]
    revealed = next(line for line in first.lines if "caps" in line.text.casefold())
    assert abs(revealed.start - truth[0]) <= 1.0  # the reveal is timed inside the chapter
    assert all(line.start == first.start for line in first.lines if line is not revealed)


def test_without_the_ocr_engine_the_build_goes_on_and_says_so_in_one_sentence(deck, monkeypatch):
    path, _truth = deck
    monkeypatch.setattr(slides_module, "_ENGINE", None)
    monkeypatch.setitem(sys.modules, "rapidocr_onnxruntime", None)  # the import fails
    slides, found, warning = find_chapters(path, 29.0, min_chapter=10.0)
    assert slides is None and found  # chapters from the picture alone
    assert all(b.start - a.start >= 10.0 for a, b in zip(found, found[1:], strict=False))
    assert "rapidocr-onnxruntime" in warning and "\n" not in warning
    assert warning.count(". ") == 0 and warning.endswith(".")


def test_a_video_without_slides_gets_no_chapter_every_few_seconds(tmp_path):
    path = tmp_path / "life.mp4"
    subprocess.run(
        [ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-f", "lavfi",
         "-i", "life=size=320x240:rate=10:mold=10:ratio=0.3", "-t", "30", "-c:v", "libx264",
         "-preset", "ultrafast", "-pix_fmt", "yuv420p", str(path)],
        check=True,
    )  # fmt: skip
    slides, found, warning = find_chapters(path, 30.0, min_chapter=10.0)
    assert warning == "" and slides is not None
    assert all(c.duration >= 10.0 for c in found[:-1]), found
    assert all(c.title for c in found)


def test_the_chapters_command_writes_the_slide_text_beside_the_chapters(deck, tmp_path):
    path, truth = deck
    out, text = tmp_path / "chapters.json", tmp_path / "slides.json"
    command = [sys.executable, "-m", "studio.cli", "chapters", str(path), "-o", str(out)]
    result = subprocess.run(
        [*command, "--slides", str(text)], capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, result.stderr
    slides = load_slides(text)  # the same file a lesson folder holds, as its reader takes it
    found = load_chapters(out)
    assert [(s.start, s.end) for s in slides] == [(c.start, c.end) for c in found]
    assert re.sub(r"\W+", "", slides[1].title.casefold()) == "thewatercycle"
    assert any("caps" in line.text.casefold() for line in slides[0].lines)
    # An existing slide file is not replaced without --force, and nothing is done.
    again = subprocess.run(
        [*command, "--force", "--slides", str(text)[:-5] + ".txt"], capture_output=True, text=True
    )
    assert again.returncode != 0 and again.stderr.count("\n") == 1 and ".json" in again.stderr
    other = [*command[:-1], str(tmp_path / "other.json"), "--slides", str(text)]
    refused = subprocess.run(other, capture_output=True, text=True)
    assert refused.returncode != 0 and str(text) in refused.stderr
    assert not (tmp_path / "other.json").exists()


@dataclass(frozen=True)
class Said:
    start: float
    end: float
    text: str


def test_a_talking_head_gets_chapters_at_the_longest_pauses_minutes_apart(tmp_path):
    """No words on screen: the speech's long pauses make chapters, minutes apart."""
    path = tmp_path / "head.mp4"
    subprocess.run(
        [ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-f", "lavfi",
         "-i", "life=size=160x120:rate=5:mold=10:ratio=0.3", "-t", "400", "-c:v", "libx264",
         "-preset", "ultrafast", "-pix_fmt", "yuv420p", str(path)],
        check=True,
    )  # fmt: skip
    # A sentence every 4.4 s with a 0.4 s breath between, and three longer pauses:
    # 3 s near 130 s, 2.5 s near 260 s, 2 s near 200 s (too close to the one at 130 s).
    pauses = {130.0: 3.0, 200.0: 2.0, 260.0: 2.5}
    said: list[Said] = []
    resumes: dict[float, float] = {}
    at = 0.5
    while at < 395:
        said.append(Said(at, at + 4.0, f"Sentence number {len(said) + 1} about the topic."))
        gap = next((g for p, g in pauses.items() if at + 4.0 <= p < at + 8.4), 0.4)
        at += 4.0 + gap
        if gap > 0.4:
            resumes[gap] = at
    slides, found, warning = find_chapters(path, 400.0, segments=said, min_chapter=10.0)
    assert warning == "" and slides is not None and not any(s.lines for s in slides)
    starts = [c.start for c in found]
    assert resumes[3.0] in starts and resumes[2.5] in starts and resumes[2.0] not in starts
    assert all(c.duration >= 10.0 for c in found), found
    assert all(c.title.startswith("Sentence number") for c in found[1:] if c.start > 100)
