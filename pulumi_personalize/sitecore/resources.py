"""Sitecore Personalize resources: one spec and one thin class per resource, over ``engine.py``.

Destroy: the API has no DELETE. Connections, decision models and flow definitions are archived;
templates cannot be archived, so destroying one drops it from the state with a warning naming it
and leaves it in Sitecore (adopt it again with ``adopt_ref=``). A refresh treats an archived object
as deleted; the next ``up`` then adopts and unarchives it (same name, same immutable fields), so its
ref survives. A create whose name is already taken by a live object fails and says which
``adopt_ref=`` would adopt it (or set ``adopt_existing=True``).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pulumi
from pydantic import BaseModel

from ..engine import EngineArgs, EngineResource, Json, ResourceSpec, merge_args, register
from . import api
from .models import (
    CONNECTION_SECRETS,
    ConnectionInputs,
    DecisionModelInputs,
    FlowDefinitionInputs,
    TemplateInputs,
    is_archived,
)

__all__ = [
    "Connection",
    "ConnectionArgs",
    "DecisionModel",
    "DecisionModelArgs",
    "FlowDefinition",
    "FlowDefinitionArgs",
    "Template",
    "TemplateArgs",
    "VariantArgs",
]

_MODULE = __name__


def _ref(live: Json) -> Json:
    return {"ref": live.get("ref")}


def _ref_revision(live: Json) -> Json:
    return {"ref": live.get("ref"), "revision": live.get("revision")}


def _to_wire(inputs: BaseModel, live: Json | None, _spec: ResourceSpec[Any]) -> Json:
    body: Json = inputs.to_api(live)  # type: ignore[attr-defined]
    return body


def _from_wire(live: Json, previous: Mapping[str, Any], spec: ResourceSpec[Any]) -> Json:
    inputs: Json = spec.inputs.inputs_from_api(live, previous)  # type: ignore[attr-defined]
    return inputs


def _spec(name: str, label: str, inputs: type[BaseModel], endpoints: api.Collection,
          outputs: Callable[[Json], Json] = _ref_revision, **extra: Any) -> ResourceSpec[api.SitecoreApi]:
    """What the four resources share: the id is the ref (``adopt_ref``), names are natural keys, an
    archived object counts as deleted, and a create claims its archived twin rather than add one."""
    return register(ResourceSpec(
        name=name, module=_MODULE, label=label, inputs=inputs, connect=api.connect, endpoints=endpoints,
        outputs=outputs, output_names=tuple(outputs({})), id_of=lambda live: str(live["ref"]), id_name="ref",
        natural_key="name", is_deleted=is_archived, claim_twins=True, to_wire=_to_wire, from_wire=_from_wire,
        **extra,
    ))


# --------------------------------------------------------------------------------------------------
# Specs (registry names are stored in state: never rename)
# --------------------------------------------------------------------------------------------------

CONNECTION = _spec("sitecore.Connection", "connection", ConnectionInputs, api.Connections(),
                   secrets=CONNECTION_SECRETS)
DECISION_MODEL = _spec("sitecore.DecisionModel", "decision model", DecisionModelInputs,
                       api.Collection(api.DECISION_MODELS))
FLOW_DEFINITION = _spec("sitecore.FlowDefinition", "flow definition", FlowDefinitionInputs,
                        api.Collection(api.FLOW_DEFINITIONS), outputs=_ref, replace_on=("type",))
TEMPLATE = _spec("sitecore.Template", "template", TemplateInputs, api.Collection(api.TEMPLATES),
                 replace_on=("type",))


# --------------------------------------------------------------------------------------------------
# Args shared by every resource
# --------------------------------------------------------------------------------------------------


@dataclass
class _Args(EngineArgs):
    adopt_ref: pulumi.Input[str] | None = field(default=None, kw_only=True)
    """Adopt the existing object with this ref instead of creating one (used only at create); an
    archived one is unarchived."""
    adopt_existing: pulumi.Input[bool] | None = field(default=None, kw_only=True)
    """Adopt the existing object with the same name (and type) at create, if there is one, instead of
    failing because the name is taken. An archived one with the same name is adopted anyway."""


# --------------------------------------------------------------------------------------------------
# Connection
# --------------------------------------------------------------------------------------------------


@dataclass
class ConnectionArgs(_Args):
    """Arguments of a :class:`Connection`. ``name`` and ``connection_url`` are required."""

    name: pulumi.Input[str] | None = None
    """Display name of the connection (unique among live connections)."""
    connection_url: pulumi.Input[str] | None = None
    """URL of the external service; must be https://."""
    description: pulumi.Input[str] | None = None
    """What the connection is for."""
    auth_type: pulumi.Input[str] | None = None
    """NONE (default), BASIC (username + password), OAUTH (client_id + client_secret + access_token_url)
    or API_KEY (api_key)."""
    client_id: pulumi.Input[str] | None = None
    """OAuth client id (auth_type OAUTH)."""
    client_secret: pulumi.Input[str] | None = None
    """OAuth client secret (auth_type OAUTH). Secret in state and outputs."""
    access_token_url: pulumi.Input[str] | None = None
    """OAuth token endpoint, https:// (auth_type OAUTH)."""
    username: pulumi.Input[str] | None = None
    """User name (auth_type BASIC)."""
    password: pulumi.Input[str] | None = None
    """Password (auth_type BASIC). Secret in state and outputs."""
    api_key: pulumi.Input[str] | None = None
    """API key (auth_type API_KEY). Secret in state and outputs."""
    request_type: pulumi.Input[str] | None = None
    """HTTP method of the call: GET (default), POST, PUT, PATCH or DELETE."""
    input_mappings: pulumi.Input[Sequence[Mapping[str, Any]]] | None = None
    """Input mappings of the web service, as the Sitecore API spells them."""
    output_mappings: pulumi.Input[Sequence[Mapping[str, Any]]] | None = None
    """Output mappings of the web service, as the Sitecore API spells them."""
    custom_headers: pulumi.Input[Sequence[Mapping[str, Any]]] | None = None
    """Custom headers sent to the external service (for example ``{"key": ..., "value": ...}``)."""
    system_type: pulumi.Input[str] | None = None
    """Type of system connected (default DATA_SYSTEM)."""
    connection_timeout: pulumi.Input[int] | None = None
    """Milliseconds before the connection times out (default 1000)."""
    socket_timeout: pulumi.Input[int] | None = None
    """Milliseconds to wait for each packet (default 1000)."""
    icon: pulumi.Input[str] | None = None
    """Path of the icon shown in the UI (default the plug icon)."""
    verify: pulumi.Input[bool] | None = None
    """Test the connection (POST /v1/connections/{id}/test) after each create and update; a failed test
    fails the operation with the service's message. A new connection that fails is archived; an updated
    one is put back to its previous configuration."""


class Connection(EngineResource, module="sitecore", name="Connection"):
    """A Sitecore Personalize connection to an external system. Destroy archives it."""

    _spec = CONNECTION

    ref: pulumi.Output[str]
    """The connection's ref (also the resource id)."""
    revision: pulumi.Output[int]
    """The service's revision number, incremented on each update."""
    name: pulumi.Output[str]
    description: pulumi.Output[str | None]
    auth_type: pulumi.Output[str]
    client_id: pulumi.Output[str | None]
    client_secret: pulumi.Output[str | None]
    access_token_url: pulumi.Output[str | None]
    username: pulumi.Output[str | None]
    password: pulumi.Output[str | None]
    api_key: pulumi.Output[str | None]
    connection_url: pulumi.Output[str]
    request_type: pulumi.Output[str]
    input_mappings: pulumi.Output[list[dict[str, Any]]]
    output_mappings: pulumi.Output[list[dict[str, Any]]]
    custom_headers: pulumi.Output[list[dict[str, Any]]]
    system_type: pulumi.Output[str]
    connection_timeout: pulumi.Output[int]
    socket_timeout: pulumi.Output[int]
    icon: pulumi.Output[str]
    verify: pulumi.Output[bool]

    def __init__(self, resource_name: str, args: ConnectionArgs | None = None,
                 opts: pulumi.ResourceOptions | None = None, **kwargs: Any) -> None:
        """``Connection("weather", name=..., connection_url=..., auth_type="OAUTH", ...)``; the keyword
        arguments are those of :class:`ConnectionArgs` and override ``args``."""
        super().__init__(resource_name, merge_args(ConnectionArgs, args, kwargs), opts)


# --------------------------------------------------------------------------------------------------
# Decision model
# --------------------------------------------------------------------------------------------------


@dataclass
class VariantArgs:
    """A variant and its share of traffic."""

    variant_ref: str
    """The variant's identifier."""
    split: int
    """Percentage of traffic (0-100); the splits of a resource add up to 100."""


@dataclass
class DecisionModelArgs(_Args):
    """Arguments of a :class:`DecisionModel`."""

    name: pulumi.Input[str] | None = None
    """Display name of the decision model."""
    status: pulumi.Input[str] | None = None
    """DRAFT (default), TEST or PRODUCTION."""
    deployment_configuration: pulumi.Input[Sequence[VariantArgs | Mapping[str, Any]]] | None = None
    """Variants and their splits; the splits add up to 100."""


class DecisionModel(EngineResource, module="sitecore", name="DecisionModel"):
    """A Sitecore Personalize decision model. Destroy archives it."""

    _spec = DECISION_MODEL

    ref: pulumi.Output[str]
    revision: pulumi.Output[int]
    """The service's revision number."""
    status: pulumi.Output[str]
    """The status: as declared, and as the service reports it after a refresh."""
    name: pulumi.Output[str]
    deployment_configuration: pulumi.Output[list[dict[str, Any]]]

    def __init__(self, resource_name: str, args: DecisionModelArgs | None = None,
                 opts: pulumi.ResourceOptions | None = None, **kwargs: Any) -> None:
        """Keyword arguments are those of :class:`DecisionModelArgs`."""
        super().__init__(resource_name, merge_args(DecisionModelArgs, args, kwargs), opts)


# --------------------------------------------------------------------------------------------------
# Flow definition
# --------------------------------------------------------------------------------------------------


@dataclass
class FlowDefinitionArgs(_Args):
    """Arguments of a :class:`FlowDefinition`."""

    name: pulumi.Input[str] | None = None
    """Display name of the flow."""
    type: pulumi.Input[str] | None = None
    """WEB, FULLSTACK or API. Changing it replaces the flow (the old one is archived)."""
    status: pulumi.Input[str] | None = None
    """DRAFT (default), ACTIVE or PAUSED."""
    variants: pulumi.Input[Sequence[VariantArgs | Mapping[str, Any]]] | None = None
    """Variants and their splits; the splits add up to 100."""


class FlowDefinition(EngineResource, module="sitecore", name="FlowDefinition"):
    """A Sitecore Personalize flow: an experience or an experiment, web, full-stack or API.
    Destroy archives it. The class methods are typed shortcuts; each is this one resource."""

    _spec = FLOW_DEFINITION

    ref: pulumi.Output[str]
    status: pulumi.Output[str]
    """The status: as declared, and as the service reports it after a refresh."""
    name: pulumi.Output[str]
    type: pulumi.Output[str]
    variants: pulumi.Output[list[dict[str, Any]]]

    def __init__(self, resource_name: str, args: FlowDefinitionArgs | None = None,
                 opts: pulumi.ResourceOptions | None = None, **kwargs: Any) -> None:
        """Keyword arguments are those of :class:`FlowDefinitionArgs`."""
        super().__init__(resource_name, merge_args(FlowDefinitionArgs, args, kwargs), opts)

    @classmethod
    def experience(cls, resource_name: str, *, name: str, type: str, variant_ref: str,
                   status: str | None = None, opts: pulumi.ResourceOptions | None = None,
                   **kwargs: Any) -> FlowDefinition:
        """An experience: one variant served to all traffic."""
        return cls(resource_name, name=name, type=type, status=status,
                   variants=[VariantArgs(variant_ref, 100)], opts=opts, **kwargs)

    @classmethod
    def experiment(cls, resource_name: str, *, name: str, type: str, splits: Mapping[str, int],
                   status: str | None = None, opts: pulumi.ResourceOptions | None = None,
                   **kwargs: Any) -> FlowDefinition:
        """An experiment: ``splits`` maps each variant ref to its share of traffic (adding up to 100)."""
        return cls(resource_name, name=name, type=type, status=status,
                   variants=[VariantArgs(ref, split) for ref, split in splits.items()], opts=opts, **kwargs)

    @classmethod
    def web_experience(cls, resource_name: str, **kwargs: Any) -> FlowDefinition:
        """A web experience (``type="WEB"``); see :meth:`experience`."""
        return cls.experience(resource_name, type="WEB", **kwargs)

    @classmethod
    def web_experiment(cls, resource_name: str, **kwargs: Any) -> FlowDefinition:
        """A web experiment (``type="WEB"``); see :meth:`experiment`."""
        return cls.experiment(resource_name, type="WEB", **kwargs)

    @classmethod
    def full_stack_experience(cls, resource_name: str, **kwargs: Any) -> FlowDefinition:
        """A full-stack experience (``type="FULLSTACK"``); see :meth:`experience`."""
        return cls.experience(resource_name, type="FULLSTACK", **kwargs)

    @classmethod
    def full_stack_experiment(cls, resource_name: str, **kwargs: Any) -> FlowDefinition:
        """A full-stack experiment (``type="FULLSTACK"``); see :meth:`experiment`."""
        return cls.experiment(resource_name, type="FULLSTACK", **kwargs)


# --------------------------------------------------------------------------------------------------
# Template
# --------------------------------------------------------------------------------------------------


@dataclass
class TemplateArgs(_Args):
    """Arguments of a :class:`Template`. Code is given as strings or as files (not both per part)."""

    name: pulumi.Input[str] | None = None
    """Display name of the template."""
    type: pulumi.Input[str] | None = None
    """WEB or DECISION. Changing it replaces the template."""
    html: pulumi.Input[str] | None = None
    """HTML markup."""
    css: pulumi.Input[str] | None = None
    """CSS."""
    javascript: pulumi.Input[str] | None = None
    """JavaScript."""


_FILE_ARGS = ("html_file", "css_file", "javascript_file")


def _read_code(kwargs: dict[str, Any], base_dir: str | os.PathLike[str] | None) -> None:
    # Files are read in the program (whose working directory is the Pulumi project), so the
    # provider only ever sees strings, and a preview diffs the content itself.
    base = Path(base_dir) if base_dir is not None else Path.cwd()
    for file_arg in _FILE_ARGS:
        path = kwargs.pop(file_arg, None)
        if path is None:
            continue
        part = file_arg.removesuffix("_file")
        if kwargs.get(part) is not None:
            raise TypeError(f"give either {part}= or {file_arg}=, not both")
        full = Path(path) if Path(path).is_absolute() else base / path
        kwargs[part] = full.read_text(encoding="utf-8")


class Template(EngineResource, module="sitecore", name="Template"):
    """A Sitecore Personalize template. Templates cannot be archived: destroy drops it from the state
    with a warning and leaves it in Sitecore."""

    _spec = TEMPLATE

    ref: pulumi.Output[str]
    revision: pulumi.Output[int]
    """The service's revision number, incremented on each update."""
    name: pulumi.Output[str]
    type: pulumi.Output[str]
    html: pulumi.Output[str]
    css: pulumi.Output[str]
    javascript: pulumi.Output[str]

    def __init__(self, resource_name: str, args: TemplateArgs | None = None,
                 opts: pulumi.ResourceOptions | None = None, *,
                 base_dir: str | os.PathLike[str] | None = None, **kwargs: Any) -> None:
        """Keyword arguments are those of :class:`TemplateArgs`, plus ``html_file``, ``css_file`` and
        ``javascript_file``: paths read now, relative to ``base_dir`` (default: the working directory,
        which for ``pulumi up`` is the project directory, as for ``pulumi.FileAsset``)."""
        _read_code(kwargs, base_dir)
        super().__init__(resource_name, merge_args(TemplateArgs, args, kwargs), opts)

    @classmethod
    def from_files(cls, resource_name: str, *, name: str, type: str, html: str | None = None,
                   css: str | None = None, javascript: str | None = None,
                   base_dir: str | os.PathLike[str] | None = None,
                   opts: pulumi.ResourceOptions | None = None, **kwargs: Any) -> Template:
        """A template whose ``html``, ``css`` and ``javascript`` are the contents of these files."""
        return cls(resource_name, name=name, type=type, html_file=html, css_file=css, javascript_file=javascript,
                   base_dir=base_dir, opts=opts, **kwargs)
