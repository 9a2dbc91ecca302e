"""Sitecore's error body, and the exception the Sitecore handlers raise.

The response-code page says an error body carries the HTTP status code and an error code that can be
used to look up more information; the key names were not recoverable (unconfirmed). The emulator sends::

    {"status": 400, "code": "VALIDATION_FAILED", "message": "...",
     "errors": [{"field": "auth.authType", "message": "must be one of NONE, OAUTH"}]}

``errors`` only when fields failed validation. The client's error parser reads ``status``/``code``/
``message`` and both list shapes of ``errors``.
"""

from __future__ import annotations

from collections.abc import Mapping

from ..common import ApiError, Json

# Error codes by HTTP status, used when a handler does not name a more specific one.
CODES: Mapping[int, str] = {
    400: "VALIDATION_FAILED",
    401: "UNAUTHORIZED",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    415: "UNSUPPORTED_MEDIA_TYPE",
    429: "TOO_MANY_REQUESTS",
    500: "SERVER_ERROR",
    502: "BAD_GATEWAY",
    503: "SERVICE_UNAVAILABLE",
    504: "GATEWAY_TIMEOUT",
}
FRIENDLY_ID_TAKEN = "FRIENDLY_ID_TAKEN"
TEMPLATE_READ_ONLY = "TEMPLATE_READ_ONLY"


def error_body(status: int, message: str, field_errors: Mapping[str, list[str]] | None = None,
               code: str | None = None) -> Json:
    body: Json = {"status": status, "code": code or CODES.get(status, "ERROR"), "message": message}
    if field_errors:
        body["errors"] = [{"field": field, "message": msg} for field, msgs in field_errors.items() for msg in msgs]
    return body


class SitecoreError(ApiError):
    """An ``ApiError`` with a Sitecore error code."""

    def __init__(self, status: int, message: str, *, code: str | None = None,
                 field_errors: Mapping[str, list[str]] | None = None) -> None:
        super().__init__(status, message, field_errors=field_errors)
        self.code = code


def invalid(field: str, message: str, *, code: str | None = None) -> SitecoreError:
    return SitecoreError(400, "Validation failed", code=code, field_errors={field: [message]})


def not_found(label: str, ref: str) -> SitecoreError:
    return SitecoreError(404, f"{label} {ref} not found")
