"""Contentstack Personalize on the wire, for the HTTP client: its descriptor and its clients.

Lists come in one call as a bare JSON array (what the live service sends); an object wrapping the
array (what the third-party OpenAPI file describes) is unwrapped too. Nest-style error bodies carry
a dotted code (``personalize.X.Y``) apart from the message: messages keep it, it is what support
and the docs search on. Credentials: an authtoken or an OAuth token, with the project's uid.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..config import ContentstackSettings
from ..errors import PersonalizeError
from ..http import (
    ApiClient,
    ClientOptions,
    StaticHeadersAuth,
    Wire,
    client_for,
    shared_client,
)

if TYPE_CHECKING:  # typing.Unpack is 3.11+; the annotation is never evaluated at run time
    from typing_extensions import Unpack

__all__ = ["WIRE", "contentstack_client", "credential_headers", "new_client", "unwrap_list"]

_LIST_KEYS = ("items", "data", "results", "records", "list", "values")


def unwrap_list(body: Any) -> list[Any] | None:
    """The items of a list body: a bare array, or the array an object wraps (None if it holds none)."""
    if body is None:
        return []
    if isinstance(body, list):
        return body
    if not isinstance(body, dict):
        return None
    for key in _LIST_KEYS:
        value = body.get(key)
        if isinstance(value, list):
            return value
        if isinstance(value, dict):  # {"data": {"items": [...]}}
            nested = unwrap_list(value)
            if nested is not None and nested != []:
                return nested
    arrays = [v for v in body.values() if isinstance(v, list)]
    if len(arrays) == 1:
        return arrays[0]
    if not body:
        return []
    return None


def _shows_code(code: str) -> bool:
    return "." in code


WIRE = Wire(name="contentstack", unwrap=unwrap_list, shows_code=_shows_code, counts_rate=True)
"""The service counts requests per organization (``facts.contentstack.REQUESTS_PER_SECOND``)."""


def credential_headers(settings: ContentstackSettings) -> tuple[dict[str, str], str]:
    """(the credential header, which keys to check when it is refused)."""
    ns = settings.namespace
    if settings.oauth_token is not None:
        return ({"authorization": f"Bearer {settings.oauth_token.get_secret_value()}"},
                f"check {ns}:contentstackOauthToken (scope personalize:manage) and {ns}:contentstackProjectUid")
    if settings.authtoken is not None:
        return ({"authtoken": settings.authtoken.get_secret_value()},
                f"check {ns}:contentstackAuthtoken and {ns}:contentstackProjectUid")
    # settings built by hand rather than by load_contentstack_settings
    raise PersonalizeError("Contentstack settings carry neither an authtoken nor an OAuth token")


def new_client(settings: ContentstackSettings, **options: Unpack[ClientOptions]) -> ApiClient:
    """A new, uncached client (tests, or a caller that wants its own pool). See ``contentstack_client``."""
    headers, hint = credential_headers(settings)
    auth = StaticHeadersAuth({"x-project-uid": settings.project_uid, **headers}, hint=hint)
    return client_for(settings, wire=WIRE, auth=auth, sources=dict(settings.url_sources), **options)


def contentstack_client(settings: ContentstackSettings) -> ApiClient:
    """The process-wide client for these settings (one per base URL, project and token)."""
    tokens = (_secret(settings.authtoken), _secret(settings.oauth_token))
    return shared_client(
        ("contentstack", settings.base_url, settings.project_uid, *tokens, settings.requests_per_second,
         settings.timeout),
        # Contentstack counts requests per organization: clients for several projects reached with
        # the same token share one limiter (conservative when the projects are in different ones).
        ("contentstack-limit", settings.base_url, *tokens, settings.requests_per_second),
        settings.requests_per_second,
        lambda limiter: new_client(settings, rate_limiter=limiter),
        wire=WIRE,  # every stack of the organization on this machine draws on one budget
        cap=settings.max_requests_per_second,
    )


def _secret(value: Any) -> str | None:
    return None if value is None else str(value.get_secret_value())
