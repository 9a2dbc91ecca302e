"""Retries: Retry-After, backoff, caps, and which methods are retried on what (respx at the boundary)."""

from __future__ import annotations

import email.utils
from collections.abc import Callable
from typing import Any

import httpx
import pytest
import respx

from pulumi_personalize.config import ContentstackSettings
from pulumi_personalize.contentstack._wire import new_client as new_contentstack_client
from pulumi_personalize.errors import RateLimitedError, ServerError, TransportError
from pulumi_personalize.http import ApiClient, RetryPolicy, parse_retry_after

CS_URL = "https://cs.test"
WALL_NOW = 1445412480.0


@pytest.fixture
def client(cs_settings: Callable[..., ContentstackSettings], policy: RetryPolicy) -> ApiClient:
    return new_contentstack_client(cs_settings(), retry_policy=policy)


@respx.mock
def test_429_then_200_honours_retry_after_seconds(client: ApiClient, fake_time: Any) -> None:
    route = respx.get(f"{CS_URL}/attributes").mock(
        side_effect=[
            httpx.Response(429, headers={"Retry-After": "7"}, json={"message": "slow down"}),
            httpx.Response(200, json=[{"uid": "a1"}]),
        ]
    )
    assert client.get("/attributes") == [{"uid": "a1"}]
    assert route.call_count == 2
    assert fake_time.sleeps == [7.0]


@respx.mock
def test_retry_after_http_date(client: ApiClient, fake_time: Any) -> None:
    when = email.utils.formatdate(WALL_NOW + 12, usegmt=True)
    route = respx.get(f"{CS_URL}/events").mock(
        side_effect=[httpx.Response(429, headers={"Retry-After": when}), httpx.Response(200, json=[])]
    )
    assert client.get("/events") == []
    assert route.call_count == 2
    assert fake_time.sleeps == [pytest.approx(12.0)]


@pytest.mark.parametrize("header", ["soon", "", "-5", "nan", "Wed, 99 Foo 2015 07:28:00 GMT"])
@respx.mock
def test_unusable_retry_after_falls_back_to_backoff(client: ApiClient, fake_time: Any, header: str) -> None:
    route = respx.get(f"{CS_URL}/events").mock(
        side_effect=[httpx.Response(429, headers={"Retry-After": header}), httpx.Response(200, json=[])]
    )
    client.get("/events")
    assert route.call_count == 2
    # random() == 1.0 in the fixture policy: the first backoff is its ceiling, base_delay.
    assert fake_time.sleeps == [0.5]


@respx.mock
def test_retry_after_date_in_the_past_falls_back(client: ApiClient, fake_time: Any) -> None:
    when = email.utils.formatdate(WALL_NOW - 3600, usegmt=True)
    respx.get(f"{CS_URL}/events").mock(
        side_effect=[httpx.Response(503, headers={"Retry-After": when}), httpx.Response(200, json=[])]
    )
    client.get("/events")
    assert fake_time.sleeps == [0.5]


@respx.mock
def test_huge_retry_after_is_clamped(
    cs_settings: Callable[..., ContentstackSettings], fake_time: Any
) -> None:
    policy = RetryPolicy(
        max_retry_after=30.0,
        max_total_wait=100.0,
        sleep=fake_time.sleep,
        random=lambda: 1.0,
        clock=fake_time.clock,
    )
    client = new_contentstack_client(cs_settings(), retry_policy=policy)
    respx.get(f"{CS_URL}/events").mock(
        side_effect=[httpx.Response(429, headers={"Retry-After": "86400"}), httpx.Response(200, json=[])]
    )
    client.get("/events")
    assert fake_time.sleeps == [30.0]


def test_parse_retry_after_variants() -> None:
    assert parse_retry_after({"retry-after": "3"}, now=0) == 3.0
    assert parse_retry_after({"retry-after": "1.5"}, now=0) == 1.5
    assert parse_retry_after({"retry-after-ms": "250"}, now=0) == 0.25
    assert parse_retry_after({"retry-after": "inf"}, now=0) is None
    assert parse_retry_after({}, now=0) is None
    date = email.utils.formatdate(WALL_NOW + 5, usegmt=True)
    assert parse_retry_after({"retry-after": date}, now=WALL_NOW) == pytest.approx(5.0)


def test_backoff_is_exponential_with_full_jitter_and_capped() -> None:
    ceilings = RetryPolicy(base_delay=0.5, max_delay=3.0, random=lambda: 1.0)
    assert [ceilings.backoff(n) for n in range(1, 6)] == [0.5, 1.0, 2.0, 3.0, 3.0]
    half = RetryPolicy(base_delay=0.5, max_delay=3.0, random=lambda: 0.5)
    assert [half.backoff(n) for n in range(1, 4)] == [0.25, 0.5, 1.0]
    zero = RetryPolicy(random=lambda: 0.0)
    assert zero.backoff(3) == 0.0


@respx.mock
def test_503_storm_hits_the_attempt_cap(client: ApiClient, fake_time: Any) -> None:
    route = respx.get(f"{CS_URL}/experiences").mock(
        return_value=httpx.Response(503, json={"message": "overloaded"}, headers={"x-request-id": "rid-9"})
    )
    with pytest.raises(ServerError) as info:
        client.get("/experiences")
    err = info.value
    assert route.call_count == 5
    assert err.status == 503
    assert err.attempts == 5
    assert fake_time.sleeps == [0.5, 1.0, 2.0, 4.0]
    assert err.waited == pytest.approx(7.5)
    text = str(err)
    assert "after 5 attempts" in text and "7.5 s" in text
    assert "HTTP 503" in text and "overloaded" in text and "rid-9" in text


@respx.mock
def test_429_storm_hits_the_total_wait_cap(
    cs_settings: Callable[..., ContentstackSettings], fake_time: Any
) -> None:
    policy = RetryPolicy(
        max_attempts=100,
        max_total_wait=10.0,
        sleep=fake_time.sleep,
        random=lambda: 1.0,
        clock=fake_time.clock,
    )
    client = new_contentstack_client(cs_settings(), retry_policy=policy)
    route = respx.post(f"{CS_URL}/attributes").mock(
        return_value=httpx.Response(429, headers={"Retry-After": "4"})
    )
    with pytest.raises(RateLimitedError) as info:
        client.post("/attributes", {"name": "x"})
    # 4 + 4 = 8 s waited; a third 4 s wait would exceed the 10 s budget.
    assert route.call_count == 3
    assert fake_time.sleeps == [4.0, 4.0]
    assert info.value.status == 429 and info.value.attempts == 3
    assert "10 s retry budget" in str(info.value)


@respx.mock
def test_connect_timeout_retried_for_get(client: ApiClient) -> None:
    route = respx.get(f"{CS_URL}/audiences").mock(
        side_effect=[httpx.ConnectTimeout("connect timed out"), httpx.Response(200, json=[])]
    )
    assert client.get("/audiences") == []
    assert route.call_count == 2


@respx.mock
def test_read_timeout_retried_for_get(client: ApiClient) -> None:
    route = respx.get(f"{CS_URL}/audiences").mock(
        side_effect=[httpx.ReadTimeout("read timed out"), httpx.Response(200, json=[])]
    )
    client.get("/audiences")
    assert route.call_count == 2


@respx.mock
def test_post_read_timeout_is_not_retried(client: ApiClient, fake_time: Any) -> None:
    route = respx.post(f"{CS_URL}/audiences").mock(side_effect=httpx.ReadTimeout("read timed out"))
    with pytest.raises(TransportError) as info:
        client.post("/audiences", {"name": "a"})
    assert route.call_count == 1
    assert fake_time.sleeps == []
    assert "idempotent=True" in str(info.value)
    assert info.value.attempts == 1


@respx.mock
def test_post_connect_error_is_retried(client: ApiClient) -> None:
    route = respx.post(f"{CS_URL}/audiences").mock(
        side_effect=[httpx.ConnectError("refused"), httpx.ConnectTimeout("t"), httpx.Response(201, json={"uid": "u"})]
    )
    assert client.post("/audiences", {"name": "a"}) == {"uid": "u"}
    assert route.call_count == 3


@respx.mock
def test_post_503_is_not_retried_but_429_is(client: ApiClient) -> None:
    route = respx.post(f"{CS_URL}/events").mock(return_value=httpx.Response(503))
    with pytest.raises(ServerError) as info:
        client.post("/events", {"key": "k"})
    assert route.call_count == 1
    assert "not retried" in str(info.value)
    route429 = respx.post(f"{CS_URL}/attributes").mock(
        side_effect=[httpx.Response(429), httpx.Response(201, json={"uid": "x"})]
    )
    client.post("/attributes", {"name": "n"})
    assert route429.call_count == 2


@respx.mock
def test_idempotent_post_is_retried_on_5xx_and_read_timeout(client: ApiClient) -> None:
    route = respx.post(f"{CS_URL}/v1/connections/test").mock(
        side_effect=[httpx.Response(502), httpx.ReadTimeout("r"), httpx.Response(200, json={"success": True})]
    )
    assert client.post("/v1/connections/test", {}, idempotent=True) == {"success": True}
    assert route.call_count == 3


@respx.mock
def test_put_and_delete_are_retried_on_504(client: ApiClient) -> None:
    put = respx.put(f"{CS_URL}/attributes/a1").mock(side_effect=[httpx.Response(504), httpx.Response(200, json={})])
    delete = respx.delete(f"{CS_URL}/attributes/a1").mock(side_effect=[httpx.Response(504), httpx.Response(204)])
    client.put("/attributes/a1", {"name": "n"})
    assert client.delete("/attributes/a1") is None
    assert put.call_count == 2 and delete.call_count == 2


@respx.mock
def test_patch_is_not_retried_by_default(client: ApiClient) -> None:
    route = respx.patch(f"{CS_URL}/x").mock(return_value=httpx.Response(502))
    with pytest.raises(ServerError):
        client.patch("/x", {})
    assert route.call_count == 1


@respx.mock
def test_connection_errors_exhausting_attempts(client: ApiClient, fake_time: Any) -> None:
    route = respx.get(f"{CS_URL}/events").mock(side_effect=httpx.ConnectError("Connection refused"))
    with pytest.raises(TransportError) as info:
        client.get("/events")
    assert route.call_count == 5
    assert info.value.attempts == 5
    assert "after 5 attempts" in str(info.value) and "ConnectError" in str(info.value)
    assert info.value.__cause__ is None  # not chained: an httpx message may echo a header value


@respx.mock
def test_500_is_retried_for_a_get_but_not_for_a_post(client: ApiClient) -> None:
    # A passing 500 on an idempotent request is worth another try; a POST may have created the object.
    get = respx.get(f"{CS_URL}/events").mock(side_effect=[httpx.Response(500), httpx.Response(200, json=[])])
    assert client.get("/events") == []
    assert get.call_count == 2
    post = respx.post(f"{CS_URL}/events").mock(return_value=httpx.Response(500))
    with pytest.raises(ServerError):
        client.post("/events", {"key": "k"})
    assert post.call_count == 1


@respx.mock
def test_request_sends_json_and_decodes(client: ApiClient) -> None:
    route = respx.put(f"{CS_URL}/events/e1").mock(return_value=httpx.Response(200, json={"ok": 1}))
    assert client.put("/events/e1", {"key": "k"}) == {"ok": 1}
    sent = route.calls.last.request
    assert sent.headers["content-type"] == "application/json"
    assert sent.content == b'{"key":"k"}'


@respx.mock
def test_empty_body_is_none(client: ApiClient) -> None:
    respx.delete(f"{CS_URL}/events/e1").mock(return_value=httpx.Response(200, content=b""))
    assert client.delete("/events/e1") is None
