"""The one descriptor through which the client knows a service: ``Wire``.

The http package names no service. Each service's package describes its wire in its own ``_wire``
module (how messages name it, its list envelopes, its error bodies) and builds its clients there.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ._errorbody import ErrorBody, parse_error_body

__all__ = ["Wire", "bare_list"]


def bare_list(body: Any) -> list[Any] | None:
    """A JSON array as is, no body as empty; anything else is not a list (None)."""
    if body is None:
        return []
    return body if isinstance(body, list) else None


def _never(code: str) -> bool:
    return False


@dataclass(frozen=True)
class Wire:
    """What the client needs to know of one service's wire."""

    name: str
    """How messages name the service: ``GET /x to <name> failed``."""
    items_key: str = "items"
    """The member holding the items in a page of ``limit``/``offset`` paging."""
    unwrap: Callable[[Any], list[Any] | None] = bare_list
    """The items of a one-call list body, or None when the body holds no list."""
    parse_error: Callable[[Any], ErrorBody] = parse_error_body
    """``(message, field_errors, error_code)`` of an error body."""
    shows_code: Callable[[str], bool] = _never
    """Whether an error code carries information the message lacks (then the message shows it)."""
    counts_rate: bool = False
    """Whether the service counts requests against the rate per account, in windows of its own
    (Contentstack: per organization). Then the schedule keeps a margin for the service's windows and
    the processes of one machine share one budget; otherwise a rate is the user's own, kept exactly
    by this process."""
