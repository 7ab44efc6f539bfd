"""Talking to a Learning Record Store (xAPI 1.0.3 statements resource) over HTTP.

Only the standard library (``urllib``), so it runs wherever Lectern runs and needs no
network unless the learner set an LRS address. Two operations:

* :func:`send_statements` POSTs a batch to ``<endpoint>statements`` with HTTP basic
  auth and ``X-Experience-API-Version``. Statement ids make it idempotent: an LRS
  stores a statement id once and answers a repeat with success, or with ``409
  Conflict`` when it holds a different statement under that id; either way the id is
  there, so both count as sent.
* :func:`fetch_statements` GETs statements matching a query and follows the ``more``
  links page by page (the Studio's insights read a course's statements this way).

Failures are one-sentence :class:`LrsError` subclasses: :class:`LrsUnreachableError`
(no answer, a cut connection, a time-out), :class:`LrsRefusedError` (a 4xx: bad
credentials, a statement refused) and :class:`LrsFailedError` (a 5xx). Nothing here
keeps state; the queue lives in the library (``library.outbox``).
"""

from __future__ import annotations

import base64
import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from http.client import HTTPException
from typing import Any

from shared.errors import LecternError

__all__ = [
    "XAPI_VERSION",
    "Endpoint",
    "LrsError",
    "LrsUnreachableError",
    "LrsRefusedError",
    "LrsFailedError",
    "LrsAnswerError",
    "valid_address",
    "send_statements",
    "fetch_statements",
]

XAPI_VERSION = "1.0.3"
#: Seconds to wait for an LRS before calling it unreachable.
TIMEOUT = 30.0


def valid_address(address: str) -> bool:
    """Whether ``address`` is an http(s) URL with a host (an LRS's xAPI endpoint)."""
    try:
        parts = urllib.parse.urlsplit(address)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname) and not parts.fragment


@dataclass(frozen=True)
class Endpoint:
    """An LRS: its xAPI address (ending in ``/``) and the basic-auth credentials.

    Attributes:
        address: the xAPI endpoint, e.g. ``https://lrs.example.org/xAPI/``.
        user: the user (or key) name.
        key: the password (or secret).
    """

    address: str
    user: str = ""
    key: str = ""

    def __post_init__(self) -> None:
        if not self.address.endswith("/"):
            object.__setattr__(self, "address", self.address + "/")

    def url(self, resource: str) -> str:
        """The absolute URL of ``resource`` (a path below the endpoint, or a ``more`` link).

        Raises:
            ValueError: ``resource`` names another server (the credentials never go there).
        """
        base = urllib.parse.urlsplit(self.address)
        if resource.startswith("/"):  # a ``more`` link is relative to the server
            url = f"{base.scheme}://{base.netloc}{resource}"
        else:
            url = urllib.parse.urljoin(self.address, resource)
        parts = urllib.parse.urlsplit(url)
        if (parts.scheme, parts.netloc) != (base.scheme, base.netloc):
            raise ValueError(f"{resource!r} is not on {base.netloc}")
        return url

    def headers(self) -> dict[str, str]:
        """The headers every request carries."""
        headers = {"X-Experience-API-Version": XAPI_VERSION, "Accept": "application/json"}
        if self.user or self.key:
            token = base64.b64encode(f"{self.user}:{self.key}".encode()).decode("ascii")
            headers["Authorization"] = f"Basic {token}"
        return headers


class LrsError(LecternError):
    """The LRS could not take or give statements; what was queued stays queued."""


class LrsUnreachableError(LrsError):
    """No answer from the LRS (offline, wrong address, the server stopped)."""

    def __init__(self, endpoint: Endpoint, reason: object) -> None:
        super().__init__(
            f"The LRS at {endpoint.address} cannot be reached ({_reason(reason)}); "
            "nothing was lost, and what is queued is sent next time."
        )


class LrsRefusedError(LrsError):
    """The LRS answered 4xx: bad credentials, a forbidden or malformed request."""

    def __init__(self, endpoint: Endpoint, status: int, detail: str) -> None:
        self.status = status
        what = (
            "refused the user name or key; check them in the LRS settings"
            if status in (401, 403)
            else f"refused the request ({status}{': ' + detail if detail else ''})"
        )
        super().__init__(
            f"The LRS at {endpoint.address} {what}; nothing was lost, and what is queued stays."
        )


class LrsFailedError(LrsError):
    """The LRS answered 5xx: it failed on its side."""

    def __init__(self, endpoint: Endpoint, status: int, detail: str) -> None:
        self.status = status
        super().__init__(
            f"The LRS at {endpoint.address} failed ({status}{': ' + detail if detail else ''}); "
            "nothing was lost, and what is queued is sent next time."
        )


class LrsAnswerError(LrsError):
    """The LRS answered something that is not xAPI."""

    def __init__(self, endpoint: Endpoint, what: str) -> None:
        super().__init__(f"The LRS at {endpoint.address} gave an answer that is not xAPI ({what}).")


def _reason(reason: object) -> str:
    if isinstance(reason, urllib.error.URLError):
        reason = reason.reason
    text = str(reason).strip() or type(reason).__name__
    return text[:200]


def _detail(body: bytes) -> str:
    """The LRS's own words from an error body (JSON ``detail``/``message``, or text)."""
    text = body[:2000].decode("utf-8", "replace").strip()
    try:
        data = json.loads(text)
    except ValueError:
        return " ".join(text.split())[:200]
    if isinstance(data, Mapping):
        for key in ("detail", "message", "error"):
            if isinstance(data.get(key), str):
                return data[key][:200]
    return ""


def _request(
    endpoint: Endpoint, method: str, resource: str, body: bytes | None = None
) -> tuple[int, bytes]:
    """One HTTP exchange; ``(status, body)`` of a 2xx or a 409, else an :class:`LrsError`."""
    headers = endpoint.headers()
    if body is not None:
        headers["Content-Type"] = "application/json"
    try:
        url = endpoint.url(resource)
    except ValueError as error:
        raise LrsAnswerError(endpoint, str(error)) from None
    request = urllib.request.Request(url, data=body, headers=headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as answer:
            return answer.status, answer.read()
    except urllib.error.HTTPError as error:
        with error:
            data = error.read()
        if error.code == 409:
            return 409, data
        if 400 <= error.code < 500:
            raise LrsRefusedError(endpoint, error.code, _detail(data)) from None
        raise LrsFailedError(endpoint, error.code, _detail(data)) from None
    except (urllib.error.URLError, OSError, HTTPException) as error:
        raise LrsUnreachableError(endpoint, error) from None


def send_statements(endpoint: Endpoint, statements: Sequence[Mapping[str, Any]]) -> list[str]:
    """POST one batch of statements (each with its ``id``); the ids now in the LRS.

    The batch is one request: the LRS stores all of it or none. A repeat of stored
    statements (a batch sent again after its answer was lost) is accepted by the LRS,
    or answered ``409``; both mean the ids are there.

    Returns:
        The ids of ``statements``, all acknowledged.

    Raises:
        LrsUnreachableError: no answer (nothing is known to be stored).
        LrsRefusedError: a 4xx other than 409.
        LrsFailedError: a 5xx.
    """
    if not statements:
        return []
    body = json.dumps(list(statements), ensure_ascii=False, separators=(",", ":")).encode()
    _request(endpoint, "POST", "statements", body)
    return [statement["id"] for statement in statements]


def fetch_statements(
    endpoint: Endpoint,
    *,
    agent: Mapping[str, Any] | None = None,
    verb: str | None = None,
    activity: str | None = None,
    since: str | None = None,
    until: str | None = None,
    limit: int = 500,
    **params: str,
) -> Iterator[dict]:
    """Statements the LRS holds that match, page by page along the ``more`` links.

    Args:
        endpoint: the LRS.
        agent: only this actor (an xAPI Agent, JSON-encoded into the query).
        verb: only this verb id.
        activity: only this object id.
        since, until: ISO 8601 bounds on ``stored``.
        limit: statements per page.
        **params: any other xAPI query parameter (``related_activities="true"``, ...).

    Yields:
        Each statement (a dict), in the LRS's order.

    Raises:
        LrsError: as :func:`send_statements`, or an answer that is not a statement result.
    """
    query: dict[str, str] = {"limit": str(limit), **params}
    if agent is not None:
        query["agent"] = json.dumps(dict(agent), separators=(",", ":"))
    for name, value in (("verb", verb), ("activity", activity), ("since", since), ("until", until)):
        if value is not None:
            query[name] = value
    resource = "statements?" + urllib.parse.urlencode(query)
    seen: set[str] = set()
    while resource:
        _, body = _request(endpoint, "GET", resource)
        try:
            page = json.loads(body)
            statements, more = page["statements"], page.get("more") or ""
        except (ValueError, KeyError, TypeError):
            raise LrsAnswerError(endpoint, "no StatementResult") from None
        if not isinstance(statements, list) or not isinstance(more, str):
            raise LrsAnswerError(endpoint, "no StatementResult")
        yield from statements
        if not statements or more in seen:  # an empty last page, or a loop
            return
        seen.add(more)
        resource = more
