"""The Sitecore backend: owns the Sitecore objects in the store (every tenant's) and every write to them.

Handlers (``handlers.py``) parse the request, authenticate the caller to a :class:`Tenant` and call one
method here with the base URL the representation links to; the fields and rules of each kind live in
``kinds.py``, the record keeping in ``models.py``. Time comes from the emulator's clock only.
"""

from __future__ import annotations

import copy
from typing import Any

from ..clock import Clock
from ..common import Json
from ..settings import EmulatorSettings
from ..state import Store
from . import auth
from .auth import Tenant
from .errors import SitecoreError, not_found
from .kinds import DECISION_MODEL_VARIANTS, DECISION_MODELS
from .models import Kind, TenantView, create_record, decision_nodes, present, update_record


def find(kind: Kind, tenant_data: TenantView, key: str) -> Json:
    """A record by ``ref``, or (flows and templates, observed in Sitecore's own code) by ``friendlyId``."""
    records: Json = tenant_data[kind.key]
    record: Json | None = records.get(key)
    if record is None and kind.friendly_id:
        record = next((r for r in records.values() if r.get("friendlyId") == key), None)
    if record is None:
        raise not_found(kind.label, key)
    return record


def _in_production(model: Json, variant_ref: str) -> bool:
    entries = (model.get("deploymentConfiguration") or {}).get("variants") or []
    return any(e.get("variantRef") == variant_ref and e.get("status") == "PRODUCTION" for e in entries)


def _revision(kind: Kind, record: Json, base: str) -> Json:
    """A past version: decision models and their variants link the revision itself (their revision
    pages' examples), templates and flows the object (docs/facts/sitecore.md#revisions)."""
    out = present(kind, record, base)
    if kind in (DECISION_MODELS, DECISION_MODEL_VARIANTS):
        out["href"] = f"{out['href']}/revisions/{record['revision']}"
    return out


class SitecoreBackend:
    def __init__(self, store: Store, settings: EmulatorSettings, clock: Clock) -> None:
        self.store = store
        self.settings = settings
        self.clock = clock

    # --- tokens -----------------------------------------------------------------------------------

    def tenant(self, authorization: str | None) -> Tenant:
        return auth.tenant_for_bearer(self.settings, authorization, self.clock.time())

    def issue_token(self, client_id: str, client_secret: str) -> str:
        return auth.issue_token(client_secret, client_id, self.settings.token_ttl, self.clock.time())

    # --- the generic CRUD of every kind -----------------------------------------------------------

    def listing(self, kind: Kind, tenant: Tenant, base: str) -> list[Json]:
        with self.store.read() as data:
            return [present(kind, r, base) for r in TenantView(data, tenant.client_key)[kind.key].values()]

    def get(self, kind: Kind, tenant: Tenant, key: str, base: str) -> Json:
        with self.store.read() as data:
            return present(kind, find(kind, TenantView(data, tenant.client_key), key), base)

    def create(self, kind: Kind, tenant: Tenant, body: Json, base: str) -> Json:
        with self.store.mutate() as data:
            record = create_record(kind, TenantView(data, tenant.client_key), tenant, body, self.clock.iso())
            return present(kind, record, base)

    def update(self, kind: Kind, tenant: Tenant, key: str, body: Json, base: str) -> Json:
        with self.store.read() as data:  # a 404 must not write the state file
            find(kind, TenantView(data, tenant.client_key), key)
        with self.store.mutate() as data:
            tenant_data = TenantView(data, tenant.client_key)
            current = find(kind, tenant_data, key)
            record = update_record(kind, tenant_data, tenant, current, body, self.clock.iso())
            return present(kind, record, base)

    def revisions(self, kind: Kind, tenant: Tenant, key: str, base: str) -> list[Json]:
        """Oldest first."""
        with self.store.read() as data:
            tenant_data = TenantView(data, tenant.client_key)
            record = find(kind, tenant_data, key)
            return [_revision(kind, r, base) for r in tenant_data.revisions(kind.key, record["ref"])]

    def revision(self, kind: Kind, tenant: Tenant, key: str, number: int, base: str) -> Json:
        with self.store.read() as data:
            tenant_data = TenantView(data, tenant.client_key)
            record = find(kind, tenant_data, key)
            revisions = tenant_data.revisions(kind.key, record["ref"])
            found = next((r for r in revisions if r.get("revision") == number), None)
            if found is None:
                raise SitecoreError(404, f"{kind.label} {record['ref']} has no revision {number}")
            return _revision(kind, found, base)

    # --- decision model variants (docs/facts/sitecore.md#decision-model-variants) -----------------------

    def model_variants(self, tenant: Tenant, model_key: str, base: str) -> list[Json]:
        with self.store.read() as data:
            tenant_data = TenantView(data, tenant.client_key)
            model = find(DECISION_MODELS, tenant_data, model_key)
            return [present(DECISION_MODEL_VARIANTS, v, base, inProduction=_in_production(model, v["ref"]))
                    for v in tenant_data["decisionModelVariants"].values()
                    if v.get("decisionModelDefinitionRef") == model["ref"]]

    def create_model_variant(self, tenant: Tenant, model_key: str, body: Json, base: str) -> Json:
        with self.store.read() as data:  # a 404 must not write the state file
            find(DECISION_MODELS, TenantView(data, tenant.client_key), model_key)
        with self.store.mutate() as data:
            tenant_data = TenantView(data, tenant.client_key)
            model = find(DECISION_MODELS, tenant_data, model_key)
            record = create_record(DECISION_MODEL_VARIANTS, tenant_data, tenant, body, self.clock.iso(),
                                   parent_ref=model["ref"])
            return present(DECISION_MODEL_VARIANTS, record, base)

    def test_decision_model(self, tenant: Tenant, model_ref: str, variant_ref: str) -> Json:
        """Runs nothing: reports the variant's DMN decisions as result nodes without outputs."""
        with self.store.read() as data:
            tenant_data = TenantView(data, tenant.client_key)
            model = find(DECISION_MODELS, tenant_data, model_ref)
            variant = find(DECISION_MODEL_VARIANTS, tenant_data, variant_ref)
            if variant.get("decisionModelDefinitionRef") != model["ref"]:
                raise SitecoreError(400, "Validation failed", field_errors={
                    "decisionModelVariantRef": [f"is not a variant of decision model {model['ref']}"]})
            return {"decisionModelName": model["name"], "decisionModelRef": model["ref"],
                    "decisionModelVariantName": variant["name"], "decisionModelVariantRef": variant["ref"],
                    "decisionModelVariantRevision": variant["revision"], "error": False,
                    "debug": {"bucket": None, "logs": []},
                    "decisionModelResultNodes": decision_nodes(str(variant.get("definition", "")))}

    # --- templates ----------------------------------------------------------------------------------

    def template_elements(self, tenant: Tenant, friendly_id: str) -> list[Any]:
        with self.store.read() as data:
            templates = TenantView(data, tenant.client_key)["templates"].values()
            template = next((t for t in templates if t.get("friendlyId") == friendly_id), None)
            if template is None:
                raise SitecoreError(404, f"Template {friendly_id} not found")
            return copy.deepcopy(list(template.get("templateElements") or []))
