"""Request handling of the Contentstack Personalize Management API: credentials, headers, bodies, status
codes. The rules on the stored objects live in ``models.py``; the URL table in ``urls.py``.

Success codes: POST 201, PUT and GET 200, DELETE 204 (the live service answers 201 for a version and 204
for an experience delete; the other codes are unconfirmed and follow the same Nest defaults).
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import hmac
import json
from collections.abc import Awaitable, Callable, Iterator, Mapping
from functools import cache
from importlib import resources
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ..common import ApiError, Json, new_uid, read_json
from ..settings import EmulatorSettings
from ..state import Store
from . import models

Handler = Callable[[Request], Awaitable[Response]]


def _settings(request: Request) -> EmulatorSettings:
    settings: EmulatorSettings = request.app.state.settings
    return settings


def _store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


def _quotas(request: Request) -> Mapping[str, int]:
    return _settings(request).contentstack_quotas


async def authenticate(request: Request) -> None:
    """Exactly one credential: ``authtoken`` or ``authorization: Bearer <OAuth token>``; no body on a GET
    (the GCP front end refuses one as "malformed or illegal request")."""
    settings = _settings(request)
    authtoken = request.headers.get("authtoken")
    authorization = request.headers.get("authorization")
    if authtoken is not None and authorization is not None:
        raise ApiError(401, "Send one credential: either an 'authtoken' or an 'authorization' header, not both")
    if authtoken is not None:
        ok = hmac.compare_digest(authtoken.encode(), settings.contentstack_authtoken.encode())
    elif authorization is not None:
        scheme, _, token = authorization.partition(" ")
        ok = scheme.lower() == "bearer" and hmac.compare_digest(token.strip().encode(),
                                                                settings.contentstack_oauth_token.encode())
    else:
        raise ApiError(401, "You're not allowed in here unless you're logged in: send an 'authtoken' header "
                       "or 'authorization: Bearer <token>'")
    if not ok:
        raise ApiError(401, "The authtoken or OAuth token is invalid or expired")
    if request.method == "GET" and (await request.body()).strip():
        raise ApiError(400, "malformed or illegal request: a GET request must not have a body")


async def project_scope(request: Request) -> str:
    """Checks the credentials; returns the ``x-project-uid`` of a project-scoped request."""
    await authenticate(request)
    project = request.headers.get("x-project-uid", "").strip()
    if not project:
        raise ApiError(401, "Missing x-project-uid header: project-scoped endpoints need the project uid")
    return project


@contextlib.contextmanager
def _project(request: Request, project_uid: str, *, write: bool) -> Iterator[Json]:
    """The project under the store's lock, with due background jobs run; ``write`` creates it if need be
    and saves on a clean exit."""
    store = _store(request)
    with (store.mutate() if write else store.read()) as data:
        exists = project_uid in data["contentstack"]["projects"]
        if exists:
            _refuse_disabled(request, data["contentstack"]["projects"][project_uid].get("info", {}).get("organizationUid"))
        project = models.prepare(store.project(data, project_uid, create=write))
        if models.run_due_cms_jobs(project) and exists and not write:
            store.save()
        yield project


def _run_jobs_later(request: Request, project_uid: str, delay: float) -> None:
    """Lets the background job run on time even when nobody reads the experience (state file, log)."""
    store = _store(request)

    def run() -> None:
        with store.read() as data:
            project = data["contentstack"]["projects"].get(project_uid)
            if project is not None and models.run_due_cms_jobs(models.prepare(project)):
                store.save()

    asyncio.get_running_loop().call_later(max(0.0, delay) + 0.01, run)


def _json(value: Any, status: int = 200) -> JSONResponse:
    return JSONResponse(copy.deepcopy(value), status_code=status)


def _no_content() -> Response:
    return Response(status_code=204)


def _find(collection: Json, uid: str, label: str) -> Json:
    obj: Json | None = collection.get(uid)
    if obj is None:
        raise ApiError(404, f"{label} with uid {uid} was not found")
    return obj


# --- projects --------------------------------------------------------------------------------------------


def _refuse_disabled(request: Request, organization: str | None) -> None:
    """Where Personalize is not enabled the gateway answers 403 with ``error: "Forbidden"`` (the vendor CLI
    compares the extracted error with that string)."""
    if organization and organization in _settings(request).contentstack_disabled_organizations:
        raise ApiError(403, "Forbidden", code="Forbidden")


def _organization(request: Request) -> str:
    organization = request.headers.get("organization_uid", "").strip()
    if not organization:
        raise ApiError(401, "Missing organization_uid header: /projects is scoped by organization")
    _refuse_disabled(request, organization)
    return organization


async def list_projects(request: Request) -> Response:
    await authenticate(request)
    organization = _organization(request)
    stack = request.query_params.get("connectedStackApiKey")
    store = _store(request)
    with store.read() as data:
        projects = data["contentstack"]["projects"]
        out = [models.present_project(models.prepare(p)) for p in projects.values()
               if p.get("info", {}).get("organizationUid") == organization
               and (not stack or p["info"].get("connectedStackApiKey") == stack)]
    return _json(out)


async def create_project(request: Request) -> Response:
    await authenticate(request)
    organization = _organization(request)
    body = await read_json(request)
    store = _store(request)
    with store.mutate() as data:
        existing = models.organization_projects(data, organization)
        fields = models.validate_project(body, existing)
        models.quota_check(_quotas(request), "projects_per_organization", len(existing), "projects per organization")
        uid = new_uid()
        info = {"_id": uid, "uid": uid, **fields, "organizationUid": organization}
        info.setdefault("description", "")
        models.stamp(info, created=True)
        project = models.prepare(store.project(data, uid, create=True))
        project["info"] = info
        return _json(models.present_project(project), 201)


# --- attributes, audiences, events -----------------------------------------------------------------------


async def list_attributes(request: Request) -> Response:
    puid = await project_scope(request)
    with _project(request, puid, write=False) as project:
        return _json(models.preset_attributes(puid) + list(project["attributes"].values()))


async def create_attribute(request: Request) -> Response:
    puid = await project_scope(request)
    body = await read_json(request)
    with _project(request, puid, write=True) as project:
        fields = models.validate_attribute(body, project, puid, None)
        models.quota_check(_quotas(request), "attributes", len(project["attributes"]), "custom attributes")
        obj = models.new_object(puid, {**fields, "__type": "CUSTOM"})
        project["attributes"][obj["uid"]] = obj
        return _json(obj, 201)


async def update_attribute(request: Request) -> Response:
    puid = await project_scope(request)
    body = await read_json(request)
    uid = request.path_params["uid"]
    models.refuse_preset_change(puid, uid)
    with _project(request, puid, write=True) as project:
        current = _find(project["attributes"], uid, "Attribute")
        obj = models.replaced(current, models.validate_attribute(body, project, puid, uid))
        project["attributes"][uid] = obj
        return _json(obj)


async def delete_attribute(request: Request) -> Response:
    puid = await project_scope(request)
    uid = request.path_params["uid"]
    models.refuse_preset_change(puid, uid)
    with _project(request, puid, write=True) as project:
        _find(project["attributes"], uid, "Attribute")
        models.attribute_delete_rule(project, uid)
        del project["attributes"][uid]
    return _no_content()


async def list_audiences(request: Request) -> Response:
    puid = await project_scope(request)
    with _project(request, puid, write=False) as project:
        return _json(list(project["audiences"].values()))


async def create_audience(request: Request) -> Response:
    puid = await project_scope(request)
    body = await read_json(request)
    with _project(request, puid, write=True) as project:
        fields = models.validate_audience(body, project, _quotas(request))
        models.quota_check(_quotas(request), "audiences", len(project["audiences"]), "audiences")
        obj = models.new_object(puid, fields)
        project["audiences"][obj["uid"]] = obj
        return _json(obj, 201)


async def update_audience(request: Request) -> Response:
    puid = await project_scope(request)
    body = await read_json(request)
    uid = request.path_params["uid"]
    with _project(request, puid, write=True) as project:
        current = _find(project["audiences"], uid, "Audience")
        obj = models.replaced(current, models.validate_audience(body, project, _quotas(request)))
        project["audiences"][uid] = obj
        return _json(obj)


async def delete_audience(request: Request) -> Response:
    puid = await project_scope(request)
    uid = request.path_params["uid"]
    with _project(request, puid, write=True) as project:
        _find(project["audiences"], uid, "Audience")
        models.audience_delete_rule(project, uid)
        del project["audiences"][uid]
    return _no_content()


async def list_events(request: Request) -> Response:
    puid = await project_scope(request)
    with _project(request, puid, write=False) as project:
        return _json(list(project["events"].values()))


async def create_event(request: Request) -> Response:
    puid = await project_scope(request)
    body = await read_json(request)
    with _project(request, puid, write=True) as project:
        fields = models.validate_event(body, project, None)
        models.quota_check(_quotas(request), "events", len(project["events"]), "events")
        obj = models.new_object(puid, fields)
        project["events"][obj["uid"]] = obj
        return _json(obj, 201)


async def update_event(request: Request) -> Response:
    puid = await project_scope(request)
    body = await read_json(request)
    uid = request.path_params["uid"]
    with _project(request, puid, write=True) as project:
        current = _find(project["events"], uid, "Event")
        obj = models.replaced(current, models.validate_event(body, project, uid))
        project["events"][uid] = obj
        return _json(obj)


async def delete_event(request: Request) -> Response:
    puid = await project_scope(request)
    uid = request.path_params["uid"]
    with _project(request, puid, write=True) as project:
        _find(project["events"], uid, "Event")
        del project["events"][uid]
    return _no_content()


# --- experiences -----------------------------------------------------------------------------------------


async def list_experiences(request: Request) -> Response:
    puid = await project_scope(request)
    with _project(request, puid, write=False) as project:
        order = models.priority(project)
        return _json([models.present_experience(project, project["experiences"][uid]) for uid in order])


async def create_experience(request: Request) -> Response:
    puid = await project_scope(request)
    body = await read_json(request)
    with _project(request, puid, write=True) as project:
        fields = models.validate_experience(body, None)
        models.quota_check(_quotas(request), "experiences", len(project["experiences"]), "experiences")
        experience = models.create_experience(project, puid, fields)
        return _json(models.present_experience(project, experience), 201)


async def get_experience(request: Request) -> Response:
    puid = await project_scope(request)
    with _project(request, puid, write=False) as project:
        experience = _find(project["experiences"], request.path_params["uid"], "Experience")
        return _json(models.present_experience(project, experience))


async def update_experience(request: Request) -> Response:
    puid = await project_scope(request)
    body = await read_json(request)
    uid = request.path_params["uid"]
    with _project(request, puid, write=True) as project:
        current = _find(project["experiences"], uid, "Experience")
        obj = models.replaced(current, models.validate_experience(body, current))
        project["experiences"][uid] = obj
        return _json(models.present_experience(project, obj))


async def delete_experience(request: Request) -> Response:
    puid = await project_scope(request)
    uid = request.path_params["uid"]
    with _project(request, puid, write=True) as project:
        _find(project["experiences"], uid, "Experience")
        models.delete_experience(project, uid)
    return _no_content()


# --- versions --------------------------------------------------------------------------------------------


async def list_versions(request: Request) -> Response:
    """Newest first: versions are ordered by ``createdAt``; the direction is unconfirmed, a third-party
    live report says element 0 is usually the latest."""
    puid = await project_scope(request)
    uid = request.path_params["uid"]
    with _project(request, puid, write=False) as project:
        _find(project["experiences"], uid, "Experience")
        return _json(list(reversed(project["versions"].get(uid, []))))


def _after_write(request: Request, project: Json, puid: str, uid: str, version: Json) -> None:
    if version["status"] == "ACTIVE":
        models.activate(project["versions"][uid], version["uid"])
    delay = _settings(request).contentstack_cms_delay
    models.schedule_cms(project, uid, delay)
    if uid in project["cmsJobs"]:
        _run_jobs_later(request, puid, delay)


async def create_version(request: Request) -> Response:
    puid = await project_scope(request)
    body = await read_json(request)
    uid = request.path_params["uid"]
    with _project(request, puid, write=True) as project:
        experience = _find(project["experiences"], uid, "Experience")
        fields = models.validate_version(body, project, experience, _quotas(request), current=None)
        version = models.new_object(puid, {"experienceUid": uid, **fields})
        project["versions"].setdefault(uid, []).append(version)
        _after_write(request, project, puid, uid, version)
        return _json(version, 201)


async def update_version(request: Request) -> Response:
    puid = await project_scope(request)
    body = await read_json(request)
    uid = request.path_params["uid"]
    with _project(request, puid, write=True) as project:
        experience = _find(project["experiences"], uid, "Experience")
        current = models.find_version(project, uid, request.path_params["versionUid"])
        fields = models.validate_version(body, project, experience, _quotas(request), current=current)
        fresh = models.replaced(current, {"experienceUid": uid, **fields})
        current.clear()
        current.update(fresh)
        _after_write(request, project, puid, uid, current)
        return _json(current)


async def delete_version(request: Request) -> Response:
    puid = await project_scope(request)
    uid = request.path_params["uid"]
    with _project(request, puid, write=True) as project:
        _find(project["experiences"], uid, "Experience")
        version = models.find_version(project, uid, request.path_params["versionUid"])
        models.discard_version(project, uid, version)
    return _no_content()


# --- priority --------------------------------------------------------------------------------------------


async def get_priority(request: Request) -> Response:
    """``{"priorityOrder": [uid, ...]}``, highest priority first (the live GET shape is unconfirmed; this is
    the key third-party live callers send on PUT)."""
    puid = await project_scope(request)
    with _project(request, puid, write=False) as project:
        return _json({"priorityOrder": models.priority(project)})


async def update_priority(request: Request) -> Response:
    puid = await project_scope(request)
    body = await read_json(request)
    with _project(request, puid, write=True) as project:
        project["priority"] = models.validate_priority(body, project)
        return _json({"priorityOrder": models.priority(project)})


# --- geolocation -----------------------------------------------------------------------------------------


@cache
def geodata() -> Json:
    text = resources.files("pulumi_personalize.emulator").joinpath("data/geolocation.json").read_text("utf-8")
    loaded: Json = json.loads(text)
    return loaded


async def _geo(request: Request, kind: str, filters: dict[str, tuple[str, ...]]) -> Response:
    """Geolocation takes the credentials with or without ``x-project-uid`` (whether live needs the header
    is unconfirmed). Filters (all optional, names unconfirmed, case-insensitive): ``search`` / ``name``
    (substring of the name), ``code`` (comma-separated codes), per kind ``countryCode`` / ``regionCode``,
    ``limit`` (default 100) and ``skip``."""
    await authenticate(request)
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
    return _json(items[skip:skip + limit])


async def geo_countries(request: Request) -> Response:
    return await _geo(request, "countries", {})


async def geo_regions(request: Request) -> Response:
    return await _geo(request, "regions", {"countryCode": ("countryCode", "country")})


async def geo_cities(request: Request) -> Response:
    return await _geo(request, "cities", {"countryCode": ("countryCode", "country"),
                                          "regionCode": ("regionCode", "region")})


def rate_limit_key(store: Store, headers: Mapping[str, str]) -> str:
    """The 10 requests/s limit is per organization: ``organization_uid`` on /projects, else the organization
    owning the ``x-project-uid`` project. A project addressed without being created has no organization
    and counts as its own."""
    organization = headers.get("organization_uid", "").strip()
    if organization:
        return "org:" + organization
    project_uid = headers.get("x-project-uid", "").strip()
    if not project_uid:
        return "-"
    with store.read() as data:
        info = data["contentstack"]["projects"].get(project_uid, {}).get("info")
    if info and info.get("organizationUid"):
        return "org:" + str(info["organizationUid"])
    return "project:" + project_uid
