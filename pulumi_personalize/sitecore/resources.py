"""Sitecore Personalize resources: one declaration per resource, over the engine.

Each ``declare(...)`` below is the whole resource (spec, arguments, outputs, destroy, adoption); the
typed ``*Args`` and resource classes are generated from them into ``_generated.py``
(``.venv/bin/python scripts/gen_resources.py``), the reference pages by ``scripts/gen_docs.py``.

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
from pathlib import Path
from typing import Any

import pulumi
from pydantic import BaseModel

from ..engine import Json, ResourceSpec, contains_unknown
from ..engine._spec import Arg, Out, Shape, declare
from . import api
from ._consequences import revised, template_consequences
from .models import (
    ConnectionAuth,
    ConnectionInputs,
    ConnectionRequest,
    DecisionModelDeploymentInputs,
    DecisionModelInputs,
    DecisionModelVariantInputs,
    DeployedVariantInputs,
    DeploymentConfiguration,
    FlowDefinitionInputs,
    TemplateInputs,
    is_archived,
)

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


def _sitecore(label: str, endpoints: Any, outputs: Any = _ref_revision, **extra: Any) -> dict[str, Any]:
    """What the resources share: the id is the ref (``adopt_ref``), an archived object counts as
    deleted, and the wire shapes are the models' own."""
    return {"module": _MODULE, "label": label, "connect": api.connect, "endpoints": endpoints, "outputs": outputs,
            "id_of": lambda live: str(live["ref"]), "id_name": "ref", "is_deleted": is_archived,
            "to_wire": _to_wire, "from_wire": _from_wire, "consequences": revised, **extra}


class FileArgumentError(pulumi.RunError):
    """A ``*_file=`` argument names a file that cannot be read. A ``RunError``, so the program stops
    with this message alone, which names the resource, the argument and the full path."""


def _read_file(resource: str, arg: str, path: str | os.PathLike[str], base_dir: str | os.PathLike[str] | None) -> str:
    # Files are read in the program (whose working directory is the Pulumi project), so the
    # provider only ever sees strings, and a preview diffs the content itself.
    full = Path(path)
    if not full.is_absolute():
        full = (Path(base_dir) if base_dir is not None else Path.cwd()) / full
    try:
        return full.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        why = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise FileArgumentError(f"{resource}: {arg}={str(path)!r} cannot be read from {full}: {why}") from None


def _ref(what: str) -> Out:
    return Out("ref", "str", f"The {what}'s ref (the resource's id).")


def _revision(doc: str = "The service's revision number, incremented on each update.") -> Out:
    return Out("revision", "int", doc)




def _named(what: str, note: str = "") -> Arg:
    """The display name every Sitecore object has; ``note`` is what a reader must also know about it."""
    return Arg("name", f"Display name of the {what}{note}.")


# --------------------------------------------------------------------------------------------------
# Connection
# --------------------------------------------------------------------------------------------------

CONNECTION_AUTH = Shape(
    "ConnectionAuthArgs", "The connection's ``auth``. Secret as a whole in state and outputs (it holds the "
    "credentials).", model=ConnectionAuth, fields=(
        Arg("auth_type", "NONE or OAUTH (the types Sitecore documents); another upper-case type is sent as "
            "written."),
        Arg("client_id", "OAuth client id."),
        Arg("client_secret", "OAuth client secret (sent as ``clientSecret``; the key name is unconfirmed)."),
        Arg("access_token_url", "OAuth token endpoint, https://."),
        Arg("use_mutual_tls", "OAuth over mutual TLS."),
        Arg("oauth_custom_headers", "Headers sent with the token request."),
        Arg("form_url_encoded_items", "Extra form items of the token request."),
        Arg("username", "For auth types beyond NONE/OAUTH (unconfirmed in Sitecore's documentation)."),
        Arg("password", "For auth types beyond NONE/OAUTH (unconfirmed)."),
        Arg("api_key", "For auth types beyond NONE/OAUTH (unconfirmed; sent as ``apiKey``)."),
    ))
CONNECTION_REQUEST = Shape(
    "ConnectionRequestArgs", "The connection's ``request``: the call Sitecore makes to the external system.",
    model=ConnectionRequest, fields=(
        Arg("connection_url", "URL of the external system (http:// or https://; may hold ``${var}`` "
            "placeholders)."),
        Arg("request_type", "HTTP method: GET, POST, PUT, PATCH or DELETE."),
        Arg("request_body", "Body sent (stringified JSON; may hold ``${var}`` placeholders)."),
    ))

CONNECTION = declare(
    name="sitecore.Connection", inputs=ConnectionInputs, natural_key="name", claim_twins=True,
    **_sitecore("connection", api.Connections()),
    cls="Connection", doc="A Sitecore Personalize connection to an external system. Destroy archives it.",
    args=(
        _named("connection", " (unique among live connections)"),
        Arg("system_type", "DATA_SYSTEM or DESTINATION."),
        Arg("request", "The call to the external system.",
            arg="pulumi.Input[ConnectionRequestArgs | Mapping[str, Any]]"),
        Arg("auth", "How Sitecore authenticates to the external system (default: NONE).",
            arg="pulumi.Input[ConnectionAuthArgs | Mapping[str, Any]]", secret=True),
        Arg("description", "What the connection is for."),
        Arg("input_mappings", "Input mappings, as the Sitecore API spells them (``{label, key, type, "
            "...}``)."),
        Arg("output_mappings", "Output mappings, as the Sitecore API spells them (``{label, "
            "outputReference, type}``)."),
        Arg("custom_headers", "Headers sent to the external system (``{name, value}``; values may hold "
            "placeholders)."),
        Arg("url_parameters", "URL parameters, as the Sitecore API spells them."),
        Arg("connection_timeout", "Milliseconds before the connection times out (default 1000, the "
            "service's)."),
        Arg("socket_timeout", "Milliseconds to wait for each packet (default 1000, the service's)."),
        Arg("icon", "Icon shown in the UI (default the plug icon, the service's)."),
        Arg("verify", "Test the connection (``POST /v2/connections/testConnection``) before each create and "
            "update; a test whose external system does not answer 2xx fails the operation and nothing is saved."),
    ),
    shapes=(CONNECTION_REQUEST, CONNECTION_AUTH),
    computed=(_ref("connection"), _revision()),
    destroy="Archives the connection (`PUT` with `archived: true`; the API has no DELETE). A later create with the "
    "same name takes the archived one over and unarchives it, so its ref survives.",
    adoption='''\
weather = sc.Connection(
    "weather",
    name="Weather service",
    system_type="DATA_SYSTEM",
    request=sc.ConnectionRequestArgs(connection_url="https://weather.example.com/v1/current"),
    adopt_ref="0f6c2a8e-51b4-4d0e-9a57-3c1f5e2b7d90",  # the connection's ref
)''',
)


# --------------------------------------------------------------------------------------------------
# Decision model, its variants and its deployment
# --------------------------------------------------------------------------------------------------


def deployed_variant_post_init(deployed: Any) -> None:
    """``DeployedVariant(variant=v)``: the variant's ref and current revision, not the resource."""
    if deployed.variant is not None:
        deployed.variant_ref = deployed.variant.ref
        deployed.variant_revision = deployed.variant.revision
        deployed.variant = None  # not part of the wire shape


DEPLOYED_VARIANT = Shape(
    "DeployedVariant", "One variant in a deployment: ``DeployedVariant(variant=v, split=100, status=\"PRODUCTION\")`` "
    "takes the variant's ref and its current revision, so an edited variant rolls out in the same ``up``. Without "
    "``variant``, give ``variant_ref`` and ``variant_revision``.", model=DeployedVariantInputs,
    post_init="deployed_variant_post_init", fields=(
        Arg("split", "Percentage of traffic; the splits of a deployment add up to 100."),
        Arg("status", "DRAFT, TEST or PRODUCTION."),
        Arg("variant", "A :class:`DecisionModelVariant` resource.", arg="DecisionModelVariant", program_only=True),
        Arg("variant_ref", "The variant's ref (without ``variant``).", required=False),
        Arg("variant_revision", "The variant's revision to deploy (without ``variant``).", required=False),
    ))
DEPLOYMENT_CONFIGURATION = Shape(
    "DeploymentConfigurationArgs", "The decision model's ``deploymentConfiguration``.", model=DeploymentConfiguration,
    fields=(Arg("variants", "The deployed variants.", arg="Sequence[DeployedVariant | Mapping[str, Any]]"),))

DECISION_MODEL = declare(
    name="sitecore.DecisionModel", inputs=DecisionModelInputs, natural_key="name", claim_twins=True,
    kept_on_refresh=("revision",),  # a DecisionModelDeployment bumps it: no drift of the model
    **_sitecore("decision model", api.DecisionModels()),
    cls="DecisionModel", doc="A Sitecore Personalize decision model. Status lives per deployed variant, not on the "
    "model. Destroy archives it.",
    args=(
        _named("decision model", " (archiving renames it ``<name> - archived <date>``)"),
        Arg("deployment_configuration", "Which variant revisions are deployed, with which split and "
            "status. Leave it out when a :class:`DecisionModelDeployment` (or the UI) owns the deployment: it is then "
            "kept as it is.", arg="pulumi.Input[DeploymentConfigurationArgs | Mapping[str, Any]]"),
    ),
    shapes=(DEPLOYMENT_CONFIGURATION, DEPLOYED_VARIANT),
    computed=(_ref("decision model"), _revision("The model's revision after this resource's last create or "
                                                "update; a refresh keeps it (a :class:`DecisionModelDeployment` moves "
                                                "the service's, and its own ``revision`` is the model's current one).")),
    destroy="Archives the decision model (`PUT` with `archived: true`); the service renames it `<name> - archived "
    "<date>`. A later create with the same name still finds it, takes it over and unarchives it under its name.",
    adoption='''\
offers = sc.DecisionModel(
    "next-best-offer",
    name="Next best offer",
    adopt_existing=True,  # the decision model named "Next best offer", if there is one
)''',
)


def variant_definition(
    values: dict[str, Any], base_dir: str | os.PathLike[str] | None, resource_name: str
) -> dict[str, Any]:
    """``definition_file=``: the DMN document read now, relative to ``base_dir``."""
    path = values.pop("definition_file", None)
    if path is not None:
        if values.get("definition") is not None:
            raise TypeError("give either definition= or definition_file=, not both")
        values["definition"] = _read_file(f"sc.DecisionModelVariant {resource_name!r}", "definition_file", path, base_dir)
    return values


DECISION_MODEL_VARIANT = declare(
    name="sitecore.DecisionModelVariant", inputs=DecisionModelVariantInputs,
    **_sitecore("decision model variant", api.DecisionModelVariants()),
    import_id="the variant's ref alone: ``GET /v2/decisionModelVariants/{ref}`` answers without its parent and names it "
    "(``decisionModelDefinitionRef``)",
    cls="DecisionModelVariant", doc="A variant of a decision model: its DMN definition. Deploy it with "
    ":class:`DecisionModelDeployment`. Destroy archives it.",
    args=(
        _named("variant"),
        Arg("decision_model", "The parent decision model's ref (``model.ref``). Changing it replaces the "
            "variant.", replaces=True),
        Arg("definition", "The decision canvas as a DMN XML document (or ``definition_file=`` a path). A small "
            "decision table: ``examples/sitecore-experiences/decisions/next-best-offer.dmn``.", required=False),
        Arg("definition_file", "A path to the DMN document, read now, relative to ``base_dir`` (default: the "
            "working directory, the project's).", arg="str | os.PathLike[str]", program_only=True),
    ),
    prepare="variant_definition",
    init_doc="``definition_file`` is a path read now, relative to ``base_dir`` (default: the working directory, "
    "the project's).",
    computed=(_ref("variant"), _revision("The variant's revision: what a deployment deploys "
                                         "(``DeployedVariant(variant=...)``).")),
    destroy="Archives the variant (`PUT /v2/decisionModelVariants/{ref}` with `archived: true`). Its deployment goes "
    "first when it is in the same stack.",
    adoption='''\
baseline = sc.DecisionModelVariant(
    "baseline",
    name="Baseline",
    decision_model=offers.ref,  # must be the existing variant's model
    definition_file="decisions/baseline.dmn",
    adopt_ref="5c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f",
)''',
)

DECISION_MODEL_DEPLOYMENT = declare(
    name="sitecore.DecisionModelDeployment", inputs=DecisionModelDeploymentInputs, adoptable=False,
    **_sitecore("decision model deployment", api.DecisionModelDeployments(),
                outputs=lambda live: {"revision": live.get("revision")}),
    import_id="the decision model's ref (a deployment is part of its model)",
    cls="DecisionModelDeployment", doc="A decision model's deployment configuration, as its own resource (the model "
    "and its variants exist first). Destroy takes every variant out of the deployment.",
    args=(
        Arg("decision_model", "The decision model's ref. Changing it replaces the deployment.", replaces=True),
        Arg("variants", "The deployed variants; the splits add up to 100.",
            arg="pulumi.Input[Sequence[DeployedVariant | Mapping[str, Any]]]"),
    ),
    shapes=(DEPLOYED_VARIANT,),
    computed=(_revision("The decision model's revision after the deployment."),),
    destroy="Takes every variant out of the model's deployment (`variants: []`); an archived model is left alone.",
    adoption="Nothing to adopt: the deployment is part of its decision model, and this resource takes it over on "
    "create (the program's variants replace the deployed ones).",
)


# --------------------------------------------------------------------------------------------------
# Flow definition
# --------------------------------------------------------------------------------------------------

FLOW_DEFINITION = declare(
    name="sitecore.FlowDefinition", inputs=FlowDefinitionInputs, natural_key="friendly_id", claim_twins=True,
    owner_tags="tags",  # the managing stack's tag (docs/facts/sitecore.md#stack-tag)
    check_change=_new_key_with_new_type("flow definition"), **_sitecore("flow definition", api.FlowDefinitions()),
    cls="FlowDefinition", doc="A Sitecore Personalize flow: a web, API or triggered experience or experiment. Destroy "
    "archives and pauses it. See ``sitecore.flows`` for the typed builders.",
    args=(
        _named("flow"),
        Arg("friendly_id", "Lowercase letters, digits and underscores; unique, and reserved even after "
            "archiving. Changing it replaces the flow.", replaces=True),
        Arg("type", "INTERACTIVE_WEB_FLOW, INTERACTIVE_API_FLOW or TRIGGERED_V3. Changing it replaces the flow "
            "(with a new friendly_id).", replaces=True),
        Arg("subtype", "EXPERIENCE (default) or EXPERIMENT."),
        Arg("channels", "CALL_CENTER, EMAIL, MOBILE_APP, MOBILE_WEB, PUSH_NOTIFICATION, SMS, WEB (web "
            "flows default to WEB).", required=False),
        Arg("business_process", "Default from the type: interactive_v1 (web, API) or triggered_v1 "
            "(triggered).", required=False),
        Arg("status", "DRAFT (default), PRODUCTION or PAUSED. Flows are created in DRAFT and moved by PUTs; "
            "as the service reports it after a refresh."),
        Arg("schedule", "``{\"start_date\": \"2025-01-01T00:00:00.000Z\", \"end_date\": ...}`` "
            "(simpleSchedule).", kw_only=True),
        Arg("traffic", "``{\"splits\": [{\"ref\": <variant ref>, \"split\": 50}, ...], "
            "\"allocation\": 100}`` (simpleTraffic)."),
        Arg("variants", "Variants with their tasks (``ref`` defaults to a stable id from "
            "friendly_id and name)."),
        Arg("sample_size_config", "``{\"base_value\", \"minimum_detectable_difference\", "
            "\"confidence_level\"}``: required on experiments; on experiences left out, a create sends "
            "Sitecore's example (0.02, 0.2, 0.95) and an update keeps the live value."),
        Arg("goals", "Experiments: ``{\"primary\": {...goal...}, \"secondary\": [...]}``."),
        Arg("tags", "Tags of the flow."),
    ),
    computed=(_ref("flow"), _revision()),
    destroy="Archives and pauses the flow (`archived: true`, `status: PAUSED`). Its `friendly_id` stays taken: a "
    "later create with the same friendly_id and type takes the archived flow over and restores it (DRAFT, then the "
    "declared status); one of another type is refused, and the error says so. A flow another stack manages now "
    "(its `pulumi-stack:` tag) is left as it is and only leaves this stack's state, with a warning.",
    adoption='''\
banner = flows.web_experience(
    "welcome-banner",
    name="Welcome banner",
    friendly_id="welcome_banner",
    start_date="2025-01-01T00:00:00.000Z",
    variant=flows.Variant("Welcome", html="<p>Welcome back</p>"),
    adopt_ref="7d3e9b1c-2a4f-4e8d-b6c5-0a9f8e7d6c5b",  # or adopt_existing=True: the flow with this friendly_id
)''',
)


# --------------------------------------------------------------------------------------------------
# Template
# --------------------------------------------------------------------------------------------------

_ELEMENTS = ("html", "css", "js", "freemarker")


def template_code(
    values: dict[str, Any], base_dir: str | os.PathLike[str] | None, resource_name: str
) -> dict[str, Any]:
    """``html=`` ... ``freemarker=`` (code) and ``html_file=`` ... (paths read now) -> ``template_elements``."""
    elements: list[Mapping[str, Any]] = []
    for element in _ELEMENTS:
        code = values.pop(element, None)
        path = values.pop(f"{element}_file", None)
        if code is not None and path is not None:
            raise TypeError(f"give either {element}= or {element}_file=, not both")
        if path is not None:
            code = _read_file(f"sc.Template {resource_name!r}", f"{element}_file", path, base_dir)
        if code is not None:
            elements.append({"id": element, "template": code})
    if elements:
        if values.get("template_elements") is not None:
            raise TypeError("give the code either per element (html=, ...) or as template_elements=")
        values["template_elements"] = elements
    return values


class TemplateMethods:
    """What a :class:`Template` offers beyond its arguments and outputs."""

    template_elements: pulumi.Output[list[dict[str, Any]]]

    def element(self, element_id: str) -> pulumi.Output[str]:
        """One element's code (``"html"``, ``"css"``, ``"js"``, ``"freemarker"``), ``""`` if absent."""
        return self.template_elements.apply(
            lambda items: next((str(e.get("template")) for e in items or [] if e.get("id") == element_id), "")
        )


def _code_args() -> tuple[Arg, ...]:
    code = [Arg(e, f"The {e} element's code.", type="str", program_only=True) for e in _ELEMENTS]
    files = [Arg(f"{e}_file", f"A path to the {e} element's code, read now, relative to ``base_dir``.",
                 arg="str | os.PathLike[str]", program_only=True) for e in _ELEMENTS]
    return (*code, *files)


TEMPLATE = declare(
    name="sitecore.Template", inputs=TemplateInputs, natural_key="friendly_id", claim_twins=True,
    owner_tags="tags",  # the managing stack's tag (docs/facts/sitecore.md#stack-tag)
    check_change=_template_change, **_sitecore("template", api.Templates(), consequences=template_consequences),
    cls="Template", doc="A Sitecore Personalize template (web, decision, condition or JS module).",
    args=(
        _named("template"),
        Arg("friendly_id", "Lowercase letters, digits and underscores. Changing it replaces the template.",
            replaces=True),
        Arg("type", "WEB, DECISION, CONDITION or JS_MODULE. Changing it replaces the template (with a new "
            "friendly_id).", replaces=True),
        Arg("status", "DRAFT (default) or PUBLISHED. A published JS_MODULE cannot be changed again (a check "
            "failure)."),
        Arg("description", "What the template is for."),
        Arg("render", "Whether the UI can preview it (default false; not for templates with handlebars "
            "loops)."),
        Arg("template_elements", "``[{\"id\": \"html\", \"template\": \"...\"}, ...]``; ids "
            "html, css, js, freemarker."),
        Arg("tags", "Tags of the template."),
        Arg("verify", "Render the code (``POST /v3/templates/process``, parameters at their defaults) before each "
            "create and update; code the service cannot render fails the operation with the service's message, "
            "and nothing is saved."),
        *_code_args(),
    ),
    prepare="template_code", methods="TemplateMethods",
    init_doc="Code is given per element (``html=``, ``css=``, ``js=``, ``freemarker=``) as strings or as files "
    "(``html_file=`` ..., paths read now, relative to ``base_dir``; default the working directory, which for "
    "``pulumi up`` is the project's), or as ``template_elements``.",
    computed=(_ref("template"), _revision()),
    destroy="Archives the template (`archived: true`, a field every template carries). Archive semantics of templates "
    "are unconfirmed: if the service refuses, the template is dropped from the state and **left in Sitecore**, with a "
    "warning naming it and the `adopt_ref=` that adopts it again. A template another stack manages now (its "
    "`pulumi-stack:` tag) is left as it is and only leaves this stack's state, with a warning.",
    adoption='''\
banner = sc.Template(
    "rain-banner",
    name="Rain banner",
    friendly_id="rain_banner",
    type="WEB",  # must be the existing template's type
    html_file="templates/rain-banner.html",
    adopt_ref="3b2a1c0d-9e8f-4a7b-8c6d-5e4f3a2b1c0d",
)''',
)


def __getattr__(name: str) -> Any:
    """The generated classes stay reachable here (``resources.Connection``), where they used to be written."""
    from . import _generated

    if name in _generated.__all__:
        return getattr(_generated, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
