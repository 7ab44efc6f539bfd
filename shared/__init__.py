"""Lectern's domain: media, transcription, chapters, captions, course packages.

Nothing here imports Qt except ``shared.ui``; both apps build on these modules.
"""

__version__ = "0.1.0"

__all__ = [
    "__version__",
    "captions",
    "chapters",
    "errors",
    "files",
    "jobs",
    "manifest",
    "media",
    "package",
    "settings",
    "signing",
    "terminal",
    "transcription",
    "workspace",
]
