"""Round trip of `personalize-export sitecore`: a realistic tenant made through the API directly
(connections, templates of each type, decision models with DMN variants and a deployment, web and
API flows, an archived connection), exported, adopted by `pulumi up` of the generated program
without changing any object, then no changes, and one edited value previews as one update."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from pulumi_personalize.emulator.sitecore.auth import AUDIENCE
from tests.e2e.conftest import REPO, SITECORE_CLIENT_ID, SITECORE_CLIENT_SECRET
from tests.e2e.export_support import (
    WRITES,
    PulumiProject,
    ruff,
    run_export,
    source_project,
    without_bookkeeping,
    world,
)

pytestmark = pytest.mark.e2e

KINDS = ("connections", "templates", "decisionModels", "decisionModelVariants", "flowDefinitions")
CRM_SECRET = "crm-client-secret-not-real"


class Api:
    """The service's own API, through plain httpx (not the provider)."""

    def __init__(self, base_url: str) -> None:
        token = httpx.post(f"{base_url}/oauth/token", timeout=10, data={
            "client_id": SITECORE_CLIENT_ID, "client_secret": SITECORE_CLIENT_SECRET,
            "grant_type": "client_credentials", "audience": AUDIENCE}).json()["access_token"]
        self.http = httpx.Client(base_url=base_url, timeout=10, headers={"Authorization": f"Bearer {token}"})

    def send(self, method: str, path: str, body: Any = None) -> Any:
        response = self.http.request(method, path, json=body)
        assert response.status_code < 300, f"{method} {path}: {response.status_code} {response.text}"
        return response.json() if response.content else None


def dmn(name: str, output: str) -> str:
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<definitions xmlns="http://www.omg.org/spec/DMN/20151101/dmn.xsd"'
            f' id="{name}" name="{name}">\n  <decision id="offer" name="Offer">\n    <literalExpression>'
            f'<text>"{output}"</text></literalExpression>\n  </decision>\n</definitions>\n')


def connection(name: str, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": name, "description": f"{name} (seeded)", "systemType": "DATA_SYSTEM",
        "auth": {"authType": "NONE"}, "request": {"requestType": "GET", "connectionUrl": "https://api.example.com/v1"},
        "inputMappings": [], "outputMappings": [], "customHeaders": [], "urlParameters": []}
    body.update(extra)
    return body


def template(name: str, friendly_id: str, kind: str, elements: dict[str, str], status: str = "DRAFT") -> dict[str, Any]:
    return {"name": name, "friendlyId": friendly_id, "type": kind, "status": status, "description": f"{name}.",
            "render": kind == "WEB", "defaultTemplate": False, "customTemplate": True, "tags": [],
            "templateElements": [{"id": k, "template": v} for k, v in elements.items()]}


def flow(name: str, friendly_id: str, kind: str, variants: list[dict[str, Any]], splits: list[int],
         subtype: str = "EXPERIENCE", **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": name, "friendlyId": friendly_id, "type": kind, "subtype": subtype, "status": "DRAFT",
        "channels": ["WEB"], "businessProcess": "interactive_v1",
        "schedule": {"type": "simpleSchedule", "startDate": "2026-01-01T00:00:00.000Z"},
        "traffic": {"type": "simpleTraffic", "weightingAlgorithm": "USER_DEFINED", "allocation": 100,
                    "splits": [{"ref": v["ref"], "split": s} for v, s in zip(variants, splits, strict=True)]},
        "variants": variants, "triggers": [], "tags": []}
    body.update(extra)
    return body


def variant(ref: str, name: str, *, control: bool = False, assets: dict[str, str] | None = None,
            tasks: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"ref": ref, "name": name, "isControl": control, "tasks": tasks or []}
    if assets is not None:
        out["assets"] = assets
    return out


HERO = {"html": "<section class=\"hero\">\n  <h1>[[headline | string]]</h1>\n</section>\n",
        "css": ".hero { background: #123; color: white; }", "js": "console.log('hero shown');"}
SHORT_JS = "document.querySelector('h1')\n  .classList.add('short');\n"  # no template's: a file
OFFER = '{\n  "offer": "${decision.offer}",\n  "guest": "${guest.ref}"\n}\n'


def seed(api: Api) -> dict[str, Any]:
    made: dict[str, Any] = {}
    made["weather"] = api.send("POST", "/v2/connections", connection(
        "Weather service", inputMappings=[{"label": "City", "key": "city", "type": "String"}],
        outputMappings=[{"label": "Temperature", "outputReference": "temp", "type": "String"}],
        customHeaders=[{"name": "x-api-version", "value": "2"}]))["ref"]
    made["crm"] = api.send("POST", "/v2/connections", connection(
        "CRM", systemType="DATA_SYSTEM",
        auth={"authType": "OAUTH", "clientId": "crm-client", "clientSecret": CRM_SECRET,
              "accessTokenUrl": "https://crm.example.com/oauth/token", "useMutualTls": False,
              "oauthCustomHeaders": [], "formUrlEncodedItems": []},
        request={"requestType": "POST", "connectionUrl": "https://crm.example.com/guests",
                 "requestBody": '{"email": "${email}"}'}, connectionTimeout=3000, socketTimeout=5000))["ref"]
    made["webhook"] = api.send("POST", "/v2/connections", connection(
        "Loyalty webhook", systemType="DESTINATION",
        request={"requestType": "POST", "connectionUrl": "https://loyalty.example.com/hook"}))["ref"]
    old = api.send("POST", "/v2/connections", connection("Old feed"))
    api.send("PUT", f"/v2/connections/{old['ref']}", {**connection("Old feed"), "archived": True})
    made["old"] = old["ref"]

    made["hero_banner"] = api.send("POST", "/v3/templates", template("Hero banner", "hero_banner", "WEB", HERO))["ref"]
    made["offer_json"] = api.send("POST", "/v3/templates", template(
        "Offer JSON", "offer_json", "DECISION", {"freemarker": OFFER}, status="PUBLISHED"))["ref"]
    made["returning"] = api.send("POST", "/v3/templates", template(
        "Returning visitor", "returning_visitor", "CONDITION", {"js": "(function () { return guest.sessions > 1; })();"}))["ref"]
    made["utils"] = api.send("POST", "/v3/templates", template(
        "Utilities", "utilities", "JS_MODULE", {"js": "export function money(v) { return v.toFixed(2); }"}))["ref"]

    nbo = api.send("POST", "/v2/decisionModelDefinitions", {"name": "Next best offer",
                                                            "deploymentConfiguration": {"variants": []}})
    control = api.send("POST", f"/v2/decisionModelDefinitions/{nbo['ref']}/variants",
                       {"name": "Control", "definition": dmn("control", "ten-percent")})
    smart = api.send("POST", f"/v2/decisionModelDefinitions/{nbo['ref']}/variants",
                     {"name": "Smart offer", "definition": dmn("smart", "free-shipping")})
    api.send("PUT", f"/v2/decisionModelDefinitions/{nbo['ref']}", {"name": "Next best offer", "deploymentConfiguration": {
        "variants": [{"variantRef": control["ref"], "split": 80, "status": "PRODUCTION", "variantRevision": 1},
                     {"variantRef": smart["ref"], "split": 20, "status": "TEST", "variantRevision": 1}]}})
    churn = api.send("POST", "/v2/decisionModelDefinitions", {"name": "Churn score",
                                                              "deploymentConfiguration": {"variants": []}})
    api.send("POST", f"/v2/decisionModelDefinitions/{churn['ref']}/variants",
             {"name": "Baseline", "definition": dmn("baseline", "low")})
    made.update(nbo=nbo["ref"], control=control["ref"], smart=smart["ref"], churn=churn["ref"])

    rain = flow("Rain banner", "rain_banner", "INTERACTIVE_WEB_FLOW",
                [variant("0b5e7a52-7a3c-4d6e-9a59-0c1d2e3f4a5b", "Rain", assets=HERO)], [100])
    made["rain"] = api.send("POST", "/v3/flowDefinitions", rain)["ref"]
    api.send("PUT", f"/v3/flowDefinitions/{made['rain']}", {**rain, "status": "PRODUCTION"})
    hero_test = flow("Hero test", "hero_test", "INTERACTIVE_WEB_FLOW", [
        variant("1c6f8b63-8b4d-4e7f-8b6a-1d2e3f4a5b6c", "Control", control=True, assets=HERO),
        variant("2d7a9c74-9c5e-4f8a-9c7b-2e3f4a5b6c7d", "Short copy", assets={"html": "<h1>Hi</h1>", "js": SHORT_JS})], [50, 50],
        subtype="EXPERIMENT",
        sampleSizeConfig={"baseValue": 0.02, "minimumDetectableDifference": 0.2, "confidenceLevel": 0.95},
        goals={"primary": {"type": "pageViewGoal", "name": "Reached checkout",
                           "goalCalculation": {"type": "binary", "calculation": "INCREASE",
                                               "target": "conversionPerSession"},
                           "pageParameters": [{"matchCondition": "CONTAINS", "parameterString": "/checkout"}]}})
    made["hero_test"] = api.send("POST", "/v3/flowDefinitions", hero_test)["ref"]
    offer_api = flow("Offer API", "offer_api", "INTERACTIVE_API_FLOW", [variant(
        "3e8bad85-ad6f-4a9b-ad8c-3f4a5b6c7d8e", "Offer", tasks=[
            {"implementation": "decisionModelTask",
             "input": {"inputType": "decisionModelTaskInput", "decisionModelRefs": [nbo["ref"]]}},
            {"implementation": "templateRenderTask",
             "input": {"inputType": "templateRenderTaskInput", "type": "application/json", "template": OFFER}}])],
        [100])
    made["offer_api"] = api.send("POST", "/v3/flowDefinitions", offer_api)["ref"]
    return made


def tenant_world(base_url: str) -> dict[str, Any]:
    sitecore = world(base_url)["sitecore"]
    return {kind: sitecore[kind] for kind in KINDS}


def test_export_round_trip(emulator: Any, tmp_path: Path) -> None:
    made = seed(Api(emulator.base_url))
    source = source_project(tmp_path, emulator.base_url)
    out = tmp_path / "adopted"
    before = tenant_world(emulator.base_url)
    assert [len(before[k]) for k in KINDS] == [4, 4, 2, 3, 3]  # what the comparison after the up covers
    emulator.clear_requests()

    result = run_export(source, "sitecore", "--out", str(out), "--project-name", "adopted")
    assert result.returncode == 0, result.stderr
    sent = emulator.requests()
    # reads only: GETs, and the OAuth token request (to the token endpoint, not the API)
    assert sent and {(r["method"], r["method"] == "GET" or r["path"] == "/oauth/token") for r in sent} <= {
        ("GET", True), ("POST", True)}, [f"{r['method']} {r['path']}" for r in sent]
    for line in ("connection: 3", "template: 4", "decision_model: 2", "decision_model_variant: 3",
                 "decision_model_deployment: 1", "flow: 3"):
        assert line in result.stdout, result.stdout
    assert "connection: Old feed: archived" in result.stdout, result.stdout
    assert "pulumi config set --secret crmClientSecret" in result.stdout, result.stdout
    assert "the adopting `pulumi up` overwrites each live secret with the value you set" in result.stdout
    program = (out / "__main__.py").read_text()
    assert CRM_SECRET not in program and 'config.require_secret("crmClientSecret")' in program
    assert "# secret with what you set (config crmClientSecret), so set the one in use." in program
    # The package's own SDK range: installing the project never downgrades its SDK.
    declared = [line.strip().strip('",') for line in (REPO / "pyproject.toml").read_text().splitlines()
                if line.strip().startswith('"pulumi>=')]
    assert len(declared) == 1 and declared[0] in (out / "requirements.txt").read_text().splitlines(), declared
    for key in ("weather", "crm", "webhook", "hero_banner", "offer_json", "returning", "utils", "nbo",
                "control", "smart", "churn", "rain", "hero_test", "offer_api"):
        assert program.count(f'adopt_ref="{made[key]}"') == 1, key
    assert made["old"] not in program
    assert 'hero_banner.element("html")' in program and 'offer_json.element("freemarker")' in program
    assert "decision_model_refs\": [next_best_offer.ref]" in program
    assert "variant_ref=next_best_offer_control.ref" in program
    assert (out / "templates" / "hero_banner" / "template.html").read_text() == HERO["html"]
    assert '"js": _read("flows/hero_test/short_copy.js")' in program
    assert (out / "flows" / "hero_test" / "short_copy.js").read_text() == SHORT_JS
    assert "ten-percent" in (out / "decision_models" / "next_best_offer" / "control.dmn").read_text()
    assert ruff(out, "check").returncode == 0, ruff(out, "check").stdout
    assert ruff(out, "format", "--check").returncode == 0

    adopted = PulumiProject(out, tmp_path)
    adopted.init("dev", emulator.base_url, extra_secrets={"adopted:crmClientSecret": CRM_SECRET})
    emulator.clear_requests()
    up = adopted.pulumi("up", "--yes", "--skip-preview", "--stack", "dev")
    assert "+ 17 created" in up.stdout, up.stdout  # 3 + 4 + 2 + 3 + 1 + 3 and the stack
    writes = [r for r in emulator.requests() if r["method"] in WRITES and r["path"] != "/oauth/token"]
    assert all(r["method"] == "PUT" for r in writes), [f"{r['method']} {r['path']}" for r in writes]
    after = tenant_world(emulator.base_url)
    # adoption writes back what it read, and tags flows and templates with the adopting stack
    # (docs/recovery.md#6-two-stacks-one-tenant): every one of them, and nothing else changed
    tag = "pulumi-stack:organization/adopted/dev"
    for kind in ("templates", "flowDefinitions"):
        for item in after[kind].values():
            assert tag in item["tags"], item
            item["tags"] = [t for t in item["tags"] if t != tag]
    assert without_bookkeeping(after) == without_bookkeeping(before)

    assert adopted.preview_summary("dev") == {"same": 17}
    # the model that variants, the deployment and a flow refer to: still one update, no echo
    assert program.count('name="Next best offer"') == 1
    edited = program.replace('name="Next best offer"', 'name="Next best offer (2026)"')
    (out / "__main__.py").write_text(edited)
    assert adopted.preview_summary("dev") == {"update": 1, "same": 16}
    assert adopted.updated("dev") == ["next_best_offer"]
