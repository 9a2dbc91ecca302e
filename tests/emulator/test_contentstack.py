"""Contentstack Personalize behaviour of the emulator, through real HTTP."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from pulumi_personalize.emulator.testing import EmulatorHandle

UID = re.compile(r"[0-9a-f]{24}")


def _attribute(cs: httpx.Client, key: str = "plan") -> dict[str, Any]:
    response = cs.post("/attributes", json={"name": key.title(), "key": key, "data_type": "string"})
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


def _audience(cs: httpx.Client, name: str = "Everyone", definition: Any = None) -> dict[str, Any]:
    body: dict[str, Any] = {"name": name, "description": "d"}
    if definition is not None:
        body["definition"] = definition
    response = cs.post("/audiences", json=body)
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


def _experience(cs: httpx.Client, kind: str = "SEGMENTED", name: str = "Home") -> dict[str, Any]:
    response = cs.post("/experiences", json={"name": name, "description": "x", "__type": kind})
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


def _segmented(audiences: list[str], status: str = "DRAFT") -> dict[str, Any]:
    return {"status": status, "variants": [{"__type": "SegmentedVariant", "name": "AU visitors",
                                            "audiences": audiences, "audienceCombinationType": "OR"}]}


def _custom_rule(attribute_uid: str) -> dict[str, Any]:
    return {"__type": "RuleCombination", "combinationType": "AND", "rules": [{
        "__type": "Rule", "attribute": {"__type": "CustomAttributeReference", "ref": attribute_uid},
        "attributeMatchCondition": "STRING_EQUALS",
        "attributeMatchOptions": {"__type": "StringMatchOptions", "value": "gold"}, "invertCondition": False}]}


# --- auth and projects --------------------------------------------------------------------------------


def test_auth_headers(emulator: EmulatorHandle) -> None:
    with httpx.Client(base_url=emulator.base_url) as client:
        project = {"x-project-uid": "p"}
        assert client.get("/attributes", headers=project).status_code == 401
        wrong = client.get("/attributes", headers={**project, "authtoken": "nope"})
        assert wrong.status_code == 401 and wrong.json()["status"] == 401 and wrong.json()["message"]
        assert client.get("/attributes", headers={"authtoken": "emulator-authtoken"}).status_code == 401
        assert client.get("/attributes", headers={**project, "authtoken": "emulator-authtoken"}).status_code == 200
        oauth = {**project, "authorization": "Bearer emulator-oauth-token"}
        assert client.get("/attributes", headers=oauth).status_code == 200
        assert client.get("/attributes", headers={**project, "authorization": "Bearer x"}).status_code == 401


def test_projects_do_not_see_each_other(emulator: EmulatorHandle) -> None:
    with httpx.Client(base_url=emulator.base_url, headers=emulator.contentstack_headers("a" * 24)) as a, \
            httpx.Client(base_url=emulator.base_url, headers=emulator.contentstack_headers("b" * 24)) as b:
        attribute = _attribute(a)
        experience = _experience(a)
        assert [x["uid"] for x in a.get("/attributes").json()["data"]] == [attribute["uid"]]
        assert b.get("/attributes").json() == {"data": []}
        assert b.get(f"/experiences/{experience['uid']}").status_code == 404
        assert b.delete(f"/attributes/{attribute['uid']}").status_code == 404
        assert b.get("/experiences/priority").json() == {"priority": []}
        _attribute(b)  # the same key is free in another project


# --- attributes, audiences, events -------------------------------------------------------------------


def test_attribute_crud(cs: httpx.Client) -> None:
    created = _attribute(cs)
    assert UID.fullmatch(created["uid"])
    assert created["created_at"] == created["createdAt"] and created["updated_at"]
    updated = cs.put(f"/attributes/{created['uid']}", json={"name": "Plan tier", "key": "plan",
                                                          "data_type": "string", "description": "tier"})
    assert updated.status_code == 200
    assert updated.json()["name"] == "Plan tier" and updated.json()["created_at"] == created["created_at"]
    assert cs.get("/attributes").json()["data"] == [updated.json()]
    deleted = cs.delete(f"/attributes/{created['uid']}")
    assert deleted.status_code == 200 and deleted.json()["message"]
    assert cs.get("/attributes").json() == {"data": []}
    assert cs.delete(f"/attributes/{created['uid']}").status_code == 404


def test_validation_errors_name_each_field(cs: httpx.Client) -> None:
    response = cs.post("/attributes", json={"name": 5, "data_type": "money"})
    assert response.status_code == 400
    body = response.json()
    assert body["status"] == 400 and body["message"]
    assert body["errors"] == {"name": ["must be a string"], "key": ["is required"],
                              "data_type": ["must be one of string, number, boolean, date"]}
    experience = cs.post("/experiences", json={"name": "x", "__type": "PERSONALIZED"})
    assert experience.json()["errors"] == {"__type": ["must be one of SEGMENTED, AB_TEST"]}
    assert cs.post("/experiences", json={"name": "x"}).json()["errors"]["__type"] == [
        "is required (SEGMENTED or AB_TEST)"]
    assert cs.post("/events", json={"name": "Click"}).json()["errors"] == {"key": ["is required"]}
    audience = cs.post("/audiences", json={"name": "A", "definition": {
        "__type": "RuleCombination", "combinationType": "XOR", "rules": [{"__type": "Rule"}]}})
    errors = audience.json()["errors"]
    assert errors["definition.combinationType"] == ["must be one of AND, OR"]
    assert "definition.rules[0].attribute" in errors


def test_keys_are_unique(cs: httpx.Client) -> None:
    _attribute(cs, "tier")
    duplicate = cs.post("/attributes", json={"name": "Other", "key": "tier", "data_type": "number"})
    assert duplicate.status_code == 400 and "key" in duplicate.json()["errors"]
    cs.post("/events", json={"name": "Click", "key": "click"})
    assert cs.post("/events", json={"name": "Click 2", "key": "click"}).status_code == 400


def test_audience_definition_and_rules(cs: httpx.Client) -> None:
    attribute = _attribute(cs)
    audience = _audience(cs, definition=_custom_rule(attribute["uid"]))
    assert audience["definition"] == _custom_rule(attribute["uid"])
    assert audience["rules"] == audience["definition"]  # the seed file's name for the same thing
    by_rules = cs.post("/audiences", json={"name": "Seed shape", "rules": {"any": "thing"}}).json()
    assert by_rules["definition"] == {"any": "thing"}
    missing = cs.post("/audiences", json={"name": "Dangling", "definition": _custom_rule("f" * 24)})
    assert missing.status_code == 400
    updated = cs.put(f"/audiences/{audience['uid']}", json={"name": "Renamed"}).json()
    assert updated["name"] == "Renamed" and "definition" not in updated


def test_attribute_used_by_an_audience_cannot_be_deleted(cs: httpx.Client) -> None:
    attribute = _attribute(cs)
    audience = _audience(cs, definition=_custom_rule(attribute["uid"]))
    refused = cs.delete(f"/attributes/{attribute['uid']}")
    assert refused.status_code == 400
    assert audience["uid"] in refused.json()["message"] and refused.json()["status"] == 400
    assert cs.delete(f"/audiences/{audience['uid']}").status_code == 200
    assert cs.delete(f"/attributes/{attribute['uid']}").status_code == 200


def test_events_can_be_updated_and_deleted(cs: httpx.Client) -> None:
    event = cs.post("/events", json={"name": "Click", "key": "click_cta", "description": "CTA"}).json()
    assert UID.fullmatch(event["uid"]) and event["key"] == "click_cta"
    updated = cs.put(f"/events/{event['uid']}", json={"name": "Click CTA", "key": "click_cta"})
    assert updated.status_code == 200 and updated.json()["name"] == "Click CTA"
    assert cs.put(f"/events/{'0' * 24}", json={"name": "x", "key": "y"}).status_code == 404
    assert cs.delete(f"/events/{event['uid']}").status_code == 200
    assert cs.get("/events").json() == {"data": []}


# --- experiences and versions -------------------------------------------------------------------------


def test_creating_an_experience_creates_an_empty_draft(cs: httpx.Client) -> None:
    experience = _experience(cs, "AB_TEST")
    assert UID.fullmatch(experience["uid"])
    assert experience["__type"] == experience["type"] == "AB_TEST"
    assert experience["status"] == "DRAFT" and experience["activeVersion"] is None
    draft = experience["latestVersion"]
    assert draft["status"] == "DRAFT" and draft["variants"] == [] and UID.fullmatch(draft["uid"])
    versions = cs.get(f"/experiences/{experience['uid']}/versions").json()["data"]
    assert versions == [draft]
    seed_shape = cs.post("/experiences", json={"name": "Seed", "type": "SEGMENTED"}).json()
    assert seed_shape["__type"] == "SEGMENTED"


def test_experience_type_cannot_change(cs: httpx.Client) -> None:
    experience = _experience(cs, "SEGMENTED")
    changed = cs.put(f"/experiences/{experience['uid']}", json={"name": "Home", "__type": "AB_TEST"})
    assert changed.status_code == 400 and "__type" in changed.json()["errors"]
    renamed = cs.put(f"/experiences/{experience['uid']}", json={"name": "Home 2", "type": "SEGMENTED"})
    assert renamed.status_code == 200 and renamed.json()["name"] == "Home 2"
    assert renamed.json()["latestVersion"]["uid"] == experience["latestVersion"]["uid"]


def test_version_rules(cs: httpx.Client) -> None:
    audience = _audience(cs)
    experience = _experience(cs)
    uid = experience["uid"]
    draft = experience["latestVersion"]["uid"]

    second_draft = cs.post(f"/experiences/{uid}/versions", json=_segmented([audience["uid"]]))
    assert second_draft.status_code == 400 and "DRAFT version already exists" in str(second_draft.json())

    # update the draft; short uids are assigned by the server
    updated = cs.put(f"/experiences/{uid}/versions/{draft}", json=_segmented([audience["uid"]])).json()
    assert updated["variants"][0]["shortUid"] == "0" and updated["status"] == "DRAFT"

    # an empty version cannot be activated; this one can
    empty = cs.put(f"/experiences/{uid}/versions/{draft}", json={"status": "ACTIVE", "variants": []})
    assert empty.status_code == 400 and "variants" in empty.json()["errors"]
    keep = _segmented([audience["uid"]], "ACTIVE")
    keep["variants"][0]["shortUid"] = "0"  # without it, the variant would be a new one ("1")
    activated = cs.put(f"/experiences/{uid}/versions/{draft}", json=keep).json()
    assert activated["status"] == "ACTIVE" and activated["variants"][0]["shortUid"] == "0"
    assert cs.get(f"/experiences/{uid}").json()["status"] == "ACTIVE"
    assert cs.delete(f"/experiences/{uid}/versions/{draft}").status_code == 400  # only drafts

    # a new active version archives the previous one; a new variant gets the next short uid
    body = _segmented([audience["uid"]], "ACTIVE")
    body["variants"] = [{**body["variants"][0], "shortUid": "0"}, {"name": "Rest", "audiences": []}]
    second = cs.post(f"/experiences/{uid}/versions", json=body)
    assert second.status_code == 201
    assert [v["shortUid"] for v in second.json()["variants"]] == ["0", "1"]
    assert second.json()["variants"][1]["__type"] == "SegmentedVariant"
    statuses = [v["status"] for v in cs.get(f"/experiences/{uid}/versions").json()["data"]]
    assert statuses == ["ARCHIVED", "ACTIVE"]
    archived_edit = cs.put(f"/experiences/{uid}/versions/{draft}", json=_segmented([], "ACTIVE"))
    assert archived_edit.status_code == 400

    # a draft next to the active version, deleted again
    third = cs.post(f"/experiences/{uid}/versions", json={"status": "DRAFT"}).json()
    assert cs.get(f"/experiences/{uid}").json()["latestVersion"]["uid"] == third["uid"]
    assert cs.delete(f"/experiences/{uid}/versions/{third['uid']}").status_code == 200
    assert cs.get(f"/experiences/{uid}/versions/{third['uid']}").status_code == 404

    # an active experience cannot be deleted; pause first
    refused = cs.delete(f"/experiences/{uid}")
    assert refused.status_code == 400 and "pause" in refused.json()["message"]
    paused = cs.put(f"/experiences/{uid}/versions/{second.json()['uid']}",
                    json={**second.json(), "status": "PAUSED"}).json()
    assert paused["status"] == "PAUSED"
    assert cs.get(f"/experiences/{uid}").json()["status"] == "INACTIVE"
    back_to_draft = cs.put(f"/experiences/{uid}/versions/{paused['uid']}", json={**paused, "status": "DRAFT"})
    assert back_to_draft.status_code == 400
    assert cs.delete(f"/experiences/{uid}").status_code == 200
    assert cs.get(f"/experiences/{uid}").status_code == 404
    assert cs.get(f"/experiences/{uid}/versions").status_code == 404


def test_variant_types_follow_the_experience_type(cs: httpx.Client) -> None:
    experience = _experience(cs, "AB_TEST")
    draft = experience["latestVersion"]["uid"]
    wrong = cs.put(f"/experiences/{experience['uid']}/versions/{draft}", json=_segmented([]))
    assert wrong.status_code == 400 and "variants[0].__type" in wrong.json()["errors"]
    body = {"status": "ACTIVE", "variantSplit": "EQUALLY_SPLIT",
            "variants": [{"__type": "ABTestVariant", "name": "Control", "trafficDistribution": 50},
                         {"__type": "ABTestVariant", "name": "Purple", "trafficDistribution": 50}],
            "metrics": [{"__type": "Primary", "event": "2" * 24, "name": "Click on CTA"}]}
    ok = cs.put(f"/experiences/{experience['uid']}/versions/{draft}", json=body)
    assert ok.status_code == 200 and ok.json()["metrics"] == body["metrics"]
    too_much = {**body, "variants": [{"__type": "ABTestVariant", "name": "C", "trafficDistribution": 101}]}
    assert cs.post(f"/experiences/{experience['uid']}/versions", json=too_much).status_code == 400


def test_audience_used_by_an_active_experience_cannot_be_deleted(cs: httpx.Client) -> None:
    audience = _audience(cs)
    targeted = _audience(cs, "Targeted")
    experience = _experience(cs)
    draft = experience["latestVersion"]["uid"]
    cs.put(f"/experiences/{experience['uid']}/versions/{draft}", json=_segmented([audience["uid"]]))
    assert cs.delete(f"/audiences/{_audience(cs, 'Unused')['uid']}").status_code == 200
    body = {**_segmented([audience["uid"]], "ACTIVE"),
            "targeting": {"audience": {"audiences": [targeted["uid"]], "audienceCombinationType": "AND"}}}
    cs.put(f"/experiences/{experience['uid']}/versions/{draft}", json=body)
    for uid in (audience["uid"], targeted["uid"]):
        refused = cs.delete(f"/audiences/{uid}")
        assert refused.status_code == 400 and experience["uid"] in refused.json()["message"]
    cs.put(f"/experiences/{experience['uid']}/versions/{draft}", json={**body, "status": "PAUSED"})
    assert cs.delete(f"/audiences/{audience['uid']}").status_code == 200


def test_priority_tracks_experiences(cs: httpx.Client) -> None:
    a, b, c = (_experience(cs, name=n)["uid"] for n in "abc")
    assert cs.get("/experiences/priority").json() == {"priority": [a, b, c]}
    reordered = cs.put("/experiences/priority", json={"priority": [c, a, b]})
    assert reordered.status_code == 200 and reordered.json() == {"priority": [c, a, b]}
    d = _experience(cs, name="d")["uid"]
    assert cs.get("/experiences/priority").json()["priority"] == [c, a, b, d]  # new ones appended
    cs.delete(f"/experiences/{a}")
    assert cs.get("/experiences/priority").json()["priority"] == [c, b, d]  # deleted ones removed
    partial = cs.put("/experiences/priority", json={"priority": [d]}).json()
    assert partial["priority"] == [d, c, b]  # experiences left out keep their order after the listed ones
    unknown = cs.put("/experiences/priority", json={"priority": ["f" * 24]})
    assert unknown.status_code == 400 and "priority[0]" in unknown.json()["errors"]
    assert cs.put("/experiences/priority", json={"priority": [b, b]}).status_code == 400
    assert cs.put("/experiences/priority", json={"order": []}).json()["errors"] == {"priority": ["is required"]}


def test_unknown_experience_is_404(cs: httpx.Client) -> None:
    missing = "0" * 24
    assert cs.get(f"/experiences/{missing}").status_code == 404
    assert cs.put(f"/experiences/{missing}", json={"name": "x", "type": "AB_TEST"}).status_code == 404
    assert cs.delete(f"/experiences/{missing}").status_code == 404
    assert cs.post(f"/experiences/{missing}/versions", json={}).status_code == 404
    experience = _experience(cs)
    assert cs.put(f"/experiences/{experience['uid']}/versions/{missing}", json={}).status_code == 404


# --- geolocation --------------------------------------------------------------------------------------


def test_geolocation(cs: httpx.Client) -> None:
    countries = cs.get("/geolocation/countries").json()["data"]
    assert len(countries) >= 30
    codes = {c["code"] for c in countries}
    assert {"US", "AU", "GB", "DE", "IN", "JP"} <= codes
    assert all(set(c) >= {"uid", "name", "code"} for c in countries)
    assert [c["code"] for c in cs.get("/geolocation/countries", params={"search": "austr"}).json()["data"]] == [
        "AT", "AU"]
    assert [c["name"] for c in cs.get("/geolocation/countries", params={"code": "fr,de"}).json()["data"]] == [
        "Germany", "France"]
    us_regions = cs.get("/geolocation/regions", params={"countryCode": "US"}).json()["data"]
    assert "US-CA" in {r["code"] for r in us_regions} and all(r["countryCode"] == "US" for r in us_regions)
    cities = cs.get("/geolocation/cities", params={"countryCode": "US", "regionCode": "CA"}).json()["data"]
    assert {"San Francisco", "Los Angeles"} <= {c["name"] for c in cities}
    assert [c["name"] for c in cs.get("/geolocation/cities", params={"name": "sydney"}).json()["data"]] == ["Sydney"]
    assert len(cs.get("/geolocation/cities", params={"limit": 2, "skip": 1}).json()["data"]) == 2


@pytest.mark.parametrize("path", ["/geolocation/countries", "/geolocation/regions", "/geolocation/cities"])
def test_geolocation_needs_credentials(emulator: EmulatorHandle, path: str) -> None:
    assert httpx.get(emulator.base_url + path).status_code == 401
