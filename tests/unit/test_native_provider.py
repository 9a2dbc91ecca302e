"""The native provider's operations at the boundary (Pulumi property values, camelCase) over the
engine, against the emulator in process: check, diff, preview, create, read (refresh and import),
update, delete, invoke, configuration per instance."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine, Mapping
from typing import Any, TypeVar

import pytest
from pulumi.provider.experimental import provider as p
from pulumi.provider.experimental.property_value import PropertyValue

from pulumi_personalize.engine import UNKNOWN
from pulumi_personalize.errors import PersonalizeError
from pulumi_personalize.native._convert import from_plain, to_plain
from pulumi_personalize.native.provider import PersonalizeProvider, flat_config
from tests.conftest import CONTENTSTACK_AUTHTOKEN, PROVIDER_CONFIG, SITECORE_ACCESS_TOKEN, InProcessEmulator

T = TypeVar("T")
CONNECTION = "personalize:sitecore:Connection"
ATTRIBUTE = "personalize:contentstack:Attribute"
OAUTH_SECRET = "native-unit-oauth-secret"


def run(call: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(call)


def urn(token: str, name: str = "it") -> str:
    return f"urn:pulumi:test::proj::{token}::{name}"


def values(plain: Mapping[str, Any]) -> dict[str, PropertyValue]:
    return {k: v if isinstance(v, PropertyValue) else from_plain(v) for k, v in plain.items()}


def plain(props: Mapping[str, PropertyValue]) -> dict[str, Any]:
    return {k: to_plain(v) for k, v in props.items()}


@pytest.fixture
def native() -> PersonalizeProvider:
    made = PersonalizeProvider()
    args = {k.split(":", 1)[1]: PropertyValue(v) for k, v in PROVIDER_CONFIG.items()}
    run(made.configure(p.ConfigureRequest({}, args, True, False)))
    return made


def connection(**changes: Any) -> dict[str, PropertyValue]:
    auth = {"authType": "OAUTH", "clientId": "personalize", "clientSecret": OAUTH_SECRET,
            "accessTokenUrl": "https://weather.example.com/oauth/token"}
    props: dict[str, Any] = {"name": "Weather", "systemType": "data_system",
                             "request": {"connectionUrl": "https://weather.example.com/v1/${city}"}, **changes}
    return {**values(props), "auth": from_plain(auth, secret=True)}


def checked(native: PersonalizeProvider, token: str, news: Mapping[str, PropertyValue],
            olds: Mapping[str, PropertyValue] | None = None) -> dict[str, PropertyValue]:
    answer = run(native.check(p.CheckRequest(urn(token), dict(olds or {}), dict(news), b"")))
    assert not answer.failures, [(f.property, f.reason) for f in answer.failures]
    assert answer.inputs is not None
    return answer.inputs


def test_check_normalises_in_camel_case_and_keeps_secrets_secret(native: PersonalizeProvider) -> None:
    inputs = checked(native, CONNECTION, connection())
    assert inputs["systemType"].value == "DATA_SYSTEM"  # any case, stored in the service's spelling
    assert inputs["request"].value["requestType"].value == "GET"  # a nested shape's default, camelCase
    assert "connectionTimeout" not in inputs  # a top-level default: the state's inputs leave it out
    assert inputs["auth"].is_secret and to_plain(inputs["auth"])["clientSecret"] == OAUTH_SECRET


def test_check_failures_name_the_camel_case_property(native: PersonalizeProvider) -> None:
    answer = run(native.check(p.CheckRequest(urn(CONNECTION), {}, connection(systemType="WAREHOUSE"), b"")))
    assert [(f.property, f.reason.split(":")[0]) for f in answer.failures or []] == [("systemType", "systemType")]
    unknown = run(native.check(p.CheckRequest(urn(CONNECTION), {}, connection(name=UNKNOWN), b"")))
    assert not unknown.failures  # not known until apply: validated then
    namespaced = run(native.check(p.CheckRequest(urn(CONNECTION), {}, connection(configNamespace="eu"), b"")))
    assert [f.property for f in namespaced.failures or []] == ["configNamespace"]
    assert "explicit provider" in (namespaced.failures or [])[0].reason


def test_diff_names_each_property_and_whether_it_replaces(native: PersonalizeProvider) -> None:
    olds = {**checked(native, "personalize:sitecore:Template", values(
        {"name": "Banner", "friendlyId": "banner", "type": "WEB"})), "ref": from_plain("r-1")}
    news = checked(native, "personalize:sitecore:Template", values(
        {"name": "Rain banner", "friendlyId": "rain_banner", "type": "WEB", "description": "new"}))
    answer = run(native.diff(p.DiffRequest(urn("personalize:sitecore:Template"), "r-1", olds, news, [])))
    assert answer.changes and answer.replaces == ["friendlyId"]
    kinds = {k: v.kind for k, v in answer.detailed_diff.items()}
    assert kinds == {"name": p.PropertyDiffKind.UPDATE, "friendlyId": p.PropertyDiffKind.UPDATE_REPLACE,
                     "description": p.PropertyDiffKind.UPDATE}
    same = run(native.diff(p.DiffRequest(urn("personalize:sitecore:Template"), "r-1", news, news, [])))
    assert not same.changes and same.detailed_diff == {}


def test_life_cycle_through_the_engine(native: PersonalizeProvider, emulator_in_process: InProcessEmulator) -> None:
    inputs = checked(native, CONNECTION, connection())
    preview = run(native.create(p.CreateRequest(urn(CONNECTION), inputs, 60, preview=True)))
    assert preview.resource_id is None and plain(preview.properties)["ref"] == UNKNOWN
    assert emulator_in_process.requests(method="POST") == []  # a preview sends nothing

    created = run(native.create(p.CreateRequest(urn(CONNECTION), inputs, 60, preview=False)))
    ref = created.resource_id
    assert ref and plain(created.properties)["ref"] == ref and created.properties["auth"].is_secret
    tenant = plain(created.properties)["tenant"]
    assert {"host", "client_key"} <= set(tenant) and "service" not in tenant  # the type names the service

    # an update preview keeps the ref, and the revision (which the update bumps) is unknown
    news = checked(native, CONNECTION, connection(description="Rain or shine"), inputs)
    planned = run(native.update(p.UpdateRequest(urn(CONNECTION), ref, created.properties, news, 60, [], True)))
    assert plain(planned.properties)["ref"] == ref and plain(planned.properties)["revision"] == UNKNOWN
    updated = run(native.update(p.UpdateRequest(urn(CONNECTION), ref, created.properties, news, 60, [], False)))
    assert plain(updated.properties)["description"] == "Rain or shine"

    # refresh and import read the same inputs; import of a missing ref fails and says what the id is
    refreshed = run(native.read(p.ReadRequest(urn(CONNECTION), ref, updated.properties, news)))
    imported = run(native.read(p.ReadRequest(urn(CONNECTION), ref, {}, {})))
    assert plain(imported.inputs) == plain(refreshed.inputs)
    assert plain(imported.inputs)["description"] == "Rain or shine" and imported.inputs["auth"].is_secret
    with pytest.raises(PersonalizeError, match="no connection with this ref exists in the configured tenant"):
        run(native.read(p.ReadRequest(urn(CONNECTION), "0f6c2a8e-0000-4d0e-9a57-3c1f5e2b7d90", {}, {})))

    run(native.delete(p.DeleteRequest(urn(CONNECTION), ref, updated.properties, 60)))
    gone = run(native.read(p.ReadRequest(urn(CONNECTION), ref, updated.properties, news)))
    assert gone.resource_id == ""  # archived: the engine drops it from the state


def test_invoke_serves_a_look_up_with_the_instance_configuration(
        native: PersonalizeProvider, emulator_in_process: InProcessEmulator) -> None:
    made = run(native.create(p.CreateRequest(urn(ATTRIBUTE), checked(native, ATTRIBUTE, values(
        {"key": "plan", "name": "Plan"})), 60, preview=False)))
    answer = run(native.invoke(p.InvokeRequest("personalize:contentstack:getAttribute", values({"key": "plan"}))))
    assert plain(answer.return_value or {}) == {"uid": made.resource_id, "name": "Plan", "key": "plan",
                                               "description": ""}


def test_configuration_is_per_instance_and_a_tenant_setting_replaces() -> None:
    args = {"baseUrl": PropertyValue("https://cs.test"), "contentstackProjectUid": PropertyValue("p-1"),
            "contentstackAuthtoken": PropertyValue("t", is_secret=True), "version": PropertyValue("0.1.0")}
    assert flat_config(args, {"personalize:config:sitecoreRegion": "us", "other:config:x": "y"}) == {
        "personalize:baseUrl": "https://cs.test", "personalize:contentstackProjectUid": "p-1",
        "personalize:contentstackAuthtoken": "t",
        "personalize:sitecoreRegion": "us"}
    # a provider set up for Contentstack only: its project moved, so everything it serves is replaced
    moved = diff_config(args, {**args, "contentstackProjectUid": PropertyValue("p-2"),
                               "contentstackAuthtoken": PropertyValue("u")})
    assert moved.changes and moved.replaces == ["contentstackProjectUid"]
    assert sorted(moved.diffs) == ["contentstackAuthtoken", "contentstackProjectUid"]
    refused = run(PersonalizeProvider().check_config(p.CheckRequest("urn", {}, {"contentstackRegon": PropertyValue("eu")},
                                                                    b"")))
    assert [f.property for f in refused.failures or []] == ["contentstackRegon"]


BOTH = {"baseUrl": "https://both.test", "contentstackProjectUid": "p-1", "contentstackAuthtoken": "t",
        "sitecoreClientId": "c-1", "sitecoreClientSecret": "s"}


def diff_config(olds: Mapping[str, Any], news: Mapping[str, Any]) -> p.DiffResponse:
    return run(PersonalizeProvider().diff_config(p.DiffRequest(urn("pulumi:providers:personalize"), "id",
                                                               values(olds), values(news), [])))


@pytest.mark.parametrize(("change", "replaces"), [
    # one of the two services moved: the other's resources must not be replaced (no replace at all;
    # the moved service's resources refuse the preview instead)
    ({"contentstackProjectUid": "p-2"}, []),
    ({"sitecoreBaseUrl": "https://other-sitecore.test"}, []),
    # both moved: the whole configuration names other tenants
    ({"baseUrl": "https://elsewhere.test"}, ["baseUrl"]),
    ({"contentstackProjectUid": "p-2", "sitecoreClientId": "c-2"}, ["contentstackProjectUid", "sitecoreClientId"]),
    # a credential or a limit is no move
    ({"contentstackAuthtoken": "u", "sitecoreClientSecret": "z"}, []),
    ({"contentstackRequestsPerSecond": "3", "allowTenantChange": "true"}, []),
])
def test_a_tenant_setting_replaces_only_when_every_configured_tenant_moved(
        change: Mapping[str, str], replaces: list[str]) -> None:
    answer = diff_config(BOTH, {**BOTH, **change})
    assert answer.changes and sorted(answer.diffs) == sorted(change)
    assert sorted(answer.replaces) == replaces


def test_setting_up_or_dropping_a_service_replaces_nothing_of_the_other() -> None:
    contentstack = {k: v for k, v in BOTH.items() if not k.startswith("sitecore")}
    added = diff_config(contentstack, BOTH)
    assert added.changes and sorted(added.diffs) == ["sitecoreClientId", "sitecoreClientSecret"]
    assert added.replaces == []
    assert diff_config(BOTH, contentstack).replaces == []


def test_a_provider_for_one_service_replaces_when_that_service_moves() -> None:
    sitecore = {"sitecoreBaseUrl": "https://sc.test", "sitecoreAccessToken": "a"}
    moved = diff_config(sitecore, {**sitecore, "sitecoreBaseUrl": "https://sc-other.test"})
    assert moved.replaces == ["sitecoreBaseUrl"]
    # a resource moved from a provider of both services to one of Contentstack only, in another project
    to_explicit = diff_config(BOTH, {k: v for k, v in {**BOTH, "contentstackProjectUid": "p-2"}.items()
                                     if not k.startswith("sitecore")})
    assert sorted(to_explicit.replaces) == ["contentstackProjectUid", "sitecoreClientId"]
    # ... or in the same project: nothing of it moved
    same = diff_config(BOTH, {k: v for k, v in BOTH.items() if not k.startswith("sitecore")})
    assert same.changes and same.replaces == []


def test_another_spelling_of_the_same_tenant_is_no_move() -> None:
    us = {**BOTH, "contentstackRegion": "us"}
    same = diff_config(us, {**us, "contentstackRegion": "NA"})
    assert same.changes and same.replaces == []
    alone = {"contentstackRegion": "us", "contentstackProjectUid": "65f1a2b3c4d5e6f708192a30", "contentstackAuthtoken": "t"}
    assert diff_config(alone, {**alone, "contentstackRegion": "NA"}).replaces == []


def test_a_resource_of_a_moved_service_refuses_the_preview_when_its_provider_is_not_replaced(
        native: PersonalizeProvider, emulator_in_process: InProcessEmulator) -> None:
    template = "personalize:sitecore:Template"
    inputs = {ATTRIBUTE: checked(native, ATTRIBUTE, values({"key": "plan", "name": "Plan"})),
              template: checked(native, template, values({"name": "Banner", "friendlyId": "banner", "type": "WEB"}))}
    made = {token: run(native.create(p.CreateRequest(urn(token), props, 60, preview=False)))
            for token, props in inputs.items()}
    # the same provider, updated in place: the Contentstack project moved, Sitecore did not
    moved = PersonalizeProvider()
    settings = {**PROVIDER_CONFIG, "personalize:contentstackProjectUid": "project-2"}
    run(moved.configure(p.ConfigureRequest({}, {k.split(":", 1)[1]: PropertyValue(v) for k, v in settings.items()},
                                           True, False)))
    sent = len(emulator_in_process.requests())

    def diff(provider: PersonalizeProvider, token: str) -> p.DiffResponse:
        return run(provider.diff(p.DiffRequest(urn(token), made[token].resource_id or "", made[token].properties,
                                               inputs[token], [])))

    with pytest.raises(PersonalizeError) as refused:
        diff(moved, ATTRIBUTE)
    text = str(refused.value)
    assert text.startswith(f"preview attribute 'Plan' (uid {made[ATTRIBUTE].resource_id}) failed: this attribute was "
                           "recorded in Contentstack project project-1 at host cs.test")
    assert "moved it: project project-1 -> project-2 (personalize:contentstackProjectUid)" in text
    assert "the provider also serves Contentstack stack" in text and "Sitecore tenant" in text
    assert "own provider, set up for the Contentstack project only" in text
    assert "pulumi:providers:personalize" in text and "docs/native-provider.md#one-provider-two-services" in text
    assert CONTENTSTACK_AUTHTOKEN not in text and SITECORE_ACCESS_TOKEN not in text
    # the service that did not move diffs as before: no change
    assert not diff(moved, template).changes
    assert len(emulator_in_process.requests()) == sent  # a preview's diff sends nothing
    # the explicit step that moves a resource to another tenant keeps its meaning
    allowed = PersonalizeProvider()
    run(allowed.configure(p.ConfigureRequest({}, {k.split(":", 1)[1]: PropertyValue(v) for k, v in {
        **settings, "personalize:allowTenantChange": "true"}.items()}, True, False)))
    assert not diff(allowed, ATTRIBUTE).changes


def test_a_provider_of_one_tenant_whose_recorded_settings_moved_says_so() -> None:
    """DiffConfig compares the settings recorded at the last run: after a run that recorded the
    moved ones (a refused `refresh --run-program`), a provider of one tenant is not replaced and its
    resources' preview refuses, naming what happened. Nothing is sent (no service answers here)."""
    native = PersonalizeProvider()
    settings = {"baseUrl": "https://cs.test", "contentstackProjectUid": "project-2", "contentstackAuthtoken": "t"}
    run(native.configure(p.ConfigureRequest({}, values(settings), True, False)))
    news = checked(native, ATTRIBUTE, values({"key": "plan", "name": "Plan"}))
    olds = {**news, "tenant": from_plain({"service": "contentstack", "host": "cs.test", "project_uid": "project-1"})}
    with pytest.raises(PersonalizeError, match=r"moved it: project project-1 -> project-2 "
                       r"\(personalize:contentstackProjectUid\)\. Pulumi cannot replace only the resources of the "
                       r"Contentstack project: the provider's settings recorded in the state already name this tenant"):
        run(native.diff(p.DiffRequest(urn(ATTRIBUTE), "a-1", olds, news, [])))
    same = {**olds, "tenant": from_plain({"service": "contentstack", "host": "cs.test", "project_uid": "project-2"})}
    assert not run(native.diff(p.DiffRequest(urn(ATTRIBUTE), "a-1", same, news, []))).changes


def test_invoke_answers_a_list_look_up_as_items_in_camel_case(
        native: PersonalizeProvider, emulator_in_process: InProcessEmulator) -> None:
    template = "personalize:sitecore:Template"
    made = run(native.create(p.CreateRequest(urn(template), checked(native, template, values(
        {"name": "Banner", "friendlyId": "banner", "type": "WEB",
         "templateElements": [{"id": "html", "template": "<p>Hi</p>"}]})), 60, preview=False)))
    answer = run(native.invoke(p.InvokeRequest("personalize:sitecore:getTemplateRevisions",
                                               values({"ref": made.resource_id}))))
    items = plain(answer.return_value or {})["items"]
    assert items and all(item["friendlyId"] == "banner" for item in items)


def test_settings_not_known_until_apply_are_not_checked_at_preview() -> None:
    """An explicit provider whose settings are outputs of other resources: check validates the
    resource's own inputs only."""
    native = PersonalizeProvider()
    args = {"baseUrl": PropertyValue(UNKNOWN), "contentstackProjectUid": PropertyValue("p-1")}
    run(native.configure(p.ConfigureRequest({}, args, True, False)))
    answer = run(native.check(p.CheckRequest(urn(ATTRIBUTE), {}, values({"key": "plan", "name": "Plan"}), b"")))
    assert not answer.failures
    bad = run(native.check(p.CheckRequest(urn(ATTRIBUTE), {}, values({"key": "plan"}), b"")))
    assert [f.property for f in bad.failures or []] == ["name"]
