"""The look both apps share: the Fusion style, one palette and one stylesheet.

Colours are named once here so widgets that paint themselves (the seek bar, the
caption overlay) match the stylesheet. Every focusable control gets a visible
focus ring from the stylesheet, so keyboard users always see where they are.
"""

from __future__ import annotations

import re

from PySide6.QtGui import QColor, QIcon, QPainter, QPalette, QPixmap
from PySide6.QtWidgets import QApplication, QStyle

__all__ = [
    "ACCENT",
    "BACKGROUND",
    "SURFACE",
    "TEXT",
    "MUTED",
    "ERROR",
    "BORDER",
    "STYLESHEET",
    "apply",
    "tinted_icon",
]

ACCENT = "#2860c8"
ACCENT_SOFT = "#e3ecfc"
BACKGROUND = "#f3f5f8"
SURFACE = "#ffffff"
TEXT = "#1d2330"
MUTED = "#5d667a"
BORDER = "#d9dee7"
DARK = "#11151c"
DISABLED = "#a3abb9"  # text of what cannot be used now (WCAG exempts inactive controls)
CONTROLS_TEXT = "#e8ecf3"  # text and icons on the dark video controls
HOVER = "#f0f4fb"
ALTERNATE = "#f7f9fc"
UNSURE_BACKGROUND, UNSURE_TEXT = "#ffd866", "#1a1a1a"  # words the transcription may have wrong
FOUND = "#a9c7ff"  # behind a find match
NOTE = "#f5b83d"  # a note's mark on the seek bar
BOOKMARK = "#5fd39a"  # a bookmark's mark on the seek bar
WAVEFORM = "#9fb4d9"  # the sound drawn along the Studio's review seek bar
ERROR = "#b42318"  # a sentence saying what went wrong, beside the control it is about

STYLESHEET = f"""
QWidget {{ font-size: 10.5pt; color: {TEXT}; }}
QWidget:disabled {{ color: {DISABLED}; }}
QMainWindow, QStackedWidget > QWidget#page {{ background: {BACKGROUND}; }}
QToolBar {{ background: {SURFACE}; border: none; border-bottom: 1px solid {BORDER};
    padding: 6px 10px; spacing: 8px; }}
QStatusBar {{ background: {SURFACE}; border-top: 1px solid {BORDER}; color: {MUTED}; }}
QLabel#heading {{ font-size: 17pt; font-weight: 600; }}
QLabel#subheading {{ font-size: 12pt; font-weight: 600; margin-top: 6px; }}
QLabel#muted, QLabel[muted="true"] {{ color: {MUTED}; }}
QLabel[error="true"] {{ color: {ERROR}; }}
QLabel#lessonTitle {{ font-size: 13pt; font-weight: 600; }}
QFrame#controls QLabel#timeLabel {{ color: {CONTROLS_TEXT}; font-family: monospace; }}
QFrame#card {{ background: {SURFACE}; border: 1px solid {BORDER}; border-radius: 10px; }}
QFrame#card:hover {{ border-color: {ACCENT}; }}
QFrame#card:focus {{ border: 2px solid {ACCENT}; }}
QFrame#banner {{ background: {ACCENT_SOFT}; border: 1px solid #b9cdf5; border-radius: 8px; }}
QFrame#controls {{ background: {DARK}; border-bottom-left-radius: 8px;
    border-bottom-right-radius: 8px; }}
QFrame#controls QToolButton {{ color: {CONTROLS_TEXT}; background: transparent; border: 2px solid transparent;
    border-radius: 6px; padding: 4px; }}
QFrame#controls QToolButton:hover {{ background: #263041; }}
QFrame#controls QToolButton:checked {{ background: #2b3a55; }}
QFrame#controls QToolButton:focus {{ border: 2px solid #7fa8ff; }}
QFrame#controls QComboBox {{ color: {CONTROLS_TEXT}; background: #1c2330; border: 2px solid #2b3443;
    border-radius: 6px; padding: 2px 8px; combobox-popup: 0; }}
QFrame#controls QComboBox:focus {{ border-color: #7fa8ff; }}
QFrame#controls QComboBox QAbstractItemView {{ color: {TEXT}; background: {SURFACE};
    selection-color: #ffffff; selection-background-color: {ACCENT}; }}
QFrame#controls QComboBox QAbstractItemView::item {{ color: {TEXT}; background: {SURFACE}; }}
QFrame#controls QComboBox QAbstractItemView::item:selected {{ color: #ffffff;
    background: {ACCENT}; }}
QPushButton {{ background: {SURFACE}; border: 1px solid {BORDER}; border-radius: 6px;
    padding: 6px 14px; }}
QPushButton:hover {{ border-color: {ACCENT}; }}
QPushButton:focus {{ border: 2px solid {ACCENT}; }}
QPushButton#primary {{ background: {ACCENT}; color: #ffffff; border: 1px solid {ACCENT}; }}
QPushButton#primary:focus {{ border: 2px solid {TEXT}; }}
QPushButton:disabled {{ background: {BACKGROUND}; color: {DISABLED}; border-color: {BORDER}; }}
QPushButton#primary:disabled {{ background: #a9c1ef; color: #ffffff; border-color: #a9c1ef; }}
QToolButton {{ border: 2px solid transparent; border-radius: 6px; padding: 4px; }}
QToolButton:hover {{ background: {ACCENT_SOFT}; }}
QToolButton:focus {{ border: 2px solid {ACCENT}; }}
QLineEdit, QPlainTextEdit, QTextEdit {{ background: {SURFACE}; border: 1px solid {BORDER};
    border-radius: 6px; padding: 5px 8px; selection-background-color: {ACCENT}; }}
QLineEdit:focus, QPlainTextEdit:focus, QTextEdit:focus {{ border: 2px solid {ACCENT}; }}
QListView, QListWidget, QTextBrowser, QTreeView {{ background: {SURFACE};
    border: 1px solid {BORDER}; border-radius: 8px; padding: 4px; }}
QListView:focus, QListWidget:focus, QTextBrowser:focus {{ border: 2px solid {ACCENT}; }}
QListView::item, QListWidget::item {{ padding: 6px; border-radius: 6px; }}
QListView::item:selected, QListWidget::item:selected {{ background: {ACCENT_SOFT}; color: {TEXT}; }}
QListView::item:hover, QListWidget::item:hover {{ background: {HOVER}; }}
QTabWidget::pane {{ border: none; }}
QTabBar::tab {{ padding: 7px 14px; border: none; border-bottom: 2px solid transparent;
    color: {MUTED}; }}
QTabBar::tab:selected {{ color: {TEXT}; border-bottom: 2px solid {ACCENT}; }}
QTabBar[compact="true"]::tab {{ padding: 7px 7px; }}
QTabBar::tab:focus {{ color: {ACCENT}; }}
QProgressBar {{ background: #e6eaf0; border: none; border-radius: 4px; max-height: 8px;
    text-align: center; color: transparent; }}
QProgressBar::chunk {{ background: {ACCENT}; border-radius: 4px; }}
QSlider:focus {{ border: 1px dashed #7fa8ff; }}
QSlider::groove:horizontal {{ height: 4px; background: #3a4454; border-radius: 2px; }}
QSlider::sub-page:horizontal {{ background: {ACCENT}; border-radius: 2px; }}
QSlider::handle:horizontal {{ background: white; width: 12px; margin: -5px 0; border-radius: 6px; }}
QScrollArea {{ border: none; background: transparent; }}
QSplitter::handle {{ background: {BACKGROUND}; }}
"""

PALETTE = {
    QPalette.ColorRole.Window: BACKGROUND,
    QPalette.ColorRole.Base: SURFACE,
    QPalette.ColorRole.AlternateBase: ALTERNATE,
    QPalette.ColorRole.Text: TEXT,
    QPalette.ColorRole.WindowText: TEXT,
    QPalette.ColorRole.ButtonText: TEXT,
    QPalette.ColorRole.Button: SURFACE,
    QPalette.ColorRole.Highlight: ACCENT,
    QPalette.ColorRole.HighlightedText: "#ffffff",
    QPalette.ColorRole.PlaceholderText: MUTED,
    QPalette.ColorRole.ToolTipBase: DARK,
    QPalette.ColorRole.ToolTipText: "#ffffff",
}

#: Text on background that widgets paint themselves (not through the style sheet).
PAINTED = [
    ("transcript time", MUTED, SURFACE),
    ("spoken line", TEXT, ACCENT_SOFT),
    ("spoken line's time", MUTED, ACCENT_SOFT),
    ("chapter number picture", ACCENT, ACCENT_SOFT),
    ("corrected line's time / chapter you added", ACCENT, SURFACE),
    ("corrected line's time, alternate row", ACCENT, ALTERNATE),
    ("muted time, alternate row", MUTED, ALTERNATE),
    ("search hit mark", ACCENT, SURFACE),
    ("unsure word", UNSURE_TEXT, UNSURE_BACKGROUND),
    ("find match", TEXT, FOUND),
    ("caption over the video", "#ffffff", "#000000"),
]


def _linear(channel: float) -> float:
    return channel / 12.92 if channel <= 0.03928 else ((channel + 0.055) / 1.055) ** 2.4


def luminance(colour: str) -> float:
    """The WCAG relative luminance of ``colour`` (a ``#rrggbb`` name)."""
    qt = QColor(colour)
    red, green, blue = (_linear(c) for c in (qt.redF(), qt.greenF(), qt.blueF()))
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast(text: str, background: str) -> float:
    """The WCAG contrast ratio of two colours (1 to 21; AA asks 4.5 for text)."""
    light, dark = sorted((luminance(text), luminance(background)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def style_rules(sheet: str) -> list[tuple[str, dict[str, str]]]:
    """The rules of a Qt style sheet: ``(selector, {property: value})``, comments dropped."""
    rules = []
    for selector, body in re.findall(r"([^{}]+)\{([^{}]*)\}", re.sub(r"/\*.*?\*/", "", sheet)):
        properties = {}
        for declaration in body.split(";"):
            name, _, value = declaration.partition(":")
            if value.strip():
                properties[name.strip()] = value.strip()
        rules.append((" ".join(selector.split()), properties))
    return rules


_DECORATION = re.compile(
    r"QProgressBar|QSlider|QSplitter|QScrollArea|::(chunk|handle|groove|sub-page)"
)


def text_pairs(
    sheet: str, zones: dict[str, tuple[str, list[str]]], default_zone: str
) -> list[tuple[str, str, str]]:
    """Every text colour on every background a style sheet can put it on.

    Args:
        sheet: the style sheet.
        zones: per area, the marker in a selector that puts a rule there (e.g.
            ``"#controls"``) -> (its text colour, the backgrounds its text can sit on).
        default_zone: the zone of rules whose selector names no zone.

    Returns:
        ``(selector, text, background)`` for each pair; rules for disabled
        controls (exempt in WCAG) and decorations without text are left out.
    """
    pairs = []
    for selector, properties in style_rules(sheet):
        if ":disabled" in selector or _DECORATION.search(selector):
            continue
        zone = next((name for name in zones if name in selector), default_zone)
        zone_text, zone_backgrounds = zones[zone]
        text = properties.get("color")
        background = properties.get("background", properties.get("background-color"))
        if background is not None and not background.startswith("#"):
            background = None  # transparent: the zone shows through
        if text == "transparent" or (text is None and background is None):
            continue
        texts = [text] if text is not None else [zone_text]
        backgrounds = [background] if background is not None else zone_backgrounds
        pairs += [(selector, fg, bg) for fg in texts for bg in backgrounds]
        chosen = properties.get("selection-color"), properties.get("selection-background-color")
        if chosen[1] is not None:
            pairs.append((f"{selector} (selected)", chosen[0] or "#ffffff", chosen[1]))
    return pairs


#: The areas of :data:`STYLESHEET`: the light pages and the dark video controls.
ZONES = {
    "light": (TEXT, [SURFACE, BACKGROUND, ALTERNATE, ACCENT_SOFT, HOVER]),
    "#controls": (CONTROLS_TEXT, [DARK, "#1c2330"]),
}


def apply(app: QApplication) -> None:
    """Give ``app`` the Fusion style, the Lectern palette and stylesheet."""
    app.setStyle("Fusion")
    palette = app.palette()
    for role, colour in PALETTE.items():
        palette.setColor(role, QColor(colour))
    app.setPalette(palette)
    app.setStyleSheet(STYLESHEET)


def tinted_icon(style: QStyle, which: QStyle.StandardPixmap, colour: str = "#e8ecf3") -> QIcon:
    """A standard icon recoloured to one colour (for icons on the dark video controls)."""
    icon = style.standardIcon(which)
    tinted = QIcon()
    for size in (16, 24, 32, 48):
        pixmap = icon.pixmap(size, size)
        if pixmap.isNull():
            continue
        out = QPixmap(pixmap.size())
        out.setDevicePixelRatio(pixmap.devicePixelRatio())
        out.fill(QColor(0, 0, 0, 0))
        painter = QPainter(out)
        painter.drawPixmap(0, 0, pixmap)
        painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_SourceIn)
        painter.fillRect(out.rect(), QColor(colour))
        painter.end()
        tinted.addPixmap(out)
    return tinted
