"""The URL table of the Contentstack Personalize Management API (docs/facts/contentstack.md#endpoints), at the root of the base URL.

Not served, as live: ``GET /experiences/{uid}/versions/{versionUid}`` (a Nest-style 404 "Cannot GET ..."),
single-item GETs of attributes, audiences and events, and the old ``/experiences/priority``.
"""

from __future__ import annotations

from starlette.routing import Route

from . import cma
from . import geolocation as geo
from . import handlers as h
from .experiences import EXPERIENCES
from .models import ATTRIBUTES, AUDIENCES, EVENTS

URLS: list[tuple[str, str, h.Handler]] = [
    ("/projects", "GET", h.list_projects),
    ("/projects", "POST", h.create_project),
    ("/attributes", "GET", h.list_items(ATTRIBUTES)),
    ("/attributes", "POST", h.create_item(ATTRIBUTES)),
    ("/attributes/{uid}", "PUT", h.update_item(ATTRIBUTES)),
    ("/attributes/{uid}", "DELETE", h.delete_item(ATTRIBUTES)),
    ("/audiences", "GET", h.list_items(AUDIENCES)),
    ("/audiences", "POST", h.create_item(AUDIENCES)),
    ("/audiences/{uid}", "PUT", h.update_item(AUDIENCES)),
    ("/audiences/{uid}", "DELETE", h.delete_item(AUDIENCES)),
    ("/events", "GET", h.list_items(EVENTS)),
    ("/events", "POST", h.create_item(EVENTS)),
    ("/events/{uid}", "PUT", h.update_item(EVENTS)),
    ("/events/{uid}", "DELETE", h.delete_item(EVENTS)),
    ("/experiences-priority", "GET", h.get_priority),
    ("/experiences-priority", "PUT", h.update_priority),
    ("/experiences", "GET", h.list_items(EXPERIENCES)),
    ("/experiences", "POST", h.create_item(EXPERIENCES)),
    ("/experiences/{uid}", "GET", h.get_item(EXPERIENCES)),
    ("/experiences/{uid}", "PUT", h.update_item(EXPERIENCES)),
    ("/experiences/{uid}", "DELETE", h.delete_item(EXPERIENCES)),
    ("/experiences/{uid}/versions", "GET", h.list_versions),
    ("/experiences/{uid}/versions", "POST", h.create_version),
    ("/experiences/{uid}/versions/{versionUid}", "PUT", h.update_version),
    ("/experiences/{uid}/versions/{versionUid}", "DELETE", h.delete_version),
    ("/geolocation/countries", "GET", geo.geo_countries),
    ("/geolocation/regions", "GET", geo.geo_regions),
    ("/geolocation/cities", "GET", geo.geo_cities),
    # the stack's variant groups, in the Content Management API (another host live; one here)
    *cma.URLS,
]


def routes() -> list[Route]:
    return [Route(path, handler, methods=[method], name=f"{method} {path}") for path, method, handler in URLS]
