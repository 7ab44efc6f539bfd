"""A lesson's checkpoints in the Studio: import a question bank into a lesson folder.

The questions live in the lesson folder's ``checkpoints.json`` (see
:meth:`shared.workspace.LessonWorkspace.save_checkpoints`) and travel in the course
package. The CLI (``lectern-studio checkpoints``) and the review window both import
through :func:`import_checkpoints`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from shared.checkpoints import BankImport, Checkpoint, Skipped, import_bank
from shared.errors import LecternError
from shared.timecode import clock
from shared.workspace import LessonWorkspace

__all__ = ["PlacementError", "ImportOutcome", "import_checkpoints", "placed"]


class PlacementError(LecternError):
    """A place to ask questions that the lesson does not have."""


@dataclass(frozen=True)
class ImportOutcome:
    """What an import did to a lesson.

    Attributes:
        added: the questions added, as placed.
        skipped: the bank's questions that could not be used, each with its reason.
        checkpoints: all of the lesson's checkpoints afterwards.
    """

    added: tuple[Checkpoint, ...]
    skipped: tuple[Skipped, ...]
    checkpoints: tuple[Checkpoint, ...]


def placed(
    bank: BankImport,
    *,
    duration: float,
    chapters: int,
    at: float | None = None,
    after_chapter: int | None = None,
) -> tuple[Checkpoint, ...]:
    """The bank's questions asked at ``at`` seconds or after chapter ``after_chapter``.

    With neither, each keeps its own placement (a Lectern file) or none (the end).

    Raises:
        PlacementError: the time is outside the lesson, or there is no such chapter.
    """
    if at is not None:
        if not 0 <= at <= duration:
            raise PlacementError(
                f"{at:g} s is outside the lesson, which is {clock(duration)} long; "
                "choose a time within it."
            )
        return tuple(item.placed(at=at) for item in bank.checkpoints)
    if after_chapter is not None:
        if not 1 <= after_chapter <= max(chapters, 0):
            have = {0: "has no chapters", 1: "has 1 chapter"}.get(
                chapters, f"has {chapters} chapters"
            )
            raise PlacementError(
                f"There is no chapter {after_chapter}: the lesson {have}; "
                "choose one of them or a time (--at)."
            )
        return tuple(item.placed(after_chapter=after_chapter) for item in bank.checkpoints)
    return bank.checkpoints


def import_checkpoints(
    folder: str | Path | LessonWorkspace,
    bank_path: str | Path,
    *,
    at: float | None = None,
    after_chapter: int | None = None,
    required: bool | None = None,
    rewatch_on_wrong: bool | None = None,
) -> ImportOutcome:
    """Add the questions of a bank (GIFT, Aiken or Lectern JSON) to a lesson folder.

    Questions the lesson has already (the same id) are not added twice. ``required``
    and ``rewatch_on_wrong``, when given, are set on every added question (GIFT and
    Aiken cannot say them).

    Raises:
        BankError: the bank cannot be read.
        PlacementError: the placement does not fit the lesson.
        WorkspaceError: the lesson folder or its checkpoints cannot be read.
        DiskFullError, OutputNotWritableError: the lesson cannot be written.
    """
    workspace = LessonWorkspace.open(folder)
    lesson = workspace.lesson
    existing = workspace.checkpoints()
    bank = import_bank(bank_path, duration=lesson.duration)
    known = {item.id for item in existing}
    fresh = BankImport(tuple(q for q in bank.checkpoints if q.id not in known), bank.skipped)
    added = placed(
        fresh,
        duration=lesson.duration,
        chapters=len(workspace.chapters()),
        at=at,
        after_chapter=after_chapter,
    )
    flags = {
        name: value
        for name, value in (("required", required), ("rewatch_on_wrong", rewatch_on_wrong))
        if value is not None
    }
    added = tuple(dataclasses.replace(item, **flags) for item in added)
    everything = (*existing, *added)
    if added:
        workspace.save_checkpoints(everything)
    return ImportOutcome(added, bank.skipped, everything)


def describe(checkpoints: Sequence[Checkpoint]) -> list[dict]:
    """The checkpoints as ``list --json`` prints them."""
    return [
        {
            "id": item.id,
            "kind": item.kind,
            "name": item.name,
            "prompt": item.prompt,
            "placement": item.placement(),
            "at": item.at,
            "after_chapter": item.after_chapter,
            "required": item.required,
            "rewatch_on_wrong": item.rewatch_on_wrong,
        }
        for item in checkpoints
    ]
