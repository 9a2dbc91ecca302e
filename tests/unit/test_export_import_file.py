"""`personalize-export --format pulumi-import`: Pulumi's bulk import file (`pulumi import -f`) of a
whole tenant on the in-process emulator, with the native provider's type tokens and import ids."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from pulumi_personalize.config import env_var_name
from pulumi_personalize.contentstack.resources import (
    ATTRIBUTE,
    AUDIENCE,
    EVENT,
    EXPERIENCE,
    EXPERIENCE_PRIORITY,
    VARIANT_GROUP_CONTENT_TYPES,
)
from pulumi_personalize.emulator.contentstack.cma import EMULATOR_STACK_API_KEY
from pulumi_personalize.export.cli import export, main
from pulumi_personalize.export.selection import CONTENTSTACK_KINDS, SITECORE_KINDS, Selection
from pulumi_personalize.sitecore.resources import (
    DECISION_MODEL,
    DECISION_MODEL_DEPLOYMENT,
    DECISION_MODEL_VARIANT,
)
from tests.conftest import CS_URL, PROJECT_UID, PROVIDER_CONFIG, InProcessEmulator, ProviderFactory

CONFIG: dict[str, object] = dict(PROVIDER_CONFIG)
DMN = '<definitions xmlns="https://www.omg.org/spec/DMN/20151101/dmn.xsd" id="d1"/>'


def _contentstack_tenant(emu: InProcessEmulator) -> dict[str, str]:
    """An attribute, an event, an audience, an active A/B test whose variant group has a linked
    content type, a draft segmented experience, the priority order: made through the APIs."""
    headers = {"authtoken": str(CONFIG["personalize:contentstackAuthtoken"]), "x-project-uid": PROJECT_UID}
    with httpx.Client(base_url=CS_URL, headers=headers) as cs:
        def send(method: str, path: str, body: Any) -> Any:
            return cs.request(method, path, json=body).raise_for_status().json()

        ids = {"plan": send("POST", "/attributes", {"key": "plan", "name": "Plan"})["uid"],
               "buy": send("POST", "/events", {"key": "buy"})["uid"]}
        ids["pros"] = send("POST", "/audiences", {"name": "Pros", "definition": {
            "__type": "RuleCombination", "combinationType": "AND", "rules": [
                {"__type": "Rule", "attribute": {"__type": "CustomAttributeReference", "ref": ids["plan"]},
                 "attributeMatchCondition": "STRING_EQUALS",
                 "attributeMatchOptions": {"__type": "StringMatchOptions", "value": "pro"}}]}})["uid"]
        test = send("POST", "/experiences", {"name": "Checkout", "__type": "AB_TEST"})
        send("PUT", f"/experiences/{test['uid']}/versions/{test['latestVersion']}", {"status": "ACTIVE", "variants": [
            {"__type": "ABTestVariant", "name": n, "trafficDistribution": 50} for n in ("A", "B")]})
        hero = send("POST", "/experiences", {"name": "Hero", "__type": "SEGMENTED"})
        ids |= {"checkout": test["uid"], "hero": hero["uid"]}
        send("PUT", "/experiences-priority", {"priorityOrder": [hero["uid"], test["uid"]]})
    emu.control.post("/_emulator/clock", json={"advance": 5}).raise_for_status()  # the variant groups are made
    with httpx.Client(base_url=CS_URL, headers={"authtoken": headers["authtoken"], "api_key": EMULATOR_STACK_API_KEY}) \
            as stack:
        [group] = stack.get("/v3/variant_groups", params={"experience_uid": test["uid"]}).raise_for_status().json()[
            "variant_groups"]
        stack.put(f"/v3/variant_groups/{group['uid']}", json={
            "name": group["name"], "content_types": [{"uid": "page", "status": "linked"}]}).raise_for_status()
    ids["group"] = group["uid"]
    return ids


def test_a_contentstack_project_as_a_bulk_import_file(emulator_in_process: InProcessEmulator,
                                                      tmp_path: Path) -> None:
    ids = _contentstack_tenant(emulator_in_process)
    out = tmp_path / "tenant.json"

    program, written = export("contentstack", Selection.of(CONTENTSTACK_KINDS), CONFIG, out, environ={},
                              output_format="pulumi-import")

    assert written == ["tenant.json"] and sorted(p.name for p in tmp_path.iterdir()) == ["tenant.json"]
    document = json.loads(out.read_text())
    assert list(document) == ["resources"]
    assert document["resources"] == [
        {"type": "personalize:contentstack:Attribute", "name": "plan", "id": ids["plan"]},
        {"type": "personalize:contentstack:Event", "name": "buy", "id": ids["buy"]},
        {"type": "personalize:contentstack:Audience", "name": "pros", "id": ids["pros"]},
        {"type": "personalize:contentstack:Experience", "name": "hero", "id": ids["hero"]},  # as the project lists them
        {"type": "personalize:contentstack:Experience", "name": "checkout", "id": ids["checkout"]},
        {"type": "personalize:contentstack:VariantGroupContentTypes", "name": "checkout_content_types",
         "id": ids["group"]},
        {"type": "personalize:contentstack:ExperiencePriority", "name": "priority", "id": "experience-priority"},
    ]
    # the tokens are the declarations' own, and the file holds exactly the program's resources
    tokens = {spec.declaration.type_token for spec in (ATTRIBUTE, EVENT, AUDIENCE, EXPERIENCE, EXPERIENCE_PRIORITY,
                                                       VARIANT_GROUP_CONTENT_TYPES)}
    assert {r["type"] for r in document["resources"]} == tokens
    assert [r["name"] for r in document["resources"]] == [r.var for r in program.resources]
    assert {r.title for r in program.skipped} >= {"COUNTRY"}  # presets are not imported, as not adopted


def test_a_sitecore_tenant_names_a_deployment_by_its_model(emulator_in_process: InProcessEmulator,
                                                           provider: ProviderFactory, tmp_path: Path) -> None:
    model = provider(DECISION_MODEL).create({"name": "Next best offer"})
    variant = provider(DECISION_MODEL_VARIANT).create({"name": "Baseline", "decision_model": model.id,
                                                       "definition": DMN})
    provider(DECISION_MODEL_DEPLOYMENT).create({"decision_model": model.id, "variants": [
        {"variant_ref": variant.id, "split": 100, "status": "PRODUCTION", "variant_revision": 1}]})
    out = tmp_path / "tenant.json"

    export("sitecore", Selection.of(SITECORE_KINDS), CONFIG, out, environ={}, output_format="pulumi-import")

    by_type = {r["type"]: r for r in json.loads(out.read_text())["resources"]}
    assert by_type[DECISION_MODEL.declaration.type_token]["id"] == model.id
    assert by_type[DECISION_MODEL_VARIANT.declaration.type_token]["id"] == variant.id  # its ref alone
    assert by_type[DECISION_MODEL_DEPLOYMENT.declaration.type_token]["id"] == model.id


def test_the_command_writes_the_file_and_says_how_to_import_it(emulator_in_process: InProcessEmulator,
                                                               tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _contentstack_tenant(emulator_in_process)
    for key, value in CONFIG.items():  # the command reads the environment without --stack
        monkeypatch.setenv(env_var_name(key.split(":", 1)[1]), str(value))
    out = tmp_path / "tenant.json"
    stdout, stderr = io.StringIO(), io.StringIO()

    assert main(["contentstack", "--format", "pulumi-import", "--out", str(out)], stdout=stdout, stderr=stderr) == 0
    assert f"pulumi import -f {out}" in stdout.getvalue() and "experience: 2" in stdout.getvalue()
    assert len(json.loads(out.read_text())["resources"]) == 7

    assert main(["contentstack", "--format", "pulumi-import", "--out", str(out)], stdout=stdout, stderr=stderr) == 2
    assert "exists" in stderr.getvalue()  # an existing file is not overwritten without --force



def test_importing_a_variant_group_link_takes_every_linked_content_type(emulator_in_process: InProcessEmulator,
                                                                        provider: ProviderFactory) -> None:
    ids = _contentstack_tenant(emulator_in_process)
    link = provider(VARIANT_GROUP_CONTENT_TYPES)

    imported = link.read(ids["group"], {})  # an import: the engine has no state to give
    refreshed = link.read(ids["group"], {"experience": ids["checkout"], "content_types": []})

    assert imported.inputs == {"experience": ids["checkout"], "content_types": ["page"]}
    # a refresh keeps the declared (none: the default, which the state's inputs leave out)
    assert refreshed.inputs == {"experience": ids["checkout"]}
