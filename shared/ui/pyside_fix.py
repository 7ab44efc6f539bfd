"""A work-around for a reference-count bug in ``SignalInstance.emit`` (PySide6 6.12.0).

On Python 3.11 that PySide6 returns ``True`` from ``emit()`` without taking a
reference, so each call drops one reference from ``True``. After a few hundred
emits the interpreter aborts with "Fatal Python error: bool_dealloc". (From Python
3.12 on, ``True`` is immortal and nothing happens.) Importing :mod:`shared.ui`
probes for the bug once and, only where it is present, wraps ``emit`` to give the
missing reference back; elsewhere nothing is changed.
"""

from __future__ import annotations

import ctypes
import sys

from PySide6.QtCore import QObject, Signal, SignalInstance

__all__ = ["install", "emit_leaks"]

_installed = False


class _Probe(QObject):
    ping = Signal()


def emit_leaks() -> bool:
    """Whether ``emit()`` loses a reference to its return value here."""
    probe = _Probe()
    before = sys.getrefcount(True)
    for _ in range(8):
        probe.ping.emit()
    return sys.getrefcount(True) - before <= -8


def install() -> bool:
    """Wrap ``SignalInstance.emit`` if it leaks; returns whether it was wrapped."""
    global _installed
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
