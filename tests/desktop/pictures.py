"""Looking for a window's picture in recorded frames (OpenCV template matching).

A window is looked for by pieces (tiles) of its picture, so a window only partly in
the recorded area is found too, and a template larger than a frame (a main window
and a region recording) is still looked for. Pieces that are plain or
hold only an edge say nothing (they match any edge) and are skipped. Pictures are halved and lightly blurred first: the encoder's blur
and half-pixel places matter less, and it is four times faster.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import av
import cv2
import numpy as np

__all__ = ["Template", "frames_of", "distinct_frames", "best_match", "tiles_of", "SCALE"]

SCALE = 0.5
TILE = (120, 24)  # width, height after halving: about a line of text
MAX_TILES = 8
#: A part of a piece changing less than this from pixel to pixel (grey levels, both
#: across and down) is plain, or an edge.
MIN_CHANGE = 2.0
#: A piece is looked for when this many of its 4x4 parts have detail: text or
#: icons, not one edge (a black panel's border matches any black area's edge).
DETAILED_PARTS = 6
#: A piece whose rows' (or columns') means hold more than this share of its variance
#: is mostly bands.
BANDS = 0.5


@dataclass(frozen=True)
class Template:
    name: str
    picture: np.ndarray  # grey, halved
    tiles: tuple[np.ndarray, ...]


def _grey(picture: np.ndarray) -> np.ndarray:
    if picture.ndim == 3:
        picture = cv2.cvtColor(picture, cv2.COLOR_BGR2GRAY)
    small = cv2.resize(picture, None, fx=SCALE, fy=SCALE, interpolation=cv2.INTER_AREA)
    # A window at an odd pixel is halved differently from its own picture: a light
    # blur makes both alike (shown windows then match at 0.92 or more, not 0.82).
    return cv2.GaussianBlur(small, (3, 3), 0)


def load(name: str, path: str | Path) -> Template:
    picture = _grey(cv2.imread(str(path), cv2.IMREAD_COLOR))
    return Template(name, picture, tuple(tiles_of(picture)))


def tiles_of(picture: np.ndarray) -> list[np.ndarray]:
    """The most detailed pieces of ``picture`` (the whole of it if it is small)."""
    height, width = picture.shape
    tile_w, tile_h = min(TILE[0], width), min(TILE[1], height)
    pieces = []
    # Half a tile apart: a detail near a tile's edge is whole in the next one.
    for top in range(0, height - tile_h + 1, max(1, tile_h // 2)):
        for left in range(0, width - tile_w + 1, max(1, tile_w // 2)):
            piece = picture[top : top + tile_h, left : left + tile_w]
            if _detailed_parts(piece) >= DETAILED_PARTS and not _mostly_bands(piece):
                pieces.append(piece)
    pieces.sort(key=lambda piece: -_detailed_parts(piece))
    return pieces[:MAX_TILES]


def _mostly_bands(piece: np.ndarray) -> bool:
    """Whether the piece is mostly bands (a bar edge with some text under it).

    The rows' means (or the columns') then account for most of its variation, and
    it matches any edge as strong as its band.
    """
    signal = piece.astype(np.float32)
    total = float(signal.var())
    if total == 0:
        return True
    rows = float(signal.mean(axis=1).var())
    columns = float(signal.mean(axis=0).var())
    return max(rows, columns) > BANDS * total


def _detailed_parts(piece: np.ndarray) -> int:
    """How many of the piece's 4x4 parts change both across and down (text, icons).

    A part crossed by one straight edge (a panel's border) changes only one way.
    """
    height, width = piece.shape
    signal = piece.astype(np.float32)
    across = np.abs(np.diff(signal, axis=1))
    down = np.abs(np.diff(signal, axis=0))
    found = 0
    for row in range(4):
        for col in range(4):
            top, bottom = row * height // 4, (row + 1) * height // 4
            left, right = col * width // 4, (col + 1) * width // 4
            a = across[top:bottom, left : max(left, right - 1)]
            d = down[top : max(top, bottom - 1), left:right]
            if a.size and d.size and a.mean() >= MIN_CHANGE and d.mean() >= MIN_CHANGE:
                found += 1
    return found


def frames_of(video: str | Path) -> Iterator[np.ndarray]:
    """Every frame of ``video``, grey and halved."""
    with av.open(str(video)) as container:
        for frame in container.decode(video=0):
            yield _grey(frame.to_ndarray(format="bgr24"))


def distinct_frames(video: str | Path) -> list[tuple[np.ndarray, int]]:
    """Every different frame of ``video`` (grey, halved) with how many times it comes.

    A still desktop decodes to the same picture frame after frame: each picture is
    searched once, and what is found in it holds for all its frames.
    """
    seen: dict[bytes, list] = {}
    for frame in frames_of(video):
        key = hashlib.sha1(frame.tobytes()).digest()
        if key in seen:
            seen[key][1] += 1
        else:
            seen[key] = [frame, 1]
    return [(frame, times) for frame, times in seen.values()]


def best_match(template: Template, picture: np.ndarray, whole: bool = False) -> float:
    """How well the best place in ``picture`` matches (normalized correlation, 1 is exact).

    By tiles (the best of them), or the whole template with ``whole``.
    """
    pieces = (template.picture,) if whole else template.tiles
    best = -1.0
    for piece in pieces:
        if piece.shape[0] > picture.shape[0] or piece.shape[1] > picture.shape[1]:
            continue
        scores = cv2.matchTemplate(picture, piece, cv2.TM_CCOEFF_NORMED)
        scores = np.nan_to_num(scores, nan=0.0, posinf=0.0, neginf=0.0)
        best = max(best, float(scores.max()))
    return best
