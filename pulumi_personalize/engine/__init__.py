"""The generic dynamic-resource engine: check / diff / create / read / update / delete, once.

A resource is a ``ResourceSpec``: its pydantic input model (snake_case fields, the service's names
as aliases), how to reach the service (``connect``), its endpoints (an ``Endpoints`` object), the
fields that force replacement, the secret ones, and the computed outputs. ``EngineProvider`` does
the rest; ``EngineResource`` is the base of the public resource classes.

The parts, by responsibility:

- ``_values``: what the host hands over (unknowns at preview, Outputs, ``None``) and normalisation;
  the primitives every layer shares and the endpoints' answers (``Found``, ``Gone``, ``Unconfirmed``)
  live below the engine (``pulumi_personalize._values``, ``pulumi_personalize._api``);
- ``_listings``: the short-lived listings shared by the reads of one burst;
- ``_errors``: the engine's errors (``ResourceOperationError``, ``PartialCreateError``);
- ``_spec``: the declarations (``Endpoints``, ``ResourceSpec``) and their registry;
- ``_diagnostics``: warnings to the engine from the dynamic provider host, on the resource served;
- ``_consequences``: what an in-place update does beyond its changed inputs (``Consequences``),
  declared per resource, told at preview;
- ``_base``, ``_tenancy``, ``_adoption``, ``_provider``: the provider (its state; the tenant guard;
  adoption, twins and lost creates; the operations themselves);
- ``_resource``: ``EngineResource``, ``EngineArgs`` and the argument helpers.

Facts this relies on (``docs/facts/pulumi.md#dynamic-host``):

- the provider object is pickled into state: it holds only the spec's name and module, never a
  credential (``__getstate__``); configuration arrives in ``configure()`` in the provider process.
  State refers to it as ``pulumi_personalize.provider`` (called with the spec's name); states
  written before that name ``pulumi_personalize.engine.engine_provider`` (the same call) or, older
  still, ``pulumi_personalize.engine.EngineProvider`` (the class and its fields): all three names
  stay;
- every props dict carries ``__provider``; nested keys starting with ``__`` are dropped by the
  host's deserializer, so state keeps snake_case names and never the wire's ``__type``;
- unknown values at preview are the string ``UNKNOWN``, whatever the declared type;
- ``olds`` in diff/update are the old *outputs*: outputs are always ``inputs + computed``, so the
  two compare like with like;
- the host runs up to four calls at once on one provider instance: shared state is locked;
- the host never connects to the engine: warnings reach it through ``_diagnostics`` (the engine's
  address is the process's last argument; the URN is on the host's calling frame).
"""

from __future__ import annotations

from .._values import Found, Gone, Lookup, Removal, Unconfirmed
from ._adoption import AMBIGUOUS_CREATE_ATTEMPTS
from ._consequences import NO_CONSEQUENCES, Consequences, ConsequencesHook, consequences_of
from ._errors import PartialCreateError, ResourceOperationError
from ._listings import LISTINGS, TWIN_LISTINGS, ListingCache
from ._provider import EngineProvider, engine_provider
from ._resource import EngineArgs, EngineResource, merge_args, plain, reset_pulumi_pickler
from ._spec import (
    ClientT,
    Endpoints,
    ResourceSpec,
    default_from_wire,
    default_to_wire,
    lookup_spec,
    register,
    tenant_of,
)
from ._values import (
    ADOPT_EXISTING,
    CONFIG_NAMESPACE,
    TENANT,
    UNKNOWN,
    Json,
    contains_unknown,
    drop_none,
    is_unknown,
    loc_is_unknown,
    public,
    resolve_outputs,
)

__all__ = [
    "ADOPT_EXISTING",
    "AMBIGUOUS_CREATE_ATTEMPTS",
    "CONFIG_NAMESPACE",
    "LISTINGS",
    "NO_CONSEQUENCES",
    "TENANT",
    "TWIN_LISTINGS",
    "UNKNOWN",
    "ClientT",
    "Consequences",
    "ConsequencesHook",
    "Endpoints",
    "EngineArgs",
    "EngineProvider",
    "EngineResource",
    "Found",
    "Gone",
    "Json",
    "ListingCache",
    "Lookup",
    "PartialCreateError",
    "Removal",
    "ResourceOperationError",
    "ResourceSpec",
    "Unconfirmed",
    "consequences_of",
    "contains_unknown",
    "default_from_wire",
    "default_to_wire",
    "drop_none",
    "engine_provider",
    "is_unknown",
    "loc_is_unknown",
    "lookup_spec",
    "merge_args",
    "plain",
    "public",
    "register",
    "reset_pulumi_pickler",
    "resolve_outputs",
    "tenant_of",
]
