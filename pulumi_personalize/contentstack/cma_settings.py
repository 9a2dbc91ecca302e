"""Settings of the Contentstack Content Management API (CMA): stack-scoped, beside Personalize's.

Where the stack's variant groups are linked to content types (``docs/facts/contentstack.md#cma``).
Read as ``config.py`` reads every setting: the stack configuration key in the namespace, then its
environment variable; credentials as a group (the stack's, else the environment's).

- ``contentstackStackApiKey`` (``CONTENTSTACK_STACK_API_KEY``): the stack's api key, an identifier
  (not a secret), recorded in the state of the resources that use the CMA.
- ``contentstackManagementToken`` (secret; ``CONTENTSTACK_MANAGEMENT_TOKEN``): a stack management
  token; without one the Personalize credential (``contentstackAuthtoken`` / ``contentstackOauthToken``)
  is sent instead, which the CMA accepts as well.
- ``contentstackCmaBaseUrl`` (``CONTENTSTACK_CMA_BASE_URL``), then ``baseUrl`` (the emulator), then
  the region's CMA host (``contentstackRegion``, the region Personalize uses).
"""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import SecretStr

from .._setting_urls import base_url
from ..config import _CONTENTSTACK_ALIASES, DEFAULT_NAMESPACE, ContentstackTokens, _rate, _secret, _source
from ..errors import ConfigurationError
from ..tenant import Tenant, TenantFacts, host_of

# The CMA host of each region Personalize has (Contentstack's "regions" page, docs/facts/contentstack.md#cma).
CMA_REGIONS: Mapping[str, str] = {
    "na": "https://api.contentstack.io",
    "eu": "https://eu-api.contentstack.com",
    "au": "https://au-api.contentstack.com",
    "azure-na": "https://azure-na-api.contentstack.com",
    "azure-eu": "https://azure-eu-api.contentstack.com",
    "gcp-na": "https://gcp-na-api.contentstack.com",
    "gcp-eu": "https://gcp-eu-api.contentstack.com",
}
# The CMA counts 10 requests per second per organization, as Personalize does.
DEFAULT_CMA_REQUESTS_PER_SECOND = 10.0
_CREDENTIALS = ("contentstackManagementToken", "contentstackAuthtoken", "contentstackOauthToken")


# The CMA's tenant is a stack, named by its api key, at the region's CMA host.
CMA_TENANT = TenantFacts(
    "Contentstack",
    container="stack",
    credential_keys="{ns}:contentstackManagementToken / {ns}:contentstackAuthtoken",
    scope_key="contentstackStackApiKey",
    who_field="stack_api_key",
    base_url_key="contentstackCmaBaseUrl",
)


class CmaSettings(ContentstackTokens):
    """Everything needed to call one stack's Content Management API. Exactly one credential is set:
    a stack management token, or the tokens Personalize is called with."""

    stack_api_key: str
    management_token: SecretStr | None = None

    @property
    def tenant(self) -> Tenant:
        return Tenant("contentstack", host_of(self.base_url), region=self.region, stack_api_key=self.stack_api_key,
                      namespace=self.namespace, facts=CMA_TENANT)

    def credential_headers(self) -> dict[str, str]:
        """The CMA's own header names: ``authorization: <management token>`` (no scheme),
        ``authtoken: <authtoken>``, or ``authorization: Bearer <OAuth token>``."""
        if self.management_token is not None:
            return {"authorization": self.management_token.get_secret_value()}
        if self.authtoken is not None:
            return {"authtoken": self.authtoken.get_secret_value()}
        if self.oauth_token is not None:
            return {"authorization": f"Bearer {self.oauth_token.get_secret_value()}"}
        raise ConfigurationError("Contentstack CMA settings carry no credential")

    def credential_hint(self) -> str:
        ns = self.namespace
        used = ("contentstackManagementToken" if self.management_token is not None
                else "contentstackAuthtoken" if self.authtoken is not None else "contentstackOauthToken")
        return f"check {ns}:{used} and {ns}:contentstackStackApiKey"


def load_cma_settings(
    config: Mapping[str, object], *, namespace: str = DEFAULT_NAMESPACE, environ: Mapping[str, str] | None = None,
) -> CmaSettings:
    """Validated CMA settings; ``ConfigurationError`` names the key to set when the stack api key or
    every credential is missing, or when a value is invalid."""
    src = _source(config, namespace, environ)
    base = base_url(src, "contentstackCmaBaseUrl", "contentstackRegion", CMA_REGIONS, _CONTENTSTACK_ALIASES, "na")
    api_key, _ = src.get("contentstackStackApiKey")
    if api_key is None:
        raise ConfigurationError(
            f"the Contentstack stack api key is not set: set {src.both('contentstackStackApiKey')} to the api key "
            "of the stack connected to the Personalize project (Settings > Stack in Contentstack)",
            key=src.name("contentstackStackApiKey"),
        )
    creds, _in_stack = src.credentials(_CREDENTIALS)
    token = creds.get("contentstackManagementToken")
    authtoken = None if token else creds.get("contentstackAuthtoken")
    oauth_token = None if token or authtoken else creds.get("contentstackOauthToken")
    if token is None and authtoken is None and oauth_token is None:
        raise ConfigurationError(
            f"no credential for the Contentstack Content Management API: set {src.name('contentstackManagementToken')} "
            f"as a secret (a stack management token), or {src.name('contentstackAuthtoken')}; environment variables "
            f"{src.env('contentstackManagementToken')} / {src.env('contentstackAuthtoken')} also work",
            key=src.name("contentstackManagementToken"),
        )
    return CmaSettings(
        base_url=base.url, stack_api_key=api_key, management_token=_secret(token), authtoken=_secret(authtoken),
        oauth_token=_secret(oauth_token),
        requests_per_second=_rate(src, "contentstackRequestsPerSecond", DEFAULT_CMA_REQUESTS_PER_SECOND),
        max_requests_per_second=_rate(src, "maxRequestsPerSecond", None),  # this stack's cap, as for Personalize
        namespace=namespace, region=base.region, url_sources=((base.url, base.source),),
    )
