"""The one HTTP client of the package, built on httpx's own seams.

* ``ApiClient`` (``_client``): one ``httpx.Client`` and its connection pool; returns decoded JSON,
  raises from the ``errors`` ladder (``_failure``), lists pages (``_pages``).
* Credentials are ``httpx.Auth`` flows (``_auth``): fixed headers, or OAuth client credentials with
  the token cached for its lifetime and one fresh token after a 401.
* Retries and the client-side rate limit are a transport (``_transport``) around httpx's own:
  the ``RetryPolicy`` (``_retry``) says how long to wait, the ``AdaptiveLimiter`` (``_adaptive``)
  when to send: its rate follows the service's 429s, and its budget (``_budget``) is shared by
  every process of the machine that calls the same organization (a file with a lock).
* What differs between services reaches the client through one descriptor, ``Wire`` (``_wire``),
  which each service's package fills in its own ``_wire`` module; this package names no service.
  Each service's ``_wire`` also builds its clients, cached process-wide (``_cache``) per base URL,
  credentials and limits, with one limiter per base URL and credentials (``personalize:
  maxRequestsPerSecond`` caps one stack below that shared rate).

Which requests are retried
--------------------------
Retried: HTTP 429, 502, 503, 504, connection errors and timeouts, with exponential backoff and full
jitter, honouring ``Retry-After`` (and ``retry-after-ms``), bounded by ``RetryPolicy.max_attempts``
and by ``RetryPolicy.max_total_wait`` seconds of backoff in total. Under an adaptive limiter a 429 is
instead handed to the limiter (which slows down) and the request waits ``Retry-After`` and its
turn again, for as long as ``RetryPolicy.max_throttled_wait`` (3 minutes), whatever the number of
attempts. When a bound is hit the last
failure is raised as ``RateLimitedError`` / ``ServerError`` / ``TransportError`` saying how many
attempts were made over how long.

A retry must never create a duplicate, so it depends on whether the request may have been acted on:

* The request never left this process (``ConnectError``, ``ConnectTimeout``, ``PoolTimeout``): retried
  for every method — the server cannot have seen it.
* HTTP 429: retried for every method, POST included — the service refused the request before acting.
* HTTP 500, 502/503/504, read/write timeouts, a connection dropped mid-request: the server may have
  created the object before failing, so these are retried only for idempotent requests: GET, HEAD,
  OPTIONS, PUT, DELETE (a repeated DELETE may answer 404 — callers treat that as "gone"), or any
  method called with ``idempotent=True`` (an action whose repetition is harmless, such as a
  connection test or an OAuth token request). POST and PATCH are not retried on these by default.
* A 401 with OAuth client credentials: the token is refreshed once and the request sent once more
  (the service rejected it unauthenticated, so nothing was done). A second 401 is raised.
"""

from __future__ import annotations

from ._adaptive import AdaptiveLimit, AdaptiveLimiter
from ._auth import ClientCredentialsAuth, StaticHeadersAuth
from ._budget import BUDGET_DIR_ENV, FileBudget, MemoryBudget, budget_dir, shared_budget
from ._cache import clear_client_cache, shared_client
from ._client import ApiClient, ClientOptions, ServiceSettings, client_for, new_limiter
from ._errorbody import ErrorBody, parse_error_body
from ._ratelimit import RateLimiter
from ._retry import IDEMPOTENT_METHODS, RETRY_STATUSES, RetryPolicy, parse_retry_after
from ._transport import Limiter
from ._wire import Wire, bare_list

__all__ = [
    "BUDGET_DIR_ENV",
    "IDEMPOTENT_METHODS",
    "RETRY_STATUSES",
    "AdaptiveLimit",
    "AdaptiveLimiter",
    "ApiClient",
    "ClientCredentialsAuth",
    "ClientOptions",
    "ErrorBody",
    "FileBudget",
    "Limiter",
    "MemoryBudget",
    "RateLimiter",
    "RetryPolicy",
    "ServiceSettings",
    "StaticHeadersAuth",
    "Wire",
    "bare_list",
    "budget_dir",
    "clear_client_cache",
    "client_for",
    "new_limiter",
    "parse_error_body",
    "parse_retry_after",
    "shared_budget",
    "shared_client",
]
