"""The native provider's previews and tenants under the real engine, against the emulator: a split
change on an ACTIVE experience previews the new version (unknown version uid, a warning that says
so), a renamed variant its new CMS variant; a changed friendly id replaces; an explicit provider
serves a second tenant; the tenant guard and check failures work as on the dynamic face."""

from __future__ import annotations

import json
from typing import Any

import pulumi
import pytest
from pulumi import automation as auto

from pulumi_personalize.engine import UNKNOWN
from tests.e2e.conftest import CONTENTSTACK_AUTHTOKEN, E2EStack, StackFactory
from tests.e2e.contentstack_live import customs
from tests.e2e.native_support import Native, plugin_env

pytestmark = pytest.mark.e2e

OTHER_PROJECT = "e2eproject000000000000002"


def planned_outputs(stack: E2EStack, token: str) -> dict[str, Any]:
    """The outputs a preview plans for a resource (its saved update plan), unknowns as the marker."""
    plan = stack.workdir / "plan.json"
    stack.preview(plan=str(plan))
    plans = json.loads(plan.read_text())["resourcePlans"]
    [found] = [p for urn, p in plans.items() if urn.split("::")[2] == token]
    outputs: dict[str, Any] = found["state"]
    return outputs


def test_active_experience_split_change_previews_the_new_version(stack_factory: StackFactory, emulator: Any) -> None:
    desired: dict[str, Any] = {"split": (50, 50), "names": ("A", "B")}

    def program() -> None:
        variants = [{"name": n, "trafficDistribution": s} for n, s in zip(desired["names"], desired["split"], strict=True)]
        hero = Native("personalize:contentstack:Experience", "hero",
                      {"name": "Hero", "type": "AB_TEST", "status": "ACTIVE", "variants": variants})
        pulumi.export("version", hero.out("latestVersionUid"))
        pulumi.export("uid", hero.out("uid"))

    stack = stack_factory(program, env=plugin_env())
    up = stack.up()
    version, uid = up.outputs["version"].value, up.outputs["uid"].value
    stack.preview(expect_no_changes=True)

    desired["split"] = (70, 30)
    preview = stack.preview()
    assert stack.changes(preview) == {"update": 1}
    text = preview.stdout + preview.stderr
    assert "~ variants" in text or "variants: [" in text, text
    assert "cannot be edited: this update makes a new version and archives" in text, text
    # the preview's outputs: unknown exactly where the update changes them, the uid known
    outputs = planned_outputs(stack, "personalize:contentstack:Experience")
    assert outputs["latestVersionUid"] == UNKNOWN and outputs["activeVersionUid"] == UNKNOWN
    assert outputs["uid"] == uid and outputs["variantShortUids"] != UNKNOWN
    after = stack.up().outputs
    assert after["uid"].value == uid and after["version"].value != version  # a new version was made
    stack.preview(expect_no_changes=True)

    # a renamed variant: its CMS variant is replaced, and the preview says so
    desired["names"] = ("A", "Bravo")
    preview = stack.preview()
    assert "renamed to 'Bravo': its CMS variant is replaced (uid" in preview.stdout + preview.stderr
    stack.up()
    stack.preview(expect_no_changes=True)


def test_replace_second_tenant_by_explicit_provider_and_tenant_guard(
        stack_factory: StackFactory, emulator: Any) -> None:
    desired: dict[str, Any] = {"friendly_id": "native_banner", "eu": False}

    def program() -> None:
        Native("personalize:sitecore:Template", "banner", {
            "name": "Banner", "friendlyId": desired["friendly_id"], "type": "WEB",
            "templateElements": [{"id": "html", "template": "<p>Rain</p>"}]})
        eu = pulumi.ProviderResource("personalize", "eu", {
            "baseUrl": emulator.base_url, "contentstackProjectUid": OTHER_PROJECT,
            "contentstackAuthtoken": pulumi.Output.secret(CONTENTSTACK_AUTHTOKEN)})
        plan = Native("personalize:contentstack:Attribute", "plan", {"key": "plan", "name": "Plan"},
                      pulumi.ResourceOptions(provider=eu) if desired["eu"] else None)
        pulumi.export("plan", plan.out("uid"))

    stack = stack_factory(program, env=plugin_env())
    stack.up()
    [template] = stack.resources("sitecore:Template")
    assert customs(emulator, "/attributes") != []
    stack.preview(expect_no_changes=True)

    # a changed friendly id replaces the template, and the preview says which property does
    desired["friendly_id"] = "native_banner_2"
    preview = stack.preview()
    assert stack.changes(preview) == {"replace": 1}
    assert "friendlyId" in preview.stdout
    stack.up()
    [replaced] = stack.resources("sitecore:Template")
    assert replaced["id"] != template["id"]

    # an explicit provider is a second tenant: the attribute moves to the other project
    desired["eu"] = True
    assert stack.changes(stack.preview()) == {"replace": 1}  # the provider "eu" exists since the first up
    stack.up()
    assert customs(emulator, "/attributes") == []
    assert len(customs(emulator, "/attributes", OTHER_PROJECT)) == 1
    [plan] = stack.resources("contentstack:Attribute")
    assert plan["outputs"]["tenant"]["project_uid"] == OTHER_PROJECT
    assert CONTENTSTACK_AUTHTOKEN not in stack.state_text()
    stack.preview(expect_no_changes=True)

    # the default provider now configured for another Sitecore client: it also sets up Contentstack,
    # which did not move, so nothing it serves is replaced; a client id alone does not tell another
    # tenant from a new API key of the same one (the tenant guard decides on the live objects' key),
    # so the template previews no change, and the refresh, which reads them, refuses
    stack.stack.set_config("personalize:sitecoreClientId", auto.ConfigValue("another-client"))
    preview = stack.preview()
    assert stack.changes(preview) == {}, preview.stdout
    with pytest.raises(auto.CommandError) as refused:
        stack.refresh(run_program=True)
    assert "personalize:sitecoreClientId" in str(refused.value)
    assert "Traceback" not in str(refused.value)


def test_check_failures_fail_the_preview(stack_factory: StackFactory, emulator: Any) -> None:
    def program() -> None:
        Native("personalize:contentstack:Experience", "bad", {"name": "Bad", "status": "RUNNING"})

    stack = stack_factory(program, env=plugin_env())
    with pytest.raises(auto.CommandError) as failed:
        stack.preview()
    assert "status: Input should be 'DRAFT', 'ACTIVE' or 'PAUSED'" in str(failed.value)

    stack.stack.set_config("personalize:contentstackRegion", auto.ConfigValue("mars"))
    with pytest.raises(auto.CommandError) as failed:
        stack.preview()
    assert "personalize:contentstackRegion" in str(failed.value)
