"""Lectures from LibreOffice Impress decks: the templates that ship with Impress.

Each deck starts from one of Impress's own presentation templates
(``/usr/lib/libreoffice/share/template/common/presnt/*.otp``): its pages with a title and
an outline placeholder are filled with the slide text, and Impress itself lays them
out and exports them (``soffice --headless --convert-to pdf``), then ``pdftoppm``
renders the pages. Type, colours, bullets and artwork are the template designer's.
The text is again the documentation of Python standard-library modules, from modules
no other set uses. Lectures are composed like the Beamer ones
(``build_corpus.compose``: cuts, fades and wipes, reveals as one more bullet per page
under the same title, a clip inside a slide, a webcam inset, a pointer, crf 18-40).

The tuning set and the test set share no template and no text. Cached under
``~/.cache/lectern-corpus/impress-<hash>/``. Needs the Beamer corpus's tools plus::

    apt-get install -y --no-install-recommends libreoffice-impress poppler-utils

    .venv/bin/python bench/corpus/impress_corpus.py [--set test|tuning|all]
"""

from __future__ import annotations

import copy
import hashlib
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from build_corpus import (  # noqa: E402
    SIZE,
    CorpusError,
    Frame,
    Lecture,
    cached_sets,
    corpus_main,
    deck_lectures,
)

TEMPLATES = Path("/usr/lib/libreoffice/share/template/common/presnt")
SETS = {
    "tuning": {
        "templates": ["Beehive", "Blue_Curve", "Lights"],
        "modules": ["shlex", "fnmatch", "glob", "filecmp", "netrc", "getopt", "gettext", "locale",
                    "reprlib", "selectors", "weakref", "abc"],
        "classes": ["reveals", "video", "webcam"],
        "seed": 400,
    },
    "test": {
        "templates": ["Focus", "Midnightblue", "Vintage", "Pencil", "Sunset", "Progress"],
        "modules": ["html.parser", "wave", "quopri", "uuid", "plistlib", "mimetypes", "hmac",
                    "dis", "tokenize", "zipimport", "socketserver", "cmd", "trace", "pdb",
                    "timeit", "bdb"],
        "classes": ["plain", "reveals", "transitions", "video", "webcam", "crf40"],
        "seed": 800,
    },
}  # fmt: skip
APT_HINT = "apt-get install -y --no-install-recommends libreoffice-impress poppler-utils"


def cache_dir() -> Path:
    digest = hashlib.sha256()
    for name in ("impress_corpus.py", "build_corpus.py"):
        digest.update((HERE / name).read_bytes())
    base = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
    return base / "lectern-corpus" / f"impress-{digest.hexdigest()[:12]}"


def _deck(template: Path, pages: list[tuple[str, list[str]]], out: Path) -> None:
    """Write an Impress document: ``template`` with one page per (title, bullets).

    Every page is a copy of the template's first page that has a title and an outline
    placeholder, so the template's own master page, layout and styles apply.
    """
    with zipfile.ZipFile(template) as source:
        members = {info.filename: source.read(info.filename) for info in source.infolist()}
    content = members["content.xml"].decode()
    spaces = dict(re.findall(r'xmlns:([\w-]+)="([^"]+)"', content))
    for prefix, uri in spaces.items():
        ET.register_namespace(prefix, uri)

    def name(prefix: str, local: str) -> str:
        return f"{{{spaces[prefix]}}}{local}"

    root = ET.fromstring(content)
    presentation = root.find(f".//{name('office', 'presentation')}")
    if presentation is None:
        raise CorpusError(f"{template.name}: no presentation in the template")
    originals = presentation.findall(name("draw", "page"))

    def kinds(page: ET.Element) -> set[str | None]:
        frames = page.findall(name("draw", "frame"))
        return {frame.get(name("presentation", "class")) for frame in frames}

    model = next((p for p in originals if {"title", "outline"} <= kinds(p)), None)
    if model is None:
        raise CorpusError(f"{template.name}: no page with a title and an outline")
    at = list(presentation).index(originals[0])
    for page in originals:
        presentation.remove(page)
    for number, (title, bullets) in enumerate(pages):
        page = copy.deepcopy(model)
        page.set(name("draw", "name"), f"page{number + 1}")
        for notes in page.findall(name("presentation", "notes")):
            page.remove(notes)
        for frame in page.findall(name("draw", "frame")):
            box = frame.find(name("draw", "text-box"))
            kind = frame.get(name("presentation", "class"))
            if box is None or kind not in ("title", "outline"):
                continue
            for child in list(box):
                box.remove(child)
            frame.attrib.pop(name("presentation", "placeholder"), None)
            if kind == "title":
                ET.SubElement(box, name("text", "p")).text = title
            else:
                items = ET.SubElement(box, name("text", "list"))
                for bullet in bullets:
                    item = ET.SubElement(items, name("text", "list-item"))
                    ET.SubElement(item, name("text", "p")).text = bullet
        presentation.insert(at + number, page)
    members["content.xml"] = ET.tostring(root, encoding="unicode", xml_declaration=True).encode()
    kind = b"application/vnd.oasis.opendocument.presentation"
    members["mimetype"] = kind
    members["META-INF/manifest.xml"] = members["META-INF/manifest.xml"].replace(
        kind + b"-template", kind
    )
    with zipfile.ZipFile(out, "w") as deck:
        deck.writestr("mimetype", kind, compress_type=zipfile.ZIP_STORED)  # first, stored
        for member, data in members.items():
            if member != "mimetype" and not member.startswith("Thumbnails/"):
                deck.writestr(member, data, compress_type=zipfile.ZIP_DEFLATED)


def render_deck(frames: list[Frame], template: str, folder: Path) -> list[list[Path]]:
    """Lay out and render the frames with Impress; pages of each frame (one per reveal
    step), in order."""
    soffice = shutil.which("soffice")
    if soffice is None or shutil.which("pdftoppm") is None:
        raise CorpusError(f"LibreOffice Impress or pdftoppm not found; install them: {APT_HINT}")
    source = TEMPLATES / f"{template}.otp"
    if not source.exists():
        raise CorpusError(f"Impress template {source} not found; install them: {APT_HINT}")
    pages = []
    for frame in frames:
        steps = range(1, len(frame.bullets) + 1) if frame.reveal else [len(frame.bullets)]
        pages += [(frame.title, frame.bullets[:count]) for count in steps]
    _deck(source, pages, folder / "deck.odp")
    # A profile of its own: no first-start dialogs, no clash with a running LibreOffice.
    profile = (folder / "profile").as_uri()
    done = subprocess.run(
        [soffice, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf",
         "--outdir", str(folder), str(folder / "deck.odp")],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    if done.returncode != 0 or not (folder / "deck.pdf").exists():
        raise CorpusError(f"Impress failed on {template}:\n{done.stderr[-1500:]}")
    width, height = SIZE
    subprocess.run(
        ["pdftoppm", "-png", "-scale-to-x", str(width), "-scale-to-y", str(height),
         str(folder / "deck.pdf"), str(folder / "page")],
        check=True,
    )  # fmt: skip
    rendered = sorted(folder.glob("page-*.png"), key=lambda p: int(p.stem.split("-")[-1]))
    if len(rendered) != len(pages):
        raise CorpusError(f"{template}: expected {len(pages)} pages, Impress gave {len(rendered)}")
    grouped, at = [], 0
    for frame in frames:
        count = len(frame.bullets) if frame.reveal else 1
        grouped.append(rendered[at : at + count])
        at += count
    return grouped


def build_set(name: str, folder: Path) -> list[Lecture]:
    spec = SETS[name]
    return deck_lectures("impress", name, spec, spec["templates"], render_deck, folder)


def load_or_build(which: str = "all") -> tuple[Path, list[Lecture]]:
    """The cached Impress lectures (each set built on first use): folder and lectures."""
    folder = cache_dir()
    return folder, cached_sets(folder, SETS, which, build_set)


def main() -> None:
    corpus_main("Impress", __doc__.splitlines()[0], load_or_build)


if __name__ == "__main__":
    main()
