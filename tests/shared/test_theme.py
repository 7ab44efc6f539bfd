"""Every text and background pair of the theme reaches WCAG AA (4.5:1).

The pairs are computed from the palette and the style sheet themselves, so a new
rule or colour is checked without being listed here.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QComboBox, QFrame, QHBoxLayout, QStyledItemDelegate

from shared.ui import theme

AA = 4.5
Role = QPalette.ColorRole


def test_contrast_is_computed_as_wcag_defines_it():
    assert round(theme.contrast("#000000", "#ffffff"), 1) == 21.0
    assert round(theme.contrast("#777777", "#ffffff"), 2) == 4.48
    assert theme.contrast("#ffffff", "#ffffff") == 1.0


def test_palette_pairs_reach_aa():
    colours = theme.PALETTE
    pairs = [
        (Role.Text, Role.Base),
        (Role.Text, Role.AlternateBase),
        (Role.WindowText, Role.Window),
        (Role.ButtonText, Role.Button),
        (Role.HighlightedText, Role.Highlight),
        (Role.PlaceholderText, Role.Base),
        (Role.ToolTipText, Role.ToolTipBase),
    ]
    low = [
        (text.name, background.name, round(theme.contrast(colours[text], colours[background]), 2))
        for text, background in pairs
        if theme.contrast(colours[text], colours[background]) < AA
    ]
    assert low == []


def test_every_style_sheet_pair_reaches_aa():
    pairs = theme.text_pairs(theme.STYLESHEET, theme.ZONES, "light")
    selectors = {selector for selector, _text, _background in pairs}
    # Pop-ups and drop-down lists are among them, the speed list on the dark bar too.
    assert any("QComboBox QAbstractItemView::item" in s for s in selectors)
    assert any("QTabBar::tab:focus" in s for s in selectors)
    assert any(s.startswith("QFrame#controls QLabel#timeLabel") for s in selectors)
    low = [
        (selector, text, background, round(theme.contrast(text, background), 2))
        for selector, text, background in pairs
        if theme.contrast(text, background) < AA
    ]
    assert low == []


def test_painted_pairs_reach_aa():
    low = [
        (name, round(theme.contrast(text, background), 2))
        for name, text, background in theme.PAINTED
        if theme.contrast(text, background) < AA
    ]
    assert low == []


def test_the_speed_list_on_the_dark_bar_is_drawn_readable(qapp, qtbot):
    """What is painted, not only declared: the darkest pixel of an unselected item."""
    theme.apply(qapp)
    bar = QFrame()
    bar.setObjectName("controls")
    box = QComboBox()
    box.setItemDelegate(QStyledItemDelegate(box))  # as the Player's speed box
    for text in ("0.75×", "1×", "1.25×"):
        box.addItem(text)
    QHBoxLayout(bar).addWidget(box)
    qtbot.addWidget(bar)
    bar.show()
    box.showPopup()
    view = box.view()
    qtbot.waitUntil(view.isVisible)
    picture = view.viewport().grab()
    image, ratio = picture.toImage(), picture.devicePixelRatio()
    rect = view.visualRect(box.model().index(1, 0)).intersected(view.viewport().rect())
    rect = rect.adjusted(4, 3, -4, -3)  # inside its edges
    pixels = [
        image.pixelColor(round(x * ratio), round(y * ratio))
        for x in range(rect.left(), rect.right())
        for y in range(rect.top(), rect.bottom())
    ]
    darkest = min(pixels, key=lambda colour: theme.luminance(colour.name()))
    lightest = max(pixels, key=lambda colour: theme.luminance(colour.name()))
    assert theme.contrast(darkest.name(), lightest.name()) >= AA
    box.hidePopup()
