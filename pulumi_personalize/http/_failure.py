"""A failing response as an error of the ladder: status, the service's message, what was tried."""

from __future__ import annotations

from typing import Any

import httpx

from .._redact import get_logger
from ..errors import (
    ApiError,
    AuthenticationError,
    RateLimitedError,
    ServerError,
    ValidationError,
    error_class_for_status,
)
from ._transport import GAVE_UP, GaveUp
from ._wire import Wire

__all__ = ["error_for", "strip_query"]

log = get_logger("http")

_REQUEST_ID_HEADERS = ("x-request-id", "x-correlation-id", "request-id", "x-amzn-requestid")


def strip_query(path: str) -> str:
    """The path only: query values might be secrets (or personal data), errors and logs never show them."""
    return path.split("?", 1)[0].split("#", 1)[0]


def _request_id(response: httpx.Response) -> str | None:
    for name in _REQUEST_ID_HEADERS:
        value: str | None = response.headers.get(name)
        if value:
            return value
    return None


def _body(response: httpx.Response) -> Any:
    try:
        body: Any = response.json()
    except ValueError:
        body = response.text
    if isinstance(body, str) and "<html" in body[:200].lower():
        return None  # a proxy's error page says nothing the status does not
    return body


def error_for(
    response: httpx.Response,
    method: str,
    path: str,
    *,
    wire: Wire,
    hint: str = "",
    cls: type[ApiError] | None = None,
    prefix: str | None = None,
) -> ApiError:
    """The error to raise for ``response``; ``prefix`` replaces ``METHOD path`` at its head."""
    status = response.status_code
    gave_up: GaveUp | None = response.extensions.get(GAVE_UP)
    service_message, field_errors, error_code = wire.parse_error(_body(response))
    request_id = _request_id(response)
    cls = cls or error_class_for_status(status)
    reason = response.reason_phrase or ""
    head = prefix or f"{method} {path}"
    text = f"{head} to {wire.name} failed: HTTP {status}" + (f" {reason}" if reason else "")
    if service_message:
        text += f": {service_message}"
    if error_code and wire.shows_code(error_code) and error_code not in text:
        text += f" ({error_code})"
    if field_errors:
        rendered = "; ".join(f"{f}: {', '.join(m)}" for f, m in field_errors.items())
        text += f" [fields: {rendered}]"
    if gave_up is not None:
        text += f"; {gave_up.stop}"
    if issubclass(cls, AuthenticationError) and hint:
        text += f" ({hint})"
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
        attempts = gave_up.attempts if gave_up else None
        return cls(text, attempts=attempts, waited=gave_up.waited if gave_up else None, **common)
    return cls(text, **common)
