"""Where the recording bar goes (never over what is recorded) and which keys it grabs."""

from __future__ import annotations

import pytest

from PySide6.QtCore import QRect, QSize

from studio.hotkeys import x11_key
from studio.ui.recording import MARGIN, place_outside

BAR = QSize(450, 48)
LAPTOP = QRect(0, 0, 1280, 720)
SECOND = QRect(1280, 0, 1920, 1080)


def _clear(area: QRect, screens: list[QRect]) -> QRect:
    spot = place_outside(area, screens, BAR)
    assert spot is not None
    bar = QRect(spot, BAR)
    assert any(screen.contains(bar) for screen in screens), "the bar is off every screen"
    assert not bar.intersects(area.adjusted(-MARGIN, -MARGIN, MARGIN, MARGIN))
    return bar


def test_a_whole_screen_alone_leaves_no_place():
    assert place_outside(LAPTOP, [LAPTOP], BAR) is None


def test_a_whole_screen_with_another_puts_the_bar_on_the_other():
    bar = _clear(LAPTOP, [LAPTOP, SECOND])
    assert SECOND.contains(bar) and bar.top() == SECOND.top() + 12


@pytest.mark.parametrize(
    ("area", "where"),
    [
        (QRect(100, 50, 800, 400), "below"),
        (QRect(100, 300, 800, 420), "above"),
        (QRect(0, 0, 700, 720), "right"),
        (QRect(560, 0, 720, 720), "left"),
    ],
)
def test_a_region_or_window_puts_the_bar_beside_it(area, where):
    bar = _clear(area, [LAPTOP])
    assert {
        "below": bar.top() > area.bottom(),
        "above": bar.bottom() < area.top(),
        "right": bar.left() > area.right(),
        "left": bar.right() < area.left(),
    }[where]


def test_a_region_near_a_corner_slides_the_bar_along_the_edge():
    bar = _clear(QRect(1000, 0, 280, 500), [LAPTOP])
    assert bar.right() <= LAPTOP.right() and bar.top() > 500


def test_a_region_covering_nearly_all_of_the_only_screen_leaves_no_place():
    assert place_outside(QRect(10, 10, 1260, 700), [LAPTOP], BAR) is None


@pytest.mark.parametrize(
    ("text", "grab"),
    [
        ("Ctrl+Shift+P", (4 | 1, ord("p"))),
        ("Ctrl+Shift+S", (4 | 1, ord("s"))),
        ("Ctrl+Alt+R", (4 | 8, ord("r"))),
        ("Ctrl+Shift+F9", (4 | 1, 0xFFC6)),
        ("Ctrl+Alt+F9", None),  # the X server switches to a text console
        ("Meta+End", (64, 0xFF57)),
        ("F8", (0, 0xFFC5)),
        ("P", None),  # a bare letter would be taken from every program
        ("Ctrl+Shift+Ä", None),
        ("Ctrl+Hyper+P", None),
        ("", None),
    ],
)
def test_shortcut_text_becomes_an_x11_grab(text, grab):
    assert x11_key(text) == grab
