"""Contentstack Personalize input and output models (pydantic).

Fields are snake_case (what the program and the state hold); aliases are the service's names
(``docs/facts/contentstack.md#conventions``). The experience's type travels
as ``__type``.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, field_validator, model_validator

from .._values import AnyCase, contains_unknown, is_unknown, spelled
from ..facts import contentstack as facts
from ..facts.contentstack import Combination, ExperienceType, VersionStatus
from .rules import RuleNode, WireModel, preset_clash

MAX_VARIANTS = facts.MAX_VARIANTS
# variantSplit is an open set (only EQUALLY_SPLIT seen, others passed through): the known spelling
# is taken in any case like a Literal's (docs/internals.md, enum-valued inputs)
KNOWN_VARIANT_SPLITS = ("EQUALLY_SPLIT",)
TRAFFIC_TOLERANCE = 0.1  # 3 x 33.33 is an even split (the documentation's own example)


def _blank_to_none(value: Any) -> Any:
    # "" and absent are the same description to a person; normalising keeps diff quiet.
    return None if value == "" else value


class AttributeInputs(WireModel):
    """A custom attribute: ``{key, name, description}`` on the wire (no data type exists)."""

    name: str = Field(min_length=1)
    key: str = Field(min_length=1, pattern=r"^[A-Za-z0-9_\-.]+$")
    description: str | None = None

    _blank = field_validator("description", mode="before")(_blank_to_none)

    @field_validator("key")
    @classmethod
    def _not_a_preset(cls, value: str) -> str:
        preset = preset_clash(value)
        if preset is not None:
            raise ValueError(f"{value!r} is the key of the preset attribute {preset}; presets are built in "
                             "(use rules.preset(...) in a rule) and a custom attribute needs another key")
        return value


class EventInputs(WireModel):
    """An event: ``{key, description}`` on the wire (the vendor's CLI never sends a name)."""

    key: str = Field(min_length=1, pattern=r"^[A-Za-z0-9_\-.:]+$")
    description: str | None = None

    _blank = field_validator("description", mode="before")(_blank_to_none)


class AudienceInputs(WireModel):
    name: str = Field(min_length=1)
    description: str | None = None
    definition: RuleNode | None = None

    _blank = field_validator("description", mode="before")(_blank_to_none)


# --- experiences -------------------------------------------------------------------------------------


class VariantInputs(WireModel):
    """One variant. Segmented: ``audiences`` (uids) joined by ``audience_combination_type``, and/or
    ``lytics_audiences`` (ids of Lytics audiences; ``None`` keeps what the live version holds).
    A/B test: ``traffic_distribution`` (percent)."""

    name: str = Field(min_length=1)
    audiences: list[str] | None = None
    audience_combination_type: Combination | None = None
    lytics_audiences: list[str] | None = None
    traffic_distribution: float | None = Field(None, ge=0, le=100)

    @field_validator("audiences", "lytics_audiences")
    @classmethod
    def _unordered(cls, value: list[str] | None) -> list[str] | None:
        # order of audiences does not matter to the service: sorted, diff ignores reordering
        return sorted(value) if value is not None else None


class MetricInputs(WireModel):
    type: Literal["Primary", "Secondary"] = Field("Primary", alias="__type",
                                                  validation_alias=AliasChoices("__type", "type"))
    event: str = Field(min_length=1, description="the event's uid")
    name: str | None = None


class TargetingInputs(AnyCase):
    """Who sees the experience at all: audiences (uids) joined by AND or OR."""

    model_config = ConfigDict(extra="ignore")

    audiences: list[str] = Field(default_factory=list)
    audience_combination_type: Combination = "AND"

    @field_validator("audiences")
    @classmethod
    def _unordered(cls, value: list[str]) -> list[str]:
        return sorted(value)


class ExperienceInputs(WireModel):
    name: str = Field(min_length=1)
    description: str | None = None
    type: ExperienceType = Field("SEGMENTED", alias="__type", validation_alias=AliasChoices("__type", "type"))
    status: VersionStatus = "DRAFT"
    variants: list[VariantInputs] = Field(default_factory=list, max_length=MAX_VARIANTS)
    variant_split: str | None = None
    metrics: list[MetricInputs] = Field(default_factory=list)
    targeting: TargetingInputs | None = None

    _blank = field_validator("description", mode="before")(_blank_to_none)

    @field_validator("variant_split", mode="before")
    @classmethod
    def _known_split(cls, value: Any) -> Any:
        return spelled(value, KNOWN_VARIANT_SPLITS)

    @field_validator("variants", mode="before")
    @classmethod
    def _limit(cls, value: Any) -> Any:
        if isinstance(value, list) and len(value) > MAX_VARIANTS:
            raise ValueError(f"an experience has at most {MAX_VARIANTS} variants, got {len(value)}")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> ExperienceInputs:
        names = [v.name for v in self.variants if not is_unknown(v.name)]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            # short uids are kept across updates by matching names
            raise ValueError(f"variants: variant names must be unique; repeated: {', '.join(duplicates)}")
        if self.status in ("ACTIVE", "PAUSED") and not self.variants:
            raise ValueError(f"variants: an experience with status {self.status} needs at least one variant")
        if self.type == "SEGMENTED":
            for index, variant in enumerate(self.variants):
                if variant.traffic_distribution is not None:
                    raise ValueError(f"variants[{index}].traffic_distribution: is for AB_TEST experiences")
                if not variant.audiences and not variant.lytics_audiences:
                    # the service refuses a segmented variant without audiences (EMPTY_ARRAY)
                    raise ValueError(f"variants[{index}].audiences: a SEGMENTED variant needs at least one "
                                     "audience or Lytics audience")
                if variant.audience_combination_type is None:
                    variant.audience_combination_type = "OR"  # the service's default
                if variant.audiences is None:
                    variant.audiences = []  # a Lytics-only variant: the service reads back []
            if self.variant_split is not None:
                raise ValueError("variant_split: is for AB_TEST experiences")
        else:
            for index, variant in enumerate(self.variants):
                if variant.audiences or variant.lytics_audiences or variant.audience_combination_type is not None:
                    raise ValueError(f"variants[{index}].audiences: are for SEGMENTED experiences; "
                                     "target an A/B test with targeting=")
            self._split_traffic()
        return self

    def _split_traffic(self) -> None:
        traffic = [v.traffic_distribution for v in self.variants]
        if not self.variants or contains_unknown(traffic):
            return
        if all(t is None for t in traffic):
            # no split given: an even one, the way the service's EQUALLY_SPLIT shows it
            share = round(100 / len(self.variants), 2)
            for variant in self.variants:
                variant.traffic_distribution = share
            if self.variant_split is None:
                self.variant_split = "EQUALLY_SPLIT"
            return
        if any(t is None for t in traffic):
            raise ValueError("variants: set traffic_distribution on every variant of an A/B test, or on none")
        total = sum(t for t in traffic if t is not None)
        if abs(total - 100) > TRAFFIC_TOLERANCE:
            raise ValueError(f"variants: the traffic_distribution of an A/B test's variants must add up to 100, got {total:g}")

    def version_fields(self) -> dict[str, Any]:
        """The part of the inputs that lives in an experience version (snake_case)."""
        dumped: dict[str, Any] = self.model_dump(
            mode="json", exclude_none=True, include={"status", "variants", "variant_split", "metrics", "targeting"}
        )
        return dumped


VERSION_FIELDS = ("status", "variants", "variant_split", "metrics", "targeting")


def variant_type(experience_type: str) -> str:
    return "SegmentedVariant" if experience_type == "SEGMENTED" else "ABTestVariant"


def version_payload(inputs: ExperienceInputs, short_uids: dict[str, str], status: str | None = None) -> dict[str, Any]:
    """The wire body of an experience version; variants keep their short uids by name."""
    variants = []
    for variant in inputs.variants:
        body: dict[str, Any] = {"__type": variant_type(inputs.type), "name": variant.name}
        if variant.name in short_uids:
            body["shortUid"] = short_uids[variant.name]
        if inputs.type == "SEGMENTED":
            body["audiences"] = list(variant.audiences or [])
            body["audienceCombinationType"] = variant.audience_combination_type or "OR"
            if variant.lytics_audiences is not None:
                body["lyticsAudiences"] = list(variant.lytics_audiences)
        else:
            body["trafficDistribution"] = variant.traffic_distribution
        variants.append(body)
    payload: dict[str, Any] = {"status": status or inputs.status, "variants": variants}
    if inputs.variant_split is not None:
        payload["variantSplit"] = inputs.variant_split
    payload["metrics"] = [m.model_dump(mode="json", by_alias=True, exclude_none=True) for m in inputs.metrics]
    if inputs.targeting is not None:
        payload["targeting"] = {"audience": {
            "audiences": list(inputs.targeting.audiences),
            "audienceCombinationType": inputs.targeting.audience_combination_type,
        }}
    return payload


def version_inputs(version: dict[str, Any], experience_type: str) -> dict[str, Any]:
    """snake_case version fields read back from a version object (for refresh and comparisons)."""
    variants = []
    for raw in version.get("variants") or []:
        if not isinstance(raw, dict):
            continue
        variant: dict[str, Any] = {"name": raw.get("name")}
        if experience_type == "SEGMENTED":
            variant["audiences"] = raw.get("audiences") or []
            variant["audience_combination_type"] = raw.get("audienceCombinationType") or "OR"
            if raw.get("lyticsAudiences"):
                variant["lytics_audiences"] = list(raw["lyticsAudiences"])
        else:
            variant["traffic_distribution"] = raw.get("trafficDistribution")
        variants.append(variant)
    out: dict[str, Any] = {
        "status": version.get("status") if version.get("status") in ("DRAFT", "ACTIVE", "PAUSED") else "DRAFT",
        "variants": variants,
        "metrics": [m for m in version.get("metrics") or [] if isinstance(m, dict)],
    }
    if version.get("variantSplit") is not None:
        out["variant_split"] = version["variantSplit"]
    targeting = version.get("targeting")
    if isinstance(targeting, dict) and isinstance(targeting.get("audience"), dict):
        audience = targeting["audience"]
        out["targeting"] = {
            "audiences": audience.get("audiences") or [],
            "audience_combination_type": audience.get("audienceCombinationType") or "AND",
        }
    return out


def with_live_lytics(inputs: ExperienceInputs, version: dict[str, Any] | None) -> ExperienceInputs:
    """The inputs with each undeclared ``lytics_audiences`` taken from the live version's variant of
    the same name: a version PUT replaces the whole version, so what is not sent is removed."""
    live: dict[str, list[str]] = {
        str(v.get("name")): list(v["lyticsAudiences"]) for v in (version or {}).get("variants") or []
        if isinstance(v, dict) and v.get("lyticsAudiences")}
    if inputs.type != "SEGMENTED" or not live:
        return inputs
    variants = [v if v.lytics_audiences is not None or v.name not in live
                else v.model_copy(update={"lytics_audiences": sorted(live[v.name])}) for v in inputs.variants]
    return inputs.model_copy(update={"variants": variants})


def comparable(fields: dict[str, Any]) -> dict[str, Any]:
    """Version fields with empty ``lytics_audiences`` left out: none sent and ``[]`` read back are the same."""
    variants = [{k: v for k, v in variant.items() if k != "lytics_audiences" or v}
                for variant in fields.get("variants") or []]
    return {**fields, "variants": variants} if "variants" in fields else fields


class ExperiencePriorityInputs(BaseModel):
    model_config = ConfigDict(extra="ignore")

    experiences: list[str] = Field(min_length=1)

    @field_validator("experiences")
    @classmethod
    def _unique(cls, value: list[str]) -> list[str]:
        known = [v for v in value if not is_unknown(v)]
        repeated = sorted({v for v in known if known.count(v) > 1})
        if repeated:
            raise ValueError(f"each experience may be listed once; repeated: {', '.join(repeated)}")
        return value


# --- look-up results ------------------------------------------------------------------------------------


class _Result(BaseModel):
    model_config = ConfigDict(populate_by_name=True, extra="ignore", frozen=True)


class GeoLocation(_Result):
    uid: str
    code: str
    name: str
    country_code: str | None = Field(None, alias="countryCode")
    region_code: str | None = Field(None, alias="regionCode")


class AttributeInfo(_Result):
    """A custom attribute (look-ups never return the built-in presets)."""

    uid: str
    name: str
    key: str
    description: str | None = None


class EventInfo(_Result):
    uid: str
    key: str
    description: str | None = None


class AudienceInfo(_Result):
    uid: str
    name: str
    description: str | None = None
    definition: dict[str, Any] | None = None


class ExperienceInfo(_Result):
    uid: str
    name: str
    description: str | None = None
    type: str | None = Field(None, alias="__type")
    status: str | None = None
    """The experience's summary status as the service reports it (``DRAFT``, ``ACTIVE``, ...)."""
    latest_version_uid: str | None = Field(None, alias="latestVersion")
    """Uid of the newest version (the service's ``latestVersion`` is this uid string)."""
    short_uid: str | None = Field(None, alias="shortUid")
    cms_variant_group_uid: str | None = None
    """Uid of the experience's variant group in the connected stack (``_cms.variantGroup``)."""

    @model_validator(mode="before")
    @classmethod
    def _cms(cls, data: Any) -> Any:
        if isinstance(data, dict):
            cms = data.get("_cms")
            group = cms.get("variantGroup") if isinstance(cms, dict) else None
            data = {**data, "cms_variant_group_uid": group if isinstance(group, str) and group else None}
        return data


class ProjectInfo(_Result):
    """A Personalize project (``GET /projects``)."""

    uid: str
    name: str
    description: str | None = None
    organization_uid: str | None = Field(None, alias="organizationUid")
    connected_stack_api_key: str | None = Field(None, alias="connectedStackApiKey")


class VariantGroupContentTypesInputs(BaseModel):
    """An experience's variant group and the content types the program links to it."""

    model_config = ConfigDict(extra="ignore")

    experience: str = Field(min_length=1)
    content_types: list[str] = Field(default_factory=list)

    @field_validator("content_types")
    @classmethod
    def _distinct(cls, value: list[str]) -> list[str]:
        blank = [i for i, uid in enumerate(value) if not uid.strip()]
        if blank:
            raise ValueError(f"content type uids must not be empty (item {blank[0]})")
        twice = sorted({uid for uid in value if value.count(uid) > 1})
        if twice:
            raise ValueError(f"content types listed twice: {', '.join(twice)}")
        return value
