"""The Content Management API's variant groups, as far as Personalize's experiences need them
(``docs/facts/contentstack.md#cma``): ``GET /v3/variant_groups`` and ``PUT /v3/variant_groups/{uid}``.

The groups are the ones the Personalize side's background job makes (``_cms.variantGroup`` of each
experience, ``experiences.run_due_cms_jobs``): the same state, owned by the ``ContentstackBackend``,
seen from the stack; time is the backend's clock. A stack is named by
its ``api_key``: the projects whose ``connectedStackApiKey`` it is, and, for projects addressed by
``x-project-uid`` without being created (an emulator convenience, they connect no stack), the
emulator's own stack ``EMULATOR_STACK_API_KEY``. A deleted experience's group stays, as live
(``leftVariantGroups``, kept by ``experiences.delete_experience``). Linked content types are stored per project under
``variantGroupContentTypes`` (group uid -> content type uids); the emulator has no content types,
so any uid is taken.

Decisions where the vendor's material says nothing (unconfirmed): credentials and ``api_key``
missing or wrong answer 401, an ``api_key`` of no stack 412; a body that does not fit answers 422;
``name`` is required and cannot change ("managed by Personalize"); the PUT's ``content_types`` is
the group's whole list (entries ``linked``; ``unlinked`` ones and those left out are unlinked);
listed groups show ``content_types`` as uid strings, as the CMA SDKs' test answers do. Errors have
the CMA's shape, ``{"error_message", "error_code", "errors"?}``.
"""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ..common import Json, read_json
from ..settings import EmulatorSettings
from . import experiences as ex
from . import models
from .backend import ContentstackBackend

EMULATOR_STACK_API_KEY = "emulator-stack-api-key"
EMULATOR_MANAGEMENT_TOKEN = "emulator-management-token"
LINKS = "variantGroupContentTypes"
STATUSES = ("linked", "unlinked")


class CmaError(Exception):
    def __init__(self, status: int, message: str, errors: dict[str, list[str]] | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.errors = status, message, errors or {}

    def response(self) -> JSONResponse:
        body: Json = {"error_message": self.message, "error_code": self.status}
        if self.errors:
            body["errors"] = self.errors
        return JSONResponse(body, status_code=self.status)


def _authenticate(request: Request) -> str:
    """The request's stack api key, once its credential is one the emulator accepts: ``authtoken``,
    ``authorization: <management token>`` or ``authorization: Bearer <OAuth token>``."""
    settings: EmulatorSettings = request.app.state.settings
    api_key = request.headers.get("api_key", "").strip()
    authtoken, authorization = request.headers.get("authtoken"), request.headers.get("authorization")
    if not api_key:
        raise CmaError(401, "The api_key header is required.", {"api_key": ["is required."]})
    if authtoken is not None:
        ok = hmac.compare_digest(authtoken.encode(), settings.contentstack_authtoken.encode())
    elif authorization is not None:
        scheme, _, token = authorization.partition(" ")
        ok = (hmac.compare_digest(authorization.encode(), EMULATOR_MANAGEMENT_TOKEN.encode())
              or (scheme.lower() == "bearer"
                  and hmac.compare_digest(token.strip().encode(), settings.contentstack_oauth_token.encode())))
    else:
        raise CmaError(401, "You're not allowed in here unless you're logged in: send an authtoken or an "
                       "authorization header.")
    if not ok:
        raise CmaError(401, "The authtoken or management token is not valid.")
    return api_key


def _backend(request: Request) -> ContentstackBackend:
    found: ContentstackBackend = request.app.state.contentstack
    return found


def _stack_projects(request: Request, api_key: str) -> Iterator[tuple[str, Json]]:
    """(uid, project) of every project connected to the stack, with due background jobs run. Called
    with the store's lock held."""
    backend = _backend(request)
    projects: Json = backend.store.data["contentstack"]["projects"]
    found = False
    for uid, project in projects.items():
        stack = project.get("info", {}).get("connectedStackApiKey")
        if stack == api_key or (stack is None and api_key == EMULATOR_STACK_API_KEY):
            found = True
            if ex.run_due_cms_jobs(models.prepare(project), backend.clock.time()):
                backend.store.changed()
            project.setdefault(LINKS, {})
            yield uid, project
    if not found and api_key != EMULATOR_STACK_API_KEY:
        raise CmaError(412, "The api_key is not valid.", {"api_key": ["is not valid."]})


def _group(project_uid: str, project: Json, uid: str, experience: Json) -> Json:
    experience_uid = experience["uid"]
    return {
        "uid": uid, "name": experience.get("name"), "source": "Personalize",
        "content_types": list(project[LINKS].get(uid, [])),
        "personalize_metadata": {"experience_uid": experience_uid, "experience_short_uid": experience.get("shortUid"),
                                 "project_uid": project_uid},
        "created_at": experience.get("createdAt"), "updated_at": experience.get("updatedAt"),
    }


def _groups(request: Request, api_key: str) -> Iterator[tuple[Json, Json]]:
    """(group, its project) for every variant group of the stack."""
    for project_uid, project in _stack_projects(request, api_key):
        for experience_uid, cms in list(project["cms"].items()):
            experience = project["experiences"].get(experience_uid)
            if experience is not None and isinstance(cms.get("variantGroup"), str):
                yield _group(project_uid, project, cms["variantGroup"], experience), project
        for uid, left in list(project.get("leftVariantGroups", {}).items()):  # of deleted experiences
            yield _group(project_uid, project, uid, left["experience"]), project


def _int(request: Request, name: str, default: int) -> int:
    raw = request.query_params.get(name)
    try:
        return default if raw is None else max(0, int(raw))
    except ValueError:
        raise CmaError(422, f"{name} must be a number.", {name: ["must be a number."]}) from None


def _cma(handler: Callable[[Request], Awaitable[Response]]) -> Callable[[Request], Awaitable[Response]]:
    async def handle(request: Request) -> Response:
        try:
            return await handler(request)
        except CmaError as exc:
            return exc.response()

    handle.__name__ = handler.__name__
    return handle


@_cma
async def list_variant_groups(request: Request) -> Response:
    """``{"variant_groups": [...]}`` (``count`` too with ``include_count=true``); filters
    ``experience_uid``; pages ``skip`` / ``limit`` (100 by default)."""
    api_key = _authenticate(request)
    wanted = request.query_params.get("experience_uid")
    skip, limit = _int(request, "skip", 0), _int(request, "limit", 100)
    with _backend(request).store.read():
        groups = [g for g, _ in _groups(request, api_key)
                  if not wanted or g["personalize_metadata"]["experience_uid"] == wanted]
    body: Json = {"variant_groups": groups[skip:skip + limit]}
    if request.query_params.get("include_count") == "true":
        body["count"] = len(groups)
    return JSONResponse(body)


def _content_types(body: Any, group: Json) -> list[str]:
    """The linked uids a PUT body asks for; 422 when it does not fit."""
    errors: dict[str, list[str]] = {}
    if not isinstance(body, dict):
        raise CmaError(422, "The request body must be a JSON object.")
    if body.get("name") is None:
        errors["name"] = ["is required."]
    elif body["name"] != group["name"]:
        errors["name"] = ["cannot be changed: variant group details are managed by Personalize."]
    entries = body.get("content_types")
    if not isinstance(entries, list):
        errors["content_types"] = ["is required and must be an array."]
        entries = []
    linked: list[str] = []
    for index, entry in enumerate(entries):
        item = {"uid": entry, "status": "linked"} if isinstance(entry, str) else entry
        if not isinstance(item, dict) or not isinstance(item.get("uid"), str) or item.get("status") not in STATUSES:
            errors[f"content_types[{index}]"] = ['must be {"uid": <content type uid>, "status": "linked"|"unlinked"}.']
        elif item["status"] == "linked" and item["uid"] not in linked:
            linked.append(item["uid"])
    if errors:
        raise CmaError(422, "Variant group was not updated. Please try again.", errors)
    return linked


@_cma
async def update_variant_group(request: Request) -> Response:
    api_key = _authenticate(request)
    uid = request.path_params["uid"]
    body = await read_json(request, required=False)
    with _backend(request).store.mutate():
        found = next(((g, p) for g, p in _groups(request, api_key) if g["uid"] == uid), None)
        if found is None:
            raise CmaError(404, "Variant group was not found.")
        group, project = found
        project[LINKS][uid] = _content_types(body, group)
        group["content_types"] = list(project[LINKS][uid])
    return JSONResponse({"notice": "Variant group updated successfully.", "variant_group": group})


URLS: list[tuple[str, str, Callable[[Request], Awaitable[Response]]]] = [
    ("/v3/variant_groups", "GET", list_variant_groups),
    ("/v3/variant_groups/{uid}", "PUT", update_variant_group),
]
