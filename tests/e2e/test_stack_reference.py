"""examples/stack-reference as a user runs it: two projects in one backend, linked by a stack reference.

The infra project exports the site's URL and environment name; the personalization project reads
them with `pulumi.StackReference` and builds its audiences, grouped in a ComponentResource, from
them. A new infra output must show in the personalization project's preview and reach the service
with its `up`. `make test` also runs this file with the floor SDK (.venv-floor): it is the life
cycle that proves the declared `pulumi>=FLOOR` (program, language host and provider on that SDK).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.test_examples import EXAMPLES, Project, contentstack

pytestmark = pytest.mark.e2e

SOURCE = EXAMPLES / "stack-reference"
COMPONENT = "personalize-examples:site:SitePersonalization"
AUDIENCE = "pulumi-python:dynamic/contentstack:Audience"


def _referrer(audience: dict[str, Any]) -> Any:
    """The value the offers audience's only rule matches the referrer against, as the service holds it."""
    definition = audience.get("definition") or audience.get("rules") or {}
    (rule,) = definition["rules"]
    assert rule["attribute"]["ref"] == "REFERRER" and rule["attributeMatchCondition"] == "STRING_EQUALS"
    return rule["attributeMatchOptions"]["value"]


def test_personalization_follows_the_infra_stack(emulator: Any, tmp_path: Path) -> None:
    infra = Project(SOURCE / "infra", tmp_path)
    site = Project(SOURCE / "personalization", tmp_path)
    assert infra.env == site.env  # one backend: a stack reference reads only its own backend

    infra.pulumi("stack", "init", "dev")
    infra.pulumi("config", "set", "--stack", "dev", "siteUrl", "https://www.example.com/")
    infra.up("dev")
    assert infra.outputs("dev") == {"siteUrl": "https://www.example.com/", "environment": "dev"}

    site.init("dev", emulator.base_url)
    site.up("dev")
    site.assert_no_changes("dev")

    outputs = site.outputs("dev")
    assert outputs["site_url"] == "https://www.example.com/"
    uids = outputs["audience_uids"]
    audiences = contentstack(emulator)["audiences"]
    assert set(audiences) == {uids["offer_visitors"], uids["us_visitors"]}
    offers = audiences[uids["offer_visitors"]]
    assert offers["name"] == "Visitors from the offers page (dev)"
    assert offers["description"] == "Arrived from https://www.example.com/offers"
    assert _referrer(offers) == "https://www.example.com/offers"

    # Both audiences are children of the component, which is a child of the stack.
    resources = json.loads(site.export_text("dev"))["deployment"]["resources"]
    component = [r for r in resources if r["type"] == COMPONENT]
    assert len(component) == 1
    children = [r for r in resources if r["type"] == AUDIENCE]
    assert len(children) == 2 and {r["parent"] for r in children} == {component[0]["urn"]}

    # A new infra output: the personalization preview shows both audiences as updates with the new
    # values, and its up writes them in place (same uids).
    infra.pulumi("config", "set", "--stack", "dev", "siteUrl", "https://shop.example.com")
    infra.pulumi("config", "set", "--stack", "dev", "environment", "staging")
    infra.up("dev")
    preview = site.pulumi("preview", "--diff", "--stack", "dev")
    assert "2 to update" in preview, preview
    assert "https://shop.example.com/offers" in preview and "Visitors in the US (staging)" in preview
    with pytest.raises(AssertionError):
        site.assert_no_changes("dev")

    site.up("dev")
    site.assert_no_changes("dev")
    assert site.outputs("dev")["audience_uids"] == uids
    audiences = contentstack(emulator)["audiences"]
    offers = audiences[uids["offer_visitors"]]
    assert offers["name"] == "Visitors from the offers page (staging)"
    assert offers["description"] == "Arrived from https://shop.example.com/offers"
    assert _referrer(offers) == "https://shop.example.com/offers"
    assert audiences[uids["us_visitors"]]["description"] == "Visitors of https://shop.example.com in the United States"

    # Destroy in the reverse order of the dependency: personalization first, then infra.
    site.destroy("dev")
    assert not contentstack(emulator).get("audiences")
    infra.destroy("dev")
    for project in (site, infra):
        deployment = json.loads(project.export_text("dev"))["deployment"]
        assert not deployment.get("resources"), deployment
        project.pulumi("stack", "rm", "--yes", "dev")
