"""Every Sitecore resource through the real Pulumi engine against the emulator's live-API Sitecore.

One stack holds a connection, a template, a decision model, its DMN variant, the model's deployment
and a web A/B experiment that uses the template and the model. It goes through preview, up, a
no-change preview, an out-of-band edit found by refresh, an out-of-band archive dropped by refresh
(and revived by the next up), an update in place, a replace of every resource (new friendly ids; the
connection and the decision model family moved to a second tenant), and destroy (everything
archived). A second test adopts objects made out of band. Both assert that the emulator saw only
paths ``docs/facts/sitecore.md`` lists.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pulumi
import pytest
from pulumi import automation as auto

from pulumi_personalize import sitecore as sc
from pulumi_personalize.emulator.testing import running_emulator
from pulumi_personalize.sitecore import flows
from tests.e2e.conftest import SITECORE_CLIENT_ID, SITECORE_CLIENT_SECRET, E2EStack, StackFactory

pytestmark = pytest.mark.e2e

SECOND_ID, SECOND_SECRET = "second-tenant-client", "second-tenant-secret-e2e"
OAUTH_SECRET = "weather-oauth-secret-e2e-5d1c"
START = "2025-01-06T00:00:00.000Z"
DMN = ('<definitions xmlns="https://www.omg.org/spec/DMN/20151101/dmn.xsd" id="nbo" name="Next best offer">'
       '<decision id="offer" name="Offer"/></definitions>')

# Every path docs/facts/sitecore.md lists (#token, #connections to #templates), as the client may call them.
FACT_SHEET_PATHS = [re.compile(p) for p in (
    r"^/oauth/token$",
    r"^/v2/connections(/testConnection|/[^/]+)?$",
    r"^/v2/decisionModelDefinitions(/[^/]+(/variants|/revisions(/\d+)?)?)?$",
    r"^/v2/decisionModelVariants/[^/]+(/revisions(/\d+)?)?$",
    r"^/v2/testDecisionModel$",
    r"^/v3/flowDefinitions(/[^/]+(/revisions)?)?$",
    r"^/v3/templates(/renderTemplates|/process|/[^/]+(/revisions(/\d+)?)?)?$",
)]
TYPES = {"connection": "sitecore:Connection", "template": "sitecore:Template", "model": "sitecore:DecisionModel",
         "variant": "sitecore:DecisionModelVariant", "deployment": "sitecore:DecisionModelDeployment",
         "flow": "sitecore:FlowDefinition"}


@pytest.fixture
def two_tenants() -> Iterator[Any]:
    """An emulator of its own, knowing a second tenant (another API key) besides the default one."""
    with running_emulator(env={"PERSONALIZE_EMULATOR_SITECORE_TENANTS": f"{SECOND_ID}={SECOND_SECRET}"}) as emu:
        yield emu


def config_for(base_url: str) -> dict[str, auto.ConfigValue]:
    return {
        "personalize:baseUrl": auto.ConfigValue(base_url),
        "personalize:sitecoreTokenUrl": auto.ConfigValue(f"{base_url}/oauth/token"),
        "personalize:sitecoreClientId": auto.ConfigValue(SITECORE_CLIENT_ID),
        "personalize:sitecoreClientSecret": auto.ConfigValue(SITECORE_CLIENT_SECRET, secret=True),
        "second:sitecoreTokenUrl": auto.ConfigValue(f"{base_url}/oauth/token"),
        "second:sitecoreClientId": auto.ConfigValue(SECOND_ID),
        "second:sitecoreClientSecret": auto.ConfigValue(SECOND_SECRET, secret=True),
    }


class Api:
    """The emulator's Sitecore API called directly, as a person in the UI would: the out-of-band hand."""

    def __init__(self, base_url: str, client_id: str = SITECORE_CLIENT_ID,
                 client_secret: str = SITECORE_CLIENT_SECRET) -> None:
        token = httpx.post(f"{base_url}/oauth/token", data={
            "grant_type": "client_credentials", "client_id": client_id, "client_secret": client_secret,
            "audience": "https://api.sitecorecloud.io"}, timeout=10).json()["access_token"]
        self.http = httpx.Client(base_url=base_url, timeout=10, headers={
            "authorization": f"Bearer {token}", "accept": "application/json"})

    def get(self, path: str) -> dict[str, Any]:
        response = self.http.get(path)
        response.raise_for_status()
        body: dict[str, Any] = response.json()
        return body

    def put(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        response = self.http.put(path, json=body)
        assert response.status_code in (200, 201), response.text
        result: dict[str, Any] = response.json()
        return result

    def post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        response = self.http.post(path, json=body)
        assert response.status_code in (200, 201), response.text
        result: dict[str, Any] = response.json()
        return result

    def edit(self, path: str, **changes: Any) -> dict[str, Any]:
        """GET, change, PUT the whole object back (what Sitecore's own clients do)."""
        return self.put(path, {**self.get(path), **changes})


PATHS = {"connection": "/v2/connections", "template": "/v3/templates", "model": "/v2/decisionModelDefinitions",
         "variant": "/v2/decisionModelVariants", "flow": "/v3/flowDefinitions"}


def program(phase: dict[str, Any]) -> Callable[[], None]:
    def run() -> None:
        moved = phase.get("namespace")  # the connection and the decision model family's tenant
        conn = sc.Connection(
            "weather", name="Weather", description=phase["conn_description"], system_type="DATA_SYSTEM",
            request=sc.ConnectionRequestArgs(connection_url="https://weather.example.com/v1/${city}"),
            auth=sc.ConnectionAuthArgs(auth_type="OAUTH", client_id="personalize", client_secret=OAUTH_SECRET,
                                       access_token_url="https://weather.example.com/oauth/token"),
            output_mappings=[{"label": "Raining", "outputReference": "isRaining", "type": "String"}],
            config_namespace=moved,
        )
        banner = sc.Template(
            "banner", name="Rain banner", friendly_id=phase["template_friendly_id"], type="WEB",
            status="PUBLISHED", html=phase["html"], css=".banner { color: #fff; }",
        )
        model = sc.DecisionModel("model", name="Next best offer", config_namespace=moved)
        variant = sc.DecisionModelVariant("variant", name="Weather aware", decision_model=model.ref,
                                          definition=phase["dmn"], config_namespace=moved)
        sc.DecisionModelDeployment("deployment", decision_model=model.ref, config_namespace=moved, variants=[
            sc.DeployedVariant(variant=variant, split=100, status=phase["deployed_status"])])
        flow = flows.web_experiment(
            "experiment", name=phase["flow_name"], friendly_id=phase["flow_friendly_id"], start_date=START,
            status="PRODUCTION", control=flows.Variant("No banner"),
            treatments=[flows.Variant("Rain banner", template=banner, decision_models=[model])],
            goal=flows.page_view_goal("Checkout", "/checkout"),
        )
        pulumi.export("refs", {"connection": conn.ref, "template": banner.ref, "model": model.ref,
                               "variant": variant.ref, "flow": flow.ref})
        pulumi.export("variant_revision", variant.revision)

    return run


def state(stack: E2EStack) -> dict[str, dict[str, Any]]:
    """Each resource's outputs in the state, by role."""
    out: dict[str, dict[str, Any]] = {}
    for role, token in TYPES.items():
        found = stack.resources(token)
        assert len(found) <= 1
        if found:
            out[role] = {"id": found[0]["id"], **found[0].get("outputs", {})}
    return out


def assert_fact_sheet_paths_only(emulator: Any) -> None:
    seen = {entry["path"] for entry in emulator.requests()}
    assert seen, "the emulator saw no request"
    stray = sorted(p for p in seen if not any(rx.match(p) for rx in FACT_SHEET_PATHS))
    assert stray == [], f"paths the fact sheet does not list: {stray}"


def test_every_sitecore_resource_through_its_whole_life(
        stack_factory: StackFactory, two_tenants: Any) -> None:
    emu = two_tenants
    api, second = Api(emu.base_url), Api(emu.base_url, SECOND_ID, SECOND_SECRET)
    phase: dict[str, Any] = {
        "conn_description": "Current weather", "template_friendly_id": "rain_banner",
        "html": "<div class='banner'>[[Message | string | Rain]]</div>", "dmn": DMN,
        "deployed_status": "PRODUCTION", "flow_name": "Rain banner test", "flow_friendly_id": "rain_banner_test",
    }
    stack = stack_factory(program(phase), config_for(emu.base_url), with_emulator=False)

    # preview, up, no changes
    assert stack.changes(stack.preview()) == {"create": 7}  # six resources and the stack
    stack.up()
    stack.assert_no_changes()
    refs = stack.outputs["refs"]
    conn = api.get(f"/v2/connections/{refs['connection']}")
    assert conn["auth"]["authType"] == "OAUTH" and conn["systemType"] == "DATA_SYSTEM"
    assert api.get(f"/v3/templates/{refs['template']}")["status"] == "PUBLISHED"
    model = api.get(f"/v2/decisionModelDefinitions/{refs['model']}")
    assert model["deploymentConfiguration"]["variants"] == [
        {"variantRef": refs["variant"], "split": 100, "status": "PRODUCTION", "variantRevision": 1}]
    flow = api.get(f"/v3/flowDefinitions/{refs['flow']}")
    assert flow["status"] == "PRODUCTION" and flow["subtype"] == "EXPERIMENT"
    assert flow["variants"][1]["tasks"][0]["input"]["decisionModelRefs"] == [refs["model"]]
    assert "[[Message" in flow["variants"][1]["assets"]["html"]
    assert OAUTH_SECRET not in stack.export_text()  # the auth object is secret in state

    # an out-of-band edit of each object: refresh finds it, the next up puts the program's values back
    api.edit(f"/v2/connections/{refs['connection']}", description="edited in the UI")
    template = api.get(f"/v3/templates/{refs['template']}")
    api.put(f"/v3/templates/{refs['template']}", {**template, "description": "edited in the UI"})
    api.edit(f"/v2/decisionModelDefinitions/{refs['model']}", name="Renamed in the UI")
    api.edit(f"/v2/decisionModelVariants/{refs['variant']}", name="Renamed in the UI")
    api.edit(f"/v3/flowDefinitions/{refs['flow']}", name="Renamed in the UI")
    stack.refresh()
    found = state(stack)
    assert found["connection"]["description"] == "edited in the UI"
    assert found["template"]["description"] == "edited in the UI"
    assert found["model"]["name"] == found["variant"]["name"] == found["flow"]["name"] == "Renamed in the UI"
    assert found["variant"]["revision"] == 2
    changes = stack.changes(stack.preview())
    assert changes == {"update": 6}, changes  # the deployment follows the variant's new revision
    stack.up()
    stack.assert_no_changes()
    assert api.get(f"/v2/decisionModelDefinitions/{refs['model']}")["name"] == "Next best offer"
    assert api.get(f"/v2/connections/{refs['connection']}")["description"] == "Current weather"
    deployed = api.get(f"/v2/decisionModelDefinitions/{refs['model']}")["deploymentConfiguration"]["variants"]
    assert deployed[0]["variantRevision"] == stack.outputs["variant_revision"] == 3

    # an out-of-band archive: refresh drops each one, the next up revives the archived twins
    for role in ("flow", "variant", "model", "template", "connection"):
        api.edit(f"{PATHS[role]}/{refs[role]}", archived=True)
    stack.refresh()
    assert state(stack) == {}
    stack.up()
    stack.assert_no_changes()
    revived = stack.outputs["refs"]
    for role in ("connection", "template", "model", "flow"):
        assert revived[role] == refs[role], role  # revived in place: same ref
        assert api.get(f"{PATHS[role]}/{refs[role]}")["archived"] is False
    assert api.get(f"/v2/decisionModelDefinitions/{refs['model']}")["name"] == "Next best offer"
    assert api.get(f"/v3/flowDefinitions/{refs['flow']}")["status"] == "PRODUCTION"
    assert revived["variant"] != refs["variant"]  # variants have no key to find them by: a new one
    refs = revived

    # update in place: one up edits the variant and rolls its new revision out
    phase.update(conn_description="Weather now", html="<div class='banner'>[[Message | string | Sun]]</div>",
                 dmn=DMN.replace("Offer", "Umbrella offer"), deployed_status="TEST", flow_name="Rain test")
    assert stack.changes(stack.preview()) == {"update": 5}
    stack.up()
    stack.assert_no_changes()
    assert stack.outputs["refs"] == refs
    variant = api.get(f"/v2/decisionModelVariants/{refs['variant']}")
    assert "Umbrella offer" in variant["definition"]
    assert api.get(f"/v2/decisionModelDefinitions/{refs['model']}")["deploymentConfiguration"]["variants"] == [
        {"variantRef": refs["variant"], "split": 100, "status": "TEST", "variantRevision": variant["revision"]}]
    assert "Sun" in api.get(f"/v3/flowDefinitions/{refs['flow']}")["variants"][1]["assets"]["html"]

    # replace every resource: new friendly ids, and the rest moved to a second tenant
    phase.update(template_friendly_id="rain_banner_v2", flow_friendly_id="rain_banner_test_v2", namespace="second")
    assert stack.changes(stack.preview()) == {"replace": 6}
    stack.up()
    stack.assert_no_changes()
    new = stack.outputs["refs"]
    assert all(new[role] != refs[role] for role in refs)
    for role in ("connection", "model", "variant"):
        assert second.get(f"{PATHS[role]}/{new[role]}")["archived"] is False
        assert api.get(f"{PATHS[role]}/{refs[role]}")["archived"] is True  # the old one, in the first tenant
    assert api.get(f"/v3/templates/{refs['template']}")["archived"] is True
    old_flow = api.get(f"/v3/flowDefinitions/{refs['flow']}")
    assert old_flow["archived"] is True and old_flow["status"] == "PAUSED"
    assert api.get(f"/v3/flowDefinitions/{new['flow']}")["friendlyId"] == "rain_banner_test_v2"

    # destroy archives everything (flows paused too)
    stack.destroy()
    for role, client in (("connection", second), ("model", second), ("variant", second),
                         ("template", api), ("flow", api)):
        assert client.get(f"{PATHS[role]}/{new[role]}")["archived"] is True, role
    assert api.get(f"/v3/flowDefinitions/{new['flow']}")["status"] == "PAUSED"
    assert second.get(f"/v2/decisionModelDefinitions/{new['model']}")["name"].startswith("Next best offer - archived ")
    assert_fact_sheet_paths_only(emu)


def test_adoption_of_objects_made_out_of_band(stack_factory: StackFactory, two_tenants: Any) -> None:
    emu = two_tenants
    api = Api(emu.base_url)
    conn = api.post("/v2/connections", {
        "name": "Weather", "systemType": "DATA_SYSTEM", "auth": {"authType": "NONE"},
        "request": {"requestType": "GET", "connectionUrl": "https://old.example.com"}})
    template = api.post("/v3/templates", {
        "name": "Old banner", "friendlyId": "rain_banner", "type": "WEB", "status": "DRAFT", "description": "",
        "render": False, "defaultTemplate": False, "customTemplate": True,
        "templateElements": [{"id": "html", "template": "<p>old</p>"}]})
    model = api.post("/v2/decisionModelDefinitions", {"name": "Next best offer",
                                                      "deploymentConfiguration": {"variants": []}})
    variant = api.post(f"/v2/decisionModelDefinitions/{model['ref']}/variants", {"name": "Old", "definition": "Control"})
    flow = api.post("/v3/flowDefinitions", {
        "name": "Old test", "friendlyId": "rain_banner_test", "type": "INTERACTIVE_WEB_FLOW", "subtype": "EXPERIENCE",
        "status": "DRAFT", "channels": ["WEB"], "businessProcess": "interactive_v1", "variants": [],
        "traffic": {"type": "simpleTraffic", "weightingAlgorithm": "USER_DEFINED", "allocation": 100, "splits": []},
        "schedule": {"type": "simpleSchedule", "startDate": START}})

    def adopting() -> None:
        sc.Connection("weather", name="Weather", system_type="DATA_SYSTEM", adopt_existing=True,
                      request=sc.ConnectionRequestArgs(connection_url="https://weather.example.com/v1"))
        banner = sc.Template("banner", name="Rain banner", friendly_id="rain_banner", type="WEB",
                             html="<p>new</p>", adopt_existing=True)
        adopted_model = sc.DecisionModel("model", name="Next best offer", adopt_ref=model["ref"])
        adopted_variant = sc.DecisionModelVariant("variant", name="Weather aware", decision_model=adopted_model.ref,
                                                  definition=DMN, adopt_ref=variant["ref"])
        sc.DecisionModelDeployment("deployment", decision_model=adopted_model.ref, variants=[
            sc.DeployedVariant(variant=adopted_variant, split=100, status="PRODUCTION")])
        flows.web_experience("experience", name="Rain banner", friendly_id="rain_banner_test", start_date=START,
                             variant=flows.Variant("Rain banner", template=banner), adopt_existing=True)

    stack = stack_factory(adopting, config_for(emu.base_url), with_emulator=False)
    stack.up()
    stack.assert_no_changes()
    found = state(stack)
    assert {role: found[role]["id"] for role in ("connection", "template", "model", "variant", "flow")} == {
        "connection": conn["ref"], "template": template["ref"], "model": model["ref"], "variant": variant["ref"],
        "flow": flow["ref"]}
    assert api.get(f"/v2/connections/{conn['ref']}")["request"]["connectionUrl"] == "https://weather.example.com/v1"
    assert api.get(f"/v3/templates/{template['ref']}")["templateElements"] == [{"id": "html", "template": "<p>new</p>"}]
    assert api.get(f"/v2/decisionModelVariants/{variant['ref']}")["definition"] == DMN
    assert api.get(f"/v3/flowDefinitions/{flow['ref']}")["variants"][0]["assets"]["html"] == "<p>new</p>"
    stack.destroy()
    for role, ref in (("connection", conn["ref"]), ("template", template["ref"]), ("model", model["ref"]),
                      ("variant", variant["ref"]), ("flow", flow["ref"])):
        assert api.get(f"{PATHS[role]}/{ref}")["archived"] is True, role
    assert_fact_sheet_paths_only(emu)
