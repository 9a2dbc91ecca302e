"""The Sitecore resources on the generic engine, on the live API's shapes: check / diff / create /
read / update / delete, with respx at the HTTP boundary.

respx (not the emulator in process, see tests/conftest.py) because each test pins one exact
exchange: a body sent, a page asked for, or a live state or refusal the emulator does not make on
its own (an archived and renamed twin, a hidden secret, a 400 on archive, a 401 from a collection).
Whole life cycles against the emulator are in test_sitecore_payloads.py."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

import httpx
import pytest
import respx
from pulumi.runtime.rpc import UNKNOWN

from pulumi_personalize.engine import (
    LISTINGS,
    TWIN_LISTINGS,
    ResourceOperationError,
)
from pulumi_personalize.sitecore.models import variant_ref
from pulumi_personalize.sitecore.resources import (
    CONNECTION,
    DECISION_MODEL,
    DECISION_MODEL_DEPLOYMENT,
    DECISION_MODEL_VARIANT,
    FLOW_DEFINITION,
    TEMPLATE,
)
from tests.conftest import ProviderFactory

SC_URL = "https://sc.test"
CONFIG = {
    "personalize:sitecoreBaseUrl": SC_URL,
    "personalize:sitecoreAccessToken": "static-token-unit",
}


@pytest.fixture
def provider_config() -> Mapping[str, str]:
    """This module's stack configuration for ``provider`` (its values are asserted below)."""
    return CONFIG


@pytest.fixture
def sc() -> Iterator[respx.MockRouter]:
    with respx.mock(base_url=SC_URL, assert_all_called=False) as router:
        yield router


def paged(items: list[dict[str, Any]]) -> Any:
    """A collection answering ``limit``/``offset`` pages of the ``{href, items}`` envelope (no total)."""
    def handler(request: httpx.Request) -> httpx.Response:
        limit, offset = int(request.url.params["limit"]), int(request.url.params["offset"])
        return httpx.Response(200, json={"href": str(request.url), "items": items[offset:offset + limit],
                                         "offset": offset, "limit": limit})
    return handler


def echo(ref: str, revision: int = 1, status: int = 201, **extra: Any) -> Any:
    """A POST/PUT answering the body it got, with the server's fields."""
    def handler(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        return httpx.Response(status, json={**body, "ref": ref, "href": f"{SC_URL}/x/{ref}", "revision": revision,
                                            "clientKey": "tenant-key", "archived": body.get("archived", False),
                                            **extra})
    return handler


def sent(route: respx.Route, index: int = 0) -> dict[str, Any]:
    body: dict[str, Any] = json.loads(route.calls[index].request.content)
    return body


START = "2025-01-01T00:00:00.000Z"
OAUTH = {"name": "Weather", "system_type": "DATA_SYSTEM",
         "request": {"connection_url": "https://weather.example.com/v1/current", "request_type": "GET"},
         "auth": {"auth_type": "OAUTH", "client_id": "id", "client_secret": "s3cret-unit-1",
                  "access_token_url": "https://weather.example.com/token"}}
LIVE_CONNECTION = {
    "ref": "c1", "href": f"{SC_URL}/v2/connections/c1", "clientKey": "tenant-key", "revision": 2, "archived": False,
    "modifiedAt": "2025-01-01T00:00:00Z", "modifiedByRef": "id@clients", "name": "Weather", "systemType": "DATA_SYSTEM",
    "auth": {"authType": "OAUTH", "clientId": "id", "accessTokenUrl": "https://weather.example.com/token"},
    "request": {"requestType": "GET", "connectionUrl": "https://weather.example.com/v1/current"},
    "inputMappings": [], "outputMappings": [], "customHeaders": [], "urlParameters": [], "exampleValue": "{}",
    "connectionTimeout": 1000, "socketTimeout": 1000, "icon": "assets/images/icons/connections/plug.svg",
}


# -- connections --------------------------------------------------------------------------------------


def test_check_names_each_missing_oauth_credential_without_echoing_values(provider: ProviderFactory) -> None:
    result = provider(CONNECTION).check({}, {**OAUTH, "auth": {"auth_type": "oauth", "client_secret": "s3cret-unit-1"}})
    assert [(f.property, f.reason) for f in result.failures] == [("", "auth: auth_type OAUTH needs client_id, access_token_url")]
    assert not any("s3cret" in f.reason for f in result.failures)


def test_check_requires_system_type_and_a_request_and_applies_the_service_defaults(provider: ProviderFactory) -> None:
    p = provider(CONNECTION)
    missing = {f.property for f in p.check({}, {"name": "w"}).failures}
    assert missing == {"system_type", "request"}
    ok = p.check({}, {"name": "w", "system_type": "destination", "__provider": "x",
                      "request": {"connection_url": "https://w.example.com"}})
    assert ok.failures == []
    # the state's inputs: what the program declared, normalised; a nested default stays in place
    assert ok.inputs == {"name": "w", "system_type": "DESTINATION",
                         "request": {"connection_url": "https://w.example.com", "request_type": "GET"}}
    full = p.full_inputs(ok.inputs)  # what create, update and diff work on
    assert full["connection_timeout"] == 1000 and full["auth"] == {"auth_type": "NONE"}
    assert "description" not in full
    assert p.check({}, {"name": "w", "system_type": "DATA_SYSTEM", "request": {"connection_url": UNKNOWN}}).failures == []


def test_check_refuses_credentials_with_no_auth_and_an_http_token_url(provider: ProviderFactory) -> None:
    p = provider(CONNECTION)
    stray = p.check({}, {**OAUTH, "auth": {"auth_type": "NONE", "client_id": "x"}}).failures
    assert [f.reason for f in stray] == ["auth: client_id not used with auth_type NONE"]
    bad_url = p.check({}, {**OAUTH, "auth": {**OAUTH["auth"], "access_token_url": "http://t"}}).failures  # type: ignore[dict-item]
    assert [f.reason for f in bad_url] == ["auth.access_token_url: must be an https:// URL"]


def test_the_auth_object_is_secret_in_state_and_outputs() -> None:
    assert CONNECTION.secrets == ("auth",)


def test_create_sends_the_nested_live_shape_with_json_headers(sc: respx.MockRouter,
                                                              provider: ProviderFactory) -> None:
    sc.get("/v2/connections").mock(side_effect=paged([]))
    post = sc.post("/v2/connections").mock(side_effect=echo("c1"))
    result = provider(CONNECTION).create({**OAUTH, "custom_headers": [{"name": "X-Key", "value": "{key}"}]})
    assert result.id == "c1" and result.outs["revision"] == 1
    body = sent(post)
    assert body["auth"] == {"authType": "OAUTH", "clientId": "id", "clientSecret": "s3cret-unit-1",
                            "accessTokenUrl": "https://weather.example.com/token"}
    assert body["request"] == {"requestType": "GET", "connectionUrl": "https://weather.example.com/v1/current"}
    assert body["systemType"] == "DATA_SYSTEM" and body["customHeaders"] == [{"name": "X-Key", "value": "{key}"}]
    assert "verify" not in body and "authType" not in body  # no flat seed fields
    headers = post.calls[0].request.headers
    assert headers["accept"] == "application/json" and headers["content-type"] == "application/json"
    assert headers["authorization"] == "Bearer static-token-unit"


def test_verify_tests_the_whole_connection_before_saving_and_a_failure_creates_nothing(sc: respx.MockRouter,
                                                                                       provider: ProviderFactory) -> None:
    sc.get("/v2/connections").mock(side_effect=paged([]))
    test = sc.post("/v2/connections/testConnection").mock(return_value=httpx.Response(
        200, json={"statusCode": 401, "executionTimeInMilliseconds": 31, "request": {"headers": {}}}))
    post = sc.post("/v2/connections")
    with pytest.raises(ResourceOperationError) as failure:
        provider(CONNECTION).create({**OAUTH, "verify": True})
    assert "the external system answered 401" in str(failure.value) and "nothing was created" in str(failure.value)
    assert "s3cret" not in str(failure.value)
    assert sent(test)["connection"]["request"]["connectionUrl"] == "https://weather.example.com/v1/current"
    assert sent(test)["connection"]["auth"]["clientSecret"] == "s3cret-unit-1"
    assert not post.called


def test_verify_passing_then_saves(sc: respx.MockRouter, provider: ProviderFactory) -> None:
    sc.get("/v2/connections").mock(side_effect=paged([]))
    test = sc.post("/v2/connections/testConnection").mock(return_value=httpx.Response(
        200, json={"statusCode": 202, "executionTimeInMilliseconds": 12, "request": {"headers": {}}}))
    post = sc.post("/v2/connections").mock(side_effect=echo("c1"))
    assert provider(CONNECTION).create({**OAUTH, "verify": True}).id == "c1"
    assert test.calls[0].request is not None and post.called
    assert post.calls[0].request.url.path == "/v2/connections"


def test_verify_failure_on_update_changes_nothing(sc: respx.MockRouter, provider: ProviderFactory) -> None:
    sc.get("/v2/connections/c1").mock(return_value=httpx.Response(200, json=LIVE_CONNECTION))
    sc.post("/v2/connections/testConnection").mock(return_value=httpx.Response(
        200, json={"statusCode": 500, "executionTimeInMilliseconds": 3, "request": {"headers": {}}}))
    put = sc.put("/v2/connections/c1")
    with pytest.raises(ResourceOperationError, match="left as it was"):
        provider(CONNECTION).update("c1", {}, {**OAUTH, "verify": True})
    assert not put.called


def test_refresh_reads_one_listing_for_many_connections_and_keeps_a_hidden_secret(sc: respx.MockRouter,
                                                                                  provider: ProviderFactory) -> None:
    items = [{**LIVE_CONNECTION, "ref": f"c{i}", "name": f"w{i}"} for i in range(250)]
    listing = sc.get("/v2/connections").mock(side_effect=paged(items))
    p = provider(CONNECTION)
    for i in (0, 120, 249):
        result = p.read(f"c{i}", {**OAUTH, "name": f"w{i}"})
        assert result.id == f"c{i}" and result.inputs is not None
        assert result.inputs["auth"]["client_secret"] == "s3cret-unit-1"  # the service never returns it
        assert result.outs["revision"] == 2
    assert listing.call_count == 3  # three pages of 100, once, for all three reads
    assert [c.request.url.params["offset"] for c in listing.calls] == ["0", "100", "200"]


def test_refresh_drops_an_archived_or_unlisted_connection_only_on_the_collections_word(sc: respx.MockRouter,
                                                                                       provider: ProviderFactory) -> None:
    sc.get("/v2/connections").mock(side_effect=paged([{**LIVE_CONNECTION, "archived": True}]))
    p = provider(CONNECTION)
    assert p.read("c1", OAUTH).id == ""
    LISTINGS.clear()
    sc.get("/v2/connections").mock(side_effect=paged([]))
    sc.get("/v2/connections/c1").mock(return_value=httpx.Response(404, json={"status": 404, "code": "NOT_FOUND"}))
    assert p.read("c1", OAUTH).id == ""


@pytest.mark.parametrize("status", [401, 403, 404])
def test_a_collection_that_does_not_answer_fails_the_refresh(sc: respx.MockRouter, status: int,
                                                             provider: ProviderFactory) -> None:
    sc.get("/v2/connections").mock(return_value=httpx.Response(status, json={"status": status, "code": "X"}))
    with pytest.raises(ResourceOperationError):
        provider(CONNECTION).read("c1", OAUTH)


def test_update_is_a_full_put_of_the_live_object_without_server_fields(sc: respx.MockRouter,
                                                                       provider: ProviderFactory) -> None:
    listing = sc.get("/v2/connections").mock(side_effect=paged([LIVE_CONNECTION]))
    get = sc.get("/v2/connections/c1").mock(return_value=httpx.Response(200, json=LIVE_CONNECTION))
    put = sc.put("/v2/connections/c1").mock(side_effect=echo("c1", revision=3, status=200))
    result = provider(CONNECTION).update("c1", {}, {**OAUTH, "description": "Weather now"})
    assert get.call_count == 1 and not listing.called  # read by ref now: a listing may predate the last write
    body = sent(put)
    assert body["description"] == "Weather now" and body["exampleValue"] == "{}"  # unmanaged field kept
    assert not {"ref", "href", "clientKey", "revision", "modifiedAt", "modifiedByRef"} & set(body)
    assert body["archived"] is False and result.outs["revision"] == 3


# -- decision models, variants, deployments ---------------------------------------------------------


DMN = '<definitions xmlns="https://www.omg.org/spec/DMN/20151101/dmn.xsd" id="d1"/>'


def test_deployment_splits_must_add_up_to_100_and_status_is_per_variant(provider: ProviderFactory) -> None:
    p = provider(DECISION_MODEL_DEPLOYMENT)
    bad = p.check({}, {"decision_model": "m1", "variants": [
        {"variant_ref": "a", "split": 60, "variant_revision": 1, "status": "PRODUCTION"},
        {"variant_ref": "b", "split": 30, "variant_revision": 2, "status": "TEST"}]})
    assert [f.reason for f in bad.failures] == ["variants: the splits must add up to 100, they add up to 90"]
    model = provider(DECISION_MODEL).check({}, {"name": "m", "deployment_configuration": {"variants": [
        {"variant_ref": "a", "split": 50, "variant_revision": 1}]}})
    assert [f.reason for f in model.failures] == [
        "deployment_configuration: variants: the splits must add up to 100, they add up to 50"]
    assert "status" not in provider(DECISION_MODEL).check({}, {"name": "m"}).inputs  # no model-level status


def test_decision_model_create_sends_an_empty_deployment_and_revives_its_renamed_archived_twin(
        sc: respx.MockRouter, provider: ProviderFactory) -> None:
    others = [{"ref": f"m{i}", "name": f"m{i}", "archived": False, "deploymentConfiguration": {"variants": []}}
              for i in range(120)]
    twin = {"ref": "twin", "name": "Next best offer - archived 2025-03-01 10:00", "archived": True, "revision": 4,
            "deploymentConfiguration": {"variants": []}, "variants": {"href": "v"}, "revisions": {"href": "r"}}
    listing = sc.get("/v2/decisionModelDefinitions").mock(side_effect=paged([*others, twin]))
    put = sc.put("/v2/decisionModelDefinitions/twin").mock(side_effect=echo("twin", revision=5, status=200))
    post = sc.post("/v2/decisionModelDefinitions")
    result = provider(DECISION_MODEL).create({"name": "Next best offer"})
    assert result.id == "twin" and result.outs["revision"] == 5
    assert listing.call_count == 2 and not post.called
    body = sent(put)
    assert body["name"] == "Next best offer" and body["archived"] is False
    assert "variants" not in body and "revisions" not in body  # link objects are the server's

    sc.get("/v2/decisionModelDefinitions").mock(side_effect=paged([]))
    TWIN_LISTINGS.clear()
    post = sc.post("/v2/decisionModelDefinitions").mock(side_effect=echo("m-new"))
    assert provider(DECISION_MODEL).create({"name": "Fresh"}).id == "m-new"
    assert sent(post) == {"name": "Fresh", "deploymentConfiguration": {"variants": []}, "archived": False}


def test_a_model_without_a_declared_deployment_keeps_the_live_one(sc: respx.MockRouter,
                                                                  provider: ProviderFactory) -> None:
    deployed = {"variants": [{"variantRef": "v1", "split": 100, "status": "PRODUCTION", "variantRevision": 2}]}
    live = {"ref": "m1", "name": "Offers", "archived": False, "revision": 3, "deploymentConfiguration": deployed}
    sc.get("/v2/decisionModelDefinitions").mock(side_effect=paged([live]))
    sc.get("/v2/decisionModelDefinitions/m1").mock(return_value=httpx.Response(200, json=live))
    put = sc.put("/v2/decisionModelDefinitions/m1").mock(side_effect=echo("m1", revision=4, status=200))
    p = provider(DECISION_MODEL)
    read = p.read("m1", {"name": "Offers"})
    assert read.inputs == {"name": "Offers"}  # not ours to report: no phantom diff
    p.update("m1", {}, {"name": "Offers v2"})
    assert sent(put)["deploymentConfiguration"] == deployed


def test_a_refresh_keeps_the_models_revision_that_its_deployment_moved(sc: respx.MockRouter,
                                                                       provider: ProviderFactory) -> None:
    # a DecisionModelDeployment bumped the live revision from 3 to 5: no drift of the model (issue 20)
    live = {"ref": "m1", "name": "Offers", "archived": False, "revision": 5, "deploymentConfiguration": {"variants": []}}
    sc.get("/v2/decisionModelDefinitions").mock(side_effect=paged([live]))
    sc.get("/v2/decisionModelDefinitions/m1").mock(return_value=httpx.Response(200, json=live))
    sc.put("/v2/decisionModelDefinitions/m1").mock(side_effect=echo("m1", revision=6, status=200))
    p = provider(DECISION_MODEL)
    assert p.read("m1", {"name": "Offers", "ref": "m1", "revision": 3}).outs["revision"] == 3
    assert p.read("m1", {"name": "Offers"}).outs["revision"] == 5  # no revision in state yet: the live one
    assert p.update("m1", {"name": "Offers", "revision": 3}, {"name": "Offers v2"}).outs["revision"] == 6


def test_variant_is_created_under_its_model_and_read_by_ref(sc: respx.MockRouter,
                                                            provider: ProviderFactory) -> None:
    post = sc.post("/v2/decisionModelDefinitions/m1/variants").mock(
        side_effect=echo("v1", decisionModelDefinitionRef="m1", transpiledDefinition="x"))
    p = provider(DECISION_MODEL_VARIANT)
    created = p.create({"name": "Weather aware", "decision_model": "m1", "definition": DMN})
    assert created.id == "v1" and created.outs["revision"] == 1
    assert sent(post) == {"name": "Weather aware", "definition": DMN}
    live = {"ref": "v1", "name": "Weather aware (edited)", "definition": DMN, "revision": 2, "archived": False,
            "decisionModelDefinitionRef": "m1", "transpiledDefinition": "x", "offers": []}
    get = sc.get("/v2/decisionModelVariants/v1").mock(return_value=httpx.Response(200, json=live))
    read = p.read("v1", {"name": "Weather aware", "decision_model": "m1", "definition": DMN})
    assert read.inputs == {"name": "Weather aware (edited)", "decision_model": "m1", "definition": DMN}
    assert read.outs["revision"] == 2 and get.called
    put = sc.put("/v2/decisionModelVariants/v1").mock(side_effect=echo("v1", revision=3, status=200))
    p.update("v1", {}, {"name": "Weather aware", "decision_model": "m1", "definition": DMN})
    body = sent(put)
    assert body["name"] == "Weather aware" and "transpiledDefinition" not in body and body["offers"] == []


def test_a_gone_variant_is_dropped_only_when_the_models_collection_answers(sc: respx.MockRouter,
                                                                           provider: ProviderFactory) -> None:
    sc.get("/v2/decisionModelVariants/v1").mock(return_value=httpx.Response(404, json={"status": 404}))
    probe = sc.get("/v2/decisionModelDefinitions").mock(side_effect=paged([]))
    props = {"name": "x", "decision_model": "m1", "definition": DMN}
    assert provider(DECISION_MODEL_VARIANT).read("v1", props).id == ""
    assert probe.called
    sc.get("/v2/decisionModelDefinitions").mock(return_value=httpx.Response(401, json={"status": 401}))
    with pytest.raises(ResourceOperationError):
        provider(DECISION_MODEL_VARIANT).read("v1", props)


def test_deployment_puts_the_variant_refs_and_revisions_and_destroy_undeploys(sc: respx.MockRouter,
                                                                              provider: ProviderFactory) -> None:
    live = {"ref": "m1", "name": "Offers", "archived": False, "revision": 1, "clientKey": "k",
            "deploymentConfiguration": {"variants": []}, "variants": {"href": "v"}}
    listing = sc.get("/v2/decisionModelDefinitions").mock(side_effect=paged([live]))
    get = sc.get("/v2/decisionModelDefinitions/m1").mock(return_value=httpx.Response(200, json=live))
    put = sc.put("/v2/decisionModelDefinitions/m1").mock(side_effect=echo("m1", revision=2, status=200))
    p = provider(DECISION_MODEL_DEPLOYMENT)
    created = p.create({"decision_model": "m1", "variants": [
        {"variant_ref": "v1", "split": 100, "status": "PRODUCTION", "variant_revision": 3}]})
    assert created.id == "m1" and created.outs["revision"] == 2
    body = sent(put)
    assert body["name"] == "Offers" and body["deploymentConfiguration"] == {
        "variants": [{"variantRef": "v1", "split": 100, "status": "PRODUCTION", "variantRevision": 3}]}
    p.delete("m1", {"decision_model": "m1"})
    assert sent(put, 1)["deploymentConfiguration"] == {"variants": []}
    assert get.call_count == 2 and not listing.called  # each PUT of the model follows a read of it by ref


# -- flows ---------------------------------------------------------------------------------------------


def experience(**extra: Any) -> dict[str, Any]:
    return {"name": "Rain banner", "friendly_id": "rain_banner", "type": "INTERACTIVE_WEB_FLOW",
            "schedule": {"start_date": START}, **extra}


def experiment(**extra: Any) -> dict[str, Any]:
    control, treatment = variant_ref("hero_test", "Control"), variant_ref("hero_test", "Offer")
    return {"name": "Hero test", "friendly_id": "hero_test", "type": "INTERACTIVE_WEB_FLOW", "subtype": "EXPERIMENT",
            "schedule": {"start_date": START},
            "variants": [{"name": "Control", "is_control": True, "assets": {"html": "<p>a</p>"}},
                         {"name": "Offer", "tasks": [{"implementation": "decisionModelTask",
                                                       "input": {"decision_model_refs": ["m1"]}}]}],
            "traffic": {"splits": [{"ref": control, "split": 50}, {"ref": treatment, "split": 50}]},
            "sample_size_config": {"base_value": 0.02, "minimum_detectable_difference": 0.2, "confidence_level": 0.95},
            "goals": {"primary": {"type": "pageViewGoal", "name": "Checkout",
                                  "page_parameters": [{"match_condition": "CONTAINS", "parameter_string": "/checkout"}]}},
            **extra}


def test_flow_check_defaults_from_the_type_and_validates_what_the_service_needs(provider: ProviderFactory) -> None:
    p = provider(FLOW_DEFINITION)
    ok = p.check({}, experience())
    assert ok.failures == []
    assert ok.inputs["business_process"] == "interactive_v1" and ok.inputs["channels"] == ["WEB"]
    full = p.full_inputs(ok.inputs)
    assert full["status"] == "DRAFT" and full["traffic"]["type"] == "simpleTraffic"
    triggered = p.check({}, experience(type="TRIGGERED_V3", channels=["EMAIL"]))
    assert triggered.inputs["business_process"] == "triggered_v1"
    reasons = {f.property: f.reason for f in p.check({}, experience(friendly_id="Rain-Banner")).failures}
    assert reasons == {"friendly_id": "friendly_id: must be lowercase letters, digits and underscores only (^[a-z0-9_]+$)"}
    assert p.check({}, experiment()).failures == []
    uneven = experiment(traffic={"splits": [{"ref": variant_ref("hero_test", "Control"), "split": 50},
                                            {"ref": variant_ref("hero_test", "Offer"), "split": 40}]})
    assert [f.reason for f in p.check({}, uneven).failures] == [
        "traffic: the splits must add up to 100, they add up to 90"]
    no_control = experiment()
    no_control["variants"][0]["is_control"] = False
    assert "exactly one variant with is_control" in p.check({}, no_control).failures[0].reason
    assert p.check({}, experience(status="LIVE")).failures[0].property == "status"
    assert p.check({}, experience(variants=[{"name": "a", "tasks": [{"implementation": "decisionModelTask",
                                                                     "input": {"decision_model_refs": UNKNOWN}}]}],
                                  )).failures == []  # a model ref not known until apply


def test_a_type_change_needs_a_new_friendly_id_at_preview(provider: ProviderFactory) -> None:
    p = provider(FLOW_DEFINITION)
    old = p.check({}, experience()).inputs
    failures = p.check(old, experience(type="INTERACTIVE_API_FLOW", channels=["WEB"])).failures
    assert failures and failures[0].property == "type" and "change friendly_id too" in failures[0].reason
    assert p.check(old, experience(type="INTERACTIVE_API_FLOW", channels=["WEB"], friendly_id="rain_banner_api")).failures == []
    replaced = p.diff("f1", {**old, "ref": "f1"}, {**old, "friendly_id": "rain_banner_2"})
    assert replaced.replaces == ["friendly_id"]


def test_flow_create_posts_a_draft_then_puts_the_declared_status(sc: respx.MockRouter,
                                                                 provider: ProviderFactory) -> None:
    sc.get("/v3/flowDefinitions").mock(side_effect=paged([]))
    post = sc.post("/v3/flowDefinitions").mock(side_effect=echo("f1", transpiledVariants=[]))
    put = sc.put("/v3/flowDefinitions/f1").mock(side_effect=echo("f1", revision=2, status=200))
    inputs = provider(FLOW_DEFINITION).check({}, experiment(status="PRODUCTION")).inputs
    result = provider(FLOW_DEFINITION).create(inputs)
    assert result.id == "f1" and result.outs["revision"] == 2
    posted, moved = sent(post), sent(put)
    assert posted["status"] == "DRAFT" and moved["status"] == "PRODUCTION"
    assert posted["friendlyId"] == "hero_test" and posted["businessProcess"] == "interactive_v1"
    assert posted["goals"]["primary"]["pageParameters"] == [{"matchCondition": "CONTAINS", "parameterString": "/checkout"}]
    assert posted["variants"][1]["tasks"][0] == {"implementation": "decisionModelTask",
                                                 "input": {"inputType": "decisionModelTaskInput",
                                                           "decisionModelRefs": ["m1"]}}
    assert posted["traffic"]["splits"][0]["ref"] == posted["variants"][0]["ref"]
    assert "transpiledVariants" not in moved and "ref" not in moved


def test_an_experience_sends_the_vendors_sample_size_on_create_and_keeps_the_live_one(
        sc: respx.MockRouter, provider: ProviderFactory) -> None:
    sc.get("/v3/flowDefinitions").mock(side_effect=paged([]))
    post = sc.post("/v3/flowDefinitions").mock(side_effect=echo("f1"))
    put = sc.put("/v3/flowDefinitions/f1").mock(side_effect=echo("f1", revision=2, status=200))
    p = provider(FLOW_DEFINITION)
    inputs = p.check({}, experience()).inputs
    created = p.create(inputs)
    assert sent(post)["sampleSizeConfig"] == {"baseValue": 0.02, "minimumDetectableDifference": 0.2,
                                              "confidenceLevel": 0.95}
    # someone set other parameters in Sitecore: a program that leaves them out keeps them
    mine = {"baseValue": 0.05, "minimumDetectableDifference": 0.1, "confidenceLevel": 0.9}
    live = {**sent(post), "ref": "f1", "revision": 3, "sampleSizeConfig": mine}
    sc.get("/v3/flowDefinitions/f1").mock(return_value=httpx.Response(200, json=live))
    read = p.read("f1", created.outs)
    assert "sample_size_config" not in read.inputs and p.diff("f1", read.outs, inputs).changes is False
    p.update("f1", read.outs, {**inputs, "name": "Renamed"})
    assert sent(put)["sampleSizeConfig"] == mine and sent(put)["name"] == "Renamed"
    # a program may set them on an experience: sent, and refreshed as declared
    declared = p.check({}, experience(sample_size_config={"base_value": 0.1, "minimum_detectable_difference": 0.3,
                                                          "confidence_level": 0.99})).inputs
    p.update("f1", read.outs, declared)
    assert sent(put, 1)["sampleSizeConfig"] == {"baseValue": 0.1, "minimumDetectableDifference": 0.3,
                                                "confidenceLevel": 0.99}
    assert p.read("f1", declared).inputs["sample_size_config"]["base_value"] == 0.05  # the live value, as drift


def test_a_friendly_id_held_by_an_archived_flow_is_explained(sc: respx.MockRouter,
                                                             provider: ProviderFactory) -> None:
    archived = {"ref": "old", "name": "Hero", "friendlyId": "rain_banner", "type": "INTERACTIVE_API_FLOW",
                "archived": True, "status": "PAUSED", "variants": [], "traffic": {}}
    sc.get("/v3/flowDefinitions").mock(side_effect=paged([archived]))
    sc.post("/v3/flowDefinitions").mock(return_value=httpx.Response(
        400, json={"status": 400, "code": "FRIENDLY_ID_TAKEN", "message": "friendlyId is taken"}))
    inputs = provider(FLOW_DEFINITION).check({}, experience()).inputs
    with pytest.raises(ResourceOperationError) as failure:
        provider(FLOW_DEFINITION).create(inputs)
    text = str(failure.value)
    assert "belongs to an archived flow (ref old" in text and "reserved after archiving" in text
    assert "adopt_ref='old'" in text


def test_flow_revival_and_destroy(sc: respx.MockRouter, provider: ProviderFactory) -> None:
    archived = {"ref": "f1", "name": "Rain banner", "friendlyId": "rain_banner", "type": "INTERACTIVE_WEB_FLOW",
                "archived": True, "status": "PAUSED", "variants": [], "traffic": {"type": "simpleTraffic"},
                "revision": 5}
    sc.get("/v3/flowDefinitions").mock(side_effect=paged([archived]))
    put = sc.put("/v3/flowDefinitions/f1").mock(side_effect=echo("f1", revision=6, status=200))
    post = sc.post("/v3/flowDefinitions")
    inputs = provider(FLOW_DEFINITION).check({}, experience(status="PRODUCTION")).inputs
    assert provider(FLOW_DEFINITION).create(inputs).id == "f1" and not post.called
    assert [(sent(put, i)["archived"], sent(put, i)["status"]) for i in range(2)] == [
        (False, "DRAFT"), (False, "PRODUCTION")]  # restored as a draft, then to the declared status

    LISTINGS.clear()
    sc.get("/v3/flowDefinitions/f1").mock(return_value=httpx.Response(200, json={**archived, "archived": False,
                                                                                 "status": "PRODUCTION"}))
    provider(FLOW_DEFINITION).delete("f1", inputs)
    last = sent(put, 2)
    assert last["archived"] is True and last["status"] == "PAUSED"


# -- templates -----------------------------------------------------------------------------------------


TEMPLATE_INPUTS = {"name": "Rain banner", "friendly_id": "rain_banner", "type": "WEB",
                   "template_elements": [{"id": "css", "template": ".b{}"}, {"id": "html", "template": "<p>[[text]]</p>"}]}


def test_template_create_sends_the_live_required_set(sc: respx.MockRouter, provider: ProviderFactory) -> None:
    sc.get("/v3/templates").mock(side_effect=paged([]))
    post = sc.post("/v3/templates").mock(side_effect=echo("t1"))
    inputs = provider(TEMPLATE).check({}, TEMPLATE_INPUTS).inputs
    assert [e["id"] for e in inputs["template_elements"]] == ["html", "css"]  # order carries no meaning
    assert provider(TEMPLATE).create(inputs).id == "t1"
    assert sent(post) == {"name": "Rain banner", "friendlyId": "rain_banner", "type": "WEB", "status": "DRAFT",
                          "description": "", "render": False, "defaultTemplate": False, "customTemplate": True,
                          "templateElements": [{"id": "html", "template": "<p>[[text]]</p>"},
                                               {"id": "css", "template": ".b{}"}],
                          "tags": [], "archived": False}


def test_changed_code_of_a_published_template_goes_draft_then_published(sc: respx.MockRouter,
                                                                        provider: ProviderFactory) -> None:
    live = {"ref": "t1", "name": "Rain banner", "friendlyId": "rain_banner", "type": "WEB", "status": "PUBLISHED",
            "description": "", "render": False, "defaultTemplate": False, "customTemplate": True, "tags": [],
            "templateElements": [{"id": "html", "template": "<p>old</p>"}], "archived": False, "revision": 2}
    sc.get("/v3/templates/t1").mock(return_value=httpx.Response(200, json=live))
    put = sc.put("/v3/templates/t1").mock(side_effect=echo("t1", revision=3, status=201))
    provider(TEMPLATE).update("t1", {}, {**TEMPLATE_INPUTS, "status": "PUBLISHED"})
    assert [sent(put, i)["status"] for i in range(2)] == ["DRAFT", "PUBLISHED"]


def test_a_published_js_module_cannot_change_and_check_says_so(provider: ProviderFactory) -> None:
    p = provider(TEMPLATE)
    module = {"name": "Tracker", "friendly_id": "tracker", "type": "JS_MODULE", "status": "PUBLISHED",
              "template_elements": [{"id": "js", "template": "export const a = 1;"}]}
    old = p.check({}, module).inputs
    edited = p.check(old, {**module, "template_elements": [{"id": "js", "template": "export const a = 2;"}]})
    assert [f.property for f in edited.failures] == ["template_elements"]
    assert "published JS module cannot be modified" in edited.failures[0].reason
    assert p.check(old, {**module, "friendly_id": "tracker_v2",
                         "template_elements": [{"id": "js", "template": "export const a = 2;"}]}).failures == []
    assert p.check(old, module).failures == []
    draft = p.check({}, {**module, "status": "DRAFT"}).inputs
    assert p.check(draft, {**module, "template_elements": [{"id": "js", "template": "x"}]}).failures == []


def test_template_destroy_archives_and_a_refusal_drops_it_with_a_warning(
        sc: respx.MockRouter, capsys: pytest.CaptureFixture[str], provider: ProviderFactory) -> None:
    live = {"ref": "t1", "name": "Banner", "friendlyId": "banner", "type": "WEB", "status": "DRAFT",
            "templateElements": [], "archived": False}
    sc.get("/v3/templates/t1").mock(return_value=httpx.Response(200, json=live))
    put = sc.put("/v3/templates/t1").mock(side_effect=echo("t1", revision=2, status=200))
    provider(TEMPLATE).delete("t1", {"friendly_id": "banner"})
    assert sent(put)["archived"] is True
    sc.put("/v3/templates/t1").mock(return_value=httpx.Response(
        400, json={"status": 400, "code": "VALIDATION_FAILED", "message": "cannot archive"}))
    provider(TEMPLATE).delete("t1", {"friendly_id": "banner"})
    assert "template 'banner' (ref t1) was removed from the Pulumi state" in capsys.readouterr().err


def test_the_pickled_provider_holds_no_configuration(provider: ProviderFactory) -> None:
    import dill  # what pulumi.dynamic uses to put the provider into state

    p = provider(CONNECTION)
    p._client({})  # build a client so that there is run-time state to leak
    text = dill.dumps(p)
    assert b"static-token-unit" not in text
    assert dill.loads(text).spec_name == CONNECTION.name


def test_a_gone_variant_is_confirmed_by_the_models_collection_in_its_tenant(sc: respx.MockRouter,
                                                                            provider: ProviderFactory) -> None:
    from pulumi_personalize.sitecore.api import DecisionModelVariants, SitecoreApi

    models = sc.get("/v2/decisionModelDefinitions").mock(side_effect=paged([{"ref": "m1", "clientKey": "k"}]))
    api = SitecoreApi(provider(CONNECTION)._client({}).client)
    assert DecisionModelVariants().probe(api) == [{"ref": "m1", "clientKey": "k"}]
    assert models.calls[0].request.url.params["limit"] == "1"


def test_lookups_walk_every_page_and_leave_archived_objects_out(sc: respx.MockRouter) -> None:
    from pulumi_personalize.errors import NotFoundError
    from pulumi_personalize.sitecore import get_flow_definition

    flows_listed = [{"ref": f"f{i}", "name": f"Flow {i}", "archived": False, "status": "DRAFT",
                     "type": "INTERACTIVE_WEB_FLOW", "revision": 1} for i in range(130)]
    flows_listed.append({"ref": "old", "name": "Old flow", "archived": True})
    route = sc.get("/v3/flowDefinitions").mock(side_effect=paged(flows_listed))
    found = get_flow_definition("Flow 120", config=CONFIG)
    assert (found.ref, found.type, found.archived) == ("f120", "INTERACTIVE_WEB_FLOW", False)
    assert [c.request.url.params["offset"] for c in route.calls] == ["0", "100"]
    with pytest.raises(NotFoundError, match="include_archived=True"):
        get_flow_definition("Old flow", config=CONFIG)
    assert get_flow_definition("Old flow", include_archived=True, config=CONFIG).archived is True
