"""Work-arounds for reference-count bugs of PySide6 6.12.0 on Python 3.11.

That PySide6 returns ``True`` from ``emit()`` without taking a reference, so each
call drops one reference from ``True``; after a few hundred emits the interpreter
aborts with "Fatal Python error: bool_dealloc". Every method that returns nothing
(``QPainter.setPen``, ``QObject.setObjectName``, ...) drops one reference from
``None`` the same way: a widget that paints itself often (the seek bar with a
lesson's question marks) aborts with "none_dealloc" within seconds. From Python 3.12
on, ``True`` and ``None`` are immortal and nothing happens.

Importing :mod:`shared.ui` probes for each bug once and, only where it is present,
wraps ``emit`` to give the missing reference back, and gives ``None`` so many
references (:data:`NONE_RESERVE`) that no session can use them up, as Python 3.12's
immortal objects have; elsewhere nothing is changed.
"""

from __future__ import annotations

import ctypes
import sys

from PySide6.QtCore import QObject, Signal, SignalInstance

__all__ = ["install", "emit_leaks", "void_leaks", "NONE_RESERVE"]

#: References given to ``None`` where void calls leak: a billion calls a second for
#: decades.
NONE_RESERVE = 1 << 60

_installed = False
_none_kept = False


class _Probe(QObject):
    ping = Signal()


def emit_leaks() -> bool:
    """Whether ``emit()`` loses a reference to its return value here."""
    probe = _Probe()
    before = sys.getrefcount(True)
    for _ in range(8):
        probe.ping.emit()
    return sys.getrefcount(True) - before <= -8


def void_leaks() -> bool:
    """Whether a method that returns nothing loses a reference to ``None`` here."""
    probe = _Probe()
    before = sys.getrefcount(None)
    for _ in range(8):
        probe.setObjectName("probe")
    return sys.getrefcount(None) - before <= -8


def _keep_none() -> None:
    """Give ``None`` :data:`NONE_RESERVE` references, once, if void calls leak them."""
    global _none_kept
    if _none_kept or not void_leaks():
        return
    count = ctypes.c_ssize_t.from_address(id(None))  # ob_refcnt, the object's first field
    count.value += NONE_RESERVE
    _none_kept = True


def install() -> bool:
    """Wrap ``SignalInstance.emit`` if it leaks; returns whether it was wrapped.

    Also keeps ``None`` alive where void calls leak references to it (:func:`void_leaks`).
    """
    global _installed
    _keep_none()
    if _installed:
        return True
    if not emit_leaks():
        return False
    original = SignalInstance.emit
    incref = ctypes.pythonapi.Py_IncRef
    incref.argtypes = [ctypes.py_object]
    incref.restype = None

    def emit(self: SignalInstance, *args: object) -> object:
        result = original(self, *args)
        incref(result)
        return result

    SignalInstance.emit = emit
    _installed = True
    return True
