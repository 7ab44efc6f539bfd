"""Build the chapter-detection evaluation corpus from material the project did not design.

Slides are real LaTeX Beamer decks: Beamer's own themes and colour themes (the
``texlive-latex-recommended`` package), compiled with ``pdflatex`` and rendered with
``pdftoppm``. Their text is the documentation of Python's standard library (the
docstrings of modules the project does not use for anything else), so neither the look
nor the words come from Lectern's test generator. The lectures are then composed with
known truth: slides of 3-20 s, Beamer ``\\pause`` builds (reveals: a step, not a
chapter), cuts, cross-fades and wipes, a clip playing inside a slide (FFmpeg's own
``mandelbrot``, ``life`` and ``testsrc2`` sources), a webcam inset, a moving pointer,
and H.264 compression from crf 18 to 40.

The tuning set and the test set share no theme, no colour theme and no text source.
Each lecture belongs to one class of difficulty (see ``CLASSES``).

The corpus is cached under ``~/.cache/lectern-corpus/<hash of this script>/`` with an
``index.json``; building it again reuses it. Needs::

    apt-get install -y --no-install-recommends texlive-latex-recommended texlive-pictures \\
        texlive-fonts-recommended poppler-utils

    .venv/bin/python bench/corpus/build_corpus.py [--set test|tuning|all]
"""

from __future__ import annotations

import argparse
import hashlib
import importlib
import inspect
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from shared.media import ffmpeg_exe  # noqa: E402

SIZE = (1280, 720)
FPS = 15
APT_HINT = (
    "apt-get install -y --no-install-recommends texlive-latex-recommended "
    "texlive-pictures texlive-fonts-recommended poppler-utils"
)

# Themes and text sources: the two sets share none of them.
SETS = {
    "tuning": {
        "themes": ["Madrid", "Warsaw", "Berlin", "Malmoe", "Hannover"],
        "colors": ["default", "beaver", "crane", "whale"],
        "modules": ["json", "csv", "heapq", "bisect", "textwrap", "shutil", "fractions", "string",
                    "argparse", "configparser", "tarfile", "gzip", "smtplib", "optparse",
                    "collections", "functools", "enum", "inspect", "pprint", "threading",
                    "subprocess", "tempfile", "typing", "copy"],
        "seed": 100,
    },
    "test": {
        "themes": ["Copenhagen", "AnnArbor", "Boadilla", "Frankfurt", "PaloAlto", "Singapore"],
        "colors": ["dolphin", "albatross", "seahorse", "wolverine", "rose", "orchid"],
        "modules": ["statistics", "difflib", "pathlib", "calendar", "zipfile", "queue",
                    "sched", "ipaddress", "random", "colorsys", "imaplib", "ftplib", "mailbox",
                    "email.message", "http.cookiejar", "urllib.request", "logging", "unittest.case"],
        "seed": 900,
    },
}  # fmt: skip

CLASSES = {
    "plain": "cuts between slides of 6-20 s, crf 18-28",
    "short": "slides of 3-6 s, cuts and fades",
    "reveals": "bullets revealed one by one (Beamer \\pause), cuts",
    "transitions": "cross-fades of 0.3-1.2 s and wipes",
    "video": "a clip playing inside every third slide",
    "webcam": "a webcam inset all through and a moving pointer",
    "crf40": "heavy compression (crf 36-40), pointer, some fades",
}
LECTURES_PER_CLASS = {"tuning": 1, "test": 2}


@dataclass
class Lecture:
    name: str
    set: str
    cls: str
    theme: str
    color: str
    crf: int
    seconds: float
    changes: list[float] = field(default_factory=list)
    """Slide changes (the truth), at the middle of each transition."""
    steps: list[float] = field(default_factory=list)
    """Reveals on the same slide: not chapters."""
    titles: list[str] = field(default_factory=list)
    """The title of each slide, the first one at 0 s then one per change."""
    path: str = ""


class CorpusError(Exception):
    pass


def script_hash() -> str:
    return hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:12]


def cache_dir() -> Path:
    base = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
    return base / "lectern-corpus" / script_hash()


# ---------------------------------------------------------------- text from the stdlib


def _clean(text: str) -> str:
    text = re.sub(r"[^A-Za-z0-9 .,;:()'-]", " ", text)
    return " ".join(text.split())


def _sentences(doc: str) -> list[str]:
    doc = " ".join(doc.split())
    parts = re.split(r"(?<=[.;:])\s+", doc)
    return [p for p in (_clean(p).rstrip(".;:") for p in parts) if len(p) >= 12]


def _shorten(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0]
    return cut.rstrip(",;:(-")


def slide_texts(modules: list[str], rng: random.Random) -> list[tuple[str, list[str]]]:
    """(title, bullets) pairs from the public functions and classes of ``modules``."""
    out = []
    for module_name in modules:
        module = importlib.import_module(module_name)
        for name, value in sorted(vars(module).items()):
            if name.startswith("_") or not (inspect.isfunction(value) or inspect.isclass(value)):
                continue
            if getattr(value, "__module__", "") != module_name:
                continue
            sentences = _sentences(inspect.getdoc(value) or "")
            if len(sentences) < 2:
                continue
            title = _shorten(sentences[0], 38)
            bullets = [_shorten(s, 62) for s in sentences[1:6]]
            out.append((_shorten(_clean(f"{name}: {title}"), 48), bullets))
    rng.shuffle(out)
    return out


# ---------------------------------------------------------------- Beamer decks


@dataclass
class Frame:
    title: str
    bullets: list[str]
    reveal: bool


def _tex(text: str) -> str:
    """Text safe for LaTeX: only letters, digits and plain punctuation survive."""
    return _clean(text)


def render_deck(frames: list[Frame], theme: str, color: str, folder: Path) -> list[list[Path]]:
    """Compile the frames with Beamer and render them; pages of each frame, in order."""
    body = []
    for frame in frames:
        items = []
        for index, bullet in enumerate(frame.bullets):
            pause = " \\pause" if frame.reveal and index < len(frame.bullets) - 1 else ""
            items.append(f"  \\item {_tex(bullet)}{pause}")
        body.append(
            f"\\begin{{frame}}{{{_tex(frame.title)}}}\n\\begin{{itemize}}\n"
            + "\n".join(items)
            + "\n\\end{itemize}\n\\end{frame}"
        )
    color_line = "" if color == "default" else f"\\usecolortheme{{{color}}}\n"
    source = (
        "\\documentclass[aspectratio=169]{beamer}\n"
        f"\\usetheme{{{theme}}}\n{color_line}"
        "\\setbeamertemplate{navigation symbols}{}\n"
        "\\title{Lecture}\\author{Corpus}\\date{}\n"
        "\\begin{document}\n" + "\n".join(body) + "\n\\end{document}\n"
    )
    (folder / "deck.tex").write_text(source)
    for _ in range(2):  # twice: Beamer's navigation needs its .nav file
        done = subprocess.run(
            ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "deck.tex"],
            cwd=folder, capture_output=True, text=True,
        )  # fmt: skip
        if done.returncode != 0:
            raise CorpusError(f"pdflatex failed on {theme}/{color}:\n{done.stdout[-1500:]}")
    subprocess.run(
        ["pdftoppm", "-png", "-scale-to-x", str(SIZE[0]), "-scale-to-y", str(SIZE[1]),
         "deck.pdf", "page"],
        cwd=folder, check=True,
    )  # fmt: skip
    pages = sorted(folder.glob("page-*.png"), key=lambda p: int(p.stem.split("-")[1]))
    wanted = sum(len(f.bullets) if f.reveal else 1 for f in frames)
    if len(pages) != wanted:
        raise CorpusError(f"{theme}: expected {wanted} pages, pdftoppm gave {len(pages)}")
    grouped, at = [], 0
    for frame in frames:
        count = len(frame.bullets) if frame.reveal else 1
        grouped.append(pages[at : at + count])
        at += count
    return grouped


# ---------------------------------------------------------------- moving pictures


def lavfi_clip(source: str, size: tuple[int, int], seconds: float) -> np.ndarray:
    """Frames of one of FFmpeg's own generators as an array (frames, h, w, 3) BGR."""
    width, height = size
    command = [
        ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-f", "lavfi",
        "-i", f"{source}=size={width}x{height}:rate={FPS}", "-t", f"{seconds:.2f}",
        "-pix_fmt", "bgr24", "-f", "rawvideo", "-",
    ]  # fmt: skip
    raw = subprocess.run(command, capture_output=True, check=True).stdout
    return np.frombuffer(raw, np.uint8).reshape(-1, height, width, 3)


def pointer_path(rng: random.Random, frames: int) -> list[tuple[int, int]]:
    """A pointer that glides between random spots and rests now and then."""
    points, x, y = [], rng.uniform(200, 1000), rng.uniform(150, 600)
    while len(points) < frames:
        tx, ty = rng.uniform(80, SIZE[0] - 80), rng.uniform(80, SIZE[1] - 80)
        steps = rng.randint(FPS // 2, 2 * FPS)
        for k in range(1, steps + 1):
            points.append((int(x + (tx - x) * k / steps), int(y + (ty - y) * k / steps)))
        x, y = tx, ty
        points += [(int(x), int(y))] * rng.randint(0, 3 * FPS)
    return points[:frames]


def draw_pointer(image: np.ndarray, at: tuple[int, int]) -> None:
    x, y = at
    arrow = np.array([[0, 0], [0, 22], [6, 17], [10, 26], [14, 24], [10, 16], [17, 16]])
    cv2.fillPoly(image, [arrow + (x, y)], (255, 255, 255))
    cv2.polylines(image, [arrow + (x, y)], True, (0, 0, 0), 1)


# ---------------------------------------------------------------- composing lectures


@dataclass
class Shown:
    frame: Frame
    pages: list[np.ndarray]
    seconds: float
    video: bool


def plan(cls: str, rng: random.Random, texts: list, target: float) -> list[tuple[Frame, float]]:
    frames: list[tuple[Frame, float]] = []
    total = 0.0
    while total < target and texts:
        title, bullets = texts.pop()
        low, high = (3.0, 6.0) if cls == "short" else (6.0, 20.0)
        if cls not in ("short", "plain") and rng.random() < 0.25:
            low = 3.0
        seconds = rng.uniform(low, high)
        reveal = cls == "reveals" and len(bullets) >= 2 and rng.random() < 0.7
        if reveal:
            seconds = max(seconds, 3.0 * len(bullets))
        frames.append((Frame(title, bullets[:4], reveal), seconds))
        total += seconds
    return frames


def compose(lecture: Lecture, shown: list[Shown], rng: random.Random, out: Path) -> None:
    """Write the lecture video and fill in its truth (changes, steps, titles)."""
    cls = lecture.cls
    webcam = lavfi_clip("mandelbrot", (224, 168), 30.0) if cls == "webcam" else None
    clip = None
    if cls == "video":
        clip = lavfi_clip(rng.choice(["testsrc2", "life", "mandelbrot"]), (480, 270), 30.0)
    pointer = cls in ("webcam", "crf40", "transitions")
    total_frames = int(round(sum(s.seconds for s in shown) * FPS))
    path = pointer_path(rng, total_frames + FPS) if pointer else []
    command = [
        ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y", "-f", "rawvideo",
        "-pix_fmt", "bgr24", "-s", f"{SIZE[0]}x{SIZE[1]}", "-r", str(FPS), "-i", "-",
        "-c:v", "libx264", "-preset", "veryfast", "-crf", str(lecture.crf),
        "-pix_fmt", "yuv420p", "-movflags", "+faststart", str(out),
    ]  # fmt: skip
    encoder = subprocess.Popen(command, stdin=subprocess.PIPE)
    assert encoder.stdin is not None
    index = 0
    lecture.titles = [shown[0].frame.title]
    for number, slide in enumerate(shown):
        count = int(round(slide.seconds * FPS))
        per_page = count // len(slide.pages)
        # The transition into this slide (none for the first).
        kind, length = "cut", 0
        if number > 0:
            if cls == "transitions" or (cls in ("short", "crf40") and rng.random() < 0.4):
                kind = rng.choice(["fade", "fade", "wipe"])
                length = int(rng.uniform(0.3, 1.2) * FPS)
            lecture.changes.append((index + length / 2) / FPS)
            lecture.titles.append(slide.frame.title)
        previous = shown[number - 1] if number else None
        for k in range(1, len(slide.pages)):
            lecture.steps.append((index + k * per_page) / FPS)
        clip_at = rng.randrange(0, 200) if slide.video and clip is not None else 0
        for f in range(count):
            page = slide.pages[min(f // per_page, len(slide.pages) - 1)].copy()
            if slide.video and clip is not None:
                page[360:630, 700:1180] = clip[(clip_at + f) % len(clip)]
            if f < length and previous is not None:
                old = previous.pages[-1].copy()
                if previous.video and clip is not None:
                    old[360:630, 700:1180] = clip[f % len(clip)]
                share = (f + 1) / (length + 1)
                if kind == "fade":
                    page = cv2.addWeighted(page, share, old, 1 - share, 0)
                else:  # a wipe from the right
                    edge = int(SIZE[0] * (1 - share))
                    page[:, :edge] = old[:, :edge]
            if webcam is not None:
                face = webcam[index % len(webcam)]
                page[SIZE[1] - 180 : SIZE[1] - 12, SIZE[0] - 236 : SIZE[0] - 12] = face
            if path:
                draw_pointer(page, path[index])
            encoder.stdin.write(page.tobytes())
            index += 1
    encoder.stdin.close()
    if encoder.wait() != 0:
        raise CorpusError(f"ffmpeg failed writing {out}")
    lecture.seconds = index / FPS


def build_set(name: str, folder: Path) -> list[Lecture]:
    spec = SETS[name]
    rng = random.Random(spec["seed"])
    texts = slide_texts(spec["modules"], rng)
    lectures = []
    number = 0
    for cls in CLASSES:
        for _ in range(LECTURES_PER_CLASS[name]):
            theme = spec["themes"][number % len(spec["themes"])]
            color = spec["colors"][(number * 5 + 1) % len(spec["colors"])]
            crf = rng.randint(36, 40) if cls == "crf40" else rng.randint(18, 32)
            lecture = Lecture(f"{name}-{number:02d}-{cls}", name, cls, theme, color, crf, 0.0)
            number += 1
            target = rng.uniform(50, 80)
            planned = plan(cls, rng, texts, target)
            if len(planned) < 3:
                raise CorpusError(f"the {name} set ran out of slide text at {lecture.name}")
            with tempfile.TemporaryDirectory(prefix="lectern-deck-") as tmp:
                grouped = render_deck([f for f, _ in planned], theme, color, Path(tmp))
                shown = []
                for position, ((frame, seconds), pages) in enumerate(
                    zip(planned, grouped, strict=True)
                ):
                    images = [cv2.imread(str(p)) for p in pages]
                    images = [cv2.resize(i, SIZE) if i.shape[1::-1] != SIZE else i for i in images]
                    video = cls == "video" and position % 3 == 1
                    shown.append(Shown(frame, images, seconds, video))
            out = folder / f"{lecture.name}.mp4"
            compose(lecture, shown, rng, out)
            lecture.path = out.name
            lectures.append(lecture)
            print(f"{lecture.name}: {theme}/{color} crf {crf}, {lecture.seconds:.0f} s, "
                  f"{len(lecture.changes)} changes, {len(lecture.steps)} reveals", flush=True)  # fmt: skip
    return lectures


def deck_lectures(
    tool: str,
    name: str,
    spec: dict,
    variants: list[str],
    render: Callable[[list[Frame], str, Path], list[list[Path]]],
    folder: Path,
) -> list[Lecture]:
    """One set's lectures from decks a third-party tool renders (Marp, Impress).

    Args:
        tool: the tool's name in lecture names (``"marp"``, ``"impress"``).
        name: the set (``"tuning"``, ``"test"``).
        spec: the set's ``seed``, ``modules`` and ``classes``.
        variants: the themes or templates, taken in turn.
        render: ``render(frames, variant, tmp_folder)``: each frame's page images.
        folder: where the videos go.
    """
    rng = random.Random(spec["seed"])
    texts = slide_texts(spec["modules"], rng)
    lectures = []
    for number, cls in enumerate(spec["classes"]):
        variant = variants[number % len(variants)]
        crf = rng.randint(36, 40) if cls == "crf40" else rng.randint(18, 32)
        lecture = Lecture(f"{tool}-{name}-{number:02d}-{cls}", name, cls, variant, tool, crf, 0.0)
        planned = plan(cls, rng, texts, rng.uniform(50, 80))
        if len(planned) < 3:
            raise CorpusError(f"the {tool} {name} set ran out of slide text at {lecture.name}")
        with tempfile.TemporaryDirectory(prefix=f"lectern-{tool}-") as tmp:
            grouped = render([f for f, _ in planned], variant, Path(tmp))
            shown = []
            for position, ((frame, seconds), pages) in enumerate(
                zip(planned, grouped, strict=True)
            ):
                images = [cv2.resize(cv2.imread(str(p)), SIZE) for p in pages]
                shown.append(Shown(frame, images, seconds, cls == "video" and position % 3 == 1))
        out = folder / f"{lecture.name}.mp4"
        compose(lecture, shown, rng, out)
        lecture.path = out.name
        lectures.append(lecture)
        print(f"{lecture.name}: {tool} {variant} crf {crf}, {lecture.seconds:.0f} s, "
              f"{len(lecture.changes)} changes, {len(lecture.steps)} reveals", flush=True)  # fmt: skip
    return lectures


def cached_sets(
    folder: Path,
    sets: Iterable[str],
    which: str,
    build: Callable[[str, Path], list[Lecture]],
    check: Callable[[], None] = lambda: None,
) -> list[Lecture]:
    """The lectures of the sets ``which`` names ("all" or one), each built once with
    ``build(set, folder)`` and kept in ``folder`` with its index written last; ``check``
    runs before a build (it raises :class:`CorpusError` when a tool is missing)."""
    lectures = []
    for name in sets:
        if which not in ("all", name):
            continue
        index = folder / f"index-{name}.json"
        if not index.exists():
            check()
            folder.mkdir(parents=True, exist_ok=True)
            built = build(name, folder)
            partial = index.with_suffix(".tmp")
            partial.write_text(json.dumps([asdict(lecture) for lecture in built], indent=1))
            partial.replace(index)
        lectures += [Lecture(**item) for item in json.loads(index.read_text())]
    return lectures


def corpus_main(
    what: str, description: str, load: Callable[[str], tuple[Path, list[Lecture]]]
) -> None:
    """The command line of a corpus script: ``--set tuning|test|all``, then a count."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--set", choices=["tuning", "test", "all"], default="all")
    args = parser.parse_args()
    try:
        folder, lectures = load(args.set)
    except CorpusError as error:
        sys.exit(str(error))
    print(f"{len(lectures)} {what} lectures in {folder}")


def _check_tools() -> None:
    missing = [tool for tool in ("pdflatex", "pdftoppm") if shutil.which(tool) is None]
    if missing:
        raise CorpusError(f"{' and '.join(missing)} not found; install them with: {APT_HINT}")


def load_or_build(which: str = "all") -> tuple[Path, list[Lecture]]:
    """The cached corpus (each set built on first use); returns its folder and lectures."""
    folder = cache_dir()
    return folder, cached_sets(folder, SETS, which, build_set, _check_tools)


def main() -> None:
    corpus_main("Beamer", __doc__.splitlines()[0], load_or_build)


if __name__ == "__main__":
    main()
