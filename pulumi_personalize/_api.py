"""What the services' api layers share, below the engine (an api module never imports the engine).

- ``ListingCache`` and ``LISTINGS``: the short-lived listings shared by the reads of one burst, for
  collections read by listing (Contentstack's attributes, audiences and events; Sitecore's pages);
- ``PartialCreateError``: a create whose first call succeeded and a follow-up failed;
- ``AMBIGUOUS_CREATE_ATTEMPTS``: how often a create whose answer was lost is looked for and posted
  again (the engine's rule, which an api that finds its own lost creates follows too).

``pulumi_personalize.engine`` re-exports all of them, as it always has.
"""

from __future__ import annotations

import threading
import time
import weakref
from collections.abc import Callable

from ._values import Json
from .errors import PersonalizeError

__all__ = ["AMBIGUOUS_CREATE_ATTEMPTS", "LISTINGS", "ListingCache", "PartialCreateError"]

# How often a create whose answer was lost (5xx, timeout) is looked for and posted again.
AMBIGUOUS_CREATE_ATTEMPTS = 4


class ListingCache:
    """Services without GET-by-id are read by listing; a refresh of N objects must not list N times.

    Entries live ``ttl`` seconds and are dropped by any write through the same client. One lock per
    key makes concurrent readers (the host's four threads) wait for a single fetch.

    An entry is keyed by its client's ``id()`` and holds a weak reference to that client, and only
    that client reads it: once a client is freed, the next one may be given the same ``id()`` (one
    of another configuration, perhaps another tenant), and it lists for itself. (No callback on the
    client's death: it could run in a garbage collection inside this cache's own lock.)
    """

    def __init__(self, ttl: float = 5.0) -> None:
        self.ttl = ttl
        self._lock = threading.Lock()
        self._entries: dict[tuple[int, str], tuple[float, list[Json], weakref.ref[object]]] = {}
        self._key_locks: dict[tuple[int, str], threading.Lock] = {}

    def get(self, client: object, path: str, fetch: Callable[[], list[Json]]) -> list[Json]:
        key = (id(client), path)
        with self._lock:
            key_lock = self._key_locks.setdefault(key, threading.Lock())
        with key_lock:
            with self._lock:
                entry = self._entries.get(key)
                if entry is not None and entry[2]() is client and time.monotonic() - entry[0] < self.ttl:
                    return entry[1]
            items = fetch()
            with self._lock:
                self._entries[key] = (time.monotonic(), items, weakref.ref(client))
            return items

    def invalidate(self, client: object, path: str | None = None) -> None:
        with self._lock:
            for key in list(self._entries):
                if key[0] == id(client) and (path is None or key[1] == path):
                    del self._entries[key]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


LISTINGS = ListingCache()


class PartialCreateError(PersonalizeError):
    """A create whose first call succeeded and a follow-up failed. ``created_id`` is the object
    left behind (``None`` when it was undone); the message says which it is."""

    def __init__(self, message: str, *, created_id: str | None, cause: PersonalizeError | None = None) -> None:
        super().__init__(
            message,
            status=cause.status if cause else None,
            method=cause.method if cause else None,
            path=cause.path if cause else None,
            request_id=cause.request_id if cause else None,
        )
        self.created_id = created_id
