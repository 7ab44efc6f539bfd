"""Sending the learner's queued xAPI statements to their LRS (``lectern-player sync``).

:func:`sync` is a long job in the house style (``run(inputs, state) -> Result``). It
sends nothing unless the learner set an LRS address (the library's ``lrs_address``
setting). It first queues the statements made from the library's progress, then POSTs
the queue in batches, oldest first, and marks each batch sent as soon as the LRS
acknowledges it. Going offline halfway, a 4xx or a 5xx stops it with one sentence
(:class:`shared.lrs.LrsError`): what was acknowledged stays marked sent, the rest stays
queued for next time, nothing is lost. Sending again is harmless: statement ids make the
LRS store each statement once.
"""

from __future__ import annotations

from dataclasses import dataclass

from shared.errors import LecternError
from shared.jobs import JobState, ProgressState, check_cancelled
from shared.library import Library
from shared.lrs import LrsError, LrsUnreachableError, send_statements

__all__ = ["BATCH_SIZE", "SyncResult", "NoLrsError", "sync"]

#: Statements per POST: large enough to keep requests few, small enough that a batch
#: cut off by a lost connection costs little to send again.
BATCH_SIZE = 500


class NoLrsError(LecternError):
    """Sync was asked for, but the learner has not set an LRS."""

    def __init__(self) -> None:
        super().__init__(
            "No LRS is set, so nothing was sent; set its address with "
            "`lectern-player lrs --address URL --user NAME --key KEY` or in the Player's settings."
        )


@dataclass(frozen=True)
class SyncResult:
    """What one sync did.

    Attributes:
        address: the LRS's address.
        sent: statements acknowledged by the LRS in this sync.
        waiting: statements still queued afterwards.
        error: why it stopped early (one sentence), or ``""`` when everything went.
        unreachable: it stopped because the LRS could not be reached (offline), not
            because the LRS answered with an error.
    """

    address: str
    sent: int
    waiting: int
    error: str = ""
    unreachable: bool = False


def sync(
    library: Library, state: ProgressState | None = None, *, batch_size: int = BATCH_SIZE
) -> SyncResult:
    """Send every queued statement to the learner's LRS, in batches, oldest first.

    Args:
        library: the learner's library (its settings name the LRS).
        state: progress and cancellation; the status names the batch being sent.
        batch_size: statements per request.

    Returns:
        What was sent and what is still waiting; ``error`` says why it stopped early
        (unreachable, refused, failed), in which case the rest stays queued.

    Raises:
        NoLrsError: no LRS address is set (nothing is sent).
        Cancelled: ``state`` asked to stop; batches already acknowledged stay sent.
    """
    state = state or JobState()
    endpoint = library.outbox.endpoint()
    if endpoint is None:
        raise NoLrsError()
    library.outbox.queue_progress()
    total = library.outbox.counts().waiting
    sent = 0
    error = ""
    unreachable = False
    state.set_status(f"Sending {total} statement(s) to {endpoint.address}")
    for batch in library.outbox.batches(batch_size):
        check_cancelled(state, "Sending to the LRS")
        try:
            acknowledged = send_statements(endpoint, batch)
        except LrsError as failure:
            error = str(failure)
            unreachable = isinstance(failure, LrsUnreachableError)
            break
        library.outbox.mark_sent(acknowledged)
        sent += len(acknowledged)
        state.set_progress(sent / total if total else 1.0)
    waiting = library.outbox.counts().waiting
    return SyncResult(endpoint.address, sent, waiting, error, unreachable)
