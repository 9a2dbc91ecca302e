"""The Sitecore resources on the generic engine: check / diff / create / read / delete, with respx at
the HTTP boundary."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import respx
from pulumi.dynamic import Config, ConfigureRequest
from pulumi.runtime.rpc import UNKNOWN

from pulumi_personalize.engine import EngineProvider, ResourceOperationError, ResourceSpec
from pulumi_personalize.sitecore.resources import CONNECTION, DECISION_MODEL, FLOW_DEFINITION, TEMPLATE

SC_URL = "https://sc.test"
CONFIG = {
    "personalize:sitecoreBaseUrl": SC_URL,
    "personalize:sitecoreAccessToken": "static-token-unit",
}


def provider(spec: ResourceSpec[Any]) -> EngineProvider:
    p = EngineProvider(spec.name, spec.module)
    p.configure(ConfigureRequest(config=Config(CONFIG, "proj")))
    return p


@pytest.fixture
def sc() -> Iterator[respx.MockRouter]:
    with respx.mock(base_url=SC_URL, assert_all_called=False) as router:
        yield router


OAUTH_INPUTS = {"name": "w", "connection_url": "https://w.example.com", "auth_type": "OAUTH",
                "client_id": "id", "client_secret": "s3cret-unit-1", "access_token_url": "https://w.example.com/t"}


def test_check_names_each_missing_credential_without_echoing_values() -> None:
    result = provider(CONNECTION).check({}, {"name": "w", "connection_url": "https://w.example.com",
                                                  "auth_type": "OAUTH", "client_secret": "s3cret-unit-1"})
    reasons = [f.reason for f in result.failures]
    assert reasons == ["connection: auth_type OAUTH needs client_id, access_token_url"]
    assert not any("s3cret" in r for r in reasons)


def test_check_rejects_a_plain_http_connection_url() -> None:
    result = provider(CONNECTION).check({}, {"name": "w", "connection_url": "http://w.example.com",
                                                  "api_key": "k-123456"})
    reasons = {f.property: f.reason for f in result.failures}
    assert "https://" in reasons["connection_url"]


def test_check_applies_defaults_and_skips_unknowns() -> None:
    p = provider(CONNECTION)
    ok = p.check({}, {"name": "w", "connection_url": "https://w.example.com", "__provider": "x"})
    assert not ok.failures
    assert ok.inputs["system_type"] == "DATA_SYSTEM" and ok.inputs["connection_timeout"] == 1000
    assert "description" not in ok.inputs  # None is dropped: absent and unset compare equal
    pending = p.check({}, {"name": "w", "connection_url": UNKNOWN})
    assert pending.failures == []


def test_check_splits_must_add_up_to_100() -> None:
    result = provider(FLOW_DEFINITION).check({}, {"name": "f", "type": "WEB", "variants": [
        {"variant_ref": "a", "split": 50}, {"variant_ref": "b", "split": 40}]})
    assert [f.reason for f in result.failures] == ["variants: the splits must add up to 100, they add up to 90"]


def test_diff_replaces_on_type_and_ignores_outputs() -> None:
    p = provider(TEMPLATE)
    old = {"name": "t", "type": "WEB", "html": "a", "css": "", "javascript": "", "ref": "r1", "revision": 4}
    assert p.diff("r1", old, {**old, "ref": None, "revision": None}).changes is False
    changed = p.diff("r1", old, {**old, "type": "DECISION"})
    assert changed.changes and changed.replaces == ["type"]
    assert p.diff("r1", old, {**old, "html": UNKNOWN}).changes is True


def test_read_treats_archived_as_gone_and_keeps_a_masked_secret(sc: respx.MockRouter) -> None:
    p = provider(CONNECTION)
    live = {"ref": "c1", "revision": 2, "name": "w", "authType": "OAUTH", "connectionUrl": "https://w.example.com",
            "requestType": "GET", "auth": {"authType": "OAUTH", "clientId": "id", "clientSecret": "****",
                                           "accessTokenUrl": "https://w.example.com/t"}}
    sc.get("/v1/connections/c1").mock(return_value=httpx.Response(200, json=live))
    result = p.read("c1", {**OAUTH_INPUTS, "ref": "c1"})
    assert result.id == "c1"
    assert result.inputs is not None and result.inputs["client_secret"] == "s3cret-unit-1"
    assert result.outs["revision"] == 2
    sc.get("/v1/connections/c1").mock(return_value=httpx.Response(200, json={**live, "archived": True}))
    assert p.read("c1", OAUTH_INPUTS).id == ""
    sc.get("/v1/connections/c1").mock(return_value=httpx.Response(404, json={"message": "not found"}))
    assert p.read("c1", OAUTH_INPUTS).id == ""


def _paged(items: list[dict[str, Any]]) -> Any:
    def handler(request: httpx.Request) -> httpx.Response:
        size, offset = int(request.url.params["pageSize"]), int(request.url.params["pageOffset"])
        return httpx.Response(200, json={"items": items[offset:offset + size], "total": len(items)})
    return handler


def test_create_adopts_an_archived_twin_found_on_a_later_page(sc: respx.MockRouter) -> None:
    others = [{"ref": f"d{i}", "name": f"m{i}", "archived": False} for i in range(150)]
    twin = {"ref": "twin", "name": "Offers", "status": "ARCHIVED", "archived": True, "revision": 7}
    listing = sc.get("/v1/decision-models").mock(side_effect=_paged([*others, twin]))
    put = sc.put("/v1/decision-models/twin").mock(
        return_value=httpx.Response(200, json={**twin, "archived": False, "status": "DRAFT", "revision": 8}))
    post = sc.post("/v1/decision-models")
    result = provider(DECISION_MODEL).create({"name": "Offers", "status": "DRAFT", "__provider": "x"})
    assert result.id == "twin" and result.outs is not None and result.outs["revision"] == 8
    assert len(listing.calls) == 2  # walked past the first page of 100
    assert json.loads(put.calls[0].request.content)["archived"] is False
    assert not post.called


def test_create_refuses_a_live_twin_and_says_how_to_adopt(sc: respx.MockRouter) -> None:
    sc.get("/v1/flow-definitions").mock(side_effect=_paged(
        [{"ref": "f9", "name": "Hero", "type": "WEB", "status": "ACTIVE", "archived": False},
         {"ref": "f8", "name": "Hero", "type": "API", "status": "ACTIVE", "archived": False}]))
    post = sc.post("/v1/flow-definitions")
    with pytest.raises(ResourceOperationError, match=r"adopt_ref='f9'"):
        provider(FLOW_DEFINITION).create({"name": "Hero", "type": "WEB"})
    assert not post.called


def test_verify_failure_archives_the_new_connection(sc: respx.MockRouter) -> None:
    sc.get("/v1/connections").mock(side_effect=_paged([]))
    created = {"ref": "c1", "name": "w", "connectionUrl": "https://w.example.com", "requestType": "GET"}
    sc.post("/v1/connections").mock(return_value=httpx.Response(201, json=created))
    sc.post("/v1/connections/c1/test").mock(return_value=httpx.Response(
        200, json={"success": False, "statusCode": 401, "message": "External system said 401 Unauthorized"}))
    sc.get("/v1/connections/c1").mock(return_value=httpx.Response(200, json=created))
    archive = sc.put("/v1/connections/c1").mock(return_value=httpx.Response(200, json={**created, "archived": True}))
    with pytest.raises(ResourceOperationError) as failure:
        provider(CONNECTION).create({**OAUTH_INPUTS, "verify": True})
    assert "External system said 401 Unauthorized" in str(failure.value)
    assert "ref c1) was archived" in str(failure.value)
    assert json.loads(archive.calls[0].request.content)["archived"] is True


def test_delete_archives_or_drops_with_a_warning(sc: respx.MockRouter, capsys: pytest.CaptureFixture[str]) -> None:
    live = {"ref": "f1", "name": "Hero", "type": "WEB", "status": "ACTIVE"}
    sc.get("/v1/flow-definitions/f1").mock(return_value=httpx.Response(200, json=live))
    put = sc.put("/v1/flow-definitions/f1").mock(return_value=httpx.Response(200, json={**live, "archived": True}))
    provider(FLOW_DEFINITION).delete("f1", {"name": "Hero"})
    assert json.loads(put.calls[0].request.content)["archived"] is True

    provider(TEMPLATE).delete("t1", {"name": "Banner"})  # no HTTP call at all
    assert "Template 'Banner' (ref t1) was removed from the Pulumi state" in capsys.readouterr().err


def test_the_pickled_provider_holds_no_configuration() -> None:
    import dill  # what pulumi.dynamic uses to put the provider into state

    p = provider(CONNECTION)
    p._client({})  # build a client so that there is run-time state to leak
    text = dill.dumps(p)
    assert b"static-token-unit" not in text
    assert dill.loads(text).spec_name == CONNECTION.name


def test_verify_failure_on_update_puts_the_previous_configuration_back(sc: respx.MockRouter) -> None:
    before = {"ref": "c1", "revision": 3, "name": "w", "connectionUrl": "https://w.example.com", "requestType": "GET",
              "auth": {"authType": "OAUTH", "clientId": "id", "clientSecret": "s3cret-unit-1",
                       "accessTokenUrl": "https://w.example.com/t"}}
    sc.get("/v1/connections/c1").mock(return_value=httpx.Response(200, json=before))
    put = sc.put("/v1/connections/c1").mock(side_effect=lambda request: httpx.Response(
        200, json={**json.loads(request.content), "ref": "c1", "revision": 4}))
    sc.post("/v1/connections/c1/test").mock(return_value=httpx.Response(
        200, json={"success": False, "statusCode": 500, "message": "upstream said 500"}))
    with pytest.raises(ResourceOperationError) as failure:
        provider(CONNECTION).update("c1", {}, {**OAUTH_INPUTS, "connection_url": "https://w.example.com/x",
                                               "verify": True})
    assert "upstream said 500" in str(failure.value) and "put back to its previous configuration" in str(failure.value)
    assert "s3cret-unit-1" not in str(failure.value)
    first, second = (json.loads(call.request.content) for call in put.calls)
    assert first["connectionUrl"] == "https://w.example.com/x"
    assert second["connectionUrl"] == "https://w.example.com" and "revision" not in second


def test_adopt_ref_revives_an_archived_object_and_a_twin_of_another_type_is_not_adopted(sc: respx.MockRouter) -> None:
    archived = {"ref": "f1", "name": "Hero", "type": "API", "status": "ARCHIVED", "archived": True}
    sc.get("/v1/flow-definitions/f1").mock(return_value=httpx.Response(200, json=archived))
    put = sc.put("/v1/flow-definitions/f1").mock(
        return_value=httpx.Response(200, json={**archived, "status": "DRAFT", "archived": False}))
    result = provider(FLOW_DEFINITION).create({"name": "Hero", "type": "API", "adopt_ref": "f1"})
    assert result.id == "f1" and json.loads(put.calls[0].request.content)["archived"] is False

    sc.get("/v1/flow-definitions").mock(side_effect=_paged([archived]))
    post = sc.post("/v1/flow-definitions").mock(return_value=httpx.Response(
        201, json={"ref": "f2", "name": "Hero", "type": "WEB", "status": "DRAFT", "archived": False}))
    assert provider(FLOW_DEFINITION).create({"name": "Hero", "type": "WEB"}).id == "f2"
    assert post.called and len(put.calls) == 1
