"""Retries and the client-side rate limit, as an ``httpx.BaseTransport`` around the real one.

Below the auth flow (each attempt carries the same credentials) and above the connection pool: one
attempt is one send through the limiter to the wrapped transport. The rule, by whether the server
may have acted on the request, is in the package docstring. A response that is still failing when
the rule or the budget says stop is returned with a ``GaveUp`` in its extensions, for the client to
raise with the count; a failure without a response is raised here as ``TransportError``.

Per-request options travel as request extensions (``IDEMPOTENT``, ``RATE_LIMITED``, ``PATH``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

import httpx

from .._redact import get_logger
from ..errors import TransportError
from ._adaptive import AdaptiveLimit
from ._retry import IDEMPOTENT_METHODS, RETRY_STATUSES, RetryPolicy, parse_retry_after

__all__ = ["GAVE_UP", "IDEMPOTENT", "PATH", "RATE_LIMITED", "GaveUp", "Limiter", "RetryTransport"]

log = get_logger("http")

IDEMPOTENT = "personalize.idempotent"
"""Request extension: True when repeating this request is harmless whatever its method."""
RATE_LIMITED = "personalize.rate_limited"
"""Request extension: False for a request the service does not count (the OAuth token request)."""
PATH = "personalize.path"
"""Request extension: the path as errors and logs show it (never a query string)."""
GAVE_UP = "personalize.gave_up"
"""Response extension: the ``GaveUp`` of a failing response that was not (or no more) retried."""

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


class Limiter(Protocol):
    """What the transport asks of a client-side rate limit (``RateLimiter``, or a replacement)."""

    def acquire(self) -> float:
        """Block until the caller may send; return the seconds waited."""
        ...


@dataclass(frozen=True)
class GaveUp:
    """Why a failing response is final: ``attempts`` made over ``waited`` seconds of backoff."""

    attempts: int
    waited: float
    stop: str


@dataclass
class _Attempts:
    """One logical request's progress through the retry loop."""

    method: str
    path: str
    safe_to_repeat: bool
    url: str
    """Scheme, host, port and path (never a query): what a failure without a response names."""
    attempt: int = 0
    waited: float = 0.0
    sent: float = 0.0
    """When the last attempt was sent, on the adaptive limiter's clock."""
    limited: bool = True
    """Whether the request goes through the limiter (not the OAuth token request)."""
    throttled_since: float | None = None
    """When the service first refused this request with 429 (policy clock), under an adaptive limiter."""

    @classmethod
    def of(cls, request: httpx.Request) -> _Attempts:
        idempotent = request.extensions.get(IDEMPOTENT)
        method = request.method
        safe = bool(idempotent) if idempotent is not None else method in IDEMPOTENT_METHODS
        url = f"{request.url.scheme}://{request.url.netloc.decode('ascii')}{request.url.path}"
        return cls(method, str(request.extensions.get(PATH) or request.url.path), safe, url,
                   limited=bool(request.extensions.get(RATE_LIMITED, True)))

    def not_retried(self) -> str:
        return (
            f"not retried: the server may have acted on this {self.method}; "
            "pass idempotent=True if repeating it is harmless"
        )


class RetryTransport(httpx.BaseTransport):
    """Sends through ``limiter`` (if any) to ``transport``, retrying per ``policy``."""

    def __init__(
        self,
        transport: httpx.BaseTransport,
        *,
        policy: RetryPolicy,
        limiter: Limiter | None = None,
        service: str = "api",
        sources: Mapping[str, str] | None = None,
    ) -> None:
        self._transport = transport
        self.policy = policy
        self.limiter = limiter
        self._service = service
        self._sources = dict(sources or {})
        """URL prefix -> where that host comes from in the settings (``the host comes from ...``)."""

    def close(self) -> None:
        self._transport.close()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        tries = _Attempts.of(request)
        while True:
            tries.attempt += 1
            if self.limiter is not None and tries.limited:
                self.limiter.acquire()
                if isinstance(self.limiter, AdaptiveLimit):
                    tries.sent = self.limiter.now()
            started = self.policy.clock()
            try:
                response = self._send_once(request)
            except httpx.TransportError as exc:
                delay = self._after_failure(tries, exc)
            else:
                log.debug(
                    "%s %s -> %d in %.0f ms (attempt %d)", tries.method, tries.path, response.status_code,
                    (self.policy.clock() - started) * 1000, tries.attempt,
                )
                wait = self._after_response(tries, response)
                if wait is None:
                    return response
                response.close()
                delay = wait
            if delay > 0:
                self.policy.sleep(delay)
                tries.waited += delay

    def _send_once(self, request: httpx.Request) -> httpx.Response:
        response = self._transport.handle_request(request)
        try:
            # Read here, so that a timeout or a dropped connection in the body is retried too.
            response.read()
        except BaseException:
            response.close()
            raise
        return response

    def _after_response(self, tries: _Attempts, response: httpx.Response) -> float | None:
        """The delay before sending again, or None when ``response`` is final."""
        status = response.status_code
        # A 500 is retried only where repeating is harmless: it is often a passing fault, but the
        # server may have acted before failing.
        if status not in RETRY_STATUSES and not (status == 500 and tries.safe_to_repeat):
            return None
        if status != 429 and not tries.safe_to_repeat:
            # The server may have created the object before the gateway gave up.
            response.extensions[GAVE_UP] = GaveUp(tries.attempt, tries.waited, tries.not_retried())
            return None
        if status == 429 and tries.limited and isinstance(self.limiter, AdaptiveLimit):
            return self._after_throttle(tries, response, self.limiter)
        delay, source = self.policy.delay(tries.attempt, response.headers)
        stop = self._stop_reason(tries, delay)
        if stop:
            response.extensions[GAVE_UP] = GaveUp(tries.attempt, tries.waited, stop)
            return None
        log.info(
            "%s %s -> %d; retrying in %.2f s (%s, attempt %d of %d)",
            tries.method, tries.path, status, delay, source, tries.attempt + 1, self.policy.max_attempts,
        )
        return delay

    def _after_throttle(self, tries: _Attempts, response: httpx.Response, limiter: AdaptiveLimit) -> float | None:
        """A 429 under an adaptive limiter: the limiter slows down, the request waits what it says and
        then its turn there again; what bounds it is time (``max_throttled_wait``), not a count of attempts."""
        policy = self.policy
        now = policy.clock()
        if tries.throttled_since is None:
            tries.throttled_since = now
        hinted = parse_retry_after(response.headers, now=policy.wall_clock())
        wait = limiter.throttled(tries.sent, None if hinted is None else min(hinted, policy.max_retry_after))
        elapsed = now - tries.throttled_since
        if elapsed + wait > policy.max_throttled_wait:
            stop = (f"gave up after {tries.attempt} attempts over {elapsed:.1f} s of 429s: waiting longer would "
                    f"exceed the {policy.max_throttled_wait:.0f} s retry budget")
            response.extensions[GAVE_UP] = GaveUp(tries.attempt, elapsed, stop)
            return None
        log.info("%s %s -> 429; retrying in %.2f s at the service's rate (Retry-After %s, attempt %d)",
                 tries.method, tries.path, wait, "none" if hinted is None else f"{hinted:g} s", tries.attempt + 1)
        return wait

    def _after_failure(self, tries: _Attempts, exc: httpx.TransportError) -> float:
        """The delay before sending again; raises ``TransportError`` when the failure is final."""
        never_sent = isinstance(exc, _NOT_SENT_ERRORS)
        reason = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        if isinstance(exc, httpx.ConnectError):
            reason = f"cannot connect ({reason})"
        if not (never_sent or (tries.safe_to_repeat and isinstance(exc, _MAYBE_SENT_ERRORS))):
            why = f" ({tries.not_retried()})" if isinstance(exc, _MAYBE_SENT_ERRORS) else ""
            raise self._transport_error(tries, f"{reason}{why}") from None  # httpx's text could echo a header
        delay, source = self.policy.delay(tries.attempt, None)
        stop = self._stop_reason(tries, delay)
        if stop:
            raise self._transport_error(tries, f"{reason}; {stop}") from None
        log.info(
            "%s %s: %s; retrying in %.2f s (%s, attempt %d of %d)",
            tries.method, tries.path, reason, delay, source, tries.attempt + 1, self.policy.max_attempts,
        )
        return delay

    def _transport_error(self, tries: _Attempts, detail: str) -> TransportError:
        # No answer: the host is what the person must check, so the message names it and the
        # setting that chose it (the longest matching URL: the token URL may share the API's host).
        matching = [prefix for prefix in self._sources if tries.url.startswith(prefix)]
        source = f"; {self._sources[max(matching, key=len)]}" if matching else ""
        return TransportError(
            f"{tries.method} {tries.url} to {self._service} failed: {detail}{source}",
            attempts=tries.attempt,
            waited=tries.waited,
            method=tries.method,
            path=tries.path,
        )

    def _stop_reason(self, tries: _Attempts, delay: float) -> str | None:
        policy = self.policy
        if tries.attempt >= policy.max_attempts:
            return f"gave up after {tries.attempt} attempts over {tries.waited:.1f} s of backoff"
        if tries.waited + delay > policy.max_total_wait:
            return (
                f"gave up after {tries.attempt} attempts over {tries.waited:.1f} s of backoff: waiting "
                f"{delay:.1f} s more would exceed the {policy.max_total_wait:.0f} s retry budget"
            )
        return None
