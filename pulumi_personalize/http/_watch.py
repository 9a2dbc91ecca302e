"""Who saw a 404: a thread-local watch the engine reads (to be replaced by a value the api returns)."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator

__all__ = ["saw_not_found", "watch_not_found"]

_not_found = threading.local()


@contextlib.contextmanager
def watch_not_found() -> Iterator[list[str]]:
    """The paths of the 404 answers this thread receives inside the block, even the ones an api
    layer turns into "absent": a 404 is evidence of a missing object only once the collection
    answers (a wrong project, region or base URL answers 404 too), and the engine must know."""
    seen: list[str] = []
    watchers: list[list[str]] = getattr(_not_found, "watchers", None) or []
    _not_found.watchers = [*watchers, seen]
    try:
        yield seen
    finally:
        _not_found.watchers = watchers


def saw_not_found(path: str) -> None:
    for seen in getattr(_not_found, "watchers", None) or ():
        seen.append(path)
