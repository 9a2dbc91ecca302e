"""Contentstack Personalize resources: one declaration per resource.

Each ``declare(...)`` below is the whole resource: its engine spec, its arguments (types, docs,
what replaces, what is secret), its computed outputs, what destroy does and how to adopt. The
typed ``*Args`` classes and the resource classes are generated from them into ``_generated.py``
(``.venv/bin/python scripts/gen_resources.py``; ``tests/unit/test_generated_fresh.py`` fails while
it is stale), the reference pages by ``scripts/gen_docs.py``.

Every resource also takes ``config_namespace`` (a second project/tenant: its credentials are read
from that stack configuration namespace), ``adopt_uid`` (take over the existing object with this
uid at create instead of creating one) and, where objects have a natural key, ``adopt_existing``
(take over the one with the same key or name). ``pulumi import`` / ``ResourceOptions(import_=...)``
and ``Resource.get`` do not work for dynamic resources (pulumi/pulumi#16175): use ``adopt_uid``.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from ..engine import Json, ResourceSpec
from ..engine._spec import Arg, Out, Shape, declare
from . import api, cma
from ._consequences import experience_consequences, priority_consequences
from .models import (
    AttributeInputs,
    AudienceInputs,
    EventInputs,
    ExperienceInputs,
    ExperiencePriorityInputs,
    MetricInputs,
    TargetingInputs,
    VariantGroupContentTypesInputs,
    VariantInputs,
)

_MODULE = __name__

GENERATED_IMPORTS = ("from .rules import Rule, RuleCombination",)
"""What the argument types below name, for the generated module."""


def _uid(live: Json) -> Json:
    return {"uid": live.get("uid")}


def _wire(inputs: BaseModel, _live: Json | None, _spec: ResourceSpec[Any]) -> Json:
    # create and update send only the managed fields (never the live object's server-owned ones)
    return api.wire_body(inputs)


def _common(label: str, natural_key: str | None, endpoints: Any) -> dict[str, Any]:
    return {"module": _MODULE, "label": label, "connect": api.connect, "endpoints": endpoints,
            "natural_key": natural_key}


_UID = Out("uid", "str", "")  # described on the page as the resource's id


def _named(what: str) -> Arg:
    return Arg("name", f"Display name of the {what}.")


def _described(what: str) -> Arg:
    return Arg("description", what)


def _deletes(what: str, path: str, user: str) -> str:
    """What destroy does to an object the service will not delete while ``user`` uses it."""
    return (f"Deletes the {what} (`DELETE /{path}/{{uid}}`). The service refuses while {user} uses it; Pulumi "
            "deletes dependents first when they are in the same stack.")


# --------------------------------------------------------------------------------------------------
# Declarations (registry names are stored in state: never rename)
# --------------------------------------------------------------------------------------------------

ATTRIBUTE: ResourceSpec[api.ContentstackApi] = declare(
    name="contentstack.Attribute", inputs=AttributeInputs, outputs=_uid, to_wire=_wire,
    **_common("attribute", "key", api.Listed(api.ATTRIBUTES, customs_only=True)),
    cls="Attribute", doc="A custom attribute of the visitors (``key`` is what the SDKs set).",
    args=(
        _named("attribute"),
        Arg("key", "Key the SDKs set the attribute by (letters, digits, ``_-.``); not a preset's key "
            "(``COUNTRY``, ``REGION``, ... in any case)."),
        _described("What the attribute holds."),
    ),
    computed=(_UID,),
    destroy=_deletes("attribute", "attributes", "an audience"),
    adoption='''\
plan = cs.Attribute(
    "plan",
    name="Plan",
    key="plan",
    adopt_uid="65f1a2b3c4d5e6f708192a3b",  # a custom attribute's uid; presets are never adopted
)''',
)

EVENT: ResourceSpec[api.ContentstackApi] = declare(
    name="contentstack.Event", inputs=EventInputs, outputs=_uid, to_wire=_wire,
    **_common("event", "key", api.Listed(api.EVENTS)),
    cls="Event", doc="An event the SDKs trigger by ``key`` (conversions for experience metrics).",
    args=(Arg("key", "Key the SDKs trigger the event with."), _described("What the event means.")),
    computed=(_UID,),
    destroy="Deletes the event (`DELETE /events/{uid}`); SDK calls with its key stop counting.",
    adoption='''\
purchase = cs.Event("purchase", key="purchase", description="Order placed", adopt_existing=True)''',
)

AUDIENCE: ResourceSpec[api.ContentstackApi] = declare(
    name="contentstack.Audience", inputs=AudienceInputs, outputs=_uid, to_wire=_wire,
    **_common("audience", "name", api.Listed(api.AUDIENCES)),
    cls="Audience", doc="A group of visitors defined by rules on preset and custom attributes.",
    args=(
        _named("audience"),
        _described("Who is in the audience."),
        Arg("definition", "The rule tree (``rules.all_of(...)`` / ``rules.any_of(...)``); values "
            "may be Outputs.", arg="RuleCombination | Rule | Mapping[str, Any]"),
    ),
    computed=(_UID,),
    destroy=_deletes("audience", "audiences", "an active experience version"),
    adoption='''\
premium = cs.Audience(
    "premium",
    name="Premium customers",
    definition=rules.all_of(rules.Rule(rules.custom(plan.uid), "STRING_EQUALS", rules.StringMatch("premium"))),
    adopt_uid="65f1a2b3c4d5e6f708192a3c",
)''',
)

_UIDS = "Sequence[pulumi.Input[str]]"

VARIANT = Shape("ExperienceVariantArgs", "", model=VariantInputs, fields=(
    Arg("name", "Variant name; variants are matched by name across updates, so their short uids stay."),
    Arg("audiences", "SEGMENTED: uids of the audiences that see this variant (at least one, or Lytics audiences).",
        arg=_UIDS),
    Arg("audience_combination_type", "SEGMENTED: ``OR`` (default) or ``AND``."),
    Arg("traffic_distribution", "AB_TEST: percent of traffic; all variants add up to 100 (omit on all "
        "for an even split)."),
    Arg("lytics_audiences", "SEGMENTED: ids of Lytics audiences that see this variant (projects connected "
        "to Lytics). A variant needs ``audiences`` or these; left out, the live version's are kept.",
        arg=_UIDS),
))
METRIC = Shape("ExperienceMetricArgs", "", model=MetricInputs, fields=(
    Arg("event", "Uid of the event that counts as a conversion."),
    Arg("name", "Metric name."),
    Arg("type", "``Primary`` or ``Secondary``."),
))
TARGETING = Shape("ExperienceTargetingArgs", "", model=TargetingInputs, fields=(
    Arg("audiences", "Uids of the audiences the experience is shown to.", arg=_UIDS),
    Arg("audience_combination_type", "``AND`` or ``OR``."),
))

EXPERIENCE: ResourceSpec[api.ContentstackApi] = declare(
    name="contentstack.Experience", inputs=ExperienceInputs, outputs=api.experience_outputs, to_wire=_wire,
    from_wire=api.experience_from_wire, **_common("experience", "name", api.Experiences()),
    consequences=experience_consequences,
    cls="Experience", doc="An experience and the version Pulumi manages (variants, split, metrics, targeting, status).",
    args=(
        _named("experience"),
        _described("What the experience is for."),
        Arg("type", "``SEGMENTED`` (default) or ``AB_TEST``. Changing it replaces the experience.",
            replaces=True),
        Arg("status", "``DRAFT`` (default), ``ACTIVE`` or ``PAUSED``: the status of the version Pulumi "
            "manages. An active or paused version is locked: changing its variants makes a new version (ACTIVE "
            "archives the previous one); the variants keep their short uids and CMS variants by name. A version "
            "never goes back to DRAFT: ``DRAFT`` on a live experience makes a new draft, and the live version "
            "stays live until a later ``ACTIVE`` activates the draft."),
        Arg("variants", "Up to 20 variants.",
            arg="Sequence[ExperienceVariantArgs | Mapping[str, Any]]"),
        Arg("variant_split", "AB_TEST: how traffic is split (``EQUALLY_SPLIT`` when no traffic is given)."),
        Arg("metrics", "AB_TEST metrics, each counting an event.",
            arg="Sequence[ExperienceMetricArgs | Mapping[str, Any]]"),
        Arg("targeting", "Audiences the whole experience is limited to.",
            arg="ExperienceTargetingArgs | Mapping[str, Any]"),
    ),
    shapes=(VARIANT, METRIC, TARGETING),
    computed=(
        _UID,
        Out("experience_status", "str",
            "The experience's summary status as the service reports it (``DRAFT``, ``ACTIVE``, ...)."),
        Out("active_version_uid", "str | None",
            "Uid of the version visitors get now (the listed version whose status is ``ACTIVE``)."),
        Out("latest_version_uid", "str",
            "Uid of the newest version (the service's ``latestVersion``): the one Pulumi manages."),
        Out("variant_short_uids", "dict[str, str]",
            "Variant name -> short uid (what the delivery SDKs report); kept across updates by name."),
        Out("cms_variant_group_uid", "str | None",
            "Uid of the experience's variant group in the connected stack (``_cms.variantGroup``); empty when "
            "the service had not made it within 60 s of the last write (a refresh reads it later)."),
        Out("cms_variant_uids", "dict[str, str]",
            "Variant name -> uid of its CMS variant in the connected stack (from ``_cms.variants``)."),
        Out("variant_lytics_audiences", "dict[str, list[str]]",
            "Variant name -> the Lytics audiences its live version targets (declared or kept)."),
    ),
    destroy="Pauses the active version, if the versions list shows one (visitors stop getting it first), then "
    "deletes the experience with all its versions. The service leaves the experience's CMS variant group in the "
    "connected stack.",
    adoption='''\
homepage = cs.Experience(
    "homepage-hero",
    name="Homepage hero",
    type="SEGMENTED",  # must be the existing experience's type
    variants=[cs.ExperienceVariantArgs(name="Premium hero", audiences=[premium.uid])],
    adopt_uid="65f1a2b3c4d5e6f708192a3d",
)''',
)

EXPERIENCE_PRIORITY: ResourceSpec[api.ContentstackApi] = declare(
    name="contentstack.ExperiencePriority", inputs=ExperiencePriorityInputs,
    outputs=lambda live: {"order": live.get("order")}, from_wire=api.priority_from_wire, adoptable=False,
    describe=lambda props: "", **_common("experience priority", None, api.Priority()),
    import_id="``experience-priority``: a project has one order (the import takes the whole order as ``experiences``)",
    consequences=priority_consequences,
    cls="ExperiencePriority",
    doc="Puts the named experiences first in the project's priority order. Destroy leaves the order.",
    args=(
        Arg("experiences", "Experience uids, highest priority first; they are placed first and the "
            "others keep the service's order after them.", arg=_UIDS, default="()"),
    ),
    computed=(Out("order", "list[str]", "The project's whole order after the update."),),
    destroy="Leaves the project's priority order as it is and drops the resource from the state: there is "
    "nothing to delete, and deleted experiences leave the order on their own.",
    adoption="",
)

VARIANT_GROUP_CONTENT_TYPES: ResourceSpec[cma.CmaApi] = declare(
    name="contentstack.VariantGroupContentTypes", inputs=VariantGroupContentTypesInputs, outputs=cma.outputs,
    to_wire=lambda inputs, _live, _spec: inputs.model_dump(mode="json"), from_wire=cma.from_wire, adoptable=False,
    describe=lambda props: f"of experience {props.get('experience')!r}", module=_MODULE,
    label="variant group link", connect=cma.connect, endpoints=cma.VariantGroupLinks(),
    import_id="the uid of the experience's CMS variant group in the stack (the experience's ``cms_variant_group_uid``)",
    cls="VariantGroupContentTypes",
    doc="Content types linked to an experience's CMS variant group in the connected stack (entry variants need the "
    "link). Content types linked by others stay linked. Needs ``contentstackStackApiKey`` and a management token or "
    "the authtoken (Content Management API).",
    args=(
        Arg("experience", "Uid of the experience whose variant group it is. Changing it replaces the resource.",
            replaces=True),
        Arg("content_types", "Uids of the content types to link; removing one unlinks it. After a refresh, the "
            "declared ones that are still linked.", arg=_UIDS, default="()"),
    ),
    computed=(_UID, Out("variant_group_uid", "str", "Uid of the experience's variant group in the stack (the "
                                                    "resource's id).")),
    destroy="Unlinks the declared content types from the variant group (one `PUT /v3/variant_groups/{uid}` that "
    "keeps the others); the group stays in the stack, Personalize owns it.",
    adoption="Not adoptable: there is nothing to take over. Declaring it links the listed content types and leaves "
    "any other linked content type as it is.",
)


def __getattr__(name: str) -> Any:
    """The generated classes stay reachable here (``resources.Event``), where they used to be written."""
    from . import _generated

    if name in _generated.__all__:
        return getattr(_generated, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
