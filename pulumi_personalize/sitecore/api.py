"""Typed endpoints of the Sitecore Personalize REST API (the live one: ``docs/facts/sitecore.md``), over the
shared HTTP client.

Layering: resources -> engine -> this module -> ``pulumi_personalize.http`` (it never imports the
engine or pulumi). ``SitecoreApi`` knows nothing about Pulumi; the endpoint classes below implement
the engine's ``Endpoints`` protocol, which the resource specs drive.

- Each collection's path is declared once, in its ``Kind`` (a path change is one line).
- Lists are ``limit``/``offset`` pages of ``{href, items}``; a refresh reads the pages of a
  collection once per burst (``LISTINGS``) where the list carries whole objects, and GETs one
  object by ref only when its list entry is a summary, or when it is not listed (archived objects may
  be left out of lists).
- ``get`` and ``delete`` answer a value: ``Found``, ``Gone``, or ``Unconfirmed`` for an item that
  404s (the engine then asks the collection). A collection that answers 401/403/404 raises (a wrong
  URL, region or credential is not a deletion).
- The API has no DELETE: destroy archives (``archived: true``; flows also ``status: PAUSED``).
"""

from __future__ import annotations

import builtins
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from .._api import AMBIGUOUS_CREATE_ATTEMPTS, LISTINGS, PartialCreateError
from .._values import Found, Gone, Json, Lookup, Removal, Unconfirmed
from ..config import load_sitecore_settings
from ..errors import NotFoundError, PersonalizeError, ServerError, TransportError, get_logger, redact
from ..facts import sitecore as facts
from ..http import ApiClient
from ._wire import sitecore_client
from .models import (
    DECISION_MODEL_LINKS,
    ConnectionInputs,
    ConnectionTestResult,
    DecisionModelDeploymentInputs,
    DecisionModelVariantInputs,
    FlowDefinitionInputs,
    TemplateInputs,
    is_archived,
    model_name_before_archive,
    strip_server_fields,
)

log = get_logger(__name__)

__all__ = [
    "CONNECTIONS",
    "CONNECTION_TEST",
    "DECISION_MODELS",
    "DECISION_MODEL_VARIANTS",
    "FLOW_DEFINITIONS",
    "KINDS",
    "TEMPLATES",
    "Collection",
    "ConnectionTestResult",
    "Connections",
    "DecisionModelDeployments",
    "DecisionModelVariants",
    "DecisionModels",
    "FlowDefinitions",
    "Kind",
    "SitecoreApi",
    "Templates",
    "connect",
]

PAGE_SIZE = 100  # what Sitecore's own PowerShell module asks for; the server maximum is unconfirmed


@dataclass(frozen=True)
class Kind:
    """One collection of the API."""

    label: str
    """What a person calls one (``connection``), for messages."""
    path: str
    """The collection's path: the one place it is written."""
    whole: tuple[str, ...] = ()
    """Keys a list entry must carry to count as the whole object (else it is fetched by ref)."""
    listed: bool = True
    """Whether ``GET path`` lists the collection (variants are listed per model only)."""

    def lookup(self, ref: str, live: Json | None) -> Lookup:
        """``find``, ``fetch`` and ``archive`` answer ``None`` only after ``GET path/ref`` answered 404."""
        return Found(live) if live is not None else self.not_found(ref)

    def removal(self, ref: str, live: Json | None) -> Removal:
        return Gone() if live is not None else self.not_found(ref)

    def not_found(self, ref: str) -> Unconfirmed:
        return Unconfirmed(f"GET {self.path}/{ref} answered 404")


CONNECTIONS = Kind("connection", facts.CONNECTIONS_PATH, whole=("auth", "request"))
DECISION_MODELS = Kind("decision model", facts.DECISION_MODELS_PATH, whole=("deploymentConfiguration",))
DECISION_MODEL_VARIANTS = Kind("decision model variant", facts.DECISION_MODEL_VARIANTS_PATH, whole=("definition",),
                               listed=False)
FLOW_DEFINITIONS = Kind("flow definition", facts.FLOW_DEFINITIONS_PATH, whole=("variants", "traffic"))
TEMPLATES = Kind("template", facts.TEMPLATES_PATH, whole=("templateElements",))
KINDS = (CONNECTIONS, DECISION_MODELS, DECISION_MODEL_VARIANTS, FLOW_DEFINITIONS, TEMPLATES)
CONNECTION_TEST = f"{CONNECTIONS.path}/testConnection"
"""A collection-level action, not ``/{ref}/test`` (docs/facts/sitecore.md#connection-test)."""


def variants_of(model_ref: str) -> str:
    """Where a decision model's variants are created (and listed)."""
    return f"{DECISION_MODELS.path}/{model_ref}/variants"


def _object(body: Any, what: str) -> Json:
    if not isinstance(body, dict) or not body.get("ref"):
        raise PersonalizeError(f"{what}: the service answered without the object's ref")
    return body


class SitecoreApi:
    """One tenant's endpoints over the shared, thread-safe ``ApiClient``."""

    def __init__(self, client: ApiClient) -> None:
        self.client = client

    # -- collections --------------------------------------------------------------------------------

    def listing(self, kind: Kind) -> list[Json]:
        """Every object of the collection, all pages, shared by the reads of one burst."""
        return LISTINGS.get(self.client, kind.path,
                            lambda: list(self.client.iter_pages(kind.path, page_size=PAGE_SIZE)))

    def fetch(self, kind: Kind, ref: str, *, collection_answered: bool = False) -> Json | None:
        """GET one object; ``None`` only when it 404s while its collection answers (the collection's
        own 401/403/404 is raised: that is a wrong URL or credential, not a deletion). The collection
        asked is the kind's own, or for variants, which have no list of their own, the models'."""
        try:
            return _object(self.client.get(f"{kind.path}/{ref}"), f"GET {kind.path}/{ref}")
        except NotFoundError:
            if not collection_answered:
                probe = kind if kind.listed else DECISION_MODELS
                self.client.get(probe.path, params={"limit": 1, "offset": 0})  # raises unless it answers
            return None

    def find(self, kind: Kind, ref: str) -> Json | None:
        """The object with this ref, from the listing when the list carries whole objects."""
        if kind.listed:
            for item in self.listing(kind):
                if item.get("ref") == ref:
                    if all(key in item for key in kind.whole):
                        return dict(item)
                    break
        # A summary entry, or not listed at all (lists may leave archived objects out): ask for it.
        return self.fetch(kind, ref, collection_answered=kind.listed)

    def first_page(self, kind: Kind) -> list[Json]:
        """One short page of the collection: proof that it answers, in which tenant (``clientKey``)."""
        body = self.client.get(kind.path, params={"limit": 1, "offset": 0})
        items = body.get("items") if isinstance(body, dict) else body
        return [i for i in items or [] if isinstance(i, dict)] if isinstance(items, list) else []

    def create(self, path: str, body: Mapping[str, Any]) -> Json:
        # Not idempotent: a POST repeated after a timeout could create a twin (the engine looks first).
        try:
            return _object(self.client.post(path, json=dict(body)), f"POST {path}")
        finally:
            LISTINGS.invalidate(self.client)

    def replace(self, kind: Kind, ref: str, body: Mapping[str, Any]) -> Json:
        """A full PUT (answered 200 or 201: both are success)."""
        try:
            return _object(self.client.put(f"{kind.path}/{ref}", json=dict(body)), f"PUT {kind.path}/{ref}")
        finally:
            LISTINGS.invalidate(self.client)

    def archive(self, kind: Kind, ref: str, live: Json | None = None, **also: Any) -> Json | None:
        """PUT the live object back with ``archived: true`` (and ``also``); ``None`` if it is gone.
        ``live``: the object as just read by its ref, if it was (else it is read here)."""
        if live is None:
            live = self.fetch(kind, ref)
        if live is None or is_archived(live):
            return live
        links = DECISION_MODEL_LINKS if kind is DECISION_MODELS else ()
        return self.replace(kind, ref, {**strip_server_fields(live, links=links), **also, "archived": True})

    def model_variants(self, model_ref: str) -> list[Json]:
        """A decision model's variants (``GET .../{ref}/variants``, every page): read-only, for the
        exporter (there is no list of all variants)."""
        return list(self.client.iter_pages(variants_of(model_ref), page_size=PAGE_SIZE))

    # -- read-only: revisions and template previews (docs/facts/sitecore.md#revisions, #template-previews) --

    def revisions(self, kind: Kind, ref: str) -> list[Json]:
        """Every revision of one object, oldest first as served (``GET .../{ref}/revisions``, all pages)."""
        return list(self.client.iter_pages(f"{kind.path}/{ref}/{facts.REVISIONS}", page_size=PAGE_SIZE))

    def revision(self, kind: Kind, ref: str, number: int) -> Json:
        """One revision by its number (``GET .../{ref}/revisions/{number}``)."""
        path = f"{kind.path}/{ref}/{facts.REVISIONS}/{number}"
        return _object(self.client.get(path), f"GET {path}")

    def render_templates(self, templates: Mapping[str, Json]) -> Json:
        """Saved templates by friendlyId: ``{key: {friendlyId, templateParams}}`` -> ``{renderedTemplates}``."""
        return self._preview(facts.RENDER_TEMPLATES_PATH, {"templates": dict(templates)})

    def process_templates(self, templates: list[Json], variables: Mapping[str, Any]) -> Json:
        """Code sent in the request (saved or not): ``[{id, template}]`` -> ``{templates}``."""
        return self._preview(facts.PROCESS_TEMPLATES_PATH, {"templates": templates, "templateVariables": dict(variables)})

    def _preview(self, path: str, body: Json) -> Json:
        answer = self.client.post(path, json=body, idempotent=True)  # saves nothing: a timeout may be retried
        return answer if isinstance(answer, dict) else {}

    # -- connections ---------------------------------------------------------------------------------

    def test_connection(self, connection: Mapping[str, Any]) -> ConnectionTestResult:
        # Testing twice creates nothing, so a timeout may be retried.
        body = self.client.post(CONNECTION_TEST, json={"connection": dict(connection)}, idempotent=True)
        return ConnectionTestResult.model_validate(body if isinstance(body, dict) else {})


def connect(config: Mapping[str, object], namespace: str) -> SitecoreApi:
    """(flat stack configuration, namespace) -> the tenant's api; the environment is the fallback."""
    return SitecoreApi(sitecore_client(load_sitecore_settings(config, namespace=namespace)))


# --------------------------------------------------------------------------------------------------
# Endpoints (engine.Endpoints implementations)
# --------------------------------------------------------------------------------------------------


class Collection:
    """One collection with the shared behaviour: create POSTs, get reads the listing, update PUTs,
    delete archives. ``get`` returns archived objects too (the spec's ``is_deleted`` tells them
    apart, so that an adoption can revive one)."""

    def __init__(self, kind: Kind) -> None:
        self.kind = kind

    def create(self, api: SitecoreApi, payload: Json, inputs: BaseModel) -> Json:
        return api.create(self.kind.path, payload)

    def get(self, api: SitecoreApi, id_: str) -> Lookup:
        return self.kind.lookup(id_, api.find(self.kind, id_))

    def fetch(self, api: SitecoreApi, id_: str) -> Lookup:
        """By ref, never from the listing: the read a write follows (``Endpoints.get``)."""
        return self.kind.lookup(id_, api.fetch(self.kind, id_))

    def update(self, api: SitecoreApi, id_: str, payload: Json, inputs: BaseModel, live: Json) -> Json:
        return api.replace(self.kind, id_, payload)

    def delete(self, api: SitecoreApi, id_: str, props: Mapping[str, Any], live: Json | None = None) -> Removal:
        return self.kind.removal(id_, api.archive(self.kind, id_, live))

    def list(self, api: SitecoreApi) -> list[Json]:
        """Every object, archived ones included as far as the list shows them (natural-key look-ups)."""
        return api.listing(self.kind)

    def probe(self, api: SitecoreApi) -> builtins.list[Json]:
        """For the engine, after a 404 on one object: does the collection answer (and for whom)?"""
        return api.listing(self.kind) if self.kind.listed else api.first_page(DECISION_MODELS)


class Connections(Collection):
    """``verify=True`` tests the connection (``POST /v2/connections/testConnection`` with the whole
    connection) before it is saved: a failing test fails the create or update with the external
    system's status, and nothing is created or changed."""

    def __init__(self) -> None:
        super().__init__(CONNECTIONS)

    def create(self, api: SitecoreApi, payload: Json, inputs: BaseModel) -> Json:
        self._verify(api, payload, inputs, "nothing was created")
        return super().create(api, payload, inputs)

    def update(self, api: SitecoreApi, id_: str, payload: Json, inputs: BaseModel, live: Json) -> Json:
        self._verify(api, {**payload, "ref": id_}, inputs, "the connection was left as it was")
        return super().update(api, id_, payload, inputs, live)

    @staticmethod
    def _verify(api: SitecoreApi, connection: Json, inputs: BaseModel, kept: str) -> None:
        assert isinstance(inputs, ConnectionInputs)
        if not inputs.verify:
            return
        try:
            result = api.test_connection(connection)
        except PersonalizeError as exc:
            raise PersonalizeError(f"connection test failed: {exc}; {kept}", status=exc.status,
                                   method=exc.method, path=exc.path, request_id=exc.request_id) from None
        if not result.passed:
            raise PersonalizeError(
                f"connection test failed: the external system answered {result.statusCode} "
                f"({inputs.request.request_type} {redact(inputs.request.connection_url)}); {kept}"
            )
        took = f" in {result.executionTimeInMilliseconds:.0f} ms" if result.executionTimeInMilliseconds else ""
        log.info("connection %r: test passed, the external system answered %s%s",
                 inputs.name, result.statusCode, took)


class DecisionModels(Collection):
    """Decision models. Archiving renames one (``<name> - archived <date>``): the natural-key
    listing shows archived models under their name from before, so a create still finds (and
    revives) the model a destroy archived."""

    def __init__(self) -> None:
        super().__init__(DECISION_MODELS)

    def list(self, api: SitecoreApi) -> list[Json]:
        return [
            {**item, "name": model_name_before_archive(item.get("name"))} if is_archived(item) else item
            for item in super().list(api)
        ]


class DecisionModelDeployments:
    """A decision model's ``deploymentConfiguration``, owned by its own resource: the model and its
    variants exist first, then the deployment names variant refs and revisions. Its id is the model's
    ref; destroy takes every variant out of the deployment (an archived model is left alone)."""

    kind = DECISION_MODELS

    def create(self, api: SitecoreApi, payload: Json, inputs: BaseModel) -> Json:
        assert isinstance(inputs, DecisionModelDeploymentInputs)
        live = api.fetch(DECISION_MODELS, inputs.decision_model)  # the PUT keeps what the model holds
        if live is None or is_archived(live):
            raise PersonalizeError(f"no live decision model with ref {inputs.decision_model!r} to deploy to")
        return api.replace(DECISION_MODELS, inputs.decision_model, inputs.to_api(live))

    def get(self, api: SitecoreApi, id_: str) -> Lookup:
        return DECISION_MODELS.lookup(id_, api.find(DECISION_MODELS, id_))

    def fetch(self, api: SitecoreApi, id_: str) -> Lookup:
        return DECISION_MODELS.lookup(id_, api.fetch(DECISION_MODELS, id_))

    def update(self, api: SitecoreApi, id_: str, payload: Json, inputs: BaseModel, live: Json) -> Json:
        return api.replace(DECISION_MODELS, id_, payload)

    def delete(self, api: SitecoreApi, id_: str, props: Mapping[str, Any], live: Json | None = None) -> Removal:
        if live is None:
            live = api.fetch(DECISION_MODELS, id_)  # the PUT below keeps what the model holds
        if live is None or is_archived(live):
            return DECISION_MODELS.removal(id_, live)
        body = strip_server_fields(live, links=DECISION_MODEL_LINKS)
        api.replace(DECISION_MODELS, id_, {**body, "deploymentConfiguration": {"variants": []}})
        return Gone()

    def list(self, api: SitecoreApi) -> list[Json]:
        raise NotImplementedError  # not adoptable by key: a deployment is its model's

    def probe(self, api: SitecoreApi) -> builtins.list[Json]:
        return api.listing(DECISION_MODELS)


class DecisionModelVariants(Collection):
    """Variants: created under their model, read and updated at ``/v2/decisionModelVariants/{ref}``.
    There is no list of all variants, so they are read by ref (and adopted by ref only)."""

    def __init__(self) -> None:
        super().__init__(DECISION_MODEL_VARIANTS)

    def create(self, api: SitecoreApi, payload: Json, inputs: BaseModel) -> Json:
        """A POST whose answer was lost (5xx, dropped) is looked for among the model's variants, as the
        engine does for kinds with a natural key (a variant's name is one only within its model):
        the one live variant with the program's name and definition is the one it made; with none,
        post again."""
        assert isinstance(inputs, DecisionModelVariantInputs)
        path = variants_of(inputs.decision_model)
        for attempt in range(1, AMBIGUOUS_CREATE_ATTEMPTS + 1):
            try:
                return api.create(path, inputs.create_body())
            except (ServerError, TransportError):
                if attempt == AMBIGUOUS_CREATE_ATTEMPTS:
                    raise
                made = [v for v in api.model_variants(inputs.decision_model)
                        if not is_archived(v) and v.get("name") == inputs.name
                        and v.get("definition", inputs.definition) == inputs.definition]
                if len(made) > 1:
                    refs = ", ".join(str(v.get("ref")) for v in made)
                    raise PersonalizeError(
                        f"the create's answer was lost, and decision model {inputs.decision_model} has several "
                        f"variants named {inputs.name!r} ({refs}): adopt one with adopt_ref") from None
                if made:
                    found = api.fetch(DECISION_MODEL_VARIANTS, str(made[0]["ref"]))
                    if found is not None:
                        return found
        raise AssertionError("unreachable")  # the loop returns or raises

    def list(self, api: SitecoreApi) -> list[Json]:
        raise NotImplementedError


class FlowDefinitions(Collection):
    """Flows are created in DRAFT (the service's rule) and moved to the declared status by PUTs.
    Archive also pauses. A friendlyId stays taken after archive: a create that collides with an
    archived flow says so."""

    def __init__(self) -> None:
        super().__init__(FLOW_DEFINITIONS)

    def create(self, api: SitecoreApi, payload: Json, inputs: BaseModel) -> Json:
        assert isinstance(inputs, FlowDefinitionInputs)
        try:
            live = api.create(self.kind.path, {**payload, "status": "DRAFT"})
        except PersonalizeError as exc:
            raise self._explain_taken(api, inputs, exc) from None
        if inputs.status == "DRAFT":
            return live
        try:
            return self._move(api, live, {**payload, "status": inputs.status})
        except PersonalizeError as exc:
            ref = str(live["ref"])
            raise PartialCreateError(
                f"the flow was created (ref {ref}, status DRAFT) but moving it to {inputs.status} failed: {exc}. "
                f"Adopt it with adopt_ref={ref!r} (its friendly_id is now taken), or set status DRAFT",
                created_id=ref, cause=exc,
            ) from None

    def update(self, api: SitecoreApi, id_: str, payload: Json, inputs: BaseModel, live: Json) -> Json:
        if is_archived(live):
            # Restoring (as PlaySummit does, docs/facts/sitecore.md#flow-status): PUT it back as a DRAFT first, then to the status it should have.
            live = api.replace(self.kind, id_, {**payload, "status": "DRAFT"})
            if payload.get("status") == "DRAFT":
                return live
        return self._move(api, live, payload)

    def _move(self, api: SitecoreApi, live: Json, payload: Json) -> Json:
        ref = str(live["ref"])
        try:
            return api.replace(self.kind, ref, payload)
        except PersonalizeError as exc:
            # The transition matrix is unconfirmed: a draft that is refused straight to PAUSED goes
            # through PRODUCTION (the only documented way a flow gets paused is from running).
            if exc.status not in (400, 409, 422) or payload.get("status") != "PAUSED" or live.get("status") != "DRAFT":
                raise
            api.replace(self.kind, ref, {**payload, "status": "PRODUCTION"})
            return api.replace(self.kind, ref, payload)

    def delete(self, api: SitecoreApi, id_: str, props: Mapping[str, Any], live: Json | None = None) -> Removal:
        return self.kind.removal(id_, api.archive(self.kind, id_, live, status="PAUSED"))

    def _explain_taken(self, api: SitecoreApi, inputs: FlowDefinitionInputs, exc: PersonalizeError) -> PersonalizeError:
        if exc.status not in (400, 409, 422):
            return exc
        try:
            holders = [f for f in api.listing(self.kind) if f.get("friendlyId") == inputs.friendly_id]
        except PersonalizeError:
            return exc  # the explanation is a courtesy: never hide the original error
        archived = [f for f in holders if is_archived(f)]
        if not archived:
            return exc
        ref = str(archived[0].get("ref"))
        return PersonalizeError(
            f"{exc}. friendly_id {inputs.friendly_id!r} belongs to an archived flow (ref {ref}, type "
            f"{archived[0].get('type')}): Sitecore keeps a friendlyId reserved after archiving. Choose another "
            f"friendly_id, or restore that flow with adopt_ref={ref!r} (its type must be the program's)",
            status=exc.status, method=exc.method, path=exc.path, request_id=exc.request_id,
        )


class Templates(Collection):
    """Templates. Publishing is a PUT with ``status: PUBLISHED``; changed code of a published
    template goes DRAFT then PUBLISHED again (as Sitecore's serializer does).

    Destroy archives (``archived: true``, a field every template carries); archive semantics are
    unconfirmed for templates, so a service that refuses it leaves the template in place and the
    destroy drops it from the state with a warning naming it. ``verify=True`` renders the code
    before each create and update, as ``Connections`` tests a connection."""

    def __init__(self) -> None:
        super().__init__(TEMPLATES)

    def create(self, api: SitecoreApi, payload: Json, inputs: BaseModel) -> Json:
        self._verify(api, inputs, "nothing was created")
        return super().create(api, payload, inputs)

    def update(self, api: SitecoreApi, id_: str, payload: Json, inputs: BaseModel, live: Json) -> Json:
        assert isinstance(inputs, TemplateInputs)
        self._verify(api, inputs, "the template was left as it was")
        code_changed = live.get("templateElements") != payload.get("templateElements")
        if live.get("status") == "PUBLISHED" and inputs.status == "PUBLISHED" and code_changed:
            api.replace(self.kind, id_, {**payload, "status": "DRAFT"})
        return api.replace(self.kind, id_, payload)

    @staticmethod
    def _verify(api: SitecoreApi, inputs: BaseModel, kept: str) -> None:
        """``verify=True``: the code goes through ``POST /v3/templates/process`` before it is saved
        (``renderTemplates`` renders saved templates only: docs/facts/sitecore.md#template-previews)."""
        assert isinstance(inputs, TemplateInputs)
        if inputs.verify and inputs.template_elements:
            try:
                api.process_templates([e.wire() for e in inputs.template_elements], {})
            except PersonalizeError as exc:
                raise PersonalizeError(f"{inputs.render_failure(exc)}; {kept}", status=exc.status, method=exc.method,
                                       path=exc.path, request_id=exc.request_id) from None

    def delete(self, api: SitecoreApi, id_: str, props: Mapping[str, Any], live: Json | None = None) -> Removal:
        try:
            return self.kind.removal(id_, api.archive(self.kind, id_, live))
        except PersonalizeError as exc:
            if exc.status not in (400, 405, 409, 422):
                raise
            # a warning: the engine hands it to the Pulumi log
            log.warning(
                "template %r (ref %s) was removed from the Pulumi state but still exists in Sitecore "
                "Personalize: the service refused to archive it (%s). Archive it in the Sitecore UI, or adopt "
                "it again with adopt_ref=%r.", props.get("friendly_id"), id_, exc.status, id_,
            )
            return Gone()
