"""The ASGI application: both services on one base URL, control endpoints under ``/_emulator/``.

Control API (never faulted, never rate limited, no credentials needed):

* ``GET /_emulator/health`` -> ``{"status": "ok", ...}``
* ``POST /_emulator/reset`` -> empties the world (and the state file), clears the request log and
  restores the fault configuration the process was started with
* ``GET /_emulator/faults`` / ``PUT /_emulator/faults`` -> the fault configuration (see ``faults.py``)
* ``GET /_emulator/requests`` -> ``{"requests": [{method, path, query, body, status, time,
  duration_ms, fault?}]}`` (credentials redacted, headers never logged); ``DELETE`` clears it
* ``GET /_emulator/state`` -> the whole state document (for debugging)
"""

from __future__ import annotations

import asyncio
import json
import os
import time
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from . import contentstack, sitecore
from .common import ApiError, error_body, error_response, read_json, service_for_path
from .faults import FaultInjector, RequestLog, retry_after_header
from .settings import EmulatorSettings
from .state import Store

VERSION = "1"


async def health(request: Request) -> Response:
    store: Store = request.app.state.store
    return JSONResponse({"status": "ok", "version": VERSION, "pid": os.getpid(),
                         "state": str(store.path) if store.path else None})


async def reset(request: Request) -> Response:
    request.app.state.store.reset()
    request.app.state.log.clear()
    request.app.state.faults.restore_initial()
    return JSONResponse({"status": "reset"})


async def get_faults(request: Request) -> Response:
    return JSONResponse(request.app.state.faults.to_json())


async def put_faults(request: Request) -> Response:
    body = await read_json(request)
    request.app.state.faults.configure(body)
    return JSONResponse(request.app.state.faults.to_json())


async def get_requests(request: Request) -> Response:
    entries = request.app.state.log.entries()
    method = request.query_params.get("method")
    if method:
        entries = [e for e in entries if e["method"] == method.upper()]
    path = request.query_params.get("path")
    if path:
        entries = [e for e in entries if path in e["path"]]
    return JSONResponse({"requests": entries})


async def clear_requests(request: Request) -> Response:
    request.app.state.log.clear()
    return JSONResponse({"status": "cleared"})


async def get_state(request: Request) -> Response:
    return JSONResponse(request.app.state.store.snapshot())


async def not_found(request: Request, exc: Exception) -> Response:
    status = getattr(exc, "status_code", 404)
    service = service_for_path(request.url.path)
    if service == "contentstack":
        # the live (Nest) server answers any unrouted method and path with 404 "Cannot GET /path"
        body = error_body(service, 404, f"Cannot {request.method} {request.url.path}")
        return JSONResponse(body, status_code=404)
    message = "Not found" if status == 404 else "Method not allowed" if status == 405 else "Error"
    return JSONResponse(error_body(service, status, message), status_code=status)


class TrafficMiddleware:
    """Outermost layer: fault injection, the Contentstack rate limit, and the request log."""

    def __init__(self, app: ASGIApp, faults: FaultInjector, log: RequestLog, store: Store) -> None:
        self.app = app
        self.store = store  # the Contentstack rate limit is per organization, which the state knows
        self.faults = faults
        self.log = log

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith("/_emulator"):
            await self.app(scope, receive, send)
            return
        started = time.monotonic()
        method: str = scope["method"]
        path: str = scope["path"]
        query = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True))
        chunks = []
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunks.append(message.get("body", b""))
            more = message.get("more_body", False)
        raw = b"".join(chunks)
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        logged_body = _decode_body(raw, headers.get("content-type", ""))
        service = service_for_path(path)

        def record(status: int | None, fault: str | None = None) -> None:
            self.log.add(method=method, path=path, query=query, body=logged_body, status=status,
                         duration_ms=(time.monotonic() - started) * 1000, fault=fault)

        rule = self.faults.match(method, path)
        if rule is not None:
            if rule.latency_ms:
                await asyncio.sleep(rule.latency_ms / 1000)
            if rule.action == "drop":
                # Start a response that promises a body, then return without sending it: uvicorn
                # closes the connection and the client sees a protocol error, never a response.
                await send({"type": "http.response.start", "status": 200,
                            "headers": [(b"content-type", b"application/json"), (b"content-length", b"64")]})
                record(None, "drop")
                return
            if rule.action == "status":
                extra = {}
                if rule.retry_after is not None:
                    extra["retry-after"] = retry_after_header(rule.retry_after)
                message_text = "Too many requests" if rule.status == 429 else "Injected fault"
                await _send_json(send, rule.status, error_body(service, rule.status, message_text), extra)
                record(rule.status, f"status {rule.status}")
                return
        if service == "contentstack":
            key = contentstack.rate_limit_key(self.store, headers)
            wait = self.faults.rate_limited(key)
            if wait is not None:
                body = error_body(service, 429, "Rate limit exceeded: too many requests per second")
                await _send_json(send, 429, body, {"retry-after": retry_after_header(wait)})
                record(429, "rate limit")
                return

        sent = False
        status_holder: list[int] = []

        async def replay() -> Message:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": raw, "more_body": False}
            return await receive()

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                status_holder.append(int(message["status"]))
            await send(message)

        try:
            await self.app(scope, replay, capture)
        finally:
            record(status_holder[0] if status_holder else None)


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
               rate_limit: float | None = None) -> ASGIApp:
    """Build the emulator application. ``faults``: a fault configuration (dict or list of rules)."""
    settings = settings or EmulatorSettings()
    store = Store(settings.state_path)
    if isinstance(faults, list):
        faults = {"rules": faults}
    injector = FaultInjector(faults, rate_limit=rate_limit)
    log = RequestLog()
    control = [
        Route("/_emulator/health", health, methods=["GET"]),
        Route("/_emulator/reset", reset, methods=["POST"]),
        Route("/_emulator/faults", get_faults, methods=["GET"]),
        Route("/_emulator/faults", put_faults, methods=["PUT"]),
        Route("/_emulator/requests", get_requests, methods=["GET"]),
        Route("/_emulator/requests", clear_requests, methods=["DELETE"]),
        Route("/_emulator/state", get_state, methods=["GET"]),
    ]
    app = Starlette(
        routes=control + sitecore.routes() + contentstack.routes(),
        exception_handlers={ApiError: error_response, 404: not_found, 405: not_found},
    )
    app.state.settings = settings
    app.state.store = store
    app.state.faults = injector
    app.state.log = log
    wrapped = TrafficMiddleware(app, injector, log, store)
    return wrapped
