"""What a tenant record holds (identifiers, never a credential) and how two records are compared."""

from __future__ import annotations

import json

import pytest

from pulumi_personalize.config import (
    Tenant,
    load_contentstack_settings,
    load_sitecore_settings,
    tenant_change_allowed,
)
from pulumi_personalize.errors import ConfigurationError

SECRET = "tenant-record-secret-value-1"


def test_a_contentstack_record_is_host_region_and_project_and_never_the_token() -> None:
    settings = load_contentstack_settings(
        {"personalize:contentstackProjectUid": "64f0c0ffee00000000000001", "personalize:contentstackOauthToken": SECRET,
         "personalize:contentstackRegion": "azure-eu"}, environ={})
    record = settings.tenant.record()
    assert record == {"host": "azure-eu-personalize-api.contentstack.com", "region": "azure-eu",
                      "project_uid": "64f0c0ffee00000000000001"}
    assert SECRET not in json.dumps(record)


def test_a_base_url_is_recorded_without_scheme_or_user_info() -> None:
    settings = load_contentstack_settings(
        {"personalize:contentstackProjectUid": "64f0c0ffee00000000000001", "personalize:contentstackAuthtoken": SECRET,
         "personalize:baseUrl": f"https://user:{SECRET}@Proxy.Example.com:8443/personalize/"}, environ={})
    assert settings.tenant.record()["host"] == "proxy.example.com:8443/personalize"
    assert SECRET not in json.dumps(settings.tenant.record())


def test_a_sitecore_record_has_the_client_id_only_with_client_credentials_and_never_the_secret() -> None:
    with_client = load_sitecore_settings(
        {"personalize:sitecoreClientId": "api-key-1", "personalize:sitecoreClientSecret": SECRET,
         "personalize:sitecoreRegion": "us"}, environ={})
    record = with_client.tenant.record({"clientKey": "ck-1", "ref": "r"})
    assert record == {"host": "api-engage-us.sitecorecloud.io", "region": "us", "client_id": "api-key-1",
                      "client_key": "ck-1"}
    static = load_sitecore_settings({"personalize:sitecoreAccessToken": SECRET}, environ={})
    assert static.tenant.record() == {"host": "api-engage-eu.sitecorecloud.io", "region": "eu"}
    assert SECRET not in json.dumps(record) + json.dumps(static.tenant.record())


def test_conflicts_compare_host_and_project_always_and_the_client_id_only_before_a_drop() -> None:
    here = Tenant("sitecore", "h", client_id="new")
    recorded = {"host": "h", "client_id": "old"}
    assert here.conflict(recorded) is None  # a new API key of the same tenant
    assert here.conflict(recorded, concluding_gone=True) == "client_id"
    assert here.conflict({**recorded, "client_key": "k"}, observed_key="k", concluding_gone=True) is None
    assert here.conflict({**recorded, "client_key": "k"}, observed_key="other") == "client_key"
    assert here.conflict({**recorded, "host": "elsewhere"}) == "host"
    assert Tenant("contentstack", "h", project_uid="b").conflict(
        {"host": "h", "project_uid": "a"}) == "project_uid"
    assert here.conflict(None) is None
    assert Tenant.recorded({"client_key": "k"}) is None  # no host: not a record


def test_a_record_written_with_its_service_reads_as_one_without_it() -> None:
    """Records written before 2026-12-06 name the service too; the resource's type names it now."""
    old = {"service": "sitecore", "host": "h", "client_id": "c", "client_key": "k"}
    assert Tenant.recorded(old) == {"host": "h", "client_id": "c", "client_key": "k"}
    here = Tenant("sitecore", "h", client_id="c")
    assert here.conflict(Tenant.recorded(old), observed_key="k", concluding_gone=True) is None
    assert here.conflict(Tenant.recorded({**old, "host": "elsewhere"})) == "host"
    assert "service" not in here.record({"clientKey": "k"})


@pytest.mark.parametrize(("value", "allowed"), [("true", True), ("1", True), ("false", False), ("off", False)])
def test_allow_tenant_change_is_read_from_the_stack_or_the_environment(value: str, allowed: bool) -> None:
    assert tenant_change_allowed({"personalize:allowTenantChange": value}) is allowed
    assert tenant_change_allowed({}, environ={"PERSONALIZE_ALLOW_TENANT_CHANGE": value}) is allowed
    assert tenant_change_allowed({}, "acme-eu", environ={"ACME_EU_PERSONALIZE_ALLOW_TENANT_CHANGE": value}) is allowed
    assert tenant_change_allowed({}, "acme-eu", environ={"PERSONALIZE_ALLOW_TENANT_CHANGE": "true"}) is False


def test_allow_tenant_change_rejects_other_values() -> None:
    with pytest.raises(ConfigurationError, match="personalize:allowTenantChange must be true or false"):
        tenant_change_allowed({"personalize:allowTenantChange": "maybe"})
