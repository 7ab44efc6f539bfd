"""The look both apps share: the Fusion style, one palette and one stylesheet.

Colours are named once here so widgets that paint themselves (the seek bar, the
caption overlay) match the stylesheet. Every focusable control gets a visible
focus ring from the stylesheet, so keyboard users always see where they are.
"""

from __future__ import annotations

from PySide6.QtGui import QColor, QIcon, QPainter, QPalette, QPixmap
from PySide6.QtWidgets import QApplication, QStyle

__all__ = [
    "ACCENT",
    "BACKGROUND",
    "SURFACE",
    "TEXT",
    "MUTED",
    "BORDER",
    "STYLESHEET",
    "apply",
    "tinted_icon",
]

ACCENT = "#2f6fdf"
ACCENT_SOFT = "#e3ecfc"
BACKGROUND = "#f3f5f8"
SURFACE = "#ffffff"
TEXT = "#1d2330"
MUTED = "#667085"
BORDER = "#d9dee7"
DARK = "#11151c"
DISABLED = "#a3abb9"  # text of what cannot be used now
NOTE = "#f5b83d"  # a note's mark on the seek bar
BOOKMARK = "#5fd39a"  # a bookmark's mark on the seek bar

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
QLabel#lessonTitle {{ font-size: 13pt; font-weight: 600; }}
QLabel#timeLabel {{ color: #e8ecf3; font-family: monospace; }}
QFrame#card {{ background: {SURFACE}; border: 1px solid {BORDER}; border-radius: 10px; }}
QFrame#card:hover {{ border-color: {ACCENT}; }}
QFrame#card:focus {{ border: 2px solid {ACCENT}; }}
QFrame#banner {{ background: {ACCENT_SOFT}; border: 1px solid #b9cdf5; border-radius: 8px; }}
QFrame#controls {{ background: {DARK}; border-bottom-left-radius: 8px;
    border-bottom-right-radius: 8px; }}
QFrame#controls QToolButton {{ color: #e8ecf3; background: transparent; border: 2px solid transparent;
    border-radius: 6px; padding: 4px; }}
QFrame#controls QToolButton:hover {{ background: #263041; }}
QFrame#controls QToolButton:checked {{ background: #2b3a55; }}
QFrame#controls QToolButton:focus {{ border: 2px solid #7fa8ff; }}
QFrame#controls QComboBox {{ color: #e8ecf3; background: #1c2330; border: 2px solid #2b3443;
    border-radius: 6px; padding: 2px 8px; }}
QFrame#controls QComboBox:focus {{ border-color: #7fa8ff; }}
QFrame#controls QComboBox QAbstractItemView {{ color: {TEXT}; background: {SURFACE}; }}
QPushButton {{ background: {SURFACE}; border: 1px solid {BORDER}; border-radius: 6px;
    padding: 6px 14px; }}
QPushButton:hover {{ border-color: {ACCENT}; }}
QPushButton:focus {{ border: 2px solid {ACCENT}; }}
QPushButton#primary {{ background: {ACCENT}; color: white; border: 1px solid {ACCENT}; }}
QPushButton#primary:focus {{ border: 2px solid {TEXT}; }}
QPushButton:disabled {{ background: {BACKGROUND}; color: {DISABLED}; border-color: {BORDER}; }}
QPushButton#primary:disabled {{ background: #a9c1ef; color: white; border-color: #a9c1ef; }}
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
QListView::item:hover, QListWidget::item:hover {{ background: #f0f4fb; }}
QTabWidget::pane {{ border: none; }}
QTabBar::tab {{ padding: 7px 14px; border: none; border-bottom: 2px solid transparent;
    color: {MUTED}; }}
QTabBar::tab:selected {{ color: {TEXT}; border-bottom: 2px solid {ACCENT}; }}
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


def apply(app: QApplication) -> None:
    """Give ``app`` the Fusion style, the Lectern palette and stylesheet."""
    app.setStyle("Fusion")
    palette = app.palette()
    for role, colour in (
        (QPalette.ColorRole.Window, BACKGROUND),
        (QPalette.ColorRole.Base, SURFACE),
        (QPalette.ColorRole.AlternateBase, "#f7f9fc"),
        (QPalette.ColorRole.Text, TEXT),
        (QPalette.ColorRole.WindowText, TEXT),
        (QPalette.ColorRole.ButtonText, TEXT),
        (QPalette.ColorRole.Button, SURFACE),
        (QPalette.ColorRole.Highlight, ACCENT),
        (QPalette.ColorRole.HighlightedText, "#ffffff"),
        (QPalette.ColorRole.PlaceholderText, MUTED),
        (QPalette.ColorRole.ToolTipBase, DARK),
        (QPalette.ColorRole.ToolTipText, "#ffffff"),
    ):
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
