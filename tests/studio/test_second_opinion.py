"""A second model's opinion of a transcript (issue #16): the words it heard differently.

The alignment on transcripts made here; then the real thing: real human speech (the
opening of *A Tale of Two Cities*), transcribed by the bundled ``tiny.en`` in a real
build, checked by the real ``base`` pack, from the command line and from the Studio's
review panel with its key.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before anything loads Qt

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from PySide6.QtCore import Qt

from shared.media import ffmpeg_exe
from shared.transcription import Segment, Transcript, Word
from studio.pipeline import BuildOptions, build_lesson
from studio.second_opinion import (
    OPINION_FILE,
    Disagreement,
    SecondOpinion,
    SecondOpinionError,
    disagreements,
    load_opinion,
    second_opinion,
)
from tests.course_packages import studio
from tests.spoken_lectures import TWO_CITIES, human_speech

WAIT = 240_000  # ms: base on 44 s of speech, on a shared machine


def transcript(*lines: str, model: str = "tiny.en") -> Transcript:
    segments, t = [], 0.0
    for line in lines:
        words = []
        for n, token in enumerate(line.split()):
            words.append(Word(t, t + 0.4, (" " if n else "") + token, 0.9))
            t += 0.5
        segments.append(Segment(words[0].start, words[-1].end, line, tuple(words)))
    return Transcript(tuple(segments), "en", t, model, "faster-whisper")


def test_words_heard_differently_are_found_with_what_the_other_model_heard():
    mine = transcript("My fellow America, ask not.", "Water falls into devotion today.")
    other = transcript(
        "my fellow Americans ask not", "Water falls into the ocean today!", model="base"
    )
    found = disagreements(mine, other)
    assert found == (
        Disagreement(0, (2,), "America,", "Americans"),
        Disagreement(1, (3,), "devotion", "the ocean"),
    )  # case and punctuation are not disagreements


def test_a_word_the_other_model_did_not_hear_is_marked_and_extra_words_are_not():
    mine = transcript("It was the the best of times")
    other = transcript("it was the best of times for all", model="base")
    (found,) = disagreements(mine, other)  # either "the" may be the one too many
    assert found.words in ((2,), (3,)) and (found.said, found.heard) == ("the", "")


def test_a_disagreement_across_two_segments_is_split_and_edits_drop_it():
    mine = transcript("we had everything before", "us we were")
    other = transcript("we had nothing", "here we were", model="base")
    found = SecondOpinion("base", disagreements(mine, other))
    assert [(d.segment, d.words) for d in found.disagreements] == [(0, (2, 3)), (1, (0,))]
    assert all(d.heard == "nothing here" for d in found.disagreements)
    # The teacher corrects the first line: its mark goes, the other stays.
    fixed = list(mine.segments)
    words = list(fixed[0].words)
    words[2] = Word(words[2].start, words[2].end, " nothing", 1.0)
    fixed[0] = Segment(fixed[0].start, fixed[0].end, "we had nothing before", tuple(words))
    edited = Transcript(tuple(fixed), "en", mine.duration, "tiny.en", "faster-whisper")
    assert [d.segment for d in found.current(edited)] == [1]
    assert SecondOpinion.from_dict(json.loads(json.dumps(found.to_dict()))) == found


def test_no_transcript_and_the_same_model_are_refused_in_one_sentence(tmp_path):
    with pytest.raises(SecondOpinionError, match="no transcript to check"):
        second_opinion(Transcript.empty(3.0, "tiny.en"), tmp_path / "x.mp4", "base")
    with pytest.raises(SecondOpinionError, match="made by tiny.en already"):
        second_opinion(transcript("hello there"), tmp_path / "x.mp4", "tiny.en-bundled")
    (tmp_path / OPINION_FILE).write_text("{not json")
    assert load_opinion(tmp_path) is None  # an aid only: the Studio falls back


# --------------------------------------------------------------- real speech, real models


def _words(text: str) -> set[str]:
    return set(re.findall(r"[a-z']+", text.lower()))


@pytest.fixture(scope="module")
def two_cities_lesson(tmp_path_factory) -> Path:
    """Real human speech over a still picture, built by the real pipeline (tiny.en)."""
    wav = dict((p.name, p) for p, _text in human_speech())["two_cities.wav"]
    root = tmp_path_factory.mktemp("second-opinion")
    video = root / "two-cities.mp4"
    subprocess.run(
        [ffmpeg_exe(), "-v", "error", "-f", "lavfi", "-i", "color=c=gray:s=320x240:r=10",
         "-i", str(wav), "-shortest", "-c:v", "libx264", "-c:a", "aac", str(video)],
        check=True,
    )  # fmt: skip
    folder = root / "lesson"
    build_lesson(video, folder, BuildOptions())
    return folder


def _wrong_words(folder: Path) -> set[str]:
    """Words tiny.en wrote that are not in the text read aloud."""
    said = json.loads((folder / "transcript.json").read_text())
    text = " ".join(s["text"] for s in said["segments"])
    return _words(text) - _words(TWO_CITIES)


def test_the_command_line_marks_a_word_tiny_misheard(two_cities_lesson, base_pack, tmp_path):
    folder = tmp_path / "lesson"
    shutil.copytree(two_cities_lesson, folder)
    wrong = _wrong_words(folder)
    assert wrong, "tiny.en heard this reading perfectly: nothing to check against"
    env_models = {"LECTERN_MODELS_DIR": str(base_pack)}
    old = {k: os.environ.get(k) for k in env_models}
    os.environ.update(env_models)
    try:
        result = studio("second-opinion", folder, "--json", config=tmp_path / "config")
    finally:
        for key, value in old.items():
            os.environ.pop(key) if value is None else os.environ.__setitem__(key, value)
    data = json.loads(result.stdout)
    assert data["model"] == "base" and data["transcript_model"] == "tiny.en"
    marked = {w for d in data["disagreements"] for w in _words(d["said"])}
    assert marked & wrong, (wrong, data["disagreements"])  # a real mistake is marked
    kept = load_opinion(folder)
    assert kept is not None and kept.to_dict() == {k: data[k] for k in ("model", "disagreements")}
    # Without a second model installed: one sentence, and the opinion kept stays.
    again = studio("second-opinion", folder, config=tmp_path / "config", check=False)
    assert again.returncode == 1
    assert "No second model is installed" in again.stderr
    assert "models install base" in again.stderr
    assert load_opinion(folder) == kept


def test_the_studio_marks_what_base_heard_after_ctrl_shift_w(
    qapp, qtbot, two_cities_lesson, base_pack, tmp_path, monkeypatch
):
    from studio.ui.review import _HTML_ROLE, ReviewPanel

    monkeypatch.setenv("LECTERN_MODELS_DIR", str(base_pack))
    folder = tmp_path / "lesson"
    shutil.copytree(two_cities_lesson, folder)
    wrong = _wrong_words(folder)
    panel = ReviewPanel()
    qtbot.addWidget(panel)
    panel.resize(1100, 820)
    panel.show()
    qtbot.waitExposed(panel)
    panel.open_lesson(folder)
    panel.activateWindow()
    qtbot.waitActive(panel)  # the panel's keys work in the active window
    panel.transcript.setFocus()
    qtbot.waitUntil(panel.transcript.hasFocus)
    before = [
        panel.transcript.item(r, 1).data(_HTML_ROLE) for r in range(panel.transcript.rowCount())
    ]

    qtbot.keyClick(
        panel.transcript,
        Qt.Key.Key_W,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    assert panel.check_job is not None and panel.check_button.text() == "Cancel check"
    qtbot.waitUntil(lambda: panel.check_job is None, timeout=WAIT)
    assert panel.opinion is not None and panel.opinion.model == "base"
    assert (folder / OPINION_FILE).is_file()
    rows = range(panel.transcript.rowCount())
    tips = [panel.transcript.item(r, 1).toolTip().replace("\xa0", " ") for r in rows]
    marked_rows = [r for r, tip in enumerate(tips) if "base heard" in tip]
    assert marked_rows, tips
    html = " ".join(panel.transcript.item(r, 1).data(_HTML_ROLE) for r in marked_rows)
    spans = re.findall(r"<span style=[^>]*>([^<]*)</span>", html)
    assert _words(" ".join(spans)) & wrong, (spans, wrong)
    assert [panel.transcript.item(r, 1).data(_HTML_ROLE) for r in rows] != before

    # Opened again later, the marks come back from the lesson folder.
    panel.close_lesson()
    panel.open_lesson(folder)
    again = [panel.transcript.item(r, 1).toolTip().replace("\xa0", " ") for r in rows]
    assert again == tips

    # Asked again and cancelled at once with the same key: the kept opinion stays.
    stamp = (folder / OPINION_FILE).stat().st_mtime_ns
    panel.transcript.setFocus()
    modifiers = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    qtbot.keyClick(panel.transcript, Qt.Key.Key_W, modifiers)
    qtbot.keyClick(panel.transcript, Qt.Key.Key_W, modifiers)
    qtbot.waitUntil(lambda: panel.check_job is None, timeout=WAIT)
    assert (folder / OPINION_FILE).stat().st_mtime_ns == stamp
    assert panel.check_button.text() == "Check words…" and panel.check_progress.isHidden()
    panel.close_lesson()
