"""Sitecore Personalize behaviour of the emulator, through real HTTP."""

from __future__ import annotations

import re
import time
import uuid

import httpx
import pytest

from pulumi_personalize.emulator.testing import EmulatorHandle, running_emulator

CONNECTION = {
    "name": "Weather",
    "description": "custom connection to weather system",
    "auth": {"authType": "oauth", "clientId": "secretclientid", "clientSecret": "s3cr3t",
             "accessTokenUrl": "https://auth.example.com/oauth/token"},
    "request": {"requestType": "GET", "connectionUrl": "https://weather.example.com/sample/get"},
    "inputMappings": [{"key": "city", "value": "${city}"}],
    "outputMappings": [{"key": "temperature", "path": "$.temp"}],
    "customHeaders": [{"name": "X-Trace", "value": "1"}],
    "systemType": "DATA_SYSTEM",
    "connectionTimeout": 1000,
    "socketTimeout": 2000,
    "icon": "assets/images/icons/connections/plug.svg",
}


def _token(client: httpx.Client, **form: str) -> httpx.Response:
    data = {"grant_type": "client_credentials", "client_id": "emulator-client", "client_secret": "emulator-secret",
            "audience": "https://api.sitecorecloud.io", **form}
    return client.post("/oauth/token", data=data)


# --- auth ------------------------------------------------------------------------------------------


def test_requests_without_or_with_a_wrong_token_get_401(emulator: EmulatorHandle) -> None:
    with httpx.Client(base_url=emulator.base_url) as anonymous:
        response = anonymous.get("/v1/connections")
        assert response.status_code == 401
        assert response.json()["statusCode"] == 401 and response.json()["message"]
        assert anonymous.get("/v1/templates", headers={"Authorization": "Bearer nope"}).status_code == 401
        assert anonymous.get("/v1/templates", headers={"Authorization": "Basic abc"}).status_code == 401


def test_client_credentials_token_is_accepted(emulator: EmulatorHandle) -> None:
    with httpx.Client(base_url=emulator.base_url) as client:
        response = _token(client)
        assert response.status_code == 200
        body = response.json()
        assert body["token_type"] == "Bearer" and body["expires_in"] == 86400 and body["access_token"]
        listing = client.get("/v1/connections", headers={"Authorization": f"Bearer {body['access_token']}"})
        assert listing.status_code == 200


def test_token_endpoint_rejects_wrong_credentials_and_grants(emulator: EmulatorHandle) -> None:
    with httpx.Client(base_url=emulator.base_url) as client:
        assert _token(client, client_secret="wrong").status_code == 401
        assert _token(client, client_id="someone-else").status_code == 401
        bad_grant = _token(client, grant_type="password")
        assert bad_grant.status_code == 400 and bad_grant.json()["error"] == "unsupported_grant_type"
        basic = client.post("/oauth/token", data={"grant_type": "client_credentials"},
                            auth=("emulator-client", "emulator-secret"))
        assert basic.status_code == 200


def test_expired_tokens_get_401() -> None:
    with running_emulator(token_ttl=1) as emu, httpx.Client(base_url=emu.base_url) as client:
        body = _token(client).json()
        assert body["expires_in"] == 1
        headers = {"Authorization": f"Bearer {body['access_token']}"}
        assert client.get("/v1/templates", headers=headers).status_code == 200
        time.sleep(2.1)
        expired = client.get("/v1/templates", headers=headers)
        assert expired.status_code == 401
        assert "expired" in expired.json()["message"]


def test_credentials_are_configurable(tmp_path: object) -> None:
    args = ["--client-id", "ci", "--client-secret", "cs", "--access-token", "static"]
    with running_emulator(extra_args=args) as emu, httpx.Client(base_url=emu.base_url) as client:
        assert _token(client).status_code == 401
        assert _token(client, client_id="ci", client_secret="cs").status_code == 200
        assert client.get("/v1/templates", headers={"Authorization": "Bearer static"}).status_code == 200
        assert client.get("/v1/templates", headers=emu.sitecore_headers()).status_code == 401


# --- connections --------------------------------------------------------------------------------


def test_connection_round_trip_with_prose_attributes(sc: httpx.Client, emulator: EmulatorHandle) -> None:
    created = sc.post("/v1/connections", json=CONNECTION)
    assert created.status_code == 201, created.text
    body = created.json()
    uuid.UUID(body["ref"])
    assert body["href"] == f"{emulator.base_url}/v1/connections/{body['ref']}"
    assert body["revision"] == 1 and body["archived"] is False
    assert body["createdAt"] == body["modifiedAt"] and body["createdAt"].endswith("Z")
    for key in ("auth", "request", "inputMappings", "outputMappings", "customHeaders", "systemType",
                "connectionTimeout", "socketTimeout", "icon", "description"):
        assert body[key] == CONNECTION[key], key
    # the seed file's flat fields are filled in from the nested ones
    assert body["authType"] == "OAUTH" and body["requestType"] == "GET"
    assert body["connectionUrl"] == CONNECTION["request"]["connectionUrl"]  # type: ignore[index]
    fetched = sc.get(f"/v1/connections/{body['ref']}").json()
    assert fetched == body


def test_flat_seed_shape_is_accepted_and_mirrored(sc: httpx.Client) -> None:
    body = sc.post("/v1/connections", json={"name": "Flat", "connectionUrl": "https://x.example.com",
                                            "requestType": "post", "authType": "api_key"}).json()
    assert body["authType"] == "API_KEY" and body["requestType"] == "POST"
    assert body["auth"]["authType"] == "API_KEY"
    assert body["request"] == {"connectionUrl": "https://x.example.com", "requestType": "POST"}


def test_update_increments_revision_and_keeps_created_at(sc: httpx.Client) -> None:
    ref = sc.post("/v1/connections", json=CONNECTION).json()["ref"]
    first = sc.get(f"/v1/connections/{ref}").json()
    time.sleep(0.01)
    updated = sc.put(f"/v1/connections/{ref}", json={**CONNECTION, "name": "Weather v2", "revision": 99})
    assert updated.status_code == 200
    second = updated.json()
    assert second["revision"] == 2 and second["name"] == "Weather v2"
    assert second["createdAt"] == first["createdAt"] and second["modifiedAt"] > first["modifiedAt"]
    third = sc.patch(f"/v1/connections/{ref}", json={"description": "patched"}).json()
    assert third["revision"] == 3 and third["description"] == "patched" and third["name"] == "Weather v2"


def test_archiving_connections_decision_models_and_flows(sc: httpx.Client) -> None:
    ref = sc.post("/v1/connections", json=CONNECTION).json()["ref"]
    archived = sc.put(f"/v1/connections/{ref}", json={**CONNECTION, "archived": True}).json()
    assert archived["archived"] is True
    assert sc.get(f"/v1/connections/{ref}").json()["archived"] is True
    assert [c["ref"] for c in sc.get("/v1/connections", params={"archived": "false"}).json()["items"]] == []

    model = sc.post("/v1/decision-models", json={"name": "Offers", "status": "PRODUCTION"}).json()
    assert model["status"] == "PRODUCTION" and model["archived"] is False
    by_status = sc.put(f"/v1/decision-models/{model['ref']}", json={"name": "Offers", "status": "ARCHIVED"}).json()
    assert by_status["archived"] is True and by_status["status"] == "ARCHIVED"

    flow = sc.post("/v1/flow-definitions", json={"name": "Hero", "type": "WEB", "status": "ACTIVE"}).json()
    by_flag = sc.patch(f"/v1/flow-definitions/{flow['ref']}", json={"archived": True}).json()
    assert by_flag["archived"] is True and by_flag["status"] == "ARCHIVED" and by_flag["revision"] == 2

    template = sc.post("/v1/templates", json={"name": "T", "type": "WEB"}).json()
    refused = sc.put(f"/v1/templates/{template['ref']}", json={"name": "T", "type": "WEB", "archived": True})
    assert refused.status_code == 400 and "archived: templates cannot be archived" in refused.json()["errors"]


def test_there_is_no_delete(sc: httpx.Client) -> None:
    ref = sc.post("/v1/templates", json={"name": "T", "type": "WEB"}).json()["ref"]
    assert sc.delete(f"/v1/templates/{ref}").status_code == 405


def test_connection_test_endpoint(sc: httpx.Client) -> None:
    ok = sc.post("/v1/connections", json=CONNECTION).json()["ref"]
    failing = sc.post("/v1/connections", json={
        **CONNECTION, "request": {"requestType": "GET", "connectionUrl": "https://fail.example.com/x"}}).json()["ref"]
    plain = sc.post("/v1/connections", json={
        **CONNECTION, "request": {"requestType": "GET", "connectionUrl": "http://plain.example.com/x"}}).json()["ref"]
    success = sc.post(f"/v1/connections/{ok}/test").json()
    assert success == {"success": True, "statusCode": 200, "message": "Connection test succeeded"}
    failure = sc.post(f"/v1/connections/{failing}/test").json()
    assert failure["success"] is False and failure["statusCode"] == 500 and "fail.example.com" in failure["message"]
    insecure = sc.post(f"/v1/connections/{plain}/test").json()
    assert insecure["success"] is False and "https" in insecure["message"]
    assert sc.post(f"/v1/connections/{uuid.uuid4()}/test").status_code == 404


# --- validation and 404 ----------------------------------------------------------------------------


def test_validation_errors_name_each_field(sc: httpx.Client) -> None:
    response = sc.post("/v1/connections", json={"authType": "KERBEROS", "connectionTimeout": "soon",
                                                "auth": {"accessTokenUrl": "http://insecure"}})
    assert response.status_code == 400
    body = response.json()
    assert body["statusCode"] == 400 and body["message"]
    errors = body["errors"]
    assert "name: is required" in errors
    assert "connectionUrl: is required" in errors
    assert "requestType: is required" in errors
    assert "authType: must be one of NONE, BASIC, OAUTH, API_KEY" in errors
    assert "connectionTimeout: must be an integer" in errors
    assert "auth.accessTokenUrl: must use an https:// URL" in errors

    flow = sc.post("/v1/flow-definitions", json={"name": "F", "type": "DESKTOP", "variants": [{"split": 101}]})
    assert flow.status_code == 400
    assert "type: must be one of WEB, FULLSTACK, API" in flow.json()["errors"]
    assert "variants[0].split: must be at most 100" in flow.json()["errors"]
    assert sc.post("/v1/templates", content=b"{not json", headers={"content-type": "application/json"}).status_code == 400
    assert sc.post("/v1/decision-models", json=["a list"]).status_code == 400


def test_unknown_refs_are_404(sc: httpx.Client) -> None:
    for kind in ("connections", "decision-models", "flow-definitions", "templates"):
        missing = sc.get(f"/v1/{kind}/{uuid.uuid4()}")
        assert missing.status_code == 404 and missing.json()["statusCode"] == 404
        assert sc.put(f"/v1/{kind}/{uuid.uuid4()}", json={"name": "x", "type": "WEB"}).status_code == 404


def test_template_type_cannot_change(sc: httpx.Client) -> None:
    template = sc.post("/v1/templates", json={"name": "T", "type": "WEB", "html": "<p/>"}).json()
    assert template["revision"] == 1
    changed = sc.put(f"/v1/templates/{template['ref']}", json={"name": "T", "type": "DECISION"})
    assert changed.status_code == 400 and any(e.startswith("type:") for e in changed.json()["errors"])
    same = sc.put(f"/v1/templates/{template['ref']}", json={"name": "T2", "type": "WEB", "css": "p{}"}).json()
    assert same["revision"] == 2 and same["css"] == "p{}" and "html" not in same  # full replacement


# --- listing --------------------------------------------------------------------------------------


def test_pagination_and_sort(sc: httpx.Client) -> None:
    names = [f"model-{i:03d}" for i in range(105)]
    for name in reversed(names):
        assert sc.post("/v1/decision-models", json={"name": name}).status_code == 201
    first = sc.get("/v1/decision-models", params={"pageSize": 100, "sort": "name:asc"}).json()
    assert first["total"] == 105 and len(first["items"]) == 100
    assert [m["name"] for m in first["items"]] == names[:100]
    assert first["offset"] == 0 and first["limit"] == 100
    second = sc.get("/v1/decision-models", params={"pageSize": 100, "pageOffset": 100, "sort": "name:asc"}).json()
    assert [m["name"] for m in second["items"]] == names[100:]
    default = sc.get("/v1/decision-models").json()
    assert len(default["items"]) == 20 and default["items"][0]["name"] == "model-104"  # creation order
    desc = sc.get("/v1/decision-models", params={"pageSize": 3, "sort": "name:desc"}).json()
    assert [m["name"] for m in desc["items"]] == ["model-104", "model-103", "model-102"]
    assert sc.get("/v1/decision-models", params={"pageSize": 101}).status_code == 400
    assert sc.get("/v1/decision-models", params={"pageSize": 0}).status_code == 400
    assert sc.get("/v1/decision-models", params={"pageOffset": -1}).status_code == 400


def test_flow_type_filter(sc: httpx.Client) -> None:
    sc.post("/v1/flow-definitions", json={"name": "Web", "type": "WEB"})
    sc.post("/v1/flow-definitions", json={"name": "Api", "type": "API"})
    items = sc.get("/v1/flow-definitions", params={"type": "API"}).json()["items"]
    assert [f["name"] for f in items] == ["Api"]
    assert sc.get("/v1/flow-definitions", params={"type": "TV"}).status_code == 400


def test_unknown_fields_are_kept(sc: httpx.Client) -> None:
    flow = sc.post("/v1/flow-definitions", json={"name": "F", "type": "FULLSTACK", "friendlyId": "f_1",
                                                 "schedule": {"type": "simpleSchedule"}}).json()
    assert flow["friendlyId"] == "f_1" and flow["schedule"] == {"type": "simpleSchedule"}
    assert re.fullmatch(r"[0-9a-f-]{36}", flow["ref"])


@pytest.mark.parametrize("kind", ["connections", "decision-models", "flow-definitions", "templates"])
def test_lists_have_the_seed_shape(sc: httpx.Client, kind: str) -> None:
    body = sc.get(f"/v1/{kind}").json()
    assert body["items"] == [] and body["total"] == 0
