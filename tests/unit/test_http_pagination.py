"""Sitecore page walking and tolerant Contentstack list decoding."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest
import respx

from pulumi_personalize.config import ContentstackSettings, SitecoreSettings
from pulumi_personalize.contentstack._wire import new_client as new_contentstack_client
from pulumi_personalize.errors import PersonalizeError
from pulumi_personalize.http import ApiClient, RetryPolicy
from pulumi_personalize.sitecore._wire import new_client as new_sitecore_client

CS_URL = "https://cs.test"
SC_URL = "https://sc.test"


@pytest.fixture
def sc(sc_settings: Callable[..., SitecoreSettings], policy: RetryPolicy) -> ApiClient:
    settings = sc_settings(sitecoreClientId="", sitecoreClientSecret="", sitecoreAccessToken="static-token-1")
    return new_sitecore_client(settings, retry_policy=policy)


@pytest.fixture
def cs(cs_settings: Callable[..., ContentstackSettings], policy: RetryPolicy) -> ApiClient:
    return new_contentstack_client(cs_settings(), retry_policy=policy)


def _pages(total: int, page_size: int) -> Callable[[httpx.Request], httpx.Response]:
    def handler(request: httpx.Request) -> httpx.Response:
        size = int(request.url.params["limit"])
        offset = int(request.url.params["offset"])
        assert size == page_size
        items = [{"ref": f"r{i}"} for i in range(offset, min(offset + size, total))]
        return httpx.Response(200, json={"href": str(request.url), "items": items})

    return handler


@respx.mock
@pytest.mark.parametrize(("total", "calls"), [(0, 1), (5, 1), (100, 2), (250, 3)])
def test_iter_pages_walks_every_page(sc: ApiClient, total: int, calls: int) -> None:
    route = respx.get(f"{SC_URL}/v2/connections").mock(side_effect=_pages(total, 100))
    refs = [item["ref"] for item in sc.iter_pages("/v2/connections")]
    assert refs == [f"r{i}" for i in range(total)]
    assert route.call_count == calls


@respx.mock
def test_iter_pages_keeps_params_and_custom_size(sc: ApiClient) -> None:
    route = respx.get(f"{SC_URL}/v3/templates").mock(side_effect=_pages(7, 3))
    items = list(sc.iter_pages("/v3/templates", params={"type": "WEB"}, page_size=3))
    assert len(items) == 7
    assert [c.request.url.params["offset"] for c in route.calls] == ["0", "3", "6"]
    assert all(c.request.url.params["type"] == "WEB" for c in route.calls)


@respx.mock
def test_iter_pages_follows_a_server_that_caps_the_page_and_says_so(sc: ApiClient) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        offset = int(request.url.params["offset"])
        items = [{"ref": f"r{i}"} for i in range(offset, min(offset + 20, 45))]
        return httpx.Response(200, json={"href": "x", "items": items, "offset": offset, "limit": 20})

    route = respx.get(f"{SC_URL}/v3/templates").mock(side_effect=handler)
    assert len(list(sc.iter_pages("/v3/templates"))) == 45
    assert [c.request.url.params["limit"] for c in route.calls] == ["100", "20", "20"]


@respx.mock
def test_iter_pages_ignores_a_total_and_stops_at_a_short_page(sc: ApiClient) -> None:
    route = respx.get(f"{SC_URL}/v2/connections").mock(
        return_value=httpx.Response(200, json={"items": [{"a": 1}], "total": 500}))
    assert len(list(sc.iter_pages("/v2/connections"))) == 1
    assert route.call_count == 1


@respx.mock
def test_iter_pages_custom_items_key(sc: ApiClient) -> None:
    respx.get(f"{SC_URL}/v2/x").mock(return_value=httpx.Response(200, json={"results": [{"a": 1}]}))
    assert list(sc.iter_pages("/v2/x", items_key="results")) == [{"a": 1}]


def test_iter_pages_rejects_an_empty_page_size(sc: ApiClient) -> None:
    with pytest.raises(ValueError):
        list(sc.iter_pages("/v2/x", page_size=0))


@respx.mock
def test_iter_pages_guards_against_ignored_offset(sc: ApiClient) -> None:
    respx.get(f"{SC_URL}/v2/x").mock(return_value=httpx.Response(200, json={"items": [{"a": 1}] * 2}))
    with pytest.raises(PersonalizeError, match="offset"):
        list(sc.iter_pages("/v2/x", page_size=2, max_pages=5))


@respx.mock
@pytest.mark.parametrize(
    "body",
    [
        [{"uid": "a"}, {"uid": "b"}],
        {"data": [{"uid": "a"}, {"uid": "b"}]},
        {"items": [{"uid": "a"}, {"uid": "b"}]},
        {"attributes": [{"uid": "a"}, {"uid": "b"}], "count": 2},
        {"data": {"items": [{"uid": "a"}, {"uid": "b"}]}},
    ],
)
def test_list_all_accepts_array_or_wrapper(cs: ApiClient, body: object) -> None:
    route = respx.get(f"{CS_URL}/attributes").mock(return_value=httpx.Response(200, json=body))
    assert cs.list_all("/attributes") == [{"uid": "a"}, {"uid": "b"}]
    assert route.call_count == 1


@respx.mock
@pytest.mark.parametrize("body", [{}, None])
def test_list_all_empty(cs: ApiClient, body: object) -> None:
    if body is None:
        respx.get(f"{CS_URL}/events").mock(return_value=httpx.Response(200, content=b""))
    else:
        respx.get(f"{CS_URL}/events").mock(return_value=httpx.Response(200, json=body))
    assert cs.list_all("/events") == []


@respx.mock
def test_list_all_unexpected_shape_is_a_clear_error(cs: ApiClient) -> None:
    respx.get(f"{CS_URL}/events").mock(return_value=httpx.Response(200, json={"a": [], "b": []}))
    with pytest.raises(PersonalizeError, match="expected a JSON array"):
        cs.list_all("/events")
