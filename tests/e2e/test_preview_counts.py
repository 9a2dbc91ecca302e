"""A preview counts what changes, and only that: no echo through references.

A resource that others refer to (by ``uid`` / ``ref``) is updated in place; the preview's change
summary (the Automation API's, the numbers behind "Resources: ~ 1 to update") must say exactly one
update and everything else unchanged. The identifiers others refer to are the resources' ids, which
the engine keeps known across an in-place update even at preview (``pulumi-notes.md``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pulumi
import pytest

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
from tests.e2e.conftest import E2EStack, StackFactory

pytestmark = pytest.mark.e2e


def assert_one_update_each(stack: E2EStack, desired: dict[str, str], total: int) -> None:
    """For each key of ``desired``: change it, preview exactly one update, apply it, converge."""
    for name in list(desired):
        desired[name] += " (changed)"
        preview = stack.preview()
        assert {k: v for k, v in preview.change_summary.items() if v} == {"update": 1, "same": total - 1}, (
            f"changing {name}: {preview.change_summary}\n{preview.stdout}"
        )
        assert "[unknown]" not in preview.stdout, preview.stdout
        up = stack.up()
        assert {k: v for k, v in (up.summary.resource_changes or {}).items() if v} == {"update": 1, "same": total - 1}
        stack.assert_no_changes()


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
