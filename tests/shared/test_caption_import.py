"""A teacher's own captions as the transcript: the real files teachers have, read by pysubs2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from shared.caption_import import import_captions
from shared.captions import CaptionFileError
from tests.course_packages import silent_video, studio

STYLED_VTT = """\ufeffWEBVTT
Kind: captions

STYLE
::cue { color: yellow }

NOTE made by a captioning tool

intro
00:00:01.000 --> 00:00:03.500 align:start position:10%
<v Ann Lee>Welcome to <b>cell</b> <c.yellow>biology</c>.</v>

00:00:03.500 --> 00:00:06.000
Cells &amp; tissues,
{\\an8}second line

00:00:06.000 --> 00:00:08.000

"""

SLOPPY_SRT = """1
0:0:1,5 --> 0:0:3,0
<font color="#ffff00">Sloppy</font> <i>timing</i>

2
00:00:04,000 --> 00:00:03,000
ends before it starts

3
00:00:05,000 --> 00:00:07,000
one

4
00:00:06,000 --> 00:00:08,000
overlaps one

5
00:00:08,000 --> 00:00:12,000
runs past the end

6
00:00:20,000 --> 00:00:21,000
after the end
"""


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def test_styling_tags_entities_notes_and_empty_cues_are_cleaned(tmp_path):
    result = import_captions(write(tmp_path / "a.vtt", STYLED_VTT), 30.0, language="en")
    segments = result.transcript.segments
    assert [(s.start, s.end, s.text) for s in segments] == [
        (1.0, 3.5, "Welcome to cell biology."),
        (3.5, 6.0, "Cells & tissues, second line"),
    ]
    assert result.warnings == ()
    assert result.transcript.engine == "captions" and result.transcript.model == "a.vtt"


def test_sloppy_timings_overlaps_and_cues_past_the_end_are_repaired_with_warnings(tmp_path):
    result = import_captions(write(tmp_path / "b.srt", SLOPPY_SRT), 10.0)
    got = [(s.start, s.end, s.text) for s in result.transcript.segments]
    assert got == [
        (1.5, 3.0, "Sloppy timing"),
        (4.0, 5.0, "ends before it starts"),  # given 2 s, then cut where the next begins
        (5.0, 6.0, "one"),
        (6.0, 8.0, "overlaps one"),
        (8.0, 10.0, "runs past the end"),
    ]
    text = " ".join(result.warnings)
    assert len(result.warnings) == 3
    assert "ended before they started" in text
    assert "overlapped" in text
    assert "2 caption(s) in b.srt ran past the video's end at 0:10" in text


def test_a_legacy_encoding_is_read_with_a_warning(tmp_path):
    srt = "1\n00:00:01,000 --> 00:00:02,000\nCaf\u00e9 cr\u00e8me \u2013 na\u00efve\n"
    result = import_captions(write(tmp_path / "legacy.srt", srt, "cp1252"), 5.0)
    assert result.transcript.segments[0].text == "Caf\u00e9 cr\u00e8me \u2013 na\u00efve"
    assert len(result.warnings) == 1 and "Windows-1252" in result.warnings[0]
    utf16 = import_captions(write(tmp_path / "wide.srt", srt, "utf-16"), 5.0)
    assert utf16.transcript.segments[0].text.startswith("Caf\u00e9") and utf16.warnings == ()


@pytest.mark.parametrize(
    "name,text,words",
    [
        ("empty.vtt", "", "no caption with text"),
        ("blank.vtt", "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n\n", "no caption with text"),
        ("late.srt", "1\n00:10:00,000 --> 00:10:02,000\nlate\n", "another video"),
        ("notes.txt", "hello", ".vtt or .srt"),
    ],
)
def test_files_that_cannot_be_a_transcript_are_refused_in_one_sentence(tmp_path, name, text, words):
    with pytest.raises(CaptionFileError) as error:
        import_captions(write(tmp_path / name, text), 60.0)
    message = str(error.value)
    assert words in message and name in message and "\n" not in message


def test_build_keeps_the_teachers_captions_as_the_transcript(tmp_path, ffmpeg_bin):
    """`lectern-studio build --captions`: no transcription, the teacher's words and times."""
    video = silent_video(ffmpeg_bin, tmp_path / "v.mp4", seconds=10.0)
    legacy = SLOPPY_SRT.replace("Sloppy", "Sl\u00f6ppy")
    captions = write(tmp_path / "teacher.srt", legacy, "cp1252")
    result = studio(
        "build", video, "-o", tmp_path / "lesson", "--captions", captions, config=tmp_path / "c"
    )
    assert result.stderr.count("warning:") == 4  # encoding, backwards, overlap, past the end
    transcript = json.loads((tmp_path / "lesson" / "transcript.json").read_text())
    assert [s["text"] for s in transcript["segments"]][0] == "Sl\u00f6ppy timing"
    assert transcript["engine"] == "captions" and len(transcript["segments"]) == 5
    lesson = json.loads((tmp_path / "lesson" / "lesson.json").read_text())
    assert any("Windows-1252" in w for w in lesson["warnings"])
    vtt = (tmp_path / "lesson" / lesson["captions"]["en"]).read_text()
    assert "Sl\u00f6ppy timing" in vtt

    bad = studio(
        "build",
        video,
        "-o",
        tmp_path / "lesson2",
        "--captions",
        write(tmp_path / "empty.vtt", "WEBVTT\n"),
        config=tmp_path / "c",
        check=False,
    )
    assert bad.returncode == 1 and "no caption with text" in bad.stderr
    assert not (tmp_path / "lesson2").exists()
