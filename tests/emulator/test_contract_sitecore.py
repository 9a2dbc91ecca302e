"""Contract tests: schemathesis drives this project's OpenAPI description of the live Sitecore Personalize
API (``docs/contracts/sitecore-personalize.openapi.yml``, written from ``docs/facts/sitecore.md``) against a running
emulator subprocess and checks every response against it (status codes, content types, response schemas,
headers, no 5xx).

Generation is positive only (requests that fit the description) with a small example budget. Requests
for ``{ref}`` paths use objects seeded in the emulator so that the 200/201 responses are checked too. A
few rules of the service span more than one object and cannot be written in a schema; the generated
request is adjusted so that it can succeed, because a 400 for them is already declared and proves
nothing about the success shapes:

* ``PUT /v3/flowDefinitions/{ref}``: the ``friendlyId`` of the seeded flow (it cannot change), and
  ``PUT /v3/templates/{ref}``: the seeded template's ``type`` (it cannot change) and its
  ``friendlyId`` (friendlyIds are unique in a tenant, and the preview test below renders it).
* ``PUT /v2/decisionModelDefinitions/{ref}``: an empty ``deploymentConfiguration.variants`` (entries must
  name existing variants of the model and add up to 100).
* ``POST /v2/testDecisionModel``: the seeded model and variant refs.
* ``{revisionRef}``: revision 1, which every seeded object has.
* ``POST /oauth/token``: generated cases carry random credentials (401); ``test_token_conforms`` sends
  the real ones.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from pulumi_personalize.emulator.testing import EmulatorHandle, running_emulator

CONTRACT = Path(__file__).resolve().parents[2] / "docs" / "contracts" / "sitecore-personalize.openapi.yml"
FIXTURES = Path(__file__).parent / "fixtures" / "sitecore"
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance,
          response_headers_conformance]
MAX_EXAMPLES = 10
TOKEN_FORM = {"grant_type": "client_credentials", "client_id": "emulator-client", "client_secret": "emulator-secret",
              "audience": "https://api.sitecorecloud.io"}

schema = schemathesis.openapi.from_path(CONTRACT)
schema.config.generation.update(modes=[GenerationMode.POSITIVE], max_examples=MAX_EXAMPLES,
                                with_security_parameters=False, allow_x00=False)


def _fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


World = tuple[EmulatorHandle, dict[str, Any]]


@pytest.fixture(scope="module")
def world() -> Iterator[World]:
    """A dedicated emulator with one object of every kind, so {ref} paths hit real objects."""
    with running_emulator() as emu:
        token = httpx.post(emu.base_url + "/oauth/token", data=TOKEN_FORM).json()["access_token"]
        seeded: dict[str, Any] = {"token": token}
        with httpx.Client(base_url=emu.base_url, headers={"Authorization": f"Bearer {token}"}) as sc:
            def create(path: str, body: Any) -> dict[str, Any]:
                response = sc.post(path, json=body)
                assert response.status_code == 201, response.text
                created: dict[str, Any] = response.json()
                return created

            seeded["connectionRef"] = create("/v2/connections", _fixture("create-connection.json"))["ref"]
            model = create("/v2/decisionModelDefinitions", _fixture("create-decision-model.json"))
            seeded["decisionModelRef"] = model["ref"]
            seeded["variantRef"] = create(f"/v2/decisionModelDefinitions/{model['ref']}/variants",
                                          _fixture("create-decision-model-variant.json"))["ref"]
            flow = create("/v3/flowDefinitions", _fixture("create-flow-experience.json"))
            seeded["flowDefinitionRef"], seeded["flowFriendlyId"] = flow["ref"], flow["friendlyId"]
            template = create("/v3/templates", _fixture("create-template.json"))
            seeded["templateRef"], seeded["templateType"] = template["ref"], template["type"]
            seeded["templateFriendlyId"] = template["friendlyId"]
        yield emu, seeded


def _adjust(case: Any, seeded: dict[str, Any]) -> None:
    """Seeded refs in paths, and the cross-object rules of the module docstring."""
    for name in list(case.path_parameters or {}):
        if name == "revisionRef":
            case.path_parameters[name] = 1
        elif name in seeded:
            case.path_parameters[name] = seeded[name]
    label = case.operation.label
    body = case.body if isinstance(case.body, dict) else None
    if body is None:
        return
    if label == "PUT /v3/flowDefinitions/{flowDefinitionRef}":
        body["friendlyId"] = seeded["flowFriendlyId"]
    elif label == "PUT /v3/templates/{templateRef}":
        body["type"], body["friendlyId"] = seeded["templateType"], seeded["templateFriendlyId"]
    elif label == "PUT /v2/decisionModelDefinitions/{decisionModelRef}":
        body["deploymentConfiguration"] = {"variants": []}
    elif label == "POST /v2/testDecisionModel":
        body["decisionModelRef"], body["decisionModelVariantRef"] = seeded["decisionModelRef"], seeded["variantRef"]


@schema.parametrize()
def test_sitecore_conforms(case: Any, world: World) -> None:
    emu, seeded = world
    _adjust(case, seeded)
    headers = {k: v for k, v in (case.headers or {}).items() if k.lower() != "authorization"}
    if case.operation.label != "POST /oauth/token":
        headers["Authorization"] = f"Bearer {seeded['token']}"
    case.headers = headers
    case.call_and_validate(base_url=emu.base_url, checks=CHECKS)


def test_the_contract_is_valid_openapi_3_1() -> None:
    import yaml
    from openapi_spec_validator import validate
    from openapi_spec_validator.validation.exceptions import OpenAPIValidationError

    document = yaml.safe_load(CONTRACT.read_text())
    validate(document)
    assert document["openapi"].startswith("3.1")
    broken = {**document, "info": {"version": "1"}}  # no title: the validator is not a no-op
    with pytest.raises(OpenAPIValidationError):
        validate(broken)


def _case(path: str, method: str, **kwargs: Any) -> Any:
    return schema[path][method].Case(**kwargs)


def test_token_conforms(world: World) -> None:
    emu, _ = world
    case = _case("/oauth/token", "POST", body=TOKEN_FORM, media_type="application/x-www-form-urlencoded")
    response = case.call_and_validate(base_url=emu.base_url, checks=CHECKS)
    assert response.status_code == 200 and response.json()["token_type"] == "Bearer"


def test_documentation_bodies_conform(world: World) -> None:
    """The documentation's example bodies (tests/emulator/fixtures/sitecore) fit the contract and the emulator's answers to them do too."""
    emu, seeded = world
    headers = {"Authorization": f"Bearer {seeded['token']}"}
    flow = _fixture("create-flow-experiment.json")
    template = _fixture("create-template.json") | {"friendlyId": "alert_bar_template_2"}
    cases = [("/v2/connections", _fixture("create-connection.json"), {}),
             ("/v2/connections/testConnection", _fixture("test-connection.json"), {}),
             ("/v2/decisionModelDefinitions", _fixture("create-decision-model.json"), {}),
             ("/v2/decisionModelDefinitions/{decisionModelRef}/variants", _fixture("create-decision-model-variant.json"),
              {"decisionModelRef": seeded["decisionModelRef"]}),
             ("/v3/flowDefinitions", flow, {}),
             ("/v3/templates", template, {}),
             ("/v3/templates/renderTemplates", _fixture("render-templates.json"), {}),
             ("/v3/templates/process", _fixture("process-template.json"), {})]
    for path, body, params in cases:
        case = _case(path, "POST", body=body, headers=headers, path_parameters=params)
        response = case.call_and_validate(base_url=emu.base_url, checks=CHECKS)
        assert 200 <= response.status_code < 300, (path, response.text)


def test_list_pages_conform(world: World) -> None:
    emu, seeded = world
    for path in ("/v2/connections", "/v2/decisionModelDefinitions", "/v3/flowDefinitions", "/v3/templates"):
        case = _case(path, "GET", query={"limit": 1, "offset": 0}, headers={"Authorization": f"Bearer {seeded['token']}"})
        body = case.call_and_validate(base_url=emu.base_url, checks=CHECKS).json()
        assert body["limit"] == 1 and len(body["items"]) == 1


def test_errors_conform(world: World) -> None:
    """401, 404 and 415 answers carry the declared error body."""
    emu, seeded = world
    unauthenticated = _case("/v2/connections", "GET")
    assert unauthenticated.call_and_validate(base_url=emu.base_url, checks=CHECKS).status_code == 401
    missing = _case("/v3/templates/{templateRef}", "GET", path_parameters={"templateRef": "nope"},
                    headers={"Authorization": f"Bearer {seeded['token']}"})
    assert missing.call_and_validate(base_url=emu.base_url, checks=CHECKS).status_code == 404
    response = httpx.post(emu.base_url + "/v2/connections", content="name=x", headers={
        "Authorization": f"Bearer {seeded['token']}", "content-type": "text/plain"})
    assert response.status_code == 415
    as_case = _case("/v2/connections", "POST", body=_fixture("create-connection.json"))
    as_case.operation.validate_response(response)


def test_generated_traffic_reached_every_operation(world: World) -> None:
    """Guards against a silently empty run: the generated cases above must have produced successful
    responses for every operation but the token (random credentials); runs last in this module."""
    emu, seeded = world
    refs = {str(v): "{" + k + "}" for k, v in seeded.items() if k.endswith("Ref")}
    refs[seeded["flowFriendlyId"]] = "{flowDefinitionRef}"
    seen: dict[tuple[str, str], set[int]] = {}
    for entry in emu.requests():
        path = "/".join(refs.get(part, part) for part in entry["path"].split("/"))
        if path.rsplit("/", 2)[-2:-1] == ["revisions"]:
            path = path.rsplit("/", 1)[0] + "/{revisionRef}"
        seen.setdefault((entry["method"], path), set()).add(entry["status"])
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.path == "/oauth/token":
            continue
        statuses = seen.get((operation.method.upper(), operation.path), set())
        assert any(200 <= s < 300 for s in statuses), f"{operation.label}: {sorted(statuses)}"
