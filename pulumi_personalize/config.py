"""Settings: stack configuration plus environment, validated into one frozen model per service.

Where a value comes from, first match wins:

1. the stack configuration key in the namespace (``personalize:contentstackProjectUid``), as the
   dynamic provider's ``configure()`` receives it (secrets already decrypted);
2. the environment variable of that key (``CONTENTSTACK_PERSONALIZE_PROJECT_UID``);
3. the default, if the key has one.

Credentials are resolved as a group: if the stack configuration sets any credential of a service,
the environment's credentials for that service are ignored, so a token left in a shell does not
contradict (or silently replace) the stack's own. Within one source, two kinds of credential at once
is an error.

Base URL: the service's own URL key, then ``baseUrl`` (one override for both services, the emulator),
then the region's URL.

A second tenant uses another namespace (``namespace="acme-eu"``): the same key names in that
namespace (``acme-eu:contentstackProjectUid``), and environment variables with the namespace as a
prefix (``ACME_EU_CONTENTSTACK_PERSONALIZE_PROJECT_UID``) — never the default tenant's variables,
which would mix one tenant's project with another's token. The one exception is the shared
emulator override ``personalize:baseUrl`` / ``PERSONALIZE_BASE_URL``, which applies to every namespace
that sets no URL of its own ("point everything at the emulator").
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Mapping

from pydantic import BaseModel, ConfigDict, Field, SecretStr

from ._setting_urls import DEFAULT_SITECORE_TOKEN_URL, base_url, token_url
from .errors import ConfigurationError, register_secret
from .facts.contentstack import REQUESTS_PER_SECOND as CONTENTSTACK_REQUESTS_PER_SECOND
from .facts.sitecore import TOKEN_AUDIENCE
from .tenant import DEFAULT_NAMESPACE, Tenant, TenantFacts, host_of

__all__ = [
    "CONTENTSTACK_REGIONS",
    "CONTENTSTACK_TENANT",
    "DEFAULT_NAMESPACE",
    "DEFAULT_SITECORE_AUDIENCE",
    "DEFAULT_SITECORE_TOKEN_URL",
    "SITECORE_REGIONS",
    "SITECORE_TENANT",
    "ContentstackSettings",
    "SettingsBase",
    "SitecoreSettings",
    "Tenant",
    "Timeouts",
    "env_var_name",
    "load_contentstack_settings",
    "load_sitecore_settings",
    "tenant_change_allowed",
]


CONTENTSTACK_REGIONS: Mapping[str, str] = {
    "na": "https://personalize-api.contentstack.com",
    "eu": "https://eu-personalize-api.contentstack.com",
    "au": "https://au-personalize-api.contentstack.com",
    "azure-na": "https://azure-na-personalize-api.contentstack.com",
    "azure-eu": "https://azure-eu-personalize-api.contentstack.com",
    "gcp-na": "https://gcp-na-personalize-api.contentstack.com",
    "gcp-eu": "https://gcp-eu-personalize-api.contentstack.com",
}
# Names people use for the same AWS regions (Contentstack's docs say "AWS US (North America, or NA)").
_CONTENTSTACK_ALIASES = {"us": "na", "aws-na": "na", "aws-us": "na", "aws-eu": "eu", "aws-au": "au"}

# Sitecore's regional "engage" API hosts, as listed in Sitecore's API catalog (Production server
# AP / EU / JP / US). https://api.boxever.com, the seed OpenAPI's server, is the legacy EU host.
SITECORE_REGIONS: Mapping[str, str] = {
    "eu": "https://api-engage-eu.sitecorecloud.io",
    "us": "https://api-engage-us.sitecorecloud.io",
    "ap": "https://api-engage-ap.sitecorecloud.io",
    "jp": "https://api-engage-jpe.sitecorecloud.io",
}
_SITECORE_ALIASES = {"jpe": "jp", "apj": "ap", "na": "us"}

DEFAULT_SITECORE_AUDIENCE = TOKEN_AUDIENCE
DEFAULT_CONTENTSTACK_REQUESTS_PER_SECOND = float(CONTENTSTACK_REQUESTS_PER_SECOND)

# (stack config key, environment variable) per setting.
_KEYS: Mapping[str, str] = {
    "contentstackRegion": "CONTENTSTACK_PERSONALIZE_REGION",
    "contentstackBaseUrl": "CONTENTSTACK_PERSONALIZE_BASE_URL",
    "contentstackProjectUid": "CONTENTSTACK_PERSONALIZE_PROJECT_UID",
    "contentstackAuthtoken": "CONTENTSTACK_AUTHTOKEN",
    "contentstackOauthToken": "CONTENTSTACK_OAUTH_TOKEN",
    "contentstackRequestsPerSecond": "CONTENTSTACK_PERSONALIZE_REQUESTS_PER_SECOND",
    "contentstackStackApiKey": "CONTENTSTACK_STACK_API_KEY",
    "contentstackManagementToken": "CONTENTSTACK_MANAGEMENT_TOKEN",
    "contentstackCmaBaseUrl": "CONTENTSTACK_CMA_BASE_URL",
    "sitecoreRegion": "SITECORE_PERSONALIZE_REGION",
    "sitecoreBaseUrl": "SITECORE_PERSONALIZE_BASE_URL",
    "sitecoreTokenUrl": "SITECORE_PERSONALIZE_TOKEN_URL",
    "sitecoreClientId": "SITECORE_PERSONALIZE_CLIENT_ID",
    "sitecoreClientSecret": "SITECORE_PERSONALIZE_CLIENT_SECRET",
    "sitecoreAccessToken": "SITECORE_PERSONALIZE_ACCESS_TOKEN",
    "sitecoreRequestsPerSecond": "SITECORE_PERSONALIZE_REQUESTS_PER_SECOND",
    "baseUrl": "PERSONALIZE_BASE_URL",
    "allowTenantChange": "PERSONALIZE_ALLOW_TENANT_CHANGE",
    "maxRequestsPerSecond": "PERSONALIZE_MAX_REQUESTS_PER_SECOND",
}

SETTING_KEYS: tuple[str, ...] = tuple(_KEYS)
"""Every stack configuration key of a namespace (the native provider's configuration too)."""
SECRET_SETTINGS: frozenset[str] = frozenset({
    "contentstackAuthtoken", "contentstackOauthToken", "contentstackManagementToken",
    "sitecoreClientSecret", "sitecoreAccessToken",
})
"""The keys that hold credentials: set with ``--secret``, secret in the native provider's schema."""

_NAMESPACE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")
_UID_RE = re.compile(r"^[A-Za-z0-9_\-]+$")
_PROJECT_UID_RE = re.compile(r"^[0-9a-fA-F]{24}$")


class Timeouts(BaseModel):
    """Seconds. ``connect`` bounds establishing a connection; ``read`` bounds waiting for bytes."""

    model_config = ConfigDict(frozen=True)

    connect: float = Field(default=10.0, gt=0)
    read: float = Field(default=60.0, gt=0)


# What each service calls its tenants, for the tenant records the settings give (``Tenant``).
CONTENTSTACK_TENANT = TenantFacts(
    "Contentstack",
    container="project",
    credential_keys="{ns}:contentstackAuthtoken / {ns}:contentstackOauthToken",
    scope_key="contentstackProjectUid",
    who_field="project_uid",
)
SITECORE_TENANT = TenantFacts(
    "Sitecore",
    credential_keys="{ns}:sitecoreClientId + {ns}:sitecoreClientSecret (or {ns}:sitecoreAccessToken)",
    live_key_field="clientKey",
)


class SettingsBase(BaseModel):
    """What the settings of every API hold besides its tenant and credentials."""

    model_config = ConfigDict(frozen=True)

    base_url: str
    timeout: Timeouts = Timeouts()
    namespace: str = DEFAULT_NAMESPACE
    region: str | None = None
    url_sources: tuple[tuple[str, str], ...] = ()
    """(URL, where its host comes from) for connection errors: the base URL's (and Sitecore's token URL's)."""
    max_requests_per_second: float | None = None
    """This stack's own cap (``maxRequestsPerSecond``), below the service's rate that all stacks share."""


class ContentstackTokens(SettingsBase):
    """What Contentstack's APIs share: a user's authtoken or an app's OAuth token, and the rate the
    organization allows (Personalize and the Content Management API both count 10 per second)."""

    authtoken: SecretStr | None = None
    oauth_token: SecretStr | None = None
    requests_per_second: float | None = DEFAULT_CONTENTSTACK_REQUESTS_PER_SECOND


class ContentstackSettings(ContentstackTokens):
    """Everything needed to call one Contentstack Personalize project. Exactly one token is set."""

    project_uid: str

    @property
    def tenant(self) -> Tenant:
        return Tenant("contentstack", host_of(self.base_url), region=self.region, project_uid=self.project_uid,
                      namespace=self.namespace, facts=CONTENTSTACK_TENANT)


class SitecoreSettings(SettingsBase):
    """Everything needed to call one Sitecore Personalize tenant.

    Either ``client_id`` + ``client_secret`` (OAuth client credentials against ``token_url``) or a
    static ``access_token``.
    """

    token_url: str = DEFAULT_SITECORE_TOKEN_URL
    client_id: str | None = None
    client_secret: SecretStr | None = None
    access_token: SecretStr | None = None
    requests_per_second: float | None = None
    audience: str = DEFAULT_SITECORE_AUDIENCE

    @property
    def uses_client_credentials(self) -> bool:
        return self.client_id is not None and self.client_secret is not None

    @property
    def tenant(self) -> Tenant:
        return Tenant("sitecore", host_of(self.base_url), region=self.region,
                      client_id=self.client_id if self.uses_client_credentials else None, namespace=self.namespace,
                      facts=SITECORE_TENANT)


def env_var_name(key: str, namespace: str = DEFAULT_NAMESPACE) -> str:
    """The environment variable read for a stack configuration key in ``namespace``."""
    base = _KEYS[key]
    if namespace == DEFAULT_NAMESPACE:
        return base
    prefix = re.sub(r"[^A-Za-z0-9]", "_", namespace).upper()
    return f"{prefix}_{base}"


class _Source:
    """Looks keys up in one namespace: stack configuration first, then the environment."""

    def __init__(self, config: Mapping[str, object], namespace: str, environ: Mapping[str, str]) -> None:
        if not isinstance(namespace, str) or not _NAMESPACE_RE.match(namespace):
            raise ConfigurationError(
                f"invalid configuration namespace {namespace!r}: use the name of a stack configuration "
                "namespace such as 'personalize' or 'acme-eu'",
                key="config_namespace",
            )
        self.config = config
        self.namespace = namespace
        self.environ = environ

    def name(self, key: str) -> str:
        return f"{self.namespace}:{key}"

    def env(self, key: str) -> str:
        return env_var_name(key, self.namespace)

    def both(self, key: str) -> str:
        return f"{self.name(key)} (or the {self.env(key)} environment variable)"

    def from_config(self, key: str, namespace: str | None = None) -> str | None:
        ns = namespace or self.namespace
        # `pulumi config` shows "ns:key"; older engines pass "ns:config:key".
        for name in (f"{ns}:{key}", f"{ns}:config:{key}"):
            value = self.config.get(name)
            if value is not None:
                text = str(value).strip()
                if text:
                    return text
        return None

    def from_env(self, key: str, namespace: str | None = None) -> str | None:
        value = self.environ.get(env_var_name(key, namespace or self.namespace))
        if value is None:
            return None
        return value.strip() or None

    def get(self, key: str) -> tuple[str | None, str]:
        """(value, the name of where it came from, for messages)."""
        value = self.from_config(key)
        if value is not None:
            return value, self.name(key)
        value = self.from_env(key)
        if value is not None:
            return value, self.env(key)
        return None, self.name(key)

    def credentials(self, keys: tuple[str, ...]) -> tuple[dict[str, str], bool]:
        """Values of a credential group from one source: the stack if it sets any, else the environment."""
        from_config = {k: v for k in keys if (v := self.from_config(k)) is not None}
        if from_config:
            return from_config, True
        return {k: v for k in keys if (v := self.from_env(k)) is not None}, False


def _source(config: Mapping[str, object], namespace: str, environ: Mapping[str, str] | None) -> _Source:
    return _Source(config, namespace, os.environ if environ is None else environ)


def _project_uid(src: _Source, required: bool, *, real: bool) -> str:
    """The project uid; on the service's own hosts (not an override) it must have the shape of
    Contentstack's uids, 24 hex characters (``docs/facts/contentstack.md``)."""
    value, where = src.get("contentstackProjectUid")
    key = src.name("contentstackProjectUid")
    if value is None:
        if not required:
            return ""
        raise ConfigurationError(
            f"Contentstack Personalize project UID is not set: set {src.both('contentstackProjectUid')} "
            "to the 24-character UID shown under Personalize > Settings > General",
            key=key,
        )
    if not _UID_RE.match(value) or (real and not _PROJECT_UID_RE.match(value)):
        shape = "24 hexadecimal characters" if real else "letters, digits, '-' and '_' only"
        raise ConfigurationError(
            f"{where} is not a Contentstack project UID ({shape}, as shown under Personalize > "
            f"Settings > General), got {value!r}: set {key}",
            key=key,
        )
    return value


def _rate(src: _Source, key: str, default: float | None) -> float | None:
    raw, where = src.get(key)
    if raw is None:
        return default
    if raw.lower() in ("none", "off", "unlimited", "0", "0.0"):
        return None  # an explicit "no client-side limit"
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value <= 0:
        raise ConfigurationError(
            f"{where} must be a positive number of requests per second (or 0 / none to disable the "
            f"client-side limit), got {raw!r}: set {src.name(key)}",
            key=src.name(key),
        )
    return value


def _secret(value: str | None) -> SecretStr | None:
    if value is None:
        return None
    register_secret(value)
    return SecretStr(value)


def load_contentstack_settings(
    config: Mapping[str, object],
    *,
    namespace: str = DEFAULT_NAMESPACE,
    environ: Mapping[str, str] | None = None,
    project_required: bool = True,
) -> ContentstackSettings:
    """Validated Contentstack settings from the flat stack configuration and the environment.

    Raises ``ConfigurationError`` naming the key to set when the project UID or the token is missing,
    when both an authtoken and an OAuth token are set, or when a value is invalid.
    ``project_required=False`` (organization-level calls such as ``GET /projects``): a missing
    project UID is ``""``.
    """
    src = _source(config, namespace, environ)
    base = base_url(src, "contentstackBaseUrl", "contentstackRegion", CONTENTSTACK_REGIONS, _CONTENTSTACK_ALIASES, "na")
    project_uid = _project_uid(src, project_required, real=base.region is not None)
    creds, in_stack = src.credentials(("contentstackAuthtoken", "contentstackOauthToken"))
    origin = "stack configuration" if in_stack else "environment"
    authtoken = creds.get("contentstackAuthtoken")
    oauth_token = creds.get("contentstackOauthToken")
    if authtoken is not None and oauth_token is not None:
        raise ConfigurationError(
            f"both an authtoken and an OAuth token are set in the {origin}: set only one of "
            f"{src.both('contentstackAuthtoken')} or {src.both('contentstackOauthToken')}",
            key=src.name("contentstackOauthToken"),
        )
    if authtoken is None and oauth_token is None:
        raise ConfigurationError(
            "no Contentstack credentials: set "
            f"{src.name('contentstackOauthToken')} or {src.name('contentstackAuthtoken')} as a secret "
            f"(pulumi config set --secret {src.name('contentstackOauthToken')} ...), or the "
            f"{src.env('contentstackOauthToken')} / {src.env('contentstackAuthtoken')} environment variable",
            key=src.name("contentstackAuthtoken"),
        )
    return ContentstackSettings(
        base_url=base.url,
        project_uid=project_uid,
        authtoken=_secret(authtoken),
        oauth_token=_secret(oauth_token),
        requests_per_second=_rate(src, "contentstackRequestsPerSecond", DEFAULT_CONTENTSTACK_REQUESTS_PER_SECOND),
        max_requests_per_second=_rate(src, "maxRequestsPerSecond", None),
        namespace=namespace,
        region=base.region,
        url_sources=((base.url, base.source),),
    )


def load_sitecore_settings(
    config: Mapping[str, object],
    *,
    namespace: str = DEFAULT_NAMESPACE,
    environ: Mapping[str, str] | None = None,
) -> SitecoreSettings:
    """Validated Sitecore settings from the flat stack configuration and the environment.

    Raises ``ConfigurationError`` naming the key to set when neither client credentials nor an
    access token are set, when only half of the client credentials is, when both kinds are, or when
    a value is invalid.
    """
    src = _source(config, namespace, environ)
    base = base_url(src, "sitecoreBaseUrl", "sitecoreRegion", SITECORE_REGIONS, _SITECORE_ALIASES, "eu")
    token_url_, token_source = token_url(src, base)
    creds, in_stack = src.credentials(("sitecoreClientId", "sitecoreClientSecret", "sitecoreAccessToken"))
    origin = "stack configuration" if in_stack else "environment"
    client_id = creds.get("sitecoreClientId")
    client_secret = creds.get("sitecoreClientSecret")
    access_token = creds.get("sitecoreAccessToken")
    _check_sitecore_credentials(src, origin, client_id, client_secret, access_token)
    return SitecoreSettings(
        base_url=base.url,
        token_url=token_url_,
        client_id=client_id,
        client_secret=_secret(client_secret),
        access_token=_secret(access_token),
        requests_per_second=_rate(src, "sitecoreRequestsPerSecond", None),
        max_requests_per_second=_rate(src, "maxRequestsPerSecond", None),
        namespace=namespace,
        region=base.region,
        url_sources=((base.url, base.source), (token_url_, token_source)),
    )


def _check_sitecore_credentials(src: _Source, origin: str, client_id: str | None, client_secret: str | None,
                                access_token: str | None) -> None:
    """Exactly one kind of Sitecore credentials, whole: client id + secret, or an access token."""
    has_client = client_id is not None or client_secret is not None
    if has_client and access_token is not None:
        raise ConfigurationError(
            f"both OAuth client credentials and a static access token are set in the {origin}: set either "
            f"{src.name('sitecoreClientId')} + {src.name('sitecoreClientSecret')} or "
            f"{src.name('sitecoreAccessToken')}, not both",
            key=src.name("sitecoreAccessToken"),
        )
    if client_id is not None and client_secret is None:
        raise ConfigurationError(
            f"Sitecore client secret is missing for client id {client_id!r}: set "
            f"{src.both('sitecoreClientSecret')} as a secret",
            key=src.name("sitecoreClientSecret"),
        )
    if client_secret is not None and client_id is None:
        raise ConfigurationError(
            f"Sitecore client id is missing: set {src.both('sitecoreClientId')} "
            "(the API key shown with the secret in Sitecore's Developer center)",
            key=src.name("sitecoreClientId"),
        )
    if not has_client and access_token is None:
        raise ConfigurationError(
            "no Sitecore credentials: set "
            f"{src.name('sitecoreClientId')} and {src.name('sitecoreClientSecret')} (secret), or "
            f"{src.name('sitecoreAccessToken')} (secret); environment variables "
            f"{src.env('sitecoreClientId')} / {src.env('sitecoreClientSecret')} or "
            f"{src.env('sitecoreAccessToken')} also work",
            key=src.name("sitecoreClientId"),
        )


def tenant_change_allowed(
    config: Mapping[str, object],
    namespace: str = DEFAULT_NAMESPACE,
    environ: Mapping[str, str] | None = None,
) -> bool:
    """``<namespace>:allowTenantChange`` (or its environment variable): the explicit step that lets
    resources recorded in one tenant be read, updated or deleted through another (moving a stack)."""
    raw, where = _source(config, namespace, environ).get("allowTenantChange")
    if raw is None:
        return False
    value = raw.strip().lower()
    if value in ("true", "1", "yes", "on"):
        return True
    if value in ("false", "0", "no", "off"):
        return False
    raise ConfigurationError(f"{where} must be true or false, got {raw!r}", key=f"{namespace}:allowTenantChange")
