"""Shared helpers of the emulator: errors in each service's shape, field validation, ids (time: ``clock.py``)."""

from __future__ import annotations

import json
import secrets
import uuid
from collections.abc import Iterable, Mapping
from http import HTTPStatus
from typing import Any, Literal

from starlette.requests import Request
from starlette.responses import JSONResponse

from ..facts import sitecore as sc

Json = dict[str, Any]
Service = Literal["sitecore", "contentstack", "emulator"]
# Sitecore Personalize's paths (emulator/sitecore/urls.py); everything else but /_emulator is Contentstack's.
SITECORE_PREFIXES = ("/oauth/", sc.CONNECTIONS_PATH, "/v2/decisionModel", sc.TEST_DECISION_MODEL_PATH,
                     sc.FLOW_DEFINITIONS_PATH, sc.TEMPLATES_PATH)


def service_for_path(path: str) -> Service:
    """Which service a request path belongs to (decides the error shape)."""
    if path.startswith("/_emulator"):
        return "emulator"
    if path.startswith(SITECORE_PREFIXES):
        return "sitecore"
    return "contentstack"


def error_body(service: Service, status: int, message: str,
               field_errors: Mapping[str, list[str]] | None = None, code: str | None = None) -> Json:
    """The error body each service sends.

    Sitecore: ``{"status", "code", "message", "errors"?: [{"field", "message"}]}`` (``sitecore/errors.py``).
    Contentstack (Nest style, docs/facts/contentstack.md#errors): ``{"statusCode", "error", "message", "errors"?}``; ``error`` is
    the service's error code when there is one (``personalize.PROJECTS.DUPLICATE_NAME``), else the HTTP
    reason (``Forbidden``); ``errors`` maps a field to its messages.
    """
    if service == "sitecore":
        from .sitecore.errors import error_body as sitecore_error_body  # lazy: that module imports this one

        return sitecore_error_body(status, message, field_errors)
    body = {"statusCode": status, "error": code or _reason(status), "message": message}
    if field_errors:
        body["errors"] = {field: list(msgs) for field, msgs in field_errors.items()}
    return body


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:  # fault injection may pick any 4xx/5xx number
        return "Error"


class ApiError(Exception):
    """Raised by handlers; turned into a JSON response in the shape of the service that owns the path."""

    def __init__(self, status: int, message: str, *, field_errors: Mapping[str, list[str]] | None = None,
                 headers: Mapping[str, str] | None = None, code: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.status = status
        self.message = message
        self.field_errors = dict(field_errors or {})
        self.headers = dict(headers or {})


def error_response(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    service = service_for_path(request.url.path)
    return JSONResponse(error_body(service, exc.status, exc.message, exc.field_errors, exc.code),
                        status_code=exc.status, headers=exc.headers)


def new_ref() -> str:
    """A Sitecore ``ref``: a UUID."""
    return str(uuid.uuid4())


def new_uid() -> str:
    """A Contentstack uid: 24 lowercase hexadecimal characters."""
    return secrets.token_hex(12)


async def read_json(request: Request, *, required: bool = True) -> Any:
    raw = await request.body()
    if not raw.strip():
        if required:
            raise ApiError(400, "A JSON request body is required", field_errors={"body": ["is required"]})
        return {}
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise ApiError(400, "The request body is not valid JSON",
                       field_errors={"body": ["must be valid JSON"]}) from None


def without_nulls(value: Any) -> Any:
    """``value`` with every object key whose value is ``null`` left out, at any depth (items of arrays
    are kept as they are; objects inside arrays are cleaned too)."""
    if isinstance(value, dict):
        return {k: without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [without_nulls(item) for item in value]
    return value


_TYPE_NAMES = {str: "a string", int: "an integer", float: "a number", bool: "a boolean",
               dict: "an object", list: "an array"}


class Fields:
    """Collects per-field validation errors for one request body."""

    def __init__(self, body: Any, *, prefix: str = "") -> None:
        self.errors: dict[str, list[str]] = {}
        self.prefix = prefix
        if not isinstance(body, dict):
            self.add("body", "must be a JSON object")
            body = {}
        self.body: Json = body

    def add(self, field: str, message: str) -> None:
        self.errors.setdefault(self.prefix + field, []).append(message)

    def merge(self, other: Fields) -> None:
        for field, msgs in other.errors.items():
            self.errors.setdefault(field, []).extend(msgs)

    def _get(self, field: str, required: bool) -> Any:
        value = self.body.get(field)
        if value is None:
            if required:
                self.add(field, "is required")
            return None
        return value

    def string(self, field: str, *, required: bool = False, enum: Iterable[str] | None = None,
               nonempty: bool = False, upper: bool = False) -> str | None:
        value = self._get(field, required)
        if value is None:
            return None
        if not isinstance(value, str):
            self.add(field, "must be a string")
            return None
        if (required or nonempty) and not value.strip():
            self.add(field, "must not be empty")
            return None
        if enum is not None:
            allowed = list(enum)
            candidate = value.upper() if upper else value
            if candidate not in allowed:
                self.add(field, f"must be one of {', '.join(allowed)}")
                return None
            return candidate
        return value

    def integer(self, field: str, *, required: bool = False, minimum: int | None = None,
                maximum: int | None = None) -> int | None:
        value = self._get(field, required)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            else:
                self.add(field, "must be an integer")
                return None
        checked = self._bounds(field, value, minimum, maximum)
        return None if checked is None else int(checked)

    def number(self, field: str, *, required: bool = False, minimum: float | None = None,
               maximum: float | None = None) -> float | None:
        value = self._get(field, required)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.add(field, "must be a number")
            return None
        checked = self._bounds(field, value, minimum, maximum)
        return None if checked is None else float(checked)

    def _bounds(self, field: str, value: Any, minimum: Any, maximum: Any) -> Any:
        if minimum is not None and value < minimum:
            self.add(field, f"must be at least {minimum}")
            return None
        if maximum is not None and value > maximum:
            self.add(field, f"must be at most {maximum}")
            return None
        return value

    def _of_type(self, field: str, required: bool, kind: type, what: str) -> Any:
        """The field's value when present and of ``kind``; otherwise ``None`` (and an error if wrong)."""
        value = self._get(field, required)
        if value is None:
            return None
        if not isinstance(value, kind):
            self.add(field, f"must be {what}")
            return None
        return value

    def boolean(self, field: str, *, required: bool = False) -> bool | None:
        value: bool | None = self._of_type(field, required, bool, "a boolean")
        return value

    def obj(self, field: str, *, required: bool = False) -> Json | None:
        value: Json | None = self._of_type(field, required, dict, "an object")
        return value

    def array(self, field: str, *, required: bool = False, items: type | None = None) -> list[Any] | None:
        value: list[Any] | None = self._of_type(field, required, list, "an array")
        if value is None:
            return None
        if items is not None:
            for index, item in enumerate(value):
                bad = isinstance(item, bool) and items is not bool
                if bad or not isinstance(item, items):
                    self.add(f"{field}[{index}]", f"must be {_TYPE_NAMES.get(items, items.__name__)}")
        return value

    def check(self, message: str = "Validation failed") -> None:
        if self.errors:
            raise ApiError(400, message, field_errors=self.errors)
