"""A refresh never silently forgets: another project, region, base URL or credential fails it.

Each case refreshes with ``--run-program`` (so the changed configuration is the one used) and must
fail with a message naming the setting, leaving every resource in the state; a real out-of-band
delete is still dropped, and moving a stack on purpose is the explicit ``allowTenantChange`` step.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pulumi
import pytest
from pulumi import automation as auto

from pulumi_personalize import sitecore as sc
from pulumi_personalize.config import DEFAULT_SITECORE_AUDIENCE
from pulumi_personalize.contentstack import Audience, Experience, ExperienceVariantArgs, rules
from pulumi_personalize.emulator.testing import running_emulator
from tests.e2e.conftest import (
    CONTENTSTACK_AUTHTOKEN,
    CONTENTSTACK_PROJECT_UID,
    SITECORE_CLIENT_ID,
    SITECORE_CLIENT_SECRET,
    E2EStack,
    StackFactory,
    emulator_config,
)
from tests.e2e.test_secrets import engine_rpc_trace

pytestmark = pytest.mark.e2e

OTHER_CLIENT_ID, OTHER_CLIENT_SECRET = "other-tenant-client", "other-tenant-secret-e2e"
WRONG_SECRET = "wrong-sitecore-secret-e2e-guard"
OTHER_PROJECT = "e2eproject000000000000002"
WRONG_TOKEN = "wrong-authtoken-e2e-tenant-guard"
TENANT_KEYS = {"host", "region", "project_uid", "client_id", "client_key"}


def contentstack_program() -> None:
    us = Audience("us", name="US", definition=rules.all_of(
        rules.Rule(rules.preset("COUNTRY"), "STRING_EQUALS", rules.StringMatch("US"))))
    hero = Experience("hero", name="Hero", variants=[ExperienceVariantArgs(name="US hero", audiences=[us.uid])])
    pulumi.export("audience", us.uid)
    pulumi.export("experience", hero.uid)


def ids(stack: E2EStack) -> dict[str, str]:
    return {r["urn"].rsplit("::", 1)[1]: r["id"] for r in stack.resources() if r["type"].startswith("pulumi-python")}


def failed_refresh(stack: E2EStack, **kwargs: Any) -> str:
    with pytest.raises(auto.CommandError) as failure:
        stack.refresh(run_program=True, **kwargs)
    return str(failure.value)


def tenants(stack: E2EStack) -> list[dict[str, Any]]:
    return [r["outputs"]["tenant"] for r in stack.resources() if r["type"].startswith("pulumi-python")]


def test_contentstack_refresh_with_another_project_url_or_credential_fails_and_drops_nothing(
    stack_factory: StackFactory, emulator: Any
) -> None:
    stack = stack_factory(contentstack_program)
    stack.up()
    before = ids(stack)
    assert set(before) == {"us", "hero"}
    host = emulator.base_url.split("://", 1)[1]
    assert tenants(stack) == [{"host": host, "project_uid": CONTENTSTACK_PROJECT_UID}] * 2
    messages: list[str] = []

    # another project
    stack.stack.set_config("personalize:contentstackProjectUid", auto.ConfigValue(OTHER_PROJECT))
    text = failed_refresh(stack)
    messages.append(text)
    assert f"recorded in Contentstack project {CONTENTSTACK_PROJECT_UID} at host {host}" in text
    assert f"configured for Contentstack project {OTHER_PROJECT}" in text
    assert "check personalize:contentstackProjectUid" in text
    assert ids(stack) == before
    # nor does a destroy delete anything in, or forget anything because of, the other project
    with pytest.raises(auto.CommandError) as destroy:
        stack.destroy(run_program=True)
    assert f"configured for Contentstack project {OTHER_PROJECT}" in str(destroy.value)
    assert ids(stack) == before
    stack.stack.set_config("personalize:contentstackProjectUid", auto.ConfigValue(CONTENTSTACK_PROJECT_UID))

    # another base URL (the same emulator under another name: still another host to the guard)
    other_url = emulator.base_url.replace("127.0.0.1", "localhost")
    stack.stack.set_config("personalize:contentstackBaseUrl", auto.ConfigValue(other_url))
    text = failed_refresh(stack)
    messages.append(text)
    assert f"at host {host}" in text and f"at host {other_url.split('://', 1)[1]}" in text
    assert "check personalize:contentstackRegion, personalize:contentstackBaseUrl or personalize:baseUrl" in text
    assert ids(stack) == before
    stack.stack.remove_config("personalize:contentstackBaseUrl")

    # refused credentials
    stack.stack.set_config("personalize:contentstackAuthtoken", auto.ConfigValue(WRONG_TOKEN, secret=True))
    # with the engine's verbose log in the error text: no token may show there either
    text = failed_refresh(stack, debug=True, log_verbosity=9, log_to_std_err=True)
    messages.append(text)
    assert len(text) > 20_000, "expected the -v=9 engine log in the error output"
    assert "Contentstack refused the credentials (HTTP 401)" in text
    assert "check personalize:contentstackAuthtoken / personalize:contentstackOauthToken" in text
    assert ids(stack) == before
    stack.stack.set_config("personalize:contentstackAuthtoken", auto.ConfigValue(CONTENTSTACK_AUTHTOKEN, secret=True))

    # moving on purpose to a URL where the collection does not answer: still nothing dropped
    stack.stack.set_config("personalize:allowTenantChange", auto.ConfigValue("true"))
    stack.stack.set_config("personalize:contentstackBaseUrl", auto.ConfigValue(f"{emulator.base_url}/nowhere"))
    text = failed_refresh(stack)
    messages.append(text)
    assert "collection does not answer" in text and f"at host {host}/nowhere (HTTP 404 on /" in text, text
    assert "check personalize:contentstackProjectUid, personalize:contentstackRegion" in text
    assert ids(stack) == before

    # moving on purpose to where the objects are: the records follow
    stack.stack.set_config("personalize:contentstackBaseUrl", auto.ConfigValue(other_url))
    stack.refresh(run_program=True)
    stack.stack.remove_config("personalize:allowTenantChange")
    assert ids(stack) == before
    assert {t["host"] for t in tenants(stack)} == {other_url.split("://", 1)[1]}
    stack.refresh(run_program=True)
    stack.assert_no_changes()

    # a real out-of-band delete, in the recorded tenant, is still dropped
    headers = {"authtoken": CONTENTSTACK_AUTHTOKEN, "x-project-uid": CONTENTSTACK_PROJECT_UID}
    with httpx.Client(base_url=emulator.base_url, headers=headers, timeout=10) as client:
        client.delete(f"/experiences/{before['hero']}").raise_for_status()
    stack.refresh(run_program=True)
    assert ids(stack) == {"us": before["us"]}

    # no credential in the messages nor in the tenant records
    exported = stack.export_text() + stack.state_text() + "".join(stack.output)
    for secret in (CONTENTSTACK_AUTHTOKEN, WRONG_TOKEN):
        # the engine's own -v=9 RPC trace prints config values in clear (test_secrets.engine_rpc_trace)
        leaks = [line[:300] for text in messages for line in text.splitlines()
                 if secret in line and not engine_rpc_trace(line)]
        assert not leaks, leaks
        assert secret not in json.dumps(tenants(stack))
    assert all(set(t) <= TENANT_KEYS for t in tenants(stack))
    assert WRONG_TOKEN not in exported and CONTENTSTACK_AUTHTOKEN not in exported


def sitecore_program() -> None:
    model = sc.DecisionModel("offers", name="Offers")
    banner = sc.Template("banner", name="Banner", friendly_id="banner", type="WEB", html="<div>Sale</div>")
    pulumi.export("model", model.ref)
    pulumi.export("banner", banner.ref)


def _archive_decision_model(base_url: str, ref: str) -> None:
    """What a person does in the UI: archive the model (Sitecore has no DELETE)."""
    with httpx.Client(base_url=base_url, timeout=10) as client:
        form = {"grant_type": "client_credentials", "client_id": SITECORE_CLIENT_ID,
                "client_secret": SITECORE_CLIENT_SECRET, "audience": DEFAULT_SITECORE_AUDIENCE}
        token = client.post("/oauth/token", data=form).json()["access_token"]
        client.headers["authorization"] = f"Bearer {token}"
        live = client.get(f"/v2/decisionModelDefinitions/{ref}").json()
        body = {k: v for k, v in live.items() if k not in ("ref", "href", "clientKey", "revision", "modifiedAt",
                                                           "modifiedByUserRef", "modifiedByRef", "variants",
                                                           "revisions")}
        client.put(f"/v2/decisionModelDefinitions/{ref}", json={**body, "archived": True}).raise_for_status()


def test_sitecore_refresh_with_other_credentials_or_url_fails_and_drops_nothing(stack_factory: StackFactory) -> None:
    env = {"PERSONALIZE_EMULATOR_SITECORE_TENANTS": f"{OTHER_CLIENT_ID}={OTHER_CLIENT_SECRET}"}
    with running_emulator(env=env) as own:
        stack = stack_factory(sitecore_program, emulator_config(own.base_url), with_emulator=False)
        stack.up()
        before = ids(stack)
        assert set(before) == {"offers", "banner"}
        host = own.base_url.split("://", 1)[1]
        [record, *_] = tenants(stack)
        assert record["host"] == host and record["client_id"] == SITECORE_CLIENT_ID and record["client_key"]
        assert all(t == record for t in tenants(stack))
        messages: list[str] = []

        # refused credentials
        stack.stack.set_config("personalize:sitecoreClientSecret", auto.ConfigValue(WRONG_SECRET, secret=True))
        text = failed_refresh(stack)
        messages.append(text)
        assert "Sitecore refused the credentials (HTTP 401)" in text, text
        assert "check personalize:sitecoreClientId + personalize:sitecoreClientSecret" in text
        assert ids(stack) == before

        # valid credentials of another tenant: the objects are not there, which proves nothing
        stack.stack.set_config("personalize:sitecoreClientId", auto.ConfigValue(OTHER_CLIENT_ID))
        stack.stack.set_config("personalize:sitecoreClientSecret", auto.ConfigValue(OTHER_CLIENT_SECRET, secret=True))
        text = failed_refresh(stack)
        messages.append(text)
        assert f"recorded in Sitecore tenant client key {record['client_key']}" in text, text
        assert f"client id {OTHER_CLIENT_ID}" in text
        assert ids(stack) == before
        stack.stack.set_config("personalize:sitecoreClientId", auto.ConfigValue(SITECORE_CLIENT_ID))
        stack.stack.set_config("personalize:sitecoreClientSecret",
                               auto.ConfigValue(SITECORE_CLIENT_SECRET, secret=True))

        # another base URL
        other_url = own.base_url.replace("127.0.0.1", "localhost")
        stack.stack.set_config("personalize:sitecoreBaseUrl", auto.ConfigValue(other_url))
        text = failed_refresh(stack)
        messages.append(text)
        assert f"at host {host}" in text and f"at host {other_url.split('://', 1)[1]}" in text
        assert "check personalize:sitecoreRegion, personalize:sitecoreBaseUrl or personalize:baseUrl" in text
        assert ids(stack) == before
        stack.stack.remove_config("personalize:sitecoreBaseUrl")

        stack.refresh(run_program=True)
        stack.assert_no_changes()
        # archived in the UI, in the recorded tenant: dropped as before
        _archive_decision_model(own.base_url, before["offers"])
        stack.refresh(run_program=True)
        assert ids(stack) == {"banner": before["banner"]}

        for secret in (SITECORE_CLIENT_SECRET, OTHER_CLIENT_SECRET, WRONG_SECRET):
            assert all(secret not in text for text in messages)
            assert secret not in json.dumps(tenants(stack))
        assert all(set(t) <= TENANT_KEYS for t in tenants(stack))
        stack.destroy()
