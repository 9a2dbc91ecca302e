"""Typed endpoints of the Sitecore Personalize REST API, over the shared HTTP client.

Layering: resources -> this module -> ``pulumi_personalize.http``. Nothing here knows about Pulumi.

The API has no DELETE. ``archive`` re-sends the live object with ``"archived": true`` (the prose's
field; the emulator also maps it to ``status: ARCHIVED`` for decision models and flows). Lists are
paginated (``pageSize`` up to 100, ``pageOffset``): every scan walks all pages with ``iter_pages``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict

from ..errors import NotFoundError, PersonalizeError
from ..http import ApiClient
from .models import SERVER_FIELDS, is_archived

__all__ = [
    "CONNECTIONS",
    "DECISION_MODELS",
    "FLOW_DEFINITIONS",
    "KINDS",
    "TEMPLATES",
    "ConnectionTestResult",
    "Kind",
    "SitecoreApi",
]


@dataclass(frozen=True)
class Kind:
    """One collection of the API."""

    label: str  # "Connection": used in messages
    path: str  # "/v1/connections"
    archivable: bool
    immutable: tuple[str, ...] = ()  # API fields that cannot change in place (a replace)


CONNECTIONS = Kind("Connection", "/v1/connections", archivable=True)
DECISION_MODELS = Kind("Decision model", "/v1/decision-models", archivable=True)
FLOW_DEFINITIONS = Kind("Flow definition", "/v1/flow-definitions", archivable=True, immutable=("type",))
TEMPLATES = Kind("Template", "/v1/templates", archivable=False, immutable=("type",))
KINDS = (CONNECTIONS, DECISION_MODELS, FLOW_DEFINITIONS, TEMPLATES)


class ConnectionTestResult(BaseModel):
    """``POST /v1/connections/{id}/test`` (OpenAPI ``ConnectionTestResult``)."""

    model_config = ConfigDict(extra="allow", frozen=True)

    success: bool = False
    statusCode: int | None = None
    message: str | None = None


def _object(body: Any, what: str) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise PersonalizeError(f"{what}: expected a JSON object, got {type(body).__name__}")
    return body


class SitecoreApi:
    """The Sitecore Personalize endpoints this package uses. Thread-safe as the client is."""

    def __init__(self, client: ApiClient) -> None:
        self.client = client

    # -- generic CRUD over a kind -----------------------------------------------------------------

    def get(self, kind: Kind, ref: str) -> dict[str, Any] | None:
        """The object, or None when the service answers 404."""
        try:
            return _object(self.client.get(f"{kind.path}/{ref}"), f"GET {kind.path}/{ref}")
        except NotFoundError:
            return None

    def create(self, kind: Kind, body: Mapping[str, Any]) -> dict[str, Any]:
        # Not idempotent: a POST retried after a timeout could create a twin (the http layer knows).
        return _object(self.client.post(kind.path, json=dict(body)), f"POST {kind.path}")

    def replace(self, kind: Kind, ref: str, body: Mapping[str, Any]) -> dict[str, Any]:
        clean = {k: v for k, v in body.items() if k not in SERVER_FIELDS}
        return _object(self.client.put(f"{kind.path}/{ref}", json=clean), f"PUT {kind.path}/{ref}")

    def iter_all(self, kind: Kind, params: Mapping[str, Any] | None = None) -> Iterator[dict[str, Any]]:
        """Every object of the collection, archived ones included, walking every page."""
        return self.client.iter_pages(kind.path, params=params, page_size=100)

    def find_by_name(self, kind: Kind, name: str) -> list[dict[str, Any]]:
        """Every object (archived or not) whose name is ``name``; the list is scanned to the end
        because the API has no name filter."""
        return [item for item in self.iter_all(kind) if item.get("name") == name]

    def archive(self, kind: Kind, ref: str) -> dict[str, Any] | None:
        """Archive the object; None if it is already gone. Archiving an archived object is a no-op."""
        if not kind.archivable:
            raise PersonalizeError(f"{kind.label} objects cannot be archived")
        live = self.get(kind, ref)
        if live is None:
            return None
        if is_archived(live):
            return live
        body = {k: v for k, v in live.items() if k != "href"}
        body["archived"] = True
        try:
            return self.replace(kind, ref, body)
        except NotFoundError:
            return None

    # -- connections ---------------------------------------------------------------------------------

    def test_connection(self, ref: str) -> ConnectionTestResult:
        # Testing twice creates nothing, so a timeout may be retried.
        body = self.client.post(f"{CONNECTIONS.path}/{ref}/test", idempotent=True)
        return ConnectionTestResult.model_validate(body if isinstance(body, dict) else {})
