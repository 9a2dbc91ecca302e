"""Lists: ``limit``/``offset`` pages walked to the end, and one-call lists unwrapped by the wire."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from ..errors import PersonalizeError
from ._failure import strip_query

__all__ = ["offset_pages", "one_call_list"]

Get = Callable[..., Any]
"""``client.get(path, params=...)``."""


def offset_pages(
    get: Get,
    path: str,
    *,
    params: Mapping[str, Any] | None,
    page_size: int,
    items_key: str,
    max_pages: int,
) -> Iterator[dict[str, Any]]:
    """Every item of a list served in ``limit``/``offset`` pages of ``{..., <items_key>: [...]}``
    (a bare array is taken too).

    Stops at an empty page or at a page shorter than the page size; no total is relied on (the
    live service sends none). A server that caps the page size and says so (the envelope's
    ``limit``) is followed at its size. ``max_pages`` guards against a server ignoring ``offset``.
    """
    if page_size < 1:
        raise ValueError("page_size must be at least 1")
    offset = 0
    size = page_size
    for _ in range(max_pages):
        body = get(path, params={**(params or {}), "limit": size, "offset": offset})
        items, size = _page(body, items_key, size)
        if not items:
            return
        yield from (item for item in items if isinstance(item, dict))
        offset += len(items)
        if len(items) < size:
            return
    raise PersonalizeError(
        f"GET {strip_query(path)}: gave up after {max_pages} pages; the service seems to ignore offset",
        method="GET",
        path=strip_query(path),
    )


def _page(body: Any, items_key: str, size: int) -> tuple[list[Any], int]:
    """(the items of one page, the page size from now on)."""
    if isinstance(body, list):
        return body, size
    if not isinstance(body, dict):
        return [], size
    found = body.get(items_key)
    echoed = body.get("limit")
    if isinstance(echoed, int) and not isinstance(echoed, bool) and 0 < echoed < size:
        size = echoed  # the server's page is smaller than asked: a full page is that size
    return (found if isinstance(found, list) else []), size


def one_call_list(
    get: Get, path: str, *, params: Mapping[str, Any] | None, unwrap: Callable[[Any], list[Any] | None]
) -> list[dict[str, Any]]:
    """The items of a list fetched in one call, as ``unwrap`` finds them in the body."""
    body = get(path, params=params)
    items = unwrap(body)
    if items is None:
        raise PersonalizeError(
            f"GET {strip_query(path)}: expected a JSON array or an object holding one, "
            f"got {type(body).__name__} with keys {sorted(body) if isinstance(body, dict) else []}",
            method="GET",
            path=strip_query(path),
        )
    return [item for item in items if isinstance(item, dict)]
