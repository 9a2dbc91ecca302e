"""Typed errors, and the one place where secrets are scrubbed from text.

The ladder (see docs/internals.md)::

    PersonalizeError(Exception)            message, status, method, path, request_id, service_message
    ├── ConfigurationError                 key
    │   └── TenantMismatchError            recorded, configured (tenant records: identifiers only)
    ├── ApiError                           an HTTP response that is not 2xx; error_code
    │   ├── AuthenticationError            401 / 403
    │   ├── NotFoundError                  404
    │   ├── ConflictError                  409
    │   ├── ValidationError                400 / 422; field_errors
    │   ├── RateLimitedError               429 after retries; attempts, waited
    │   └── ServerError                    5xx after retries; attempts, waited
    └── TransportError                     connection errors and timeouts after retries; attempts, waited

Redaction lives here too (``redact``, ``redact_data``, ``register_secret``, ``RedactingFilter``): every
error message and every log record of the package goes through it, so a credential never reaches a
terminal, a log file or the Pulumi engine in clear text.
"""

from __future__ import annotations

import json as _json
import logging
import re
import threading
from collections.abc import Iterable, Mapping
from typing import Any

__all__ = [
    "LOGGER_NAME",
    "REDACTED",
    "ApiError",
    "AuthenticationError",
    "ConfigurationError",
    "ConflictError",
    "NotFoundError",
    "PersonalizeError",
    "RateLimitedError",
    "RedactingFilter",
    "ServerError",
    "TenantMismatchError",
    "TransportError",
    "ValidationError",
    "error_class_for_status",
    "get_logger",
    "is_secret_key",
    "parse_error_body",
    "redact",
    "redact_data",
    "register_secret",
]

LOGGER_NAME = "pulumi_personalize"
REDACTED = "***"

# Service messages are for people; a megabyte of HTML from a proxy is not.
_MAX_SERVICE_MESSAGE = 500
# Shorter strings are too likely to occur by chance ("a", "1") and would shred unrelated text.
_MIN_SECRET_LENGTH = 4

# ---------------------------------------------------------------------------------------------------
# Redaction
# ---------------------------------------------------------------------------------------------------

_secrets_lock = threading.Lock()
_secrets: set[str] = set()
# Rebuilt on registration; a tuple sorted longest first so that a secret containing another is
# replaced whole.
_secrets_sorted: tuple[str, ...] = ()

# Key names (compared lower-case with "-" and "_" removed) whose values are credentials.
_SECRET_KEY_EXACT = frozenset(
    {
        "authtoken",
        "authorization",
        "proxyauthorization",
        "password",
        "passwd",
        "pwd",
        "secret",
        "clientsecret",
        "accesstoken",
        "refreshtoken",
        "idtoken",
        "token",
        "apikey",
        "xapikey",
        "apisecret",
        "privatekey",
        "cookie",
        "setcookie",
        "oauthtoken",
        "bearer",
        "credentials",
    }
)
_SECRET_KEY_SUFFIXES = ("token", "secret", "password", "apikey", "privatekey")

# A key that looks like a credential, as it appears in JSON, form bodies, headers or prose:
# `"client_secret": "x"`, `authtoken=x`, `authorization: Bearer x`, `'apiKey': 'x'`.
_KEY_WORD = (
    r"[A-Za-z0-9_\-]*(?:token|secret|password|passwd|authorization|api[_\-]?key|private[_\-]?key|cookie)"
)
_KEY_VALUE_RE = re.compile(
    r"(?P<key>[\"']?\b" + _KEY_WORD + r"[\"']?\s*[:=]\s*)"
    r"(?P<quote>[\"']?)(?P<scheme>(?:bearer|basic|token)\s+)?"
    r"(?P<value>[^\"'\s&,;}\]]+)",
    re.IGNORECASE,
)
_BEARER_RE = re.compile(r"\b(?P<scheme>bearer|basic)\s+(?P<value>[A-Za-z0-9._~+/=\-]{4,})", re.IGNORECASE)


def register_secret(value: str | None) -> None:
    """Remember a credential so that ``redact`` removes it from any text, wherever it appears.

    Called by the HTTP client for every credential it is given or obtains (including OAuth access
    tokens fetched at run time), so that a service echoing a token back in a body is still scrubbed.
    """
    global _secrets_sorted
    if not value or len(value) < _MIN_SECRET_LENGTH:
        return
    with _secrets_lock:
        if value in _secrets:
            return
        _secrets.add(value)
        _secrets_sorted = tuple(sorted(_secrets, key=len, reverse=True))


def is_secret_key(key: str) -> bool:
    """True when a mapping key or header name names a credential (``authtoken``, ``clientSecret``...)."""
    norm = key.lower().replace("-", "").replace("_", "")
    return norm in _SECRET_KEY_EXACT or norm.endswith(_SECRET_KEY_SUFFIXES)


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """Return ``text`` with every known secret value and every credential-looking value replaced.

    Three passes: values registered with ``register_secret`` (plus ``secrets``), values following a
    credential-like key (``authtoken: x``, ``"client_secret": "x"``, ``password=x``), and
    ``Bearer``/``Basic`` credentials.
    """
    if not text:
        return text
    extra = [s for s in secrets if s and len(s) >= _MIN_SECRET_LENGTH]
    known = _secrets_sorted
    if extra:
        known = tuple(sorted({*known, *extra}, key=len, reverse=True))
    for secret in known:
        if secret in text:
            text = text.replace(secret, REDACTED)
    text = _KEY_VALUE_RE.sub(_replace_key_value, text)
    return _BEARER_RE.sub(lambda m: f"{m.group('scheme')} {REDACTED}", text)


def _replace_key_value(match: re.Match[str]) -> str:
    if match.group("value") == REDACTED:
        return match.group(0)
    scheme = match.group("scheme") or ""
    return f"{match.group('key')}{match.group('quote')}{scheme}{REDACTED}"


def redact_data(value: Any, secrets: Iterable[str] = ()) -> Any:
    """Deep-copy JSON-like data, replacing values under credential-like keys and scrubbing strings."""
    secrets = tuple(secrets)
    if isinstance(value, Mapping):
        out: dict[Any, Any] = {}
        for key, item in value.items():
            if isinstance(key, str) and is_secret_key(key) and item is not None:
                out[key] = REDACTED
            else:
                out[key] = redact_data(item, secrets)
        return out
    if isinstance(value, list | tuple):
        return [redact_data(item, secrets) for item in value]
    if isinstance(value, str):
        return redact(value, secrets)
    return value


class RedactingFilter(logging.Filter):
    """A logging filter that renders each record's message and scrubs it with ``redact``.

    The message and arguments are merged before scrubbing because a secret may sit in an argument
    (``log.debug("body %s", body)``); exception text is scrubbed too.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string must not hide the record
            message = str(record.msg)
        record.msg = redact(message)
        record.args = None
        if record.exc_info and record.exc_info[1] is not None and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
            # The formatter would re-render the traceback from exc_info otherwise.
            record.exc_info = None
        return True


_FILTER = RedactingFilter()
_logger_lock = threading.Lock()


def get_logger(name: str | None = None) -> logging.Logger:
    """The package logger (``pulumi_personalize``) or a child of it, with the redacting filter attached.

    Logger filters do not apply to records of child loggers, so each logger the package uses gets
    the filter itself; use this instead of ``logging.getLogger`` inside the package.
    """
    full = LOGGER_NAME if not name else f"{LOGGER_NAME}.{name.removeprefix(LOGGER_NAME + '.')}"
    logger = logging.getLogger(full)
    with _logger_lock:
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
    return logger


get_logger()


# ---------------------------------------------------------------------------------------------------
# Error bodies
# ---------------------------------------------------------------------------------------------------


def _as_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, int | float | bool):
        return str(value)
    try:
        return _json.dumps(redact_data(value), sort_keys=True)
    except (TypeError, ValueError):
        return str(value)


def _messages(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list | tuple):
        out: list[str] = []
        for item in value:
            out.extend(_messages(item))
        return out
    if isinstance(value, Mapping):
        text = _as_text(value.get("message") or value.get("error_message") or value.get("msg"))
        if text is None and value:
            text = _as_text(value)  # an unknown shape: compact JSON, credentials masked
        return [text] if text else []
    text = _as_text(value)
    return [text] if text else []


_FIELD_MESSAGE_RE = re.compile(r"^([A-Za-z_][A-Za-z0-9_.\[\]\-]*):\s+(.+)$", re.DOTALL)


def parse_error_body(body: Any) -> tuple[str | None, dict[str, list[str]], str | None]:
    """Extract ``(message, field_errors, error_code)`` from an error body of either service.

    Tolerant by design, because error shapes drift and proxies answer with their own:

    * Contentstack: ``{"error_code": 141, "error_message"|"message": "...", "errors": {"name": ["..."]}}``
    * Sitecore: ``{"status"|"statusCode": 400, "message"|"developerMessage": "...",
      "errors": ["...", {"field": "name", "message": "..."}]}``
    * OAuth servers: ``{"error": "invalid_client", "error_description": "..."}``
    * a bare string, a list of messages, or anything else (rendered as compact JSON).

    Values under credential-like keys are never returned.
    """
    if body is None:
        return None, {}, None
    if isinstance(body, str):
        return (body.strip() or None), {}, None
    if isinstance(body, list):
        msgs = _messages(body)
        return ("; ".join(msgs) or None), {}, None
    if not isinstance(body, Mapping):
        return _as_text(body), {}, None

    message: str | None = None
    for key in ("error_message", "message", "developerMessage", "error_description", "detail", "title"):
        candidate = body.get(key)
        if isinstance(candidate, str) and candidate.strip():
            message = candidate.strip()
            break
    error = body.get("error")
    if message is None and isinstance(error, str) and error.strip():
        message = error.strip()
    elif message is None and isinstance(error, Mapping):
        message, _, _ = parse_error_body(error)
    elif isinstance(error, str) and error.strip() and error.strip() != message and "error_description" in body:
        message = f"{error.strip()}: {message}"

    code_value = body.get("error_code", body.get("code"))
    if code_value is None and isinstance(error, str) and message != error:
        code_value = error
    error_code = _as_text(code_value) if code_value is not None and not isinstance(code_value, Mapping) else None

    field_errors: dict[str, list[str]] = {}
    general: list[str] = []
    field_like: list[str] = []  # "field: message" strings, rendered from field_errors by callers
    errors = body.get("errors")
    if isinstance(errors, Mapping):
        for field, value in errors.items():
            msgs = _messages(value)
            if msgs:
                field_errors[str(field)] = msgs
    elif isinstance(errors, list):
        for item in errors:
            if isinstance(item, Mapping):
                field = item.get("field") or item.get("path") or item.get("property") or item.get("name")
                msgs = _messages(item)
                if isinstance(field, str) and field:
                    if msgs:
                        field_errors.setdefault(field, []).extend(msgs)
                else:
                    general.extend(msgs)
            else:
                for text in _messages(item):
                    # Sitecore also sends "field: message" strings.
                    match = _FIELD_MESSAGE_RE.match(text)
                    if match:
                        field_errors.setdefault(match.group(1), []).append(match.group(2))
                        field_like.append(text)
                    else:
                        general.append(text)
    elif isinstance(errors, str) and errors.strip():
        general.append(errors.strip())

    if message is None and (general or field_like):
        # Without a message of its own, "Error: x" might have been prose rather than a field.
        message = "; ".join(general or field_like)
    elif general:
        extra = [g for g in general if g != message]
        if extra:
            message = f"{message} ({'; '.join(extra)})"
    return message, field_errors, error_code


def _clip(text: str | None) -> str | None:
    if text is None:
        return None
    text = redact(" ".join(text.split()))
    if len(text) > _MAX_SERVICE_MESSAGE:
        text = text[: _MAX_SERVICE_MESSAGE - 1] + "…"
    return text


# ---------------------------------------------------------------------------------------------------
# The ladder
# ---------------------------------------------------------------------------------------------------


class PersonalizeError(Exception):
    """Base of every error this package raises.

    ``str(error)`` is a complete sentence for a person (operation, status, the service's own
    message, the request id); the parts are also attributes for code. All text is redacted.
    """

    message: str
    status: int | None
    method: str | None
    path: str | None
    request_id: str | None
    service_message: str | None

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        method: str | None = None,
        path: str | None = None,
        request_id: str | None = None,
        service_message: str | None = None,
    ) -> None:
        message = redact(message)
        super().__init__(message)
        self.message = message
        self.status = status
        self.method = method
        self.path = path
        self.request_id = request_id
        self.service_message = _clip(service_message)

    def __str__(self) -> str:
        # Redact again: a secret may have been registered after this error was built.
        return redact(self.message)

    def __repr__(self) -> str:
        parts = [repr(str(self))]
        for name in ("status", "method", "path", "request_id"):
            value = getattr(self, name, None)
            if value is not None:
                parts.append(f"{name}={value!r}")
        return f"{type(self).__name__}({', '.join(parts)})"


class ConfigurationError(PersonalizeError):
    """Missing or contradictory settings. ``key`` is the stack configuration key to set or fix."""

    key: str | None

    def __init__(self, message: str, *, key: str | None = None) -> None:
        super().__init__(message)
        self.key = key


class TenantMismatchError(ConfigurationError):
    """A resource recorded in one tenant (project, region, host, client) met a provider configured
    for another. ``recorded`` and ``configured`` are tenant records: identifiers, never credentials."""

    recorded: dict[str, str]
    configured: dict[str, str]

    def __init__(self, message: str, *, key: str | None = None, recorded: Mapping[str, str] | None = None,
                 configured: Mapping[str, str] | None = None) -> None:
        super().__init__(message, key=key)
        self.recorded = dict(recorded or {})
        self.configured = dict(configured or {})


class ApiError(PersonalizeError):
    """The service answered with a status that is not 2xx (and retries, if any, did not help)."""

    error_code: str | None

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        method: str | None = None,
        path: str | None = None,
        request_id: str | None = None,
        service_message: str | None = None,
        error_code: str | None = None,
    ) -> None:
        super().__init__(
            message,
            status=status,
            method=method,
            path=path,
            request_id=request_id,
            service_message=service_message,
        )
        self.error_code = error_code


class AuthenticationError(ApiError):
    """401 or 403: the credentials are wrong, expired, or lack the scope for this call."""


class NotFoundError(ApiError):
    """404."""


class ConflictError(ApiError):
    """409: for example a name or key that must be unique."""


class ValidationError(ApiError):
    """400 or 422. ``field_errors`` maps a field (as the service names it) to its messages."""

    field_errors: dict[str, list[str]]

    def __init__(self, message: str, *, field_errors: Mapping[str, list[str]] | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.field_errors = {
            field: [_clip(m) or "" for m in msgs] for field, msgs in (field_errors or {}).items()
        }


class _RetriedMixin:
    attempts: int | None
    waited: float | None


class RateLimitedError(ApiError, _RetriedMixin):
    """429 that persisted through every retry the policy allows."""

    def __init__(self, message: str, *, attempts: int | None = None, waited: float | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.attempts = attempts
        self.waited = waited


class ServerError(ApiError, _RetriedMixin):
    """5xx (after retries where the method allows them)."""

    def __init__(self, message: str, *, attempts: int | None = None, waited: float | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.attempts = attempts
        self.waited = waited


class TransportError(PersonalizeError, _RetriedMixin):
    """No HTTP response: connection refused, DNS failure, timeout... (after retries where allowed).

    ``status`` is the status of the last HTTP response seen during the retries, if there was one.
    """

    def __init__(
        self,
        message: str,
        *,
        attempts: int | None = None,
        waited: float | None = None,
        status: int | None = None,
        method: str | None = None,
        path: str | None = None,
        request_id: str | None = None,
    ) -> None:
        super().__init__(message, status=status, method=method, path=path, request_id=request_id)
        self.attempts = attempts
        self.waited = waited


def error_class_for_status(status: int) -> type[ApiError]:
    """The most specific ``ApiError`` subclass for an HTTP status (``ApiError`` for the rest)."""
    if status in (401, 403):
        return AuthenticationError
    if status == 404:
        return NotFoundError
    if status == 409:
        return ConflictError
    if status in (400, 422):
        return ValidationError
    if status == 429:
        return RateLimitedError
    if status >= 500:
        return ServerError
    return ApiError
