"""Sitecore Personalize behaviour of the emulator, through real HTTP, against the facts
(``docs/facts/sitecore.md``) and ``docs/contracts/sitecore-personalize.openapi.yml``."""

from __future__ import annotations

import copy
import json
import re
import uuid
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import httpx
import pytest

from pulumi_personalize.emulator.testing import EmulatorHandle, running_emulator

FIXTURES = Path(__file__).parent / "fixtures" / "sitecore"
AUDIENCE = "https://api.sitecorecloud.io"
ISO_Z = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


def _token(client: httpx.Client, **form: str) -> httpx.Response:
    data = {"grant_type": "client_credentials", "client_id": "emulator-client", "client_secret": "emulator-secret",
            "audience": AUDIENCE, **form}
    return client.post("/oauth/token", data={k: v for k, v in data.items() if v is not None})


def _contains(actual: Any, expected: Any, where: str = "$") -> None:
    """Every value of ``expected`` is in ``actual`` unchanged (``actual`` may hold more keys)."""
    if isinstance(expected, dict):
        assert isinstance(actual, dict), where
        for key, value in expected.items():
            assert key in actual, f"{where}.{key} missing"
            _contains(actual[key], value, f"{where}.{key}")
    else:
        assert actual == expected, f"{where}: {actual!r} != {expected!r}"


def _errors(response: httpx.Response) -> dict[str, list[str]]:
    body = response.json()
    assert body["status"] == response.status_code and isinstance(body["code"], str) and body["message"]
    out: dict[str, list[str]] = {}
    for item in body.get("errors", []):
        out.setdefault(item["field"], []).append(item["message"])
    return out


CONNECTION = fixture("create-connection.json")
DECISION_MODEL = fixture("create-decision-model.json")
VARIANT = fixture("create-decision-model-variant.json")
EXPERIENCE = fixture("create-flow-experience.json")
EXPERIMENT = fixture("create-flow-experiment.json")
TEMPLATE = fixture("create-template.json")


def _flow(**changes: Any) -> dict[str, Any]:
    body = copy.deepcopy(EXPERIENCE)
    body["friendlyId"] = f"flow_{uuid.uuid4().hex[:12]}"
    body.update(changes)
    return body


def _template(**changes: Any) -> dict[str, Any]:
    body = copy.deepcopy(TEMPLATE)
    body["friendlyId"] = f"tpl_{uuid.uuid4().hex[:12]}"
    body.update(changes)
    return body


def _created(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


# --- auth and tenants ------------------------------------------------------------------------------


def test_token_endpoint_answers_like_the_documentation(emulator: EmulatorHandle) -> None:
    with httpx.Client(base_url=emulator.base_url) as client:
        response = _token(client)
        assert response.status_code == 200
        body = response.json()
        assert set(body) == {"access_token", "scope", "expires_in", "token_type"}
        assert body["token_type"] == "Bearer" and body["expires_in"] == 86400
        assert "personalize.flows:manage" in body["scope"]
        listing = client.get("/v2/connections", headers={"Authorization": f"Bearer {body['access_token']}"})
        assert listing.status_code == 200


def test_token_endpoint_refuses_wrong_credentials_grants_and_audiences(emulator: EmulatorHandle) -> None:
    with httpx.Client(base_url=emulator.base_url) as client:
        assert _token(client, client_secret="wrong").json() == {"error": "access_denied", "error_description": "Unauthorized"}
        assert _token(client, client_secret="wrong").status_code == 401
        assert _token(client, client_id="someone-else").status_code == 401
        bad_grant = _token(client, grant_type="password")
        assert bad_grant.status_code == 400 and bad_grant.json()["error"] == "unsupported_grant_type"
        assert _token(client, audience="https://example.com").status_code == 403
        assert client.post("/oauth/token", data={"grant_type": "client_credentials", "client_id": "emulator-client",
                                                 "client_secret": "emulator-secret"}).status_code == 403
        basic = client.post("/oauth/token", data={"grant_type": "client_credentials", "audience": AUDIENCE},
                            auth=("emulator-client", "emulator-secret"))
        assert basic.status_code == 200


def test_requests_without_or_with_a_bad_bearer_get_401(emulator: EmulatorHandle) -> None:
    paths = ["/v2/connections", "/v2/decisionModelDefinitions", "/v3/flowDefinitions", "/v3/templates"]
    with httpx.Client(base_url=emulator.base_url) as anonymous:
        for path in paths:
            for headers in ({}, {"Authorization": "Bearer nope"}, {"Authorization": "Basic abc"},
                            {"Authorization": "Bearer emu2.eA.1.abc"}):
                response = anonymous.get(path, headers=headers)
                assert response.status_code == 401, (path, headers)
                assert response.json()["code"] == "UNAUTHORIZED"
        assert anonymous.post("/v2/connections", json=CONNECTION).status_code == 401


def test_expired_tokens_get_401() -> None:
    with running_emulator(token_ttl=1) as emu, httpx.Client(base_url=emu.base_url) as client:
        body = _token(client).json()
        assert body["expires_in"] == 1
        headers = {"Authorization": f"Bearer {body['access_token']}"}
        assert client.get("/v3/templates", headers=headers).status_code == 200
        emu.advance_clock(2.1)
        expired = client.get("/v3/templates", headers=headers)
        assert expired.status_code == 401 and "expired" in expired.json()["message"]


def test_each_credential_is_its_own_tenant() -> None:
    env = {"PERSONALIZE_EMULATOR_SITECORE_TENANTS": "acme-eu=acme-secret,other=other-secret"}
    with running_emulator(env=env) as emu, httpx.Client(base_url=emu.base_url) as client:
        def bearer(client_id: str, secret: str) -> dict[str, str]:
            response = _token(client, client_id=client_id, client_secret=secret)
            assert response.status_code == 200
            return {"Authorization": f"Bearer {response.json()['access_token']}"}

        default, acme = bearer("emulator-client", "emulator-secret"), bearer("acme-eu", "acme-secret")
        assert _token(client, client_id="acme-eu", client_secret="emulator-secret").status_code == 401
        mine = _created(client.post("/v2/connections", headers=acme, json=CONNECTION))
        assert mine["modifiedByRef"] == "acme-eu@clients"
        theirs = _created(client.post("/v2/connections", headers=default, json=CONNECTION))
        assert mine["clientKey"] != theirs["clientKey"]
        assert re.fullmatch(r"[A-Za-z0-9]{32}", mine["clientKey"])
        assert [c["ref"] for c in client.get("/v2/connections", headers=acme).json()["items"]] == [mine["ref"]]
        assert client.get(f"/v2/connections/{theirs['ref']}", headers=acme).status_code == 404
        assert client.put(f"/v2/connections/{theirs['ref']}", headers=acme, json=CONNECTION).status_code == 404
        assert client.get("/v2/connections", headers=bearer("other", "other-secret")).json()["items"] == []
        # The static access token belongs to the configured pair's tenant.
        static = client.get("/v2/connections", headers=emu.sitecore_headers()).json()["items"]
        assert [c["ref"] for c in static] == [theirs["ref"]]
        # A friendlyId is unique per tenant only.
        flow = _flow()
        _created(client.post("/v3/flowDefinitions", headers=acme, json=flow))
        _created(client.post("/v3/flowDefinitions", headers=default, json=flow))


def test_credentials_are_configurable() -> None:
    args = ["--client-id", "ci", "--client-secret", "cs", "--access-token", "static"]
    with running_emulator(extra_args=args) as emu, httpx.Client(base_url=emu.base_url) as client:
        assert _token(client).status_code == 401
        assert _token(client, client_id="ci", client_secret="cs").status_code == 200
        assert client.get("/v3/templates", headers={"Authorization": "Bearer static"}).status_code == 200
        assert client.get("/v3/templates", headers=emu.sitecore_headers()).status_code == 401


# --- envelopes, paging, media types, unknown refs ------------------------------------------------------


def test_every_list_is_the_href_items_envelope(sc: httpx.Client, emulator: EmulatorHandle) -> None:
    model = _created(sc.post("/v2/decisionModelDefinitions", json=DECISION_MODEL))
    variant = _created(sc.post(f"/v2/decisionModelDefinitions/{model['ref']}/variants", json=VARIANT))
    flow = _created(sc.post("/v3/flowDefinitions", json=_flow()))
    template = _created(sc.post("/v3/templates", json=_template()))
    paths = ["/v2/connections", "/v2/decisionModelDefinitions", f"/v2/decisionModelDefinitions/{model['ref']}/revisions",
             f"/v2/decisionModelDefinitions/{model['ref']}/variants", f"/v2/decisionModelVariants/{variant['ref']}/revisions",
             "/v3/flowDefinitions", f"/v3/flowDefinitions/{flow['ref']}/revisions", "/v3/templates",
             f"/v3/templates/{template['ref']}/revisions"]
    for path in paths:
        response = sc.get(path)
        assert response.status_code == 200, path
        body = response.json()
        assert set(body) == {"href", "items", "offset", "limit"}, path
        assert body["href"] == emulator.base_url + path and body["offset"] == 0 and body["limit"] == 10
        assert isinstance(body["items"], list)


def test_paging_walk_with_limit_and_offset(sc: httpx.Client) -> None:
    names = [f"Connection {i:02d}" for i in range(25)]
    for name in names:
        _created(sc.post("/v2/connections", json={**CONNECTION, "name": name}))
    assert [c["name"] for c in sc.get("/v2/connections").json()["items"]] == names[:10]  # default limit 10
    seen: list[str] = []
    offset = 0
    while True:  # the way PlaySummit pages: increment offset until items is empty
        page = sc.get("/v2/connections", params={"limit": 7, "offset": offset}).json()
        assert page["limit"] == 7 and page["offset"] == offset
        if not page["items"]:
            break
        seen += [c["name"] for c in page["items"]]
        offset += 7
    assert seen == names
    capped = sc.get("/v2/connections", params={"limit": 10000}).json()
    assert capped["limit"] == 1000 and len(capped["items"]) == 25
    assert sc.get("/v2/connections", params={"offset": 24}).json()["items"][0]["name"] == names[24]
    for params in ({"limit": 0}, {"offset": -1}, {"limit": "ten"}, {"offset": "x"}):
        bad = sc.get("/v2/connections", params=params)
        assert bad.status_code == 400 and set(_errors(bad)) == set(params), params


def test_bodies_that_are_not_json_get_415(sc: httpx.Client) -> None:
    ref = _created(sc.post("/v2/connections", json=CONNECTION))["ref"]
    text = json.dumps(CONNECTION)
    for method, path in (("POST", "/v2/connections"), ("PUT", f"/v2/connections/{ref}"),
                         ("POST", "/v2/connections/testConnection"), ("POST", "/v2/decisionModelDefinitions"),
                         ("POST", "/v3/flowDefinitions"), ("POST", "/v3/templates"),
                         ("POST", "/v3/templates/process"), ("POST", "/v2/testDecisionModel")):
        for headers in ({"content-type": "text/plain"}, {"content-type": "application/x-www-form-urlencoded"}, {}):
            response = sc.request(method, path, content=text, headers=headers)
            assert response.status_code == 415, (method, path, headers)
            assert response.json()["code"] == "UNSUPPORTED_MEDIA_TYPE"
    assert sc.post("/v2/connections", content=text, headers={"content-type": "application/json; charset=utf-8"}).status_code == 201


def test_a_get_with_a_body_gets_the_same_answer_as_one_without(sc: httpx.Client) -> None:
    made = sc.post("/v2/connections", json=CONNECTION).json()
    for path in ("/v2/connections", f"/v2/connections/{made['ref']}", "/v3/flowDefinitions?limit=5&offset=0"):
        plain = sc.get(path)
        with_body = sc.request("GET", path, json=CONNECTION)
        assert (with_body.status_code, with_body.json()) == (plain.status_code, plain.json()), path
        assert plain.status_code == 200
    odd = sc.request("GET", "/v2/connections", content=b"{not json", headers={"content-type": "application/json"})
    assert (odd.status_code, odd.json()) == (200, sc.get("/v2/connections").json())


def test_malformed_json_and_non_objects_get_400(sc: httpx.Client) -> None:
    bad = sc.post("/v3/templates", content=b"{not json", headers={"content-type": "application/json"})
    assert bad.status_code == 400 and _errors(bad) == {"body": ["must be valid JSON"]}
    assert sc.post("/v2/decisionModelDefinitions", json=["a list"]).status_code == 400


def test_unknown_refs_are_404_and_there_is_no_delete(sc: httpx.Client) -> None:
    missing = str(uuid.uuid4())
    bodies = {"/v2/connections": CONNECTION, "/v2/decisionModelDefinitions": DECISION_MODEL,
              "/v2/decisionModelVariants": VARIANT, "/v3/flowDefinitions": EXPERIENCE, "/v3/templates": TEMPLATE}
    for collection, body in bodies.items():
        for response in (sc.get(f"{collection}/{missing}"), sc.put(f"{collection}/{missing}", json=body),
                         sc.get(f"{collection}/{missing}/revisions")):
            assert response.status_code == 404, (collection, response.request.method)
            assert response.json() == {"status": 404, "code": "NOT_FOUND", "message": response.json()["message"]}
    assert sc.get(f"/v2/decisionModelDefinitions/{missing}/variants").status_code == 404
    assert sc.post(f"/v2/decisionModelDefinitions/{missing}/variants", json=VARIANT).status_code == 404
    ref = _created(sc.post("/v2/connections", json=CONNECTION))["ref"]
    assert sc.delete(f"/v2/connections/{ref}").status_code == 405
    assert sc.get(f"/v2/connections/{ref}").status_code == 200


# --- connections --------------------------------------------------------------------------------------------


def test_documentation_connection_is_accepted_unchanged_with_server_defaults(sc: httpx.Client,
                                                                             emulator: EmulatorHandle) -> None:
    body = _created(sc.post("/v2/connections", json=CONNECTION))
    _contains(body, CONNECTION)
    uuid.UUID(body["ref"])
    assert body["href"] == f"{emulator.base_url}/v2/connections/{body['ref']}"
    assert body["connectionTimeout"] == 1000 and body["socketTimeout"] == 1000
    assert body["icon"] == "assets/images/icons/connections/plug.svg"
    assert body["archived"] is False and body["revision"] == 1
    assert body["modifiedByRef"] == "emulator-client@clients" and "modifiedByUserRef" not in body
    assert ISO_Z.match(body["modifiedAt"]) and "createdAt" not in body
    assert sc.get(f"/v2/connections/{body['ref']}").json() == body
    chosen = _created(sc.post("/v2/connections", json={**CONNECTION, "connectionTimeout": 5000, "icon": "fad fa-sms"}))
    assert chosen["connectionTimeout"] == 5000 and chosen["socketTimeout"] == 1000 and chosen["icon"] == "fad fa-sms"


def test_connection_put_round_trips_bumps_revision_and_ignores_server_fields(sc: httpx.Client,
                                                                          emulator: EmulatorHandle) -> None:
    first = _created(sc.post("/v2/connections", json=CONNECTION))
    emulator.advance_clock(0.01)
    sent = {**first, "name": "Renamed", "revision": 99, "clientKey": "someone-else", "modifiedByRef": "x",
            "ref": str(uuid.uuid4())}
    second = _created(sc.put(f"/v2/connections/{first['ref']}", json=sent))  # PUT answers 201 (see handlers.py)
    assert second["name"] == "Renamed" and second["revision"] == 2 and second["ref"] == first["ref"]
    assert second["clientKey"] == first["clientKey"] and second["modifiedByRef"] == "emulator-client@clients"
    assert second["modifiedAt"] > first["modifiedAt"]
    # Full replacement: a field left out is gone, a server default comes back.
    third = _created(sc.put(f"/v2/connections/{first['ref']}", json={**CONNECTION, "description": "d"}))
    assert third["revision"] == 3 and third["name"] == CONNECTION["name"] and third["description"] == "d"
    archived = _created(sc.put(f"/v2/connections/{first['ref']}", json={**third, "archived": True}))
    assert archived["archived"] is True and archived["revision"] == 4 and archived["name"] == CONNECTION["name"]
    assert sc.get("/v2/connections").json()["items"][0]["archived"] is True  # archived ones stay listed


def test_connection_required_fields_and_enums(sc: httpx.Client) -> None:
    empty = sc.post("/v2/connections", json={})
    assert empty.status_code == 400 and empty.json()["code"] == "VALIDATION_FAILED"
    assert _errors(empty) == {f: ["is required"] for f in ("name", "auth", "request", "systemType")}
    nested = sc.post("/v2/connections", json={**CONNECTION, "auth": {}, "request": {}})
    assert _errors(nested) == {"auth.authType": ["is required"], "request.requestType": ["is required"],
                               "request.connectionUrl": ["is required"]}
    wrong = sc.post("/v2/connections", json={
        **CONNECTION, "systemType": "CRM", "auth": {"authType": "KERBEROS"},
        "request": {"requestType": "FETCH", "connectionUrl": "https://x"}, "connectionTimeout": "soon"})
    errors = _errors(wrong)
    assert errors["systemType"] == ["must be one of DATA_SYSTEM, DESTINATION"]
    assert errors["auth.authType"] == ["must be one of NONE, OAUTH"]
    assert errors["request.requestType"] == ["must be one of GET, POST, PUT, PATCH, DELETE"]
    assert errors["connectionTimeout"] == ["must be an integer"]
    insecure = sc.post("/v2/connections", json={**CONNECTION, "auth": {
        "authType": "OAUTH", "clientId": "id", "accessTokenUrl": "http://insecure.example.com/token"}})
    assert _errors(insecure) == {"auth.accessTokenUrl": ["must use an https:// URL"]}
    # The attribute table writes "oauth": the case is not significant, and the value is kept as sent.
    oauth = {"authType": "oauth", "clientId": "secretclientid", "accessTokenUrl": "https://auth.example.com/oauth/token",
             "useMutualTls": False, "oauthCustomHeaders": [], "formUrlEncodedItems": []}
    assert _created(sc.post("/v2/connections", json={**CONNECTION, "auth": oauth}))["auth"] == oauth
    ref = _created(sc.post("/v2/connections", json=CONNECTION))["ref"]
    assert set(_errors(sc.put(f"/v2/connections/{ref}", json={"name": "only a name"}))) == {"auth", "request", "systemType"}


def test_documentation_test_connection_body_is_accepted(sc: httpx.Client) -> None:
    body = fixture("test-connection.json")
    response = sc.post("/v2/connections/testConnection", json=body)
    assert response.status_code == 200, response.text
    result = response.json()
    assert result["statusCode"] == 0  # "<baseURL>/..." is not an https URL the emulator can reach
    assert isinstance(result["executionTimeInMilliseconds"], int)
    assert result["request"]["headers"]["x-guest-sms"] == "{sms}" and result["request"]["headers"]["X-Correlation-Id"]
    assert result["request"]["body"] == body["connection"]["request"]["requestBody"]
    good = {**body["connection"], "request": {"requestType": "GET", "connectionUrl": "https://weather.example.com/x"}}
    assert sc.post("/v2/connections/testConnection", json={"connection": good}).json()["statusCode"] == 200
    failing = {**good, "request": {"requestType": "GET", "connectionUrl": "https://fail.example.com/x"}}
    assert sc.post("/v2/connections/testConnection", json={"connection": failing}).json()["statusCode"] == 500
    assert _errors(sc.post("/v2/connections/testConnection", json={})) == {"connection": ["is required"]}
    invalid = sc.post("/v2/connections/testConnection", json={"connection": {**good, "systemType": None}})
    assert _errors(invalid) == {"connection.systemType": ["is required"]}
    assert sc.get("/v2/connections").json()["items"] == []  # testing saves nothing


# --- decision models and variants ----------------------------------------------------------------------------


def test_documentation_decision_model_and_variant_are_accepted(sc: httpx.Client, emulator: EmulatorHandle) -> None:
    model = _created(sc.post("/v2/decisionModelDefinitions", json=DECISION_MODEL))
    _contains(model, DECISION_MODEL)
    href = f"{emulator.base_url}/v2/decisionModelDefinitions/{model['ref']}"
    assert model["href"] == href and model["variants"] == {"href": href + "/variants"}
    assert model["revisions"] == {"href": href + "/revisions"}
    assert model["modifiedByUserRef"] == "emulator-client@clients" and "modifiedByRef" not in model
    assert model["revision"] == 1 and model["archived"] is False
    assert sc.get(f"/v2/decisionModelDefinitions/{model['ref']}").json() == model

    variant = _created(sc.post(f"/v2/decisionModelDefinitions/{model['ref']}/variants", json=VARIANT))
    _contains(variant, VARIANT)
    variant_href = f"{emulator.base_url}/v2/decisionModelVariants/{variant['ref']}"
    assert variant["href"] == variant_href and variant["revisions"] == {"href": variant_href + "/revisions"}
    assert variant["decisionModelDefinitionRef"] == model["ref"] and variant["offers"] == []
    assert variant["transpiledDefinition"] == VARIANT["definition"]
    assert variant["modifiedByUserRef"] == "emulator-client@clients" and variant["revision"] == 1
    assert sc.get(f"/v2/decisionModelVariants/{variant['ref']}").json() == variant
    listed = sc.get(f"/v2/decisionModelDefinitions/{model['ref']}/variants").json()["items"]
    assert listed == [{**variant, "inProduction": False}]
    updated = _created(sc.put(f"/v2/decisionModelVariants/{variant['ref']}", json={**variant, "definition": "Control"}))
    assert updated["revision"] == 2 and updated["transpiledDefinition"] == "Control"
    revisions = sc.get(f"/v2/decisionModelVariants/{variant['ref']}/revisions").json()["items"]
    assert [(r["revision"], r["definition"]) for r in revisions] == [(1, VARIANT["definition"]), (2, "Control")]
    # a variant's revision links itself (the revision pages' examples), not the variant
    assert [r["href"] for r in revisions] == [f"{variant_href}/revisions/1", f"{variant_href}/revisions/2"]
    first = sc.get(f"/v2/decisionModelVariants/{variant['ref']}/revisions/1").json()
    assert first["definition"] == VARIANT["definition"] and first["href"] == f"{variant_href}/revisions/1"
    assert sc.get(f"/v2/decisionModelVariants/{variant['ref']}/revisions/3").status_code == 404


def test_decision_model_required_fields_and_enums(sc: httpx.Client) -> None:
    assert _errors(sc.post("/v2/decisionModelDefinitions", json={})) == {
        "name": ["is required"], "deploymentConfiguration": ["is required"]}
    assert _errors(sc.post("/v2/decisionModelDefinitions", json={"name": "M", "deploymentConfiguration": {}})) == {
        "deploymentConfiguration.variants": ["is required"]}
    entry = sc.post("/v2/decisionModelDefinitions", json={"name": "M", "deploymentConfiguration": {"variants": [
        {"variantRef": "r", "split": 101, "status": "LIVE"}]}})
    assert _errors(entry) == {"deploymentConfiguration.variants[0].split": ["must be at most 100"],
                              "deploymentConfiguration.variants[0].status": ["must be one of DRAFT, TEST, PRODUCTION, ARCHIVED"],
                              "deploymentConfiguration.variants[0].variantRevision": ["is required"]}
    model = _created(sc.post("/v2/decisionModelDefinitions", json=DECISION_MODEL))
    assert _errors(sc.post(f"/v2/decisionModelDefinitions/{model['ref']}/variants", json={})) == {
        "name": ["is required"], "definition": ["is required"]}


def test_deployment_configuration_on_update(sc: httpx.Client) -> None:
    model = _created(sc.post("/v2/decisionModelDefinitions", json=DECISION_MODEL))
    variant = _created(sc.post(f"/v2/decisionModelDefinitions/{model['ref']}/variants", json=VARIANT))
    other_model = _created(sc.post("/v2/decisionModelDefinitions", json=DECISION_MODEL))
    foreign = _created(sc.post(f"/v2/decisionModelDefinitions/{other_model['ref']}/variants", json=VARIANT))
    documented = fixture("deployment-configuration.json")  # one variant, split 80, variantRevision 2
    documented["deploymentConfiguration"]["variants"][0]["variantRef"] = variant["ref"]
    put = f"/v2/decisionModelDefinitions/{model['ref']}"
    refused = sc.put(put, json={**model, **documented})
    assert _errors(refused) == {
        "deploymentConfiguration.variants": ["the splits must add up to 100 (they add up to 80)"],
        "deploymentConfiguration.variants[0].variantRevision": [
            f"variant {variant['ref']} has no revision 2 (latest is 1)"]}
    _created(sc.put(f"/v2/decisionModelVariants/{variant['ref']}", json={**VARIANT, "name": "v2"}))
    entries = [{**documented["deploymentConfiguration"]["variants"][0], "split": 80},
               {"variantRef": foreign["ref"], "split": 20, "status": "TEST", "variantRevision": 1}]
    assert set(_errors(sc.put(put, json={**model, "deploymentConfiguration": {"variants": entries}}))) == {
        "deploymentConfiguration.variants[1].variantRef"}
    entries[1] = {"variantRef": str(uuid.uuid4()), "split": 20, "status": "TEST", "variantRevision": 1}
    assert set(_errors(sc.put(put, json={**model, "deploymentConfiguration": {"variants": entries}}))) == {
        "deploymentConfiguration.variants[1].variantRef"}
    deployed = {"variants": [{**entries[0], "split": 100, "control": False}]}
    updated = _created(sc.put(put, json={**model, "deploymentConfiguration": deployed}))
    assert updated["deploymentConfiguration"] == deployed and updated["revision"] == 2
    listed = sc.get(f"{put}/variants").json()["items"]
    assert [(v["ref"], v["inProduction"]) for v in listed] == [(variant["ref"], True)]
    # On create the checks do not apply (docs/facts/sitecore.md#decision-models: the entry list may name any variant).
    _contains(_created(sc.post("/v2/decisionModelDefinitions", json={"name": "N", **fixture("deployment-configuration.json")})),
              fixture("deployment-configuration.json"))


def test_archiving_a_decision_model_renames_it_and_bumps_revision(sc: httpx.Client) -> None:
    model = _created(sc.post("/v2/decisionModelDefinitions", json=DECISION_MODEL))
    renamed = _created(sc.put(f"/v2/decisionModelDefinitions/{model['ref']}", json={**model, "name": "Upsell"}))
    before = datetime.now(timezone.utc).replace(second=0, microsecond=0)
    archived = _created(sc.put(f"/v2/decisionModelDefinitions/{model['ref']}", json={**renamed, "archived": True}))
    after = datetime.now(timezone.utc)
    assert archived["archived"] is True and archived["revision"] == 3
    match = re.fullmatch(r"Upsell - archived (\d{4}-\d\d-\d\d \d\d:\d\d)", archived["name"])
    assert match, archived["name"]
    stamp = datetime.strptime(match.group(1), "%Y-%m-%d %H:%M").replace(tzinfo=timezone.utc)
    assert before <= stamp <= after
    again = _created(sc.put(f"/v2/decisionModelDefinitions/{model['ref']}", json=archived))
    assert again["name"] == archived["name"] and again["revision"] == 4  # renamed once, on archiving
    revisions = sc.get(f"/v2/decisionModelDefinitions/{model['ref']}/revisions").json()["items"]
    assert [r["revision"] for r in revisions] == [1, 2, 3, 4]
    assert [r["name"] for r in revisions[:2]] == [DECISION_MODEL["name"], "Upsell"]
    second = sc.get(f"/v2/decisionModelDefinitions/{model['ref']}/revisions/2").json()
    assert second["name"] == "Upsell" and second["href"].endswith(f"/v2/decisionModelDefinitions/{model['ref']}/revisions/2")
    assert sc.get(f"/v2/decisionModelDefinitions/{model['ref']}/revisions/9").status_code == 404


def test_documentation_test_decision_model_body_is_accepted(sc: httpx.Client) -> None:
    model = _created(sc.post("/v2/decisionModelDefinitions", json=DECISION_MODEL))
    dmn = ('<definitions xmlns="http://www.omg.org/spec/DMN/20151101/dmn.xsd" id="d" name="d" namespace="x">'
           '<decision id="upsell" name="Upsell offer"><decisionTable/></decision></definitions>')
    variant = _created(sc.post(f"/v2/decisionModelDefinitions/{model['ref']}/variants",
                               json={**VARIANT, "definition": dmn}))
    body = fixture("test-decision-model.json")
    body.update(decisionModelRef=model["ref"], decisionModelVariantRef=variant["ref"])
    response = sc.post("/v2/testDecisionModel", json=body)
    assert response.status_code == 200, response.text
    result = response.json()
    _contains(result, {"decisionModelName": model["name"], "decisionModelRef": model["ref"],
                       "decisionModelVariantName": variant["name"], "decisionModelVariantRef": variant["ref"],
                       "decisionModelVariantRevision": 1, "error": False})
    assert [(n["id"], n["name"], n["type"]) for n in result["decisionModelResultNodes"]] == [
        ("upsell", "Upsell offer", "decisionTable")]
    unknown = sc.post("/v2/testDecisionModel", json={**body, "decisionModelVariantRef": str(uuid.uuid4())})
    assert unknown.status_code == 404
    assert set(_errors(sc.post("/v2/testDecisionModel", json={}))) == {
        "decisionModelRef", "decisionModelVariantRef", "context"}


# --- flow definitions -----------------------------------------------------------------------------------------


def test_documentation_experience_is_accepted_unchanged(sc: httpx.Client, emulator: EmulatorHandle) -> None:
    body = _created(sc.post("/v3/flowDefinitions", json=EXPERIENCE))
    expected = copy.deepcopy(EXPERIENCE)
    _contains(body, expected)
    href = f"{emulator.base_url}/v3/flowDefinitions/{body['ref']}"
    assert body["href"] == href and body["revisions"] == {"href": href + "/revisions"}
    assert body["triggers"] == [] and body["tags"] == [] and body["transpiledVariants"] == []
    assert ISO_Z.match(body["traffic"]["modifiedAt"])
    assert body["modifiedByRef"] == "emulator-client@clients" and body["revision"] == 1 and body["archived"] is False
    assert sc.get(f"/v3/flowDefinitions/{body['ref']}").json() == body
    assert sc.get("/v3/flowDefinitions/alert_bar_1").json() == body  # by friendlyId too (observed in Sitecore's Pages client)
    emulator.advance_clock(0.01)
    paused = _created(sc.put("/v3/flowDefinitions/alert_bar_1", json={**body, "status": "PRODUCTION"}))
    assert paused["status"] == "PRODUCTION" and paused["revision"] == 2 and paused["ref"] == body["ref"]
    assert paused["traffic"]["modifiedAt"] == body["traffic"]["modifiedAt"]  # the traffic did not change
    moved = _created(sc.put(f"/v3/flowDefinitions/{body['ref']}",
                            json={**paused, "traffic": {**paused["traffic"], "allocation": 50}}))
    assert moved["traffic"]["allocation"] == 50 and moved["traffic"]["modifiedAt"] > body["traffic"]["modifiedAt"]


def test_experiment_with_variants_and_tasks_is_accepted_unchanged(sc: httpx.Client) -> None:
    body = _created(sc.post("/v3/flowDefinitions", json=EXPERIMENT))
    _contains(body, EXPERIMENT)
    assert body["transpiledVariants"] == EXPERIMENT["variants"]
    round_trip = _created(sc.put(f"/v3/flowDefinitions/{body['ref']}", json=sc.get(f"/v3/flowDefinitions/{body['ref']}").json()))
    assert round_trip["revision"] == 2
    _contains(round_trip, EXPERIMENT | {"status": "DRAFT"})
    no_sample = _flow(subtype="EXPERIMENT", variants=EXPERIMENT["variants"])
    del no_sample["sampleSizeConfig"]
    assert _errors(sc.post("/v3/flowDefinitions", json=no_sample)) == {"sampleSizeConfig": ["is required"]}
    experience = _flow()
    del experience["sampleSizeConfig"]
    _created(sc.post("/v3/flowDefinitions", json=experience))  # not required for an experience
    task = {"implementation": "templateRenderTask", "input": {"inputType": "decisionModelTaskInput"}}
    mismatched = _flow(variants=[{"name": "v", "tasks": [task, {"implementation": "magic", "input": {}}]}])
    assert _errors(sc.post("/v3/flowDefinitions", json=mismatched)) == {
        "variants[0].tasks[0].input.inputType": ["must be templateRenderTaskInput for a templateRenderTask"],
        "variants[0].tasks[1].implementation": ["must be one of templateRenderTask, decisionModelTask, conditionsTask"],
        "variants[0].tasks[1].input.inputType": ["is required"]}


def test_flow_required_fields_and_enums(sc: httpx.Client) -> None:
    required = ["name", "friendlyId", "type", "subtype", "status", "channels", "businessProcess", "variants",
                "traffic", "schedule"]
    assert _errors(sc.post("/v3/flowDefinitions", json={})) == {f: ["is required"] for f in required}
    wrong = sc.post("/v3/flowDefinitions", json=_flow(
        type="WEB", subtype="AB", channels=["WEB", "TV"], traffic={"type": "even", "weightingAlgorithm": "RANDOM"},
        schedule={"type": "cron", "startDate": "tomorrow"}))
    errors = _errors(wrong)
    assert errors["type"] == ["must be one of INTERACTIVE_WEB_FLOW, INTERACTIVE_API_FLOW, TRIGGERED_V3, COMPONENT"]
    assert errors["subtype"] == ["must be one of EXPERIMENT, EXPERIENCE"]
    assert errors["channels[1]"] == ["must be one of CALL_CENTER, EMAIL, MOBILE_APP, MOBILE_WEB, PUSH_NOTIFICATION, SMS, WEB"]
    assert errors["traffic.type"] == ["must be one of simpleTraffic, advancedTraffic, audienceTraffic"]
    assert errors["traffic.weightingAlgorithm"] == ["must be one of USER_DEFINED, MULTI_ARM_BANDIT"]
    assert errors["schedule.type"] == ["must be one of simpleSchedule"]
    assert errors["schedule.startDate"] == ["must be an ISO-8601 date-time such as 2025-07-04T11:46:41.810Z"]
    assert _errors(sc.post("/v3/flowDefinitions", json=_flow(channels=[]))) == {
        "channels": ["must hold at least one channel"]}
    assert _errors(sc.post("/v3/flowDefinitions", json=_flow(schedule={"type": "simpleSchedule"}))) == {
        "schedule.startDate": ["is required"]}
    for flow_type in ("INTERACTIVE_API_FLOW", "TRIGGERED_V3"):
        _created(sc.post("/v3/flowDefinitions", json=_flow(type=flow_type, channels=["EMAIL", "SMS"])))


def test_flow_status_must_be_draft_on_create(sc: httpx.Client) -> None:
    for status in ("PRODUCTION", "PAUSED", "LIVE"):
        assert _errors(sc.post("/v3/flowDefinitions", json=_flow(status=status))) == {
            "status": ["must be DRAFT when a flow definition is created"]}
    assert _errors(sc.post("/v3/flowDefinitions", json=_flow(status="ARCHIVED")))["status"][0].startswith("must be one of")


@pytest.mark.parametrize("friendly_id", ["Alert_bar", "alert-bar", "alert bar", "", "émile"])
def test_flow_and_template_friendly_ids_are_lowercase_alphanumerics_and_underscores(sc: httpx.Client,
                                                                                    friendly_id: str) -> None:
    for path, body in (("/v3/flowDefinitions", _flow(friendlyId=friendly_id)),
                       ("/v3/templates", _template(friendlyId=friendly_id))):
        response = sc.post(path, json=body)
        assert response.status_code == 400 and "friendlyId" in _errors(response), path


def test_a_friendly_id_stays_reserved_after_archive(sc: httpx.Client) -> None:
    flow = _created(sc.post("/v3/flowDefinitions", json=_flow(friendlyId="summer_sale")))
    taken = sc.post("/v3/flowDefinitions", json=_flow(friendlyId="summer_sale", name="Another"))
    assert taken.status_code == 400 and taken.json()["code"] == "FRIENDLY_ID_TAKEN"
    archived = _created(sc.put(f"/v3/flowDefinitions/{flow['ref']}", json={**flow, "status": "PRODUCTION", "archived": True}))
    assert archived["archived"] is True and archived["status"] == "PAUSED" and archived["revision"] == 2
    assert archived["name"] == flow["name"]
    still = sc.post("/v3/flowDefinitions", json=_flow(friendlyId="summer_sale"))
    assert still.status_code == 400 and still.json()["code"] == "FRIENDLY_ID_TAKEN"
    assert sc.get("/v3/flowDefinitions/summer_sale").json()["archived"] is True
    restored = _created(sc.put("/v3/flowDefinitions/summer_sale", json={**archived, "archived": False, "status": "PRODUCTION"}))
    assert restored["archived"] is False and restored["status"] == "PRODUCTION" and restored["revision"] == 3
    renamed = sc.put(f"/v3/flowDefinitions/{flow['ref']}", json={**restored, "friendlyId": "winter_sale"})
    assert _errors(renamed) == {"friendlyId": ["cannot be changed (is summer_sale)"]}
    revisions = sc.get("/v3/flowDefinitions/summer_sale/revisions").json()["items"]
    assert [(r["revision"], r["status"], r["archived"]) for r in revisions] == [
        (1, "DRAFT", False), (2, "PAUSED", True), (3, "PRODUCTION", False)]


def test_flow_list_search(sc: httpx.Client) -> None:
    _created(sc.post("/v3/flowDefinitions", json=_flow(name="Homepage hero", tags=["siteId:abc"])))
    _created(sc.post("/v3/flowDefinitions", json=_flow(name="Checkout")))
    assert [f["name"] for f in sc.get("/v3/flowDefinitions", params={"search": "HERO"}).json()["items"]] == ["Homepage hero"]
    assert [f["name"] for f in sc.get("/v3/flowDefinitions", params={"search": "siteId:abc"}).json()["items"]] == ["Homepage hero"]
    assert len(sc.get("/v3/flowDefinitions", params={"expand": "true"}).json()["items"]) == 2


# --- templates ------------------------------------------------------------------------------------------------


def test_documentation_template_is_accepted_unchanged(sc: httpx.Client, emulator: EmulatorHandle) -> None:
    body = _created(sc.post("/v3/templates", json=TEMPLATE))
    _contains(body, TEMPLATE)
    assert body["href"] == f"{emulator.base_url}/v3/templates/{body['ref']}"
    assert body["tags"] == [] and body["revision"] == 1 and body["archived"] is False
    assert body["modifiedByRef"] == "emulator-client@clients"
    assert sc.get(f"/v3/templates/{body['ref']}").json() == body
    assert sc.get("/v3/templates/alert_bar_template_1").json() == body
    published = _created(sc.put("/v3/templates/alert_bar_template_1", json={**body, "status": "PUBLISHED"}))
    assert published["status"] == "PUBLISHED" and published["revision"] == 2
    # The doc's PUT example changes the friendlyId; the response keeps the new one.
    moved = _created(sc.put(f"/v3/templates/{body['ref']}", json={**published, "friendlyId": "alert_bar_template_2"}))
    assert moved["friendlyId"] == "alert_bar_template_2"
    assert sc.get("/v3/templates/alert_bar_template_1").status_code == 404
    revisions = sc.get(f"/v3/templates/{body['ref']}/revisions").json()["items"]
    assert [(r["revision"], r["status"], r["friendlyId"]) for r in revisions] == [
        (1, "DRAFT", "alert_bar_template_1"), (2, "PUBLISHED", "alert_bar_template_1"),
        (3, "PUBLISHED", "alert_bar_template_2")]
    assert sc.get(f"/v3/templates/{body['ref']}/revisions/1").json()["status"] == "DRAFT"
    assert {r["href"] for r in revisions} == {body["href"]}  # a template's revisions link the template (its page)
    assert sc.get(f"/v3/templates/{body['ref']}/revisions/4").status_code == 404


def test_template_required_fields_and_enums(sc: httpx.Client) -> None:
    required = ["name", "friendlyId", "type", "status", "description", "render", "defaultTemplate", "customTemplate"]
    assert _errors(sc.post("/v3/templates", json={})) == {f: ["is required"] for f in required}
    wrong = sc.post("/v3/templates", json=_template(type="OFFER", status="LIVE", templateElements=[
        {"id": "HTML", "template": "<p/>"}, {"id": "freemarker", "template": "x"}, {"id": "css"}]))
    assert _errors(wrong) == {"type": ["must be one of WEB, DECISION, CONDITION, JS_MODULE"],
                              "status": ["must be one of DRAFT, PUBLISHED"],
                              "templateElements[0].id": ["must be one of html, css, js, freemarker"],
                              "templateElements[1].template": ["FreeMarker code must hold at least {}"],
                              "templateElements[2].template": ["is required"]}
    assert _errors(sc.post("/v3/templates", json=_template(defaultTemplate=True))) == {
        "defaultTemplate": ["must be false when a template is created"]}
    assert _errors(sc.post("/v3/templates", json=_template(customTemplate=False))) == {
        "customTemplate": ["must be true when a template is created"]}
    without_elements = _template()
    del without_elements["templateElements"]
    _created(sc.post("/v3/templates", json=without_elements | {"description": ""}))
    taken = sc.post("/v3/templates", json=_template(friendlyId=without_elements["friendlyId"]))
    assert taken.status_code == 400 and taken.json()["code"] == "FRIENDLY_ID_TAKEN"
    template = _created(sc.post("/v3/templates", json=_template()))
    assert _errors(sc.put(f"/v3/templates/{template['ref']}", json={**template, "type": "DECISION"})) == {
        "type": ["cannot be changed (is WEB)"]}


def test_template_list_by_type(sc: httpx.Client) -> None:
    for template_type in ("WEB", "DECISION", "CONDITION", "JS_MODULE", "WEB"):
        _created(sc.post("/v3/templates", json=_template(type=template_type)))
    assert [t["type"] for t in sc.get("/v3/templates", params={"type": "WEB"}).json()["items"]] == ["WEB", "WEB"]
    assert [t["type"] for t in sc.get("/v3/templates", params={"type": "js_module"}).json()["items"]] == ["JS_MODULE"]
    assert len(sc.get("/v3/templates").json()["items"]) == 5
    assert _errors(sc.get("/v3/templates", params={"type": "OFFER"})) == {
        "type": ["must be one of WEB, DECISION, CONDITION, JS_MODULE"]}


def test_a_published_js_module_cannot_be_modified(sc: httpx.Client) -> None:
    module = _created(sc.post("/v3/templates", json=_template(type="JS_MODULE", templateElements=[
        {"id": "js", "template": "export function hello() {}"}])))
    draft = _created(sc.put(f"/v3/templates/{module['ref']}", json={**module, "name": "Module v2"}))
    published = _created(sc.put(f"/v3/templates/{module['ref']}", json={**draft, "status": "PUBLISHED"}))
    for change in ({"name": "Module v3"}, {"status": "DRAFT"}, {}, {"archived": True}):
        refused = sc.put(f"/v3/templates/{module['ref']}", json={**published, **change})
        assert refused.status_code == 400 and refused.json()["code"] == "TEMPLATE_READ_ONLY", change
    assert sc.get(f"/v3/templates/{module['ref']}").json()["revision"] == 3
    web = _created(sc.post("/v3/templates", json=_template(status="PUBLISHED")))
    _created(sc.put(f"/v3/templates/{web['ref']}", json={**web, "name": "still editable"}))


def test_documentation_preview_bodies(sc: httpx.Client) -> None:
    _created(sc.post("/v3/templates", json=_template(friendlyId="alert_bar_template_1", templateElements=[
        {"id": "html", "template": "<div>Find [[ProductType | string]] for men</div>"},
        {"id": "css", "template": "background-color: var(--page-[[ProductType | string]]-bg-color);"}])))
    _created(sc.post("/v3/templates", json=_template(friendlyId="alert_bar_template_2", templateElements=[
        {"id": "html", "template": "<p>As a [[MemberCardType | string | Standard]] member, you get: [[Perk | string | nothing]]<p>"}])))
    rendered = sc.post("/v3/templates/renderTemplates", json=fixture("render-templates.json"))
    assert rendered.status_code == 200, rendered.text
    assert rendered.json() == {"renderedTemplates": {
        "object1": [{"id": "html", "template": "<div>Find sneakers for men</div>"},
                    {"id": "css", "template": "background-color: var(--page-sneakers-bg-color);"}],
        "object2": [{"id": "html", "template": "<p>As a VIP member, you get: nothing<p>"}]}}
    unknown = sc.post("/v3/templates/renderTemplates", json={"templates": {"a": {"friendlyId": "nope", "templateParams": {}}}})
    assert unknown.status_code == 404
    assert _errors(sc.post("/v3/templates/renderTemplates", json={"templates": {"a": {}}})) == {
        "templates.a.friendlyId": ["is required"]}
    processed = sc.post("/v3/templates/process", json=fixture("process-template.json"))
    assert processed.status_code == 200, processed.text
    assert processed.json()["templates"][0] == {"id": "html", "template": '<div id="test">Our best sneakers on sale</div>'}
    assert [e["id"] for e in processed.json()["templates"]] == ["html", "css", "js", "freemarker"]
    assert _errors(sc.post("/v3/templates/process", json={})) == {
        "templates": ["is required"], "templateVariables": ["is required"]}


def test_previews_refuse_code_that_does_not_render(sc: httpx.Client) -> None:
    """docs/facts/sitecore.md#template-previews: FreeMarker needs at least {} (the process page); an
    unclosed FreeMarker block or template parameter is the emulator's own rule."""
    bad = [{"id": "html", "template": "<p>Hi [[Name | string</p>"},
           {"id": "css", "template": "p { color: [[Colour | string | teal]] }"},
           {"id": "freemarker", "template": '<#if guest.email??>{"vip": true}'},
           {"id": "js", "template": "const grid = [[1, 2], [3, 4]];"}]
    refused = sc.post("/v3/templates/process", json={"templates": bad, "templateVariables": {}})
    assert refused.status_code == 400 and refused.json()["message"] == "Template code does not render"
    assert _errors(refused) == {
        "templates[0].template": ["template parameter '[[Name | string</p>' is not closed with ]]"],
        "templates[2].template": ["FreeMarker: <#if> is not closed (</#if> is missing)"]}
    assert _errors(sc.post("/v3/templates/process", json={
        "templates": [{"id": "freemarker", "template": "no braces </#list>"}], "templateVariables": {}})) == {
        "templates[0].template": ["FreeMarker code must hold at least {}", "FreeMarker: </#list> closes no open <#list>"]}
    fixed = [bad[0] | {"template": "<p>Hi [[Name | string]]</p>"}, bad[1],
             bad[2] | {"template": '<#if guest.email??>{"vip": true}<#else>{}</#if>'}, bad[3]]
    rendered = sc.post("/v3/templates/process", json={"templates": fixed, "templateVariables": {"Name": "Ada"}})
    assert rendered.status_code == 200, rendered.text
    assert [e["template"] for e in rendered.json()["templates"]] == [
        "<p>Hi Ada</p>", "p { color: teal }", fixed[2]["template"], "const grid = [[1, 2], [3, 4]];"]
    # Saving does not render (the service keeps what it is given); rendering the saved code refuses it.
    saved = _created(sc.post("/v3/templates", json=_template(templateElements=bad[:1])))
    answer = sc.post("/v3/templates/renderTemplates", json={"templates": {"a": {
        "friendlyId": saved["friendlyId"], "templateParams": {}}}})
    assert _errors(answer) == {"templates.a": ["html: template parameter '[[Name | string</p>' is not closed with ]]"]}


def test_world_survives_a_restart_per_tenant(tmp_path: Path) -> None:
    with running_emulator(state_file=tmp_path / "state.json") as emu:
        with httpx.Client(base_url=emu.base_url, headers=emu.sitecore_headers()) as sc:
            flow = _created(sc.post("/v3/flowDefinitions", json=_flow()))
            _created(sc.put(f"/v3/flowDefinitions/{flow['ref']}", json={**flow, "name": "v2"}))
        emu.restart()
        with httpx.Client(base_url=emu.base_url, headers=emu.sitecore_headers()) as sc:
            again = sc.get(f"/v3/flowDefinitions/{flow['friendlyId']}").json()
            assert again["name"] == "v2" and again["revision"] == 2 and again["clientKey"] == flow["clientKey"]
            assert len(sc.get(f"/v3/flowDefinitions/{flow['ref']}/revisions").json()["items"]) == 2
            assert sc.post("/v3/flowDefinitions", json=_flow(friendlyId=flow["friendlyId"])).status_code == 400
