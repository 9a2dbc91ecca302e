"""The URL table of the Contentstack Personalize Management API (docs/facts/contentstack.md#endpoints), at the root of the base URL.

Not served, as live: ``GET /experiences/{uid}/versions/{versionUid}`` (a Nest-style 404 "Cannot GET ..."),
single-item GETs of attributes, audiences and events, and the old ``/experiences/priority``.
"""

from __future__ import annotations

from starlette.routing import Route

from . import analytics, cma
from . import geolocation as geo
from . import handlers as h
from .experiences import EXPERIENCES
from .models import ATTRIBUTES, AUDIENCES, EVENTS, Kind


def _listed(path: str, kind: Kind, *, get: bool = False) -> list[tuple[str, str, h.Handler]]:
    """A listed kind's rows: list and create on the collection; (get,) update and delete on an item."""
    item = f"{path}/{{uid}}"
    return [(path, "GET", h.list_items(kind)), (path, "POST", h.create_item(kind)),
            *([(item, "GET", h.get_item(kind))] if get else []),
            (item, "PUT", h.update_item(kind)), (item, "DELETE", h.delete_item(kind))]


URLS: list[tuple[str, str, h.Handler]] = [
    ("/projects", "GET", h.list_projects),
    ("/projects", "POST", h.create_project),
    *_listed("/attributes", ATTRIBUTES),
    *_listed("/audiences", AUDIENCES),
    *_listed("/events", EVENTS),
    ("/experiences-priority", "GET", h.get_priority),
    ("/experiences-priority", "PUT", h.update_priority),
    *_listed("/experiences", EXPERIENCES, get=True),
    ("/experiences/{uid}/versions", "GET", h.list_versions),
    ("/experiences/{uid}/versions", "POST", h.create_version),
    ("/experiences/{uid}/versions/{versionUid}", "PUT", h.update_version),
    ("/experiences/{uid}/versions/{versionUid}", "DELETE", h.delete_version),
    *analytics.URLS,  # the summary, and the control that sets its numbers
    ("/geolocation/countries", "GET", geo.geo_countries),
    ("/geolocation/regions", "GET", geo.geo_regions),
    ("/geolocation/cities", "GET", geo.geo_cities),
    # the stack's variant groups, in the Content Management API (another host live; one here)
    *cma.URLS,
]


def routes() -> list[Route]:
    return [Route(path, handler, methods=[method], name=f"{method} {path}") for path, method, handler in URLS]
