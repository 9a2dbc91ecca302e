"""Connections (``/v2/connections``): the call Sitecore makes to an external system, with its
``auth`` and ``request``."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, ClassVar

from pydantic import Field, ValidationInfo, field_validator, model_validator
from pydantic.alias_generators import to_camel

from ...facts import sitecore as facts
from ...facts.sitecore import RequestType, SystemType
from .common import _Model, _upper, read_wire, strip_server_fields

__all__ = [
    "AUTH_SECRET_FIELDS",
    "DEFAULT_ICON",
    "DEFAULT_TIMEOUT_MS",
    "OBSERVED_AUTH_TYPES",
    "ConnectionAuth",
    "ConnectionInputs",
    "ConnectionRequest",
    "RequestType",
    "SystemType",
]

DEFAULT_TIMEOUT_MS = 1000
DEFAULT_ICON = "assets/images/icons/connections/plug.svg"
# A service that hides credentials answers with a mask (or nothing) instead of the value.
_MASKS = frozenset({"", "*", "***", "****", "********", "<redacted>", "[redacted]", "REDACTED"})

OBSERVED_AUTH_TYPES = facts.AUTH_TYPES
_AUTH_TYPE_RE = re.compile(r"^[A-Z][A-Z0-9_]*$")
# Credentials inside ``auth``. Only ``clientSecret`` has a documented use (OAuth, docs/facts/sitecore.md#connections);
# its key name is unconfirmed: we send ``clientSecret`` (camelCase, beside ``clientId``). ``password``
# and ``apiKey`` are for auth types the service may have beyond NONE/OAUTH (unconfirmed).
AUTH_SECRET_FIELDS = ("client_secret", "password", "api_key")


class ConnectionAuth(_Model):
    """The connection's ``auth`` object."""

    auth_type: str = "NONE"
    """NONE or OAUTH (observed). Another upper-case type is passed through as written, its
    credentials unchecked: the service is the judge of types the documentation does not list."""
    client_id: str | None = None
    """OAuth client id."""
    client_secret: str | None = None
    """OAuth client secret (sent as ``clientSecret``; the key name is unconfirmed)."""
    access_token_url: str | None = None
    """OAuth token endpoint, https://."""
    use_mutual_tls: bool | None = None
    """OAuth over mutual TLS."""
    oauth_custom_headers: list[dict[str, Any]] | None = None
    """Headers of the token request."""
    form_url_encoded_items: list[dict[str, Any]] | None = None
    """Extra form items of the token request."""
    username: str | None = None
    """For an auth type beyond NONE/OAUTH (unconfirmed)."""
    password: str | None = None
    """For an auth type beyond NONE/OAUTH (unconfirmed)."""
    api_key: str | None = None
    """For an auth type beyond NONE/OAUTH (unconfirmed; sent as ``apiKey``)."""

    _upper_type = field_validator("auth_type", mode="before")(_upper)

    @field_validator("auth_type")
    @classmethod
    def _auth_type(cls, value: str) -> str:
        if not _AUTH_TYPE_RE.match(value):
            raise ValueError(f"must be one of {', '.join(OBSERVED_AUTH_TYPES)} (or another upper-case auth type)")
        return value

    @field_validator("access_token_url")
    @classmethod
    def _token_url_https(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith("https://"):
            raise ValueError("must be an https:// URL")
        return value

    @model_validator(mode="after")
    def _credentials_fit_the_type(self, info: ValidationInfo) -> ConnectionAuth:
        if info.context and info.context.get("from_wire"):
            return self  # what the service holds is what it holds
        oauth = ("client_id", "client_secret", "access_token_url")
        if self.auth_type == "OAUTH":
            missing = [f for f in oauth if not getattr(self, f)]
            if missing:
                raise ValueError(f"auth_type OAUTH needs {', '.join(missing)}")
        if self.auth_type == "NONE":
            stray = [f for f in (*oauth, "username", "password", "api_key") if getattr(self, f) is not None]
            if stray:
                raise ValueError(f"{', '.join(stray)} not used with auth_type NONE")
        return self


class ConnectionRequest(_Model):
    """The connection's ``request`` object: the call made to the external system."""

    request_type: RequestType = "GET"
    """The HTTP method of the call."""
    connection_url: str = Field(min_length=1)
    """URL of the external system; may hold ``${var}`` placeholders."""
    request_body: str | None = None
    """Stringified JSON; may hold ``${var}`` placeholders."""

    _upper_type = field_validator("request_type", mode="before")(_upper)

    @field_validator("connection_url")
    @classmethod
    def _absolute(cls, value: str) -> str:
        if not value.startswith(("https://", "http://")):
            raise ValueError("must be an absolute http(s):// URL")
        return value


class ConnectionInputs(_Model):
    """The desired state of a connection."""

    name: str = Field(min_length=1)
    description: str | None = None
    system_type: SystemType
    auth: ConnectionAuth = Field(default_factory=ConnectionAuth)
    request: ConnectionRequest
    input_mappings: list[dict[str, Any]] = Field(default_factory=list)
    output_mappings: list[dict[str, Any]] = Field(default_factory=list)
    custom_headers: list[dict[str, Any]] = Field(default_factory=list)
    url_parameters: list[dict[str, Any]] = Field(default_factory=list)
    connection_timeout: int = Field(default=DEFAULT_TIMEOUT_MS, ge=0)
    socket_timeout: int = Field(default=DEFAULT_TIMEOUT_MS, ge=0)
    icon: str = DEFAULT_ICON
    verify: bool = False
    """Ours, not the service's: test the connection (``testConnection``) before each save."""

    _upper_system = field_validator("system_type", mode="before")(_upper)

    LOCAL_FIELDS: ClassVar[frozenset[str]] = frozenset({"verify"})

    def to_api(self, live: Mapping[str, Any] | None = None) -> dict[str, Any]:
        body = strip_server_fields(live or {})
        body.pop("description", None)  # managed: removing it in the program removes it
        body.update(self.model_dump(mode="json", by_alias=True, exclude_none=True, exclude=set(self.LOCAL_FIELDS)))
        body["archived"] = False  # adopting or reviving an archived one unarchives it
        return body

    @classmethod
    def inputs_from_api(cls, live: Mapping[str, Any], previous: Mapping[str, Any]) -> dict[str, Any]:
        auth_live = dict(live.get("auth") or {}) if isinstance(live.get("auth"), Mapping) else {}
        if isinstance(auth_live.get("authType"), str):
            auth_live["authType"] = auth_live["authType"].upper()  # the attribute table writes "oauth"
        out = read_wire(cls, {**live, "auth": auth_live})
        old_auth = previous.get("auth") if isinstance(previous.get("auth"), Mapping) else {}
        auth = dict(out.get("auth") or {})
        for name in AUTH_SECRET_FIELDS:
            wire_key = to_camel(name)
            if auth_live.get(wire_key) in _MASKS or wire_key not in auth_live:
                # The service hides (or never returns) the secret: the last value we set stands.
                auth.pop(name, None)
                if isinstance(old_auth, Mapping) and old_auth.get(name) is not None:
                    auth[name] = old_auth[name]
        out["auth"] = auth
        out["verify"] = bool(previous.get("verify", False))
        return out

