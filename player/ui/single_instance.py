"""One Player per library: a second ``lectern-player FILE`` hands FILE to the first.

The first Player listens on a local socket (``QLocalServer``; a Unix socket on Linux,
a named pipe on Windows) whose name is made from the user and the library folder, so
Players on two different libraries stay apart. A later start connects to it
(``QLocalSocket``), sends one line of JSON (``{"open": PATH}`` or ``{"open": null}``
to just bring the window forward), waits for ``ok`` and exits. A socket left behind by
a Player that crashed is found dead (nothing answers) and replaced.
"""

from __future__ import annotations

import getpass
import hashlib
import json
import os
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket

__all__ = ["server_name", "hand_over", "SingleInstance"]

_TIMEOUT_MS = 3000
_MAX_MESSAGE = 64 * 1024


def server_name(library_root: Path) -> str:
    """The socket name of the Player on ``library_root`` for this user."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = str(os.getuid()) if hasattr(os, "getuid") else "user"
    key = f"{user}\0{Path(library_root).resolve()}".encode("utf-8", "surrogatepass")
    return "lectern-player-" + hashlib.sha256(key).hexdigest()[:24]


def hand_over(name: str, path: Path | None) -> bool:
    """Give ``path`` (or just "come forward") to the Player listening on ``name``.

    Returns:
        ``True`` when a running Player took it; ``False`` when none is listening.
    """
    socket = QLocalSocket()
    socket.connectToServer(name)
    if not socket.waitForConnected(_TIMEOUT_MS):
        return False
    message = {"open": str(Path(path).resolve()) if path is not None else None}
    socket.write(json.dumps(message).encode("utf-8") + b"\n")
    socket.waitForBytesWritten(_TIMEOUT_MS)  # false when flush already wrote them all
    taken = False
    while not socket.canReadLine() and socket.waitForReadyRead(_TIMEOUT_MS):
        pass
    if socket.canReadLine():
        taken = bytes(socket.readLine().data()).strip() == b"ok"
    socket.disconnectFromServer()
    return taken


class SingleInstance(QObject):
    """Listens for later starts of the Player on the same library.

    Signals:
        openRequested(str): a later start asked to open this file ("" to come forward).
    """

    openRequested = Signal(str)

    def __init__(self, name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.name = name
        self.server = QLocalServer(self)
        self.server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        self.server.newConnection.connect(self._connected)

    def listen(self) -> bool:
        """Start listening; a dead socket of a crashed Player is removed first."""
        if self.server.listen(self.name):
            return True
        probe = QLocalSocket()
        probe.connectToServer(self.name)
        if probe.waitForConnected(_TIMEOUT_MS):  # alive: never take over a live Player's name
            probe.disconnectFromServer()
            return False
        QLocalServer.removeServer(self.name)
        return self.server.listen(self.name)

    def _connected(self) -> None:
        while (socket := self.server.nextPendingConnection()) is not None:
            socket.readyRead.connect(lambda s=socket: self._read(s))
            socket.disconnected.connect(socket.deleteLater)
            self._read(socket)  # the line may have arrived with the connection

    def _read(self, socket: QLocalSocket) -> None:
        if not socket.canReadLine():
            if socket.bytesAvailable() > _MAX_MESSAGE:
                socket.abort()
            return
        line = bytes(socket.readLine(_MAX_MESSAGE).data())
        try:
            message = json.loads(line)
            path = message.get("open") if isinstance(message, dict) else None
        except ValueError:
            socket.abort()
            return
        socket.write(b"ok\n")
        socket.flush()
        self.openRequested.emit(path if isinstance(path, str) else "")
