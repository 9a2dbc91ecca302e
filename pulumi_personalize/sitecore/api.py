"""Typed endpoints of the Sitecore Personalize REST API, over the shared HTTP client.

Layering: resources -> this module -> ``pulumi_personalize.http``. ``SitecoreApi`` knows nothing
about Pulumi; the ``engine.Endpoints`` at the end (``Collection``, ``Connections``) are what the
resource specs drive, and the template delete warns through ``pulumi.log``.

The API has no DELETE. ``archive`` re-sends the live object with ``"archived": true`` (the prose's
field; the emulator also maps it to ``status: ARCHIVED`` for decision models and flows). Lists are
paginated (``pageSize`` up to 100, ``pageOffset``): every scan walks all pages with ``iter_pages``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import pulumi
from pydantic import BaseModel, ConfigDict

from ..config import load_sitecore_settings
from ..engine import PartialCreateError
from ..errors import NotFoundError, PersonalizeError, redact
from ..http import ApiClient, sitecore_client
from .models import SERVER_FIELDS, ConnectionInputs, is_archived

__all__ = [
    "CONNECTIONS",
    "DECISION_MODELS",
    "FLOW_DEFINITIONS",
    "KINDS",
    "TEMPLATES",
    "Collection",
    "ConnectionTestResult",
    "Connections",
    "Kind",
    "SitecoreApi",
    "connect",
]

Json = dict[str, Any]


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


def connect(config: Mapping[str, object], namespace: str) -> SitecoreApi:
    """(flat stack configuration, namespace) -> the tenant's api; the environment is the fallback."""
    return SitecoreApi(sitecore_client(load_sitecore_settings(config, namespace=namespace)))


# --------------------------------------------------------------------------------------------------
# Endpoints (engine.Endpoints implementations)
# --------------------------------------------------------------------------------------------------


class Collection:
    """One kind of object. ``get`` returns archived objects too (the spec's ``is_deleted`` tells
    them apart, so that an adoption can revive one). The API has no DELETE: ``delete`` archives what
    can be archived and otherwise leaves the object in place, with a warning naming it."""

    def __init__(self, kind: Kind) -> None:
        self.kind = kind

    def create(self, api: SitecoreApi, payload: Json, inputs: BaseModel) -> Json:
        return api.create(self.kind, payload)

    def get(self, api: SitecoreApi, id_: str) -> Json | None:
        return api.get(self.kind, id_)

    def update(self, api: SitecoreApi, id_: str, payload: Json, inputs: BaseModel, live: Json) -> Json:
        return api.replace(self.kind, id_, payload)

    def delete(self, api: SitecoreApi, id_: str, props: Mapping[str, Any]) -> None:
        kind = self.kind
        if kind.archivable:
            api.archive(kind, id_)
            return
        pulumi.log.warn(
            f"{kind.label} {props.get('name')!r} (ref {id_}) was removed from the Pulumi state but still "
            f"exists in Sitecore Personalize: the API can neither delete nor archive {kind.label.lower()}s. "
            f"Delete it in the Sitecore UI, or adopt it again with adopt_ref={id_!r}."
        )

    def list(self, api: SitecoreApi) -> list[Json]:
        """Every object, archived ones included, walking every page (the API has no name filter)."""
        return list(api.iter_all(self.kind))


class Connections(Collection):
    """Connections; ``verify=True`` tests the saved connection after each create and update. A failed
    test fails the operation with the service's message, after undoing the write: a new connection
    is archived, an updated (or revived) one is put back as it was."""

    def __init__(self) -> None:
        super().__init__(CONNECTIONS)

    def create(self, api: SitecoreApi, payload: Json, inputs: BaseModel) -> Json:
        live = super().create(api, payload, inputs)
        reason = self._failed_test(api, live, inputs)
        if reason is None:
            return live
        ref = str(live["ref"])
        try:
            api.archive(CONNECTIONS, ref)
        except PersonalizeError as cleanup:
            raise PartialCreateError(
                f"connection test failed: {reason}; the new connection (ref {ref}) could not be archived "
                f"({cleanup}): adopt it with adopt_ref={ref!r} or archive it in Sitecore", created_id=ref,
            ) from None
        raise PartialCreateError(
            f"connection test failed: {reason}; the new connection (ref {ref}) was archived, nothing else "
            "was created", created_id=None,
        )

    def update(self, api: SitecoreApi, id_: str, payload: Json, inputs: BaseModel, live: Json) -> Json:
        fresh = super().update(api, id_, payload, inputs, live)
        reason = self._failed_test(api, fresh, inputs)
        if reason is None:
            return fresh
        api.replace(CONNECTIONS, id_, {k: v for k, v in live.items() if k != "href"})
        undone = (f"the connection (ref {id_}) was archived again, as it was before" if is_archived(live)
                  else f"the connection (ref {id_}) was put back to its previous configuration")
        raise PersonalizeError(f"connection test failed: {reason}; {undone}")

    @staticmethod
    def _failed_test(api: SitecoreApi, live: Json, inputs: BaseModel) -> str | None:
        """Why the connection test failed, or ``None`` when it passed or was not asked for."""
        assert isinstance(inputs, ConnectionInputs)
        if not inputs.verify:
            return None
        result = api.test_connection(str(live["ref"]))
        if result.success:
            return None
        return redact(result.message or f"the external service answered {result.statusCode}")
