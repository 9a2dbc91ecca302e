"""What the Sitecore client puts on the wire, validated against this project's OpenAPI description
of the live API (``docs/contracts/sitecore-personalize.openapi.yml``, written from ``docs/facts/sitecore.md``).

The emulator, in process, stands in for the service at the HTTP boundary; every request the
providers make in these scenarios (create, update, status moves, archive, verify, list pages) is
checked: its path and method are an operation of the contract, its query parameters are the
operation's, and its JSON body is valid against the operation's request schema.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import pytest
import yaml

from pulumi_personalize import sitecore as sc
from pulumi_personalize.sitecore.models import variant_ref
from pulumi_personalize.sitecore.resources import (
    CONNECTION,
    DECISION_MODEL,
    DECISION_MODEL_DEPLOYMENT,
    DECISION_MODEL_VARIANT,
    FLOW_DEFINITION,
    TEMPLATE,
)
from tests.conftest import PROVIDER_CONFIG, InProcessEmulator, ProviderFactory

CONTRACT = Path(__file__).resolve().parents[2] / "docs" / "contracts" / "sitecore-personalize.openapi.yml"
START = "2025-01-01T00:00:00.000Z"
DMN = '<definitions xmlns="https://www.omg.org/spec/DMN/20151101/dmn.xsd" id="d"/>'


@pytest.fixture(scope="module")
def contract() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(CONTRACT.read_text())
    return loaded


@pytest.fixture
def tenant(emulator_in_process: InProcessEmulator) -> InProcessEmulator:
    """The emulated tenant (the emulator in process) that answers the providers."""
    return emulator_in_process


def sent(tenant: InProcessEmulator) -> list[httpx.Request]:
    """Every request the providers put on the wire, in order."""
    return [call.request for call in tenant.router.calls]


def operation(contract: dict[str, Any], request: httpx.Request) -> dict[str, Any]:
    for template, item in contract["paths"].items():
        pattern = "^" + re.sub(r"\{[^/]+\}", "[^/]+", template) + "$"
        if re.match(pattern, request.url.path) and request.method.lower() in item:
            # a literal path beats a template (testConnection vs {connectionRef})
            if "{" in template and any(request.url.path == t for t in contract["paths"]):
                continue
            op: dict[str, Any] = item[request.method.lower()]
            return {**op, "_shared_parameters": item.get("parameters", [])}
    raise AssertionError(f"{request.method} {request.url.path} is not an operation of the contract")


def resolve(contract: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        target: Any = contract
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


def check_request(contract: dict[str, Any], request: httpx.Request) -> None:
    op = operation(contract, request)
    allowed = {resolve(contract, p)["name"] for p in [*op.get("parameters", []), *op["_shared_parameters"]]
               if resolve(contract, p)["in"] == "query"}
    assert set(request.url.params) <= allowed, f"{request.url.path}: query {set(request.url.params) - allowed}"
    if "requestBody" not in op:
        assert not request.content
        return
    assert request.headers["content-type"] == "application/json"
    schema = resolve(contract, op["requestBody"])["content"]["application/json"]["schema"]
    # "#/components/..." resolves inside the schema itself once the components sit beside it
    validator = jsonschema.Draft202012Validator({**schema, "components": contract["components"]})
    body = json.loads(request.content)
    errors = sorted(validator.iter_errors(body), key=lambda e: list(e.path))
    assert not errors, f"{request.method} {request.url.path}: " + "; ".join(
        f"{'/'.join(map(str, e.path))}: {e.message}" for e in errors)


def check_all(contract: dict[str, Any], tenant: InProcessEmulator) -> None:
    requests = sent(tenant)
    assert requests
    for request in requests:
        assert request.headers["accept"] == "application/json"
        check_request(contract, request)


def test_connection_bodies(contract: dict[str, Any], tenant: InProcessEmulator, provider: ProviderFactory) -> None:
    p = provider(CONNECTION)
    inputs = p.check({}, {
        "name": "Weather", "system_type": "DATA_SYSTEM", "description": "Now", "verify": True,
        "request": {"connection_url": "https://w.example.com/${city}", "request_type": "POST",
                    "request_body": '{"city": "${city}"}'},
        "auth": {"auth_type": "OAUTH", "client_id": "id", "client_secret": "s3cret",
                 "access_token_url": "https://w.example.com/token", "use_mutual_tls": False},
        "input_mappings": [{"label": "City", "key": "city", "type": "String"}],
        "output_mappings": [{"label": "Temp", "outputReference": "temp", "type": "String"}],
        "custom_headers": [{"name": "X-Key", "value": "{key}"}],
    }).inputs
    created = p.create(inputs)
    p.update(created.id, created.outs, {**inputs, "description": "Later"})
    p.read(created.id, created.outs)
    p.delete(created.id, created.outs)
    check_all(contract, tenant)
    assert {r.url.path for r in sent(tenant)} >= {"/v2/connections", "/v2/connections/testConnection"}


def test_decision_model_variant_and_deployment_bodies(contract: dict[str, Any], tenant: InProcessEmulator,
                                                      provider: ProviderFactory) -> None:
    model = provider(DECISION_MODEL).create({"name": "Next best offer"})
    variant = provider(DECISION_MODEL_VARIANT).create({"name": "Baseline", "decision_model": model.id,
                                                       "definition": DMN})
    provider(DECISION_MODEL_VARIANT).update(variant.id, variant.outs,
                                            {"name": "Baseline", "decision_model": model.id, "definition": DMN + " "})
    deployment = provider(DECISION_MODEL_DEPLOYMENT)
    dep = deployment.create({"decision_model": model.id, "variants": [
        {"variant_ref": variant.id, "split": 100, "status": "PRODUCTION", "variant_revision": 2}]})
    deployment.delete(dep.id, dep.outs)
    provider(DECISION_MODEL_VARIANT).delete(variant.id, variant.outs)
    provider(DECISION_MODEL).update(model.id, model.outs, {"name": "Next best offer", "deployment_configuration": {
        "variants": []}})
    provider(DECISION_MODEL).delete(model.id, model.outs)
    check_all(contract, tenant)


def test_flow_bodies_for_an_experience_and_an_experiment(contract: dict[str, Any], tenant: InProcessEmulator,
                                                         provider: ProviderFactory) -> None:
    p = provider(FLOW_DEFINITION)
    web = p.check({}, {"name": "Rain", "friendly_id": "rain", "type": "INTERACTIVE_WEB_FLOW", "status": "PRODUCTION",
                       "schedule": {"start_date": START},
                       "variants": [{"name": "Rain", "assets": {"html": "<p/>", "css": "", "js": ""},
                                     "template_variables": {"text": "Rain"}}],
                       "traffic": {"splits": [{"ref": variant_ref("rain", "Rain"), "split": 100}]}}).inputs
    created = p.create(web)
    p.update(created.id, created.outs, {**web, "status": "PAUSED"})
    p.delete(created.id, created.outs)
    control, offer = variant_ref("ab", "Control"), variant_ref("ab", "Offer")
    ab = p.check({}, {"name": "AB", "friendly_id": "ab", "type": "INTERACTIVE_API_FLOW", "subtype": "EXPERIMENT",
                      "channels": ["WEB", "MOBILE_APP"], "schedule": {"start_date": START, "end_date": START},
                      "variants": [
                          {"name": "Control", "is_control": True, "tasks": [
                              {"implementation": "templateRenderTask", "input": {"template": "{}"}}]},
                          {"name": "Offer", "tasks": [
                              {"implementation": "decisionModelTask", "input": {"decision_model_refs": ["m"]}},
                              {"implementation": "templateRenderTask", "input": {"template": '{"a": 1}'}}]}],
                      "traffic": {"splits": [{"ref": control, "split": 50}, {"ref": offer, "split": 50}]},
                      "sample_size_config": {"base_value": 0.02, "minimum_detectable_difference": 0.2,
                                             "confidence_level": 0.95},
                      "goals": {"primary": {"type": "customGoal", "name": "Bought", "event_type": "PURCHASE"}}}).inputs
    p.create(ab)
    check_all(contract, tenant)


def test_template_bodies(contract: dict[str, Any], tenant: InProcessEmulator, provider: ProviderFactory) -> None:
    p = provider(TEMPLATE)
    for kind, elements in (("WEB", [{"id": "html", "template": "<p/>"}, {"id": "css", "template": ""},
                                    {"id": "js", "template": ""}]),
                           ("DECISION", [{"id": "freemarker", "template": "{}"}]),
                           ("JS_MODULE", [{"id": "js", "template": "export {}"}])):
        inputs = p.check({}, {"name": kind, "friendly_id": kind.lower(), "type": kind, "status": "PUBLISHED",
                              "template_elements": elements, "verify": True}).inputs
        created = p.create(inputs)
        if kind != "JS_MODULE":
            p.update(created.id, created.outs, {**inputs, "description": "changed",
                                                "template_elements": elements[:1]})
            # the look-ups of revisions and previews, on the same contract
            # (published code that changes goes DRAFT, then PUBLISHED again: the web template's does)
            revisions = sc.get_template_revisions(created.id, config=PROVIDER_CONFIG)
            statuses = ["PUBLISHED", "DRAFT", "PUBLISHED"] if kind == "WEB" else ["PUBLISHED", "PUBLISHED"]
            assert [(r.revision, r.status) for r in revisions] == list(enumerate(statuses, start=1))
            last = sc.get_template_revision(created.id, len(statuses), config=PROVIDER_CONFIG)
            assert (last.description, last.code()) == ("changed", {elements[0]["id"]: elements[0]["template"]})
            sc.render_templates({"k": {"friendly_id": kind.lower()}}, config=PROVIDER_CONFIG)
        p.delete(created.id, created.outs)
    check_all(contract, tenant)
    processed = [r for r in sent(tenant) if r.url.path == "/v3/templates/process"]
    assert len(processed) == 5  # verify: before each of the three creates and two updates
