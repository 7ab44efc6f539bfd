"""Lectures from Marp decks: slides that are neither Beamer nor anything Lectern draws.

Marp (``@marp-team/marp-cli`` from npm) turns Markdown into slides with its own
themes (gaia, default, uncover) and renders them in a real browser (Debian's
Chromium), so the type, layout and colours are a web page's. The text is again the
documentation of Python standard-library modules, from modules neither the Beamer sets
nor the other Marp set use. The lectures are composed like the Beamer ones
(``build_corpus.compose``: cuts, fades and wipes, reveals as one more bullet per page
under the same title, a clip inside a slide, a webcam inset, a pointer, crf 18-40) and
are scored in the same classes of difficulty.

The tuning set (theme gaia) and the test set (themes default and uncover) share no
theme and no text. Cached under ``~/.cache/lectern-corpus/marp-<hash>/``. Needs the
Beamer corpus's tools plus::

    apt-get install -y chromium nodejs npm
    npm install --prefix ~/.cache/lectern-marp @marp-team/marp-cli

    .venv/bin/python bench/corpus/marp_corpus.py [--set test|tuning|all]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
from dataclasses import asdict
from pathlib import Path

import cv2

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from build_corpus import (  # noqa: E402
    SIZE,
    CorpusError,
    Frame,
    Lecture,
    Shown,
    compose,
    plan,
    slide_texts,
)

SETS = {
    "tuning": {
        "themes": ["gaia"],
        "modules": ["ast", "traceback", "contextlib", "codecs", "linecache"],
        "classes": ["reveals", "video", "webcam"],
        "seed": 300,
    },
    "test": {
        "themes": ["default", "uncover"],
        "modules": ["platform", "urllib.parse", "doctest", "base64", "xmlrpc.client",
                    "pkgutil"],
        "classes": ["plain", "reveals", "transitions", "video", "webcam", "crf40"],
        "seed": 700,
    },
}  # fmt: skip
NPM_HINT = "npm install --prefix ~/.cache/lectern-marp @marp-team/marp-cli"


def marp_exe() -> str:
    found = shutil.which("marp")
    if found:
        return found
    cached = Path.home() / ".cache" / "lectern-marp" / "node_modules" / ".bin" / "marp"
    if cached.exists():
        return str(cached)
    raise CorpusError(f"marp-cli not found; install it with: {NPM_HINT}")


def cache_dir() -> Path:
    digest = hashlib.sha256()
    for name in ("marp_corpus.py", "build_corpus.py"):
        digest.update((HERE / name).read_bytes())
    base = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
    return base / "lectern-corpus" / f"marp-{digest.hexdigest()[:12]}"


def _markdown(text: str) -> str:
    """Text that Markdown shows as it is: no markup characters survive."""
    return "".join(c for c in text if c.isalnum() or c in " .,;:()'-")


def render_deck(frames: list[Frame], theme: str, folder: Path) -> list[list[Path]]:
    """Render the frames with Marp; pages of each frame (one per reveal step), in order."""
    pages = []
    for frame in frames:
        steps = range(1, len(frame.bullets) + 1) if frame.reveal else [len(frame.bullets)]
        for count in steps:
            bullets = "\n".join(f"- {_markdown(b)}" for b in frame.bullets[:count])
            pages.append(f"# {_markdown(frame.title)}\n\n{bullets}\n")
    source = f"---\nmarp: true\ntheme: {theme}\nsize: 16:9\n---\n\n" + "\n---\n\n".join(pages)
    (folder / "deck.md").write_text(source)
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        raise CorpusError("chromium not found; install it with: apt-get install -y chromium")
    environment = {**os.environ, "CHROME_PATH": browser, "CHROME_NO_SANDBOX": "1"}
    done = subprocess.run(
        [marp_exe(), "--no-stdin", "--images", "png", "--browser-path", browser,
         "deck.md", "-o", "page.png"],
        cwd=folder, capture_output=True, text=True, env=environment,
    )  # fmt: skip
    if done.returncode != 0:
        raise CorpusError(f"marp failed on {theme}:\n{done.stderr[-1500:]}")
    rendered = sorted(folder.glob("page.*.png"), key=lambda p: int(p.suffixes[0][1:]))
    if len(rendered) != len(pages):
        raise CorpusError(f"{theme}: expected {len(pages)} pages, marp gave {len(rendered)}")
    grouped, at = [], 0
    for frame in frames:
        count = len(frame.bullets) if frame.reveal else 1
        grouped.append(rendered[at : at + count])
        at += count
    return grouped


def build_set(name: str, folder: Path) -> list[Lecture]:
    spec = SETS[name]
    rng = random.Random(spec["seed"])
    texts = slide_texts(spec["modules"], rng)
    lectures = []
    for number, cls in enumerate(spec["classes"]):
        theme = spec["themes"][number % len(spec["themes"])]
        crf = rng.randint(36, 40) if cls == "crf40" else rng.randint(18, 32)
        lecture = Lecture(f"marp-{name}-{number:02d}-{cls}", name, cls, theme, "marp", crf, 0.0)
        planned = plan(cls, rng, texts, rng.uniform(50, 80))
        if len(planned) < 3:
            raise CorpusError(f"the Marp {name} set ran out of slide text at {lecture.name}")
        with tempfile.TemporaryDirectory(prefix="lectern-marp-") as tmp:
            grouped = render_deck([f for f, _ in planned], theme, Path(tmp))
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
        print(f"{lecture.name}: marp {theme} crf {crf}, {lecture.seconds:.0f} s, "
              f"{len(lecture.changes)} changes, {len(lecture.steps)} reveals", flush=True)  # fmt: skip
    return lectures


def load_or_build(which: str = "all") -> tuple[Path, list[Lecture]]:
    """The cached Marp lectures (each set built on first use): folder and lectures."""
    folder = cache_dir()
    lectures = []
    for name in SETS:
        if which not in ("all", name):
            continue
        index = folder / f"index-{name}.json"
        if not index.exists():
            folder.mkdir(parents=True, exist_ok=True)
            built = build_set(name, folder)
            partial = index.with_suffix(".tmp")
            partial.write_text(json.dumps([asdict(lecture) for lecture in built], indent=1))
            partial.replace(index)
        lectures += [Lecture(**item) for item in json.loads(index.read_text())]
    return folder, lectures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", choices=["tuning", "test", "all"], default="all")
    args = parser.parse_args()
    try:
        folder, lectures = load_or_build(args.set)
    except CorpusError as error:
        sys.exit(str(error))
    print(f"{len(lectures)} Marp lectures in {folder}")


if __name__ == "__main__":
    main()
