"""Sitecore Personalize resources: one spec and one thin class per resource, over ``engine.py``.

Destroy: the API has no DELETE. Connections, decision models, variants and flows are archived
(flows are paused too); templates are archived as well where the service takes it, otherwise
dropped from the state with a warning (``api.Templates``). A refresh treats an archived object as
deleted; the next ``up`` revives the archived twin (same name or friendly id, same immutable fields)
rather than create another, so its ref survives. A create whose key is taken by a live object fails
and says which ``adopt_ref=`` would adopt it (or set ``adopt_existing=True``).

Decision models and their variants refer to each other (a variant is created under its model; the
model's deployment names its variants), so the deployment is its own resource,
:class:`DecisionModelDeployment`: model, then variants, then deployment, in one ``up``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pulumi
from pydantic import BaseModel

from ..engine import EngineArgs, EngineResource, Json, ResourceSpec, contains_unknown, merge_args, register
from . import api
from .models import (
    ConnectionInputs,
    DecisionModelDeploymentInputs,
    DecisionModelInputs,
    DecisionModelVariantInputs,
    FlowDefinitionInputs,
    TemplateInputs,
    is_archived,
)

__all__ = [
    "Connection",
    "ConnectionArgs",
    "ConnectionAuthArgs",
    "ConnectionRequestArgs",
    "DecisionModel",
    "DecisionModelArgs",
    "DecisionModelDeployment",
    "DecisionModelDeploymentArgs",
    "DecisionModelVariant",
    "DecisionModelVariantArgs",
    "DeployedVariant",
    "DeploymentConfigurationArgs",
    "FlowDefinition",
    "FlowDefinitionArgs",
    "Template",
    "TemplateArgs",
]

_MODULE = __name__


def _ref_revision(live: Json) -> Json:
    return {"ref": live.get("ref"), "revision": live.get("revision")}


def _to_wire(inputs: BaseModel, live: Json | None, _spec: ResourceSpec[Any]) -> Json:
    body: Json = inputs.to_api(live)  # type: ignore[attr-defined]
    return body


def _from_wire(live: Json, previous: Mapping[str, Any], spec: ResourceSpec[Any]) -> Json:
    inputs: Json = spec.inputs.inputs_from_api(live, previous)  # type: ignore[attr-defined]
    return inputs


def _changed(olds: Mapping[str, Any], news: Mapping[str, Any], names: Sequence[str]) -> list[str]:
    """Known fields whose value differs between the old and the new inputs."""
    return [n for n in names if not contains_unknown(news.get(n)) and olds.get(n) != news.get(n)]


def _new_key_with_new_type(label: str) -> Callable[[Mapping[str, Any], Json], list[tuple[str, str]]]:
    """A type change replaces, and the replacement is created while the old one still holds the
    friendly id (which Sitecore also keeps reserved after archiving): it needs a new one."""

    def check(olds: Mapping[str, Any], news: Json) -> list[tuple[str, str]]:
        if olds and _changed(olds, news, ("type",)) and not _changed(olds, news, ("friendly_id",)):
            return [("type", f"type: changing it replaces the {label}, and the new {label} needs its own "
                             f"friendly_id ({olds.get('friendly_id')!r} stays taken by the old one): "
                             "change friendly_id too")]
        return []

    return check


def _template_change(olds: Mapping[str, Any], news: Json) -> list[tuple[str, str]]:
    failures = _new_key_with_new_type("template")(olds, news)
    if failures or not olds:
        return failures
    published_module = olds.get("type") == "JS_MODULE" and olds.get("status") == "PUBLISHED"
    replaced = _changed(olds, news, ("type", "friendly_id"))
    edits = _changed(olds, news, ("name", "description", "render", "template_elements", "status", "tags"))
    if published_module and not replaced and edits:
        return [(edits[0], f"{edits[0]}: a published JS module cannot be modified in Sitecore Personalize, "
                           "not even through the API. Keep it as it is, or give it a new friendly_id "
                           "(that replaces it with a new template)")]
    return []


def _spec(name: str, label: str, inputs: type[BaseModel], endpoints: Any, **extra: Any) -> ResourceSpec[api.SitecoreApi]:
    """What the resources share: the id is the ref (``adopt_ref``), an archived object counts as
    deleted, and the wire shapes are the models' own."""
    settings: dict[str, Any] = {
        "outputs": _ref_revision, "natural_key": None, "claim_twins": False, **extra,
    }
    outputs = settings.pop("outputs")
    return register(ResourceSpec(
        name=name, module=_MODULE, label=label, inputs=inputs, connect=api.connect, endpoints=endpoints,
        outputs=outputs, output_names=tuple(outputs({})), id_of=lambda live: str(live["ref"]), id_name="ref",
        is_deleted=is_archived, to_wire=_to_wire, from_wire=_from_wire, **settings,
    ))


# --------------------------------------------------------------------------------------------------
# Specs (registry names are stored in state: never rename)
# --------------------------------------------------------------------------------------------------

CONNECTION = _spec("sitecore.Connection", "connection", ConnectionInputs, api.Connections(),
                   secrets=("auth",), natural_key="name", claim_twins=True)
DECISION_MODEL = _spec("sitecore.DecisionModel", "decision model", DecisionModelInputs, api.DecisionModels(),
                       natural_key="name", claim_twins=True)
DECISION_MODEL_VARIANT = _spec("sitecore.DecisionModelVariant", "decision model variant",
                               DecisionModelVariantInputs, api.DecisionModelVariants(),
                               replace_on=("decision_model",))
DECISION_MODEL_DEPLOYMENT = _spec("sitecore.DecisionModelDeployment", "decision model deployment",
                                  DecisionModelDeploymentInputs, api.DecisionModelDeployments(),
                                  outputs=lambda live: {"revision": live.get("revision")},
                                  replace_on=("decision_model",), adoptable=False)
FLOW_DEFINITION = _spec("sitecore.FlowDefinition", "flow definition", FlowDefinitionInputs, api.FlowDefinitions(),
                        natural_key="friendly_id", claim_twins=True, replace_on=("type", "friendly_id"),
                        check_change=_new_key_with_new_type("flow definition"))
TEMPLATE = _spec("sitecore.Template", "template", TemplateInputs, api.Templates(),
                 natural_key="friendly_id", claim_twins=True, replace_on=("type", "friendly_id"),
                 check_change=_template_change)


# --------------------------------------------------------------------------------------------------
# Args shared by every resource
# --------------------------------------------------------------------------------------------------


@dataclass
class _Args(EngineArgs):
    adopt_ref: pulumi.Input[str] | None = field(default=None, kw_only=True)
    """Adopt the existing object with this ref instead of creating one (used only at create); an
    archived one is unarchived."""


@dataclass
class _KeyedArgs(_Args):
    adopt_existing: pulumi.Input[bool] | None = field(default=None, kw_only=True)
    """Adopt the existing object with the same key (a connection's or decision model's name, a
    flow's or template's friendly_id) at create instead of failing because the key is taken. An
    archived one with that key (and the same type) is revived anyway."""


def _read_file(path: str | os.PathLike[str], base_dir: str | os.PathLike[str] | None) -> str:
    # Files are read in the program (whose working directory is the Pulumi project), so the
    # provider only ever sees strings, and a preview diffs the content itself.
    full = Path(path)
    if not full.is_absolute():
        full = (Path(base_dir) if base_dir is not None else Path.cwd()) / full
    return full.read_text(encoding="utf-8")


# --------------------------------------------------------------------------------------------------
# Connection
# --------------------------------------------------------------------------------------------------


@dataclass
class ConnectionAuthArgs:
    """The connection's ``auth``. Secret as a whole in state and outputs (it holds the credentials)."""

    auth_type: pulumi.Input[str] = "NONE"
    """NONE or OAUTH (the types Sitecore documents); another upper-case type is sent as written."""
    client_id: pulumi.Input[str] | None = None
    """OAuth client id."""
    client_secret: pulumi.Input[str] | None = None
    """OAuth client secret (sent as ``clientSecret``)."""
    access_token_url: pulumi.Input[str] | None = None
    """OAuth token endpoint, https://."""
    use_mutual_tls: pulumi.Input[bool] | None = None
    """OAuth over mutual TLS."""
    oauth_custom_headers: pulumi.Input[Sequence[Mapping[str, Any]]] | None = None
    """Headers sent with the token request."""
    form_url_encoded_items: pulumi.Input[Sequence[Mapping[str, Any]]] | None = None
    """Extra form items of the token request."""
    username: pulumi.Input[str] | None = None
    """For auth types beyond NONE/OAUTH (unconfirmed in Sitecore's documentation)."""
    password: pulumi.Input[str] | None = None
    """For auth types beyond NONE/OAUTH (unconfirmed)."""
    api_key: pulumi.Input[str] | None = None
    """For auth types beyond NONE/OAUTH (unconfirmed; sent as ``apiKey``)."""


@dataclass
class ConnectionRequestArgs:
    """The connection's ``request``: the call Sitecore makes to the external system."""

    connection_url: pulumi.Input[str]
    """URL of the external system (http:// or https://; may hold ``${var}`` placeholders)."""
    request_type: pulumi.Input[str] = "GET"
    """HTTP method: GET, POST, PUT, PATCH or DELETE."""
    request_body: pulumi.Input[str] | None = None
    """Body sent (stringified JSON; may hold ``${var}`` placeholders)."""


@dataclass
class ConnectionArgs(_KeyedArgs):
    """Arguments of a :class:`Connection`. ``name``, ``system_type`` and ``request`` are required."""

    name: pulumi.Input[str] | None = None
    """Display name of the connection (unique among live connections)."""
    system_type: pulumi.Input[str] | None = None
    """DATA_SYSTEM or DESTINATION."""
    request: pulumi.Input[ConnectionRequestArgs | Mapping[str, Any]] | None = None
    """The call to the external system."""
    auth: pulumi.Input[ConnectionAuthArgs | Mapping[str, Any]] | None = None
    """How Sitecore authenticates to the external system (default: NONE)."""
    description: pulumi.Input[str] | None = None
    """What the connection is for."""
    input_mappings: pulumi.Input[Sequence[Mapping[str, Any]]] | None = None
    """Input mappings, as the Sitecore API spells them (``{label, key, type, ...}``)."""
    output_mappings: pulumi.Input[Sequence[Mapping[str, Any]]] | None = None
    """Output mappings, as the Sitecore API spells them (``{label, outputReference, type}``)."""
    custom_headers: pulumi.Input[Sequence[Mapping[str, Any]]] | None = None
    """Headers sent to the external system (``{name, value}``; values may hold placeholders)."""
    url_parameters: pulumi.Input[Sequence[Mapping[str, Any]]] | None = None
    """URL parameters, as the Sitecore API spells them."""
    connection_timeout: pulumi.Input[int] | None = None
    """Milliseconds before the connection times out (default 1000, the service's)."""
    socket_timeout: pulumi.Input[int] | None = None
    """Milliseconds to wait for each packet (default 1000, the service's)."""
    icon: pulumi.Input[str] | None = None
    """Icon shown in the UI (default the plug icon, the service's)."""
    verify: pulumi.Input[bool] | None = None
    """Test the connection (``POST /v2/connections/testConnection``) before each create and update; a
    test whose external system does not answer 2xx fails the operation and nothing is saved."""


class Connection(EngineResource, module="sitecore", name="Connection"):
    """A Sitecore Personalize connection to an external system. Destroy archives it."""

    _spec = CONNECTION

    ref: pulumi.Output[str]
    """The connection's ref (the resource's id)."""
    revision: pulumi.Output[int]
    """The service's revision number, incremented on each update."""
    name: pulumi.Output[str]
    description: pulumi.Output[str | None]
    system_type: pulumi.Output[str]
    auth: pulumi.Output[dict[str, Any]]
    request: pulumi.Output[dict[str, Any]]
    input_mappings: pulumi.Output[list[dict[str, Any]]]
    output_mappings: pulumi.Output[list[dict[str, Any]]]
    custom_headers: pulumi.Output[list[dict[str, Any]]]
    url_parameters: pulumi.Output[list[dict[str, Any]]]
    connection_timeout: pulumi.Output[int]
    socket_timeout: pulumi.Output[int]
    icon: pulumi.Output[str]
    verify: pulumi.Output[bool]

    def __init__(self, resource_name: str, args: ConnectionArgs | None = None,
                 opts: pulumi.ResourceOptions | None = None, **kwargs: Any) -> None:
        """``Connection("weather", name=..., system_type="DATA_SYSTEM", request=ConnectionRequestArgs(...))``;
        the keyword arguments are those of :class:`ConnectionArgs` and override ``args``."""
        super().__init__(resource_name, merge_args(ConnectionArgs, args, kwargs), opts)


# --------------------------------------------------------------------------------------------------
# Decision model, its variants and its deployment
# --------------------------------------------------------------------------------------------------


@dataclass
class DeployedVariant:
    """One variant in a deployment: ``DeployedVariant(variant=v, split=100, status="PRODUCTION")``
    takes the variant's ref and its current revision, so an edited variant rolls out in the same
    ``up``. Without ``variant``, give ``variant_ref`` and ``variant_revision``."""

    split: pulumi.Input[int]
    """Percentage of traffic; the splits of a deployment add up to 100."""
    status: pulumi.Input[str] = "DRAFT"
    """DRAFT, TEST or PRODUCTION."""
    variant: Any = None
    """A :class:`DecisionModelVariant` resource."""
    variant_ref: pulumi.Input[str] | None = None
    variant_revision: pulumi.Input[int] | None = None

    def __post_init__(self) -> None:
        if self.variant is not None:
            self.variant_ref = self.variant.ref
            self.variant_revision = self.variant.revision
            self.variant = None  # not part of the wire shape


@dataclass
class DeploymentConfigurationArgs:
    """The decision model's ``deploymentConfiguration``."""

    variants: Sequence[DeployedVariant | Mapping[str, Any]] = ()


@dataclass
class DecisionModelArgs(_KeyedArgs):
    """Arguments of a :class:`DecisionModel`."""

    name: pulumi.Input[str] | None = None
    """Display name of the decision model (archiving renames it ``<name> - archived <date>``)."""
    deployment_configuration: pulumi.Input[DeploymentConfigurationArgs | Mapping[str, Any]] | None = None
    """Which variant revisions are deployed, with which split and status. Leave it out when a
    :class:`DecisionModelDeployment` (or the UI) owns the deployment: it is then kept as it is."""


class DecisionModel(EngineResource, module="sitecore", name="DecisionModel"):
    """A Sitecore Personalize decision model. Status lives per deployed variant, not on the model.
    Destroy archives it."""

    _spec = DECISION_MODEL

    ref: pulumi.Output[str]
    revision: pulumi.Output[int]
    """The service's revision number."""
    name: pulumi.Output[str]
    deployment_configuration: pulumi.Output[dict[str, Any] | None]

    def __init__(self, resource_name: str, args: DecisionModelArgs | None = None,
                 opts: pulumi.ResourceOptions | None = None, **kwargs: Any) -> None:
        """Keyword arguments are those of :class:`DecisionModelArgs`."""
        super().__init__(resource_name, merge_args(DecisionModelArgs, args, kwargs), opts)


@dataclass
class DecisionModelVariantArgs(_Args):
    """Arguments of a :class:`DecisionModelVariant`."""

    name: pulumi.Input[str] | None = None
    """Display name of the variant."""
    decision_model: pulumi.Input[str] | None = None
    """The parent decision model's ref (``model.ref``). Changing it replaces the variant."""
    definition: pulumi.Input[str] | None = None
    """The decision canvas as a DMN XML document (or ``definition_file=`` a path)."""


class DecisionModelVariant(EngineResource, module="sitecore", name="DecisionModelVariant"):
    """A variant of a decision model: its DMN definition. Deploy it with :class:`DecisionModelDeployment`.
    Destroy archives it."""

    _spec = DECISION_MODEL_VARIANT

    ref: pulumi.Output[str]
    revision: pulumi.Output[int]
    """The variant's revision: what a deployment deploys (``DeployedVariant(variant=...)``)."""
    name: pulumi.Output[str]
    decision_model: pulumi.Output[str]
    definition: pulumi.Output[str]

    def __init__(self, resource_name: str, args: DecisionModelVariantArgs | None = None,
                 opts: pulumi.ResourceOptions | None = None, *,
                 base_dir: str | os.PathLike[str] | None = None, **kwargs: Any) -> None:
        """Keyword arguments are those of :class:`DecisionModelVariantArgs`, plus ``definition_file``:
        a path read now, relative to ``base_dir`` (default: the working directory, the project's)."""
        path = kwargs.pop("definition_file", None)
        if path is not None:
            if kwargs.get("definition") is not None:
                raise TypeError("give either definition= or definition_file=, not both")
            kwargs["definition"] = _read_file(path, base_dir)
        super().__init__(resource_name, merge_args(DecisionModelVariantArgs, args, kwargs), opts)


@dataclass
class DecisionModelDeploymentArgs(EngineArgs):
    """Arguments of a :class:`DecisionModelDeployment`."""

    decision_model: pulumi.Input[str] | None = None
    """The decision model's ref. Changing it replaces the deployment."""
    variants: pulumi.Input[Sequence[DeployedVariant | Mapping[str, Any]]] | None = None
    """The deployed variants; the splits add up to 100."""


class DecisionModelDeployment(EngineResource, module="sitecore", name="DecisionModelDeployment"):
    """A decision model's deployment configuration, as its own resource (the model and its variants
    exist first). Destroy takes every variant out of the deployment."""

    _spec = DECISION_MODEL_DEPLOYMENT

    revision: pulumi.Output[int]
    """The decision model's revision after the deployment."""
    decision_model: pulumi.Output[str]
    variants: pulumi.Output[list[dict[str, Any]]]

    def __init__(self, resource_name: str, args: DecisionModelDeploymentArgs | None = None,
                 opts: pulumi.ResourceOptions | None = None, **kwargs: Any) -> None:
        """Keyword arguments are those of :class:`DecisionModelDeploymentArgs`."""
        super().__init__(resource_name, merge_args(DecisionModelDeploymentArgs, args, kwargs), opts)


# --------------------------------------------------------------------------------------------------
# Flow definition
# --------------------------------------------------------------------------------------------------


@dataclass
class FlowDefinitionArgs(_KeyedArgs):
    """Arguments of a :class:`FlowDefinition` (the wire shapes, snake_case). The builders in
    ``pulumi_personalize.sitecore.flows`` write these for you."""

    name: pulumi.Input[str] | None = None
    """Display name of the flow."""
    friendly_id: pulumi.Input[str] | None = None
    """Lowercase letters, digits and underscores; unique, and reserved even after archiving.
    Changing it replaces the flow."""
    type: pulumi.Input[str] | None = None
    """INTERACTIVE_WEB_FLOW, INTERACTIVE_API_FLOW or TRIGGERED_V3. Changing it replaces the flow
    (with a new friendly_id)."""
    subtype: pulumi.Input[str] | None = None
    """EXPERIENCE (default) or EXPERIMENT."""
    channels: pulumi.Input[Sequence[str]] | None = None
    """CALL_CENTER, EMAIL, MOBILE_APP, MOBILE_WEB, PUSH_NOTIFICATION, SMS, WEB (web flows default to WEB)."""
    business_process: pulumi.Input[str] | None = None
    """Default from the type: interactive_v1 (web, API) or triggered_v1 (triggered)."""
    status: pulumi.Input[str] | None = None
    """DRAFT (default), PRODUCTION or PAUSED. Flows are created in DRAFT and moved by PUTs."""
    schedule: pulumi.Input[Mapping[str, Any]] | None = None
    """``{"start_date": "2025-01-01T00:00:00.000Z", "end_date": ...}`` (simpleSchedule)."""
    traffic: pulumi.Input[Mapping[str, Any]] | None = None
    """``{"splits": [{"ref": <variant ref>, "split": 50}, ...], "allocation": 100}`` (simpleTraffic)."""
    variants: pulumi.Input[Sequence[Mapping[str, Any]]] | None = None
    """Variants with their tasks (``ref`` defaults to a stable id from friendly_id and name)."""
    sample_size_config: pulumi.Input[Mapping[str, Any]] | None = None
    """Experiments: ``{"base_value", "minimum_detectable_difference", "confidence_level"}``."""
    goals: pulumi.Input[Mapping[str, Any]] | None = None
    """Experiments: ``{"primary": {...goal...}, "secondary": [...]}``."""
    tags: pulumi.Input[Sequence[str]] | None = None
    """Tags of the flow."""


class FlowDefinition(EngineResource, module="sitecore", name="FlowDefinition"):
    """A Sitecore Personalize flow: a web, API or triggered experience or experiment.
    Destroy archives and pauses it. See ``sitecore.flows`` for the typed builders."""

    _spec = FLOW_DEFINITION

    ref: pulumi.Output[str]
    revision: pulumi.Output[int]
    name: pulumi.Output[str]
    friendly_id: pulumi.Output[str]
    type: pulumi.Output[str]
    subtype: pulumi.Output[str]
    channels: pulumi.Output[list[str]]
    business_process: pulumi.Output[str]
    status: pulumi.Output[str]
    """As declared, and as the service reports it after a refresh."""
    schedule: pulumi.Output[dict[str, Any]]
    traffic: pulumi.Output[dict[str, Any]]
    variants: pulumi.Output[list[dict[str, Any]]]
    sample_size_config: pulumi.Output[dict[str, Any] | None]
    goals: pulumi.Output[dict[str, Any] | None]
    tags: pulumi.Output[list[str] | None]

    def __init__(self, resource_name: str, args: FlowDefinitionArgs | None = None,
                 opts: pulumi.ResourceOptions | None = None, **kwargs: Any) -> None:
        """Keyword arguments are those of :class:`FlowDefinitionArgs`."""
        super().__init__(resource_name, merge_args(FlowDefinitionArgs, args, kwargs), opts)


# --------------------------------------------------------------------------------------------------
# Template
# --------------------------------------------------------------------------------------------------

_ELEMENTS = ("html", "css", "js", "freemarker")


@dataclass
class TemplateArgs(_KeyedArgs):
    """Arguments of a :class:`Template`. Code is given per element (``html=``, ``css=``, ``js=``,
    ``freemarker=``) as strings or as files (``html_file=`` ...), or as ``template_elements``."""

    name: pulumi.Input[str] | None = None
    """Display name of the template."""
    friendly_id: pulumi.Input[str] | None = None
    """Lowercase letters, digits and underscores. Changing it replaces the template."""
    type: pulumi.Input[str] | None = None
    """WEB, DECISION, CONDITION or JS_MODULE. Changing it replaces the template (with a new friendly_id)."""
    status: pulumi.Input[str] | None = None
    """DRAFT (default) or PUBLISHED. A published JS_MODULE cannot be changed again (a check failure)."""
    description: pulumi.Input[str] | None = None
    """What the template is for."""
    render: pulumi.Input[bool] | None = None
    """Whether the UI can preview it (default false; not for templates with handlebars loops)."""
    template_elements: pulumi.Input[Sequence[Mapping[str, Any]]] | None = None
    """``[{"id": "html", "template": "..."}, ...]``; ids html, css, js, freemarker."""
    tags: pulumi.Input[Sequence[str]] | None = None
    """Tags of the template."""


class Template(EngineResource, module="sitecore", name="Template"):
    """A Sitecore Personalize template (web, decision, condition or JS module)."""

    _spec = TEMPLATE

    ref: pulumi.Output[str]
    revision: pulumi.Output[int]
    """The service's revision number, incremented on each update."""
    name: pulumi.Output[str]
    friendly_id: pulumi.Output[str]
    type: pulumi.Output[str]
    status: pulumi.Output[str]
    description: pulumi.Output[str]
    render: pulumi.Output[bool]
    template_elements: pulumi.Output[list[dict[str, Any]]]
    tags: pulumi.Output[list[str] | None]

    def __init__(self, resource_name: str, args: TemplateArgs | None = None,
                 opts: pulumi.ResourceOptions | None = None, *,
                 base_dir: str | os.PathLike[str] | None = None, **kwargs: Any) -> None:
        """Keyword arguments are those of :class:`TemplateArgs`, plus ``html``, ``css``, ``js`` and
        ``freemarker`` (code) and ``html_file`` ... ``freemarker_file`` (paths read now, relative to
        ``base_dir``; default the working directory, which for ``pulumi up`` is the project's)."""
        elements: list[Mapping[str, Any]] = []
        for element in _ELEMENTS:
            code = kwargs.pop(element, None)
            path = kwargs.pop(f"{element}_file", None)
            if code is not None and path is not None:
                raise TypeError(f"give either {element}= or {element}_file=, not both")
            if path is not None:
                code = _read_file(path, base_dir)
            if code is not None:
                elements.append({"id": element, "template": code})
        if elements:
            if kwargs.get("template_elements") is not None:
                raise TypeError("give the code either per element (html=, ...) or as template_elements=")
            kwargs["template_elements"] = elements
        super().__init__(resource_name, merge_args(TemplateArgs, args, kwargs), opts)

    def element(self, element_id: str) -> pulumi.Output[str]:
        """One element's code (``"html"``, ``"css"``, ``"js"``, ``"freemarker"``), ``""`` if absent."""
        return self.template_elements.apply(
            lambda items: next((str(e.get("template")) for e in items or [] if e.get("id") == element_id), "")
        )
