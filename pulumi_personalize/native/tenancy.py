"""Which tenants a provider's settings name, when a changed setting replaces what the provider
serves, and the preview's refusal when it cannot (``docs/native-provider.md#one-provider-two-services``).

One provider instance serves every service its settings set up. Pulumi replaces a provider's
resources all together or not at all: when a provider's configuration changes, it asks DiffConfig
once, with the provider's URN only, and a replace there replaces every resource of the provider
without asking their own Diff; otherwise the provider is updated in place and each resource's Diff
runs on the new settings (``docs/facts/pulumi.md#native-provider``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ..config import load_contentstack_settings, load_sitecore_settings
from ..contentstack.cma_settings import load_cma_settings
from ..engine._tenancy import TenantMove
from ..errors import ConfigurationError, TenantMismatchError
from ..tenant import DEFAULT_NAMESPACE, Tenant

# Each tenant a provider's settings may name, by what people call it.
_LOADERS: Mapping[str, Callable[..., Any]] = {
    "contentstack": load_contentstack_settings, "contentstack-cma": load_cma_settings, "sitecore": load_sitecore_settings,
}
ANCHOR = "docs/native-provider.md#one-provider-two-services"


def _tenants(config: Mapping[str, object]) -> dict[str, Tenant | None]:
    found: dict[str, Tenant | None] = {}
    for service, load in _LOADERS.items():
        try:
            found[service] = load(config, namespace=DEFAULT_NAMESPACE).tenant
        except ConfigurationError:
            found[service] = None
    return found


def tenants(config: Mapping[str, object]) -> dict[str, dict[str, str] | None]:
    """The tenant each of the settings' services names (``None``: that service is not set up here),
    as the tenant guard records it (so another spelling of the same tenant is the same record)."""
    return {service: tenant.record() if tenant else None for service, tenant in _tenants(config).items()}


def replaces_provider(olds: Mapping[str, object], news: Mapping[str, object]) -> bool:
    """Whether changing the settings from ``olds`` to ``news`` replaces everything the provider
    serves: only when some tenant moved and none of those the new settings set up stayed. Where one
    stayed, its resources must not be replaced (a replacement made beside the object it replaces
    finds its own key taken); the moved service's resources then refuse the preview
    (``refusal``)."""
    before, after = tenants(olds), tenants(news)
    moved = {service for service in after if before[service] != after[service]}
    configured = {service for service, tenant in after.items() if tenant is not None}
    return bool(moved) and configured <= moved


def refusal(move: TenantMove, label: str, config: Mapping[str, object]) -> TenantMismatchError:
    """The preview's failure for a resource whose tenant moved while the provider, which also
    serves a tenant that did not move, is updated in place. Identifiers only, never a credential."""
    mine = move.tenant.record()
    tenant = f"{move.tenant.product} {move.tenant.facts.container}"
    kept = [t.describe() for t in _tenants(config).values() if t is not None and t.record() != mine]
    # No other tenant: the provider's recorded settings already named this one (a refused
    # `refresh --run-program` records the settings it ran with), so DiffConfig saw no move.
    also = f"the provider also serves {' and '.join(kept)}, and not all of its tenants moved" if kept else \
        "the provider's settings recorded in the state already name this tenant (a `pulumi refresh " \
        "--run-program` or `pulumi up` recorded them)"
    message = (
        f"this {label} was recorded in {move.tenant.describe(move.recorded)}, but its provider's settings moved "
        f"it: {move.change} ({move.settings}). Pulumi cannot replace only the resources of the {tenant}: {also}, "
        "so the provider is updated in place and none of its resources is replaced. Nothing was changed. Either "
        f"put the setting back, or give these resources their own provider, set up for the {tenant} only (a "
        "pulumi:providers:personalize resource, `new personalize.Provider(...)` in TypeScript, and the "
        "`provider` option on each of them): moving that provider's tenant replaces them (made in the new "
        f"tenant, deleted from the old). If the same objects are now reached another way, set "
        f"{move.tenant.namespace}:allowTenantChange=true for one `pulumi refresh --run-program` "
        f"(docs/recovery.md). See {ANCHOR}"
    )
    return TenantMismatchError(message, key=move.tenant.setting_for(move.field), recorded=move.recorded,
                               configured=mine)

