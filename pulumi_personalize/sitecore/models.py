"""Pydantic models of the Sitecore Personalize objects: the inputs a program declares, and the
translation between those inputs and the service's JSON.

Two shapes of a connection exist (see ``reference/sitecore-connection-rest-api.txt``): the seed
OpenAPI's flat ``authType`` / ``connectionUrl`` / ``requestType``, and the prose's nested ``auth`` and
``request`` objects plus ``inputMappings``, ``outputMappings``, ``customHeaders``, ``systemType`` and
``icon``. We *send both* (the flat fields satisfy the OpenAPI's required list, the nested objects carry
what only the prose documents) and *read either*, nested first for auth (it holds the credentials),
flat first for URL and method.

Input keys are snake_case (they are the Pulumi resource's property names); payload keys are the
service's camelCase. Every model is strict (``extra="forbid"``) so that a misspelt argument is a
check failure rather than a silently ignored value.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

AuthType = Literal["NONE", "BASIC", "OAUTH", "API_KEY"]
RequestType = Literal["GET", "POST", "PUT", "PATCH", "DELETE"]
DecisionModelStatus = Literal["DRAFT", "TEST", "PRODUCTION"]
FlowType = Literal["WEB", "FULLSTACK", "API"]
FlowStatus = Literal["DRAFT", "ACTIVE", "PAUSED"]
TemplateType = Literal["WEB", "DECISION"]

# Fields the service owns: never sent back in a PUT (the emulator and the real service ignore or
# reject them, and ``revision`` would otherwise look like an optimistic-lock token).
SERVER_FIELDS = frozenset(
    {"ref", "href", "revision", "createdAt", "modifiedAt", "modifiedByUserRef", "createdByUserRef"}
)

# Defaults the service applies when a field is absent (observed on the emulator, which follows the
# prose's examples). Applying them in check makes "absent" and "the service's default" compare equal.
DEFAULT_SYSTEM_TYPE = "DATA_SYSTEM"
DEFAULT_TIMEOUT_MS = 1000
DEFAULT_ICON = "assets/images/icons/connections/plug.svg"

# A service that hides credentials answers with a mask rather than the value.
_MASKS = frozenset({"", "*", "***", "****", "********", "<redacted>", "[redacted]", "REDACTED"})


def _https(value: str, what: str) -> str:
    parts = urlsplit(value)
    if parts.scheme != "https" or not parts.netloc:
        raise ValueError(f"{what} must be an absolute https:// URL, got {value!r}")
    return value


def _upper(value: Any) -> Any:
    # The prose's examples use lower case ("oauth"); the OpenAPI's enums are upper case.
    return value.upper() if isinstance(value, str) else value


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _strip_none(data: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if v is not None}


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# --------------------------------------------------------------------------------------------------
# Variants and splits (decision models and flows)
# --------------------------------------------------------------------------------------------------


class VariantSplit(_Model):
    """One variant of a decision model's deployment configuration or of a flow, and its traffic share."""

    variant_ref: str = Field(min_length=1, description="The identifier of the variant.")
    split: int = Field(ge=0, le=100, description="Percentage of traffic allocated to this variant (0-100).")

    def to_api(self) -> dict[str, Any]:
        return {"variantRef": self.variant_ref, "split": self.split}

    @classmethod
    def from_api(cls, item: Mapping[str, Any]) -> dict[str, Any]:
        return {"variant_ref": item.get("variantRef"), "split": item.get("split")}


def _check_splits(variants: list[VariantSplit] | None, field: str) -> None:
    if not variants:
        return
    total = sum(v.split for v in variants)
    if total != 100:
        raise ValueError(f"{field}: the splits must add up to 100, they add up to {total}")
    refs = [v.variant_ref for v in variants]
    duplicates = sorted({r for r in refs if refs.count(r) > 1})
    if duplicates:
        raise ValueError(f"{field}: each variant may appear once, repeated: {', '.join(duplicates)}")


# --------------------------------------------------------------------------------------------------
# Connection
# --------------------------------------------------------------------------------------------------

# Which auth fields each auth type needs; every other auth field must be absent.
AUTH_FIELDS: Mapping[str, tuple[str, ...]] = {
    "NONE": (),
    "BASIC": ("username", "password"),
    "OAUTH": ("client_id", "client_secret", "access_token_url"),
    "API_KEY": ("api_key",),
}
ALL_AUTH_FIELDS = ("client_id", "client_secret", "access_token_url", "username", "password", "api_key")
# input name -> key inside the service's ``auth`` object
_AUTH_KEYS: Mapping[str, str] = {
    "client_id": "clientId",
    "client_secret": "clientSecret",
    "access_token_url": "accessTokenUrl",
    "username": "username",
    "password": "password",
    "api_key": "apiKey",
}
CONNECTION_SECRETS = ("client_secret", "password", "api_key")


class ConnectionInputs(_Model):
    """The desired state of a connection."""

    name: str = Field(min_length=1)
    description: str | None = None
    auth_type: AuthType = "NONE"
    client_id: str | None = None
    client_secret: str | None = None
    access_token_url: str | None = None
    username: str | None = None
    password: str | None = None
    api_key: str | None = None
    connection_url: str
    request_type: RequestType = "GET"
    input_mappings: list[dict[str, Any]] = Field(default_factory=list)
    output_mappings: list[dict[str, Any]] = Field(default_factory=list)
    custom_headers: list[dict[str, Any]] = Field(default_factory=list)
    system_type: str = DEFAULT_SYSTEM_TYPE
    connection_timeout: int = Field(default=DEFAULT_TIMEOUT_MS, ge=0)
    socket_timeout: int = Field(default=DEFAULT_TIMEOUT_MS, ge=0)
    icon: str = DEFAULT_ICON
    verify: bool = False

    secret_fields: ClassVar[tuple[str, ...]] = CONNECTION_SECRETS

    _upper_auth = field_validator("auth_type", "request_type", mode="before")(_upper)

    @field_validator("connection_url")
    @classmethod
    def _connection_url_https(cls, value: str) -> str:
        return _https(value, "connection_url")

    @field_validator("access_token_url")
    @classmethod
    def _token_url_https(cls, value: str | None) -> str | None:
        return None if value is None else _https(value, "access_token_url")

    @model_validator(mode="after")
    def _auth_block(self) -> ConnectionInputs:
        needed = AUTH_FIELDS[self.auth_type]
        missing = [f for f in needed if not getattr(self, f)]
        if missing:
            raise ValueError(f"auth_type {self.auth_type} needs {', '.join(missing)}")
        stray = [f for f in ALL_AUTH_FIELDS if f not in needed and getattr(self, f) is not None]
        if stray:
            raise ValueError(
                f"{', '.join(stray)} not used with auth_type {self.auth_type} "
                f"(it uses {', '.join(needed) or 'no credentials'})"
            )
        return self

    def auth_object(self) -> dict[str, Any]:
        auth: dict[str, Any] = {"authType": self.auth_type}
        for name in AUTH_FIELDS[self.auth_type]:
            auth[_AUTH_KEYS[name]] = getattr(self, name)
        return auth

    def to_api(self, live: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """The POST/PUT body: desired inputs over the live object (fields we do not manage survive)."""
        body = {k: v for k, v in (live or {}).items() if k not in SERVER_FIELDS}
        request = dict(_mapping(body.get("request")))
        request.update({"requestType": self.request_type, "connectionUrl": self.connection_url})
        body.update(
            {
                # seed OpenAPI (CreateConnectionRequest)
                "name": self.name,
                "authType": self.auth_type,
                "connectionUrl": self.connection_url,
                "requestType": self.request_type,
                "connectionTimeout": self.connection_timeout,
                "socketTimeout": self.socket_timeout,
                # prose only; ``auth`` is replaced whole so that switching auth type drops old credentials
                "auth": self.auth_object(),
                "request": request,
                "inputMappings": list(self.input_mappings),
                "outputMappings": list(self.output_mappings),
                "customHeaders": list(self.custom_headers),
                "systemType": self.system_type,
                "icon": self.icon,
                "archived": False,
            }
        )
        if self.description is not None:
            body["description"] = self.description
        else:
            body.pop("description", None)
        return body

    @staticmethod
    def inputs_from_api(live: Mapping[str, Any], previous: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """Inputs as the live object states them (for refresh), keeping what the service cannot tell.

        ``verify`` is ours alone, and a credential the service masks (or omits) keeps its previous value.
        """
        previous = previous or {}
        auth = _mapping(live.get("auth"))
        request = _mapping(live.get("request"))
        auth_type = _upper(auth.get("authType") or live.get("authType") or "NONE")
        out: dict[str, Any] = {
            "name": live.get("name"),
            "description": live.get("description"),
            "auth_type": auth_type,
            "connection_url": live.get("connectionUrl") or request.get("connectionUrl"),
            "request_type": _upper(live.get("requestType") or request.get("requestType")),
            "input_mappings": list(live.get("inputMappings") or []),
            "output_mappings": list(live.get("outputMappings") or []),
            "custom_headers": list(live.get("customHeaders") or []),
            "system_type": live.get("systemType") or DEFAULT_SYSTEM_TYPE,
            "connection_timeout": live.get("connectionTimeout", DEFAULT_TIMEOUT_MS),
            "socket_timeout": live.get("socketTimeout", DEFAULT_TIMEOUT_MS),
            "icon": live.get("icon") or DEFAULT_ICON,
            "verify": bool(previous.get("verify", False)),
        }
        for name in ALL_AUTH_FIELDS:
            value = auth.get(_AUTH_KEYS[name])
            if name in CONNECTION_SECRETS and (value is None or value in _MASKS):
                # The service hides it: the last value we set is the best knowledge we have.
                value = previous.get(name) if name in AUTH_FIELDS.get(str(auth_type), ()) else None
            out[name] = value
        return _strip_none(out)


# --------------------------------------------------------------------------------------------------
# Decision model
# --------------------------------------------------------------------------------------------------


class DecisionModelInputs(_Model):
    """The desired state of a decision model."""

    name: str = Field(min_length=1)
    status: DecisionModelStatus = "DRAFT"
    deployment_configuration: list[VariantSplit] = Field(default_factory=list)

    secret_fields: ClassVar[tuple[str, ...]] = ()

    _upper_status = field_validator("status", mode="before")(_upper)

    @model_validator(mode="after")
    def _splits(self) -> DecisionModelInputs:
        _check_splits(self.deployment_configuration, "deployment_configuration")
        return self

    def to_api(self, live: Mapping[str, Any] | None = None) -> dict[str, Any]:
        body = {k: v for k, v in (live or {}).items() if k not in SERVER_FIELDS}
        body.update(
            {
                "name": self.name,
                "status": self.status,
                "deploymentConfiguration": [v.to_api() for v in self.deployment_configuration],
                "archived": False,  # prose field; sending it unarchives an adopted archived model
            }
        )
        return body

    @staticmethod
    def inputs_from_api(live: Mapping[str, Any], previous: Mapping[str, Any] | None = None) -> dict[str, Any]:
        return {
            "name": live.get("name"),
            "status": live.get("status"),
            "deployment_configuration": [
                VariantSplit.from_api(v) for v in live.get("deploymentConfiguration") or [] if isinstance(v, Mapping)
            ],
        }


# --------------------------------------------------------------------------------------------------
# Flow definition
# --------------------------------------------------------------------------------------------------


class FlowDefinitionInputs(_Model):
    """The desired state of a flow definition (an experience or an experiment)."""

    name: str = Field(min_length=1)
    type: FlowType
    status: FlowStatus = "DRAFT"
    variants: list[VariantSplit] = Field(default_factory=list)

    secret_fields: ClassVar[tuple[str, ...]] = ()

    _upper_fields = field_validator("type", "status", mode="before")(_upper)

    @model_validator(mode="after")
    def _splits(self) -> FlowDefinitionInputs:
        _check_splits(self.variants, "variants")
        return self

    def to_api(self, live: Mapping[str, Any] | None = None) -> dict[str, Any]:
        body = {k: v for k, v in (live or {}).items() if k not in SERVER_FIELDS}
        body.update(
            {
                "name": self.name,
                "type": self.type,
                "status": self.status,
                "variants": [v.to_api() for v in self.variants],  # not in CreateFlowDefinitionRequest
                "archived": False,
            }
        )
        return body

    @staticmethod
    def inputs_from_api(live: Mapping[str, Any], previous: Mapping[str, Any] | None = None) -> dict[str, Any]:
        return {
            "name": live.get("name"),
            "type": live.get("type"),
            "status": live.get("status"),
            "variants": [VariantSplit.from_api(v) for v in live.get("variants") or [] if isinstance(v, Mapping)],
        }


# --------------------------------------------------------------------------------------------------
# Template
# --------------------------------------------------------------------------------------------------

TEMPLATE_CODE_FIELDS = ("html", "css", "javascript")


class TemplateInputs(_Model):
    """The desired state of a template. File-sourced code is read by the program (see resources.py)
    and arrives here as strings, so the provider never depends on the program's working directory."""

    name: str = Field(min_length=1)
    type: TemplateType
    html: str = ""
    css: str = ""
    javascript: str = ""

    secret_fields: ClassVar[tuple[str, ...]] = ()

    _upper_type = field_validator("type", mode="before")(_upper)

    def to_api(self, live: Mapping[str, Any] | None = None) -> dict[str, Any]:
        body = {k: v for k, v in (live or {}).items() if k not in SERVER_FIELDS and k != "archived"}
        body.update({"name": self.name, "type": self.type, "html": self.html, "css": self.css,
                     "javascript": self.javascript})
        return body

    @staticmethod
    def inputs_from_api(live: Mapping[str, Any], previous: Mapping[str, Any] | None = None) -> dict[str, Any]:
        return {
            "name": live.get("name"),
            "type": live.get("type"),
            **{f: live.get(f) or "" for f in TEMPLATE_CODE_FIELDS},
        }


def is_archived(live: Mapping[str, Any]) -> bool:
    """Archived objects count as gone: the prose's ``archived`` flag, or the ``ARCHIVED`` status."""
    return bool(live.get("archived")) or live.get("status") == "ARCHIVED"
