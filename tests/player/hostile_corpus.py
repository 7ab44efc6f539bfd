"""The hostile-package corpus, and drivers that run Lectern on it in a child process.

The corpus is every broken package of :data:`tests.shared.bad_packages.CASES` (each
must be refused in one sentence) plus every hostile-text package of
:data:`~tests.shared.bad_packages.HOSTILE_TEXTS` (sound packages whose text attacks
what shows it; each must be imported and shown literally)::

    python -m tests.player.hostile_corpus build OUT_DIR           # write the corpus
    python -m tests.player.hostile_corpus cli LIBRARY PKG...      # verify, info, import each
    python -m tests.player.hostile_corpus window LIBRARY INI      # open every view

``cli`` runs the real command-line entry points in-process, one package after another,
and prints one JSON line per command with its exit code and output. ``window`` opens
the Player on a library and visits the library, each course page, each lesson and a
search, then prints one JSON line. In both, a call that takes longer than
:data:`HANG_SECONDS` ends the process with a traceback (``faulthandler``), so the
test that starts it with a timeout names the package that hung.
"""

from __future__ import annotations

import contextlib
import faulthandler
import io
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from tests.shared import bad_packages

__all__ = ["HANG_SECONDS", "FORBIDDEN", "Entry", "build_corpus", "run_cli", "run_window"]

HANG_SECONDS = 120
# What must never reach a terminal: every C0 control but the newline, DEL, C1 controls,
# bidirectional overrides and isolates, line and paragraph separators.
FORBIDDEN = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ud800-\udfff]"
)


@dataclass(frozen=True)
class Entry:
    """One package of the corpus.

    Attributes:
        name: the kind, such as ``"chapters-nan"`` or ``"hostile-terminal"``.
        path: the package file.
        sound: ``True`` if it must be accepted (hostile text), ``False`` if refused.
    """

    name: str
    path: Path
    sound: bool


def build_corpus(folder: Path) -> list[Entry]:
    """Write the whole corpus into ``folder``; returns its entries, refused ones first."""
    folder.mkdir(parents=True, exist_ok=True)
    good = bad_packages.make_good_package(folder / "good")
    entries = [
        Entry(case.name, case.build(good, folder / f"{case.name}.lectern"), False)
        for case in bad_packages.CASES
    ]
    for kind in bad_packages.HOSTILE_TEXTS:
        path = bad_packages.make_hostile_text_package(folder / f"text-{kind}", kind)
        entries.append(Entry(f"hostile-{kind}", path, True))
    return entries


def _call(main, argv: list[str]) -> dict:
    out, err = io.StringIO(), io.StringIO()
    faulthandler.dump_traceback_later(HANG_SECONDS, exit=True)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main(argv)
            except SystemExit as exit_:
                code = exit_.code if isinstance(exit_.code, int) else 2
    finally:
        faulthandler.cancel_dump_traceback_later()
    return {"argv": argv, "code": code, "stdout": out.getvalue(), "stderr": err.getvalue()}


def run_cli(library: Path, packages: list[Path]) -> None:
    """``verify``, ``info`` and ``import`` on each package; one JSON line per command."""
    from player.cli import main as player
    from studio.cli import main as studio

    for path in packages:
        commands = [
            (studio, ["verify", str(path)]),
            (player, ["info", str(path)]),
            (player, ["info", str(path), "--json"]),
            (player, ["--library", str(library), "import", str(path)]),
        ]
        for main, argv in commands:
            print(f"running {argv}", file=sys.stderr, flush=True)  # names a hang
            print(json.dumps({"package": path.name, **_call(main, argv)}), flush=True)


def run_window(library_root: Path, ini: Path) -> None:
    """Open the Player on ``library_root`` and visit every view of every course."""
    import os

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication, QLabel

    from player.settings import Settings
    from player.ui.main_window import MainWindow
    from shared.library import Library
    from shared.ui import theme

    faulthandler.dump_traceback_later(HANG_SECONDS, exit=True)
    app = QApplication([])
    theme.apply(app)
    library = Library.open(library_root)
    window = MainWindow(library, Settings.in_file(str(ini)))
    window.resize(1280, 720)
    window.show()
    app.processEvents()
    rich: list[str] = []

    def settle() -> None:
        for _ in range(3):
            app.processEvents()
        for label in window.findChildren(QLabel):
            # Search results are HTML made from escaped text; everything else is plain.
            shown = label.isVisible() and "[" in label.text() and "<" in label.text()
            result = label.parent() is window.search_panel.results.viewport()
            if shown and not result and label.textFormat() != Qt.TextFormat.PlainText:
                rich.append(label.text()[:80])

    courses = lessons = 0
    settle()
    for card in window.library_view.course_cards():
        card.activated.emit()
        settle()
        courses += 1
        for lesson in library.lessons(card.course.id):
            if window.open_lesson(card.course.id, lesson.id):
                lessons += 1
                view = window.lesson_view  # the slide text and the finds in it too
                view.tabs.setCurrentWidget(view.slide_panel)
                view.find_box.setText("slide")
            settle()
        window.show_library()
        settle()
    for query in ("table", "segment", "BOLD", "hidden", "<b>"):
        window.search_box.setText(query)
        window.search_panel.run()
        settle()
    window.close()
    library.close()
    faulthandler.cancel_dump_traceback_later()
    print(json.dumps({"courses": courses, "lessons": lessons, "rich_labels": rich}), flush=True)


def main(argv: list[str]) -> int:
    command, *rest = argv
    if command == "build":
        for entry in build_corpus(Path(rest[0])):
            print(f"{'sound' if entry.sound else 'refused'}\t{entry.name}\t{entry.path}")
    elif command == "cli":
        run_cli(Path(rest[0]), [Path(p) for p in rest[1:]])
    elif command == "window":
        run_window(Path(rest[0]), Path(rest[1]))
    else:
        print(f"unknown command {command!r}; use build, cli or window", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
