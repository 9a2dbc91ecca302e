"""Contract tests: schemathesis drives this project's OpenAPI description of the live Sitecore Personalize
API (``docs/contracts/sitecore-personalize.openapi.yml``, written from ``docs/facts/sitecore.md``) against a running
emulator subprocess and checks every response against it (status codes, content types, response schemas,
headers, no 5xx).

``test_every_phase_finds_nothing`` runs all of schemathesis's phases (examples, coverage, fuzzing, and
stateful sequences along the contract's links) with requests that fit the contract and requests that do
not, 30 examples per operation, seeded (``tests/emulator/fuzzing.py``). Requests carry the emulator's
bearer token; outside the stateful phase, ``{ref}`` paths use objects seeded in the emulator so that the
2xx responses are checked too. A few rules of the service span more than one object and cannot be
written in a schema; the generated request is adjusted so that it can succeed, because a 400 for them is
already declared and proves nothing about the success shapes:

* ``PUT /v3/flowDefinitions/{ref}``: the ``friendlyId`` of the flow (it cannot change), and
  ``PUT /v3/templates/{ref}``: the template's ``type`` (it cannot change) and its ``friendlyId``
  (friendlyIds are unique in a tenant), both read from the emulator.
* ``PUT /v2/decisionModelDefinitions/{ref}``: an empty ``deploymentConfiguration.variants`` (entries must
  name existing variants of the model and add up to 100).
* ``POST /v2/testDecisionModel``: the seeded model and variant refs.
* ``{revisionRef}``: revision 1, which every seeded object has.
* ``POST /v3/flowDefinitions`` and ``POST /v3/templates``: a ``friendlyId`` made unique (generated ones
  repeat), and for a flow ``status: DRAFT`` and, on an experiment, a ``sampleSizeConfig``.
* ``POST /oauth/token``: the emulator's client id and secret in place of generated ones, and no bearer token.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
from schemathesis.checks import not_a_server_error
from schemathesis.generation.meta import TestPhase
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from pulumi_personalize.emulator.testing import EmulatorHandle, running_emulator

from . import fuzzing

CONTRACT = Path(__file__).resolve().parents[2] / "docs" / "contracts" / "sitecore-personalize.openapi.yml"
FIXTURES = Path(__file__).parent / "fixtures" / "sitecore"
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance,
          response_headers_conformance]
TOKEN_FORM = {"grant_type": "client_credentials", "client_id": "emulator-client", "client_secret": "emulator-secret",
              "audience": "https://api.sitecorecloud.io"}
TOKEN = "/oauth/token"
# The documentation's request bodies (fixtures/sitecore/README.md), sent by the examples phase.
EXAMPLES = {"createConnection": "create-connection.json", "updateConnection": "create-connection.json",
            "testConnection": "test-connection.json", "createDecisionModel": "create-decision-model.json",
            "createDecisionModelVariant": "create-decision-model-variant.json",
            "updateDecisionModelVariant": "create-decision-model-variant.json",
            "testDecisionModel": "test-decision-model.json", "createFlowDefinition": "create-flow-experiment.json",
            "updateFlowDefinition": "create-flow-experience.json", "createTemplate": "create-template.json",
            "renderTemplates": "render-templates.json", "processTemplate": "process-template.json"}

schema = schemathesis.openapi.from_path(CONTRACT)


def _fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


World = tuple[EmulatorHandle, dict[str, Any]]


def _seed(emu: EmulatorHandle) -> dict[str, Any]:
    """One object of every kind, so {ref} paths hit real objects."""
    token = httpx.post(emu.base_url + TOKEN, data=TOKEN_FORM).json()["access_token"]
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
    return seeded


@pytest.fixture(scope="module")
def world() -> Iterator[World]:
    """A dedicated emulator with one object of every kind, for the hand-written cases below."""
    with running_emulator() as emu:
        yield emu, _seed(emu)


def _stored(emu: EmulatorHandle, token: str, path: str) -> dict[str, Any]:
    """The object a PUT is about to replace (``{}`` when there is none: the PUT will answer 404)."""
    response = httpx.get(emu.base_url + path, headers={"Authorization": f"Bearer {token}"})
    found: dict[str, Any] = response.json() if response.status_code == 200 else {}
    return found


def _adjust(case: Any, seeded: dict[str, Any], emu: EmulatorHandle) -> None:
    """Credentials, seeded refs in paths outside the stateful phase (whose refs come from the contract's
    links), and the cross-object rules of the module docstring."""
    headers = {k: v for k, v in (case.headers or {}).items() if k.lower() != "authorization"}
    label = case.operation.label
    if label != f"POST {TOKEN}":
        headers["Authorization"] = f"Bearer {seeded['token']}"
    case.headers = headers
    if case.meta is None or case.meta.phase.name != TestPhase.STATEFUL:
        for name in list(case.path_parameters or {}):
            if name == "revisionRef":
                case.path_parameters[name] = 1
            elif name in seeded:
                case.path_parameters[name] = seeded[name]
    body = case.body if isinstance(case.body, dict) else None
    if body is None:
        return
    if label == f"POST {TOKEN}":
        body.update({k: TOKEN_FORM[k] for k in ("client_id", "client_secret") if isinstance(body.get(k), str)})
    elif label in ("POST /v3/flowDefinitions", "POST /v3/templates"):
        _creatable(body, next(_created))
    elif label in ("PUT /v3/flowDefinitions/{flowDefinitionRef}", "PUT /v3/templates/{templateRef}"):
        stored = _stored(emu, seeded["token"], case.formatted_path)
        body.update({k: stored[k] for k in ("friendlyId", "type") if k in stored and k in body})
    elif label == "PUT /v2/decisionModelDefinitions/{decisionModelRef}":
        body["deploymentConfiguration"] = {"variants": []}
    elif label == "POST /v2/testDecisionModel":
        body["decisionModelRef"], body["decisionModelVariantRef"] = seeded["decisionModelRef"], seeded["variantRef"]


_created = itertools.count()


def _creatable(body: dict[str, Any], serial: int) -> None:
    """A generated flow or template that can be created: a friendlyId not taken yet (generated ones repeat),
    and for a flow the rules its description states in prose: DRAFT, and sampleSizeConfig on an experiment."""
    if isinstance(body.get("friendlyId"), str):
        body["friendlyId"] = f"{body['friendlyId']}_{serial}"
    if isinstance(body.get("subtype"), str):  # a flow
        if isinstance(body.get("status"), str):
            body["status"] = "DRAFT"
        if body["subtype"] == "EXPERIMENT" and not isinstance(body.get("sampleSizeConfig"), dict):
            body["sampleSizeConfig"] = _fixture("create-flow-experiment.json")["sampleSizeConfig"]


@pytest.fixture(scope="module")
def fuzzed() -> Iterator[fuzzing.FuzzRun]:
    """The run of every phase, on an emulator of its own: generated PUTs change or archive the seeded
    objects (refs seen in earlier answers are reused)."""
    with running_emulator() as emu:
        seeded = _seed(emu)
        second = _fixture("create-template.json") | {"friendlyId": "alert_bar_template_2"}  # the render example's
        httpx.post(emu.base_url + "/v3/templates", json=second,
                   headers={"Authorization": f"Bearer {seeded['token']}"}).raise_for_status()
        generated = fuzzing.load(CONTRACT, emu.base_url, {op: _fixture(name) for op, name in EXAMPLES.items()})
        yield fuzzing.run_all_phases(generated, lambda case, kwargs: _adjust(case, seeded, emu))


def test_every_phase_finds_nothing(fuzzed: fuzzing.FuzzRun) -> None:
    assert not fuzzed.phases_not_run(), fuzzed.phases
    assert not fuzzed.failures, "\n".join(fuzzed.failures)


def test_every_operation_was_reached_past_authentication(fuzzed: fuzzing.FuzzRun) -> None:
    """Guards against a silently empty run: each operation of the contract got an answer other than 401/403,
    and each but the token (whose generated audience and grant are mostly wrong) a 2xx."""
    labels = fuzzing.operation_labels(schema)
    assert not fuzzed.unreached(labels), fuzzed.unreached(labels)
    without_success = {label: sorted(fuzzed.statuses.get(label, set())) for label in labels
                       if label != f"POST {TOKEN}" and not any(200 <= s < 300 for s in fuzzed.statuses.get(label, ()))}
    assert not without_success, without_success


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
