"""Runs one app window on the real X display and drives it as a person would.

``python -m tests.desktop.drive APP SCENARIO DATA OUT`` opens the Player (DATA: a
library folder) or the Studio (DATA: a course folder) on ``$DISPLAY`` with the xcb
platform, runs the scenario and writes what it saw to the JSON file OUT. Keys are
typed with ``xdotool key`` (XTEST): they reach Qt through the X server, so Qt
resolves shortcuts exactly as for a keyboard, ambiguities included.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

os.environ["QT_QPA_PLATFORM"] = "xcb"

from PySide6.QtCore import QRect
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QComboBox,
    QLineEdit,
    QMainWindow,
    QScrollArea,
    QSlider,
    QWidget,
)

from shared.ui import theme

ROOT = Path(__file__).resolve().parents[2]
COURSE_ID = "earth-science"


def pump(seconds: float) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        QApplication.processEvents()
        time.sleep(0.01)


def wait(condition: Callable[[], object], timeout: float = 15.0) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        QApplication.processEvents()
        if condition():
            return True
        time.sleep(0.02)
    return bool(condition())


def xdotool(*args: str) -> str:
    return subprocess.run(
        ["xdotool", *args], capture_output=True, text=True, timeout=20, check=True
    ).stdout


def key(window: QMainWindow, spec: str) -> None:
    """Type ``spec`` (xdotool's names, e.g. ``shift+greater``) into the active window."""
    if not window.isActiveWindow():
        xdotool("windowactivate", "--sync", str(int(window.winId())))
        wait(window.isActiveWindow, 5)
    xdotool("key", "--delay", "40", spec)
    pump(0.15)


def wm_geometry(window: QMainWindow) -> dict:
    """What ``xdotool getwindowgeometry`` says of the window (the client area)."""
    text = xdotool("getwindowgeometry", str(int(window.winId())))
    x, y = map(int, re.search(r"Position: (-?\d+),(-?\d+)", text).groups())
    w, h = map(int, re.search(r"Geometry: (\d+)x(\d+)", text).groups())
    return {"x": x, "y": y, "width": w, "height": h}


def _controls(window: QWidget) -> list[QWidget]:
    kinds = (QAbstractButton, QComboBox, QLineEdit, QSlider)
    return [
        widget
        for kind in kinds
        for widget in window.findChildren(kind)
        if widget.isVisible()
        and not isinstance(widget.parent(), QComboBox)
        and widget.window() is window
    ]


def _name(widget: QWidget) -> str:
    text = widget.accessibleName() or getattr(widget, "text", lambda: "")() or ""
    return f"{type(widget).__name__}:{text or widget.objectName()}"


def _scrolls_to(widget: QWidget) -> bool:
    """Whether ``widget`` sits in a scroll area that shows a scroll bar (it can be reached)."""
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QScrollArea) and (
            parent.verticalScrollBar().isVisible() or parent.horizontalScrollBar().isVisible()
        ):
            return True
        parent = parent.parentWidget()
    return False


def layout_report(window: QMainWindow) -> dict:
    """Where the window is, and every visible control that is cut off or off screen."""
    screen = window.screen()
    available = screen.availableGeometry()
    frame = window.frameGeometry()
    cut, off_screen = [], []
    for widget in _controls(window):
        rect = widget.rect()
        if widget.visibleRegion().boundingRect() != rect and not _scrolls_to(widget):
            cut.append(_name(widget))
        top_left = widget.mapToGlobal(rect.topLeft())
        if not available.contains(QRect(top_left, rect.size())) and not _scrolls_to(widget):
            off_screen.append(_name(widget))
    shown = [a for a in window.findChildren(QScrollArea, "windowScroll") if a.isVisible()]
    scroll = shown[0] if shown else None
    return {
        "screen": [screen.geometry().width(), screen.geometry().height()],
        "available": [available.x(), available.y(), available.width(), available.height()],
        "frame": [frame.x(), frame.y(), frame.width(), frame.height()],
        "wm": wm_geometry(window),
        "cut": cut,
        "off_screen": off_screen,
        "scrollbars": [
            scroll.horizontalScrollBar().isVisible(),
            scroll.verticalScrollBar().isVisible(),
        ]
        if scroll is not None
        else None,
    }


def shoot(window: QMainWindow, name: str) -> str:
    # LECTERN_SHOTS=docs/screenshots refreshes the README's pictures; tests keep theirs.
    path = Path(os.environ.get("LECTERN_SHOTS") or os.environ["LECTERN_TEST_HOME"]) / name
    path.parent.mkdir(parents=True, exist_ok=True)
    window.screen().grabWindow(0).save(str(path))
    return str(path)


# ------------------------------------------------------------------- Player


def player_window(data: Path, home: Path) -> QMainWindow:
    from player.settings import Settings
    from player.ui.main_window import MainWindow
    from shared.library import Library

    library = Library.open(data)
    return MainWindow(library, Settings.in_file(str(home / "player.ini")))


def player_fit(window, size: str) -> dict:
    report = {"library": layout_report(window)}
    shoot(window, f"player-library-{size}.png")
    lesson_id = window.library.lessons(COURSE_ID)[0].id
    window.open_lesson(COURSE_ID, lesson_id, 30.0)
    view = window.lesson_view
    wait(view.video.is_loaded)
    pump(1.0)
    report["lesson"] = layout_report(window)
    shoot(window, f"player-lesson-{size}.png")
    return report


def player_keys(window, _size: str) -> dict:
    lesson_id = window.library.lessons(COURSE_ID)[0].id
    window.open_lesson(COURSE_ID, lesson_id, 30.0)
    view = window.lesson_view
    wait(view.video.is_loaded)
    wait(lambda: abs(view.video.position() - 30.0) < 0.6)
    view.video.setFocus()
    seen: dict[str, object] = {}

    def near(target: float) -> bool:
        return wait(lambda: abs(view.video.position() - target) < 0.6, 10)

    key(window, "l")
    seen["l: +10 s"] = near(40.0)
    key(window, "j")
    seen["j: -10 s"] = near(30.0)
    key(window, "Right")
    seen["Right: +5 s"] = near(35.0)
    key(window, "Left")
    seen["Left: -5 s"] = near(30.0)
    rates = [view.video.rate()]
    key(window, "shift+greater")
    rates.append(view.video.rate())
    key(window, "shift+greater")
    rates.append(view.video.rate())
    key(window, "shift+less")
    rates.append(view.video.rate())
    key(window, "greater")  # the same key without Shift held (some layouts type > so)
    rates.append(view.video.rate())
    seen["speed"] = rates
    key(window, "space")
    seen["space plays"] = wait(view.video.is_playing, 10)
    key(window, "k")
    seen["k pauses"] = wait(lambda: not view.video.is_playing(), 10)
    chapters = [c.start for c in view.chapters.chapters()]
    before = view.video.position()
    key(window, "Next")
    following = next(start for start in chapters if start > before + 1e-3)
    seen["PgDn: next chapter"] = near(following)
    key(window, "Prior")
    seen["PgUp: chapter start"] = wait(lambda: view.video.position() < following - 0.5, 10)
    captions = view.video.captions_visible()
    key(window, "c")
    seen["c: captions"] = view.video.captions_visible() is not captions
    muted = view.video.is_muted()
    key(window, "m")
    seen["m: mute"] = view.video.is_muted() is not muted
    view.video.setFocus()
    key(window, "space")
    wait(view.video.is_playing, 10)
    key(window, "n")
    seen["n: note pauses"] = wait(lambda: not view.video.is_playing(), 10)
    seen["n: editing"] = view.notes.is_editing()
    xdotool("type", "--delay", "30", "oceans")
    key(window, "Return")
    seen["note text"] = [note.text for note in view.notes.notes()]
    seen["note resumes"] = wait(view.video.is_playing, 10)
    view.video.setFocus()
    key(window, "b")
    seen["b: bookmark"] = sorted(note.kind for note in view.notes.notes())
    seen["seek bar marks"] = len(view.seek_bar.note_marks())
    key(window, "k")
    wait(lambda: not view.video.is_playing(), 10)
    return seen


def player_checkpoints(window, size: str) -> dict:
    """Questions at 4 s (required, re-watch offered; then a short answer) and at 20 s
    (required): asked over the video and answered with keys only."""
    lesson_id = window.library.lessons(COURSE_ID)[0].id
    window.open_lesson(COURSE_ID, lesson_id, 0.0)
    view = window.lesson_view
    gate, card = view.gate, view.gate.card
    wait(view.video.is_loaded)
    view.video.setFocus()
    seen: dict[str, object] = {"marks": [m[:2] for m in view.seek_bar.checkpoint_marks()]}
    key(window, "space")
    seen["asked at 4 s"] = wait(card.isVisible, 30)
    pump(0.5)
    seen["stop"] = gate.stops[:1]
    seen["paused"] = not view.video.is_playing()
    seen["position"] = view.video.position()
    seen["heading"] = card.heading.text()
    seen["card has focus"] = card.isAncestorOf(QApplication.focusWidget())
    seen["controls off"] = not view.controls.isEnabled()
    shoot(window, f"player-checkpoint-{size}.png")
    key(window, "Escape")  # required: Escape does not skip it
    seen["escape kept it"] = card.isVisible()
    key(window, "space")  # Space is the card's now, not play/pause
    seen["space did not play"] = not view.video.is_playing()
    key(window, "2")
    key(window, "Return")
    seen["wrong feedback"] = card.feedback.text()
    seen["rewatch offered"] = card.rewatch_button.isVisible()
    shoot(window, f"player-checkpoint-wrong-{size}.png")
    key(window, "alt+t")
    key(window, "1")
    key(window, "Return")
    seen["right feedback"] = card.feedback.text()
    key(window, "Return")  # Continue: the second question at 4 s
    seen["second heading"] = card.heading.text()
    xdotool("type", "--delay", "30", "  Evaporation ")
    key(window, "Return")
    seen["typed answer right"] = card.feedback.text()
    key(window, "Return")
    seen["resumed"] = wait(view.video.is_playing, 10) and not card.isVisible()
    key(window, "l")  # +10 s would pass the required question at 20 s only later
    key(window, "l")
    key(window, "l")  # the third jump would pass it: it stops there and asks
    seen["seek stopped at 20 s"] = (
        wait(card.isVisible, 10) and abs(view.video.position() - 20.0) < 0.05
    )
    key(window, "1")
    key(window, "Return")
    seen["late feedback"] = card.feedback.text()
    key(window, "Return")
    seen["after 20 s"] = not card.isVisible()
    view.close_lesson()
    window.open_lesson(COURSE_ID, lesson_id, 0.0)
    answers = view.gate.answers()
    seen["kept answers"] = [
        (answers[q.id].answer, answers[q.id].correct, answers[q.id].attempts)
        for _, q in view.gate.questions()
        if q.id in answers
    ]
    seen["marks after"] = [m[:2] for m in view.seek_bar.checkpoint_marks()]
    # The Questions tab (Q): every question, its moment and the learner's answers.
    wait(view.video.is_loaded)
    view.video.setFocus()
    key(window, "q")
    panel = view.questions
    seen["questions tab"] = view.tabs.currentWidget() is panel
    seen["list has focus"] = QApplication.focusWidget() is panel.list
    seen["summary"] = panel.summary.text()
    seen["rows"] = panel.rows()
    bar = view.tabs.tabBar()  # all five panels' tabs in sight, none scrolled away
    seen["tabs fit"] = bar.sizeHint().width() <= view.tabs.width()
    shoot(window, f"player-questions-{size}.png")
    key(window, "Return")  # go to the first question's moment: answered, not asked again
    pump(0.5)
    seen["went to 4 s"] = abs(view.video.position() - 4.0) < 0.05 and not card.isVisible()
    key(window, "Down")
    key(window, "Down")
    key(window, "ctrl+Return")  # try the 20 s question again
    seen["asked again at 20 s"] = (
        wait(card.isVisible, 10) and abs(view.video.position() - 20.0) < 0.05
    )
    key(window, "2")  # False: wrong this time
    key(window, "Return")
    seen["again feedback"] = card.feedback.text()
    key(window, "Return")
    seen["card gone"] = wait(lambda: not card.isVisible(), 5)
    seen["paused after"] = not view.video.is_playing()
    seen["rows after"] = panel.rows()
    return seen


# ------------------------------------------------------------------- Studio


def studio_window(data: Path, home: Path) -> QMainWindow:
    from studio.course import Course
    from studio.settings import Settings
    from studio.ui.main_window import MainWindow

    settings = Settings.in_file(home / "studio.ini")
    settings.set_preference("output_folder", str(data.parent))
    course = Course.open(data) if (data / "course.json").is_file() else None
    return MainWindow(course, settings)  # no course: the first start's welcome page


def studio_fit(window, size: str) -> dict:
    wait(lambda: window.review.session is not None)
    wait(window.review.video.is_loaded)
    pump(1.0)
    report = {"review": layout_report(window)}
    shoot(window, f"studio-course-{size}.png")
    return report


def studio_keys(window, _size: str) -> dict:
    from studio import speech

    review = window.review
    wait(lambda: review.session is not None)
    wait(review.video.is_loaded)
    seen: dict[str, object] = {}
    review.tabs.setCurrentIndex(0)
    review.transcript.setFocus()
    review.transcript.setCurrentCell(2, 1)
    pump(0.3)
    key(window, "space")
    seen["space plays (transcript focused)"] = wait(review.video.is_playing, 10)
    key(window, "space")
    seen["space pauses (transcript focused)"] = wait(lambda: not review.video.is_playing(), 10)
    review.video.seek(10.0)
    wait(lambda: abs(review.playhead() - 10.0) < 0.3)
    key(window, "i")
    seen["i: in point"] = review.session.state.in_point
    seen["i: words cut"] = len(
        speech.words_removed(review.session.state.transcript, 0.0, review.session.state.in_point)
    )
    seen["i: in a word"] = any(
        w.start < review.session.state.in_point < w.end
        for w in speech.words(review.session.state.transcript)
    )
    key(window, "shift+i")
    seen["shift+i: exact in point"] = round(review.session.state.in_point, 2)
    review.video.seek(100.0)
    wait(lambda: abs(review.playhead() - 100.0) < 0.3)
    key(window, "o")
    out = review.session.state.out_point
    seen["o: out point"] = out
    review.video.seek(40.0)
    wait(lambda: abs(review.playhead() - 40.0) < 0.3)
    key(window, "bracketleft")
    review.video.seek(45.0)
    wait(lambda: abs(review.playhead() - 45.0) < 0.3)
    key(window, "bracketright")
    seen["[ ]: selection"] = review.seek_bar.selection()
    seen["selection warns of speech"] = "spoken word" in review.selection_label.text()
    key(window, "ctrl+k")
    seen["ctrl+k: cut"] = [list(cut) for cut in review.session.state.cuts]
    key(window, "ctrl+z")
    seen["ctrl+z: undo"] = [list(cut) for cut in review.session.state.cuts]
    key(window, "ctrl+shift+z")
    seen["ctrl+shift+z: redo"] = [list(cut) for cut in review.session.state.cuts]
    chapters = len(review.session.state.chapters)
    review.video.seek(70.0)
    wait(lambda: abs(review.playhead() - 70.0) < 0.3)
    key(window, "ctrl+m")
    seen["ctrl+m: chapter added"] = len(review.session.state.chapters) - chapters
    key(window, "ctrl+f")
    seen["ctrl+f: find focused"] = review.find_box.hasFocus()
    xdotool("type", "--delay", "30", "water cycle")
    pump(0.3)
    seen["find text (space typed, no play)"] = [
        review.find_box.text(),
        review.video.is_playing(),
    ]
    key(window, "ctrl+h")
    seen["ctrl+h: replace focused"] = review.replace_box.hasFocus()
    # Editing a transcript cell: Space types a space, it does not play.
    review.transcript.setFocus()
    review.transcript.setCurrentCell(1, 1)
    key(window, "F2")
    editing = wait(lambda: review.transcript.state() == review.transcript.State.EditingState, 5)
    key(window, "End")
    key(window, "space")
    seen["space while editing a cell"] = [editing, review.video.is_playing()]
    key(window, "Escape")
    return seen


def studio_welcome(window, size: str) -> dict:
    report = {"welcome": layout_report(window), "shown": window.welcome.isVisible()}
    shoot(window, f"studio-welcome-{size}.png")
    return report


def _save(image, name: str) -> str:
    """A QImage or QPixmap into the test's folder."""
    path = Path(os.environ["LECTERN_TEST_HOME"]) / name
    image.save(str(path))
    return str(path)


def _x_screen(name: str) -> str:
    """The whole X screen as the recorder sees it, saved."""
    from studio.ui.source_picker import grab_x11_screen

    return _save(grab_x11_screen(), name)


def _shown(widget: QWidget, name: str, templates: dict, controls: dict) -> None:
    """The X screen and the widget's own picture, taken with no repaint in between."""
    pump(0.3)
    controls[name] = _x_screen(f"{name}-shown.png")
    templates[name] = _save(widget.grab(), f"{name}.png")


def _activate(widget: QWidget) -> None:
    xdotool("windowactivate", "--sync", str(int(widget.window().winId())))
    wait(widget.window().isActiveWindow, 5)


def studio_record(window, size: str) -> dict:
    """Record from the Studio as a teacher does, with real keys; what each window looked like.

    ``$LECTERN_RECORD`` says what: ``screen`` (the whole screen), ``region`` (its top
    part) or ``window`` (a slides window this scenario opens). For every Lectern
    window that shows (main window, picker, countdown, bar, title question) it saves
    the window's own picture (``templates``) and the X screen while it is up
    (``controls``): the test looks for each template in every recorded frame.
    """
    from studio.course import recording_title
    from tests.studio.x11 import XClient

    what = os.environ.get("LECTERN_RECORD", "screen")
    display = os.environ["DISPLAY"]
    slides = XClient(display)  # a red slide with a white bar: something to record
    slide = slides.window("Photosynthesis.odp - LibreOffice Impress", (60, 60, 900, 500), 0xC02020)
    slides.window(None, (100, 100, 500, 60), 0xFFFFFF, parent=slide)
    wait(lambda: False, 1.0)
    spec = {
        "screen": "0",
        "region": "region:0,0,1280,420",
        "window": "window:Photosynthesis.odp - LibreOffice Impress",
    }[what]
    for name, value in (("screen", spec), ("camera", "none"), ("mic", "none")):
        window.settings.set_preference(name, value)
    window.settings.set_preference("countdown", True)
    templates, controls, seen = {}, {}, {"spec": spec}
    _activate(window)
    _shown(window, "main window", templates, controls)

    key(window, "ctrl+r")
    wait(lambda: window.picker is not None and window.picker.isVisible())
    picker = window.picker
    pump(1.5)  # thumbnails
    _shown(picker, "picker", templates, controls)
    _activate(picker)
    xdotool("key", "Return")  # Record is the default button
    seen["Return records"] = wait(lambda: window.recording is not None, 10)
    session = window.recording
    wait(lambda: session.countdown is not None and session.countdown.isVisible(), 10)
    _shown(session.countdown, "countdown", templates, controls)
    seen["started"] = wait(lambda: session.bar is not None and session.bar.last_stats, 30)
    bar = session.bar
    seen["bar hidden while recording"] = session.bar_hidden
    seen["bar shown while recording"] = bar.isVisible()
    seen["tray"] = session.tray is not None
    area, geometry = session.recorded_area, bar.geometry()
    seen["recorded area"] = [area.x(), area.y(), area.width(), area.height()]
    seen["bar"] = [geometry.x(), geometry.y(), geometry.width(), geometry.height()]
    wait(lambda: session.recorder.elapsed() > 1.5, 20)
    if bar.isVisible():  # beside the recorded area: it shows while recording
        _shown(bar, "bar recording", templates, controls)

    xdotool("key", "ctrl+shift+p")  # the desktop-wide pause, the slides having the focus
    seen["paused"] = wait(lambda: bar.paused and bar.isVisible(), 10)
    _shown(bar, "bar paused", templates, controls)
    xdotool("key", "ctrl+shift+p")
    seen["resumed"] = wait(lambda: not bar.paused, 10)
    seen["bar hidden again"] = session.bar_hidden and not bar.isVisible()
    resumed_at = session.recorder.elapsed()
    wait(lambda: session.recorder.elapsed() > resumed_at + 1.5, 20)

    xdotool("key", "ctrl+shift+s")  # the desktop-wide stop
    seen["title asked"] = wait(lambda: window.title_dialog is not None, 20)
    dialog = window.title_dialog
    wait(dialog.isVisible, 5)
    seen["suggested title"] = dialog.title_box.text()
    _shown(dialog, "title question", templates, controls)
    _activate(dialog)
    xdotool("type", "--delay", "30", "Light and leaves")
    xdotool("key", "Return")
    folder = session.folder
    seen["saved"] = wait(lambda: session.state == "done", 120)
    seen["title kept"] = recording_title(folder)
    seen["folder"] = str(folder)
    seen["templates"], seen["controls"] = templates, controls
    slides.close()
    return seen


def _click_at(point, button: str) -> None:
    xdotool("mousemove", "--sync", str(point.x()), str(point.y()))
    xdotool("click", button)


def _tray_menu_click(tray, action) -> bool:
    """Right-click the tray icon, then click ``action`` in the menu that opens."""
    _click_at(tray.icon.geometry().center(), "3")
    if not wait(tray.menu.isVisible, 10):
        return False
    pump(0.2)  # mapped where it will stay
    place = tray.menu.actionGeometry(action).center()
    _click_at(tray.menu.mapToGlobal(place), "1")
    return wait(lambda: not tray.menu.isVisible(), 10)


def studio_tray(window, size: str) -> dict:
    """One screen recorded whole on a desktop with a tray: driven from the tray icon.

    Right-click the icon, Pause; right-click, Resume; right-click, Stop and keep; then
    the title question keeps its suggestion (Esc). Real clicks through the X server.
    """
    from studio.course import recording_title

    for name, value in (("screen", "0"), ("camera", "none"), ("mic", "none")):
        window.settings.set_preference(name, value)
    window.settings.set_preference("countdown", False)
    seen: dict = {}
    _activate(window)
    key(window, "ctrl+r")
    wait(lambda: window.picker is not None and window.picker.isVisible())
    _activate(window.picker)
    xdotool("key", "Return")
    seen["recording"] = wait(lambda: window.recording is not None, 10)
    session = window.recording
    seen["started"] = wait(lambda: session.bar is not None and session.bar.last_stats, 30)
    tray = session.tray
    seen["tray"] = tray is not None
    if tray is None:
        return seen
    seen["icon shown"] = wait(lambda: tray.icon.isVisible() and tray.icon.geometry().width(), 10)
    geometry = tray.icon.geometry()
    seen["icon"] = [geometry.x(), geometry.y(), geometry.width(), geometry.height()]
    seen["bar hidden"] = not session.bar.isVisible()
    wait(lambda: session.recorder.elapsed() > 1.0, 20)

    seen["pause clicked"] = _tray_menu_click(tray, tray.pause_action)
    seen["paused"] = wait(lambda: session.recorder.stats().paused and tray.paused, 10)
    seen["menu says resume"] = tray.pause_action.text().startswith("Resume")
    seen["bar shown while paused"] = wait(session.bar.isVisible, 10)
    seen["resume clicked"] = _tray_menu_click(tray, tray.pause_action)
    seen["resumed"] = wait(lambda: not session.recorder.stats().paused and not tray.paused, 10)
    seen["bar hidden again"] = wait(lambda: not session.bar.isVisible(), 10)
    resumed_at = session.recorder.elapsed()
    wait(lambda: session.recorder.elapsed() > resumed_at + 1.0, 20)

    seen["stop clicked"] = _tray_menu_click(tray, tray.stop_action)
    seen["title asked"] = wait(lambda: window.title_dialog is not None, 20)
    dialog = window.title_dialog
    wait(dialog.isVisible, 5)
    _activate(dialog)
    xdotool("key", "Escape")  # keep the suggestion
    seen["saved"] = wait(lambda: session.state == "done", 120)
    seen["segments"] = len(session.recorder.data.get("segments", []))
    seen["title kept"] = recording_title(session.folder)
    seen["folder"] = str(session.folder)
    return seen


def click(widget: QWidget, x: int | None = None) -> None:
    """A real mouse click (XTEST) in the middle of ``widget`` (or ``x`` pixels in)."""
    centre = widget.rect().center()
    if x is not None:
        centre.setX(x)
    centre = widget.mapToGlobal(centre)
    xdotool("mousemove", "--sync", str(centre.x()), str(centre.y()))
    xdotool("click", "1")
    pump(0.15)


def studio_web_export(window, size: str) -> dict:
    """Export for LMS / web with real keys and clicks: an error, then a SCORM export."""
    from PySide6.QtCore import QObject, QUrl, Slot
    from PySide6.QtGui import QDesktopServices

    opened: list[str] = []

    class FileManager(QObject):  # what "Open folder" asks the desktop to open
        @Slot(QUrl)
        def show(self, url: QUrl) -> None:
            opened.append(url.toLocalFile())

    manager = FileManager()
    QDesktopServices.setUrlHandler("file", manager, "show")
    out = Path(os.environ["LECTERN_TEST_HOME"])
    seen: dict[str, object] = {}
    _activate(window)
    key(window, "ctrl+shift+e")
    seen["ctrl+shift+e opens"] = wait(
        lambda: window.web_export_dialog is not None and window.web_export_dialog.isVisible(), 10
    )
    dialog = window.web_export_dialog
    _activate(dialog)
    seen["suggested"] = dialog.destination_box.text()
    click(dialog.format_buttons["web-folder"], x=8)  # a radio button's circle
    seen["web folder suggested"] = dialog.destination_box.text()
    click(dialog.format_buttons["scorm12"], x=8)
    blocker = out / "not-a-folder"
    blocker.write_text("a file")
    click(dialog.destination_box)
    xdotool("key", "ctrl+a")
    xdotool("type", "--delay", "10", str(blocker / "course.zip"))
    xdotool("key", "Return")
    seen["error shown"] = wait(lambda: dialog.error is not None, 30)
    seen["error"] = dialog.status_label.text()
    _activate(dialog)
    click(dialog.destination_box)
    xdotool("key", "ctrl+a")
    xdotool("type", "--delay", "10", str(out / "exports" / "earth"))
    click(dialog.export_button)
    seen["exported"] = wait(lambda: dialog.result_path is not None, 120)
    seen["output"] = str(dialog.result_path)
    seen["progress"] = dialog.progress_bar.value()
    seen["status"] = dialog.status_label.text()
    seen["window free again"] = wait(lambda: not window.busy(), 10)
    pump(0.5)
    shoot(window, f"studio-web-export-{size}.png")
    seen["open folder shown"] = dialog.open_folder_button.isVisible()
    click(dialog.open_folder_button)
    seen["opened"] = opened
    _activate(dialog)
    xdotool("key", "Escape")
    seen["closed"] = wait(lambda: not dialog.isVisible(), 5)
    QDesktopServices.unsetUrlHandler("file")
    return seen


SCENARIOS = {
    ("studio", "web-export"): studio_web_export,
    ("studio", "record"): studio_record,
    ("studio", "tray"): studio_tray,
    ("studio", "welcome"): studio_welcome,
    ("player", "fit"): player_fit,
    ("player", "keys"): player_keys,
    ("player", "checkpoints"): player_checkpoints,
    ("studio", "fit"): studio_fit,
    ("studio", "keys"): studio_keys,
}


def main(argv: list[str]) -> int:
    app_name, scenario, data, out = argv[1], argv[2], Path(argv[3]), Path(argv[4])
    home = Path(os.environ.get("LECTERN_TEST_HOME", out.parent))
    app = QApplication([f"lectern-{app_name}"])
    theme.apply(app)
    make = player_window if app_name == "player" else studio_window
    window = make(data, home)
    window.show()
    wait(window.isVisible)
    pump(1.5)  # mapped, framed by openbox, fitted again
    screen = window.screen().geometry()
    size = f"{screen.width()}x{screen.height()}"
    try:
        results = SCENARIOS[(app_name, scenario)](window, size)
    finally:
        window.close()
        pump(0.3)
    out.write_text(json.dumps(results, indent=1, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
