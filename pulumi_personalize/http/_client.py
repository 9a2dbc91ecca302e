"""``ApiClient``: one ``httpx.Client`` with its auth flow and retry transport, returning JSON."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any, Protocol, TypedDict

import httpx

from .._version import __version__
from ..config import Timeouts
from ..tenant import Tenant
from ._adaptive import AdaptiveLimiter
from ._failure import error_for, strip_query
from ._pages import offset_pages, one_call_list
from ._retry import RetryPolicy
from ._transport import IDEMPOTENT, PATH, Limiter, RetryTransport
from ._wire import Wire

__all__ = ["ApiClient", "ServiceSettings", "client_for", "new_limiter"]

_USER_AGENT = f"pulumi-personalize/{__version__} (+httpx/{httpx.__version__})"


class ApiClient:
    """A thread-safe client for one service endpoint and one set of credentials.

    Methods return the decoded JSON body (``None`` for an empty body) and raise from the
    ``errors`` ladder on anything else. ``auth`` is any ``httpx.Auth``; its ``hint`` attribute, if
    any, is appended to authentication errors.
    """

    def __init__(
        self,
        base_url: str,
        *,
        wire: Wire,
        auth: httpx.Auth,
        timeouts: Timeouts | None = None,
        rate_limiter: Limiter | None = None,
        retry_policy: RetryPolicy | None = None,
        transport: httpx.BaseTransport | None = None,
        max_connections: int = 20,
        tenant: Tenant | None = None,
        sources: Mapping[str, str] | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.wire = wire
        self.tenant = tenant
        """Which tenant this client serves (identifiers only), recorded in each resource's state."""
        self.retry_policy = retry_policy or RetryPolicy()
        self.rate_limiter = rate_limiter
        self._hint: str = getattr(auth, "hint", "")
        t = timeouts or Timeouts()
        self._http = httpx.Client(
            base_url=self.base_url,
            auth=auth,
            timeout=httpx.Timeout(connect=t.connect, read=t.read, write=t.read, pool=t.read),
            limits=httpx.Limits(max_connections=max_connections, max_keepalive_connections=max_connections),
            headers={"accept": "application/json", "user-agent": _USER_AGENT},
            # A redirect would carry the authtoken header to wherever it points.
            follow_redirects=False,
            transport=transport,
        )
        _wrap_transports(
            self._http,
            lambda inner: RetryTransport(inner, policy=self.retry_policy, limiter=rate_limiter, service=wire.name,
                                         sources=sources),
        )

    @property
    def service(self) -> str:
        return self.wire.name

    def __repr__(self) -> str:
        return f"ApiClient(service={self.service!r}, base_url={self.base_url!r})"

    def __enter__(self) -> ApiClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: Mapping[str, Any] | None = None,
        idempotent: bool | None = None,
    ) -> Any:
        """Send one logical request (retried per the package docstring); return the JSON body.

        ``idempotent`` overrides the method's default (True for GET/HEAD/OPTIONS/PUT/DELETE): pass
        True for a POST whose repetition is harmless, so that 5xx and read timeouts are retried too.
        """
        method = method.upper()
        shown = strip_query(path)
        extensions: dict[str, Any] = {PATH: shown}
        if idempotent is not None:
            extensions[IDEMPOTENT] = idempotent
        response = self._http.request(method, path, json=json, params=params, extensions=extensions)
        if not response.is_success:
            raise error_for(response, method, shown, wire=self.wire, hint=self._hint)
        return _decode(response)

    def get(self, path: str, *, params: Mapping[str, Any] | None = None) -> Any:
        return self.request("GET", path, params=params)

    def post(self, path: str, json: Any = None, *, idempotent: bool = False) -> Any:
        return self.request("POST", path, json=json, idempotent=idempotent)

    def put(self, path: str, json: Any = None) -> Any:
        return self.request("PUT", path, json=json)

    def patch(self, path: str, json: Any = None) -> Any:
        return self.request("PATCH", path, json=json)

    def delete(self, path: str) -> Any:
        return self.request("DELETE", path)

    def iter_pages(
        self,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        page_size: int = 100,
        items_key: str | None = None,
        max_pages: int = 10_000,
    ) -> Iterator[dict[str, Any]]:
        """Yield every item of a list walked in ``limit``/``offset`` pages (see ``_pages``);
        ``items_key`` defaults to the wire's."""
        return offset_pages(self.get, path, params=params, page_size=page_size,
                            items_key=items_key or self.wire.items_key, max_pages=max_pages)

    def list_all(self, path: str, *, params: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
        """Fetch a list in one call, unwrapped as the wire says."""
        return one_call_list(self.get, path, params=params, unwrap=self.wire.unwrap)


class ServiceSettings(Protocol):
    """What a service's settings tell the client, whatever the service."""

    @property
    def base_url(self) -> str: ...
    @property
    def requests_per_second(self) -> float | None: ...
    @property
    def max_requests_per_second(self) -> float | None: ...
    @property
    def timeout(self) -> Timeouts: ...
    @property
    def tenant(self) -> Tenant: ...


class ClientOptions(TypedDict, total=False):
    """What a caller may choose for a new client (tests, benchmarks, the shared pool's limiter): every
    service's ``new_client(settings, **options)`` takes these, declared once here."""

    retry_policy: RetryPolicy | None
    rate_limiter: Limiter | None
    transport: httpx.BaseTransport | None


def client_for(
    settings: ServiceSettings,
    *,
    wire: Wire,
    auth: httpx.Auth,
    retry_policy: RetryPolicy | None = None,
    rate_limiter: Limiter | None = None,
    transport: httpx.BaseTransport | None = None,
    sources: Mapping[str, str] | None = None,
) -> ApiClient:
    """A new client for a service's settings, with a limiter of its own unless given one.
    ``sources``: URL -> where its host comes from in the settings, named by connection errors."""
    if rate_limiter is None:
        rate_limiter = new_limiter(settings.requests_per_second, settings.max_requests_per_second,
                                   counted=wire.counts_rate)
    return ApiClient(
        settings.base_url,
        wire=wire,
        auth=auth,
        timeouts=settings.timeout,
        rate_limiter=rate_limiter,
        retry_policy=retry_policy,
        transport=transport,
        tenant=settings.tenant,
        sources=sources,
    )


def new_limiter(rate: float | None, cap: float | None, *, counted: bool, **options: Any) -> AdaptiveLimiter | None:
    """The adaptive limiter for a service's ``rate`` and this stack's ``cap`` (None when neither is
    set: no limit until the service's 429s, which are then retried on the policy's backoff).
    ``counted``: the service counts requests against ``rate`` (``Wire.counts_rate``)."""
    ceiling = rate or cap
    if not ceiling:
        return None
    if not counted:
        # nobody else counts: the margin for a service's windows would only hold back the user's rate
        options.setdefault("margin", 0.0)
    return AdaptiveLimiter(ceiling, cap=cap if rate else None, **options)


def _wrap_transports(client: httpx.Client, wrap: Callable[[httpx.BaseTransport], httpx.BaseTransport]) -> None:
    """Put the retry layer around every transport the client built.

    httpx mounts the environment's proxies only when it builds the transport itself (no
    ``transport=``), so the layer wraps what it built: the default transport and each proxy's.
    """
    client._transport = wrap(client._transport)
    client._mounts = {pattern: None if mounted is None else wrap(mounted) for pattern, mounted in client._mounts.items()}


def _decode(response: httpx.Response) -> Any:
    if response.status_code == 204 or not response.content:
        return None
    try:
        return response.json()
    except ValueError:
        text = response.text.strip()
        return text or None
