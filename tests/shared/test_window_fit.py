"""Fitting a main window to its screen's work area (offscreen platform)."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QRect, QSize
from PySide6.QtWidgets import QLabel, QMainWindow

from shared.ui.window_fit import fit_to_screen, fitted_rect, scrolling


def test_a_large_rect_shrinks_into_the_work_area_with_its_frame():
    available = QRect(0, 0, 1280, 720)
    rect = fitted_rect(QRect(0, 0, 1360, 860), available, QSize(8, 40))
    assert rect.width() == 1272 and rect.height() == 680
    framed = rect.adjusted(-4, -36, 4, 4)
    assert available.contains(framed)


def test_a_rect_off_the_screen_comes_back_onto_it():
    available = QRect(0, 30, 1366, 738)  # a panel at the top
    rect = fitted_rect(QRect(2500, -400, 800, 600), available, QSize(8, 40))
    assert rect.size() == QSize(800, 600)
    assert available.contains(rect.adjusted(-4, -36, 4, 4))


def test_saved_geometry_from_a_bigger_monitor_is_clamped(qapp):
    big = QMainWindow()
    big.setCentralWidget(scrolling(QLabel("content")))
    big.setGeometry(3000, 1500, 2400, 1400)
    saved = bytes(big.saveGeometry())
    window = QMainWindow()
    window.setCentralWidget(scrolling(QLabel("content")))
    rect = fit_to_screen(window, QSize(1360, 860), saved)
    available = window.screen().availableGeometry()
    assert available.contains(rect)
    assert rect.width() <= available.width() and rect.height() <= available.height()
    assert window.minimumWidth() <= available.width()


def test_without_saved_geometry_the_preferred_size_is_capped_and_centred(qapp):
    window = QMainWindow()
    rect = fit_to_screen(window, QSize(1360, 860))
    available = window.screen().availableGeometry()
    assert rect.width() <= available.width() and rect.height() <= available.height()
    assert abs(rect.center().x() - available.center().x()) <= 8
