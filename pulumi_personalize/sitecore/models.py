"""Pydantic models of the Sitecore Personalize objects, on the live API's shapes.

The contract is ``docs/facts/sitecore.md`` (the live service as this project knows it). Input
field names are snake_case (the Pulumi properties, kept in state); the wire names are the service's
camelCase (``alias_generator``). Every model is strict (``extra="forbid"``) so a misspelt argument is a
check failure; reading a live object (``from_wire``) drops the keys a model does not know instead
(server-owned fields such as ``traffic.modifiedAt``, or fields a newer service adds).

Fields the service owns (``SERVER_FIELDS``) are never declared, never diffed and never sent back:
an update is the live object, minus those, with the declared fields applied.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic.alias_generators import to_camel

from ..facts import sitecore as facts
from ..facts.sitecore import (
    Channel,
    DeploymentStatus,
    ElementId,
    FlowStatus,
    FlowSubtype,
    RequestType,
    SystemType,
    TemplateStatus,
    TemplateType,
)

# Every field the service owns on one of these objects (docs/facts/sitecore.md#conventions).
SERVER_FIELDS = frozenset({
    "ref", "href", "clientKey", "revision", "modifiedAt", "modifiedByRef", "modifiedByUserRef",
    "transpiledVariants", "transpiledDefinition", "revisions",
})
# The decision model's ``variants`` is a server-owned link object ({href}); a flow's ``variants``
# is a declared list. Which of the two a key is depends on the resource: see ``strip_server_fields``.
DECISION_MODEL_LINKS = frozenset({"variants", "revisions"})

FRIENDLY_ID_RE = re.compile(r"^[a-z0-9_]+$")
ARCHIVED_NAME_RE = re.compile(r" - archived \d{4}-\d{2}-\d{2} \d{2}:\d{2}$")
"""The suffix the service appends to a decision model's name when it is archived (docs/facts/sitecore.md#decision-models)."""

DEFAULT_TIMEOUT_MS = 1000
DEFAULT_ICON = "assets/images/icons/connections/plug.svg"
# A service that hides credentials answers with a mask (or nothing) instead of the value.
_MASKS = frozenset({"", "*", "***", "****", "********", "<redacted>", "[redacted]", "REDACTED"})
# Namespace of the refs we give flow variants: stable across runs, so traffic splits can name them.
VARIANT_REF_NAMESPACE = uuid.UUID("5b0f7c1e-2f57-4d0c-9a43-5e1a2f1f5a11")


def _upper(value: Any) -> Any:
    return value.upper() if isinstance(value, str) else value


def strip_server_fields(live: Mapping[str, Any], *, links: Iterable[str] = ()) -> dict[str, Any]:
    """The live object without what the service owns (what a full PUT starts from)."""
    drop = SERVER_FIELDS | frozenset(links)
    return {k: v for k, v in live.items() if k not in drop}


class _Model(BaseModel):
    """Strict on input; lenient when reading the live object (``context={"from_wire": True}``)."""

    model_config = ConfigDict(extra="forbid", frozen=True, alias_generator=to_camel, populate_by_name=True,
                              use_attribute_docstrings=True)  # the docstrings are the reference's descriptions

    @model_validator(mode="before")
    @classmethod
    def _known_keys_only_from_wire(cls, data: Any, info: ValidationInfo) -> Any:
        if info.context and info.context.get("from_wire") and isinstance(data, Mapping):
            known: set[str] = set()
            for name, f in cls.model_fields.items():
                known.update((name, f.alias or name))
            return {k: v for k, v in data.items() if k in known}
        return data

    def wire(self) -> dict[str, Any]:
        """The service's JSON for this object (camelCase, ``None`` left out)."""
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)


def read_wire(model: type[_Model], live: Mapping[str, Any]) -> dict[str, Any]:
    """Inputs (snake_case) as a live object states them; unknown keys dropped, not refused.

    An object that does not fit the model (a field missing) still yields its top-level fields
    under their input names, so a look at its key and type works; validating that result fails
    where it must (the engine then keeps the inputs it knew)."""
    try:
        return model.model_validate(live, context={"from_wire": True}).model_dump(mode="json", exclude_none=True)
    except ValidationError:
        return {name: live[f.alias or name] for name, f in model.model_fields.items()
                if live.get(f.alias or name) is not None}


def _friendly_id(value: str) -> str:
    if not FRIENDLY_ID_RE.match(value):
        raise ValueError("must be lowercase letters, digits and underscores only (^[a-z0-9_]+$)")
    return value


# --------------------------------------------------------------------------------------------------
# Connection (/v2/connections)
# --------------------------------------------------------------------------------------------------

OBSERVED_AUTH_TYPES = facts.AUTH_TYPES
_AUTH_TYPE_RE = re.compile(r"^[A-Z][A-Z0-9_]*$")
# Credentials inside ``auth``. Only ``clientSecret`` has a documented use (OAuth, docs/facts/sitecore.md#connections);
# its key name is unconfirmed: we send ``clientSecret`` (camelCase, beside ``clientId``). ``password``
# and ``apiKey`` are for auth types the service may have beyond NONE/OAUTH (unconfirmed).
AUTH_SECRET_FIELDS = ("client_secret", "password", "api_key")


class ConnectionAuth(_Model):
    """The connection's ``auth`` object."""

    auth_type: str = "NONE"
    """NONE or OAUTH (observed). Another upper-case type is passed through as written, its
    credentials unchecked: the service is the judge of types the documentation does not list."""
    client_id: str | None = None
    """OAuth client id."""
    client_secret: str | None = None
    """OAuth client secret (sent as ``clientSecret``; the key name is unconfirmed)."""
    access_token_url: str | None = None
    """OAuth token endpoint, https://."""
    use_mutual_tls: bool | None = None
    """OAuth over mutual TLS."""
    oauth_custom_headers: list[dict[str, Any]] | None = None
    """Headers of the token request."""
    form_url_encoded_items: list[dict[str, Any]] | None = None
    """Extra form items of the token request."""
    username: str | None = None
    """For an auth type beyond NONE/OAUTH (unconfirmed)."""
    password: str | None = None
    """For an auth type beyond NONE/OAUTH (unconfirmed)."""
    api_key: str | None = None
    """For an auth type beyond NONE/OAUTH (unconfirmed; sent as ``apiKey``)."""

    _upper_type = field_validator("auth_type", mode="before")(_upper)

    @field_validator("auth_type")
    @classmethod
    def _auth_type(cls, value: str) -> str:
        if not _AUTH_TYPE_RE.match(value):
            raise ValueError(f"must be one of {', '.join(OBSERVED_AUTH_TYPES)} (or another upper-case auth type)")
        return value

    @field_validator("access_token_url")
    @classmethod
    def _token_url_https(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith("https://"):
            raise ValueError("must be an https:// URL")
        return value

    @model_validator(mode="after")
    def _credentials_fit_the_type(self, info: ValidationInfo) -> ConnectionAuth:
        if info.context and info.context.get("from_wire"):
            return self  # what the service holds is what it holds
        oauth = ("client_id", "client_secret", "access_token_url")
        if self.auth_type == "OAUTH":
            missing = [f for f in oauth if not getattr(self, f)]
            if missing:
                raise ValueError(f"auth_type OAUTH needs {', '.join(missing)}")
        if self.auth_type == "NONE":
            stray = [f for f in (*oauth, "username", "password", "api_key") if getattr(self, f) is not None]
            if stray:
                raise ValueError(f"{', '.join(stray)} not used with auth_type NONE")
        return self


class ConnectionRequest(_Model):
    """The connection's ``request`` object: the call made to the external system."""

    request_type: RequestType = "GET"
    """The HTTP method of the call."""
    connection_url: str = Field(min_length=1)
    """URL of the external system; may hold ``${var}`` placeholders."""
    request_body: str | None = None
    """Stringified JSON; may hold ``${var}`` placeholders."""

    _upper_type = field_validator("request_type", mode="before")(_upper)

    @field_validator("connection_url")
    @classmethod
    def _absolute(cls, value: str) -> str:
        if not value.startswith(("https://", "http://")):
            raise ValueError("must be an absolute http(s):// URL")
        return value


class ConnectionInputs(_Model):
    """The desired state of a connection."""

    name: str = Field(min_length=1)
    description: str | None = None
    system_type: SystemType
    auth: ConnectionAuth = Field(default_factory=ConnectionAuth)
    request: ConnectionRequest
    input_mappings: list[dict[str, Any]] = Field(default_factory=list)
    output_mappings: list[dict[str, Any]] = Field(default_factory=list)
    custom_headers: list[dict[str, Any]] = Field(default_factory=list)
    url_parameters: list[dict[str, Any]] = Field(default_factory=list)
    connection_timeout: int = Field(default=DEFAULT_TIMEOUT_MS, ge=0)
    socket_timeout: int = Field(default=DEFAULT_TIMEOUT_MS, ge=0)
    icon: str = DEFAULT_ICON
    verify: bool = False
    """Ours, not the service's: test the connection (``testConnection``) before each save."""

    _upper_system = field_validator("system_type", mode="before")(_upper)

    LOCAL_FIELDS: ClassVar[frozenset[str]] = frozenset({"verify"})

    def to_api(self, live: Mapping[str, Any] | None = None) -> dict[str, Any]:
        body = strip_server_fields(live or {})
        body.pop("description", None)  # managed: removing it in the program removes it
        body.update(self.model_dump(mode="json", by_alias=True, exclude_none=True, exclude=set(self.LOCAL_FIELDS)))
        body["archived"] = False  # adopting or reviving an archived one unarchives it
        return body

    @classmethod
    def inputs_from_api(cls, live: Mapping[str, Any], previous: Mapping[str, Any]) -> dict[str, Any]:
        auth_live = dict(live.get("auth") or {}) if isinstance(live.get("auth"), Mapping) else {}
        if isinstance(auth_live.get("authType"), str):
            auth_live["authType"] = auth_live["authType"].upper()  # the attribute table writes "oauth"
        out = read_wire(cls, {**live, "auth": auth_live})
        old_auth = previous.get("auth") if isinstance(previous.get("auth"), Mapping) else {}
        auth = dict(out.get("auth") or {})
        for name in AUTH_SECRET_FIELDS:
            wire_key = to_camel(name)
            if auth_live.get(wire_key) in _MASKS or wire_key not in auth_live:
                # The service hides (or never returns) the secret: the last value we set stands.
                auth.pop(name, None)
                if isinstance(old_auth, Mapping) and old_auth.get(name) is not None:
                    auth[name] = old_auth[name]
        out["auth"] = auth
        out["verify"] = bool(previous.get("verify", False))
        return out


# --------------------------------------------------------------------------------------------------
# Decision models (/v2/decisionModelDefinitions) and their variants (/v2/decisionModelVariants)
# --------------------------------------------------------------------------------------------------

DeployedVariantStatus = DeploymentStatus


class DeployedVariantInputs(_Model):
    """One entry of a deployment configuration: which variant revision gets which share, in which status."""

    variant_ref: str = Field(min_length=1)
    """The variant's ref."""
    split: int = Field(ge=0, le=100)
    """Percentage of the audience; the splits of a deployment add up to 100."""
    status: DeployedVariantStatus = "DRAFT"
    """DRAFT, TEST or PRODUCTION (ARCHIVED as the service may report it)."""
    variant_revision: int = Field(ge=1)
    """The variant revision deployed."""

    _upper_status = field_validator("status", mode="before")(_upper)


def check_deployed_splits(variants: list[DeployedVariantInputs], where: str) -> None:
    if not variants:
        return
    total = sum(v.split for v in variants)
    if total != 100:
        raise ValueError(f"{where}: the splits must add up to 100, they add up to {total}")
    refs = [v.variant_ref for v in variants]
    repeated = sorted({r for r in refs if refs.count(r) > 1})
    if repeated:
        raise ValueError(f"{where}: each variant may be deployed once, repeated: {', '.join(repeated)}")


class DeploymentConfiguration(_Model):
    """The live ``deploymentConfiguration`` object."""

    variants: list[DeployedVariantInputs] = Field(default_factory=list)

    @model_validator(mode="after")
    def _splits(self) -> DeploymentConfiguration:
        check_deployed_splits(self.variants, "variants")
        return self


class DecisionModelInputs(_Model):
    """The desired state of a decision model. ``deployment_configuration`` is optional: when the
    program leaves it out, the model's deployment is not managed here (a ``DecisionModelDeployment``
    resource, or the UI, owns it) and updates keep the live one."""

    name: str = Field(min_length=1)
    deployment_configuration: DeploymentConfiguration | None = None

    def to_api(self, live: Mapping[str, Any] | None = None) -> dict[str, Any]:
        body = strip_server_fields(live or {}, links=DECISION_MODEL_LINKS)
        body["name"] = self.name
        if self.deployment_configuration is not None:
            body["deploymentConfiguration"] = self.deployment_configuration.wire()
        else:
            body.setdefault("deploymentConfiguration", {"variants": []})  # required on POST
        body["archived"] = False
        return body

    @classmethod
    def inputs_from_api(cls, live: Mapping[str, Any], previous: Mapping[str, Any]) -> dict[str, Any]:
        out = read_wire(cls, live)
        if previous and previous.get("deployment_configuration") is None:
            out.pop("deployment_configuration", None)  # not ours to report
        return out


class DecisionModelDeploymentInputs(_Model):
    """Which variants of a decision model are deployed (its ``deploymentConfiguration``)."""

    decision_model: str = Field(min_length=1)
    variants: list[DeployedVariantInputs] = Field(default_factory=list)

    @model_validator(mode="after")
    def _splits(self) -> DecisionModelDeploymentInputs:
        check_deployed_splits(self.variants, "variants")
        return self

    def to_api(self, live: Mapping[str, Any] | None = None) -> dict[str, Any]:
        body = strip_server_fields(live or {}, links=DECISION_MODEL_LINKS)
        body["deploymentConfiguration"] = {"variants": [v.wire() for v in self.variants]}
        return body

    @classmethod
    def inputs_from_api(cls, live: Mapping[str, Any], previous: Mapping[str, Any]) -> dict[str, Any]:
        config = live.get("deploymentConfiguration")
        variants = config.get("variants") if isinstance(config, Mapping) else None
        return read_wire(cls, {"decisionModel": live.get("ref"), "variants": variants or []})


class DecisionModelVariantInputs(_Model):
    """The desired state of a decision model variant: its name, parent model and DMN definition."""

    name: str = Field(min_length=1)
    decision_model: str = Field(min_length=1)
    """The parent model's ref (wire: ``decisionModelDefinitionRef``; it is in the create path)."""
    definition: str = Field(min_length=1)
    """The decision canvas as a DMN XML document (the service stores it as a string)."""

    def create_body(self) -> dict[str, Any]:
        return {"name": self.name, "definition": self.definition}

    def to_api(self, live: Mapping[str, Any] | None = None) -> dict[str, Any]:
        body = strip_server_fields(live or {})
        body.update({"name": self.name, "definition": self.definition, "archived": False})
        return body

    @classmethod
    def inputs_from_api(cls, live: Mapping[str, Any], previous: Mapping[str, Any]) -> dict[str, Any]:
        parent = live.get("decisionModelDefinitionRef") or previous.get("decision_model")
        return {"name": live.get("name"), "decision_model": parent, "definition": live.get("definition")}


def model_name_before_archive(name: Any) -> Any:
    """``"Next best offer - archived 2024-05-01 10:00"`` -> ``"Next best offer"``."""
    return ARCHIVED_NAME_RE.sub("", name) if isinstance(name, str) else name


# --------------------------------------------------------------------------------------------------
# Flow definitions (/v3/flowDefinitions): experiences and experiments
# --------------------------------------------------------------------------------------------------

FlowType = Literal["INTERACTIVE_WEB_FLOW", "INTERACTIVE_API_FLOW", "TRIGGERED_V3"]
# DRAFT, PRODUCTION and PAUSED are what a program declares; the others (FlowStatus) are states the
# service moves a flow through by itself and that a refresh may report.
DECLARABLE_FLOW_STATUSES = ("DRAFT", "PRODUCTION", "PAUSED")
BUSINESS_PROCESS = {"INTERACTIVE_WEB_FLOW": "interactive_v1", "INTERACTIVE_API_FLOW": "interactive_v1",
                    "TRIGGERED_V3": "triggered_v1"}


class TrafficSplit(_Model):
    ref: str = Field(min_length=1)
    """A variant's ref."""
    split: int = Field(ge=0, le=100)
    """Percentage of the flow's traffic; the splits add up to 100."""


class Traffic(_Model):
    type: Literal["simpleTraffic", "advancedTraffic"] = "simpleTraffic"
    weighting_algorithm: Literal["USER_DEFINED", "MULTI_ARM_BANDIT"] = "USER_DEFINED"
    allocation: int = Field(default=100, ge=0, le=100)
    """Percentage of visitors who enter the flow."""
    coupled: bool | None = None
    splits: list[TrafficSplit] = Field(default_factory=list)
    """How the traffic is shared among the variants (by variant ref)."""


class Schedule(_Model):
    type: Literal["simpleSchedule"] = "simpleSchedule"
    start_date: str
    """ISO-8601 date-time the flow starts."""
    end_date: str | None = None
    """ISO-8601 date-time it ends (none: it runs until stopped)."""

    @field_validator("start_date", "end_date")
    @classmethod
    def _iso(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                datetime.fromisoformat(value.replace("Z", "+00:00"))
            except ValueError:
                raise ValueError("must be an ISO-8601 date-time such as 2025-01-01T00:00:00.000Z") from None
        return value


class SampleSizeConfig(_Model):
    base_value: float = Field(gt=0, lt=1)
    """Today's conversion rate (0-1)."""
    minimum_detectable_difference: float = Field(gt=0)
    """Smallest relative change worth detecting."""
    confidence_level: float = Field(gt=0, lt=1)
    """Statistical confidence wanted (0-1)."""


EXAMPLE_SAMPLE_SIZE: dict[str, float] = {"baseValue": 0.02, "minimumDetectableDifference": 0.2, "confidenceLevel": 0.95}
"""The ``sampleSizeConfig`` of Sitecore's create and update examples (docs/facts/sitecore.md#sample-size)."""


class GoalCalculation(_Model):
    type: Literal["binary"] = "binary"
    calculation: Literal["INCREASE", "DECREASE"] = "INCREASE"
    target: str = "conversionPerSession"


class PageParameter(_Model):
    match_condition: str
    parameter_string: str


class Goal(_Model):
    """An experiment's goal (the Pages client's ``goals.primary``, docs/facts/sitecore.md#flows)."""

    type: Literal["pageViewGoal", "bouncesGoal", "exitsGoal", "customGoal"]
    name: str = Field(min_length=1)
    friendly_id: str | None = None
    description: str | None = None
    goal_calculation: GoalCalculation = Field(default_factory=GoalCalculation)
    page_parameters: list[PageParameter] | None = None
    event_type: str | None = None

    @field_validator("friendly_id")
    @classmethod
    def _fid(cls, value: str | None) -> str | None:
        return None if value is None else _friendly_id(value)


class Goals(_Model):
    """``goals`` (Sitecore's Pages client) rather than the tenant SDK's ``goal`` (docs/facts/sitecore.md#flows)."""

    primary: Goal
    secondary: list[Goal] | None = None


class TemplateRenderTaskInput(_Model):
    input_type: Literal["templateRenderTaskInput"] = "templateRenderTaskInput"
    type: str = "application/json"
    template: str
    """The FreeMarker/JSON the task renders (a ``Template``'s freemarker element, for example)."""


class DecisionModelTaskInput(_Model):
    input_type: Literal["decisionModelTaskInput"] = "decisionModelTaskInput"
    decision_model_refs: list[str] = Field(min_length=1)
    """Refs of the decision models the task runs."""


class ConditionsTaskInput(_Model):
    input_type: Literal["conditionsTaskInput"] = "conditionsTaskInput"
    rules: list[dict[str, Any]] = Field(default_factory=list)


TASK_INPUTS = {"templateRenderTask": "templateRenderTaskInput", "decisionModelTask": "decisionModelTaskInput",
               "conditionsTask": "conditionsTaskInput"}


class FlowTask(_Model):
    implementation: Literal["templateRenderTask", "decisionModelTask", "conditionsTask"]
    input: Annotated[
        TemplateRenderTaskInput | DecisionModelTaskInput | ConditionsTaskInput, Field(discriminator="input_type")
    ]

    @model_validator(mode="before")
    @classmethod
    def _input_type_from_implementation(cls, data: Any) -> Any:
        # The builder and a person writing the dict may leave inputType out: it follows from the task.
        if isinstance(data, Mapping) and isinstance(data.get("input"), Mapping):
            given = data["input"]
            if "input_type" not in given and "inputType" not in given:
                wanted = TASK_INPUTS.get(str(data.get("implementation")))
                if wanted:
                    return {**data, "input": {**given, "input_type": wanted}}
        return data

    @model_validator(mode="after")
    def _pair(self) -> FlowTask:
        if TASK_INPUTS[self.implementation] != self.input.input_type:
            raise ValueError(f"a {self.implementation} takes a {TASK_INPUTS[self.implementation]}")
        return self


class Assets(_Model):
    html: str | None = None
    css: str | None = None
    js: str | None = None


class FlowVariant(_Model):
    """A variant of a flow (tenant SDK ``models/flow.ts``, confirmed by the Pages client; docs/facts/sitecore.md#flows)."""

    ref: str = Field(min_length=1)
    """The variant's ref (default: a stable UUID from the flow's friendly_id and the variant's name)."""
    name: str = Field(min_length=1)
    description: str | None = None
    is_control: bool = False
    """The experiment's control (exactly one per experiment)."""
    preview_url: str | None = None
    image: str | None = None
    assets: Assets | None = None
    """Web flows: the variant's html, css and js."""
    template_variables: dict[str, str] | None = None
    """Values of the code's ``[[parameters]]``."""
    tasks: list[FlowTask] = Field(default_factory=list)
    """What the variant runs: template render, decision model and conditions tasks."""


def variant_ref(friendly_id: str, variant_name: str) -> str:
    """The ref we give a variant: the same on every run (the service takes client refs: docs/facts/sitecore.md#flows)."""
    return str(uuid.uuid5(VARIANT_REF_NAMESPACE, f"{friendly_id}/{variant_name}"))


class FlowDefinitionInputs(_Model):
    """The desired state of a flow definition: an experience or an experiment."""

    name: str = Field(min_length=1)
    friendly_id: str
    type: FlowType
    subtype: FlowSubtype = "EXPERIENCE"
    channels: list[Channel] = Field(min_length=1)
    business_process: str
    status: FlowStatus = "DRAFT"
    schedule: Schedule
    traffic: Traffic = Field(default_factory=Traffic)
    variants: list[FlowVariant] = Field(default_factory=list)
    sample_size_config: SampleSizeConfig | None = None
    goals: Goals | None = None
    tags: list[str] | None = None

    @field_validator("friendly_id")
    @classmethod
    def _fid(cls, value: str) -> str:
        return _friendly_id(value)

    _upper_fields = field_validator("type", "subtype", "status", mode="before")(_upper)

    @model_validator(mode="before")
    @classmethod
    def _defaults_from_type(cls, data: Any) -> Any:
        """``business_process`` and ``channels`` follow from the type; variant refs from the names."""
        if not isinstance(data, Mapping):
            return data
        data = dict(data)
        flow_type = _upper(data.get("type")) if isinstance(data.get("type"), str) else None
        if data.get("business_process", data.get("businessProcess")) is None and flow_type in BUSINESS_PROCESS:
            data["business_process"] = BUSINESS_PROCESS[flow_type]
        if data.get("channels") is None and flow_type == "INTERACTIVE_WEB_FLOW":
            data["channels"] = ["WEB"]
        fid = data.get("friendly_id", data.get("friendlyId"))
        variants = data.get("variants")
        if isinstance(fid, str) and isinstance(variants, list):
            data["variants"] = [
                {**v, "ref": variant_ref(fid, str(v["name"]))}
                if isinstance(v, Mapping) and v.get("ref") is None and isinstance(v.get("name"), str) else v
                for v in variants
            ]
        return data

    @model_validator(mode="after")
    def _consistent(self, info: ValidationInfo) -> FlowDefinitionInputs:
        if info.context and info.context.get("from_wire"):
            return self
        refs = [v.ref for v in self.variants]
        repeated = sorted({r for r in refs if refs.count(r) > 1})
        if repeated:
            raise ValueError(f"variants: each variant needs its own ref (and name), repeated: {', '.join(repeated)}")
        splits = self.traffic.splits
        if splits:
            total = sum(s.split for s in splits)
            if total != 100:
                raise ValueError(f"traffic: the splits must add up to 100, they add up to {total}")
            unknown = [s.ref for s in splits if s.ref not in refs]
            if unknown:
                raise ValueError(f"traffic: split ref {', '.join(unknown)} is not the ref of one of the variants")
        if self.subtype == "EXPERIMENT":
            if len(self.variants) < 2:
                raise ValueError("variants: an experiment needs at least two variants (a control and a treatment)")
            if sum(v.is_control for v in self.variants) != 1:
                raise ValueError("variants: an experiment needs exactly one variant with is_control=True")
            if {s.ref for s in splits} != set(refs):
                raise ValueError("traffic: an experiment splits its traffic over every variant (one split per variant ref)")
            if self.sample_size_config is None:
                raise ValueError("sample_size_config: an experiment needs its sample-size parameters")
        elif self.goals is not None:
            raise ValueError("goals: goals belong to experiments (subtype EXPERIMENT)")
        if self.status not in DECLARABLE_FLOW_STATUSES:
            raise ValueError(f"status: declare one of {', '.join(DECLARABLE_FLOW_STATUSES)}; "
                             f"{self.status} is a state the service moves a flow into by itself")
        return self

    def to_api(self, live: Mapping[str, Any] | None = None) -> dict[str, Any]:
        body = strip_server_fields(live or {})
        body.pop("goals", None)  # managed: removing them in the program removes them
        if live is None:
            # Sitecore's own create examples send it on experiences too; an update keeps the live one
            body["sampleSizeConfig"] = dict(EXAMPLE_SAMPLE_SIZE)
        body.update(self.wire())
        body.setdefault("triggers", [])
        body.setdefault("tags", [])
        body["archived"] = False
        return body

    @classmethod
    def inputs_from_api(cls, live: Mapping[str, Any], previous: Mapping[str, Any]) -> dict[str, Any]:
        out = read_wire(cls, live)
        if out.get("status") in ("PUBLISHING", "SCHEDULED", "LIVE") and previous.get("status") == "PRODUCTION":
            out["status"] = "PRODUCTION"  # on its way to, or in, production: what was declared
        if not previous.get("tags") and not out.get("tags"):
            out.pop("tags", None)
        if previous and previous.get("sample_size_config") is None and out.get("subtype") != "EXPERIMENT":
            out.pop("sample_size_config", None)  # an experience that leaves it out keeps the live one
        return out


# --------------------------------------------------------------------------------------------------
# Templates (/v3/templates)
# --------------------------------------------------------------------------------------------------

ELEMENT_ORDER: tuple[str, ...] = ("html", "css", "js", "freemarker")


class TemplateElement(_Model):
    id: ElementId
    """html, css, js or freemarker."""
    template: str
    """The code (FreeMarker needs at least ``{}``)."""


class TemplateInputs(_Model):
    """The desired state of a template. File-sourced code is read in the program (resources.py)
    and arrives here as strings, so the provider never depends on the program's working directory."""

    name: str = Field(min_length=1)
    friendly_id: str
    type: TemplateType
    status: TemplateStatus = "DRAFT"
    description: str = ""
    render: bool = False
    template_elements: list[TemplateElement] = Field(default_factory=list)
    tags: list[str] | None = None

    @field_validator("friendly_id")
    @classmethod
    def _fid(cls, value: str) -> str:
        return _friendly_id(value)

    _upper_fields = field_validator("type", "status", mode="before")(_upper)

    @field_validator("template_elements")
    @classmethod
    def _one_of_each_in_order(cls, value: list[TemplateElement]) -> list[TemplateElement]:
        ids = [e.id for e in value]
        repeated = sorted({i for i in ids if ids.count(i) > 1})
        if repeated:
            raise ValueError(f"each element id may appear once, repeated: {', '.join(repeated)}")
        empty_freemarker = [e for e in value if e.id == "freemarker" and not e.template.strip()]
        if empty_freemarker:
            raise ValueError("the freemarker element needs at least {} (Sitecore refuses an empty one)")
        return sorted(value, key=lambda e: ELEMENT_ORDER.index(e.id))  # order carries no meaning

    def to_api(self, live: Mapping[str, Any] | None = None) -> dict[str, Any]:
        body = strip_server_fields(live or {})
        body.setdefault("defaultTemplate", False)  # the create page: false and true, always
        body.setdefault("customTemplate", True)
        body.update(self.wire())
        body.setdefault("tags", [])
        body["archived"] = False
        return body

    @classmethod
    def inputs_from_api(cls, live: Mapping[str, Any], previous: Mapping[str, Any]) -> dict[str, Any]:
        out = read_wire(cls, live)
        if not previous.get("tags") and not out.get("tags"):
            out.pop("tags", None)
        return out

    def code(self) -> dict[str, str]:
        return {e.id: e.template for e in self.template_elements}


def is_archived(live: Mapping[str, Any]) -> bool:
    """Archived objects count as gone (a refresh drops them; adoption may revive one)."""
    return bool(live.get("archived"))
