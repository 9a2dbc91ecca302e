"""Request bodies the Sitecore layer sends, validated against the seed OpenAPI's request schemas.

respx stands in for the service at the HTTP boundary; the bodies are the ones our client actually
put on the wire. Where the connection prose (``sitecore-connection-rest-api.txt``) documents fields
the seed OpenAPI lacks, the OpenAPI schemas (which allow additional properties) accept them, and
the tests below also assert them explicitly, naming them as prose-only.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import pytest
import respx
import yaml

from pulumi_personalize.config import SitecoreSettings
from pulumi_personalize.http import ApiClient, RetryPolicy
from pulumi_personalize.sitecore.api import (
    CONNECTIONS,
    DECISION_MODELS,
    FLOW_DEFINITIONS,
    TEMPLATES,
    SitecoreApi,
)
from pulumi_personalize.sitecore.models import (
    ConnectionInputs,
    DecisionModelInputs,
    FlowDefinitionInputs,
    TemplateInputs,
)

SPEC_PATH = Path("/work/shared/reference/sitecore-personalize.openapi.yml")
if not SPEC_PATH.exists():  # a checkout without the shared folder: the copy next to the docs
    SPEC_PATH = Path(__file__).resolve().parents[2] / "docs" / "reference" / "sitecore-personalize.openapi.yml"
SC_URL = "https://sc.test"

# Fields the prose documents for connections that CreateConnectionRequest does not list.
PROSE_ONLY_CONNECTION_FIELDS = {
    "auth", "request", "inputMappings", "outputMappings", "customHeaders", "systemType", "icon", "archived",
}


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(SPEC_PATH.read_text())
    return loaded


def request_schema(spec: dict[str, Any], path: str, method: str) -> dict[str, Any]:
    """The operation's request-body schema with every $ref resolved against the spec."""
    operation = spec["paths"][path][method]
    schema = operation["requestBody"]["content"]["application/json"]["schema"]
    return {**schema, "components": spec["components"]}  # "#/components/..." resolves in this document


def validate(spec: dict[str, Any], path: str, method: str, body: Any) -> None:
    schema = request_schema(spec, path, method)
    validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
    errors = sorted(validator.iter_errors(body), key=lambda e: list(e.path))
    assert not errors, "; ".join(f"{list(e.path)}: {e.message}" for e in errors)


@pytest.fixture
def api(sc_settings: Callable[..., SitecoreSettings]) -> Iterator[SitecoreApi]:
    # A static token: client credentials would add a token request to every route's call log.
    static = sc_settings(sitecoreBaseUrl=SC_URL, sitecoreClientId="", sitecoreClientSecret="",
                         sitecoreAccessToken="static-token-xyz")
    client = ApiClient.for_sitecore(static, retry_policy=RetryPolicy(max_attempts=1, sleep=lambda _s: None))
    yield SitecoreApi(client)
    client.close()


def sent(route: respx.Route, index: int = -1) -> Any:
    return json.loads(route.calls[index].request.content)


OAUTH = ConnectionInputs(
    name="Weather",
    description="custom connection to weather system",
    auth_type="oauth",  # type: ignore[arg-type]  # the prose's lower-case example is accepted
    client_id="secretclientid",
    client_secret="s3cr3t-value",
    access_token_url="https://mockserver-proxy-dev.sitecore.com/oauth/token",
    connection_url="https://mockserver-proxy-dev.sitecore.com/sample/get/oauth",
    request_type="GET",
    input_mappings=[{"key": "city", "value": "${guest.city}"}],
    output_mappings=[{"key": "temperature", "path": "$.temp"}],
    custom_headers=[{"key": "x-tenant", "value": "acme"}],
)


@respx.mock(base_url=SC_URL)
def test_connection_create_body_matches_openapi_and_prose(respx_mock: respx.MockRouter, spec: dict[str, Any],
                                                           api: SitecoreApi) -> None:
    route = respx_mock.post("/v1/connections").mock(return_value=httpx.Response(201, json={"ref": "c1"}))
    api.create(CONNECTIONS, OAUTH.to_api())
    body = sent(route)
    validate(spec, "/v1/connections", "post", body)
    # The OpenAPI's flat fields ...
    assert body["authType"] == "OAUTH" and body["requestType"] == "GET"
    assert body["connectionUrl"] == "https://mockserver-proxy-dev.sitecore.com/sample/get/oauth"
    assert body["connectionTimeout"] == 1000 and body["socketTimeout"] == 1000
    # ... and the prose's nested objects (not in CreateConnectionRequest).
    assert set(body) >= PROSE_ONLY_CONNECTION_FIELDS
    assert body["auth"] == {
        "authType": "OAUTH",
        "clientId": "secretclientid",
        "clientSecret": "s3cr3t-value",
        "accessTokenUrl": "https://mockserver-proxy-dev.sitecore.com/oauth/token",
    }
    assert body["request"] == {"requestType": "GET", "connectionUrl": OAUTH.connection_url}
    assert body["systemType"] == "DATA_SYSTEM"


@pytest.mark.parametrize(
    ("auth", "expected_auth"),
    [
        ({"auth_type": "NONE"}, {"authType": "NONE"}),
        ({"auth_type": "BASIC", "username": "u", "password": "pw-123456"},
         {"authType": "BASIC", "username": "u", "password": "pw-123456"}),
        ({"auth_type": "API_KEY", "api_key": "key-123456"}, {"authType": "API_KEY", "apiKey": "key-123456"}),
    ],
)
@respx.mock(base_url=SC_URL)
def test_connection_update_body_per_auth_type(respx_mock: respx.MockRouter, spec: dict[str, Any], api: SitecoreApi,
                                              auth: dict[str, Any], expected_auth: dict[str, Any]) -> None:
    live = {"ref": "c1", "href": "x", "revision": 3, "name": "old", "unmanaged": {"kept": True},
            "auth": {"authType": "OAUTH", "clientId": "a", "clientSecret": "old-secret"},
            "request": {"requestType": "GET", "connectionUrl": "https://a", "bodyTemplate": "{}"}}
    inputs = ConnectionInputs(name="n", connection_url="https://example.com/x", request_type="POST", **auth)
    route = respx_mock.put("/v1/connections/c1").mock(return_value=httpx.Response(200, json={"ref": "c1"}))
    api.replace(CONNECTIONS, "c1", inputs.to_api(live))
    body = sent(route)
    validate(spec, "/v1/connections/{id}", "put", body)
    assert body["auth"] == expected_auth  # replaced whole: the old OAuth secret is not carried over
    assert body["unmanaged"] == {"kept": True}  # fields we do not manage survive the full PUT
    assert body["request"]["bodyTemplate"] == "{}"
    assert not {"ref", "href", "revision"} & set(body)


@respx.mock(base_url=SC_URL)
def test_decision_model_body(respx_mock: respx.MockRouter, spec: dict[str, Any], api: SitecoreApi) -> None:
    route = respx_mock.post("/v1/decision-models").mock(return_value=httpx.Response(201, json={"ref": "d1"}))
    model = DecisionModelInputs(name="Next best offer", status="test",  # type: ignore[arg-type]
                                deployment_configuration=[{"variant_ref": "a", "split": 70},  # type: ignore[list-item]
                                                          {"variant_ref": "b", "split": 30}])
    api.create(DECISION_MODELS, model.to_api())
    body = sent(route)
    validate(spec, "/v1/decision-models", "post", body)
    assert body["status"] == "TEST"
    assert body["deploymentConfiguration"] == [{"variantRef": "a", "split": 70}, {"variantRef": "b", "split": 30}]


@respx.mock(base_url=SC_URL)
def test_flow_definition_body(respx_mock: respx.MockRouter, spec: dict[str, Any], api: SitecoreApi) -> None:
    route = respx_mock.put("/v1/flow-definitions/f1").mock(return_value=httpx.Response(200, json={"ref": "f1"}))
    flow = FlowDefinitionInputs(name="Hero test", type="WEB", status="ACTIVE",
                                variants=[{"variant_ref": "control", "split": 50},  # type: ignore[list-item]
                                          {"variant_ref": "b", "split": 50}])
    api.replace(FLOW_DEFINITIONS, "f1", flow.to_api({"ref": "f1", "type": "WEB", "schedule": {"start": "x"}}))
    body = sent(route)
    validate(spec, "/v1/flow-definitions/{id}", "put", body)
    # ``variants`` is in the FlowDefinition response schema but not in CreateFlowDefinitionRequest.
    assert body["variants"][0] == {"variantRef": "control", "split": 50}
    assert body["schedule"] == {"start": "x"}


@respx.mock(base_url=SC_URL)
def test_template_body(respx_mock: respx.MockRouter, spec: dict[str, Any], api: SitecoreApi) -> None:
    route = respx_mock.post("/v1/templates").mock(return_value=httpx.Response(201, json={"ref": "t1"}))
    api.create(TEMPLATES, TemplateInputs(name="Banner", type="WEB", html="<div/>", css="div{}").to_api())
    body = sent(route)
    validate(spec, "/v1/templates", "post", body)
    assert body == {"name": "Banner", "type": "WEB", "html": "<div/>", "css": "div{}", "javascript": ""}


def test_the_validator_can_fail(spec: dict[str, Any]) -> None:
    """The schema check is not vacuous: a body without requestType, or with a bad enum, is rejected."""
    with pytest.raises(AssertionError, match="requestType"):
        validate(spec, "/v1/connections", "post", {"name": "x", "connectionUrl": "https://a"})
    with pytest.raises(AssertionError, match="ARCHIVED"):
        validate(spec, "/v1/flow-definitions", "post", {"name": "x", "type": "WEB", "status": "ARCHIVED"})


@respx.mock(base_url=SC_URL)
def test_archive_resends_the_live_object_with_archived(respx_mock: respx.MockRouter, api: SitecoreApi) -> None:
    live = {"ref": "d1", "href": "h", "revision": 2, "name": "m", "status": "PRODUCTION", "deploymentConfiguration": []}
    respx_mock.get("/v1/decision-models/d1").mock(return_value=httpx.Response(200, json=live))
    put = respx_mock.put("/v1/decision-models/d1").mock(
        return_value=httpx.Response(200, json={**live, "archived": True, "status": "ARCHIVED"}))
    api.archive(DECISION_MODELS, "d1")
    body = sent(put)
    assert body == {"name": "m", "status": "PRODUCTION", "deploymentConfiguration": [], "archived": True}


@respx.mock(base_url=SC_URL)
def test_find_by_name_walks_every_page(respx_mock: respx.MockRouter, api: SitecoreApi) -> None:
    items = [{"ref": f"t{i}", "name": f"tpl-{i}"} for i in range(250)]

    def page(request: httpx.Request) -> httpx.Response:
        size = int(request.url.params["pageSize"])
        offset = int(request.url.params["pageOffset"])
        return httpx.Response(200, json={"items": items[offset:offset + size], "total": len(items)})

    route = respx_mock.get("/v1/templates").mock(side_effect=page)
    assert [i["ref"] for i in api.find_by_name(TEMPLATES, "tpl-249")] == ["t249"]
    assert [c.request.url.params["pageOffset"] for c in route.calls] == ["0", "100", "200"]
    assert {c.request.url.params["pageSize"] for c in route.calls} == {"100"}
