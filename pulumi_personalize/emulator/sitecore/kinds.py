"""The five kinds of Sitecore Personalize objects: their fields, enums, rules and server defaults.

One place per field of the live service (``docs/facts/sitecore.md#connections`` to ``#templates``; the
enums are in ``pulumi_personalize/facts/sitecore.py``): each kind's ``validate_*`` function checks what a
POST/PUT body must hold and returns the document to store without its server-owned fields; the
``*_server_fields`` hooks add the server-side effects. Record keeping is in ``models.py``.
"""

from __future__ import annotations

import copy
import re
from datetime import datetime, timezone

from ...facts import sitecore as facts
from ...facts.sitecore import (
    AUTH_TYPES,
    CHANNELS,
    DEPLOYMENT_STATUSES,
    FLOW_STATUSES,
    FLOW_SUBTYPES,
    FLOW_TYPES,
    REQUEST_TYPES,
    SCHEDULE_TYPES,
    SYSTEM_TYPES,
    TASK_IMPLEMENTATIONS,
    TEMPLATE_ELEMENT_IDS,
    TEMPLATE_STATUSES,
    TEMPLATE_TYPES,
    TRAFFIC_TYPES,
    WEIGHTING_ALGORITHMS,
)
from ..common import Fields, Json, without_nulls
from .errors import FRIENDLY_ID_TAKEN, TEMPLATE_READ_ONLY, SitecoreError
from .models import COMMON_SERVER_FIELDS, Context, Kind

FRIENDLY_ID = re.compile(r"^[a-z0-9_]+$")

# --- server defaults (docs/facts/sitecore.md#connections) ---
DEFAULT_TIMEOUT_MS = 1000
DEFAULT_CONNECTION_ICON = "assets/images/icons/connections/plug.svg"


# --- helpers -----------------------------------------------------------------------------------------


def _enum_any_case(fields: Fields, name: str, allowed: tuple[str, ...], *, required: bool) -> str | None:
    """A string enum compared case-insensitively; the value is stored as sent."""
    value = fields.string(name, required=required)
    if value is not None and value.upper() not in allowed:
        fields.add(name, f"must be one of {', '.join(allowed)}")
        return None
    return value


def _sub(fields: Fields, name: str, *, required: bool) -> Fields | None:
    value = fields.obj(name, required=required)
    if value is None:
        return None
    return Fields(value, prefix=f"{fields.prefix}{name}.")


def _objects(fields: Fields, name: str, *, required: bool = False) -> list[Fields]:
    """Each item of an array of objects, as a Fields of its own (prefix ``name[i].``)."""
    items = fields.array(name, required=required)
    out = []
    for index, item in enumerate(items or []):
        sub = Fields(item, prefix=f"{fields.prefix}{name}[{index}].")
        if not isinstance(item, dict):
            fields.errors.setdefault(f"{fields.prefix}{name}[{index}]", []).append("must be an object")
            continue
        out.append(sub)
    return out


def _strings(fields: Fields, name: str) -> None:
    fields.array(name, items=str)


def _datetime(fields: Fields, name: str, *, required: bool) -> None:
    value = fields.string(name, required=required)
    if value is None:
        return
    try:
        datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        fields.add(name, "must be an ISO-8601 date-time such as 2025-07-04T11:46:41.810Z")


def _finish(fields: Fields, *subs: Fields | None) -> None:
    for sub in subs:
        if sub is not None:
            fields.merge(sub)
    fields.check()


def _content(body: Json, kind_fields: frozenset[str]) -> Json:
    """The document to store: a field sent as ``null`` is one not sent, so a server default applies and
    no ``null`` is ever echoed (docs/facts/sitecore.md#nulls)."""
    stored: Json = without_nulls({k: v for k, v in body.items() if k not in kind_fields})
    return copy.deepcopy(stored)


def _friendly_id(fields: Fields) -> str | None:
    value = fields.string("friendlyId", required=True)
    if value is not None and not FRIENDLY_ID.match(value):
        fields.add("friendlyId", "may hold only lowercase letters, digits and underscores (^[a-z0-9_]+$)")
        return None
    return value


def _friendly_id_taken(records: Json, friendly_id: str, own_ref: str | None) -> bool:
    return any(r.get("friendlyId") == friendly_id and ref != own_ref for ref, r in records.items())


# --- connections (docs/facts/sitecore.md#connections) -------------------------------------------------------

CONNECTION_SERVER_FIELDS = COMMON_SERVER_FIELDS


def validate_connection(body: Json, ctx: Context) -> Json:
    fields = Fields(body)
    fields.string("name", required=True)
    fields.string("description")
    # The tables say "array of objects"/"array of strings"; every example sends objects.
    auth = _sub(fields, "auth", required=True)
    if auth is not None:
        _enum_any_case(auth, "authType", AUTH_TYPES, required=True)
        auth.string("clientId")
        token_url = auth.string("accessTokenUrl")
        if token_url is not None and not token_url.startswith("https://"):
            auth.add("accessTokenUrl", "must use an https:// URL")
        auth.boolean("useMutualTls")
        auth.array("oauthCustomHeaders")
        auth.array("formUrlEncodedItems")
    request = _sub(fields, "request", required=True)
    if request is not None:
        request.string("requestType", required=True, enum=REQUEST_TYPES)
        # Not checked as a URL: the documentation's own examples hold "<baseURL>/..." placeholders.
        request.string("connectionUrl", required=True)
        request.string("requestBody")
    fields.string("systemType", required=True, enum=SYSTEM_TYPES)
    for name in ("inputMappings", "outputMappings"):
        _objects(fields, name)
    headers = _objects(fields, "customHeaders")
    for header in headers:
        header.string("name")
        header.string("value")
    fields.array("urlParameters")
    fields.string("exampleValue")
    fields.integer("connectionTimeout", minimum=0)
    fields.integer("socketTimeout", minimum=0)
    fields.string("icon")
    fields.boolean("archived")
    _finish(fields, auth, request, *headers)
    out = _content(body, CONNECTION_SERVER_FIELDS)
    out.setdefault("connectionTimeout", DEFAULT_TIMEOUT_MS)
    out.setdefault("socketTimeout", DEFAULT_TIMEOUT_MS)
    out.setdefault("icon", DEFAULT_CONNECTION_ICON)
    return out


# --- decision models and their variants (docs/facts/sitecore.md#decision-models) ----------------------------

DECISION_MODEL_SERVER_FIELDS = COMMON_SERVER_FIELDS | {"variants"}  # "variants" is the link object here
VARIANT_SERVER_FIELDS = COMMON_SERVER_FIELDS | {"decisionModelDefinitionRef", "transpiledDefinition",
                                                "inProduction", "offers"}


def validate_decision_model(body: Json, ctx: Context) -> Json:
    fields = Fields(body)
    fields.string("name", required=True)
    config = _sub(fields, "deploymentConfiguration", required=True)
    entries: list[Fields] = []
    if config is not None:
        entries = _objects(config, "variants", required=True)
        for entry in entries:
            entry.string("variantRef", required=True)
            entry.integer("split", required=True, minimum=0, maximum=100)
            entry.string("status", required=True, enum=DEPLOYMENT_STATUSES)
            entry.integer("variantRevision", required=True, minimum=1)
            entry.boolean("control")  # SDK only (unconfirmed): kept as sent
    fields.boolean("archived")
    _strings(fields, "tags")
    fields.string("description")
    fields.string("revisionComment")
    _finish(fields, config, *entries)
    if ctx.current is not None and entries:
        _check_deployment(ctx, [e.body for e in entries])
    return _content(body, DECISION_MODEL_SERVER_FIELDS)


def _check_deployment(ctx: Context, entries: list[Json]) -> None:
    """On update the splits add up to 100 (docs/facts/sitecore.md#decision-models); the refs and revisions must exist (emulator
    rule: a deployment names a revision of one of this model's variants)."""
    errors: dict[str, list[str]] = {}
    total = sum(int(e["split"]) for e in entries)
    if total != 100:
        errors["deploymentConfiguration.variants"] = [f"the splits must add up to 100 (they add up to {total})"]
    variants: Json = ctx.tenant["decisionModelVariants"]
    for index, entry in enumerate(entries):
        where = f"deploymentConfiguration.variants[{index}]"
        variant = variants.get(entry["variantRef"])
        if variant is None or variant.get("decisionModelDefinitionRef") != ctx.ref:
            errors.setdefault(f"{where}.variantRef", []).append(
                f"{entry['variantRef']} is not a variant of decision model {ctx.ref}")
        elif int(entry["variantRevision"]) > int(variant["revision"]):
            errors.setdefault(f"{where}.variantRevision", []).append(
                f"variant {entry['variantRef']} has no revision {entry['variantRevision']} "
                f"(latest is {variant['revision']})")
    if errors:
        raise SitecoreError(400, "Validation failed", field_errors=errors)


def archive_rename(record: Json, previous: Json | None, stamp: str) -> None:
    """Archiving a decision model renames it ``<name> - archived <YYYY-MM-DD HH:mm>`` (docs/facts/sitecore.md#decision-models)."""
    if record.get("archived") and not (previous or {}).get("archived"):
        when = datetime.fromisoformat(stamp.replace("Z", "+00:00")).astimezone(timezone.utc)
        record["name"] = f"{record['name']} - archived {when:%Y-%m-%d %H:%M}"


def validate_variant(body: Json, ctx: Context) -> Json:
    fields = Fields(body)
    fields.string("name", required=True)
    # The DMN document is not validated: the update example stores plain text (unconfirmed).
    fields.string("definition", required=True)
    fields.boolean("archived")
    _finish(fields)
    return _content(body, VARIANT_SERVER_FIELDS)


def variant_server_fields(record: Json, previous: Json | None, stamp: str) -> None:
    record["transpiledDefinition"] = record.get("definition", "")
    record.setdefault("offers", [])


# --- flow definitions (docs/facts/sitecore.md#flows) --------------------------------------------------------

FLOW_SERVER_FIELDS = COMMON_SERVER_FIELDS | {"transpiledVariants"}


def _flow_channels(fields: Fields) -> None:
    channels = fields.array("channels", required=True, items=str)
    if channels is None:
        return
    if not channels:
        fields.add("channels", "must hold at least one channel")
    for index, channel in enumerate(channels):
        if isinstance(channel, str) and channel not in CHANNELS:
            fields.add(f"channels[{index}]", f"must be one of {', '.join(CHANNELS)}")


def _flow_variants(fields: Fields) -> list[Fields | None]:
    """The variants and their tasks; returns every nested Fields, to merge once all are checked."""
    subs: list[Fields | None] = []
    for variant in _objects(fields, "variants", required=True):
        subs.append(variant)
        for name in ("ref", "name", "description", "previewUrl", "image"):
            variant.string(name)
        variant.boolean("isControl")
        assets = _sub(variant, "assets", required=False)
        if assets is not None:
            subs.append(assets)
            for name in ("html", "css", "js"):
                assets.string(name)
        variables = variant.obj("templateVariables")
        for name, value in (variables or {}).items():
            if not isinstance(value, str):
                variant.add(f"templateVariables.{name}", "must be a string")
        for task in _objects(variant, "tasks"):
            subs.append(task)
            implementation = task.string("implementation", required=True, enum=tuple(TASK_IMPLEMENTATIONS))
            task_input = _sub(task, "input", required=True)
            if task_input is None:
                continue
            subs.append(task_input)
            input_type = task_input.string("inputType", required=True, enum=tuple(TASK_IMPLEMENTATIONS.values()))
            task_input.string("type")
            task_input.string("template")
            task_input.array("decisionModelRefs", items=str)
            task_input.array("rules")
            if implementation and input_type and TASK_IMPLEMENTATIONS[implementation] != input_type:
                task_input.add("inputType", f"must be {TASK_IMPLEMENTATIONS[implementation]} for a {implementation}")
    return subs


def _flow_traffic_and_schedule(fields: Fields, subtype: str | None) -> list[Fields | None]:
    traffic = _sub(fields, "traffic", required=True)
    if traffic is not None:
        traffic.string("type", required=True, enum=TRAFFIC_TYPES)
        traffic.string("weightingAlgorithm", enum=WEIGHTING_ALGORITHMS)
        traffic.integer("allocation", minimum=0, maximum=100)
        traffic.number("allocationHigh")
        traffic.number("allocationLow")
        traffic.boolean("coupled")
        traffic.array("splits", items=dict)
    schedule = _sub(fields, "schedule", required=True)
    if schedule is not None:
        schedule.string("type", required=True, enum=SCHEDULE_TYPES)
        _datetime(schedule, "startDate", required=True)
        _datetime(schedule, "endDate", required=False)
    sample = _sub(fields, "sampleSizeConfig", required=subtype == "EXPERIMENT")
    if sample is not None:
        for name in ("baseValue", "minimumDetectableDifference", "confidenceLevel", "sampleSize"):
            sample.number(name)
    return [traffic, schedule, sample]


def validate_flow(body: Json, ctx: Context) -> Json:
    fields = Fields(body)
    fields.string("name", required=True)
    friendly_id = _friendly_id(fields)
    fields.string("type", required=True, enum=FLOW_TYPES)
    subtype = fields.string("subtype", required=True, enum=FLOW_SUBTYPES)
    status = fields.string("status", required=True, enum=FLOW_STATUSES)
    _flow_channels(fields)
    fields.string("businessProcess", required=True)  # interactive_v1 / triggered_v1
    subs = _flow_variants(fields)
    nested = _flow_traffic_and_schedule(fields, subtype)
    _strings(fields, "tags")
    fields.array("triggers")
    fields.obj("goals")
    fields.boolean("archived")
    _finish(fields, *nested, *subs)
    records: Json = ctx.tenant["flowDefinitions"]
    if ctx.current is None:
        if status != "DRAFT":
            raise _bad("status", "must be DRAFT when a flow definition is created")
        if friendly_id is not None and _friendly_id_taken(records, friendly_id, None):
            raise SitecoreError(400, f"friendlyId {friendly_id} is already used by another flow definition "
                                     "(archived ones keep theirs)", code=FRIENDLY_ID_TAKEN,
                                field_errors={"friendlyId": ["is already taken"]})
    elif friendly_id != ctx.current.get("friendlyId"):
        raise _bad("friendlyId", f"cannot be changed (is {ctx.current.get('friendlyId')})")
    return _content(body, FLOW_SERVER_FIELDS)


def flow_server_fields(record: Json, previous: Json | None, stamp: str) -> None:
    """Defaults and server copies the create response shows (docs/facts/sitecore.md#flows)."""
    record.setdefault("triggers", [])
    record.setdefault("tags", [])
    record["transpiledVariants"] = copy.deepcopy(record.get("variants", []))
    traffic: Json = record["traffic"]
    old_traffic = dict((previous or {}).get("traffic") or {})
    kept = old_traffic.pop("modifiedAt", None)
    sent = {k: v for k, v in traffic.items() if k != "modifiedAt"}
    traffic["modifiedAt"] = kept if previous is not None and kept and sent == old_traffic else stamp
    if record.get("archived"):
        # Archived flows do not run: Sitecore's own client archives with status PAUSED.
        record["status"] = "PAUSED"


# --- templates (docs/facts/sitecore.md#templates) -----------------------------------------------------------

TEMPLATE_SERVER_FIELDS = COMMON_SERVER_FIELDS


def validate_template(body: Json, ctx: Context) -> Json:
    fields = Fields(body)
    fields.string("name", required=True)
    friendly_id = _friendly_id(fields)
    template_type = fields.string("type", required=True, enum=TEMPLATE_TYPES)
    fields.string("status", required=True, enum=TEMPLATE_STATUSES)
    if isinstance(body, dict) and not isinstance(body.get("description"), str):
        fields.add("description", "is required" if body.get("description") is None else "must be a string")
    fields.boolean("render", required=True)
    default_template = fields.boolean("defaultTemplate", required=True)
    custom_template = fields.boolean("customTemplate", required=True)
    elements = _objects(fields, "templateElements")
    for element in elements:
        element_id = element.string("id", required=True, enum=TEMPLATE_ELEMENT_IDS)
        code = element.body.get("template")
        if not isinstance(code, str):
            element.add("template", "is required" if code is None else "must be a string")
        elif element_id == "freemarker" and not ("{" in code and "}" in code):
            element.add("template", "FreeMarker code must hold at least {}")
    _strings(fields, "tags")
    fields.string("icon")
    fields.string("revisionComment")
    fields.obj("additionalFields")
    fields.boolean("archived")
    _finish(fields, *elements)
    records: Json = ctx.tenant["templates"]
    current = ctx.current
    if current is None:
        if default_template is not False:
            raise _bad("defaultTemplate", "must be false when a template is created")
        if custom_template is not True:
            raise _bad("customTemplate", "must be true when a template is created")
    else:
        if current.get("type") == "JS_MODULE" and current.get("status") == "PUBLISHED":
            raise SitecoreError(400, f"Template {current.get('friendlyId')} is a published JS module and "
                                     "cannot be modified", code=TEMPLATE_READ_ONLY)
        if template_type != current.get("type"):
            raise _bad("type", f"cannot be changed (is {current.get('type')})")
    if friendly_id is not None and _friendly_id_taken(records, friendly_id, ctx.ref):
        raise SitecoreError(400, f"friendlyId {friendly_id} is already used by another template",
                            code=FRIENDLY_ID_TAKEN, field_errors={"friendlyId": ["is already taken"]})
    return _content(body, TEMPLATE_SERVER_FIELDS)


def template_server_fields(record: Json, previous: Json | None, stamp: str) -> None:
    record.setdefault("tags", [])


def _bad(field_name: str, message: str) -> SitecoreError:
    return SitecoreError(400, "Validation failed", field_errors={field_name: [message]})


# --- the kinds ------------------------------------------------------------------------------------------------

CONNECTIONS = Kind("connections", facts.CONNECTIONS_PATH, "Connection", "modifiedByRef", validate_connection,
                   CONNECTION_SERVER_FIELDS)
DECISION_MODELS = Kind("decisionModels", facts.DECISION_MODELS_PATH, "Decision model", "modifiedByUserRef",
                       validate_decision_model, DECISION_MODEL_SERVER_FIELDS, links=("variants", "revisions"),
                       after=archive_rename)
DECISION_MODEL_VARIANTS = Kind("decisionModelVariants", facts.DECISION_MODEL_VARIANTS_PATH, "Decision model variant",
                               "modifiedByUserRef", validate_variant, VARIANT_SERVER_FIELDS,
                               links=("revisions",), after=variant_server_fields)
FLOW_DEFINITIONS = Kind("flowDefinitions", facts.FLOW_DEFINITIONS_PATH, "Flow definition", "modifiedByRef",
                        validate_flow, FLOW_SERVER_FIELDS, links=("revisions",), friendly_id=True,
                        after=flow_server_fields)
TEMPLATES = Kind("templates", facts.TEMPLATES_PATH, "Template", "modifiedByRef", validate_template,
                 TEMPLATE_SERVER_FIELDS, friendly_id=True, after=template_server_fields)
KINDS = (CONNECTIONS, DECISION_MODELS, DECISION_MODEL_VARIANTS, FLOW_DEFINITIONS, TEMPLATES)
