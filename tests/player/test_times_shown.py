"""One clock for every time shown: the same times read the same in the CLI, windows and exports.

The times are chosen where rounding rules part ways: 83.6 s (1:24 when rounded to the
second, 1:23 when the fraction is dropped), 59.9996 s (a float that is 60.000 s to the
millisecond, as the library and packages store it) and an hour-long time.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from shared import package as pkg
from shared.chapters import Chapter
from shared.manifest import CourseInfo
from shared.timecode import clock, clock_ms, round_to_ms, whole_ms
from shared.transcription import Segment, Transcript

# (seconds, what every place shows)
TIMES = [
    (0.0, "0:00"),
    (7.999, "0:07"),
    (59.9996, "1:00"),
    (83.6, "1:23"),
    (83.9996, "1:24"),
    (3599.5, "59:59"),
    (3723.4, "1:02:03"),
]
WORDS = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf"]
DURATION = 3723.9  # the lesson ends just after the last time


def test_the_clock_itself():
    for seconds, shown in TIMES:
        assert clock(seconds) == shown
        assert clock_ms(whole_ms(seconds)) == shown
    assert clock(-3) == "0:00" and clock(float("nan")) == "0:00" and clock(float("inf")) == "0:00"
    assert clock(83.6, hours=True) == "0:01:23" and clock_ms(3_723_400, hours=True) == "1:02:03"
    assert whole_ms(1.0005) == 1001 and round_to_ms(1.23456) == 1.235
    with pytest.raises(ValueError, match="finite"):
        whole_ms(float("nan"))


@pytest.fixture(scope="module")
def timed_package(tmp_path_factory) -> Path:
    """A package whose transcript lines and chapters start at the :data:`TIMES`."""
    folder = tmp_path_factory.mktemp("timed")
    segments = tuple(
        Segment(seconds, seconds + 0.3, f"The {word} marker.")
        for (seconds, _), word in zip(TIMES, WORDS, strict=True)
    )
    transcript = Transcript(segments, "en", DURATION, "tiny.en", "faster-whisper")
    starts = [seconds for seconds, _ in TIMES]
    chapters = [
        Chapter(start, end, f"Part {word}")
        for start, end, word in zip(starts, [*starts[1:], DURATION], WORDS, strict=True)
    ]
    (folder / "video.mp4").write_bytes(b"\0" * 4096)
    (folder / "transcript.json").write_text(json.dumps(transcript.to_dict()), encoding="utf-8")
    (folder / "chapters.json").write_text(
        json.dumps({"chapters": [c.to_dict() for c in chapters]}), encoding="utf-8"
    )
    lesson = pkg.LessonSource(
        id="timed",
        title="Timed lesson",
        duration=DURATION,
        video=folder / "video.mp4",
        transcript=folder / "transcript.json",
        chapters=folder / "chapters.json",
    )
    course = CourseInfo(id="clock-101", version=1, title="Clocks", created="2024-09-02T14:30:00Z")
    out = folder / "timed.lectern"
    pkg.write_package(course, [lesson], out)
    return out


def _player(*args: str | Path) -> str:
    cmd = [sys.executable, "-m", "player.cli", *map(str, args)]
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_the_player_cli_shows_the_same_times(timed_package: Path, tmp_path: Path):
    info = _player("info", timed_package, "--lines", str(len(TIMES)))
    for (_, shown), word in zip(TIMES, WORDS, strict=True):
        assert f"   {shown:>7}  Part {word}" in info  # the chapter line
        assert f"   {shown:>7}  The {word} marker." in info  # the transcript line
    assert "1 lesson(s), 1:02:03 in all" in info and "[1:02:03]" in info

    library = tmp_path / "library"
    _player("--library", library, "import", timed_package)
    found = _player("--library", library, "search", "marker", "--limit", "50")
    shown_in_search = set(re.findall(r" @ (\S+)  \[segment\]", found))
    assert shown_in_search == {shown for _, shown in TIMES}


def test_the_package_summary_shows_the_same_times(timed_package: Path):
    summary = pkg.package_summary(pkg.read_manifest(timed_package))
    assert summary["total_duration"] == "1:02:03"
    assert summary["lessons"][0]["duration"] == clock(TIMES[-1][0], hours=True)
    assert clock(83.6, hours=True).endswith(clock(83.6))


def test_the_windows_show_the_same_times(qapp, timed_package: Path, tmp_path: Path):
    from player.ui.search_panel import SearchPanel
    from shared.library import Library
    from shared.ui.chapter_list import ChapterList
    from shared.ui.transcript_view import TranscriptView

    starts = [seconds for seconds, _ in TIMES]
    chapter_list = ChapterList()
    chapter_list.set_chapters(
        [Chapter(s, s + 0.2, f"Part {w}") for s, w in zip(starts, WORDS, strict=True)]
    )
    for row, (_, shown) in enumerate(TIMES):
        assert chapter_list.item(row).text().endswith(f"\n{shown}")

    view = TranscriptView()
    segments = tuple(Segment(s, s + 0.2, w) for s, w in zip(starts, WORDS, strict=True))
    view.set_transcript(Transcript(segments, "en", DURATION, "tiny.en", "faster-whisper"))
    lines = view.toPlainText().splitlines()
    assert [line.split()[0] for line in lines] == [shown for _, shown in TIMES]

    with Library.open(tmp_path / "library") as library:
        library.import_course(timed_package)
        panel = SearchPanel(library)
        panel.set_query("marker")
        panel.run()
        labels = [
            panel.results.itemWidget(panel.results.item(i)).text()
            for i in range(panel.results.count())
        ]
    shown_in_panel = {m for label in labels for m in re.findall(r" · (\d[\d:]*)</span>", label)}
    assert shown_in_panel == {shown for _, shown in TIMES}
