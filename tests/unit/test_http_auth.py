"""Authentication headers, the Sitecore token cache and its refresh on 401, and the client cache."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest
import respx

from pulumi_personalize.config import ContentstackSettings, SitecoreSettings
from pulumi_personalize.contentstack._wire import contentstack_client
from pulumi_personalize.contentstack._wire import new_client as new_contentstack_client
from pulumi_personalize.errors import AuthenticationError
from pulumi_personalize.http import RetryPolicy
from pulumi_personalize.http._cache import _clients
from pulumi_personalize.sitecore._wire import new_client as new_sitecore_client
from pulumi_personalize.sitecore._wire import sitecore_client

CS_URL = "https://cs.test"
SC_URL = "https://sc.test"
TOKEN_URL = "https://auth.test/oauth/token"


def _token_route(*tokens: str, expires_in: int = 3600) -> respx.Route:
    return respx.post(TOKEN_URL).mock(
        side_effect=[
            httpx.Response(200, json={"access_token": t, "expires_in": expires_in, "token_type": "Bearer"})
            for t in tokens
        ]
    )


# --- Contentstack ----------------------------------------------------------------------------------


@respx.mock
def test_contentstack_authtoken_headers(cs_settings: Callable[..., ContentstackSettings], policy: RetryPolicy) -> None:
    route = respx.get(f"{CS_URL}/attributes").mock(return_value=httpx.Response(200, json=[]))
    new_contentstack_client(cs_settings(), retry_policy=policy).get("/attributes")
    headers = route.calls.last.request.headers
    assert headers["x-project-uid"] == "project-uid-1"
    assert headers["authtoken"] == "cs-authtoken-SECRET-1"
    assert "authorization" not in headers
    assert headers["accept"] == "application/json"


@respx.mock
def test_contentstack_oauth_headers(cs_settings: Callable[..., ContentstackSettings], policy: RetryPolicy) -> None:
    settings = cs_settings(contentstackAuthtoken="", contentstackOauthToken="cs-oauth-SECRET-3")
    route = respx.get(f"{CS_URL}/attributes").mock(return_value=httpx.Response(200, json=[]))
    new_contentstack_client(settings, retry_policy=policy).get("/attributes")
    headers = route.calls.last.request.headers
    assert headers["authorization"] == "Bearer cs-oauth-SECRET-3"
    assert headers["x-project-uid"] == "project-uid-1"
    assert "authtoken" not in headers


@respx.mock
def test_contentstack_401_is_not_retried_and_hints_the_key(
    cs_settings: Callable[..., ContentstackSettings], policy: RetryPolicy
) -> None:
    route = respx.get(f"{CS_URL}/attributes").mock(return_value=httpx.Response(401, json={"message": "bad token"}))
    with pytest.raises(AuthenticationError) as info:
        new_contentstack_client(cs_settings(), retry_policy=policy).get("/attributes")
    assert route.call_count == 1
    assert "personalize:contentstackAuthtoken" in str(info.value)


# --- Sitecore ---------------------------------------------------------------------------------------


@respx.mock
def test_sitecore_token_request_form(sc_settings: Callable[..., SitecoreSettings], policy: RetryPolicy) -> None:
    token = _token_route("at-1")
    api = respx.get(f"{SC_URL}/v1/flows").mock(return_value=httpx.Response(200, json={"items": []}))
    new_sitecore_client(sc_settings(), retry_policy=policy).get("/v1/flows")
    form = parse_qs(token.calls.last.request.content.decode())
    assert form == {
        "grant_type": ["client_credentials"],
        "client_id": ["sc-client-id"],
        "client_secret": ["sc-client-SECRET-2"],
        "audience": ["https://api.sitecorecloud.io"],
    }
    assert token.calls.last.request.headers["content-type"] == "application/x-www-form-urlencoded"
    assert api.calls.last.request.headers["authorization"] == "Bearer at-1"


@respx.mock
def test_sitecore_token_cached_until_near_expiry(
    sc_settings: Callable[..., SitecoreSettings], policy: RetryPolicy, fake_time: Any
) -> None:
    token = _token_route("at-1", "at-2", expires_in=3600)
    api = respx.get(f"{SC_URL}/v1/flows").mock(return_value=httpx.Response(200, json={"items": []}))
    client = new_sitecore_client(sc_settings(), retry_policy=policy)
    for _ in range(3):
        client.get("/v1/flows")
    fake_time.advance(3000)  # still well inside the hour
    client.get("/v1/flows")
    assert token.call_count == 1
    fake_time.advance(560)  # 3560 s: inside the last minute, refresh before the token dies
    client.get("/v1/flows")
    assert token.call_count == 2
    assert [c.request.headers["authorization"] for c in api.calls] == ["Bearer at-1"] * 4 + ["Bearer at-2"]


@respx.mock
def test_sitecore_401_refreshes_exactly_once_then_surfaces(
    sc_settings: Callable[..., SitecoreSettings], policy: RetryPolicy
) -> None:
    token = _token_route("at-1", "at-2", "at-3")
    api = respx.get(f"{SC_URL}/v1/connections").mock(return_value=httpx.Response(401, json={"message": "expired"}))
    client = new_sitecore_client(sc_settings(), retry_policy=policy)
    with pytest.raises(AuthenticationError) as info:
        client.get("/v1/connections")
    assert token.call_count == 2
    assert api.call_count == 2
    assert [c.request.headers["authorization"] for c in api.calls] == ["Bearer at-1", "Bearer at-2"]
    assert info.value.status == 401
    assert "personalize:sitecoreClientId" in str(info.value)


@respx.mock
def test_sitecore_401_then_success_after_refresh(
    sc_settings: Callable[..., SitecoreSettings], policy: RetryPolicy
) -> None:
    token = _token_route("at-old", "at-new")
    api = respx.post(f"{SC_URL}/v1/templates").mock(
        side_effect=[httpx.Response(401), httpx.Response(201, json={"ref": "t1"})]
    )
    client = new_sitecore_client(sc_settings(), retry_policy=policy)
    assert client.post("/v1/templates", {"name": "t"}) == {"ref": "t1"}
    assert token.call_count == 2 and api.call_count == 2
    # The refreshed token is cached for the next request.
    respx.get(f"{SC_URL}/v1/templates/t1").mock(return_value=httpx.Response(200, json={}))
    client.get("/v1/templates/t1")
    assert token.call_count == 2


@respx.mock
def test_sitecore_static_token_401_not_refreshed(
    sc_settings: Callable[..., SitecoreSettings], policy: RetryPolicy
) -> None:
    settings = sc_settings(sitecoreClientId="", sitecoreClientSecret="", sitecoreAccessToken="static-AT-4")
    token = respx.post(TOKEN_URL).mock(return_value=httpx.Response(200, json={"access_token": "x"}))
    api = respx.get(f"{SC_URL}/v1/flows").mock(return_value=httpx.Response(401))
    with pytest.raises(AuthenticationError) as info:
        new_sitecore_client(settings, retry_policy=policy).get("/v1/flows")
    assert api.call_count == 1 and token.call_count == 0
    assert api.calls.last.request.headers["authorization"] == "Bearer static-AT-4"
    assert "personalize:sitecoreAccessToken" in str(info.value)


@respx.mock
def test_sitecore_token_endpoint_rejection_is_authentication_error(
    sc_settings: Callable[..., SitecoreSettings], policy: RetryPolicy
) -> None:
    respx.post(TOKEN_URL).mock(
        return_value=httpx.Response(401, json={"error": "access_denied", "error_description": "Unauthorized"})
    )
    api = respx.get(f"{SC_URL}/v1/flows").mock(return_value=httpx.Response(200, json={}))
    with pytest.raises(AuthenticationError) as info:
        new_sitecore_client(sc_settings(), retry_policy=policy).get("/v1/flows")
    assert api.call_count == 0
    assert "token" in str(info.value) and "Unauthorized" in str(info.value)


@respx.mock
def test_a_failed_token_request_leaves_the_next_request_free_to_fetch_one(
    sc_settings: Callable[..., SitecoreSettings], policy: RetryPolicy
) -> None:
    # The token cache's lock is held while the token request is out; a failure must release it,
    # or the next request on this client would wait forever.
    token = respx.post(TOKEN_URL).mock(
        side_effect=[httpx.Response(401, json={"error": "access_denied"}),
                     httpx.Response(200, json={"access_token": "at-after-failure", "expires_in": 60})]
    )
    api = respx.get(f"{SC_URL}/v1/flows").mock(return_value=httpx.Response(200, json={}))
    client = new_sitecore_client(sc_settings(), retry_policy=policy)
    with pytest.raises(AuthenticationError):
        client.get("/v1/flows")
    second = threading.Thread(target=client.get, args=("/v1/flows",), daemon=True)
    second.start()
    second.join(timeout=10)
    assert not second.is_alive(), "the second request waits on the token lock"
    assert token.call_count == 2
    assert api.calls.last.request.headers["authorization"] == "Bearer at-after-failure"


@respx.mock
def test_sitecore_token_endpoint_503_is_retried(
    sc_settings: Callable[..., SitecoreSettings], policy: RetryPolicy
) -> None:
    token = respx.post(TOKEN_URL).mock(
        side_effect=[httpx.Response(503), httpx.Response(200, json={"access_token": "at-9", "expires_in": 60})]
    )
    respx.get(f"{SC_URL}/v1/flows").mock(return_value=httpx.Response(200, json={}))
    new_sitecore_client(sc_settings(), retry_policy=policy).get("/v1/flows")
    assert token.call_count == 2


@respx.mock
def test_sitecore_token_fetched_once_by_concurrent_threads(sc_settings: Callable[..., SitecoreSettings]) -> None:
    token = respx.post(TOKEN_URL).mock(
        return_value=httpx.Response(200, json={"access_token": "at-shared", "expires_in": 3600})
    )
    api = respx.get(f"{SC_URL}/v1/flows").mock(return_value=httpx.Response(200, json={}))
    client = sitecore_client(sc_settings())
    barrier = threading.Barrier(8)

    def work() -> None:
        barrier.wait()
        client.get("/v1/flows")

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert token.call_count == 1
    assert api.call_count == 8


# --- the process-wide client cache -----------------------------------------------------------------


def test_one_client_per_base_url_and_credentials(
    cs_settings: Callable[..., ContentstackSettings], sc_settings: Callable[..., SitecoreSettings]
) -> None:
    a = contentstack_client(cs_settings())
    assert contentstack_client(cs_settings()) is a
    assert contentstack_client(cs_settings(contentstackAuthtoken="another-token")) is not a
    assert contentstack_client(cs_settings(contentstackBaseUrl="https://other.test")) is not a
    assert contentstack_client(cs_settings(contentstackProjectUid="p2")) is not a
    s = sitecore_client(sc_settings())
    assert sitecore_client(sc_settings()) is s
    assert sitecore_client(sc_settings(sitecoreClientSecret="rotated-secret")) is not s


def test_cache_keys_hold_no_secret(
    cs_settings: Callable[..., ContentstackSettings], sc_settings: Callable[..., SitecoreSettings]
) -> None:
    contentstack_client(cs_settings())
    sitecore_client(sc_settings())
    dump = repr(_clients) + repr(list(_clients))
    assert "cs-authtoken-SECRET-1" not in dump and "sc-client-SECRET-2" not in dump
    for client in _clients.values():
        assert "SECRET" not in repr(client) and "SECRET" not in repr(client.__dict__)


def test_projects_sharing_a_token_share_the_rate_limiter(cs_settings: Callable[..., ContentstackSettings]) -> None:
    a = contentstack_client(cs_settings(contentstackRequestsPerSecond="10"))
    b = contentstack_client(cs_settings(contentstackRequestsPerSecond="10", contentstackProjectUid="p2"))
    c = contentstack_client(cs_settings(contentstackRequestsPerSecond="10", contentstackAuthtoken="other-user"))
    assert a is not b
    assert a.rate_limiter is not None and a.rate_limiter is b.rate_limiter
    assert c.rate_limiter is not a.rate_limiter
