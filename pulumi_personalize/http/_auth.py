"""Credentials as ``httpx.Auth`` flows: fixed headers, and OAuth 2.0 client credentials.

``ClientCredentialsAuth`` fetches a token on demand through the same client (so the token request
shares the pool and the retry transport, unthrottled), caches it for its ``expires_in`` less a
margin, and after a 401 fetches a new one and sends the request once more: the service rejected it
unauthenticated, so nothing was done. A second 401 is the answer.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Generator, Mapping
from typing import Any

import httpx

from .._redact import get_logger, register_secret
from ..errors import ApiError, AuthenticationError, error_class_for_status
from ._failure import error_for
from ._transport import GAVE_UP, IDEMPOTENT, PATH, RATE_LIMITED
from ._wire import Wire

__all__ = ["ClientCredentialsAuth", "StaticHeadersAuth"]

log = get_logger("http")

_TOKEN_PATH = "<token endpoint>"
_DEFAULT_EXPIRES_IN = 3600.0


class StaticHeadersAuth(httpx.Auth):
    """Fixed credentials: Contentstack's authtoken or OAuth token, or a static bearer token."""

    def __init__(self, headers: Mapping[str, str], *, hint: str = "") -> None:
        self._headers = dict(headers)
        self.hint = hint
        """Appended to authentication errors: what to check, by configuration key."""
        for name, value in self._headers.items():
            if name.lower() in ("authtoken", "authorization"):
                register_secret(value)
                register_secret(value.removeprefix("Bearer ").strip())

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers.update(self._headers)
        yield request

    def __repr__(self) -> str:  # never the values
        return f"StaticHeadersAuth(headers={sorted(self._headers)!r})"


class ClientCredentialsAuth(httpx.Auth):
    """OAuth 2.0 client credentials: a token fetched on demand, cached until near expiry.

    Thread-safe: one lock guards the cached token, so concurrent requests fetch it once; a 401 seen
    by several threads with the same stale token triggers one refresh, the others reuse its result.
    ``label`` names the token server in messages (``"<label> OAuth token request ... failed"``).
    """

    def __init__(
        self,
        token_url: str,
        client_id: str,
        client_secret: str,
        *,
        wire: Wire,
        audience: str | None = None,
        hint: str = "",
        label: str = "",
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.token_url = token_url
        self._client_id = client_id
        self._client_secret = client_secret
        self._audience = audience
        self._wire = wire
        self.hint = hint
        self._label = f"{label} OAuth token request".strip()
        self._clock = clock
        self._lock = threading.Lock()
        self._token: str | None = None
        self._refresh_at = -math.inf
        register_secret(client_secret)

    def __repr__(self) -> str:
        return f"ClientCredentialsAuth(token_url={self.token_url!r}, client_id={self._client_id!r})"

    def sync_auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        # The flow holds a lock while a token request is out: ``yield from`` hands httpx's close()
        # (after a request that failed) on to it, so the lock is released at once.
        yield from self.auth_flow(request)

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        token = yield from self._current_token(request, stale=None)
        request.headers["authorization"] = f"Bearer {token}"
        response = yield request
        if response.status_code != 401:
            return
        log.debug("%s %s -> 401; refreshing the access token and sending once more",
                  request.method, request.extensions.get(PATH) or request.url.path)
        token = yield from self._current_token(request, stale=token)
        request.headers["authorization"] = f"Bearer {token}"
        yield request

    def _current_token(self, request: httpx.Request, *, stale: str | None) -> Generator[httpx.Request, httpx.Response, str]:
        """The cached token, or a new one; ``stale``: a token the service just refused."""
        with self._lock:
            # Another thread may already have replaced the token the refused request used.
            if stale is not None and self._token == stale:
                self._token = None
                self._refresh_at = -math.inf
            if self._token is None or self._clock() >= self._refresh_at:
                started = self._clock()
                response = yield self._token_request(request)
                self._accept(response, started)
            assert self._token is not None
            return self._token

    def _token_request(self, request: httpx.Request) -> httpx.Request:
        form = {"grant_type": "client_credentials", "client_id": self._client_id, "client_secret": self._client_secret}
        if self._audience:
            form["audience"] = self._audience
        headers = {k: v for k, v in request.headers.items() if k.lower() in ("accept", "user-agent")}
        extensions: dict[str, Any] = {
            IDEMPOTENT: True,  # asking for a token twice creates nothing
            RATE_LIMITED: False,  # the API's limit does not count the token server
            PATH: _TOKEN_PATH,
        }
        if "timeout" in request.extensions:
            extensions["timeout"] = request.extensions["timeout"]
        return httpx.Request("POST", self.token_url, data=form, headers=headers, extensions=extensions)

    def _accept(self, response: httpx.Response, started: float) -> None:
        """Cache the token of a token response, or raise what went wrong."""
        response.read()
        if not response.is_success:
            raise self._failure(response)
        try:
            body = response.json()
        except ValueError:
            body = None
        token = body.get("access_token") if isinstance(body, dict) else None
        if not isinstance(token, str) or not token:
            raise AuthenticationError(
                f"{self._label.removesuffix(' request')} endpoint answered {response.status_code} without an "
                f"access_token; {self.hint}",
                status=response.status_code,
                method="POST",
                path=_TOKEN_PATH,
            )
        register_secret(token)
        expires_in = _expires_in(body)
        self._token = token
        # Refresh a minute early (a tenth of the lifetime for short-lived tokens) so that a token
        # does not expire between the check and the server reading it.
        self._refresh_at = started + expires_in - min(60.0, expires_in / 10.0)
        log.debug("obtained a %s access token valid for %.0f s", self._label.split(" ")[0], expires_in)

    def _failure(self, response: httpx.Response) -> ApiError:
        if GAVE_UP in response.extensions:  # retries ran out: said as for any request
            return error_for(response, "POST", _TOKEN_PATH, wire=self._wire, hint=self.hint)
        status = response.status_code
        cls = AuthenticationError if status in (400, 401, 403) else error_class_for_status(status)
        return error_for(response, "POST", _TOKEN_PATH, wire=self._wire, hint=self.hint, cls=cls, prefix=self._label)


def _expires_in(body: Mapping[str, Any]) -> float:
    try:
        expires_in = float(body.get("expires_in", _DEFAULT_EXPIRES_IN))
    except (TypeError, ValueError):
        return _DEFAULT_EXPIRES_IN
    return expires_in if math.isfinite(expires_in) and expires_in > 0 else _DEFAULT_EXPIRES_IN
