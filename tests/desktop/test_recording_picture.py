"""No Lectern window in a recording: recorded from the Studio with real keys, under openbox.

``drive.py studio record`` opens the Studio on a 1280x720 desktop with a slides
window, presses Ctrl+R, Enter (Record is the default button), lets the countdown run,
pauses and resumes with the desktop-wide Ctrl+Shift+P, stops with Ctrl+Shift+S and
types the lesson's title. It keeps a picture of each Lectern window it saw (main
window, picker, countdown, recording bar, title question) and of the X screen while
that window was up. Here every frame of the recording is searched for each window;
the same search on the screen while the window was up must find it, so the search
could have found it in a frame.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from studio.course import new_course
from tests.desktop.pictures import best_match, distinct_frames, load, tiles_of

pytestmark = pytest.mark.slow

#: A window counts as found above this (normalized correlation of its pieces). Shown
#: windows matched their own pictures at 0.91 or more, and a bar left at the top of a
#: recorded screen was found in 93 frames of 93 (bench/bench_clean_picture.py);
#: frames without a Lectern window (slides, desktop) matched at 0.69 at most.
FOUND = 0.8
SHOWN = 0.88


@pytest.fixture(scope="module")
def recordings(desktop_720, tmp_path_factory) -> dict:
    """One recording of each kind (screen, region, window) and what the Studio showed."""
    made = {}
    for what in ("screen", "region", "window"):
        home = tmp_path_factory.mktemp(f"record-{what}")
        course = new_course(home / "courses", "Biology")
        desktop_720.env["LECTERN_RECORD"] = what
        try:
            made[what] = desktop_720.drive("studio", "record", course.folder, home, timeout=400)
        finally:
            desktop_720.env.pop("LECTERN_RECORD", None)
    return made


@pytest.mark.parametrize("what", ["screen", "region", "window"])
def test_no_frame_of_a_recording_contains_a_lectern_window(recordings, what):
    seen = recordings[what]
    assert seen["Return records"] and seen["started"] and seen["paused"] and seen["resumed"]
    assert seen["saved"]
    distinct = distinct_frames(Path(seen["folder"]) / "main.mkv")
    assert sum(times for _, times in distinct) > 60  # about 3 s at 30 frames per second
    frames = [frame for frame, _ in distinct]  # each different picture, searched once
    for name, path in seen["templates"].items():
        template = load(name, path)
        assert template.tiles, f"the {name} has no detail to look for"
        control = load(f"screen with the {name}", seen["controls"][name]).picture
        assert best_match(template, control) > SHOWN, f"the {name} is not found where it shows"
        worst = max(best_match(template, frame) for frame in frames)
        assert worst < FOUND, f"the {name} is in the {what} recording (match {worst:.2f})"


def test_the_bar_is_outside_a_recorded_region_or_window_and_hides_for_a_whole_screen(
    recordings,
):
    screen, region, window = recordings["screen"], recordings["region"], recordings["window"]
    # One screen recorded whole: nowhere else to go, so the bar shows only while paused.
    assert screen["bar hidden while recording"] and not screen["bar shown while recording"]
    assert screen["bar hidden again"]
    for seen in (region, window):
        assert not seen["bar hidden while recording"] and seen["bar shown while recording"]
        ax, ay, aw, ah = seen["recorded area"]
        bx, by, bw, bh = seen["bar"]
        apart = bx >= ax + aw or bx + bw <= ax or by >= ay + ah or by + bh <= ay
        assert apart, f"bar {seen['bar']} over the recorded {seen['recorded area']}"


def test_after_stop_the_lesson_is_named_with_a_suggestion_from_the_slides(recordings):
    for seen in recordings.values():
        # The slides' document, not "Lesson 1": the window's title names it.
        assert seen["suggested title"] == "Photosynthesis"
        assert seen["title kept"] == "Light and leaves"


def test_plain_pieces_and_edges_are_not_looked_for():
    import numpy as np

    plain = np.full((200, 300), 40, np.uint8)
    assert tiles_of(plain) == []
    stripes = plain.copy()
    stripes[::8] = 220  # edges one way only: they would match any panel's border
    assert tiles_of(stripes) == []
    text_like = np.random.default_rng(1).integers(0, 255, (200, 300), dtype=np.uint8)
    assert len(tiles_of(text_like)) > 0
