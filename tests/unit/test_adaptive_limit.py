"""The adaptive rate limit, on an injected clock (nothing sleeps): it slows down on 429 and on
``Retry-After``, recovers, never exceeds its ceiling or this stack's cap, shares one budget between
limiters using the same file, and several limiters that share nothing converge under a service's limit."""

from __future__ import annotations

import asyncio
import heapq
import json
import random
import threading
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx
from pulumi.dynamic import Config, ConfigureRequest

from pulumi_personalize.config import ContentstackSettings, load_contentstack_settings
from pulumi_personalize.contentstack._wire import contentstack_client as shared_contentstack_client
from pulumi_personalize.contentstack._wire import new_client as new_contentstack_client
from pulumi_personalize.contentstack.cma import cma_client
from pulumi_personalize.contentstack.cma_settings import load_cma_settings
from pulumi_personalize.contentstack.resources import Event
from pulumi_personalize.emulator import DEFAULT_AUTHTOKEN
from pulumi_personalize.emulator.app import create_app
from pulumi_personalize.emulator.clock import Clock as EmulatorClock
from pulumi_personalize.engine import EngineProvider
from pulumi_personalize.errors import ConfigurationError, RateLimitedError
from pulumi_personalize.facts.contentstack import RATE_LIMIT_MESSAGE, RATE_LIMIT_WINDOW
from pulumi_personalize.http import (
    AdaptiveLimiter,
    FileBudget,
    MemoryBudget,
    RetryPolicy,
    budget_dir,
    new_limiter,
    shared_budget,
)
from pulumi_personalize.sitecore._wire import new_client as new_sitecore_client
from pulumi_personalize.sitecore._wire import sitecore_client

CS_URL = "https://cs.test"


class Clock:
    """Time that moves only when a limiter sleeps (or the test moves it)."""

    def __init__(self, now: float = 1_000.0) -> None:
        self.now = now
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def limiter(clock: Clock, ceiling: float = 10.0, **options: Any) -> AdaptiveLimiter:
    return AdaptiveLimiter(ceiling, clock=clock, sleep=clock.sleep, random=lambda: 0.5, **options)


def sends(lim: AdaptiveLimiter, clock: Clock, n: int) -> list[float]:
    """The times of ``n`` sends, one after another (the clock moves by the waits)."""
    out = []
    for _ in range(n):
        lim.acquire()
        out.append(clock())
    return out


def most_in_any(times: list[float], span: float) -> int:
    ordered = sorted(times)
    return max(sum(1 for t in ordered if s <= t < s + span) for s in ordered)


def test_at_its_ceiling_it_never_exceeds_the_ceiling_in_any_second() -> None:
    clock = Clock()
    times = sends(limiter(clock), clock, 60)
    assert most_in_any(times, 1.0) == 10
    # 10 per window (1 s + 50 ms), each at least half an interval (50 ms) after the one before
    assert times[-1] - times[0] == pytest.approx(5 * 1.05 + 9 * 0.05)


def test_a_429_cuts_the_rate_and_the_refused_request_waits_about_one_window() -> None:
    clock = Clock()
    lim = limiter(clock)
    sends(lim, clock, 5)
    # no Retry-After: one window (1.05 s) less jitter (0.2 x 0.5); a lone 429 is noise
    assert lim.throttled(clock(), None) == pytest.approx(1.05 * 0.9)
    assert lim.rate == 10.0
    clock.now += 0.5
    lim.throttled(clock(), None)  # a second soon after: too many senders; the others go on, slower
    assert lim.rate == pytest.approx(7.0)
    clock.now += 1.05
    times = sends(lim, clock, 10)
    # about 7 per second now (recovery is slow, 0.5/s per second): 10 sends no longer fit in one window
    assert times[-1] - times[0] > 1.0 and most_in_any(times, 0.98) <= 8


def test_retry_after_within_the_window_holds_back_only_the_refused_request() -> None:
    clock = Clock()
    lim = limiter(clock)
    lim.acquire()
    assert lim.throttled(clock(), 1.0) == pytest.approx(1.1)  # Retry-After plus jitter (0.2 x 0.5)
    start = clock()
    lim.acquire()
    assert clock() - start <= 0.05  # nobody else paused (half an interval after the last send at most)


def test_one_cut_per_episode_not_one_per_refused_request() -> None:
    clock = Clock()
    lim = limiter(clock)
    sent = [clock()] * 6  # six requests in flight when the service starts refusing
    for t in sent:
        clock.now += 0.01
        lim.throttled(t, None)
    assert lim.rate == pytest.approx(7.0, abs=0.1)
    lim.acquire()  # after the pause; a request sent now and refused again is a new episode
    lim.throttled(clock(), None)
    assert lim.rate == pytest.approx(4.9, abs=0.1)


def test_it_recovers_additively_to_the_ceiling_and_no_further() -> None:
    clock = Clock()
    lim = limiter(clock)
    lim.throttled(clock(), None)  # a lone 429: noise
    lim.throttled(clock(), None)  # a second: a cut
    lim.throttled(clock.now + 0.001, None)  # sent after the first cut: a second cut
    assert lim.rate == pytest.approx(4.9)
    clock.now += 2.0
    assert lim.rate == pytest.approx(4.9 + 2 * 0.5)  # a twentieth of the ceiling per second
    clock.now += 60
    assert lim.rate == 10.0


def test_it_never_exceeds_the_ceiling_while_adapting() -> None:
    clock = Clock()
    lim = limiter(clock)
    rng = random.Random(7)
    times = []
    for _ in range(400):
        lim.acquire()
        times.append(clock())
        if rng.random() < 0.05:
            lim.throttled(clock(), rng.choice([None, 0.0, 1.0, 2.5]))
        clock.now += rng.choice([0.0, 0.0, 0.01, 0.3])
    assert most_in_any(times, 1.0) <= 10
    assert lim.rate >= lim.floor


def test_this_stacks_cap_holds_below_the_shared_rate() -> None:
    clock = Clock()
    lim = limiter(clock, cap=3.0)
    times = sends(lim, clock, 30)
    assert most_in_any(times, 1.0) <= 3


def test_two_limiters_on_one_file_share_one_budget(tmp_path: Path) -> None:
    clock = Clock()
    path = tmp_path / "org.json"
    one = limiter(clock, budget=FileBudget(path, 10.0))
    two = limiter(clock, budget=FileBudget(path, 10.0))
    times = []
    for i in range(40):
        (one if i % 2 else two).acquire()
        times.append(clock())
    assert most_in_any(times, 1.0) == 10  # 10 between them, not 10 each
    one.throttled(clock(), 3.0)  # what one process hears, the other obeys
    two.throttled(clock(), None)  # a second 429 soon after, in the other process: one episode, one cut
    assert one.rate == pytest.approx(7.0)
    start = clock()
    two.acquire()
    assert clock() - start == pytest.approx(3.0 * 1.1)


def test_the_budget_file_holds_numbers_only_and_survives_garbage(tmp_path: Path) -> None:
    secret = "cs-authtoken-SECRET-9"
    budget = shared_budget(("https://cs.test", secret), 10.0, tmp_path)
    assert isinstance(budget, FileBudget) and secret not in budget.path.name
    clock = Clock()
    lim = limiter(clock, budget=budget)
    lim.acquire()
    text = budget.path.read_text()
    assert secret not in text and json.loads(text)["rate"] == 10.0
    budget.path.write_text("{not json")  # a crash mid-write, or another version's format
    lim.acquire()
    assert json.loads(budget.path.read_text())["rate"] == 10.0
    budget.close()


def test_budget_folder_is_the_users_cache_and_can_be_moved_or_turned_off(tmp_path: Path) -> None:
    assert budget_dir({"XDG_CACHE_HOME": str(tmp_path)}) == tmp_path / "pulumi-personalize" / "rate-limits"
    assert budget_dir({"PERSONALIZE_RATE_LIMIT_DIR": str(tmp_path / "x")}) == tmp_path / "x"
    assert budget_dir({"PERSONALIZE_RATE_LIMIT_DIR": "off"}) is None
    assert isinstance(shared_budget(("k",), 10.0, None), MemoryBudget)


def test_limiters_that_share_nothing_converge_under_the_services_limit() -> None:
    """Three machines (no shared file), eight threads each, against a service allowing 10 in any
    second: the refused share stays small and the accepted rate stays near the service's."""
    clock = Clock(0.0)
    rng = random.Random(11)
    lims = [AdaptiveLimiter(10.0, clock=clock, sleep=lambda s: None, random=rng.random) for _ in range(3)]
    window: deque[float] = deque()  # the service's sends of the last second
    # (time, what, machine, slot, epoch): a thread asks for a slot ("reserve"), sends at it ("send"),
    # and asks again when the answer comes back 50 ms later; the queue stands for the sleeps
    events: list[tuple[float, str, int, float, int]] = [(rng.random() * 0.1, "reserve", i % 3, 0, 0) for i in range(24)]
    heapq.heapify(events)
    accepted = refused = 0
    while events:
        now, what, who, slot, epoch = heapq.heappop(events)
        if now > 60.0:
            continue
        clock.now = now
        lim = lims[who]
        if what == "reserve":
            slot, epoch = lim.reserve(now)
            heapq.heappush(events, (max(slot, now), "send", who, slot, epoch))
            continue
        if not lim.confirm(slot, epoch, now):  # paused meanwhile: reserve again
            heapq.heappush(events, (now, "reserve", who, 0, 0))
            continue
        while window and now - window[0] >= 1.0:
            window.popleft()
        if len(window) < 10:
            window.append(now)
            accepted += 1
            heapq.heappush(events, (now + 0.05, "reserve", who, 0, 0))  # the answer comes back 50 ms later
        else:  # refused: the thread waits what the limiter says before its next turn
            refused += 1
            heapq.heappush(events, (now + 0.05 + lim.throttled(now, None), "reserve", who, 0, 0))
    assert accepted / 60.0 >= 7.5, f"{accepted / 60:.2f}/s accepted"
    assert refused / (accepted + refused) <= 0.2, f"{refused} refused of {accepted + refused}"


# --- the transport: a 429 waits its turn at the limiter, bounded by time ---------------------------------


@pytest.fixture
def clock() -> Clock:
    return Clock()


def _client(cs_settings: Callable[..., ContentstackSettings], clock: Clock, **policy: Any) -> Any:
    lim = limiter(clock)
    retry = RetryPolicy(sleep=clock.sleep, clock=clock, random=lambda: 1.0, **policy)
    return new_contentstack_client(cs_settings(), retry_policy=retry, rate_limiter=lim), lim


@respx.mock
def test_429s_are_retried_past_five_attempts_within_the_time_budget(
    cs_settings: Callable[..., ContentstackSettings], clock: Clock
) -> None:
    client, lim = _client(cs_settings, clock)
    route = respx.get(f"{CS_URL}/attributes").mock(
        side_effect=[httpx.Response(429, json={"message": "slow down"})] * 8 + [httpx.Response(200, json=[])]
    )
    assert client.get("/attributes") == []
    assert route.call_count == 9
    assert lim.rate < 10.0  # it listened


@respx.mock
def test_429_honours_retry_after_at_the_limiter(cs_settings: Callable[..., ContentstackSettings], clock: Clock) -> None:
    client, _ = _client(cs_settings, clock)
    respx.get(f"{CS_URL}/events").mock(
        side_effect=[httpx.Response(429, headers={"Retry-After": "7"}), httpx.Response(200, json=[])]
    )
    start = clock()
    assert client.get("/events") == []
    assert clock() - start == pytest.approx(7 * 1.1)


@respx.mock
def test_429s_give_up_after_the_time_budget(cs_settings: Callable[..., ContentstackSettings], clock: Clock) -> None:
    client, _ = _client(cs_settings, clock, max_throttled_wait=30.0)
    route = respx.post(f"{CS_URL}/audiences").mock(return_value=httpx.Response(429, headers={"Retry-After": "4"}))
    with pytest.raises(RateLimitedError) as info:
        client.post("/audiences", json={"name": "a"})
    assert "30 s retry budget" in str(info.value)
    assert route.call_count == 7  # 4.4 s apart: waiting after the 7th refusal would end after 30.8 s


# --- against the emulator's per-organization limit, in process, on the emulator's frozen clock ----------


class _EmulatorOnAClock(httpx.BaseTransport):
    """The emulator application with its rate limit, on a frozen ``Clock`` that only the limiters move."""

    def __init__(self, clock: EmulatorClock, faults: dict[str, Any]) -> None:
        self._asgi = httpx.ASGITransport(app=create_app(faults=faults, clock=clock))
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()

    async def _exchange(self, request: httpx.Request) -> httpx.Response:
        response = await self._asgi.handle_async_request(request)
        return httpx.Response(response.status_code, headers=response.headers, content=await response.aread(),
                              request=request)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        request.read()
        return asyncio.run_coroutine_threadsafe(self._exchange(request), self._loop).result(timeout=30)

    def close(self) -> None:
        pass  # every client closes its transport; this one serves several, until shutdown()

    def shutdown(self) -> None:
        if not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=10)
            self._loop.close()


def _two_projects_of_one_organization(transport: httpx.BaseTransport) -> list[str]:
    headers = {"authtoken": DEFAULT_AUTHTOKEN, "organization_uid": "org-shared"}
    with httpx.Client(transport=transport, base_url=CS_URL, headers=headers) as setup:
        return [setup.post("/projects", json={"name": name}).json()["uid"] for name in ("dev", "prod")]


@pytest.mark.parametrize("retry_after", [True, False])
@pytest.mark.parametrize("shared", [True, False])
def test_two_stacks_of_one_organization_against_the_emulators_limit(
    cs_settings: Callable[..., ContentstackSettings], tmp_path: Path, shared: bool, retry_after: bool
) -> None:
    """Two clients (two projects of one organization, as two stacks have) alternate 80 requests
    against the emulator's 10/s per organization. Sharing a file, they are never refused; sharing
    nothing (two machines), they are refused and slow down, and every request still succeeds."""
    clock = EmulatorClock()
    clock.freeze()
    transport = _EmulatorOnAClock(clock, {"rules": [], "rateLimit": 10, "rateLimitRetryAfter": retry_after})
    try:
        projects = _two_projects_of_one_organization(transport)
        clock.advance(1.0)  # those two calls counted in the organization's window too
        clients = []
        for uid in projects:
            budget = FileBudget(tmp_path / "org.json", 10.0) if shared else MemoryBudget(10.0)
            lim = AdaptiveLimiter(10.0, budget=budget, clock=clock.time, sleep=clock.advance)
            policy = RetryPolicy(sleep=clock.advance, clock=clock.time, wall_clock=clock.time)
            settings = cs_settings(contentstackBaseUrl=CS_URL, contentstackProjectUid=uid,
                                   contentstackAuthtoken=DEFAULT_AUTHTOKEN)
            clients.append(new_contentstack_client(settings, rate_limiter=lim, retry_policy=policy,
                                                   transport=transport))
        started = clock.time()
        for i in range(80):
            assert clients[i % 2].get("/events") == []
        elapsed = clock.time() - started
        refused = [r for r in clients[0]._http.get(f"{CS_URL}/_emulator/requests").json()["requests"]
                   if r["status"] == 429]
        if shared:
            # 10 per window, 50 ms apart at least, 8 windows
            assert refused == [] and elapsed == pytest.approx(7 * 1.05 + 9 * 0.05, rel=0.05)
        else:
            assert refused and elapsed < 80 / 10 * 2.5  # slowed down, not stalled
    finally:
        transport.shutdown()


# --- personalize:maxRequestsPerSecond: this stack's cap, checked at preview ------------------------------


def test_max_requests_per_second_caps_each_services_client(
    cs_settings: Callable[..., ContentstackSettings], sc_settings: Callable[..., Any]
) -> None:
    cs = cs_settings(contentstackRequestsPerSecond="10", maxRequestsPerSecond="4")
    assert (cs.requests_per_second, cs.max_requests_per_second) == (10.0, 4.0)
    lim = new_contentstack_client(cs).rate_limiter
    assert isinstance(lim, AdaptiveLimiter) and lim.ceiling == 10.0  # the organization's, shared
    sc = sc_settings(maxRequestsPerSecond="2.5")
    assert sc.requests_per_second is None and sc.max_requests_per_second == 2.5
    sc_lim = new_sitecore_client(sc).rate_limiter
    assert isinstance(sc_lim, AdaptiveLimiter) and sc_lim.ceiling == 2.5  # no documented limit: the cap is it
    assert new_sitecore_client(sc_settings()).rate_limiter is None  # as before: none unless asked
    assert lim.cap == 4.0
    cma = load_cma_settings({"personalize:contentstackStackApiKey": "blt1", "personalize:contentstackAuthtoken": "t",
                             "personalize:contentstackCmaBaseUrl": "https://cma.test", "personalize:maxRequestsPerSecond": "4"},
                            environ={})
    assert (cma.requests_per_second, cma.max_requests_per_second) == (10.0, 4.0)
    cma_lim = cma_client(cma).rate_limiter  # the Content Management API client of the same stack: capped too
    assert isinstance(cma_lim, AdaptiveLimiter) and (cma_lim.ceiling, cma_lim.cap) == (10.0, 4.0)
    env = load_contentstack_settings({"personalize:contentstackProjectUid": "p", "personalize:contentstackAuthtoken": "t",
                                      "personalize:contentstackBaseUrl": CS_URL},
                                     environ={"PERSONALIZE_MAX_REQUESTS_PER_SECOND": "3"})
    assert env.max_requests_per_second == 3.0


def test_a_rate_the_service_counts_keeps_a_margin_and_a_users_own_rate_is_kept_exactly(
    cs_settings: Callable[..., ContentstackSettings], sc_settings: Callable[..., Any]
) -> None:
    # Contentstack counts per organization in windows of its own: 10 sends per 1.05 s
    for settings in (cs_settings(contentstackRequestsPerSecond="10"), cs_settings(maxRequestsPerSecond="10")):
        for lim in (new_contentstack_client(settings).rate_limiter, shared_contentstack_client(settings).rate_limiter):
            assert isinstance(lim, AdaptiveLimiter) and lim.window == pytest.approx(1.05)
    # Sitecore documents no limit: what the user sets is what it gets, uncached or shared, rate or cap
    for settings in (sc_settings(sitecoreRequestsPerSecond="10"), sc_settings(maxRequestsPerSecond="10")):
        for lim in (new_sitecore_client(settings).rate_limiter, sitecore_client(settings).rate_limiter):
            assert isinstance(lim, AdaptiveLimiter) and lim.window == 1.0
    clock = Clock()
    times = sends(new_limiter(10.0, None, counted=False, clock=clock, sleep=clock.sleep), clock, 60)
    assert most_in_any(times, 1.0) == 10  # never 11 in a second
    assert times[-1] - times[0] == pytest.approx(5 * 1.0 + 9 * 0.05)  # 10 per second, not 9.5


def test_a_bad_max_requests_per_second_fails_the_check() -> None:
    config = {"personalize:contentstackBaseUrl": CS_URL, "personalize:contentstackProjectUid": "p",
              "personalize:contentstackAuthtoken": "t", "personalize:maxRequestsPerSecond": "fast"}
    provider = EngineProvider(Event._spec.name, Event._spec.module)
    provider.configure(ConfigureRequest(Config(config, "proj")))
    failures = provider.check({}, {"key": "k"}).failures
    assert [f.reason for f in failures] == [
        "personalize:maxRequestsPerSecond must be a positive number of requests per second (or 0 / none to "
        "disable the client-side limit), got 'fast': set personalize:maxRequestsPerSecond"
    ]
    with pytest.raises(ConfigurationError):
        load_contentstack_settings({**config, "personalize:maxRequestsPerSecond": "-1"}, environ={})


@pytest.mark.parametrize("retry_after", [True, False])
def test_the_emulators_429_is_the_services_error_body_with_or_without_retry_after(retry_after: bool) -> None:
    clock = EmulatorClock()
    clock.freeze()
    transport = _EmulatorOnAClock(clock, {"rules": [], "rateLimit": 2, "rateLimitRetryAfter": retry_after})
    try:
        uid = _two_projects_of_one_organization(transport)[0]  # two calls: the organization's window is full
        headers = {"authtoken": DEFAULT_AUTHTOKEN, "x-project-uid": uid}
        with httpx.Client(transport=transport, base_url=CS_URL, headers=headers) as client:
            refused = client.get("/events")
            clock.advance(RATE_LIMIT_WINDOW)
            allowed = client.get("/events")
        assert refused.status_code == 429 and allowed.status_code == 200
        assert refused.json() == {"statusCode": 429, "error": "Too Many Requests", "message": RATE_LIMIT_MESSAGE}
        assert ("retry-after" in refused.headers) == retry_after
        assert not [h for h in refused.headers if "ratelimit" in h.lower()]  # none documented, none sent
    finally:
        transport.shutdown()
