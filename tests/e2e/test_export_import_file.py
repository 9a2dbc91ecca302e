"""`personalize-export --format pulumi-import` under the real engine: a Contentstack project made
through the API is written as Pulumi's bulk import file, `pulumi import -f` with the native provider
(`pulumi-resource-personalize`) imports every object without writing to the service, and a program
declaring the imported resources with the inputs the import recorded previews with no changes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from pulumi import automation as auto

from pulumi_personalize.emulator.contentstack.cma import EMULATOR_MANAGEMENT_TOKEN, EMULATOR_STACK_API_KEY
from tests.e2e.conftest import StackFactory, run_pulumi
from tests.e2e.export_support import WRITES, run_export, source_project
from tests.e2e.native_support import Native, plugin_env
from tests.e2e.test_export_contentstack import GROUPS, Api, cma, combination, rule, text

pytestmark = pytest.mark.e2e

STACK_PLAIN = {"personalize:contentstackStackApiKey": EMULATOR_STACK_API_KEY}
STACK_SECRETS = {"personalize:contentstackManagementToken": EMULATOR_MANAGEMENT_TOKEN}


def seed(api: Api) -> dict[str, str]:
    """An attribute, an event, an audience on the attribute, an active A/B test with a metric whose
    variant group has a linked content type, a segmented draft, the priority order."""
    ids = {"plan": api.send("POST", "/attributes", {"key": "plan", "name": "Plan", "description": ""})["uid"],
           "buy": api.send("POST", "/events", {"key": "buy", "description": "Order placed"})["uid"]}
    ids["pros"] = api.send("POST", "/audiences", {"name": "Pros", "description": "", "definition": combination(
        "AND", rule(ids["plan"], "STRING_EQUALS", text("pro")))})["uid"]
    test = api.send("POST", "/experiences", {"name": "Checkout", "description": "", "__type": "AB_TEST"})
    api.send("PUT", f"/experiences/{test['uid']}/versions/{test['latestVersion']}", {
        "status": "ACTIVE",
        "variants": [{"__type": "ABTestVariant", "name": n, "trafficDistribution": 50} for n in ("A", "B")],
        "metrics": [{"__type": "Primary", "event": ids["buy"], "name": "Buys"}]})
    hero = api.send("POST", "/experiences", {"name": "Hero", "description": "", "__type": "SEGMENTED"})
    api.send("PUT", f"/experiences/{hero['uid']}/versions/{hero['latestVersion']}", {"status": "DRAFT", "variants": [
        {"__type": "SegmentedVariant", "name": "Pro hero", "audiences": [ids["pros"]],
         "audienceCombinationType": "OR"}]})
    api.send("PUT", "/experiences-priority", {"priorityOrder": [test["uid"], hero["uid"]]})
    ids |= {"checkout": test["uid"], "hero": hero["uid"]}
    return ids


def test_bulk_import_file_imports_the_tenant_and_previews_clean(emulator: Any, tmp_path: Path,
                                                               stack_factory: StackFactory) -> None:
    ids = seed(Api(emulator.base_url))
    emulator.advance_clock(5)  # Personalize's background job makes the variant groups
    with cma(emulator.base_url) as stack_api:
        [group] = stack_api.get(GROUPS, params={"experience_uid": ids["checkout"]}).raise_for_status().json()[
            "variant_groups"]
        stack_api.put(f"{GROUPS}/{group['uid']}", json={"name": group["name"], "content_types": [
            {"uid": "product", "status": "linked"}]}).raise_for_status()

    source = source_project(tmp_path, emulator.base_url, STACK_SECRETS, STACK_PLAIN)
    import_file = tmp_path / "tenant.json"
    exported = run_export(source, "contentstack", "--format", "pulumi-import", "--out", str(import_file))
    assert exported.returncode == 0, exported.stderr
    assert f"pulumi import -f {import_file}" in exported.stdout, exported.stdout
    entries = json.loads(import_file.read_text())["resources"]
    assert {(e["type"], e["id"]) for e in entries} == {
        ("personalize:contentstack:Attribute", ids["plan"]), ("personalize:contentstack:Event", ids["buy"]),
        ("personalize:contentstack:Audience", ids["pros"]), ("personalize:contentstack:Experience", ids["checkout"]),
        ("personalize:contentstack:Experience", ids["hero"]),
        ("personalize:contentstack:VariantGroupContentTypes", group["uid"]),
        ("personalize:contentstack:ExperiencePriority", "experience-priority")}

    declared: list[dict[str, Any]] = []  # the program declares what the import recorded, once it ran

    def program() -> None:
        for resource in declared:
            Native(resource["type"], resource["name"], resource["inputs"])

    config = {**{k: auto.ConfigValue(v) for k, v in STACK_PLAIN.items()},
              **{k: auto.ConfigValue(v, secret=True) for k, v in STACK_SECRETS.items()}}
    stack = stack_factory(program, config, env=plugin_env())
    emulator.clear_requests()
    imported = run_pulumi(["import", "-f", str(import_file), "--yes", "--generate-code=false", "--protect=false",
                           "--stack", stack.stack.name],
                          cwd=stack.workdir, env={"PULUMI_HOME": stack.stack.workspace.pulumi_home or "",
                                                  **plugin_env()})
    assert imported.returncode == 0, f"{imported.stdout}\n{imported.stderr}"
    assert not [r for r in emulator.requests() if r["method"] in WRITES]  # an import only reads

    state = stack.stack.export_stack().deployment["resources"]
    native = [r for r in state if r["type"].startswith("personalize:contentstack:")]
    assert sorted((r["type"], r["id"]) for r in native) == sorted((e["type"], e["id"]) for e in entries)
    by_name = {e["name"]: e for e in entries}
    assert {r["urn"].rsplit("::", 1)[-1] for r in native} == set(by_name)
    [link] = [r for r in native if r["type"].endswith(":VariantGroupContentTypes")]
    assert link["inputs"]["contentTypes"] == ["product"]  # what is linked, not nothing
    declared += [{"type": r["type"], "name": r["urn"].rsplit("::", 1)[-1], "inputs": r.get("inputs") or {}}
                 for r in native]
    stack.preview(expect_no_changes=True)
    assert not [r for r in emulator.requests() if r["method"] in WRITES]
