"""The review-and-edit model and the render, on a real lesson built from the sample lecture.

Real ffmpeg, the real bundled speech model, real files; the workspace is built once
per module and copied for each test, so every test edits its own lesson.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import av
import pytest

from shared.captions import read_vtt
from shared.chapters import load_chapters, load_slides
from shared.jobs import Cancelled, JobState
from shared.media import probe
from shared.transcription import Segment, Transcript, Word
from shared.workspace import LessonWorkspace, lesson_source, load_lesson
from studio.editing import (
    EDITS_FILE,
    RENDER_DIR,
    AddChapter,
    ClearTrim,
    CorrectSegment,
    Cut,
    DeleteChapter,
    EditError,
    EditSession,
    EditState,
    MoveBoundary,
    RenameChapter,
    SetInPoint,
    SetOutPoint,
    Timeline,
    Uncut,
    correct_segment,
    edited_chapters,
    edited_transcript,
    load_edits,
    low_confidence_words,
    package_source,
    rename_lesson,
    render_lesson,
    rendered_folder,
    replace_text,
)
from studio.pipeline import build_lesson

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def built(tmp_path_factory, sample_dir: Path) -> Path:
    folder = tmp_path_factory.mktemp("built") / "lesson"
    build_lesson(sample_dir / "lecture.mp4", folder)
    return folder


@pytest.fixture
def lesson(built: Path, tmp_path: Path) -> Path:
    """A fresh copy of the built lesson for one test to edit."""
    return Path(shutil.copytree(built, tmp_path / "lesson"))


def _segment(*words: tuple[float, float, str, float]) -> Segment:
    made = tuple(Word(start, end, f" {text}", p) for start, end, text, p in words)
    text = " ".join(w.text.strip() for w in made)
    return Segment(made[0].start, made[-1].end, text, made)


def _packets(path: Path) -> list[tuple[int | None, bytes]]:
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        return [(p.pts, bytes(p)) for p in container.demux(stream) if p.size]


# ------------------------------------------------------------------- transcript


def test_correcting_a_word_keeps_timings_and_is_saved_and_restored(lesson: Path) -> None:
    built_transcript = (lesson / "transcript.json").read_bytes()
    session = EditSession.open(lesson)
    before = session.state.transcript.segments[0]
    words = before.text.split()
    words[-2] = "hydrological"
    session.apply(CorrectSegment(0, " ".join(words)))

    after = session.state.transcript.segments[0]
    assert after.text == " ".join(words)
    assert [(w.start, w.end) for w in after.words] == [(w.start, w.end) for w in before.words]
    assert after.words[-2].text == " hydrological" and after.words[-2].probability == 1.0
    assert after.words[0].probability == before.words[0].probability  # untouched word
    assert session.can_undo and not session.can_redo

    reopened = EditSession.open(lesson)
    assert reopened.state == session.state
    assert reopened.edited and not reopened.can_undo  # the history itself is not kept
    assert (lesson / "transcript.json").read_bytes() == built_transcript

    session.undo()
    assert session.state.transcript.segments[0] == before
    assert load_edits(lesson) == session.original
    session.redo()
    assert load_edits(lesson).transcript.segments[0] == after


def test_a_different_word_count_moves_only_the_changed_words() -> None:
    segment = _segment(
        (1.0, 1.5, "photo", 0.3), (1.5, 2.0, "synthesis", 0.2), (2.0, 2.4, "happens", 0.9)
    )
    fixed = correct_segment(segment, "photosynthesis happens")
    assert [w.text for w in fixed.words] == [" photosynthesis", " happens"]
    assert (fixed.words[0].start, fixed.words[0].end, fixed.words[0].probability) == (1.0, 2.0, 1.0)
    assert fixed.words[1] == segment.words[2]

    longer = correct_segment(segment, "the photo synthesis happens")
    assert [w.text.strip() for w in longer.words] == ["the", "photo", "synthesis", "happens"]
    assert longer.words[0].start == 1.0 and longer.words[1].end == 1.5  # shares "photo"'s time
    assert longer.words[0].end < longer.words[1].start + 1e-9
    assert longer.words[2:] == segment.words[1:]
    assert correct_segment(segment, "  photo  synthesis happens ") is segment


def test_find_and_replace_counts_whole_words_and_phrases(lesson: Path) -> None:
    transcript = Transcript(
        (
            _segment((0, 1, "Water", 0.9), (1, 2, "is", 0.9), (2, 3, "watery", 0.9)),
            _segment((3, 4, "the", 0.9), (4, 5, "water", 0.4), (5, 6, "cycle.", 0.9)),
        ),
        "en",
        6.0,
        "tiny.en",
        "faster-whisper",
    )
    changed, count = replace_text(transcript, "water", "H2O")
    assert count == 2  # not "watery"
    assert changed.segments[0].text == "H2O is watery"
    assert changed.segments[1].words[1] == Word(4, 5, " H2O", 1.0)
    assert replace_text(transcript, "water", "H2O", match_case=True)[1] == 1
    phrase, count = replace_text(transcript, "WATER  cycle", "hydrologic cycle")
    assert count == 1 and phrase.segments[1].text == "the hydrologic cycle."
    with pytest.raises(EditError):
        replace_text(transcript, "  ", "x")

    session = EditSession.open(lesson)
    expected = sum(s.text.lower().split().count("water") for s in session.state.transcript.segments)
    assert session.replace_all("water", "H2O") >= expected > 0
    assert not any(" water " in f" {s.text.lower()} " for s in session.state.transcript.segments)
    assert session.undo_label == "Replace 'water'"
    session.undo()
    assert session.state == session.original
    assert session.replace_all("xylophone", "drum") == 0 and not session.can_undo


def test_low_confidence_words_are_listed_and_corrections_clear_them(lesson: Path) -> None:
    session = EditSession.open(lesson)
    unsure = low_confidence_words(session.state.transcript, threshold=0.5)
    assert unsure and all(ref.word.probability < 0.5 for ref in unsure)
    first = unsure[0]
    segment = session.state.transcript.segments[first.segment]
    words = [w.text.strip() for w in segment.words]
    words[first.index] = words[first.index].upper() + "x"
    session.apply(CorrectSegment(first.segment, " ".join(words)))
    refs = low_confidence_words(session.state.transcript, threshold=0.5)
    assert (first.segment, first.index) not in {(r.segment, r.index) for r in refs}


# --------------------------------------------------------------------- chapters


def test_chapter_add_rename_delete_move_with_undo_and_redo(lesson: Path) -> None:
    session = EditSession.open(lesson)
    built = session.state.chapters
    assert len(built) >= 3 and all(c.source == "detected" for c in built)

    inside = (built[1].start + built[1].end) / 2
    session.apply(AddChapter(inside))
    added = session.state.chapters[2]
    assert (added.start, added.end, added.source) == (inside, built[1].end, "manual")
    assert added.title  # taken from what is said there
    assert session.state.chapters[1].source == "detected"
    session.apply(AddChapter(inside + 5, "Salt water"))
    assert session.state.chapters[3].title == "Salt water"
    with pytest.raises(EditError, match="shorter than"):
        session.apply(AddChapter(inside + 5.5))

    session.apply(RenameChapter(0, "  Welcome  "))
    assert session.state.chapters[0].title == "Welcome"
    session.apply(DeleteChapter(2))
    assert session.state.chapters[1].end == inside + 5  # merged into the previous one
    session.apply(MoveBoundary(1, -100.0))  # clamped
    assert session.state.chapters[1].start == session.state.chapters[0].start + 1.0
    assert session.state.chapters[0].end == session.state.chapters[1].start

    after = session.state
    assert load_edits(lesson) == after
    for _ in range(5):
        session.undo()
    assert session.state.chapters == built and not session.can_undo
    for _ in range(5):
        session.redo()
    assert session.state == after and not session.can_redo
    assert EditSession.open(lesson).state.chapters == after.chapters
    with pytest.raises(EditError):
        session.apply(DeleteChapter(99))


# ------------------------------------------------------------------------- trim


def test_timeline_maps_both_ways() -> None:
    timeline = Timeline(((5.0, 10.0), (20.0, 30.0)))
    assert timeline.duration == 15.0
    assert timeline.to_edited(2.0) is None and timeline.to_edited(15.0) is None
    assert timeline.to_edited(7.0) == 2.0 and timeline.to_edited(25.0) == 10.0
    assert timeline.to_original(2.0) == 7.0
    assert timeline.to_original(5.0) == 20.0  # the join shows what comes after the cut
    assert timeline.to_original(99.0) == 30.0
    assert timeline.clip(8.0, 22.0) == (3.0, 7.0)
    assert timeline.clip(11.0, 19.0) is None


def test_trim_edits_and_their_undo(lesson: Path) -> None:
    session = EditSession.open(lesson)
    duration = session.state.duration
    session.apply(SetInPoint(5.0))
    session.apply(SetOutPoint(duration - 10.0))
    session.apply(Cut(40.0, 50.0))
    session.apply(Cut(45.0, 55.0))
    assert session.state.cuts == ((40.0, 55.0),)
    assert session.state.timeline.ranges == ((5.0, 40.0), (55.0, duration - 10.0))
    session.apply(Uncut(50.0, 60.0))
    assert session.state.cuts == ((40.0, 50.0),)
    with pytest.raises(EditError, match="less than"):
        session.apply(Cut(0.0, duration))
    assert EditSession.open(lesson).state == session.state
    session.apply(ClearTrim())
    assert not session.state.trimmed
    session.undo()
    assert session.state.cuts == ((40.0, 50.0),)


def test_trimming_the_start_shifts_every_time(lesson: Path) -> None:
    state = load_edits(lesson)
    trimmed = SetInPoint(5.0).apply(state)
    transcript = edited_transcript(trimmed)
    kept = [w for w in state.transcript.words if w.start >= 5.0]
    assert [(w.start, w.end) for w in transcript.words][-len(kept) :] == [
        (round(w.start - 5, 3), round(w.end - 5, 3)) for w in kept
    ]
    assert all(w.start >= 0 for w in transcript.words)
    assert transcript.duration == pytest.approx(state.duration - 5, abs=1e-3)
    chapters = edited_chapters(trimmed)
    assert chapters[0].start == 0.0 and chapters[-1].end == pytest.approx(state.duration - 5)
    for old, new in zip(state.chapters[1:], chapters[1:], strict=True):
        assert new.start == pytest.approx(old.start - 5, abs=1e-3)


def test_a_middle_cut_drops_the_words_inside_and_clips_chapters(lesson: Path) -> None:
    state = Cut(30.0, 70.0).apply(load_edits(lesson))
    transcript = edited_transcript(state)
    inside = [w for w in state.transcript.words if w.start >= 30.0 and w.end <= 70.0]
    assert inside and len(transcript.words) == len(state.transcript.words) - len(inside)
    for segment in transcript.segments:
        assert segment.text == segment.text.strip() and segment.words
    chapters = edited_chapters(state)
    assert len(chapters) == len(state.chapters) - 1  # the chapter at 43..65 s is gone
    assert all(a.end == b.start for a, b in zip(chapters, chapters[1:], strict=False))
    assert chapters[-1].end == pytest.approx(state.duration - 40)


# ----------------------------------------------------------------------- render


def test_render_of_a_trim_and_a_correction(lesson: Path) -> None:
    session = EditSession.open(lesson)
    session.apply(CorrectSegment(2, session.state.transcript.segments[2].text + " Zanzibar"))
    session.apply(SetInPoint(5.0))  # drops the first segment, said before 5 s
    state = JobState()
    out = render_lesson(lesson, state=state)

    assert out == lesson / RENDER_DIR and rendered_folder(lesson) == out
    assert state.progress == 1.0 and len(state.history) > 3
    original = probe(lesson / "video.mp4").duration
    assert probe(out / "video.mp4").duration == pytest.approx(original - 5, abs=0.1)
    rendered = load_lesson(out)
    assert rendered.duration == pytest.approx(original - 5, abs=0.1)
    transcript = json.loads((out / "transcript.json").read_text(encoding="utf-8"))
    assert "Zanzibar" in transcript["segments"][1]["text"]
    assert transcript["segments"][0]["start"] == 0.0  # said from 4.85 s: clipped
    assert transcript["segments"][1]["start"] == pytest.approx(
        session.state.transcript.segments[2].start - 5
    )
    assert "Zanzibar" in (out / "captions.en.vtt").read_text(encoding="utf-8")
    chapters = load_chapters(out / "chapters.json")
    built = load_chapters(lesson / "chapters.json")
    assert [c.start for c in chapters[1:]] == pytest.approx([c.start - 5 for c in built[1:]])
    assert len(read_vtt(out / "chapters.vtt")) == len(chapters)
    assert all((out / c.thumbnail).is_file() for c in chapters)
    assert package_source(lesson) == lesson_source(out)

    session.apply(RenameChapter(0, "Welcome"))
    assert rendered_folder(lesson) is None  # the render is older than the edits


def test_render_of_a_middle_cut(lesson: Path) -> None:
    session = EditSession.open(lesson)
    session.apply(Cut(30.0, 70.0))
    out = render_lesson(lesson)
    original = probe(lesson / "video.mp4").duration
    assert probe(out / "video.mp4").duration == pytest.approx(original - 40, abs=0.1)
    words = [
        w["text"]
        for s in json.loads((out / "transcript.json").read_text())["segments"]
        for w in s["words"]
    ]
    inside = [w for w in session.state.transcript.words if w.start >= 30 and w.end <= 70]
    assert len(words) == len(session.state.transcript.words) - len(inside)
    assert all(cue.end <= original - 40 + 0.01 for cue in read_vtt(out / "captions.en.vtt"))
    # The slide text follows the cut: a slide shown after it moves 40 s earlier.
    before = load_slides(lesson / "slides.json")
    after = load_slides(out / "slides.json")
    late = [s for s in before if s.start >= 70.0]
    assert late and [s.start for s in after[-len(late) :]] == [
        pytest.approx(s.start - 40, abs=0.01) for s in late
    ]
    assert [s.title for s in after[-len(late) :]] == [s.title for s in late]
    assert after[-1].end == pytest.approx(original - 40, abs=0.1)


def test_packaging_reads_each_lesson_json_once(lesson: Path, monkeypatch) -> None:
    reads: list[Path] = []
    read = LessonWorkspace._read

    def counted(workspace: LessonWorkspace):
        reads.append(workspace.folder)
        return read(workspace)

    monkeypatch.setattr(LessonWorkspace, "_read", counted)
    unedited = package_source(lesson)
    assert reads == [lesson] and unedited.video == lesson.resolve() / "video.mp4"

    EditSession.open(lesson).apply(RenameChapter(0, "Welcome"))
    render_lesson(lesson)
    reads.clear()
    edited = package_source(lesson)  # the render is up to date: opened, not redone
    assert reads == [lesson, lesson / RENDER_DIR]
    assert edited == lesson_source(lesson / RENDER_DIR)


def test_render_without_edits_copies_the_video_and_packaging_is_unchanged(lesson: Path) -> None:
    assert package_source(lesson) == lesson_source(lesson)
    assert not (lesson / RENDER_DIR).exists()  # packaging an unedited lesson renders nothing
    out = render_lesson(lesson)
    assert (out / "video.mp4").read_bytes() == (lesson / "video.mp4").read_bytes()
    assert _packets(out / "video.mp4") == _packets(lesson / "video.mp4")
    chapters, built = load_chapters(out / "chapters.json"), load_chapters(lesson / "chapters.json")
    assert [(c.title, c.thumbnail) for c in chapters] == [(c.title, c.thumbnail) for c in built]
    assert [c.start for c in chapters] == pytest.approx([c.start for c in built], abs=1e-3)
    for name in load_lesson(lesson).thumbnails:
        assert (out / name).read_bytes() == (lesson / name).read_bytes()


def test_a_cancelled_render_leaves_nothing(lesson: Path) -> None:
    EditSession.open(lesson).apply(SetInPoint(5.0))
    state = JobState()
    state._on_change = lambda progress, _status: state.cancel() if progress > 0.05 else None
    with pytest.raises(Cancelled):
        render_lesson(lesson, state=state)
    assert sorted(p.name for p in lesson.iterdir() if "rendered" in p.name) == []


def test_a_damaged_edits_file_is_named(lesson: Path) -> None:
    (lesson / EDITS_FILE).write_text('{"format": "lectern-edits", "trim": {"in": "soon"}}')
    with pytest.raises(EditError, match="edits.json is damaged") as caught:
        EditSession.open(lesson)
    assert str(lesson / EDITS_FILE) in str(caught.value)
    (lesson / EDITS_FILE).write_text("{not json")
    with pytest.raises(EditError, match="delete it"):
        render_lesson(lesson)
    assert not (lesson / RENDER_DIR).exists()


def test_edit_state_is_immutable(lesson: Path) -> None:
    state = load_edits(lesson)
    assert isinstance(state, EditState)
    with pytest.raises(AttributeError):
        state.in_point = 3.0  # type: ignore[misc]


def test_renaming_a_lesson_reaches_the_package_even_after_a_render(lesson: Path) -> None:
    session = EditSession.open(lesson)
    session.apply(SetInPoint(2.0))
    before = package_source(lesson)
    assert before.video.parent.name == "rendered" and before.title != "The water cycle"
    assert session.rename_lesson("  The   water cycle ").title == "The water cycle"
    assert load_lesson(lesson).title == "The water cycle"
    source = package_source(lesson)  # rendered again: the title is part of the render
    assert source.title == "The water cycle" and source.video.parent.name == "rendered"
    with pytest.raises(EditError, match="needs a title"):
        rename_lesson(lesson, "   ")
    assert load_lesson(lesson).title == "The water cycle"


def test_unsure_marks_use_the_threshold_calibrated_for_the_model() -> None:
    from shared.speech_models import DEFAULT_UNSURE, unsure_threshold

    calibrated = unsure_threshold("tiny.en", "faster-whisper")
    assert calibrated != DEFAULT_UNSURE  # the bench calibrated it (docs/benchmarks.md)
    between = (calibrated + DEFAULT_UNSURE) / 2
    words = (Word(0.0, 0.5, " Intradulity", between), Word(0.5, 1.0, " times", 0.99))
    segment = Segment(0.0, 1.0, "Intradulity times", words)

    def transcript(model: str) -> Transcript:
        return Transcript((segment,), "en", 1.0, model, "faster-whisper")

    assert [r.word.text for r in low_confidence_words(transcript("tiny.en"))] == [" Intradulity"]
    assert low_confidence_words(transcript("someone-elses-model")) == []
