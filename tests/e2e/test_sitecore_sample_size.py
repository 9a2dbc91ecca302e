"""``sampleSizeConfig`` on a Sitecore experience, end to end: sent on create as Sitecore's own examples
send it, kept on update when the program leaves it out, and settable by a program."""

from __future__ import annotations

from typing import Any

import pulumi
import pytest

from pulumi_personalize.sitecore import flows
from tests.e2e.conftest import StackFactory
from tests.e2e.test_sitecore_lifecycle import START, Api

pytestmark = pytest.mark.e2e

VENDOR_EXAMPLE = {"baseValue": 0.02, "minimumDetectableDifference": 0.2, "confidenceLevel": 0.95}


def test_an_experience_carries_sample_size_config(stack_factory: StackFactory, emulator: Any) -> None:
    desired: dict[str, Any] = {"name": "Rain banner", "status": "DRAFT"}

    def program() -> None:
        extra = {"sample_size_config": desired["sample"]} if "sample" in desired else {}
        flow = flows.web_experience("experience", name=desired["name"], friendly_id="rain_banner_sample",
                                    start_date=START, status=desired["status"],
                                    variant=flows.Variant("Rain", html="<p>rain</p>"), **extra)
        pulumi.export("ref", flow.ref)

    stack = stack_factory(program)
    ref = stack.up().outputs["ref"].value
    api = Api(emulator.base_url)
    path = f"/v3/flowDefinitions/{ref}"
    assert api.get(path)["sampleSizeConfig"] == VENDOR_EXAMPLE
    stack.assert_no_changes()

    # set in Sitecore by hand: an update that does not declare it keeps it
    mine = {"baseValue": 0.05, "minimumDetectableDifference": 0.1, "confidenceLevel": 0.9}
    api.edit(path, sampleSizeConfig=mine)
    stack.refresh()
    stack.assert_no_changes()
    desired.update(name="Rain banner (live)", status="PRODUCTION")
    stack.up()
    live = api.get(path)
    assert live["name"] == "Rain banner (live)" and live["status"] == "PRODUCTION"
    assert live["sampleSizeConfig"] == mine

    # declared by the program: sent, and kept as declared
    desired["sample"] = {"base_value": 0.1, "minimum_detectable_difference": 0.3, "confidence_level": 0.99}
    stack.up()
    assert api.get(path)["sampleSizeConfig"] == {"baseValue": 0.1, "minimumDetectableDifference": 0.3,
                                                 "confidenceLevel": 0.99}
    stack.refresh()
    stack.assert_no_changes()
    stack.destroy()
    assert api.get(path)["archived"] is True
