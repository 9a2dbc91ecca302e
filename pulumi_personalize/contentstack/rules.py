"""Audience rules: a typed builder for programs, and the models that validate them in the provider.

Build a definition in a program::

    from pulumi_personalize.contentstack import rules

    definition = rules.all_of(
        rules.Rule(rules.preset("COUNTRY"), "STRING_EQUALS", rules.StringMatch("US")),
        rules.Rule(rules.custom(spend.uid), "NUMBER_GREATER_THAN", rules.NumberMatch(1000)),
    )

Every value may be a ``pulumi.Output`` (``spend.uid`` above): the builder keeps Outputs in place
and the provider validates what is known at preview, skipping what is not.

In state (and in the builder) the names are snake_case and the kind of a node is ``type``; on the
wire they are the service's (``attributeMatchCondition``, ``__type``). The host drops nested keys
that start with ``__``, so ``__type`` never goes into state.

A match condition must fit its options: ``STRING_*`` conditions take ``StringMatch``,
``NUMBER_*`` ``NumberMatch``, ``BOOLEAN_*`` ``BooleanMatch``, ``*_TIME`` / ``*_DATE``
``DateTimeMatch`` and ``JSON_MATCH`` ``JsonMatch``; anything else is a check failure at preview.

A preset is named by its key, one of ``PRESET_ATTRIBUTES`` (``rules.preset("PLAN")`` raises
``ValueError`` at once); a custom attribute by its uid, never by a preset's key
(``rules.custom("COUNTRY")`` is a check failure at preview that says to use ``rules.preset("COUNTRY")``).
Deleting an attribute that an audience still uses fails at ``up``, naming the audiences: a delete
has no check, so no preview can see it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Annotated, Any, ClassVar, Generic, Literal, TypeAlias, TypeVar

import pulumi
from pydantic import ConfigDict, Discriminator, Field, Tag, field_validator, model_validator
from pydantic.alias_generators import to_camel

from .._values import AnyCase, is_unknown
from ..facts.contentstack import PRESET_ATTRIBUTE_KEYS, Combination

__all__ = [
    "BooleanMatch",
    "CustomAttribute",
    "DateTimeMatch",
    "JsonMatch",
    "NumberMatch",
    "PresetAttribute",
    "Rule",
    "RuleCombination",
    "StringMatch",
    "all_of",
    "any_of",
    "custom",
    "preset",
]

PRESET_ATTRIBUTES = PRESET_ATTRIBUTE_KEYS
"""The preset attributes a rule may name (docs/facts/contentstack.md#presets): a rule's preset ref must be
one of them, and neither a custom attribute's key nor a custom ref may be one (in any case)."""


def preset_clash(value: str) -> str | None:
    """The preset whose key ``value`` is, compared without regard to case (``None`` when none is or
    the value is unknown): whether the service tells ``country`` from ``COUNTRY`` is not known, and
    a value that differs from a preset's key only by case is confusing in rules either way."""
    if is_unknown(value):
        return None
    return next((p for p in PRESET_ATTRIBUTES if p.casefold() == value.casefold()), None)


def preset_error(ref: str) -> str | None:
    """Why ``ref`` is not a preset's key (``None`` when it is one, or is not known yet)."""
    if is_unknown(ref) or ref in PRESET_ATTRIBUTES:
        return None
    near = preset_clash(ref)
    hint = f'use rules.preset("{near}")' if near else "a custom attribute is rules.custom(attribute.uid)"
    return f"{ref!r} is not a preset attribute: the presets are {', '.join(PRESET_ATTRIBUTES)}; {hint}"


def custom_error(ref: str) -> str | None:
    """Why ``ref`` cannot be a custom attribute's uid: it is a preset's key (``None`` otherwise)."""
    near = preset_clash(ref)
    if near is None:
        return None
    return (f"{ref!r} is the key of the preset attribute {near}, not a custom attribute's uid: "
            f'use rules.preset("{near}"), or rules.custom(attribute.uid) for a custom attribute')


def custom_refs(definition: Any) -> set[str]:
    """The uids of the custom attributes a wire rule tree (``__type``/``ref``) refers to."""
    found: set[str] = set()
    nodes = definition.values() if isinstance(definition, dict) else definition if isinstance(definition, list) else ()
    for node in nodes:
        found |= custom_refs(node)
    if isinstance(definition, dict) and definition.get("__type") == "CustomAttributeReference" \
            and isinstance(definition.get("ref"), str):
        found.add(definition["ref"])
    return found


# --------------------------------------------------------------------------------------------------
# Builder (program side): frozen dataclasses; engine.plain() turns them into snake_case dicts
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _AttributeReference:
    """An attribute a rule tests, by ``ref``; the subclass's ``TYPE`` says which kind."""

    TYPE: ClassVar[str]
    ref: pulumi.Input[str]
    """A preset's key (``COUNTRY``), or a custom attribute's uid (not its key)."""


@dataclass(frozen=True)
class PresetAttribute(_AttributeReference):
    """A built-in attribute such as ``COUNTRY``, ``QUERY_PARAMETERS`` or ``DATE_AND_TIME``."""

    TYPE: ClassVar[str] = "PresetAttributeReference"


@dataclass(frozen=True)
class CustomAttribute(_AttributeReference):
    """A custom attribute, by its uid (``Attribute(...).uid`` works, even before it exists)."""

    TYPE: ClassVar[str] = "CustomAttributeReference"


def preset(ref: pulumi.Input[str]) -> PresetAttribute:
    """A preset attribute by its key (one of ``PRESET_ATTRIBUTES``); any other key raises ``ValueError``."""
    error = preset_error(ref) if isinstance(ref, str) else None  # an Output is checked at preview
    if error:
        raise ValueError(error)
    return PresetAttribute(ref)


def custom(uid: pulumi.Input[str]) -> CustomAttribute:
    """A custom attribute by its uid (``Attribute(...).uid``); a preset's key here fails the preview."""
    return CustomAttribute(uid)


ValueT = TypeVar("ValueT", str, float, bool)


@dataclass(frozen=True)
class _ValueMatch(Generic[ValueT]):
    """Options that compare the attribute with one ``value``; the subclass's ``TYPE`` says which kind."""

    TYPE: ClassVar[str]
    value: pulumi.Input[ValueT]
    """What the attribute is compared with."""


@dataclass(frozen=True)
class StringMatch(_ValueMatch[str]):
    """Options of a ``STRING_*`` condition: the text the attribute is compared with."""

    TYPE: ClassVar[str] = "StringMatchOptions"


@dataclass(frozen=True)
class NumberMatch(_ValueMatch[float]):
    """Options of a ``NUMBER_*`` condition: the number the attribute is compared with."""

    TYPE: ClassVar[str] = "NumberMatchOptions"


@dataclass(frozen=True)
class BooleanMatch(_ValueMatch[bool]):
    """Options of ``BOOLEAN_EQUALS``: the truth value the attribute must have."""

    TYPE: ClassVar[str] = "BooleanMatchOptions"


@dataclass(frozen=True)
class DateTimeMatch:
    """ISO 8601 local date-times (``2024-11-29T00:00:00``); ``use_visitor_timezone`` evaluates
    them in the visitor's time zone."""

    TYPE: ClassVar[str] = "DateTimeMatchOptions"
    start_time: pulumi.Input[str] | None = None
    """From this date-time on (set it, ``end_time`` or both)."""
    end_time: pulumi.Input[str] | None = None
    """Up to this date-time."""
    use_visitor_timezone: pulumi.Input[bool] = False
    """Evaluate both in the visitor's time zone instead of UTC."""


@dataclass(frozen=True)
class JsonMatch:
    """Match one value inside a JSON attribute (query parameters, for example) by JSON pointer."""

    TYPE: ClassVar[str] = "JSONMatchOptions"
    pointer: pulumi.Input[str]
    """A JSON pointer starting with ``/`` (``/utm_campaign``)."""
    match_condition: pulumi.Input[str]
    """The condition applied to the value pointed at (``STRING_EQUALS``, ...)."""
    match_options: StringMatch | NumberMatch | BooleanMatch | DateTimeMatch
    """Options that fit ``match_condition`` (never another ``JsonMatch``)."""
    invert_condition: pulumi.Input[bool] = False
    """Negates the inner condition."""


MatchOptions = StringMatch | NumberMatch | BooleanMatch | DateTimeMatch | JsonMatch


@dataclass(frozen=True)
class Rule:
    """One condition on one attribute. ``invert_condition`` negates it."""

    TYPE: ClassVar[str] = "Rule"
    attribute: PresetAttribute | CustomAttribute
    """``preset(key)`` or ``custom(uid)``."""
    attribute_match_condition: pulumi.Input[str]
    """The service's condition name (see the match conditions below the builders)."""
    attribute_match_options: MatchOptions | None = None
    """Options that fit the condition; left out for a condition that takes none."""
    invert_condition: pulumi.Input[bool] = False
    """Negates the condition."""


@dataclass(frozen=True)
class RuleCombination:
    """Rules (or nested combinations) joined by ``AND`` or ``OR``."""

    TYPE: ClassVar[str] = "RuleCombination"
    combination_type: pulumi.Input[str] = "AND"
    """``AND`` (every rule) or ``OR`` (any rule)."""
    rules: Sequence[Rule | RuleCombination] = field(default_factory=tuple)
    """Rules and nested combinations."""


def all_of(*rules: Rule | RuleCombination) -> RuleCombination:
    """Visitors who match every one of ``rules`` (``AND``)."""
    return RuleCombination("AND", tuple(rules))


def any_of(*rules: Rule | RuleCombination) -> RuleCombination:
    """Visitors who match at least one of ``rules`` (``OR``)."""
    return RuleCombination("OR", tuple(rules))


# --------------------------------------------------------------------------------------------------
# Validation models (provider side): accept snake_case or wire names, dump either
# --------------------------------------------------------------------------------------------------


class WireModel(AnyCase):
    """snake_case fields, camelCase aliases; validates from either, dumps wire names by alias."""

    model_config = ConfigDict(populate_by_name=True, alias_generator=to_camel, extra="ignore")


def _tag(value: Any) -> str | None:
    if isinstance(value, dict):
        tag = value.get("__type", value.get("type"))
        return tag if isinstance(tag, str) else None
    tag = getattr(value, "type", None)
    return tag if isinstance(tag, str) else None


class PresetAttributeRefModel(WireModel):
    type: Literal["PresetAttributeReference"] = Field("PresetAttributeReference", alias="__type")
    ref: str = Field(min_length=1)

    @field_validator("ref")
    @classmethod
    def _a_preset(cls, value: str) -> str:
        error = preset_error(value)
        if error:
            raise ValueError(error)
        return value


class CustomAttributeRefModel(WireModel):
    type: Literal["CustomAttributeReference"] = Field("CustomAttributeReference", alias="__type")
    ref: str = Field(min_length=1, description="the custom attribute's uid")

    @field_validator("ref")
    @classmethod
    def _not_a_preset(cls, value: str) -> str:
        error = custom_error(value)  # an unknown uid (an Output at preview) is skipped
        if error:
            raise ValueError(error)
        return value


AttributeRefModel = Annotated[
    Annotated[PresetAttributeRefModel, Tag("PresetAttributeReference")]
    | Annotated[CustomAttributeRefModel, Tag("CustomAttributeReference")],
    Discriminator(_tag, custom_error_type="attribute_type",
                  custom_error_message="must be PresetAttributeReference or CustomAttributeReference"),
]


class StringMatchModel(WireModel):
    type: Literal["StringMatchOptions"] = Field("StringMatchOptions", alias="__type")
    value: str


class NumberMatchModel(WireModel):
    type: Literal["NumberMatchOptions"] = Field("NumberMatchOptions", alias="__type")
    value: int | float


class BooleanMatchModel(WireModel):
    type: Literal["BooleanMatchOptions"] = Field("BooleanMatchOptions", alias="__type")
    value: bool


class DateTimeMatchModel(WireModel):
    type: Literal["DateTimeMatchOptions"] = Field("DateTimeMatchOptions", alias="__type")
    start_time: str | None = None
    end_time: str | None = None
    use_visitor_timezone: bool = False

    @model_validator(mode="after")
    def _bounded(self) -> DateTimeMatchModel:
        if self.start_time is None and self.end_time is None:
            raise ValueError("set start_time, end_time or both")
        return self


_MATCH_ERROR = "must be StringMatchOptions, NumberMatchOptions, BooleanMatchOptions, DateTimeMatchOptions or JSONMatchOptions"

_MATCH_DISCRIMINATOR = Discriminator(_tag, custom_error_type="match_options_type", custom_error_message=_MATCH_ERROR)
_ScalarMatches: TypeAlias = (
    Annotated[StringMatchModel, Tag("StringMatchOptions")]
    | Annotated[NumberMatchModel, Tag("NumberMatchOptions")]
    | Annotated[BooleanMatchModel, Tag("BooleanMatchOptions")]
    | Annotated[DateTimeMatchModel, Tag("DateTimeMatchOptions")]
)
ScalarMatchModel = Annotated[_ScalarMatches, _MATCH_DISCRIMINATOR]
"""The options a JSON match applies to the value it points at: any but another JSON match."""


def condition_error(condition: Any, options_type: str | None) -> str | None:
    """Why a match condition does not fit its options' type (``None`` when it fits or is unknown)."""
    if not isinstance(condition, str) or is_unknown(condition) or options_type is None:
        return None
    fits = {
        "StringMatchOptions": condition.startswith("STRING_"),
        "NumberMatchOptions": condition.startswith("NUMBER_"),
        "BooleanMatchOptions": condition.startswith("BOOLEAN_"),
        "DateTimeMatchOptions": "TIME" in condition or "DATE" in condition,
        "JSONMatchOptions": condition.startswith("JSON_"),
    }.get(options_type)
    if fits is None or fits:
        return None
    expected = {
        "StringMatchOptions": "a STRING_* condition (STRING_EQUALS, STRING_CONTAINS, ...)",
        "NumberMatchOptions": "a NUMBER_* condition (NUMBER_EQUALS, NUMBER_GREATER_THAN, ...)",
        "BooleanMatchOptions": "a BOOLEAN_* condition (BOOLEAN_EQUALS)",
        "DateTimeMatchOptions": "a date/time condition (BETWEEN_TIME, BEFORE_TIME, AFTER_TIME, ...)",
        "JSONMatchOptions": "JSON_MATCH",
    }[options_type]
    return f"condition {condition!r} does not fit {options_type}: use {expected}, or options that fit {condition!r}"


class JsonMatchModel(WireModel):
    type: Literal["JSONMatchOptions"] = Field("JSONMatchOptions", alias="__type")
    pointer: str = Field(min_length=1)
    match_condition: str
    match_options: ScalarMatchModel
    invert_condition: bool = False

    @field_validator("pointer")
    @classmethod
    def _pointer(cls, value: str) -> str:
        if not is_unknown(value) and not value.startswith("/"):
            raise ValueError("must be a JSON pointer starting with '/', such as '/utm_campaign'")
        return value

    @model_validator(mode="after")
    def _fits(self) -> JsonMatchModel:
        error = condition_error(self.match_condition, self.match_options.type)
        if error:
            raise ValueError(error)
        return self


MatchModel = Annotated[_ScalarMatches | Annotated[JsonMatchModel, Tag("JSONMatchOptions")], _MATCH_DISCRIMINATOR]


class RuleModel(WireModel):
    type: Literal["Rule"] = Field("Rule", alias="__type")
    attribute: AttributeRefModel
    attribute_match_condition: str = Field(min_length=1)
    attribute_match_options: MatchModel | None = None
    invert_condition: bool = False

    @model_validator(mode="after")
    def _fits(self) -> RuleModel:
        options = self.attribute_match_options
        error = condition_error(self.attribute_match_condition, options.type if options else None)
        if error:
            raise ValueError(error)
        return self


class RuleCombinationModel(WireModel):
    type: Literal["RuleCombination"] = Field("RuleCombination", alias="__type")
    combination_type: Combination = "AND"
    rules: list[RuleNode] = Field(default_factory=list)


RuleNode = Annotated[
    Annotated[RuleModel, Tag("Rule")] | Annotated[RuleCombinationModel, Tag("RuleCombination")],
    Discriminator(_tag, custom_error_type="rule_type", custom_error_message="must be a Rule or a RuleCombination"),
]
RuleCombinationModel.model_rebuild()
