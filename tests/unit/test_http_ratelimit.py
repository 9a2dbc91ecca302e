"""The client-side rate limit holds across threads (real clock: this test waits about 4 seconds)."""

from __future__ import annotations

import bisect
import math
import random
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
import respx

from pulumi_personalize.config import ContentstackSettings
from pulumi_personalize.contentstack._wire import contentstack_client
from pulumi_personalize.http import RateLimiter

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
    # No 1-second sliding window (starting at any request) holds more than RATE. The limiter
    # guarantees it for reserved slots; +1 tolerates a thread woken late on a busy machine.
    worst = max(sum(1 for t in stamps if s <= t < s + 1.0) for s in stamps)
    assert worst <= RATE + 1, f"{worst} requests within one second"
    assert elapsed >= (N_REQUESTS - RATE) / RATE, f"finished in {elapsed:.2f} s"


class FakeClock:
    """A clock that only moves when someone sleeps (or a test sets it)."""

    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)


def test_rate_limiter_window_with_fake_clock() -> None:
    clock = FakeClock()
    limiter = RateLimiter(4.0, clock=clock, sleep=clock.sleep, margin=0.05)
    waits = [limiter.acquire() for _ in range(9)]
    # Four at once, then four more one window (1 s + margin) later, and so on.
    assert waits == pytest.approx([0.0] * 4 + [1.05] * 4 + [2.1])
    assert clock.slept == pytest.approx([1.05] * 4 + [2.1])
    clock.now = 10.0  # after a quiet period, no backlog carries over
    assert limiter.acquire() == 0.0


def _max_in_window(slots: list[float], width: float) -> int:
    """The most slots in any half-open window [s, s + width) (the fullest one starts at a slot)."""
    slots = sorted(slots)
    return max(bisect.bisect_left(slots, s + width) - i for i, s in enumerate(slots))


@pytest.mark.parametrize("rate", [10.0, 10.7, 3.0, 1.0])
def test_rate_limiter_never_exceeds_rate_in_any_second(rate: float) -> None:
    """Deterministic: 8 simulated threads, each sending as soon as it may after a jittered latency."""
    clock = FakeClock()
    limiter = RateLimiter(rate, clock=clock, sleep=clock.sleep, margin=0.04)
    rng = random.Random(1234)
    n_threads, n_requests = 8, 2000
    # Event loop over the simulated threads: the one that is free earliest asks for the next slot.
    free_at = [rng.uniform(0.0, 0.2) for _ in range(n_threads)]
    slots: list[float] = []
    for _ in range(n_requests):
        thread = min(range(n_threads), key=free_at.__getitem__)
        clock.now = max(clock.now, free_at[thread])
        slot = clock.now + limiter.acquire()
        assert not slots or slot >= slots[-1]  # reservations are handed out in order (FIFO)
        slots.append(slot)
        free_at[thread] = slot + rng.uniform(0.0, 0.12)  # the request's latency, jittered
    limit = math.floor(rate)
    assert _max_in_window(slots, 1.0) <= limit
    assert _max_in_window(slots, 1.04 - 1e-9) <= limit  # the margin is part of the window
    # Throughput stays at the limit per window: (n - limit) more sends took (n / limit - 1) windows.
    elapsed = slots[-1] - slots[0]
    expected = (math.ceil(n_requests / limit) - 1) * 1.04
    assert elapsed == pytest.approx(expected, abs=0.2)
    assert n_requests / elapsed >= 0.95 * limit


def test_rate_limiter_below_one_per_second() -> None:
    clock = FakeClock()
    limiter = RateLimiter(0.5, clock=clock, sleep=clock.sleep, margin=0.05)
    assert [limiter.acquire() for _ in range(3)] == pytest.approx([0.0, 2.05, 4.1])


def test_rate_limiter_shared_by_real_threads_with_fake_clock() -> None:
    """Reservations made concurrently (the lock) still respect the window."""
    clock = FakeClock()
    limiter = RateLimiter(10.0, clock=clock, sleep=lambda s: None, margin=0.05)
    slots: list[float] = []
    lock = threading.Lock()

    def one(_: int) -> None:
        wait = limiter.acquire()
        with lock:
            slots.append(clock.now + wait)  # the clock stands still: slot = 0 + wait

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(one, range(100)))
    assert len(slots) == 100
    assert _max_in_window(slots, 1.05 - 1e-9) == 10
    assert max(slots) == pytest.approx(9 * 1.05)


@pytest.mark.parametrize("rate", [0.0, -1.0, float("inf"), float("nan")])
def test_rate_limiter_rejects_bad_rates(rate: float) -> None:
    with pytest.raises(ValueError):
        RateLimiter(rate)


@pytest.mark.parametrize("margin", [-0.01, float("inf"), float("nan")])
def test_rate_limiter_rejects_bad_margins(margin: float) -> None:
    with pytest.raises(ValueError):
        RateLimiter(10.0, margin=margin)
