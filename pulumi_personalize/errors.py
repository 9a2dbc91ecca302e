"""Typed errors: the ladder every failure of the package is raised from.

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

Every message is redacted (``pulumi_personalize._redact``, whose names are re-exported here so that
the modules logging through ``errors.get_logger`` keep working). Reading the services' error bodies
is the HTTP client's (``pulumi_personalize.http``), with each service's own rules in its ``_wire``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ._redact import (
    LOGGER_NAME,
    REDACTED,
    RedactingFilter,
    get_logger,
    is_secret_key,
    redact,
    redact_data,
    register_secret,
)

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
    "redact",
    "redact_data",
    "register_secret",
]

# Service messages are for people; a megabyte of HTML from a proxy is not.
_MAX_SERVICE_MESSAGE = 500

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

    def __init__(self, message: str, *, error_code: str | None = None, **kwargs: Any) -> None:
        """``kwargs``: those of ``PersonalizeError`` (status, method, path, request_id, service_message)."""
        super().__init__(message, **kwargs)
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


class _RetriedApiError(ApiError, _RetriedMixin):
    """An answer that retries did not change: ``attempts`` made over ``waited`` seconds of backoff."""

    def __init__(self, message: str, *, attempts: int | None = None, waited: float | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.attempts = attempts
        self.waited = waited


class RateLimitedError(_RetriedApiError):
    """429 that persisted through every retry the policy allows."""


class ServerError(_RetriedApiError):
    """5xx (after retries where the method allows them)."""


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
