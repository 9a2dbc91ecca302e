"""Contentstack attributes, events and audiences through the real Pulumi engine and the emulator."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pulumi
import pytest
from pulumi import automation as auto

from pulumi_personalize.contentstack import Attribute, Audience, Event, rules
from pulumi_personalize.errors import PersonalizeError
from tests.e2e.conftest import CONTENTSTACK_AUTHTOKEN, StackFactory, emulator_config
from tests.e2e.contentstack_live import client, customs, not_live

pytestmark = pytest.mark.e2e

OTHER_PROJECT = "otherproject0000000000001"
OTHER_NAMESPACE = {
    "acme-eu:contentstackProjectUid": OTHER_PROJECT,
    "acme-eu:contentstackAuthtoken": auto.ConfigValue(CONTENTSTACK_AUTHTOKEN, secret=True),
}


def _country(code: str) -> rules.RuleCombination:
    return rules.all_of(rules.Rule(rules.preset("COUNTRY"), "STRING_EQUALS", rules.StringMatch(code)))


# kind -> (collection, the object a person made by hand (same natural key as the program's), the
#          program's resource, an out-of-band edit, the program's edit)
KINDS: dict[str, tuple[str, dict[str, Any], Callable[..., pulumi.CustomResource], dict[str, Any], dict[str, Any]]] = {
    "attribute": (
        "/attributes", {"key": "plan", "name": "Plan (by hand)", "description": ""},
        lambda desired, **kw: Attribute("it", key="plan", name=desired["name"],
                                        description=desired.get("description"), **kw),
        {"name": "Renamed by hand"}, {"name": "Subscription plan"},
    ),
    "event": (
        "/events", {"key": "purchase", "description": "by hand"},
        lambda desired, **kw: Event("it", key="purchase", description=desired.get("description"), **kw),
        {"description": "edited by hand"}, {"description": "an order was placed"},
    ),
    "audience": (
        "/audiences", {"name": "Americans", "description": "", "definition": {
            "__type": "RuleCombination", "combinationType": "AND", "rules": []}},
        lambda desired, **kw: Audience("it", name="Americans", description=desired.get("description"),
                                       definition=_country(desired["country"]), **kw),
        {"description": "edited by hand"}, {"country": "CA"},
    ),
}


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_lifecycle(kind: str, stack_factory: StackFactory, emulator: Any) -> None:
    """Adoption by natural key, no-change previews, refresh after out-of-band edit and delete, update in
    place, replace (another project), destroy; only live operations on the wire."""
    path, by_hand, declare, edit, change = KINDS[kind]
    with client(emulator) as c:
        existing = c.post(path, json=by_hand).json()
    desired: dict[str, Any] = {"name": "Plan", "description": "the visitor's plan", "country": "US",
                               "namespace": None}

    def program() -> None:
        resource = declare(desired, adopt_existing=True, config_namespace=desired["namespace"])
        pulumi.export("uid", resource.id)

    stack = stack_factory(program, config=OTHER_NAMESPACE)
    assert stack.changes(stack.preview()) == {"create": 2}
    uid = stack.up().outputs["uid"].value
    assert uid == existing["uid"]  # adopted, not created
    [live] = customs(emulator, path)
    assert live["uid"] == uid
    if kind == "audience":
        assert live["definition"]["rules"][0]["attributeMatchOptions"]["value"] == "US"
    else:
        assert live["description"] == desired["description"]
    stack.assert_no_changes()
    stack.refresh()
    stack.assert_no_changes()

    # an out-of-band edit is found by refresh and put back by up
    fields = {k: v for k, v in live.items() if k in by_hand}
    with client(emulator) as c:
        c.put(f"{path}/{uid}", json={**fields, **edit}).raise_for_status()
    stack.refresh()
    assert stack.changes(stack.preview()) == {"update": 1}
    stack.up()
    [restored] = customs(emulator, path)
    assert {k: restored.get(k) for k in edit} != edit
    stack.assert_no_changes()

    # an update in place keeps the uid
    desired.update(change)
    assert stack.changes(stack.preview()) == {"update": 1}
    assert stack.up().outputs["uid"].value == uid
    [updated] = customs(emulator, path)
    for key, value in change.items():
        if key == "country":
            assert updated["definition"]["rules"][0]["attributeMatchOptions"]["value"] == value
        else:
            assert updated[key] == value
    stack.refresh()
    stack.assert_no_changes()

    # removing the description clears it on the service
    desired["description"] = None
    stack.up()
    assert customs(emulator, path)[0].get("description") in (None, "")
    stack.assert_no_changes()

    # an out-of-band delete is dropped by refresh; the next up creates it again
    with client(emulator) as c:
        c.delete(f"{path}/{uid}").raise_for_status()
    stack.refresh()
    assert stack.resources(f":{kind.capitalize()}") == []
    assert stack.changes(stack.preview()) == {"create": 1}
    new_uid = stack.up().outputs["uid"].value
    assert new_uid != uid and [i["uid"] for i in customs(emulator, path)] == [new_uid]
    stack.assert_no_changes()

    # another project (config_namespace) replaces it: made there, deleted here
    desired["namespace"] = "acme-eu"
    assert stack.changes(stack.preview()) == {"replace": 1}
    moved = stack.up().outputs["uid"].value
    assert customs(emulator, path) == []
    assert [i["uid"] for i in customs(emulator, path, OTHER_PROJECT)] == [moved]
    stack.assert_no_changes()

    stack.destroy()
    assert customs(emulator, path, OTHER_PROJECT) == []
    assert not_live(emulator) == []


def test_audience_using_a_new_attribute_previews_with_unknowns_and_applies_in_one_up(
    stack_factory: StackFactory, emulator: Any
) -> None:
    def program() -> None:
        spend = Attribute("spend", name="Spend", key="spend")
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
    [audience] = customs(emulator, "/audiences")
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
    with client(emulator) as c:
        c.put(f"/audiences/{audience['uid']}",
              json={k: edited[k] for k in ("name", "description", "definition")}).raise_for_status()
    stack.refresh()
    assert stack.changes(stack.preview()) == {"update": 1}
    stack.up()
    assert customs(emulator, "/audiences")[0]["definition"]["rules"][0]["invertCondition"] is False

    stack.destroy()
    assert customs(emulator, "/audiences") == []
    assert customs(emulator, "/attributes") == []
    assert not_live(emulator) == []


@pytest.mark.parametrize(("declare", "message"), [
    (lambda: Audience("bad", name="Bad", definition=rules.all_of(rules.Rule(
        rules.custom(Attribute("spend", name="Spend", key="spend").uid), "NUMBER_GREATER_THAN",
        rules.StringMatch("1000")))), "does not fit StringMatchOptions"),
    # a preset's key, in another case
    (lambda: Attribute("country", name="Country", key="country"), "'country' is the key of the preset attribute COUNTRY"),
    # a preset's key used as a custom attribute's uid
    (lambda: Audience("us", name="US", definition=rules.all_of(rules.Rule(
        rules.custom("COUNTRY"), "STRING_EQUALS", rules.StringMatch("US")))),
     "'COUNTRY' is the key of the preset attribute COUNTRY, not a custom attribute's uid: use rules.preset(\"COUNTRY\")"),
])
def test_check_failures_at_preview(stack_factory: StackFactory, declare: Callable[[], Any], message: str) -> None:
    stack = stack_factory(declare)
    with pytest.raises(auto.CommandError) as failure:
        stack.preview()
    assert message in str(failure.value)


def test_deleting_an_attribute_an_audience_uses_fails_at_up_naming_the_audience(
    stack_factory: StackFactory, emulator: Any
) -> None:
    """A delete has no check, so the preview shows a plain delete; the up's refusal names the
    audience, and removing the rule in the same up works (the audience is updated before the delete)."""
    declared: dict[str, Any] = {"attribute": True, "uid": None, "rule": True}

    def program() -> None:
        uid = Attribute("plan", name="Plan", key="plan").uid if declared["attribute"] else declared["uid"]
        on_plan = [rules.Rule(rules.custom(uid), "STRING_EQUALS", rules.StringMatch("premium"))] if declared["rule"] else []
        Audience("premium", name="Premium", definition=rules.all_of(
            rules.Rule(rules.preset("COUNTRY"), "STRING_EQUALS", rules.StringMatch("US")), *on_plan))
        pulumi.export("uid", uid)

    stack = stack_factory(program)
    uid = stack.up().outputs["uid"].value
    [audience] = customs(emulator, "/audiences")
    declared.update(attribute=False, uid=uid)  # the audience still names the attribute by its uid
    assert stack.changes(stack.preview()) == {"delete": 1}
    with pytest.raises(auto.CommandError) as failure:
        stack.up()
    assert (f"the attribute 'plan' ({uid}) is still used by the audiences 'Premium' ({audience['uid']}): "
            f"remove their rules on rules.custom({uid!r}) (or the audiences) first") in str(failure.value)
    assert [a["uid"] for a in customs(emulator, "/attributes")] == [uid]

    declared["rule"] = False
    assert stack.changes(stack.preview()) == {"update": 1, "delete": 1}
    stack.up()
    assert customs(emulator, "/attributes") == []
    assert [r["attribute"]["ref"] for r in customs(emulator, "/audiences")[0]["definition"]["rules"]] == ["COUNTRY"]
    stack.destroy()


def test_presets_are_never_adopted_or_touched(stack_factory: StackFactory, emulator: Any) -> None:
    presets = [a for a in emulator_attributes(emulator) if a.get("__type") == "PRESET"]
    assert {p["key"] for p in presets} >= {"COUNTRY", "DEVICE_TYPE"}
    country = next(p for p in presets if p["key"] == "COUNTRY")

    def program() -> None:
        Attribute("country", name="Country code", key="country_code", adopt_uid=country["uid"])

    stack = stack_factory(program)
    with pytest.raises(auto.CommandError) as failure:
        stack.up()
    assert "is the preset attribute COUNTRY" in str(failure.value)
    assert [e for e in emulator.requests() if e["method"] != "GET"] == []
    assert emulator_attributes(emulator) == [*presets]


def emulator_attributes(emulator: Any) -> list[dict[str, Any]]:
    with client(emulator) as c:
        listed: list[dict[str, Any]] = c.get("/attributes").json()
    return listed


def test_event_adoption_by_uid_and_key_collision(stack_factory: StackFactory, emulator: Any) -> None:
    with client(emulator) as c:
        existing = c.post("/events", json={"key": "purchase", "description": "by hand"}).json()
        c.post("/events", json={"key": "signup"}).raise_for_status()

    mode: dict[str, Any] = {"adopt": True}

    def program() -> None:
        adopted = Event("purchase", key="purchase", description="an order",
                        adopt_uid=existing["uid"] if mode["adopt"] else None)
        by_key = Event("signup", key="signup", description="an account", adopt_existing=True)
        pulumi.export("purchase", adopted.id)
        pulumi.export("signup", by_key.id)

    stack = stack_factory(program)
    assert stack.changes(stack.preview()) == {"create": 3}
    up = stack.up()
    assert up.outputs["purchase"].value == existing["uid"]
    events = {e["key"]: e for e in customs(emulator, "/events")}
    assert len(events) == 2
    assert events["purchase"]["description"] == "an order" and events["signup"]["description"] == "an account"
    stack.assert_no_changes()
    # adopt_uid only matters at create: dropping it later changes nothing
    mode["adopt"] = False
    stack.assert_no_changes()
    stack.destroy()
    assert customs(emulator, "/events") == []

    # a key already taken, without adoption: the error says how to adopt it
    with client(emulator) as c:
        taken = c.post("/events", json={"key": "purchase"}).json()

    def clash() -> None:
        Event("purchase", key="purchase")

    clash_stack = stack_factory(clash, stack_name="clash")
    with pytest.raises(auto.CommandError) as failure:
        clash_stack.up()
    text = str(failure.value)
    assert f"adopt_uid='{taken['uid']}'" in text and "create event 'purchase'" in text
    assert not_live(emulator) == []


def test_missing_adoption_target_is_a_clear_error(stack_factory: StackFactory) -> None:
    def program() -> None:
        Attribute("ghost", name="Ghost", key="ghost", adopt_uid="does-not-exist")

    stack = stack_factory(program)
    with pytest.raises(auto.CommandError) as failure:
        stack.up()
    assert "adopt_uid='does-not-exist': no attribute with this uid exists" in str(failure.value)


def test_import_option_is_refused_by_the_dynamic_provider_host(stack_factory: StackFactory, emulator: Any) -> None:
    """pulumi/pulumi#16175: import_ calls Read without __provider. adopt_uid is the way (above)."""
    with client(emulator) as c:
        existing = c.post("/attributes", json={"key": "k", "name": "K", "description": ""}).json()

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
    def program() -> None:
        Event("here", key="here")
        Event("there", key="there", config_namespace="acme-eu")

    stack = stack_factory(program, config={
        "acme-eu:contentstackProjectUid": OTHER_PROJECT,
        "acme-eu:contentstackOauthToken": auto.ConfigValue("emulator-oauth-token", secret=True),
    })
    stack.up()
    assert [e["key"] for e in customs(emulator, "/events")] == ["here"]
    assert [e["key"] for e in customs(emulator, "/events", OTHER_PROJECT)] == ["there"]
    exported = stack.export_text()
    assert "emulator-oauth-token" not in exported
    assert CONTENTSTACK_AUTHTOKEN not in exported
    assert "emulator-oauth-token" not in stack.state_text()
    stack.destroy()


def test_quota_refusals_name_the_quota(stack_factory: StackFactory) -> None:
    """A project at its quota: the error says which quota, with the service's code."""
    from pulumi_personalize.emulator.testing import running_emulator

    quotas = '{"events": 2, "rules_per_audience": 1}'
    with running_emulator(env={"PERSONALIZE_EMULATOR_QUOTAS": quotas}) as small:
        def program() -> None:
            for key in ("one", "two", "three"):
                Event(key, key=key)
            Audience("two-rules", name="Two rules", definition=rules.all_of(
                rules.Rule(rules.preset("COUNTRY"), "STRING_EQUALS", rules.StringMatch("US")),
                rules.Rule(rules.preset("DEVICE_TYPE"), "STRING_EQUALS", rules.StringMatch("MOBILE"))))

        stack = stack_factory(program, config=emulator_config(small.base_url))
        with pytest.raises(auto.CommandError) as failure:
            stack.up()
        text = str(failure.value)
        assert "the project's quota of 2 events is reached (personalize.EVENTS.EVENT_COUNT_EXCEEDED)" in text
        assert ("the project's quota of 1 rules per audience is reached (personalize.AUDIENCES.RULE_COUNT_EXCEEDED)"
                in text)
        assert len(customs(small, "/events")) == 2
        stack.destroy()


def test_project_lookup_by_the_stack_it_personalizes(emulator: Any) -> None:
    """``cs.get_project`` finds the project uid from the stack's API key (no project uid configured)."""
    from pulumi_personalize.contentstack import get_project

    organization = {"authtoken": CONTENTSTACK_AUTHTOKEN, "organization_uid": "org-e2e"}
    with httpx.Client(base_url=emulator.base_url, headers=organization, timeout=10) as c:
        made = c.post("/projects", json={"name": "Website", "connectedStackApiKey": "blt-website"}).json()
        c.post("/projects", json={"name": "Other", "connectedStackApiKey": "blt-other"}).raise_for_status()
    config = {"personalize:baseUrl": emulator.base_url, "personalize:contentstackAuthtoken": CONTENTSTACK_AUTHTOKEN}
    found = get_project(connected_stack_api_key="blt-website", organization_uid="org-e2e", config=config)
    assert (found.uid, found.name, found.organization_uid) == (made["uid"], "Website", "org-e2e")
    with pytest.raises(PersonalizeError, match="no Personalize project"):
        get_project(connected_stack_api_key="blt-nowhere", organization_uid="org-e2e", config=config)
    assert not_live(emulator) == []
