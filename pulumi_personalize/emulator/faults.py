"""Fault injection, the Contentstack rate limit, and the redacted request log.

Fault configuration (``--faults`` JSON or file, ``PUT /_emulator/faults``)::

    {
      "seed": 7,                      # optional: makes probabilities deterministic
      "draws": "per-request",         # optional: each request's fate from its own content (below)
      "rateLimit": 10,                # optional: Contentstack requests per second per organization (null = off)
      "rateLimitRetryAfter": true,    # optional: whether its 429s carry Retry-After (unconfirmed live; default true)
      "rules": [
        {"path": "^/attributes", "method": "GET", "probability": 0.5,
         "action": "status", "status": 429, "retry_after": 2, "times": 3},
        {"path": "^/v3/", "action": "latency", "latency_ms": 300},
        {"path": "^/experiences", "method": ["PUT", "POST"], "action": "drop"}
      ]
    }

Rule fields: ``path`` (regular expression, ``re.search`` on the path; default matches all),
``method`` (one or a list; default any), ``probability`` (0..1, default 1), ``action``
(``status`` | ``latency`` | ``drop``; inferred from ``status``/``latency_ms``/``drop: true`` when
omitted), ``status`` (4xx/5xx, for ``status``), ``retry_after`` (seconds, sent as ``Retry-After``;
default 1 for 429 and 503), ``latency_ms`` (delay; with action ``status`` or ``drop`` it delays
the fault, with ``latency`` the request then proceeds normally), ``times`` (fire at most N times).
The first matching rule that fires wins. Control endpoints (``/_emulator/...``) are never faulted.

``draws``: ``"sequence"`` (default) draws the probabilities from one seeded stream in arrival order,
so with concurrent clients which request gets a fault changes from run to run. ``"per-request"``
draws each one from the seed, the request (method, path, query, body, with the ids the emulator made
read as placeholders) and how many times that same request came before: a resource's create and its retries meet the same faults in every run, whatever
the engine's parallelism, so a seeded test either always passes or always fails.
"""

from __future__ import annotations

import collections
import hashlib
import math
import random
import re
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..facts.contentstack import RATE_LIMIT_WINDOW
from .clock import Clock
from .common import ApiError
from .waiting import Changes

Json = dict[str, Any]

ACTIONS = ("status", "latency", "drop")
DRAWS = ("sequence", "per-request")
# The ids the emulator makes (Sitecore refs are UUIDs, Contentstack uids 24 hex digits) differ from
# run to run; per-request draws read them as placeholders so a request is the same in every run.
_MADE_IDS = re.compile(rb"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|\b[0-9a-f]{24}\b")


@dataclass
class FaultRule:
    path: str = ""
    methods: tuple[str, ...] = ()
    probability: float = 1.0
    action: str = "status"
    status: int = 503
    retry_after: float | None = None
    latency_ms: float = 0.0
    times: int | None = None
    fired: int = 0
    pattern: re.Pattern[str] = field(default_factory=lambda: re.compile(""))

    def to_json(self) -> Json:
        out: Json = {"path": self.path, "probability": self.probability, "action": self.action}
        if self.methods:
            out["method"] = list(self.methods)
        if self.action == "status":
            out["status"] = self.status
        if self.retry_after is not None:
            out["retry_after"] = self.retry_after
        if self.latency_ms:
            out["latency_ms"] = self.latency_ms
        if self.times is not None:
            out["times"] = self.times
        out["fired"] = self.fired
        return out


def _bad(field_name: str, message: str) -> ApiError:
    return ApiError(400, "Invalid fault configuration", field_errors={field_name: [message]})


def parse_rule(raw: Any, index: int) -> FaultRule:
    where = f"rules[{index}]"
    if not isinstance(raw, dict):
        raise _bad(where, "must be an object")
    rule = FaultRule()
    path = raw.get("path", "")
    if not isinstance(path, str):
        raise _bad(f"{where}.path", "must be a regular expression string")
    try:
        rule.pattern = re.compile(path)
    except re.error as exc:
        raise _bad(f"{where}.path", f"is not a valid regular expression: {exc}") from None
    rule.path = path
    method = raw.get("method")
    if method is not None:
        methods = [method] if isinstance(method, str) else method
        if not isinstance(methods, list) or not all(isinstance(m, str) for m in methods):
            raise _bad(f"{where}.method", "must be a string or a list of strings")
        rule.methods = tuple(m.upper() for m in methods)
    probability = raw.get("probability", 1.0)
    if isinstance(probability, bool) or not isinstance(probability, (int, float)) or not 0 <= probability <= 1:
        raise _bad(f"{where}.probability", "must be a number between 0 and 1")
    rule.probability = float(probability)
    action = raw.get("action")
    if action is None:
        if raw.get("drop"):
            action = "drop"
        elif "status" in raw:
            action = "status"
        elif "latency_ms" in raw:
            action = "latency"
        else:
            raise _bad(f"{where}.action", f"is required (one of {', '.join(ACTIONS)})")
    if action not in ACTIONS:
        raise _bad(f"{where}.action", f"must be one of {', '.join(ACTIONS)}")
    rule.action = action
    if action == "status":
        status = raw.get("status", 503)
        if isinstance(status, bool) or not isinstance(status, int) or not 400 <= status <= 599:
            raise _bad(f"{where}.status", "must be an HTTP error status between 400 and 599")
        rule.status = status
    retry_after = raw.get("retry_after", raw.get("retryAfter"))
    if retry_after is not None:
        if isinstance(retry_after, bool) or not isinstance(retry_after, (int, float)) or retry_after < 0:
            raise _bad(f"{where}.retry_after", "must be a non-negative number of seconds")
        rule.retry_after = float(retry_after)
    elif action == "status" and rule.status in (429, 503):
        rule.retry_after = 1.0
    latency = raw.get("latency_ms", raw.get("latencyMs", 0))
    if isinstance(latency, bool) or not isinstance(latency, (int, float)) or latency < 0:
        raise _bad(f"{where}.latency_ms", "must be a non-negative number of milliseconds")
    rule.latency_ms = float(latency)
    if action == "latency" and not rule.latency_ms:
        raise _bad(f"{where}.latency_ms", "is required for action latency")
    times = raw.get("times")
    if times is not None:
        if isinstance(times, bool) or not isinstance(times, int) or times < 1:
            raise _bad(f"{where}.times", "must be a positive integer")
        rule.times = times
    return rule


class FaultInjector:
    """Thread-safe holder of the fault rules and the rate limiter."""

    def __init__(self, config: Mapping[str, Any] | None = None, *, rate_limit: float | None = None,
                 clock: Clock | None = None) -> None:
        self._lock = threading.Lock()
        self.clock = clock or Clock()  # the rate-limit windows are on the emulator's clock
        self.rules: list[FaultRule] = []
        self.seed: int | None = None
        self.draws = "sequence"
        self._random = random.Random()
        self._seen: collections.Counter[bytes] = collections.Counter()
        self.rate_limit: float | None = rate_limit
        self.rate_limit_retry_after = True
        self._windows: dict[str, collections.deque[float]] = {}
        self._initial: Json = dict(config or {})
        self._initial_rate_limit = rate_limit
        if config:
            self.configure(config)

    def configure(self, config: Any) -> None:
        if isinstance(config, list):
            config = {"rules": config}
        if not isinstance(config, dict):
            raise _bad("body", "must be an object with a 'rules' array")
        raw_rules = config.get("rules", [])
        if not isinstance(raw_rules, list):
            raise _bad("rules", "must be an array")
        rules = [parse_rule(raw, i) for i, raw in enumerate(raw_rules)]
        seed = config.get("seed")
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
            raise _bad("seed", "must be an integer")
        draws = config.get("draws", "sequence")
        if draws not in DRAWS:
            raise _bad("draws", f"must be one of {', '.join(DRAWS)}")
        rate_limit = config.get("rateLimit", config.get("rate_limit", self.rate_limit))
        if rate_limit is not None and (
            isinstance(rate_limit, bool) or not isinstance(rate_limit, (int, float)) or rate_limit < 0
        ):
            raise _bad("rateLimit", "must be a non-negative number of requests per second, or null")
        retry_after = config.get("rateLimitRetryAfter", self.rate_limit_retry_after)
        if not isinstance(retry_after, bool):
            raise _bad("rateLimitRetryAfter", "must be true or false")
        with self._lock:
            self.rules = rules
            self.seed = seed
            self.draws = draws
            self._random = random.Random(seed)
            self._seen.clear()
            self.rate_limit = float(rate_limit) if rate_limit else None
            self.rate_limit_retry_after = retry_after
            self._windows.clear()

    def restore_initial(self) -> None:
        self.rate_limit = self._initial_rate_limit
        self.rate_limit_retry_after = True
        self.configure(self._initial or {"rules": []})

    def to_json(self) -> Json:
        with self._lock:
            return {"seed": self.seed, "draws": self.draws, "rateLimit": self.rate_limit,
                    "rateLimitRetryAfter": self.rate_limit_retry_after,
                    "rules": [rule.to_json() for rule in self.rules]}

    def match(self, method: str, path: str, request: bytes | Callable[[], bytes] = b"") -> FaultRule | None:
        """The first rule that fires for this request. ``request``: its query and body (or what
        makes them), which only per-request draws read."""
        if not self.rules:
            return None
        with self._lock:
            draw = self._draws_for(method, path, request)
            for rule in self.rules:
                if rule.methods and method.upper() not in rule.methods:
                    continue
                if not rule.pattern.search(path):
                    continue
                if rule.times is not None and rule.fired >= rule.times:
                    continue
                if rule.probability < 1.0 and draw.random() >= rule.probability:
                    continue
                rule.fired += 1
                return rule
        return None

    def _draws_for(self, method: str, path: str, request: bytes | Callable[[], bytes]) -> random.Random:
        if self.draws == "sequence":
            return self._random
        if callable(request):
            request = request()
        identity = _MADE_IDS.sub(b"<id>", b"\0".join((method.upper().encode(), path.encode(), request)))
        self._seen[identity] += 1
        digest = hashlib.blake2b(b"%d\0%d\0" % (self.seed or 0, self._seen[identity]) + identity,
                                 digest_size=8).digest()
        return random.Random(int.from_bytes(digest, "big"))

    def rate_limited(self, key: str) -> float | None:
        """Seconds to wait when ``key`` is over the limit (the request is refused), else ``None``."""
        with self._lock:
            limit = self.rate_limit
            if not limit:
                return None
            now = self.clock.monotonic()
            window = self._windows.setdefault(key, collections.deque())
            while window and now - window[0] >= RATE_LIMIT_WINDOW:
                window.popleft()
            if len(window) >= limit:
                return max(0.001, RATE_LIMIT_WINDOW - (now - window[0]))
            window.append(now)
            return None


def retry_after_header(seconds: float) -> str:
    return str(max(1, math.ceil(seconds)))


# --- request log ---------------------------------------------------------------------------------

_SECRET_WORDS = ("secret", "password", "passwd", "apikey", "api_key", "token", "authorization",
                 "credential", "privatekey", "private_key")
MASK = "***"


def is_secret_key(key: str) -> bool:
    lowered = key.lower().replace("-", "_")
    squashed = lowered.replace("_", "")
    return any(word in lowered or word in squashed for word in _SECRET_WORDS)


def redact(value: Any) -> Any:
    """A copy of ``value`` where every secret-looking field is ``"***"``."""
    if isinstance(value, dict):
        return {k: (MASK if isinstance(k, str) and is_secret_key(k) and v not in (None, "") else redact(v))
                for k, v in value.items()}
    if isinstance(value, list):
        return [redact(v) for v in value]
    return value


class RequestLog:
    """What the emulator answered, in order; ``time`` on the emulator's clock. Tests wait on it
    (``wait_for``) instead of polling it."""

    def __init__(self, clock: Clock | None = None, limit: int = 10_000) -> None:
        self._lock = threading.Lock()
        self._entries: collections.deque[Json] = collections.deque(maxlen=limit)
        self._clock = clock or Clock()
        self.changes = Changes()  # notified on every entry and on every start and end of a request
        self.in_flight = 0

    def add(self, *, method: str, path: str, query: Mapping[str, Any], body: Any, status: int | None,
            duration_ms: float, fault: str | None = None) -> None:
        entry: Json = {"method": method, "path": path, "query": redact(dict(query)), "body": redact(body),
                       "status": status, "time": self._clock.iso(), "duration_ms": round(duration_ms, 3)}
        if fault:
            entry["fault"] = fault
        with self._lock:
            self._entries.append(entry)
        self.changes.notify()

    def started(self) -> None:
        with self._lock:
            self.in_flight += 1
        self.changes.notify()

    def finished(self) -> None:
        with self._lock:
            self.in_flight -= 1
        self.changes.notify()

    def entries(self) -> list[Json]:
        with self._lock:
            return list(self._entries)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
