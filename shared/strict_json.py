"""Strict decoding of JSON from files Lectern did not write (packages, lesson folders).

One reader for every untrusted JSON file: UTF-8 only (a BOM is allowed), no duplicate
keys, no ``NaN``/``Infinity``, no lone surrogates and no nesting deeper than asked. It
raises ``ValueError`` with a short reason ("it is not UTF-8 text"); each caller wraps
that reason in its own error class, which names the file and what to do.
"""

from __future__ import annotations

import json
import re
from typing import Any

__all__ = ["strict_json"]

# Only a \uD800-\uDFFF escape can put a surrogate into decoded JSON text.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


def strict_json(data: bytes | str, *, max_depth: int) -> Any:
    """Decode UTF-8 JSON strictly: no duplicate keys, NaN, lone surrogates or deep nesting.

    Raises:
        ValueError: with a short reason, such as ``"it is not UTF-8 text"``.
    """
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ValueError("it is not UTF-8 text") from None
    else:
        text = data
    try:
        value = json.loads(text, object_pairs_hook=_no_duplicate_keys, parse_constant=_no_constant)
    except json.JSONDecodeError as error:
        raise ValueError(f"it is not JSON ({error.msg} at line {error.lineno})") from None
    except RecursionError:
        raise ValueError(f"it is nested more than {max_depth} levels deep") from None
    if isinstance(value, (dict, list)):
        _check_depth(value, max_depth)
    if _SURROGATE_ESCAPE.search(text):
        _check_unicode(value)
    return value


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for key, value in pairs:
        if key in data:
            raise ValueError(f"the key {key!r} appears twice in one object")
        data[key] = value
    return data


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _check_depth(data: Any, max_depth: int) -> None:
    """Refuse nesting deeper than ``max_depth``; iterative, so no depth exhausts the stack."""
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > max_depth:
            raise ValueError(f"it is nested more than {max_depth} levels deep")
        items = value.values() if isinstance(value, dict) else value
        stack.extend((item, depth + 1) for item in items if isinstance(item, (dict, list)))


def _check_unicode(data: Any) -> None:
    """Refuse lone surrogates (from ``\\ud800`` escapes), which no database or screen takes."""
    stack = [data]
    while stack:
        value = stack.pop()
        if isinstance(value, str):
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                raise ValueError("it holds text that is not valid Unicode") from None
        elif isinstance(value, dict):
            stack.extend(value)
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
