"""The ASGI application: both services on one base URL, control endpoints under ``/_emulator/``
(``control.py``).

Each service has a backend object that owns its state and every write (``contentstack/backend.py``,
``sitecore/backend.py``); both read the time from one :class:`~.clock.Clock`, which tests move instead
of sleeping. In process: ``create_app(clock=Clock())`` served through ``httpx.ASGITransport``.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..facts.contentstack import RATE_LIMIT_MESSAGE
from . import contentstack, control, sitecore
from .clock import Clock
from .common import ApiError, Service, error_body, error_response, service_for_path
from .faults import FaultInjector, RequestLog, retry_after_header
from .settings import EmulatorSettings
from .state import Store

VERSION = control.VERSION


async def not_found(request: Request, exc: Exception) -> Response:
    status = getattr(exc, "status_code", 404)
    service = service_for_path(request.url.path)
    if service == "contentstack":
        # the live (Nest) server answers any unrouted method and path with 404 "Cannot GET /path"
        body = error_body(service, 404, f"Cannot {request.method} {request.url.path}")
        return JSONResponse(body, status_code=404)
    message = "Not found" if status == 404 else "Method not allowed" if status == 405 else "Error"
    return JSONResponse(error_body(service, status, message), status_code=status)


@dataclass
class Exchange:
    """One request as the traffic layer sees it: read whole before anything else happens."""

    method: str
    path: str
    query: dict[str, str]
    raw: bytes
    headers: dict[str, str]
    started: float = field(default_factory=time.perf_counter)  # measures the emulator's own work

    @property
    def identity(self) -> bytes:
        """Query and body: with method and path, what makes two requests the same request."""
        return json.dumps(self.query, sort_keys=True).encode() + b"\0" + self.raw

    @property
    def service(self) -> Service:
        return service_for_path(self.path)


class TrafficMiddleware:
    """Outermost layer: fault injection, the Contentstack rate limit, and the request log."""

    def __init__(self, app: ASGIApp, faults: FaultInjector, log: RequestLog,
                 contentstack_backend: contentstack.ContentstackBackend, clock: Clock) -> None:
        self.app = app
        self.contentstack = contentstack_backend  # the rate limit is per organization, which it knows
        self.faults = faults
        self.log = log
        self.clock = clock

    def flush(self) -> None:
        """Write the state file now (it is written behind the requests, ``state.Store``)."""
        self.contentstack.store.flush()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith("/_emulator"):
            await self.app(scope, receive, send)
            if scope["type"] == "http":  # a test that reads the state file after a control call finds it current
                self.flush()
            return
        self.log.started()
        try:
            exchange = await _read(scope, receive)
            if exchange is None:
                return
            if await self._fault(exchange, send) or await self._rate_limited(exchange, send):
                return
            await self._forward(exchange, scope, receive, send)
        finally:
            self.log.finished()

    def _record(self, exchange: Exchange, status: int | None, fault: str | None = None) -> None:
        body = _decode_body(exchange.raw, exchange.headers.get("content-type", ""))
        self.log.add(method=exchange.method, path=exchange.path, query=exchange.query, body=body, status=status,
                     duration_ms=(time.perf_counter() - exchange.started) * 1000, fault=fault)

    async def _fault(self, exchange: Exchange, send: Send) -> bool:
        """Applies the first fault rule that fires; ``True`` when it answered the request."""
        rule = self.faults.match(exchange.method, exchange.path, lambda: exchange.identity)
        if rule is None:
            return False
        if rule.latency_ms:
            await self.clock.sleep(rule.latency_ms / 1000)
        if rule.action == "drop":
            # Start a response that promises a body, then return without sending it: uvicorn
            # closes the connection and the client sees a protocol error, never a response.
            await send({"type": "http.response.start", "status": 200,
                        "headers": [(b"content-type", b"application/json"), (b"content-length", b"64")]})
            self._record(exchange, None, "drop")
            return True
        if rule.action != "status":
            return False
        extra = {} if rule.retry_after is None else {"retry-after": retry_after_header(rule.retry_after)}
        message = "Too many requests" if rule.status == 429 else "Injected fault"
        await _send_json(send, rule.status, error_body(exchange.service, rule.status, message), extra)
        self._record(exchange, rule.status, f"status {rule.status}")
        return True

    async def _rate_limited(self, exchange: Exchange, send: Send) -> bool:
        if exchange.service != "contentstack":
            return False
        wait = self.faults.rate_limited(self.contentstack.rate_limit_key(exchange.headers))
        if wait is None:
            return False
        # docs/facts/contentstack.md#rate-limits: a 429 in the service's error shape; no rate headers
        # are documented, and Retry-After is unconfirmed: sent unless the faults say otherwise
        body = error_body("contentstack", 429, RATE_LIMIT_MESSAGE)
        headers = {"retry-after": retry_after_header(wait)} if self.faults.rate_limit_retry_after else {}
        await _send_json(send, 429, body, headers)
        self._record(exchange, 429, "rate limit")
        return True

    async def _forward(self, exchange: Exchange, scope: Scope, receive: Receive, send: Send) -> None:
        sent = False
        status_holder: list[int] = []

        async def replay() -> Message:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": exchange.raw, "more_body": False}
            return await receive()

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                status_holder.append(int(message["status"]))
            await send(message)

        try:
            await self.app(scope, replay, capture)
        finally:
            self._record(exchange, status_holder[0] if status_holder else None)


async def _read(scope: Scope, receive: Receive) -> Exchange | None:
    """The whole request; ``None`` when the client went away before sending it."""
    chunks = []
    more = True
    while more:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        chunks.append(message.get("body", b""))
        more = message.get("more_body", False)
    query = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True))
    headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
    return Exchange(scope["method"], scope["path"], query, b"".join(chunks), headers)


def _decode_body(raw: bytes, content_type: str) -> Any:
    """The body as the log shows it: JSON or form fields (redacted later), never raw secret text."""
    if not raw:
        return None
    text = raw.decode("utf-8", "replace")
    try:
        return json.loads(text)
    except ValueError:
        pass
    if "x-www-form-urlencoded" in content_type:
        return dict(parse_qsl(text, keep_blank_values=True))
    return f"<{len(raw)} bytes of {content_type or 'unknown content type'}, not JSON>"


async def _send_json(send: Send, status: int, body: Any, extra: Mapping[str, str]) -> None:
    payload = json.dumps(body).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode())]
    headers += [(k.encode(), v.encode()) for k, v in extra.items()]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": payload})


def create_app(settings: EmulatorSettings | None = None, *, faults: Any = None,
               rate_limit: float | None = None, clock: Clock | None = None) -> TrafficMiddleware:
    """Build the emulator application. ``faults``: a fault configuration (dict or list of rules);
    ``clock``: the clock it reads (a real one by default; pass your own to move it in process)."""
    settings = settings or EmulatorSettings()
    clock = clock or Clock()
    store = Store(settings.state_path)
    if isinstance(faults, list):
        faults = {"rules": faults}
    injector = FaultInjector(faults, rate_limit=rate_limit, clock=clock)
    log = RequestLog(clock)
    app = Starlette(
        routes=control.routes() + sitecore.routes() + contentstack.routes(),
        exception_handlers={ApiError: error_response, 404: not_found, 405: not_found},
    )
    app.state.settings = settings
    app.state.store = store
    app.state.faults = injector
    app.state.log = log
    app.state.clock = clock
    app.state.contentstack = contentstack.ContentstackBackend(store, settings, clock)
    app.state.sitecore = sitecore.SitecoreBackend(store, settings, clock)
    return TrafficMiddleware(app, injector, log, app.state.contentstack, clock)
