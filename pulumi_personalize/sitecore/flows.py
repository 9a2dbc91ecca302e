"""Typed builders of Sitecore flows: a web experience or an A/B experiment in a few readable lines.

    from pulumi_personalize import sitecore as sc
    from pulumi_personalize.sitecore import flows

    flows.web_experience(
        "rain-banner", name="Rain banner", friendly_id="rain_banner", start_date="2025-01-01T00:00:00.000Z",
        variant=flows.Variant("Rain banner", template=banner, template_variables={"discount": "10%"}),
        status="PRODUCTION",
    )
    flows.web_experiment(
        "hero-test", name="Hero test", friendly_id="hero_test", start_date="2025-01-01T00:00:00.000Z",
        control=flows.Variant("Control", template=hero),
        treatments=[flows.Variant("Next best offer", template=hero, decision_models=[model])],
        goal=flows.page_view_goal("Reached checkout", "/checkout"),
    )

Each builder returns a :class:`~pulumi_personalize.sitecore.FlowDefinition`. A variant built from a
``Template`` resource carries the template's code (web: ``assets`` html/css/js; API: a
``templateRenderTask`` rendering its FreeMarker) — the live API keeps code on the variant, with no
template ref — so an edited template rolls into the flow in the same ``up``. ``decision_models``
add a ``decisionModelTask`` naming the models' refs. Everything is validated by the provider's
check at preview (splits adding to 100, one control, friendly ids, dates).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi

from ._generated import DecisionModel, FlowDefinition, Template
from .models import variant_ref

__all__ = [
    "SampleSize",
    "Variant",
    "api_experience",
    "custom_goal",
    "page_view_goal",
    "web_experience",
    "web_experiment",
]

WEB = "INTERACTIVE_WEB_FLOW"
API = "INTERACTIVE_API_FLOW"


@dataclass
class Variant:
    """A variant of a flow."""

    name: str
    """Display name; with the flow's friendly_id it also makes the variant's stable ref."""
    template: Template | None = None
    """Code from this template: web flows copy its html/css/js, API flows render its freemarker."""
    html: pulumi.Input[str] | None = None
    """Web code of the variant (instead of, or over, the template's)."""
    css: pulumi.Input[str] | None = None
    """Web styles of the variant (instead of, or over, the template's)."""
    js: pulumi.Input[str] | None = None
    """Web script of the variant (instead of, or over, the template's)."""
    freemarker: pulumi.Input[str] | None = None
    """API flows: the FreeMarker/JSON the render task produces (instead of the template's)."""
    template_variables: Mapping[str, pulumi.Input[str]] | None = None
    """Values of the template's ``[[parameters]]``."""
    decision_models: Sequence[DecisionModel | pulumi.Input[str]] = ()
    """Decision models (resources or refs) the variant runs (one ``decisionModelTask``)."""
    description: str | None = None
    """The variant's description."""
    preview_url: str | None = None
    """A page to preview the variant on."""
    is_control: bool = field(default=False, kw_only=True)
    """The experiment's control; ``web_experiment`` sets it from ``control``."""

    def build(self, flow_type: str) -> dict[str, Any]:
        tasks: list[dict[str, Any]] = []
        variant: dict[str, Any] = {"name": self.name, "is_control": self.is_control}
        if flow_type == WEB:
            assets = {part: self._code(part) for part in ("html", "css", "js")}
            assets = {k: v for k, v in assets.items() if v is not None}
            if assets:
                variant["assets"] = assets
        else:
            code = self._code("freemarker")
            if code is not None:
                tasks.append({"implementation": "templateRenderTask",
                              "input": {"type": "application/json", "template": code}})
        refs = [m.ref if isinstance(m, DecisionModel) else m for m in self.decision_models]
        if refs:
            tasks.append({"implementation": "decisionModelTask", "input": {"decision_model_refs": refs}})
        variant["tasks"] = tasks
        for key in ("description", "preview_url", "template_variables"):
            value = getattr(self, key)
            if value is not None:
                variant[key] = dict(value) if isinstance(value, Mapping) else value
        return variant

    def _code(self, part: str) -> pulumi.Input[str] | None:
        own = getattr(self, part)
        if own is not None:
            return own  # type: ignore[no-any-return]
        if self.template is None:
            return None
        return self.template.element(part)


@dataclass
class SampleSize:
    """An experiment's sample-size parameters (``sampleSizeConfig``)."""

    base_value: float = 0.02
    """Today's conversion rate (0-1)."""
    minimum_detectable_difference: float = 0.2
    """Smallest relative change worth detecting."""
    confidence_level: float = 0.95
    """Confidence wanted in the result (0-1)."""


def page_view_goal(name: str, page: str, *, match: str = "CONTAINS", decrease: bool = False,
                   description: str | None = None) -> dict[str, Any]:
    """A primary goal: sessions that view a page whose URL matches ``page``.

    :param name: The goal's name.
    :param page: The text the page's URL is matched with.
    :param match: How the URL is matched (``CONTAINS``, ``EQUALS``, ...).
    :param decrease: The goal is to lower the conversion instead of raising it.
    :param description: The goal's description.
    """
    goal: dict[str, Any] = {
        "type": "pageViewGoal", "name": name,
        "goal_calculation": {"type": "binary", "calculation": "DECREASE" if decrease else "INCREASE",
                             "target": "conversionPerSession"},
        "page_parameters": [{"match_condition": match, "parameter_string": page}],
    }
    if description is not None:
        goal["description"] = description
    return goal


def custom_goal(name: str, event_type: str, *, decrease: bool = False,
                description: str | None = None) -> dict[str, Any]:
    """A primary goal: sessions that send an event of ``event_type``.

    :param name: The goal's name.
    :param event_type: The event's type, as the site sends it.
    :param decrease: The goal is to lower the conversion instead of raising it.
    :param description: The goal's description.
    """
    goal: dict[str, Any] = {
        "type": "customGoal", "name": name, "event_type": event_type,
        "goal_calculation": {"type": "binary", "calculation": "DECREASE" if decrease else "INCREASE",
                             "target": "conversionPerSession"},
    }
    if description is not None:
        goal["description"] = description
    return goal


def _schedule(start_date: str, end_date: str | None) -> dict[str, Any]:
    schedule: dict[str, Any] = {"type": "simpleSchedule", "start_date": start_date}
    if end_date is not None:
        schedule["end_date"] = end_date
    return schedule


def _experience(resource_name: str, flow_type: str, *, name: str, friendly_id: str, start_date: str,
                variant: Variant | None, status: str, end_date: str | None, channels: Sequence[str] | None,
                opts: pulumi.ResourceOptions | None, **kwargs: Any) -> FlowDefinition:
    variants = [variant.build(flow_type)] if variant is not None else []
    traffic: dict[str, Any] = {"type": "simpleTraffic", "weighting_algorithm": "USER_DEFINED", "allocation": 100}
    if variant is not None:
        traffic["splits"] = [{"ref": variant_ref(friendly_id, variant.name), "split": 100}]
    return FlowDefinition(
        resource_name, name=name, friendly_id=friendly_id, type=flow_type, subtype="EXPERIENCE",
        channels=list(channels) if channels is not None else None, status=status,
        schedule=_schedule(start_date, end_date), traffic=traffic, variants=variants, opts=opts, **kwargs,
    )


def web_experience(resource_name: str, *, name: str, friendly_id: str, start_date: str,
                   variant: Variant | None = None, status: str = "DRAFT", end_date: str | None = None,
                   channels: Sequence[str] | None = None, opts: pulumi.ResourceOptions | None = None,
                   **kwargs: Any) -> FlowDefinition:
    """A web experience: one variant (its code on the page) for all the traffic.

    :param variant: The variant every visitor gets (its ``html``/``css``/``js`` or template).
    :param channels: Where it runs (``WEB``, ``MOBILE_WEB``, ...); web flows default to ``WEB``.
    """
    return _experience(resource_name, WEB, name=name, friendly_id=friendly_id, start_date=start_date,
                       variant=variant, status=status, end_date=end_date, channels=channels, opts=opts, **kwargs)


def api_experience(resource_name: str, *, name: str, friendly_id: str, start_date: str,
                   variant: Variant | None = None, status: str = "DRAFT", end_date: str | None = None,
                   channels: Sequence[str] = ("WEB",), opts: pulumi.ResourceOptions | None = None,
                   **kwargs: Any) -> FlowDefinition:
    """An interactive (API / full-stack) experience: one variant's rendered JSON for every call.

    :param variant: The variant every call gets (its ``freemarker`` or template).
    :param channels: Where the calls come from (``WEB``, ``MOBILE_APP``, ...).
    """
    return _experience(resource_name, API, name=name, friendly_id=friendly_id, start_date=start_date,
                       variant=variant, status=status, end_date=end_date, channels=channels, opts=opts, **kwargs)


def web_experiment(resource_name: str, *, name: str, friendly_id: str, start_date: str, control: Variant,
                   treatments: Sequence[Variant], goal: Mapping[str, Any], splits: Sequence[int] | None = None,
                   sample_size: SampleSize | None = None, status: str = "DRAFT", end_date: str | None = None,
                   flow_type: str = WEB, channels: Sequence[str] | None = None,
                   opts: pulumi.ResourceOptions | None = None, **kwargs: Any) -> FlowDefinition:
    """An A/B(/n) experiment: ``control`` and ``treatments`` share the traffic (``splits`` in that
    order, adding up to 100; default even, the remainder to the control), measured by ``goal``.

    :param control: The variant the others are compared with.
    :param treatments: The variants tested against the control.
    :param goal: The primary goal: ``page_view_goal(...)`` or ``custom_goal(...)``.
    :param splits: Percent of the traffic per variant, control first, adding up to 100.
    :param sample_size: The sample-size parameters (``SampleSize()`` by default).
    :param flow_type: ``INTERACTIVE_WEB_FLOW`` (default) or ``INTERACTIVE_API_FLOW``.
    :param channels: Where it runs; API experiments default to ``WEB``.
    """
    every = [Variant(**{**control.__dict__, "is_control": True}),
             *(Variant(**{**t.__dict__, "is_control": False}) for t in treatments)]
    if splits is None:
        even = 100 // len(every)
        splits = [100 - even * (len(every) - 1), *([even] * (len(every) - 1))]
    if len(splits) != len(every):
        raise ValueError(f"splits: {len(splits)} values for {len(every)} variants (control first)")
    return FlowDefinition(
        resource_name, name=name, friendly_id=friendly_id, type=flow_type, subtype="EXPERIMENT",
        channels=list(channels) if channels is not None else (["WEB"] if flow_type != WEB else None),
        status=status, schedule=_schedule(start_date, end_date),
        traffic={"type": "simpleTraffic", "weighting_algorithm": "USER_DEFINED", "allocation": 100,
                 "splits": [{"ref": variant_ref(friendly_id, v.name), "split": s} for v, s in zip(every, splits, strict=True)]},
        variants=[v.build(flow_type) for v in every],
        sample_size_config=(sample_size or SampleSize()).__dict__,
        goals={"primary": dict(goal)}, opts=opts, **kwargs,
    )
