"""Checkpoints: questions asked during a lesson, and the question banks they come from.

* :mod:`~shared.checkpoints.model`: :class:`Checkpoint`, its choices and accepted
  answers, placement and :func:`grade`;
* :mod:`~shared.checkpoints.banks`: :func:`import_bank` for Moodle GIFT, Aiken and
  Lectern's JSON;
* :mod:`~shared.checkpoints.review`: the learner's Leitner boxes (1, 3 and 7 days).

A lesson's checkpoints file (``checkpoints.json``, schema
``resources/schema/checkpoints-1.schema.json``) is checked and read by
:func:`shared.contents.read_checkpoints`, like the lesson's other content files, and
written by :func:`save_checkpoints`.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from shared.checkpoints.banks import BankError, BankImport, Skipped, import_bank
from shared.checkpoints.model import (
    KINDS,
    MULTIPLE,
    SHORT,
    SINGLE,
    TRUE_FALSE,
    Accepted,
    Checkpoint,
    Choice,
    Grade,
    checkpoint_id,
    grade,
    normalize_answer,
    parse_number,
    true_false_choices,
    unique_ids,
)
from shared.files import write_json_atomic

__all__ = [
    "KINDS",
    "SINGLE",
    "MULTIPLE",
    "TRUE_FALSE",
    "SHORT",
    "Accepted",
    "Checkpoint",
    "Choice",
    "Grade",
    "BankError",
    "BankImport",
    "Skipped",
    "checkpoint_id",
    "grade",
    "import_bank",
    "normalize_answer",
    "parse_number",
    "true_false_choices",
    "unique_ids",
    "checkpoints_data",
    "save_checkpoints",
]


def checkpoints_data(checkpoints: Sequence[Checkpoint]) -> dict:
    """The checkpoints as the JSON data of a checkpoints file."""
    return {
        "format": "lectern-checkpoints",
        "checkpoints": [item.to_dict() for item in checkpoints],
    }


def save_checkpoints(path: str | Path, checkpoints: Sequence[Checkpoint]) -> Path:
    """Write a checkpoints file atomically (a temp file renamed into place)."""
    return write_json_atomic(path, checkpoints_data(checkpoints))
