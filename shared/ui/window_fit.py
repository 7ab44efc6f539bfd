"""Main windows that fit the screen they open on, down to small laptop screens.

A window opens at its preferred size or the screen's available area (work area:
without panels and docks), whichever is smaller; a saved geometry is clamped onto
the screen it opens on. Content that needs more room than a small screen has
scrolls (:func:`scrolling`) instead of being cut off.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, QSize, Qt
from PySide6.QtGui import QGuiApplication, QScreen
from PySide6.QtWidgets import QFrame, QMainWindow, QScrollArea, QWidget

__all__ = ["CONTENT_MINIMUM", "fit_to_screen", "fitted_rect", "scrolling"]

CONTENT_MINIMUM = QSize(860, 500)
"""Below this the window's content scrolls (it fits a 1280x720 screen's work area)."""

WINDOW_MINIMUM = QSize(480, 360)
"""The smallest a main window may be made (its content scrolls inside)."""

FRAME_GUESS = QSize(8, 40)
"""The window manager's frame (title bar, borders) before the window has one to measure."""


def fitted_rect(wanted: QRect, available: QRect, frame: QSize = FRAME_GUESS) -> QRect:
    """``wanted`` (a client area) shrunk and moved so that it and its frame fit ``available``.

    Args:
        wanted: the window's client rectangle (position and size) it would like.
        available: the screen's work area.
        frame: how much the window manager's frame adds (width, height).

    Returns:
        The client rectangle: no larger than the work area less the frame, and placed
        so that the framed window lies inside the work area.
    """
    width = max(1, min(wanted.width(), available.width() - frame.width()))
    height = max(1, min(wanted.height(), available.height() - frame.height()))
    left_frame, top_frame = frame.width() // 2, frame.height() - frame.width() // 2
    x = min(
        max(wanted.x(), available.left() + left_frame), available.right() + 1 - width - left_frame
    )
    y = min(
        max(wanted.y(), available.top() + top_frame), available.bottom() + 1 - height - left_frame
    )
    return QRect(max(x, available.left()), max(y, available.top()), width, height)


def _screen_for(window: QWidget) -> QScreen:
    centre = window.geometry().center()
    return QGuiApplication.screenAt(centre) or window.screen() or QGuiApplication.primaryScreen()


def fit_to_screen(
    window: QMainWindow, preferred: QSize, saved: bytes | None = None, *, centre: bool = True
) -> QRect:
    """Size and place ``window`` for the screen it opens on; its client rectangle.

    ``saved`` (from ``saveGeometry``) is restored first and then clamped to the work
    area of the screen it lands on, so a geometry saved on a larger monitor never
    puts controls off screen. Without one the window takes ``preferred`` or the work
    area, whichever is smaller, centred. Call again once the window is shown: the
    real frame is measured then.
    """
    restored = bool(saved) and window.restoreGeometry(saved)
    screen = _screen_for(window)
    available = screen.availableGeometry()
    frame = FRAME_GUESS
    if window.isVisible():
        outer, inner = window.frameGeometry(), window.geometry()
        if outer.height() > inner.height():  # framed by now (else keep the guess)
            frame = QSize(outer.width() - inner.width(), outer.height() - inner.height())
    # The window may shrink below its content (which then scrolls), never below this.
    window.setMinimumSize(
        min(WINDOW_MINIMUM.width(), available.width() - frame.width()),
        min(WINDOW_MINIMUM.height(), available.height() - frame.height()),
    )
    if window.isMaximized() or window.isFullScreen():
        return window.geometry()
    if restored or window.isVisible():
        wanted = window.geometry()
    else:
        size = preferred.boundedTo(available.size() - frame)
        wanted = QRect(QPoint(0, 0), size)
        if centre:
            wanted.moveCenter(available.center())
    rect = fitted_rect(wanted, available, frame)
    window.setGeometry(rect)
    return rect


def scrolling(content: QWidget, minimum: QSize = CONTENT_MINIMUM) -> QScrollArea:
    """``content`` in a scroll area: it fills the area and scrolls below ``minimum``."""
    content.setMinimumSize(minimum)
    area = QScrollArea()
    area.setObjectName("windowScroll")
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setWidgetResizable(True)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
    area.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
    area.setWidget(content)
    return area
