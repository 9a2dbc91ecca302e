"""Contract test: schemathesis drives this project's description of the live Contentstack Personalize
Management API (``docs/contracts/contentstack-personalize.openapi.yml``, written from ``docs/facts/contentstack.md``) against
a running emulator subprocess, and checks every response against it (status codes, content types, response
schemas, headers, no 5xx).

``test_every_phase_finds_nothing`` runs all of schemathesis's phases (examples, coverage, fuzzing, and
stateful sequences along the contract's links) with requests that fit the contract and requests that do
not, 30 examples per operation, seeded (``tests/emulator/fuzzing.py``). Every request carries one
credential, the emulator's authtoken (a generated ``authorization`` header is dropped: the service refuses
a request with both), and the project header. Outside the stateful phase, ``{uid}`` paths use objects
seeded in the emulator, so that the 2xx responses are checked too; DELETEs keep their random uids (404) and
deletes of real objects are checked separately and by the stateful phase.
"""

from __future__ import annotations

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

CONTRACT = Path(__file__).resolve().parents[2] / "docs" / "contracts" / "contentstack-personalize.openapi.yml"
PROJECT = "aaaaaaaaaaaaaaaaaaaaaaaa"
AUTH = {"authtoken": "emulator-authtoken", "x-project-uid": PROJECT}
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance,
          response_headers_conformance]
# Bodies in the shapes the API docs and the vendor CLI send (docs/facts/contentstack.md), sent by the
# examples phase.
EXAMPLES: dict[str, Any] = {
    "createAttribute": {"name": "Plan", "key": "plan_example", "description": "The visitor's plan"},
    "createEvent": {"key": "signup_example", "description": "A sign-up"},
    "createAudience": {"name": "Dutch visitors", "description": "", "definition": {
        "__type": "RuleCombination", "combinationType": "AND", "rules": [{
            "__type": "Rule", "attribute": {"__type": "PresetAttributeReference", "ref": "COUNTRY"},
            "attributeMatchCondition": "STRING_EQUALS",
            "attributeMatchOptions": {"__type": "StringMatchOptions", "value": "NL"}, "invertCondition": False}]}},
    "createExperience": {"name": "Home hero", "__type": "SEGMENTED", "description": ""},
    "createProject": {"name": "Example site", "description": "", "connectedStackApiKey": "blt-example"},
}

schema = schemathesis.openapi.from_path(CONTRACT)

World = tuple[EmulatorHandle, dict[str, str]]


def _seed(emu: EmulatorHandle) -> dict[str, str]:
    """Objects of every kind, so {uid} paths hit real objects."""
    with httpx.Client(base_url=emu.base_url, headers=AUTH) as cs:
        ids: dict[str, str] = {}
        ids["attributes"] = cs.post("/attributes", json={"name": "Plan", "key": "plan"}).json()["uid"]
        ids["audiences"] = cs.post("/audiences", json={"name": "Everyone"}).json()["uid"]
        ids["events"] = cs.post("/events", json={"key": "signup"}).json()["uid"]
        experience = cs.post("/experiences", json={"name": "Home", "__type": "SEGMENTED"}).json()
        ids["experiences"] = experience["uid"]
        ids["versions"] = experience["latestVersion"]
        # an experience without a DRAFT, so that a generated POST of a version can succeed
        live = cs.post("/experiences", json={"name": "Live", "__type": "AB_TEST"}).json()
        cs.put(f"/experiences/{live['uid']}/versions/{live['latestVersion']}", json={
            "status": "ACTIVE", "variants": [{"__type": "ABTestVariant", "name": "A", "trafficDistribution": 100}],
        }).raise_for_status()
        ids["live-experience"] = live["uid"]
        ids["live-version"] = live["latestVersion"]
    return ids


@pytest.fixture(scope="module")
def world() -> Iterator[World]:
    """A dedicated emulator with objects of every kind, for the hand-written cases below."""
    with running_emulator() as emu:
        yield emu, _seed(emu)


def _use_seeded_ids(case: Any, ids: dict[str, str]) -> None:
    params = case.path_parameters
    if case.method.upper() == "DELETE" or not params or "uid" not in params:
        return
    kind = case.path.strip("/").split("/")[0]
    if case.path == "/experiences/{uid}/versions" and case.method.upper() == "POST":
        params["uid"] = ids["live-experience"]
    elif case.path == "/experiences/{uid}/analytics/summary":  # analytics exist for activated versions only
        params["uid"] = ids["live-experience"]
        if case.query and "version" in case.query:
            case.query["version"] = ids["live-version"]
    elif kind in ids:
        params["uid"] = ids[kind]
    if "versionUid" in params:
        params["versionUid"] = ids["versions"]


def _adjust(case: Any, ids: dict[str, str]) -> None:
    """One credential and the project on every request; seeded uids outside the stateful phase (whose uids
    come from the contract's links)."""
    headers = {k: v for k, v in (case.headers or {}).items()
               if k.lower() not in ("authorization", "authtoken", "x-project-uid")}
    headers["authtoken"] = AUTH["authtoken"]
    if not case.path.startswith("/projects"):
        headers["x-project-uid"] = PROJECT
    elif not headers.get("organization_uid"):  # the examples phase leaves the required header out
        headers["organization_uid"] = "org-contract"
    case.headers = headers
    if case.meta is None or case.meta.phase.name != TestPhase.STATEFUL:
        _use_seeded_ids(case, ids)


@pytest.fixture(scope="module")
def fuzzed() -> Iterator[fuzzing.FuzzRun]:
    """The run of every phase, on an emulator of its own: generated DELETEs and PUTs may remove or change
    the seeded objects (uids seen in earlier answers are reused)."""
    with running_emulator() as emu:
        ids = _seed(emu)
        generated = fuzzing.load(CONTRACT, emu.base_url, EXAMPLES)
        yield fuzzing.run_all_phases(generated, lambda case, kwargs: _adjust(case, ids))


def test_every_phase_finds_nothing(fuzzed: fuzzing.FuzzRun) -> None:
    assert not fuzzed.phases_not_run(), fuzzed.phases
    assert not fuzzed.failures, "\n".join(fuzzed.failures)


def test_every_operation_was_reached_past_authentication(fuzzed: fuzzing.FuzzRun) -> None:
    """Guards against a silently empty run: each operation of the contract got an answer other than 401/403,
    and each but DELETE (random uids; real deletes are checked below) and the priority PUT (random uids never
    list every experience; checked below) a 2xx."""
    labels = fuzzing.operation_labels(schema)
    assert not fuzzed.unreached(labels), fuzzed.unreached(labels)
    without_success = {label: sorted(fuzzed.statuses.get(label, set())) for label in labels
                       if not label.startswith("DELETE ") and label != "PUT /experiences-priority"
                       and not any(200 <= s < 300 for s in fuzzed.statuses.get(label, ()))}
    assert not without_success, without_success


def _case(path: str, method: str, **kwargs: Any) -> Any:
    return schema[path][method].Case(**kwargs)


def test_priority_with_every_experience_conforms(world: World) -> None:
    emu, ids = world
    order = [ids["live-experience"], ids["experiences"]]
    for key in ("priorityOrder", "experiences"):
        with httpx.Client(base_url=emu.base_url, headers=AUTH) as cs:
            order += [e["uid"] for e in cs.get("/experiences").json() if e["uid"] not in order]
        response = _case("/experiences-priority", "PUT", headers=AUTH, body={key: order}).call_and_validate(
            base_url=emu.base_url, checks=CHECKS)
        assert response.json() == {"priorityOrder": order}


def test_deletes_of_real_objects_conform(world: World) -> None:
    emu, _ = world
    with httpx.Client(base_url=emu.base_url, headers=AUTH) as cs:
        created = {
            "/attributes/{uid}": cs.post("/attributes", json={"name": "A", "key": "a-del"}).json()["uid"],
            "/audiences/{uid}": cs.post("/audiences", json={"name": "Gone"}).json()["uid"],
            "/events/{uid}": cs.post("/events", json={"key": "gone"}).json()["uid"],
            "/experiences/{uid}": cs.post("/experiences", json={"name": "Gone", "__type": "AB_TEST"}).json()["uid"],
        }
        doomed = cs.post("/experiences", json={"name": "Draft only", "__type": "AB_TEST"}).json()
    for path, uid in created.items():
        case = _case(path, "DELETE", path_parameters={"uid": uid}, headers=AUTH)
        assert case.call_and_validate(base_url=emu.base_url, checks=CHECKS).status_code == 204
    case = _case("/experiences/{uid}/versions/{versionUid}", "DELETE", headers=AUTH,
                 path_parameters={"uid": doomed["uid"], "versionUid": doomed["latestVersion"]})
    assert case.call_and_validate(base_url=emu.base_url, checks=CHECKS).status_code == 204


def test_projects_of_an_organization_conform(world: World) -> None:
    emu, _ = world
    headers = {"authtoken": AUTH["authtoken"], "organization_uid": "org-contract"}
    created = _case("/projects", "POST", headers=headers,
                    body={"name": "Contract", "description": "d", "connectedStackApiKey": "blt-contract"})
    project = created.call_and_validate(base_url=emu.base_url, checks=CHECKS).json()
    listed = _case("/projects", "GET", headers=headers, query={"connectedStackApiKey": "blt-contract"})
    assert listed.call_and_validate(base_url=emu.base_url, checks=CHECKS).json() == [project]


def test_the_contract_is_openapi_3_1_and_describes_the_live_shapes() -> None:
    import yaml
    from openapi_spec_validator import validate
    from openapi_spec_validator.validation.exceptions import OpenAPIValidationError

    document = yaml.safe_load(CONTRACT.read_text())
    validate(document)
    assert document["openapi"].startswith("3.1")
    with pytest.raises(OpenAPIValidationError):  # the validator is not a no-op
        validate({**document, "paths": {"/attributes": {"get": {"responses": "none"}}}})
    lists = ["/projects", "/attributes", "/audiences", "/events", "/experiences", "/experiences/{uid}/versions"]
    for path in lists:
        ok = document["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
        assert ok["type"] == "array", path  # bare arrays, no {data: [...]}
    assert "/experiences/priority" not in document["paths"] and "/experiences-priority" in document["paths"]
    assert "get" not in document["paths"]["/experiences/{uid}/versions/{versionUid}"]
