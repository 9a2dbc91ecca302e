"""A preview counts what changes, and only that: no echo through references.

A resource that others refer to (by ``uid`` / ``ref``) is updated in place; the preview's change
summary (the Automation API's, the numbers behind "Resources: ~ 1 to update") must say exactly one
update and everything else unchanged. The identifiers others refer to are the resources' ids, which
the engine keeps known across an in-place update even at preview (``docs/facts/pulumi.md#previews``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pulumi
import pytest

from pulumi_personalize import sitecore as sc
from pulumi_personalize.contentstack import (
    Attribute,
    Audience,
    Event,
    Experience,
    ExperienceMetricArgs,
    ExperienceTargetingArgs,
    ExperienceVariantArgs,
    rules,
)
from pulumi_personalize.sitecore import flows
from tests.e2e.conftest import E2EStack, StackFactory

pytestmark = pytest.mark.e2e


def assert_updates(stack: E2EStack, desired: dict[str, str], name: str, total: int, updates: int = 1) -> str:
    """Change ``desired[name]``: the preview says ``updates`` updates, the up does exactly that."""
    desired[name] += " (changed)"
    preview = stack.preview()
    expected = {"update": updates, "same": total - updates}
    assert {k: v for k, v in preview.change_summary.items() if v} == expected, (
        f"changing {name}: {preview.change_summary}\n{preview.stdout}"
    )
    up = stack.up()
    assert {k: v for k, v in (up.summary.resource_changes or {}).items() if v} == expected
    stack.assert_no_changes()
    return preview.stdout


def assert_one_update_each(stack: E2EStack, desired: dict[str, str], total: int) -> None:
    """For each key of ``desired``: change it, preview exactly one update, apply it, converge."""
    for name in list(desired):
        stdout = assert_updates(stack, desired, name, total)
        assert "[unknown]" not in stdout, stdout


def contentstack_program(desired: dict[str, str]) -> Callable[[], None]:
    def program() -> None:
        plan = Attribute("plan", name="Plan", key="plan", description=desired["attribute"])
        purchase = Event("purchase", key="purchase", description=desired["event"])
        premium = Audience("premium", name="Premium", description=desired["audience"], definition=rules.all_of(
            rules.Rule(rules.custom(plan.uid), "STRING_EQUALS", rules.StringMatch("premium"))))
        segmented = Experience(
            "hero", name="Hero", description=desired["experience"],
            variants=[ExperienceVariantArgs(name="Premium hero", audiences=[premium.uid])],
        )
        Experience(
            "checkout", name="Checkout", type="AB_TEST",
            variants=[ExperienceVariantArgs(name="Control"), ExperienceVariantArgs(name="Green")],
            metrics=[ExperienceMetricArgs(event=purchase.uid, name="Purchases")],
            targeting=ExperienceTargetingArgs(audiences=[premium.uid]),
        )
        pulumi.export("hero", segmented.uid)

    return program


def test_contentstack_updates_in_place_preview_as_one_update(stack_factory: StackFactory, emulator: Any) -> None:
    # attribute <- audience rule; audience <- both experiences; event <- the A/B test's metric
    desired = {"attribute": "the plan", "event": "a purchase", "audience": "premium visitors",
               "experience": "the hero"}
    stack = stack_factory(contentstack_program(desired))
    uid = stack.up().outputs["hero"].value
    stack.assert_no_changes()
    assert_one_update_each(stack, desired, total=6)  # five resources and the stack
    assert stack.outputs["hero"] == uid  # the uid is the id, kept by every update


DMN = ('<definitions xmlns="http://www.omg.org/spec/DMN/20151101/dmn.xsd" id="d" name="{name}" '
       'namespace="http://camunda.org/schema/1.0/dmn"/>')


def sitecore_program(desired: dict[str, str]) -> Callable[[], None]:
    def program() -> None:
        banner = sc.Template("banner", name=desired["template"], friendly_id="banner", type="WEB",
                             html="<div>Sale</div>")
        model = sc.DecisionModel("offers", name=desired["decision_model"])
        variant = sc.DecisionModelVariant("offers-v1", name="First", decision_model=model.ref,
                                          definition=DMN.format(name=desired["variant"]))
        sc.DecisionModelDeployment("offers-live", decision_model=model.ref, variants=[
            sc.DeployedVariant(variant=variant, split=100, status="PRODUCTION")])
        flow = flows.web_experience(
            "sale", name="Sale", friendly_id="sale", start_date="2025-01-01T00:00:00.000Z",
            variant=flows.Variant("Sale banner", template=banner, decision_models=[model]),
        )
        pulumi.export("flow", flow.ref)

    return program


def test_sitecore_updates_in_place_preview_as_what_the_up_does(stack_factory: StackFactory, emulator: Any) -> None:
    # template <- flow (its code); decision model <- variant, deployment and flow (by ref)
    desired = {"template": "Sale banner", "decision_model": "Offers", "variant": "first"}
    stack = stack_factory(sitecore_program(desired))
    ref = stack.up().outputs["flow"].value
    stack.assert_no_changes()
    total = 6  # five resources and the stack
    for name in ("template", "decision_model"):
        stdout = assert_updates(stack, desired, name, total)
        assert "[unknown]" not in stdout, stdout
    # a variant's update makes a new revision, which the deployment deploys: two real updates, and
    # the preview says two (the revision itself is unknown until the up: docs/preview-in-review.md)
    assert_updates(stack, desired, "variant", total, updates=2)
    assert stack.outputs["flow"] == ref
