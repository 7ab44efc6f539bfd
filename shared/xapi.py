"""The learner's activity as xAPI statements, following the xAPI Video Profile.

Activity ids (documented in the README): a lesson is
``urn:lectern:course:<course id>:lesson:<lesson uid or id>`` and one of its questions
``<lesson activity id>:checkpoint:<question id>``. The learner is pseudonymous: an
``account`` on ``urn:lectern`` named by a random id made once per library; a name or
e-mail goes out only if the learner gives one.

Statement ids are UUID 5 of what the statement says (who, verb, object and the
facts), so the same progress exported twice gives the same ids and an LRS stores it
once. Times are seconds, as the profile's ``time``, ``time-from`` and ``time-to``;
``played-segments`` is the profile's ``start[.]end`` list joined by ``[,]``.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, timezone
from typing import Any

__all__ = [
    "VERBS",
    "EXT",
    "lesson_activity",
    "checkpoint_activity",
    "actor",
    "played_segments",
    "played",
    "completed",
    "answered",
    "EVENTS",
    "event",
    "with_actor",
]

_NAMESPACE = uuid.UUID("6f1f3a52-63a5-4d6c-9d1b-6c1c2f9a4e10")
VERBS = {
    "initialized": "http://adlnet.gov/expapi/verbs/initialized",
    "played": "https://w3id.org/xapi/video/verbs/played",
    "paused": "https://w3id.org/xapi/video/verbs/paused",
    "seeked": "https://w3id.org/xapi/video/verbs/seeked",
    "completed": "http://adlnet.gov/expapi/verbs/completed",
    "terminated": "http://adlnet.gov/expapi/verbs/terminated",
    "answered": "http://adlnet.gov/expapi/verbs/answered",
}
_VIDEO = "https://w3id.org/xapi/video/extensions/"
EXT = {
    name: _VIDEO + name
    for name in (
        "time",
        "time-from",
        "time-to",
        "progress",
        "played-segments",
        "length",
        "session-id",
    )
}
_VIDEO_TYPE = "https://w3id.org/xapi/video/activity-type/video"
_QUESTION_TYPE = "http://adlnet.gov/expapi/activities/cmi.interaction"
_PROFILE = "https://w3id.org/xapi/video"


def lesson_activity(course_id: str, lesson_key: str) -> str:
    """The activity id of a lesson (``lesson_key``: its uid, or its id in older packages)."""
    return f"urn:lectern:course:{course_id}:lesson:{lesson_key}"


def checkpoint_activity(course_id: str, lesson_key: str, checkpoint_id: str) -> str:
    """The activity id of one question of a lesson."""
    return f"{lesson_activity(course_id, lesson_key)}:checkpoint:{checkpoint_id}"


def actor(learner_id: str, *, name: str = "", email: str = "") -> dict[str, Any]:
    """The learner: pseudonymous unless a name or e-mail is given."""
    agent: dict[str, Any] = {"objectType": "Agent"}
    if email:
        agent["mbox"] = f"mailto:{email}"
    else:
        agent["account"] = {"homePage": "urn:lectern", "name": learner_id}
    if name:
        agent["name"] = name
    return agent


def played_segments(segments: Sequence[tuple[float, float]]) -> str:
    """The profile's ``played-segments``: ``"0.000[.]12.500[,]30.000[.]41.000"``."""
    return "[,]".join(f"{start:.3f}[.]{end:.3f}" for start, end in segments)


def _stamp(ms: int) -> str:
    when = datetime.fromtimestamp(ms / 1000, timezone.utc)
    return when.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _statement(
    who: dict[str, Any],
    verb: str,
    activity: dict[str, Any],
    *,
    at_ms: int,
    result: dict[str, Any] | None = None,
    context_extensions: dict[str, Any] | None = None,
    key: str = "",
) -> dict[str, Any]:
    ident = uuid.uuid5(_NAMESPACE, f"{who}|{verb}|{activity['id']}|{key}")
    statement: dict[str, Any] = {
        "id": str(ident),
        "actor": who,
        "verb": {"id": VERBS[verb], "display": {"en-US": verb}},
        "object": activity,
        "timestamp": _stamp(at_ms),
        "context": {
            "contextActivities": {"category": [{"id": _PROFILE}]},
            "extensions": context_extensions or {},
        },
    }
    if result:
        statement["result"] = result
    return statement


def _video(activity_id: str, title: str) -> dict[str, Any]:
    return {
        "objectType": "Activity",
        "id": activity_id,
        "definition": {"type": _VIDEO_TYPE, "name": {"en-US": title}},
    }


def played(
    who: dict[str, Any], activity_id: str, title: str, start: float, end: float, *, at_ms: int
) -> dict[str, Any]:
    """A stretch of the video watched without a jump (``time-from`` .. ``time-to``)."""
    return _statement(
        who,
        "played",
        _video(activity_id, title),
        at_ms=at_ms,
        result={"extensions": {EXT["time-from"]: round(start, 3), EXT["time-to"]: round(end, 3)}},
        key=f"{start:.3f}-{end:.3f}",
    )


def completed(
    who: dict[str, Any],
    activity_id: str,
    title: str,
    *,
    length: float,
    segments: Sequence[tuple[float, float]],
    progress: float,
    at_ms: int,
) -> dict[str, Any]:
    """The lesson completed, with its progress and the segments played."""
    return _statement(
        who,
        "completed",
        _video(activity_id, title),
        at_ms=at_ms,
        result={
            "completion": True,
            "extensions": {
                EXT["progress"]: round(progress, 3),
                EXT["played-segments"]: played_segments(segments),
                EXT["time"]: round(length, 3),
            },
        },
        context_extensions={EXT["length"]: round(length, 3)},
        key=played_segments(segments),
    )


def answered(
    who: dict[str, Any],
    activity_id: str,
    *,
    prompt: str,
    interaction: str,
    response: str,
    success: bool,
    attempts: int,
    at_ms: int,
) -> dict[str, Any]:
    """A question answered: a ``cmi.interaction`` with its response and success."""
    activity = {
        "objectType": "Activity",
        "id": activity_id,
        "definition": {
            "type": _QUESTION_TYPE,
            "interactionType": interaction,
            "description": {"en-US": prompt},
        },
    }
    return _statement(
        who,
        "answered",
        activity,
        at_ms=at_ms,
        result={"success": success, "response": response},
        key=f"{attempts}|{response}|{success}",
    )


#: The player's own events, recorded as they happen (``played`` too, when playing starts).
EVENTS = ("initialized", "played", "paused", "seeked", "terminated")


def event(
    who: dict[str, Any],
    activity_id: str,
    title: str,
    verb: str,
    *,
    session: str,
    length: float,
    at_ms: int,
    time: float | None = None,
    time_from: float | None = None,
    time_to: float | None = None,
    progress: float | None = None,
    segments: Sequence[tuple[float, float]] | None = None,
) -> dict[str, Any]:
    """One of the player's events (:data:`EVENTS`) as the Video Profile writes it.

    ``initialized`` carries no result; ``played`` has ``time``; ``paused`` and
    ``terminated`` have ``time``, ``progress`` and ``played-segments``; ``seeked`` has
    ``time-from`` and ``time-to``. Every one carries the ``session-id`` (one per opening
    of a lesson) and the video's ``length`` in its context. The id is made from the
    learner, the session, the moment and the facts, so it never changes once recorded.

    Raises:
        ValueError: ``verb`` is not one of :data:`EVENTS`.
    """
    if verb not in EVENTS:
        raise ValueError(f"not a player event: {verb!r}")
    facts: dict[str, Any] = {}
    if time is not None:
        facts[EXT["time"]] = round(time, 3)
    if time_from is not None:
        facts[EXT["time-from"]] = round(time_from, 3)
    if time_to is not None:
        facts[EXT["time-to"]] = round(time_to, 3)
    if progress is not None:
        facts[EXT["progress"]] = round(progress, 3)
    if segments is not None:
        facts[EXT["played-segments"]] = played_segments(segments)
    statement = _statement(
        who,
        verb,
        _video(activity_id, title),
        at_ms=at_ms,
        result={"extensions": facts} if facts else None,
        context_extensions={EXT["length"]: round(length, 3), EXT["session-id"]: session},
        key=f"{session}|{at_ms}|{sorted(facts.items())}",
    )
    statement["context"]["registration"] = session
    return statement


def with_actor(statement: dict[str, Any], who: dict[str, Any]) -> dict[str, Any]:
    """``statement`` as told by ``who`` (its id kept): queued statements are recorded
    pseudonymously and get the learner's name or e-mail, if given, when they are sent."""
    return {**statement, "actor": who}
