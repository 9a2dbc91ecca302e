"""A server-side counter that another resource of the stack moves is no drift (issue 20, item 3).

A ``sc.DecisionModelDeployment`` bumps its decision model's revision. The model's ``revision``
output is kept by a refresh (``kept_on_refresh``), so after a deployment change a refresh changes
nothing and ``pulumi preview --refresh --diff`` (what docs/preview-in-review.md recommends) shows no
``revision: 5 => 6`` for the model; the deployment's own ``revision`` is the model's current one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pulumi
import pytest

from pulumi_personalize import sitecore as sc
from tests.e2e.conftest import StackFactory

pytestmark = pytest.mark.e2e

DMN = ('<definitions xmlns="http://www.omg.org/spec/DMN/20151101/dmn.xsd" id="d" name="first" '
       'namespace="http://camunda.org/schema/1.0/dmn"/>')


def deployed(desired: dict[str, str]) -> Callable[[], None]:
    def program() -> None:
        model = sc.DecisionModel("offers", name="Offers")
        variant = sc.DecisionModelVariant("offers-v1", name="First", decision_model=model.ref, definition=DMN)
        deployment = sc.DecisionModelDeployment("offers-live", decision_model=model.ref, variants=[
            sc.DeployedVariant(variant=variant, split=100, status=desired["status"])])
        pulumi.export("model_revision", model.revision)
        pulumi.export("deployment_revision", deployment.revision)

    return program


def test_a_deployment_change_is_no_drift_of_its_model(stack_factory: StackFactory, emulator: Any) -> None:
    desired = {"status": "TEST"}
    stack = stack_factory(deployed(desired))
    stack.up()
    desired["status"] = "PRODUCTION"
    up = stack.up()
    assert {k: v for k, v in (up.summary.resource_changes or {}).items() if v} == {"update": 1, "same": 3}
    model_revision = up.outputs["model_revision"].value
    assert up.outputs["deployment_revision"].value > model_revision  # the deployment moved the live one

    preview = stack.preview(refresh=True)
    assert stack.changes(preview) == {}, f"{preview.change_summary}\n{preview.stdout}"
    assert "revision" not in preview.stdout, preview.stdout
    refresh = stack.refresh()
    assert {k: v for k, v in (refresh.summary.resource_changes or {}).items() if v} == {"same": 4}, refresh.stdout
    stack.assert_no_changes()
    assert stack.outputs["model_revision"] == model_revision
