"""The recording bar's own dark style sheet reaches WCAG AA (4.5:1) like the main theme."""

from __future__ import annotations

from shared.ui import theme
from studio.ui import recording_bar


def test_recording_bar_pairs_reach_aa():
    zones = {"bar": (theme.CONTROLS_TEXT, [theme.DARK, "#263041"])}
    pairs = theme.text_pairs(recording_bar._STYLE, zones, "bar")
    assert any("barWarnings" in selector for selector, _text, _background in pairs)
    low = [
        (selector, text, background, round(theme.contrast(text, background), 2))
        for selector, text, background in pairs
        if theme.contrast(text, background) < 4.5
    ]
    assert low == []
