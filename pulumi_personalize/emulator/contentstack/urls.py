"""The URL table of the Contentstack Personalize Management API (docs/facts/contentstack.md#endpoints), at the root of the base URL.

Not served, as live: ``GET /experiences/{uid}/versions/{versionUid}`` (a Nest-style 404 "Cannot GET ..."),
single-item GETs of attributes, audiences and events, and the old ``/experiences/priority``.
"""

from __future__ import annotations

from starlette.routing import Route

from . import cma
from . import handlers as h

URLS: list[tuple[str, str, h.Handler]] = [
    ("/projects", "GET", h.list_projects),
    ("/projects", "POST", h.create_project),
    ("/attributes", "GET", h.list_attributes),
    ("/attributes", "POST", h.create_attribute),
    ("/attributes/{uid}", "PUT", h.update_attribute),
    ("/attributes/{uid}", "DELETE", h.delete_attribute),
    ("/audiences", "GET", h.list_audiences),
    ("/audiences", "POST", h.create_audience),
    ("/audiences/{uid}", "PUT", h.update_audience),
    ("/audiences/{uid}", "DELETE", h.delete_audience),
    ("/events", "GET", h.list_events),
    ("/events", "POST", h.create_event),
    ("/events/{uid}", "PUT", h.update_event),
    ("/events/{uid}", "DELETE", h.delete_event),
    ("/experiences-priority", "GET", h.get_priority),
    ("/experiences-priority", "PUT", h.update_priority),
    ("/experiences", "GET", h.list_experiences),
    ("/experiences", "POST", h.create_experience),
    ("/experiences/{uid}", "GET", h.get_experience),
    ("/experiences/{uid}", "PUT", h.update_experience),
    ("/experiences/{uid}", "DELETE", h.delete_experience),
    ("/experiences/{uid}/versions", "GET", h.list_versions),
    ("/experiences/{uid}/versions", "POST", h.create_version),
    ("/experiences/{uid}/versions/{versionUid}", "PUT", h.update_version),
    ("/experiences/{uid}/versions/{versionUid}", "DELETE", h.delete_version),
    ("/geolocation/countries", "GET", h.geo_countries),
    ("/geolocation/regions", "GET", h.geo_regions),
    ("/geolocation/cities", "GET", h.geo_cities),
    # the stack's variant groups, in the Content Management API (another host live; one here)
    *cma.URLS,
]


def routes() -> list[Route]:
    return [Route(path, handler, methods=[method], name=handler.__name__) for path, method, handler in URLS]
