"""Keys as a person presses them: typed on the X server (XTEST) into the real windows.

The first tests look for shortcuts that Qt would drop as ambiguous (or that no press
matches) in both windows; the others drive the apps' important keys through
``xdotool key`` under openbox and check what each did.
"""

from __future__ import annotations

from shared.ui.keys import shortcut_problems


def test_no_shortcut_in_the_player_is_ambiguous(qapp, qtbot, tmp_path, library_root):
    from player.settings import Settings
    from player.ui.main_window import MainWindow
    from shared.library import Library

    with Library.open(library_root) as library:
        window = MainWindow(library, Settings.in_file(str(tmp_path / "p.ini")))
        qtbot.addWidget(window)
        lesson = library.lessons("earth-science")[0].id
        window.open_lesson("earth-science", lesson)
        assert shortcut_problems(window) == []
        window.close()


def test_no_shortcut_in_the_studio_is_ambiguous(qapp, qtbot, tmp_path, course_folder):
    from studio.course import Course
    from studio.settings import Settings
    from studio.ui.main_window import MainWindow

    settings = Settings.in_file(tmp_path / "s.ini")
    settings.set_preference("output_folder", str(course_folder.parent))
    window = MainWindow(Course.open(course_folder), settings)
    qtbot.addWidget(window)
    assert window.review.session is not None  # the lesson is open: its keys are on
    assert shortcut_problems(window) == []
    window.close()


def test_player_keys_typed_on_the_keyboard(desktop_720, library_root, tmp_path):
    seen = desktop_720.drive("player", "keys", library_root, tmp_path)
    for name in ("l: +10 s", "j: -10 s", "Right: +5 s", "Left: -5 s"):
        assert seen[name] is True, (name, seen)
    assert seen["speed"] == [1.0, 1.25, 1.5, 1.25, 1.5], seen
    assert seen["space plays"] and seen["k pauses"], seen
    assert seen["PgDn: next chapter"] and seen["PgUp: chapter start"], seen
    assert seen["c: captions"] and seen["m: mute"], seen
    assert seen["n: note pauses"] and seen["n: editing"], seen
    assert seen["note text"] == ["oceans"], seen
    assert seen["note resumes"], seen
    assert seen["b: bookmark"] == ["bookmark", "note"], seen
    assert seen["seek bar marks"] == 2, seen


def test_studio_keys_typed_on_the_keyboard(desktop_720, course_folder, tmp_path):
    seen = desktop_720.drive("studio", "keys", course_folder, tmp_path)
    assert seen["space plays (transcript focused)"], seen
    assert seen["space pauses (transcript focused)"], seen
    # I snaps the in point into the nearest pause between words; Shift+I does not.
    assert abs(seen["i: in point"] - 10.0) <= 0.8 and not seen["i: in a word"], seen
    assert seen["shift+i: exact in point"] == 10.0, seen
    assert abs(seen["o: out point"] - 100.0) <= 0.8, seen
    start, end = seen["[ ]: selection"]
    assert abs(start - 40.0) <= 0.8 and abs(end - 45.0) <= 0.8, seen
    assert seen["selection warns of speech"], seen  # before Ctrl+K cuts it
    assert len(seen["ctrl+k: cut"]) == 1, seen
    assert seen["ctrl+z: undo"] == [], seen
    assert seen["ctrl+shift+z: redo"] == seen["ctrl+k: cut"], seen
    assert seen["ctrl+m: chapter added"] == 1, seen
    assert seen["ctrl+f: find focused"] and seen["ctrl+h: replace focused"], seen
    assert seen["find text (space typed, no play)"] == ["water cycle", False], seen
    assert seen["space while editing a cell"] == [True, False], seen
