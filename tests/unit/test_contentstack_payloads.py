"""What each Contentstack resource sends and reads (respx at the HTTP boundary).

Every exchange of these tests is checked against the project's OpenAPI description of the live
service, ``docs/contracts/contentstack-personalize.openapi.yml`` (written from ``docs/facts/contentstack.md``): the
method and path must be an operation there, project-scoped calls carry ``x-project-uid`` and
``/projects`` carries ``organization_uid`` instead, GETs have no body, request bodies fit the
operation's request schema, and the canned answers fit its response schemas (so they have the live
shapes: bare arrays for lists, ``latestVersion`` as a version uid string, presets in
``GET /attributes``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import pytest
import respx
import yaml
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from pulumi_personalize._values import UNKNOWN
from pulumi_personalize.contentstack import _experiences, api, lookups, rules
from pulumi_personalize.contentstack.resources import (
    ATTRIBUTE,
    AUDIENCE,
    EVENT,
    EXPERIENCE,
    EXPERIENCE_PRIORITY,
)
from pulumi_personalize.engine import (
    LISTINGS,
    EngineProvider,
    ResourceOperationError,
    plain,
)
from tests.conftest import ProviderFactory
from tests.unit.conftest import FakeTime

URL = "https://cs.test"
CONFIG = {
    "personalize:contentstackBaseUrl": URL,
    "personalize:contentstackProjectUid": "project-1",
    "personalize:contentstackAuthtoken": "cs-token-SECRET",
    "personalize:contentstackRequestsPerSecond": "0",
}


@pytest.fixture
def provider_config() -> Mapping[str, str]:
    """This module's stack configuration for ``provider`` (its values are asserted below)."""
    return CONFIG
SERVER = {"_id": "id0", "project": "project-1", "createdBy": "u1", "updatedBy": "u1", "createdByUserName": "A",
          "updatedByUserName": "A", "createdAt": "2024-01-01T00:00:00.000Z", "updatedAt": "2024-01-01T00:00:00.000Z"}
PRESETS = [
    {"uid": "COUNTRY", "key": "COUNTRY", "name": "Country", "__type": "PRESET"},
    {"uid": "DEVICE_TYPE", "key": "DEVICE_TYPE", "name": "Device type", "__type": "PRESET"},
    {"uid": "LANGUAGE", "key": "LANGUAGE", "name": "Language", "__type": "PRESET"},
]

# --- the contract --------------------------------------------------------------------------------------

SPEC_PATH = Path(__file__).resolve().parents[2] / "docs" / "contracts" / "contentstack-personalize.openapi.yml"
SPEC: dict[str, Any] = yaml.safe_load(SPEC_PATH.read_text())
# What the client sends must be exactly the declared input fields (the contract lets the service
# ignore extra ones, which a client must not rely on): the input schemas, made closed, check requests.
INPUTS = ("ProjectInput", "AttributeInput", "AudienceInput", "EventInput", "ExperienceInput", "ExperienceUpdate",
          "VersionCreate", "VersionUpdate", "SegmentedVariant", "ABTestVariant", "Metric", "Targeting")
STRICT: dict[str, Any] = json.loads(json.dumps(SPEC))
for _name in INPUTS:
    STRICT["components"]["schemas"][_name]["additionalProperties"] = False
for _branch in STRICT["components"]["schemas"]["PriorityInput"]["oneOf"]:
    _branch["additionalProperties"] = False
REGISTRY: Registry[Any] = Registry().with_resource("urn:spec", Resource.from_contents(SPEC, DRAFT202012))
STRICT_REGISTRY: Registry[Any] = Registry().with_resource("urn:spec", Resource.from_contents(STRICT, DRAFT202012))
OPERATIONS = sorted(
    ((re.compile("^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)) + "$"), template, item)
     for template, item in SPEC["paths"].items()),
    key=lambda entry: entry[1].count("{"),  # a literal path wins over a template that also matches
)


def _resolve(node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        target: Any = SPEC
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


def schema_errors(schema: dict[str, Any], instance: Any, *, strict: bool = False) -> list[str]:
    # local refs ("#/components/...") resolve through the registry's copy of the whole document
    rooted = json.loads(json.dumps(schema).replace('"$ref": "#/', '"$ref": "urn:spec#/'))
    validator = jsonschema.Draft202012Validator(rooted, registry=STRICT_REGISTRY if strict else REGISTRY)
    return [f"/{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(instance)]


def contract_violations(call: Any) -> list[str]:
    """What in one recorded exchange the OpenAPI description does not allow."""
    request, response = call.request, call.response
    method, path = request.method.lower(), request.url.path
    found = next(((t, item) for regex, t, item in OPERATIONS if regex.match(path) and method in item), None)
    if found is None:
        return [f"{method.upper()} {path}: not an operation of the contract"]
    template, item = found
    operation = item[method]
    where = f"{method.upper()} {template}"
    problems: list[str] = []
    for parameter in map(_resolve, [*item.get("parameters", []), *operation.get("parameters", [])]):
        if parameter["in"] == "header" and parameter.get("required") and parameter["name"] not in request.headers:
            problems.append(f"{where}: header {parameter['name']} missing")
    if template == "/projects" and "x-project-uid" in request.headers:
        problems.append(f"{where}: /projects takes organization_uid, not x-project-uid")
    if method == "get" and request.content:
        problems.append(f"{where}: a GET must not carry a body")
    wanted = operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
    if wanted is not None:
        sent = json.loads(request.content or b"null")
        problems += [f"{where} request {e}" for e in schema_errors(wanted, sent, strict=True)]
    if response is not None and response.content:
        answer = _resolve(operation.get("responses", {}).get(str(response.status_code), {}))
        schema = answer.get("content", {}).get("application/json", {}).get("schema")
        try:
            decoded = response.json()
        except ValueError:
            decoded = None  # Nest's "Cannot GET /path" text
        if schema is not None and decoded is not None:
            problems += [f"{where} answer {response.status_code} {e}" for e in schema_errors(schema, decoded)]
    return problems


@pytest.fixture
def respx_mock() -> Iterator[respx.MockRouter]:
    """respx at the HTTP boundary; afterwards every exchange is checked against the contract."""
    with respx.mock(base_url=URL, assert_all_called=False) as router:
        yield router
        problems = [p for call in router.calls for p in contract_violations(call)]  # calls reset on exit
    assert problems == [], "\n".join(problems)


def test_the_contract_check_catches_what_the_live_service_would_refuse() -> None:
    with respx.mock(base_url=URL) as router:
        router.post("/attributes").respond(201, json={"uid": "a1", "key": "k", "name": "K"})
        router.get("/experiences/x1/versions/v1").respond(json={})
        router.get("/projects").respond(json=[])
        with httpx.Client(base_url=URL, headers={"x-project-uid": "p"}) as client:
            client.post("/attributes", json={"key": "k", "name": "K", "data_type": "string"})
            client.get("/experiences/x1/versions/v1")
            client.get("/projects")
        violations = [v for call in router.calls for v in contract_violations(call)]
    assert "POST /attributes answer 201 /: '__type' is a required property" in violations, violations
    # the contract lets the service ignore extra fields; the client must not rely on it
    assert "POST /attributes request /: Additional properties are not allowed ('data_type' was unexpected)" in violations
    assert "GET /experiences/x1/versions/v1: not an operation of the contract" in violations
    assert "GET /projects: header organization_uid missing" in violations
    assert "GET /projects: /projects takes organization_uid, not x-project-uid" in violations


@pytest.fixture(autouse=True)
def _cms_polls_on_a_fake_clock(monkeypatch: pytest.MonkeyPatch, fake_time: FakeTime) -> FakeTime:
    """The ``_cms`` wait sleeps on a clock that moves only when it sleeps: no test waits."""
    monkeypatch.setattr(_experiences, "CMS_CLOCK", _experiences.PollClock(fake_time.clock, fake_time.sleep))
    return fake_time


def checked(p: EngineProvider, news: dict[str, Any]) -> dict[str, Any]:
    result = p.check({}, news)
    assert result.failures == [], [(f.property, f.reason) for f in result.failures]
    return dict(result.inputs)


def failures(p: EngineProvider, news: dict[str, Any]) -> list[tuple[str, str]]:
    return [(f.property, f.reason) for f in p.check({}, news).failures]


def body(route: respx.Route, index: int = -1) -> Any:
    return json.loads(route.calls[index].request.content)


# --- attributes ------------------------------------------------------------------------------------------


def test_attribute_create_and_update_send_key_name_description_only(respx_mock: respx.MockRouter,
                                                                    provider: ProviderFactory) -> None:
    post = respx_mock.post("/attributes").respond(201, json={"uid": "a1", "key": "plan", "name": "Plan",
                                                             "description": "", "__type": "CUSTOM", **SERVER})
    live = {"uid": "a1", "key": "plan", "name": "Plan", "description": "old", "__type": "CUSTOM", **SERVER}
    respx_mock.get("/attributes").respond(json=[*PRESETS, live])
    put = respx_mock.put("/attributes/a1").respond(json={**live, "name": "Plan tier"})
    p = provider(ATTRIBUTE)
    created = p.create(checked(p, {"name": "Plan", "key": "plan"}))
    assert body(post) == {"key": "plan", "name": "Plan", "description": ""}
    assert created.id == "a1"
    p.update("a1", {}, checked(p, {"name": "Plan tier", "key": "plan", "description": "the plan"}))
    # never the server-owned fields of the live object (_id, uid, project, createdBy..., __type)
    assert body(put) == {"key": "plan", "name": "Plan tier", "description": "the plan"}


def test_attribute_has_no_data_type_and_preset_keys_are_check_failures(provider: ProviderFactory) -> None:
    p = provider(ATTRIBUTE)
    assert failures(p, {"name": "Spend", "key": "spend", "data_type": "number"})[0][0] == "data_type"
    for key in ("COUNTRY", "country", "Query_Parameters", "referrer"):
        [(prop, reason)] = failures(p, {"name": "X", "key": key})
        assert prop == "key" and "preset attribute" in reason, reason
    assert failures(p, {"name": "Countries visited", "key": "country_count"}) == []


def test_refresh_and_adoption_never_take_a_preset(respx_mock: respx.MockRouter,
                                                  provider: ProviderFactory) -> None:
    custom = {"uid": "a1", "key": "plan", "name": "Plan", "description": "", "__type": "CUSTOM"}
    respx_mock.get("/attributes").respond(json=[*PRESETS, custom])
    p = provider(ATTRIBUTE)
    news = checked(p, {"name": "Plan", "key": "plan"})
    read = p.read("a1", news)
    assert read.id == "a1" and read.inputs == news
    # a preset's uid is never adopted, and adopt_existing does not find presets by key
    with pytest.raises(ResourceOperationError, match="preset attribute COUNTRY"):
        p.create({**checked(p, {"name": "Country", "key": "country_code"}), "adopt_uid": "COUNTRY"})
    assert ATTRIBUTE.endpoints.list(api.connect(CONFIG, "personalize")) == [custom]


def test_a_refused_create_of_an_unknown_preset_key_says_so(respx_mock: respx.MockRouter,
                                                           provider: ProviderFactory) -> None:
    respx_mock.post("/attributes").respond(400, json={"statusCode": 400, "error": "Bad Request", "message": "Validation failed", "errors": {"key": "key already exists"}})
    respx_mock.get("/attributes").respond(json=PRESETS)
    p = provider(ATTRIBUTE)
    with pytest.raises(ResourceOperationError, match="belongs to the preset attribute LANGUAGE"):
        p.create(checked(p, {"name": "Language", "key": "language"}))


def test_read_raises_when_the_collection_does_not_answer(respx_mock: respx.MockRouter,
                                                         provider: ProviderFactory) -> None:
    respx_mock.get("/attributes").respond(404, text="Cannot GET /attributes")
    p = provider(ATTRIBUTE)
    with pytest.raises(ResourceOperationError, match="404"):
        p.read("a1", checked(p, {"name": "Plan", "key": "plan"}))
    LISTINGS.clear()
    respx_mock.get("/attributes").respond(403, json={"statusCode": 403, "error": "Forbidden", "message": "Forbidden resource"})
    with pytest.raises(ResourceOperationError, match="Forbidden"):
        p.read("a1", checked(p, {"name": "Plan", "key": "plan"}))


def test_read_reports_gone_only_when_the_list_answers_without_it(respx_mock: respx.MockRouter,
                                                                 provider: ProviderFactory) -> None:
    respx_mock.get("/attributes").respond(json=PRESETS)
    p = provider(ATTRIBUTE)
    assert p.read("a1", checked(p, {"name": "Plan", "key": "plan"})).id == ""


# --- events and audiences ---------------------------------------------------------------------------------


def test_event_sends_key_and_description_and_takes_no_name(respx_mock: respx.MockRouter,
                                                           provider: ProviderFactory) -> None:
    post = respx_mock.post("/events").respond(201, json={"uid": "e1", "key": "cta_click", "description": "",
                                                         **SERVER})
    live = {"uid": "e1", "key": "cta_click", "description": "", **SERVER}
    respx_mock.get("/events").respond(json=[live])
    put = respx_mock.put("/events/e1").respond(json={**live, "description": "a click"})
    p = provider(EVENT)
    p.create(checked(p, {"key": "cta_click"}))
    assert body(post) == {"key": "cta_click", "description": ""}
    p.update("e1", {}, checked(p, {"key": "cta_click", "description": "a click"}))
    assert body(put) == {"key": "cta_click", "description": "a click"}
    assert failures(p, {"key": "cta_click", "name": "Click"})[0][0] == "name"


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


def test_audience_sends_the_documented_definition(respx_mock: respx.MockRouter,
                                                  provider: ProviderFactory) -> None:
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


def test_audience_refresh_and_update_round_trip(respx_mock: respx.MockRouter,
                                                provider: ProviderFactory) -> None:
    live = {"uid": "au1", "name": "A", "description": "", "definition": DOC_DEFINITION, **SERVER}
    respx_mock.get("/audiences").respond(json=[live])
    put = respx_mock.put("/audiences/au1").respond(json=live)
    p = provider(AUDIENCE)
    news = checked(p, {"name": "A", "definition": DOC_DEFINITION})  # wire names are accepted as input too
    result = p.read("au1", news)
    assert result.inputs == news
    assert p.diff("au1", result.outs, news).changes is False
    p.update("au1", {}, checked(p, {"name": "A"}))
    assert body(put) == {"name": "A", "description": ""}


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


def _audience(*rule_nodes: dict[str, Any]) -> dict[str, Any]:
    return {"name": "A", "definition": {"__type": "RuleCombination", "combinationType": "AND", "rules": list(rule_nodes)}}


def _rule(ref_type: str, ref: str) -> dict[str, Any]:
    return {"__type": "Rule", "attribute": {"__type": ref_type, "ref": ref}, "attributeMatchCondition": "STRING_EQUALS",
            "attributeMatchOptions": {"__type": "StringMatchOptions", "value": "US"}}


def test_a_preset_that_is_not_one_fails_in_the_program_and_at_check(provider: ProviderFactory) -> None:
    with pytest.raises(ValueError, match=r"'PLAN' is not a preset attribute: the presets are COUNTRY, REGION, .*REFERRER"):
        rules.preset("PLAN")
    with pytest.raises(ValueError, match=r'use rules.preset\("COUNTRY"\)'):
        rules.preset("country")
    p = provider(AUDIENCE)
    [(prop, reason)] = failures(p, _audience(_rule("PresetAttributeReference", "PLAN")))  # a definition as data
    assert prop == "definition" and "'PLAN' is not a preset attribute: the presets are COUNTRY" in reason, reason
    checked(p, _audience(_rule("PresetAttributeReference", "DEVICE_TYPE"), _rule("PresetAttributeReference", UNKNOWN)))


def test_a_presets_key_as_a_custom_reference_fails_at_check(provider: ProviderFactory) -> None:
    p = provider(AUDIENCE)
    for ref, preset in (("COUNTRY", "COUNTRY"), ("device_type", "DEVICE_TYPE")):
        definition = rules.all_of(rules.Rule(rules.custom(ref), "STRING_EQUALS", rules.StringMatch("US")))
        [(prop, reason)] = failures(p, {"name": "A", "definition": plain(definition)})
        assert prop == "definition", prop
        assert f"{ref!r} is the key of the preset attribute {preset}, not a custom attribute's uid: " \
               f'use rules.preset("{preset}")' in reason, reason
    # a uid not known until apply (an Output at preview) is skipped, never rejected
    checked(p, _audience(_rule("CustomAttributeReference", UNKNOWN), _rule("CustomAttributeReference", "a1")))


def test_a_refused_delete_of_an_attribute_names_the_audiences_using_it(respx_mock: respx.MockRouter,
                                                                       provider: ProviderFactory) -> None:
    respx_mock.delete("/attributes/a1").respond(400, json={"statusCode": 400, "message": "Attribute a1 is in use"})
    nested = {"__type": "RuleCombination", "combinationType": "OR", "rules": [_rule("CustomAttributeReference", "a1")]}
    respx_mock.get("/audiences").respond(json=[
        {"uid": "au1", "name": "Premium", "definition": _audience(nested)["definition"]},
        {"uid": "au2", "name": "Americans", "definition": _audience(_rule("PresetAttributeReference", "COUNTRY"))["definition"]},
        {"uid": "au3", "name": "Planners", "definition": _audience(_rule("CustomAttributeReference", "a1"))["definition"]},
    ])
    p = provider(ATTRIBUTE)
    with pytest.raises(ResourceOperationError) as failure:
        p.delete("a1", {"uid": "a1", "key": "plan", "name": "Plan"})
    message = str(failure.value)
    assert "the attribute 'plan' (a1) is still used by the audiences 'Premium' (au1), 'Planners' (au3): " \
           "remove their rules on rules.custom('a1') (or the audiences) first" in message, message
    assert "Americans" not in message, message
    # a refusal no audience explains is raised as it came
    respx_mock.get("/audiences").respond(json=[])
    with pytest.raises(ResourceOperationError, match="Attribute a1 is in use") as bare:
        p.delete("a1", {"uid": "a1", "key": "plan", "name": "Plan"})
    assert "still used" not in str(bare.value)


def test_quota_refusals_name_the_quota(respx_mock: respx.MockRouter, provider: ProviderFactory) -> None:
    respx_mock.post("/audiences").respond(400, json={
        "statusCode": 400, "error": "personalize.AUDIENCES.RULE_COUNT_EXCEEDED", "message": "Too many rules"})
    p = provider(AUDIENCE)
    with pytest.raises(ResourceOperationError, match=r"the project's quota of 50 \(the default\) rules per audience is "
                                                     r"reached \(personalize.AUDIENCES.RULE_COUNT_EXCEEDED\)"):
        p.create(checked(p, {"name": "Big"}))
    respx_mock.post("/events").respond(400, json={
        "statusCode": 400, "error": "personalize.EVENTS.EVENT_COUNT_EXCEEDED",
        "message": "Maximum 100 events allowed in a project"})
    respx_mock.get("/events").respond(json=[])
    e = provider(EVENT)
    with pytest.raises(ResourceOperationError,
                       match=r"the project's quota of 100 events is reached \(personalize.EVENTS.EVENT_COUNT_EXCEEDED\)"):
        e.create(checked(e, {"key": "one_too_many"}))


# --- experiences ---------------------------------------------------------------------------------------------


def experience(status: str = "DRAFT", latest: str = "v1", **over: Any) -> dict[str, Any]:
    return {"uid": "x1", "name": "E", "description": "", "__type": over.pop("type", "AB_TEST"), "status": status,
            "latestVersion": latest, "shortUid": "3", "referredAudiences": [], "referredEvents": [],
            **({"_cms": over.pop("cms")} if "cms" in over else {}), **SERVER, **over}


def version(uid: str, status: str, variants: list[dict[str, Any]] | None = None, **over: Any) -> dict[str, Any]:
    return {"uid": uid, "status": status, "variants": variants or [], "experienceUid": "x1", **over}


def ab(name: str, short: str, traffic: float = 50) -> dict[str, Any]:
    return {"__type": "ABTestVariant", "name": name, "shortUid": short, "trafficDistribution": traffic}


AB = {"name": "E", "type": "AB_TEST", "variants": [{"name": "Control"}, {"name": "Purple"}],
      "metrics": [{"event": "ev1", "name": "Click on CTA"}]}
CMS = {"variantGroup": "vg1", "variants": {"0": "cs_v_0", "1": "cs_v_1"}}
ACTIVE_V1 = version("v1", "ACTIVE", [ab("Control", "0"), ab("Purple", "1")], variantSplit="EQUALLY_SPLIT",
                    metrics=[{"__type": "Primary", "event": "ev1", "name": "Click on CTA"}],
                    createdAt="2024-01-01T00:00:00.000Z")


def test_experience_create_posts_then_fills_the_draft_and_waits_for_cms(respx_mock: respx.MockRouter,
                                                                        provider: ProviderFactory) -> None:
    post = respx_mock.post("/experiences").respond(201, json=experience())
    versions = respx_mock.get("/experiences/x1/versions")
    versions.side_effect = [respx.MockResponse(json=[version("v1", "DRAFT")]),
                            respx.MockResponse(json=[ACTIVE_V1])]
    put = respx_mock.put("/experiences/x1/versions/v1").respond(json=ACTIVE_V1)
    single = respx_mock.get("/experiences/x1")
    # _cms fills asynchronously: empty at first, then the group and one CMS variant per variant
    single.side_effect = [respx.MockResponse(json=experience("ACTIVE")),
                          respx.MockResponse(json=experience("ACTIVE", cms={"variantGroup": "vg1", "variants": {}})),
                          respx.MockResponse(json=experience("ACTIVE", cms=CMS))]
    p = provider(EXPERIENCE)
    result = p.create(checked(p, {**AB, "status": "ACTIVE"}))
    assert body(post) == {"name": "E", "description": "", "__type": "AB_TEST"}
    assert body(put) == {
        "status": "ACTIVE",
        "variants": [{"__type": "ABTestVariant", "name": "Control", "trafficDistribution": 50.0},
                     {"__type": "ABTestVariant", "name": "Purple", "trafficDistribution": 50.0}],
        "variantSplit": "EQUALLY_SPLIT",
        "metrics": [{"__type": "Primary", "event": "ev1", "name": "Click on CTA"}],
    }
    assert result.outs["variant_short_uids"] == {"Control": "0", "Purple": "1"}
    assert result.outs["active_version_uid"] == "v1" and result.outs["latest_version_uid"] == "v1"
    assert result.outs["cms_variant_group_uid"] == "vg1"
    assert result.outs["cms_variant_uids"] == {"Control": "cs_v_0", "Purple": "cs_v_1"}
    assert single.call_count == 3
    # no single-version GET exists on the live service: never called
    assert not [c for c in respx_mock.calls if c.request.method == "GET" and "/versions/" in c.request.url.path]


def test_cms_that_never_fills_leaves_the_outputs_empty_without_failing(respx_mock: respx.MockRouter,
                                                                       provider: ProviderFactory,
                                                                       fake_time: FakeTime) -> None:
    respx_mock.post("/experiences").respond(201, json=experience())
    versions = respx_mock.get("/experiences/x1/versions")
    versions.side_effect = [respx.MockResponse(json=[version("v1", "DRAFT")]),
                            respx.MockResponse(json=[ACTIVE_V1])]
    respx_mock.put("/experiences/x1/versions/v1").respond(json=ACTIVE_V1)
    respx_mock.get("/experiences/x1").respond(json=experience("ACTIVE"))
    p = provider(EXPERIENCE)
    result = p.create(checked(p, {**AB, "status": "ACTIVE"}))
    assert result.id == "x1" and result.outs["cms_variant_uids"] == {}
    assert "cms_variant_group_uid" not in result.outs  # None is dropped: empty
    # polled with doubling pauses up to the cap, and given up within the bound
    assert fake_time.sleeps[:5] == [0.5, 1.0, 2.0, 4.0, 8.0] and max(fake_time.sleeps) == 10.0
    assert sum(fake_time.sleeps) <= _experiences.CMS_WAIT_SECONDS


def test_experience_created_paused_is_activated_then_paused(respx_mock: respx.MockRouter,
                                                            provider: ProviderFactory) -> None:
    respx_mock.post("/experiences").respond(201, json=experience())
    respx_mock.get("/experiences/x1/versions").side_effect = [
        respx.MockResponse(json=[version("v1", "DRAFT")]),
        respx.MockResponse(json=[ACTIVE_V1]),
        respx.MockResponse(json=[{**ACTIVE_V1, "status": "PAUSED"}]),
    ]
    put = respx_mock.put("/experiences/x1/versions/v1").respond(json=ACTIVE_V1)
    respx_mock.get("/experiences/x1").respond(json=experience("PAUSED", cms=CMS))
    p = provider(EXPERIENCE)
    p.create(checked(p, {**AB, "status": "PAUSED"}))
    assert [body(put, i)["status"] for i in range(put.call_count)] == ["ACTIVE", "PAUSED"]
    # the pause resends the full variants with the short uids the activation assigned
    assert [v["shortUid"] for v in body(put)["variants"]] == ["0", "1"]


def test_a_failed_follow_up_deletes_the_new_experience(respx_mock: respx.MockRouter,
                                                       provider: ProviderFactory) -> None:
    respx_mock.post("/experiences").respond(201, json=experience())
    respx_mock.get("/experiences/x1/versions").respond(json=[version("v1", "DRAFT")])
    respx_mock.put("/experiences/x1/versions/v1").respond(400, json={"statusCode": 400, "error": "Bad Request", "message": "Validation failed", "errors": {"variants": ["is required"]}})
    delete = respx_mock.delete("/experiences/x1").respond(204)
    p = provider(EXPERIENCE)
    with pytest.raises(ResourceOperationError, match="deleted again, nothing is left behind"):
        p.create(checked(p, {**AB, "status": "ACTIVE"}))
    assert delete.called


def test_a_failed_follow_up_and_failed_cleanup_report_the_uid(respx_mock: respx.MockRouter,
                                                              provider: ProviderFactory) -> None:
    respx_mock.post("/experiences").respond(201, json=experience())
    respx_mock.get("/experiences/x1/versions").respond(json=[version("v1", "DRAFT")])
    respx_mock.put("/experiences/x1/versions/v1").respond(400, json={"message": "nope"})
    respx_mock.delete("/experiences/x1").respond(403, json={"statusCode": 403, "error": "Forbidden", "message": "Forbidden resource"})
    p = provider(EXPERIENCE)
    with pytest.raises(ResourceOperationError, match="adopt_uid='x1'"):
        p.create(checked(p, {**AB, "status": "ACTIVE"}))


def test_editing_a_locked_version_posts_a_new_one_keeping_short_uids(respx_mock: respx.MockRouter,
                                                                     provider: ProviderFactory) -> None:
    respx_mock.get("/experiences/x1").respond(json=experience("ACTIVE", cms=CMS))
    v2 = version("v2", "ACTIVE", [ab("Purple", "1", 33.33), ab("Control", "0", 33.33), ab("Red", "2", 33.33)],
                 createdAt="2024-02-01T00:00:00.000Z")
    respx_mock.get("/experiences/x1/versions").side_effect = [
        respx.MockResponse(json=[ACTIVE_V1]), respx.MockResponse(json=[{**ACTIVE_V1, "status": "ARCHIVED"}, v2])]
    post = respx_mock.post("/experiences/x1/versions").respond(201, json=v2)
    edit = respx_mock.put("/experiences/x1/versions/v1")
    meta = respx_mock.put("/experiences/x1")
    p = provider(EXPERIENCE)
    news = checked(p, {**AB, "status": "ACTIVE", "variants": [{"name": "Purple"}, {"name": "Control"}, {"name": "Red"}]})
    p.update("x1", {}, news)
    sent = body(post)
    assert sent["status"] == "ACTIVE"
    assert [(v["name"], v.get("shortUid")) for v in sent["variants"]] == [("Purple", "1"), ("Control", "0"), ("Red", None)]
    assert not edit.called and not meta.called  # a locked version is never edited; the name is unchanged


def test_pausing_an_unchanged_active_version_only_flips_its_status(respx_mock: respx.MockRouter,
                                                                   provider: ProviderFactory) -> None:
    respx_mock.get("/experiences/x1").respond(json=experience("ACTIVE", cms=CMS))
    respx_mock.get("/experiences/x1/versions").respond(json=[ACTIVE_V1])
    post = respx_mock.post("/experiences/x1/versions")
    put = respx_mock.put("/experiences/x1/versions/v1").respond(json={**ACTIVE_V1, "status": "PAUSED"})
    meta = respx_mock.put("/experiences/x1")
    p = provider(EXPERIENCE)
    p.update("x1", {}, checked(p, {**AB, "status": "PAUSED"}))
    sent = body(put)
    # PUT resends the status and the full variants array, short uids included
    assert sent["status"] == "PAUSED" and sent["variants"] == [
        {"__type": "ABTestVariant", "name": "Control", "shortUid": "0", "trafficDistribution": 50.0},
        {"__type": "ABTestVariant", "name": "Purple", "shortUid": "1", "trafficDistribution": 50.0}]
    assert not post.called and not meta.called


def test_a_draft_is_edited_in_place_and_the_name_is_put(respx_mock: respx.MockRouter,
                                                        provider: ProviderFactory) -> None:
    draft = version("v2", "DRAFT", createdAt="2024-02-01T00:00:00.000Z")
    respx_mock.get("/experiences/x1").respond(json=experience("ACTIVE", latest="v2", name="Old", cms=CMS))
    # listed newest first: the order is unconfirmed, createdAt decides
    respx_mock.get("/experiences/x1/versions").respond(json=[draft, ACTIVE_V1])
    meta = respx_mock.put("/experiences/x1").respond(json=experience())
    put = respx_mock.put("/experiences/x1/versions/v2").respond(json=draft)
    post = respx_mock.post("/experiences/x1/versions")
    p = provider(EXPERIENCE)
    p.update("x1", {}, checked(p, {**AB, "status": "DRAFT"}))
    assert body(meta) == {"name": "E", "description": "", "__type": "AB_TEST"}
    assert body(put)["status"] == "DRAFT" and not post.called
    assert [v["shortUid"] for v in body(put)["variants"]] == ["0", "1"]


def test_adopt_existing_experience_fills_its_draft_found_in_the_versions_list(respx_mock: respx.MockRouter,
                                                                              provider: ProviderFactory) -> None:
    listed = {k: v for k, v in experience().items() if k != "_cms"}
    respx_mock.get("/experiences").respond(json=[listed])
    respx_mock.get("/experiences/x1/versions").side_effect = [
        respx.MockResponse(json=[version("v1", "DRAFT")]), respx.MockResponse(json=[ACTIVE_V1])]
    put = respx_mock.put("/experiences/x1/versions/v1").respond(json=ACTIVE_V1)
    post = respx_mock.post("/experiences/x1/versions")
    respx_mock.get("/experiences/x1").respond(json=experience("ACTIVE", cms=CMS))
    p = provider(EXPERIENCE)
    result = p.create({**checked(p, {**AB, "status": "ACTIVE"}), "adopt_existing": True})
    assert result.id == "x1" and body(put)["status"] == "ACTIVE" and not post.called


def test_refresh_reads_the_latest_version_from_the_list(respx_mock: respx.MockRouter,
                                                        provider: ProviderFactory) -> None:
    respx_mock.get("/experiences/x1").respond(json=experience("ACTIVE", cms=CMS))
    respx_mock.get("/experiences/x1/versions").respond(json=[ACTIVE_V1])
    p = provider(EXPERIENCE)
    news = checked(p, {**AB, "status": "ACTIVE"})
    result = p.read("x1", news)
    assert result.inputs == news
    assert result.outs["experience_status"] == "ACTIVE" and result.outs["cms_variant_group_uid"] == "vg1"
    assert p.diff("x1", result.outs, news).changes is False


def test_a_404_experience_is_gone_only_when_the_list_answers_without_it(respx_mock: respx.MockRouter,
                                                                        provider: ProviderFactory) -> None:
    respx_mock.get("/experiences/x1").respond(404, json={"message": "not found"})
    listing = respx_mock.get("/experiences")
    listing.side_effect = [respx.MockResponse(json=[]), respx.MockResponse(401, json={"statusCode": 401, "error": "Unauthorized", "message": "Unauthorized"})]
    p = provider(EXPERIENCE)
    news = checked(p, AB)
    assert p.read("x1", news).id == ""
    LISTINGS.clear()
    with pytest.raises(ResourceOperationError, match="401"):
        p.read("x1", news)


def test_delete_pauses_an_active_version_found_in_the_list_first(respx_mock: respx.MockRouter,
                                                                 provider: ProviderFactory) -> None:
    respx_mock.get("/experiences/x1/versions").respond(json=[{**ACTIVE_V1, **SERVER, "experienceUid": "x1"}])
    pause = respx_mock.put("/experiences/x1/versions/v1").respond(json={**ACTIVE_V1, "status": "PAUSED"})
    delete = respx_mock.delete("/experiences/x1").respond(204)
    provider(EXPERIENCE).delete("x1", {"name": "E"})
    sent = body(pause)
    assert sent == {"status": "PAUSED", "variants": ACTIVE_V1["variants"], "variantSplit": "EQUALLY_SPLIT",
                    "metrics": ACTIVE_V1["metrics"]}
    assert delete.called and respx_mock.calls[-1].request.method == "DELETE"


def test_experience_type_change_is_a_replace_and_limits_are_check_failures(provider: ProviderFactory) -> None:
    p = provider(EXPERIENCE)
    assert failures(p, {"name": "E", "type": "SEGMENTED", "variants": [{"name": "a", "traffic_distribution": 10}]}) == [
        ("variants", "variants[0].traffic_distribution: is for AB_TEST experiences")]
    assert "variant names must be unique" in failures(p, {"name": "E", "type": "AB_TEST",
                                                          "variants": [{"name": "a"}, {"name": "a"}]})[0][1]
    assert "at most 20 variants" in failures(p, {"name": "E", "type": "AB_TEST",
                                                 "variants": [{"name": f"v{i}"} for i in range(21)]})[0][1]
    assert failures(p, {"name": "E", "type": "SEGMENTED", "variants": [{"name": "a"}]}) == [
        ("variants", "variants[0].audiences: a SEGMENTED variant needs at least one audience or Lytics audience")]
    assert failures(p, {"name": "E", "type": "SEGMENTED", "variants": [{"name": "a", "lytics_audiences": []}]})
    assert not failures(p, {"name": "E", "type": "SEGMENTED", "variants": [{"name": "a", "lytics_audiences": [LYTICS]}]})
    assert failures(p, {"name": "E", "type": "AB_TEST", "variants": [{"name": "a", "lytics_audiences": [LYTICS]}]})
    for status in ("LIVE", "INACTIVE", "ENDED", "ARCHIVED"):
        assert failures(p, {"name": "E", "status": status})[0][0] == "status"
    news = checked(p, AB)
    assert p.diff("x1", news, {**news, "type": "SEGMENTED", "variants": []}).replaces == ["type"]


LYTICS = "0123456789abcdef0123456789abcdef"
SEGMENTED = {"name": "E", "type": "SEGMENTED", "status": "ACTIVE", "variants": [{"name": "Fans", "audiences": ["a1"]}]}


def segmented(uid: str, status: str, **variant: Any) -> dict[str, Any]:
    return version(uid, status, [{"__type": "SegmentedVariant", "name": "Fans", "shortUid": "0",
                                  "audienceCombinationType": "OR", "audiences": ["a1"], **variant}])


def test_undeclared_lytics_audiences_are_kept_by_a_new_version(respx_mock: respx.MockRouter,
                                                               provider: ProviderFactory) -> None:
    live = segmented("v1", "ACTIVE", lyticsAudiences=[LYTICS])
    respx_mock.get("/experiences/x1").respond(json=experience("ACTIVE", type="SEGMENTED", cms=CMS))
    respx_mock.get("/experiences/x1/versions").respond(json=[live])
    post = respx_mock.post("/experiences/x1/versions").respond(201, json=segmented("v2", "ACTIVE"))
    p = provider(EXPERIENCE)
    # nothing changed but Lytics, which is not declared: nothing is written
    news = checked(p, SEGMENTED)
    p.update("x1", {}, news)
    assert not post.called
    # refresh shows the kept ones as an output, not as drift of the inputs
    result = p.read("x1", news)
    assert result.inputs == news and result.outs["variant_lytics_audiences"] == {"Fans": [LYTICS]}
    assert p.diff("x1", result.outs, news).changes is False
    p.update("x1", {}, checked(p, {**SEGMENTED, "variants": [{"name": "Fans", "audiences": ["a1", "a2"]}]}))
    assert body(post)["variants"][0]["lyticsAudiences"] == [LYTICS]


def test_declared_lytics_audiences_are_sent_and_refreshed(respx_mock: respx.MockRouter,
                                                          provider: ProviderFactory) -> None:
    respx_mock.get("/experiences/x1").respond(json=experience("ACTIVE", type="SEGMENTED", cms=CMS))
    respx_mock.get("/experiences/x1/versions").respond(json=[segmented("v1", "ACTIVE", lyticsAudiences=[LYTICS])])
    post = respx_mock.post("/experiences/x1/versions").respond(201, json=segmented("v2", "ACTIVE"))
    p = provider(EXPERIENCE)
    only_lytics = {**SEGMENTED, "variants": [{"name": "Fans", "lytics_audiences": [LYTICS]}]}
    news = checked(p, only_lytics)
    result = p.read("x1", news)
    assert result.inputs["variants"][0]["lytics_audiences"] == [LYTICS]
    p.update("x1", {}, news)
    assert body(post)["variants"][0] == {"__type": "SegmentedVariant", "name": "Fans", "shortUid": "0",
                                         "audiences": [], "audienceCombinationType": "OR",
                                         "lyticsAudiences": [LYTICS]}
    # declared empty: removed
    p.update("x1", {}, checked(p, {**SEGMENTED, "variants": [{"name": "Fans", "audiences": ["a1"],
                                                                "lytics_audiences": []}]}))
    assert body(post)["variants"][0]["lyticsAudiences"] == []


# --- priority and look-ups ----------------------------------------------------------------------------------


def test_priority_puts_the_named_first_and_keeps_the_rest(respx_mock: respx.MockRouter,
                                                          provider: ProviderFactory) -> None:
    respx_mock.get("/experiences-priority").respond(json={"priorityOrder": ["a", "b", "c", "d"]})
    put = respx_mock.put("/experiences-priority").respond(json={"priorityOrder": ["c", "a", "b", "d"]})
    p = provider(EXPERIENCE_PRIORITY)
    result = p.create(checked(p, {"experiences": ["c", "a"]}))
    assert body(put) == {"priorityOrder": ["c", "a", "b", "d"]}
    assert result.id == "experience-priority" and result.outs["order"] == ["c", "a", "b", "d"]
    assert p.check({}, {"experiences": ["a", "a"]}).failures[0].property == "experiences"


@pytest.mark.parametrize("answer", [["z", "c", "a"], {"experiences": ["z", "c", "a"]},
                                    {"priorityOrder": [{"uid": "z"}, {"uid": "c"}, {"uid": "a"}]}])
def test_priority_read_accepts_either_shape(answer: Any, provider: ProviderFactory) -> None:
    with respx.mock(base_url=URL) as respx_mock:
        respx_mock.get("/experiences-priority").respond(json=answer)
        p = provider(EXPERIENCE_PRIORITY)
        news = checked(p, {"experiences": ["c", "a"]})
        result = p.read("experience-priority", {**news, "order": ["c", "a", "z"]})
    assert result.inputs == {"experiences": ["z", "c"]}
    assert p.diff("experience-priority", result.outs, news).changes is True


def test_geolocation_lookups_pass_the_search(respx_mock: respx.MockRouter) -> None:
    route = respx_mock.get("/geolocation/cities").respond(json=[
        {"uid": "US-CA-SF", "code": "US-CA-SF", "name": "San Francisco", "countryCode": "US", "regionCode": "US-CA"}])
    [city] = lookups.get_cities("san", country_code="US", config=CONFIG)
    assert city.name == "San Francisco" and city.region_code == "US-CA"
    assert dict(route.calls.last.request.url.params) == {"search": "san", "countryCode": "US"}


def test_lookups_find_custom_attributes_never_presets(respx_mock: respx.MockRouter) -> None:
    respx_mock.get("/attributes").respond(json=[
        *PRESETS, {"uid": "a1", "name": "Spend", "key": "spend", "__type": "CUSTOM"},
        {"uid": "a2", "name": "Age", "key": "age", "__type": "CUSTOM"}])
    assert lookups.get_attribute(key="age", config=CONFIG).uid == "a2"
    with pytest.raises(lookups.LookupError_, match="no attribute with key 'COUNTRY'"):
        lookups.get_attribute(key="COUNTRY", config=CONFIG)
    with pytest.raises(lookups.LookupError_, match="no attribute with key 'nope'"):
        lookups.get_attribute(key="nope", config=CONFIG)


def test_experience_lookup_reads_latest_version_and_cms(respx_mock: respx.MockRouter) -> None:
    respx_mock.get("/experiences").respond(json=[experience("ACTIVE", cms=CMS)])
    found = lookups.get_experience(name="E", config=CONFIG)
    assert (found.latest_version_uid, found.type, found.cms_variant_group_uid, found.short_uid) == (
        "v1", "AB_TEST", "vg1", "3")


def test_project_lookup_by_connected_stack(respx_mock: respx.MockRouter) -> None:
    route = respx_mock.get("/projects").respond(json=[
        {"_id": "p0", "uid": "p" * 24, "name": "Site", "organizationUid": "org1", "connectedStackApiKey": "blt123"}])
    config = {k: v for k, v in CONFIG.items() if "ProjectUid" not in k}  # not needed to find it
    project = lookups.get_project(connected_stack_api_key="blt123", organization_uid="org1", config=config)
    assert project.uid == "p" * 24 and project.organization_uid == "org1"
    request = route.calls.last.request
    assert dict(request.url.params) == {"connectedStackApiKey": "blt123"}
    assert request.headers["organization_uid"] == "org1" and "x-project-uid" not in request.headers
    assert request.headers["authtoken"] == "cs-token-SECRET"


def test_an_error_shows_the_services_code_beside_its_message(respx_mock: respx.MockRouter,
                                                             provider: ProviderFactory) -> None:
    respx_mock.get("/experiences/x1").respond(json=experience("ACTIVE", cms=CMS))
    respx_mock.get("/experiences/x1/versions").respond(json=[ACTIVE_V1])
    respx_mock.post("/experiences/x1/versions").respond(400, json={
        "statusCode": 400, "error": "personalize.EXPERIENCES.VERSIONS.CANNOT_UPDATE_LOCKED_VERSION",
        "message": "The version is locked"})
    p = provider(EXPERIENCE)
    with pytest.raises(ResourceOperationError,
                       match=r"The version is locked \(personalize.EXPERIENCES.VERSIONS.CANNOT_UPDATE_LOCKED_VERSION\)"):
        p.update("x1", {}, checked(p, {**AB, "status": "ACTIVE", "variants": [{"name": "Control"}]}))
