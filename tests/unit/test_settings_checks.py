"""Settings as a user meets them (issue 20, items 1, 2 and 9): ``baseUrl`` points everything at the
emulator, token endpoint included; a connection error names the host and the setting that chose it;
every setting is checked when a resource is checked (so at preview); plain http:// only on loopback."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx
import pytest
import respx
from pulumi.dynamic import Config, ConfigureRequest

from pulumi_personalize.config import load_contentstack_settings, load_sitecore_settings
from pulumi_personalize.contentstack import _wire as cs_wire
from pulumi_personalize.contentstack.resources import Event
from pulumi_personalize.engine import EngineProvider
from pulumi_personalize.errors import ConfigurationError, TransportError
from pulumi_personalize.http import RetryPolicy
from pulumi_personalize.sitecore import _wire as sc_wire
from pulumi_personalize.sitecore.resources import Template

PROJECT = "64f0c0ffee00000000000001"
CLIENT_SECRET = "sc-client-SECRET-77"
AUTHTOKEN = "cs-authtoken-SECRET-78"
SC_CLIENT = {"personalize:sitecoreClientId": "cid", "personalize:sitecoreClientSecret": CLIENT_SECRET}
CS_TOKEN = {"personalize:contentstackProjectUid": PROJECT, "personalize:contentstackAuthtoken": AUTHTOKEN}
EMULATOR = "http://127.0.0.1:8787"


def _error(load: Any, config: Mapping[str, str]) -> ConfigurationError:
    with pytest.raises(ConfigurationError) as info:
        load(config, environ={})
    return info.value


# -- 1. baseUrl points everything at one place -----------------------------------------------------


def test_base_url_alone_points_the_sitecore_token_request_at_the_emulator() -> None:
    s = load_sitecore_settings({"personalize:baseUrl": EMULATOR, **SC_CLIENT}, environ={})
    assert (s.base_url, s.token_url) == (EMULATOR, f"{EMULATOR}/oauth/token")
    env = load_sitecore_settings(SC_CLIENT, environ={"PERSONALIZE_BASE_URL": f"{EMULATOR}/"})
    assert env.token_url == f"{EMULATOR}/oauth/token"


def test_an_explicit_token_url_wins_and_a_sitecore_base_url_keeps_sitecores_auth_server() -> None:
    explicit = {"personalize:baseUrl": EMULATOR, "personalize:sitecoreTokenUrl": "https://auth.example/t", **SC_CLIENT}
    assert load_sitecore_settings(explicit, environ={}).token_url == "https://auth.example/t"
    own = {"personalize:sitecoreBaseUrl": "https://api.boxever.com", **SC_CLIENT}
    assert load_sitecore_settings(own, environ={}).token_url == "https://auth.sitecorecloud.io/oauth/token"


def test_a_second_namespace_follows_the_shared_base_url_for_its_token_too() -> None:
    config = {"personalize:baseUrl": EMULATOR, "acme:sitecoreClientId": "c", "acme:sitecoreClientSecret": "s-acme-9"}
    assert load_sitecore_settings(config, namespace="acme", environ={}).token_url == f"{EMULATOR}/oauth/token"


# -- 1. a connection error names the host and the setting that chose it ------------------------------


DEFAULT_TOKEN_URL = "https://auth.sitecorecloud.io/oauth/token"
EU = "https://eu-personalize-api.contentstack.com"
ENV_BASE = {"SITECORE_PERSONALIZE_BASE_URL": "https://sc.example", "SITECORE_PERSONALIZE_ACCESS_TOKEN": "at-SECRET-79"}


@pytest.mark.parametrize(
    ("load", "config", "environ", "method", "url", "source"),
    [
        (load_sitecore_settings, SC_CLIENT, {}, "POST", DEFAULT_TOKEN_URL,
         "the host comes from the default token URL: set personalize:sitecoreTokenUrl, "
         "or personalize:baseUrl for the emulator"),
        (load_sitecore_settings, {"personalize:baseUrl": EMULATOR, **SC_CLIENT}, {}, "POST", f"{EMULATOR}/oauth/token",
         "the host comes from personalize:baseUrl: set personalize:baseUrl (or personalize:sitecoreTokenUrl)"),
        (load_contentstack_settings, {**CS_TOKEN, "personalize:contentstackRegion": "eu",
                                      "personalize:contentstackRequestsPerSecond": "0"}, {}, "GET", f"{EU}/v3/templates",
         "the host comes from personalize:contentstackRegion (eu): set personalize:contentstackRegion, "
         "or personalize:contentstackBaseUrl / personalize:baseUrl for the emulator"),
        (load_sitecore_settings, {}, ENV_BASE, "GET", "https://sc.example/v3/templates",
         "the host comes from the SITECORE_PERSONALIZE_BASE_URL environment variable: set personalize:sitecoreBaseUrl"),
    ],
)
@respx.mock
def test_an_unreachable_host_is_named_with_the_setting_that_chose_it(
    load: Any, config: Mapping[str, str], environ: Mapping[str, str], method: str, url: str, source: str,
    policy: RetryPolicy,
) -> None:
    settings = load(config, environ=environ)
    new_client = sc_wire.new_client if load is load_sitecore_settings else cs_wire.new_client
    respx.route(method=method, url=url).mock(side_effect=httpx.ConnectError("[Errno -2] Name or service not known"))
    with pytest.raises(TransportError) as info:
        new_client(settings, retry_policy=policy).get("/v3/templates")
    text = str(info.value)
    service = "sitecore" if load is load_sitecore_settings else "contentstack"
    assert text.startswith(
        f"{method} {url} to {service} failed: cannot connect (ConnectError: [Errno -2] Name or service not known); "
        "gave up after 5 attempts"
    ), text
    assert text.endswith(f"; {source}"), text
    assert not any(secret in text for secret in (CLIENT_SECRET, AUTHTOKEN, "at-SECRET-79"))


# -- 2. every setting checked ----------------------------------------------------------------------


def test_a_bad_region_is_an_error_even_with_a_base_url() -> None:
    err = _error(load_contentstack_settings,
                 {"personalize:baseUrl": EMULATOR, "personalize:contentstackRegion": "emea", **CS_TOKEN})
    assert str(err) == (
        "unknown region 'emea' in personalize:contentstackRegion: set personalize:contentstackRegion to one of "
        "na, eu, au, azure-na, azure-eu, gcp-na, gcp-eu (or set personalize:contentstackBaseUrl to a base URL)"
    )
    err = _error(load_sitecore_settings, {"personalize:baseUrl": EMULATOR, "personalize:sitecoreRegion": "mars",
                                          **SC_CLIENT})
    assert err.key == "personalize:sitecoreRegion" and "unknown region 'mars'" in str(err)


def test_a_project_uid_on_contentstacks_hosts_has_the_services_shape() -> None:
    err = _error(load_contentstack_settings,
                 {**CS_TOKEN, "personalize:contentstackProjectUid": "blt0123456789abcdef"})
    assert str(err) == (
        "personalize:contentstackProjectUid is not a Contentstack project UID (24 hexadecimal characters, as "
        "shown under Personalize > Settings > General), got 'blt0123456789abcdef': set "
        "personalize:contentstackProjectUid"
    )
    # On another host (the emulator) any single word is a uid; a pasted sentence or URL is not.
    emulator = {"personalize:baseUrl": EMULATOR, **CS_TOKEN}
    assert load_contentstack_settings({**emulator, "personalize:contentstackProjectUid": "demo0project1"},
                                      environ={}).project_uid == "demo0project1"
    err = _error(load_contentstack_settings,
                 {**emulator, "personalize:contentstackProjectUid": "https://app.contentstack.com/x"})
    assert "letters, digits, '-' and '_' only" in str(err) and err.key == "personalize:contentstackProjectUid"


def _provider(spec: Any, config: Mapping[str, str]) -> EngineProvider:
    provider = EngineProvider(spec.name, spec.module)
    provider.configure(ConfigureRequest(Config(dict(config), "proj")))
    return provider


@pytest.mark.parametrize(
    ("spec", "config", "message"),
    [
        (Event._spec, {**CS_TOKEN, "personalize:contentstackRegion": "emea"}, "unknown region 'emea'"),
        (Event._spec, {"personalize:contentstackProjectUid": PROJECT, "personalize:contentstackAuthtoken": "a1",
                       "personalize:contentstackOauthToken": "o1"}, "both an authtoken and an OAuth token"),
        (Template._spec, {"personalize:sitecoreClientId": "cid"}, "Sitecore client secret is missing"),
        (Template._spec, {"personalize:sitecoreBaseUrl": "http://sc.example", **SC_CLIENT},
         "personalize:sitecoreBaseUrl uses plain http://"),
        (Template._spec, {"personalize:allowTenantChange": "maybe", **SC_CLIENT},
         "personalize:allowTenantChange must be true or false, got 'maybe'"),
    ],
)
def test_check_fails_with_the_settings_message(spec: Any, config: Mapping[str, str], message: str,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("CONTENTSTACK_AUTHTOKEN", "CONTENTSTACK_OAUTH_TOKEN", "SITECORE_PERSONALIZE_CLIENT_SECRET"):
        monkeypatch.delenv(name, raising=False)
    result = _provider(spec, config).check({}, {"key": "k", "name": "n", "type": "WEB"})
    reasons = [f.reason for f in result.failures if f.property == ""]
    assert len(reasons) == 1 and message in reasons[0], [(f.property, f.reason) for f in result.failures]
    assert CLIENT_SECRET not in reasons[0]


def test_check_loads_the_namespace_the_resource_names() -> None:
    provider = _provider(Event._spec, {**CS_TOKEN, "acme:contentstackProjectUid": PROJECT})
    result = provider.check({}, {"key": "k", "config_namespace": "acme"})
    assert [f.reason.split(":")[0] for f in result.failures] == ["no Contentstack credentials"]
    assert provider.check({}, {"key": "k"}).failures == []


# -- 9. plain http:// only on loopback ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "load", "base"),
    [
        ("personalize:baseUrl", load_contentstack_settings, CS_TOKEN),
        ("personalize:contentstackBaseUrl", load_contentstack_settings, CS_TOKEN),
        ("personalize:sitecoreBaseUrl", load_sitecore_settings, SC_CLIENT),
        ("personalize:sitecoreTokenUrl", load_sitecore_settings, SC_CLIENT),
    ],
)
def test_plain_http_to_another_host_is_refused_naming_the_setting(key: str, load: Any,
                                                                 base: Mapping[str, str]) -> None:
    err = _error(load, {**base, key: "http://proxy.corp:8080"})
    assert str(err) == (
        f"{key} uses plain http:// for proxy.corp, which would send credentials in clear: set {key} to an "
        "https:// URL (http:// is accepted only for a loopback host such as 127.0.0.1, localhost or [::1], "
        "the emulator)"
    )
    assert err.key == key


@pytest.mark.parametrize("url", ["http://127.0.0.1:8787", "http://127.3.4.5", "http://localhost:1",
                                 "http://LOCALHOST", "http://[::1]:8787", "https://proxy.corp"])
def test_plain_http_is_accepted_on_loopback(url: str) -> None:
    config = {**SC_CLIENT, "personalize:baseUrl": url, "personalize:sitecoreTokenUrl": f"{url}/oauth/token"}
    assert load_sitecore_settings(config, environ={}).base_url == url


def test_an_environment_variable_with_plain_http_is_named() -> None:
    with pytest.raises(ConfigurationError) as info:
        load_contentstack_settings(CS_TOKEN, environ={"PERSONALIZE_BASE_URL": "http://10.0.0.8"})
    assert str(info.value).startswith("PERSONALIZE_BASE_URL uses plain http:// for 10.0.0.8")
    assert info.value.key == "personalize:baseUrl"
