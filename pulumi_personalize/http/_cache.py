"""The process-wide cache: one ``ApiClient`` per client key, one ``RateLimiter`` per limiter key.

Every resource and every thread of a ``pulumi up`` shares a client, and with it the rate limiter.
Keys are keyed hashes: a dump of the cache (or a debugger) never shows a credential, and the
per-process key stops anyone from testing guesses against a leaked digest.
"""

from __future__ import annotations

import atexit
import hashlib
import os
import threading
from collections.abc import Callable, Sequence

from ._client import ApiClient
from ._ratelimit import RateLimiter

__all__ = ["clear_client_cache", "shared_client"]

_cache_lock = threading.Lock()
_clients: dict[str, ApiClient] = {}
_limiters: dict[str, RateLimiter] = {}
_hash_key = os.urandom(32)


def _cache_key(parts: Sequence[object]) -> str:
    digest = hashlib.blake2b(key=_hash_key, digest_size=20)
    for part in parts:
        digest.update(repr(part).encode())
        digest.update(b"\x00")
    return digest.hexdigest()


def shared_client(
    client_key: Sequence[object],
    limiter_key: Sequence[object],
    rate: float | None,
    build: Callable[[RateLimiter | None], ApiClient],
) -> ApiClient:
    """The cached client for ``client_key``, built once with the limiter shared under ``limiter_key``
    (none when ``rate`` is unset). Keys are the values that tell clients apart, secrets included:
    only their keyed hash is kept."""
    key = _cache_key(client_key)
    with _cache_lock:
        client = _clients.get(key)
        if client is None:
            limiter = None
            if rate:
                limiter = _limiters.setdefault(_cache_key(limiter_key), RateLimiter(rate))
            client = _clients[key] = build(limiter)
        return client


def clear_client_cache() -> None:
    """Close and forget every cached client (tests; a long-lived process rotating credentials)."""
    with _cache_lock:
        clients = list(_clients.values())
        _clients.clear()
        _limiters.clear()
    for client in clients:
        client.close()


def _reset_after_fork() -> None:
    # Sockets and locks do not survive fork; the child starts with an empty cache.
    global _cache_lock
    _cache_lock = threading.Lock()
    _clients.clear()
    _limiters.clear()


atexit.register(clear_client_cache)
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_reset_after_fork)
