"""Which tenant a client serves, as recorded in every resource's state, and how two records compare.

Identifiers only, never a credential nor anything derived from one. What differs between the
services (what a tenant is called, which settings name it, which field of a live object carries its
key) is a ``TenantFacts`` that each service's settings attach (``config``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import urlsplit

__all__ = ["DEFAULT_NAMESPACE", "Tenant", "TenantFacts", "host_of"]

DEFAULT_NAMESPACE = "personalize"

_TENANT_FIELDS = ("host", "region", "project_uid", "stack_api_key", "client_id", "client_key")
"""What a record holds. Not the service: a resource's type names it, and every record a resource's
settings are compared with is its own service's (records written before hold ``service`` too; it is
ignored)."""


def host_of(base_url: str) -> str:
    """A base URL as an identifier: host, port and path, never a scheme or ``user:password@``."""
    parts = urlsplit(base_url)
    host = (parts.hostname or "").lower()
    if parts.port is not None:
        host = f"{host}:{parts.port}"
    return host + parts.path.rstrip("/")


def _who_by_key(values: Mapping[str, str]) -> str:
    who = [f"client key {values['client_key']}"] if values.get("client_key") else []
    who += [f"client id {values['client_id']}"] if values.get("client_id") else []
    return f"tenant {' / '.join(who) or '(unknown key)'}"


@dataclass(frozen=True)
class TenantFacts:
    """What one service calls its tenants and where their names come from."""

    product: str
    """The service as people name it: ``Contentstack``."""
    container: str = "tenant"
    """What one tenant is called: ``project``."""
    credential_keys: str = ""
    """The credential settings, with ``{ns}`` for the namespace."""
    scope_key: str | None = None
    """The setting naming the tenant within its host (Contentstack's project uid, or for the Content
    Management API the stack's api key), if any."""
    live_key_field: str | None = None
    """The field of a live object that names its tenant (Sitecore's ``clientKey``), if any."""
    who_field: str | None = None
    """The record's field that names one tenant (``project_uid``); without one, the tenant is named
    by its client key and id."""
    base_url_key: str | None = None
    """The setting overriding the host, when it is not ``<service>BaseUrl``."""


@dataclass(frozen=True)
class Tenant:
    """Which tenant a client serves: identifiers only (it is stored in every resource's state).

    Contentstack: the API host and the project uid. Sitecore: the API host, the OAuth client id
    (none with a static access token) and the tenant's ``clientKey``, which the service puts on
    every object and which is therefore learned from live objects, not from configuration.
    """

    service: str
    host: str
    region: str | None = None
    project_uid: str | None = None
    stack_api_key: str | None = None
    """The Content Management API's tenant: a stack, named by its api key (an identifier)."""
    client_id: str | None = None
    client_key: str | None = None
    namespace: str = DEFAULT_NAMESPACE
    """For messages only (not recorded: ``config_namespace`` is an input of its own)."""
    facts: TenantFacts = field(default=TenantFacts("the service"), compare=False, repr=False)
    """For messages and the live tenant key (not recorded)."""

    @property
    def live_key_field(self) -> str | None:
        return self.facts.live_key_field

    def observed_key(self, live: Mapping[str, Any] | None) -> str | None:
        field_ = self.live_key_field
        value = live.get(field_) if field_ and isinstance(live, Mapping) else None
        return str(value) if isinstance(value, str | int) and str(value) else None

    def record(self, live: Mapping[str, Any] | None = None) -> dict[str, str]:
        """What state keeps: this tenant, with the tenant key of ``live`` when it carries one."""
        tenant = replace(self, client_key=self.observed_key(live) or self.client_key)
        return {k: str(v) for k in _TENANT_FIELDS if (v := getattr(tenant, k)) is not None}

    @staticmethod
    def recorded(value: Any) -> dict[str, str] | None:
        """A tenant record from state (``None`` when the resource has none yet)."""
        if not isinstance(value, Mapping) or not value.get("host"):
            return None
        return {k: str(value[k]) for k in _TENANT_FIELDS if value.get(k) is not None}

    def conflict(self, recorded: Mapping[str, str] | None, *, observed_key: str | None = None,
                 concluding_gone: bool = False) -> str | None:
        """The first field on which ``recorded`` names another tenant than this one, or ``None``.

        Host and project are compared always; the tenant key when a live object showed one. The
        client id only when the engine is about to conclude that an object is gone and no tenant
        key could be compared: a new API key of the same tenant is otherwise no reason to stop.
        """
        if not recorded:
            return None
        for name in ("host", "project_uid", "stack_api_key"):
            mine = getattr(self, name)
            if recorded.get(name) is not None and mine is not None and recorded[name] != mine:
                return name
        key = observed_key or self.client_key
        if recorded.get("client_key") and key:
            return "client_key" if recorded["client_key"] != key else None
        if concluding_gone and recorded.get("client_id") and self.client_id and recorded["client_id"] != self.client_id:
            return "client_id"
        return None

    # -- messages ------------------------------------------------------------------------------------

    @property
    def product(self) -> str:
        return self.facts.product

    def _key(self, key: str) -> str:
        return f"{self.namespace}:{key}"

    def location_settings(self) -> str:
        """The settings that choose where the API is."""
        prefix = self.service
        shared = f"{DEFAULT_NAMESPACE}:baseUrl"
        own = self.facts.base_url_key or prefix + "BaseUrl"
        return f"{self._key(prefix + 'Region')}, {self._key(own)} or {shared}"

    def credential_settings(self) -> str:
        return self.facts.credential_keys.format(ns=self.namespace)

    def scope_settings(self) -> str | None:
        """The setting naming the tenant within its host, if the service has one."""
        return self._key(self.facts.scope_key) if self.facts.scope_key else None

    def settings_for(self, field_: str) -> str:
        """The settings to check when ``field_`` of the tenant record differs."""
        if field_ in ("project_uid", "stack_api_key") and self.facts.scope_key:
            return self._key(self.facts.scope_key)
        if field_ in ("client_id", "client_key"):
            return self.credential_settings()
        return self.location_settings()

    def setting_for(self, field_: str) -> str:
        """The first of ``settings_for(field_)``: the key an error about ``field_`` names."""
        return self.settings_for(field_).split(" ")[0].rstrip(",")

    def describe(self, record: Mapping[str, str] | None = None) -> str:
        """``Contentstack project P at host H`` / ``Sitecore tenant K (client id C) at host H``."""
        values = dict(record) if record is not None else self.record()
        region = f" (region {values['region']})" if values.get("region") else ""
        field_ = self.facts.who_field
        who = f"{self.facts.container} {values.get(field_)}" if field_ else _who_by_key(values)
        return f"{self.product} {who} at host {values.get('host')}{region}"
