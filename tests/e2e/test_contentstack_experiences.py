"""Contentstack experiences (with their versions) and the experience priority, end to end."""

from __future__ import annotations

from typing import Any

import pulumi
import pytest
from pulumi import automation as auto

from pulumi_personalize.contentstack import (
    Audience,
    Event,
    Experience,
    ExperienceMetricArgs,
    ExperiencePriority,
    ExperienceTargetingArgs,
    ExperienceVariantArgs,
    rules,
)
from tests.e2e.conftest import StackFactory
from tests.e2e.contentstack_live import client, customs, get, managed_version_body, not_live, versions

pytestmark = pytest.mark.e2e


def _country(code: str) -> rules.RuleCombination:
    return rules.all_of(rules.Rule(rules.preset("COUNTRY"), "STRING_EQUALS", rules.StringMatch(code)))


def test_segmented_experience_lifecycle(stack_factory: StackFactory, emulator: Any) -> None:
    """DRAFT -> ACTIVE -> PAUSED -> ACTIVE with edited variants: the variants keep their short uids
    and their CMS variants; then out-of-band pause, in-place update, replace, destroy."""
    desired: dict[str, Any] = {
        "status": "DRAFT",
        "variants": ["Australia", "New Zealand"],
        "type": "SEGMENTED",
        "description": "for visitors down under",
    }

    def program() -> None:
        au = Audience("au", name="Australians", definition=_country("AU"))
        nz = Audience("nz", name="New Zealanders", definition=_country("NZ"))
        audiences = {"Australia": au.uid, "New Zealand": nz.uid, "Oceania": au.uid}
        if desired["type"] == "SEGMENTED":
            variants = [ExperienceVariantArgs(name=n, audiences=[audiences[n]]) for n in desired["variants"]]
        else:
            variants = [ExperienceVariantArgs(name=n) for n in desired["variants"]]
        experience = Experience(
            "down-under", name="Down under", description=desired["description"], type=desired["type"],
            status=desired["status"], variants=variants,
        )
        pulumi.export("uid", experience.uid)
        pulumi.export("short", experience.variant_short_uids)
        pulumi.export("active", experience.active_version_uid)
        pulumi.export("latest", experience.latest_version_uid)
        pulumi.export("status", experience.experience_status)
        pulumi.export("group", experience.cms_variant_group_uid)
        pulumi.export("cms", experience.cms_variant_uids)

    stack = stack_factory(program)
    assert stack.changes(stack.preview()) == {"create": 4}
    up = stack.up()
    uid = up.outputs["uid"].value
    short = up.outputs["short"].value
    cms = up.outputs["cms"].value
    assert set(short) == {"Australia", "New Zealand"}
    [draft] = versions(emulator, uid)
    assert draft["status"] == "DRAFT" and [v["name"] for v in draft["variants"]] == ["Australia", "New Zealand"]
    assert up.outputs["latest"].value == draft["uid"] and up.outputs["status"].value == "DRAFT"
    # _cms filled asynchronously: the up waited for it
    live = get(emulator, f"/experiences/{uid}")
    assert up.outputs["group"].value == live["_cms"]["variantGroup"]
    assert cms == {name: live["_cms"]["variants"][s] for name, s in short.items()}
    stack.assert_no_changes()
    stack.refresh()
    stack.assert_no_changes()

    # activate: the draft becomes the active version
    desired["status"] = "ACTIVE"
    assert stack.changes(stack.preview()) == {"update": 1}
    up = stack.up()
    assert up.outputs["active"].value == draft["uid"] and up.outputs["status"].value == "ACTIVE"
    assert [v["status"] for v in versions(emulator, uid)] == ["ACTIVE"]
    stack.assert_no_changes()

    # pause: the same version, PAUSED (a PUT resending its whole configuration)
    desired["status"] = "PAUSED"
    up = stack.up()
    assert [v["status"] for v in versions(emulator, uid)] == ["PAUSED"]
    assert up.outputs["status"].value == get(emulator, f"/experiences/{uid}")["status"] == "PAUSED"
    stack.refresh()
    stack.assert_no_changes()

    # active again with edited variants: a paused version is locked, so a new ACTIVE version is made
    # (archiving the paused one); the kept variants keep their short uids and CMS variants
    desired["status"] = "ACTIVE"
    desired["variants"] = ["New Zealand", "Australia", "Oceania"]
    up = stack.up()
    listed = versions(emulator, uid)
    assert [v["status"] for v in listed] == ["ARCHIVED", "ACTIVE"]
    new_short = up.outputs["short"].value
    assert new_short["Australia"] == short["Australia"] and new_short["New Zealand"] == short["New Zealand"]
    assert new_short["Oceania"] not in short.values()
    new_cms = up.outputs["cms"].value
    assert new_cms["Australia"] == cms["Australia"] and new_cms["New Zealand"] == cms["New Zealand"]
    assert new_cms["Oceania"] not in cms.values()
    assert up.outputs["active"].value == up.outputs["latest"].value == listed[-1]["uid"]
    stack.refresh()
    stack.assert_no_changes()

    # out-of-band: someone pauses it in the UI; refresh finds it, up activates it again
    active = listed[-1]
    with client(emulator) as c:
        c.put(f"/experiences/{uid}/versions/{active['uid']}", json=managed_version_body(active, "PAUSED")
              ).raise_for_status()
    stack.refresh()
    assert stack.changes(stack.preview()) == {"update": 1}
    stack.up()
    assert [v["status"] for v in versions(emulator, uid)] == ["ARCHIVED", "ACTIVE"]  # a flip, no new version
    stack.assert_no_changes()

    # an in-place description update
    desired["description"] = "down under, all year"
    assert stack.changes(stack.preview()) == {"update": 1}
    stack.up()
    assert get(emulator, f"/experiences/{uid}")["description"] == "down under, all year"
    stack.assert_no_changes()

    # a type change replaces the experience (the service cannot change it in place)
    desired["type"] = "AB_TEST"
    desired["variants"] = ["Control", "Purple"]
    assert stack.changes(stack.preview()) == {"replace": 1}
    up = stack.up()
    new_uid = up.outputs["uid"].value
    assert new_uid != uid
    assert [e["uid"] for e in get(emulator, "/experiences")] == [new_uid]
    [version] = versions(emulator, new_uid)
    assert [v["trafficDistribution"] for v in version["variants"]] == [50, 50]
    stack.assert_no_changes()

    # destroy pauses the active experience first, then deletes it
    stack.destroy()
    assert get(emulator, "/experiences") == []
    assert customs(emulator, "/audiences") == []
    assert not_live(emulator) == []


def test_ab_test_with_metrics_targeting_and_out_of_band_delete(stack_factory: StackFactory, emulator: Any) -> None:
    def program() -> None:
        click = Event("click", key="cta_click", description="Click on CTA")
        us = Audience("us", name="US", definition=_country("US"))
        experience = Experience(
            "colors", name="Button colors", type="AB_TEST", status="ACTIVE",
            variants=[ExperienceVariantArgs(name="Control", traffic_distribution=34),
                      ExperienceVariantArgs(name="Purple", traffic_distribution=33),
                      ExperienceVariantArgs(name="Red", traffic_distribution=33)],
            metrics=[ExperienceMetricArgs(event=click.uid, name="Click on CTA")],
            targeting=ExperienceTargetingArgs(audiences=[us.uid]),
        )
        pulumi.export("uid", experience.uid)
        pulumi.export("event", click.uid)

    stack = stack_factory(program)
    up = stack.up()
    uid = up.outputs["uid"].value
    [version] = versions(emulator, uid)
    assert version["status"] == "ACTIVE"
    assert version["metrics"] == [{"__type": "Primary", "event": up.outputs["event"].value, "name": "Click on CTA"}]
    assert version["targeting"]["audience"]["audienceCombinationType"] == "AND"
    stack.assert_no_changes()

    # deleted outside Pulumi: refresh drops it, up recreates it
    with client(emulator) as c:
        c.delete(f"/experiences/{uid}").raise_for_status()
    stack.refresh()
    assert stack.changes(stack.preview()) == {"create": 1}
    assert stack.up().outputs["uid"].value != uid
    stack.destroy()
    assert get(emulator, "/experiences") == []
    assert not_live(emulator) == []


@pytest.mark.parametrize(("variants", "message"), [
    ([ExperienceVariantArgs(name=f"v{i}") for i in range(21)], "at most 20 variants"),
    ([ExperienceVariantArgs(name="a", traffic_distribution=70), ExperienceVariantArgs(name="b", traffic_distribution=20)],
     "must add up to 100, got 90"),
])
def test_experience_check_failures_at_preview(
    stack_factory: StackFactory, variants: list[ExperienceVariantArgs], message: str
) -> None:
    def program() -> None:
        Experience("bad", name="Bad", type="AB_TEST", variants=variants)

    stack = stack_factory(program)
    with pytest.raises(auto.CommandError) as failure:
        stack.preview()
    assert message in str(failure.value)


def test_adopt_an_experience_created_outside_pulumi(stack_factory: StackFactory, emulator: Any) -> None:
    with client(emulator) as c:
        existing = c.post("/experiences", json={"name": "Legacy", "description": "", "__type": "SEGMENTED"}).json()

    def program() -> None:
        everyone = Audience("everyone", name="Everyone", definition=_country("US"))
        experience = Experience("legacy", name="Legacy experience", status="ACTIVE",
                                variants=[ExperienceVariantArgs(name="Everyone", audiences=[everyone.uid])],
                                adopt_uid=existing["uid"])
        pulumi.export("uid", experience.uid)

    stack = stack_factory(program)
    assert stack.up().outputs["uid"].value == existing["uid"]
    live = get(emulator, f"/experiences/{existing['uid']}")
    assert live["name"] == "Legacy experience" and live["status"] == "ACTIVE"
    # the draft the service made at creation was filled and activated: no second version
    assert [v["status"] for v in versions(emulator, existing["uid"])] == ["ACTIVE"]
    assert len(get(emulator, "/experiences")) == 1
    stack.assert_no_changes()
    stack.destroy()
    assert get(emulator, "/experiences") == []
    assert not_live(emulator) == []


def test_experience_priority(stack_factory: StackFactory, emulator: Any) -> None:
    with client(emulator) as c:
        outside = c.post("/experiences", json={"name": "Outside", "description": "", "__type": "SEGMENTED"}).json()
    order: dict[str, list[str]] = {"names": ["b", "a"]}

    def program() -> None:
        made = {n: Experience(n, name=n.upper()) for n in ("a", "b")}
        priority = ExperiencePriority("priority", experiences=[made[n].uid for n in order["names"]])
        pulumi.export("a", made["a"].uid)
        pulumi.export("b", made["b"].uid)
        pulumi.export("order", priority.order)

    def live_order() -> list[str]:
        listed: list[str] = get(emulator, "/experiences-priority")["priorityOrder"]
        return listed

    stack = stack_factory(program)
    assert stack.changes(stack.preview()) == {"create": 4}
    up = stack.up()
    a, b = up.outputs["a"].value, up.outputs["b"].value
    assert live_order() == [b, a, outside["uid"]]
    assert up.outputs["order"].value == [b, a, outside["uid"]]
    stack.assert_no_changes()

    # reordered outside Pulumi: refresh notices, up puts ours first again
    with client(emulator) as c:
        c.put("/experiences-priority", json={"priorityOrder": [outside["uid"], a, b]}).raise_for_status()
    stack.refresh()
    assert stack.changes(stack.preview()) == {"update": 1}
    stack.up()
    assert live_order() == [b, a, outside["uid"]]

    order["names"] = ["a", "b"]
    stack.up()
    assert live_order() == [a, b, outside["uid"]]
    stack.assert_no_changes()

    # destroy leaves the order as it is (and says so); the experiences themselves are deleted
    stack.destroy()
    assert "left as it is" in "\n".join(stack.output)
    assert live_order() == [outside["uid"]]
    assert not_live(emulator) == []
