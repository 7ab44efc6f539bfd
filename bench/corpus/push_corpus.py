"""Lectures whose slides move in: push transitions on real decks.

The next slide pushes the last one out of the picture, eased in and out over 0.4 to
1.2 s: from below (a presentation's vertical slides going down, PowerPoint's and
Keynote's Push from the bottom), from above (going back up) or from the right (the
horizontal slide transition most presentation programs offer). Each sample taken in
the middle of a vertical push looks like a page scrolled, which screen recordings
taught the detector to leave alone; this corpus measures that it still finds these
changes.

The slides are real decks rendered by the other corpus scripts: the tuning set is
Beamer with its tuning themes and text, the test set Beamer with its test themes and
Marp with its test themes, on text neither tuning set uses. Slides stay 4 to 12 s;
compression is crf 18 to 32; half the lectures have a moving pointer. Cached under
``~/.cache/lectern-corpus/push-<hash>/``; needs the Beamer and Marp corpora's tools.

    .venv/bin/python bench/corpus/push_corpus.py [--set test|tuning|all]
"""

from __future__ import annotations

import hashlib
import os
import random
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import build_corpus  # noqa: E402
import marp_corpus  # noqa: E402
from build_corpus import (  # noqa: E402
    FPS,
    SIZE,
    CorpusError,
    Frame,
    Lecture,
    cached_sets,
    corpus_main,
    draw_pointer,
    ffmpeg_exe,
    plan,
    pointer_path,
    slide_texts,
)

CLASSES = {"push": "push transitions of 0.4-1.2 s: the next slide moves in from below, above "
                   "or the right"}  # fmt: skip

Render = Callable[[list[Frame], str, Path], list[list[Path]]]


def _beamer(colors: list[str]) -> Render:
    def render(frames: list[Frame], theme: str, folder: Path) -> list[list[Path]]:
        color = colors[len(frames) % len(colors)]
        return build_corpus.render_deck(frames, theme, color, folder)

    return render


SETS = {
    "tuning": {
        "decks": [("beamer", "Madrid", build_corpus.SETS["tuning"]),
                  ("beamer", "Hannover", build_corpus.SETS["tuning"])],
        "seed": 1300,
    },
    "test": {
        "decks": [("beamer", "PaloAlto", build_corpus.SETS["test"]),
                  ("beamer", "Boadilla", build_corpus.SETS["test"]),
                  ("marp", "default", marp_corpus.SETS["test"]),
                  ("marp", "uncover", marp_corpus.SETS["test"])],
        "seed": 1900,
    },
}  # fmt: skip


def cache_dir() -> Path:
    digest = hashlib.sha256()
    for name in ("push_corpus.py", "build_corpus.py", "marp_corpus.py"):
        digest.update((HERE / name).read_bytes())
    base = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
    return base / "lectern-corpus" / f"push-{digest.hexdigest()[:12]}"


def _eased(share: float) -> float:
    return share * share * (3 - 2 * share)


def _pushed(old: np.ndarray, new: np.ndarray, share: float, direction: str) -> np.ndarray:
    """The picture ``share`` of the way through ``new`` pushing ``old`` out."""
    height, width = old.shape[:2]
    if direction == "up":  # the new slide comes in from below
        moved = round(height * share)
        return np.vstack([old[moved:], new[:moved]])
    if direction == "down":  # from above
        moved = round(height * share)
        return np.vstack([new[height - moved :], old[: height - moved]])
    moved = round(width * share)  # from the right
    return np.hstack([old[:, moved:], new[:, :moved]])


def compose(
    lecture: Lecture,
    pages: list[np.ndarray],
    seconds: list[float],
    rng: random.Random,
    out: Path,
    pointer: bool,
) -> None:
    """Write the lecture video and fill in its truth (a change mid-way through each push)."""
    total = int(round(sum(seconds) * FPS))
    path = pointer_path(rng, total + FPS) if pointer else []
    command = [
        ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y", "-f", "rawvideo",
        "-pix_fmt", "bgr24", "-s", f"{SIZE[0]}x{SIZE[1]}", "-r", str(FPS), "-i", "-",
        "-c:v", "libx264", "-preset", "veryfast", "-crf", str(lecture.crf),
        "-pix_fmt", "yuv420p", "-movflags", "+faststart", str(out),
    ]  # fmt: skip
    encoder = subprocess.Popen(command, stdin=subprocess.PIPE)
    assert encoder.stdin is not None
    index = 0
    for number, (page, shown) in enumerate(zip(pages, seconds, strict=True)):
        length, direction = 0, "up"
        if number > 0:
            length = int(rng.uniform(0.4, 1.2) * FPS)
            direction = rng.choice(["up", "up", "down", "left"])
            lecture.changes.append((index + length / 2) / FPS)
        for f in range(int(round(shown * FPS))):
            frame = page
            if f < length:
                frame = _pushed(pages[number - 1], page, _eased((f + 1) / (length + 1)), direction)
            frame = np.ascontiguousarray(frame)
            if path:
                frame = frame.copy()
                draw_pointer(frame, path[index])
            encoder.stdin.write(frame.tobytes())
            index += 1
    encoder.stdin.close()
    if encoder.wait() != 0:
        raise CorpusError(f"ffmpeg failed writing {out}")
    lecture.seconds = index / FPS


def build_set(name: str, folder: Path) -> list[Lecture]:
    spec = SETS[name]
    rng = random.Random(spec["seed"])
    lectures = []
    for number, (tool, theme, source) in enumerate(spec["decks"]):
        texts = slide_texts(source["modules"], random.Random(spec["seed"] + number))
        crf = rng.randint(18, 32)
        lecture = Lecture(f"push-{name}-{number:02d}", name, "push", theme, tool, crf, 0.0)
        # Slides of 4-12 s: about nine pushes a lecture.
        planned = [
            (Frame(f.title, f.bullets, False), rng.uniform(4.0, 12.0))
            for f, _ in plan("plain", rng, texts, 110)
        ]
        render: Render = _beamer(source["colors"]) if tool == "beamer" else marp_corpus.render_deck
        with tempfile.TemporaryDirectory(prefix="lectern-push-") as tmp:
            grouped = render([f for f, _ in planned], theme, Path(tmp))
            pages = [cv2.resize(cv2.imread(str(group[-1])), SIZE) for group in grouped]
        lecture.titles = [f.title for f, _ in planned]
        out = folder / f"{lecture.name}.mp4"
        compose(lecture, pages, [s for _, s in planned], rng, out, pointer=number % 2 == 1)
        lecture.path = out.name
        lectures.append(lecture)
        print(f"{lecture.name}: {tool} {theme} crf {crf}, {lecture.seconds:.0f} s, "
              f"{len(lecture.changes)} changes", flush=True)  # fmt: skip
    return lectures


def load_or_build(which: str = "all") -> tuple[Path, list[Lecture]]:
    """The cached push lectures (each set built on first use): folder and lectures."""
    folder = cache_dir()
    return folder, cached_sets(folder, SETS, which, build_set)


def main() -> None:
    corpus_main("push-transition", __doc__.splitlines()[0], load_or_build)


if __name__ == "__main__":
    main()
