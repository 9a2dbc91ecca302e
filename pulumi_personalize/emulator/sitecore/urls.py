"""The URL table of the emulated Sitecore Personalize: one line per path and method of the live service.

Paths are version-prefixed per resource (connections and decision models ``/v2``, flows and templates
``/v3``), as ``docs/facts/sitecore.md`` lists them. ``{ref}`` of flows and templates also takes the
``friendlyId``; ``{revision}`` is the revision number.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ...facts.sitecore import TOKEN_PATH
from ..common import SITECORE_PREFIXES
from . import handlers as h
from .kinds import CONNECTIONS, DECISION_MODEL_VARIANTS, DECISION_MODELS, FLOW_DEFINITIONS, TEMPLATES

URLS: tuple[tuple[str, str, h.Endpoint], ...] = (
    # auth (live: https://auth.sitecorecloud.io/oauth/token)
    ("POST", TOKEN_PATH, h.oauth_token),
    # connections
    ("GET", "/v2/connections", h.list_items(CONNECTIONS)),
    ("POST", "/v2/connections", h.create_item(CONNECTIONS)),
    ("POST", "/v2/connections/testConnection", h.test_connection),
    ("GET", "/v2/connections/{ref}", h.get_item(CONNECTIONS)),
    ("PUT", "/v2/connections/{ref}", h.update_item(CONNECTIONS)),
    # decision models
    ("GET", "/v2/decisionModelDefinitions", h.list_items(DECISION_MODELS)),
    ("POST", "/v2/decisionModelDefinitions", h.create_item(DECISION_MODELS)),
    ("GET", "/v2/decisionModelDefinitions/{ref}", h.get_item(DECISION_MODELS)),
    ("PUT", "/v2/decisionModelDefinitions/{ref}", h.update_item(DECISION_MODELS)),
    ("GET", "/v2/decisionModelDefinitions/{ref}/revisions", h.list_revisions(DECISION_MODELS)),
    ("GET", "/v2/decisionModelDefinitions/{ref}/revisions/{revision:int}", h.get_revision(DECISION_MODELS)),
    ("GET", "/v2/decisionModelDefinitions/{ref}/variants", h.list_model_variants),
    ("POST", "/v2/decisionModelDefinitions/{ref}/variants", h.create_model_variant),
    # decision model variants
    ("GET", "/v2/decisionModelVariants/{ref}", h.get_item(DECISION_MODEL_VARIANTS)),
    ("PUT", "/v2/decisionModelVariants/{ref}", h.update_item(DECISION_MODEL_VARIANTS)),
    ("GET", "/v2/decisionModelVariants/{ref}/revisions", h.list_revisions(DECISION_MODEL_VARIANTS)),
    ("GET", "/v2/decisionModelVariants/{ref}/revisions/{revision:int}", h.get_revision(DECISION_MODEL_VARIANTS)),
    ("POST", "/v2/testDecisionModel", h.test_decision_model),
    # flow definitions (experiences and experiments)
    ("GET", "/v3/flowDefinitions", h.list_items(FLOW_DEFINITIONS, h.search_flows)),
    ("POST", "/v3/flowDefinitions", h.create_item(FLOW_DEFINITIONS)),
    ("GET", "/v3/flowDefinitions/{ref}", h.get_item(FLOW_DEFINITIONS)),
    ("PUT", "/v3/flowDefinitions/{ref}", h.update_item(FLOW_DEFINITIONS)),
    ("GET", "/v3/flowDefinitions/{ref}/revisions", h.list_revisions(FLOW_DEFINITIONS)),
    # templates
    ("GET", "/v3/templates", h.list_items(TEMPLATES, h.templates_of_type)),
    ("POST", "/v3/templates", h.create_item(TEMPLATES)),
    ("POST", "/v3/templates/renderTemplates", h.render_templates),
    ("POST", "/v3/templates/process", h.process_templates),
    ("GET", "/v3/templates/{ref}", h.get_item(TEMPLATES)),
    ("PUT", "/v3/templates/{ref}", h.update_item(TEMPLATES)),
    ("GET", "/v3/templates/{ref}/revisions", h.list_revisions(TEMPLATES)),
    ("GET", "/v3/templates/{ref}/revisions/{revision:int}", h.get_revision(TEMPLATES)),
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
