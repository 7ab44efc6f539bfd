"""Qt widgets both apps use: video view, seek bar, transcript, chapters, job worker.

Importing this package first works around a PySide6 signal bug
(see :mod:`shared.ui.pyside_fix`).
"""

from shared.ui import pyside_fix

pyside_fix.install()

__all__ = ["pyside_fix"]
