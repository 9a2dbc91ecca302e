"""Contentstack attributes, events and audiences through the real Pulumi engine and the emulator."""

from __future__ import annotations

from typing import Any

import httpx
import pulumi
import pytest
from pulumi import automation as auto

from pulumi_personalize.contentstack import Attribute, Audience, Event, rules
from tests.e2e.conftest import CONTENTSTACK_AUTHTOKEN, CONTENTSTACK_PROJECT_UID, StackFactory

pytestmark = pytest.mark.e2e

HEADERS = {"authtoken": CONTENTSTACK_AUTHTOKEN, "x-project-uid": CONTENTSTACK_PROJECT_UID}


def _api(emulator: Any) -> httpx.Client:
    return httpx.Client(base_url=emulator.base_url, headers=HEADERS, timeout=10)


def _listing(emulator: Any, path: str) -> list[dict[str, Any]]:
    with _api(emulator) as client:
        body = client.get(path).json()
    return list(body["data"] if isinstance(body, dict) else body)


def test_attribute_lifecycle(stack_factory: StackFactory, emulator: Any) -> None:
    desired: dict[str, Any] = {"name": "Spend", "description": "average order value"}

    def program() -> None:
        attribute = Attribute("spend", name=desired["name"], key="spend", description=desired["description"],
                              data_type="number")
        pulumi.export("uid", attribute.uid)

    stack = stack_factory(program)
    assert stack.changes(stack.preview()) == {"create": 2}
    uid = stack.up().outputs["uid"].value
    [live] = _listing(emulator, "/attributes")
    assert live["uid"] == uid and live["key"] == "spend" and live["data_type"] == "number"
    stack.assert_no_changes()

    # refresh with nothing changed keeps "no changes"
    stack.refresh()
    stack.assert_no_changes()

    # an out-of-band edit is found by refresh and put back by up
    with _api(emulator) as client:
        client.put(f"/attributes/{uid}", json={**{k: live[k] for k in ("name", "key", "data_type")},
                                               "name": "Renamed by hand"}).raise_for_status()
    stack.refresh()
    assert stack.changes(stack.preview()) == {"update": 1}
    stack.up()
    assert _listing(emulator, "/attributes")[0]["name"] == "Spend"
    assert _listing(emulator, "/attributes")[0]["description"] == "average order value"
    stack.assert_no_changes()

    # an update in place keeps the uid
    desired["name"] = "Average spend"
    desired["description"] = None
    preview = stack.preview()
    assert stack.changes(preview) == {"update": 1}
    assert stack.up().outputs["uid"].value == uid
    [live] = _listing(emulator, "/attributes")
    assert live["name"] == "Average spend" and "description" not in live
    stack.refresh()
    stack.assert_no_changes()

    # an out-of-band delete is dropped by refresh; the next up creates it again
    with _api(emulator) as client:
        client.delete(f"/attributes/{uid}").raise_for_status()
    stack.refresh()
    assert not [r for r in stack.resources(":Attribute")]
    assert stack.changes(stack.preview()) == {"create": 1}
    new_uid = stack.up().outputs["uid"].value
    assert new_uid != uid

    stack.destroy()
    assert _listing(emulator, "/attributes") == []


def test_audience_using_a_new_attribute_previews_with_unknowns_and_applies_in_one_up(
    stack_factory: StackFactory, emulator: Any
) -> None:
    def program() -> None:
        spend = Attribute("spend", name="Spend", key="spend", data_type="number")
        audience = Audience(
            "valuable-us",
            name="Valuable US Visitors",
            description="US visitors spending more than 1000",
            definition=rules.all_of(
                rules.Rule(rules.preset("COUNTRY"), "STRING_EQUALS", rules.StringMatch("US")),
                rules.Rule(rules.custom(spend.uid), "NUMBER_GREATER_THAN", rules.NumberMatch(1000)),
                rules.Rule(
                    rules.preset("QUERY_PARAMETERS"), "JSON_MATCH",
                    rules.JsonMatch("/utm_campaign", "STRING_EQUALS", rules.StringMatch("BLACK_FRIDAY")),
                ),
            ),
        )
        pulumi.export("attribute_uid", spend.uid)
        pulumi.export("audience_uid", audience.uid)

    stack = stack_factory(program)
    preview = stack.preview()
    assert stack.changes(preview) == {"create": 3}
    up = stack.up()
    attribute_uid = up.outputs["attribute_uid"].value
    [audience] = _listing(emulator, "/audiences")
    assert audience["uid"] == up.outputs["audience_uid"].value
    # the wire carries the service's names, the state the snake_case ones
    rule = audience["definition"]["rules"][1]
    assert rule == {
        "__type": "Rule",
        "attribute": {"__type": "CustomAttributeReference", "ref": attribute_uid},
        "attributeMatchCondition": "NUMBER_GREATER_THAN",
        "attributeMatchOptions": {"__type": "NumberMatchOptions", "value": 1000},
        "invertCondition": False,
    }
    stack.assert_no_changes()
    stack.refresh()
    stack.assert_no_changes()

    # out-of-band: the rule is inverted by hand; refresh sees it, up puts it back
    edited = dict(audience)
    edited["definition"]["rules"][0]["invertCondition"] = True
    with _api(emulator) as client:
        client.put(f"/audiences/{audience['uid']}",
                   json={k: edited[k] for k in ("name", "description", "definition")}).raise_for_status()
    stack.refresh()
    assert stack.changes(stack.preview()) == {"update": 1}
    stack.up()
    assert _listing(emulator, "/audiences")[0]["definition"]["rules"][0]["invertCondition"] is False

    stack.destroy()
    assert _listing(emulator, "/audiences") == []
    assert _listing(emulator, "/attributes") == []


def test_a_condition_that_does_not_fit_its_options_fails_at_preview(stack_factory: StackFactory) -> None:
    def program() -> None:
        spend = Attribute("spend", name="Spend", key="spend", data_type="number")
        Audience("bad", name="Bad", definition=rules.all_of(
            rules.Rule(rules.custom(spend.uid), "NUMBER_GREATER_THAN", rules.StringMatch("1000")),
        ))

    stack = stack_factory(program)
    with pytest.raises(auto.CommandError) as failure:
        stack.preview()
    assert "does not fit StringMatchOptions" in str(failure.value)


def test_event_adoption_and_key_collision(stack_factory: StackFactory, emulator: Any) -> None:
    with _api(emulator) as client:
        existing = client.post("/events", json={"key": "purchase", "name": "Purchase (by hand)"}).json()
        client.post("/events", json={"key": "signup", "name": "Signup"}).raise_for_status()

    mode: dict[str, Any] = {"adopt": True}

    def program() -> None:
        adopted = Event("purchase", key="purchase", name="Purchase", description="an order",
                        adopt_uid=existing["uid"] if mode["adopt"] else None)
        by_key = Event("signup", key="signup", name="Sign-up", adopt_existing=True)
        pulumi.export("purchase", adopted.uid)
        pulumi.export("signup", by_key.uid)

    stack = stack_factory(program)
    assert stack.changes(stack.preview()) == {"create": 3}
    up = stack.up()
    assert up.outputs["purchase"].value == existing["uid"]
    events = {e["key"]: e for e in _listing(emulator, "/events")}
    assert len(events) == 2
    assert events["purchase"]["name"] == "Purchase" and events["purchase"]["description"] == "an order"
    assert events["signup"]["name"] == "Sign-up"
    stack.assert_no_changes()
    # adopt_uid only matters at create: dropping it later changes nothing
    mode["adopt"] = False
    stack.assert_no_changes()
    stack.destroy()
    assert _listing(emulator, "/events") == []

    # a key already taken, without adoption: the error says how to adopt it
    with _api(emulator) as client:
        taken = client.post("/events", json={"key": "purchase", "name": "Taken"}).json()

    def clash() -> None:
        Event("purchase", key="purchase")

    clash_stack = stack_factory(clash, stack_name="clash")
    with pytest.raises(auto.CommandError) as failure:
        clash_stack.up()
    text = str(failure.value)
    assert f"adopt_uid='{taken['uid']}'" in text and "create event 'purchase'" in text


def test_missing_adoption_target_is_a_clear_error(stack_factory: StackFactory) -> None:
    def program() -> None:
        Attribute("ghost", name="Ghost", key="ghost", adopt_uid="does-not-exist")

    stack = stack_factory(program)
    with pytest.raises(auto.CommandError) as failure:
        stack.up()
    assert "adopt_uid='does-not-exist': no attribute with this uid exists" in str(failure.value)


def test_import_option_is_refused_by_the_dynamic_provider_host(stack_factory: StackFactory, emulator: Any) -> None:
    """pulumi/pulumi#16175: import_ calls Read without __provider. adopt_uid is the way (above)."""
    with _api(emulator) as client:
        existing = client.post("/attributes", json={"key": "k", "name": "K", "data_type": "string"}).json()

    def program() -> None:
        Attribute("imported", name="K", key="k", opts=pulumi.ResourceOptions(import_=existing["uid"]))

    stack = stack_factory(program)
    with pytest.raises(auto.CommandError) as failure:
        stack.up()
    assert "__provider" in str(failure.value)


def test_refresh_of_many_attributes_lists_once_per_burst(stack_factory: StackFactory, emulator: Any) -> None:
    count = 12

    def program() -> None:
        for i in range(count):
            Attribute(f"a{i}", name=f"A{i}", key=f"a{i}")

    stack = stack_factory(program)
    stack.up()
    emulator.clear_requests()
    stack.refresh()
    lists = emulator.requests(method="GET", path="/attributes")
    assert 1 <= len(lists) <= 3, lists
    stack.assert_no_changes()


def test_second_tenant_by_config_namespace_and_no_token_in_export(
    stack_factory: StackFactory, emulator: Any
) -> None:
    other_project = "otherproject0000000000001"

    def program() -> None:
        Event("here", key="here")
        Event("there", key="there", config_namespace="acme-eu")

    stack = stack_factory(program, config={
        "acme-eu:contentstackProjectUid": other_project,
        "acme-eu:contentstackOauthToken": auto.ConfigValue("emulator-oauth-token", secret=True),
    })
    stack.up()
    assert [e["key"] for e in _listing(emulator, "/events")] == ["here"]
    with httpx.Client(base_url=emulator.base_url, timeout=10,
                      headers={"authtoken": CONTENTSTACK_AUTHTOKEN, "x-project-uid": other_project}) as client:
        assert [e["key"] for e in client.get("/events").json()["data"]] == ["there"]
    exported = stack.export_text()
    assert "emulator-oauth-token" not in exported
    assert CONTENTSTACK_AUTHTOKEN not in exported
    assert "emulator-oauth-token" not in stack.state_text()
    stack.destroy()
