"""The one place where secrets are scrubbed from text, and the package's loggers that apply it.

Every error message and every log record of the package goes through ``redact``, so a credential
never reaches a terminal, a log file or the Pulumi engine in clear text. The HTTP client registers
every credential it is given or obtains (``register_secret``); values under credential-like keys
and ``Bearer``/``Basic`` credentials are scrubbed even when they were never registered.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable, Mapping
from typing import Any

__all__ = [
    "LOGGER_NAME",
    "REDACTED",
    "RedactingFilter",
    "get_logger",
    "is_secret_key",
    "redact",
    "redact_data",
    "register_secret",
]

LOGGER_NAME = "pulumi_personalize"
REDACTED = "***"

# Shorter strings are too likely to occur by chance ("a", "1") and would shred unrelated text.
_MIN_SECRET_LENGTH = 4

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

