"""Captions: cue-building conventions checked as properties, and WebVTT / SRT files."""

from __future__ import annotations

import random
import re

import pytest

from shared.captions import (
    CaptionFileError,
    Cue,
    UnsupportedFormatError,
    cues_from_transcript,
    format_timestamp,
    parse_timestamp,
    read_srt,
    read_vtt,
    write_srt,
    write_transcript_file,
    write_vtt,
)
from shared.transcription import FasterWhisperEngine, Segment, Transcript, Word

LONG_WORDS = [
    "pneumonoultramicroscopicsilicovolcanoconiosis",  # 45 characters
    "https://example.org/lectures/biology/photosynthesis/chapter-seven/notes.html",
]


@pytest.fixture(scope="session")
def real_transcript(speech_wav) -> Transcript:
    return FasterWhisperEngine().transcribe(speech_wav[0], language="en")


def synthetic_segment(rng: random.Random, start: float, vocabulary: list[str]) -> Segment:
    """A segment of random words with realistic and awkward timings and punctuation."""
    words, at = [], start
    for _ in range(rng.randint(1, 45)):
        at += rng.choice([0.0, 0.0, 0.0, 0.05, 0.2, 0.6, 2.5])
        length = rng.choice([0.05, 0.2, 0.3, 0.5, 0.9]) if rng.random() > 0.01 else 9.0
        text = rng.choice(vocabulary) if rng.random() > 0.02 else rng.choice(LONG_WORDS)
        text += rng.choice(["", "", "", "", "", ",", ".", "?", ";"])
        words.append(Word(round(at, 3), round(at + length, 3), " " + text, 0.9))
        at += length
    text = "".join(word.text for word in words).strip()
    if rng.random() < 0.15:  # an engine that gave no word timings for this segment
        return Segment(words[0].start, words[-1].end, text)
    return Segment(words[0].start, words[-1].end, text, tuple(words))


def long_transcript(real: Transcript, seed: int) -> Transcript:
    """About 20 minutes: the real run repeated, interleaved with synthetic segments."""
    rng = random.Random(seed)
    vocabulary = [word.text.strip(" .,") for word in real.words] + ["a", "I", "of", "mitochondria"]
    segments: list[Segment] = []
    offset = 0.0
    while offset < 1200:
        if rng.random() < 0.3:
            for segment in real.segments:
                moved = tuple(
                    Word(w.start + offset, w.end + offset, w.text, w.probability)
                    for w in segment.words
                )
                segments.append(
                    Segment(segment.start + offset, segment.end + offset, segment.text, moved)
                )
            offset += real.duration
        else:
            segment = synthetic_segment(rng, offset, vocabulary)
            segments.append(segment)
            offset = segment.end + rng.choice([0.0, 0.3, 1.0, 4.0])
    return Transcript(tuple(segments), "en", offset + 1.0, "tiny.en", "faster-whisper")


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def check_conventions(
    cues: list[Cue], transcript: Transcript, width: int, lines: int, longest: float
):
    assert cues
    previous_end = 0.0
    for cue in cues:
        assert cue.text and cue.text == cue.text.strip(), cue
        rows = cue.text.split("\n")
        assert 1 <= len(rows) <= lines, cue
        assert all(0 < len(row) <= width for row in rows), cue
        assert previous_end <= cue.start < cue.end, cue
        assert cue.end - cue.start <= longest + 1e-9, cue
        assert cue.end <= transcript.duration + longest
        assert round(cue.start, 3) == cue.start and round(cue.end, 3) == cue.end
        previous_end = cue.end
    # Nothing lost, added or reordered (hard-wrapped words are split across lines).
    assert squeeze("".join(cue.text for cue in cues)) == squeeze(
        "".join(segment.text for segment in transcript.segments)
    )


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("width, lines, longest", [(42, 2, 7.0), (32, 2, 6.0), (20, 3, 5.0)])
def test_long_transcript_follows_caption_conventions(real_transcript, seed, width, lines, longest):
    transcript = long_transcript(real_transcript, seed)
    cues = cues_from_transcript(
        transcript, max_chars_per_line=width, max_lines=lines, max_duration=longest
    )
    check_conventions(cues, transcript, width, lines, longest)
    assert len(cues) > 100


def test_cue_words_are_the_transcript_words_in_order(real_transcript):
    transcript = long_transcript(real_transcript, seed=7)
    transcript = Transcript(
        tuple(s for s in transcript.segments if not any(w in s.text for w in LONG_WORDS)),
        "en",
        transcript.duration,
        "",
        "",
    )
    cues = cues_from_transcript(transcript)
    cue_words = " ".join(cue.text for cue in cues).split()
    assert cue_words == " ".join(segment.text for segment in transcript.segments).split()
    assert len(cue_words) > 500


def test_real_speech_breaks_at_sentence_ends(real_transcript):
    cues = cues_from_transcript(real_transcript)
    assert len(cues) == 2
    assert cues[0].text.endswith("energy.")
    assert cues[1].text.startswith("This process")
    assert cues[0].start == real_transcript.words[0].start


def test_lines_are_balanced():
    text = "one two three four five six seven eight nine ten eleven twelve"
    words = tuple(Word(i * 0.3, i * 0.3 + 0.25, " " + w, 1.0) for i, w in enumerate(text.split()))
    transcript = Transcript((Segment(0.0, 3.6, text, words),), "en", 4.0, "", "")
    (cue,) = cues_from_transcript(transcript)
    top, bottom = cue.text.split("\n")
    assert abs(len(top) - len(bottom)) <= 8, cue.text


def test_over_long_word_is_hard_wrapped():
    word = "x" * 100
    transcript = Transcript(
        (
            Segment(
                0.0,
                2.0,
                f"Look: {word} done.",
                (
                    Word(0.0, 0.5, " Look:", 1.0),
                    Word(0.5, 1.5, " " + word, 1.0),
                    Word(1.5, 2.0, " done.", 1.0),
                ),
            ),
        ),
        "en",
        2.0,
        "",
        "",
    )
    cues = cues_from_transcript(transcript)
    check_conventions(cues, transcript, 42, 2, 7.0)
    assert word in squeeze("".join(cue.text for cue in cues))


def test_segment_without_words_is_spread_over_its_time():
    text = "This segment came without any word timings at all, so its words are spread evenly over the time."
    transcript = Transcript((Segment(10.0, 16.0, text),), "en", 20.0, "", "")
    cues = cues_from_transcript(transcript)
    check_conventions(cues, transcript, 42, 2, 7.0)
    assert cues[0].start == 10.0 and cues[-1].end == 16.0
    assert len(cues) >= 2


def test_short_cue_is_stretched_but_never_overlaps():
    words = (
        Word(1.0, 1.2, " Yes.", 1.0),
        Word(5.0, 5.3, " No.", 1.0),
        Word(5.5, 5.8, " Maybe.", 1.0),
    )
    transcript = Transcript(
        (
            Segment(1.0, 1.2, "Yes.", words[:1]),
            Segment(5.0, 5.3, "No.", words[1:2]),
            Segment(5.5, 5.8, "Maybe.", words[2:]),
        ),
        "en",
        7.0,
        "",
        "",
    )
    # One line of six characters keeps "No." and "Maybe." in separate cues.
    cues = cues_from_transcript(transcript, max_chars_per_line=6, max_lines=1)
    assert [c.text for c in cues] == ["Yes.", "No.", "Maybe."]
    assert cues[0].end == 2.0  # stretched to the one-second minimum
    assert cues[1].end == 5.5  # stretched only up to the next cue
    assert cues[2].end == 6.5


def test_long_pause_ends_a_cue():
    words = (Word(0.0, 0.3, " Wait", 1.0), Word(4.0, 4.3, " here", 1.0))
    transcript = Transcript((Segment(0.0, 4.3, "Wait here", words),), "en", 5.0, "", "")
    assert [c.text for c in cues_from_transcript(transcript)] == ["Wait", "here"]


def test_words_without_spaces_are_glued():
    chars = "光合作用发生在叶子里"
    words = tuple(Word(i * 0.2, i * 0.2 + 0.2, ch, 1.0) for i, ch in enumerate(chars))
    transcript = Transcript((Segment(0.0, 2.0, chars, words),), "zh", 2.0, "", "")
    assert [c.text for c in cues_from_transcript(transcript)] == [chars]


def test_empty_transcript_has_no_cues():
    assert cues_from_transcript(Transcript.empty(60.0)) == []


# ---------------------------------------------------------------------- timestamps


@pytest.mark.parametrize(
    "seconds, vtt, srt",
    [
        (0, "00:00:00.000", "00:00:00,000"),
        (1.5, "00:00:01.500", "00:00:01,500"),
        (59.9996, "00:01:00.000", "00:01:00,000"),
        (59.9994, "00:00:59.999", "00:00:59,999"),
        (3661.007, "01:01:01.007", "01:01:01,007"),
        (360000.0, "100:00:00.000", "100:00:00,000"),
    ],
)
def test_format_timestamp(seconds, vtt, srt):
    assert format_timestamp(seconds) == vtt
    assert format_timestamp(seconds, srt=True) == srt
    assert parse_timestamp(vtt) == pytest.approx(round(seconds, 3))
    assert parse_timestamp(srt) == pytest.approx(round(seconds, 3))


def test_timestamp_edges():
    assert parse_timestamp("01:02.345") == pytest.approx(62.345)
    with pytest.raises(ValueError):
        format_timestamp(-1.0)
    with pytest.raises(ValueError):
        parse_timestamp("1:2:3")


# ---------------------------------------------------------------------- files


CUES = [
    Cue(0.0, 1.5, "Hello & welcome <everyone>"),
    Cue(1.5, 4.25, "Two lines\nof text — ünïcode ✓"),
    Cue(3725.123, 3729.0, "An hour later -> still here"),
]


def test_vtt_round_trip(tmp_path):
    path = write_vtt(CUES, tmp_path / "captions.vtt")
    assert read_vtt(path) == CUES
    text = path.read_text("utf-8")
    assert text.startswith("WEBVTT\n\n1\n00:00:00.000 --> 00:00:01.500\n")
    assert "&amp; welcome &lt;everyone&gt;" in text
    assert [p.name for p in tmp_path.iterdir()] == ["captions.vtt"]


def test_vtt_kind_goes_in_the_header(tmp_path):
    path = write_vtt(CUES[:1], tmp_path / "chapters.vtt", kind="chapters")
    assert path.read_text("utf-8").startswith("WEBVTT - chapters\n")
    assert read_vtt(path) == CUES[:1]


def test_srt_round_trip(tmp_path):
    path = write_srt(CUES, tmp_path / "captions.srt")
    assert read_srt(path) == CUES
    assert path.read_text("utf-8").startswith("1\n00:00:00,000 --> 00:00:01,500\nHello &")


def test_real_transcript_round_trips_through_files(tmp_path, real_transcript):
    cues = cues_from_transcript(real_transcript)
    assert read_vtt(write_vtt(cues, tmp_path / "a.vtt")) == cues
    assert read_srt(write_srt(cues, tmp_path / "a.srt")) == cues


def test_read_vtt_from_other_tools(tmp_path):
    path = tmp_path / "other.vtt"
    path.write_bytes(
        "\ufeffWEBVTT - made elsewhere\r\nKind: captions\r\n\r\n"
        "NOTE a comment\r\nspanning lines\r\n\r\n"
        "STYLE\r\n::cue { color: yellow }\r\n\r\n"
        "intro\r\n00:01.000 --> 00:02.500 align:start position:10%\r\nFirst\r\nline two\r\n\r\n"
        "00:00:03.000 --> 00:00:04.000\r\nSecond\r\n".encode()
    )
    assert read_vtt(path) == [Cue(1.0, 2.5, "First\nline two"), Cue(3.0, 4.0, "Second")]


@pytest.mark.parametrize(
    "content, reason",
    [
        ("1\n00:00:00.000 --> 00:00:01.000\nNo header\n", "WEBVTT"),
        ("WEBVTTX\n\n00:00:00.000 --> 00:00:01.000\nx\n", "WEBVTT"),
        ("WEBVTT\n\n00:00:00.000 -> 00:00:01.000\nBad arrow\n", "line 3"),
        ("WEBVTT\n\n00:00:00.000 --> 1 second\nBad end\n", "line 3"),
        ("WEBVTT\n\n00:00:05.000 --> 00:00:01.000\nBackwards\n", "ends before it starts"),
    ],
)
def test_malformed_vtt(tmp_path, content, reason):
    path = tmp_path / "bad.vtt"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(CaptionFileError) as caught:
        read_vtt(path)
    assert reason in str(caught.value) and "bad.vtt" in str(caught.value)


def test_unreadable_caption_files(tmp_path):
    with pytest.raises(CaptionFileError, match="does not exist"):
        read_vtt(tmp_path / "missing.vtt")
    latin = tmp_path / "latin.srt"
    latin.write_bytes("1\n00:00:00,000 --> 00:00:01,000\ncaf\xe9\n".encode("latin-1"))
    with pytest.raises(CaptionFileError, match="not UTF-8"):
        read_srt(latin)
    broken = tmp_path / "broken.srt"
    broken.write_text("1\nhello\n", encoding="utf-8")
    with pytest.raises(CaptionFileError, match="no cue timing"):
        read_srt(broken)


def test_write_transcript_file_by_suffix(tmp_path, real_transcript):
    assert (
        Transcript.load_json(write_transcript_file(real_transcript, tmp_path / "t.json"))
        == real_transcript
    )
    assert read_vtt(
        write_transcript_file(real_transcript, tmp_path / "t.vtt")
    ) == cues_from_transcript(real_transcript)
    assert read_srt(
        write_transcript_file(real_transcript, tmp_path / "t.SRT")
    ) == cues_from_transcript(real_transcript)
    text = write_transcript_file(real_transcript, tmp_path / "t.txt").read_text("utf-8")
    assert text == real_transcript.text + "\n"
    with pytest.raises(UnsupportedFormatError) as caught:
        write_transcript_file(real_transcript, tmp_path / "t.docx")
    assert ".json, .vtt, .srt or .txt" in str(caught.value) and "t.docx" in str(caught.value)
    assert not (tmp_path / "t.docx").exists()
