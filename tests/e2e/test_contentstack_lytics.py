"""Lytics audiences on experience variants, end to end: what a person targeted in the UI is kept by a
program that does not declare it, and a variant that targets only Lytics audiences can be declared."""

from __future__ import annotations

from typing import Any

import pulumi
import pytest

from pulumi_personalize.contentstack import Experience, ExperienceVariantArgs
from tests.e2e.conftest import StackFactory
from tests.e2e.contentstack_live import client, get, not_live, versions

pytestmark = pytest.mark.e2e

FANS = "0123456789abcdef0123456789abcdef"
BUYERS = "fedcba9876543210fedcba9876543210"
NEWCOMERS = "00112233445566778899aabbccddeeff"


def _lytics(emulator: Any, uid: str) -> dict[str, list[str]]:
    """Variant name -> Lytics audiences of the experience's newest version."""
    newest = versions(emulator, uid)[-1]
    return {v["name"]: sorted(v.get("lyticsAudiences") or []) for v in newest["variants"]}


def test_lytics_targeting_made_through_the_api_is_adopted_and_kept(stack_factory: StackFactory,
                                                                   emulator: Any) -> None:
    with client(emulator) as c:
        audience = c.post("/audiences", json={"name": "Americans", "description": "", "definition": {
            "__type": "RuleCombination", "combinationType": "AND", "rules": []}}).json()
        made = c.post("/experiences", json={"name": "Hero", "description": "", "__type": "SEGMENTED"}).json()
        [draft] = c.get(f"/experiences/{made['uid']}/versions").json()
        answer = c.put(f"/experiences/{made['uid']}/versions/{draft['uid']}", json={"status": "ACTIVE", "variants": [
            {"__type": "SegmentedVariant", "name": "Fans", "audiences": [audience["uid"]],
             "audienceCombinationType": "OR", "lyticsAudiences": [FANS]},
            {"__type": "SegmentedVariant", "name": "Buyers", "audiences": [],
             "audienceCombinationType": "OR", "lyticsAudiences": [BUYERS]}]})
        assert answer.status_code == 200, answer.text
    uid = made["uid"]
    desired: dict[str, Any] = {"fans": [audience["uid"]], "buyers": [BUYERS]}

    def program() -> None:
        # "Fans" leaves its Lytics audiences out (kept); "Buyers" targets only Lytics audiences
        experience = Experience("hero", name="Hero", status="ACTIVE", adopt_uid=uid, variants=[
            ExperienceVariantArgs(name="Fans", audiences=desired["fans"]),
            ExperienceVariantArgs(name="Buyers", lytics_audiences=desired["buyers"]),
        ])
        pulumi.export("lytics", experience.variant_lytics_audiences)

    stack = stack_factory(program)
    up = stack.up()
    # adopted as it is: nothing to write, the Lytics targeting is what the service holds
    assert [v["status"] for v in versions(emulator, uid)] == ["ACTIVE"]
    assert up.outputs["lytics"].value == {"Fans": [FANS], "Buyers": [BUYERS]}
    stack.assert_no_changes()

    # an update of the active version makes a new one: both variants keep their Lytics targeting
    desired["buyers"] = [BUYERS, NEWCOMERS]
    stack.up()
    assert [v["status"] for v in versions(emulator, uid)] == ["ARCHIVED", "ACTIVE"]
    assert _lytics(emulator, uid) == {"Fans": [FANS], "Buyers": sorted([BUYERS, NEWCOMERS])}
    stack.refresh()
    stack.assert_no_changes()
    assert stack.outputs["lytics"] == {"Fans": [FANS], "Buyers": sorted([BUYERS, NEWCOMERS])}

    # someone retargets "Buyers" in the UI (a new active version): refresh shows it, and the next up
    # restores the program's
    with client(emulator) as c:
        current = versions(emulator, uid)[-1]
        variants = [{**v, "lyticsAudiences": [FANS]} if v["name"] == "Buyers" else v for v in current["variants"]]
        c.post(f"/experiences/{uid}/versions", json={"status": "ACTIVE", "variants": variants}).raise_for_status()
    stack.refresh()
    preview = stack.preview()
    assert stack.changes(preview) == {"update": 1}
    stack.up()
    assert _lytics(emulator, uid)["Buyers"] == sorted([BUYERS, NEWCOMERS])
    assert _lytics(emulator, uid)["Fans"] == [FANS]
    stack.destroy()
    assert get(emulator, "/experiences") == []
    assert not_live(emulator) == []
