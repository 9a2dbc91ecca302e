"""cs.VariantGroupContentTypes at the HTTP boundary: the provider against the emulator in process,
whose CMA side serves the variant groups its Personalize side's ``_cms`` job makes.

Time is fake on both sides: the provider's poll sleeps through ``FakeTime`` and each sleep moves the
emulator's frozen clock as far, so a sleep of the poll is what lets the ``_cms`` job become due.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

import httpx
import pytest
import respx
from pulumi.dynamic import CreateResult, ReadResult, UpdateResult

from pulumi_personalize.config import Tenant
from pulumi_personalize.contentstack import _experiences
from pulumi_personalize.contentstack.cma import CmaApi, cma_client, linked_content_types
from pulumi_personalize.contentstack.cma_settings import CMA_REGIONS, load_cma_settings
from pulumi_personalize.contentstack.resources import VARIANT_GROUP_CONTENT_TYPES as SPEC
from pulumi_personalize.emulator.contentstack.cma import EMULATOR_MANAGEMENT_TOKEN, EMULATOR_STACK_API_KEY
from pulumi_personalize.engine import EngineProvider, ResourceOperationError
from pulumi_personalize.errors import ConfigurationError, TenantMismatchError, redact
from tests.conftest import (
    CONTENTSTACK_AUTHTOKEN,
    CS_URL,
    PROJECT_UID,
    PROVIDER_CONFIG,
    InProcessEmulator,
    ProviderFactory,
)
from tests.unit.conftest import FakeTime

CONFIG: Mapping[str, str] = PROVIDER_CONFIG  # with the CMA on the emulator's fake host and its stack
GROUPS = "/v3/variant_groups"


class World:
    """The emulator's two sides, reached as a person would: Personalize and the stack's CMA."""

    def __init__(self, emulator: InProcessEmulator) -> None:
        self.emulator = emulator
        self.personalize = httpx.Client(base_url=CS_URL, headers={"authtoken": CONTENTSTACK_AUTHTOKEN,
                                                                  "x-project-uid": PROJECT_UID})
        self.cma = httpx.Client(base_url=CS_URL, headers={"authtoken": CONTENTSTACK_AUTHTOKEN,
                                                          "api_key": EMULATOR_STACK_API_KEY})

    def experience(self, name: str, *, variants: bool = True) -> str:
        made = self.personalize.post("/experiences", json={"name": name, "__type": "AB_TEST"}).json()
        if variants:
            body = {"status": "DRAFT", "variants": [{"__type": "ABTestVariant", "name": n, "trafficDistribution": 50}
                                                    for n in ("A", "B")]}
            self.personalize.put(f"/experiences/{made['uid']}/versions/{made['latestVersion']}",
                                 json=body).raise_for_status()
        return str(made["uid"])

    def group(self, experience: str) -> dict[str, Any]:
        [found] = self.cma.get(GROUPS, params={"experience_uid": experience}).json()["variant_groups"]
        return dict(found)

    def link_by_hand(self, experience: str, uids: list[str]) -> None:
        """Someone else links content types (the whole list, as the CMA's PUT takes it)."""
        group = self.group(experience)
        body = {"name": group["name"], "content_types": [{"uid": u, "status": "linked"} for u in uids]}
        self.cma.put(f"{GROUPS}/{group['uid']}", json=body).raise_for_status()

    def puts(self) -> list[Any]:
        return [r["body"] for r in self.emulator.requests(method="PUT", path=GROUPS)]


@pytest.fixture
def world(emulator_in_process: InProcessEmulator, fake_time: FakeTime, monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    def move(body: dict[str, Any]) -> None:
        emulator_in_process.control.post("/_emulator/clock", json=body).raise_for_status()

    def sleep(seconds: float) -> None:  # the poll's sleep moves both clocks
        fake_time.sleep(seconds)
        move({"advance": seconds})

    move({"frozen": True})
    monkeypatch.setattr(_experiences, "CMS_CLOCK", _experiences.PollClock(fake_time.clock, sleep))
    yield World(emulator_in_process)


def outs(result: CreateResult | UpdateResult | ReadResult) -> dict[str, Any]:
    assert result.outs is not None
    return dict(result.outs)


def checked(p: EngineProvider, news: dict[str, Any]) -> dict[str, Any]:
    result = p.check({}, news)
    assert result.failures == [], [(f.property, f.reason) for f in result.failures]
    return dict(result.inputs)


def test_create_waits_for_the_variant_group_then_links_the_declared_content_types(
        world: World, provider: ProviderFactory, fake_time: FakeTime) -> None:
    uid = world.experience("Home")
    p = provider(SPEC)
    created = p.create(checked(p, {"experience": uid, "content_types": ["page", "product"]}))
    group = world.group(uid)
    assert fake_time.sleeps == [0.5]  # one poll found nothing: the job was not due yet
    assert created.id == group["uid"] and outs(created)["variant_group_uid"] == group["uid"]
    assert linked_content_types(group) == ["page", "product"]
    assert outs(created)["content_types"] == ["page", "product"] and outs(created)["experience"] == uid
    assert outs(created)["tenant"]["stack_api_key"] == EMULATOR_STACK_API_KEY
    assert world.puts() == [{"name": "Home", "content_types": [{"uid": "page", "status": "linked"},
                                                               {"uid": "product", "status": "linked"}]}]


def test_create_keeps_what_others_linked(world: World, provider: ProviderFactory, fake_time: FakeTime) -> None:
    uid = world.experience("Home")
    world.emulator.control.post("/_emulator/clock", json={"advance": 1}).raise_for_status()
    world.link_by_hand(uid, ["banner"])
    p = provider(SPEC)
    p.create(checked(p, {"experience": uid, "content_types": ["page"]}))
    assert linked_content_types(world.group(uid)) == ["banner", "page"]
    assert fake_time.sleeps == []


def test_the_wait_is_bounded_and_nothing_is_linked_without_a_group(
        world: World, provider: ProviderFactory, fake_time: FakeTime) -> None:
    uid = world.experience("Empty", variants=False)  # no variants: Personalize makes no group
    p = provider(SPEC)
    with pytest.raises(ResourceOperationError, match=f"variant group of experience {uid} did not appear"):
        p.create(checked(p, {"experience": uid, "content_types": ["page"]}))
    assert fake_time.sleeps[:4] == [0.5, 1.0, 2.0, 4.0] and max(fake_time.sleeps) == 10.0
    assert sum(fake_time.sleeps) <= _experiences.CMS_WAIT_SECONDS
    assert world.puts() == []


def test_update_links_and_unlinks_the_difference_only(world: World, provider: ProviderFactory,
                                                      fake_time: FakeTime) -> None:
    uid = world.experience("Home")
    p = provider(SPEC)
    created = p.create(checked(p, {"experience": uid, "content_types": ["page", "product"]}))
    world.link_by_hand(uid, ["page", "product", "banner"])  # someone links one more
    updated = p.update(created.id, outs(created), checked(p, {"experience": uid,
                                                             "content_types": ["product", "article"]}))
    assert linked_content_types(world.group(uid)) == ["product", "banner", "article"]
    assert world.puts()[-1]["content_types"] == [
        {"uid": "product", "status": "linked"}, {"uid": "banner", "status": "linked"},
        {"uid": "article", "status": "linked"}, {"uid": "page", "status": "unlinked"}]
    assert outs(updated)["content_types"] == ["product", "article"]
    unchanged = p.update(created.id, outs(updated), checked(p, {"experience": uid,
                                                               "content_types": ["product", "article"]}))
    assert outs(unchanged)["content_types"] == ["product", "article"] and len(world.puts()) == 3  # no PUT


def test_read_shows_which_declared_content_types_are_linked(world: World, provider: ProviderFactory) -> None:
    uid = world.experience("Home")
    p = provider(SPEC)
    created = p.create(checked(p, {"experience": uid, "content_types": ["page", "product"]}))
    world.link_by_hand(uid, ["banner", "product"])  # someone unlinks page
    read = p.read(created.id, outs(created))
    assert read.id == created.id
    assert outs(read)["content_types"] == ["product"] and read.inputs is not None
    assert read.inputs["content_types"] == ["product"] and read.inputs["experience"] == uid
    assert p.diff(created.id, outs(read), checked(p, {"experience": uid, "content_types": ["product"]})).changes is False


def test_delete_unlinks_only_the_declared_content_types(world: World, provider: ProviderFactory) -> None:
    uid = world.experience("Home")
    p = provider(SPEC)
    created = p.create(checked(p, {"experience": uid, "content_types": ["page", "product"]}))
    world.link_by_hand(uid, ["page", "banner", "product"])
    p.delete(created.id, outs(created))
    group = world.group(uid)  # the group stays: Personalize owns it
    assert group["uid"] == created.id and linked_content_types(group) == ["banner"]


def test_a_change_of_experience_replaces(provider: ProviderFactory) -> None:
    p = provider(SPEC)
    olds = checked(p, {"experience": "e1", "content_types": ["page"]})
    assert p.diff("g1", olds, checked(p, {"experience": "e2", "content_types": ["page"]})).replaces == ["experience"]
    assert p.diff("g1", olds, checked(p, {"experience": "e1", "content_types": []})).replaces == []


def test_the_tenant_guard_refuses_a_provider_set_up_for_another_stack(world: World, provider: ProviderFactory) -> None:
    uid = world.experience("Home")
    created = provider(SPEC).create(checked(provider(SPEC), {"experience": uid, "content_types": ["page"]}))
    other = provider(SPEC, {**CONFIG, "personalize:contentstackStackApiKey": "blt-another-stack"})
    before = len(world.emulator.requests())
    for attempt in (lambda: other.read(created.id, outs(created)),
                    lambda: other.update(created.id, outs(created), dict(outs(created), content_types=[])),
                    lambda: other.delete(created.id, outs(created))):
        with pytest.raises(ResourceOperationError) as caught:
            attempt()
        assert isinstance(caught.value.cause, TenantMismatchError)
        assert "personalize:contentstackStackApiKey" in str(caught.value)
        assert f"stack {EMULATOR_STACK_API_KEY}" in str(caught.value) and "stack blt-another-stack" in str(caught.value)
    assert len(world.emulator.requests()) == before  # refused before any request
    assert linked_content_types(world.group(uid)) == ["page"]


def test_check_refuses_twice_listed_and_empty_content_types(provider: ProviderFactory) -> None:
    p = provider(SPEC)
    failures = p.check({}, {"experience": "e1", "content_types": ["page", "page", ""]}).failures
    assert [f.property for f in failures] == ["content_types"]
    assert "must not be empty" in failures[0].reason
    assert p.check({}, {"content_types": ["page"]}).failures[0].property == "experience"


# --- the endpoints on answers shaped otherwise -----------------------------------------------------------


def test_linked_content_types_reads_uids_and_status_objects() -> None:
    group = {"content_types": ["page", {"uid": "product", "status": "linked"}, {"uid": "old", "status": "unlinked"},
                              {"uid": "faq"}, "page", 7]}
    assert linked_content_types(group) == ["page", "product", "faq"]


def test_a_group_that_names_no_experience_is_taken_only_when_the_filter_leaves_one() -> None:
    answers = {"e1": [{"uid": "g1", "name": "One"}], "e2": [{"uid": "g1", "name": "One"}, {"uid": "g2", "name": "Two"}]}

    def answer(request: httpx.Request) -> httpx.Response:
        assert request.headers["api_key"] == "stack" and request.headers["authorization"] == "token"
        return httpx.Response(200, json={"variant_groups": answers[request.url.params["experience_uid"]]})

    settings = load_cma_settings({"personalize:contentstackStackApiKey": "stack",
                                  "personalize:contentstackManagementToken": "token",
                                  "personalize:contentstackCmaBaseUrl": "https://cma.test"}, environ={})
    with respx.mock(base_url="https://cma.test") as router:
        router.get(GROUPS).mock(side_effect=answer)
        api = CmaApi(cma_client(settings))
        assert api.group_of("e1") == {"uid": "g1", "name": "One"}
        assert api.group_of("e2") is None  # ambiguous: waited for, never guessed


# --- settings --------------------------------------------------------------------------------------------


def test_cma_hosts_follow_the_region_and_the_overrides() -> None:
    base = {"personalize:contentstackStackApiKey": "blt1", "personalize:contentstackAuthtoken": "t"}
    assert load_cma_settings(base, environ={}).base_url == "https://api.contentstack.io"
    assert load_cma_settings({**base, "personalize:contentstackRegion": "aws-eu"}, environ={}).base_url == \
        "https://eu-api.contentstack.com"
    assert {r: load_cma_settings({**base, "personalize:contentstackRegion": r}, environ={}).base_url
            for r in CMA_REGIONS} == dict(CMA_REGIONS)
    shared = {**base, "personalize:baseUrl": "http://127.0.0.1:4010"}
    assert load_cma_settings(shared, environ={}).base_url == "http://127.0.0.1:4010"
    own = {**shared, "personalize:contentstackCmaBaseUrl": "https://cma.test/"}
    assert load_cma_settings(own, environ={}).base_url == "https://cma.test"
    tenant = load_cma_settings(own, environ={}).tenant
    assert tenant == Tenant("contentstack", "cma.test", stack_api_key="blt1")
    assert tenant.record() == {"host": "cma.test", "stack_api_key": "blt1"}


def test_the_management_token_is_preferred_and_secret() -> None:
    config = {"personalize:contentstackStackApiKey": "blt1", "personalize:contentstackAuthtoken": "auth-1",
              "personalize:contentstackManagementToken": "cs-management-token-9"}
    settings = load_cma_settings(config, environ={})
    assert settings.credential_headers() == {"authorization": "cs-management-token-9"}  # no scheme: the CMA's own
    assert "cs-management-token-9" not in repr(settings) and "cs-management-token-9" not in json.dumps(
        settings.tenant.record())
    assert redact("refused cs-management-token-9") == "refused ***"
    without = load_cma_settings({k: v for k, v in config.items() if "Management" not in k}, environ={})
    assert without.credential_headers() == {"authtoken": "auth-1"}


def test_settings_come_from_the_environment_as_a_group() -> None:
    env = {"CONTENTSTACK_STACK_API_KEY": "blt-env", "CONTENTSTACK_MANAGEMENT_TOKEN": EMULATOR_MANAGEMENT_TOKEN}
    settings = load_cma_settings({}, environ=env)
    assert settings.stack_api_key == "blt-env" and settings.credential_headers() == {
        "authorization": EMULATOR_MANAGEMENT_TOKEN}
    # the stack's own credential wins over the whole environment group
    stacked = load_cma_settings({"personalize:contentstackAuthtoken": "stack-token"}, environ=env)
    assert stacked.credential_headers() == {"authtoken": "stack-token"}
    named = load_cma_settings({}, namespace="acme-eu", environ={"ACME_EU_CONTENTSTACK_STACK_API_KEY": "blt-acme",
                                                                  "ACME_EU_CONTENTSTACK_AUTHTOKEN": "t"})
    assert named.stack_api_key == "blt-acme"


def test_missing_settings_name_the_key_to_set() -> None:
    with pytest.raises(ConfigurationError, match="contentstackStackApiKey") as caught:
        load_cma_settings({"personalize:contentstackAuthtoken": "t"}, environ={})
    assert caught.value.key == "personalize:contentstackStackApiKey"
    with pytest.raises(ConfigurationError, match="contentstackManagementToken") as caught:
        load_cma_settings({"personalize:contentstackStackApiKey": "blt1"}, environ={})
    assert caught.value.key == "personalize:contentstackManagementToken"


def test_the_preview_fails_without_the_stack_api_key(provider: ProviderFactory) -> None:
    p = provider(SPEC, {k: v for k, v in CONFIG.items() if k != "personalize:contentstackStackApiKey"})
    [failure] = p.check({}, {"experience": "e1", "content_types": ["page"]}).failures
    assert "set personalize:contentstackStackApiKey" in failure.reason
