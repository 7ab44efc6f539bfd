"""Transcription with the real bundled Whisper model: no mocks.

The model runs a handful of times in the whole file (a session-scoped transcript,
a cancelled run, silence, a video without audio), each on a few seconds of audio.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import wave
from pathlib import Path

import jiwer
import pytest

from shared.jobs import Cancelled, JobState
from shared.transcription import (
    BUNDLED_MODEL_NAME,
    ENGINES,
    AudioReadError,
    EngineUnavailableError,
    FasterWhisperEngine,
    ModelChecksumError,
    ModelLoadError,
    ModelNotFoundError,
    Segment,
    Transcript,
    TranscriptFileError,
    Word,
    available_models,
    bundled_model_dir,
    get_engine,
    physical_cores,
    resolve_model,
    verify_bundled_model,
)

ROOT = Path(__file__).resolve().parents[2]


def normalise(text: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"[^\w\s']", " ", text.lower())).strip()


@pytest.fixture(scope="session")
def engine() -> FasterWhisperEngine:
    return FasterWhisperEngine()


@pytest.fixture(scope="session")
def transcribed(engine, speech_wav) -> tuple[Transcript, JobState, str]:
    path, text = speech_wav
    state = JobState()
    return engine.transcribe(path, language="en", state=state), state, text


@pytest.fixture
def model_copy(tmp_path) -> Path:
    """A copy of the bundled model folder whose model.bin is a small bogus file."""
    source, copy = bundled_model_dir(), tmp_path / "model"
    copy.mkdir()
    for name in ("config.json", "tokenizer.json", "vocabulary.txt"):
        shutil.copy(source / name, copy / name)
    (copy / "model.bin").write_bytes(b"this is not a CTranslate2 model\n" * 64)
    return copy


def write_silence(path: Path, seconds: float = 4.0, rate: int = 16000) -> Path:
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(b"\x00\x00" * int(seconds * rate))
    return path


# ------------------------------------------------------------------ real transcription


def test_transcript_matches_spoken_text(transcribed):
    transcript, _state, reference = transcribed
    error_rate = jiwer.wer(normalise(reference), normalise(transcript.text))
    print(f"WER of tiny.en-bundled on the espeak-ng sentence: {error_rate:.3f}")
    assert error_rate <= 0.25, transcript.text
    assert transcript.language == "en"
    assert transcript.engine == "faster-whisper"
    assert transcript.model == "tiny.en"


def test_word_times_are_ordered_and_inside_the_clip(transcribed):
    transcript, _state, _text = transcribed
    words = transcript.words
    assert len(words) >= 15
    assert 7.0 < transcript.duration < 12.0
    previous = 0.0
    for word in words:
        assert previous <= word.start <= word.end <= transcript.duration + 1e-6, word
        assert 0.0 <= word.probability <= 1.0
        previous = word.start
    for segment in transcript.segments:
        assert segment.start <= segment.end <= transcript.duration + 1e-6
        assert segment.text == segment.text.strip()
        assert "".join(word.text for word in segment.words).strip() == segment.text


def test_progress_rises_to_one(transcribed):
    _transcript, state, _text = transcribed
    values = [progress for progress, _status in state.history]
    assert values == sorted(values)
    assert values[-1] == 1.0
    assert len(set(values)) >= 3  # start, at least one segment, the end
    assert state.status.startswith("Transcribing")


def test_cancel_after_first_progress(engine, speech_wav):
    class CancelOnFirstProgress(JobState):
        def set_progress(self, fraction: float) -> None:
            super().set_progress(fraction)
            if fraction > 0:
                self.cancel()

    state = CancelOnFirstProgress()
    with pytest.raises(Cancelled, match="speech.wav was cancelled"):
        engine.transcribe(speech_wav[0], state=state)
    assert 0.0 < state.progress < 1.0


def test_cancel_before_start_does_not_load_anything(speech_wav):
    state = JobState()
    state.cancel()
    fresh = FasterWhisperEngine()
    with pytest.raises(Cancelled):
        fresh.transcribe(speech_wav[0], state=state)
    assert fresh._model is None


def test_silence_gives_an_empty_transcript(engine, tmp_path):
    transcript = engine.transcribe(write_silence(tmp_path / "silence.wav"))
    assert len(transcript.words) <= 2, transcript.text
    assert transcript.duration == pytest.approx(4.0, abs=0.05)


def test_video_without_audio_gives_an_empty_transcript(engine, tmp_path):
    if shutil.which("ffmpeg") is None:
        pytest.skip("ffmpeg is not installed")
    video = tmp_path / "slides.mp4"
    subprocess.run(
        ["ffmpeg", "-loglevel", "error", "-f", "lavfi", "-i", "color=c=white:s=160x120:d=2"]
        + ["-c:v", "libx264", "-pix_fmt", "yuv420p", str(video)],
        check=True,
    )
    transcript = engine.transcribe(video)
    assert transcript.segments == ()
    assert transcript.duration == pytest.approx(2.0, abs=0.1)
    assert transcript.engine == "faster-whisper"


def test_unreadable_media_is_reported(engine, tmp_path):
    with pytest.raises(AudioReadError, match="does not exist"):
        engine.transcribe(tmp_path / "missing.wav")
    garbage = tmp_path / "garbage.wav"
    garbage.write_bytes(b"not audio at all" * 100)
    with pytest.raises(AudioReadError, match="garbage.wav"):
        engine.transcribe(garbage)


# ------------------------------------------------------------------------ models


def test_bundled_model_verifies(engine):
    path = resolve_model(None)
    assert resolve_model("default") == path == resolve_model(BUNDLED_MODEL_NAME)
    assert verify_bundled_model(path) == path
    assert (path / "model.bin").stat().st_size == 75_537_502


def test_corrupted_bundled_model_fails_the_checksum(model_copy):
    with pytest.raises(ModelChecksumError) as caught:
        verify_bundled_model(model_copy)
    message = str(caught.value)
    assert str(model_copy) in message and "reinstall Lectern" in message


def test_corrupted_model_folder_fails_to_load_with_a_clear_error(model_copy):
    assert resolve_model(model_copy) == model_copy  # a folder is used as is
    with pytest.raises(ModelLoadError, match="could not be loaded"):
        FasterWhisperEngine(model_copy).load()


def test_folder_without_model_bin(tmp_path):
    with pytest.raises(ModelNotFoundError, match="has no model.bin"):
        resolve_model(tmp_path)
    with pytest.raises(ModelNotFoundError, match="no speech model folder"):
        resolve_model(str(tmp_path / "nowhere"))


def test_named_model_not_on_this_computer():
    from faster_whisper.utils import download_model

    try:
        download_model("small", local_files_only=True)
        pytest.skip("the 'small' model is cached on this computer")
    except Exception:
        pass
    with pytest.raises(ModelNotFoundError) as caught:
        resolve_model("small")
    message = str(caught.value)
    assert "'small' is not on this computer" in message
    assert "--download-model" in message


def test_unknown_model_name_lists_valid_names():
    with pytest.raises(ModelNotFoundError) as caught:
        resolve_model("enormous-v9")
    assert BUNDLED_MODEL_NAME in str(caught.value) and "base.en" in str(caught.value)


def test_failed_download_is_a_model_download_error(tmp_path):
    # A real download attempt against a closed local port: the network failure path,
    # without depending on whether this machine has internet access.
    code = (
        "from shared.transcription import resolve_model, ModelDownloadError\n"
        "try:\n    resolve_model('tiny', allow_download=True)\n"
        "except ModelDownloadError as error:\n    print('OK', error)\n"
    )
    env = dict(os.environ, HF_ENDPOINT="http://127.0.0.1:9", HF_HUB_CACHE=str(tmp_path))
    env.pop("HF_HUB_OFFLINE", None)
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.stdout.startswith("OK Could not download the speech model 'tiny'"), (
        result.stdout + result.stderr
    )


def test_available_models_lists_the_bundled_one():
    models = available_models()
    bundled = [model for model in models if model.bundled]
    assert len(bundled) == 1
    assert bundled[0].name == BUNDLED_MODEL_NAME
    assert bundled[0].languages == "en"
    assert bundled[0].size_bytes > 75_000_000
    assert resolve_model(bundled[0].name) == bundled[0].path


def test_physical_cores():
    assert 1 <= physical_cores() <= (os.cpu_count() or 1)
    assert FasterWhisperEngine().threads == physical_cores()


# ------------------------------------------------------------------------ engines


def test_get_engine():
    assert ENGINES == ("faster-whisper", "openai-whisper")
    engine = get_engine("faster-whisper", model="default")
    assert isinstance(engine, FasterWhisperEngine)
    assert engine.name == "faster-whisper" and engine.model_name == "tiny.en"
    with pytest.raises(EngineUnavailableError, match="faster-whisper, openai-whisper"):
        get_engine("vosk")


def test_openai_whisper_not_installed_is_explained():
    try:
        import whisper

        if hasattr(whisper, "load_model"):
            pytest.skip("openai-whisper is installed")
    except ImportError:
        pass
    with pytest.raises(EngineUnavailableError) as caught:
        get_engine("openai-whisper")
    assert "pip install 'lectern[openai-whisper]'" in str(caught.value)


# ------------------------------------------------------------------- the value objects


def sample_transcript() -> Transcript:
    words = (Word(0.0, 0.4, " Hello", 0.9), Word(0.5, 1.0, " world.", 0.8))
    return Transcript(
        segments=(
            Segment(0.0, 1.0, "Hello world.", words, avg_logprob=-0.2, no_speech_prob=0.01),
            Segment(1.5, 2.5, "Ünïcode ✓ text"),
        ),
        language="en",
        duration=3.0,
        model="tiny.en",
        engine="faster-whisper",
    )


def test_transcript_json_round_trip(tmp_path, transcribed):
    for transcript in (sample_transcript(), transcribed[0], Transcript.empty(12.5)):
        path = transcript.save_json(tmp_path / "t.json")
        assert Transcript.load_json(path) == transcript
    assert [p.name for p in tmp_path.iterdir()] == ["t.json"]  # no temp files left
    assert sample_transcript().text == "Hello world.\nÜnïcode ✓ text"
    assert Transcript.empty(3.0).text == ""


@pytest.mark.parametrize(
    "content, reason",
    [
        (None, "does not exist"),
        ("{not json", "invalid JSON"),
        ("[1, 2]", "not a JSON object"),
        ('{"language": "en", "duration": 1}', "segments"),
        ('{"format": 99, "segments": [], "language": "en", "duration": 1}', "format 99"),
        ('{"segments": [{"start": "x"}], "language": "en", "duration": 1}', "could not"),
    ],
)
def test_bad_transcript_files(tmp_path, content, reason):
    path = tmp_path / "bad.json"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(TranscriptFileError) as caught:
        Transcript.load_json(path)
    assert reason in str(caught.value) and "bad.json" in str(caught.value)


def test_transcript_json_is_plain_data(tmp_path):
    data = json.loads(sample_transcript().save_json(tmp_path / "t.json").read_text("utf-8"))
    assert data["format"] == 1
    assert data["segments"][0]["words"][1] == {
        "start": 0.5,
        "end": 1.0,
        "text": " world.",
        "probability": 0.8,
    }
