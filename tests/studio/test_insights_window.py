"""The Learner insights window, driven as a teacher would: real keys and clicks on X.

The Studio runs in its own process on a private Xvfb desktop (openbox); the test types
and clicks through the X server with xdotool (XTEST), so Qt resolves the shortcuts and
the file dialogs get typed paths. The Studio writes what it shows to a status file
every 100 ms, which the test reads.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from shared import xapi
from shared.insights import read_statements
from shared.lrs import Endpoint, send_statements
from tests.lrs import lrs  # noqa: F401 - the fixture
from tests.studio.conftest import stop_process
from tests.studio.insights_course import (
    LESSONS,
    NOW_MS,
    add_bad_files,
    make_course,
    make_progress,
)
from tests.xserver import start_openbox
from tests.xserver import xvfb as x_server

pytestmark = pytest.mark.skipif(shutil.which("xdotool") is None, reason="xdotool is missing")

STUDIO = r"""
import json, sys
from pathlib import Path
from PySide6.QtCore import QPoint, QTimer
from PySide6.QtCharts import QChartView
from PySide6.QtWidgets import QApplication, QFileDialog
from shared.ui import theme
from studio.course import Course
from studio.settings import Settings
from studio.ui.main_window import MainWindow

home, course, status = map(Path, sys.argv[1:4])
app = QApplication(sys.argv[:1])
theme.apply(app)
settings = Settings.in_file(home / "studio.ini")
settings.set_preference("output_folder", str(course.parent))
window = MainWindow(Course.open(course), settings)
window.resize(1000, 650)
window.show()


def centre(widget):
    point = widget.mapToGlobal(QPoint(widget.width() // 2, widget.height() // 2))
    return [point.x(), point.y()]


def report():
    state = {"main": int(window.winId()), "active": None, "dialog": None, "insights": None}
    active = app.activeWindow()
    state["active"] = active.windowTitle() if active is not None else None
    state["active_id"] = int(active.winId()) if active is not None else None
    for widget in app.topLevelWidgets():
        if isinstance(widget, QFileDialog) and widget.isVisible():
            state["dialog"] = {"title": widget.windowTitle(), "id": int(widget.winId())}
    found = window.insights_window
    if found is not None and found.isVisible():
        state["insights"] = {
            "id": int(found.winId()),
            "summary": found.summary.text(),
            "problems": [found.problems.item(i).text() for i in range(found.problems.count())],
            "lessons": found.lesson_box.count(),
            "lesson": found.lesson_box.currentIndex(),
            "line": found.lesson_line.text(),
            "tab": found.tabs.currentIndex(),
            "question_charts": len(found.questions_box.findChildren(QChartView)),
            "busy": found.job is not None,
            "progress": found.progress_bar.value(),
            "cancel_button": centre(found.cancel_button),
            "folder_button": centre(found.import_folder_button),
            "export_button": centre(found.export_button),
            "forget_button": centre(found.forget_button),
            "lrs_fields": (
                [found.lrs_dialog.address_box.text(), found.lrs_dialog.user_box.text()]
                if getattr(found, "lrs_dialog", None) is not None
                else None
            ),
            "lesson_box": centre(found.lesson_box),
        }
    temp = status.with_suffix(".tmp")
    temp.write_text(json.dumps(state))
    temp.replace(status)


timer = QTimer()
timer.timeout.connect(report)
timer.start(100)
sys.exit(app.exec())
"""


@pytest.fixture(scope="module")
def desktop():
    with x_server(["1280x720x24"]) as display:
        wm = start_openbox(display)
        try:
            yield {**os.environ, "DISPLAY": display, "QT_QPA_PLATFORM": "xcb"}
        finally:
            stop_process(wm)


class Studio:
    def __init__(self, env: dict[str, str], home: Path, course: Path) -> None:
        self.env, self.status = env, home / "status.json"
        self.process = subprocess.Popen(
            [sys.executable, "-c", STUDIO, str(home), str(course), str(self.status)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )

    def state(self) -> dict:
        try:
            return json.loads(self.status.read_text())
        except (OSError, ValueError):
            return {}

    def wait(self, condition, what: str, timeout: float = 60.0) -> dict:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self.process.poll() is not None:
                raise AssertionError(f"the Studio stopped: {self.process.stderr.read()}")
            state = self.state()
            if state and condition(state):
                return state
            time.sleep(0.1)
        raise AssertionError(f"the Studio did not get to: {what}; last state {self.state()}")

    def settled(self) -> dict:
        """The state once the insights window is active and stays put (the window
        manager places and frames a new window after it is shown)."""
        last = None
        for _ in range(100):
            state = self.wait(
                lambda s: s["insights"] and s["active"] and "insights" in s["active"],
                "the insights window is active",
            )
            where = state["insights"]["folder_button"]
            if where == last:
                return state
            last = where
            time.sleep(0.5)
        raise AssertionError("the insights window kept moving")

    def xdotool(self, *args: str | int) -> None:
        subprocess.run(["xdotool", *map(str, args)], env=self.env, check=True, timeout=20)

    def keys(self, window: int, *keys: str) -> None:
        self.xdotool("windowactivate", "--sync", window)
        for key in keys:
            self.xdotool("key", "--clearmodifiers", key)

    def type_path(self, window: int, path: Path) -> None:
        self.xdotool("windowactivate", "--sync", window)
        self.xdotool("key", "ctrl+a")
        self.xdotool("type", "--delay", 10, str(path))
        self.xdotool("key", "Return")

    def click(self, point: list[int]) -> None:
        self.xdotool("mousemove", "--sync", point[0], point[1])
        self.xdotool("click", 1)


@pytest.fixture
def studio(desktop, tmp_path):
    course = make_course(tmp_path / "courses" / "biology")
    progress = make_progress(tmp_path / "progress", course.id)
    add_bad_files(progress, course.id)
    app = Studio(desktop, tmp_path, course.folder)
    app.wait(lambda s: s.get("main"), "the main window is up")
    yield app, progress, tmp_path
    stop_process(app.process)


def test_a_teacher_imports_a_folder_looks_and_exports_csv_with_the_keyboard(studio):
    app, progress, tmp_path = studio
    main = app.state()["main"]
    app.keys(main, "ctrl+shift+i")
    state = app.wait(lambda s: s["insights"], "the insights window opens")
    assert "Import the progress files your learners sent you" in state["insights"]["summary"]
    assert state["insights"]["lessons"] == 2

    state = app.settled()
    app.click(state["insights"]["folder_button"])  # Import folder…
    dialog = app.wait(lambda s: s["dialog"], "the folder dialog")["dialog"]
    assert dialog["title"] == "Import a folder of progress files"
    app.type_path(dialog["id"], progress)
    state = app.wait(
        lambda s: s["insights"] and "40 learner(s)" in s["insights"]["summary"],
        "the folder is imported",
    )
    shown = state["insights"]
    assert "from 41 file(s)" in shown["summary"] and "counted once" in shown["summary"]
    assert shown["problems"][0].startswith("broken.json was not imported: it ends in the middle")
    assert shown["problems"][1].startswith("other-course.json was not imported")
    assert (
        shown["line"].startswith("40 learner(s);")
        and "Re-watched most around: 1:" in (shown["line"])
    )

    window = shown["id"]
    app.keys(window, "alt+q")  # the Questions tab, by its mnemonic
    state = app.wait(lambda s: s["insights"]["tab"] == 2, "the Questions tab")
    assert state["insights"]["question_charts"] == 2
    app.keys(window, "alt+h")
    app.wait(lambda s: s["insights"]["tab"] == 1, "the Chapters tab")
    app.click(app.settled()["insights"]["lesson_box"])  # the lesson list opens; Down, Enter
    app.xdotool("key", "Down", "Return")
    state = app.wait(lambda s: s["insights"]["lesson"] == 1, "the second lesson")
    app.wait(lambda s: s["insights"]["question_charts"] == 0, "no questions there")

    app.keys(window, "ctrl+e")  # Export CSV…
    dialog = app.wait(lambda s: s["dialog"], "the save dialog")["dialog"]
    assert dialog["title"] == "Export insights as CSV"
    out = tmp_path / "class.csv"
    app.type_path(dialog["id"], out)
    app.wait(lambda _s: out.exists(), "the CSV is written")
    rows = list(csv.reader(out.read_text(encoding="utf-8-sig").splitlines()))
    assert rows[0] == ["lesson", "measure", "at_seconds", "item", "value"]
    assert ["Photosynthesis", "viewers", "0", "", "40"] in rows
    assert ["Respiration", "learners", "", "", "40"] in rows

    app.keys(window, "ctrl+w")
    app.wait(lambda s: not s["insights"], "the insights window closes")
    # Opened again, it shows what was imported without reading the files again.
    assert (tmp_path / "courses" / "biology" / ".insights" / "progress.npz").is_file()
    app.keys(app.state()["main"], "ctrl+shift+i")
    state = app.wait(
        lambda s: s["insights"] and "40 learner(s)" in s["insights"]["summary"],
        "the saved insights open",
    )
    assert shown["summary"] == state["insights"]["summary"]

    state = app.settled()
    app.click(state["insights"]["forget_button"])  # Forget imported progress…
    question = app.wait(lambda s: s["active"] == "Forget imported progress", "the question")
    app.keys(question["active_id"], "alt+y")
    app.wait(
        lambda s: s["insights"]["summary"].startswith("Import the progress files"),
        "the imported progress is forgotten",
    )
    assert not (tmp_path / "courses" / "biology" / ".insights" / "progress.npz").exists()
    assert progress.is_dir() and len(list(progress.iterdir())) == 43  # files untouched


def test_a_long_import_shows_progress_and_cancel_keeps_the_files_read_before(studio):
    app, progress, tmp_path = studio
    course_id = json.loads((tmp_path / "courses" / "biology" / "course.json").read_text())["id"]
    big = tmp_path / "big"
    big.mkdir()
    shutil.copy(progress / "learner-00.json", big / "a-first.json")
    activity = xapi.lesson_activity(course_id, LESSONS[0][1])
    statements = [
        xapi.played(xapi.actor(f"m{n}"), activity, "P", 0, 10 + n % 50, at_ms=NOW_MS)
        for n in range(150_000)
    ]
    (big / "b-big.json").write_text(json.dumps(statements))
    app.keys(app.state()["main"], "ctrl+shift+i")
    state = app.settled()
    app.click(state["insights"]["folder_button"])
    dialog = app.wait(lambda s: s["dialog"], "the folder dialog")["dialog"]
    app.type_path(dialog["id"], big)
    state = app.wait(
        lambda s: s["insights"]["busy"] and s["insights"]["progress"] > 0, "a busy import"
    )
    app.click(state["insights"]["cancel_button"])
    state = app.wait(lambda s: not s["insights"]["busy"], "the import stops", timeout=120)
    summary = state["insights"]["summary"]
    assert summary.endswith("Import cancelled."), summary
    assert summary.startswith("1 learner(s)") and "from 1 file(s)" in summary


def test_a_teacher_reads_the_class_from_the_lrs_and_it_is_remembered_without_the_key(
    studio,
    lrs,  # noqa: F811
):
    app, progress, tmp_path = studio
    endpoint = Endpoint(lrs.url, lrs.user, lrs.key)
    good = [p for p in sorted(progress.iterdir()) if p.name.startswith(("learner-", "lrs-"))]
    learners = {p.stem.removesuffix("-again") for p in good}
    for path in good:
        send_statements(endpoint, list(read_statements(path)))
    course = tmp_path / "courses" / "biology"
    app.keys(app.state()["main"], "ctrl+shift+i")
    window = app.settled()["insights"]["id"]

    def ask(key: str) -> None:
        app.keys(window, "ctrl+l")
        state = app.wait(
            lambda s: s["active"] == "Read from a Learning Record Store", "the LRS dialog"
        )
        dialog = state["active_id"]
        if not state["insights"]["lrs_fields"][0]:
            app.xdotool("type", "--delay", 10, lrs.url)
            app.keys(dialog, "Tab")
            app.xdotool("type", "--delay", 10, lrs.user)
        app.keys(dialog, "alt+k")
        app.xdotool("type", "--delay", 10, key)
        app.keys(dialog, "Return")

    ask("not-the-key")  # the LRS refuses it: said in one sentence, nothing counted
    state = app.wait(lambda s: s["insights"]["problems"], "the refusal is shown")
    shown = state["insights"]
    name = "the LRS at 127.0.0.1:" + lrs.url.split(":")[2].split("/")[0]
    assert shown["problems"][0].startswith(f"{name} was not read:"), shown["problems"]
    assert not (course / ".insights" / "lrs.json").exists()  # not remembered when refused

    ask(lrs.key)
    state = app.wait(
        lambda s: s["insights"] and f"{len(learners)} learner(s)" in s["insights"]["summary"],
        "the class is read from the LRS",
    )
    assert f"from {name}" in state["insights"]["summary"], state["insights"]["summary"]
    remembered = json.loads((course / ".insights" / "lrs.json").read_text())
    assert remembered == {"address": lrs.url, "user": lrs.user}  # never the key

    app.keys(window, "ctrl+l")  # asked again: the address and user are filled in
    state = app.wait(lambda s: s["insights"]["lrs_fields"], "the LRS dialog again")
    assert state["insights"]["lrs_fields"] == [lrs.url, lrs.user]
    app.keys(state["active_id"], "Escape")
    app.wait(lambda s: s["insights"]["lrs_fields"] is None, "the dialog is closed")
