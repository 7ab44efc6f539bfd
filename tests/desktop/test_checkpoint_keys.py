"""Checkpoints in the Player, answered with keys typed on the X server (XTEST, openbox).

A real course: the sample lecture built and packaged by the real CLI, with a GIFT bank
imported by ``lectern-studio checkpoints`` at 4 s (required, re-watch offered) and a
true-or-false question at 20 s (required).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.desktop.conftest import COURSE_ID, ROOT

BANK = """// two questions asked together
::Cycle::Which process turns water into vapour?{
  =Evaporation#Yes: heat turns liquid water into vapour.
  ~Condensation#No: condensation turns vapour back into droplets.
}

::Name it::Name the process again, in one word.{=evaporation}
"""


def _studio(*args: str | Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "studio.cli", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr


@pytest.fixture(scope="module")
def checkpoint_library(tmp_path_factory, built_lesson) -> Path:
    folder = tmp_path_factory.mktemp("checkpoints")
    lesson = folder / "water-cycle"
    shutil.copytree(built_lesson, lesson)
    (folder / "bank.gift").write_text(BANK, encoding="utf-8")
    (folder / "late.gift").write_text("::Late::Clouds are made of droplets.{T}\n", "utf-8")
    _studio("checkpoints", lesson, "import", folder / "bank.gift", "--at", "4", "--required")
    _studio("checkpoints", lesson, "import", folder / "late.gift", "--at", "20", "--required")
    # Only the first question offers a re-watch: set it the way the window does.
    from shared.workspace import LessonWorkspace

    workspace = LessonWorkspace.open(lesson)
    first, *rest = workspace.checkpoints()
    import dataclasses

    workspace.save_checkpoints([dataclasses.replace(first, rewatch_on_wrong=True), *rest])
    package = folder / "course.lectern"
    _studio("package", lesson, "-o", package, "--title", "Earth Science", "--id", COURSE_ID)
    from shared.library import Library

    root = folder / "library"
    with Library.open(root) as library:
        library.import_course(package)
    return root


def test_questions_are_asked_over_the_video_and_answered_with_keys(
    desktop_720, checkpoint_library, tmp_path
):
    seen = desktop_720.drive("player", "checkpoints", checkpoint_library, tmp_path)
    assert seen["marks"] == [[4.0, "required"], [4.0, "required"], [20.0, "required"]], seen
    assert seen["asked at 4 s"] and seen["paused"], seen
    assert abs(seen["position"] - 4.0) < 1e-3, seen  # moved to exactly the question's time
    assert seen["stop"][0][0] == 4.0, seen
    assert seen["heading"] == "Question 1 of 2 · required", seen
    assert seen["card has focus"] and seen["controls off"], seen
    assert seen["escape kept it"] and seen["space did not play"], seen
    assert seen["wrong feedback"].startswith("Not quite. No: condensation"), seen
    assert seen["rewatch offered"], seen
    assert seen["right feedback"].startswith("Right! Yes: heat"), seen
    assert seen["second heading"] == "Question 2 of 2 · required", seen
    assert seen["typed answer right"].startswith("Right!"), seen
    assert seen["resumed"], seen
    assert seen["seek stopped at 20 s"] and seen["after 20 s"], seen
    kept = sorted(seen["kept answers"], key=str)
    assert kept == sorted([[0, True, 2], ["  Evaporation ", True, 1], [0, True, 1]], key=str), seen
    assert [state for _, state in seen["marks after"]] == ["right"] * 3, seen

    # The Questions tab, with keys only: Q, Enter goes there, Ctrl+Enter asks again.
    assert seen["questions tab"] and seen["list has focus"], seen
    assert seen["tabs fit"], seen  # at 1280x720, under openbox
    assert seen["summary"] == "3 questions · 3 answered · 3 right", seen
    assert [state for _, state in seen["rows"]] == ["right"] * 3, seen
    texts = [text for text, _ in seen["rows"]]
    assert texts[0] == "0:04  Cycle\nRight · 2 attempts", seen
    assert texts[2] == "0:20  Late\nRight · 1 attempt", seen
    assert seen["went to 4 s"], seen
    assert seen["asked again at 20 s"] and seen["again feedback"].startswith("Not quite"), seen
    assert seen["card gone"] and seen["paused after"], seen
    assert seen["rows after"][2] == ["0:20  Late\nWrong · 2 attempts", "wrong"], seen
