"""``EngineProvider``: check / diff / create / read / update / delete, for every resource."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Mapping
from typing import Any

import pulumi
from pulumi.dynamic import CheckFailure, CheckResult, CreateResult, DiffResult, ReadResult, UpdateResult
from pydantic import BaseModel, TypeAdapter
from pydantic import ValidationError as PydanticValidationError

from .. import provider as package_provider  # what state calls: pulumi_personalize.provider
from .._values import Found, Gone, Lookup, Unconfirmed
from ..config import DEFAULT_NAMESPACE
from ..errors import AuthenticationError, ConfigurationError, NotFoundError, PersonalizeError
from ._adoption import Adoption
from ._base import log
from ._consequences import consequences_of
from ._declared import declared, with_defaults
from ._spec import ResourceSpec, tenant_of
from ._tenancy import TenantGuard
from ._values import (
    ADOPT_EXISTING,
    ADOPT_FROM_STACK,
    CONFIG_NAMESPACE,
    MANAGED_BY,
    TENANT,
    UNKNOWN,
    Json,
    _path,
    contains_unknown,
    drop_none,
    is_unknown,
    loc_is_unknown,
    public,
)

_NAMESPACE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")
_LEAD_FIELD_RE = re.compile(r"^([a-z_][a-z0-9_]*(?:\[\d+\])?(?:\.[a-z_][a-z0-9_]*)?):\s+")


class EngineProvider(TenantGuard, Adoption):
    """One instance per resource type. Pickled into state as the spec's name and module only.

    Never rename or move this class: existing stacks refer to it by module path and name.
    """

    spec_name: str
    spec_module: str

    def __init__(self, spec_name: str, spec_module: str) -> None:
        super().__init__()
        self.spec_name = spec_name
        self.spec_module = spec_module

    # The pickle lands in the state file, twice per resource (inputs and outputs), and the file backend
    # rewrites the whole state after every step: a call of ``pulumi_personalize.provider`` with the
    # spec's name (and its module only where it is not the conventional one), never the
    # configuration, the clients or the locks: 72 characters of base64 for a Sitecore template
    # (``pickled_provider``) instead of 216 for the class and its fields.
    def __reduce__(self) -> tuple[Any, tuple[str, ...]]:
        if self.spec_module == conventional_module(self.spec_name):
            return package_provider, (self.spec_name,)
        return package_provider, (self.spec_name, self.spec_module)

    # How states written before ``__reduce__`` unpickle (the class, then its fields): keep.
    def __setstate__(self, state: dict[str, Any]) -> None:
        self.spec_name = state["spec_name"]
        self.spec_module = state["spec_module"]

    # The module the state refers to (by module path and name): the package, not this file.
    __module__ = "pulumi_personalize.engine"

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
            elif name == ADOPT_FROM_STACK and not (engine_args.get(spec.adopt_input) or engine_args.get(ADOPT_EXISTING)):
                failures.append(CheckFailure(name, f"{name} names the stack an adopted object comes from: it goes "
                                                   f"with {spec.adopt_input} or {ADOPT_EXISTING}=True"))
        failures += self._settings_failures(engine_args.get(CONFIG_NAMESPACE))
        for name in sorted(set(given) - set(spec.input_fields)):
            if given[name] is not None and name not in spec.output_names:
                allowed = ", ".join((*spec.input_fields, *(n for n in spec.engine_inputs if n != MANAGED_BY)))
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
        olds = public(_olds)
        if olds:  # the state's inputs: what the program declared (engine/_declared.py); empty at create
            olds = self.full_inputs(olds)
        if spec.check_change is not None:
            failures += [CheckFailure(p, r) for p, r in spec.check_change(olds, normal)]
        if not failures:
            props = {**normal, **engine_args}
            failures += [CheckFailure("", reason) for reason in self._adoption_failures(olds, props, model)]
            warning = None if olds else self._adoption_warning(props)
            if warning:
                log.warning("%s", warning)
        return CheckResult({**declared(spec.inputs, normal), **engine_args}, failures)

    def full_inputs(self, props: Mapping[str, Any]) -> Json:
        """Checked inputs with the defaults check left out put back (``engine/_declared.py``): what
        create, update, diff and the preview work on."""
        return with_defaults(self.spec.inputs, props)

    def _settings_failures(self, namespace: object) -> list[CheckFailure]:
        """The settings this resource will be served with, loaded now: check runs at preview too,
        so a bad region, URL, uid or credential group fails the preview with the message ``up``
        would give (``docs/facts/pulumi.md#configure``). Nothing is sent."""
        if namespace is not None and (not isinstance(namespace, str) or not _NAMESPACE_RE.match(namespace)):
            return []  # unknown until apply, or refused above
        if any(is_unknown(v) for v in getattr(self, "_config", {}).values()):
            return []  # a native provider whose settings come from outputs not known until apply
        props = {CONFIG_NAMESPACE: namespace} if namespace else {}
        try:
            self._client(props)
            self._tenant_change_allowed(props)
        except ConfigurationError as exc:
            return [CheckFailure("", str(exc))]
        return []

    # -- diff -----------------------------------------------------------------------------------------

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        old, new = public(olds), public(news)  # changes and consequences_of put the defaults back
        changed, replaces = self.changes(old, new)
        if changed and not replaces:
            self.tell_consequences(_id, old, new)
        return DiffResult(changes=bool(changed), replaces=replaces, delete_before_replace=False)

    def changes(self, old: Mapping[str, Any], new: Mapping[str, Any]) -> tuple[list[str], list[str]]:
        """The inputs that differ (an unknown one counts) and those of them that replace: what both
        faces' diff report (``old``: the state's outputs, ``new``: the checked inputs)."""
        spec = self.spec
        # both sides with their defaults: the checked inputs leave them out (engine/_declared.py); the
        # outputs hold them, except where an input is newer than the state: no change, no surprise
        old, new = self.full_inputs(old), self.full_inputs(new)
        changed: list[str] = []
        for name in (*spec.input_fields, CONFIG_NAMESPACE):
            before, after = drop_none(old.get(name)), drop_none(new.get(name))
            if name == CONFIG_NAMESPACE:
                before, after = before or DEFAULT_NAMESPACE, after or DEFAULT_NAMESPACE
            if contains_unknown(after) or before != after:
                changed.append(name)
        # adopt_* only matter at create: changing them later changes nothing
        replaces = [n for n in changed if n in spec.replace_on or n == CONFIG_NAMESPACE]
        return changed, replaces

    def preview_outs(self, props: Mapping[str, Any], olds: Mapping[str, Any] | None) -> Json:
        """What a create (``olds`` None) or an in-place update will answer, as known at preview: the
        checked inputs; at create every computed output unknown; at update the state's computed
        outputs and tenant record, unknown exactly where the declared consequences say the update
        changes them (``engine/_consequences.py``). Nothing is sent."""
        spec = self.spec
        props = self.full_inputs(props)
        engine = {k: props[k] for k in spec.engine_inputs if props.get(k) is not None}
        inputs: Json = {**{k: v for k, v in props.items() if k in spec.input_fields}, **engine}
        if olds is None:
            return {**inputs, **dict.fromkeys(spec.output_names, UNKNOWN)}
        kept = {k: v for k, v in olds.items() if k in (*spec.output_names, TENANT)}
        try:
            found = consequences_of(spec, olds, props)
        except Exception:  # a consequence that cannot be worked out: every computed output may change
            return {**kept, **inputs, **{k: UNKNOWN for k in spec.output_names if k != spec.id_name}}
        return found.preview_outputs(kept, inputs)

    def tell_consequences(self, id_: str, olds: Json, news: Json) -> None:
        """The declared consequences of this in-place update, as warnings naming the resource (both
        faces' diff): diff runs at preview, and the dynamic host passes no detailed diff and lets no
        output be marked unknown (``docs/facts/pulumi.md#diff``), so the notes are what a reviewer sees.
        A consequence that cannot be worked out never fails the preview."""
        spec = self.spec
        try:
            found = consequences_of(spec, olds, news)  # with the defaults put back into news
        except Exception as exc:
            log.warning("%s: the preview cannot tell what this update does beyond its changes (%s)",
                        spec.title(id_, news), type(exc).__name__)
            return
        for note in found.notes:
            log.warning("%s: %s", spec.title(id_, news), note)  # the engine's bridge: pulumi.log.warn

    # -- create / read / update / delete ----------------------------------------------------------

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


    def create(self, props: dict[str, Any]) -> CreateResult:
        props = self.full_inputs(public(props))
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
            target = self._claim_twin(client, model, props)
        if target is not None:
            id_ = spec.id_of(target)
            live = spec.endpoints.update(client, id_, self._payload(model, target, props), model, target)
            log.info("adopted existing %s", spec.title(id_, props))
        else:
            try:
                live = self._create_once(client, model, props)
            except PersonalizeError as exc:
                raise self._explain_create_failure(client, model, exc, props) from None
            id_ = spec.id_of(live)
        return CreateResult(id_=id_, outs=self._outs(model, props, live, client))

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
        found = self._lookup(client, id_, outcome)
        if not isinstance(found, Found):
            if isinstance(found, Unconfirmed):  # a 404 proves nothing until the collection answers without it
                self._confirm_gone(client, props, outcome, id_)
            else:  # the collection answered (a listing) and the object is not in it
                self._guard(client, props, concluding_gone=True)
            return ReadResult(id_="", outs={})  # gone: the engine drops it from state
        live = found.live
        self._guard(client, props, live=live)
        if spec.deleted(live):
            return ReadResult(id_="", outs={})  # archived: gone for Pulumi
        self._warn_if_foreign(id_, live, props)
        previous = {k: v for k, v in props.items() if k in spec.input_fields}
        try:
            model = spec.inputs.model_validate(spec.from_wire(live, previous, spec))
            normal = self._normal(model)
        except PydanticValidationError as exc:
            log.warning("%s: the live object does not fit the inputs model (%s); keeping the known inputs",
                        spec.title(id_, props), exc.error_count())
            normal = previous
        engine = {k: props[k] for k in spec.engine_inputs if props.get(k) is not None}
        kept = {k: props[k] for k in spec.kept_on_refresh if props.get(k) is not None}
        # the outputs hold every field, defaults included; the inputs what differs from the defaults
        outs = {**normal, **engine, **self._computed(live, client), **kept}
        return ReadResult(id_=id_, outs=outs, inputs={**declared(spec.inputs, normal), **engine})

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        props = self.full_inputs(public(news))
        try:
            return self._update(id_, props, public(olds))
        except Exception as exc:
            raise self._fail("update", id_, props, exc) from None

    def _update(self, id_: str, props: Json, olds: Json) -> UpdateResult:
        spec = self.spec
        client = self._client(props)
        model = self._model(props)
        where = {**props, TENANT: olds.get(TENANT)}  # the tenant is an output: the old one is the record
        self._guard(client, where)
        outcome = "nothing was changed"
        found = self._lookup(client, id_, outcome, fresh=True)  # the PUT keeps what the live object holds
        if not isinstance(found, Found):
            if isinstance(found, Unconfirmed):
                self._confirm_gone(client, where, outcome)
            raise PersonalizeError(
                "it no longer exists: run `pulumi refresh` so that the next `pulumi up` creates it again"
            )
        live = found.live
        self._guard(client, where, live=live)
        self._refuse_foreign_update(live, props, olds)
        by_difference = getattr(spec.endpoints, "update_from", None)
        if by_difference is not None:  # endpoints that undo what the program stopped declaring
            previous = {k: v for k, v in olds.items() if k in spec.input_fields}
            live = by_difference(client, id_, model, live, previous)
        else:
            live = spec.endpoints.update(client, id_, self._payload(model, live, props), model, live)
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
        live = self._owner_look(client, id_)
        if live is not None:
            self._guard(client, props, live=live)
            if self._left_to_its_stack(live, id_, props):
                return
        try:
            removal = self.spec.endpoints.delete(client, id_, props, live=live)
        except NotFoundError as exc:
            removal = Unconfirmed(str(exc))  # already gone, if the collection answers
        except AuthenticationError as exc:
            raise self._unreachable(client, exc, "nothing was deleted") from None
        if isinstance(removal, Unconfirmed):  # a 404 is success only where the collection answers
            log.debug("delete %s: %s; asking the collection", self.spec.title(id_, props), removal.why)
            self._confirm_gone(client, props, "the resource stays in the state")
        elif removal.note:
            _tell(removal)

    def _lookup(self, client: Any, id_: str, outcome: str, *, fresh: bool = False) -> Lookup:
        """The endpoints' answer for one object (``fresh``: read by its id now, for a write that
        follows); the collection's own 401/403/404 is a configuration error that names the settings
        (``outcome``: what was left as it was)."""
        try:
            return self._fetch(client, id_) if fresh else self.spec.endpoints.get(client, id_)
        except (AuthenticationError, NotFoundError) as exc:  # the collection itself did not answer
            raise self._unreachable(client, exc, outcome) from None


def _tell(removal: Gone) -> None:
    """A delete's note, for the person running Pulumi (and the Python log)."""
    log.info("%s", removal.note)
    with contextlib.suppress(Exception):  # no engine to log to (unit tests)
        pulumi.log.info(removal.note)


def _best_effort(spec: ResourceSpec[Any], model_input: Json) -> Json:
    """Inputs for check when validation could not finish (unknowns, or failures being reported):
    known top-level fields normalised one by one, in the declared form check returns (diff puts the
    defaults back, so it still compares alike)."""
    out: Json = {}
    for name, info in spec.inputs.model_fields.items():
        if name not in model_input:
            continue
        value = model_input[name]
        if contains_unknown(value):
            out[name] = value
            continue
        try:
            adapter: TypeAdapter[Any] = TypeAdapter(info.annotation)  # type: ignore[arg-type]
            out[name] = drop_none(adapter.dump_python(adapter.validate_python(value), mode="json"))
        except Exception:
            out[name] = value
    return declared(spec.inputs, drop_none(out))


def conventional_module(spec_name: str) -> str:
    """Where a spec is declared unless it says otherwise: ``contentstack.Attribute`` ->
    ``pulumi_personalize.contentstack.resources``."""
    return f"pulumi_personalize.{spec_name.partition('.')[0]}.resources"


def engine_provider(spec_name: str, spec_module: str | None = None) -> EngineProvider:
    """What a resource's ``__provider`` unpickles into. States written before 2026-12-06 call it as
    ``pulumi_personalize.engine.engine_provider`` (newer ones ``pulumi_personalize.provider``, which
    calls it): never rename or move it."""
    return EngineProvider(spec_name, spec_module or conventional_module(spec_name))


engine_provider.__module__ = "pulumi_personalize.engine"  # as EngineProvider: the package's name
