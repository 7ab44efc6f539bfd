"""`lectern-studio build --captions FILE --retime`: the teacher's words, the speech's times.

The lecture is real speech with a known text and known times: four sentences spoken
by espeak-ng, put together with silences of known lengths, so where each sentence
begins and ends is known to the sample. The teacher's caption file has the same
sentences (spelled the teacher's way) at times that are seconds off, as captions
made for another cut are. The real pipeline transcribes it with the bundled Whisper
model and re-times the cues.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from shared.caption_retime import retime_captions
from shared.transcription import Segment, Transcript, Word
from tests.course_packages import studio
from tests.spoken_lectures import TWO_CITIES, espeak_available, human_speech

SENTENCES = (
    "The water cycle moves water between the oceans, the air and the land.",
    "Evaporation turns liquid water into vapour when the sun warms the sea.",
    "Condensation makes clouds as the vapour cools high above the ground.",
    "Precipitation brings the water back down as rain, snow or hail.",
)
SILENCES = (1.5, 2.0, 1.0, 2.5, 1.0)  # before each sentence, and after the last


def _clock(seconds: float) -> str:
    ms = round(seconds * 1000)
    return f"{ms // 3_600_000:02d}:{ms // 60_000 % 60:02d}:{ms // 1000 % 60:02d},{ms % 1000:03d}"


def _soxi(flag: str, path: Path) -> str:
    return subprocess.run(
        ["soxi", flag, str(path)], capture_output=True, text=True, check=True
    ).stdout


def _seconds(path: Path) -> float:
    return float(_soxi("-D", path))


@pytest.fixture(scope="module")
def lecture(tmp_path_factory, ffmpeg_bin) -> tuple[Path, list[tuple[float, float]]]:
    """The spoken lecture as a video, and each sentence's (start, end) in it."""
    if not espeak_available():
        pytest.skip("espeak-ng is not installed (make setup installs it)")
    folder = tmp_path_factory.mktemp("retime")
    parts, truth, at = [], [], 0.0
    for k, sentence in enumerate(SENTENCES):
        silence = folder / f"silence{k}.wav"
        speech = folder / f"speech{k}.wav"
        subprocess.run(["espeak-ng", "-s", "160", "-w", str(speech), sentence], check=True)
        rate = _soxi("-r", speech).strip()
        subprocess.run(
            ["sox", "-n", "-r", rate, "-c", "1", str(silence), "trim", "0", str(SILENCES[k])],
            check=True,
        )
        length = _seconds(speech)
        truth.append((at + SILENCES[k], at + SILENCES[k] + length))
        at += SILENCES[k] + length
        parts += [silence, speech]
    tail = folder / "tail.wav"
    subprocess.run(["sox", "-n", "-r", rate, "-c", "1", str(tail), "trim", "0", "1.0"])
    sound = folder / "lecture.wav"
    subprocess.run(["sox", *map(str, parts), str(tail), str(sound)], check=True)
    video = folder / "lecture.mp4"
    subprocess.run(
        [
            ffmpeg_bin,
            "-v",
            "error",
            "-f",
            "lavfi",
            "-i",
            f"testsrc2=size=320x240:rate=10:duration={_seconds(sound)}",
            "-i",
            str(sound),
            "-shortest",
            "-pix_fmt",
            "yuv420p",
            "-c:a",
            "aac",
            str(video),
        ],
        check=True,
    )
    return video, truth


def test_retime_keeps_the_words_and_takes_the_speech_times(lecture, tmp_path):
    video, truth = lecture
    # The teacher's file: every cue 3 s long, one after another from 0 s: seconds off.
    srt = "\n".join(
        f"{k + 1}\n{_clock(k * 3.0)} --> {_clock(k * 3.0 + 2.9)}\n{sentence}\n"
        for k, sentence in enumerate(SENTENCES)
    )
    captions = tmp_path / "teacher.srt"
    captions.write_text(srt, encoding="utf-8")
    result = studio(
        "build",
        video,
        "-o",
        tmp_path / "lesson",
        "--captions",
        captions,
        "--retime",
        config=tmp_path / "c",
    )
    assert "warning" not in result.stderr, result.stderr
    transcript = json.loads((tmp_path / "lesson" / "transcript.json").read_text())
    segments = transcript["segments"]
    assert [s["text"] for s in segments] == list(SENTENCES)  # the teacher's words
    for segment, (start, end) in zip(segments, truth, strict=True):
        assert abs(segment["start"] - start) < 0.5, (segment, start)
        assert abs(segment["end"] - end) < 0.7, (segment, end)
    # Before re-timing, the third cue started 3.3 s or more away from its speech.
    assert abs(6.0 - truth[2][0]) > 3.0


def test_retime_without_captions_is_a_usage_error(lecture, tmp_path):
    video, _ = lecture
    result = studio(
        "build", video, "-o", tmp_path / "lesson", "--retime", config=tmp_path / "c", check=False
    )
    assert result.returncode == 2 and "--captions" in result.stderr
    assert not (tmp_path / "lesson").exists()


def _video(ffmpeg: str, sound: Path, out: Path, lead: float = 0.0) -> Path:
    """A test picture with ``sound`` over it, after ``lead`` seconds of silence."""
    subprocess.run(
        [
            ffmpeg,
            "-v",
            "error",
            "-f",
            "lavfi",
            "-i",
            f"testsrc2=size=320x240:rate=10:duration={_seconds(sound) + lead}",
            "-i",
            str(sound),
            "-af",
            f"adelay={round(lead * 1000)}:all=1",
            "-shortest",
            "-pix_fmt",
            "yuv420p",
            "-c:a",
            "aac",
            str(out),
        ],
        check=True,
    )
    return out


def _retimed(video: Path, captions: Path, out: Path, config: Path) -> list[dict]:
    studio("build", video, "-o", out, "--captions", captions, "--retime", config=config)
    return json.loads((out / "transcript.json").read_text())["segments"]


def test_retime_on_human_speech_follows_the_voice(tmp_path, ffmpeg_bin):
    """Real human speech (a reading of A Tale of Two Cities, 44 s) with the reader's text
    as captions spread evenly over the file, as captions of unknown timing are. Re-timed
    on the recording and on the same recording 4 s later, every cue moves by those 4 s,
    whatever times the file gave: the times come from the voice."""
    sound, text = human_speech()[0]
    assert text == TWO_CITIES
    cues = [c.strip() + "," for c in text.split(", it was")][:6]
    cues = [cues[0]] + ["it was " + c for c in cues[1:]]
    srt = "\n".join(
        f"{k + 1}\n{_clock(k * 4.0)} --> {_clock(k * 4.0 + 3.9)}\n{cue}\n"
        for k, cue in enumerate(cues)
    )
    captions = tmp_path / "reader.srt"
    captions.write_text(srt, encoding="utf-8")
    config = tmp_path / "c"
    now = _retimed(_video(ffmpeg_bin, sound, tmp_path / "a.mp4"), captions, tmp_path / "a", config)
    later = _retimed(
        _video(ffmpeg_bin, sound, tmp_path / "b.mp4", lead=4.0), captions, tmp_path / "b", config
    )
    assert [s["text"] for s in now] == [s["text"] for s in later] == cues
    for first, second in zip(now, later, strict=True):
        assert abs(second["start"] - first["start"] - 4.0) < 0.3, (first, second)
    # The cues follow one another without overlapping, and left the file's times.
    assert all(a["end"] <= b["start"] + 1e-6 for a, b in zip(now, now[1:], strict=False))
    assert max(abs(s["start"] - k * 4.0) for k, s in enumerate(later)) > 2.0


def _words(text: str, start: float, step: float) -> tuple[Word, ...]:
    return tuple(
        Word(start + k * step, start + (k + 1) * step, " " + w, 0.9)
        for k, w in enumerate(text.split())
    )


def test_words_not_heard_share_the_time_between_heard_ones():
    teacher = Transcript(
        (Segment(0.0, 1.0, "Lectern keeps Szpunar's words"), Segment(1.0, 2.0, "as written.")),
        "en",
        20.0,
        "captions",
        "captions",
    )
    # The engine mishears the name and hears everything 10 s later than the file says.
    heard_text = "lectern keeps spooner's words as written"
    heard = Transcript(
        (Segment(10.0, 16.0, heard_text, words=_words(heard_text, 10.0, 1.0)),),
        "en",
        20.0,
        "tiny.en",
        "faster-whisper",
    )
    retimed = retime_captions(teacher, heard)
    assert not retimed.kept and retimed.matched == pytest.approx(5 / 6)
    first, second = retimed.transcript.segments
    assert first.text == "Lectern keeps Szpunar's words" and second.text == "as written."
    assert (first.start, first.end) == (10.0, 14.0)
    assert (second.start, second.end) == (14.0, 16.0)
    assert [w.start for w in first.words] == [10.0, 11.0, 12.0, 13.0]  # the name in between


def test_captions_of_another_video_keep_their_times():
    teacher = Transcript((Segment(1.0, 2.0, "Cells divide by mitosis."),), "en", 9.0, "c", "c")
    heard = Transcript(
        (Segment(4.0, 6.0, "The water cycle", words=_words("The water cycle", 4.0, 0.5)),),
        "en",
        9.0,
        "tiny.en",
        "faster-whisper",
    )
    retimed = retime_captions(teacher, heard)
    assert retimed.kept and retimed.transcript == teacher
    assert "keep their own times" in retimed.warnings[0]
