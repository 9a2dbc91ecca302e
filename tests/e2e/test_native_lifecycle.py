"""The native provider (`pulumi-resource-personalize`) under the real engine, against the emulator:
up, no-change preview, in-place update with a detailed diff, replace, refresh after an out-of-band
edit and delete, destroy; secrets stay secret in state."""

from __future__ import annotations

import json
from typing import Any

import pulumi
import pytest

from tests.e2e.conftest import CONTENTSTACK_AUTHTOKEN, SITECORE_CLIENT_SECRET, StackFactory
from tests.e2e.contentstack_live import client, customs, not_live
from tests.e2e.native_support import Native, plugin_env

pytestmark = pytest.mark.e2e


def test_contentstack_life_cycle_with_detailed_diffs(stack_factory: StackFactory, emulator: Any) -> None:
    desired: dict[str, Any] = {"name": "Plan", "description": "the visitor's plan", "key": "plan"}
    extra: dict[str, Any] = {}

    def program() -> None:
        plan = Native("personalize:contentstack:Attribute", "plan", dict(desired))
        event = Native("personalize:contentstack:Event", "purchase", {"key": "purchase"})
        pulumi.export("uid", plan.out("uid"))
        pulumi.export("id", plan.id)
        pulumi.export("event", event.out("uid"))
        if extra.get("lookup"):  # a look-up is a function of the provider (invoke)
            found = pulumi.runtime.invoke("personalize:contentstack:getAttribute", {"key": "plan"}).value
            pulumi.export("looked_up", found)
        if extra.get("adopt"):  # ResourceOptions(import_=...) takes over an existing object
            Native("personalize:contentstack:Event", "signup", {"key": "signup", "description": "by hand"},
                   pulumi.ResourceOptions(import_=extra["adopt"]))

    stack = stack_factory(program, env=plugin_env())
    assert stack.changes(stack.preview()) == {"create": 3}  # the stack, two resources
    up = stack.up()
    uid = up.outputs["uid"].value
    assert uid == up.outputs["id"].value
    [live] = [a for a in customs(emulator, "/attributes")]
    assert (live["uid"], live["key"], live["name"]) == (uid, "plan", "Plan")
    [resource] = stack.resources("contentstack:Attribute")
    assert resource["type"] == "personalize:contentstack:Attribute"
    assert resource["outputs"]["tenant"]["project_uid"] and "service" not in resource["outputs"]["tenant"]
    # the default provider's credentials (stack configuration) never reach the state in clear
    state = stack.state_text()
    assert CONTENTSTACK_AUTHTOKEN not in state and SITECORE_CLIENT_SECRET not in state
    [default] = [r for r in stack.export()["resources"] if r["type"] == "pulumi:providers:personalize"]
    assert "contentstackAuthtoken" in default["inputs"]  # recorded, encrypted
    stack.preview(expect_no_changes=True)

    # a look-up by key answers the attribute, camelCase
    extra["lookup"] = True
    looked_up = stack.up().outputs["looked_up"].value
    assert (looked_up["uid"], looked_up["key"], looked_up["name"]) == (uid, "plan", "Plan")
    extra["lookup"] = False

    # import_= adopts an object made by hand, and the next preview is clean
    with client(emulator) as c:
        made = c.post("/events", json={"key": "signup", "description": "by hand"}).raise_for_status().json()
    extra["adopt"] = made["uid"]
    assert stack.changes(stack.preview()) == {"import": 1}
    stack.up()
    assert [r["id"] for r in stack.resources("contentstack:Event") if r["urn"].endswith("::signup")] == [made["uid"]]
    stack.preview(expect_no_changes=True)

    # an in-place update names the property and keeps the uid known at preview
    desired["name"] = "Subscription plan"
    preview = stack.preview()
    assert stack.changes(preview) == {"update": 1}
    assert '~ name' in preview.stdout and "Subscription plan" in preview.stdout, preview.stdout
    assert stack.up().outputs["uid"].value == uid
    assert customs(emulator, "/attributes")[0]["name"] == "Subscription plan"
    stack.preview(expect_no_changes=True)

    # a changed key is an in-place update too; refresh after an out-of-band edit shows the drift
    with client(emulator) as c:
        c.put(f"/attributes/{uid}", json={"key": "plan", "name": "By hand", "description": ""}).raise_for_status()
    stack.refresh()
    assert stack.changes(stack.preview()) == {"update": 1}
    stack.up()
    assert customs(emulator, "/attributes")[0]["name"] == "Subscription plan"
    stack.preview(expect_no_changes=True)

    # an out-of-band delete is dropped by refresh; the next up creates it again
    with client(emulator) as c:
        c.delete(f"/attributes/{uid}").raise_for_status()
    stack.refresh()
    assert stack.resources("contentstack:Attribute") == []
    assert stack.changes(stack.preview()) == {"create": 1}
    again = stack.up().outputs["uid"].value
    assert again != uid
    stack.preview(expect_no_changes=True)

    stack.destroy()
    assert not_live(emulator) == []
    assert customs(emulator, "/attributes") == []
    json.dumps(stack.export())
