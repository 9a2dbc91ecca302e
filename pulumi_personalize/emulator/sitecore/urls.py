"""The URL table of the emulated Sitecore Personalize: one line per path and method of the live service.

Paths are version-prefixed per resource (connections and decision models ``/v2``, flows and templates
``/v3``), as ``docs/facts/sitecore.md`` lists them. ``{ref}`` of flows and templates also takes the
``friendlyId``; ``{revision}`` is the revision number.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ...facts.sitecore import PROCESS_TEMPLATES_PATH, RENDER_TEMPLATES_PATH, TOKEN_PATH
from ..common import SITECORE_PREFIXES
from . import handlers as h
from .kinds import CONNECTIONS, DECISION_MODEL_VARIANTS, DECISION_MODELS, FLOW_DEFINITIONS, TEMPLATES
from .models import Kind


def _kind(path: str, kind: Kind, *, narrow: h.ListFilter | None = None, read: bool = True,
          revisions: bool = True, numbered: bool = True) -> tuple[tuple[str, str, h.Endpoint], ...]:
    """A kind's rows: list and create on the collection (``read=False`` for neither), get and update
    on an item, and its revisions (the list, and one by number where the service serves it)."""
    item = f"{path}/{{ref}}"
    return (
        *((("GET", path, h.list_items(kind, narrow)), ("POST", path, h.create_item(kind))) if read else ()),
        ("GET", item, h.get_item(kind)),
        ("PUT", item, h.update_item(kind)),
        *((("GET", f"{item}/revisions", h.list_revisions(kind)),) if revisions else ()),
        *((("GET", f"{item}/revisions/{{revision:int}}", h.get_revision(kind)),) if revisions and numbered else ()),
    )


URLS: tuple[tuple[str, str, h.Endpoint], ...] = (
    # auth (live: https://auth.sitecorecloud.io/oauth/token)
    ("POST", TOKEN_PATH, h.oauth_token),
    ("POST", "/v2/connections/testConnection", h.test_connection),
    *_kind("/v2/connections", CONNECTIONS, revisions=False),
    *_kind("/v2/decisionModelDefinitions", DECISION_MODELS),
    ("GET", "/v2/decisionModelDefinitions/{ref}/variants", h.list_model_variants),
    ("POST", "/v2/decisionModelDefinitions/{ref}/variants", h.create_model_variant),
    # variants are listed and created under their model (above)
    *_kind("/v2/decisionModelVariants", DECISION_MODEL_VARIANTS, read=False),
    ("POST", "/v2/testDecisionModel", h.test_decision_model),
    # flow definitions (experiences and experiments): revisions listed only
    *_kind("/v3/flowDefinitions", FLOW_DEFINITIONS, narrow=h.search_flows, numbered=False),
    ("POST", PROCESS_TEMPLATES_PATH, h.process_templates),
    ("POST", RENDER_TEMPLATES_PATH, h.render_templates),
    *_kind("/v3/templates", TEMPLATES, narrow=h.templates_of_type),
)

# Path prefixes that belong to this service (they decide the error shape of faults and unknown paths).
PREFIXES = SITECORE_PREFIXES


def routes() -> list[Route]:
    """Starlette routes; one route per path, with all its methods."""
    by_path: dict[str, list[tuple[str, h.Endpoint]]] = {}
    for method, path, handler in URLS:
        by_path.setdefault(path, []).append((method, handler))
    out = []
    for path, entries in by_path.items():
        if len(entries) == 1:
            method, handler = entries[0]
            out.append(Route(path, handler, methods=[method]))
        else:
            out.append(Route(path, _dispatch(dict(entries)), methods=[m for m, _ in entries]))
    return out


def _dispatch(table: dict[str, h.Endpoint]) -> h.Endpoint:
    async def by_method(request: Request) -> Response:
        return await table[request.method](request)

    return by_method
