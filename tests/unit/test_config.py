"""Settings: each key, environment fallback, precedence, namespaces, and messages that name the key."""

from __future__ import annotations

import pydantic
import pytest
from pydantic import SecretStr

from pulumi_personalize.config import (
    CONTENTSTACK_REGIONS,
    DEFAULT_SITECORE_TOKEN_URL,
    SITECORE_REGIONS,
    env_var_name,
    load_contentstack_settings,
    load_sitecore_settings,
)
from pulumi_personalize.errors import ConfigurationError

CS_MIN = {"personalize:contentstackProjectUid": "64f0c0ffee00000000000001", "personalize:contentstackAuthtoken": "tok-aaaa"}
SC_MIN = {"personalize:sitecoreClientId": "cid", "personalize:sitecoreClientSecret": "csecret-1"}


# --- region table ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("region", "url"),
    [
        ("na", "https://personalize-api.contentstack.com"),
        ("eu", "https://eu-personalize-api.contentstack.com"),
        ("au", "https://au-personalize-api.contentstack.com"),
        ("azure-na", "https://azure-na-personalize-api.contentstack.com"),
        ("azure-eu", "https://azure-eu-personalize-api.contentstack.com"),
        ("gcp-na", "https://gcp-na-personalize-api.contentstack.com"),
        ("gcp-eu", "https://gcp-eu-personalize-api.contentstack.com"),
        ("AZURE-EU", "https://azure-eu-personalize-api.contentstack.com"),
        ("us", "https://personalize-api.contentstack.com"),
    ],
)
def test_contentstack_region_urls(region: str, url: str) -> None:
    s = load_contentstack_settings({**CS_MIN, "personalize:contentstackRegion": region}, environ={})
    assert s.base_url == url


def test_contentstack_region_table_is_complete() -> None:
    assert set(CONTENTSTACK_REGIONS) == {"na", "eu", "au", "azure-na", "azure-eu", "gcp-na", "gcp-eu"}


def test_contentstack_defaults() -> None:
    s = load_contentstack_settings(CS_MIN, environ={})
    assert s.base_url == "https://personalize-api.contentstack.com"
    assert s.region == "na"
    assert s.project_uid == "64f0c0ffee00000000000001"
    assert s.authtoken == SecretStr("tok-aaaa")
    assert s.oauth_token is None
    assert s.requests_per_second == 10.0
    assert s.timeout.connect > 0 and s.timeout.read > 0


@pytest.mark.parametrize(
    ("region", "url"),
    [
        ("eu", "https://api-engage-eu.sitecorecloud.io"),
        ("us", "https://api-engage-us.sitecorecloud.io"),
        ("ap", "https://api-engage-ap.sitecorecloud.io"),
        ("jp", "https://api-engage-jpe.sitecorecloud.io"),
    ],
)
def test_sitecore_region_urls(region: str, url: str) -> None:
    s = load_sitecore_settings({**SC_MIN, "personalize:sitecoreRegion": region}, environ={})
    assert s.base_url == url
    assert SITECORE_REGIONS[region] == url


def test_sitecore_defaults() -> None:
    s = load_sitecore_settings(SC_MIN, environ={})
    assert s.base_url == SITECORE_REGIONS["eu"]
    assert s.token_url == DEFAULT_SITECORE_TOKEN_URL == "https://auth.sitecorecloud.io/oauth/token"
    assert s.client_id == "cid"
    assert s.client_secret == SecretStr("csecret-1")
    assert s.access_token is None
    assert s.requests_per_second is None
    assert s.uses_client_credentials


# --- each key, from stack config and from the environment ----------------------------------------


def test_every_contentstack_key_from_stack_config() -> None:
    s = load_contentstack_settings(
        {
            "personalize:contentstackBaseUrl": "http://127.0.0.1:8080/",
            "personalize:contentstackProjectUid": "64f0c0ffee00000000000009",
            "personalize:contentstackOauthToken": "oauth-xyz1",
            "personalize:contentstackRequestsPerSecond": "2.5",
            "personalize:contentstackRegion": "eu",
        },
        environ={},
    )
    assert s.base_url == "http://127.0.0.1:8080"  # trailing slash dropped
    assert s.region is None  # an override, not a region
    assert s.project_uid == "64f0c0ffee00000000000009"
    assert s.oauth_token is not None and s.oauth_token.get_secret_value() == "oauth-xyz1"
    assert s.authtoken is None
    assert s.requests_per_second == 2.5


def test_every_contentstack_key_from_environment() -> None:
    s = load_contentstack_settings(
        {},
        environ={
            "CONTENTSTACK_PERSONALIZE_REGION": "gcp-eu",
            "CONTENTSTACK_PERSONALIZE_PROJECT_UID": "64f0c0ffee000000000000e1",
            "CONTENTSTACK_AUTHTOKEN": "env-auth-1",
            "CONTENTSTACK_PERSONALIZE_REQUESTS_PER_SECOND": "4",
        },
    )
    assert s.base_url == CONTENTSTACK_REGIONS["gcp-eu"]
    assert s.project_uid == "64f0c0ffee000000000000e1"
    assert s.authtoken is not None and s.authtoken.get_secret_value() == "env-auth-1"
    assert s.requests_per_second == 4.0
    s2 = load_contentstack_settings(
        {},
        environ={
            "CONTENTSTACK_PERSONALIZE_BASE_URL": "http://localhost:9",
            "CONTENTSTACK_PERSONALIZE_PROJECT_UID": "64f0c0ffee000000000000e1",
            "CONTENTSTACK_OAUTH_TOKEN": "env-oauth-1",
        },
    )
    assert s2.base_url == "http://localhost:9"
    assert s2.oauth_token is not None and s2.oauth_token.get_secret_value() == "env-oauth-1"


def test_every_sitecore_key_from_environment() -> None:
    s = load_sitecore_settings(
        {},
        environ={
            "SITECORE_PERSONALIZE_REGION": "jp",
            "SITECORE_PERSONALIZE_TOKEN_URL": "https://auth.example/oauth/token",
            "SITECORE_PERSONALIZE_CLIENT_ID": "env-id",
            "SITECORE_PERSONALIZE_CLIENT_SECRET": "env-secret",
            "SITECORE_PERSONALIZE_REQUESTS_PER_SECOND": "7",
        },
    )
    assert s.base_url == SITECORE_REGIONS["jp"]
    assert s.token_url == "https://auth.example/oauth/token"
    assert s.client_id == "env-id"
    assert s.client_secret is not None and s.client_secret.get_secret_value() == "env-secret"
    assert s.requests_per_second == 7.0
    s2 = load_sitecore_settings(
        {}, environ={"SITECORE_PERSONALIZE_BASE_URL": "https://e:1", "SITECORE_PERSONALIZE_ACCESS_TOKEN": "env-at-1"}
    )
    assert s2.base_url == "https://e:1"
    assert s2.access_token is not None and s2.access_token.get_secret_value() == "env-at-1"
    assert not s2.uses_client_credentials


def test_every_sitecore_key_from_stack_config() -> None:
    s = load_sitecore_settings(
        {
            "personalize:sitecoreBaseUrl": "http://127.0.0.1:1/",
            "personalize:sitecoreTokenUrl": "http://127.0.0.1:1/oauth/token",
            "personalize:sitecoreAccessToken": "static-at",
            "personalize:sitecoreRequestsPerSecond": "3",
        },
        environ={},
    )
    assert s.base_url == "http://127.0.0.1:1"
    assert s.token_url == "http://127.0.0.1:1/oauth/token"
    assert s.access_token is not None and s.access_token.get_secret_value() == "static-at"
    assert s.requests_per_second == 3.0


def test_shared_base_url_points_both_services_at_the_emulator() -> None:
    config = {**CS_MIN, **SC_MIN, "personalize:baseUrl": "http://127.0.0.1:8484"}
    assert load_contentstack_settings(config, environ={}).base_url == "http://127.0.0.1:8484"
    assert load_sitecore_settings(config, environ={}).base_url == "http://127.0.0.1:8484"
    env = {"PERSONALIZE_BASE_URL": "http://127.0.0.1:9999"}
    assert load_contentstack_settings(CS_MIN, environ=env).base_url == "http://127.0.0.1:9999"


def test_service_url_beats_shared_url() -> None:
    config = {
        **CS_MIN,
        "personalize:baseUrl": "https://shared:1",
        "personalize:contentstackBaseUrl": "https://own:2",
    }
    assert load_contentstack_settings(config, environ={}).base_url == "https://own:2"


def test_pulumi_config_colon_config_form_is_accepted() -> None:
    s = load_contentstack_settings(
        {"personalize:config:contentstackProjectUid": "64f0c0ffee00000000000001", "personalize:config:contentstackAuthtoken": "abcd1"},
        environ={},
    )
    assert s.project_uid == "64f0c0ffee00000000000001"


# --- precedence ------------------------------------------------------------------------------------


def test_stack_config_beats_environment() -> None:
    s = load_contentstack_settings(
        {**CS_MIN, "personalize:contentstackRegion": "eu"},
        environ={
            "CONTENTSTACK_PERSONALIZE_PROJECT_UID": "from-env",
            "CONTENTSTACK_PERSONALIZE_REGION": "au",
            "CONTENTSTACK_AUTHTOKEN": "env-token",
        },
    )
    assert s.project_uid == "64f0c0ffee00000000000001"
    assert s.base_url == CONTENTSTACK_REGIONS["eu"]
    assert s.authtoken is not None and s.authtoken.get_secret_value() == "tok-aaaa"


def test_stack_credentials_shadow_other_kind_in_environment() -> None:
    # An OAuth token in the stack plus a stale authtoken in the shell is not a contradiction.
    s = load_contentstack_settings(
        {"personalize:contentstackProjectUid": "64f0c0ffee00000000000001", "personalize:contentstackOauthToken": "stack-oauth"},
        environ={"CONTENTSTACK_AUTHTOKEN": "shell-authtoken"},
    )
    assert s.oauth_token is not None and s.authtoken is None
    sc = load_sitecore_settings(
        {"personalize:sitecoreAccessToken": "stack-at"},
        environ={"SITECORE_PERSONALIZE_CLIENT_ID": "x", "SITECORE_PERSONALIZE_CLIENT_SECRET": "y"},
    )
    assert sc.access_token is not None and sc.client_id is None


def test_empty_stack_value_falls_back_to_environment() -> None:
    s = load_contentstack_settings(
        {"personalize:contentstackProjectUid": "  ", "personalize:contentstackAuthtoken": "tok-aaaa"},
        environ={"CONTENTSTACK_PERSONALIZE_PROJECT_UID": "64f0c0ffee000000000000e1"},
    )
    assert s.project_uid == "64f0c0ffee000000000000e1"


def test_os_environ_is_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONTENTSTACK_PERSONALIZE_PROJECT_UID", "64f0c0ffee000000000000e2")
    monkeypatch.setenv("CONTENTSTACK_AUTHTOKEN", "os-token")
    assert load_contentstack_settings({}).project_uid == "64f0c0ffee000000000000e2"


# --- namespaces ------------------------------------------------------------------------------------


def test_second_tenant_reads_its_own_namespace() -> None:
    config = {
        **CS_MIN,
        "acme-eu:contentstackProjectUid": "64f0c0ffee000000000000ac",
        "acme-eu:contentstackOauthToken": "acme-oauth",
        "acme-eu:contentstackRegion": "eu",
    }
    default = load_contentstack_settings(config, environ={})
    acme = load_contentstack_settings(config, namespace="acme-eu", environ={})
    assert default.project_uid == "64f0c0ffee00000000000001"
    assert acme.project_uid == "64f0c0ffee000000000000ac"
    assert acme.base_url == CONTENTSTACK_REGIONS["eu"]
    assert acme.namespace == "acme-eu"


def test_second_tenant_never_inherits_default_credentials() -> None:
    env = {"CONTENTSTACK_PERSONALIZE_PROJECT_UID": "default-p", "CONTENTSTACK_AUTHTOKEN": "default-tok"}
    with pytest.raises(ConfigurationError) as info:
        load_contentstack_settings({**CS_MIN}, namespace="acme-eu", environ=env)
    assert "acme-eu:contentstackProjectUid" in str(info.value)
    assert info.value.key == "acme-eu:contentstackProjectUid"


def test_second_tenant_environment_uses_prefixed_names() -> None:
    assert env_var_name("contentstackAuthtoken", "acme-eu") == "ACME_EU_CONTENTSTACK_AUTHTOKEN"
    s = load_contentstack_settings(
        {},
        namespace="acme-eu",
        environ={
            "ACME_EU_CONTENTSTACK_PERSONALIZE_PROJECT_UID": "64f0c0ffee000000000000ac",
            "ACME_EU_CONTENTSTACK_AUTHTOKEN": "acme-tok",
        },
    )
    assert s.project_uid == "64f0c0ffee000000000000ac"


def test_shared_emulator_url_applies_to_every_namespace() -> None:
    config = {
        "personalize:baseUrl": "http://127.0.0.1:8484",
        "acme-eu:contentstackProjectUid": "64f0c0ffee000000000000ac",
        "acme-eu:contentstackAuthtoken": "acme-tok",
    }
    assert load_contentstack_settings(config, namespace="acme-eu", environ={}).base_url == "http://127.0.0.1:8484"
    own = {**config, "acme-eu:baseUrl": "http://127.0.0.1:1111"}
    assert load_contentstack_settings(own, namespace="acme-eu", environ={}).base_url == "http://127.0.0.1:1111"


def test_invalid_namespace() -> None:
    with pytest.raises(ConfigurationError, match="namespace"):
        load_contentstack_settings(CS_MIN, namespace="bad ns:x", environ={})


# --- errors name the key ---------------------------------------------------------------------------


def _error(loader: str, config: dict[str, str], **kw: str) -> ConfigurationError:
    load = load_contentstack_settings if loader == "cs" else load_sitecore_settings
    with pytest.raises(ConfigurationError) as info:
        load(config, environ={}, **kw)
    return info.value


def test_missing_project_uid_names_key_and_env_var() -> None:
    err = _error("cs", {"personalize:contentstackAuthtoken": "tok-aaaa"})
    assert "personalize:contentstackProjectUid" in str(err)
    assert "CONTENTSTACK_PERSONALIZE_PROJECT_UID" in str(err)
    assert err.key == "personalize:contentstackProjectUid"


def test_no_contentstack_token_names_both_keys() -> None:
    err = _error("cs", {"personalize:contentstackProjectUid": "64f0c0ffee00000000000001"})
    assert "personalize:contentstackAuthtoken" in str(err)
    assert "personalize:contentstackOauthToken" in str(err)
    assert "CONTENTSTACK_AUTHTOKEN" in str(err)


def test_both_contentstack_tokens_is_an_error_naming_them() -> None:
    err = _error("cs", {**CS_MIN, "personalize:contentstackOauthToken": "oauth-bbbb"})
    assert "only one" in str(err)
    assert "personalize:contentstackAuthtoken" in str(err) and "personalize:contentstackOauthToken" in str(err)
    # The message names keys, never values.
    assert "tok-aaaa" not in str(err) and "oauth-bbbb" not in str(err)


def test_both_contentstack_tokens_in_environment() -> None:
    with pytest.raises(ConfigurationError, match="environment"):
        load_contentstack_settings(
            {"personalize:contentstackProjectUid": "64f0c0ffee00000000000001"},
            environ={"CONTENTSTACK_AUTHTOKEN": "a-tok", "CONTENTSTACK_OAUTH_TOKEN": "o-tok"},
        )


def test_unknown_contentstack_region() -> None:
    err = _error("cs", {**CS_MIN, "personalize:contentstackRegion": "mars"})
    assert "personalize:contentstackRegion" in str(err) and "'mars'" in str(err)
    assert "azure-eu" in str(err)  # lists the valid values
    assert err.key == "personalize:contentstackRegion"


def test_unknown_contentstack_region_from_environment_names_env_var() -> None:
    with pytest.raises(ConfigurationError) as info:
        load_contentstack_settings(CS_MIN, environ={"CONTENTSTACK_PERSONALIZE_REGION": "moon"})
    assert "CONTENTSTACK_PERSONALIZE_REGION" in str(info.value)
    assert "personalize:contentstackRegion" in str(info.value)


def test_unknown_sitecore_region() -> None:
    err = _error("sc", {**SC_MIN, "personalize:sitecoreRegion": "antarctica"})
    assert "personalize:sitecoreRegion" in str(err) and "jp" in str(err)


@pytest.mark.parametrize("value", ["-1", "abc", "nan", "inf"])
def test_bad_requests_per_second(value: str) -> None:
    err = _error("cs", {**CS_MIN, "personalize:contentstackRequestsPerSecond": value})
    assert err.key == "personalize:contentstackRequestsPerSecond"
    assert "personalize:contentstackRequestsPerSecond" in str(err)


@pytest.mark.parametrize("value", ["0", "none", "off"])
def test_requests_per_second_can_be_disabled(value: str) -> None:
    s = load_contentstack_settings({**CS_MIN, "personalize:contentstackRequestsPerSecond": value}, environ={})
    assert s.requests_per_second is None


def test_bad_base_url_names_the_key() -> None:
    err = _error("cs", {**CS_MIN, "personalize:contentstackBaseUrl": "localhost:8080"})
    assert err.key == "personalize:contentstackBaseUrl"
    err = _error("sc", {**SC_MIN, "personalize:sitecoreTokenUrl": "ftp://x/y"})
    assert err.key == "personalize:sitecoreTokenUrl"
    err = _error("sc", {**SC_MIN, "personalize:baseUrl": "not a url"})
    assert err.key == "personalize:baseUrl"


def test_sitecore_no_credentials() -> None:
    err = _error("sc", {})
    for key in ("personalize:sitecoreClientId", "personalize:sitecoreClientSecret", "personalize:sitecoreAccessToken"):
        assert key in str(err)


def test_sitecore_half_client_credentials() -> None:
    err = _error("sc", {"personalize:sitecoreClientId": "cid"})
    assert err.key == "personalize:sitecoreClientSecret"
    assert "personalize:sitecoreClientSecret" in str(err)
    err = _error("sc", {"personalize:sitecoreClientSecret": "sec-1234"})
    assert err.key == "personalize:sitecoreClientId"
    assert "sec-1234" not in str(err)


def test_sitecore_client_credentials_and_access_token_conflict() -> None:
    err = _error("sc", {**SC_MIN, "personalize:sitecoreAccessToken": "at-12345"})
    assert "personalize:sitecoreAccessToken" in str(err)
    assert "at-12345" not in str(err) and "csecret-1" not in str(err)


def test_namespace_error_names_namespaced_key() -> None:
    err = _error("sc", {}, namespace="tenant2")
    assert "tenant2:sitecoreClientId" in str(err)
    assert "TENANT2_SITECORE_PERSONALIZE_CLIENT_ID" in str(err)


# --- secrets ---------------------------------------------------------------------------------------


def test_secrets_are_secretstr_and_hidden_in_repr() -> None:
    s = load_contentstack_settings(CS_MIN, environ={})
    assert isinstance(s.authtoken, SecretStr)
    assert "tok-aaaa" not in repr(s) and "tok-aaaa" not in str(s)
    sc = load_sitecore_settings(SC_MIN, environ={})
    assert "csecret-1" not in repr(sc) and "csecret-1" not in sc.model_dump_json()


def test_settings_are_frozen() -> None:
    s = load_contentstack_settings(CS_MIN, environ={})
    with pytest.raises(pydantic.ValidationError, match="frozen"):
        s.project_uid = "other"  # type: ignore[misc]
