"""Files Lectern needs at run time: the package schema and the sample lecture.

Installed as the ``lectern_resources`` package; use :func:`path` to find a file.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["path"]

ROOT = Path(__file__).resolve().parent


def path(*parts: str) -> Path:
    """The absolute path of a resource, e.g. ``path("schema", "manifest-1.schema.json")``."""
    return ROOT.joinpath(*parts)
