"""Checkpoints in the Player: pause at each question, ask it over the video, keep the answer.

The gate watches every picture the video shows (``VideoView.frameShown``) and pauses
when a picture reaches half a frame before a question's time, then moves to exactly
that time, so the question appears within one frame of where the teacher put it.
Questions answered before (kept in the library) are not asked again while playing; a
required question that is not answered yet cannot be passed by seeking: a seek past it
stops there and asks it. After a wrong answer to a question that offers it, the learner
can re-watch its chapter, and the question is asked again at the end.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QEvent, QObject, Signal

from shared.checkpoints import Checkpoint
from shared.errors import LecternError
from shared.library import CheckpointAnswer, Library
from shared.ui.question_card import QuestionCard
from shared.ui.video_view import VideoView

__all__ = ["CheckpointGate"]

_EPS = 1e-3
DEFAULT_FRAME = 1 / 30


class CheckpointGate(QObject):
    """Asks a lesson's checkpoints as the video plays.

    Signals:
        asking(bool): a question is shown (True) or the last one was left (False).
        answersChanged(): an answer was kept (completion may have changed).
        rewatchRequested(float): play again from this time (a chapter's start).
        failed(str): an error message to show.
    """

    asking = Signal(bool)
    answersChanged = Signal()
    rewatchRequested = Signal(float)
    failed = Signal(str)

    def __init__(
        self,
        library: Library,
        video: VideoView,
        chapter_start: Callable[[float], float],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.library = library
        self.video = video
        self._chapter_start = chapter_start
        self.card = QuestionCard(video)
        self.card.answered.connect(self._answered)
        self.card.continued.connect(self._next)
        self.card.skipped.connect(self._next)
        self.card.rewatchRequested.connect(self._rewatch)
        video.installEventFilter(self)
        self._where: tuple[str, str] | None = None
        self._questions: list[tuple[float, Checkpoint]] = []
        self._answers: dict[str, CheckpointAnswer] = {}
        self._done: set[str] = set()
        self._queue: list[Checkpoint] = []
        self._gate = 0.0
        self._armed_from = 0.0
        self._frame = DEFAULT_FRAME
        self._last_frame: float | None = None
        self._resume = False
        self._gate_after_seek: float | None = None
        #: ``(question time, time of the picture that stopped playback)`` for each stop.
        self.stops: list[tuple[float, float]] = []

    # ---------------------------------------------------------------- lesson

    def load(self, course_id: str, lesson_id: str) -> None:
        """Read the lesson's questions and the learner's answers to them."""
        self.clear()
        try:
            questions = self.library.checkpoints.of(course_id, lesson_id)
            times = self.library.checkpoints.times(course_id, lesson_id)
            self._answers = self.library.checkpoints.answers(course_id, lesson_id)
        except LecternError as error:
            self.failed.emit(str(error))
            return
        self._where = (course_id, lesson_id)
        self._questions = sorted(
            ((times.get(q.id, 0.0), q) for q in questions), key=lambda pair: pair[0]
        )
        self._done = set(self._answers)

    def clear(self) -> None:
        self._where = None
        self._questions, self._answers, self._done, self._queue = [], {}, set(), []
        self._armed_from, self._last_frame = 0.0, None
        if self.card.isVisible():
            self.card.hide()
            self.asking.emit(False)

    def questions(self) -> list[tuple[float, Checkpoint]]:
        """``(time, question)`` of the lesson, in time order."""
        return list(self._questions)

    def answers(self) -> dict[str, CheckpointAnswer]:
        return dict(self._answers)

    def marks(self) -> list[tuple[float, str, str]]:
        """The seek bar's diamonds: ``(time, state, name)``."""
        marks = []
        for at, question in self._questions:
            answer = self._answers.get(question.id)
            if answer is not None:
                state = "right" if answer.correct else "wrong"
            else:
                state = "required" if question.required else "open"
            marks.append((at, state, question.name))
        return marks

    def is_asking(self) -> bool:
        return self.card.isVisible()

    def time_of(self, question_id: str) -> float | None:
        """When the question with this id is asked, or ``None`` if the lesson has none such."""
        return next((at for at, q in self._questions if q.id == question_id), None)

    def ask_again(self, question_id: str) -> None:
        """Ask one question now, at its moment, answered before or not (the learner chose it).

        Playback stays paused after it. The video should already be at its moment, moved
        there by a seek that respects the required questions before it.
        """
        at = self.time_of(question_id)
        if at is None or self.card.isVisible():
            return
        self._done.discard(question_id)
        self._armed_from = at
        self._stop_at(at, resume=False)

    # -------------------------------------------------------------- playback

    def _next_gate(self) -> float | None:
        for at, question in self._questions:
            if at >= self._armed_from - _EPS and question.id not in self._done:
                return at
        return None

    def check(self, seconds: float) -> None:
        """A picture at ``seconds`` is shown: stop if it reaches the next question."""
        if self._last_frame is not None and 0.0 < seconds - self._last_frame < 0.25:
            self._frame = seconds - self._last_frame
        self._last_frame = seconds
        if self.card.isVisible() or not self.video.is_playing():
            return
        gate = self._next_gate()
        if gate is not None and seconds >= gate - self._frame / 2:
            self.stops.append((gate, seconds))
            self._stop_at(gate, resume=True)

    def at_end(self) -> None:
        """The video ended: ask what is left at its end."""
        gate = self._next_gate()
        if gate is not None and not self.card.isVisible():
            self._stop_at(gate, resume=False)

    def before_seek(self, target: float) -> float:
        """Where a seek to ``target`` may go: not past a required question not answered.

        Going past one stops at it and asks it. Seeking while a question is shown leaves
        a question that is not required; a required one allows going back only.
        """
        if self.card.isVisible():
            current = self._queue[0] if self._queue else None
            if current is not None and current.required and target > self._gate + _EPS:
                return self._gate
            self._queue = []
            self.card.hide()
            self.asking.emit(False)
        blocking = next(
            (
                at
                for at, q in self._questions
                if q.required and q.id not in self._answers and at < target - _EPS
            ),
            None,
        )
        if blocking is not None:
            self._gate_after_seek = blocking
            self._armed_from = blocking
            return blocking
        self._gate_after_seek = None
        self._armed_from = target
        return target

    def after_seek(self) -> None:
        """Ask the required question a seek stopped at (see :meth:`before_seek`)."""
        gate, self._gate_after_seek = self._gate_after_seek, None
        # While playing, the seek's own position report may have stopped there already.
        if gate is not None and not self.card.isVisible():
            self._stop_at(gate, resume=self.video.is_playing())

    def _stop_at(self, gate: float, *, resume: bool) -> None:
        self._resume = resume
        self.video.pause()
        self.video.seek(gate)
        self._gate = gate
        self._queue = [
            q for at, q in self._questions if abs(at - gate) <= _EPS and q.id not in self._done
        ]
        if not self._queue:
            return
        self.asking.emit(True)
        self._ask()

    def _ask(self) -> None:
        question = self._queue[0]
        at_gate = [q for at, q in self._questions if abs(at - self._gate) <= _EPS]
        number = at_gate.index(question) + 1
        heading = f"Question {number} of {len(at_gate)}" if len(at_gate) > 1 else "Question"
        if question.required:
            heading += " · required"
        previous = self._answers.get(question.id)
        self.card.ask(question, heading=heading, previous=previous.answer if previous else None)
        self._place()

    def _answered(self, response: object, spent: float) -> None:
        if not self._queue or self._where is None:
            return
        question = self._queue[0]
        try:
            result = self.library.checkpoints.answer(
                *self._where,
                question,
                response,
                spent=spent,  # type: ignore[arg-type]
            )
            self._answers = self.library.checkpoints.answers(*self._where)
        except (LecternError, ValueError) as error:
            self.failed.emit(str(error))
            return
        self.card.show_result(result)
        self.answersChanged.emit()

    def _next(self) -> None:
        if self._queue:
            self._done.add(self._queue.pop(0).id)
        if self._queue:
            self._ask()
            return
        self.card.hide()
        self._armed_from = self._gate + _EPS
        self.asking.emit(False)
        if self._resume and self.video.position() < self.video.duration() - 0.05:
            self.video.play()

    def _rewatch(self) -> None:
        start = self._chapter_start(self._gate)
        for question in self._queue:
            self._done.discard(question.id)  # asked again when the chapter has played
        self._queue = []
        self.card.hide()
        self.asking.emit(False)
        self._armed_from = start
        self.rewatchRequested.emit(start)

    # ---------------------------------------------------------------- layout

    def _place(self) -> None:
        area = self.video.rect()
        width = min(max(int(area.width() * 0.72), 320), area.width() - 16, 760)
        self.card.setFixedWidth(width)
        self.card.adjustSize()
        height = min(self.card.sizeHint().height(), area.height() - 16)
        self.card.setGeometry(
            (area.width() - width) // 2, max((area.height() - height) // 2, 8), width, height
        )
        self.card.raise_()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.video and event.type() == QEvent.Type.Resize and self.card.isVisible():
            self._place()
        return False


def chapter_start_of(starts: Sequence[float], time: float) -> float:
    """The start of the chapter that ``time`` falls in (0 without chapters)."""
    before = [start for start in starts if start < time - _EPS]
    return max(before) if before else 0.0
