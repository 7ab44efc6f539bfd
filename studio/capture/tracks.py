"""The video track files every source writes: how they are encoded and kept safe.

Each video source (screen, camera) writes one H.264 Matroska file per segment
through ffmpeg. The options here are shared so that tracks join without
re-encoding, survive a crash (a Matroska cluster closes at least every second) and
a power cut (:class:`TrackSync` has the kernel write them to the disk every second;
ffmpeg itself never calls ``fsync``).
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from pathlib import Path

import av

__all__ = [
    "SegmentResult",
    "h264_args",
    "matroska_live_args",
    "count_frames",
    "sync_file",
    "TrackSync",
    "SYNC_SECONDS",
]

#: Seconds between two syncs of a track file that is being written.
SYNC_SECONDS = 1.0


@dataclass(frozen=True)
class SegmentResult:
    """One finished video segment, on the recording clock.

    ``lost`` is set when the source stopped by itself before the segment was ended
    (ffmpeg died, the camera went away): the file then ends before the segment did.
    ``lead`` is how long (seconds) the picture was on screen before the file's first
    frame: a compositor sends nothing while the screen stays still, so the first
    picture it sends was there from ``start`` on (finalize shows it for that long).
    """

    file: str
    start: float
    frames: int
    fps: float
    dropped: int
    duplicated: int
    lost: bool = False
    lead: float = 0.0

    @property
    def end(self) -> float:
        return self.start + self.lead + self.frames / self.fps


def h264_args(preset: str, crf: int, fps: float) -> list[str]:
    """ffmpeg output options of every H.264 track Lectern records.

    Two encodes with the same options share their stream headers, so a track can be
    joined with a clip made later (see :func:`studio.capture.recording.finalize`).
    """
    codec = ["-c:v", "libx264", "-preset", preset, "-crf", str(crf)]
    return [*codec, "-pix_fmt", "yuv420p", "-g", f"{fps:g}"]


def matroska_live_args() -> list[str]:
    """ffmpeg output options of a track written for crash safety.

    Matroska with a cluster at least every second, each written out as it closes, so
    a killed recorder leaves a file that plays up to its last closed cluster.
    """
    return [
        "-f",
        "matroska",
        "-cluster_time_limit",
        "1000",
        "-cluster_size_limit",
        "4000000",
        "-flush_packets",
        "1",
    ]


def count_frames(path: Path) -> int:
    """Video packets in a (possibly cut-short) Matroska file."""
    count = 0
    try:
        with av.open(str(path)) as container:
            stream = container.streams.video[0]
            for packet in container.demux(stream):
                if packet.size:
                    count += 1
    except (av.FFmpegError, IndexError, OSError):
        pass  # a file cut short by a crash: keep what was read
    return count


def sync_file(path: str | os.PathLike[str]) -> None:
    """Have the kernel write what ``path`` holds (a file or a folder) to the disk now.

    Works through a read-only handle, so it also syncs a file another process is
    writing: on Linux ``fsync`` flushes the file's data whoever wrote it.

    Raises:
        OSError: The file cannot be opened or the disk reports an error.
    """
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class TrackSync:
    """Syncs the video track files of a recording folder that changed since last time.

    Call :meth:`sync` every :data:`SYNC_SECONDS` from a thread that may block on the
    disk (not an audio or capture thread). A new file also has its folder synced, so
    its name survives a power cut as well as its data.

    Args:
        folder: The recording folder.
        prefixes: Names of the files to sync start with one of these.
    """

    def __init__(self, folder: Path, prefixes: tuple[str, ...] = ("screen-", "camera-")) -> None:
        self.folder, self.prefixes = folder, prefixes
        self._seen: dict[str, tuple[int, int]] = {}

    def sync(self) -> list[str]:
        """Sync the changed track files; return their names (a vanished file is skipped)."""
        changed, new = [], False
        try:
            with os.scandir(self.folder) as entries:
                for entry in entries:
                    if not entry.name.startswith(self.prefixes) or not entry.name.endswith(".mkv"):
                        continue
                    stat = entry.stat(follow_symlinks=False)
                    mark = (stat.st_size, stat.st_mtime_ns)
                    if self._seen.get(entry.name) != mark:
                        new = new or entry.name not in self._seen
                        changed.append((entry.name, mark))
        except OSError:
            return []
        synced = []
        for name, mark in changed:
            try:
                sync_file(self.folder / name)
            except OSError:
                continue  # gone, or the disk failed: the recorder reports that elsewhere
            self._seen[name] = mark
            synced.append(name)
        if new:
            with contextlib.suppress(OSError):
                sync_file(self.folder)
        return synced
