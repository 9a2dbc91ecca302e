"""Reading one tenant through the api layer: GETs only, one collection at a time.

Nothing here writes: every call is a list or a GET of the services' api modules. What is read is
kept as the service answered it (a snapshot); deciding what becomes a resource is the builders'.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from .._values import Json
from ..config import Tenant
from ..contentstack import api as cs_api
from ..contentstack import cma as cs_cma
from ..sitecore import api as sc_api
from .selection import Selection

__all__ = ["ContentstackSnapshot", "Progress", "SitecoreSnapshot", "read_contentstack", "read_sitecore",
           "read_variant_groups"]

Progress = Callable[[str, int], None]
"""Called after each collection is read: (what was read, how many objects)."""


def _quiet(_what: str, _count: int) -> None:
    return None


@dataclass
class ContentstackSnapshot:
    tenant: Tenant
    attributes: list[Json] = field(default_factory=list)
    """Presets included, as ``GET /attributes`` lists them."""
    events: list[Json] = field(default_factory=list)
    audiences: list[Json] = field(default_factory=list)
    experiences: list[Json] = field(default_factory=list)
    """Each with its versions under ``cs_api.VERSIONS_KEY``."""
    priority: list[str] | None = None
    variant_groups: list[Json] | None = None
    """The connected stack's CMS variant groups (Content Management API); ``None``: not read."""
    variant_groups_unread: str = ""
    """Why the variant groups were not read (no stack api key set), for the summary."""


@dataclass
class SitecoreSnapshot:
    tenant: Tenant
    connections: list[Json] = field(default_factory=list)
    templates: list[Json] = field(default_factory=list)
    decision_models: list[Json] = field(default_factory=list)
    variants: dict[str, list[Json]] = field(default_factory=dict)
    """Decision model ref -> its variants (whole objects)."""
    flows: list[Json] = field(default_factory=list)


def read_contentstack(api: cs_api.ContentstackApi, tenant: Tenant, selection: Selection,
                      progress: Progress = _quiet) -> ContentstackSnapshot:
    snap = ContentstackSnapshot(tenant)
    if selection.wants("attribute") or selection.wants("audience"):
        snap.attributes = api.listing(cs_api.ATTRIBUTES)  # audiences refer to attributes by uid
        progress("attributes", len(snap.attributes))
    if selection.wants("event") or selection.wants("experience"):
        snap.events = api.listing(cs_api.EVENTS)
        progress("events", len(snap.events))
    if selection.wants("audience") or selection.wants("experience"):
        snap.audiences = api.listing(cs_api.AUDIENCES)
        progress("audiences", len(snap.audiences))
    if selection.wants("experience") or selection.wants("priority"):
        experiences = api.listing(cs_api.EXPERIENCES)
        for item in experiences:
            uid = str(item.get("uid"))
            snap.experiences.append({**item, cs_api.VERSIONS_KEY: api.list_versions(uid)})
        progress("experiences (with their versions)", len(snap.experiences))
    if selection.wants("priority"):
        snap.priority = api.get_priority()
        progress("experience priority", len(snap.priority))
    return snap


def read_variant_groups(cma: cs_cma.CmaApi, snap: ContentstackSnapshot, progress: Progress = _quiet) -> None:
    """The stack's variant groups, for the content types linked to the experiences' groups."""
    snap.variant_groups = cma.groups()
    progress("CMS variant groups", len(snap.variant_groups))


def _whole(api: sc_api.SitecoreApi, kind: sc_api.Kind, items: list[Json]) -> list[Json]:
    """Each listed object whole: a summary entry is fetched by ref."""
    out = []
    for item in items:
        if all(key in item for key in kind.whole):
            out.append(dict(item))
            continue
        fetched = api.fetch(kind, str(item.get("ref")), collection_answered=True)
        if fetched is not None:
            out.append(fetched)
    return out


def read_sitecore(api: sc_api.SitecoreApi, tenant: Tenant, selection: Selection,
                  progress: Progress = _quiet) -> SitecoreSnapshot:
    snap = SitecoreSnapshot(tenant)
    if selection.wants("connection"):
        snap.connections = _whole(api, sc_api.CONNECTIONS, api.listing(sc_api.CONNECTIONS))
        progress("connections", len(snap.connections))
    if selection.wants("template") or selection.wants("flow"):
        # flows carry template code: the templates are read to refer to them
        snap.templates = _whole(api, sc_api.TEMPLATES, api.listing(sc_api.TEMPLATES))
        progress("templates", len(snap.templates))
    if selection.wants("decision_model") or selection.wants("flow"):
        snap.decision_models = _whole(api, sc_api.DECISION_MODELS, api.listing(sc_api.DECISION_MODELS))
        progress("decision models", len(snap.decision_models))
    if selection.wants("decision_model"):
        total = 0
        for model in snap.decision_models:
            ref = str(model.get("ref"))
            variants = _whole(api, sc_api.DECISION_MODEL_VARIANTS, api.model_variants(ref))
            snap.variants[ref] = variants
            total += len(variants)
        progress("decision model variants", total)
    if selection.wants("flow"):
        snap.flows = _whole(api, sc_api.FLOW_DEFINITIONS, api.listing(sc_api.FLOW_DEFINITIONS))
        progress("flow definitions", len(snap.flows))
    return snap
