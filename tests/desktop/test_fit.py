"""Both windows on laptop screens under a window manager: they fit, nothing is cut off.

With ``LECTERN_SHOTS=docs/screenshots`` the runs refresh the README's pictures
(``*-1280x720.png``, ``*-1366x768.png``).
"""

from __future__ import annotations

import pytest

SLACK = 2  # px: Qt's idea of the frame and openbox's can differ by a border line


def _fits(report: dict) -> None:
    x, y, width, height = report["available"]
    fx, fy, fw, fh = report["frame"]
    assert fx >= x - SLACK and fy >= y - SLACK, report
    assert fx + fw <= x + width + SLACK and fy + fh <= y + height + SLACK, report
    assert report["wm"]["width"] <= width and report["wm"]["height"] <= height, report
    assert report["cut"] == [], report
    assert report["off_screen"] == [], report
    assert report["scrollbars"] == [False, False], report  # no window-wide scrolling here


@pytest.mark.parametrize("screen", ["desktop_720", "desktop_768"])
def test_the_player_fits_a_laptop_screen(request, screen, library_root, tmp_path):
    desktop = request.getfixturevalue(screen)
    report = desktop.drive("player", "fit", library_root, tmp_path)
    _fits(report["library"])
    _fits(report["lesson"])


@pytest.mark.parametrize("screen", ["desktop_720", "desktop_768"])
def test_the_studio_fits_a_laptop_screen(request, screen, course_folder, tmp_path):
    desktop = request.getfixturevalue(screen)
    report = desktop.drive("studio", "fit", course_folder, tmp_path)
    _fits(report["review"])


def test_a_netbook_screen_scrolls_instead_of_cutting(course_folder, tmp_path):
    from tests.desktop.conftest import Desktop

    desktop = Desktop("800x480")
    try:
        report = desktop.drive("studio", "fit", course_folder, tmp_path)["review"]
    finally:
        desktop.close()
    x, y, width, height = report["available"]
    assert report["wm"]["width"] <= width and report["wm"]["height"] <= height, report
    assert report["off_screen"] == [] and report["cut"] == [], report
    assert any(report["scrollbars"]), report


def test_the_studio_welcome_page_fits(desktop_720, tmp_path):
    output = tmp_path / "courses"
    output.mkdir()
    report = desktop_720.drive("studio", "welcome", output / "none", tmp_path)
    assert report["shown"]
    _fits(report["welcome"])
