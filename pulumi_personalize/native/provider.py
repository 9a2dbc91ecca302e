"""The native provider: every declared resource and exposed look-up of both services, served
through the same engine (``EngineProvider``: check, diff, create, read, update, delete, the
tenant guard, adoption) as the dynamic resources, with what only a native provider can do:
detailed diffs, previews that say what the operation will change, configuration per provider
instance (several tenants), invokes, and import.

One process serves one provider instance (the engine starts one per provider resource), so the
configuration lives on the instance; the engine's clients are shared by the process.
"""

from __future__ import annotations

import asyncio
import re
import threading
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from pulumi.provider.experimental import provider as p
from pulumi.provider.experimental.property_value import PropertyValue

from ..config import DEFAULT_NAMESPACE, SECRET_SETTINGS, SETTING_KEYS
from ..engine import EngineProvider, Json, ResourceOperationError
from ..engine._spec import Declaration
from ..errors import PersonalizeError
from ._convert import Names, to_plain
from ._types import camel
from .diff import detailed_diff
from .functions import function
from .schema import all_declarations, schema_json
from .tenancy import refusal, replaces_provider

T = TypeVar("T")


def flat_config(args: Mapping[str, PropertyValue], variables: Mapping[str, str]) -> dict[str, object]:
    """The provider's inputs (or the stack's ``personalize:*`` configuration, for the default
    provider) as the engine reads settings: ``personalize:<key>`` -> value, secrets in clear."""
    config: dict[str, object] = {}
    for name, value in variables.items():  # "personalize:config:contentstackRegion"
        namespace, _, key = name.rpartition(":")
        if namespace == f"{DEFAULT_NAMESPACE}:config" and key in SETTING_KEYS:
            config[f"{DEFAULT_NAMESPACE}:{key}"] = value
    for key, given in args.items():
        plain = to_plain(given)
        if key in SETTING_KEYS and plain is not None and not isinstance(plain, Mapping | list):
            config[f"{DEFAULT_NAMESPACE}:{key}"] = str(plain).lower() if isinstance(plain, bool) else str(plain)
    return config


class PersonalizeProvider(p.Provider):
    """The ``personalize`` package's provider."""

    def __init__(self) -> None:
        self._declarations: dict[str, Declaration] = {d.type_token: d for d in all_declarations()}
        self._names = {token: Names(d) for token, d in self._declarations.items()}
        self._config: dict[str, object] = {}
        self._engines: dict[str, EngineProvider] = {}
        self._lock = threading.Lock()

    # -- the package ---------------------------------------------------------------------------------

    async def get_schema(self, request: p.GetSchemaRequest) -> p.GetSchemaResponse:
        return p.GetSchemaResponse(schema=schema_json())

    async def check_config(self, request: p.CheckRequest) -> p.CheckResponse:
        unknown = sorted(k for k in request.new_inputs if k not in SETTING_KEYS and k != "version")
        failures = [p.CheckFailure(k, f"{k} is not a setting of the personalize provider; expected one of "
                                      f"{', '.join(SETTING_KEYS)}") for k in unknown]
        return p.CheckResponse(inputs=request.new_inputs, failures=failures)

    async def diff_config(self, request: p.DiffRequest) -> p.DiffResponse:
        """A change of where objects live (the tenant the settings name: host, region, project, client
        id, stack) replaces the resources of the provider when every tenant the new settings set up
        moved: they are another tenant's. Where one of them stayed, nothing is replaced (its objects
        would be made again beside themselves) and the moved service's resources refuse the preview
        (``diff``). Another spelling of the same tenant (a region's alias, its case), credentials and
        limits change in place."""
        olds = flat_config(request.old_state, {})
        news = flat_config(request.new_inputs, {})
        keys = sorted({k.split(":", 1)[1] for k in (*olds, *news) if olds.get(k) != news.get(k)})
        moved = replaces_provider(olds, news)
        replaces = [k for k in keys if moved and k not in SECRET_SETTINGS and not k.endswith("RequestsPerSecond")
                    and k != "allowTenantChange"]
        return p.DiffResponse(changes=bool(keys), replaces=replaces, diffs=keys)

    async def configure(self, request: p.ConfigureRequest) -> p.ConfigureResponse:
        with self._lock:
            self._config = flat_config(request.args, request.variables)
            self._engines = {}
        return p.ConfigureResponse(accept_secrets=True, supports_preview=True, accept_outputs=False,
                                   accept_resources=False)

    def _engine(self, token: str) -> EngineProvider:
        declaration = self._declarations.get(token)
        if declaration is None:
            raise PersonalizeError(f"unknown resource type {token!r}; this provider serves "
                                   f"{', '.join(sorted(self._declarations))}")
        with self._lock:
            engine = self._engines.get(token)
            if engine is None:
                engine = EngineProvider(declaration.spec.name, declaration.spec.module)
                engine.use_config(self._config)
                self._engines[token] = engine
            return engine

    async def invoke(self, request: p.InvokeRequest) -> p.InvokeResponse:
        fn = function(request.tok)
        pairs = {camel(n): n for n in fn.inputs}
        args = {pairs.get(k, k): to_plain(v) for k, v in request.args.items()}
        answer = await _run(fn.invoke, {k: v for k, v in args.items() if v is not None}, self._config)
        secret = {camel(n) for n in fn.secret_outputs}
        return p.InvokeResponse(return_value={
            camel(k): _camel_values(v, secret=camel(k) in secret) for k, v in answer.items()
        })

    # -- resources -------------------------------------------------------------------------------------

    async def check(self, request: p.CheckRequest) -> p.CheckResponse:
        names = self._names_of(request.type)
        if "configNamespace" in request.new_inputs:  # the Python face's second tenant
            return p.CheckResponse(inputs=request.new_inputs, failures=[p.CheckFailure(
                "configNamespace", "configNamespace is the Python face's way to a second tenant; with the native "
                "provider, give the resource an explicit provider (pulumi:providers:personalize) with its settings")])
        news, secret = names.to_engine(request.new_inputs)
        olds, _ = names.to_engine(request.old_inputs)
        result = await _run(self._engine(request.type).check, olds, news)
        failures = [p.CheckFailure(camel(f.property) if f.property else "", _camel_lead(f.reason))
                    for f in result.failures]
        return p.CheckResponse(inputs=names.to_native(result.inputs or {}, secret), failures=failures)

    async def diff(self, request: p.DiffRequest) -> p.DiffResponse:
        names = self._names_of(request.type)
        olds, _ = names.to_engine(request.old_state)
        news, _ = names.to_engine(request.new_inputs)
        engine = self._engine(request.type)
        # the checked inputs leave the defaults out (engine/_declared.py): both sides with them, as the
        # engine's own diff compares
        olds, news = engine.full_inputs(olds), engine.full_inputs(news)
        move = engine.tenant_moved(olds)
        if move is not None:  # the provider was updated in place, not replaced: see diff_config
            raise ResourceOperationError(engine.spec.title(request.resource_id, olds), "preview",
                                         refusal(move, engine.spec.label, self._config))
        changed, replaces = engine.changes(olds, news)
        if changed and not replaces:  # what the update does beyond its changes, told as warnings
            engine.tell_consequences(request.resource_id, olds, news)
        return p.DiffResponse(changes=bool(changed), replaces=[camel(n) for n in replaces],
                              delete_before_replace=False, diffs=[camel(n) for n in changed],
                              detailed_diff=detailed_diff(changed, replaces, olds, news))

    async def create(self, request: p.CreateRequest) -> p.CreateResponse:
        names = self._names_of(request.type)
        props, secret = names.to_engine(request.properties)
        engine = self._engine(request.type)
        if request.preview:
            return p.CreateResponse(resource_id=None, properties=names.to_native(engine.preview_outs(props, None),
                                                                                  secret))
        result = await _run(engine.create, props)
        outs = self._with_id(engine, result.id, result.outs or {})
        return p.CreateResponse(resource_id=result.id, properties=names.to_native(outs, secret))

    async def read(self, request: p.ReadRequest) -> p.ReadResponse:
        names = self._names_of(request.type)
        props, secret = names.to_engine(request.properties)
        engine = self._engine(request.type)
        result = await _run(engine.read, request.resource_id, props)
        if not result.id:
            if not props:  # an import (the engine sends no state): a missing id must fail it
                declaration = self._declarations[request.type]
                raise PersonalizeError(
                    f"import {request.type} {request.resource_id!r} failed: no {declaration.spec.label} with this "
                    f"{declaration.spec.id_name} exists in the configured tenant (the id is "
                    f"{declaration.import_id_doc})")
            return p.ReadResponse(resource_id="")  # gone: the engine drops it from state
        outs = self._with_id(engine, result.id, result.outs or {})
        return p.ReadResponse(resource_id=result.id, properties=names.to_native(outs, secret),
                              inputs=names.to_native(result.inputs or {}, secret))

    async def update(self, request: p.UpdateRequest) -> p.UpdateResponse:
        names = self._names_of(request.type)
        olds, _ = names.to_engine(request.olds)
        news, secret = names.to_engine(request.news)
        engine = self._engine(request.type)
        if request.preview:
            return p.UpdateResponse(properties=names.to_native(engine.preview_outs(news, olds), secret))
        result = await _run(engine.update, request.resource_id, olds, news)
        return p.UpdateResponse(properties=names.to_native(self._with_id(engine, request.resource_id,
                                                                         result.outs or {}), secret))

    async def delete(self, request: p.DeleteRequest) -> None:
        props, _ = self._names_of(request.type).to_engine(request.properties)
        await _run(self._engine(request.type).delete, request.resource_id, props)

    def _names_of(self, token: str) -> Names:
        self._engine(token)  # fails with the list of types for an unknown one
        return self._names[token]

    @staticmethod
    def _with_id(engine: EngineProvider, id_: str, outs: Json) -> Json:
        """The native face exposes the id under the service's name too (``uid``, ``ref``), as the
        Python face does with ``resource.uid``; the engine leaves it out of its outputs."""
        spec = engine.spec
        return {**outs, spec.id_name: id_} if spec.id_name in spec.output_names else dict(outs)


_LEAD = re.compile(r"^([a-z][a-z0-9]*(?:_[a-z0-9]+)+)(?=[\[.:])")


def _camel_lead(reason: str) -> str:
    """``system_type: Input should be ...`` -> ``systemType: ...``: the argument a failure starts
    with, in the schema's spelling."""
    return _LEAD.sub(lambda m: camel(m.group(1)), reason, count=1)


def _camel_values(value: Any, *, secret: bool = False) -> PropertyValue:
    """A look-up's answer: field names camelCase at the top of each item, values as they are."""
    from ._convert import from_plain

    if isinstance(value, list) and all(isinstance(v, Mapping) for v in value):
        return from_plain([{camel(k): v for k, v in item.items()} for item in value], secret)
    return from_plain(value, secret)


async def _run(call: Callable[..., T], *args: Any) -> T:
    """The engine's calls block on HTTP: run them off the event loop, so the server keeps serving
    the engine's parallel steps (the engine's shared state is locked)."""
    return await asyncio.to_thread(call, *args)
