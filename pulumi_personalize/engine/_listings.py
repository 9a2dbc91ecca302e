"""Short-lived listings shared by the reads of one burst (services without GET by id)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from ._values import Json


class ListingCache:
    """Services without GET-by-id are read by listing; a refresh of N objects must not list N times.

    Entries live ``ttl`` seconds and are dropped by any write through the same client. One lock per
    key makes concurrent readers (the host's four threads) wait for a single fetch.
    """

    def __init__(self, ttl: float = 5.0) -> None:
        self.ttl = ttl
        self._lock = threading.Lock()
        self._entries: dict[tuple[int, str], tuple[float, list[Json]]] = {}
        self._key_locks: dict[tuple[int, str], threading.Lock] = {}

    def get(self, client: object, path: str, fetch: Callable[[], list[Json]]) -> list[Json]:
        key = (id(client), path)
        with self._lock:
            key_lock = self._key_locks.setdefault(key, threading.Lock())
        with key_lock:
            with self._lock:
                entry = self._entries.get(key)
                if entry is not None and time.monotonic() - entry[0] < self.ttl:
                    return entry[1]
            items = fetch()
            with self._lock:
                self._entries[key] = (time.monotonic(), items)
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
# Listings for the natural-key (twin) check before a create. Never dropped by writes: a burst of N
# creates would otherwise list N times. A stale entry can only miss objects created in the same
# burst, which this stack already manages; the service still refuses a duplicate name.
TWIN_LISTINGS = ListingCache(ttl=30.0)
