"""The process-wide cache: one ``ApiClient`` per client key, one limiter per limiter key.

Every resource and every thread of a ``pulumi up`` shares a client, and with it the rate limiter;
a limiter shared across processes keeps its budget in a file (``_budget``). Keys are keyed hashes:
a dump of the cache (or a debugger) never shows a credential, and the per-process key stops anyone
from testing guesses against a leaked digest.
"""

from __future__ import annotations

import atexit
import hashlib
import os
import threading
from collections.abc import Callable, Sequence

from ._adaptive import AdaptiveLimiter
from ._budget import FileBudget, budget_dir, shared_budget
from ._client import ApiClient, new_limiter
from ._wire import Wire

__all__ = ["clear_client_cache", "shared_client"]

_cache_lock = threading.Lock()
_clients: dict[str, ApiClient] = {}
_limiters: dict[str, AdaptiveLimiter | None] = {}
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
    build: Callable[[AdaptiveLimiter | None], ApiClient],
    *,
    wire: Wire,
    cap: float | None = None,
) -> ApiClient:
    """The cached client for ``client_key``, built once with the limiter shared under ``limiter_key``
    (none when neither ``rate`` nor this stack's ``cap`` is set). Keys are the values that tell clients
    apart, secrets included: only their keyed hash is kept. Where ``wire`` says the service counts
    per account (Contentstack: per organization), ``rate`` is one budget for every process of this
    machine with the same ``limiter_key``, kept in a file of ``budget_dir()``."""
    key = _cache_key((*client_key, cap))
    with _cache_lock:
        client = _clients.get(key)
        if client is None:
            limit_key = _cache_key((*limiter_key, rate, cap))
            if limit_key not in _limiters:
                folder = budget_dir() if rate and wire.counts_rate else None
                budget = shared_budget(limiter_key, rate, folder) if rate and folder is not None else None
                _limiters[limit_key] = new_limiter(rate, cap, counted=wire.counts_rate, budget=budget)
            client = _clients[key] = build(_limiters[limit_key])
        return client


def clear_client_cache() -> None:
    """Close and forget every cached client (tests; a long-lived process rotating credentials)."""
    with _cache_lock:
        clients = list(_clients.values())
        limiters = list(_limiters.values())
        _clients.clear()
        _limiters.clear()
    for client in clients:
        client.close()
    for limiter in limiters:
        if limiter is not None and isinstance(limiter.budget, FileBudget):
            limiter.budget.close()


def _reset_after_fork() -> None:
    # Sockets and locks do not survive fork; the child starts with an empty cache.
    global _cache_lock
    _cache_lock = threading.Lock()
    _clients.clear()
    _limiters.clear()


atexit.register(clear_client_cache)
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_reset_after_fork)
