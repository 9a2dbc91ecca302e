"""Sitecore Personalize on the wire, for the HTTP client: its descriptor and its clients.

Lists are ``limit``/``offset`` pages of a ``{href, items}`` envelope. Credentials: OAuth client
credentials against the token URL (Sitecore's cloud auth server), or a static bearer token.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import httpx

from ..config import SitecoreSettings
from ..errors import PersonalizeError
from ..http import (
    ApiClient,
    ClientCredentialsAuth,
    ClientOptions,
    RetryPolicy,
    StaticHeadersAuth,
    Wire,
    client_for,
    shared_client,
)

if TYPE_CHECKING:  # typing.Unpack is 3.11+; the annotation is never evaluated at run time
    from typing_extensions import Unpack

__all__ = ["WIRE", "new_client", "sitecore_client", "unwrap_page"]

_ITEMS = "items"


def unwrap_page(body: Any) -> list[Any] | None:
    """The items of a one-call list: a bare array or the ``{href, items}`` envelope (None otherwise)."""
    if body is None or body == {}:
        return []
    if isinstance(body, list):
        return body
    items = body.get(_ITEMS) if isinstance(body, dict) else None
    return items if isinstance(items, list) else None


WIRE = Wire(name="sitecore", items_key=_ITEMS, unwrap=unwrap_page)
"""No documented rate: a limit (``sitecoreRequestsPerSecond``, ``maxRequestsPerSecond``) is the user's own."""


def _auth(settings: SitecoreSettings, policy: RetryPolicy) -> httpx.Auth:
    ns = settings.namespace
    if settings.client_id is not None and settings.client_secret is not None:
        return ClientCredentialsAuth(
            settings.token_url,
            settings.client_id,
            settings.client_secret.get_secret_value(),
            wire=WIRE,
            audience=settings.audience,
            hint=f"check {ns}:sitecoreClientId, {ns}:sitecoreClientSecret and {ns}:sitecoreTokenUrl",
            label="Sitecore",
            clock=policy.clock,
        )
    if settings.access_token is not None:
        return StaticHeadersAuth(
            {"authorization": f"Bearer {settings.access_token.get_secret_value()}"},
            hint=f"check {ns}:sitecoreAccessToken (it may have expired; client credentials refresh themselves)",
        )
    raise PersonalizeError("Sitecore settings carry neither client credentials nor an access token")


def new_client(settings: SitecoreSettings, **options: Unpack[ClientOptions]) -> ApiClient:
    """A new, uncached client (tests, or a caller that wants its own pool). See ``sitecore_client``."""
    # the token flow retries with the client's own policy
    options["retry_policy"] = policy = options.get("retry_policy") or RetryPolicy()
    return client_for(settings, wire=WIRE, auth=_auth(settings, policy), sources=dict(settings.url_sources), **options)


def sitecore_client(settings: SitecoreSettings) -> ApiClient:
    """The process-wide client for these settings (one per base URL and credentials)."""
    secrets = (_secret(settings.client_secret), _secret(settings.access_token))
    return shared_client(
        ("sitecore", settings.base_url, settings.token_url, settings.audience, settings.client_id, *secrets,
         settings.requests_per_second, settings.timeout),
        ("sitecore-limit", settings.base_url, settings.client_id, *secrets, settings.requests_per_second),
        settings.requests_per_second,
        lambda limiter: new_client(settings, rate_limiter=limiter),
        wire=WIRE,
        cap=settings.max_requests_per_second,
    )


def _secret(value: Any) -> str | None:
    return None if value is None else str(value.get_secret_value())
