"""Contentstack experiences (with their versions) and the experience priority, end to end."""

from __future__ import annotations

from typing import Any

import httpx
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
from tests.e2e.conftest import CONTENTSTACK_AUTHTOKEN, CONTENTSTACK_PROJECT_UID, StackFactory

pytestmark = pytest.mark.e2e

HEADERS = {"authtoken": CONTENTSTACK_AUTHTOKEN, "x-project-uid": CONTENTSTACK_PROJECT_UID}


def _client(emulator: Any) -> httpx.Client:
    return httpx.Client(base_url=emulator.base_url, headers=HEADERS, timeout=10)


def _get(emulator: Any, path: str) -> Any:
    with _client(emulator) as client:
        response = client.get(path)
        response.raise_for_status()
        return response.json()


def _versions(emulator: Any, uid: str) -> list[dict[str, Any]]:
    return list(_get(emulator, f"/experiences/{uid}/versions")["data"])


def test_segmented_experience_lifecycle(stack_factory: StackFactory, emulator: Any) -> None:
    desired: dict[str, Any] = {
        "status": "DRAFT",
        "variants": ["Australia", "New Zealand"],
        "type": "SEGMENTED",
        "description": "for visitors down under",
    }

    def program() -> None:
        au = Audience("au", name="Australians", definition=rules.all_of(
            rules.Rule(rules.preset("COUNTRY"), "STRING_EQUALS", rules.StringMatch("AU"))))
        nz = Audience("nz", name="New Zealanders", definition=rules.all_of(
            rules.Rule(rules.preset("COUNTRY"), "STRING_EQUALS", rules.StringMatch("NZ"))))
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

    stack = stack_factory(program)
    assert stack.changes(stack.preview()) == {"create": 4}
    up = stack.up()
    uid = up.outputs["uid"].value
    short = up.outputs["short"].value
    assert set(short) == {"Australia", "New Zealand"}
    [draft] = _versions(emulator, uid)
    assert draft["status"] == "DRAFT" and [v["name"] for v in draft["variants"]] == ["Australia", "New Zealand"]
    assert up.outputs["latest"].value == draft["uid"]
    stack.assert_no_changes()
    stack.refresh()
    stack.assert_no_changes()

    # activate: the draft becomes the active version
    desired["status"] = "ACTIVE"
    assert stack.changes(stack.preview()) == {"update": 1}
    up = stack.up()
    assert up.outputs["active"].value == draft["uid"]
    assert _get(emulator, f"/experiences/{uid}")["status"] == "ACTIVE"
    stack.assert_no_changes()

    # change the variants of an active experience: a new active version; short uids kept by name
    desired["variants"] = ["New Zealand", "Australia", "Oceania"]
    up = stack.up()
    versions = _versions(emulator, uid)
    assert [v["status"] for v in versions] == ["ARCHIVED", "ACTIVE"]
    new_short = up.outputs["short"].value
    assert new_short["Australia"] == short["Australia"] and new_short["New Zealand"] == short["New Zealand"]
    assert new_short["Oceania"] not in short.values()
    stack.refresh()
    stack.assert_no_changes()

    # out-of-band: someone pauses it in the UI; refresh finds it, up activates it again
    active = versions[-1]
    body = {k: v for k, v in active.items() if k not in ("uid", "experience", "created_at", "updated_at",
                                                         "createdAt", "updatedAt")}
    with _client(emulator) as client:
        client.put(f"/experiences/{uid}/versions/{active['uid']}", json={**body, "status": "PAUSED"}
                   ).raise_for_status()
    stack.refresh()
    assert stack.changes(stack.preview()) == {"update": 1}
    stack.up()
    assert _versions(emulator, uid)[-1]["status"] == "ACTIVE"
    assert len(_versions(emulator, uid)) == 2  # only the status flipped back, no new version
    stack.assert_no_changes()

    # pause through Pulumi, then an in-place description update
    desired["status"] = "PAUSED"
    desired["description"] = "paused for now"
    stack.up()
    live = _get(emulator, f"/experiences/{uid}")
    assert live["status"] == "INACTIVE" and live["description"] == "paused for now"
    stack.assert_no_changes()

    # a type change replaces the experience (the service cannot change it in place)
    desired["type"] = "AB_TEST"
    desired["status"] = "ACTIVE"
    desired["variants"] = ["Control", "Purple"]
    preview = stack.preview()
    assert stack.changes(preview) == {"replace": 1}
    up = stack.up()
    new_uid = up.outputs["uid"].value
    assert new_uid != uid
    experiences = _get(emulator, "/experiences")["data"]
    assert [e["uid"] for e in experiences] == [new_uid]
    [version] = _versions(emulator, new_uid)
    assert [v["trafficDistribution"] for v in version["variants"]] == [50, 50]
    stack.assert_no_changes()

    # destroy pauses the active experience first, then deletes it
    stack.destroy()
    assert _get(emulator, "/experiences")["data"] == []
    assert _get(emulator, "/audiences")["data"] == []


def test_ab_test_with_metrics_targeting_and_out_of_band_delete(stack_factory: StackFactory, emulator: Any) -> None:
    def program() -> None:
        click = Event("click", key="cta_click", name="Click on CTA")
        us = Audience("us", name="US", definition=rules.all_of(
            rules.Rule(rules.preset("COUNTRY"), "STRING_EQUALS", rules.StringMatch("US"))))
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
    [version] = _versions(emulator, uid)
    assert version["status"] == "ACTIVE"
    assert version["metrics"] == [{"__type": "Primary", "event": up.outputs["event"].value, "name": "Click on CTA"}]
    assert version["targeting"]["audience"]["audienceCombinationType"] == "AND"
    stack.assert_no_changes()

    # deleted outside Pulumi (paused first, as the service requires): refresh drops it, up recreates it
    body = {k: v for k, v in version.items() if k not in ("uid", "experience", "created_at", "updated_at",
                                                          "createdAt", "updatedAt")}
    with _client(emulator) as client:
        client.put(f"/experiences/{uid}/versions/{version['uid']}", json={**body, "status": "PAUSED"}
                   ).raise_for_status()
        client.delete(f"/experiences/{uid}").raise_for_status()
    stack.refresh()
    assert stack.changes(stack.preview()) == {"create": 1}
    assert stack.up().outputs["uid"].value != uid
    stack.destroy()
    assert _get(emulator, "/experiences")["data"] == []


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
    with _client(emulator) as client:
        existing = client.post("/experiences", json={"name": "Legacy", "__type": "SEGMENTED"}).json()

    def program() -> None:
        experience = Experience("legacy", name="Legacy experience", status="ACTIVE",
                                variants=[ExperienceVariantArgs(name="Everyone")], adopt_uid=existing["uid"])
        pulumi.export("uid", experience.uid)

    stack = stack_factory(program)
    assert stack.up().outputs["uid"].value == existing["uid"]
    live = _get(emulator, f"/experiences/{existing['uid']}")
    assert live["name"] == "Legacy experience" and live["status"] == "ACTIVE"
    assert len(_get(emulator, "/experiences")["data"]) == 1
    stack.assert_no_changes()
    stack.destroy()
    assert _get(emulator, "/experiences")["data"] == []


def test_experience_priority(stack_factory: StackFactory, emulator: Any) -> None:
    with _client(emulator) as client:
        outside = client.post("/experiences", json={"name": "Outside", "__type": "SEGMENTED"}).json()
    order: dict[str, list[str]] = {"names": ["b", "a"]}

    def program() -> None:
        made = {n: Experience(n, name=n.upper()) for n in ("a", "b")}
        priority = ExperiencePriority("priority", experiences=[made[n].uid for n in order["names"]])
        pulumi.export("a", made["a"].uid)
        pulumi.export("b", made["b"].uid)
        pulumi.export("order", priority.order)

    stack = stack_factory(program)
    assert stack.changes(stack.preview()) == {"create": 4}
    up = stack.up()
    a, b = up.outputs["a"].value, up.outputs["b"].value
    assert _get(emulator, "/experiences/priority")["priority"] == [b, a, outside["uid"]]
    assert up.outputs["order"].value == [b, a, outside["uid"]]
    stack.assert_no_changes()

    # reordered outside Pulumi: refresh notices, up puts ours first again
    with _client(emulator) as client:
        client.put("/experiences/priority", json={"priority": [outside["uid"], a, b]}).raise_for_status()
    stack.refresh()
    assert stack.changes(stack.preview()) == {"update": 1}
    stack.up()
    assert _get(emulator, "/experiences/priority")["priority"] == [b, a, outside["uid"]]

    order["names"] = ["a", "b"]
    stack.up()
    assert _get(emulator, "/experiences/priority")["priority"] == [a, b, outside["uid"]]
    stack.assert_no_changes()

    # destroy leaves the order as it is (and says so); the experiences themselves are deleted
    stack.destroy()
    assert "left as it is" in "\n".join(stack.output)
    assert _get(emulator, "/experiences/priority")["priority"] == [outside["uid"]]
