"""Contentstack Personalize resources: one spec and one thin class per resource.

Every resource also takes ``config_namespace`` (a second project/tenant: its credentials are read
from that stack configuration namespace), ``adopt_uid`` (take over the existing object with this
uid at create instead of creating one) and, where objects have a natural key, ``adopt_existing``
(take over the one with the same key or name). ``pulumi import`` / ``ResourceOptions(import_=...)``
and ``Resource.get`` do not work for dynamic resources (pulumi/pulumi#16175): use ``adopt_uid``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi
from pydantic import BaseModel

from ..engine import (
    EngineArgs,
    EngineResource,
    Json,
    ResourceSpec,
    merge_args,
    register,
)
from . import api
from .models import (
    AttributeInputs,
    AudienceInputs,
    EventInputs,
    ExperienceInputs,
    ExperiencePriorityInputs,
)
from .rules import Rule, RuleCombination

__all__ = [
    "Attribute",
    "AttributeArgs",
    "Audience",
    "AudienceArgs",
    "Event",
    "EventArgs",
    "Experience",
    "ExperienceArgs",
    "ExperienceMetricArgs",
    "ExperiencePriority",
    "ExperiencePriorityArgs",
    "ExperienceTargetingArgs",
    "ExperienceVariantArgs",
]

_MODULE = __name__


def _uid(live: Json) -> Json:
    return {"uid": live.get("uid")}


def _wire(inputs: BaseModel, _live: Json | None, _spec: ResourceSpec[Any]) -> Json:
    # create and update send only the managed fields (never the live object's server-owned ones)
    return api.wire_body(inputs)


# --------------------------------------------------------------------------------------------------
# Specs (registry names are stored in state: never rename)
# --------------------------------------------------------------------------------------------------

ATTRIBUTE: ResourceSpec[api.ContentstackApi] = register(ResourceSpec(
    name="contentstack.Attribute", module=_MODULE, label="attribute", inputs=AttributeInputs,
    connect=api.connect, endpoints=api.Listed(api.ATTRIBUTES, customs_only=True), outputs=_uid,
    output_names=("uid",), to_wire=_wire, natural_key="key",
))

EVENT: ResourceSpec[api.ContentstackApi] = register(ResourceSpec(
    name="contentstack.Event", module=_MODULE, label="event", inputs=EventInputs,
    connect=api.connect, endpoints=api.Listed(api.EVENTS), outputs=_uid, output_names=("uid",),
    to_wire=_wire, natural_key="key",
))

AUDIENCE: ResourceSpec[api.ContentstackApi] = register(ResourceSpec(
    name="contentstack.Audience", module=_MODULE, label="audience", inputs=AudienceInputs,
    connect=api.connect, endpoints=api.Listed(api.AUDIENCES), outputs=_uid, output_names=("uid",),
    to_wire=_wire, natural_key="name",
))

EXPERIENCE: ResourceSpec[api.ContentstackApi] = register(ResourceSpec(
    name="contentstack.Experience", module=_MODULE, label="experience", inputs=ExperienceInputs,
    connect=api.connect, endpoints=api.Experiences(), outputs=api.experience_outputs,
    output_names=("uid", "experience_status", "active_version_uid", "latest_version_uid", "variant_short_uids",
                  "cms_variant_group_uid", "cms_variant_uids"),
    replace_on=("type",), to_wire=_wire, from_wire=api.experience_from_wire, natural_key="name",
))

EXPERIENCE_PRIORITY: ResourceSpec[api.ContentstackApi] = register(ResourceSpec(
    name="contentstack.ExperiencePriority", module=_MODULE, label="experience priority",
    inputs=ExperiencePriorityInputs, connect=api.connect, endpoints=api.Priority(),
    outputs=lambda live: {"order": live.get("order")}, output_names=("order",),
    from_wire=api.priority_from_wire, adoptable=False, describe=lambda props: "",
))


# --------------------------------------------------------------------------------------------------
# Args
# --------------------------------------------------------------------------------------------------


@dataclass
class AdoptableArgs(EngineArgs):
    adopt_uid: pulumi.Input[str] | None = field(default=None, kw_only=True)
    """Take over the existing object with this uid at create (its declared fields are then written
    to it) instead of creating a new one. Ignored after creation."""
    adopt_existing: pulumi.Input[bool] | None = field(default=None, kw_only=True)
    """Take over an existing object with the same key (attributes, events) or name (audiences,
    experiences) at create, if there is one; otherwise create it."""


@dataclass
class AttributeArgs(AdoptableArgs):
    name: pulumi.Input[str]
    """Display name of the attribute."""
    key: pulumi.Input[str]
    """Key the SDKs set the attribute by (letters, digits, ``_-.``); not a preset's key (``COUNTRY``,
    ``REGION``, ... in any case)."""
    description: pulumi.Input[str] | None = None
    """What the attribute holds."""


@dataclass
class EventArgs(AdoptableArgs):
    key: pulumi.Input[str]
    """Key the SDKs trigger the event with."""
    description: pulumi.Input[str] | None = None
    """What the event means."""


@dataclass
class AudienceArgs(AdoptableArgs):
    name: pulumi.Input[str]
    """Display name of the audience."""
    description: pulumi.Input[str] | None = None
    """Who is in the audience."""
    definition: RuleCombination | Rule | Mapping[str, Any] | None = None
    """The rule tree (``rules.all_of(...)`` / ``rules.any_of(...)``); values may be Outputs."""


@dataclass
class ExperienceVariantArgs:
    name: pulumi.Input[str]
    """Variant name; variants are matched by name across updates, so their short uids stay."""
    audiences: Sequence[pulumi.Input[str]] | None = None
    """SEGMENTED: uids of the audiences that see this variant (at least one)."""
    audience_combination_type: pulumi.Input[str] | None = None
    """SEGMENTED: ``OR`` (default) or ``AND``."""
    traffic_distribution: pulumi.Input[float] | None = None
    """AB_TEST: percent of traffic; all variants add up to 100 (omit on all for an even split)."""


@dataclass
class ExperienceMetricArgs:
    event: pulumi.Input[str]
    """Uid of the event that counts as a conversion."""
    name: pulumi.Input[str] | None = None
    """Metric name."""
    type: pulumi.Input[str] = "Primary"
    """``Primary`` or ``Secondary``."""


@dataclass
class ExperienceTargetingArgs:
    audiences: Sequence[pulumi.Input[str]] = ()
    """Uids of the audiences the experience is shown to."""
    audience_combination_type: pulumi.Input[str] = "AND"
    """``AND`` or ``OR``."""


@dataclass
class ExperienceArgs(AdoptableArgs):
    name: pulumi.Input[str]
    """Display name of the experience."""
    description: pulumi.Input[str] | None = None
    """What the experience is for."""
    type: pulumi.Input[str] | None = None
    """``SEGMENTED`` (default) or ``AB_TEST``. Changing it replaces the experience."""
    status: pulumi.Input[str] | None = None
    """``DRAFT`` (default), ``ACTIVE`` or ``PAUSED``: the status of the version Pulumi manages. An
    active or paused version is locked: changing its variants makes a new version (ACTIVE archives
    the previous one); the variants keep their short uids and CMS variants by name. A version never
    goes back to DRAFT: ``DRAFT`` on a live experience makes a new draft, and the live version stays
    live until a later ``ACTIVE`` activates the draft."""
    variants: Sequence[ExperienceVariantArgs | Mapping[str, Any]] | None = None
    """Up to 20 variants."""
    variant_split: pulumi.Input[str] | None = None
    """AB_TEST: how traffic is split (``EQUALLY_SPLIT`` when no traffic is given)."""
    metrics: Sequence[ExperienceMetricArgs | Mapping[str, Any]] | None = None
    """AB_TEST metrics, each counting an event."""
    targeting: ExperienceTargetingArgs | Mapping[str, Any] | None = None
    """Audiences the whole experience is limited to."""


@dataclass
class ExperiencePriorityArgs(EngineArgs):
    experiences: Sequence[pulumi.Input[str]] = ()
    """Experience uids, highest priority first; they are placed first and the others keep the
    service's order after them."""


# --------------------------------------------------------------------------------------------------
# Resources
# --------------------------------------------------------------------------------------------------


class Attribute(EngineResource, module="contentstack", name="Attribute"):
    """A custom attribute of the visitors (``key`` is what the SDKs set)."""

    _spec = ATTRIBUTE
    uid: pulumi.Output[str]
    name: pulumi.Output[str]
    key: pulumi.Output[str]
    description: pulumi.Output[str | None]
    config_namespace: pulumi.Output[str | None]

    def __init__(
        self,
        resource_name: str,
        args: AttributeArgs | None = None,
        opts: pulumi.ResourceOptions | None = None,
        *,
        name: pulumi.Input[str] | None = None,
        key: pulumi.Input[str] | None = None,
        description: pulumi.Input[str] | None = None,
        config_namespace: pulumi.Input[str] | None = None,
        adopt_uid: pulumi.Input[str] | None = None,
        adopt_existing: pulumi.Input[bool] | None = None,
    ) -> None:
        merged = merge_args(AttributeArgs, args, {
            "name": name, "key": key, "description": description,
            "config_namespace": config_namespace, "adopt_uid": adopt_uid, "adopt_existing": adopt_existing,
        })
        super().__init__(resource_name, merged, opts)


class Event(EngineResource, module="contentstack", name="Event"):
    """An event the SDKs trigger by ``key`` (conversions for experience metrics)."""

    _spec = EVENT
    uid: pulumi.Output[str]
    key: pulumi.Output[str]
    description: pulumi.Output[str | None]
    config_namespace: pulumi.Output[str | None]

    def __init__(
        self,
        resource_name: str,
        args: EventArgs | None = None,
        opts: pulumi.ResourceOptions | None = None,
        *,
        key: pulumi.Input[str] | None = None,
        description: pulumi.Input[str] | None = None,
        config_namespace: pulumi.Input[str] | None = None,
        adopt_uid: pulumi.Input[str] | None = None,
        adopt_existing: pulumi.Input[bool] | None = None,
    ) -> None:
        merged = merge_args(EventArgs, args, {
            "key": key, "description": description,
            "config_namespace": config_namespace, "adopt_uid": adopt_uid, "adopt_existing": adopt_existing,
        })
        super().__init__(resource_name, merged, opts)


class Audience(EngineResource, module="contentstack", name="Audience"):
    """A group of visitors defined by rules on preset and custom attributes."""

    _spec = AUDIENCE
    uid: pulumi.Output[str]
    name: pulumi.Output[str]
    description: pulumi.Output[str | None]
    definition: pulumi.Output[dict[str, Any] | None]
    config_namespace: pulumi.Output[str | None]

    def __init__(
        self,
        resource_name: str,
        args: AudienceArgs | None = None,
        opts: pulumi.ResourceOptions | None = None,
        *,
        name: pulumi.Input[str] | None = None,
        description: pulumi.Input[str] | None = None,
        definition: RuleCombination | Rule | Mapping[str, Any] | None = None,
        config_namespace: pulumi.Input[str] | None = None,
        adopt_uid: pulumi.Input[str] | None = None,
        adopt_existing: pulumi.Input[bool] | None = None,
    ) -> None:
        merged = merge_args(AudienceArgs, args, {
            "name": name, "description": description, "definition": definition,
            "config_namespace": config_namespace, "adopt_uid": adopt_uid, "adopt_existing": adopt_existing,
        })
        super().__init__(resource_name, merged, opts)


class Experience(EngineResource, module="contentstack", name="Experience"):
    """An experience and the version Pulumi manages (variants, split, metrics, targeting, status)."""

    _spec = EXPERIENCE
    uid: pulumi.Output[str]
    name: pulumi.Output[str]
    description: pulumi.Output[str | None]
    type: pulumi.Output[str]
    status: pulumi.Output[str]
    variants: pulumi.Output[list[dict[str, Any]]]
    variant_split: pulumi.Output[str | None]
    metrics: pulumi.Output[list[dict[str, Any]]]
    targeting: pulumi.Output[dict[str, Any] | None]
    experience_status: pulumi.Output[str]
    """The experience's summary status as the service reports it (``DRAFT``, ``ACTIVE``, ...)."""
    active_version_uid: pulumi.Output[str | None]
    """Uid of the version visitors get now (the listed version whose status is ``ACTIVE``)."""
    latest_version_uid: pulumi.Output[str]
    """Uid of the newest version (the service's ``latestVersion``): the one Pulumi manages."""
    variant_short_uids: pulumi.Output[dict[str, str]]
    """Variant name -> short uid (what the delivery SDKs report); kept across updates by name."""
    cms_variant_group_uid: pulumi.Output[str | None]
    """Uid of the experience's variant group in the connected stack (``_cms.variantGroup``); empty
    when the service had not made it within 60 s of the last write (a refresh reads it later)."""
    cms_variant_uids: pulumi.Output[dict[str, str]]
    """Variant name -> uid of its CMS variant in the connected stack (from ``_cms.variants``)."""
    config_namespace: pulumi.Output[str | None]

    def __init__(
        self,
        resource_name: str,
        args: ExperienceArgs | None = None,
        opts: pulumi.ResourceOptions | None = None,
        *,
        name: pulumi.Input[str] | None = None,
        description: pulumi.Input[str] | None = None,
        type: pulumi.Input[str] | None = None,
        status: pulumi.Input[str] | None = None,
        variants: Sequence[ExperienceVariantArgs | Mapping[str, Any]] | None = None,
        variant_split: pulumi.Input[str] | None = None,
        metrics: Sequence[ExperienceMetricArgs | Mapping[str, Any]] | None = None,
        targeting: ExperienceTargetingArgs | Mapping[str, Any] | None = None,
        config_namespace: pulumi.Input[str] | None = None,
        adopt_uid: pulumi.Input[str] | None = None,
        adopt_existing: pulumi.Input[bool] | None = None,
    ) -> None:
        merged = merge_args(ExperienceArgs, args, {
            "name": name, "description": description, "type": type, "status": status, "variants": variants,
            "variant_split": variant_split, "metrics": metrics, "targeting": targeting,
            "config_namespace": config_namespace, "adopt_uid": adopt_uid, "adopt_existing": adopt_existing,
        })
        super().__init__(resource_name, merged, opts)


class ExperiencePriority(EngineResource, module="contentstack", name="ExperiencePriority"):
    """Puts the named experiences first in the project's priority order. Destroy leaves the order."""

    _spec = EXPERIENCE_PRIORITY
    experiences: pulumi.Output[list[str]]
    order: pulumi.Output[list[str]]
    """The project's whole order after the update."""
    config_namespace: pulumi.Output[str | None]

    def __init__(
        self,
        resource_name: str,
        args: ExperiencePriorityArgs | None = None,
        opts: pulumi.ResourceOptions | None = None,
        *,
        experiences: Sequence[pulumi.Input[str]] | None = None,
        config_namespace: pulumi.Input[str] | None = None,
    ) -> None:
        merged = merge_args(ExperiencePriorityArgs, args, {
            "experiences": experiences, "config_namespace": config_namespace,
        })
        super().__init__(resource_name, merged, opts)
