"""`lectern-studio` and `lectern-player` end to end on the bundled sample lecture.

Real ffmpeg, the real bundled Whisper model, real OpenCV, real zip files; the CLIs
run as separate processes exactly as a person would run them.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import jiwer
import pytest

from shared.manifest import FORMAT_VERSION
from shared.media import probe

pytestmark = pytest.mark.slow


def studio(*args: str | Path, check: bool = False) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "studio.cli", *map(str, args)]
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    if check:
        assert result.returncode == 0, result.stderr
    return result


def player(*args: str | Path) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "player.cli", "info", *map(str, args)]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=600)


def one_clear_line(result: subprocess.CompletedProcess[str], *words: str) -> None:
    """A failure is one human sentence on stderr and a non-zero exit, never a traceback."""
    assert result.returncode != 0
    lines = [line for line in result.stderr.strip().splitlines() if line.strip()]
    # Progress statuses ("Converting x ...") may come first; the failure is the last line.
    errors = [line for line in lines if "error" in line.lower()]
    assert errors == lines[-1:], result.stderr
    assert "Traceback" not in result.stderr
    for word in words:
        assert word in lines[-1], lines[-1]


@pytest.fixture(scope="module")
def truth(sample_dir: Path) -> dict:
    return json.loads((sample_dir / "lecture.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def built(tmp_path_factory, sample_dir: Path) -> Path:
    out = tmp_path_factory.mktemp("build") / "lesson"
    result = studio("build", sample_dir / "lecture.mp4", "-o", out, "--json", check=True)
    data = json.loads(result.stdout)
    assert data["folder"] == str(out)
    return out


@pytest.fixture(scope="module")
def course(tmp_path_factory, built: Path) -> Path:
    out = tmp_path_factory.mktemp("course") / "sample.lectern"
    studio(
        "package",
        built,
        "-o",
        out,
        "--title",
        "Sample course",
        "--author",
        "A. Teacher",
        check=True,
    )
    return out


def test_build_makes_a_complete_lesson(built: Path, truth: dict):
    lesson = json.loads((built / "lesson.json").read_text(encoding="utf-8"))
    assert lesson["title"] == truth["title"]
    info = probe(built / lesson["video"])
    assert info.video.codec == "h264" and info.audio.codec == "aac"
    assert info.duration == pytest.approx(truth["duration"], abs=0.5)
    for name in [
        lesson["transcript"],
        lesson["chapters"],
        lesson["chapters_vtt"],
        lesson["slides"],
        *lesson["thumbnails"],
    ]:
        assert (built / name).is_file(), name
    assert (built / lesson["captions"]["en"]).read_text(encoding="utf-8").startswith("WEBVTT")


def test_transcript_matches_the_narration(built: Path, truth: dict):
    transcript = json.loads((built / "transcript.json").read_text(encoding="utf-8"))
    said = " ".join(s["text"] for s in transcript["segments"])
    expected = " ".join(slide["narration"] for slide in truth["slides"])
    normalize = jiwer.Compose(
        [
            jiwer.ToLowerCase(),
            jiwer.RemovePunctuation(),
            jiwer.RemoveMultipleSpaces(),
            jiwer.Strip(),
        ]
    )
    error = jiwer.wer(normalize(expected), normalize(said))
    assert error < 0.25, f"WER {error:.2f}"


def test_chapters_follow_the_slides(built: Path, truth: dict):
    chapters = json.loads((built / "chapters.json").read_text(encoding="utf-8"))["chapters"]
    starts = [c["start"] for c in chapters]
    expected = [slide["start"] for slide in truth["slides"]]
    assert len(starts) == len(expected), (starts, expected)
    for got, want in zip(starts, expected, strict=True):
        assert abs(got - want) <= 1.0, (starts, expected)
    assert chapters[-1]["end"] == pytest.approx(truth["duration"], abs=0.5)
    # Each chapter is titled by its slide's own title, as OCR read it (which sometimes
    # drops the spaces between words), not by the first sentence said.
    assert [_letters(c["title"]) for c in chapters] == [
        _letters(slide["title"]) for slide in truth["slides"]
    ]


def _letters(text: str) -> str:
    return re.sub(r"[\W_]+", "", text.casefold())


def test_the_lesson_keeps_the_text_of_each_slide_with_its_span(built: Path, truth: dict):
    slides = json.loads((built / "slides.json").read_text(encoding="utf-8"))["slides"]
    chapters = json.loads((built / "chapters.json").read_text(encoding="utf-8"))["chapters"]
    assert [(s["start"], s["end"]) for s in slides] == [(c["start"], c["end"]) for c in chapters]
    for slide, true in zip(slides, truth["slides"], strict=True):
        lines = [_letters(line["text"]) for line in slide["lines"]]
        assert _letters(true["title"]) in lines  # the title is one of the slide's lines
        assert len(lines) >= 3  # and the text under it
    said = " ".join(
        s["text"]
        for s in json.loads((built / "transcript.json").read_text(encoding="utf-8"))["segments"]
    ).casefold()
    # Words only shown, never said: what a learner finds only on the slides.
    shown = _letters(" ".join(line["text"] for s in slides for line in s["lines"]))
    assert "steps3and4" in shown and "steps" not in said


def test_package_verify_and_summary(course: Path, built: Path):
    result = studio("verify", course, "--json", check=True)
    data = json.loads(result.stdout)
    assert data["ok"] is True
    with zipfile.ZipFile(course) as archive:
        names = archive.namelist()
        assert names[0] == "manifest.json"
        video = next(i for i in archive.infolist() if i.filename.endswith("video.mp4"))
        assert video.compress_type == zipfile.ZIP_STORED
        manifest = json.loads(archive.read("manifest.json"))
        assert manifest["format_version"] == FORMAT_VERSION  # slide text: 1.2 or newer
        slides = manifest["lessons"][0]["slides"]
        assert archive.read(slides) == (built / "slides.json").read_bytes()
        assert archive.getinfo(slides).compress_type == zipfile.ZIP_DEFLATED
    shown = player(course)
    assert shown.returncode == 0, shown.stderr
    assert "Sample course" in shown.stdout
    chapters = json.loads((built / "chapters.json").read_text(encoding="utf-8"))["chapters"]
    assert chapters[1]["title"] in shown.stdout
    # The words on the slides are shown too, each slide on one line from its start.
    slides = json.loads((built / "slides.json").read_text(encoding="utf-8"))["slides"]
    listed = shown.stdout.split("On the slides:")[1].splitlines()[1:]
    for slide, line in zip(slides, listed, strict=False):
        body = next(x["text"] for x in slide["lines"] if x["text"] != slide["title"])
        assert slide["title"] in line and body[:20] in line, (slide, line)
    as_json = json.loads(player(course, "--json").stdout)
    assert list(as_json["slides"].values())[0] == slides


def test_tampered_package_is_refused(course: Path, tmp_path: Path):
    bad = tmp_path / "bad.lectern"
    data = bytearray(course.read_bytes())
    with zipfile.ZipFile(course) as archive:
        info = next(i for i in archive.infolist() if i.filename.endswith("video.mp4"))
    offset = info.header_offset + 30 + len(info.filename) + len(info.extra) + info.file_size // 2
    data[offset] ^= 0xFF
    bad.write_bytes(bytes(data))
    one_clear_line(studio("verify", bad), "video.mp4")
    one_clear_line(player(bad), "video.mp4")


def test_bad_inputs_get_one_sentence(tmp_path: Path, sample_dir: Path, built: Path):
    text = tmp_path / "notes.mp4"
    text.write_text("this is not a video\n" * 100)
    empty = tmp_path / "empty.mp4"
    empty.write_bytes(b"")
    for bad in (text, empty, tmp_path / "missing.mp4"):
        out = tmp_path / f"out-{bad.stem}"
        one_clear_line(studio("build", bad, "-o", out), bad.name)
        assert not out.exists()
    blocker = tmp_path / "file.txt"
    blocker.write_text("x")
    one_clear_line(
        studio("build", sample_dir / "lecture.mp4", "-o", blocker / "lesson"), "file.txt"
    )
    one_clear_line(
        studio("package", tmp_path, "-o", tmp_path / "c.lectern", "--title", "T"), "lesson"
    )
    one_clear_line(studio("build", sample_dir / "lecture.mp4", "-o", built), "--force")
    one_clear_line(
        studio("transcribe", sample_dir / "lecture.mp4", "-o", tmp_path / "x.doc"), "x.doc"
    )


def test_video_without_audio_becomes_a_lesson(tmp_path: Path, ffmpeg_bin: str):
    silent = tmp_path / "silent.mp4"
    subprocess.run(
        [
            ffmpeg_bin,
            "-v",
            "error",
            "-f",
            "lavfi",
            "-i",
            "testsrc2=size=320x240:rate=15:duration=3",
            "-pix_fmt",
            "yuv420p",
            str(silent),
        ],
        check=True,
    )
    out = tmp_path / "lesson"
    result = studio("build", silent, "-o", out, check=True)
    assert "no audio" in result.stderr
    lesson = json.loads((out / "lesson.json").read_text(encoding="utf-8"))
    assert lesson["warnings"] and lesson["captions"] == {}
    transcript = json.loads((out / lesson["transcript"]).read_text(encoding="utf-8"))
    assert transcript["segments"] == []


def test_single_steps_write_every_format(tmp_path: Path, sample_dir: Path):
    outs = [tmp_path / f"t.{ext}" for ext in ("json", "vtt", "srt", "txt")]
    args = [a for out in outs for a in ("-o", out)]
    studio("transcribe", sample_dir / "lecture.mp4", *args, check=True)
    assert outs[1].read_text(encoding="utf-8").startswith("WEBVTT")
    assert " --> " in outs[2].read_text(encoding="utf-8")
    assert "water" in outs[3].read_text(encoding="utf-8").lower()
    chapters_json, chapters_vtt = tmp_path / "c.json", tmp_path / "c.vtt"
    studio(
        "chapters", sample_dir / "lecture.mp4", "-o", chapters_json, "-o", chapters_vtt, check=True
    )
    assert json.loads(chapters_json.read_text(encoding="utf-8"))["chapters"]
    assert chapters_vtt.read_text(encoding="utf-8").startswith("WEBVTT")


def test_ctrl_c_leaves_nothing_half_written(tmp_path: Path, sample_dir: Path):
    out = tmp_path / "lesson"
    cmd = [
        sys.executable,
        "-m",
        "studio.cli",
        "build",
        str(sample_dir / "lecture.mp4"),
        "-o",
        str(out),
    ]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    # Interrupt once the build has started writing its temporary folder.
    while time.monotonic() < deadline and not any(
        p.name.startswith(".lesson.") for p in tmp_path.iterdir()
    ):
        time.sleep(0.05)
    time.sleep(1.0)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    assert "cancelled" in err
    assert list(tmp_path.iterdir()) == []


def test_full_disk_is_one_sentence_and_leaves_nothing(
    small_disk: Path, sample_dir: Path, built: Path
):
    one_clear_line(
        studio("build", sample_dir / "lecture.mp4", "-o", small_disk / "lesson"), "disk is full"
    )
    assert list(small_disk.iterdir()) == []
    one_clear_line(
        studio("package", built, "-o", small_disk / "c.lectern", "--title", "T"), "disk is full"
    )
    assert list(small_disk.iterdir()) == []


def test_window_without_a_screen_is_one_sentence():
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"}
    }
    result = subprocess.run(
        [sys.executable, "-m", "studio.cli"], capture_output=True, text=True, timeout=60, env=env
    )
    one_clear_line(result, "no screen")
