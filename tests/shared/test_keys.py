"""Finding shortcuts that a key press cannot fire (shared.ui.keys)."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import QWidget

from shared.ui.keys import press_of, shortcut_problems


def test_shift_folds_into_the_character_it_types(qapp):
    assert press_of(QKeySequence("Shift+.")[0]) == (">", True)
    assert press_of(QKeySequence(">")[0]) == (">", True)
    assert press_of(QKeySequence("Shift+>")[0])[1] is False
    assert press_of(QKeySequence("Ctrl+Shift+Z")[0]) == ("Ctrl+Shift+Z", True)


def test_several_sequences_for_one_press_are_ambiguous(qapp):
    window = QWidget()
    faster = QShortcut(window)
    faster.setObjectName("faster")
    faster.setKeys([QKeySequence(">"), QKeySequence("Shift+."), QKeySequence("Shift+>")])
    problems = shortcut_problems(window)
    assert {(p.keys, p.reason.split(":")[0]) for p in problems} == {
        (">", "ambiguous"),
        ("Shift+>", "no key press matches it"),
    }


def test_two_owners_of_one_key_clash_and_disabled_ones_do_not(qapp):
    window = QWidget()
    play = QAction("Play", window)
    play.setShortcut(QKeySequence("Space"))
    window.addAction(play)
    other = QShortcut(QKeySequence("Space"), window)
    assert [p.where for p in shortcut_problems(window)] == [("Play", "shortcut")]
    other.setEnabled(False)
    assert shortcut_problems(window) == []
