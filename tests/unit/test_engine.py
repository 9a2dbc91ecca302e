"""The generic engine's check / diff / read / create / update / delete semantics.

Concrete Contentstack specs drive it; respx stands in for the service at the HTTP boundary only.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Mapping
from typing import Any

import dill
import pulumi
import pytest
import respx
from pulumi.output import _OutputData
from pydantic import BaseModel

from pulumi_personalize.contentstack import rules
from pulumi_personalize.contentstack.resources import ATTRIBUTE, AUDIENCE, EVENT, EXPERIENCE
from pulumi_personalize.engine import (
    UNKNOWN,
    EngineProvider,
    Found,
    Gone,
    Lookup,
    Removal,
    ResourceOperationError,
    ResourceSpec,
    default_to_wire,
    plain,
    register,
    resolve_outputs,
)
from pulumi_personalize.errors import ServerError, TransportError
from tests.conftest import ProviderFactory

URL = "https://cs.test"
TOKEN = "cs-authtoken-SECRET-xyz"
CONFIG = {
    "personalize:contentstackBaseUrl": URL,
    "personalize:contentstackProjectUid": "project-1",
    "personalize:contentstackAuthtoken": TOKEN,
    "personalize:contentstackRequestsPerSecond": "0",
}
TENANT = {"host": "cs.test", "project_uid": "project-1"}


@pytest.fixture
def provider_config() -> Mapping[str, str]:
    """This module's stack configuration for ``provider`` (its values are asserted below)."""
    return CONFIG


def attribute(uid: str = "a1", **over: Any) -> dict[str, Any]:
    return {"uid": uid, "name": "Spend", "key": "spend", "__type": "CUSTOM",
            "created_at": "2024-01-01T00:00:00Z", **over}


def checked(p: EngineProvider, news: dict[str, Any]) -> dict[str, Any]:
    result = p.check({}, {"__provider": "serialized", **news})
    assert result.failures == [], [(f.property, f.reason) for f in result.failures]
    return dict(result.inputs)


def unknown_output() -> pulumi.Output[Any]:
    future: asyncio.Future[Any] = asyncio.new_event_loop().create_future()
    future.set_result(_OutputData(resources=set(), value=None, is_known=False, is_secret=False))
    return pulumi.Output._from_data(future)


# --- check -------------------------------------------------------------------------------------------


def test_check_strips_internal_keys_and_applies_defaults(provider: ProviderFactory) -> None:
    inputs = checked(provider(ATTRIBUTE), {"name": "Spend", "key": "spend", "description": ""})
    assert inputs == {"name": "Spend", "key": "spend"}  # "" == absent


def test_check_reports_one_failure_per_field_with_the_field_named(provider: ProviderFactory) -> None:
    result = provider(ATTRIBUTE).check({}, {"__provider": "x", "name": "", "key": "has space",
                                             "colour": "red"})
    failures = {f.property: f.reason for f in result.failures}
    assert set(failures) == {"name", "key", "colour"}
    assert failures["colour"].startswith("colour is not an argument of attribute")


def test_check_skips_unknowns_top_level_and_nested_but_still_rejects_known_mistakes(provider: ProviderFactory) -> None:
    p = provider(AUDIENCE)
    definition = plain(rules.all_of(
        rules.Rule(rules.custom(UNKNOWN), "NUMBER_GREATER_THAN", rules.NumberMatch(UNKNOWN)),  # type: ignore[arg-type]
        rules.Rule(rules.preset("COUNTRY"), "STRING_EQUALS", rules.StringMatch("US")),
    ))
    definition["rules"][0]["attribute"]["ref"] = unknown_output()  # how the host hands nested unknowns over
    assert checked(p, {"name": UNKNOWN, "definition": definition})["name"] == UNKNOWN

    bad = plain(rules.all_of(rules.Rule(rules.custom(unknown_output()), "NUMBER_GREATER_THAN",
                                        rules.StringMatch("1000"))))
    result = p.check({}, {"name": "Bad", "definition": bad})
    [failure] = result.failures
    assert failure.property == "definition"
    assert "definition.rules[0]" in failure.reason and "does not fit StringMatchOptions" in failure.reason


def test_check_rejects_a_json_match_whose_inner_condition_does_not_fit(provider: ProviderFactory) -> None:
    bad = plain(rules.all_of(rules.Rule(rules.preset("QUERY_PARAMETERS"), "JSON_MATCH",
                                        rules.JsonMatch("/utm", "NUMBER_EQUALS", rules.StringMatch("x")))))
    [failure] = provider(AUDIENCE).check({}, {"name": "A", "definition": bad}).failures
    assert "'NUMBER_EQUALS' does not fit StringMatchOptions" in failure.reason


def test_check_validates_engine_arguments(provider: ProviderFactory) -> None:
    result = provider(ATTRIBUTE).check({}, {"name": "A", "key": "a", "config_namespace": "bad namespace!",
                                            "adopt_existing": "yes"})
    assert {f.property for f in result.failures} == {"config_namespace", "adopt_existing"}


# --- diff ---------------------------------------------------------------------------------------------


def test_diff_compares_inputs_inside_outputs_with_none_and_absent_alike(provider: ProviderFactory) -> None:
    p = provider(ATTRIBUTE)
    news = checked(p, {"name": "Spend", "key": "spend", "description": None})
    olds = {**news, "uid": "a1", "__provider": "x"}
    assert p.diff("a1", olds, news).changes is False
    changed = p.diff("a1", olds, {**news, "name": "Other"})
    assert changed.changes is True and changed.replaces == []


def test_diff_counts_unknowns_as_changes_and_lists_replacements(provider: ProviderFactory) -> None:
    p = provider(EXPERIENCE)
    news = checked(p, {"name": "E"})
    olds = {**news, "uid": "e1"}
    assert p.diff("e1", olds, {**news, "name": UNKNOWN}).changes is True
    replaced = p.diff("e1", olds, checked(p, {"name": "E", "type": "AB_TEST"}))
    assert replaced.changes is True and replaced.replaces == ["type"]
    moved = p.diff("e1", olds, {**news, "config_namespace": "acme-eu"})
    assert moved.replaces == ["config_namespace"]
    # adopt_uid only matters at create
    assert p.diff("e1", olds, {**news, "adopt_uid": "x"}).changes is False


def test_diff_ignores_the_order_of_audiences_in_a_variant(provider: ProviderFactory) -> None:
    p = provider(EXPERIENCE)
    one = checked(p, {"name": "E", "variants": [{"name": "v", "audiences": ["b", "a"]}]})
    two = checked(p, {"name": "E", "variants": [{"name": "v", "audiences": ["a", "b"]}]})
    assert p.diff("e1", {**one, "uid": "e1"}, two).changes is False


# --- read ----------------------------------------------------------------------------------------------


@respx.mock(base_url=URL, assert_all_called=False)
def test_read_gone_returns_an_empty_id(respx_mock: respx.MockRouter, provider: ProviderFactory) -> None:
    respx_mock.get("/attributes").respond(json={"data": [attribute("other")]})
    result = provider(ATTRIBUTE).read("a1", {"__provider": "x", "name": "Spend", "key": "spend", "uid": "a1"})
    assert result.id == "" and result.outs == {}


@respx.mock(base_url=URL)
def test_read_returns_inputs_that_diff_clean_against_the_program(respx_mock: respx.MockRouter,
                                                                 provider: ProviderFactory) -> None:
    respx_mock.get("/attributes").respond(json={"data": [attribute(description="d")]})
    p = provider(ATTRIBUTE)
    news = checked(p, {"name": "Spend", "key": "spend", "description": "d"})
    result = p.read("a1", {**news, "uid": "a1", "__provider": "x"})
    assert result.id == "a1"
    assert result.inputs == news
    assert result.outs == {**news, "tenant": TENANT}
    assert p.diff("a1", result.outs, news).changes is False


@respx.mock(base_url=URL)
def test_read_finds_an_out_of_band_edit(respx_mock: respx.MockRouter, provider: ProviderFactory) -> None:
    respx_mock.get("/attributes").respond(json={"data": [attribute(name="Edited by hand")]})
    p = provider(ATTRIBUTE)
    news = checked(p, {"name": "Spend", "key": "spend"})
    result = p.read("a1", {**news, "uid": "a1"})
    assert result.outs["name"] == "Edited by hand"
    assert p.diff("a1", result.outs, news).changes is True


@respx.mock(base_url=URL)
def test_a_burst_of_reads_on_four_threads_lists_once(respx_mock: respx.MockRouter,
                                                     provider: ProviderFactory) -> None:
    items = [attribute(f"a{i}", key=f"k{i}") for i in range(40)]
    route = respx_mock.get("/attributes").respond(json={"data": items})
    p = provider(ATTRIBUTE)
    results: dict[str, str] = {}

    def read(i: int) -> None:
        results[f"a{i}"] = p.read(f"a{i}", {"name": "Spend", "key": f"k{i}"}).id or ""

    threads = [threading.Thread(target=read, args=(i,)) for i in range(40)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == {f"a{i}": f"a{i}" for i in range(40)}
    assert route.call_count == 1


@respx.mock(base_url=URL)
def test_a_write_invalidates_the_shared_listing(respx_mock: respx.MockRouter,
                                                provider: ProviderFactory) -> None:
    listing = respx_mock.get("/attributes").respond(json={"data": [attribute()]})
    respx_mock.put("/attributes/a1").respond(json=attribute(name="New"))
    p = provider(ATTRIBUTE)
    props = checked(p, {"name": "New", "key": "spend"})
    p.read("a1", props)
    p.update("a1", {}, props)  # lists (cached), PUTs, invalidates
    p.read("a1", props)
    assert listing.call_count == 2


# --- create / update / delete -----------------------------------------------------------------------------


@respx.mock(base_url=URL)
def test_create_posts_wire_names_and_returns_inputs_plus_computed(respx_mock: respx.MockRouter,
                                                                  provider: ProviderFactory) -> None:
    route = respx_mock.post("/attributes").respond(201, json=attribute())
    p = provider(ATTRIBUTE)
    news = checked(p, {"name": "Spend", "key": "spend"})
    result = p.create({**news, "__provider": "x"})
    assert result.id == "a1"
    assert result.outs == {**news, "tenant": TENANT}  # the uid is the id, not an output
    request = route.calls.last.request
    assert json.loads(request.content) == {"key": "spend", "name": "Spend", "description": ""}
    assert request.headers["authtoken"] == TOKEN and request.headers["x-project-uid"] == "project-1"


@respx.mock(base_url=URL)
def test_update_puts_the_managed_fields_never_the_live_objects_others(respx_mock: respx.MockRouter,
                                                                      provider: ProviderFactory) -> None:
    live = attribute(description="old", owner="someone")  # owner: a field we do not manage
    respx_mock.get("/attributes").respond(json={"data": [live]})
    put = respx_mock.put("/attributes/a1").respond(json=attribute(name="New", owner="someone"))
    p = provider(ATTRIBUTE)
    news = checked(p, {"name": "New", "key": "spend"})
    result = p.update("a1", {}, {**news, "__provider": "x"})
    assert json.loads(put.calls.last.request.content) == {
        "key": "spend", "name": "New", "description": "",  # Contentstack: managed fields only, never "owner"
    }
    assert result.outs == {**news, "tenant": TENANT}  # full outs, never None


@respx.mock(base_url=URL)
def test_update_of_an_object_gone_meanwhile_says_to_refresh(respx_mock: respx.MockRouter,
                                                            provider: ProviderFactory) -> None:
    respx_mock.get("/attributes").respond(json={"data": []})
    p = provider(ATTRIBUTE)
    with pytest.raises(ResourceOperationError, match=r"update attribute 'Spend' \(uid a1\) failed: .*pulumi refresh"):
        p.update("a1", {}, checked(p, {"name": "Spend", "key": "spend"}))


@respx.mock(base_url=URL)
def test_delete_tolerates_404_when_the_collection_answers(respx_mock: respx.MockRouter,
                                                          provider: ProviderFactory) -> None:
    route = respx_mock.delete("/events/e1").respond(404, json={"message": "Event with uid e1 was not found"})
    listing = respx_mock.get("/events").respond(json=[])
    provider(EVENT).delete("e1", {"__provider": "x", "key": "k", "name": "k"})
    assert route.called and listing.called  # the 404 counted as "gone" only once the collection answered


@respx.mock(base_url=URL)
def test_errors_name_the_resource_and_operation_and_never_the_token(respx_mock: respx.MockRouter,
                                                                    provider: ProviderFactory) -> None:
    respx_mock.post("/attributes").respond(400, json={"message": f"bad request with token {TOKEN}"})
    respx_mock.get("/attributes").respond(json={"data": []})
    p = provider(ATTRIBUTE)
    with pytest.raises(ResourceOperationError) as failure:
        p.create(checked(p, {"name": "Spend", "key": "spend"}))
    text = str(failure.value)
    assert text.startswith("create attribute 'Spend' failed:")
    assert failure.value.status == 400
    assert TOKEN not in text and TOKEN not in repr(failure.value)
    assert failure.value.__suppress_context__  # no chained text


# --- adoption ------------------------------------------------------------------------------------------------


@respx.mock(base_url=URL, assert_all_called=False)
def test_adopt_uid_takes_over_the_existing_object(respx_mock: respx.MockRouter,
                                                  provider: ProviderFactory) -> None:
    respx_mock.get("/attributes").respond(json={"data": [attribute("a9", name="By hand")]})
    post = respx_mock.post("/attributes")
    put = respx_mock.put("/attributes/a9").respond(json=attribute("a9"))
    p = provider(ATTRIBUTE)
    result = p.create(checked(p, {"name": "Spend", "key": "spend", "adopt_uid": "a9"}))
    assert result.id == "a9" and not post.called and put.called
    assert result.outs["adopt_uid"] == "a9"


@respx.mock(base_url=URL)
def test_a_missing_adoption_target_is_a_clear_error(respx_mock: respx.MockRouter,
                                                    provider: ProviderFactory) -> None:
    respx_mock.get("/attributes").respond(json={"data": []})
    p = provider(ATTRIBUTE)
    with pytest.raises(ResourceOperationError, match="adopt_uid='nope': no attribute with this uid exists"):
        p.create(checked(p, {"name": "Spend", "key": "spend", "adopt_uid": "nope"}))


@respx.mock(base_url=URL)
def test_adopt_existing_matches_by_key_and_refuses_an_immutable_mismatch(respx_mock: respx.MockRouter,
                                                                         provider: ProviderFactory) -> None:
    respx_mock.get("/experiences").respond(json={"data": [{"uid": "x1", "name": "E", "__type": "AB_TEST"}]})
    p = provider(EXPERIENCE)
    with pytest.raises(ResourceOperationError, match="has type 'AB_TEST', the program says 'SEGMENTED'"):
        p.create(checked(p, {"name": "E", "adopt_existing": True}))


# --- soft-deleted objects and twins (is_deleted, claim_twins), on an in-memory service ----------------


class Widget(BaseModel):
    name: str
    kind: str = "A"


class Shelf:
    """A service that keeps what it deletes (``retired``) and accepts duplicate names."""

    def __init__(self, *items: dict[str, Any]) -> None:
        self.items = {str(i["id"]): dict(i) for i in items}
        self.posted: list[dict[str, Any]] = []
        self.listings = 0
        # Faults for the next creates: "before" (refused, nothing made) or "after" (made, answer lost).
        self.create_faults: list[str] = []

    def create(self, shelf: Shelf, payload: dict[str, Any], inputs: BaseModel) -> dict[str, Any]:
        fault = shelf.create_faults.pop(0) if shelf.create_faults else None
        if fault == "before":
            raise ServerError("POST /widgets answered 500", status=500, method="POST", path="/widgets")
        item = {**payload, "id": f"w{len(shelf.items) + 1}", "retired": False}
        shelf.posted.append(item)
        shelf.items[item["id"]] = item
        if fault == "after":
            raise TransportError("POST /widgets failed: ReadTimeout", method="POST", path="/widgets")
        return item

    def get(self, shelf: Shelf, id_: str) -> Lookup:
        found = shelf.items.get(id_)
        return Gone() if found is None else Found(found)

    def update(self, shelf: Shelf, id_: str, payload: dict[str, Any], inputs: BaseModel,
               live: dict[str, Any]) -> dict[str, Any]:
        shelf.items[id_] = {**payload, "id": id_, "retired": False}  # an update revives
        return shelf.items[id_]

    def delete(self, shelf: Shelf, id_: str, props: Any, live: Any = None) -> Removal:
        shelf.items[id_]["retired"] = True
        return Gone()

    def list(self, shelf: Shelf) -> list[dict[str, Any]]:
        shelf.listings += 1
        return list(shelf.items.values())


WIDGET: ResourceSpec[Shelf] = register(ResourceSpec(
    name="test.Widget", module=__name__, label="widget", inputs=Widget,
    connect=lambda config, namespace: SHELF[0], endpoints=Shelf(), outputs=lambda live: {"id": live.get("id")},
    output_names=("id",), id_of=lambda live: str(live["id"]), id_name="id", replace_on=("kind",),
    natural_key="name", is_deleted=lambda live: bool(live.get("retired")), claim_twins=True,
    to_wire=lambda inputs, live, spec: {k: v for k, v in default_to_wire(inputs, live, spec).items()
                                        if k not in ("id", "retired")},
))
SHELF: list[Shelf] = [Shelf()]


def widgets(*items: dict[str, Any]) -> EngineProvider:
    SHELF[0] = Shelf(*items)
    return EngineProvider(WIDGET.name, WIDGET.module)


def test_a_soft_deleted_object_reads_as_gone() -> None:
    p = widgets({"id": "w1", "name": "a", "kind": "A", "retired": True})
    assert p.read("w1", {"name": "a"}).id == ""


def test_create_revives_a_deleted_twin_of_the_same_kind_and_ignores_other_kinds() -> None:
    p = widgets({"id": "w1", "name": "a", "kind": "B", "retired": True},
                {"id": "w2", "name": "a", "kind": "A", "retired": True})
    result = p.create({"name": "a", "kind": "A"})
    assert result.id == "w2" and SHELF[0].items["w2"]["retired"] is False and not SHELF[0].posted
    # a replace on a kind change: the old live object (kind A) is not a twin, the deleted B is taken
    p.create({"name": "a", "kind": "B"})
    assert SHELF[0].items["w1"]["retired"] is False and not SHELF[0].posted
    assert p.create({"name": "a", "kind": "C"}).id == "w3"  # no twin of kind C: a new one


def test_a_burst_of_creates_lists_once_for_the_twin_check() -> None:
    # Sitecore lists are paginated: listing before every create made N creates cost N full listings.
    p = widgets()
    for i in range(20):
        p.create({"name": f"w-{i}", "kind": "A"})
    assert len(SHELF[0].posted) == 20
    assert SHELF[0].listings == 1


def test_a_create_whose_answer_was_lost_is_found_not_duplicated() -> None:
    p = widgets()
    SHELF[0].create_faults = ["after"]
    result = p.create({"name": "a", "kind": "A"})
    assert len(SHELF[0].posted) == 1 and result.id == SHELF[0].posted[0]["id"]


def test_a_create_refused_by_a_server_error_is_posted_again() -> None:
    p = widgets()
    SHELF[0].create_faults = ["before", "before"]
    assert p.create({"name": "a", "kind": "A"}).id == "w1"
    assert len(SHELF[0].posted) == 1


def test_a_create_that_keeps_failing_surfaces_the_error() -> None:
    p = widgets()
    SHELF[0].create_faults = ["before"] * 10
    with pytest.raises(ResourceOperationError, match="answered 500"):
        p.create({"name": "a", "kind": "A"})
    assert SHELF[0].posted == []


def test_create_refuses_a_live_twin_and_names_the_adoption() -> None:
    p = widgets({"id": "w1", "name": "a", "kind": "A"})
    with pytest.raises(ResourceOperationError) as failure:
        p.create({"name": "a"})
    assert "A widget with name 'a' already exists (id w1)" in str(failure.value)
    assert "set adopt_id='w1' (or adopt_existing=True)" in str(failure.value)
    assert not SHELF[0].posted
    assert p.create({"name": "a", "adopt_existing": True}).id == "w1"


def test_adoption_by_id_revives_a_deleted_object_and_prefers_live_namesakes() -> None:
    p = widgets({"id": "w1", "name": "a", "kind": "A", "retired": True}, {"id": "w2", "name": "a", "kind": "A"})
    assert p.create({"name": "a", "adopt_id": "w1"}).id == "w1"
    assert SHELF[0].items["w1"]["retired"] is False
    SHELF[0].items["w1"]["retired"] = True
    assert p.create({"name": "a", "adopt_existing": True}).id == "w2"  # the deleted namesake is no rival


def test_claim_twins_needs_a_natural_key() -> None:
    with pytest.raises(ValueError, match="claim_twins needs a natural_key"):
        ResourceSpec(name="test.Bad", module=__name__, label="bad", inputs=Widget, connect=lambda c, n: SHELF[0],
                     endpoints=Shelf(), outputs=dict, output_names=(), claim_twins=True)


# --- provider object and configuration ------------------------------------------------------------------------


def test_the_pickled_provider_holds_no_configuration(provider: ProviderFactory) -> None:
    p = provider(ATTRIBUTE)
    p._client({})  # a client and settings now exist on the instance
    blob = dill.dumps(p, recurse=True)
    assert TOKEN.encode() not in blob and b"cs.test" not in blob
    clone = dill.loads(blob)
    assert clone.__dict__ == {"spec_name": "contentstack.Attribute", "spec_module": ATTRIBUTE.module}


# What the SDK wrote into every resource's ``__provider`` before ``EngineProvider.__reduce__``: the
# class by name and its two fields (a Sitecore template's, copied from a stack's state).
PICKLED_BEFORE_REDUCE = (
    "gASVjgAAAAAAAACMGXB1bHVtaV9wZXJzb25hbGl6ZS5lbmdpbmWUjA5FbmdpbmVQcm92aWRlcpSTlCmBlH2UKIwLc3BlY19tb2R1bGWUjCVw"
    "dWx1bWlfcGVyc29uYWxpemUuc2l0ZWNvcmUucmVzb3VyY2VzlIwJc3BlY19uYW1llIwRc2l0ZWNvcmUuVGVtcGxhdGWUdWIu"
)


def test_the_provider_is_pickled_as_a_short_call_with_the_spec_name_and_older_states_still_load() -> None:
    """The state holds the pickle twice per resource and the file backend rewrites the whole state
    after every step: the provider pickles as ``pulumi_personalize.provider("contentstack.Attribute")``
    in protocol 0 without its memo, shorter than what the SDK's ``serialize_provider`` writes for it,
    and the host's dill loads it to the same provider. The forms older states hold load too: the
    call of ``pulumi_personalize.engine.engine_provider`` (before 2026-12-06), the SDK's (before
    ``pickled_provider`` shortened it) and the class with its fields (before ``__reduce__``)."""
    import base64

    from pulumi.dynamic.dynamic import serialize_provider

    from pulumi_personalize.engine import reset_pulumi_pickler
    from pulumi_personalize.engine._resource import pickled_provider

    def host_loads(text: str) -> tuple[type, dict[str, Any]]:  # as pulumi/dynamic/__main__.py does
        loaded = dill.loads(base64.b64decode(text))
        return type(loaded), loaded.__dict__

    written = pickled_provider(EngineProvider(ATTRIBUTE.name, ATTRIBUTE.module))
    unusual = pickled_provider(EngineProvider(ATTRIBUTE.name, "somewhere.else"))
    reset_pulumi_pickler()
    try:
        by_sdk = serialize_provider(EngineProvider(ATTRIBUTE.name, ATTRIBUTE.module))
    finally:
        reset_pulumi_pickler()
    raw = base64.b64decode(written)
    assert raw == b"cpulumi_personalize\nprovider\n(Vcontentstack.Attribute\ntR."
    assert len(written) == len(by_sdk) - 24 and len(written) < len(PICKLED_BEFORE_REDUCE) * 0.5
    by_engine_name = base64.b64encode(b"cpulumi_personalize.engine\nengine_provider\n(Vcontentstack.Attribute\ntR.")
    assert len(written) == len(by_engine_name) - 20
    assert host_loads(written) == host_loads(by_sdk) == host_loads(by_engine_name.decode()) == (
        EngineProvider, {"spec_name": ATTRIBUTE.name, "spec_module": ATTRIBUTE.module})
    assert host_loads(unusual)[1]["spec_module"] == "somewhere.else"
    assert host_loads(PICKLED_BEFORE_REDUCE) == (EngineProvider, {"spec_name": "sitecore.Template",
                                                                  "spec_module": "pulumi_personalize.sitecore.resources"})
    assert dill.loads(base64.b64decode(PICKLED_BEFORE_REDUCE)).spec.name == "sitecore.Template"


@respx.mock(base_url="https://env.test")
def test_without_configure_the_environment_is_used(respx_mock: respx.MockRouter, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONTENTSTACK_PERSONALIZE_BASE_URL", "https://env.test")
    monkeypatch.setenv("CONTENTSTACK_PERSONALIZE_PROJECT_UID", "env-project")
    monkeypatch.setenv("CONTENTSTACK_AUTHTOKEN", "env-token-value")
    monkeypatch.setenv("CONTENTSTACK_PERSONALIZE_REQUESTS_PER_SECOND", "0")
    route = respx_mock.get("/events").respond(json={"data": [{"uid": "e1", "key": "k", "name": "k"}]})
    assert EngineProvider(EVENT.name, EVENT.module).read("e1", {"key": "k"}).id == "e1"
    assert route.calls.last.request.headers["x-project-uid"] == "env-project"


def test_a_second_namespace_reads_its_own_keys(provider: ProviderFactory) -> None:
    config = {**CONFIG, "acme:contentstackProjectUid": "acme-project", "acme:contentstackOauthToken": "acme-oauth",
              "acme:contentstackBaseUrl": URL, "acme:contentstackRequestsPerSecond": "0"}
    with respx.mock(base_url=URL) as mock:
        route = mock.get("/events").respond(json={"data": []})
        provider(EVENT, config).read("e1", {"key": "k", "config_namespace": "acme"})
    headers = route.calls.last.request.headers
    assert headers["x-project-uid"] == "acme-project" and headers["authorization"] == "Bearer acme-oauth"


def test_resolve_outputs_turns_host_outputs_into_plain_values() -> None:
    loop = asyncio.new_event_loop()
    known: asyncio.Future[Any] = loop.create_future()
    known.set_result(_OutputData(resources=set(), value="abc", is_known=True, is_secret=True))
    value = {"a": [pulumi.Output._from_data(known), unknown_output()], "b": 1}
    assert resolve_outputs(value) == {"a": ["abc", UNKNOWN], "b": 1}


def test_unexpected_errors_surface_as_operation_errors(provider: ProviderFactory) -> None:
    with respx.mock(base_url=URL) as mock:
        mock.get("/attributes").respond(401, json={"message": "The authtoken or OAuth token is invalid"})
        p = provider(ATTRIBUTE, {**CONFIG})
        with pytest.raises(ResourceOperationError) as failure:
            p.read("a1", {"name": "Spend", "key": "spend"})
    assert failure.value.operation == "read" and failure.value.status == 401
    assert "read attribute 'Spend' (uid a1) failed" in str(failure.value)
