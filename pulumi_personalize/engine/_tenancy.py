"""The tenant guard: a resource is read, updated or deleted only in the tenant it was recorded in,
and a 404 means "gone" only once the object's collection answers."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..config import DEFAULT_NAMESPACE, Tenant, env_var_name, tenant_change_allowed
from ..errors import (
    AuthenticationError,
    ConfigurationError,
    NotFoundError,
    PersonalizeError,
    TenantMismatchError,
)
from ._base import ProviderBase
from ._spec import tenant_of
from ._values import CONFIG_NAMESPACE, TENANT, Json, is_unknown


@dataclass(frozen=True)
class TenantMove:
    """A resource recorded in another tenant than its settings name now, found with nothing sent."""

    tenant: Tenant
    """The tenant the settings name now."""
    recorded: dict[str, str]
    """The resource's tenant record (its state's ``tenant``)."""
    field: str
    """The first field of the record that differs (``host``, ``project_uid``, ``stack_api_key``)."""

    @property
    def settings(self) -> str:
        """The settings that choose ``field``, as the guard names them."""
        return self.tenant.settings_for(self.field)

    @property
    def change(self) -> str:
        """``project 65f... -> 66a...``: identifiers only (the record holds no credential)."""
        words = {"project_uid": "project", "stack_api_key": "stack api key"}.get(self.field, self.field)
        return f"{words} {self.recorded.get(self.field)} -> {self.tenant.record().get(self.field)}"


class TenantGuard(ProviderBase):
    """Provider methods that compare tenant records and confirm that a collection answers."""

    def _tenant_change_allowed(self, props: Mapping[str, Any]) -> bool:
        namespace = str(props.get(CONFIG_NAMESPACE) or DEFAULT_NAMESPACE)
        return tenant_change_allowed(getattr(self, "_config", {}), namespace)

    def _guard(self, client: Any, props: Mapping[str, Any], *, live: Json | None = None,
               concluding_gone: bool = False, probed: Sequence[Json] = ()) -> None:
        """Fail unless the provider is configured for the tenant the resource was recorded in.

        ``live``: the object as the service answered (its tenant key, if any, is compared);
        ``probed``: a listing of the collection (the same, when concluding that an object is gone).
        """
        tenant = tenant_of(client)
        recorded = Tenant.recorded(props.get(TENANT))
        if tenant is None or recorded is None or self._tenant_change_allowed(props):
            return
        observed = tenant.observed_key(live) or next(
            (key for item in probed if (key := tenant.observed_key(item))), None
        )
        field_ = tenant.conflict(recorded, observed_key=observed, concluding_gone=concluding_gone)
        if field_ is None:
            return
        configured = tenant.record(live)
        if observed:
            configured["client_key"] = observed
        raise TenantMismatchError(
            f"this {self.spec.label} was recorded in {tenant.describe(recorded)}, but the provider is now "
            f"configured for {tenant.describe(configured)}: check {tenant.settings_for(field_)}. Nothing was "
            f"changed and nothing was dropped from the state. To move the stack to the new "
            f"{tenant.facts.container} on purpose, set {_allow_setting(tenant)} for one "
            "`pulumi refresh --run-program` (docs/recovery.md)",
            key=tenant.setting_for(field_), recorded=recorded, configured=configured,
        )

    def tenant_moved(self, props: Mapping[str, Any]) -> TenantMove | None:
        """What the guard would refuse, told before anything is sent (a preview): the resource's
        recorded tenant against the one its settings name, compared as the guard compares them
        without a live object (host, project, stack; a Sitecore tenant key only the live object
        shows). ``None`` when they agree, when a tenant change is allowed, or when the settings are
        not known yet or fail to load (check reports those)."""
        recorded = Tenant.recorded(props.get(TENANT))
        config = getattr(self, "_config", {})
        if recorded is None or any(is_unknown(v) for v in config.values()):
            return None
        try:
            if self._tenant_change_allowed(props):
                return None
            tenant = tenant_of(self._client(props))
        except ConfigurationError:
            return None
        field_ = tenant.conflict(recorded) if tenant is not None else None
        return TenantMove(tenant, recorded, field_) if tenant is not None and field_ is not None else None

    def _unreachable(self, client: Any, exc: PersonalizeError, outcome: str) -> PersonalizeError:
        """A 401/403/404 on the collection itself: a configuration error naming the settings."""
        tenant = tenant_of(client)
        if tenant is None:
            return exc
        error = self._unreachable_message(tenant, exc, outcome)
        if error is exc:
            return exc
        # the HTTP facts stay on the error for code (status, path, request id)
        error.status, error.method, error.path = exc.status, exc.method, exc.path
        error.request_id, error.service_message = exc.request_id, exc.service_message
        return error

    def _unreachable_message(self, tenant: Tenant, exc: PersonalizeError, outcome: str) -> PersonalizeError:
        where = tenant.describe()
        if isinstance(exc, AuthenticationError):
            return ConfigurationError(
                f"{tenant.product} refused the credentials (HTTP {exc.status}) for {where}: check "
                f"{tenant.credential_settings()}; {outcome} ({exc})",
                key=tenant.credential_settings().split(" ")[0],
            )
        if isinstance(exc, NotFoundError):
            settings = tenant.location_settings()
            scope = tenant.scope_settings()
            if scope:
                settings = f"{scope}, {settings}"
            return ConfigurationError(
                f"the {self.spec.label} collection does not answer at {where} (HTTP 404 on {exc.path}): the "
                f"project, region or base URL is wrong, not the {self.spec.label}; check {settings}; "
                f"{outcome} ({exc})",
                key=settings.split(",")[0],
            )
        return exc

    def _confirm_gone(self, client: Any, props: Mapping[str, Any], outcome: str, id_: str | None = None) -> None:
        """After a 404 on one object: it is gone only if its collection answers (in the recorded
        tenant) and, given ``id_``, does not list it. Raises otherwise, naming the settings."""
        endpoints = self.spec.endpoints
        probe: Callable[[Any], list[Json]] = getattr(endpoints, "probe", None) or endpoints.list
        try:
            items = probe(client)
        except NotImplementedError:
            items = []  # nothing to ask: the configuration check below is all the evidence there is
        except (AuthenticationError, NotFoundError) as exc:
            raise self._unreachable(client, exc, outcome) from None
        self._guard(client, props, concluding_gone=True, probed=items)
        if id_ is not None and any(self._id_or_none(item) == id_ for item in items):
            raise PersonalizeError(
                f"the service answered 404 for this {self.spec.label} but still lists it: not taken for a "
                f"deletion; {outcome}. Run the refresh again; if it persists, check the base URL settings"
            )

    def _id_or_none(self, item: Json) -> str | None:
        try:
            return self.spec.id_of(item)
        except (KeyError, TypeError, ValueError):
            return None


def _allow_setting(tenant: Tenant) -> str:
    """The explicit step that lets a resource move to another tenant, as a person types it."""
    key = f"{tenant.namespace}:allowTenantChange"
    return f"{key}=true (or {env_var_name('allowTenantChange', tenant.namespace)}=1)"
