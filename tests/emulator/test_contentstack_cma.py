"""The emulator's Content Management API variant groups (``emulator/contentstack/cma.py``): the groups the
Personalize side's job makes, seen from the stack, their credentials and the PUT that links content types.

The session's emulator (``conftest.py``); its clock is moved past the background job's delay after a
version with variants is written, so the job runs and no test waits for it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from pulumi_personalize.emulator.contentstack.cma import EMULATOR_MANAGEMENT_TOKEN, EMULATOR_STACK_API_KEY
from pulumi_personalize.emulator.settings import DEFAULT_AUTHTOKEN, DEFAULT_CMS_DELAY, DEFAULT_OAUTH_TOKEN
from pulumi_personalize.emulator.testing import DEFAULT_PROJECT_UID, EmulatorHandle

GROUPS = "/v3/variant_groups"
STACK = {"api_key": EMULATOR_STACK_API_KEY, "authtoken": DEFAULT_AUTHTOKEN}


@pytest.fixture
def cma(emulator: EmulatorHandle) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=emulator.base_url, headers=STACK, timeout=10) as client:
        yield client


def _ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def _experience(emulator: EmulatorHandle, cs: httpx.Client, name: str) -> dict[str, Any]:
    """An A/B experience with two variants, its ``_cms`` filled (the clock moved past the job's delay)."""
    made = _ok(cs.post("/experiences", json={"name": name, "__type": "AB_TEST"}), 201)
    variants = [{"__type": "ABTestVariant", "name": n, "trafficDistribution": 50} for n in ("A", "B")]
    _ok(cs.put(f"/experiences/{made['uid']}/versions/{made['latestVersion']}",
               json={"status": "DRAFT", "variants": variants}))
    emulator.advance_clock(DEFAULT_CMS_DELAY)
    experience: dict[str, Any] = _ok(cs.get(f"/experiences/{made['uid']}"))
    assert experience["_cms"]["variantGroup"]
    return experience


def _link(cma: httpx.Client, group: dict[str, Any], entries: list[Any]) -> httpx.Response:
    return cma.put(f"{GROUPS}/{group['uid']}", json={"name": group["name"], "content_types": entries})


def test_credentials_and_the_stack_api_key_are_required(emulator: EmulatorHandle) -> None:
    url = emulator.base_url + GROUPS
    no_key = httpx.get(url, headers={"authtoken": DEFAULT_AUTHTOKEN})
    assert no_key.status_code == 401 and no_key.json()["errors"] == {"api_key": ["is required."]}
    assert httpx.get(url, headers={"api_key": EMULATOR_STACK_API_KEY}).status_code == 401
    assert httpx.get(url, headers={**STACK, "authtoken": "wrong"}).status_code == 401
    assert httpx.get(url, headers={"api_key": EMULATOR_STACK_API_KEY, "authorization": "wrong"}).status_code == 401
    for credential in ({"authtoken": DEFAULT_AUTHTOKEN}, {"authorization": EMULATOR_MANAGEMENT_TOKEN},
                       {"authorization": f"Bearer {DEFAULT_OAUTH_TOKEN}"}):
        assert _ok(httpx.get(url, headers={"api_key": EMULATOR_STACK_API_KEY, **credential})) == {"variant_groups": []}
    unknown = httpx.get(url, headers={**STACK, "api_key": "blt-nobody"})
    assert unknown.status_code == 412 and unknown.json()["error_message"] == "The api_key is not valid."


def test_the_groups_are_the_ones_the_personalize_job_makes(emulator: EmulatorHandle, cs: httpx.Client,
                                                           cma: httpx.Client) -> None:
    home, promo = _experience(emulator, cs, "Home"), _experience(emulator, cs, "Promo")
    listed = _ok(cma.get(GROUPS, params={"include_count": "true"}))
    assert listed["count"] == 2
    by_name = {g["name"]: g for g in listed["variant_groups"]}
    assert by_name["Home"]["uid"] == home["_cms"]["variantGroup"] and by_name["Home"]["content_types"] == []
    assert by_name["Promo"]["personalize_metadata"] == {
        "experience_uid": promo["uid"], "experience_short_uid": promo["shortUid"], "project_uid": DEFAULT_PROJECT_UID}
    assert [g["name"] for g in _ok(cma.get(GROUPS, params={"experience_uid": home["uid"]}))["variant_groups"]] == ["Home"]
    first = _ok(cma.get(GROUPS, params={"limit": 1}))["variant_groups"]
    second = _ok(cma.get(GROUPS, params={"limit": 1, "skip": 1}))["variant_groups"]
    assert len(first) == len(second) == 1 and first != second


def test_a_project_connected_to_a_stack_shows_its_groups_under_that_stack_only(
        emulator: EmulatorHandle, cma: httpx.Client) -> None:
    org = {"authtoken": DEFAULT_AUTHTOKEN, "organization_uid": "org-1"}
    project = _ok(httpx.post(emulator.base_url + "/projects", headers=org,
                             json={"name": "Site", "connectedStackApiKey": "blt-site"}), 201)
    with httpx.Client(base_url=emulator.base_url, headers=emulator.contentstack_headers(project["uid"])) as site:
        _experience(emulator, site, "Site hero")
    assert _ok(cma.get(GROUPS)) == {"variant_groups": []}
    [group] = _ok(cma.get(GROUPS, headers={"api_key": "blt-site"}))["variant_groups"]
    assert group["name"] == "Site hero" and group["personalize_metadata"]["project_uid"] == project["uid"]


def test_a_put_gives_the_group_its_whole_list_of_linked_content_types(emulator: EmulatorHandle, cs: httpx.Client,
                                                                     cma: httpx.Client) -> None:
    experience = _experience(emulator, cs, "Home")
    [group] = _ok(cma.get(GROUPS))["variant_groups"]
    answer = _ok(_link(cma, group, [{"uid": "page", "status": "linked"}, "product"]))
    assert answer["variant_group"]["content_types"] == ["page", "product"]
    _ok(_link(cma, group, [{"uid": "product", "status": "linked"}, {"uid": "page", "status": "unlinked"}]))
    assert _ok(cma.get(GROUPS))["variant_groups"][0]["content_types"] == ["product"]
    _ok(_link(cma, group, []))  # what a PUT leaves out is unlinked
    assert _ok(cma.get(GROUPS))["variant_groups"][0]["content_types"] == []
    assert "content_types" not in _ok(cs.get(f"/experiences/{experience['uid']}"))["_cms"]  # the CMA's own state
    assert cs.delete(f"/experiences/{experience['uid']}").status_code == 204
    [left] = _ok(cma.get(GROUPS))["variant_groups"]  # the stack keeps the group of a deleted experience
    assert left["uid"] == group["uid"] and left["personalize_metadata"]["experience_uid"] == experience["uid"]
    assert _ok(_link(cma, left, ["faq"]))["variant_group"]["content_types"] == ["faq"]


def test_a_put_that_does_not_fit_is_refused(emulator: EmulatorHandle, cs: httpx.Client, cma: httpx.Client) -> None:
    _experience(emulator, cs, "Home")
    [group] = _ok(cma.get(GROUPS))["variant_groups"]
    nameless = cma.put(f"{GROUPS}/{group['uid']}", json={"content_types": []})
    assert nameless.status_code == 422 and nameless.json()["errors"] == {"name": ["is required."]}
    renamed = cma.put(f"{GROUPS}/{group['uid']}", json={"name": "Other", "content_types": []})
    assert renamed.status_code == 422 and "managed by Personalize" in renamed.json()["errors"]["name"][0]
    bad = _link(cma, group, [{"uid": "page", "status": "attached"}, {"status": "linked"}])
    assert bad.status_code == 422 and set(bad.json()["errors"]) == {"content_types[0]", "content_types[1]"}
    missing = cma.put(f"{GROUPS}/cs0000000000000000", json={"name": "Home", "content_types": []})
    assert missing.status_code == 404 and missing.json()["error_message"] == "Variant group was not found."
    assert _ok(cma.get(GROUPS))["variant_groups"][0]["content_types"] == []
