"""Contentstack Personalize behaviour of the emulator, through real HTTP, against the live service's facts
(``docs/facts/contentstack.md``)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest

from pulumi_personalize.emulator.testing import DEFAULT_PROJECT_UID, EmulatorHandle, running_emulator

UID = re.compile(r"[0-9a-f]{24}")
AUTHTOKEN = {"authtoken": "emulator-authtoken"}
VERSIONS = "personalize.EXPERIENCES.VERSIONS."
SERVER_OWNED = ("_id", "uid", "project", "createdBy", "updatedBy", "createdByUserName", "updatedByUserName",
                "createdAt", "updatedAt")


def _ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json() if response.content else None


def _attribute(cs: httpx.Client, key: str = "plan") -> dict[str, Any]:
    result: dict[str, Any] = _ok(cs.post("/attributes", json={"name": key.title(), "key": key, "description": "d"}),
                                 201)
    return result


def _audience(cs: httpx.Client, name: str = "Everyone", definition: Any = None) -> dict[str, Any]:
    body: dict[str, Any] = {"name": name, "description": "d"}
    if definition is not None:
        body["definition"] = definition
    result: dict[str, Any] = _ok(cs.post("/audiences", json=body), 201)
    return result


def _experience(cs: httpx.Client, kind: str = "SEGMENTED", name: str = "Home") -> dict[str, Any]:
    result: dict[str, Any] = _ok(cs.post("/experiences", json={"name": name, "description": "x", "__type": kind}), 201)
    return result


def _segmented(audiences: list[str], status: str = "DRAFT", names: tuple[str, ...] = ("AU visitors",),
               shorts: tuple[str | None, ...] = ()) -> dict[str, Any]:
    variants = []
    for index, name in enumerate(names):
        variant: dict[str, Any] = {"__type": "SegmentedVariant", "name": name, "audiences": audiences,
                                   "audienceCombinationType": "OR"}
        if index < len(shorts) and shorts[index] is not None:
            variant["shortUid"] = shorts[index]
        variants.append(variant)
    return {"status": status, "variants": variants}


def _custom_rule(attribute_uid: str, count: int = 1) -> dict[str, Any]:
    rule = {"__type": "Rule", "attribute": {"__type": "CustomAttributeReference", "ref": attribute_uid},
            "attributeMatchCondition": "STRING_EQUALS",
            "attributeMatchOptions": {"__type": "StringMatchOptions", "value": "gold"}, "invertCondition": False}
    return {"__type": "RuleCombination", "combinationType": "AND", "rules": [rule] * count}


def _versions(cs: httpx.Client, experience_uid: str) -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = _ok(cs.get(f"/experiences/{experience_uid}/versions"))
    return result


def _live(cs: httpx.Client, kind: str = "SEGMENTED") -> tuple[dict[str, Any], str, dict[str, Any]]:
    """An experience whose first version is ACTIVE; returns (experience, audience uid, active version)."""
    audience = _audience(cs)["uid"]
    experience = _experience(cs, kind)
    version = _ok(cs.put(f"/experiences/{experience['uid']}/versions/{experience['latestVersion']}",
                         json=_segmented([audience], "ACTIVE")))
    return experience, audience, version


# --- credentials, headers, routes, errors -------------------------------------------------------------------


def test_credentials_exactly_one_of_authtoken_or_bearer(emulator: EmulatorHandle) -> None:
    project = {"x-project-uid": DEFAULT_PROJECT_UID}
    with httpx.Client(base_url=emulator.base_url) as client:
        missing = client.get("/attributes", headers=project)
        assert missing.status_code == 401 and missing.json()["error"] == "Unauthorized"
        assert client.get("/attributes", headers={**project, "authtoken": "nope"}).status_code == 401
        assert client.get("/attributes", headers={**project, **AUTHTOKEN}).status_code == 200
        assert client.get("/attributes", headers={**project, "authorization": "Bearer emulator-oauth-token"}
                          ).status_code == 200
        assert client.get("/attributes", headers={**project, "authorization": "Bearer x"}).status_code == 401
        both = {**project, **AUTHTOKEN, "authorization": "Bearer emulator-oauth-token"}
        assert client.get("/attributes", headers=both).status_code == 401


def test_project_header_is_required_and_case_insensitive(emulator: EmulatorHandle) -> None:
    with httpx.Client(base_url=emulator.base_url) as client:
        assert client.get("/attributes", headers=AUTHTOKEN).status_code == 401
        created = _ok(client.post("/events", json={"key": "k"},
                                  headers={**AUTHTOKEN, "X-Project-Uid": DEFAULT_PROJECT_UID}), 201)
        listed = _ok(client.get("/events", headers={**AUTHTOKEN, "x-project-uid": DEFAULT_PROJECT_UID}))
        assert [e["uid"] for e in listed] == [created["uid"]]


def test_a_get_with_a_body_gets_the_same_answer_as_one_without(cs: httpx.Client) -> None:
    # the vendor CLI resends the previous request's JSON body with some GETs; the live service ignores it
    made = _ok(cs.post("/experiences", json={"name": "Hero", "description": "", "__type": "SEGMENTED"}), 201)
    for path in ("/events", "/attributes", "/audiences", f"/experiences/{made['uid']}", "/experiences-priority"):
        plain = cs.get(path)
        with_body = cs.request("GET", path, json={"key": "purchase", "description": "from the last POST"})
        assert (with_body.status_code, with_body.json()) == (plain.status_code, plain.json()), path
        assert plain.status_code == 200
    odd = cs.request("GET", "/audiences", content=b"{not json", headers={"content-type": "application/json"})
    assert (odd.status_code, odd.json()) == (200, cs.get("/audiences").json())


def test_unknown_routes_are_nest_404s(cs: httpx.Client) -> None:
    for method, path in (("GET", "/nope"), ("POST", "/attributes/abc"), ("GET", "/attributes/" + "0" * 24), ("DELETE", "/experiences-priority"),
                         ("PATCH", "/experiences")):
        response = cs.request(method, path, json={} if method != "GET" else None)
        assert response.status_code == 404
        assert response.json() == {"statusCode": 404, "error": "Not Found", "message": f"Cannot {method} {path}"}


def test_validation_errors_are_keyed_by_field(cs: httpx.Client) -> None:
    body = _ok(cs.post("/attributes", json={"name": 5}), 400)
    assert body["statusCode"] == 400 and body["error"] == "Bad Request" and body["message"]
    assert body["errors"] == {"name": ["must be a string"], "key": ["is required"]}
    assert _ok(cs.post("/experiences", json={"name": "x", "__type": "PERSONALIZED"}), 400)["errors"] == {
        "__type": ["must be one of SEGMENTED, AB_TEST"]}
    assert _ok(cs.post("/experiences", json={"name": "x"}), 400)["errors"] == {"__type": ["is required"]}
    assert _ok(cs.post("/events", json={"description": "Click"}), 400)["errors"] == {"key": ["is required"]}
    errors = _ok(cs.post("/audiences", json={"name": "A", "definition": {
        "__type": "RuleCombination", "combinationType": "XOR", "rules": [{"__type": "Rule"}]}}), 400)["errors"]
    assert errors["definition.combinationType"] == ["NOT_VALID_ENUM: must be one of AND, OR"]
    assert "definition.rules[0].attribute" in errors and "definition.rules[0].attributeMatchCondition" in errors
    assert _ok(cs.post("/audiences", json={"name": "A", "definition": []}), 400)["errors"] == {
        "definition": ["must be an object"]}


def test_projects_do_not_see_each_other(emulator: EmulatorHandle) -> None:
    with httpx.Client(base_url=emulator.base_url, headers=emulator.contentstack_headers("a" * 24)) as a, \
            httpx.Client(base_url=emulator.base_url, headers=emulator.contentstack_headers("b" * 24)) as b:
        attribute = _attribute(a)
        experience = _experience(a)
        assert [x["uid"] for x in _ok(a.get("/attributes")) if x["__type"] == "CUSTOM"] == [attribute["uid"]]
        assert [x for x in _ok(b.get("/attributes")) if x["__type"] == "CUSTOM"] == []
        assert b.get(f"/experiences/{experience['uid']}").status_code == 404
        assert b.delete(f"/attributes/{attribute['uid']}").status_code == 404
        assert _ok(b.get("/experiences-priority")) == {"priorityOrder": []}
        _attribute(b)  # the same key is free in another project


# --- lists ---------------------------------------------------------------------------------------------------


def test_every_list_is_a_bare_array(cs: httpx.Client) -> None:
    experience = _experience(cs)
    _attribute(cs)
    _audience(cs)
    _ok(cs.post("/events", json={"key": "click"}), 201)
    for path in ("/attributes", "/audiences", "/events", "/experiences", f"/experiences/{experience['uid']}/versions",
                 "/geolocation/countries"):
        body = _ok(cs.get(path))
        assert isinstance(body, list) and body, path


# --- attributes ----------------------------------------------------------------------------------------------


def test_presets_are_listed_in_every_project_and_are_read_only(emulator: EmulatorHandle, cs: httpx.Client) -> None:
    presets = [a for a in _ok(cs.get("/attributes")) if a["__type"] == "PRESET"]
    keys = {a["key"] for a in presets}
    assert {"COUNTRY", "QUERY_PARAMETERS", "DATE_AND_TIME", "DEVICE_TYPE", "REGION", "CITY", "OPERATING_SYSTEM",
            "REFERRER"} <= keys
    assert all(UID.fullmatch(a["uid"]) and a["project"] == DEFAULT_PROJECT_UID and a["name"] for a in presets)
    assert [a["uid"] for a in presets] == [a["uid"] for a in _ok(cs.get("/attributes")) if a["__type"] == "PRESET"]
    with httpx.Client(base_url=emulator.base_url, headers=emulator.contentstack_headers("c" * 24)) as other:
        elsewhere = {a["key"]: a["uid"] for a in _ok(other.get("/attributes"))}
    country = next(a for a in presets if a["key"] == "COUNTRY")
    assert elsewhere["COUNTRY"] != country["uid"]  # seeded per project
    refused = _ok(cs.put(f"/attributes/{country['uid']}", json={"name": "Land", "key": "COUNTRY"}), 400)
    assert refused["error"] == "personalize.ATTRIBUTES.CANNOT_MODIFY_PRESET_ATTRIBUTE"
    assert cs.delete(f"/attributes/{country['uid']}").status_code == 400
    assert _ok(cs.post("/attributes", json={"name": "Mine", "key": "COUNTRY"}), 400)["errors"]["key"]


def test_custom_attribute_crud(cs: httpx.Client) -> None:
    created = _attribute(cs)
    assert UID.fullmatch(created["uid"]) and created["_id"] == created["uid"]
    assert created["__type"] == "CUSTOM" and "data_type" not in created
    assert {k: created[k] for k in ("name", "key", "description")} == {"name": "Plan", "key": "plan",
                                                                       "description": "d"}
    assert set(SERVER_OWNED) <= set(created)
    updated = _ok(cs.put(f"/attributes/{created['uid']}", json={"name": "Plan tier", "key": "plan",
                                                                "description": "tier"}))
    assert updated["name"] == "Plan tier" and updated["createdAt"] == created["createdAt"]
    assert updated["__type"] == "CUSTOM"
    assert [a for a in _ok(cs.get("/attributes")) if a["__type"] == "CUSTOM"] == [updated]
    deleted = cs.delete(f"/attributes/{created['uid']}")
    assert deleted.status_code == 204 and not deleted.content
    assert [a for a in _ok(cs.get("/attributes")) if a["__type"] == "CUSTOM"] == []
    assert cs.delete(f"/attributes/{created['uid']}").status_code == 404
    assert cs.put(f"/attributes/{created['uid']}", json={"name": "x", "key": "y"}).status_code == 404


def test_server_owned_fields_sent_back_are_ignored(cs: httpx.Client) -> None:
    """The vendor CLI re-POSTs exported objects whole."""
    stale = {"_id": "f" * 24, "uid": "e" * 24, "project": "d" * 24, "createdBy": "blt1", "updatedBy": "blt1",
             "createdByUserName": "Someone", "updatedByUserName": "Someone", "createdAt": "2020-01-01T00:00:00Z",
             "updatedAt": "2020-01-01T00:00:00Z"}
    attribute = _ok(cs.post("/attributes", json={**stale, "name": "A", "key": "a", "__type": "PRESET"}), 201)
    event = _ok(cs.post("/events", json={**stale, "key": "click", "name": "Click", "description": "c"}), 201)
    experience = _ok(cs.post("/experiences", json={
        **stale, "name": "E", "__type": "AB_TEST", "status": "ACTIVE", "latestVersion": "c" * 24, "shortUid": "9",
        "_cms": {"variantGroup": "x", "variants": {"0": "y"}}, "referredAudiences": ["a" * 24],
        "activeVersion": "b" * 24}), 201)
    for obj in (attribute, event, experience):
        assert obj["uid"] not in (stale["uid"], stale["_id"]) and obj["project"] == DEFAULT_PROJECT_UID
        assert obj["createdAt"] != stale["createdAt"] and obj["createdBy"] != "blt1"
    assert attribute["__type"] == "CUSTOM"
    assert "name" not in event  # events are {key, description}; a name is ignored, not stored
    assert experience["status"] == "DRAFT" and experience["latestVersion"] == _versions(cs, experience["uid"])[0]["uid"]
    assert experience["shortUid"] == "0" and "_cms" not in experience and "activeVersion" not in experience
    assert experience["referredAudiences"] == []


def test_an_attribute_used_by_an_audience_cannot_be_deleted(cs: httpx.Client) -> None:
    attribute = _attribute(cs)
    audience = _audience(cs, definition=_custom_rule(attribute["uid"]))
    assert _ok(cs.delete(f"/attributes/{attribute['uid']}"), 400)["errors"]["uid"]
    _ok(cs.put(f"/audiences/{audience['uid']}", json={"name": "No rules"}))
    assert cs.delete(f"/attributes/{attribute['uid']}").status_code == 204


# --- events --------------------------------------------------------------------------------------------------


def test_event_crud_and_unique_keys(cs: httpx.Client) -> None:
    created = _ok(cs.post("/events", json={"key": "signup", "description": "Signed up"}), 201)
    assert {k: created[k] for k in ("key", "description")} == {"key": "signup", "description": "Signed up"}
    assert _ok(cs.post("/events", json={"key": "signup"}), 400)["errors"]["key"]
    updated = _ok(cs.put(f"/events/{created['uid']}", json={"key": "sign_up", "description": "New"}))
    assert (updated["key"], updated["createdAt"]) == ("sign_up", created["createdAt"])
    assert _ok(cs.get("/events")) == [updated]
    assert cs.delete(f"/events/{created['uid']}").status_code == 204
    assert _ok(cs.get("/events")) == []


# --- audiences -----------------------------------------------------------------------------------------------


def test_audience_definition_tree(cs: httpx.Client) -> None:
    attribute = _attribute(cs)
    nested = {"__type": "RuleCombination", "combinationType": "OR", "rules": [
        _custom_rule(attribute["uid"]),
        {"__type": "Rule", "attribute": {"__type": "PresetAttributeReference", "ref": "DEVICE_TYPE"},
         "attributeMatchCondition": "STRING_EQUALS",
         "attributeMatchOptions": {"__type": "StringMatchOptions", "value": "MOBILE"}, "invertCondition": True}]}
    audience = _audience(cs, definition=nested)
    assert audience["definition"] == nested and "rules" not in audience
    empty = {"__type": "RuleCombination", "combinationType": "AND", "rules": []}
    assert _audience(cs, "Everyone else", empty)["definition"] == empty
    dangling = _ok(cs.post("/audiences", json={"name": "Dangling", "definition": _custom_rule("f" * 24)}), 400)
    assert "does not exist" in dangling["errors"]["definition"][0]
    updated = _ok(cs.put(f"/audiences/{audience['uid']}", json={"name": "Renamed"}))
    assert updated["name"] == "Renamed" and "definition" not in updated
    assert cs.delete(f"/audiences/{audience['uid']}").status_code == 204


def test_an_audience_of_an_active_version_cannot_be_deleted(cs: httpx.Client) -> None:
    experience, audience, _ = _live(cs)
    assert _ok(cs.delete(f"/audiences/{audience}"), 400)["errors"]["uid"]
    assert cs.delete(f"/experiences/{experience['uid']}").status_code == 204
    assert cs.delete(f"/audiences/{audience}").status_code == 204


# --- experiences ---------------------------------------------------------------------------------------------


def test_creating_an_experience_creates_an_empty_draft_version(cs: httpx.Client) -> None:
    experience = _experience(cs)
    assert experience["status"] == "DRAFT" and isinstance(experience["latestVersion"], str)
    assert "activeVersion" not in experience and "variants" not in experience
    (draft,) = _versions(cs, experience["uid"])
    assert draft["uid"] == experience["latestVersion"] and draft["status"] == "DRAFT" and draft["variants"] == []
    assert draft["experienceUid"] == experience["uid"]
    assert _ok(cs.get(f"/experiences/{experience['uid']}")) == experience
    second = _experience(cs, "AB_TEST", "Second")
    assert second["shortUid"] == "1"


def test_experience_update_keeps_the_type(cs: httpx.Client) -> None:
    experience = _experience(cs)
    updated = _ok(cs.put(f"/experiences/{experience['uid']}", json={"name": "Renamed", "description": "new",
                                                                   "__type": "SEGMENTED"}))
    assert (updated["name"], updated["description"], updated["__type"]) == ("Renamed", "new", "SEGMENTED")
    assert updated["createdAt"] == experience["createdAt"] and updated["latestVersion"] == experience["latestVersion"]
    refused = _ok(cs.put(f"/experiences/{experience['uid']}", json={"name": "x", "__type": "AB_TEST"}), 400)
    assert refused["errors"]["__type"]
    assert cs.put("/experiences/" + "0" * 24, json={"name": "x"}).status_code == 404


def test_an_active_experience_can_be_deleted(cs: httpx.Client) -> None:
    experience, _, _ = _live(cs)
    assert _ok(cs.get(f"/experiences/{experience['uid']}"))["status"] == "ACTIVE"
    assert cs.delete(f"/experiences/{experience['uid']}").status_code == 204
    assert cs.get(f"/experiences/{experience['uid']}").status_code == 404
    assert cs.get(f"/experiences/{experience['uid']}/versions").status_code == 404


# --- versions ------------------------------------------------------------------------------------------------


def test_one_draft_at_a_time(cs: httpx.Client) -> None:
    audience = _audience(cs)["uid"]
    experience = _experience(cs)
    refused = _ok(cs.post(f"/experiences/{experience['uid']}/versions", json=_segmented([audience])), 400)
    assert refused["error"] == VERSIONS + "CANNOT_CREATE_VERSION_AS_DRAFT_ALREADY_EXISTS"
    assert refused["error"] in refused["message"]
    assert cs.delete(f"/experiences/{experience['uid']}/versions/{experience['latestVersion']}").status_code == 204
    created = _ok(cs.post(f"/experiences/{experience['uid']}/versions", json=_segmented([audience])), 201)
    assert _ok(cs.get(f"/experiences/{experience['uid']}"))["latestVersion"] == created["uid"]


def test_activation_archives_the_previous_version(cs: httpx.Client) -> None:
    experience, audience, first = _live(cs)
    assert first["status"] == "ACTIVE"
    second = _ok(cs.post(f"/experiences/{experience['uid']}/versions", json=_segmented([audience], "ACTIVE")), 201)
    versions = _versions(cs, experience["uid"])
    assert [(v["uid"], v["status"]) for v in versions] == [(second["uid"], "ACTIVE"), (first["uid"], "ARCHIVED")]
    refused = _ok(cs.put(f"/experiences/{experience['uid']}/versions/{first['uid']}",
                         json=_segmented([audience], "ACTIVE")), 400)
    assert refused["error"] == VERSIONS + "CANNOT_UPDATE_LOCKED_VERSION"
    assert cs.delete(f"/experiences/{experience['uid']}/versions/{first['uid']}").status_code == 400


def test_pause_and_resume_by_resending_the_variants(cs: httpx.Client) -> None:
    experience, audience, active = _live(cs)
    path = f"/experiences/{experience['uid']}/versions/{active['uid']}"
    paused = _ok(cs.put(path, json=_segmented([audience], "PAUSED")))
    assert paused["status"] == "PAUSED" and paused["variants"] == active["variants"]
    assert _ok(cs.get(f"/experiences/{experience['uid']}"))["status"] == "PAUSED"
    resumed = _ok(cs.put(path, json=_segmented([audience], "ACTIVE", shorts=("0",))))
    assert resumed["status"] == "ACTIVE"
    assert _ok(cs.get(f"/experiences/{experience['uid']}"))["status"] == "ACTIVE"
    for status in ("ACTIVE", "PAUSED"):
        _ok(cs.put(path, json=_segmented([audience], status)))
        back = _ok(cs.put(path, json=_segmented([audience], "DRAFT")), 400)
        assert back["error"] == VERSIONS + "CANNOT_MARK_VERSION_AS_DRAFT"
        edit = _ok(cs.put(path, json=_segmented([audience], status, names=("Renamed",))), 400)
        assert edit["error"] == VERSIONS + "CANNOT_UPDATE_LOCKED_VERSION"
        assert cs.delete(path).status_code == 400


def test_versions_keep_and_return_lytics_audiences(cs: httpx.Client) -> None:
    experience = _experience(cs)
    path = f"/experiences/{experience['uid']}/versions/{experience['latestVersion']}"
    lytics = ["0123456789abcdef0123456789abcdef"]
    only_lytics = {"status": "DRAFT", "variants": [{"__type": "SegmentedVariant", "name": "Fans", "audiences": [],
                                                    "audienceCombinationType": "OR", "lyticsAudiences": lytics}]}
    assert _ok(cs.put(path, json=only_lytics))["variants"][0]["lyticsAudiences"] == lytics
    assert _versions(cs, experience["uid"])[0]["variants"][0]["lyticsAudiences"] == lytics


def test_version_bodies_need_status_and_variants(cs: httpx.Client) -> None:
    audience = _audience(cs)["uid"]
    experience = _experience(cs)
    path = f"/experiences/{experience['uid']}/versions/{experience['latestVersion']}"
    assert _ok(cs.put(path, json={"variants": []}), 400)["errors"]["status"] == ["STATUS_REQUIRED: status is required"]
    assert _ok(cs.put(path, json={"status": "DRAFT"}), 400)["errors"]["variants"]
    assert _ok(cs.put(path, json={"status": "ENDED", "variants": []}), 400)["errors"]["status"][0].startswith(
        "INVALID_STATUS")
    assert _ok(cs.put(path, json={"status": "PAUSED", "variants": []}), 400)["errors"]["status"]
    assert _ok(cs.put(path, json={"status": "ACTIVE", "variants": []}), 400)["errors"]["variants"]
    wrong_type = {"status": "DRAFT", "variants": [{"__type": "ABTestVariant", "name": "A", "trafficDistribution": 50}]}
    assert _ok(cs.put(path, json=wrong_type), 400)["errors"]
    no_audience = {"status": "DRAFT", "variants": [{"__type": "SegmentedVariant", "name": "A", "audiences": [],
                                                    "audienceCombinationType": "OR"}]}
    assert _ok(cs.put(path, json=no_audience), 400)["errors"]
    unknown = _ok(cs.put(path, json=_segmented(["not-an-id"])), 400)["errors"]
    assert "not a valid ObjectId" in unknown["variants[0].audiences[0]"][0]
    assert _ok(cs.put(path, json=_segmented(["0" * 24])), 400)["errors"]
    metrics = {**_segmented([audience]), "metrics": [{"__type": "Primary", "event": "0" * 24, "name": "m"}]}
    assert _ok(cs.put(path, json=metrics), 400)["errors"]["metrics[0].event[0]"]
    assert cs.post("/experiences/" + "0" * 24 + "/versions", json=_segmented([audience])).status_code == 404
    assert cs.put(f"/experiences/{experience['uid']}/versions/" + "0" * 24,
                  json=_segmented([audience])).status_code == 404


def test_a_single_version_is_not_served(cs: httpx.Client) -> None:
    experience = _experience(cs)
    path = f"/experiences/{experience['uid']}/versions/{experience['latestVersion']}"
    response = cs.get(path)
    assert response.status_code == 404 and response.json()["message"] == f"Cannot GET {path}"


def test_short_uids_are_the_servers(cs: httpx.Client) -> None:
    audience = _audience(cs)["uid"]
    experience = _experience(cs)
    uid = experience["uid"]
    draft = f"/experiences/{uid}/versions/{experience['latestVersion']}"
    first = _ok(cs.put(draft, json=_segmented([audience], names=("A", "B"))))
    assert [v["shortUid"] for v in first["variants"]] == ["0", "1"]
    # sent back: kept; left out (as the vendor CLI does): a new number, never a reused one
    kept = _ok(cs.put(draft, json=_segmented([audience], names=("A", "B", "C"), shorts=("1", None, None))))
    assert [v["shortUid"] for v in kept["variants"]] == ["1", "2", "3"]
    invented = _ok(cs.put(draft, json=_segmented([audience], shorts=("7",))), 400)
    assert "variants" in invented["errors"]
    assert cs.delete(draft).status_code == 204
    fresh = _ok(cs.post(f"/experiences/{uid}/versions", json=_segmented([audience], names=("D",))), 201)
    assert [v["shortUid"] for v in fresh["variants"]] == ["4"]


@pytest.fixture
def slow_cms() -> Iterator[tuple[EmulatorHandle, httpx.Client]]:
    """An emulator whose background job takes 1.5 s (0.5 s by default): long enough to see it pending."""
    with running_emulator(env={"PERSONALIZE_EMULATOR_CMS_DELAY": "1.5"}) as emu, \
            httpx.Client(base_url=emu.base_url, headers=emu.contentstack_headers()) as client:
        yield emu, client


def test_cms_variant_group_is_filled_by_a_background_job(slow_cms: tuple[EmulatorHandle, httpx.Client]) -> None:
    emulator, cs = slow_cms
    emulator.move_clock(frozen=True)  # the job runs when the emulator's clock says so, not before
    audience = _audience(cs)["uid"]
    experience = _experience(cs)
    uid = experience["uid"]
    emulator.advance_clock(1.6)
    assert "_cms" not in _ok(cs.get(f"/experiences/{uid}"))  # no variants yet, no job
    _ok(cs.put(f"/experiences/{uid}/versions/{experience['latestVersion']}",
               json=_segmented([audience], "ACTIVE", names=("A", "B"))))
    emulator.advance_clock(1.4)
    assert "_cms" not in _ok(cs.get(f"/experiences/{uid}"))  # the job takes its time
    emulator.advance_clock(0.1)
    current = _ok(cs.get(f"/experiences/{uid}"))
    cms = current["_cms"]
    assert re.fullmatch(r"cs[0-9a-f]{16}", cms["variantGroup"]) and set(cms["variants"]) == {"0", "1"}
    _ok(cs.post(f"/experiences/{uid}/versions", json=_segmented([audience], names=("A", "B", "C"),
                                                               shorts=("0", "1", None))), 201)
    assert len(_ok(cs.get(f"/experiences/{uid}"))["_cms"]["variants"]) == 2  # not extended yet
    emulator.advance_clock(1.5)
    later = _ok(cs.get(f"/experiences/{uid}"))["_cms"]
    assert later["variantGroup"] == cms["variantGroup"]
    assert set(later["variants"]) == {"0", "1", "2"}
    assert {k: later["variants"][k] for k in ("0", "1")} == cms["variants"]  # stable per shortUid
    saved = httpx.get(emulator.base_url + "/_emulator/state").json()
    assert saved["contentstack"]["projects"][DEFAULT_PROJECT_UID]["cms"][uid] == later


# --- priority ------------------------------------------------------------------------------------------------


def test_experience_priority(cs: httpx.Client) -> None:
    first, second, third = (_experience(cs, name=n)["uid"] for n in ("One", "Two", "Three"))
    assert _ok(cs.get("/experiences-priority")) == {"priorityOrder": [first, second, third]}
    assert _ok(cs.put("/experiences-priority", json={"priorityOrder": [third, first, second]})) == {
        "priorityOrder": [third, first, second]}
    assert [e["uid"] for e in _ok(cs.get("/experiences"))] == [third, first, second]
    assert _ok(cs.put("/experiences-priority", json={"experiences": [second, third, first]})) == {
        "priorityOrder": [second, third, first]}
    missing = _ok(cs.put("/experiences-priority", json={"priorityOrder": [first, second]}), 400)
    assert missing["error"] == "MISSING_EXPERIENCES" and third in missing["message"]
    assert _ok(cs.put("/experiences-priority", json={"priorityOrder": [first, second, third, "0" * 24]}), 400)
    assert _ok(cs.put("/experiences-priority", json={"priorityOrder": [first, first, second, third]}), 400)
    assert _ok(cs.put("/experiences-priority", json={"priority": [first, second, third]}), 400)
    fourth = _experience(cs, name="Four")["uid"]
    assert _ok(cs.get("/experiences-priority"))["priorityOrder"] == [second, third, first, fourth]
    assert cs.delete(f"/experiences/{third}").status_code == 204
    assert _ok(cs.get("/experiences-priority"))["priorityOrder"] == [second, first, fourth]


# --- projects ------------------------------------------------------------------------------------------------


def test_projects_per_organization(emulator: EmulatorHandle) -> None:
    org = {**AUTHTOKEN, "organization_uid": "blt-org-1"}
    with httpx.Client(base_url=emulator.base_url) as client:
        assert client.get("/projects", headers=AUTHTOKEN).status_code == 401
        project = _ok(client.post("/projects", headers=org, json={
            "name": "Web", "description": "d", "connectedStackApiKey": "blt-stack-1", "uid": "x" * 24}), 201)
        assert UID.fullmatch(project["uid"]) and project["_id"] == project["uid"]
        assert (project["name"], project["organizationUid"], project["connectedStackApiKey"]) == (
            "Web", "blt-org-1", "blt-stack-1")
        duplicate = _ok(client.post("/projects", headers=org, json={"name": "web"}), 400)
        assert duplicate["error"] == "personalize.PROJECTS.DUPLICATE_NAME"
        other_org = {**AUTHTOKEN, "organization_uid": "blt-org-2"}
        _ok(client.post("/projects", headers=other_org, json={"name": "Web"}), 201)  # names are per organization
        _ok(client.post("/projects", headers=org, json={"name": "Two", "connectedStackApiKey": "blt-stack-2"}), 201)
        _ok(client.post("/projects", headers=org, json={"name": "Three"}), 201)
        quota = _ok(client.post("/projects", headers=org, json={"name": "Four"}), 400)
        assert quota["error"] == "personalize.PROJECTS.PROJECT_COUNT_EXCEEDED"
        assert [p["name"] for p in _ok(client.get("/projects", headers=org))] == ["Web", "Two", "Three"]
        by_stack = _ok(client.get("/projects", headers=org, params={"connectedStackApiKey": "blt-stack-1"}))
        assert [p["uid"] for p in by_stack] == [project["uid"]]
        scoped = {**AUTHTOKEN, "x-project-uid": project["uid"]}
        _experience_in(client, scoped)
        listed = _ok(client.get("/projects", headers=org, params={"connectedStackApiKey": "blt-stack-1"}))
        assert listed[0]["activeExperienceCount"] == 1 and listed[0]["audienceCount"] == 1


def _experience_in(client: httpx.Client, headers: dict[str, str]) -> None:
    audience = _ok(client.post("/audiences", headers=headers, json={"name": "A"}), 201)["uid"]
    experience = _ok(client.post("/experiences", headers=headers, json={"name": "E", "__type": "SEGMENTED"}), 201)
    _ok(client.put(f"/experiences/{experience['uid']}/versions/{experience['latestVersion']}", headers=headers,
                   json=_segmented([audience], "ACTIVE")))


def test_rate_limit_is_per_organization() -> None:
    with running_emulator(rate_limit=3) as emu, httpx.Client(base_url=emu.base_url) as client:
        org = {**AUTHTOKEN, "organization_uid": "blt-org-rl"}
        one = _ok(client.post("/projects", headers=org, json={"name": "One"}), 201)["uid"]
        two = _ok(client.post("/projects", headers=org, json={"name": "Two"}), 201)["uid"]
        emu.move_clock(frozen=True, advance=1.2)  # a fresh window, which stays open while the test runs

        def get(uid: str) -> int:
            return client.get("/events", headers={**AUTHTOKEN, "x-project-uid": uid}).status_code

        with ThreadPoolExecutor(max_workers=8) as pool:  # all at once: the window is not what is measured
            statuses = list(pool.map(get, [one, two] * 4))
        assert sorted(statuses) == [200] * 3 + [429] * 5  # both projects draw on one budget
        limited = client.get("/projects", headers=org)
        assert limited.status_code == 429 and limited.json()["statusCode"] == 429
        assert client.get("/events", headers=emu.contentstack_headers("9" * 24)).status_code == 200


# --- quotas --------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def tight() -> Iterator[httpx.Client]:
    """An emulator with small quotas (the limits are settings; the defaults are the live ones)."""
    quotas = {"experiences": 2, "audiences": 2, "attributes": 1, "events": 1, "rules_per_audience": 2,
              "variants_per_experience": 2}
    with running_emulator(env={"PERSONALIZE_EMULATOR_QUOTAS": json.dumps(quotas)}) as emu, \
            httpx.Client(base_url=emu.base_url, headers=emu.contentstack_headers()) as client:
        yield client


def test_quotas_refuse_with_a_code_naming_them(tight: httpx.Client) -> None:
    attribute = _attribute(tight)
    assert _ok(tight.post("/attributes", json={"name": "B", "key": "b"}), 400)["error"] == \
        "personalize.ATTRIBUTES.ATTRIBUTE_COUNT_EXCEEDED"
    _ok(tight.post("/events", json={"key": "a"}), 201)
    assert _ok(tight.post("/events", json={"key": "b"}), 400)["error"] == "personalize.EVENTS.EVENT_COUNT_EXCEEDED"
    rules = _ok(tight.post("/audiences", json={"name": "R", "definition": _custom_rule(attribute["uid"], 3)}), 400)
    assert rules["error"] == "personalize.AUDIENCES.RULE_COUNT_EXCEEDED"
    audience = _audience(tight, definition=_custom_rule(attribute["uid"], 2))["uid"]
    _audience(tight, "Second")
    assert _ok(tight.post("/audiences", json={"name": "Third"}), 400)["error"] == \
        "personalize.AUDIENCES.AUDIENCE_COUNT_EXCEEDED"
    experience = _experience(tight)
    _experience(tight, name="Second")
    assert _ok(tight.post("/experiences", json={"name": "Third", "__type": "AB_TEST"}), 400)["error"] == \
        "personalize.EXPERIENCES.EXPERIENCE_COUNT_EXCEEDED"
    path = f"/experiences/{experience['uid']}/versions/{experience['latestVersion']}"
    too_many = _ok(tight.put(path, json=_segmented([audience], names=("A", "B", "C"))), 400)
    assert too_many["error"] == "personalize.EXPERIENCES.VARIANT_COUNT_EXCEEDED"
    _ok(tight.put(path, json=_segmented([audience], names=("A", "B"))))


# --- geolocation, persistence ----------------------------------------------------------------------------------


def test_geolocation_with_or_without_the_project_header(emulator: EmulatorHandle) -> None:
    with httpx.Client(base_url=emulator.base_url) as client:
        for headers in (AUTHTOKEN, emulator.contentstack_headers()):
            countries = _ok(client.get("/geolocation/countries", headers=headers, params={"search": "united"}))
            assert {c["code"] for c in countries} >= {"US", "GB"}
        regions = _ok(client.get("/geolocation/regions", headers=AUTHTOKEN, params={"countryCode": "US"}))
        assert regions and all(r["countryCode"] == "US" for r in regions)
        cities = _ok(client.get("/geolocation/cities", headers=AUTHTOKEN, params={"regionCode": "CA", "limit": 1}))
        assert len(cities) == 1
        assert client.get("/geolocation/countries").status_code == 401


def test_projects_versions_and_cms_survive_a_restart(tmp_path: Path) -> None:
    with running_emulator(state_file=tmp_path / "state.json", env={"PERSONALIZE_EMULATOR_CMS_DELAY": "0.1"}) as emu:
        org = {**AUTHTOKEN, "organization_uid": "blt-org-p"}
        project = _ok(httpx.post(emu.base_url + "/projects", headers=org, json={"name": "P"}), 201)
        headers = {**AUTHTOKEN, "x-project-uid": project["uid"]}
        with httpx.Client(base_url=emu.base_url, headers=headers) as cs:
            experience, _, _ = _live(cs)

        def saved_cms() -> dict[str, Any]:
            emu.flush()
            saved = json.loads((tmp_path / "state.json").read_text())
            cms: dict[str, Any] = saved["contentstack"]["projects"][project["uid"]]["cms"]
            return cms

        assert experience["uid"] not in saved_cms()
        emu.advance_clock(0.1)  # the background job runs even when nobody reads the experience
        assert experience["uid"] in saved_cms()
        with httpx.Client(base_url=emu.base_url, headers=headers) as cs:
            before = (_ok(cs.get(f"/experiences/{experience['uid']}")), _versions(cs, experience["uid"]))
        emu.restart()
        with httpx.Client(base_url=emu.base_url, headers=headers) as cs:
            after = (_ok(cs.get(f"/experiences/{experience['uid']}")), _versions(cs, experience["uid"]))
            assert after == before and "_cms" in after[0]
            assert _ok(cs.get("/experiences-priority")) == {"priorityOrder": [experience["uid"]]}
        assert [p["uid"] for p in _ok(httpx.get(emu.base_url + "/projects", headers=org))] == [project["uid"]]


def test_an_organization_without_personalize_is_forbidden() -> None:
    with running_emulator(env={"PERSONALIZE_EMULATOR_DISABLED_ORGANIZATIONS": "blt-no-personalize"}) as emu, \
            httpx.Client(base_url=emu.base_url) as client:
        for method in ("GET", "POST"):
            response = client.request(method, "/projects", json={"name": "P"} if method == "POST" else None,
                                      headers={**AUTHTOKEN, "organization_uid": "blt-no-personalize"})
            assert response.status_code == 403
            assert response.json() == {"statusCode": 403, "error": "Forbidden", "message": "Forbidden"}
        _ok(client.post("/projects", json={"name": "P"}, headers={**AUTHTOKEN, "organization_uid": "blt-other"}), 201)
