"""Contentstack Personalize: attributes, audiences, events, experiences and their versions,
experience priority, geolocation. Everything is scoped by the ``x-project-uid`` header.

Shapes the emulator sends (both where the seed file and the prose documentation differ):

* lists: ``{"data": [...]}`` (the seed file's ``*List`` schemas);
* timestamps: ``created_at`` / ``updated_at`` (seed file) and ``createdAt`` / ``updatedAt`` (prose);
* audiences: ``definition`` (prose) mirrored as ``rules`` (seed file); a request may send either,
  ``definition`` wins when both are present;
* experiences: ``__type`` (prose) mirrored as ``type`` (seed file); a request may send either;
  ``status`` is derived from the versions: ``ACTIVE`` (an active version), ``INACTIVE`` (a paused
  version), otherwise ``DRAFT``; ``latestVersion`` is the newest version object, ``activeVersion`` the
  uid of the active or paused version (or ``null``);
* experience priority: ``{"priority": [uid, ...]}`` (seed file).
"""

from __future__ import annotations

import contextlib
import copy
import hmac
import json
from collections.abc import Awaitable, Callable, Iterator
from functools import cache
from importlib import resources
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .common import ApiError, Fields, Json, new_uid, now_iso, read_json
from .settings import EmulatorSettings
from .state import Store

DATA_TYPES = ("string", "number", "boolean", "date")
EXPERIENCE_TYPES = ("SEGMENTED", "AB_TEST")
VARIANT_TYPE = {"SEGMENTED": "SegmentedVariant", "AB_TEST": "ABTestVariant"}
COMBINATIONS = ("AND", "OR")
VERSION_STATUSES = ("DRAFT", "ACTIVE", "PAUSED")
LIVE = ("ACTIVE", "PAUSED")
SERVER_FIELDS = ("uid", "created_at", "updated_at", "createdAt", "updatedAt", "createdBy", "updatedBy")


def project_uid(request: Request) -> str:
    """Checks the credentials and returns the project the request is scoped to."""
    settings: EmulatorSettings = request.app.state.settings
    authtoken = request.headers.get("authtoken")
    authorization = request.headers.get("authorization", "")
    ok = False
    if authtoken is not None:
        ok = hmac.compare_digest(authtoken, settings.contentstack_authtoken)
    elif authorization:
        scheme, _, token = authorization.partition(" ")
        ok = scheme.lower() == "bearer" and hmac.compare_digest(token.strip(), settings.contentstack_oauth_token)
    else:
        raise ApiError(401, "Missing credentials: send an 'authtoken' header or 'authorization: Bearer <token>'")
    if not ok:
        raise ApiError(401, "The authtoken or OAuth token is invalid")
    project = request.headers.get("x-project-uid", "").strip()
    if not project:
        raise ApiError(401, "Missing x-project-uid header")
    return project


def _store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


@contextlib.contextmanager
def _project(request: Request, puid: str, *, write: bool) -> Iterator[Json]:
    """The project under the store's lock; ``write`` creates it if need be and saves on a clean exit."""
    store = _store(request)
    with (store.mutate() if write else store.read()) as data:
        yield store.project(data, puid, create=write)


def _stamp(obj: Json, *, created: bool) -> None:
    stamp = now_iso()
    if created:
        obj["created_at"] = obj["createdAt"] = stamp
    obj["updated_at"] = obj["updatedAt"] = stamp


def _clean(body: Json) -> Json:
    return {k: v for k, v in body.items() if k not in SERVER_FIELDS}


def _listing(items: Any) -> JSONResponse:
    return JSONResponse({"data": [copy.deepcopy(i) for i in items]})


def _deleted(label: str) -> JSONResponse:
    return JSONResponse({"message": f"{label} deleted successfully"})


def _find(collection: Json, uid: str, label: str) -> Json:
    obj: Json | None = collection.get(uid)
    if obj is None:
        raise ApiError(404, f"{label} with uid {uid} was not found")
    return obj


def _unique_key(collection: Json, key: str | None, own_uid: str | None, fields: Fields) -> None:
    if key is None:
        return
    for uid, other in collection.items():
        if uid != own_uid and other.get("key") == key:
            fields.add("key", f"'{key}' is already used by {uid}")


# --- project-scoped collections ------------------------------------------------------------------
# Attributes, audiences and events differ only in how a body is validated and in what may block a
# delete, so one factory builds their list/create/update/delete handlers.

# (body, project, uid of the object being replaced or None) -> the fields to store; raises ApiError
Validate = Callable[[Any, Json, str | None], Json]
# (project, uid) -> None; raises ApiError while something still refers to the object
DeleteRule = Callable[[Json, str], None]
Handler = Callable[[Request], Awaitable[Response]]


def _created(clean: Json) -> Json:
    obj = {"uid": new_uid(), **clean}
    _stamp(obj, created=True)
    return obj


def _replaced(uid: str, clean: Json, current: Json) -> Json:
    """A PUT replaces the whole object but keeps its creation stamps."""
    obj = {"uid": uid, **clean, "created_at": current["created_at"], "createdAt": current["createdAt"]}
    _stamp(obj, created=False)
    return obj


def collection_routes(name: str, label: str, validate: Validate,
                      delete_rule: DeleteRule | None = None) -> list[Route]:
    """GET/POST ``/{name}`` and PUT/DELETE ``/{name}/{id}`` over ``project[name]``."""

    async def list_items(request: Request) -> Response:
        puid = project_uid(request)
        with _project(request, puid, write=False) as project:
            return _listing(project[name].values())

    async def create(request: Request) -> Response:
        puid = project_uid(request)
        body = await read_json(request)
        with _project(request, puid, write=True) as project:
            obj = _created(validate(body, project, None))
            project[name][obj["uid"]] = obj
            return JSONResponse(copy.deepcopy(obj), status_code=201)

    async def update(request: Request) -> Response:
        puid = project_uid(request)
        body = await read_json(request)
        uid = request.path_params["id"]
        with _project(request, puid, write=True) as project:
            current = _find(project[name], uid, label)
            obj = _replaced(uid, validate(body, project, uid), current)
            project[name][uid] = obj
            return JSONResponse(copy.deepcopy(obj))

    async def delete(request: Request) -> Response:
        puid = project_uid(request)
        uid = request.path_params["id"]
        with _project(request, puid, write=True) as project:
            _find(project[name], uid, label)
            if delete_rule is not None:
                delete_rule(project, uid)
            del project[name][uid]
        return _deleted(label)

    # route names as the hand-written handlers had them (list_attributes, create_attribute, ...)
    one = label.lower()
    handlers: list[tuple[str, Handler, str, str]] = [
        (f"/{name}", list_items, "GET", f"list_{name}"),
        (f"/{name}", create, "POST", f"create_{one}"),
        (f"/{name}/{{id}}", update, "PUT", f"update_{one}"),
        (f"/{name}/{{id}}", delete, "DELETE", f"delete_{one}"),
    ]
    return [Route(path, handler, methods=[method], name=route_name)
            for path, handler, method, route_name in handlers]


# --- attributes ----------------------------------------------------------------------------------


def _validate_attribute(body: Any, project: Json, own_uid: str | None) -> Json:
    fields = Fields(body)
    fields.string("name", required=True)
    key = fields.string("key", required=True)
    fields.string("data_type", required=True, enum=DATA_TYPES)
    fields.string("description")
    _unique_key(project["attributes"], key, own_uid, fields)
    fields.check()
    return _clean(body)


def _attribute_uses(project: Json, uid: str) -> list[str]:
    users = []
    for audience in project["audiences"].values():
        if any(ref == uid for ref in _custom_attribute_refs(audience.get("definition"))):
            users.append(audience["uid"])
    return users


def _attribute_delete_rule(project: Json, uid: str) -> None:
    users = _attribute_uses(project, uid)
    if users:
        raise ApiError(400, f"Attribute {uid} is used by audiences {', '.join(users)} and cannot be deleted",
                       field_errors={"uid": [f"is referenced by audience {u}" for u in users]})


def _custom_attribute_refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        if node.get("__type") == "CustomAttributeReference" and isinstance(node.get("ref"), str):
            yield node["ref"]
        for value in node.values():
            yield from _custom_attribute_refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _custom_attribute_refs(value)


# --- audiences -----------------------------------------------------------------------------------


def _validate_definition(node: Any, path: str, fields: Fields) -> None:
    if not isinstance(node, dict):
        fields.add(path, "must be an object")
        return
    node_type = node.get("__type")
    if node_type == "RuleCombination":
        if node.get("combinationType") not in COMBINATIONS:
            fields.add(f"{path}.combinationType", "must be one of AND, OR")
        rules = node.get("rules")
        if not isinstance(rules, list):
            fields.add(f"{path}.rules", "must be an array")
        else:
            for index, rule in enumerate(rules):
                _validate_definition(rule, f"{path}.rules[{index}]", fields)
    elif node_type == "Rule":
        attribute = node.get("attribute")
        if not isinstance(attribute, dict) or attribute.get("__type") not in (
            "PresetAttributeReference", "CustomAttributeReference"
        ):
            fields.add(f"{path}.attribute", "must be a PresetAttributeReference or CustomAttributeReference")
        if not isinstance(node.get("attributeMatchCondition"), str):
            fields.add(f"{path}.attributeMatchCondition", "is required")
        if "invertCondition" in node and not isinstance(node["invertCondition"], bool):
            fields.add(f"{path}.invertCondition", "must be a boolean")
    elif node_type is not None:
        fields.add(f"{path}.__type", "must be RuleCombination or Rule")


def _validate_audience(body: Any, project: Json, own_uid: str | None) -> Json:
    fields = Fields(body)
    fields.string("name", required=True)
    fields.string("description")
    definition = fields.obj("definition")
    rules = fields.obj("rules")
    chosen = definition if definition is not None else rules
    if chosen is not None and chosen.get("__type") is not None:
        _validate_definition(chosen, "definition" if definition is not None else "rules", fields)
        for ref in _custom_attribute_refs(chosen):
            if ref not in project["attributes"]:
                fields.add("definition", f"refers to custom attribute {ref}, which does not exist")
    fields.check()
    out = _clean(body)
    if chosen is not None:
        out["definition"] = chosen
        out["rules"] = chosen
    return out


def _audience_refs(version: Json) -> set[str]:
    refs: set[str] = set()
    for variant in version.get("variants") or []:
        if isinstance(variant, dict):
            refs.update(a for a in variant.get("audiences") or [] if isinstance(a, str))
    targeting = version.get("targeting")
    if isinstance(targeting, dict) and isinstance(targeting.get("audience"), dict):
        refs.update(a for a in targeting["audience"].get("audiences") or [] if isinstance(a, str))
    return refs


def _audience_delete_rule(project: Json, uid: str) -> None:
    users = sorted(
        exp_uid for exp_uid, versions in project["versions"].items()
        if any(v["status"] == "ACTIVE" and uid in _audience_refs(v) for v in versions)
    )
    if users:
        raise ApiError(400, f"Audience {uid} is used by active experiences {', '.join(users)} "
                            "and cannot be deleted",
                       field_errors={"uid": [f"is referenced by active experience {u}" for u in users]})


# --- events --------------------------------------------------------------------------------------


def _validate_event(body: Any, project: Json, own_uid: str | None) -> Json:
    fields = Fields(body)
    fields.string("name", required=True)
    key = fields.string("key", required=True)
    fields.string("description")
    _unique_key(project["events"], key, own_uid, fields)
    fields.check()
    return _clean(body)


# --- experiences -----------------------------------------------------------------------------------


def _present_experience(project: Json, experience: Json) -> Json:
    out = copy.deepcopy(experience)
    versions = project["versions"].get(experience["uid"], [])
    statuses = {v["status"] for v in versions}
    out["status"] = "ACTIVE" if "ACTIVE" in statuses else "INACTIVE" if "PAUSED" in statuses else "DRAFT"
    out["latestVersion"] = copy.deepcopy(versions[-1]) if versions else None
    live = [v["uid"] for v in versions if v["status"] in LIVE]
    out["activeVersion"] = live[-1] if live else None
    return out


def _validate_experience(body: Any, current: Json | None) -> Json:
    fields = Fields(body)
    fields.string("name", required=True)
    fields.string("description")
    dunder = fields.string("__type", enum=EXPERIENCE_TYPES)
    plain = fields.string("type", enum=EXPERIENCE_TYPES)
    exp_type = dunder or plain
    if isinstance(body, dict) and "__type" not in body and "type" not in body and current is None:
        fields.add("__type", "is required (SEGMENTED or AB_TEST)")
    if dunder and plain and dunder != plain:
        fields.add("type", "must match __type")
    if current is not None and exp_type is not None and exp_type != current["__type"]:
        fields.add("__type", f"cannot be changed after creation (is {current['__type']})")
    fields.check()
    out = {k: v for k, v in _clean(body).items()
           if k not in ("status", "latestVersion", "activeVersion", "variants")}
    out["__type"] = out["type"] = exp_type or (current or {}).get("__type")
    return out


async def list_experiences(request: Request) -> Response:
    puid = project_uid(request)
    with _project(request, puid, write=False) as project:
        return _listing(_present_experience(project, e) for e in project["experiences"].values())


async def create_experience(request: Request) -> Response:
    puid = project_uid(request)
    body = await read_json(request)
    with _project(request, puid, write=True) as project:
        obj = _created(_validate_experience(body, None))
        project["experiences"][obj["uid"]] = obj
        draft: Json = {"uid": new_uid(), "experience": obj["uid"], "status": "DRAFT", "variants": []}
        _stamp(draft, created=True)
        project["versions"][obj["uid"]] = [draft]
        project["priority"].append(obj["uid"])
        return JSONResponse(_present_experience(project, obj), status_code=201)


async def get_experience(request: Request) -> Response:
    puid = project_uid(request)
    with _project(request, puid, write=False) as project:
        experience = _find(project["experiences"], request.path_params["id"], "Experience")
        return JSONResponse(_present_experience(project, experience))


async def update_experience(request: Request) -> Response:
    puid = project_uid(request)
    body = await read_json(request)
    uid = request.path_params["id"]
    with _project(request, puid, write=True) as project:
        current = _find(project["experiences"], uid, "Experience")
        obj = _replaced(uid, _validate_experience(body, current), current)
        project["experiences"][uid] = obj
        return JSONResponse(_present_experience(project, obj))


async def delete_experience(request: Request) -> Response:
    puid = project_uid(request)
    uid = request.path_params["id"]
    with _project(request, puid, write=True) as project:
        _find(project["experiences"], uid, "Experience")
        if any(v["status"] == "ACTIVE" for v in project["versions"].get(uid, [])):
            raise ApiError(400, f"Experience {uid} is active; pause its active version before deleting it",
                           field_errors={"status": ["an active experience cannot be deleted; pause it first"]})
        del project["experiences"][uid]
        project["versions"].pop(uid, None)
        project["priority"] = [p for p in project["priority"] if p != uid]
    return _deleted("Experience")


# --- experience versions ---------------------------------------------------------------------------


def _validate_version(body: Any, experience: Json, versions: list[Json], *, creating: bool,
                      current: Json | None) -> Json:
    exp_type = experience["__type"]
    fields = Fields(body)
    allowed = ("DRAFT", "ACTIVE") if creating else VERSION_STATUSES
    status = fields.string("status", enum=allowed) or ("DRAFT" if creating else (current or {}).get("status"))
    variants = fields.array("variants", items=dict)
    fields.string("variantSplit")
    metrics = fields.array("metrics", items=dict)
    targeting = fields.obj("targeting")
    out = {k: v for k, v in _clean(body).items() if k != "experience"} if isinstance(body, dict) else {}
    used = {v.get("shortUid") for ver in versions for v in ver.get("variants", []) if isinstance(v, dict)}
    next_short = max([int(s) for s in used if isinstance(s, str) and s.isdigit()], default=-1) + 1
    clean_variants = []
    for index, variant in enumerate(variants or []):
        if not isinstance(variant, dict):
            continue
        sub = Fields(variant, prefix=f"variants[{index}].")
        vtype = sub.string("__type", enum=tuple(VARIANT_TYPE.values()))
        if vtype is not None and vtype != VARIANT_TYPE[exp_type]:
            sub.add("__type", f"must be {VARIANT_TYPE[exp_type]} for a {exp_type} experience")
        sub.string("name", required=True)
        short = sub.string("shortUid")
        if exp_type == "SEGMENTED":
            sub.array("audiences", items=str)
            sub.string("audienceCombinationType", enum=COMBINATIONS)
        else:
            sub.number("trafficDistribution", minimum=0, maximum=100)
        fields.merge(sub)
        clean = dict(variant)
        clean["__type"] = VARIANT_TYPE[exp_type]
        if short is None:
            clean["shortUid"] = str(next_short)
            next_short += 1
        if exp_type == "SEGMENTED":
            clean.setdefault("audiences", [])
            clean.setdefault("audienceCombinationType", "OR")
        clean_variants.append(clean)
    for index, metric in enumerate(metrics or []):
        if isinstance(metric, dict):
            sub = Fields(metric, prefix=f"metrics[{index}].")
            sub.string("__type", required=True, enum=("Primary", "Secondary"))
            sub.string("event", required=True)
            sub.string("name")
            fields.merge(sub)
    if targeting is not None and "audience" in targeting:
        audience = targeting["audience"]
        if not isinstance(audience, dict):
            fields.add("targeting.audience", "must be an object")
        else:
            sub = Fields(audience, prefix="targeting.audience.")
            sub.array("audiences", items=str)
            sub.string("audienceCombinationType", enum=COMBINATIONS)
            fields.merge(sub)
    if status == "ACTIVE" and not clean_variants and not fields.errors:
        fields.add("variants", "an active version needs at least one variant")
    if current is not None and not fields.errors:
        previous = current["status"]
        if previous == "ARCHIVED":
            fields.add("status", "an archived version cannot be modified")
        elif previous in LIVE and status == "DRAFT":
            fields.add("status", f"a {previous} version cannot go back to DRAFT; create a new version")
        elif previous == "DRAFT" and status == "PAUSED":
            fields.add("status", "only an ACTIVE version can be PAUSED")
    if creating and any(v["status"] == "DRAFT" for v in versions):
        fields.add("status", "a DRAFT version already exists; update it instead of creating a new one")
    fields.check()
    out["status"] = status
    out["variants"] = clean_variants
    return out


def _activate(versions: list[Json], keep_uid: str) -> None:
    """Activation archives whichever version was live before."""
    for version in versions:
        if version["uid"] != keep_uid and version["status"] in LIVE:
            version["status"] = "ARCHIVED"
            _stamp(version, created=False)


async def list_versions(request: Request) -> Response:
    puid = project_uid(request)
    with _project(request, puid, write=False) as project:
        uid = request.path_params["id"]
        _find(project["experiences"], uid, "Experience")
        versions = sorted(project["versions"].get(uid, []), key=lambda v: v["createdAt"])
        return _listing(versions)


async def create_version(request: Request) -> Response:
    puid = project_uid(request)
    body = await read_json(request)
    uid = request.path_params["id"]
    with _project(request, puid, write=True) as project:
        experience = _find(project["experiences"], uid, "Experience")
        versions = project["versions"].setdefault(uid, [])
        clean = _validate_version(body, experience, versions, creating=True, current=None)
        version: Json = {"uid": new_uid(), "experience": uid, **clean}
        _stamp(version, created=True)
        versions.append(version)
        if version["status"] == "ACTIVE":
            _activate(versions, version["uid"])
        return JSONResponse(copy.deepcopy(version), status_code=201)


def _find_version(project: Json, uid: str, version_uid: str) -> tuple[list[Json], Json]:
    versions: list[Json] = project["versions"].get(uid, [])
    for version in versions:
        if version["uid"] == version_uid:
            return versions, version
    raise ApiError(404, f"Version {version_uid} of experience {uid} was not found")


async def get_version(request: Request) -> Response:
    puid = project_uid(request)
    with _project(request, puid, write=False) as project:
        uid = request.path_params["id"]
        _find(project["experiences"], uid, "Experience")
        return JSONResponse(copy.deepcopy(_find_version(project, uid, request.path_params["version"])[1]))


async def update_version(request: Request) -> Response:
    puid = project_uid(request)
    body = await read_json(request)
    uid = request.path_params["id"]
    with _project(request, puid, write=True) as project:
        experience = _find(project["experiences"], uid, "Experience")
        versions, current = _find_version(project, uid, request.path_params["version"])
        clean = _validate_version(body, experience, versions, creating=False, current=current)
        keep = {k: current[k] for k in ("uid", "experience", "created_at", "createdAt")}
        current.clear()
        current.update({**keep, **clean})
        _stamp(current, created=False)
        if current["status"] == "ACTIVE":
            _activate(versions, current["uid"])
        return JSONResponse(copy.deepcopy(current))


async def delete_version(request: Request) -> Response:
    puid = project_uid(request)
    uid = request.path_params["id"]
    with _project(request, puid, write=True) as project:
        _find(project["experiences"], uid, "Experience")
        versions, current = _find_version(project, uid, request.path_params["version"])
        if current["status"] != "DRAFT":
            raise ApiError(400, f"Only a DRAFT version can be deleted; this version is {current['status']}",
                           field_errors={"status": [f"is {current['status']}; only DRAFT versions can be deleted"]})
        versions.remove(current)
    return _deleted("Version")


# --- priority ----------------------------------------------------------------------------------------


def _priority(project: Json) -> list[str]:
    """Every experience exactly once: stored order first, then any missing ones in creation order."""
    known = project["experiences"]
    order = [uid for uid in project["priority"] if uid in known]
    order += [uid for uid in known if uid not in order]
    return order


async def get_priority(request: Request) -> Response:
    puid = project_uid(request)
    with _project(request, puid, write=False) as project:
        return JSONResponse({"priority": _priority(project)})


async def update_priority(request: Request) -> Response:
    puid = project_uid(request)
    body = await read_json(request)
    fields = Fields(body)
    order = fields.array("priority", required=True, items=str)
    fields.check()
    with _project(request, puid, write=True) as project:
        seen: set[str] = set()
        for index, uid in enumerate(order or []):
            if uid in seen:
                fields.add(f"priority[{index}]", f"experience {uid} is listed twice")
            elif uid not in project["experiences"]:
                fields.add(f"priority[{index}]", f"experience {uid} does not exist in this project")
            seen.add(uid)
        fields.check()
        listed = list(order or [])
        # experiences the request leaves out keep their previous relative order after the listed ones
        project["priority"] = listed + [uid for uid in _priority(project) if uid not in seen]
        return JSONResponse({"priority": list(project["priority"])})


# --- geolocation --------------------------------------------------------------------------------------


@cache
def geodata() -> Json:
    text = resources.files("pulumi_personalize.emulator").joinpath("data/geolocation.json").read_text("utf-8")
    loaded: Json = json.loads(text)
    return loaded


def _geo(request: Request, kind: str, filters: dict[str, tuple[str, ...]]) -> Response:
    """Filters (all optional, case-insensitive): ``search`` / ``name`` (substring of the name),
    ``code`` (comma-separated codes), and per kind ``countryCode`` / ``regionCode``;
    ``limit`` (default 100) and ``skip`` for paging."""
    project_uid(request)
    params = request.query_params
    items: list[Json] = list(geodata()[kind])
    needle = (params.get("search") or params.get("name") or "").strip().lower()
    if needle:
        items = [i for i in items if needle in i["name"].lower()]
    codes = {c.strip().upper() for c in (params.get("code") or params.get("codes") or "").split(",") if c.strip()}
    if codes:
        items = [i for i in items if i["code"].upper() in codes or i.get("regionCode", "").upper() in codes]
    for field, aliases in filters.items():
        raw = next((params[a] for a in aliases if params.get(a)), None)
        if raw:
            wanted = {c.strip().upper() for c in raw.split(",")}
            items = [i for i in items if str(i.get(field, "")).upper() in wanted
                     or str(i.get(field, "")).upper().split("-")[-1] in wanted]
    try:
        skip = max(0, int(params.get("skip", "0")))
        limit = max(0, int(params.get("limit", "100")))
    except ValueError:
        skip, limit = 0, 100
    return _listing(items[skip:skip + limit])


async def geo_countries(request: Request) -> Response:
    return _geo(request, "countries", {})


async def geo_regions(request: Request) -> Response:
    return _geo(request, "regions", {"countryCode": ("countryCode", "country")})


async def geo_cities(request: Request) -> Response:
    return _geo(request, "cities", {"countryCode": ("countryCode", "country"),
                                    "regionCode": ("regionCode", "region")})


def routes() -> list[Route]:
    return [
        *collection_routes("attributes", "Attribute", _validate_attribute, _attribute_delete_rule),
        *collection_routes("audiences", "Audience", _validate_audience, _audience_delete_rule),
        *collection_routes("events", "Event", _validate_event),
        Route("/experiences/priority", get_priority, methods=["GET"]),
        Route("/experiences/priority", update_priority, methods=["PUT"]),
        Route("/experiences", list_experiences, methods=["GET"]),
        Route("/experiences", create_experience, methods=["POST"]),
        Route("/experiences/{id}", get_experience, methods=["GET"]),
        Route("/experiences/{id}", update_experience, methods=["PUT"]),
        Route("/experiences/{id}", delete_experience, methods=["DELETE"]),
        Route("/experiences/{id}/versions", list_versions, methods=["GET"]),
        Route("/experiences/{id}/versions", create_version, methods=["POST"]),
        Route("/experiences/{id}/versions/{version}", get_version, methods=["GET"]),
        Route("/experiences/{id}/versions/{version}", update_version, methods=["PUT"]),
        Route("/experiences/{id}/versions/{version}", delete_version, methods=["DELETE"]),
        Route("/geolocation/countries", geo_countries, methods=["GET"]),
        Route("/geolocation/regions", geo_regions, methods=["GET"]),
        Route("/geolocation/cities", geo_cities, methods=["GET"]),
    ]
