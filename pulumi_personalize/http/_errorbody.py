"""Reading an error body: ``(message, field_errors, error_code)`` from whatever a server sent.

Tolerant by design, because error shapes drift and proxies answer with their own. This is the
shape-driven core the services' descriptors start from (``Wire.parse_error``); a service that needs
more (Contentstack's dotted error codes) says so in its own ``_wire`` module.
"""

from __future__ import annotations

import json as _json
import re
from collections.abc import Mapping
from typing import Any

from .._redact import redact_data

__all__ = ["ErrorBody", "parse_error_body"]

ErrorBody = tuple[str | None, dict[str, list[str]], str | None]
"""(the service's message, field -> messages, the service's error code)."""

_MESSAGE_KEYS = ("error_message", "message", "developerMessage", "error_description", "detail", "title")
_FIELD_MESSAGE_RE = re.compile(r"^([A-Za-z_][A-Za-z0-9_.\[\]\-]*):\s+(.+)$", re.DOTALL)


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


def parse_error_body(body: Any) -> ErrorBody:
    """Extract ``(message, field_errors, error_code)`` from an error body of either service.

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
    message = _top_message(body)
    error_code = _error_code(body, message)
    field_errors, general, field_like = _errors(body.get("errors"))
    if message is None and (general or field_like):
        # Without a message of its own, "Error: x" might have been prose rather than a field.
        message = "; ".join(general or field_like)
    elif general:
        extra = [g for g in general if g != message]
        if extra:
            message = f"{message} ({'; '.join(extra)})"
    return message, field_errors, error_code


def _top_message(body: Mapping[str, Any]) -> str | None:
    message: str | None = None
    for key in _MESSAGE_KEYS:
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
    return message


def _error_code(body: Mapping[str, Any], message: str | None) -> str | None:
    error = body.get("error")
    code_value = body.get("error_code", body.get("code"))
    if code_value is None and isinstance(error, str) and message != error:
        code_value = error
    return _as_text(code_value) if code_value is not None and not isinstance(code_value, Mapping) else None


def _errors(errors: Any) -> tuple[dict[str, list[str]], list[str], list[str]]:
    """(field errors, general messages, "field: message" strings) of an ``errors`` member."""
    field_errors: dict[str, list[str]] = {}
    general: list[str] = []
    field_like: list[str] = []  # "field: message" strings, rendered from field_errors by callers
    if isinstance(errors, Mapping):
        for field, value in errors.items():
            msgs = _messages(value)
            if msgs:
                field_errors[str(field)] = msgs
    elif isinstance(errors, list):
        for item in errors:
            _error_item(item, field_errors, general, field_like)
    elif isinstance(errors, str) and errors.strip():
        general.append(errors.strip())
    return field_errors, general, field_like


def _error_item(item: Any, field_errors: dict[str, list[str]], general: list[str], field_like: list[str]) -> None:
    if isinstance(item, Mapping):
        field = item.get("field") or item.get("path") or item.get("property") or item.get("name")
        msgs = _messages(item)
        if isinstance(field, str) and field:
            if msgs:
                field_errors.setdefault(field, []).extend(msgs)
        else:
            general.extend(msgs)
        return
    for text in _messages(item):
        # Sitecore also sends "field: message" strings.
        match = _FIELD_MESSAGE_RE.match(text)
        if match:
            field_errors.setdefault(match.group(1), []).append(match.group(2))
            field_like.append(text)
        else:
            general.append(text)
