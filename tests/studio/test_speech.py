"""Cut points and speech: which words a cut removes, and snapping to pauses."""

from __future__ import annotations

from shared.transcription import Segment, Transcript, Word
from studio.speech import snap_to_pause, words_removed

# "Welcome to this short lecture" with a long pause (2.0-3.0) before "Today".
WORDS = (
    Word(1.40, 1.90, " Welcome", 0.9),
    Word(1.95, 2.00, " to", 0.9),
    Word(3.00, 3.40, " Today", 0.9),
    Word(3.50, 3.90, " water", 0.9),
)
TRANSCRIPT = Transcript(
    segments=(
        Segment(1.4, 2.0, "Welcome to", WORDS[:2]),
        Segment(3.0, 3.9, "Today water", WORDS[2:]),
    ),
    language="en",
    duration=10.0,
    model="test",
    engine="test",
)


def test_an_in_point_inside_the_first_word_reports_it_cut():
    # The case: an in point at 1.5 s cut off the first spoken word silently.
    assert [w.text for w in words_removed(TRANSCRIPT, 0.0, 1.7)] == [" Welcome"]
    assert words_removed(TRANSCRIPT, 0.0, 1.5) == []  # most of it is still there
    assert words_removed(TRANSCRIPT, 2.1, 2.9) == []  # a pause removes no speech


def test_a_point_inside_a_word_snaps_to_the_pause_before_it():
    assert snap_to_pause(TRANSCRIPT, 1.5) == 1.35  # just before "Welcome"
    assert snap_to_pause(TRANSCRIPT, 3.45) == 3.45  # the middle of the gap already
    assert 3.4 <= snap_to_pause(TRANSCRIPT, 3.6) <= 3.5  # the short gap "Today | water"


def test_a_point_in_a_long_pause_or_away_from_speech_stays():
    assert snap_to_pause(TRANSCRIPT, 2.5) == 2.5
    assert snap_to_pause(TRANSCRIPT, 0.3) == 0.3
    assert snap_to_pause(TRANSCRIPT, 8.0) == 8.0


def test_snapping_never_goes_further_than_its_reach():
    assert snap_to_pause(TRANSCRIPT, 1.7, reach=0.1) == 1.7
    assert snap_to_pause(Transcript.empty(10.0), 1.7) == 1.7


def test_the_waveform_follows_the_sound_of_the_sample(tmp_path):
    import subprocess
    from pathlib import Path

    from shared import media
    from studio.speech import waveform

    sample = Path(__file__).resolve().parents[2] / "resources" / "sample" / "lecture.mp4"
    peaks = waveform(sample, buckets=500)
    assert len(peaks) == 500 and max(peaks) == 1.0
    assert sum(p < 0.05 for p in peaks) > 10  # pauses between sentences are quiet
    assert sum(p > 0.3 for p in peaks) > 100  # speech is not
    silent = tmp_path / "no-sound.mp4"
    subprocess.run(
        [media.ffmpeg_exe(), "-v", "error", "-i", str(sample), "-t", "2", "-an", "-c:v", "copy",
         str(silent)],
        check=True,
    )  # fmt: skip
    assert waveform(silent) == []
