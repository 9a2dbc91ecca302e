"""The base of the public resource classes and their argument helpers."""

from __future__ import annotations

import base64
import dataclasses
import pickle
import pickletools
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, TypeVar

import pulumi
import pulumi.dynamic
from pulumi.dynamic.dynamic import PROVIDER_KEY  # the input the host unpickles from
from pydantic import BaseModel

from ._provider import EngineProvider
from ._spec import ResourceSpec
from ._values import MANAGED_BY, Json


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
    Our resources no longer call it (``pickled_provider``); a program's own dynamic resources do.
    """
    if _PRISTINE_BATCH_SETITEMS is not None:
        pickle._Pickler._batch_setitems = _PRISTINE_BATCH_SETITEMS  # type: ignore[attr-defined]


def stack_identity() -> str:
    """``organization/project/stack`` of the running program: what names a stack across backends
    (a self-managed backend's organization is ``organization``)."""
    return f"{pulumi.get_organization()}/{pulumi.get_project()}/{pulumi.get_stack()}"


def pickled_provider(provider: EngineProvider) -> str:
    """The provider as the dynamic provider host reads it: base64 of a pickle, which its dill loads.
    ``EngineProvider.__reduce__`` makes it a call of ``pulumi_personalize.provider`` with the spec's
    name. Protocol 0 without its memo writes that call in 24 characters of base64 fewer than the
    SDK's protocol 4 (72 for ``sitecore.Template``), and the file backend rewrites it twice per
    resource after every step (``docs/facts/pulumi.md#pickling``)."""
    return base64.b64encode(pickletools.optimize(pickle.dumps(provider, protocol=0))).decode("ascii")


class EngineResource(pulumi.dynamic.Resource):
    """Base of every resource class: builds the props, marks secrets, wires the provider.

    Each generated class's ``__init__`` calls ``_declare``, which registers through
    ``pulumi.CustomResource.__init__`` itself, not through ``pulumi.dynamic.Resource.__init__``
    (``docs/facts/pulumi.md#source-position``):

    - the SDK records as a resource's source position the caller of the third ``__init__`` frame
      from its registration: with no ``__init__`` of ours between the public class's and
      ``CustomResource``'s, that is the program's line, not this module's;
    - the SDK's dynamic resource makes ``__provider`` a secret always, for providers that capture
      credentials; ours is a call with the spec's name and reads credentials from the stack's
      configuration when it runs, so it stays plain: no ciphertext per resource for a file backend
      to rewrite after every step.
    """

    _spec: ClassVar[ResourceSpec[Any]]
    tenant: pulumi.Output[dict[str, str]]
    """Where the object lives (``host``, ``region``, ``project_uid``, ``client_id``, ``client_key``:
    identifiers only). Read, update and delete refuse a provider configured for another tenant
    (``docs/recovery.md``)."""

    def _declare(self, resource_name: str, args: object, opts: pulumi.ResourceOptions | None) -> None:
        spec = self._spec
        props: Json = {}
        for f in dataclasses.fields(args):  # type: ignore[arg-type]
            value = getattr(args, f.name)
            if value is not None:
                props[f.name] = plain(value)
        for name in spec.secrets:
            if props.get(name) is not None:
                props[name] = pulumi.Output.secret(props[name])
        if spec.owner_tags:  # the stack whose tag its objects carry (docs/recovery.md#6-two-stacks-one-tenant)
            props[MANAGED_BY] = stack_identity()
        for name in (*spec.input_fields, *spec.engine_inputs, *spec.exposed_outputs):
            props.setdefault(name, None)  # every input and output becomes an attribute
        if spec.secrets:
            # outputs read back from the service stay secret too, not only the inputs (pulumi#13260)
            opts = pulumi.ResourceOptions.merge(
                opts, pulumi.ResourceOptions(additional_secret_outputs=list(spec.secrets))
            )
        props[PROVIDER_KEY] = pickled_provider(EngineProvider(spec.name, spec.module))
        pulumi.CustomResource.__init__(self, f"pulumi-python:{self._resource_type_name}", resource_name, props, opts)
        # The identifier other resources refer to (uid, ref) is the id: known at preview of an update
        setattr(self, spec.id_name, self.id)


@dataclass
class EngineArgs:
    """Arguments every resource takes besides its own."""

    config_namespace: pulumi.Input[str] | None = field(default=None, kw_only=True)
    """Stack configuration namespace holding the credentials (default ``personalize``); use another
    one (``acme-eu``) for a second tenant. Changing it replaces the resource."""
