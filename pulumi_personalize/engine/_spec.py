"""Declarations: what differs between two resources (``ResourceSpec``), the registry, and the
declaration of each resource's arguments and outputs (``Declaration``) that the typed ``*Args``
classes, the resource classes (``scripts/gen_resources.py``), the reference pages and the
exporter are derived from."""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable, Mapping
from dataclasses import KW_ONLY, dataclass, replace
from typing import Any, Generic, Protocol, TypeVar

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from .._values import Lookup, Removal
from ..config import Tenant
from ..errors import PersonalizeError
from ._consequences import ConsequencesHook
from ._field_source import default_source, source_type
from ._values import ADOPT_EXISTING, CONFIG_NAMESPACE, FROM_STACK_ARG, OWNER_INPUTS, TENANT, Json, drop_none

ClientT = TypeVar("ClientT")
ClientC = TypeVar("ClientC", contravariant=True)


class Endpoints(Protocol[ClientC]):
    """How one kind of object is created, fetched, replaced and deleted (the api layer).

    ``payload`` is the wire body the engine built (desired inputs merged onto ``live``); ``inputs``
    the validated model, for endpoints that need more than one call (versions, for example).
    A 404 comes back as a value (``Unconfirmed``), never through the HTTP client's side channels.
    """

    def create(self, client: ClientC, payload: Json, inputs: BaseModel) -> Json: ...

    def get(self, client: ClientC, id_: str) -> Lookup:
        """``Found`` with the live object; ``Gone`` when the collection answered without it (a
        listing); ``Unconfirmed`` when the object answered 404, which the engine confirms by asking
        the collection. A 401/403/404 of the collection itself is raised.

        Endpoints whose ``get`` may answer from a listing (read once for the many objects of a
        refresh) define ``fetch(client, id_) -> Lookup`` too, answering alike: the object read by its
        id now. The engine uses it where a write follows (update, delete): a listing read before the
        last write is stale, and a new one costs every page after each write."""
        ...

    def update(self, client: ClientC, id_: str, payload: Json, inputs: BaseModel, live: Json) -> Json:
        """Endpoints that must undo what the program stopped declaring (and only that) define
        ``update_from(client, id_, inputs, live, previous) -> Json`` too, which the engine calls
        instead, with the previous inputs from the state."""
        ...

    def delete(self, client: ClientC, id_: str, props: Mapping[str, Any], live: Json | None = None) -> Removal:
        """``Gone`` once deleted (or archived, or left as it is with a ``note`` saying so);
        ``Unconfirmed`` when a 404 was met on the way. A raised ``NotFoundError`` counts as
        ``Unconfirmed`` too: either way the engine confirms that the collection answers.

        ``live``: the object as the engine read it by its id just before (``fetch``), when it read
        one: a delete that writes the object back (Sitecore's archive) need not read it again."""
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
    owner_tags: str | None = None  # the wire field of free-text tags that gets the stack's tag (engine/_ownership.py)
    kept_on_refresh: tuple[str, ...] = ()
    """Computed outputs a refresh keeps from the state: server-side counters that another resource of
    the stack moves (the decision model's revision, which its deployment bumps) are no change of this
    one, and refreshing them would show drift after every such change."""
    to_wire: Callable[[BaseModel, Json | None, ResourceSpec[Any]], Json] = default_to_wire
    from_wire: Callable[[Json, Mapping[str, Any], ResourceSpec[Any]], Json] = default_from_wire
    describe: Callable[[Mapping[str, Any]], str] | None = None
    """How to name an object in messages, from its props (default: its name or key)."""
    check_change: Callable[[Mapping[str, Any], Json], list[tuple[str, str]]] | None = None
    """Changes the service refuses although each field alone may change (a published Sitecore JS
    module): (old inputs, normalised new inputs) -> (property, reason) check failures, so the preview
    fails instead of the ``up``. Old inputs are empty at create."""
    consequences: ConsequencesHook | None = None
    """What an in-place update does beyond its changed inputs (``engine/_consequences.py``): the
    outputs it changes and notes for the preview. Pure: no HTTP, a preview calls it."""

    def __post_init__(self) -> None:
        clash = set(self.output_names) & set(self.input_fields) | {TENANT} & set(self.input_fields)
        if clash:
            raise ValueError(f"{self.name}: outputs {sorted(clash)} shadow inputs (olds in diff are outputs)")
        if self.claim_twins and self.natural_key is None:
            raise ValueError(f"{self.name}: claim_twins needs a natural_key")

    @property
    def declaration(self) -> Declaration:
        """The declaration this spec was made by (``declare``): what the exporter and the
        generators read, reached through the spec so that they need not call the engine."""
        return declaration_of(self.name)

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
        dynamic resource's outputs are unknown (``docs/facts/pulumi.md#previews``)."""
        return (*(n for n in self.output_names if n != self.id_name), TENANT)

    @property
    def adopt_input(self) -> str:
        return f"adopt_{self.id_name}"

    @property
    def engine_inputs(self) -> tuple[str, ...]:
        own = OWNER_INPUTS[: 2 if self.adoptable else 1] if self.owner_tags else ()
        return (CONFIG_NAMESPACE, *((self.adopt_input, ADOPT_EXISTING) if self.adoptable else ()), *own)

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
# Declarations: one per resource, the source of everything else
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Arg:
    """One argument: of a resource (an input of its pydantic model) or of a nested ``*Args`` class.

    It says only what the model cannot: the description, the type a program passes where it is
    not ``pulumi.Input[type]``, secrecy, what replaces, keyword-only, program-only. The value's
    type, whether it is required and its default come from the model's field (``resolved``);
    ``type``, ``required`` and ``default`` are given only where the model cannot say them (no
    model field, or a field the model requires but a validator or another argument fills).
    Descriptions live here, not on the models: they speak to a program's author (``or
    definition_file=``), cover arguments no model has, and the models are the wire's.

    Types are Python source text, written into the generated module (``scripts/gen_resources.py``)
    and checked there by mypy; the JSON shape of a value is the pydantic model's.
    """

    name: str
    doc: str
    _: KW_ONLY
    type: str | None = None
    """The value's type as the state holds it (``str``, ``list[dict[str, Any]]``): the output's,
    without ``| None``. Derived from the model's annotation."""
    arg: str | None = None
    """The Python type a program passes, where it is not ``pulumi.Input[type]`` (containers
    read-only): a builder (``RuleCombination | Rule | Mapping[str, Any]``), nested ``*Args``, a
    file path."""
    required: bool | None = None
    """No default in the ``*Args`` class (the resource's keyword argument stays optional: ``args``
    may carry it). Derived: the model requires the field and ``default`` is not given."""
    default: str | None = None
    """Python source of the ``*Args`` default when not required. Derived: ``None`` for a
    resource's argument (check applies the model's default), the model's default for a nested
    ``*Args`` field (a program reading it sees the value sent)."""
    secret: bool = False
    replaces: bool = False
    kw_only: bool = False
    program_only: bool = False
    """Read in the program and turned into inputs there (code from files, say), never an input
    of the model: a keyword argument of the resource only (of a nested ``*Args``: a field that
    its ``post_init`` turns into model fields)."""

    @property
    def arg_type(self) -> str:
        """What a program passes: ``arg``, or the value's type as an input, its containers the
        read-only ones (a tuple or any sequence will do: ``list[str]`` -> ``Sequence[str]``)."""
        readonly = (self.type or "").replace("list[", "Sequence[").replace("dict[", "Mapping[")
        return self.arg or f"pulumi.Input[{readonly}]"

    @property
    def camel_name(self) -> str:
        """The name a native provider schema gives the property (``friendly_id`` -> ``friendlyId``)."""
        head, *rest = self.name.split("_")
        return head + "".join(part[:1].upper() + part[1:] for part in rest)

    def resolved(self, field: FieldInfo | None, *, nested: bool) -> Arg:
        """This argument with its value type, required and default filled in from the model's
        ``field`` (``None``: no model field, so they must be given or default to optional)."""
        if field is None:
            if self.type is None and self.arg is None:
                raise ValueError(f"{self.name}: not a field of the model; give its type=")
            return replace(self, required=bool(self.required), default=self.default or "None")
        restated = self._restated(field, nested)
        if restated:
            raise ValueError(f"{self.name}: {', '.join(restated)} say what the model says; leave them out")
        value_type = self.type or source_type(field.annotation)
        if self.default is not None:
            return replace(self, type=value_type, required=False)
        required = field.is_required() if self.required is None else self.required
        default = "None" if required or not nested else default_source(field)
        return replace(self, type=value_type, required=required, default=default)

    def _restated(self, field: FieldInfo, nested: bool) -> list[str]:
        """The overrides given although the model field says the same (written twice)."""
        found = []
        if self.type is not None:
            try:
                derived: str | None = source_type(field.annotation)
            except ValueError:
                derived = None
            found += ["type="] if self.type == derived else []
        if self.required is not None and self.required == field.is_required():
            found.append("required=")
        if self.default is not None and not field.is_required():
            found += ["default="] if self.default == ("None" if not nested else default_source(field)) else []
        return found


@dataclass(frozen=True)
class Out:
    """A computed output (the service's, never an input's name)."""

    name: str
    type: str
    doc: str


@dataclass(frozen=True)
class Shape:
    """A nested ``*Args`` class (``ExperienceVariantArgs``): its fields and the pydantic model it
    becomes (their types, what is required, defaults and wire names)."""

    name: str
    doc: str
    fields: tuple[Arg, ...]
    model: type[BaseModel] | None = None
    post_init: str | None = None
    """Name of a function of the declaring module run as ``__post_init__`` (``(args) -> None``)."""

    def __post_init__(self) -> None:
        model_fields = self.model.model_fields if self.model is not None else {}
        if self.model is not None:
            own = {a.name for a in self.fields if not a.program_only}
            if own != set(model_fields):
                raise ValueError(f"{self.name}: fields {sorted(own ^ set(model_fields))} differ from "
                                 f"{self.model.__name__}'s")
        resolved = tuple(a.resolved(None if a.program_only else model_fields.get(a.name), nested=True)
                         for a in self.fields)
        object.__setattr__(self, "fields", resolved)  # frozen: the derived values, once

    def wire_name(self, field_name: str) -> str:
        info = self.model.model_fields.get(field_name) if self.model is not None else None
        return (info.alias if info is not None else None) or field_name


@dataclass(frozen=True)
class Declaration:
    """Everything about one resource that is not behaviour: the engine's spec plus its class name,
    documentation, arguments, outputs, what destroy does and how to adopt."""

    spec: ResourceSpec[Any]
    cls: str
    doc: str
    args: tuple[Arg, ...]
    computed: tuple[Out, ...]
    """The computed outputs, the id's first."""
    destroy: str
    adoption: str
    """An adoption example (Python), or for a resource that is not adoptable, why."""
    shapes: tuple[Shape, ...] = ()
    """The nested ``*Args`` classes the arguments use (generated beside the resource's)."""
    init_doc: str = ""
    """What the constructor does beyond taking its arguments (program-only arguments)."""
    prepare: str | None = None
    """Name of a function of the declaring module, ``(values, base_dir) -> values``, that turns
    program-only arguments into inputs; its resource takes ``base_dir`` for relative paths."""
    methods: str | None = None
    """Name of a class of the declaring module whose methods the resource class inherits (helpers
    over its outputs, such as ``Template.element``)."""
    import_id: str = ""
    """What ``pulumi import`` takes as the id, in words, where it is not simply the ``id_name``'s."""

    def __post_init__(self) -> None:
        model_fields = set(self.spec.inputs.model_fields)
        inputs = {a.name for a in self.args if not a.program_only}
        if inputs != model_fields:
            raise ValueError(f"{self.spec.name}: declared arguments {sorted(inputs ^ model_fields)} "
                             "differ from the input model's fields")
        fields = self.spec.inputs.model_fields
        resolved = tuple(a.resolved(None if a.program_only else fields[a.name], nested=False) for a in self.args)
        object.__setattr__(self, "args", resolved)  # frozen: the derived values, once

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def service(self) -> str:
        return self.spec.name.split(".", 1)[0]  # the registry name's head: contentstack, sitecore

    @property
    def type_token(self) -> str:
        """The native type token (``personalize:contentstack:Attribute``), in native state: never rename."""
        return f"{NATIVE_PACKAGE}:{self.service}:{self.cls}"

    @property
    def import_id_doc(self) -> str:
        """What ``pulumi import <type_token> <name> <id>`` takes (the id the resource stores), in words."""
        return self.import_id or f"the {self.spec.label}'s {self.spec.id_name}"

    def arg(self, name: str) -> Arg:
        return next(a for a in self.args if a.name == name)

    def wire_name(self, name: str) -> str:
        """The service's name for an input (the model's alias)."""
        return self.spec.inputs.model_fields[name].alias or name

    def required(self, name: str) -> bool:
        """Whether the service needs the input (the model's view, which check enforces)."""
        return self.spec.inputs.model_fields[name].is_required()

    def default(self, name: str) -> Any:
        """The value check applies when the input is left out (``None`` when there is none)."""
        info = self.spec.inputs.model_fields[name]
        return None if info.is_required() else info.get_default(call_default_factory=True)

    def engine_args(self) -> tuple[Arg, ...]:
        """The arguments every resource of its kind takes besides its own."""
        spec = self.spec
        if not spec.adoptable:
            return (CONFIG_NAMESPACE_ARG,)
        revived = " (an archived one is unarchived)" if spec.is_deleted is not None else ""
        found = [CONFIG_NAMESPACE_ARG, Arg(
            spec.adopt_input, f"Take over the existing object with this {spec.id_name} at create{revived}, "
            "instead of creating one: its declared fields are then written to it. Ignored after creation.",
            type="str", kw_only=True,
        ).resolved(None, nested=False)]
        if spec.natural_key is not None:
            otherwise = ("otherwise the create fails, because the key is taken (an archived one with that key and "
                         "the same type is revived anyway)" if spec.claim_twins else "otherwise it is created")
            found.append(Arg(ADOPT_EXISTING, f"Take over the existing object with the program's "
                             f"``{spec.natural_key}`` at create, if there is one; {otherwise}.", type="bool",
                             kw_only=True).resolved(None, nested=False))
        if spec.owner_tags:
            found.append(Arg(*FROM_STACK_ARG, type="str", kw_only=True).resolved(None, nested=False))
        return tuple(found)


NATIVE_PACKAGE = "personalize"
"""The native provider's package: type tokens' head, the plugin's name, its configuration namespace."""

CONFIG_NAMESPACE_ARG = Arg(
    CONFIG_NAMESPACE, "Stack configuration namespace holding the credentials (default ``personalize``); "
    "use another one (``acme-eu``) for a second tenant. Changing it replaces the resource.",
    type="str", kw_only=True, replaces=True,
).resolved(None, nested=False)

_DECLARATIONS: dict[str, Declaration] = {}


def declare(
    *, cls: str, doc: str, args: tuple[Arg, ...], computed: tuple[Out, ...], destroy: str, adoption: str,
    shapes: tuple[Shape, ...] = (), init_doc: str = "", prepare: str | None = None, methods: str | None = None,
    import_id: str = "", **spec: Any,
) -> ResourceSpec[Any]:
    """Register a resource: its spec (``output_names``, ``replace_on`` and ``secrets`` come from the
    computed outputs and the arguments; ``spec`` holds the other ``ResourceSpec`` fields) and its
    declaration (``import_id``: what ``pulumi import`` takes, where it is not the plain id). Returns
    the spec."""
    built: ResourceSpec[Any] = ResourceSpec(
        output_names=tuple(o.name for o in computed),
        replace_on=tuple(a.name for a in args if a.replaces),
        secrets=tuple(a.name for a in args if a.secret),
        **spec,
    )
    declaration = Declaration(built, cls, doc, args, computed, destroy, adoption, shapes, init_doc, prepare, methods,
                              import_id)
    with _REGISTRY_LOCK:
        _DECLARATIONS[built.name] = declaration
    return register(built)


def declarations(module: str) -> tuple[Declaration, ...]:
    """The declarations a module registers, in the order it declares them (importing it first):
    what the generator, the reference pages, the exporter and a provider schema read."""
    importlib.import_module(module)
    return tuple(d for d in list(_DECLARATIONS.values()) if d.spec.module == module)


def declaration_of(name: str) -> Declaration:
    """The declaration of a registered spec, by its registry name (``contentstack.Event``)."""
    return _DECLARATIONS[name]
