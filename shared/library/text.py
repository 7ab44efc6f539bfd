"""Pure helpers of the library: times in milliseconds, search words, snippets, intervals."""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Sequence
from datetime import datetime, timezone

__all__ = ["MARK_START", "MARK_END", "search_tokens"]

MARK_START = "\x02"
MARK_END = "\x03"
_MAX_TOKENS = 32
_MIN_PREFIX = 2  # a one-letter prefix would match half the vocabulary
_SNIPPET_CHARS = 160
_WORD_RE = re.compile(r"[^\W_]+")


def _when(ms: int | None) -> datetime | None:
    return None if ms is None else datetime.fromtimestamp(ms / 1000, timezone.utc)


def _fold(word: str) -> str:
    """What ``unicode61 remove_diacritics 2`` makes of a word: no accents, case folded."""
    decomposed = unicodedata.normalize("NFKD", word)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def search_tokens(text: str) -> list[str]:
    """The words of a search string, split like the FTS tokenizer splits text.

    Quotes, operators, punctuation, emoji and control characters are separators, so
    whatever is typed yields plain words (at most 32), possibly none.
    """
    if not isinstance(text, str):
        return []
    return _WORD_RE.findall(unicodedata.normalize("NFC", text))[:_MAX_TOKENS]


def _match_expression(
    tokens: Sequence[str], alternatives: Sequence[Sequence[str]] | None = None
) -> str:
    """An FTS5 query: each token a quoted phrase, the last a prefix, all ANDed.

    With ``alternatives`` (one list per token, vocabulary terms close to it), each
    token matches itself or any of its alternatives.
    """
    quoted = [f'"{token}"' for token in tokens]  # tokens never contain '"'
    if len(tokens[-1]) >= _MIN_PREFIX:
        quoted[-1] += "*"
    if alternatives:
        for index, others in enumerate(alternatives):
            if others:
                terms = [quoted[index], *('"' + term + '"' for term in others)]
                quoted[index] = "(" + " OR ".join(terms) + ")"
        return " AND ".join(quoted)  # FTS5 does not AND a group by juxtaposition
    return " ".join(quoted)


def _akin(word: str, token: str) -> bool:
    """Whether ``word`` is ``token`` or an inflection of it (both folded): they share all
    but the last three letters of the longer one, and at least four ("cells" and
    "cell", "Americans" and "American"), as the porter stemmer would find them alike."""
    if word == token:
        return True
    if min(len(word), len(token)) < 4:
        return False
    shared = len(os.path.commonprefix([word, token]))
    return shared >= max(3, len(word) - 3, len(token) - 3)


def _highlight(text: str, tokens: Sequence[str], extra: Sequence[str] = ()) -> str:
    """``text`` shortened around the first match, matched words between the markers.

    A word matches a token or an ``extra`` word (an approximate search's vocabulary
    terms) if it is akin to it (see :func:`_akin`); the last token also as a prefix.
    """
    whole = {_fold(token) for token in tokens} | {_fold(term) for term in extra}
    last = _fold(tokens[-1]) if tokens and len(tokens[-1]) >= _MIN_PREFIX else None
    spans = [
        match.span()
        for match in _WORD_RE.finditer(text)
        if (word := _fold(match.group())) in whole
        or (last and word.startswith(last))
        or any(_akin(word, token) for token in whole)
    ]
    start, end = 0, len(text)
    if len(text) > _SNIPPET_CHARS:
        first = spans[0][0] if spans else 0
        start = max(0, first - _SNIPPET_CHARS // 3)
        start = text.rfind(" ", 0, start) + 1 if start else 0
        end = min(len(text), start + _SNIPPET_CHARS)
        if end < len(text):
            space = text.rfind(" ", start, end)
            end = space if space > start else end
    out = ["…" if start else ""]
    cursor = start
    for left, right in spans:
        if left < start or right > end:
            continue
        out += [text[cursor:left], MARK_START, text[left:right], MARK_END]
        cursor = right
    out += [text[cursor:end], "…" if end < len(text) else ""]
    return "".join(out)


def _merge(intervals: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sorted, non-overlapping intervals; touching ones are joined."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged
