"""Fault injection, the Contentstack rate limit and the request log, through real HTTP."""

from __future__ import annotations

import time

import httpx
import pytest

from pulumi_personalize.emulator.testing import EmulatorHandle, running_emulator


def test_status_faults_with_times_and_retry_after(emulator: EmulatorHandle, cs: httpx.Client) -> None:
    emulator.set_faults([{"path": "^/attributes$", "method": "GET", "status": 503, "times": 2}])
    first = cs.get("/attributes")
    assert first.status_code == 503 and first.headers["retry-after"] == "1"
    assert first.json() == {"statusCode": 503, "error": "Service Unavailable", "message": "Injected fault"}
    assert cs.get("/attributes").status_code == 503
    assert cs.get("/attributes").status_code == 200  # the rule fired its two times
    assert cs.post("/attributes", json={"name": "A", "key": "a"}).status_code == 201
    assert emulator.faults()["rules"][0]["fired"] == 2


def test_429_with_retry_after_in_sitecore_shape(emulator: EmulatorHandle, sc: httpx.Client) -> None:
    emulator.set_faults([{"path": "^/v3/templates", "action": "status", "status": 429, "retry_after": 3}])
    response = sc.get("/v3/templates")
    assert response.status_code == 429 and response.headers["retry-after"] == "3"
    assert response.json()["status"] == 429 and response.json()["code"] == "TOO_MANY_REQUESTS"
    assert sc.get("/v2/connections").status_code == 200  # other paths are untouched


@pytest.mark.parametrize("status", [500, 502, 504])
def test_server_errors(emulator: EmulatorHandle, sc: httpx.Client, status: int) -> None:
    emulator.set_faults({"rules": [{"path": "^/v2/", "status": status}]})
    assert sc.get("/v2/connections").status_code == status


def test_latency(emulator: EmulatorHandle, cs: httpx.Client) -> None:
    emulator.set_faults([{"path": "^/events", "action": "latency", "latency_ms": 300}])
    started = time.monotonic()
    assert cs.get("/events").status_code == 200
    assert time.monotonic() - started >= 0.29


def test_drop_closes_the_connection_without_a_response(emulator: EmulatorHandle, cs: httpx.Client,
                                                       sc: httpx.Client) -> None:
    emulator.set_faults([{"path": "^/(audiences|v2/decisionModelDefinitions)", "action": "drop", "times": 2}])
    with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
        cs.get("/audiences")
    with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
        sc.post("/v2/decisionModelDefinitions", json={"name": "x", "deploymentConfiguration": {"variants": []}})
    assert cs.get("/audiences").status_code == 200
    dropped = [r for r in emulator.requests() if r.get("fault") == "drop"]
    assert len(dropped) == 2 and all(r["status"] is None for r in dropped)


def test_probability_with_a_seed_is_deterministic(emulator: EmulatorHandle, cs: httpx.Client) -> None:
    def run() -> list[int]:
        emulator.set_faults([{"path": "^/events", "probability": 0.5, "status": 500}], seed=42)
        return [cs.get("/events").status_code for _ in range(20)]

    first, second = run(), run()
    assert first == second
    assert 500 in first and 200 in first


def test_per_request_draws_do_not_depend_on_arrival_order(emulator: EmulatorHandle, cs: httpx.Client) -> None:
    """Each request's fate follows from the request and its repetition, not from what other
    requests came first: two runs in opposite orders meet the same faults request by request."""
    keys = [f"draw_{i}" for i in range(12)]

    def run(order: list[str]) -> dict[tuple[str, int], int]:
        emulator.reset()
        emulator.set_faults([{"path": "^/events", "method": "POST", "probability": 0.5, "status": 500}],
                            seed=42, draws="per-request")
        fates: dict[tuple[str, int], int] = {}
        for attempt in range(3):  # the same request again: its own next draw
            for key in order:
                fates[(key, attempt)] = cs.post("/events", json={"key": key}).status_code
        return fates

    forward, backward = run(keys), run(keys[::-1])
    assert forward == backward
    statuses = set(forward.values())
    assert 500 in statuses and statuses - {500}, statuses  # both fates occur
    assert emulator.faults()["draws"] == "per-request"
    with httpx.Client(base_url=emulator.base_url) as client:
        refused = client.put("/_emulator/faults", json={"rules": [], "draws": "shuffled"})
    assert refused.status_code == 400 and "draws" in refused.text


def test_control_endpoints_are_never_faulted(emulator: EmulatorHandle) -> None:
    emulator.set_faults([{"path": ".*", "status": 500}])
    assert emulator.health()["status"] == "ok"
    assert emulator.faults()["rules"][0]["status"] == 500
    emulator.requests()
    emulator.reset()  # restores the start-up configuration: no rules
    assert emulator.faults()["rules"] == []


def test_invalid_fault_rules_are_refused(emulator: EmulatorHandle) -> None:
    with httpx.Client(base_url=emulator.base_url) as client:
        for rule in ({"path": "(", "status": 500}, {"status": 200}, {"probability": 2, "status": 500},
                     {"action": "explode"}, {"action": "latency"}):
            response = client.put("/_emulator/faults", json={"rules": [rule]})
            assert response.status_code == 400, rule
            assert response.json()["errors"]


def test_faults_given_at_start_and_restored_by_reset() -> None:
    faults = {"seed": 1, "rules": [{"path": "^/v3/templates$", "method": "GET", "status": 502}]}
    with running_emulator(faults=faults) as emu, httpx.Client(base_url=emu.base_url,
                                                              headers=emu.sitecore_headers()) as sc:
        assert sc.get("/v3/templates").status_code == 502
        emu.clear_faults()
        assert sc.get("/v3/templates").status_code == 200
        emu.reset()
        assert sc.get("/v3/templates").status_code == 502


def test_contentstack_rate_limit_per_project() -> None:
    with running_emulator(rate_limit=10) as emu, httpx.Client(base_url=emu.base_url) as client:
        one = emu.contentstack_headers("1" * 24)
        other = emu.contentstack_headers("2" * 24)
        statuses = [client.get("/events", headers=one).status_code for _ in range(15)]
        assert statuses[:10] == [200] * 10 and 429 in statuses[10:]
        limited = client.get("/events", headers=one)
        assert limited.status_code == 429 and int(limited.headers["retry-after"]) >= 1
        assert limited.json()["statusCode"] == 429
        assert client.get("/events", headers=other).status_code == 200  # another project has its own budget
        assert client.get("/v3/templates", headers=emu.sitecore_headers()).status_code == 200  # Sitecore is not limited
        emu.advance_clock(1.05)
        assert client.get("/events", headers=one).status_code == 200
        emu.set_faults({"rules": [], "rateLimit": None})
        assert all(client.get("/events", headers=one).status_code == 200 for _ in range(15))


def test_rate_limit_can_be_switched_on_at_runtime(emulator: EmulatorHandle, cs: httpx.Client) -> None:
    emulator.set_faults([], rate_limit=2)
    assert [cs.get("/events").status_code for _ in range(3)] == [200, 200, 429]


def test_request_log_redacts_credentials(emulator: EmulatorHandle, cs: httpx.Client, sc: httpx.Client) -> None:
    emulator.clear_requests()
    sc.post("/v2/connections", json={
        "name": "c", "systemType": "DATA_SYSTEM", "request": {"requestType": "GET", "connectionUrl": "https://x.example.com"},
        "auth": {"authType": "OAUTH", "username": "u", "password": "hunter2", "clientSecret": "cs-1",
                 "apiKey": "k-1", "accessToken": "t-1"}}, params={"trace": "1"})
    httpx.post(emulator.base_url + "/oauth/token", data={
        "grant_type": "client_credentials", "client_id": "emulator-client", "client_secret": "emulator-secret",
        "audience": "https://api.sitecorecloud.io"})
    cs.get("/attributes")
    entries = emulator.requests()
    assert [(e["method"], e["path"], e["status"]) for e in entries] == [
        ("POST", "/v2/connections", 201), ("POST", "/oauth/token", 200), ("GET", "/attributes", 200)]
    auth = entries[0]["body"]["auth"]
    assert auth["password"] == auth["clientSecret"] == auth["apiKey"] == auth["accessToken"] == "***"
    assert auth["username"] == "u"
    assert entries[0]["query"] == {"trace": "1"}
    assert entries[1]["body"]["client_secret"] == "***" and entries[1]["body"]["client_id"] == "emulator-client"
    assert all(set(e) >= {"method", "path", "query", "body", "status", "time"} for e in entries)
    text = str(entries)
    for secret in ("hunter2", "cs-1", "k-1", "t-1", "emulator-secret", "emulator-access-token", "emulator-authtoken"):
        assert secret not in text
    assert [e["path"] for e in emulator.requests(method="GET")] == ["/attributes"]
    emulator.clear_requests()
    assert emulator.requests() == []
