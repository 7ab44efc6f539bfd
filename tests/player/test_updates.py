"""Updates keep the learner's work: signed updates, packages installed beside, orphans.

Every package here is built by the real `lectern-studio` CLI from lessons it built
itself (short silent videos), and imported into a real SQLite library, by the real
`lectern-player` CLI or in the real window.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from shared.library import Library
from shared.signing import SigningKey
from studio.editing import rename_lesson
from tests.course_packages import build_lesson, lesson_json, package, silent_video

pytestmark = pytest.mark.slow

WAIT = 30_000


@pytest.fixture(scope="module")
def packages(tmp_path_factory, ffmpeg_bin: str) -> dict[str, Path]:
    """Versions of one course "Biology" (id ``bio``) by Ann Lee, and impostors.

    v1: Cells, Plants, Animals. v2: Cells renamed "Cell biology", Plants left out.
    v3: Plants back. Unsigned and foreign-key copies of v2.
    """
    folder = tmp_path_factory.mktemp("packages")
    config = folder / "config"  # Ann's Studio: her key is made on the first package
    video = silent_video(ffmpeg_bin, folder / "clip.mp4")
    lessons = {
        name: build_lesson(video, folder / name.lower(), name, config=config)
        for name in ("Cells", "Plants", "Animals")
    }
    out = {"v1": folder / "bio-v1.lectern"}
    package(list(lessons.values()), out["v1"], config=config, version=1)
    rename_lesson(lessons["Cells"], "Cell biology")
    v2 = [lessons["Cells"], lessons["Animals"]]
    for name, extra in (
        ("v2", ()),
        ("v2-unsigned", ("--unsigned",)),
        ("v2-foreign", ("--key", str(SigningKey.generate().save(folder / "mallory.key")))),
    ):
        out[name] = folder / f"bio-{name}.lectern"
        package(v2, out[name], config=config, version=2, extra=extra)
    out["v3"] = folder / "bio-v3.lectern"
    package(list(lessons.values()), out["v3"], config=config, version=3)
    out["uids"] = {name: lesson_json(path)["uid"] for name, path in lessons.items()}
    return out


def player(library: Path, *args: str | Path) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "player.cli", "--library", str(library), *map(str, args)]
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    return result


def _with_work(root: Path, packages) -> None:
    """Import v1 and leave notes and progress on Cells and Plants."""
    player(root, "import", packages["v1"])
    with Library.open(root) as library:
        library.add_note("bio", "cells", 1.0, "cells have walls")
        library.add_note("bio", "plants", 2.0, "chlorophyll is green")
        library.add_note("bio", "plants", 0.5, "", kind="bookmark")
        library.add_watched("bio", "plants", 0.0, 2.0)
        library.save_position("bio", "plants", 1.5)


def test_a_signed_update_keeps_renamed_lessons_and_orphans_dropped_ones(packages, tmp_path):
    root = tmp_path / "library"
    _with_work(root, packages)
    result = player(root, "import", packages["v2"])
    lines = result.stdout.splitlines()
    assert lines[0].startswith("Updated: 'Biology' (bio), signed by Ann Lee (key ")
    assert "1 lesson(s) are no longer in the course ('Plants')" in lines[1]
    assert "notes and progress on them are kept" in lines[1]
    with Library.open(root) as library:
        course = library.course("bio")
        assert (course.version, course.lesson_count) == (2, 2)
        lessons = library.lessons("bio")
        # The renamed lesson is the same lesson: same row, same notes.
        assert [(lesson.id, lesson.title) for lesson in lessons] == [
            ("cells", "Cell biology"),
            ("animals", "Animals"),
        ]
        assert [n.text for n in library.notes("bio", "cells")] == ["cells have walls"]
        (orphan,) = library.orphans("bio")
        assert (orphan.id, orphan.title) == ("plants", "Plants")
        assert [n.text for n in library.notes("bio", "plants")] == ["", "chlorophyll is green"]
        assert library.watched("bio", "plants") == [(0.0, 2.0)]
        assert library.position("bio", "plants") == 1.5
        assert [item.lesson_id for item in library.continue_watching()] == []
    notes = tmp_path / "notes.md"
    player(root, "export-notes", "bio", "-o", notes)
    text = notes.read_text(encoding="utf-8")
    assert "## 1. Cell biology" in text and "cells have walls" in text
    assert text.index("## Plants (no longer in the course)") > text.index("cells have walls")
    assert "chlorophyll is green" in text and ", bookmark" in text
    assert "- **Plants, " in text  # each note says its lesson and time, readable on its own


def test_a_lesson_that_comes_back_is_a_lesson_again(packages, tmp_path):
    root = tmp_path / "library"
    _with_work(root, packages)
    player(root, "import", packages["v2"])
    result = player(root, "import", packages["v3"], "--json")
    assert json.loads(result.stdout)[0]["orphaned"] == []
    with Library.open(root) as library:
        assert library.orphans("bio") == []
        plants = library.lesson("bio", "plants")
        assert plants.title == "Plants" and plants.video.is_file()
        assert len(library.notes("bio", "plants")) == 2
        uids = dict(library.db.execute("SELECT title, uid FROM lessons"))
    assert uids == {
        "Cell biology": packages["uids"]["Cells"],
        "Plants": packages["uids"]["Plants"],
        "Animals": packages["uids"]["Animals"],
    }


def test_unsigned_and_foreign_packages_are_installed_beside_never_over(packages, tmp_path):
    root = tmp_path / "library"
    _with_work(root, packages)
    before = (root / "courses" / "bio" / "manifest.json").read_bytes()

    unsigned = player(root, "import", packages["v2-unsigned"]).stdout.splitlines()
    assert unsigned[0] == "Imported: 'Biology' (bio-2), unsigned"
    assert unsigned[1].strip() == (
        "It was installed as a separate course beside 'Biology' (bio), not over it, "
        "because it is unsigned; your course was not changed."
    )
    foreign = player(root, "import", packages["v2-foreign"]).stdout.splitlines()
    assert foreign[0].startswith("Imported: 'Biology' (bio-3), signed by Ann Lee (key ")
    assert "not by the key of the installed course" in foreign[1]
    again = json.loads(player(root, "import", packages["v2-unsigned"], "--json").stdout)
    assert (again[0]["action"], again[0]["course_id"]) == ("unchanged", "bio-2")

    assert (root / "courses" / "bio" / "manifest.json").read_bytes() == before
    with Library.open(root) as library:
        courses = {c.id: c for c in library.courses()}
        assert sorted(courses) == ["bio", "bio-2", "bio-3"]
        assert {c.package_id for c in courses.values()} == {"bio"}
        assert (courses["bio"].version, courses["bio"].lesson_count) == (1, 3)
        assert courses["bio-2"].signer_key is None and courses["bio-2"].version == 2
        assert courses["bio-3"].signer_key != courses["bio"].signer_key
        assert len(library.notes("bio")) == 3 and library.orphans("bio") == []
        assert library.lessons("bio-2")[0].video.is_file()
    listed = json.loads(player(root, "list", "--json").stdout)
    assert [c["signed_by"] == "unsigned" for c in listed] == [False, True, False]

    # The real author's next version still updates the learner's own course.
    update = player(root, "import", packages["v2"]).stdout
    assert update.startswith("Updated: 'Biology' (bio), signed by Ann Lee")


# ----------------------------------------------------------------------------- window


def _button(box: QMessageBox, text: str):
    return next(button for button in box.buttons() if button.text().replace("&", "") == text)


def test_the_window_asks_before_an_update_leaves_lessons_out(
    qtbot, open_window, packages, tmp_path
):
    root = tmp_path / "library"
    _with_work(root, packages)
    window = open_window(root)

    window.import_files([packages["v2"]])
    qtbot.waitUntil(lambda: window.update_box is not None and window.update_box.isVisible())
    box = window.update_box
    assert box.textFormat() == Qt.TextFormat.PlainText
    assert "• Plants" in box.text() and "• Animals" not in box.text()
    assert "notes and progress on them will be kept" in box.text()
    qtbot.mouseClick(_button(box, "Cancel"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.update_box is None)
    assert window.import_job is None and window.library.course("bio").version == 1

    window.import_files([packages["v2"]])
    qtbot.waitUntil(lambda: window.update_box is not None and window.update_box.isVisible())
    qtbot.mouseClick(_button(window.update_box, "Update"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.library.course("bio").version == 2, timeout=WAIT)
    qtbot.waitUntil(lambda: window.import_job is None, timeout=WAIT)
    assert window.last_error is None
    told = window.message_box
    assert told is not None and told.isVisible() and "'Plants'" in told.text()
    told.close()

    # The course page shows who signed it and the orphan, whose notes can be read.
    window.library_view.show_course("bio")
    page = window.library_view.course_page
    assert page.signer.text().startswith("Signed by Ann Lee (key ")
    items = [page.lessons.item(i).text() for i in range(page.lessons.count())]
    assert items[-1].startswith("Plants\nNo longer in the course · your 2 note(s)")
    orphan = page.lessons.item(page.lessons.count() - 1)
    qtbot.mouseClick(
        page.lessons.viewport(),
        Qt.MouseButton.LeftButton,
        pos=page.lessons.visualItemRect(orphan).center(),
    )
    qtbot.waitUntil(lambda: page.orphan_box is not None and page.orphan_box.isVisible())
    assert "chlorophyll is green" in page.orphan_box.text()
    assert window.lesson_view.current is None  # an orphan is not opened for playing
    page.orphan_box.close()


def test_the_window_says_a_package_went_beside(qtbot, open_window, packages, tmp_path):
    root = tmp_path / "library"
    _with_work(root, packages)
    window = open_window(root)
    window.import_files([packages["v2-unsigned"]])
    qtbot.waitUntil(lambda: len(window.library.courses()) == 2, timeout=WAIT)
    qtbot.waitUntil(lambda: window.message_box is not None and window.message_box.isVisible())
    assert window.update_box is None  # nothing of the learner's course is at stake
    text = window.message_box.text()
    assert "beside 'Biology' (bio), not over it, because it is unsigned" in text
    window.library_view.show_course("bio-2")
    signer = window.library_view.course_page.signer.text()
    assert signer.startswith("Unsigned")


def test_a_rebuilt_index_keeps_beside_courses_and_their_signers(packages, tmp_path):
    root = tmp_path / "library"
    _with_work(root, packages)
    for name in ("v2-unsigned", "v2-foreign"):
        player(root, "import", packages[name])
    with Library.open(root) as library:
        before = {c.id: (c.package_id, c.signer_key, c.version) for c in library.courses()}
    for path in root.iterdir():  # the database and its backups are lost; the folders remain
        if path.name != "courses":
            shutil.rmtree(path) if path.is_dir() else path.unlink()
    with Library.open(root) as library:
        after = {c.id: (c.package_id, c.signer_key, c.version) for c in library.courses()}
    assert after == before and sorted(after) == ["bio", "bio-2", "bio-3"]
    # Ann's next version is still an update of the learner's course, not a fourth copy.
    assert player(root, "import", packages["v3"]).stdout.startswith("Updated: 'Biology' (bio)")


def test_an_updated_course_with_orphans_is_complete(packages, tmp_path):
    root = tmp_path / "library"
    _with_work(root, packages)
    player(root, "import", packages["v2"])
    again = player(root, "import", packages["v2"]).stdout
    assert again.startswith("Unchanged: 'Biology' (bio)")  # the orphan's media is not "missing"
    with Library.open(root) as library:
        assert library.importer.incomplete_courses() == []
