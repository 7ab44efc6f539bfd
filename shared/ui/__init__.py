"""Qt widgets both apps use: video view, seek bar, transcript, chapters, job worker.

Importing this package first works around a PySide6 signal bug
(see :mod:`shared.ui.pyside_fix`).
"""

import os

# Qt probes for PipeWire on import and logs two lines when it is absent (it is optional).
os.environ.setdefault("QT_LOGGING_RULES", "qt.multimedia.symbolsresolver=false")

from shared.ui import pyside_fix  # noqa: E402

pyside_fix.install()

__all__ = ["pyside_fix"]
