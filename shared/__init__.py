"""Lectern's domain: the Qt-free layer under both apps, plus the widgets both apps use.

"shared" means *free of Qt*, not *used by both apps*. Everything in this package
except ``shared.ui`` imports and runs without PySide6 (a test blocks PySide6 and
imports every module), so it runs from a test, a command line or a window alike.
Some modules serve one app only: ``library`` is the Player's SQLite library,
``workspace`` and most of ``media`` serve the Studio's lesson folders. They live here
because they are domain code, not because both apps import them.

``shared.ui`` is the one exception: the Qt widgets both apps use (video view, seek
bar, transcript view, chapter list, the job worker and dialogs).

Layers look down only: ``studio`` and ``player`` import ``shared``; ``shared`` never
imports either app; the apps never import each other. See docs/architecture.md.
"""

__version__ = "0.1.0"

__all__ = [
    "__version__",
    "captions",
    "chapters",
    "errors",
    "files",
    "jobs",
    "logs",
    "manifest",
    "media",
    "package",
    "settings",
    "signing",
    "speech_models",
    "terminal",
    "timecode",
    "transcription",
    "whisper_checkpoint",
    "workspace",
]
