"""Request handling of the Contentstack Personalize Management API: credentials, headers, bodies, status
codes. The state and every write belong to the backend (``backend.py``); the rules on the stored objects
to ``models.py`` and ``experiences.py``; the URL table is ``urls.py``.

Success codes: POST 201, PUT and GET 200, DELETE 204 (the live service answers 201 for a version and 204
for an experience delete; the other codes are unconfirmed and follow the same Nest defaults).
"""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ..common import ApiError, read_json
from ..settings import EmulatorSettings
from .backend import ContentstackBackend
from .models import Kind

Handler = Callable[[Request], Awaitable[Response]]


def backend(request: Request) -> ContentstackBackend:
    found: ContentstackBackend = request.app.state.contentstack
    return found


async def authenticate(request: Request) -> None:
    """Exactly one credential: ``authtoken`` or ``authorization: Bearer <OAuth token>``. A body on a GET
    is ignored, as the live service does (docs/facts/contentstack.md#get-body)."""
    settings: EmulatorSettings = request.app.state.settings
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


async def project_scope(request: Request) -> str:
    """Checks the credentials; returns the ``x-project-uid`` of a project-scoped request."""
    await authenticate(request)
    project = request.headers.get("x-project-uid", "").strip()
    if not project:
        raise ApiError(401, "Missing x-project-uid header: project-scoped endpoints need the project uid")
    return project


def _json(value: Any, status: int = 200) -> JSONResponse:
    return JSONResponse(value, status_code=status)


def _no_content() -> Response:
    return Response(status_code=204)


# --- projects --------------------------------------------------------------------------------------------


async def _organization(request: Request) -> str:
    await authenticate(request)
    organization = request.headers.get("organization_uid", "").strip()
    if not organization:
        raise ApiError(401, "Missing organization_uid header: /projects is scoped by organization")
    backend(request).refuse_disabled(organization)
    return organization


async def list_projects(request: Request) -> Response:
    organization = await _organization(request)
    return _json(backend(request).projects(organization, request.query_params.get("connectedStackApiKey")))


async def create_project(request: Request) -> Response:
    organization = await _organization(request)
    body = await read_json(request)
    return _json(backend(request).create_project(organization, body), 201)


# --- one CRUD factory for the listed kinds (attributes, audiences, events, experiences) --------------------


def list_items(kind: Kind) -> Handler:
    async def handler(request: Request) -> Response:
        return _json(backend(request).listing(kind, await project_scope(request)))

    return handler


def create_item(kind: Kind) -> Handler:
    async def handler(request: Request) -> Response:
        project_uid = await project_scope(request)
        body = await read_json(request)
        return _json(backend(request).create(kind, project_uid, body), 201)

    return handler


def get_item(kind: Kind) -> Handler:
    async def handler(request: Request) -> Response:
        project_uid = await project_scope(request)
        return _json(backend(request).get(kind, project_uid, request.path_params["uid"]))

    return handler


def update_item(kind: Kind) -> Handler:
    async def handler(request: Request) -> Response:
        project_uid = await project_scope(request)
        body = await read_json(request)
        return _json(backend(request).update(kind, project_uid, request.path_params["uid"], body))

    return handler


def delete_item(kind: Kind) -> Handler:
    async def handler(request: Request) -> Response:
        project_uid = await project_scope(request)
        backend(request).delete(kind, project_uid, request.path_params["uid"])
        return _no_content()

    return handler


# --- versions --------------------------------------------------------------------------------------------


async def list_versions(request: Request) -> Response:
    project_uid = await project_scope(request)
    return _json(backend(request).versions(project_uid, request.path_params["uid"]))


async def create_version(request: Request) -> Response:
    project_uid = await project_scope(request)
    body = await read_json(request)
    return _json(backend(request).create_version(project_uid, request.path_params["uid"], body), 201)


async def update_version(request: Request) -> Response:
    project_uid = await project_scope(request)
    body = await read_json(request)
    params = request.path_params
    return _json(backend(request).update_version(project_uid, params["uid"], params["versionUid"], body))


async def delete_version(request: Request) -> Response:
    project_uid = await project_scope(request)
    backend(request).delete_version(project_uid, request.path_params["uid"], request.path_params["versionUid"])
    return _no_content()


# --- priority --------------------------------------------------------------------------------------------


async def get_priority(request: Request) -> Response:
    """``{"priorityOrder": [uid, ...]}``, highest priority first (the live GET shape is unconfirmed; this is
    the key third-party live callers send on PUT)."""
    return _json({"priorityOrder": backend(request).priority(await project_scope(request))})


async def update_priority(request: Request) -> Response:
    project_uid = await project_scope(request)
    body = await read_json(request)
    return _json({"priorityOrder": backend(request).set_priority(project_uid, body)})
