"""Content types linked to an experience's CMS variant group (cs.VariantGroupContentTypes), end to end:
created after the experience, updated, refreshed, guarded by the stack's api key, destroyed."""

from __future__ import annotations

from typing import Any

import httpx
import pulumi
import pytest
from pulumi import automation as auto

from pulumi_personalize.contentstack import Experience, ExperienceVariantArgs, VariantGroupContentTypes
from pulumi_personalize.emulator.contentstack.cma import EMULATOR_MANAGEMENT_TOKEN, EMULATOR_STACK_API_KEY
from tests.e2e.conftest import CONTENTSTACK_AUTHTOKEN, StackFactory
from tests.e2e.contentstack_live import not_live

pytestmark = pytest.mark.e2e

GROUPS = "/v3/variant_groups"
CONFIG = {
    "personalize:contentstackStackApiKey": auto.ConfigValue(EMULATOR_STACK_API_KEY),
    "personalize:contentstackManagementToken": auto.ConfigValue(EMULATOR_MANAGEMENT_TOKEN, secret=True),
}


def _cma(emulator: Any) -> httpx.Client:
    """The stack's CMA as a person in the UI reaches it (with the authtoken, not the program's token)."""
    return httpx.Client(base_url=emulator.base_url, timeout=10,
                        headers={"authtoken": CONTENTSTACK_AUTHTOKEN, "api_key": EMULATOR_STACK_API_KEY})


def _linked(emulator: Any, group_uid: str) -> list[str]:
    with _cma(emulator) as cma:
        groups = cma.get(GROUPS).raise_for_status().json()["variant_groups"]
    return list(next(g for g in groups if g["uid"] == group_uid)["content_types"])


def _link_by_hand(emulator: Any, group_uid: str, uids: list[str]) -> None:
    with _cma(emulator) as cma:
        group = next(g for g in cma.get(GROUPS).raise_for_status().json()["variant_groups"] if g["uid"] == group_uid)
        body = {"name": group["name"], "content_types": [{"uid": u, "status": "linked"} for u in uids]}
        cma.put(f"{GROUPS}/{group_uid}", json=body).raise_for_status()


def test_variant_group_content_types_lifecycle(stack_factory: StackFactory, emulator: Any) -> None:
    desired: dict[str, Any] = {"content_types": ["page", "product"], "linked": True}

    def program() -> None:
        experience = Experience("home", name="Home", type="AB_TEST",
                                variants=[ExperienceVariantArgs(name="A"), ExperienceVariantArgs(name="B")])
        pulumi.export("experience_group", experience.cms_variant_group_uid)
        if desired["linked"]:
            link = VariantGroupContentTypes("home-types", experience=experience.uid,
                                            content_types=desired["content_types"])
            pulumi.export("group", link.variant_group_uid)
            pulumi.export("types", link.content_types)

    stack = stack_factory(program, CONFIG)
    assert stack.changes(stack.preview()) == {"create": 3}  # the stack, the experience, the link
    up = stack.up()
    group = up.outputs["group"].value
    assert group == up.outputs["experience_group"].value  # the experience's own variant group
    assert _linked(emulator, group) == ["page", "product"]
    assert up.outputs["types"].value == ["page", "product"]
    stack.assert_no_changes()

    # someone links another content type in the stack: it is not the program's, nothing to do
    _link_by_hand(emulator, group, ["page", "product", "banner"])
    stack.refresh()
    stack.assert_no_changes()

    # the program drops page and adds article: the difference only, banner stays
    desired["content_types"] = ["product", "article"]
    assert stack.changes(stack.preview()) == {"update": 1}
    stack.up()
    assert _linked(emulator, group) == ["product", "banner", "article"]
    stack.assert_no_changes()

    # someone unlinks product: refresh shows it, and the next up links it again
    _link_by_hand(emulator, group, ["banner", "article"])
    stack.refresh()
    assert stack.resources(":VariantGroupContentTypes")[0]["outputs"]["content_types"] == ["article"]
    assert stack.changes(stack.preview()) == {"update": 1}
    stack.up()
    assert sorted(_linked(emulator, group)) == ["article", "banner", "product"]
    stack.assert_no_changes()

    # the state holds the stack's api key (an identifier) and never the management token
    [resource] = stack.resources(":VariantGroupContentTypes")
    assert resource["outputs"]["tenant"]["stack_api_key"] == EMULATOR_STACK_API_KEY
    assert EMULATOR_MANAGEMENT_TOKEN not in stack.state_text()
    assert EMULATOR_MANAGEMENT_TOKEN not in "\n".join(stack.output)

    # a provider set up for another stack refuses before touching anything
    stack.stack.set_config("personalize:contentstackStackApiKey", auto.ConfigValue("blt-another-stack"))
    with pytest.raises(auto.CommandError) as refused:
        stack.refresh(run_program=True)
    assert f"recorded in Contentstack stack {EMULATOR_STACK_API_KEY}" in str(refused.value)
    assert "configured for Contentstack stack blt-another-stack" in str(refused.value)
    assert "check personalize:contentstackStackApiKey" in str(refused.value)
    desired["content_types"] = ["article"]
    with pytest.raises(auto.CommandError, match="configured for Contentstack stack blt-another-stack"):
        stack.up()
    desired["content_types"] = ["product", "article"]
    stack.stack.set_config("personalize:contentstackStackApiKey", auto.ConfigValue(EMULATOR_STACK_API_KEY))
    assert sorted(_linked(emulator, group)) == ["article", "banner", "product"]
    assert stack.resources(":VariantGroupContentTypes")[0]["outputs"]["content_types"] == ["product", "article"]

    # removed from the program (as destroy does): only the program's content types are unlinked
    desired["linked"] = False
    assert stack.changes(stack.preview()) == {"delete": 1}
    stack.up()
    assert _linked(emulator, group) == ["banner"]  # the group stays: Personalize owns it
    stack.destroy()
    assert stack.resources() == []
    assert _linked(emulator, group) == ["banner"]  # the experience went, its group stays (as live)
    assert not_live(emulator) == []
