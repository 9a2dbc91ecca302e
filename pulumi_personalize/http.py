"""The one HTTP client of the package: auth, base URL, retries, client-side rate limit, errors.

One ``ApiClient`` (wrapping one ``httpx.Client`` and its connection pool) exists per
(service, base URL, credentials, limits) per process; ``contentstack_client`` and ``sitecore_client``
return it from a lock-protected module cache whose keys hold only a keyed hash of the credentials.
Every resource and every thread of a ``pulumi up`` shares it, and with it the rate limiter (one
limiter per base URL and credentials: Contentstack projects reached with the same token share it,
since the service counts requests per organization). ``ApiClient.for_contentstack`` /
``ApiClient.for_sitecore`` build uncached clients with an injectable ``RetryPolicy`` (tests).

Which requests are retried
--------------------------
Retried: HTTP 429, 502, 503, 504, connection errors and timeouts, with exponential backoff and full
jitter, honouring ``Retry-After`` (and ``retry-after-ms``), bounded by ``RetryPolicy.max_attempts``
and by ``RetryPolicy.max_total_wait`` seconds of backoff in total. When a bound is hit the last
failure is raised as ``RateLimitedError`` / ``ServerError`` / ``TransportError`` saying how many
attempts were made over how long.

A retry must never create a duplicate, so it depends on whether the request may have been acted on:

* The request never left this process (``ConnectError``, ``ConnectTimeout``, ``PoolTimeout``): retried
  for every method — the server cannot have seen it.
* HTTP 429: retried for every method, POST included — the service refused the request before acting.
* HTTP 500, 502/503/504, read/write timeouts, a connection dropped mid-request: the server may have
  created the object before failing, so these are retried only for idempotent requests: GET, HEAD,
  OPTIONS, PUT, DELETE (a repeated DELETE may answer 404 — callers treat that as "gone"), or any
  method called with ``idempotent=True`` (an action whose repetition is harmless, such as a
  connection test or an OAuth token request). POST and PATCH are not retried on these by default.
* A 401 with OAuth client credentials: the token is refreshed once and the request sent once more
  (the service rejected it unauthenticated, so nothing was done). A second 401 is raised.
"""

from __future__ import annotations

import atexit
import collections
import email.utils
import hashlib
import math
import os
import random as _random
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import timezone
from typing import Any

import httpx

from . import __version__
from .config import ContentstackSettings, SitecoreSettings, Tenant, Timeouts
from .errors import (
    ApiError,
    AuthenticationError,
    PersonalizeError,
    RateLimitedError,
    ServerError,
    TransportError,
    ValidationError,
    error_class_for_status,
    get_logger,
    parse_error_body,
    register_secret,
)

__all__ = [
    "IDEMPOTENT_METHODS",
    "RETRY_STATUSES",
    "ApiClient",
    "Authenticator",
    "ClientCredentialsAuth",
    "RateLimiter",
    "RetryPolicy",
    "StaticHeadersAuth",
    "clear_client_cache",
    "contentstack_client",
    "parse_retry_after",
    "sitecore_client",
]

log = get_logger("http")

RETRY_STATUSES = frozenset({429, 502, 503, 504})
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})

# Raised before any byte of the request reached the server: safe to retry for every method.
_NOT_SENT_ERRORS: tuple[type[httpx.TransportError], ...] = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
# The request may have reached the server: retried only when repeating it is harmless.
_MAYBE_SENT_ERRORS: tuple[type[httpx.TransportError], ...] = (
    httpx.ReadTimeout,
    httpx.WriteTimeout,
    httpx.ReadError,
    httpx.WriteError,
    httpx.RemoteProtocolError,
)

_USER_AGENT = f"pulumi-personalize/{__version__} (+httpx/{httpx.__version__})"


# ---------------------------------------------------------------------------------------------------
# Retry policy
# ---------------------------------------------------------------------------------------------------


def parse_retry_after(headers: Mapping[str, str] | httpx.Headers, *, now: float) -> float | None:
    """Seconds to wait according to ``retry-after-ms`` or ``Retry-After``, or None if absent/unusable.

    ``Retry-After`` may be delta seconds or an HTTP date (compared with ``now``, a Unix time).
    Unparseable, non-finite, negative values and dates in the past give None, so that the caller
    falls back to its own backoff instead of trusting a broken header.
    """
    raw_ms = headers.get("retry-after-ms")
    if raw_ms is not None:
        try:
            ms = float(raw_ms)
        except ValueError:
            ms = math.nan
        if math.isfinite(ms) and ms >= 0:
            return ms / 1000.0
    raw = headers.get("retry-after")
    if raw is None or not raw.strip():
        return None
    raw = raw.strip()
    try:
        seconds = float(raw)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(raw)
        except (TypeError, ValueError, IndexError, OverflowError):
            return None
        if when.tzinfo is None:  # RFC 9110 dates are GMT
            when = when.replace(tzinfo=timezone.utc)
        seconds = when.timestamp() - now
    if not math.isfinite(seconds) or seconds < 0:
        return None
    return seconds


@dataclass(frozen=True)
class RetryPolicy:
    """How failed requests are retried. Every source of time and chance is injectable for tests.

    ``max_attempts`` counts the first try. Backoff before retry *n* (1-based) is "full jitter":
    ``random() * min(max_delay, base_delay * 2 ** (n - 1))``, so concurrent clients spread out
    instead of retrying in lockstep. A usable ``Retry-After`` replaces it, clamped to
    ``max_retry_after``. Retrying stops when ``max_attempts`` is reached or when the next wait would
    take the total backoff beyond ``max_total_wait`` seconds.
    """

    max_attempts: int = 5
    base_delay: float = 0.5
    max_delay: float = 8.0
    max_retry_after: float = 60.0
    max_total_wait: float = 90.0
    sleep: Callable[[float], None] = time.sleep
    random: Callable[[], float] = _random.random
    clock: Callable[[], float] = time.monotonic  # token expiry, rate limiting
    wall_clock: Callable[[], float] = time.time  # Retry-After dates only

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        if self.base_delay < 0 or self.max_delay < 0 or self.max_retry_after < 0 or self.max_total_wait < 0:
            raise ValueError("delays must not be negative")

    def backoff(self, retry: int) -> float:
        """The computed (jittered) delay before retry number ``retry`` (1 for the first retry)."""
        ceiling = min(self.max_delay, self.base_delay * (2.0 ** max(0, retry - 1)))
        jitter = min(max(self.random(), 0.0), 1.0)
        return ceiling * jitter

    def delay(self, retry: int, headers: Mapping[str, str] | httpx.Headers | None) -> tuple[float, str]:
        """(seconds to wait, where the number came from) before retry number ``retry``."""
        if headers is not None:
            hinted = parse_retry_after(headers, now=self.wall_clock())
            if hinted is not None:
                if hinted > self.max_retry_after:
                    return self.max_retry_after, "Retry-After, clamped"
                return hinted, "Retry-After"
        return self.backoff(retry), "backoff"


# ---------------------------------------------------------------------------------------------------
# Client-side rate limit
# ---------------------------------------------------------------------------------------------------


class RateLimiter:
    """At most ``rate`` sends in any window of ``1 s + margin``, across every thread that shares it.

    A sliding window of reserved send times. The services count requests in one-second windows
    (Contentstack: per organization), and an interval scheduler (sends ``1 / rate`` apart) lets
    ``rate + 1`` sends fall inside one second at the window's edges; with latency jitter compressing
    the arrivals, the benchmarks measured 7 to 8% of the calls refused with 429 at a client limit
    equal to the service's. Here a send is reserved at the earliest time at or after the previous
    reservation such that the window ``(slot - window, slot]`` holds fewer than ``limit``
    reservations: for every ``i``, ``slot[i + limit] >= slot[i] + window``, so no half-open window
    of that length holds more than ``limit``.

    * ``limit`` is ``rate`` rounded down, at least 1; ``window`` is ``1 s`` (``1 / rate`` when
      ``rate < 1``) plus ``margin``. Long-run throughput is ``limit / window``: 10 per 1.05 s at 10/s.
    * ``margin`` (50 ms by default) absorbs what separates the slot from the moment the service
      counts the request: late thread wake-ups on a busy machine and network/server latency that
      differs between two requests sent a window apart. An 11th request seen within the service's
      second costs its thread at least a 1 s ``Retry-After`` plus one more call, far more than the
      5% of throughput the margin gives up.
    * A burst of up to ``limit`` goes out at once after a quiet period; no backlog carries over.

    Each caller reserves its slot under the lock and sleeps outside it, so threads queue in order
    (FIFO by reservation) without holding the lock while they wait.
    """

    def __init__(
        self,
        rate: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        margin: float = 0.05,
    ) -> None:
        if not (rate > 0 and math.isfinite(rate)):
            raise ValueError("rate must be a positive number of requests per second")
        if not (margin >= 0 and math.isfinite(margin)):
            raise ValueError("margin must be a non-negative number of seconds")
        self.rate = rate
        self.limit = max(1, math.floor(rate))
        self.window = max(1.0, 1.0 / rate) + margin
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        # The last ``limit`` reserved send times, oldest first (non-decreasing).
        self._slots: collections.deque[float] = collections.deque(maxlen=self.limit)

    def acquire(self) -> float:
        """Block until this caller may send; return the seconds waited."""
        with self._lock:
            now = self._clock()
            slot = now
            if self._slots:
                slot = max(slot, self._slots[-1])
                if len(self._slots) == self.limit:
                    slot = max(slot, self._slots[0] + self.window)
            self._slots.append(slot)  # drops the oldest, which no longer constrains anything
        wait = slot - now
        if wait > 0:
            self._sleep(wait)
        return wait


# ---------------------------------------------------------------------------------------------------
# Authentication
# ---------------------------------------------------------------------------------------------------


class Authenticator:
    """Produces the auth headers of a request and reacts to a 401."""

    #: appended to authentication errors: what to check, by configuration key.
    hint: str = ""

    def headers(self, client: ApiClient) -> dict[str, str]:
        raise NotImplementedError

    def refresh_after_unauthorized(self, client: ApiClient, used: Mapping[str, str]) -> bool:
        """Called once per request after a 401; True if sending again may succeed."""
        return False


class StaticHeadersAuth(Authenticator):
    """Fixed credentials: Contentstack's authtoken or OAuth token, or a static Sitecore bearer token."""

    def __init__(self, headers: Mapping[str, str], *, hint: str = "") -> None:
        self._headers = dict(headers)
        self.hint = hint
        for name, value in self._headers.items():
            if name.lower() in ("authtoken", "authorization"):
                register_secret(value)
                register_secret(value.removeprefix("Bearer ").strip())

    def headers(self, client: ApiClient) -> dict[str, str]:
        return dict(self._headers)

    def __repr__(self) -> str:  # never the values
        return f"StaticHeadersAuth(headers={sorted(self._headers)!r})"


class ClientCredentialsAuth(Authenticator):
    """OAuth 2.0 client credentials (Sitecore): token fetched on demand, cached until near expiry.

    Thread-safe: one lock guards the cached token, so concurrent requests fetch it once; a 401 seen
    by several threads with the same stale token triggers one refresh, the others reuse its result.
    """

    def __init__(
        self,
        token_url: str,
        client_id: str,
        client_secret: str,
        *,
        audience: str | None = None,
        hint: str = "",
    ) -> None:
        self.token_url = token_url
        self._client_id = client_id
        self._client_secret = client_secret
        self._audience = audience
        self.hint = hint
        self._lock = threading.Lock()
        self._token: str | None = None
        self._refresh_at = -math.inf
        register_secret(client_secret)

    def __repr__(self) -> str:
        return f"ClientCredentialsAuth(token_url={self.token_url!r}, client_id={self._client_id!r})"

    @staticmethod
    def _margin(expires_in: float) -> float:
        # Refresh a minute early (a tenth of the lifetime for short-lived tokens) so that a token
        # does not expire between the check and the server reading it.
        return min(60.0, expires_in / 10.0)

    def _fetch(self, client: ApiClient) -> str:
        form = {"grant_type": "client_credentials", "client_id": self._client_id, "client_secret": self._client_secret}
        if self._audience:
            form["audience"] = self._audience
        started = client.retry_policy.clock()
        response = client._send(  # the token request shares the pool and the retry loop
            "POST",
            self.token_url,
            data=form,
            idempotent=True,  # asking for a token twice creates nothing
            authenticated=False,
            rate_limited=False,
            log_path="<token endpoint>",
        )
        if not response.is_success:
            status = response.status_code
            cls = AuthenticationError if status in (400, 401, 403) else error_class_for_status(status)
            raise client._error(
                response, "POST", "<token endpoint>", cls=cls, prefix="Sitecore OAuth token request"
            )
        try:
            body = response.json()
        except ValueError:
            body = None
        token = body.get("access_token") if isinstance(body, dict) else None
        if not isinstance(token, str) or not token:
            raise AuthenticationError(
                f"Sitecore OAuth token endpoint answered {response.status_code} without an access_token; {self.hint}",
                status=response.status_code,
                method="POST",
                path="<token endpoint>",
            )
        register_secret(token)
        try:
            expires_in = float(body.get("expires_in", 3600))
        except (TypeError, ValueError):
            expires_in = 3600.0
        if not math.isfinite(expires_in) or expires_in <= 0:
            expires_in = 3600.0
        self._token = token
        self._refresh_at = started + expires_in - self._margin(expires_in)
        log.debug("obtained a Sitecore access token valid for %.0f s", expires_in)
        return token

    def headers(self, client: ApiClient) -> dict[str, str]:
        with self._lock:
            token = self._token
            if token is None or client.retry_policy.clock() >= self._refresh_at:
                token = self._fetch(client)
        return {"authorization": f"Bearer {token}"}

    def refresh_after_unauthorized(self, client: ApiClient, used: Mapping[str, str]) -> bool:
        with self._lock:
            # Another thread may already have replaced the token this request used.
            if self._token is not None and used.get("authorization") == f"Bearer {self._token}":
                self._token = None
                self._refresh_at = -math.inf
        return True


# ---------------------------------------------------------------------------------------------------
# The client
# ---------------------------------------------------------------------------------------------------


def _strip_query(path: str) -> str:
    # Query values might be secrets (or personal data); errors and logs get the path only.
    return path.split("?", 1)[0].split("#", 1)[0]


def _request_id(response: httpx.Response) -> str | None:
    for name in ("x-request-id", "x-correlation-id", "request-id", "x-amzn-requestid"):
        value: str | None = response.headers.get(name)
        if value:
            return value
    return None


class ApiClient:
    """A thread-safe client for one service endpoint and one set of credentials.

    Methods return the decoded JSON body (``None`` for an empty body) and raise from the
    ``errors`` ladder on anything else.
    """

    def __init__(
        self,
        base_url: str,
        *,
        auth: Authenticator,
        service: str = "api",
        timeouts: Timeouts | None = None,
        rate_limiter: RateLimiter | None = None,
        retry_policy: RetryPolicy | None = None,
        transport: httpx.BaseTransport | None = None,
        max_connections: int = 20,
        tenant: Tenant | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.service = service
        self.tenant = tenant
        """Which tenant this client serves (identifiers only), recorded in each resource's state."""
        self.retry_policy = retry_policy or RetryPolicy()
        self.rate_limiter = rate_limiter
        self._auth = auth
        t = timeouts or Timeouts()
        self._http = httpx.Client(
            base_url=self.base_url,
            timeout=httpx.Timeout(connect=t.connect, read=t.read, write=t.read, pool=t.read),
            limits=httpx.Limits(max_connections=max_connections, max_keepalive_connections=max_connections),
            headers={"accept": "application/json", "user-agent": _USER_AGENT},
            # A redirect would carry the authtoken header to wherever it points.
            follow_redirects=False,
            transport=transport,
        )

    def __repr__(self) -> str:
        return f"ApiClient(service={self.service!r}, base_url={self.base_url!r})"

    def __enter__(self) -> ApiClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    # -- constructors ---------------------------------------------------------------------------

    @classmethod
    def for_contentstack(
        cls,
        settings: ContentstackSettings,
        *,
        retry_policy: RetryPolicy | None = None,
        rate_limiter: RateLimiter | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> ApiClient:
        """A new, uncached client (tests, or a caller that wants its own pool). See ``contentstack_client``."""
        policy = retry_policy or RetryPolicy()
        ns = settings.namespace
        headers = {"x-project-uid": settings.project_uid}
        if settings.oauth_token is not None:
            headers["authorization"] = f"Bearer {settings.oauth_token.get_secret_value()}"
            hint = f"check {ns}:contentstackOauthToken (scope personalize:manage) and {ns}:contentstackProjectUid"
        elif settings.authtoken is not None:
            headers["authtoken"] = settings.authtoken.get_secret_value()
            hint = f"check {ns}:contentstackAuthtoken and {ns}:contentstackProjectUid"
        else:  # settings built by hand rather than by load_contentstack_settings
            raise PersonalizeError("Contentstack settings carry neither an authtoken nor an OAuth token")
        return cls._for_service(
            "contentstack", settings, StaticHeadersAuth(headers, hint=hint), policy, rate_limiter, transport
        )

    @classmethod
    def for_sitecore(
        cls,
        settings: SitecoreSettings,
        *,
        retry_policy: RetryPolicy | None = None,
        rate_limiter: RateLimiter | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> ApiClient:
        """A new, uncached client (tests, or a caller that wants its own pool). See ``sitecore_client``."""
        policy = retry_policy or RetryPolicy()
        ns = settings.namespace
        auth: Authenticator
        if settings.client_id is not None and settings.client_secret is not None:
            auth = ClientCredentialsAuth(
                settings.token_url,
                settings.client_id,
                settings.client_secret.get_secret_value(),
                audience=settings.audience,
                hint=f"check {ns}:sitecoreClientId, {ns}:sitecoreClientSecret and {ns}:sitecoreTokenUrl",
            )
        elif settings.access_token is not None:
            auth = StaticHeadersAuth(
                {"authorization": f"Bearer {settings.access_token.get_secret_value()}"},
                hint=f"check {ns}:sitecoreAccessToken (it may have expired; client credentials refresh themselves)",
            )
        else:
            raise PersonalizeError("Sitecore settings carry neither client credentials nor an access token")
        return cls._for_service("sitecore", settings, auth, policy, rate_limiter, transport)

    @classmethod
    def _for_service(
        cls,
        service: str,
        settings: ContentstackSettings | SitecoreSettings,
        auth: Authenticator,
        policy: RetryPolicy,
        rate_limiter: RateLimiter | None,
        transport: httpx.BaseTransport | None,
    ) -> ApiClient:
        """What both services' constructors share once their authentication is chosen."""
        if rate_limiter is None and settings.requests_per_second:
            rate_limiter = RateLimiter(settings.requests_per_second)
        return cls(
            settings.base_url,
            auth=auth,
            service=service,
            timeouts=settings.timeout,
            rate_limiter=rate_limiter,
            retry_policy=policy,
            transport=transport,
            tenant=settings.tenant,
        )

    # -- public API -----------------------------------------------------------------------------

    def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: Mapping[str, Any] | None = None,
        idempotent: bool | None = None,
    ) -> Any:
        """Send one logical request (with retries per the module docstring); return the JSON body.

        ``idempotent`` overrides the method's default (True for GET/HEAD/OPTIONS/PUT/DELETE): pass
        True for a POST whose repetition is harmless, so that 5xx and read timeouts are retried too.
        """
        method = method.upper()
        response = self._send(method, path, json=json, params=params, idempotent=idempotent)
        if response.status_code == 401:
            used = response.request.headers
            if self._auth.refresh_after_unauthorized(self, used):
                log.debug("%s %s -> 401; refreshing the access token and sending once more", method, _strip_query(path))
                response = self._send(method, path, json=json, params=params, idempotent=idempotent)
        if not response.is_success:
            raise self._error(response, method, _strip_query(path))
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
        items_key: str = "items",
        max_pages: int = 10_000,
    ) -> Iterator[dict[str, Any]]:
        """Yield every item of a Sitecore list, walking ``limit``/``offset`` pages of the
        ``{href, items}`` envelope (a bare array is taken too).

        Stops at an empty page or at a page shorter than the page size; no total is relied on (the
        live service sends none). A server that caps the page size and says so (the envelope's
        ``limit``) is followed at its size. ``max_pages`` guards against a server ignoring ``offset``.
        """
        if page_size < 1:
            raise ValueError("page_size must be at least 1")
        offset = 0
        size = page_size
        for _ in range(max_pages):
            query = dict(params or {})
            query["limit"] = size
            query["offset"] = offset
            body = self.get(path, params=query)
            if isinstance(body, list):
                items = body
            elif isinstance(body, dict):
                found = body.get(items_key)
                items = found if isinstance(found, list) else []
                echoed = body.get("limit")
                if isinstance(echoed, int) and not isinstance(echoed, bool) and 0 < echoed < size:
                    size = echoed  # the server's page is smaller than asked: a full page is that size
            else:
                items = []
            if not items:
                return
            for item in items:
                if isinstance(item, dict):
                    yield item
            offset += len(items)
            if len(items) < size:
                return
        raise PersonalizeError(
            f"GET {_strip_query(path)}: gave up after {max_pages} pages; the service seems to ignore offset",
            method="GET",
            path=_strip_query(path),
        )

    def list_all(self, path: str, *, params: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
        """Fetch a Contentstack list in one call.

        Accepts a bare JSON array (what the service sends) or an object wrapping it under ``data``,
        ``items``, ``results`` or any single array-valued key (what the OpenAPI file describes).
        """
        body = self.get(path, params=params)
        items = _extract_items(body)
        if items is None:
            raise PersonalizeError(
                f"GET {_strip_query(path)}: expected a JSON array or an object holding one, "
                f"got {type(body).__name__} with keys {sorted(body) if isinstance(body, dict) else []}",
                method="GET",
                path=_strip_query(path),
            )
        return [item for item in items if isinstance(item, dict)]

    # -- internals ------------------------------------------------------------------------------

    def _send(
        self,
        method: str,
        url: str,
        *,
        json: Any = None,
        params: Mapping[str, Any] | None = None,
        data: Mapping[str, str] | None = None,
        idempotent: bool | None = None,
        authenticated: bool = True,
        rate_limited: bool = True,
        log_path: str | None = None,
    ) -> httpx.Response:
        """Send with retries; return the final response (any status) or raise on exhaustion.

        A response that is still retryable when the retry budget runs out is raised here, so that
        the error can say how many attempts were made.
        """
        policy = self.retry_policy
        path = log_path or _strip_query(url)
        safe_to_repeat = idempotent if idempotent is not None else method in IDEMPOTENT_METHODS
        attempt = 0
        waited = 0.0
        while True:
            attempt += 1
            if rate_limited and self.rate_limiter is not None:
                self.rate_limiter.acquire()
            headers = self._auth.headers(self) if authenticated else {}
            started = policy.clock()
            try:
                response = self._http.request(method, url, json=json, params=params, data=data, headers=headers)
            except httpx.TransportError as exc:
                never_sent = isinstance(exc, _NOT_SENT_ERRORS)
                retryable = never_sent or (safe_to_repeat and isinstance(exc, _MAYBE_SENT_ERRORS))
                reason = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
                if not retryable:
                    why = ""
                    if isinstance(exc, _MAYBE_SENT_ERRORS):
                        why = (
                            f" (not retried: the server may have acted on this {method}; "
                            "pass idempotent=True if repeating it is harmless)"
                        )
                    raise TransportError(
                        f"{method} {path} to {self.service} failed: {reason}{why}",
                        attempts=attempt,
                        waited=waited,
                        method=method,
                        path=path,
                    ) from None  # the chained httpx error could echo a header value
                delay, source = policy.delay(attempt, None)
                stop = self._stop_reason(attempt, waited, delay)
                if stop:
                    raise TransportError(
                        f"{method} {path} to {self.service} failed: {reason}; {stop}",
                        attempts=attempt,
                        waited=waited,
                        method=method,
                        path=path,
                    ) from None  # the chained httpx error could echo a header value
                log.info(
                    "%s %s: %s; retrying in %.2f s (%s, attempt %d of %d)",
                    method, path, reason, delay, source, attempt + 1, policy.max_attempts,
                )
                policy.sleep(delay)
                waited += delay
                continue

            status = response.status_code
            log.debug(
                "%s %s -> %d in %.0f ms (attempt %d)", method, path, status, (policy.clock() - started) * 1000, attempt
            )
            # A 500 is retried only where repeating is harmless: it is often a passing fault, but the
            # server may have acted before failing.
            if status not in RETRY_STATUSES and not (status == 500 and safe_to_repeat):
                return response
            if status != 429 and not safe_to_repeat:
                # The server may have created the object before the gateway gave up.
                raise self._error(
                    response,
                    method,
                    path,
                    attempts=attempt,
                    waited=waited,
                    stop=f"not retried: the server may have acted on this {method}; "
                    "pass idempotent=True if repeating it is harmless",
                )
            delay, source = policy.delay(attempt, response.headers)
            stop = self._stop_reason(attempt, waited, delay)
            if stop:
                raise self._error(response, method, path, attempts=attempt, waited=waited, stop=stop)
            log.info(
                "%s %s -> %d; retrying in %.2f s (%s, attempt %d of %d)",
                method, path, status, delay, source, attempt + 1, policy.max_attempts,
            )
            response.close()
            policy.sleep(delay)
            waited += delay

    def _stop_reason(self, attempt: int, waited: float, delay: float) -> str | None:
        policy = self.retry_policy
        if attempt >= policy.max_attempts:
            return f"gave up after {attempt} attempts over {waited:.1f} s of backoff"
        if waited + delay > policy.max_total_wait:
            return (
                f"gave up after {attempt} attempts over {waited:.1f} s of backoff: waiting {delay:.1f} s "
                f"more would exceed the {policy.max_total_wait:.0f} s retry budget"
            )
        return None

    def _error(
        self,
        response: httpx.Response,
        method: str,
        path: str,
        *,
        cls: type[ApiError] | None = None,
        attempts: int | None = None,
        waited: float | None = None,
        stop: str | None = None,
        prefix: str | None = None,
    ) -> ApiError:
        status = response.status_code
        try:
            body: Any = response.json()
        except ValueError:
            body = response.text
        if isinstance(body, str) and "<html" in body[:200].lower():
            body = None  # a proxy's error page says nothing the status does not
        service_message, field_errors, error_code = parse_error_body(body)
        request_id = _request_id(response)
        cls = cls or error_class_for_status(status)
        reason = response.reason_phrase or ""
        head = prefix or f"{method} {path}"
        text = f"{head} to {self.service} failed: HTTP {status}" + (f" {reason}" if reason else "")
        if service_message:
            text += f": {service_message}"
        if self.service == "contentstack" and error_code and "." in error_code and error_code not in text:
            # Contentstack's Nest-style bodies carry the code (personalize.X.Y) in `error`, apart from
            # the message: keep it in the text, it is what support and the docs search on
            text += f" ({error_code})"
        if field_errors:
            rendered = "; ".join(f"{f}: {', '.join(m)}" for f, m in field_errors.items())
            text += f" [fields: {rendered}]"
        if stop:
            text += f"; {stop}"
        if issubclass(cls, AuthenticationError) and self._auth.hint:
            text += f" ({self._auth.hint})"
        if request_id:
            text += f" (request id {request_id})"
        log.debug("%s", text)
        common: dict[str, Any] = {
            "status": status,
            "method": method,
            "path": path,
            "request_id": request_id,
            "service_message": service_message,
            "error_code": error_code,
        }
        if issubclass(cls, ValidationError):
            return cls(text, field_errors=field_errors, **common)
        if issubclass(cls, RateLimitedError | ServerError):
            return cls(text, attempts=attempts, waited=waited, **common)
        return cls(text, **common)


def _decode(response: httpx.Response) -> Any:
    if response.status_code == 204 or not response.content:
        return None
    try:
        return response.json()
    except ValueError:
        text = response.text.strip()
        return text or None


_LIST_KEYS = ("items", "data", "results", "records", "list", "values")


def _extract_items(body: Any) -> list[Any] | None:
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
            nested = _extract_items(value)
            if nested is not None and nested != []:
                return nested
    arrays = [v for v in body.values() if isinstance(v, list)]
    if len(arrays) == 1:
        return arrays[0]
    if not body:
        return []
    return None


# ---------------------------------------------------------------------------------------------------
# The process-wide cache
# ---------------------------------------------------------------------------------------------------

_cache_lock = threading.Lock()
_clients: dict[str, ApiClient] = {}
_limiters: dict[str, RateLimiter] = {}
# Keys are keyed hashes: a dump of the cache (or a debugger) never shows a credential, and the
# per-process key stops anyone from testing guesses against a leaked digest.
_hash_key = os.urandom(32)


def _cache_key(*parts: object) -> str:
    digest = hashlib.blake2b(key=_hash_key, digest_size=20)
    for part in parts:
        digest.update(repr(part).encode())
        digest.update(b"\x00")
    return digest.hexdigest()


def _shared_limiter(key: str, rate: float | None) -> RateLimiter | None:
    # Called with _cache_lock held.
    if not rate:
        return None
    limiter = _limiters.get(key)
    if limiter is None:
        limiter = _limiters[key] = RateLimiter(rate)
    return limiter


def _secret_value(value: Any) -> str | None:
    return None if value is None else str(value.get_secret_value())


def contentstack_client(settings: ContentstackSettings) -> ApiClient:
    """The process-wide client for these settings (one per base URL, project and token)."""
    key = _cache_key(
        "contentstack",
        settings.base_url,
        settings.project_uid,
        _secret_value(settings.authtoken),
        _secret_value(settings.oauth_token),
        settings.requests_per_second,
        settings.timeout,
    )
    # Contentstack counts requests per organization: clients for several projects reached with the
    # same token share one limiter (conservative when the projects are in different organizations).
    limiter_key = _cache_key(
        "contentstack-limit",
        settings.base_url,
        _secret_value(settings.authtoken),
        _secret_value(settings.oauth_token),
        settings.requests_per_second,
    )
    with _cache_lock:
        client = _clients.get(key)
        if client is None:
            limiter = _shared_limiter(limiter_key, settings.requests_per_second)
            client = _clients[key] = ApiClient.for_contentstack(settings, rate_limiter=limiter)
        return client


def sitecore_client(settings: SitecoreSettings) -> ApiClient:
    """The process-wide client for these settings (one per base URL and credentials)."""
    key = _cache_key(
        "sitecore",
        settings.base_url,
        settings.token_url,
        settings.audience,
        settings.client_id,
        _secret_value(settings.client_secret),
        _secret_value(settings.access_token),
        settings.requests_per_second,
        settings.timeout,
    )
    limiter_key = _cache_key(
        "sitecore-limit",
        settings.base_url,
        settings.client_id,
        _secret_value(settings.client_secret),
        _secret_value(settings.access_token),
        settings.requests_per_second,
    )
    with _cache_lock:
        client = _clients.get(key)
        if client is None:
            limiter = _shared_limiter(limiter_key, settings.requests_per_second)
            client = _clients[key] = ApiClient.for_sitecore(settings, rate_limiter=limiter)
        return client


def clear_client_cache() -> None:
    """Close and forget every cached client (tests; a long-lived process rotating credentials)."""
    with _cache_lock:
        clients = list(_clients.values())
        _clients.clear()
        _limiters.clear()
    for client in clients:
        client.close()


def _reset_after_fork() -> None:
    # Sockets and locks do not survive fork; the child starts with an empty cache.
    global _cache_lock
    _cache_lock = threading.Lock()
    _clients.clear()
    _limiters.clear()


atexit.register(clear_client_cache)
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_reset_after_fork)
