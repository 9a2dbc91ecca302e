"""The dynamic provider behind the Sitecore resources, driven by one ``Declaration`` per resource.

STAND-IN: ``pulumi_personalize/engine.py`` (the generic engine) did not exist while this was written,
so this module is the smallest Sitecore-local version of what it must do. Everything here is
generic over a ``Declaration`` except the three Sitecore hooks named as such (``ArchiveOrDrop``,
``NameTwinPolicy`` and the declaration's ``after_write``); once the engine lands, the declarations
in ``resources.py`` move onto it and this module shrinks to those hooks.

Contract (docs: /work/shared/pulumi-notes.md):
- Inputs are snake_case; ``config_namespace`` names the stack configuration namespace to read
  credentials from (only the name is in state); ``adopt_ref`` adopts an existing object at create.
- ``check`` validates with the pydantic model, applies defaults, drops ``None`` (so absent and
  default compare equal) and skips values still unknown at preview.
- ``diff`` compares the declared input fields, normalised the same way; ``replace_on`` fields replace.
- ``read`` returns ``id=""`` for an object that is gone *or archived* (an archived object is how the
  API deletes), and returns inputs rebuilt from the live object so refresh leaves no phantom diff.
- Credentials come from ``configure()`` only; the provider instance carries nothing but the
  declaration's name, so the pickle in state holds no secret and survives code changes.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pulumi
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
from pydantic import BaseModel
from pydantic import ValidationError as PydanticValidationError

from ..config import DEFAULT_NAMESPACE, SitecoreSettings, load_sitecore_settings
from ..errors import PersonalizeError, redact
from ..http import sitecore_client
from .api import Kind, SitecoreApi
from .models import is_archived

UNKNOWN = pulumi.runtime.rpc.UNKNOWN  # what a not-yet-known value looks like in check/diff

# Inputs every Sitecore resource takes besides its model's fields.
ENGINE_INPUTS = ("config_namespace", "adopt_ref")


class SitecoreOperationError(PersonalizeError):
    """A provider operation that failed for a reason the user must act on."""


# --------------------------------------------------------------------------------------------------
# Hooks (the Sitecore-specific pieces the generic engine must let a declaration plug in)
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ArchiveOrDrop:
    """Delete hook for an API without DELETE: archive what can be archived, otherwise leave the
    object in place and drop it from state with a warning that names it."""

    def __call__(self, api: SitecoreApi, kind: Kind, ref: str, props: Mapping[str, Any]) -> None:
        if kind.archivable:
            api.archive(kind, ref)
            return
        pulumi.log.warn(
            f"{kind.label} {props.get('name')!r} (ref {ref}) was removed from the Pulumi state but still "
            f"exists in Sitecore Personalize: the API can neither delete nor archive {kind.label.lower()}s. "
            f"Delete it in the Sitecore UI, or adopt it again with adopt_ref={ref!r}."
        )


@dataclass(frozen=True)
class NameTwinPolicy:
    """Create hook: what to do when an object with the same name (and the same immutable fields)
    already exists. Walks every page of the list (the API has no name filter).

    - an archived twin (what a destroy, or an archive in the UI, leaves) is adopted and unarchived;
    - a live twin fails the create with the ``adopt_ref=`` that would adopt it, rather than
      creating a second object of the same name.
    Twins whose immutable fields differ (for example a flow of another type being replaced) are
    not twins: the create goes ahead.
    """

    def find(self, api: SitecoreApi, kind: Kind, payload: Mapping[str, Any]) -> dict[str, Any] | None:
        name = payload.get("name")
        if not isinstance(name, str):
            return None
        twins = [
            item for item in api.find_by_name(kind, name)
            if all(item.get(f) == payload.get(f) for f in kind.immutable)
        ]
        live = [t for t in twins if not is_archived(t)]
        if live:
            refs = ", ".join(str(t.get("ref")) for t in live)
            raise SitecoreOperationError(
                f"cannot create {kind.label.lower()} {name!r}: Sitecore Personalize already has one with this "
                f"name (ref {refs}). To manage it with Pulumi, add adopt_ref={str(live[0].get('ref'))!r} to the "
                f"resource's arguments; otherwise choose another name."
            )
        return twins[0] if twins else None


# --------------------------------------------------------------------------------------------------
# Declarations
# --------------------------------------------------------------------------------------------------

AfterWrite = Callable[[SitecoreApi, dict[str, Any], BaseModel, "dict[str, Any] | None"], None]


@dataclass(frozen=True)
class Declaration:
    """Everything that differs between two Sitecore resources."""

    name: str  # registry key, stored in state: never rename
    kind: Kind
    model: type[BaseModel]  # the inputs; must offer to_api(live) and inputs_from_api(live, previous)
    replace_on: tuple[str, ...] = ()
    secrets: tuple[str, ...] = ()
    # Outputs computed from the live object, beyond the inputs.
    outputs: Callable[[Mapping[str, Any]], dict[str, Any]] = lambda live: {"ref": live.get("ref")}
    delete: ArchiveOrDrop = field(default_factory=ArchiveOrDrop)
    twins: NameTwinPolicy | None = field(default_factory=NameTwinPolicy)
    # Called after a successful create (previous=None) or update (previous = the live object before):
    # raise to fail the operation; it must undo its own write first.
    after_write: AfterWrite | None = None

    @property
    def input_fields(self) -> tuple[str, ...]:
        return tuple(self.model.model_fields)


_REGISTRY: dict[str, Declaration] = {}


def register(declaration: Declaration) -> Declaration:
    _REGISTRY[declaration.name] = declaration
    return declaration


# --------------------------------------------------------------------------------------------------
# Normalisation helpers
# --------------------------------------------------------------------------------------------------


def _public(props: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in props.items() if not k.startswith("__")}


def _has_unknown(value: Any) -> bool:
    if isinstance(value, str):
        return value == UNKNOWN
    if isinstance(value, Mapping):
        return any(_has_unknown(v) for v in value.values())
    if isinstance(value, list | tuple):
        return any(_has_unknown(v) for v in value)
    return False


def _drop_none(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _drop_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list | tuple):
        return [_drop_none(v) for v in value]
    return value


def _field_of(loc: tuple[int | str, ...]) -> str:
    return str(loc[0]) if loc else ""


# --------------------------------------------------------------------------------------------------
# The provider
# --------------------------------------------------------------------------------------------------


class SitecoreProvider(ResourceProvider):
    """One instance per resource type; pickled into state with only ``declaration_name``."""

    def __init__(self, declaration_name: str) -> None:
        super().__init__()
        self.declaration_name = declaration_name

    # Never pickle run-time state (configuration, clients): the pickle lands in the state file.
    def __getstate__(self) -> dict[str, Any]:
        return {"declaration_name": self.declaration_name}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.declaration_name = state["declaration_name"]

    @property
    def decl(self) -> Declaration:
        return _REGISTRY[self.declaration_name]

    # -- configuration ------------------------------------------------------------------------------

    def configure(self, req: ConfigureRequest) -> None:
        self._config: dict[str, Any] = dict(req.config._props) if hasattr(req.config, "_props") else {}
        self._lock = threading.Lock()
        self._apis: dict[str, SitecoreApi] = {}

    def _api(self, props: Mapping[str, Any]) -> SitecoreApi:
        namespace = str(props.get("config_namespace") or DEFAULT_NAMESPACE)
        lock = getattr(self, "_lock", None)
        if lock is None:  # configure() not called (an engine older than v3.139)
            self.configure(ConfigureRequest(config=pulumi.dynamic.Config({}, "")))
            lock = self._lock
        with lock:
            api = self._apis.get(namespace)
            if api is None:
                settings: SitecoreSettings = load_sitecore_settings(self._config, namespace=namespace)
                api = self._apis[namespace] = SitecoreApi(sitecore_client(settings))
            return api

    # -- check / diff -----------------------------------------------------------------------------

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        decl = self.decl
        given = _public(news)
        model_input = {k: v for k, v in given.items() if k in decl.input_fields and v is not None}
        extra = {k: v for k, v in given.items() if k in ENGINE_INPUTS and v is not None}
        failures: list[CheckFailure] = []
        unknown_fields = {k for k, v in model_input.items() if _has_unknown(v)}
        for name in sorted(set(given) - set(decl.input_fields) - set(ENGINE_INPUTS)):
            if given[name] is not None:
                failures.append(CheckFailure(name, f"{name} is not an argument of this resource"))
        try:
            model = decl.model.model_validate(model_input)
        except PydanticValidationError as exc:
            for error in exc.errors():
                where = _field_of(error["loc"])
                if where in unknown_fields or (not where and unknown_fields):
                    continue  # not known until apply: checked then
                # The message names the field, never echoes the value (it may be a credential).
                message = str(error["msg"]).removeprefix("Value error, ")
                failures.append(CheckFailure(where or "name", f"{where + ': ' if where else ''}{message}"))
            return CheckResult(given, failures)
        inputs = _drop_none(model.model_dump(mode="json"))
        return CheckResult({**inputs, **extra}, failures)

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        decl = self.decl
        old, new = _public(olds), _public(news)
        changed: list[str] = []
        for name in (*decl.input_fields, "config_namespace"):
            before, after = _drop_none(old.get(name)), _drop_none(new.get(name))
            if name == "config_namespace":
                before, after = before or DEFAULT_NAMESPACE, after or DEFAULT_NAMESPACE
            if _has_unknown(after) or before != after:
                changed.append(name)
        replaces = [n for n in changed if n in decl.replace_on]
        return DiffResult(changes=bool(changed), replaces=replaces, delete_before_replace=False)

    # -- create / read / update / delete -----------------------------------------------------------

    def _model(self, props: Mapping[str, Any]) -> Any:
        decl = self.decl
        return decl.model.model_validate({k: v for k, v in props.items() if k in decl.input_fields and v is not None})

    def _outs(self, model: Any, live: Mapping[str, Any], props: Mapping[str, Any]) -> dict[str, Any]:
        inputs = _drop_none(model.model_dump(mode="json"))
        extra = {k: props[k] for k in ENGINE_INPUTS if props.get(k) is not None}
        return {**inputs, **extra, **self.decl.outputs(live)}

    def create(self, props: dict[str, Any]) -> CreateResult:
        decl = self.decl
        props = _public(props)
        api = self._api(props)
        model = self._model(props)
        adopt_ref = props.get("adopt_ref")
        twin: dict[str, Any] | None = None
        if adopt_ref:
            twin = api.get(decl.kind, str(adopt_ref))
            if twin is None:
                raise SitecoreOperationError(
                    f"adopt_ref={adopt_ref!r}: no {decl.kind.label.lower()} with this ref exists in Sitecore Personalize"
                )
            payload = model.to_api(twin)
            for name in decl.kind.immutable:
                if twin.get(name) != payload.get(name):
                    raise SitecoreOperationError(
                        f"adopt_ref={adopt_ref!r}: the existing {decl.kind.label.lower()} has {name} "
                        f"{twin.get(name)!r}, the program says {payload.get(name)!r}; {name} cannot change in place"
                    )
        elif decl.twins is not None:
            twin = decl.twins.find(api, decl.kind, model.to_api(None))
        if twin is not None:
            # Adopt (and, through the payload's ``archived: false``, unarchive) the existing object.
            ref = str(twin["ref"])
            live = api.replace(decl.kind, ref, model.to_api(twin))
            previous: dict[str, Any] | None = twin
        else:
            live = api.create(decl.kind, model.to_api(None))
            ref = str(live["ref"])
            previous = None
        if decl.after_write is not None:
            decl.after_write(api, live, model, previous)
        return CreateResult(id_=ref, outs=self._outs(model, live, props))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        decl = self.decl
        props = _public(props)
        live = self._api(props).get(decl.kind, id_)
        if live is None or (decl.kind.archivable and is_archived(live)):
            return ReadResult(id_="", outs={})
        inputs = decl.model.inputs_from_api(live, props)  # type: ignore[attr-defined]
        inputs.update({k: props[k] for k in ENGINE_INPUTS if props.get(k) is not None})
        inputs = _drop_none(inputs)
        return ReadResult(id_=id_, outs={**inputs, **decl.outputs(live)}, inputs=inputs)

    def update(self, id_: str, _olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        decl = self.decl
        props = _public(news)
        api = self._api(props)
        model = self._model(props)
        before = api.get(decl.kind, id_)
        if before is None:
            raise SitecoreOperationError(
                f"{decl.kind.label} {id_} no longer exists in Sitecore Personalize: run `pulumi refresh` "
                "so that the next `pulumi up` creates it again"
            )
        live = api.replace(decl.kind, id_, model.to_api(before))
        if decl.after_write is not None:
            decl.after_write(api, live, model, before)
        return UpdateResult(outs=self._outs(model, live, props))

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        decl = self.decl
        props = _public(props)
        decl.delete(self._api(props), decl.kind, id_, props)


def verify_connection(api: SitecoreApi, live: dict[str, Any], model: BaseModel,
                      previous: dict[str, Any] | None) -> None:
    """after_write hook of Connection: ``verify=True`` tests the saved connection; on failure the
    write is undone (a new connection is archived, an updated one is put back as it was) and the
    operation fails with the service's message."""
    if not getattr(model, "verify", False):
        return
    from .api import CONNECTIONS

    ref = str(live["ref"])
    result = api.test_connection(ref)
    if result.success:
        return
    reason = redact(result.message or f"the external service answered {result.statusCode}")
    if previous is None:
        api.archive(CONNECTIONS, ref)
        undone = f"the new connection (ref {ref}) was archived, nothing else was created"
    else:
        restore = {k: v for k, v in previous.items() if k != "href"}
        api.replace(CONNECTIONS, ref, restore)
        undone = f"the connection (ref {ref}) was put back to its previous configuration"
        if is_archived(previous):
            undone = f"the connection (ref {ref}) was archived again, as it was before"
    raise SitecoreOperationError(f"connection test failed: {reason}; {undone}")
