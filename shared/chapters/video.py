"""Reading a lecture video with PyAV for detection and thumbnails (loads PyAV and OpenCV)."""

from __future__ import annotations

import math
import os
from collections.abc import Iterator
from pathlib import Path

import av
import cv2
import numpy as np

from shared.chapters.values import ChapterDetectionError


class _Video:
    """An open video stream with error translation and times from the first frame.

    Args:
        path: the video file.
        doing: what the caller wants the video for, for error messages.
        fast: skip the deblocking filter and frames nothing else refers to (B-frames):
            a slightly blockier picture at about twice the speed, which is plenty for
            comparing slides.
        keys_only: decode key frames only (each one stands alone, so nothing else needs
            decoding): when they come at least once a second, as in the Studio's own
            recordings, that samples the video at a small part of the cost.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        doing: str,
        *,
        fast: bool = False,
        keys_only: bool = False,
    ) -> None:
        self.path, self.doing = Path(path), doing
        try:
            self.container = av.open(str(self.path))
        except (av.FFmpegError, OSError) as error:
            raise self.error(_reason(error)) from error
        if not self.container.streams.video:
            self.container.close()
            raise self.error("it has no video track")
        stream = self.stream = self.container.streams.video[0]
        stream.thread_type = "AUTO"
        if fast:
            stream.codec_context.options = {"skip_loop_filter": "all"}
            stream.codec_context.skip_frame = "NONREF"
        if keys_only:
            stream.codec_context.skip_frame = "NONKEY"
        self.base = stream.time_base
        start = stream.start_time
        self.origin = float(start * self.base) if start is not None and self.base else 0.0
        self.rate = float(stream.average_rate) if stream.average_rate else 30.0
        if stream.duration is not None and self.base:
            self.duration = float(stream.duration * self.base)
        elif self.container.duration is not None:
            self.duration = self.container.duration / av.time_base
        else:
            self.duration = 0.0

    def error(self, reason: str = "") -> ChapterDetectionError:
        return ChapterDetectionError(self.path, reason, doing=self.doing)

    def close(self) -> None:
        self.container.close()

    def __enter__(self) -> _Video:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def key_frame_spacing(self, seconds: float = 30.0) -> float:
        """The longest wait between key frames in the first ``seconds`` (read, not decoded).

        Returns ``inf`` when there is at most one key frame there. Leaves the stream
        at its start.
        """
        keys: list[float] = []
        end = None
        try:
            for packet in self.container.demux(self.stream):
                if packet.pts is None:
                    continue
                moment = float(packet.pts * self.base) - self.origin
                if moment > seconds:
                    end = moment
                    break
                if packet.is_keyframe:
                    keys.append(moment)
        except (av.FFmpegError, OSError):
            pass
        self.seek(0.0)
        if len(keys) < 2:
            return math.inf
        keys.sort()
        gaps = [b - a for a, b in zip(keys, keys[1:], strict=False)]
        if end is not None:
            gaps.append(end - keys[-1])
        return max(gaps)

    def seek(self, seconds: float) -> None:
        """Move to the key frame at or before ``seconds``."""
        if self.base:
            self.container.seek(int((self.origin + seconds) / self.base), stream=self.stream)
        else:
            self.container.seek(int((self.origin + seconds) * av.time_base))

    def frames(self) -> Iterator[tuple[float, av.VideoFrame]]:
        """Decode frames in order as ``(seconds from first frame, frame)``.

        Undecodable packets (a damaged stretch of the file) are skipped.
        """
        count = 0
        try:
            for packet in self.container.demux(self.stream):
                try:
                    decoded = packet.decode()
                except av.InvalidDataError:
                    continue
                for frame in decoded:
                    time = frame.time
                    seconds = float(time) - self.origin if time is not None else count / self.rate
                    count += 1
                    yield seconds, frame
        except (av.FFmpegError, OSError) as error:
            if count == 0:
                raise self.error(_reason(error)) from error


def _reason(error: BaseException) -> str:
    text = getattr(error, "strerror", None) or str(error)
    return text.split(":")[0].strip() if text else type(error).__name__


_LUMA_FIRST = ("yuv420p", "yuvj420p", "yuv422p", "yuvj422p", "yuv444p", "yuvj444p", "nv12")


def _small_luma(frame: av.VideoFrame, size: tuple[int, int]) -> np.ndarray:
    """The frame's brightness shrunk to ``size`` as uint8, reading the Y plane if it can."""
    if frame.format.name in _LUMA_FIRST:
        plane = frame.planes[0]
        rows = np.frombuffer(plane, np.uint8).reshape(plane.height, plane.line_size)
        return cv2.resize(rows[:, : frame.width], size, interpolation=cv2.INTER_AREA)
    small = frame.reformat(width=size[0], height=size[1], format="gray", interpolation="AREA")
    return small.to_ndarray()
