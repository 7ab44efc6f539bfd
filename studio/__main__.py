"""``lectern-studio`` (and ``python -m studio``): the command line, started so that a
Ctrl+C, SIGTERM or SIGHUP is one quiet line even while its modules still load."""

import signal
import sys


def _early_stop(signum: int, frame: object) -> None:
    # Until shared.terminal takes over (a few imports away): nothing is written yet.
    raise SystemExit(128 + signum)


for _sig in (signal.SIGINT, signal.SIGTERM, getattr(signal, "SIGHUP", signal.SIGTERM)):
    if signal.getsignal(_sig) is not signal.SIG_IGN:
        signal.signal(_sig, _early_stop)

from collections.abc import Callable  # noqa: E402

from shared.terminal import launch  # noqa: E402


def _load() -> Callable[[], int]:
    from studio.cli import main as cli_main  # the heavy imports (PyAV, ffmpeg, Whisper)

    return cli_main


def main() -> int:
    return launch("lectern-studio", _load)


if __name__ == "__main__":
    sys.exit(main())
