"""The emulator's clock: moved over the control API (server mode) or directly (in process), it drives
timestamps, token expiry and the Contentstack background job; and the control API's bounded waits."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest

from pulumi_personalize.emulator import DEFAULT_AUTHTOKEN, EmulatorSettings
from pulumi_personalize.emulator.app import create_app
from pulumi_personalize.emulator.clock import Clock
from pulumi_personalize.emulator.testing import DEFAULT_PROJECT_UID, EmulatorHandle

CONTENTSTACK = {"authtoken": DEFAULT_AUTHTOKEN, "x-project-uid": DEFAULT_PROJECT_UID}
CONNECTION = {"name": "Clocked", "systemType": "DATA_SYSTEM",
              "auth": {"authType": "NONE"}, "request": {"requestType": "GET", "connectionUrl": "https://x.example.com"}}


def _ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


# --- server mode: POST /_emulator/clock ------------------------------------------------------------------


def test_a_set_and_frozen_clock_stamps_what_is_written(emulator: EmulatorHandle, sc: httpx.Client) -> None:
    moved = emulator.move_clock(frozen=True, now="2030-01-02T03:04:05Z")
    assert moved == {"now": "2030-01-02T03:04:05.000Z", "epoch": 1893553445.0, "frozen": True, "sleepers": 0}
    first = _ok(sc.post("/v2/connections", json=CONNECTION), 201)
    assert first["modifiedAt"] == "2030-01-02T03:04:05.000Z"
    emulator.advance_clock(90)
    second = _ok(sc.put(f"/v2/connections/{first['ref']}", json=first), 201)
    assert second["modifiedAt"] == "2030-01-02T03:05:35.000Z"
    assert emulator.requests(method="PUT")[-1]["time"] == "2030-01-02T03:05:35.000Z"
    emulator.reset()  # back to the real time, running
    assert not emulator.clock()["frozen"] and emulator.clock()["now"] < "2030"


@pytest.mark.parametrize("body", [{}, {"advance": -1}, {"advance": "1"}, {"frozen": "yes"}, {"now": "soon"},
                                  {"now": True}, []])
def test_a_bad_clock_change_is_refused(emulator: EmulatorHandle, body: Any) -> None:
    before = emulator.clock()
    response = httpx.post(emulator.base_url + "/_emulator/clock", json=body)
    assert response.status_code == 400, body
    assert response.json()["errors"]
    assert emulator.clock()["frozen"] == before["frozen"]


def test_waiting_for_requests_returns_once_they_were_answered(emulator: EmulatorHandle, cs: httpx.Client) -> None:
    for key in ("a", "b"):
        _ok(cs.post("/events", json={"key": key}), 201)
    assert len(emulator.wait_for_requests(2, method="POST", pattern="^/events$")) == 2
    assert len(emulator.wait_for_requests(3, method="POST", pattern="^/events$", timeout=0.2)) == 2  # bounded
    assert emulator.wait_idle(quiet=0)
    bad = httpx.get(emulator.base_url + "/_emulator/requests", params={"count": 1, "pattern": "("})
    assert bad.status_code == 400 and "pattern" in bad.json()["errors"]
    assert httpx.get(emulator.base_url + "/_emulator/idle", params={"timeout": 61}).status_code == 400


# --- in process: create_app(clock=...) served through httpx.ASGITransport ----------------------------------


def _in_process(test: Callable[[httpx.AsyncClient, Clock], Awaitable[None]], *, rate_limit: float | None = None,
                ) -> None:
    clock = Clock()
    clock.freeze()
    app = create_app(EmulatorSettings(token_ttl=60, contentstack_cms_delay=5.0), rate_limit=rate_limit, clock=clock)

    async def run() -> None:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://emulator") as client:
            await test(client, clock)

    asyncio.run(run())


def test_in_process_the_cms_job_runs_when_the_clock_is_advanced() -> None:
    async def test(client: httpx.AsyncClient, clock: Clock) -> None:
        audience = (await client.post("/audiences", json={"name": "A"}, headers=CONTENTSTACK)).json()["uid"]
        experience = (await client.post("/experiences", json={"name": "E", "__type": "SEGMENTED"},
                                        headers=CONTENTSTACK)).json()
        variant = {"__type": "SegmentedVariant", "name": "V", "audiences": [audience], "audienceCombinationType": "OR"}
        path = f"/experiences/{experience['uid']}/versions/{experience['latestVersion']}"
        written = await client.put(path, json={"status": "ACTIVE", "variants": [variant]}, headers=CONTENTSTACK)
        assert written.status_code == 200
        clock.advance(4.9)
        assert "_cms" not in (await client.get(f"/experiences/{experience['uid']}", headers=CONTENTSTACK)).json()
        clock.advance(0.1)
        state = (await client.get("/_emulator/state")).json()  # the job ran on the move, before any read
        assert set(state["contentstack"]["projects"][DEFAULT_PROJECT_UID]["cms"][experience["uid"]]["variants"]) == {"0"}

    _in_process(test)


def test_in_process_tokens_expire_with_the_clock() -> None:
    async def test(client: httpx.AsyncClient, clock: Clock) -> None:
        issued = await client.post("/oauth/token", data={
            "grant_type": "client_credentials", "client_id": "emulator-client", "client_secret": "emulator-secret",
            "audience": "https://api.sitecorecloud.io"})
        headers = {"Authorization": f"Bearer {issued.json()['access_token']}"}
        clock.advance(59)
        assert (await client.get("/v3/templates", headers=headers)).status_code == 200
        clock.advance(1)
        expired = await client.get("/v3/templates", headers=headers)
        assert expired.status_code == 401 and "expired" in expired.json()["message"]

    _in_process(test)


def test_in_process_the_rate_limit_window_follows_the_clock() -> None:
    async def test(client: httpx.AsyncClient, clock: Clock) -> None:
        assert [(await client.get("/events", headers=CONTENTSTACK)).status_code for _ in range(3)] == [200, 200, 429]
        clock.advance(0.99)
        assert (await client.get("/events", headers=CONTENTSTACK)).status_code == 429
        clock.advance(0.01)
        assert (await client.get("/events", headers=CONTENTSTACK)).status_code == 200

    _in_process(test, rate_limit=2)


def test_in_process_a_frozen_clock_holds_a_slow_request_until_advanced() -> None:
    async def test(client: httpx.AsyncClient, clock: Clock) -> None:
        await client.put("/_emulator/faults", json={"rules": [{"path": "^/events$", "action": "latency",
                                                               "latency_ms": 30_000}]})
        slow = asyncio.ensure_future(client.get("/events", headers=CONTENTSTACK))
        assert await clock.until_sleepers(1, timeout=10)
        log = (await client.get("/_emulator/requests")).json()["requests"]
        assert not slow.done() and log == []  # held by the fault's latency on the frozen clock
        clock.advance(30)
        answered = await asyncio.wait_for(slow, 10)  # bounded: a regression fails instead of hanging
        assert answered.status_code == 200

    _in_process(test)
