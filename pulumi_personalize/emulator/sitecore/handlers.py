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

from ...facts.sitecore import TEMPLATE_ELEMENT_IDS, TEMPLATE_TYPES
from ..common import ApiError, Fields, Json
from ..settings import EmulatorSettings
from . import auth
from .auth import Tenant
from .backend import SitecoreBackend
from .errors import SitecoreError, error_body
from .kinds import validate_connection
from .models import Context, Kind, TenantView, render_problems, substitute

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


def backend(request: Request) -> SitecoreBackend:
    found: SitecoreBackend = request.app.state.sitecore
    return found


def _tenant(request: Request) -> Tenant:
    return backend(request).tenant(request.headers.get("authorization"))


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
    return JSONResponse({"access_token": backend(request).issue_token(client_id, client_secret), "scope": auth.SCOPE,
                         "expires_in": settings.token_ttl, "token_type": "Bearer"}, headers={"cache-control": "no-store"})


# --- generic CRUD -------------------------------------------------------------------------------------------


ListFilter = Callable[[Request, list[Json]], list[Json]]


Call = Callable[[Request, Tenant, Any], Any]  # (request, caller's tenant, JSON body or None) -> answer


def _serve(call: Call, *, body: bool = False, status: int = 200, paged: bool = False,
           narrow: ListFilter | None = None) -> Endpoint:
    """One handler: authenticate, read the body when the operation takes one, call the backend, answer
    (a list as one page of the ``{href, offset, limit, items}`` envelope)."""

    @endpoint
    async def handler(request: Request) -> Response:
        tenant = _tenant(request)
        sent = await _json_body(request) if body else None
        out = call(request, tenant, sent)
        if narrow is not None:
            out = narrow(request, out)
        return _json(_page(request, out) if paged else out, status)

    return handler


def list_items(kind: Kind, narrow: ListFilter | None = None) -> Endpoint:
    return _serve(lambda r, t, _: backend(r).listing(kind, t, _base_url(r)), paged=True, narrow=narrow)


def create_item(kind: Kind) -> Endpoint:
    return _serve(lambda r, t, b: backend(r).create(kind, t, b, _base_url(r)), body=True, status=201)


def get_item(kind: Kind) -> Endpoint:
    return _serve(lambda r, t, _: backend(r).get(kind, t, r.path_params["ref"], _base_url(r)))


def update_item(kind: Kind) -> Endpoint:
    # 201, as the response-code page lists for updates (see the module docstring)
    return _serve(lambda r, t, b: backend(r).update(kind, t, r.path_params["ref"], b, _base_url(r)),
                  body=True, status=201)


def list_revisions(kind: Kind) -> Endpoint:
    return _serve(lambda r, t, _: backend(r).revisions(kind, t, r.path_params["ref"], _base_url(r)), paged=True)


def get_revision(kind: Kind) -> Endpoint:
    return _serve(lambda r, t, _: backend(r).revision(kind, t, r.path_params["ref"], int(r.path_params["revision"]),
                                                      _base_url(r)))


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


list_model_variants = _serve(lambda r, t, _: backend(r).model_variants(t, r.path_params["ref"], _base_url(r)),
                             paged=True)
create_model_variant = _serve(
    lambda r, t, b: backend(r).create_model_variant(t, r.path_params["ref"], b, _base_url(r)), body=True, status=201)


@endpoint
async def test_decision_model(request: Request) -> Response:
    """Runs nothing: reports the variant's DMN decisions as result nodes without outputs."""
    tenant = _tenant(request)
    fields = Fields(await _json_body(request))
    model_ref = fields.string("decisionModelRef", required=True)
    variant_ref = fields.string("decisionModelVariantRef", required=True)
    fields.obj("context", required=True)
    fields.check()
    assert model_ref is not None and variant_ref is not None
    started = time.perf_counter()  # a measurement of the emulator's own work, not a reading of its clock
    result = backend(request).test_decision_model(tenant, model_ref, variant_ref)
    for node in result["decisionModelResultNodes"]:
        node["executionTime"] = round((time.perf_counter() - started) * 1000, 3)
    return _json(result)


# --- connections: test (docs/facts/sitecore.md#connection-test) ---------------------------------------------


@endpoint
async def test_connection(request: Request) -> Response:
    """Calls nobody: a ``connectionUrl`` containing ``fail`` answers 500, a non-https one is unreachable
    (``statusCode`` 0), any other answers 200. The connection need not be saved."""
    _tenant(request)
    fields = Fields(await _json_body(request))
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
    fields = Fields(await _json_body(request))
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
    for key, entry in wanted.items():
        elements = backend(request).template_elements(tenant, entry["friendlyId"])
        for element in elements:  # saved code is rendered by the same rules as code sent to process
            for problem in render_problems(str(element.get("id")), str(element.get("template", ""))):
                fields.add(f"templates.{key}", f"{element.get('id')}: {problem}")
        rendered[key] = [{"id": e.get("id"), "template": substitute(str(e.get("template", "")),
                                                                   entry.get("templateParams") or {})}
                         for e in elements]
    fields.check("Template code does not render")
    return _json({"renderedTemplates": rendered})


@endpoint
async def process_templates(request: Request) -> Response:
    _tenant(request)
    fields = Fields(await _json_body(request))
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
    for index, element in enumerate(elements):
        for problem in render_problems(element["id"], element["template"]):
            fields.add(f"templates[{index}].template", problem)
    fields.check("Template code does not render")
    return _json({"templates": [{"id": e["id"], "template": substitute(e["template"], variables)}
                                for e in elements]})
