"""Request handling of the emulated Sitecore Personalize: auth, bodies, paging, status codes.

What a field means and which values it takes lives in ``models.py``; which path calls which handler
lives in ``urls.py``. Choices where ``docs/facts/sitecore.md`` says "unconfirmed":

* Create answers 201 with the representation. PUT answers **201** too: the response-code page lists
  create and update operations under one table whose success code is 201 CREATED (clients must accept
  200 as well). Read, list and the preview/test actions (which create nothing) answer 200.
* Paging: ``limit`` defaults to 10 (the published SDK's default) and is capped at 1000 (a larger value
  is served as 1000 and the envelope's ``limit`` says so: clients that ask for 10000 keep working);
  ``offset`` defaults to 0. Below 1 / negative / not an integer: 400.
* A body whose Content-Type is not JSON (or that has none) gets 415; JSON that does not parse, 400.
* An unknown ref on PUT is a 404 (no PUT-as-create).
* Revision lists are oldest first.
"""

from __future__ import annotations

import base64
import contextlib
import json
import time
import uuid
from collections.abc import Awaitable, Callable
from functools import wraps
from typing import Any
from urllib.parse import parse_qs

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ..common import ApiError, Fields, Json
from ..settings import EmulatorSettings
from ..state import Store
from . import auth
from .auth import Tenant
from .errors import SitecoreError, error_body, not_found
from .models import (
    DECISION_MODEL_VARIANTS,
    DECISION_MODELS,
    TEMPLATE_ELEMENT_IDS,
    TEMPLATE_TYPES,
    Context,
    Kind,
    TenantView,
    create_record,
    decision_nodes,
    present,
    substitute,
    tenant_state,
    update_record,
    validate_connection,
)

DEFAULT_LIMIT = 10
MAX_LIMIT = 1000

Endpoint = Callable[[Request], Awaitable[Response]]


def endpoint(handler: Endpoint) -> Endpoint:
    """Errors of a Sitecore handler in Sitecore's shape (``errors.py``)."""

    @wraps(handler)
    async def run(request: Request) -> Response:
        try:
            return await handler(request)
        except ApiError as exc:
            body = error_body(exc.status, exc.message, exc.field_errors, getattr(exc, "code", None))
            return JSONResponse(body, status_code=exc.status, headers=exc.headers)

    return run


# --- request plumbing ------------------------------------------------------------------------------------


def _settings(request: Request) -> EmulatorSettings:
    settings: EmulatorSettings = request.app.state.settings
    return settings


def _store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


def _tenant(request: Request) -> Tenant:
    return auth.tenant_for_bearer(_settings(request), request.headers.get("authorization"))


def _base_url(request: Request) -> str:
    return str(request.base_url).rstrip("/")


async def _json_body(request: Request) -> Json:
    raw = await request.body()
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if not (media_type == "application/json" or media_type.endswith("+json")):
        shown = media_type or "none"
        raise SitecoreError(415, f"Unsupported media type {shown}: send the body as Content-Type: application/json")
    if not raw.strip():
        raise SitecoreError(400, "A JSON request body is required", field_errors={"body": ["is required"]})
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise SitecoreError(400, "The request body is not valid JSON",
                            field_errors={"body": ["must be valid JSON"]}) from None
    if not isinstance(body, dict):
        raise SitecoreError(400, "Validation failed", field_errors={"body": ["must be a JSON object"]})
    return body


def _query_int(request: Request, name: str, default: int, minimum: int) -> int:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SitecoreError(400, f"Invalid query parameter {name}",
                            field_errors={name: ["must be an integer"]}) from None
    if value < minimum:
        raise SitecoreError(400, f"Invalid query parameter {name}", field_errors={name: [f"must be at least {minimum}"]})
    return value


def _page(request: Request, items: list[Json]) -> Json:
    """The list envelope ``{href, offset, limit, items}`` of one page."""
    limit = min(_query_int(request, "limit", DEFAULT_LIMIT, 1), MAX_LIMIT)
    offset = _query_int(request, "offset", 0, 0)
    return {"href": f"{_base_url(request)}{request.url.path}", "offset": offset, "limit": limit,
            "items": items[offset:offset + limit]}


def _find(kind: Kind, tenant_data: TenantView, key: str) -> Json:
    """A record by ``ref``, or (flows and templates, observed in Sitecore's own code) by ``friendlyId``."""
    records: Json = tenant_data[kind.key]
    record: Json | None = records.get(key)
    if record is None and kind.friendly_id:
        record = next((r for r in records.values() if r.get("friendlyId") == key), None)
    if record is None:
        raise not_found(kind.label, key)
    return record


def _json(body: Any, status: int = 200) -> JSONResponse:
    return JSONResponse(body, status_code=status)


# --- OAuth token (docs/facts/sitecore.md#token) -------------------------------------------------------------


@endpoint
async def oauth_token(request: Request) -> Response:
    settings = _settings(request)
    raw = (await request.body()).decode("utf-8", "replace")
    form: dict[str, str]
    if "json" in request.headers.get("content-type", ""):
        try:
            loaded = json.loads(raw or "{}")
        except ValueError:
            loaded = {}
        form = {str(k): str(v) for k, v in loaded.items()} if isinstance(loaded, dict) else {}
    else:
        form = {k: v[0] for k, v in parse_qs(raw, keep_blank_values=True).items()}
    client_id, client_secret = form.get("client_id"), form.get("client_secret")
    basic = request.headers.get("authorization", "")
    if basic.lower().startswith("basic "):  # client_secret_basic, as OAuth servers also take
        with contextlib.suppress(ValueError):
            client_id, _, client_secret = base64.b64decode(basic[6:].strip()).decode().partition(":")
    if form.get("grant_type") != "client_credentials":
        return _json({"error": "unsupported_grant_type",
                      "error_description": "grant_type must be client_credentials"}, 400)
    if not auth.authenticate_client(settings, client_id, client_secret):
        return _json({"error": "access_denied", "error_description": "Unauthorized"}, 401)
    if form.get("audience") != auth.AUDIENCE:
        # Emulator choice (unconfirmed): the audience the documentation requires, nothing else.
        return _json({"error": "access_denied",
                      "error_description": f"audience must be {auth.AUDIENCE}"}, 403)
    assert client_id is not None and client_secret is not None
    ttl = settings.token_ttl
    return JSONResponse({"access_token": auth.issue_token(client_secret, client_id, ttl), "scope": auth.SCOPE,
                         "expires_in": ttl, "token_type": "Bearer"}, headers={"cache-control": "no-store"})


# --- generic CRUD -------------------------------------------------------------------------------------------


ListFilter = Callable[[Request, list[Json]], list[Json]]


def list_items(kind: Kind, narrow: ListFilter | None = None) -> Endpoint:
    @endpoint
    async def handler(request: Request) -> Response:
        tenant = _tenant(request)
        base = _base_url(request)
        with _store(request).read() as data:
            records = list(tenant_state(data, tenant.client_key)[kind.key].values())
            items = [present(kind, r, base) for r in records]
        if narrow is not None:
            items = narrow(request, items)
        return _json(_page(request, items))

    return handler


def create_item(kind: Kind) -> Endpoint:
    @endpoint
    async def handler(request: Request) -> Response:
        tenant = _tenant(request)
        body = await _json_body(request)
        with _store(request).mutate() as data:
            record = create_record(kind, tenant_state(data, tenant.client_key), tenant, body)
            out = present(kind, record, _base_url(request))
        return _json(out, 201)

    return handler


def get_item(kind: Kind) -> Endpoint:
    @endpoint
    async def handler(request: Request) -> Response:
        tenant = _tenant(request)
        with _store(request).read() as data:
            record = _find(kind, tenant_state(data, tenant.client_key), request.path_params["ref"])
            out = present(kind, record, _base_url(request))
        return _json(out)

    return handler


def update_item(kind: Kind) -> Endpoint:
    @endpoint
    async def handler(request: Request) -> Response:
        tenant = _tenant(request)
        body = await _json_body(request)
        with _store(request).read() as data:  # a 404 must not write the state file
            _find(kind, tenant_state(data, tenant.client_key), request.path_params["ref"])
        with _store(request).mutate() as data:
            tenant_data = tenant_state(data, tenant.client_key)
            current = _find(kind, tenant_data, request.path_params["ref"])
            record = update_record(kind, tenant_data, tenant, current, body)
            out = present(kind, record, _base_url(request))
        return _json(out, 201)  # see the module docstring: 201, as the response-code page lists for updates

    return handler


def list_revisions(kind: Kind) -> Endpoint:
    @endpoint
    async def handler(request: Request) -> Response:
        tenant = _tenant(request)
        base = _base_url(request)
        with _store(request).read() as data:
            tenant_data = tenant_state(data, tenant.client_key)
            record = _find(kind, tenant_data, request.path_params["ref"])
            items = [present(kind, r, base) for r in tenant_data.revisions(kind.key, record["ref"])]
        return _json(_page(request, items))

    return handler


def get_revision(kind: Kind) -> Endpoint:
    @endpoint
    async def handler(request: Request) -> Response:
        tenant = _tenant(request)
        number = int(request.path_params["revision"])
        with _store(request).read() as data:
            tenant_data = tenant_state(data, tenant.client_key)
            record = _find(kind, tenant_data, request.path_params["ref"])
            revisions = tenant_data.revisions(kind.key, record["ref"])
            found = next((r for r in revisions if r.get("revision") == number), None)
            if found is None:
                raise SitecoreError(404, f"{kind.label} {record['ref']} has no revision {number}")
            out = present(kind, found, _base_url(request))
        return _json(out)

    return handler


# --- list filters ---------------------------------------------------------------------------------------------


def search_flows(request: Request, items: list[Json]) -> list[Json]:
    """``search``: free text (the Pages client passes a page id, PlaySummit a scope prefix); matched in name, friendlyId, tags."""
    text = (request.query_params.get("search") or "").strip().lower()
    if not text:
        return items

    def hit(item: Json) -> bool:
        haystack = [str(item.get("name", "")), str(item.get("friendlyId", ""))]
        haystack += [str(tag) for tag in item.get("tags") or []]
        return any(text in value.lower() for value in haystack)

    return [i for i in items if hit(i)]


def templates_of_type(request: Request, items: list[Json]) -> list[Json]:
    wanted = request.query_params.get("type")
    if not wanted:
        return items
    if wanted.upper() not in TEMPLATE_TYPES:
        raise SitecoreError(400, "Invalid query parameter type",
                            field_errors={"type": [f"must be one of {', '.join(TEMPLATE_TYPES)}"]})
    return [i for i in items if i.get("type") == wanted.upper()]


# --- decision model variants (docs/facts/sitecore.md#decision-model-variants) -------------------------------


def _in_production(model: Json, variant_ref: str) -> bool:
    entries = (model.get("deploymentConfiguration") or {}).get("variants") or []
    return any(e.get("variantRef") == variant_ref and e.get("status") == "PRODUCTION" for e in entries)


@endpoint
async def list_model_variants(request: Request) -> Response:
    tenant = _tenant(request)
    base = _base_url(request)
    with _store(request).read() as data:
        tenant_data = tenant_state(data, tenant.client_key)
        model = _find(DECISION_MODELS, tenant_data, request.path_params["ref"])
        items = [present(DECISION_MODEL_VARIANTS, v, base, inProduction=_in_production(model, v["ref"]))
                 for v in tenant_data["decisionModelVariants"].values()
                 if v.get("decisionModelDefinitionRef") == model["ref"]]
    return _json(_page(request, items))


@endpoint
async def create_model_variant(request: Request) -> Response:
    tenant = _tenant(request)
    body = await _json_body(request)
    with _store(request).read() as data:
        _find(DECISION_MODELS, tenant_state(data, tenant.client_key), request.path_params["ref"])
    with _store(request).mutate() as data:
        tenant_data = tenant_state(data, tenant.client_key)
        model = _find(DECISION_MODELS, tenant_data, request.path_params["ref"])
        record = create_record(DECISION_MODEL_VARIANTS, tenant_data, tenant, body, parent_ref=model["ref"])
        out = present(DECISION_MODEL_VARIANTS, record, _base_url(request))
    return _json(out, 201)


@endpoint
async def test_decision_model(request: Request) -> Response:
    """Runs nothing: reports the variant's DMN decisions as result nodes without outputs."""
    tenant = _tenant(request)
    body = await _json_body(request)
    fields = Fields(body)
    model_ref = fields.string("decisionModelRef", required=True)
    variant_ref = fields.string("decisionModelVariantRef", required=True)
    fields.obj("context", required=True)
    fields.check()
    assert model_ref is not None and variant_ref is not None
    started = time.perf_counter()
    with _store(request).read() as data:
        tenant_data = tenant_state(data, tenant.client_key)
        model = _find(DECISION_MODELS, tenant_data, model_ref)
        variant = _find(DECISION_MODEL_VARIANTS, tenant_data, variant_ref)
        if variant.get("decisionModelDefinitionRef") != model["ref"]:
            raise SitecoreError(400, "Validation failed", field_errors={
                "decisionModelVariantRef": [f"is not a variant of decision model {model['ref']}"]})
        nodes = decision_nodes(str(variant.get("definition", "")))
        result = {"decisionModelName": model["name"], "decisionModelRef": model["ref"],
                  "decisionModelVariantName": variant["name"], "decisionModelVariantRef": variant["ref"],
                  "decisionModelVariantRevision": variant["revision"], "error": False,
                  "debug": {"bucket": None, "logs": []}, "decisionModelResultNodes": nodes}
    for node in nodes:
        node["executionTime"] = round((time.perf_counter() - started) * 1000, 3)
    return _json(result)


# --- connections: test (docs/facts/sitecore.md#connection-test) ---------------------------------------------


@endpoint
async def test_connection(request: Request) -> Response:
    """Calls nobody: a ``connectionUrl`` containing ``fail`` answers 500, a non-https one is unreachable
    (``statusCode`` 0), any other answers 200. The connection need not be saved."""
    _tenant(request)
    body = await _json_body(request)
    fields = Fields(body)
    connection = fields.obj("connection", required=True)
    fields.check()
    assert connection is not None
    try:
        validate_connection(connection, Context(tenant=TenantView({"sitecore": {}}, "")))
    except ApiError as exc:
        raise SitecoreError(400, exc.message, field_errors={f"connection.{k}": v for k, v in exc.field_errors.items()}) from None
    started = time.perf_counter()
    url = str(connection["request"]["connectionUrl"])
    method = str(connection["request"]["requestType"]).upper()
    headers = {"X-Correlation-Id": str(uuid.uuid4()), "Content-Type": "application/json"}
    for header in connection.get("customHeaders") or []:
        if isinstance(header, dict) and isinstance(header.get("name"), str):
            headers[header["name"]] = str(header.get("value", ""))
    if "fail" in url.lower():
        status, answer = 500, '{"error": "Internal Server Error"}'
    elif not url.lower().startswith("https://"):
        status, answer = 0, ""
    else:
        status, answer = 200, "{}"
    sent: Json = {"url": url, "method": method, "headers": headers}
    if isinstance(connection["request"].get("requestBody"), str):
        sent["body"] = connection["request"]["requestBody"]
    return _json({"statusCode": status, "executionTimeInMilliseconds": int((time.perf_counter() - started) * 1000),
                  "request": sent, "response": {"body": answer}})


# --- templates: previews (docs/facts/sitecore.md#template-previews) -----------------------------------------


@endpoint
async def render_templates(request: Request) -> Response:
    tenant = _tenant(request)
    body = await _json_body(request)
    fields = Fields(body)
    wanted = fields.obj("templates", required=True)
    fields.check()
    assert wanted is not None
    for key, entry in wanted.items():
        sub = Fields(entry, prefix=f"templates.{key}.")
        sub.string("friendlyId", required=True)
        sub.obj("templateParams")
        fields.merge(sub)
    fields.check()
    rendered: Json = {}
    with _store(request).read() as data:
        tenant_data = tenant_state(data, tenant.client_key)
        for key, entry in wanted.items():
            friendly_id = entry["friendlyId"]
            template = next((t for t in tenant_data["templates"].values() if t.get("friendlyId") == friendly_id),
                            None)
            if template is None:
                raise SitecoreError(404, f"Template {friendly_id} not found")
            params = entry.get("templateParams") or {}
            rendered[key] = [{"id": e.get("id"), "template": substitute(str(e.get("template", "")), params)}
                             for e in template.get("templateElements") or []]
    return _json({"renderedTemplates": rendered})


@endpoint
async def process_templates(request: Request) -> Response:
    _tenant(request)
    body = await _json_body(request)
    fields = Fields(body)
    elements = fields.array("templates", required=True)
    variables = fields.obj("templateVariables", required=True)
    for index, element in enumerate(elements or []):
        sub = Fields(element, prefix=f"templates[{index}].")
        sub.string("id", required=True, enum=TEMPLATE_ELEMENT_IDS)
        if isinstance(element, dict) and not isinstance(element.get("template"), str):
            sub.add("template", "is required")
        fields.merge(sub)
    fields.check()
    assert elements is not None and variables is not None
    return _json({"templates": [{"id": e["id"], "template": substitute(e["template"], variables)}
                                for e in elements]})
