"""The library's value objects: what its lookups, imports, searches and notes return."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from shared.chapters import Chapter, Slide
from shared.checkpoints import Checkpoint
from shared.signing import describe_signer
from shared.transcription import Segment

__all__ = [
    "LessonTexts",
    "ImportResult",
    "ImportPlan",
    "InstalledCourse",
    "LessonInfo",
    "SearchHit",
    "CourseProgress",
    "ContinueItem",
    "Note",
    "Attempt",
    "CheckpointAnswer",
    "ReviewItem",
    "NOTE_KINDS",
]


@dataclass(frozen=True)
class LessonTexts:
    """The searchable text of one lesson, as read from its transcript, chapters and slides,
    and its checkpoints (whose times and ``required`` the library keeps for completion)."""

    segments: tuple[Segment, ...] = ()
    chapters: tuple[Chapter, ...] = ()
    checkpoints: tuple[Checkpoint, ...] = ()
    slides: tuple[Slide, ...] = ()


@dataclass(frozen=True)
class ImportResult:
    """What :meth:`Library.import_course` did.

    Attributes:
        course_id: the course's id in the library (the package's, or a new one for
            a course installed beside another, such as ``bio-2``).
        title: the course's title.
        action: ``"imported"``, ``"unchanged"``, ``"updated"`` or ``"repaired"``.
        signed_by: who signed the package (:func:`shared.signing.describe_signer`).
        beside: the installed course this one was installed beside rather than
            over, because the package is unsigned or signed by another key; else ``None``.
        beside_title: that course's title.
        orphaned: titles of lessons the update no longer has but the learner left
            notes or progress on; those are kept (see :meth:`Library.orphans`).
    """

    course_id: str
    title: str
    action: str
    signed_by: str = "unsigned"
    beside: str | None = None
    beside_title: str = ""
    orphaned: tuple[str, ...] = ()

    @property
    def notices(self) -> list[str]:
        """What the learner must be told beyond the action, one sentence each."""
        lines = []
        if self.beside is not None:
            why = (
                "it is unsigned"
                if self.signed_by == "unsigned"
                else f"it is {self.signed_by}, not by the key of the installed course"
            )
            lines.append(
                f"It was installed as a separate course beside '{self.beside_title}' "
                f"({self.beside}), not over it, because {why}; your course was not changed."
            )
        if self.orphaned:
            names = ", ".join(f"'{title}'" for title in self.orphaned)
            lines.append(
                f"{len(self.orphaned)} lesson(s) are no longer in the course ({names}); "
                "your notes and progress on them are kept, and exporting the notes includes them."
            )
        return lines


@dataclass(frozen=True)
class ImportPlan:
    """What :meth:`Library.import_course` would do with a package (see :meth:`Library.plan_import`).

    Attributes:
        course_id: the library id the course would have.
        title: the package's course title.
        action: ``"import"``, ``"update"``, ``"beside"`` or ``"unchanged"``.
        signed_by: who signed the package.
        orphaned: titles of installed lessons with the learner's notes or progress
            that an update would drop (those would be kept as orphans).
    """

    course_id: str
    title: str
    action: str
    signed_by: str
    orphaned: tuple[str, ...] = ()


@dataclass(frozen=True)
class InstalledCourse:
    """An installed course, for the library view.

    Attributes:
        id, version, title, author, description, language: from the manifest.
        lesson_count: number of lessons.
        duration: all lessons together, in seconds.
        cover: absolute path of the cover (else the first lesson's poster or
            thumbnail), or ``None``.
        completed_lessons: lessons completed.
        coverage: share of the whole course watched, 0..1.
        last_opened: when a lesson was last opened, or ``None``.
        package_id: the course id its package gives (``id`` differs for a course
            installed beside another with the same package id).
        signer_key: the raw public key that signed the installed package, or ``None``.
    """

    id: str
    version: int
    title: str
    author: str
    description: str
    language: str
    lesson_count: int
    duration: float
    cover: Path | None
    completed_lessons: int
    coverage: float
    last_opened: datetime | None
    package_id: str = ""
    signer_key: bytes | None = None

    @property
    def signed_by(self) -> str:
        """``"signed by <author> (key <fingerprint>)"`` or ``"unsigned"``."""
        return describe_signer(self.author, self.signer_key)


@dataclass(frozen=True)
class LessonInfo:
    """An installed lesson with its files (absolute paths) and the learner's progress.

    Attributes:
        course_id: the course.
        id: the lesson id.
        position: 0-based place in the course.
        title: the title.
        duration: length in seconds.
        video: the main video.
        presenter_video: the camera video, if any.
        captions: caption files by language.
        poster: the poster image, if any.
        resume_position: where playback stopped, in seconds.
        coverage: share watched, 0..1.
        completed: whether the lesson counts as completed.
    """

    course_id: str
    id: str
    position: int
    title: str
    duration: float
    video: Path
    presenter_video: Path | None
    captions: Mapping[str, Path]
    poster: Path | None
    resume_position: float
    coverage: float
    completed: bool


@dataclass(frozen=True)
class SearchHit:
    """One search result.

    Attributes:
        kind: ``"segment"`` (said), ``"slide"`` (shown on a slide), ``"chapter"``,
            ``"lesson"``, ``"course"`` or ``"note"``.
        course_id: the course.
        course_title: its title.
        lesson_id: the lesson, or ``None`` for a course hit.
        lesson_title: its title, or ``None``.
        time: where in the lesson, in seconds, or ``None`` for course and lesson hits;
            for a slide hit, the moment its text first appears.
        snippet: the text with matched words between :data:`MARK_START` and :data:`MARK_END`.
        rank: weighted bm25; lower is better and hits come sorted by it.
        note_id: the note, for a note hit.
        approximate: found through words close to the typed ones (the typed words
            themselves found nothing), for the UI to mark as approximate.
    """

    kind: str
    course_id: str
    course_title: str
    lesson_id: str | None
    lesson_title: str | None
    time: float | None
    snippet: str
    rank: float
    note_id: int | None = None
    approximate: bool = False


@dataclass(frozen=True)
class CourseProgress:
    """How far the learner is in one course."""

    completed_lessons: int
    total_lessons: int
    coverage: float


@dataclass(frozen=True)
class ContinueItem:
    """A lesson to resume."""

    course_id: str
    course_title: str
    lesson_id: str
    lesson_title: str
    position: float
    duration: float
    coverage: float
    last_played: datetime


@dataclass(frozen=True)
class Note:
    """A note or bookmark at a time in a lesson.

    Attributes:
        id: the note's id.
        course_id, lesson_id: where it belongs.
        time: seconds into the lesson.
        text: the learner's text (may be empty for a bookmark).
        kind: ``"note"`` or ``"bookmark"``.
        created, updated: when it was written and last changed.
    """

    id: int
    course_id: str
    lesson_id: str
    time: float
    text: str
    kind: str
    created: datetime
    updated: datetime


NOTE_KINDS = ("note", "bookmark")


@dataclass(frozen=True)
class Attempt:
    """One attempt at a checkpoint question.

    Attributes:
        number: 1 for the first attempt, and so on.
        answer: what was answered (index, list of indexes or text).
        correct: whether it was right.
        spent: seconds spent on this attempt.
        answered: when.
    """

    number: int
    answer: Any
    correct: bool
    spent: float
    answered: datetime


@dataclass(frozen=True)
class CheckpointAnswer:
    """The learner's answer to one checkpoint, as kept in the library.

    Attributes:
        checkpoint_id: the question's id in its lesson.
        answer: the last answer (index, list of indexes or text).
        correct: whether the last answer was right.
        attempts: how many times it was answered.
        spent: seconds spent answering, all attempts together.
        first_answered: when it was first answered.
        answered: when it was last answered.
        box: its Leitner box (1..3) in the review, or ``None``.
        due: when it comes back in the review, or ``None``.
    """

    checkpoint_id: str
    answer: Any
    correct: bool
    attempts: int
    spent: float
    first_answered: datetime
    answered: datetime
    box: int | None = None
    due: datetime | None = None


@dataclass(frozen=True)
class ReviewItem:
    """A question due in the learner's review.

    Attributes:
        course_id, course_title, lesson_id, lesson_title: where it is asked.
        checkpoint: the question.
        time: when the lesson asks it, in seconds.
        explained_at: the start of the chapter it belongs to: where to jump to see
            what explains it.
        box: its Leitner box (1..3).
        due: when it became due.
    """

    course_id: str
    course_title: str
    lesson_id: str
    lesson_title: str
    checkpoint: Checkpoint
    time: float
    explained_at: float
    box: int
    due: datetime
