"""`pulumi import` with the native provider: one object of every kind of both services, imported by
the id its resource stores (a bulk import file, as `personalize-export --format pulumi-import` will
write), then `pulumi preview --expect-no-changes` of the program that declares them. Also: a missing
id fails the import with a clear message, secrets stay secret, and `pulumi package get-schema`."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pulumi
import pytest
from pulumi import automation as auto
from pulumi.runtime import rpc

from pulumi_personalize.contentstack import rules
from pulumi_personalize.emulator.contentstack.cma import EMULATOR_MANAGEMENT_TOKEN, EMULATOR_STACK_API_KEY
from pulumi_personalize.engine import plain
from pulumi_personalize.native.schema import all_declarations, schema_json, version
from tests.e2e.conftest import TOOLS, E2EStack, StackFactory, run_pulumi
from tests.e2e.native_support import Native, plugin_env

pytestmark = pytest.mark.e2e

OAUTH_SECRET = "weather-oauth-secret-native-import-9f3e"
CMA = {
    "personalize:contentstackStackApiKey": auto.ConfigValue(EMULATOR_STACK_API_KEY),
    "personalize:contentstackManagementToken": auto.ConfigValue(EMULATOR_MANAGEMENT_TOKEN, secret=True),
}
DMN = ('<definitions xmlns="https://www.omg.org/spec/DMN/20151101/dmn.xsd" id="nbo" name="Next best offer">'
       '<decision id="offer" name="Offer"/></definitions>')


def every_kind() -> None:
    """One resource of every kind of both services, by type token (camelCase properties)."""
    cs, sc = "personalize:contentstack:", "personalize:sitecore:"
    Native(cs + "Attribute", "plan", {"key": "plan", "name": "Plan", "description": "the visitor's plan"})
    Native(cs + "Event", "purchase", {"key": "purchase"})
    Native(cs + "Audience", "us", {"name": "US", "definition": plain(rules.all_of(
        rules.Rule(rules.preset("COUNTRY"), "STRING_EQUALS", rules.StringMatch("US"))))})
    hero = Native(cs + "Experience", "hero", {"name": "Hero", "type": "AB_TEST",
                                              "variants": [{"name": "A"}, {"name": "B"}]})
    Native(cs + "ExperiencePriority", "priority", {"experiences": [hero.out("uid")]})
    Native(cs + "VariantGroupContentTypes", "hero-types", {"experience": hero.out("uid"), "contentTypes": ["page"]})
    Native(sc + "Connection", "weather", {
        "name": "Weather", "systemType": "DATA_SYSTEM",
        "request": {"connectionUrl": "https://weather.example.com/v1/${city}"},
        "auth": pulumi.Output.secret({"authType": "OAUTH", "clientId": "personalize", "clientSecret": OAUTH_SECRET,
                                      "accessTokenUrl": "https://weather.example.com/oauth/token"}),
    })
    Native(sc + "Template", "banner", {"name": "Banner", "friendlyId": "native_banner", "type": "WEB",
                                       "templateElements": [{"id": "html", "template": "<p>Rain</p>"}]})
    model = Native(sc + "DecisionModel", "model", {"name": "Next best offer"})
    variant = Native(sc + "DecisionModelVariant", "variant", {"name": "Weather aware",
                                                              "decisionModel": model.out("ref"), "definition": DMN})
    Native(sc + "DecisionModelDeployment", "deployment", {"decisionModel": model.out("ref"), "variants": [
        {"variantRef": variant.out("ref"), "variantRevision": variant.out("revision"), "split": 100,
         "status": "PRODUCTION"}]})
    Native(sc + "FlowDefinition", "flow", {"name": "Hero flow", "friendlyId": "native_hero_flow",
                                           "type": "INTERACTIVE_WEB_FLOW",
                                           "schedule": {"start_date": "2025-01-06T00:00:00.000Z"}})


def cli(stack: E2EStack, *args: str) -> Any:
    env = {**plugin_env(), "PULUMI_HOME": stack.stack.workspace.pulumi_home or ""}
    return run_pulumi([*args, "--stack", stack.stack.name], cwd=stack.workdir, env=env)


def native(stack: E2EStack) -> list[dict[str, Any]]:
    return [r for r in stack.export()["resources"] if r["type"].startswith("personalize:")
            and not r["type"].startswith("pulumi:providers")]


def test_import_of_every_kind_previews_clean(stack_factory: StackFactory, emulator: Any, tmp_path: Path) -> None:
    source = stack_factory(every_kind, CMA, stack_name="source", env=plugin_env())
    source.up()
    source.preview(expect_no_changes=True)
    made = native(source)
    assert {r["type"] for r in made} == {d.type_token for d in all_declarations()}  # every kind

    target = stack_factory(every_kind, CMA, stack_name="target", env=plugin_env())
    bulk = tmp_path / "import.json"
    bulk.write_text(json.dumps({"resources": [
        {"type": r["type"], "name": r["urn"].rsplit("::", 1)[1], "id": r["id"]} for r in made]}))
    imported = cli(target, "import", "--file", str(bulk), "--yes", "--protect=false", "--generate-code=false")
    assert imported.returncode == 0, imported.stdout + imported.stderr
    assert {(r["type"], r["id"]) for r in native(target)} == {(r["type"], r["id"]) for r in made}
    target.preview(expect_no_changes=True)

    # the connection's auth is secret in the imported state as in the created one, never in clear
    for stack in (source, target):
        [connection] = [r for r in native(stack) if r["type"].endswith(":Connection")]
        assert connection["outputs"]["auth"].get(rpc._special_sig_key) is not None  # the state's secret mark
        assert OAUTH_SECRET not in stack.state_text()

    # a missing id fails the import and says what the id is
    missing = cli(target, "import", "personalize:contentstack:Audience", "ghost", "65f1a2b3c4d5e6f708192a3c",
                  "--yes", "--protect=false", "--generate-code=false")
    assert missing.returncode != 0
    assert "no audience with this uid exists in the configured tenant" in missing.stdout + missing.stderr
    assert "Traceback" not in missing.stdout + missing.stderr
    assert len(native(target)) == len(made)


def test_get_schema_prints_the_generated_schema(tmp_path: Path) -> None:
    """As `make setup` installs it (scripts/install-pulumi): the launcher as the `personalize` plugin."""
    plugin = tmp_path / "plugin"
    plugin.mkdir()
    shutil.copy(TOOLS / "bin" / "pulumi-resource-personalize", plugin)
    env = {**plugin_env(), "PULUMI_HOME": str(tmp_path / "home")}
    installed = run_pulumi(["plugin", "install", "resource", "personalize", version(), "--file", str(plugin)],
                           cwd=tmp_path, env=env)
    assert installed.returncode == 0, installed.stderr
    result = run_pulumi(["package", "get-schema", "personalize"], cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == json.loads(schema_json())
    # `pulumi package info` binds the schema (types resolved): every resource of both modules
    for declaration in all_declarations():
        info = run_pulumi(["package", "info", "personalize", "--module", declaration.service,
                           "--resource", declaration.cls], cwd=tmp_path, env=env)
        assert info.returncode == 0, info.stderr
        assert f"Resource: {declaration.type_token}" in info.stdout
    info = run_pulumi(["package", "info", "personalize", "--module", "sitecore", "--resource", "Connection"],
                      cwd=tmp_path, env=env)
    assert "auth (personalize:sitecore:ConnectionAuth" in info.stdout, info.stdout
