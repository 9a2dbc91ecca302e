"""What each Contentstack resource sends and reads (respx at the HTTP boundary)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
import respx
from pulumi.dynamic import Config, ConfigureRequest

from pulumi_personalize.contentstack import lookups, rules
from pulumi_personalize.contentstack.resources import (
    AUDIENCE,
    EVENT,
    EXPERIENCE,
    EXPERIENCE_PRIORITY,
)
from pulumi_personalize.engine import LISTINGS, EngineProvider, ResourceOperationError, ResourceSpec, plain

URL = "https://cs.test"
CONFIG = {
    "personalize:contentstackBaseUrl": URL,
    "personalize:contentstackProjectUid": "project-1",
    "personalize:contentstackAuthtoken": "cs-token-SECRET",
    "personalize:contentstackRequestsPerSecond": "0",
}


@pytest.fixture(autouse=True)
def _fresh_listings() -> Iterator[None]:
    LISTINGS.clear()
    yield
    LISTINGS.clear()


def provider(spec: ResourceSpec[Any]) -> EngineProvider:
    p = EngineProvider(spec.name, spec.module)
    p.configure(ConfigureRequest(Config(dict(CONFIG), "proj")))
    return p


def checked(p: EngineProvider, news: dict[str, Any]) -> dict[str, Any]:
    result = p.check({}, news)
    assert result.failures == [], [(f.property, f.reason) for f in result.failures]
    return dict(result.inputs)


def body(route: respx.Route, index: int = -1) -> Any:
    return json.loads(route.calls[index].request.content)


DOC_DEFINITION = {  # the documentation's "Create audience with Custom Attributes" example
    "__type": "RuleCombination",
    "combinationType": "AND",
    "rules": [
        {"__type": "Rule", "attribute": {"__type": "PresetAttributeReference", "ref": "COUNTRY"},
         "attributeMatchCondition": "STRING_EQUALS",
         "attributeMatchOptions": {"__type": "StringMatchOptions", "value": "US"}, "invertCondition": False},
        {"__type": "Rule", "attribute": {"__type": "CustomAttributeReference", "ref": "66702e03d84509d0106bec05"},
         "attributeMatchOptions": {"__type": "NumberMatchOptions", "value": 1000},
         "attributeMatchCondition": "NUMBER_GREATER_THAN", "invertCondition": False},
    ],
}


@respx.mock(base_url=URL)
def test_audience_sends_the_documented_definition(respx_mock: respx.MockRouter) -> None:
    route = respx_mock.post("/audiences").respond(201, json={"uid": "au1", "name": "Valuable US Visitors"})
    definition = rules.all_of(
        rules.Rule(rules.preset("COUNTRY"), "STRING_EQUALS", rules.StringMatch("US")),
        rules.Rule(rules.custom("66702e03d84509d0106bec05"), "NUMBER_GREATER_THAN", rules.NumberMatch(1000)),
    )
    p = provider(AUDIENCE)
    news = checked(p, {"name": "Valuable US Visitors", "description": "US big spenders", "definition": plain(definition)})
    p.create(news)
    assert body(route) == {"name": "Valuable US Visitors", "description": "US big spenders",
                           "definition": DOC_DEFINITION}
    # state holds snake_case and `type` only: the host drops nested "__" keys
    assert "__type" not in json.dumps(news)


@respx.mock(base_url=URL)
def test_audience_reads_the_seed_files_rules_shape(respx_mock: respx.MockRouter) -> None:
    respx_mock.get("/audiences").respond(json={"data": [{"uid": "au1", "name": "A", "rules": DOC_DEFINITION}]})
    p = provider(AUDIENCE)
    news = checked(p, {"name": "A", "definition": DOC_DEFINITION})  # wire names are accepted as input too
    result = p.read("au1", news)
    assert result.inputs == news
    assert p.diff("au1", result.outs, news).changes is False


@respx.mock(base_url=URL)
def test_audience_update_does_not_resend_a_stale_rules_mirror(respx_mock: respx.MockRouter) -> None:
    respx_mock.get("/audiences").respond(json={"data": [
        {"uid": "au1", "name": "A", "definition": DOC_DEFINITION, "rules": DOC_DEFINITION}]})
    put = respx_mock.put("/audiences/au1").respond(json={"uid": "au1", "name": "A"})
    p = provider(AUDIENCE)
    p.update("au1", {}, checked(p, {"name": "A"}))
    assert body(put) == {"name": "A"}


def test_rule_builder_json_and_datetime_options() -> None:
    node = plain(rules.Rule(rules.preset("DATE_AND_TIME"), "BETWEEN_TIME",
                            rules.DateTimeMatch("2024-11-29T00:00:00", "2024-11-29T23:59:59", True)))
    model = rules.RuleModel.model_validate(node)
    assert model.model_dump(by_alias=True, exclude_none=True)["attributeMatchOptions"] == {
        "__type": "DateTimeMatchOptions", "startTime": "2024-11-29T00:00:00", "endTime": "2024-11-29T23:59:59",
        "useVisitorTimezone": True,
    }
    bad = plain(rules.Rule(rules.preset("DATE_AND_TIME"), "STRING_EQUALS", rules.DateTimeMatch("2024-01-01")))
    with pytest.raises(ValueError, match="does not fit DateTimeMatchOptions"):
        rules.RuleModel.model_validate(bad)


@respx.mock(base_url=URL)
def test_event_name_defaults_to_key(respx_mock: respx.MockRouter) -> None:
    route = respx_mock.post("/events").respond(201, json={"uid": "e1", "key": "cta_click", "name": "cta_click"})
    p = provider(EVENT)
    p.create(checked(p, {"key": "cta_click"}))
    assert body(route) == {"key": "cta_click", "name": "cta_click"}


# --- experiences ---------------------------------------------------------------------------------------------


def experience(status: str = "DRAFT", latest: dict[str, Any] | None = None, active: str | None = None,
               **over: Any) -> dict[str, Any]:
    return {"uid": "x1", "name": "E", "__type": over.pop("type", "AB_TEST"), "status": status,
            "latestVersion": latest or {"uid": "v1", "status": "DRAFT", "variants": []},
            "activeVersion": active, **over}


AB = {"name": "E", "type": "AB_TEST", "variants": [{"name": "Control"}, {"name": "Purple"}],
      "metrics": [{"event": "ev1", "name": "Click on CTA"}]}


@respx.mock(base_url=URL)
def test_experience_create_posts_then_fills_the_draft(respx_mock: respx.MockRouter) -> None:
    post = respx_mock.post("/experiences").respond(201, json=experience())
    respx_mock.get("/experiences/x1/versions").respond(json={"data": [{"uid": "v1", "status": "DRAFT", "variants": []}]})
    put = respx_mock.put("/experiences/x1/versions/v1").respond(json={"uid": "v1", "status": "ACTIVE"})
    latest = {"uid": "v1", "status": "ACTIVE", "variants": [
        {"__type": "ABTestVariant", "name": "Control", "shortUid": "0", "trafficDistribution": 50},
        {"__type": "ABTestVariant", "name": "Purple", "shortUid": "1", "trafficDistribution": 50}]}
    respx_mock.get("/experiences/x1").respond(json=experience("ACTIVE", latest, "v1"))
    p = provider(EXPERIENCE)
    result = p.create(checked(p, {**AB, "status": "ACTIVE"}))
    assert body(post) == {"name": "E", "__type": "AB_TEST"}
    assert body(put) == {
        "status": "ACTIVE",
        "variants": [{"__type": "ABTestVariant", "name": "Control", "trafficDistribution": 50.0},
                     {"__type": "ABTestVariant", "name": "Purple", "trafficDistribution": 50.0}],
        "variantSplit": "EQUALLY_SPLIT",
        "metrics": [{"__type": "Primary", "event": "ev1", "name": "Click on CTA"}],
    }
    assert result.outs["variant_short_uids"] == {"Control": "0", "Purple": "1"}
    assert result.outs["active_version_uid"] == "v1" and result.outs["latest_version_uid"] == "v1"


@respx.mock(base_url=URL)
def test_experience_created_paused_is_activated_then_paused(respx_mock: respx.MockRouter) -> None:
    respx_mock.post("/experiences").respond(201, json=experience())
    respx_mock.get("/experiences/x1/versions").respond(json={"data": []})
    put = respx_mock.put("/experiences/x1/versions/v1").respond(json={"uid": "v1", "variants": [
        {"name": "Control", "shortUid": "0"}, {"name": "Purple", "shortUid": "1"}]})
    respx_mock.get("/experiences/x1").respond(json=experience("INACTIVE"))
    p = provider(EXPERIENCE)
    p.create(checked(p, {**AB, "status": "PAUSED"}))
    assert [body(put, i)["status"] for i in range(put.call_count)] == ["ACTIVE", "PAUSED"]
    assert [v["shortUid"] for v in body(put)["variants"]] == ["0", "1"]


@respx.mock(base_url=URL)
def test_a_failed_follow_up_deletes_the_new_experience(respx_mock: respx.MockRouter) -> None:
    respx_mock.post("/experiences").respond(201, json=experience())
    respx_mock.get("/experiences/x1/versions").respond(json={"data": []})
    respx_mock.put("/experiences/x1/versions/v1").respond(400, json={"message": "variants[0].name: is required"})
    respx_mock.get("/experiences/x1").respond(json=experience())
    delete = respx_mock.delete("/experiences/x1").respond(json={"message": "deleted"})
    p = provider(EXPERIENCE)
    with pytest.raises(ResourceOperationError, match="deleted again, nothing is left behind"):
        p.create(checked(p, {**AB, "status": "ACTIVE"}))
    assert delete.called


@respx.mock(base_url=URL)
def test_a_failed_follow_up_and_failed_cleanup_report_the_uid(respx_mock: respx.MockRouter) -> None:
    respx_mock.post("/experiences").respond(201, json=experience())
    respx_mock.get("/experiences/x1/versions").respond(json={"data": []})
    respx_mock.put("/experiences/x1/versions/v1").respond(400, json={"message": "nope"})
    respx_mock.get("/experiences/x1").respond(json=experience())
    respx_mock.delete("/experiences/x1").respond(403, json={"message": "forbidden"})
    p = provider(EXPERIENCE)
    with pytest.raises(ResourceOperationError, match="adopt_uid='x1'"):
        p.create(checked(p, {**AB, "status": "ACTIVE"}))


ACTIVE_V1 = {"uid": "v1", "status": "ACTIVE", "variantSplit": "EQUALLY_SPLIT",
             "metrics": [{"__type": "Primary", "event": "ev1", "name": "Click on CTA"}],
             "variants": [{"__type": "ABTestVariant", "name": "Control", "shortUid": "0", "trafficDistribution": 50},
                          {"__type": "ABTestVariant", "name": "Purple", "shortUid": "1", "trafficDistribution": 50}]}


@respx.mock(base_url=URL)
def test_changing_an_active_experience_creates_a_version_keeping_short_uids(respx_mock: respx.MockRouter) -> None:
    respx_mock.get("/experiences/x1").respond(json=experience("ACTIVE", ACTIVE_V1, "v1"))
    respx_mock.get("/experiences/x1/versions").respond(json={"data": [ACTIVE_V1]})
    post = respx_mock.post("/experiences/x1/versions").respond(201, json={"uid": "v2", "status": "ACTIVE"})
    p = provider(EXPERIENCE)
    news = checked(p, {**AB, "status": "ACTIVE", "variants": [{"name": "Purple"}, {"name": "Control"}, {"name": "Red"}]})
    p.update("x1", {}, news)
    sent = body(post)
    assert sent["status"] == "ACTIVE"
    assert [(v["name"], v.get("shortUid")) for v in sent["variants"]] == [("Purple", "1"), ("Control", "0"), ("Red", None)]


@respx.mock(base_url=URL, assert_all_called=False)
def test_pausing_an_unchanged_active_version_only_flips_its_status(respx_mock: respx.MockRouter) -> None:
    respx_mock.get("/experiences/x1").respond(json=experience("ACTIVE", ACTIVE_V1, "v1"))
    respx_mock.get("/experiences/x1/versions").respond(json={"data": [ACTIVE_V1]})
    post = respx_mock.post("/experiences/x1/versions")
    put = respx_mock.put("/experiences/x1/versions/v1").respond(json={"uid": "v1", "status": "PAUSED"})
    meta = respx_mock.put("/experiences/x1")
    p = provider(EXPERIENCE)
    p.update("x1", {}, checked(p, {**AB, "status": "PAUSED"}))
    assert body(put)["status"] == "PAUSED" and not post.called and not meta.called


@respx.mock(base_url=URL, assert_all_called=False)
def test_a_draft_is_edited_in_place_and_the_name_is_put(respx_mock: respx.MockRouter) -> None:
    draft = {"uid": "v2", "status": "DRAFT", "variants": []}
    respx_mock.get("/experiences/x1").respond(json=experience("ACTIVE", draft, "v1", name="Old"))
    respx_mock.get("/experiences/x1/versions").respond(json={"data": [ACTIVE_V1, draft]})
    meta = respx_mock.put("/experiences/x1").respond(json=experience())
    put = respx_mock.put("/experiences/x1/versions/v2").respond(json=draft)
    post = respx_mock.post("/experiences/x1/versions")
    p = provider(EXPERIENCE)
    p.update("x1", {}, checked(p, {**AB, "status": "DRAFT"}))
    assert body(meta) == {"name": "E", "__type": "AB_TEST"}
    assert body(put)["status"] == "DRAFT" and not post.called
    assert [v["shortUid"] for v in body(put)["variants"]] == ["0", "1"]


@respx.mock(base_url=URL)
def test_delete_pauses_an_active_experience_first(respx_mock: respx.MockRouter) -> None:
    respx_mock.get("/experiences/x1").respond(json=experience("ACTIVE", ACTIVE_V1, "v1"))
    respx_mock.get("/experiences/x1/versions/v1").respond(json={**ACTIVE_V1, "experience": "x1",
                                                                "createdAt": "2024-01-01"})
    pause = respx_mock.put("/experiences/x1/versions/v1").respond(json={"uid": "v1", "status": "PAUSED"})
    delete = respx_mock.delete("/experiences/x1").respond(json={"message": "deleted"})
    provider(EXPERIENCE).delete("x1", {"name": "E"})
    sent = body(pause)
    assert sent["status"] == "PAUSED" and "experience" not in sent and "uid" not in sent
    assert sent["variants"] == ACTIVE_V1["variants"]
    assert delete.called and pause.calls[0].request  # pause happened before the delete
    assert respx_mock.calls[-1].request.method == "DELETE"


def test_experience_type_change_is_a_replace_and_limits_are_check_failures() -> None:
    p = provider(EXPERIENCE)
    failures = p.check({}, {"name": "E", "type": "SEGMENTED", "variants": [{"name": "a", "traffic_distribution": 10}]}).failures
    assert [(f.property, f.reason) for f in failures] == [
        ("variants", "variants[0].traffic_distribution: is for AB_TEST experiences")]
    failures = p.check({}, {"name": "E", "type": "AB_TEST", "variants": [{"name": "a"}, {"name": "a"}]}).failures
    assert "variant names must be unique" in failures[0].reason
    failures = p.check({}, {"name": "E", "status": "LIVE"}).failures
    assert failures[0].property == "status"


# --- priority and look-ups ----------------------------------------------------------------------------------


@respx.mock(base_url=URL)
def test_priority_puts_the_named_first_and_keeps_the_rest(respx_mock: respx.MockRouter) -> None:
    respx_mock.get("/experiences/priority").respond(json={"priority": ["a", "b", "c", "d"]})
    put = respx_mock.put("/experiences/priority").respond(json={"priority": ["c", "a", "b", "d"]})
    p = provider(EXPERIENCE_PRIORITY)
    result = p.create(checked(p, {"experiences": ["c", "a"]}))
    assert body(put) == {"priority": ["c", "a", "b", "d"]}
    assert result.id == "experience-priority" and result.outs["order"] == ["c", "a", "b", "d"]
    assert p.check({}, {"experiences": ["a", "a"]}).failures[0].property == "experiences"


@respx.mock(base_url=URL)
def test_priority_read_reports_the_head_of_the_live_order(respx_mock: respx.MockRouter) -> None:
    respx_mock.get("/experiences/priority").respond(json={"priority": ["z", "c", "a"]})
    p = provider(EXPERIENCE_PRIORITY)
    news = checked(p, {"experiences": ["c", "a"]})
    result = p.read("experience-priority", {**news, "order": ["c", "a", "z"]})
    assert result.inputs == {"experiences": ["z", "c"]}
    assert p.diff("experience-priority", result.outs, news).changes is True


@respx.mock(base_url=URL)
def test_geolocation_lookups_pass_the_search(respx_mock: respx.MockRouter) -> None:
    route = respx_mock.get("/geolocation/cities").respond(json={"data": [
        {"uid": "US-CA-SF", "code": "US-CA-SF", "name": "San Francisco", "countryCode": "US", "regionCode": "US-CA"}]})
    [city] = lookups.get_cities("san", country_code="US", config=CONFIG)
    assert city.name == "San Francisco" and city.region_code == "US-CA"
    assert dict(route.calls.last.request.url.params) == {"search": "san", "countryCode": "US"}


@respx.mock(base_url=URL)
def test_lookup_of_an_existing_attribute_by_key(respx_mock: respx.MockRouter) -> None:
    respx_mock.get("/attributes").respond(json={"data": [
        {"uid": "a1", "name": "Spend", "key": "spend", "data_type": "number"},
        {"uid": "a2", "name": "Age", "key": "age", "data_type": "number"}]})
    assert lookups.get_attribute(key="age", config=CONFIG).uid == "a2"
    with pytest.raises(lookups.LookupError_, match="no attribute with key 'nope'"):
        lookups.get_attribute(key="nope", config=CONFIG)
