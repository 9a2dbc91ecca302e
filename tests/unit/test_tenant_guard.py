"""The engine's tenant guard and its "gone only when the collection answers" rule.

Two small specs of this file drive the engine (so the rules are tested apart from any one service's
shapes): ``Widgets`` has a GET by id that answers 404 for a missing object and a DELETE that ignores
a 404, like Contentstack experiences and Sitecore objects; ``Listed`` has no GET by id and is read
from its listing, like Contentstack attributes. respx stands in for the services at the HTTP boundary.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import pytest
import respx
from pydantic import BaseModel

from pulumi_personalize.config import load_contentstack_settings, load_sitecore_settings
from pulumi_personalize.contentstack._wire import new_client as new_contentstack_client
from pulumi_personalize.engine import (
    Found,
    Gone,
    Lookup,
    Removal,
    ResourceOperationError,
    ResourceSpec,
    Unconfirmed,
    register,
)
from pulumi_personalize.errors import ConfigurationError, NotFoundError, TenantMismatchError
from pulumi_personalize.http import ApiClient
from pulumi_personalize.sitecore._wire import new_client as new_sitecore_client
from tests.conftest import ProviderFactory

CS_URL = "https://cs.test"
SC_URL = "https://sc.test"
TOKEN = "cs-authtoken-TENANT-SECRET-1"
SC_TOKEN = "sc-access-token-TENANT-SECRET-2"
SC_SECRET = "sc-client-secret-TENANT-SECRET-3"
CS_CONFIG = {
    "personalize:contentstackBaseUrl": CS_URL,
    "personalize:contentstackProjectUid": "64f0c0ffee0000000000000a",
    "personalize:contentstackAuthtoken": TOKEN,
    "personalize:contentstackRequestsPerSecond": "0",
}
SC_CONFIG = {
    "personalize:sitecoreBaseUrl": SC_URL,
    "personalize:sitecoreAccessToken": SC_TOKEN,
}
CS_TENANT = {"host": "cs.test", "project_uid": "64f0c0ffee0000000000000a"}


class WidgetInputs(BaseModel):
    name: str


class Api:
    def __init__(self, client: ApiClient) -> None:
        self.client = client  # the engine finds the tenant on the ApiClient: no declaration here


def cs_connect(config: Mapping[str, object], namespace: str) -> Api:
    return Api(new_contentstack_client(load_contentstack_settings(config, namespace=namespace, environ={})))


def sc_connect(config: Mapping[str, object], namespace: str) -> Api:
    return Api(new_sitecore_client(load_sitecore_settings(config, namespace=namespace, environ={})))


class Widgets:
    """GET by id (404: absent), DELETE that ignores a 404, a listing."""

    def create(self, api: Api, payload: dict[str, Any], inputs: BaseModel) -> dict[str, Any]:
        body: dict[str, Any] = api.client.post("/widgets", payload)
        return body

    def get(self, api: Api, id_: str) -> Lookup:
        try:
            return Found(api.client.get(f"/widgets/{id_}"))
        except NotFoundError:
            return Unconfirmed(f"GET /widgets/{id_} answered 404")

    def update(self, api: Api, id_: str, payload: dict[str, Any], inputs: BaseModel, live: dict[str, Any]) -> dict[str, Any]:
        body: dict[str, Any] = api.client.put(f"/widgets/{id_}", payload)
        return body

    def delete(self, api: Api, id_: str, props: Mapping[str, Any], live: Any = None) -> Removal:
        try:
            api.client.delete(f"/widgets/{id_}")
        except NotFoundError:  # what most api layers do: "already gone", if the collection answers
            return Unconfirmed(f"DELETE /widgets/{id_} answered 404")
        return Gone()

    def list(self, api: Api) -> list[dict[str, Any]]:
        return api.client.list_all("/widgets")


class Listed(Widgets):
    """No GET by id: read from the listing."""

    def get(self, api: Api, id_: str) -> Lookup:
        found = next((i for i in api.client.list_all("/gadgets") if i.get("uid") == id_), None)
        return Gone() if found is None else Found(found)


def _spec(name: str, endpoints: Any, connect: Any, **extra: Any) -> ResourceSpec[Any]:
    return register(ResourceSpec(
        name=f"tests.{name}", module=__name__, label=name.lower(), inputs=WidgetInputs, connect=connect,
        endpoints=endpoints, outputs=lambda live: {"uid": live.get("uid"), "ref": live.get("ref")},
        output_names=("uid", "ref"), **extra,
    ))


CS_WIDGET = _spec("Widget", Widgets(), cs_connect)
CS_GADGET = _spec("Gadget", Listed(), cs_connect)
SC_WIDGET = _spec("ScWidget", Widgets(), sc_connect, id_of=lambda live: str(live["ref"]), id_name="ref")


def state(tenant: Mapping[str, str] | None = None, **over: Any) -> dict[str, Any]:
    return {"__provider": "x", "name": "w", "tenant": dict(tenant or CS_TENANT), **over}


def failure(call: Any) -> ResourceOperationError:
    with pytest.raises(ResourceOperationError) as raised:
        call()
    return raised.value


def assert_no_credential(*texts: str) -> None:
    for text in texts:
        for secret in (TOKEN, SC_TOKEN, SC_SECRET):
            assert secret not in text


# --- the record --------------------------------------------------------------------------------------


@respx.mock(base_url=CS_URL)
def test_create_and_read_record_the_tenant_and_the_uid_is_the_id_not_an_output(respx_mock: respx.MockRouter,
                                                                               provider: ProviderFactory) -> None:
    respx_mock.post("/widgets").respond(201, json={"uid": "w1", "name": "w"})
    respx_mock.get("/widgets/w1").respond(json={"uid": "w1", "name": "w"})
    p = provider(CS_WIDGET, CS_CONFIG)
    created = p.create({"__provider": "x", "name": "w"})
    assert created.id == "w1"
    assert created.outs == {"name": "w", "tenant": CS_TENANT}
    read = p.read("w1", state())
    assert read.id == "w1" and read.outs == {"name": "w", "tenant": CS_TENANT}
    assert_no_credential(json.dumps(created.outs), json.dumps(read.outs))


@respx.mock(base_url=SC_URL)
def test_a_sitecore_record_holds_the_tenant_key_of_the_live_object(respx_mock: respx.MockRouter,
                                                                   provider: ProviderFactory) -> None:
    respx_mock.post("/widgets").respond(201, json={"ref": "r1", "name": "w", "clientKey": "tenant-key-1"})
    created = provider(SC_WIDGET, SC_CONFIG).create({"__provider": "x", "name": "w"})
    assert created.id == "r1"
    assert created.outs["tenant"] == {"host": "sc.test", "client_key": "tenant-key-1"}
    assert "ref" not in created.outs  # the ref is the id
    assert_no_credential(json.dumps(created.outs))


# --- a provider configured for another tenant --------------------------------------------------------


@respx.mock(base_url=CS_URL, assert_all_called=False)
def test_another_project_fails_read_update_and_delete_before_any_call(respx_mock: respx.MockRouter,
                                                                      provider: ProviderFactory) -> None:
    route = respx_mock.route().respond(json=[])
    p = provider(CS_WIDGET, {**CS_CONFIG, "personalize:contentstackProjectUid": "64f0c0ffee0000000000000b"})
    for error in (failure(lambda: p.read("w1", state())),
                  failure(lambda: p.update("w1", state(), {"__provider": "x", "name": "w2"})),
                  failure(lambda: p.delete("w1", state()))):
        text = str(error)
        assert isinstance(error.cause, TenantMismatchError)
        assert "project 64f0c0ffee0000000000000a" in text and "project 64f0c0ffee0000000000000b" in text
        assert "check personalize:contentstackProjectUid" in text
        assert "personalize:allowTenantChange=true" in text and "nothing was dropped" in text
        assert_no_credential(text)
    assert not route.called


@respx.mock(assert_all_called=False)
def test_another_region_or_base_url_fails_naming_the_location_settings(respx_mock: respx.MockRouter,
                                                                       provider: ProviderFactory) -> None:
    route = respx_mock.route().respond(json=[])
    config = {k: v for k, v in CS_CONFIG.items() if k != "personalize:contentstackBaseUrl"}
    p = provider(CS_WIDGET, {**config, "personalize:contentstackRegion": "eu"})
    text = str(failure(lambda: p.read("w1", state())))
    assert "host cs.test" in text and "host eu-personalize-api.contentstack.com (region eu)" in text
    assert ("check personalize:contentstackRegion, personalize:contentstackBaseUrl or personalize:baseUrl"
            in text)
    assert not route.called


@respx.mock(base_url=CS_URL)
def test_allow_tenant_change_is_the_explicit_step_that_moves_a_resource(respx_mock: respx.MockRouter,
                                                                        provider: ProviderFactory) -> None:
    respx_mock.get("/widgets/w1").respond(json={"uid": "w1", "name": "w"})
    p = provider(CS_WIDGET, {**CS_CONFIG, "personalize:contentstackProjectUid": "64f0c0ffee0000000000000b",
                             "personalize:allowTenantChange": "true"})
    read = p.read("w1", state())
    assert read.id == "w1" and read.outs["tenant"] == {**CS_TENANT, "project_uid": "64f0c0ffee0000000000000b"}


@respx.mock(base_url=CS_URL)
def test_a_resource_without_a_record_is_read_and_gets_one(respx_mock: respx.MockRouter,
                                                          provider: ProviderFactory) -> None:
    respx_mock.get("/widgets/w1").respond(json={"uid": "w1", "name": "w"})
    read = provider(CS_WIDGET, CS_CONFIG).read("w1", {"__provider": "x", "name": "w"})
    assert read.outs["tenant"] == CS_TENANT


# --- gone, or not reachable ----------------------------------------------------------------------------


@respx.mock(base_url=CS_URL)
def test_a_404_is_gone_when_the_collection_answers_without_the_object(respx_mock: respx.MockRouter,
                                                                      provider: ProviderFactory) -> None:
    respx_mock.get("/widgets/w1").respond(404, json={"message": "Experience not found"})
    listing = respx_mock.get("/widgets").respond(json=[{"uid": "other", "name": "x"}])
    assert provider(CS_WIDGET, CS_CONFIG).read("w1", state()).id == ""
    assert listing.called


@respx.mock(base_url=CS_URL)
def test_a_404_for_an_object_the_collection_still_lists_is_not_a_deletion(respx_mock: respx.MockRouter,
                                                                          provider: ProviderFactory) -> None:
    respx_mock.get("/widgets/w1").respond(404, json={"message": "Cannot GET /widgets/w1"})
    respx_mock.get("/widgets").respond(json=[{"uid": "w1", "name": "w"}])
    text = str(failure(lambda: provider(CS_WIDGET, CS_CONFIG).read("w1", state())))
    assert "answered 404 for this widget but still lists it" in text and "nothing was dropped" in text


@respx.mock(base_url=CS_URL)
def test_a_listing_without_the_object_is_gone_without_a_second_call(respx_mock: respx.MockRouter,
                                                                    provider: ProviderFactory) -> None:
    listing = respx_mock.get("/gadgets").respond(json=[])
    assert provider(CS_GADGET, CS_CONFIG).read("g1", state()).id == ""
    assert listing.call_count == 1


@respx.mock(base_url=CS_URL)
def test_a_404_on_the_collection_too_fails_the_read_and_names_project_and_location(respx_mock: respx.MockRouter,
                                                                                   provider: ProviderFactory) -> None:
    respx_mock.get("/widgets/w1").respond(404, json={"message": "Cannot GET /widgets/w1"})
    respx_mock.get("/widgets").respond(404, json={"message": "Cannot GET /widgets"})
    error = failure(lambda: provider(CS_WIDGET, CS_CONFIG).read("w1", state()))
    text = str(error)
    assert isinstance(error.cause, ConfigurationError) and error.status == 404
    assert "the widget collection does not answer at Contentstack project 64f0c0ffee0000000000000a at host cs.test" in text
    assert "check personalize:contentstackProjectUid, personalize:contentstackRegion" in text
    assert "nothing was dropped from the state" in text


@pytest.mark.parametrize("status", [401, 403])
@respx.mock(base_url=CS_URL)
def test_refused_credentials_on_a_listing_fail_the_read_and_name_the_credential_settings(
    respx_mock: respx.MockRouter, status: int, provider: ProviderFactory
) -> None:
    respx_mock.get("/gadgets").respond(status, json={"message": f"Forbidden for token {TOKEN}"})
    error = failure(lambda: provider(CS_GADGET, CS_CONFIG).read("g1", state()))
    text = str(error)
    assert isinstance(error.cause, ConfigurationError) and error.status == status
    assert f"Contentstack refused the credentials (HTTP {status})" in text
    assert "check personalize:contentstackAuthtoken / personalize:contentstackOauthToken" in text
    assert_no_credential(text)


@respx.mock(base_url=CS_URL)
def test_refused_credentials_on_the_probe_fail_the_read(respx_mock: respx.MockRouter,
                                                        provider: ProviderFactory) -> None:
    respx_mock.get("/widgets/w1").respond(404)
    respx_mock.get("/widgets").respond(401, json={"message": "The authtoken or OAuth token is invalid"})
    text = str(failure(lambda: provider(CS_WIDGET, CS_CONFIG).read("w1", state())))
    assert "refused the credentials (HTTP 401)" in text


@respx.mock(base_url=CS_URL)
def test_a_delete_answered_404_succeeds_only_when_the_collection_answers(respx_mock: respx.MockRouter,
                                                                         provider: ProviderFactory) -> None:
    respx_mock.delete("/widgets/w1").respond(404, json={"message": "not found"})
    listing = respx_mock.get("/widgets").respond(json=[])
    provider(CS_WIDGET, CS_CONFIG).delete("w1", state())  # the api layer answered Unconfirmed: the engine asks
    assert listing.called
    listing.respond(404, json={"message": "Cannot GET /widgets"})
    text = str(failure(lambda: provider(CS_WIDGET, CS_CONFIG).delete("w1", state())))
    assert "does not answer" in text and "the resource stays in the state" in text


@respx.mock(base_url=CS_URL)
def test_an_update_of_an_object_whose_collection_does_not_answer_says_which_settings(
    respx_mock: respx.MockRouter, provider: ProviderFactory) -> None:
    respx_mock.get("/widgets/w1").respond(404)
    respx_mock.get("/widgets").respond(404)
    text = str(failure(lambda: provider(CS_WIDGET, CS_CONFIG).update("w1", state(), {"__provider": "x", "name": "n"})))
    assert "does not answer" in text and "nothing was changed" in text


# --- Sitecore: the tenant key -------------------------------------------------------------------------


SC_TENANT = {"host": "sc.test", "client_key": "tenant-key-1"}


@respx.mock(base_url=SC_URL)
def test_objects_of_another_tenant_key_in_the_collection_fail_the_read(respx_mock: respx.MockRouter,
                                                                       provider: ProviderFactory) -> None:
    respx_mock.get("/widgets/r1").respond(404)
    respx_mock.get("/widgets").respond(json={"items": [{"ref": "x", "name": "x", "clientKey": "tenant-key-2"}]})
    error = failure(lambda: provider(SC_WIDGET, SC_CONFIG).read("r1", state(SC_TENANT)))
    text = str(error)
    assert isinstance(error.cause, TenantMismatchError)
    assert "client key tenant-key-1" in text and "client key tenant-key-2" in text
    assert "check personalize:sitecoreClientId + personalize:sitecoreClientSecret" in text
    assert_no_credential(text)


@respx.mock(base_url=SC_URL)
def test_a_404_in_the_recorded_tenant_is_gone(respx_mock: respx.MockRouter,
                                              provider: ProviderFactory) -> None:
    respx_mock.get("/widgets/r1").respond(404)
    respx_mock.get("/widgets").respond(json={"items": [{"ref": "x", "name": "x", "clientKey": "tenant-key-1"}]})
    assert provider(SC_WIDGET, SC_CONFIG).read("r1", state(SC_TENANT)).id == ""


def _client_credentials(client_id: str) -> dict[str, str]:
    return {"personalize:sitecoreBaseUrl": SC_URL, "personalize:sitecoreTokenUrl": f"{SC_URL}/oauth/token",
            "personalize:sitecoreClientId": client_id, "personalize:sitecoreClientSecret": SC_SECRET}


@respx.mock(base_url=SC_URL)
def test_a_new_api_key_of_the_same_tenant_reads_on_and_another_one_is_not_taken_for_gone(
    respx_mock: respx.MockRouter, provider: ProviderFactory) -> None:
    respx_mock.post("/oauth/token").respond(json={"access_token": "sc-fetched-token-0001", "expires_in": 900})
    recorded = {"service": "sitecore", "host": "sc.test", "client_id": "old-key", "client_key": "tenant-key-1"}
    respx_mock.get("/widgets/r1").respond(json={"ref": "r1", "name": "w", "clientKey": "tenant-key-1"})
    read = provider(SC_WIDGET, _client_credentials("new-key")).read("r1", state(recorded))
    assert read.id == "r1" and read.outs["tenant"]["client_id"] == "new-key"

    # no tenant key to compare (an empty collection): the other client id is not proof of a delete
    respx_mock.get("/widgets/r1").respond(404)
    respx_mock.get("/widgets").respond(json={"items": []})
    without_key = {k: v for k, v in recorded.items() if k != "client_key"}
    text = str(failure(lambda: provider(SC_WIDGET, _client_credentials("new-key")).read("r1", state(without_key))))
    assert "client id old-key" in text and "client id new-key" in text
    assert_no_credential(text)
    assert provider(SC_WIDGET, _client_credentials("old-key")).read("r1", state(without_key)).id == ""



# --- a 404 the api layer raises instead of answering Unconfirmed -----------------------------------


class Raising(Widgets):
    """A DELETE that lets the 404 through: the engine takes it as Unconfirmed."""

    def delete(self, api: Api, id_: str, props: Mapping[str, Any], live: Any = None) -> Removal:
        api.client.delete(f"/widgets/{id_}")
        return Gone()


CS_RAISING = _spec("Raising", Raising(), cs_connect)


@respx.mock(base_url=CS_URL)
def test_a_raised_404_on_delete_is_confirmed_like_an_unconfirmed_answer(respx_mock: respx.MockRouter,
                                                                         provider: ProviderFactory) -> None:
    respx_mock.delete("/widgets/w1").respond(404, json={"message": "not found"})
    listing = respx_mock.get("/widgets").respond(json=[])
    provider(CS_RAISING, CS_CONFIG).delete("w1", state())
    assert listing.call_count == 1
    listing.respond(404, json={"message": "Cannot GET /widgets"})
    text = str(failure(lambda: provider(CS_RAISING, CS_CONFIG).delete("w1", state())))
    assert "does not answer" in text and "the resource stays in the state" in text


@respx.mock(base_url=CS_URL, assert_all_called=False)
def test_a_delete_that_answers_gone_asks_nothing_more(respx_mock: respx.MockRouter, provider: ProviderFactory) -> None:
    respx_mock.delete("/widgets/w1").respond(204)
    listing = respx_mock.get("/widgets").respond(json=[])
    provider(CS_WIDGET, CS_CONFIG).delete("w1", state())
    assert not listing.called
