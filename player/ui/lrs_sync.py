"""Sending the learner's activity to their LRS from the window: the settings dialog and
the background sync with its status in the status bar.

:class:`LrsDialog` edits the library's LRS settings (address, user, key, and the name or
e-mail the learner may choose to give). :class:`BackgroundSync` runs
:func:`shared.sync.sync` in the window's worker when an LRS is set: soon after the
window opens, after a lesson is left, after the settings change, and every minute while
statements wait, so the queue goes out whenever the LRS can be reached. Its label says
what the learner needs to know: nothing set, how many wait, all sent, or why the last
try failed (offline, refused) and that the statements are kept.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from shared.errors import LecternError
from shared.jobs import ProgressState
from shared.library import Library
from shared.sync import SyncResult, sync
from shared.ui.worker import Job, Worker

__all__ = ["LrsDialog", "BackgroundSync", "RETRY_MS"]

#: How often a waiting queue is tried again (milliseconds).
RETRY_MS = 60_000
#: The first try after the window opens (milliseconds).
FIRST_MS = 3_000

_FIELDS = (
    ("lrs_address", "LRS address", "https://lrs.example.org/xAPI/"),
    ("lrs_user", "User", "the user name or key the LRS gave you"),
    ("lrs_key", "Key", "the password or secret"),
    ("learner_name", "Your name", "optional: sent only if you enter it"),
    ("learner_email", "Your e-mail", "optional: sent only if you enter it"),
)


class LrsDialog(QDialog):
    """The LRS settings: saved in the library only when every value is allowed."""

    def __init__(self, library: Library, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.library = library
        self.setWindowTitle("Send your activity to an LRS")
        intro = QLabel(
            "Lectern keeps what you watch and answer as xAPI statements. Enter the "
            "address of your Learning Record Store (LRS) and the credentials it gave "
            "you to send them there whenever it can be reached. Nothing is sent while "
            "the address is empty. You are known by a random id unless you enter a "
            "name or an e-mail address."
        )
        intro.setWordWrap(True)
        intro.setTextFormat(Qt.TextFormat.PlainText)
        form = QFormLayout()
        self.fields: dict[str, QLineEdit] = {}
        for name, label, hint in _FIELDS:
            field = QLineEdit(str(library.setting(name)))
            field.setPlaceholderText(hint)
            field.setAccessibleName(label)
            field.setMinimumWidth(380)
            if name == "lrs_key":
                field.setEchoMode(QLineEdit.EchoMode.Password)
            form.addRow(f"{label}:", field)
            self.fields[name] = field
        self.error_label = QLabel()
        self.error_label.setObjectName("error")
        self.error_label.setWordWrap(True)
        self.error_label.setTextFormat(Qt.TextFormat.PlainText)
        self.error_label.setStyleSheet("color: #b3261e;")
        self.error_label.hide()
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.error_label)
        layout.addWidget(buttons)

    def save(self) -> None:
        """Store every field, or none of them and say which one cannot be used."""
        try:
            with self.library.atomic():
                for name, field in self.fields.items():
                    self.library.set_setting(name, field.text().strip())
        except LecternError as error:
            self.error_label.setText(str(error))
            self.error_label.show()
            return
        self.accept()


class BackgroundSync(QObject):
    """Sends the queue in the background while an LRS is set; shows how it went.

    Signals:
        finished(object): a :class:`shared.sync.SyncResult` after each try.
    """

    finished = Signal(object)

    def __init__(self, library: Library, worker: Worker, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.library = library
        self.worker = worker
        self.job: Job | None = None
        self.last: SyncResult | None = None
        self.label = QLabel()
        self.label.setAccessibleName("LRS sync status")
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self.sync_now)
        self.show_state()
        if self.library.outbox.endpoint() is not None:
            self.timer.start(FIRST_MS)

    def soon(self, msecs: int = 1000) -> None:
        """Try again shortly (after a lesson is left, new settings, ...)."""
        if self.library.outbox.endpoint() is not None and self.job is None:
            self.timer.start(msecs)
        self.show_state()

    def sync_now(self) -> Job | None:
        """Start a sync now unless one runs or no LRS is set; the job, if started."""
        if self.job is not None or self.library.read_only:
            return None
        if self.library.outbox.endpoint() is None:
            self.show_state()
            return None
        library = self.library

        def run(_: object, state: ProgressState) -> SyncResult:
            return sync(library, state)

        self.job = self.worker.submit("sending to the LRS", run)
        self.label.setText("LRS: sending…")
        self.job.succeeded.connect(self._synced)
        self.job.failed.connect(self._failed)
        self.job.done.connect(self._done)
        return self.job

    def _synced(self, result: SyncResult) -> None:
        self.last = result
        self.finished.emit(result)

    def _failed(self, message: str) -> None:
        self.last = SyncResult("", 0, self.library.outbox.counts().waiting, message)
        self.finished.emit(self.last)

    def _done(self) -> None:
        self.job = None
        self.show_state()
        if self.library.outbox.counts().waiting and self.library.outbox.endpoint() is not None:
            self.timer.start(RETRY_MS)  # offline or refused: try again later

    def show_state(self) -> None:
        """Put what the learner needs to know in the label (and its tooltip)."""
        if self.job is not None:
            return
        counts = self.library.outbox.counts()
        endpoint = self.library.outbox.endpoint()
        tip = ""
        if endpoint is None:
            text = (
                f"LRS: not set ({counts.waiting} kept here)" if counts.waiting else "LRS: not set"
            )
            tip = "Your activity stays on this computer; File → LRS and sync… sends it to an LRS."
        elif self.last is not None and self.last.error:
            why = "offline" if self.last.unreachable else "not accepted"
            text = f"LRS: {why}, {counts.waiting} waiting"
            tip = self.last.error
        elif counts.waiting:
            text = f"LRS: {counts.waiting} waiting"
            tip = f"Sent to {endpoint.address} when it can be reached."
        else:
            when = (
                time.strftime("%H:%M", time.localtime(counts.last_sent_ms / 1000))
                if counts.last_sent_ms
                else ""
            )
            text = f"LRS: all sent{' at ' + when if when else ''}"
            tip = f"Everything was acknowledged by {endpoint.address}."
        self.label.setText(text)
        self.label.setToolTip(tip)
