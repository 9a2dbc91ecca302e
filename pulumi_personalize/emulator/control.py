"""The control API under ``/_emulator/`` (never faulted, never rate limited, no credentials needed):

* ``GET /_emulator/health`` -> ``{"status": "ok", ...}``
* ``POST /_emulator/reset`` -> empties the world (and the state file), clears the request log, restores
  the fault configuration the process was started with and puts the clock back to the real time
* ``GET /_emulator/faults`` / ``PUT /_emulator/faults`` -> the fault configuration (see ``faults.py``)
* ``GET /_emulator/requests`` -> ``{"requests": [{method, path, query, body, status, time, duration_ms,
  fault?}]}`` (credentials redacted, headers never logged); filters ``method``, ``path`` (a substring),
  ``pattern`` (a regular expression searched in the path). With ``count=N`` it first waits until N
  matching requests were answered, at most ``timeout`` seconds (default 10, at most 60); the caller
  compares the length. ``DELETE`` clears the log.
* ``GET /_emulator/idle?timeout=S`` -> waits until no request is being served and none started for
  ``quiet`` seconds (default 0.5), at most ``timeout`` seconds; ``{"idle": bool, "inFlight": n}``
* ``GET /_emulator/clock`` -> ``{"now", "epoch", "frozen", "sleepers"}`` (``sleepers``: requests held by
  a fault's latency); ``POST /_emulator/clock`` with any of
  ``{"frozen": bool, "now": epoch seconds or ISO-8601, "advance": seconds}`` (applied in that order)
  moves the emulator's clock (``clock.py``) and answers the same
* ``GET /_emulator/state`` -> the whole state document (for debugging)
"""

from __future__ import annotations

import os
import re
import time
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .clock import Clock, parse_moment
from .common import ApiError, Json, read_json
from .faults import RequestLog
from .state import Store

VERSION = "1"
MAX_WAIT = 60.0


async def health(request: Request) -> Response:
    store: Store = request.app.state.store
    return JSONResponse({"status": "ok", "version": VERSION, "pid": os.getpid(),
                         "state": str(store.path) if store.path else None})


async def reset(request: Request) -> Response:
    request.app.state.store.reset()
    request.app.state.log.clear()
    request.app.state.faults.restore_initial()
    request.app.state.clock.reset()
    return JSONResponse({"status": "reset"})


async def get_faults(request: Request) -> Response:
    return JSONResponse(request.app.state.faults.to_json())


async def put_faults(request: Request) -> Response:
    body = await read_json(request)
    request.app.state.faults.configure(body)
    return JSONResponse(request.app.state.faults.to_json())


def _number(request: Request, name: str, default: float, maximum: float = MAX_WAIT) -> float:
    raw = request.query_params.get(name)
    try:
        value = default if raw in (None, "") else float(raw)
    except ValueError:
        raise ApiError(400, f"Invalid query parameter {name}", field_errors={name: ["must be a number"]}) from None
    if not 0 <= value <= maximum:
        raise ApiError(400, f"Invalid query parameter {name}",
                       field_errors={name: [f"must be between 0 and {maximum:g}"]})
    return value


def _matching(request: Request) -> list[Json]:
    log: RequestLog = request.app.state.log
    entries = log.entries()
    method = request.query_params.get("method")
    if method:
        entries = [e for e in entries if e["method"] == method.upper()]
    path = request.query_params.get("path")
    if path:
        entries = [e for e in entries if path in e["path"]]
    pattern = request.query_params.get("pattern")
    if pattern:
        try:
            compiled = re.compile(pattern)
        except re.error as exc:
            raise ApiError(400, "Invalid query parameter pattern", field_errors={"pattern": [str(exc)]}) from None
        entries = [e for e in entries if compiled.search(e["path"])]
    return entries


async def get_requests(request: Request) -> Response:
    if request.query_params.get("count"):
        count = _number(request, "count", 0, maximum=float("inf"))
        deadline = time.monotonic() + _number(request, "timeout", 10.0)
        log: RequestLog = request.app.state.log
        # a bounded wait on the log's condition (what a test polled for before), on real time: the
        # requests come from real clients
        await log.changes.wait_for(lambda: len(_matching(request)) >= count, lambda: deadline - time.monotonic())
    return JSONResponse({"requests": _matching(request)})


async def clear_requests(request: Request) -> Response:
    request.app.state.log.clear()
    return JSONResponse({"status": "cleared"})


async def idle(request: Request) -> Response:
    """A bounded wait on the log's condition, on real time: the requests come from real clients."""
    log: RequestLog = request.app.state.log
    quiet = _number(request, "quiet", 0.5)
    deadline = time.monotonic() + _number(request, "timeout", 10.0)
    busy = time.monotonic()  # when a request was last seen in flight
    while True:
        if log.in_flight:
            busy = time.monotonic()
        elif time.monotonic() - busy >= quiet:
            return JSONResponse({"idle": True, "inFlight": 0})
        if time.monotonic() >= deadline:
            return JSONResponse({"idle": False, "inFlight": log.in_flight})
        seen = log.in_flight
        wake = deadline if seen else min(deadline, busy + quiet)
        await log.changes.wait_for(lambda: log.in_flight != seen, lambda: wake - time.monotonic())  # noqa: B023
        if seen:  # the quiet period starts when the last request in flight has finished
            busy = time.monotonic()


async def get_clock(request: Request) -> Response:
    clock: Clock = request.app.state.clock
    return JSONResponse(clock.to_json())


async def move_clock(request: Request) -> Response:
    clock: Clock = request.app.state.clock
    body = await read_json(request)
    if not isinstance(body, dict) or not {"advance", "now", "frozen"} & set(body):
        raise ApiError(400, "Send advance (seconds), now (epoch seconds or ISO-8601) or frozen (boolean)",
                       field_errors={"body": ["needs advance, now or frozen"]})
    _move(clock, body)
    return JSONResponse(clock.to_json())


def _move(clock: Clock, body: dict[str, Any]) -> None:
    frozen, advance = body.get("frozen"), body.get("advance")
    if frozen is not None and not isinstance(frozen, bool):
        raise ApiError(400, "Invalid clock change", field_errors={"frozen": ["must be a boolean"]})
    if advance is not None and (isinstance(advance, bool) or not isinstance(advance, (int, float)) or advance < 0):
        raise ApiError(400, "Invalid clock change", field_errors={"advance": ["must be a non-negative number of seconds"]})
    try:
        moment = parse_moment(body["now"]) if body.get("now") is not None else None
    except ValueError as exc:
        raise ApiError(400, "Invalid clock change", field_errors={"now": [str(exc)]}) from None
    if frozen is not None:
        clock.freeze(frozen)
    if moment is not None:
        clock.set(moment)
    if advance:
        clock.advance(float(advance))


async def flush(request: Request) -> Response:
    """The state file holds every change made before this request (every control request does it)."""
    request.app.state.store.flush()
    return JSONResponse({"status": "flushed"})


async def get_state(request: Request) -> Response:
    return JSONResponse(request.app.state.store.snapshot())


def routes() -> list[Route]:
    return [
        Route("/_emulator/health", health, methods=["GET"]),
        Route("/_emulator/reset", reset, methods=["POST"]),
        Route("/_emulator/faults", get_faults, methods=["GET"]),
        Route("/_emulator/faults", put_faults, methods=["PUT"]),
        Route("/_emulator/requests", get_requests, methods=["GET"]),
        Route("/_emulator/requests", clear_requests, methods=["DELETE"]),
        Route("/_emulator/idle", idle, methods=["GET"]),
        Route("/_emulator/clock", get_clock, methods=["GET"]),
        Route("/_emulator/clock", move_clock, methods=["POST"]),
        Route("/_emulator/state", get_state, methods=["GET"]),
        Route("/_emulator/flush", flush, methods=["POST"]),
    ]
