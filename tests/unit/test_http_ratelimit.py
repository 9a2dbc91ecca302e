"""The client-side rate limit holds across threads (real clock: this test waits about 4 seconds)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
import respx

from pulumi_personalize.config import ContentstackSettings
from pulumi_personalize.http import RateLimiter, contentstack_client

CS_URL = "https://cs.test"
N_REQUESTS = 40
RATE = 10.0


@respx.mock
def test_rate_limit_holds_across_8_threads(cs_settings: Callable[..., ContentstackSettings]) -> None:
    stamps: list[float] = []
    lock = threading.Lock()

    def record(request: httpx.Request) -> httpx.Response:
        with lock:
            stamps.append(time.monotonic())
        return httpx.Response(200, json=[])

    respx.get(f"{CS_URL}/attributes").mock(side_effect=record)
    settings = cs_settings(contentstackRequestsPerSecond="10")
    assert settings.requests_per_second == RATE

    def one(_: int) -> None:
        # Each call goes through the process-wide cache, as resources do.
        contentstack_client(settings).get("/attributes")

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(one, range(N_REQUESTS)))
    elapsed = time.monotonic() - started

    assert len(stamps) == N_REQUESTS
    stamps.sort()
    # No 1-second sliding window (starting at any request) holds more than RATE (+1 for the edges).
    worst = max(sum(1 for t in stamps if s <= t < s + 1.0) for s in stamps)
    assert worst <= RATE + 1, f"{worst} requests within one second"
    assert elapsed >= (N_REQUESTS - RATE) / RATE, f"finished in {elapsed:.2f} s"


def test_rate_limiter_spacing_with_fake_clock() -> None:
    now = [0.0]
    slept: list[float] = []

    def sleep(s: float) -> None:
        slept.append(s)

    limiter = RateLimiter(4.0, clock=lambda: now[0], sleep=sleep)
    waits = [limiter.acquire() for _ in range(5)]
    # Slots at 0, .25, .5, .75, 1.0 while the clock stands still.
    assert waits == pytest.approx([0.0, 0.25, 0.5, 0.75, 1.0])
    now[0] = 10.0  # after a quiet period, no backlog carries over
    assert limiter.acquire() == 0.0


@pytest.mark.parametrize("rate", [0.0, -1.0, float("inf"), float("nan")])
def test_rate_limiter_rejects_bad_rates(rate: float) -> None:
    with pytest.raises(ValueError):
        RateLimiter(rate)
