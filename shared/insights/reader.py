"""Progress files read as a stream of xAPI statements, in bounded memory.

A progress file is what ``lectern-player export-progress`` writes, or what an LRS
exports: a JSON array of statements, an LRS page ``{"statements": [...], "more": ...}``,
JSON lines (one statement, array or page per line), or a single statement. Whatever
its size, the file is read in chunks and each statement decoded on its own
(``json.JSONDecoder.raw_decode`` at C speed), so a 1 GB file neither fills memory nor
hangs: it streams, and garbage stops it at the first byte that is not JSON.

A file of up to :data:`WHOLE_FILE_BYTES` (what one learner's player exports: about
1 MB for 20 lessons) holding one JSON array or object is decoded in one go by orjson
(1.6x faster than the standard library here; 2,000 learners' files are counted in 20
s of processor time instead of 24). Anything orjson refuses (not
JSON, JSON lines, a lone surrogate, NaN, a 100-digit number) is read again by the
streaming reader, so what is accepted, and the one sentence that refuses a file, are
the streaming reader's.
"""

from __future__ import annotations

import codecs
import gc
import json
import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import orjson

from shared.errors import LecternError

__all__ = ["ProgressFileError", "MAX_VALUE_BYTES", "WHOLE_FILE_BYTES", "read_statements"]

#: The largest single JSON value (one statement, or a page whose statements are not
#: first) accepted; a statement is a few hundred bytes.
MAX_VALUE_BYTES = 16 * 1024 * 1024
_CHUNK = 1024 * 1024
#: Files up to this size are decoded whole (orjson); larger ones stream in chunks.
WHOLE_FILE_BYTES = 16 * 1024 * 1024
_BOM = codecs.BOM_UTF8
#: A file decoded whole reports progress after every so many statements.
_REPORT_EVERY = 2048
_SPACE = re.compile(r"[ \t\n\r]*")
_PAGE = re.compile(r'\{[ \t\n\r]*"statements"[ \t\n\r]*:[ \t\n\r]*\[')
_DECODER = json.JSONDecoder()


class ProgressFileError(LecternError):
    """A progress file that cannot be read as xAPI statements (one sentence, names the file)."""

    def __init__(self, path: Path | str, problem: str) -> None:
        self.path, self.problem = Path(path), problem
        super().__init__(f"{Path(path).name} was not imported: {problem}.")


class _Text:
    """A growing window on the file's text: ``buf[pos:]`` is what is left to read."""

    def __init__(self, path: Path, on_bytes: Callable[[int], None] | None) -> None:
        self.path = path
        try:
            self.file = open(path, "rb")  # noqa: SIM115 - closed by read_statements
        except OSError as error:
            raise ProgressFileError(path, f"it cannot be opened ({error.strerror})") from error
        self.decoder = codecs.getincrementaldecoder("utf-8-sig")()
        self.buf, self.pos, self.eof, self.read_bytes = "", 0, False, 0
        self.on_bytes = on_bytes

    def more(self) -> bool:
        """Read another chunk (dropping what was consumed); False at the end of the file."""
        if self.eof:
            return False
        try:
            data = self.file.read(_CHUNK)
        except OSError as error:
            raise ProgressFileError(self.path, f"it cannot be read ({error.strerror})") from error
        self.read_bytes += len(data)
        if self.on_bytes is not None:
            self.on_bytes(self.read_bytes)
        try:
            text = self.decoder.decode(data, final=not data)
        except UnicodeDecodeError:
            raise ProgressFileError(
                self.path, f"it is not UTF-8 text (near byte {self.read_bytes:,})"
            ) from None
        self.buf = self.buf[self.pos :] + text
        self.pos = 0
        self.eof = not data
        return True

    def skip_space(self) -> str:
        """The next character that is not white space, or '' at the end of the file."""
        while True:
            self.pos = _SPACE.match(self.buf, self.pos).end()
            if self.pos < len(self.buf):
                return self.buf[self.pos]
            if not self.more():
                return ""

    def value(self) -> Any:
        """Decode the JSON value at the current position."""
        while True:
            try:
                value, end = _DECODER.raw_decode(self.buf, self.pos)
            except json.JSONDecodeError as error:
                # Only a value cut at the chunk's end (or a string still open) may be
                # whole once more is read; anything else is wrong where it stands.
                cut = error.pos >= len(self.buf) - 64 or error.msg.startswith("Unterminated")
                if self.eof or not cut or len(self.buf) - self.pos > MAX_VALUE_BYTES:
                    raise self._bad(error) from None
                self.more()
                continue
            except RecursionError:
                raise ProgressFileError(self.path, "its JSON is nested too deeply") from None
            if end == len(self.buf) and not self.eof and not isinstance(value, dict | list | str):
                self.more()  # a number or word cut at the chunk's end: decode it whole
                continue
            self.pos = end
            return value

    def expect(self, text: str) -> bool:
        """Take ``text`` at the next non-space position, if it is there."""
        if self.skip_space() == text:
            self.pos += 1
            return True
        return False

    def _bad(self, error: json.JSONDecodeError) -> ProgressFileError:
        if len(self.buf) - self.pos > MAX_VALUE_BYTES:
            size = MAX_VALUE_BYTES // (1024 * 1024)
            return ProgressFileError(self.path, f"it holds a value larger than {size} MB")
        if self.eof and error.pos >= len(self.buf.rstrip()):
            return ProgressFileError(
                self.path, "it ends in the middle of a statement (the file is cut short)"
            )
        line = error.lineno if self.read_bytes <= _CHUNK else None
        where = f" on line {line}" if line else ""
        return ProgressFileError(self.path, f"it is not valid JSON ({error.msg}{where})")

    def fail(self, problem: str) -> ProgressFileError:
        return ProgressFileError(self.path, problem)


def read_statements(
    path: str | Path, on_bytes: Callable[[int], None] | None = None
) -> Iterator[dict[str, Any]]:
    """Yield the statements of a progress file one at a time, in file order.

    Args:
        path: a JSON array of statements, an LRS page (``{"statements": [...]}``),
            JSON lines of those, or one statement.
        on_bytes: called with the number of bytes read so far after every chunk.

    Raises:
        ProgressFileError: the file cannot be read, is not UTF-8 JSON, holds something
            that is not a statement, or a single value larger than
            :data:`MAX_VALUE_BYTES`. Statements already yielded came before the problem.
    """
    path = Path(path)
    whole = _decoded_whole(path)
    if whole is not None:
        value, size = whole
        if type(value) is dict and next(iter(value), None) == "statements":
            value = value["statements"]  # an LRS page: its statements, whatever else it has
        if type(value) is list:
            count = len(value)
            for number, item in enumerate(value, 1):
                if type(item) is dict and type(item.get("verb")) is dict:  # the usual case
                    yield item
                else:
                    yield from _unpack(path, item)
                if on_bytes is not None and number % _REPORT_EVERY == 0:
                    on_bytes(size * number // count)  # progress, and a chance to cancel
        else:
            yield from _unpack(path, value)
        if on_bytes is not None:
            on_bytes(size)
        return
    text = _Text(path, on_bytes)
    try:
        first = text.skip_space()
        if not first:
            raise text.fail("it is empty")
        while first:
            if first == "[":
                text.pos += 1
                yield from _array(text)
            elif _PAGE.match(text.buf, text.pos) or _page_ahead(text):
                text.pos = _PAGE.match(text.buf, text.pos).end()
                yield from _array(text)
                _rest_of_page(text)
            elif first == "{":
                yield from _unpack(path, text.value())
            else:
                raise text.fail(
                    "it is not a JSON list of xAPI statements (it starts with "
                    f"{text.buf[text.pos : text.pos + 12]!r})"
                )
            first = text.skip_space()
    finally:
        text.file.close()


def _decoded_whole(path: Path) -> tuple[Any, int] | None:
    """``(value, bytes)`` of a small file holding one JSON array or object; else ``None``.

    ``None`` also for anything orjson refuses: the streaming reader then reads the file
    and says what is wrong with it (or accepts what the standard library accepts).
    """
    try:
        with open(path, "rb") as file:
            if not 0 < os.fstat(file.fileno()).st_size <= WHOLE_FILE_BYTES:
                return None
            data = file.read(WHOLE_FILE_BYTES + 1)
    except OSError:
        return None  # the streaming reader names the problem
    if len(data) > WHOLE_FILE_BYTES:
        return None
    # A JSON tree holds no cycles, but its ~30,000 new containers per MB set off the
    # cycle collector again and again while they are made: 2,000 files took 28 s of
    # processor time instead of 20 s. orjson holds the GIL throughout, so no other
    # thread runs while the collector is paused.
    enabled = gc.isenabled()
    gc.disable()
    try:
        value = orjson.loads(data[3:] if data.startswith(_BOM) else data)
    except orjson.JSONDecodeError:
        return None
    finally:
        if enabled:
            gc.enable()
    if type(value) is not list and type(value) is not dict:
        return None  # a bare string or number: the streaming reader's refusal says so
    return value, len(data)


def _page_ahead(text: _Text) -> bool:
    """Whether an LRS page starts here (read a little more if the chunk ends early)."""
    if text.buf[text.pos] != "{":
        return False
    while len(text.buf) - text.pos < 64 and text.more():
        pass
    return _PAGE.match(text.buf, text.pos) is not None


def _array(text: _Text) -> Iterator[dict[str, Any]]:
    if text.expect("]"):
        return
    while True:
        if not text.skip_space():
            raise text.fail("it ends in the middle of its list of statements")
        value = text.value()
        if type(value) is dict and type(value.get("verb")) is dict:  # the usual case, quickly
            yield value
        else:
            yield from _unpack(text.path, value)
        if text.pos < len(text.buf) and text.buf[text.pos] == ",":
            text.pos += 1
            continue
        if text.expect(","):
            continue
        if text.expect("]"):
            return
        if not text.skip_space():
            raise text.fail("it ends in the middle of its list of statements")
        raise text.fail("its list of statements is not valid JSON (a comma is missing)")


def _rest_of_page(text: _Text) -> None:
    """The page's other members after its statements (``"more"``), then its ``}``."""
    while text.expect(","):
        key = text.value() if text.skip_space() == '"' else None
        if not isinstance(key, str) or not text.expect(":"):
            raise text.fail("its LRS page is not valid JSON")
        text.skip_space()
        text.value()
    if not text.expect("}"):
        raise text.fail("its LRS page is not valid JSON (a '}' is missing)")


def _unpack(path: Path, value: Any) -> Iterator[dict[str, Any]]:
    if isinstance(value, dict) and "statements" in value and "verb" not in value:
        value = value["statements"]
    if isinstance(value, list):
        for item in value:
            yield from _unpack(path, item)
        return
    if not isinstance(value, dict) or not isinstance(value.get("verb"), dict):
        raise ProgressFileError(path, "it holds something that is not an xAPI statement")
    yield value
