"""A second model's opinion of a transcript: the words it heard differently.

The word probability a model gives marks its own mistakes badly (on held-out real
speech a quarter of the wrong words, and 1 in 6 marked words is wrong; see
docs/benchmarks.md, issue #16). A second, different model is a far better sign: where
``base`` heard something else than ``tiny.en`` wrote, ``tiny.en`` is wrong 77 % of
the time. :func:`second_opinion` transcribes the lesson again with another installed
model; :func:`disagreements` aligns the two word by word. The result is kept beside the
lesson (``second-opinion.json``, not packaged) and the Studio marks those words, with
what the other model heard, instead of the probability marks.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from shared import transcription
from shared.errors import LecternError
from shared.files import write_json_atomic
from shared.jobs import ProgressState
from shared.transcription import Transcript
from shared.workspace import LessonWorkspace

__all__ = [
    "OPINION_FILE",
    "Disagreement",
    "SecondOpinion",
    "SecondOpinionError",
    "disagreements",
    "second_model",
    "second_opinion",
    "load_opinion",
    "save_opinion",
]

#: Kept in the lesson folder; the Studio reads it, packages leave it out.
OPINION_FILE = "second-opinion.json"
_SPLIT = re.compile(r"[^\w']+")


class SecondOpinionError(LecternError):
    """No second model can be asked, or its opinion cannot be read or kept."""


@dataclass(frozen=True)
class Disagreement:
    """Words of one segment that the other model heard differently.

    Attributes:
        segment: the segment's index in the transcript.
        words: the indexes of the words in that segment.
        said: what those words say in the transcript.
        heard: what the other model heard there (``""``: nothing).
    """

    segment: int
    words: tuple[int, ...]
    said: str
    heard: str


@dataclass(frozen=True)
class SecondOpinion:
    """The other model and where it disagrees with the transcript."""

    model: str
    disagreements: tuple[Disagreement, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "disagreements": [
                {"segment": d.segment, "words": list(d.words), "said": d.said, "heard": d.heard}
                for d in self.disagreements
            ],
        }

    @classmethod
    def from_dict(cls, data: Any) -> SecondOpinion:
        """Raises ``ValueError``/``KeyError``/``TypeError`` on a malformed value."""
        found = tuple(
            Disagreement(
                int(d["segment"]),
                tuple(int(w) for w in d["words"]),
                str(d["said"]),
                str(d["heard"]),
            )
            for d in data["disagreements"]
        )
        return cls(str(data["model"]), found)

    def current(self, transcript: Transcript) -> tuple[Disagreement, ...]:
        """The disagreements that still hold: words the teacher has not changed since."""
        kept = []
        for d in self.disagreements:
            if d.segment >= len(transcript.segments):
                continue
            words = transcript.segments[d.segment].words
            if all(i < len(words) for i in d.words) and _said(words, d.words) == d.said:
                kept.append(d)
        return tuple(kept)


#: English number words as digits: one model writes "two", the other "2".
_ONES = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen twenty"
)
_TENS = "thirty forty fifty sixty seventy eighty ninety"
_NUMBERS = {word: str(value) for value, word in enumerate(_ONES.split())}  # noqa: SIM905
_NUMBERS |= {word: str(30 + 10 * n) for n, word in enumerate(_TENS.split())}  # noqa: SIM905
_NUMBERS["oh"] = "0"


def _tokens(text: str, english: bool = True) -> list[str]:
    """Lower-case word tokens without punctuation (English number words as digits)."""
    tokens = [t for t in (p.strip("'") for p in _SPLIT.split(text.lower().replace("’", "'"))) if t]
    return [_NUMBERS.get(t, t) for t in tokens] if english else tokens


def _said(words: Sequence[transcription.Word], indexes: Sequence[int]) -> str:
    return "".join(words[i].text for i in indexes).strip()


def _joined(words: Sequence[tuple[int, str]]) -> str:
    """Words' texts as spoken: each keeps its own leading space; a segment's first word
    may have none, so one is put between segments where neither side has one."""
    text, last = "", None
    for segment, word in words:
        if last is not None and segment != last and not (text[-1:].isspace() or word[:1].isspace()):
            text += " "
        text, last = text + word, segment
    return text.strip()


def disagreements(transcript: Transcript, other: Transcript) -> tuple[Disagreement, ...]:
    """Where ``other`` heard differently what ``transcript`` says, word by word.

    Both are cut into lower-case word tokens without punctuation (in English, number
    words as digits) and aligned (the longest matching runs first); a word of
    ``transcript`` with a token outside a matching run is a disagreement, together with
    what ``other`` has at that place, unless the two differ only in where words are
    split ("Login" and "log in", "touch tone" and "touchtone"). Words ``other`` heard
    where ``transcript`` has nothing are not marked (nothing to mark).
    """
    english = (transcript.language or "en").split("-")[0] == "en"
    mine: list[str] = []
    owner: list[tuple[int, int]] = []
    for s, segment in enumerate(transcript.segments):
        for w, word in enumerate(segment.words):
            for token in _tokens(word.text, english):
                mine.append(token)
                owner.append((s, w))
    theirs: list[str] = []
    their_word: list[int] = []
    their_words: list[tuple[int, str]] = []  # (segment, text)
    for s, segment in enumerate(other.segments):
        for word in segment.words:
            for token in _tokens(word.text, english):
                theirs.append(token)
                their_word.append(len(their_words))
            their_words.append((s, word.text))
    matcher = difflib.SequenceMatcher(None, mine, theirs, autojunk=False)
    found: list[Disagreement] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag in ("equal", "insert"):
            continue
        if "".join(mine[i1:i2]) == "".join(theirs[j1:j2]):
            continue  # the same letters, split into words differently
        heard = _joined([their_words[w] for w in sorted(set(their_word[j1:j2]))])
        by_segment: dict[int, list[int]] = {}
        for s, w in owner[i1:i2]:
            indexes = by_segment.setdefault(s, [])
            if w not in indexes:
                indexes.append(w)
        for s, indexes in by_segment.items():
            words = transcript.segments[s].words
            found.append(Disagreement(s, tuple(indexes), _said(words, indexes), heard))
    return tuple(found)


def second_model(transcript: Transcript, engine: str = "faster-whisper") -> str:
    """The installed model to ask: the biggest one that is not the transcript's own and
    can hear its language.

    Raises:
        SecondOpinionError: no such model is installed.
    """
    language = transcript.language or "en"
    candidates = [
        m
        for m in transcription.available_models(engine)
        if not transcription.same_model(m.name, transcript.model)
    ]
    for model in sorted(candidates, key=lambda m: m.size_bytes, reverse=True):
        try:
            transcription.check_language(language, model.name)
        except LecternError:
            continue
        return model.name
    raise SecondOpinionError(
        f"No second model is installed to check this {transcript.model or 'transcript'} "
        "transcript against; install one with `lectern-studio models install base`, or "
        "import a model pack in Settings."
    )


def second_opinion(
    transcript: Transcript,
    media: str | Path,
    model: str | None = None,
    state: ProgressState | None = None,
    *,
    engine: str = "faster-whisper",
) -> SecondOpinion:
    """Transcribe ``media`` again with ``model`` (default :func:`second_model`) and
    say where it disagrees with ``transcript``.

    Raises:
        SecondOpinionError: no second model, or the same model as the transcript's.
        TranscriptionError: the model cannot be loaded or the audio read.
        Cancelled: ``state`` asked to stop.
    """
    if not transcript.segments:
        raise SecondOpinionError("The lesson has no transcript to check; build it first.")
    name = model or second_model(transcript, engine)
    if transcription.same_model(name, transcript.model):
        raise SecondOpinionError(
            f"The transcript was made by {transcript.model} already; ask a different model, "
            "such as base."
        )
    language = transcription.check_language(transcript.language or None, name)
    other = transcription.get_engine(engine, model=name).transcribe(
        media, language=language, state=state
    )
    return SecondOpinion(other.model or name, disagreements(transcript, other))


def save_opinion(folder: str | Path, opinion: SecondOpinion) -> Path:
    """Keep ``opinion`` in the lesson folder (atomically)."""
    return write_json_atomic(LessonWorkspace(folder).path(OPINION_FILE), opinion.to_dict())


def load_opinion(folder: str | Path) -> SecondOpinion | None:
    """The opinion kept in the lesson folder; ``None`` when there is none or it is unreadable
    (it is only an aid: the Studio then marks by probability)."""
    path = Path(folder) / OPINION_FILE
    try:
        return SecondOpinion.from_dict(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError):
        return None
