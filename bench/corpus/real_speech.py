"""Real human speech with a known text, taken from packages in the registries this
machine reaches, split into a tuning set and a held-out test set.

Sources (each fetched once with the registry's own client, then cached under
``~/.cache/lectern-bench/real-speech/``):

- Debian ``asterisk-core-sounds-en-g722`` (the recordings, G.722 at 16 kHz) and
  ``asterisk-core-sounds-en`` (``core-sounds-en.txt``: every prompt's text), fetched
  with ``apt-get download``. Allison Smith reads about 400 telephone prompts;
  CC BY-SA 3.0. Prompts that are single digits, letters, phonetic words, silences or
  tones are left out; the rest are joined in name order, with 0.7 s of silence
  between them, into clips of about 50 s (like a stretch of a lecture, and
  Whisper's 30 s window sees sentences in context). Clips alternate between the
  tuning and the test set, so neither set has a prompt of the other.
- The ``pocketsphinx`` 5.1.1 source distribution on PyPI (``pip download``):
  ``test/data/librivox``, five sentences of *Sense and Sensibility* read for
  LibriVox (public domain) by another speaker. Test set.
- The ``moonshine-voice`` 0.1.5 wheel on PyPI: ``two_cities.wav`` (44 s, *A Tale of
  Two Cities*) and ``beckett.wav`` (10 s), public domain. Test set.

So the test set has every speaker, and two of its three speakers are never heard in
tuning. ``python bench/corpus/real_speech.py`` builds the cache and prints the sizes.
"""

from __future__ import annotations

import gzip
import json
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import wave
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

CACHE = Path.home() / ".cache" / "lectern-bench" / "real-speech"
_VERSION = 1  # bump when the clips change, so an old cache is rebuilt

_ASTERISK_DEBS = ("asterisk-core-sounds-en-g722", "asterisk-core-sounds-en")
_LEFT_OUT = ("digits/", "letters/", "phonetic/", "silence/")
_GAP_SECONDS = 0.7
_CLIP_SECONDS = 50.0
_RATE = 16000


@dataclass(frozen=True)
class Clip:
    """One recording and the text spoken in it."""

    path: Path
    text: str
    source: str  # "asterisk", "librivox", "moonshine"
    split: str  # "tuning" or "test"


def clips(split: str | None = None) -> list[Clip]:
    """Every clip (or those of ``split``), building the cache on first use."""
    index = CACHE / f"index-{_VERSION}.json"
    if not index.is_file():
        CACHE.mkdir(parents=True, exist_ok=True)
        built = _asterisk() + _librivox() + _moonshine()
        index.write_text(
            json.dumps(
                [
                    {"path": c.path.name, "text": c.text, "source": c.source, "split": c.split}
                    for c in built
                ],
                indent=1,
            )
        )
    found = [
        Clip(CACHE / item["path"], item["text"], item["source"], item["split"])
        for item in json.loads(index.read_text())
    ]
    return [c for c in found if split is None or c.split == split]


# ------------------------------------------------------------------------ sources


def _asterisk() -> list[Clip]:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        subprocess.run(["apt-get", "download", *_ASTERISK_DEBS], cwd=folder, check=True)
        for deb in folder.glob("*.deb"):
            subprocess.run(["dpkg-deb", "-x", str(deb), str(folder / "x")], check=True)
        listing = next((folder / "x").rglob("core-sounds-en.txt.gz"))
        sounds = next((folder / "x").rglob("en_US_f_Allison"))
        prompts = []
        for line in gzip.decompress(listing.read_bytes()).decode("utf-8").splitlines():
            name, _colon, text = line.partition(":")
            name, text = name.strip(), " ".join(text.split())
            if not text or line.startswith(";") or "[" in text or name.startswith(_LEFT_OUT):
                continue
            source = sounds / f"{name}.g722"
            if source.is_file() and len(text.split()) >= 2:
                prompts.append((name, text, _decode_g722(source)))
    groups: list[list[tuple[str, bytes]]] = [[]]
    seconds = 0.0
    for _name, text, pcm in sorted(prompts):
        if seconds >= _CLIP_SECONDS:
            groups.append([])
            seconds = 0.0
        groups[-1].append((text, pcm))
        seconds += len(pcm) / 2 / _RATE + _GAP_SECONDS
    gap = b"\0\0" * int(_GAP_SECONDS * _RATE)
    made = []
    for number, group in enumerate(groups):
        path = CACHE / f"asterisk-{number:02d}.wav"
        _write_wav(path, gap.join(pcm for _t, pcm in group))
        text = " ".join(t for t, _pcm in group)
        made.append(Clip(path, text, "asterisk", "tuning" if number % 2 == 0 else "test"))
    return made


def _decode_g722(path: Path) -> bytes:
    return subprocess.run(
        ["ffmpeg", "-v", "error", "-f", "g722", "-i", str(path)]
        + ["-ac", "1", "-ar", str(_RATE), "-f", "s16le", "-"],
        check=True,
        capture_output=True,
    ).stdout


def _write_wav(path: Path, pcm: bytes) -> None:
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(_RATE)
        out.writeframes(pcm)


def _librivox() -> list[Clip]:
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", tmp]
            + ["--no-binary", "pocketsphinx", "pocketsphinx==5.1.1"],
            check=True,
        )
        made = []
        with tarfile.open(next(Path(tmp).glob("pocketsphinx-*.tar.gz"))) as archive:
            prefix = "pocketsphinx-5.1.1/test/data/librivox/"
            listing = archive.extractfile(prefix + "transcription").read().decode()
            for line in listing.splitlines():
                found = re.match(r"<s>(.*)</s>\s*\((\S+)\)", line.strip())
                if not found:
                    continue
                text, name = found.group(1).strip(), found.group(2)
                path = CACHE / f"librivox-{name[-4:]}.wav"
                path.write_bytes(archive.extractfile(f"{prefix}{name}.wav").read())
                made.append(Clip(path, text, "librivox", "test"))
    return made


def _moonshine() -> list[Clip]:
    from tests.spoken_lectures import human_speech

    made = []
    for source, text in human_speech():
        path = CACHE / f"moonshine-{source.name}"
        shutil.copyfile(source, path)
        made.append(Clip(path, text, "moonshine", "test"))
    return made


def seconds(clip: Clip) -> float:
    with wave.open(str(clip.path)) as read:
        return read.getnframes() / read.getframerate()


if __name__ == "__main__":
    for name in ("tuning", "test"):
        chosen = clips(name)
        words = sum(len(c.text.split()) for c in chosen)
        print(f"{name}: {len(chosen)} clips, {sum(map(seconds, chosen)):.0f} s, {words} words")
