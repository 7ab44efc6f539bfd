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

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from build_corpus import (  # noqa: E402
    CorpusError,
    Frame,
    Lecture,
    cached_sets,
    corpus_main,
    deck_lectures,
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
    return deck_lectures("marp", name, spec, spec["themes"], render_deck, folder)


def load_or_build(which: str = "all") -> tuple[Path, list[Lecture]]:
    """The cached Marp lectures (each set built on first use): folder and lectures."""
    folder = cache_dir()
    return folder, cached_sets(folder, SETS, which, build_set)


def main() -> None:
    corpus_main("Marp", __doc__.splitlines()[0], load_or_build)


if __name__ == "__main__":
    main()
