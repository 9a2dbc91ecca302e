"""When and how long to wait before sending a failed request again (the policy, not the loop).

The rule itself (which failures are retried for which methods) is in ``_transport``; the module
docstring of ``pulumi_personalize.http`` states it.
"""

from __future__ import annotations

import email.utils
import math
import random as _random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timezone

import httpx

__all__ = ["IDEMPOTENT_METHODS", "RETRY_STATUSES", "RetryPolicy", "parse_retry_after"]

RETRY_STATUSES = frozenset({429, 502, 503, 504})
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})


def parse_retry_after(headers: Mapping[str, str] | httpx.Headers, *, now: float) -> float | None:
    """Seconds to wait according to ``retry-after-ms`` or ``Retry-After``, or None if absent/unusable.

    ``Retry-After`` may be delta seconds or an HTTP date (compared with ``now``, a Unix time).
    Unparseable, non-finite, negative values and dates in the past give None, so that the caller
    falls back to its own backoff instead of trusting a broken header.
    """
    raw_ms = headers.get("retry-after-ms")
    if raw_ms is not None:
        try:
            ms = float(raw_ms)
        except ValueError:
            ms = math.nan
        if math.isfinite(ms) and ms >= 0:
            return ms / 1000.0
    raw = headers.get("retry-after")
    if raw is None or not raw.strip():
        return None
    raw = raw.strip()
    try:
        seconds = float(raw)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(raw)
        except (TypeError, ValueError, IndexError, OverflowError):
            return None
        if when.tzinfo is None:  # RFC 9110 dates are GMT
            when = when.replace(tzinfo=timezone.utc)
        seconds = when.timestamp() - now
    if not math.isfinite(seconds) or seconds < 0:
        return None
    return seconds


@dataclass(frozen=True)
class RetryPolicy:
    """How failed requests are retried. Every source of time and chance is injectable for tests.

    ``max_attempts`` counts the first try. Backoff before retry *n* (1-based) is "full jitter":
    ``random() * min(max_delay, base_delay * 2 ** (n - 1))``, so concurrent clients spread out
    instead of retrying in lockstep. A usable ``Retry-After`` replaces it, clamped to
    ``max_retry_after``. Retrying stops when ``max_attempts`` is reached or when the next wait would
    take the total backoff beyond ``max_total_wait`` seconds.

    Under an adaptive limiter (``_adaptive``) a 429 is not retried on this schedule: the limiter
    slows down, the request waits what it says and then its turn there again, and it gives up
    only when it has been refused for longer than ``max_throttled_wait`` seconds (a big rollout
    sharing its organization's rate with other stacks can wait minutes for its turn).
    """

    max_attempts: int = 5
    base_delay: float = 0.5
    max_delay: float = 8.0
    max_retry_after: float = 60.0
    max_total_wait: float = 90.0
    max_throttled_wait: float = 180.0
    sleep: Callable[[float], None] = time.sleep
    random: Callable[[], float] = _random.random
    clock: Callable[[], float] = time.monotonic  # token expiry, rate limiting
    wall_clock: Callable[[], float] = time.time  # Retry-After dates only

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        if min(self.base_delay, self.max_delay, self.max_retry_after, self.max_total_wait, self.max_throttled_wait) < 0:
            raise ValueError("delays must not be negative")

    def backoff(self, retry: int) -> float:
        """The computed (jittered) delay before retry number ``retry`` (1 for the first retry)."""
        ceiling = min(self.max_delay, self.base_delay * (2.0 ** max(0, retry - 1)))
        jitter = min(max(self.random(), 0.0), 1.0)
        return ceiling * jitter

    def delay(self, retry: int, headers: Mapping[str, str] | httpx.Headers | None) -> tuple[float, str]:
        """(seconds to wait, where the number came from) before retry number ``retry``."""
        if headers is not None:
            hinted = parse_retry_after(headers, now=self.wall_clock())
            if hinted is not None:
                if hinted > self.max_retry_after:
                    return self.max_retry_after, "Retry-After, clamped"
                return hinted, "Retry-After"
        return self.backoff(retry), "backoff"
