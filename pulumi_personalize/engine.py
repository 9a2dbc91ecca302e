"""The generic dynamic-resource engine: check / diff / create / read / update / delete, once.

A resource is a ``ResourceSpec``: its pydantic input model (snake_case fields, the service's names
as aliases), how to reach the service (``connect``), its endpoints (an ``Endpoints`` object), the
fields that force replacement, the secret ones, and the computed outputs. ``EngineProvider`` does
the rest; ``EngineResource`` is the base of the public resource classes.

Facts this relies on (``/work/shared/pulumi-notes.md``):

- the provider object is pickled into state: it holds only the spec's name and module, never a
  credential (``__getstate__``); configuration arrives in ``configure()`` in the provider process;
- every props dict carries ``__provider``; nested keys starting with ``__`` are dropped by the
  host's deserializer, so state keeps snake_case names and never the wire's ``__type``;
- unknown values at preview are the string ``UNKNOWN``, whatever the declared type;
- ``olds`` in diff/update are the old *outputs*: outputs are always ``inputs + computed``, so the
  two compare like with like;
- the host runs up to four calls at once on one provider instance: shared state is locked.
"""

from __future__ import annotations

import asyncio
import dataclasses
import importlib
import pickle
import re
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Generic, Protocol, TypeVar

import pulumi
import pulumi.dynamic
from pulumi.dynamic import (
    CheckFailure,
    CheckResult,
    ConfigureRequest,
    CreateResult,
    DiffResult,
    ReadResult,
    ResourceProvider,
    UpdateResult,
)
from pulumi.output import Unknown
from pydantic import BaseModel, TypeAdapter
from pydantic import ValidationError as PydanticValidationError
from pydantic.alias_generators import to_snake

from .config import DEFAULT_NAMESPACE, Tenant, tenant_change_allowed
from .errors import (
    AuthenticationError,
    ConfigurationError,
    NotFoundError,
    PersonalizeError,
    ServerError,
    TenantMismatchError,
    TransportError,
    get_logger,
    redact,
)
from .http import watch_not_found

log = get_logger(__name__)

UNKNOWN: str = pulumi.runtime.rpc.UNKNOWN
"""What a value not yet known at preview looks like in check and diff."""

CONFIG_NAMESPACE = "config_namespace"
ADOPT_EXISTING = "adopt_existing"
TENANT = "tenant"
"""The output every resource records its tenant in (``config.Tenant.record``: identifiers only)."""
_NAMESPACE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")
_LEAD_FIELD_RE = re.compile(r"^([a-z_][a-z0-9_]*(?:\[\d+\])?(?:\.[a-z_][a-z0-9_]*)?):\s+")

ClientT = TypeVar("ClientT")
ClientC = TypeVar("ClientC", contravariant=True)
Json = dict[str, Any]


# --------------------------------------------------------------------------------------------------
# Unknowns and normalisation
# --------------------------------------------------------------------------------------------------


def is_unknown(value: Any) -> bool:
    return isinstance(value, str) and value == UNKNOWN


def contains_unknown(value: Any) -> bool:
    if is_unknown(value):
        return True
    if isinstance(value, Mapping):
        return any(contains_unknown(v) for v in value.values())
    if isinstance(value, list | tuple):
        return any(contains_unknown(v) for v in value)
    return False


def resolve_outputs(value: Any) -> Any:
    """Plain values for what the host hands over as ``Output`` objects.

    Nested Outputs (a rule referencing an attribute's uid) reach check and diff as deserialized
    output values, not as the ``UNKNOWN`` string: a known one becomes its value, an unknown one
    ``UNKNOWN``, so the rest of the engine deals with one representation.
    """
    if isinstance(value, pulumi.Output):
        data = getattr(value, "_data", None)
        if isinstance(data, asyncio.Future) and data.done() and not data.cancelled() and data.exception() is None:
            resolved = data.result()
            return resolve_outputs(resolved.value) if resolved.is_known else UNKNOWN
        return UNKNOWN
    if isinstance(value, Unknown):
        return UNKNOWN
    if isinstance(value, Mapping):
        return {k: resolve_outputs(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [resolve_outputs(v) for v in value]
    return value


def public(props: Mapping[str, Any]) -> Json:
    """Props without the host's ``__provider`` (and any other ``__*`` key), Outputs resolved."""
    return {k: resolve_outputs(v) for k, v in props.items() if not k.startswith("__")}


def drop_none(value: Any) -> Any:
    """``None`` and absent mean the same to the engine (the host drops ``None`` on the wire too)."""
    if isinstance(value, Mapping):
        return {k: drop_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list | tuple):
        return [drop_none(v) for v in value]
    return value


def _walk(raw: Any, loc: Sequence[int | str]) -> Iterator[Any]:
    """The values met walking an error location through the raw input.

    Locations use aliases (``attributeMatchOptions``) and tagged-union tags (``Rule``) that the
    snake_case input does not hold; those segments are mapped or skipped.
    """
    current = raw
    for segment in loc:
        yield current
        if isinstance(current, Mapping):
            key = str(segment)
            for candidate in (key, to_snake(key), key.lstrip("_")):
                if candidate in current:
                    current = current[candidate]
                    break
            # else: a tag or an alias we cannot map: stay where we are
        elif isinstance(current, list) and isinstance(segment, int) and 0 <= segment < len(current):
            current = current[segment]
    yield current


def loc_is_unknown(raw: Any, loc: Sequence[int | str]) -> bool:
    """Whether an error's location runs through a value that is unknown at preview."""
    return any(is_unknown(v) for v in _walk(raw, loc))


def _path(loc: Sequence[int | str]) -> str:
    out = ""
    for segment in loc:
        if isinstance(segment, int):
            out += f"[{segment}]"
        else:
            name = "type" if segment == "__type" else to_snake(str(segment))
            # pydantic puts a tagged union's tag in the location: not a field
            if name and segment[:1].isupper() and not str(segment).isupper():
                continue
            out += f".{name}" if out else name
    return out


# --------------------------------------------------------------------------------------------------
# A short-lived listing cache: one listing per (client, path) for a burst of reads
# --------------------------------------------------------------------------------------------------


class ListingCache:
    """Services without GET-by-id are read by listing; a refresh of N objects must not list N times.

    Entries live ``ttl`` seconds and are dropped by any write through the same client. One lock per
    key makes concurrent readers (the host's four threads) wait for a single fetch.
    """

    def __init__(self, ttl: float = 5.0) -> None:
        self.ttl = ttl
        self._lock = threading.Lock()
        self._entries: dict[tuple[int, str], tuple[float, list[Json]]] = {}
        self._key_locks: dict[tuple[int, str], threading.Lock] = {}

    def get(self, client: object, path: str, fetch: Callable[[], list[Json]]) -> list[Json]:
        key = (id(client), path)
        with self._lock:
            key_lock = self._key_locks.setdefault(key, threading.Lock())
        with key_lock:
            with self._lock:
                entry = self._entries.get(key)
                if entry is not None and time.monotonic() - entry[0] < self.ttl:
                    return entry[1]
            items = fetch()
            with self._lock:
                self._entries[key] = (time.monotonic(), items)
            return items

    def invalidate(self, client: object, path: str | None = None) -> None:
        with self._lock:
            for key in list(self._entries):
                if key[0] == id(client) and (path is None or key[1] == path):
                    del self._entries[key]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


LISTINGS = ListingCache()
# Listings for the natural-key (twin) check before a create. Never dropped by writes: a burst of N
# creates would otherwise list N times. A stale entry can only miss objects created in the same
# burst, which this stack already manages; the service still refuses a duplicate name.
TWIN_LISTINGS = ListingCache(ttl=30.0)
# How often a create whose answer was lost (5xx, timeout) is looked for and posted again.
AMBIGUOUS_CREATE_ATTEMPTS = 4


# --------------------------------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------------------------------


class ResourceOperationError(PersonalizeError):
    """A provider operation failed; the message names the resource and the operation.

    ``cause`` is the underlying error (an ``ApiError`` keeps its status, path and request id here).
    """

    def __init__(self, resource: str, operation: str, cause: BaseException | str) -> None:
        detail = str(cause) if isinstance(cause, PersonalizeError) else redact(str(cause))
        if not isinstance(cause, str | PersonalizeError):
            detail = f"{type(cause).__name__}: {detail}"
        super().__init__(
            f"{operation} {resource} failed: {detail}",
            status=getattr(cause, "status", None),
            method=getattr(cause, "method", None),
            path=getattr(cause, "path", None),
            request_id=getattr(cause, "request_id", None),
            service_message=getattr(cause, "service_message", None),
        )
        self.resource = resource
        self.operation = operation
        self.cause = cause if isinstance(cause, BaseException) else None


class PartialCreateError(PersonalizeError):
    """A create whose first call succeeded and a follow-up failed. ``created_id`` is the object
    left behind (``None`` when it was undone); the message says which it is."""

    def __init__(self, message: str, *, created_id: str | None, cause: PersonalizeError | None = None) -> None:
        super().__init__(
            message,
            status=cause.status if cause else None,
            method=cause.method if cause else None,
            path=cause.path if cause else None,
            request_id=cause.request_id if cause else None,
        )
        self.created_id = created_id


# --------------------------------------------------------------------------------------------------
# Declarations
# --------------------------------------------------------------------------------------------------


class Endpoints(Protocol[ClientC]):
    """How one kind of object is created, fetched, replaced and deleted (the api layer).

    ``payload`` is the wire body the engine built (desired inputs merged onto ``live``); ``inputs``
    the validated model, for endpoints that need more than one call (versions, for example).
    """

    def create(self, client: ClientC, payload: Json, inputs: BaseModel) -> Json: ...

    def get(self, client: ClientC, id_: str) -> Json | None:
        """The live object, or ``None`` when it does not exist (any more)."""
        ...

    def update(self, client: ClientC, id_: str, payload: Json, inputs: BaseModel, live: Json) -> Json: ...

    def delete(self, client: ClientC, id_: str, props: Mapping[str, Any]) -> None:
        """Delete; a missing object may be ignored or raise ``NotFoundError``: either way the engine
        saw the 404 (``http.watch_not_found``) and confirms that the collection answers."""
        ...

    def list(self, client: ClientC) -> list[Json]:
        """Every object (for adoption by natural key); may raise ``NotImplementedError``.

        Also the engine's proof that the collection answers, after a 404 on one object, unless the
        endpoints define a cheaper ``probe(client) -> list[Json]`` (a first page is enough)."""
        ...


def tenant_of(client: object) -> Tenant | None:
    """The tenant the client endpoints are called with serves: its ``tenant``, or its ``ApiClient``'s
    (``client.client.tenant``), so that an api class needs no declaration of its own."""
    for candidate in (client, getattr(client, "client", None)):
        tenant = getattr(candidate, "tenant", None)
        if isinstance(tenant, Tenant):
            return tenant
    return None


def default_to_wire(inputs: BaseModel, live: Json | None, spec: ResourceSpec[Any]) -> Json:
    """Desired inputs on the service's names, merged onto the live object for a full PUT.

    Fields the resource manages are taken only from the inputs (so removing one in the program
    removes it on the service); unmanaged fields and the ones the service owns are kept.
    """
    desired: Json = inputs.model_dump(mode="json", by_alias=True, exclude_none=True)
    if live is None:
        return desired
    managed = set(spec.managed_wire_fields())
    kept = {k: v for k, v in live.items() if k not in managed and k not in spec.server_fields}
    return {**kept, **desired}


def default_from_wire(live: Json, previous: Mapping[str, Any], spec: ResourceSpec[Any]) -> Json:
    """The inputs that would produce ``live`` (refresh writes these back, avoiding phantom diffs)."""
    model = spec.inputs.model_validate(live)
    dumped: Json = drop_none(model.model_dump(mode="json", exclude_none=True))
    return dumped


@dataclass(frozen=True)
class ResourceSpec(Generic[ClientT]):
    """Everything that differs between two resources. A resource module is a page of these."""

    name: str
    """Registry key, stored in state with the provider: never rename (e.g. ``contentstack.Attribute``)."""
    module: str
    """Module that registers this spec; the provider process imports it to find the spec again."""
    label: str
    """What a person calls it, for messages (``attribute``)."""
    inputs: type[BaseModel]
    """Pydantic input model: snake_case fields, the service's names as aliases, defaults applied."""
    connect: Callable[[Mapping[str, object], str], ClientT]
    """(flat stack config, namespace) -> the client endpoints are called with."""
    endpoints: Endpoints[ClientT]
    outputs: Callable[[Json], Json]
    """Computed outputs from the live object (never an input's name)."""
    output_names: tuple[str, ...]
    """The computed outputs' names (the resource class exposes them as ``pulumi.Output``)."""
    id_of: Callable[[Json], str] = lambda live: str(live["uid"])
    id_name: str = "uid"
    """The service's id name; the adoption input is ``adopt_<id_name>``."""
    replace_on: tuple[str, ...] = ()
    secrets: tuple[str, ...] = ()
    server_fields: tuple[str, ...] = (
        "uid", "created_at", "updated_at", "createdAt", "updatedAt", "createdBy", "updatedBy",
    )
    """Wire fields the service owns: never sent back in an update."""
    extra_managed_wire_fields: tuple[str, ...] = ()
    """Wire fields (besides the inputs' aliases) the resource owns, e.g. a legacy mirror of one."""
    natural_key: str | None = None
    """Input field that identifies an object for ``adopt_existing=True`` (``key`` or ``name``)."""
    is_deleted: Callable[[Json], bool] | None = None
    """For a service that keeps an object after deleting it (archived, soft-deleted): whether a live
    object is such a one. Read reports it gone (Pulumi drops it from state); ``adopt_<id_name>``,
    ``adopt_existing`` and ``claim_twins`` may take it over again, and the update that does so must
    revive it (the payload's business, for example ``archived: false``)."""
    claim_twins: bool = False
    """Create looks for twins before creating anything: objects with the same ``natural_key`` and the
    same ``replace_on`` fields (for a service that accepts duplicates, where only this check stops a
    second object of the same name). A twin that ``is_deleted`` (what a destroy left behind) is taken
    over and revived; a live one fails the create with the ``adopt_<id_name>=`` that would adopt it.
    Objects whose ``replace_on`` fields differ are not twins: a replace must not take over the object
    it replaces. Needs ``natural_key`` and ``endpoints.list``."""
    adoptable: bool = True
    to_wire: Callable[[BaseModel, Json | None, ResourceSpec[Any]], Json] = default_to_wire
    from_wire: Callable[[Json, Mapping[str, Any], ResourceSpec[Any]], Json] = default_from_wire
    describe: Callable[[Mapping[str, Any]], str] | None = None
    """How to name an object in messages, from its props (default: its name or key)."""
    check_change: Callable[[Mapping[str, Any], Json], list[tuple[str, str]]] | None = None
    """Changes the service refuses although each field alone may change (a published Sitecore JS
    module): (old inputs, normalised new inputs) -> (property, reason) check failures, so the preview
    fails instead of the ``up``. Old inputs are empty at create."""

    def __post_init__(self) -> None:
        clash = set(self.output_names) & set(self.input_fields) | {TENANT} & set(self.input_fields)
        if clash:
            raise ValueError(f"{self.name}: outputs {sorted(clash)} shadow inputs (olds in diff are outputs)")
        if self.claim_twins and self.natural_key is None:
            raise ValueError(f"{self.name}: claim_twins needs a natural_key")

    def deleted(self, live: Json) -> bool:
        """Whether a live object counts as deleted (see ``is_deleted``)."""
        return self.is_deleted is not None and self.is_deleted(live)

    @property
    def input_fields(self) -> tuple[str, ...]:
        return tuple(self.inputs.model_fields)

    @property
    def exposed_outputs(self) -> tuple[str, ...]:
        """Outputs the resource registers. Not the id's name: that attribute is the resource's
        ``id``, which the engine keeps known across an in-place update even at preview, where a
        dynamic resource's outputs are unknown (``pulumi-notes.md``, "Previews, ids and refresh")."""
        return (*(n for n in self.output_names if n != self.id_name), TENANT)

    @property
    def adopt_input(self) -> str:
        return f"adopt_{self.id_name}"

    @property
    def engine_inputs(self) -> tuple[str, ...]:
        if not self.adoptable:
            return (CONFIG_NAMESPACE,)
        return (CONFIG_NAMESPACE, self.adopt_input, ADOPT_EXISTING)

    def managed_wire_fields(self) -> tuple[str, ...]:
        names: list[str] = []
        for name, info in self.inputs.model_fields.items():
            names.append(info.alias or name)
            names.append(name)
        return (*names, *self.extra_managed_wire_fields)

    def title(self, id_: str | None, props: Mapping[str, Any]) -> str:
        what = self.describe(props) if self.describe else next(
            (f"{props[k]!r}" for k in ("name", "key") if isinstance(props.get(k), str)), ""
        )
        parts = [self.label, what, f"({self.id_name} {id_})" if id_ else ""]
        return " ".join(p for p in parts if p)


_REGISTRY: dict[str, ResourceSpec[Any]] = {}
_REGISTRY_LOCK = threading.Lock()


def register(spec: ResourceSpec[ClientT]) -> ResourceSpec[ClientT]:
    with _REGISTRY_LOCK:
        _REGISTRY[spec.name] = spec
    return spec


def lookup_spec(name: str, module: str) -> ResourceSpec[Any]:
    spec = _REGISTRY.get(name)
    if spec is None:
        importlib.import_module(module)  # registers it
        spec = _REGISTRY.get(name)
    if spec is None:
        raise PersonalizeError(f"no resource spec {name!r} in {module}: was the resource renamed?")
    return spec


# --------------------------------------------------------------------------------------------------
# The provider
# --------------------------------------------------------------------------------------------------

_LAZY_LOCK = threading.Lock()


class EngineProvider(ResourceProvider):
    """One instance per resource type. Pickled into state as the spec's name and module only.

    Never rename or move this class: existing stacks refer to it by module path and name.
    """

    spec_name: str
    spec_module: str

    def __init__(self, spec_name: str, spec_module: str) -> None:
        super().__init__()
        self.spec_name = spec_name
        self.spec_module = spec_module

    # The pickle lands in the state file: never the configuration, the clients or the locks.
    def __getstate__(self) -> dict[str, Any]:
        return {"spec_name": self.spec_name, "spec_module": self.spec_module}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.spec_name = state["spec_name"]
        self.spec_module = state["spec_module"]

    @property
    def spec(self) -> ResourceSpec[Any]:
        return lookup_spec(self.spec_name, self.spec_module)

    # -- configuration ------------------------------------------------------------------------------

    def configure(self, req: ConfigureRequest) -> None:
        # The whole stack configuration, secrets decrypted: kept on the instance in the provider
        # process only (configure runs after unpickling; __getstate__ excludes it anyway).
        raw = getattr(req.config, "_props", None)
        self._config: dict[str, object] = dict(raw) if isinstance(raw, Mapping) else {}
        self._lock = threading.Lock()
        self._clients: dict[str, Any] = {}

    def _client(self, props: Mapping[str, Any]) -> Any:
        if getattr(self, "_lock", None) is None:
            with _LAZY_LOCK:  # configure() was not called: settings come from the environment
                if getattr(self, "_lock", None) is None:
                    self.configure(ConfigureRequest(pulumi.dynamic.Config({}, "")))
        namespace = str(props.get(CONFIG_NAMESPACE) or DEFAULT_NAMESPACE)
        with self._lock:
            client = self._clients.get(namespace)
            if client is None:
                client = self._clients[namespace] = self.spec.connect(self._config, namespace)
            return client

    # -- check ----------------------------------------------------------------------------------------

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        spec = self.spec
        given = public(news)
        failures: list[CheckFailure] = []
        engine_args: Json = {}
        for name in spec.engine_inputs:
            value = given.pop(name, None)
            if value is None:
                continue
            engine_args[name] = value
            if is_unknown(value):
                continue
            if name == ADOPT_EXISTING:
                if not isinstance(value, bool):
                    failures.append(CheckFailure(name, f"{name} must be true or false"))
                elif spec.natural_key is None:
                    failures.append(CheckFailure(name, f"a {spec.label} cannot be adopted by key; use {spec.adopt_input}"))
            elif not isinstance(value, str) or not value.strip():
                failures.append(CheckFailure(name, f"{name} must be a non-empty string"))
            elif name == CONFIG_NAMESPACE and not _NAMESPACE_RE.match(value):
                failures.append(CheckFailure(name, f"{name} must be a stack configuration namespace such as 'acme-eu'"))
        for name in sorted(set(given) - set(spec.input_fields)):
            if given[name] is not None and name not in spec.output_names:
                allowed = ", ".join((*spec.input_fields, *spec.engine_inputs))
                failures.append(CheckFailure(name, f"{name} is not an argument of {spec.label}; expected one of {allowed}"))
        model_input = {k: v for k, v in given.items() if k in spec.input_fields and v is not None}
        try:
            model = spec.inputs.model_validate(model_input)
        except PydanticValidationError as exc:
            for error in exc.errors():
                loc = error["loc"]
                if loc_is_unknown(model_input, loc):
                    continue  # not known until apply: validated then
                where = _path(loc)
                # error["msg"] never echoes the value (it may be a credential)
                message = str(error["msg"]).removeprefix("Value error, ").removeprefix("Assertion failed, ")
                if not where:  # a model-level rule: its message may start with the field it is about
                    lead = _LEAD_FIELD_RE.match(message)
                    where = lead.group(1) if lead and lead.group(1).split("[")[0] in spec.input_fields else ""
                    message = message[lead.end():] if where and lead else message
                prop = where.split(".")[0].split("[")[0] or spec.label
                if prop in spec.secrets:
                    # The engine prints a named property's value beside its failure: not a secret's.
                    prop = ""
                failures.append(CheckFailure(prop, f"{where or spec.label}: {message}"))
            return CheckResult({**_best_effort(spec, model_input), **engine_args}, failures)
        normal = self._normal(model)
        if spec.check_change is not None:
            failures += [CheckFailure(p, r) for p, r in spec.check_change(public(_olds), normal)]
        return CheckResult({**normal, **engine_args}, failures)

    @staticmethod
    def _normal(model: BaseModel) -> Json:
        normal: Json = drop_none(model.model_dump(mode="json", exclude_none=True))
        return normal

    # -- diff -----------------------------------------------------------------------------------------

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        spec = self.spec
        old, new = public(olds), public(news)
        changed: list[str] = []
        for name in (*spec.input_fields, CONFIG_NAMESPACE):
            before, after = drop_none(old.get(name)), drop_none(new.get(name))
            if name == CONFIG_NAMESPACE:
                before, after = before or DEFAULT_NAMESPACE, after or DEFAULT_NAMESPACE
            if contains_unknown(after) or before != after:
                changed.append(name)
        # adopt_* only matter at create: changing them later changes nothing
        replaces = [n for n in changed if n in spec.replace_on or n == CONFIG_NAMESPACE]
        return DiffResult(changes=bool(changed), replaces=replaces, delete_before_replace=False)

    # -- create / read / update / delete ----------------------------------------------------------

    def _model(self, props: Mapping[str, Any]) -> BaseModel:
        spec = self.spec
        return spec.inputs.model_validate(
            {k: v for k, v in props.items() if k in spec.input_fields and v is not None}
        )

    def _outs(self, model: BaseModel, props: Mapping[str, Any], live: Json, client: Any) -> Json:
        engine = {k: props[k] for k in self.spec.engine_inputs if props.get(k) is not None}
        return {**self._normal(model), **engine, **self._computed(live, client)}

    def _computed(self, live: Json, client: Any) -> Json:
        """The spec's outputs (not the id: the resource exposes ``id`` under that name) and the
        tenant the object was served by."""
        spec = self.spec
        computed = {k: v for k, v in spec.outputs(live).items() if v is not None and k != spec.id_name}
        tenant = tenant_of(client)
        if tenant is not None:
            computed[TENANT] = tenant.record(live)
        return computed

    # -- the tenant guard ---------------------------------------------------------------------------

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
            f"{'project' if tenant.service == 'contentstack' else 'tenant'} on purpose, set "
            f"{tenant.allow_setting()} for one `pulumi refresh --run-program` (docs/recovery.md)",
            key=tenant.settings_for(field_).split(" ")[0], recorded=recorded, configured=configured,
        )

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
            if tenant.service == "contentstack":
                settings = f"{tenant.settings_for('project_uid')}, {settings}"
            return ConfigurationError(
                f"the {self.spec.label} collection does not answer at {where} (HTTP 404 on {exc.path}): the "
                f"project, region or base URL is wrong, not the {self.spec.label}; check {settings}; "
                f"{outcome} ({exc})",
                key=settings.split(",")[0],
            )
        return exc

    def _confirm_gone(self, client: Any, props: Mapping[str, Any], outcome: str) -> None:
        """After a 404 on one object: it is gone only if its collection answers (in the recorded
        tenant). Raises when the collection does not answer or names another tenant."""
        endpoints = self.spec.endpoints
        probe: Callable[[Any], list[Json]] = getattr(endpoints, "probe", None) or endpoints.list
        try:
            items = probe(client)
        except NotImplementedError:
            items = []  # nothing to ask: the configuration check below is all the evidence there is
        except (AuthenticationError, NotFoundError) as exc:
            raise self._unreachable(client, exc, outcome) from None
        self._guard(client, props, concluding_gone=True, probed=items)

    def _fail(self, operation: str, id_: str | None, props: Mapping[str, Any], exc: BaseException) -> ResourceOperationError:
        spec = self.spec
        title = spec.title(id_, props)
        if isinstance(exc, ResourceOperationError):
            return exc
        log.debug("%s %s failed: %s", operation, title, exc)
        return ResourceOperationError(title, operation, exc)

    def create(self, props: dict[str, Any]) -> CreateResult:
        props = public(props)
        try:
            return self._create(props)
        except Exception as exc:
            raise self._fail("create", None, props, exc) from None

    def _create(self, props: Json) -> CreateResult:
        spec = self.spec
        client = self._client(props)
        model = self._model(props)
        target = self._adoption_target(client, props, model)
        if target is None and spec.claim_twins:
            target = self._claim_twin(client, model)
        if target is not None:
            id_ = spec.id_of(target)
            live = spec.endpoints.update(client, id_, spec.to_wire(model, target, spec), model, target)
            log.info("adopted existing %s", spec.title(id_, props))
        else:
            try:
                live = self._create_once(client, model)
            except PersonalizeError as exc:
                raise self._explain_create_failure(client, model, exc) from None
            id_ = spec.id_of(live)
        return CreateResult(id_=id_, outs=self._outs(model, props, live, client))

    def _create_once(self, client: Any, model: BaseModel) -> Json:
        """POST the object, surviving answers that leave unknown whether the service created it.

        The HTTP layer does not repeat a POST after a 5xx or a timeout (it could duplicate the
        object). Here the engine knows how to look: it lists by natural key, takes over the object
        the failed POST made (an update completes what the create's follow-up calls would have
        done), and posts again only when there is none. Without a natural key the error stands.
        """
        spec = self.spec
        for attempt in range(1, AMBIGUOUS_CREATE_ATTEMPTS + 1):
            try:
                return spec.endpoints.create(client, spec.to_wire(model, None, spec), model)
            except (ServerError, TransportError) as exc:
                if spec.natural_key is None or attempt == AMBIGUOUS_CREATE_ATTEMPTS:
                    raise
                made = self._made_by_failed_create(client, model)
                if made is None:
                    log.info("create %s failed before the service acted (%s); posting again", spec.label, exc)
                    continue
                id_ = spec.id_of(made)
                log.info("create %s answered %s but the service made it (%s %s); completing it",
                         spec.label, exc, spec.id_name, id_)
                return spec.endpoints.update(client, id_, spec.to_wire(model, made, spec), model, made)
        raise AssertionError("unreachable")  # the loop returns or raises

    def _made_by_failed_create(self, client: Any, model: BaseModel) -> Json | None:
        """The one live object with the program's natural key and immutable fields, listed afresh."""
        LISTINGS.invalidate(client)
        TWIN_LISTINGS.invalidate(client)
        candidates = [
            item for item in self._namesakes(client, model) or []
            if not self.spec.deleted(item) and self._immutable_mismatch(model, item) is None
        ]
        if len(candidates) > 1:
            raise PersonalizeError(self._adoption_hint(model, candidates, "the create's answer was lost"))
        return candidates[0] if candidates else None

    def _adoption_target(self, client: Any, props: Mapping[str, Any], model: BaseModel) -> Json | None:
        spec = self.spec
        if not spec.adoptable:
            return None
        wanted = props.get(spec.adopt_input)
        if wanted:
            live = spec.endpoints.get(client, str(wanted))
            if live is None:
                raise PersonalizeError(
                    f"{spec.adopt_input}={wanted!r}: no {spec.label} with this {spec.id_name} exists; "
                    f"check the {spec.id_name}, or remove {spec.adopt_input} to create a new {spec.label}"
                )
            self._check_immutable(model, live, f"{spec.adopt_input}={wanted!r}")
            return live
        if props.get(ADOPT_EXISTING) and spec.natural_key is not None:
            match = self._find_by_natural_key(client, model)
            if match is not None:
                self._check_immutable(model, match, f"{ADOPT_EXISTING}=True")
            return match
        return None

    def _namesakes(self, client: Any, model: BaseModel) -> list[Json] | None:
        """Every object whose natural key is the program's (``None``: no natural key, or no listing)."""
        spec = self.spec
        key = spec.natural_key
        if key is None:
            return None
        wanted = getattr(model, key, None)
        alias = spec.inputs.model_fields[key].alias or key
        try:
            items = TWIN_LISTINGS.get(client, spec.name, lambda: spec.endpoints.list(client))
        except NotImplementedError:
            return None
        return [item for item in items if item.get(alias, item.get(key)) == wanted]

    def _find_by_natural_key(self, client: Any, model: BaseModel) -> Json | None:
        spec = self.spec
        matches = self._namesakes(client, model) or []
        if len(matches) > 1:  # a deleted (archived) namesake is not a rival of a live one
            matches = [m for m in matches if not spec.deleted(m)] or matches
        if len(matches) > 1:
            ids = ", ".join(spec.id_of(m) for m in matches)
            raise PersonalizeError(
                f"{ADOPT_EXISTING}=True: several {spec.label}s have {spec.natural_key} "
                f"{getattr(model, str(spec.natural_key), None)!r} ({ids}); choose one with {spec.adopt_input}"
            )
        return matches[0] if matches else None

    def _immutable_mismatch(self, model: BaseModel, live: Json) -> tuple[str, Any, Any] | None:
        """The first ``replace_on`` field on which ``live`` differs from the program: (name, live, desired)."""
        spec = self.spec
        current = spec.from_wire(live, {}, spec)
        desired = self._normal(model)
        for name in spec.replace_on:
            if name in current and current.get(name) != desired.get(name):
                return name, current.get(name), desired.get(name)
        return None

    def _check_immutable(self, model: BaseModel, live: Json, how: str) -> None:
        mismatch = self._immutable_mismatch(model, live)
        if mismatch is not None:
            name, current, desired = mismatch
            raise PersonalizeError(
                f"{how}: the existing {self.spec.label} has {name} {current!r}, the program says "
                f"{desired!r}, and {name} cannot change in place"
            )

    def _claim_twin(self, client: Any, model: BaseModel) -> Json | None:
        """``claim_twins``: the deleted twin to revive, ``None`` to create; a live twin fails the create."""
        twins = [t for t in self._namesakes(client, model) or [] if self._immutable_mismatch(model, t) is None]
        live = [t for t in twins if not self.spec.deleted(t)]
        if live:
            raise PersonalizeError(self._adoption_hint(model, live, "cannot create it"))
        return twins[0] if twins else None

    def _adoption_hint(self, model: BaseModel, existing: Sequence[Json], lead: str) -> str:
        """``lead``, then which objects hold the natural key already and how to adopt the first."""
        spec = self.spec
        key = spec.natural_key or spec.id_name
        ids = ", ".join(spec.id_of(e) for e in existing)
        id_ = spec.id_of(existing[0])
        return (
            f"{lead}. A {spec.label} with {key} {getattr(model, key, None)!r} already exists "
            f"({spec.id_name} {ids}): to manage it with Pulumi set {spec.adopt_input}={id_!r} "
            f"(or {ADOPT_EXISTING}=True), or choose another {key}"
        )

    def _explain_create_failure(self, client: Any, model: BaseModel, exc: PersonalizeError) -> PersonalizeError:
        """A create refused because the key is taken: say how to adopt the existing object."""
        spec = self.spec
        if spec.natural_key is None or exc.status not in (400, 409, 422) or isinstance(exc, PartialCreateError):
            return exc
        if spec.claim_twins:  # twins were looked for before the create: a namesake now is another type
            return exc
        try:
            twin = self._find_by_natural_key(client, model)
        except Exception:  # the explanation is a courtesy: never hide the original error
            return exc
        if twin is None:
            return exc
        return PersonalizeError(
            self._adoption_hint(model, [twin], str(exc)),
            status=exc.status, method=exc.method, path=exc.path, request_id=exc.request_id,
        )

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        props = public(props)
        try:
            return self._read(id_, props)
        except Exception as exc:
            raise self._fail("read", id_, props, exc) from None

    def _read(self, id_: str, props: Json) -> ReadResult:
        spec = self.spec
        client = self._client(props)
        self._guard(client, props)
        outcome = "nothing was dropped from the state"
        with watch_not_found() as not_found:
            try:
                live = spec.endpoints.get(client, id_)
            except (AuthenticationError, NotFoundError) as exc:  # the collection itself did not answer
                raise self._unreachable(client, exc, outcome) from None
        if live is None:
            if not_found:  # a 404 proves nothing until the collection answers without the object
                self._confirm_gone(client, props, outcome)
            else:  # the collection answered (a listing) and the object is not in it
                self._guard(client, props, concluding_gone=True)
            return ReadResult(id_="", outs={})  # gone: the engine drops it from state
        self._guard(client, props, live=live)
        if spec.deleted(live):
            return ReadResult(id_="", outs={})  # archived: gone for Pulumi
        previous = {k: v for k, v in props.items() if k in spec.input_fields}
        try:
            model = spec.inputs.model_validate(spec.from_wire(live, previous, spec))
            inputs = self._normal(model)
        except PydanticValidationError as exc:
            log.warning("%s: the live object does not fit the inputs model (%s); keeping the known inputs",
                        spec.title(id_, props), exc.error_count())
            inputs = previous
        engine = {k: props[k] for k in spec.engine_inputs if props.get(k) is not None}
        inputs = {**inputs, **engine}
        return ReadResult(id_=id_, outs={**inputs, **self._computed(live, client)}, inputs=inputs)

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        props = public(news)
        try:
            return self._update(id_, props, public(olds).get(TENANT))
        except Exception as exc:
            raise self._fail("update", id_, props, exc) from None

    def _update(self, id_: str, props: Json, recorded: Any) -> UpdateResult:
        spec = self.spec
        client = self._client(props)
        model = self._model(props)
        where = {**props, TENANT: recorded}  # the tenant is an output: the old one is the record
        self._guard(client, where)
        outcome = "nothing was changed"
        with watch_not_found() as not_found:
            try:
                live = spec.endpoints.get(client, id_)
            except (AuthenticationError, NotFoundError) as exc:
                raise self._unreachable(client, exc, outcome) from None
        if live is None:
            if not_found:
                self._confirm_gone(client, where, outcome)
            raise PersonalizeError(
                "it no longer exists: run `pulumi refresh` so that the next `pulumi up` creates it again"
            )
        self._guard(client, where, live=live)
        live = spec.endpoints.update(client, id_, spec.to_wire(model, live, spec), model, live)
        return UpdateResult(outs=self._outs(model, props, live, client))  # full outs, never None (#7809)

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        props = public(props)
        try:
            self._delete(id_, props)
        except Exception as exc:
            raise self._fail("delete", id_, props, exc) from None

    def _delete(self, id_: str, props: Json) -> None:
        client = self._client(props)
        self._guard(client, props)
        with watch_not_found() as not_found:
            try:
                self.spec.endpoints.delete(client, id_, props)
            except NotFoundError:
                pass  # already gone, if the collection answers
            except AuthenticationError as exc:
                raise self._unreachable(client, exc, "nothing was deleted") from None
        if not_found:  # a 404 is success only where the collection answers
            self._confirm_gone(client, props, "the resource stays in the state")


def _best_effort(spec: ResourceSpec[Any], model_input: Json) -> Json:
    """Inputs for check when validation could not finish (unknowns, or failures being reported):
    known top-level fields normalised one by one, defaults filled, so diff still compares alike."""
    out: Json = {}
    for name, info in spec.inputs.model_fields.items():
        if name in model_input:
            value = model_input[name]
            if contains_unknown(value):
                out[name] = value
                continue
            try:
                adapter: TypeAdapter[Any] = TypeAdapter(info.annotation)  # type: ignore[arg-type]
                out[name] = drop_none(adapter.dump_python(adapter.validate_python(value), mode="json"))
            except Exception:
                out[name] = value
        elif not info.is_required():
            default = info.get_default(call_default_factory=True)
            if default is not None:
                out[name] = default.model_dump(mode="json") if isinstance(default, BaseModel) else default
    normal: Json = drop_none(out)
    return normal


# --------------------------------------------------------------------------------------------------
# The resource classes' base
# --------------------------------------------------------------------------------------------------


def plain(value: Any) -> Any:
    """Typed builder objects (dataclasses, pydantic models) -> plain dicts the host can serialise,
    leaving ``pulumi.Output`` values where they are (nested Outputs serialise fine)."""
    if isinstance(value, pulumi.Output):
        return value
    if isinstance(value, BaseModel):
        return plain(value.model_dump(exclude_none=True))
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out: Json = {}
        tag = getattr(value, "TYPE", None)
        if isinstance(tag, str):
            out["type"] = tag
        for f in dataclasses.fields(value):
            item = getattr(value, f.name)
            if item is not None:
                out[f.name] = plain(item)
        return out
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items() if v is not None}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


ArgsT = TypeVar("ArgsT")


def merge_args(args_type: type[ArgsT], args: ArgsT | None, overrides: Mapping[str, Any]) -> ArgsT:
    """``Resource(name, args, opts, **kwargs)``: keyword arguments win over the args object."""
    values: Json = {}
    if args is not None:
        values = {f.name: getattr(args, f.name) for f in dataclasses.fields(args)}  # type: ignore[arg-type]
    values.update({k: v for k, v in overrides.items() if v is not None})
    return args_type(**values)


def _pristine_batch_setitems() -> Any:
    """``pickle._Pickler._batch_setitems`` as the standard library defines it, unwrapped."""
    fn: Any = pickle._Pickler._batch_setitems  # type: ignore[attr-defined]
    while getattr(fn, "__qualname__", "") != "_Pickler._batch_setitems":
        inner = [c.cell_contents for c in (getattr(fn, "__closure__", None) or ()) if callable(c.cell_contents)]
        if not inner:
            return None  # someone else's wrapper: leave it alone
        fn = inner[0]
    return fn


_PRISTINE_BATCH_SETITEMS = _pristine_batch_setitems()


def reset_pulumi_pickler() -> None:
    """Undo the wrapper that pulumi.dynamic's serialize_provider leaves on the pickler.

    The SDK (3.259) wraps ``pickle._Pickler._batch_setitems`` in a sorting wrapper on every dynamic
    resource it constructs and never restores it: the k-th resource pickles through k wrappers, and
    at about 980 resources in one program construction fails with RecursionError. Each
    serialize_provider call wraps afresh, so resetting before it keeps the sorting (determinism).
    """
    if _PRISTINE_BATCH_SETITEMS is not None:
        pickle._Pickler._batch_setitems = _PRISTINE_BATCH_SETITEMS  # type: ignore[attr-defined]


class EngineResource(pulumi.dynamic.Resource):
    """Base of every resource class: builds the props, marks secrets, wires the provider."""

    _spec: ClassVar[ResourceSpec[Any]]

    def __init__(self, resource_name: str, args: object, opts: pulumi.ResourceOptions | None) -> None:
        spec = self._spec
        props: Json = {}
        for f in dataclasses.fields(args):  # type: ignore[arg-type]
            value = getattr(args, f.name)
            if value is not None:
                props[f.name] = plain(value)
        for name in spec.secrets:
            if props.get(name) is not None:
                props[name] = pulumi.Output.secret(props[name])
        for name in (*spec.input_fields, *spec.engine_inputs, *spec.exposed_outputs):
            props.setdefault(name, None)  # every input and output becomes an attribute
        if spec.secrets:
            # outputs read back from the service stay secret too, not only the inputs (pulumi#13260)
            opts = pulumi.ResourceOptions.merge(
                opts, pulumi.ResourceOptions(additional_secret_outputs=list(spec.secrets))
            )
        reset_pulumi_pickler()
        super().__init__(EngineProvider(spec.name, spec.module), resource_name, props, opts)
        # The identifier other resources refer to (uid, ref) is the id: known at preview of an update
        setattr(self, spec.id_name, self.id)


@dataclass
class EngineArgs:
    """Arguments every resource takes besides its own."""

    config_namespace: pulumi.Input[str] | None = field(default=None, kw_only=True)
    """Stack configuration namespace holding the credentials (default ``personalize``); use another
    one (``acme-eu``) for a second tenant. Changing it replaces the resource."""
