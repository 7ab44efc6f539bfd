"""Finding keyboard shortcuts that a real key press cannot fire.

Qt fires a shortcut only when exactly one binding matches the press. On X11 a
press of Shift+. arrives as ">" with Shift held, and Qt tries it both as ">" and
as "Shift+.": bind both (or bind one twice, or in two places of the same window)
and neither fires, Qt reports it as ambiguous. A sequence written "Shift+>" never
matches at all. :func:`shortcut_problems` finds both kinds in a window, so a test
can keep them out.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QKeyCombination, QObject, Qt
from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import QWidget

__all__ = ["ShortcutProblem", "press_of", "shortcut_problems"]

# US layout: the character typed with Shift on each key (what X11 reports as the key).
_SHIFTED = dict(zip("`1234567890-=[]\\;',./", '~!@#$%^&*()_+{}|:"<>?', strict=True))
_SHIFTED_CHARS = set(_SHIFTED.values())
_MODIFIERS = (
    (Qt.KeyboardModifier.ControlModifier, "Ctrl"),
    (Qt.KeyboardModifier.AltModifier, "Alt"),
    (Qt.KeyboardModifier.MetaModifier, "Meta"),
    (Qt.KeyboardModifier.ShiftModifier, "Shift"),
)


@dataclass(frozen=True)
class ShortcutProblem:
    """A key sequence that a person's key press cannot fire, and why."""

    keys: str
    reason: str
    where: tuple[str, ...]


def press_of(combination: QKeyCombination) -> tuple[str, bool]:
    """The key press a key combination stands for, and whether a press can match it.

    The press is written as Qt writes a sequence, with Shift folded into the
    character it types (``Shift+.`` and ``>`` are the same press).
    """
    modifiers = combination.keyboardModifiers()
    key = combination.key()
    text = QKeySequence(QKeyCombination(key)).toString()
    shift = bool(modifiers & Qt.KeyboardModifier.ShiftModifier)
    if shift and text in _SHIFTED:
        modifiers &= ~Qt.KeyboardModifier.ShiftModifier
        text = _SHIFTED[text]
    elif shift and text in _SHIFTED_CHARS:
        return QKeySequence(combination).toString(), False
    names = [name for flag, name in _MODIFIERS if modifiers & flag]
    return "+".join([*names, text]), True


def _bindings(window: QWidget) -> list[tuple[str, QObject, QKeySequence]]:
    found: list[tuple[str, QObject, QKeySequence]] = []
    seen: set[int] = set()
    for action in window.findChildren(QAction):
        if id(action) in seen or not action.isEnabled():
            continue
        seen.add(id(action))
        name = action.text().replace("&", "") or action.objectName()
        found += [(name, action, sequence) for sequence in action.shortcuts()]
    for shortcut in window.findChildren(QShortcut):
        if not shortcut.isEnabled():
            continue
        name = shortcut.objectName() or shortcut.whatsThis() or "shortcut"
        found += [(name, shortcut, sequence) for sequence in shortcut.keys()]  # noqa: SIM118 (a QShortcut, not a dict)
    return found


def shortcut_problems(window: QWidget) -> list[ShortcutProblem]:
    """The shortcuts in ``window`` (actions and QShortcuts) that a key press cannot fire.

    Two bindings are ambiguous when they stand for the same press, whether they
    belong to one action or shortcut or to two. Disabled ones are left out.
    """
    by_press: dict[str, list[tuple[str, QObject]]] = {}
    problems: list[ShortcutProblem] = []
    for name, owner, sequence in _bindings(window):
        if sequence.isEmpty():
            continue
        if sequence.count() > 1:
            by_press.setdefault(sequence.toString(), []).append((name, owner))
            continue
        press, reachable = press_of(sequence[0])
        if not reachable:
            problems.append(
                ShortcutProblem(sequence.toString(), "no key press matches it", (name,))
            )
            continue
        by_press.setdefault(press, []).append((name, owner))
    for press, owners in sorted(by_press.items()):
        if len(owners) > 1:
            names = tuple(name for name, _owner in owners)
            problems.append(ShortcutProblem(press, "ambiguous: one press, several bindings", names))
    return problems
