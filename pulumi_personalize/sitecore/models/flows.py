"""Flow definitions (``/v3/flowDefinitions``): web, API and triggered experiences and experiments,
with their variants, tasks, traffic, schedule and goals."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import Field, ValidationInfo, field_validator, model_validator

from ...facts.sitecore import Channel, FlowStatus, FlowSubtype
from .common import _friendly_id, _Model, _upper, no_stack_tags, read_tagged, strip_server_fields, tagged_body

__all__ = [
    "BUSINESS_PROCESS",
    "DECLARABLE_FLOW_STATUSES",
    "TASK_INPUTS",
    "VARIANT_REF_NAMESPACE",
    "Assets",
    "Channel",
    "ConditionsTaskInput",
    "DecisionModelTaskInput",
    "FlowDefinitionInputs",
    "FlowStatus",
    "FlowSubtype",
    "FlowTask",
    "FlowType",
    "FlowVariant",
    "Goal",
    "GoalCalculation",
    "Goals",
    "PageParameter",
    "SampleSizeConfig",
    "Schedule",
    "TemplateRenderTaskInput",
    "Traffic",
    "TrafficSplit",
    "variant_ref",
]

# Namespace of the refs we give flow variants: stable across runs, so traffic splits can name them.
VARIANT_REF_NAMESPACE = uuid.UUID("5b0f7c1e-2f57-4d0c-9a43-5e1a2f1f5a11")

FlowType = Literal["INTERACTIVE_WEB_FLOW", "INTERACTIVE_API_FLOW", "TRIGGERED_V3"]
# DRAFT, PRODUCTION and PAUSED are what a program declares; the others (FlowStatus) are states the
# service moves a flow through by itself and that a refresh may report.
DECLARABLE_FLOW_STATUSES = ("DRAFT", "PRODUCTION", "PAUSED")
BUSINESS_PROCESS = {"INTERACTIVE_WEB_FLOW": "interactive_v1", "INTERACTIVE_API_FLOW": "interactive_v1",
                    "TRIGGERED_V3": "triggered_v1"}


class TrafficSplit(_Model):
    ref: str = Field(min_length=1)
    """A variant's ref."""
    split: int = Field(ge=0, le=100)
    """Percentage of the flow's traffic; the splits add up to 100."""


class Traffic(_Model):
    type: Literal["simpleTraffic", "advancedTraffic"] = "simpleTraffic"
    weighting_algorithm: Literal["USER_DEFINED", "MULTI_ARM_BANDIT"] = "USER_DEFINED"
    allocation: int = Field(default=100, ge=0, le=100)
    """Percentage of visitors who enter the flow."""
    coupled: bool | None = None
    splits: list[TrafficSplit] = Field(default_factory=list)
    """How the traffic is shared among the variants (by variant ref)."""


class Schedule(_Model):
    type: Literal["simpleSchedule"] = "simpleSchedule"
    start_date: str
    """ISO-8601 date-time the flow starts."""
    end_date: str | None = None
    """ISO-8601 date-time it ends (none: it runs until stopped)."""

    @field_validator("start_date", "end_date")
    @classmethod
    def _iso(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                datetime.fromisoformat(value.replace("Z", "+00:00"))
            except ValueError:
                raise ValueError("must be an ISO-8601 date-time such as 2025-01-01T00:00:00.000Z") from None
        return value


class SampleSizeConfig(_Model):
    base_value: float = Field(gt=0, lt=1)
    """Today's conversion rate (0-1)."""
    minimum_detectable_difference: float = Field(gt=0)
    """Smallest relative change worth detecting."""
    confidence_level: float = Field(gt=0, lt=1)
    """Statistical confidence wanted (0-1)."""


EXAMPLE_SAMPLE_SIZE: dict[str, float] = {"baseValue": 0.02, "minimumDetectableDifference": 0.2, "confidenceLevel": 0.95}
"""The ``sampleSizeConfig`` of Sitecore's create and update examples (docs/facts/sitecore.md#sample-size)."""


class GoalCalculation(_Model):
    type: Literal["binary"] = "binary"
    calculation: Literal["INCREASE", "DECREASE"] = "INCREASE"
    target: str = "conversionPerSession"


class PageParameter(_Model):
    match_condition: str
    parameter_string: str


class Goal(_Model):
    """An experiment's goal (the Pages client's ``goals.primary``, docs/facts/sitecore.md#flows)."""

    type: Literal["pageViewGoal", "bouncesGoal", "exitsGoal", "customGoal"]
    name: str = Field(min_length=1)
    friendly_id: str | None = None
    description: str | None = None
    goal_calculation: GoalCalculation = Field(default_factory=GoalCalculation)
    page_parameters: list[PageParameter] | None = None
    event_type: str | None = None

    @field_validator("friendly_id")
    @classmethod
    def _fid(cls, value: str | None) -> str | None:
        return None if value is None else _friendly_id(value)


class Goals(_Model):
    """``goals`` (Sitecore's Pages client) rather than the tenant SDK's ``goal`` (docs/facts/sitecore.md#flows)."""

    primary: Goal
    secondary: list[Goal] | None = None


class TemplateRenderTaskInput(_Model):
    input_type: Literal["templateRenderTaskInput"] = "templateRenderTaskInput"
    type: str = "application/json"
    template: str
    """The FreeMarker/JSON the task renders (a ``Template``'s freemarker element, for example)."""


class DecisionModelTaskInput(_Model):
    input_type: Literal["decisionModelTaskInput"] = "decisionModelTaskInput"
    decision_model_refs: list[str] = Field(min_length=1)
    """Refs of the decision models the task runs."""


class ConditionsTaskInput(_Model):
    input_type: Literal["conditionsTaskInput"] = "conditionsTaskInput"
    rules: list[dict[str, Any]] = Field(default_factory=list)


TASK_INPUTS = {"templateRenderTask": "templateRenderTaskInput", "decisionModelTask": "decisionModelTaskInput",
               "conditionsTask": "conditionsTaskInput"}


class FlowTask(_Model):
    implementation: Literal["templateRenderTask", "decisionModelTask", "conditionsTask"]
    input: Annotated[
        TemplateRenderTaskInput | DecisionModelTaskInput | ConditionsTaskInput, Field(discriminator="input_type")
    ]

    @model_validator(mode="before")
    @classmethod
    def _input_type_from_implementation(cls, data: Any) -> Any:
        # The builder and a person writing the dict may leave inputType out: it follows from the task.
        if isinstance(data, Mapping) and isinstance(data.get("input"), Mapping):
            given = data["input"]
            if "input_type" not in given and "inputType" not in given:
                wanted = TASK_INPUTS.get(str(data.get("implementation")))
                if wanted:
                    return {**data, "input": {**given, "input_type": wanted}}
        return data

    @model_validator(mode="after")
    def _pair(self) -> FlowTask:
        if TASK_INPUTS[self.implementation] != self.input.input_type:
            raise ValueError(f"a {self.implementation} takes a {TASK_INPUTS[self.implementation]}")
        return self


class Assets(_Model):
    html: str | None = None
    css: str | None = None
    js: str | None = None


class FlowVariant(_Model):
    """A variant of a flow (tenant SDK ``models/flow.ts``, confirmed by the Pages client; docs/facts/sitecore.md#flows)."""

    ref: str = Field(min_length=1)
    """The variant's ref (default: a stable UUID from the flow's friendly_id and the variant's name)."""
    name: str = Field(min_length=1)
    description: str | None = None
    is_control: bool = False
    """The experiment's control (exactly one per experiment)."""
    preview_url: str | None = None
    image: str | None = None
    assets: Assets | None = None
    """Web flows: the variant's html, css and js."""
    template_variables: dict[str, str] | None = None
    """Values of the code's ``[[parameters]]``."""
    tasks: list[FlowTask] = Field(default_factory=list)
    """What the variant runs: template render, decision model and conditions tasks."""


def variant_ref(friendly_id: str, variant_name: str) -> str:
    """The ref we give a variant: the same on every run (the service takes client refs: docs/facts/sitecore.md#flows)."""
    return str(uuid.uuid5(VARIANT_REF_NAMESPACE, f"{friendly_id}/{variant_name}"))


class FlowDefinitionInputs(_Model):
    """The desired state of a flow definition: an experience or an experiment."""

    name: str = Field(min_length=1)
    friendly_id: str
    type: FlowType
    subtype: FlowSubtype = "EXPERIENCE"
    channels: list[Channel] = Field(min_length=1)
    business_process: str
    status: FlowStatus = "DRAFT"
    schedule: Schedule
    traffic: Traffic = Field(default_factory=Traffic)
    variants: list[FlowVariant] = Field(default_factory=list)
    sample_size_config: SampleSizeConfig | None = None
    goals: Goals | None = None
    tags: list[str] | None = None

    @field_validator("friendly_id")
    @classmethod
    def _fid(cls, value: str) -> str:
        return _friendly_id(value)

    _upper_fields = field_validator("type", "subtype", "status", mode="before")(_upper)
    _tags = field_validator("tags")(no_stack_tags)

    @model_validator(mode="before")
    @classmethod
    def _defaults_from_type(cls, data: Any) -> Any:
        """``business_process`` and ``channels`` follow from the type; variant refs from the names."""
        if not isinstance(data, Mapping):
            return data
        data = dict(data)
        flow_type = _upper(data.get("type")) if isinstance(data.get("type"), str) else None
        if data.get("business_process", data.get("businessProcess")) is None and flow_type in BUSINESS_PROCESS:
            data["business_process"] = BUSINESS_PROCESS[flow_type]
        if data.get("channels") is None and flow_type == "INTERACTIVE_WEB_FLOW":
            data["channels"] = ["WEB"]
        fid = data.get("friendly_id", data.get("friendlyId"))
        variants = data.get("variants")
        if isinstance(fid, str) and isinstance(variants, list):
            data["variants"] = [
                {**v, "ref": variant_ref(fid, str(v["name"]))}
                if isinstance(v, Mapping) and v.get("ref") is None and isinstance(v.get("name"), str) else v
                for v in variants
            ]
        return data

    @model_validator(mode="after")
    def _consistent(self, info: ValidationInfo) -> FlowDefinitionInputs:
        if info.context and info.context.get("from_wire"):
            return self
        refs = [v.ref for v in self.variants]
        repeated = sorted({r for r in refs if refs.count(r) > 1})
        if repeated:
            raise ValueError(f"variants: each variant needs its own ref (and name), repeated: {', '.join(repeated)}")
        splits = self.traffic.splits
        if splits:
            total = sum(s.split for s in splits)
            if total != 100:
                raise ValueError(f"traffic: the splits must add up to 100, they add up to {total}")
            unknown = [s.ref for s in splits if s.ref not in refs]
            if unknown:
                raise ValueError(f"traffic: split ref {', '.join(unknown)} is not the ref of one of the variants")
        if self.subtype == "EXPERIMENT":
            if len(self.variants) < 2:
                raise ValueError("variants: an experiment needs at least two variants (a control and a treatment)")
            if sum(v.is_control for v in self.variants) != 1:
                raise ValueError("variants: an experiment needs exactly one variant with is_control=True")
            if {s.ref for s in splits} != set(refs):
                raise ValueError("traffic: an experiment splits its traffic over every variant (one split per variant ref)")
            if self.sample_size_config is None:
                raise ValueError("sample_size_config: an experiment needs its sample-size parameters")
        elif self.goals is not None:
            raise ValueError("goals: goals belong to experiments (subtype EXPERIMENT)")
        if self.status not in DECLARABLE_FLOW_STATUSES:
            raise ValueError(f"status: declare one of {', '.join(DECLARABLE_FLOW_STATUSES)}; "
                             f"{self.status} is a state the service moves a flow into by itself")
        return self

    def to_api(self, live: Mapping[str, Any] | None = None) -> dict[str, Any]:
        body = strip_server_fields(live or {})
        body.pop("goals", None)  # managed: removing them in the program removes them
        if live is None:
            # Sitecore's own create examples send it on experiences too; an update keeps the live one
            body["sampleSizeConfig"] = dict(EXAMPLE_SAMPLE_SIZE)
        body.update(self.wire())
        body.setdefault("triggers", [])
        return tagged_body(body)

    @classmethod
    def inputs_from_api(cls, live: Mapping[str, Any], previous: Mapping[str, Any]) -> dict[str, Any]:
        out = read_tagged(cls, live, previous)
        if out.get("status") in ("PUBLISHING", "SCHEDULED", "LIVE") and previous.get("status") == "PRODUCTION":
            out["status"] = "PRODUCTION"  # on its way to, or in, production: what was declared
        # an experience that leaves it out keeps the live one; an import (no previous) reads it as left out
        if previous.get("sample_size_config") is None and out.get("subtype") != "EXPERIMENT":
            out.pop("sample_size_config", None)
        return out
