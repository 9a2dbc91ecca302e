"""Sitecore Personalize: connections, decision models, flow definitions, templates, OAuth tokens.

Objects carry the seed file's fields plus those of the connection prose (``auth``, ``request``,
``inputMappings``, ``outputMappings``, ``customHeaders``, ``systemType``, ``revision``, ``archived``,
``icon``, ``modifiedByUserRef``) and a ``href``. Fields the emulator does not know are kept as sent.
The API has no DELETE: ``PUT``/``PATCH`` with ``"archived": true`` (or, for decision models and flow
definitions, ``"status": "ARCHIVED"``) archives. ``PATCH`` (an emulator extension) merges the body
onto the object and then validates it like a ``PUT``.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import hmac
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .common import ApiError, Fields, Json, new_ref, now_iso, read_json
from .settings import EmulatorSettings
from .state import Store

EMULATOR_USER_REF = "00000000-0000-4000-8000-000000000001"
AUTH_TYPES = ("NONE", "BASIC", "OAUTH", "API_KEY")
REQUEST_TYPES = ("GET", "POST", "PUT", "PATCH", "DELETE")
SERVER_FIELDS = ("ref", "href", "revision", "createdAt", "modifiedAt", "modifiedByUserRef", "createdByUserRef")
TOKEN_PREFIX = "emu1"


# --- OAuth client credentials ----------------------------------------------------------------------


def _signature(settings: EmulatorSettings, expires: int) -> str:
    key = settings.sitecore_client_secret.encode()
    message = f"{settings.sitecore_client_id}:{expires}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:32]


def issue_token(settings: EmulatorSettings, ttl: int) -> str:
    """Tokens are self-describing (expiry + HMAC), so they survive an emulator restart."""
    expires = int(time.time()) + ttl
    return f"{TOKEN_PREFIX}.{expires}.{_signature(settings, expires)}"


def check_bearer(settings: EmulatorSettings, authorization: str | None) -> None:
    if not authorization:
        raise ApiError(401, "Missing Authorization header: send 'Authorization: Bearer <access token>'")
    scheme, _, token = authorization.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise ApiError(401, "The Authorization header must be 'Bearer <access token>'")
    if hmac.compare_digest(token, settings.sitecore_access_token):
        return
    parts = token.split(".")
    if len(parts) == 3 and parts[0] == TOKEN_PREFIX and parts[1].isdigit():
        expires = int(parts[1])
        if hmac.compare_digest(parts[2], _signature(settings, expires)):
            if expires <= time.time():
                raise ApiError(401, "The access token has expired; request a new one")
            return
    raise ApiError(401, "The access token is invalid")


async def oauth_token(request: Request) -> Response:
    settings: EmulatorSettings = request.app.state.settings
    raw = (await request.body()).decode("utf-8", "replace")
    if "json" in request.headers.get("content-type", ""):
        try:
            import json

            loaded = json.loads(raw or "{}")
            form = {str(k): str(v) for k, v in loaded.items()} if isinstance(loaded, dict) else {}
        except ValueError:
            form = {}
    else:
        form = {k: v[0] for k, v in parse_qs(raw, keep_blank_values=True).items()}
    client_id = form.get("client_id")
    client_secret = form.get("client_secret")
    basic = request.headers.get("authorization", "")
    if basic.lower().startswith("basic "):
        try:
            decoded = base64.b64decode(basic[6:].strip()).decode()
            client_id, _, client_secret = decoded.partition(":")
        except ValueError:
            pass
    grant = form.get("grant_type")
    if grant != "client_credentials":
        return JSONResponse({"error": "unsupported_grant_type",
                             "error_description": "grant_type must be client_credentials"}, status_code=400)
    if not (client_id and client_secret
            and hmac.compare_digest(client_id, settings.sitecore_client_id)
            and hmac.compare_digest(client_secret, settings.sitecore_client_secret)):
        return JSONResponse({"error": "access_denied", "error_description": "Unauthorized"}, status_code=401)
    ttl = settings.token_ttl
    return JSONResponse({"access_token": issue_token(settings, ttl), "scope": "personalize",
                         "expires_in": ttl, "token_type": "Bearer"},
                        headers={"cache-control": "no-store"})


# --- validation of each kind --------------------------------------------------------------------------


def _variant_configs(fields: Fields, name: str) -> None:
    items = fields.array(name)
    for index, item in enumerate(items or []):
        sub = Fields(item, prefix=f"{name}[{index}].")
        sub.string("variantRef")
        sub.integer("split", minimum=0, maximum=100)
        fields.merge(sub)


def validate_connection(body: Json, current: Json | None) -> Json:
    fields = Fields(body)
    fields.string("name", required=True)
    fields.string("description")
    auth = fields.obj("auth")
    request_obj = fields.obj("request")
    for name in ("inputMappings", "outputMappings", "customHeaders"):
        fields.array(name)
    fields.string("systemType")
    fields.string("icon")
    fields.boolean("archived")
    fields.integer("connectionTimeout", minimum=0)
    fields.integer("socketTimeout", minimum=0)
    out = {k: v for k, v in body.items() if k not in SERVER_FIELDS} if isinstance(body, dict) else {}
    auth = dict(auth or {})
    request_obj = dict(request_obj or {})
    # The seed file's flat fields win over the nested ``auth`` / ``request`` objects when both are sent.
    flat_auth = body.get("authType") if isinstance(body, dict) else None
    auth_source = "authType" if flat_auth is not None else "auth.authType"
    raw_auth = flat_auth if flat_auth is not None else auth.get("authType", "NONE")
    auth_type = _enum_value(fields, auth_source, raw_auth, AUTH_TYPES)
    raw_url = body.get("connectionUrl") if isinstance(body, dict) else None
    url_source = "connectionUrl" if raw_url is not None else "request.connectionUrl"
    if raw_url is None:
        raw_url = request_obj.get("connectionUrl")
    raw_method = body.get("requestType") if isinstance(body, dict) else None
    method_source = "requestType" if raw_method is not None else "request.requestType"
    if raw_method is None:
        raw_method = request_obj.get("requestType")
    if raw_url is None:
        fields.add("connectionUrl", "is required")
    elif not isinstance(raw_url, str) or not _is_uri(raw_url):
        fields.add(url_source, "must be an absolute URI such as https://example.com/path")
    if raw_method is None:
        fields.add("requestType", "is required")
    request_type = _enum_value(fields, method_source, raw_method, REQUEST_TYPES) if raw_method is not None else None
    token_url = auth.get("accessTokenUrl")
    if token_url is not None and (not isinstance(token_url, str) or not token_url.startswith("https://")):
        fields.add("auth.accessTokenUrl", "must use an https:// URL")
    fields.check()
    if auth_type is not None:
        out["authType"] = auth_type
        given = auth.get("authType")
        if not (isinstance(given, str) and given.upper() == auth_type):
            auth["authType"] = auth_type
    out["connectionUrl"] = raw_url
    out["requestType"] = request_type
    request_obj["connectionUrl"] = raw_url
    if not (isinstance(request_obj.get("requestType"), str) and request_obj["requestType"].upper() == request_type):
        request_obj["requestType"] = request_type
    out["auth"] = auth
    out["request"] = request_obj
    for name in ("inputMappings", "outputMappings", "customHeaders"):
        out.setdefault(name, [])
    out.setdefault("systemType", "DATA_SYSTEM")
    out.setdefault("connectionTimeout", 1000)
    out.setdefault("socketTimeout", 1000)
    out.setdefault("icon", "assets/images/icons/connections/plug.svg")
    out["archived"] = bool(out.get("archived", False))
    return out


def _enum_value(fields: Fields, name: str, value: Any, allowed: tuple[str, ...]) -> str | None:
    if not isinstance(value, str) or value.upper() not in allowed:
        fields.add(name, f"must be one of {', '.join(allowed)}")
        return None
    return value.upper()


def _is_uri(value: str) -> bool:
    parts = urlsplit(value)
    return bool(parts.scheme) and value[len(parts.scheme):].startswith(":") and len(value) > len(parts.scheme) + 1


def validate_decision_model(body: Json, current: Json | None) -> Json:
    fields = Fields(body)
    fields.string("name", required=True)
    status = fields.string("status", enum=("DRAFT", "TEST", "PRODUCTION", "ARCHIVED"))
    archived = fields.boolean("archived")
    _variant_configs(fields, "deploymentConfiguration")
    fields.check()
    out = {k: v for k, v in body.items() if k not in SERVER_FIELDS}
    previous_status = (current or {}).get("status", "DRAFT")
    if status == "ARCHIVED" or archived:
        out["archived"] = True
        out["status"] = "ARCHIVED"
    else:
        out["archived"] = False
        if status is None:
            status = previous_status if previous_status != "ARCHIVED" else "DRAFT"
        out["status"] = status
    out.setdefault("deploymentConfiguration", [])
    return out


def validate_flow(body: Json, current: Json | None) -> Json:
    fields = Fields(body)
    fields.string("name", required=True)
    flow_type = fields.string("type", required=True, enum=("WEB", "FULLSTACK", "API"))
    status = fields.string("status", enum=("DRAFT", "ACTIVE", "PAUSED", "ARCHIVED"))
    archived = fields.boolean("archived")
    _variant_configs(fields, "variants")
    fields.check()
    out = {k: v for k, v in body.items() if k not in SERVER_FIELDS}
    out["type"] = flow_type
    if status == "ARCHIVED" or archived:
        out["archived"] = True
        out["status"] = "ARCHIVED"
    else:
        out["archived"] = False
        previous = (current or {}).get("status", "DRAFT")
        out["status"] = status or (previous if previous != "ARCHIVED" else "DRAFT")
    out.setdefault("variants", [])
    return out


def validate_template(body: Json, current: Json | None) -> Json:
    fields = Fields(body)
    fields.string("name", required=True)
    template_type = fields.string("type", required=True, enum=("WEB", "DECISION"))
    for name in ("html", "css", "javascript"):
        fields.string(name)
    if body.get("archived") is True if isinstance(body, dict) else False:
        fields.add("archived", "templates cannot be archived")
    if current is not None and template_type is not None and template_type != current.get("type"):
        fields.add("type", f"cannot be changed after creation (is {current.get('type')})")
    fields.check()
    out = {k: v for k, v in body.items() if k not in SERVER_FIELDS and k != "archived"}
    return out


@dataclass(frozen=True)
class Kind:
    key: str  # key in the state document
    path: str  # URL segment
    label: str
    validate: Callable[[Json, Json | None], Json]


KINDS = (
    Kind("connections", "connections", "Connection", validate_connection),
    Kind("decisionModels", "decision-models", "Decision model", validate_decision_model),
    Kind("flowDefinitions", "flow-definitions", "Flow definition", validate_flow),
    Kind("templates", "templates", "Template", validate_template),
)


# --- handlers --------------------------------------------------------------------------------------


def _auth(request: Request) -> None:
    check_bearer(request.app.state.settings, request.headers.get("authorization"))


def _store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


def _present(request: Request, kind: Kind, obj: Json) -> Json:
    out = copy.deepcopy(obj)
    out["href"] = f"{str(request.base_url).rstrip('/')}/v1/{kind.path}/{obj['ref']}"
    return out


def _query_int(request: Request, name: str, default: int, minimum: int, maximum: int | None) -> int:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ApiError(400, f"Invalid query parameter {name}",
                       field_errors={name: ["must be an integer"]}) from None
    if value < minimum or (maximum is not None and value > maximum):
        bound = f"between {minimum} and {maximum}" if maximum is not None else f"at least {minimum}"
        raise ApiError(400, f"Invalid query parameter {name}", field_errors={name: [f"must be {bound}"]})
    return value


def _sort_key(field: str) -> Callable[[Json], tuple[int, str]]:
    def key(item: Json) -> tuple[int, str]:
        value = item.get(field)
        if value is None:
            return (1, "")
        return (0, value.lower() if isinstance(value, str) else f"{value:>030}" if isinstance(value, int) else str(value))
    return key


def make_handlers(kind: Kind) -> list[Route]:
    base = f"/v1/{kind.path}"

    async def list_items(request: Request) -> Response:
        _auth(request)
        page_size = _query_int(request, "pageSize", 20, 1, 100)
        offset = _query_int(request, "pageOffset", 0, 0, None)
        with _store(request).read() as data:
            items = [copy.deepcopy(o) for o in data["sitecore"][kind.key].values()]
        if kind.key == "flowDefinitions" and request.query_params.get("type"):
            wanted = request.query_params["type"].upper()
            if wanted not in ("WEB", "FULLSTACK", "API"):
                raise ApiError(400, "Invalid query parameter type",
                               field_errors={"type": ["must be one of WEB, FULLSTACK, API"]})
            items = [i for i in items if i.get("type") == wanted]
        archived = request.query_params.get("archived")
        if archived in ("true", "false"):
            items = [i for i in items if bool(i.get("archived")) == (archived == "true")]
        sort = request.query_params.get("sort")
        if sort:
            field, _, direction = sort.partition(":")
            descending = direction.strip().lower() == "desc"
            if field.startswith("-"):
                field, descending = field[1:], True
            items.sort(key=_sort_key(field.strip() or "createdAt"), reverse=descending)
        page = items[offset:offset + page_size]
        href = f"{str(request.base_url).rstrip('/')}{base}"
        return JSONResponse({"href": href, "offset": offset, "limit": page_size, "total": len(items),
                             "items": [_present(request, kind, o) for o in page]})

    async def create(request: Request) -> Response:
        _auth(request)
        body = await read_json(request)
        clean = kind.validate(body, None)
        stamp = now_iso()
        obj: Json = {"ref": new_ref(), **clean, "revision": 1, "createdAt": stamp, "modifiedAt": stamp,
                     "modifiedByUserRef": EMULATOR_USER_REF}
        with _store(request).mutate() as data:
            data["sitecore"][kind.key][obj["ref"]] = obj
            out = _present(request, kind, obj)
        return JSONResponse(out, status_code=201)

    def _get_obj(data: Json, ref: str) -> Json:
        obj: Json | None = data["sitecore"][kind.key].get(ref)
        if obj is None:
            raise ApiError(404, f"{kind.label} {ref} not found")
        return obj

    async def get(request: Request) -> Response:
        _auth(request)
        with _store(request).read() as data:
            out = _present(request, kind, _get_obj(data, request.path_params["id"]))
        return JSONResponse(out)

    async def replace(request: Request) -> Response:
        _auth(request)
        body = await read_json(request)
        ref = request.path_params["id"]
        with _store(request).mutate() as data:
            current = _get_obj(data, ref)
            if request.method == "PATCH":
                if not isinstance(body, dict):
                    raise ApiError(400, "Validation failed", field_errors={"body": ["must be a JSON object"]})
                merged = {k: v for k, v in current.items() if k not in SERVER_FIELDS}
                merged.update(body)
                body = merged
            clean = kind.validate(body, current)
            updated: Json = {"ref": ref, **clean, "revision": int(current.get("revision", 1)) + 1,
                             "createdAt": current["createdAt"], "modifiedAt": now_iso(),
                             "modifiedByUserRef": EMULATOR_USER_REF}
            data["sitecore"][kind.key][ref] = updated
            out = _present(request, kind, updated)
        return JSONResponse(out)

    routes = [
        Route(base, list_items, methods=["GET"]),
        Route(base, create, methods=["POST"]),
        Route(base + "/{id}", get, methods=["GET"]),
        Route(base + "/{id}", replace, methods=["PUT", "PATCH"]),
    ]
    if kind.key == "connections":
        async def test_connection(request: Request) -> Response:
            _auth(request)
            with _store(request).read() as data:
                url = str(_get_obj(data, request.path_params["id"]).get("connectionUrl", ""))
            return JSONResponse(connection_test_result(url))

        routes.append(Route(base + "/{id}/test", test_connection, methods=["POST"]))
    return routes


def connection_test_result(url: str) -> Json:
    """The emulator's stand-in for calling the external system.

    A URL containing ``fail`` fails (the external system answers 500); a URL that is not https
    fails (the emulator only "reaches" https services); every other https URL succeeds with 200.
    """
    if "fail" in url.lower():
        return {"success": False, "statusCode": 500,
                "message": f"Connection test failed: {url} responded with HTTP 500 Internal Server Error"}
    if not url.lower().startswith("https://"):
        return {"success": False, "statusCode": 0,
                "message": f"Connection test failed: {url} is not an https:// URL"}
    return {"success": True, "statusCode": 200, "message": "Connection test succeeded"}


def routes() -> list[Route]:
    out = [Route("/oauth/token", oauth_token, methods=["POST"])]
    for kind in KINDS:
        out.extend(make_handlers(kind))
    return out
