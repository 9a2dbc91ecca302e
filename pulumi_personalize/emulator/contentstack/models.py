"""The stored Contentstack Personalize objects and the rules the live service enforces on them.

Nothing here knows about HTTP requests: functions take the project document (one entry of
``state["contentstack"]["projects"]``) and plain JSON bodies, and raise :class:`ApiError`.

Stored per project (besides the kinds ``state.py`` creates)::

    info                 the project object when it was created by POST /projects (absent for a project
                         that was addressed by x-project-uid without being created: an emulator convenience)
    cms                  experience uid -> {"variantGroup": uid, "variants": {shortUid: cms variant uid}}
    cmsJobs              experience uid -> epoch seconds at which the background job fills ``_cms``
    variantHighWater     experience uid -> the next variant shortUid number (never reused)
    experienceShortUids  the next experience shortUid number

Experiences and their versions are in ``experiences.py``; the writes, in ``backend.py``.
"""

from __future__ import annotations

import copy
import hashlib
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from ...facts.contentstack import (
    ATTRIBUTE_REFERENCES,
    COMBINATIONS,
    LOCKED_VERSION_STATUSES,
    PRESET_ATTRIBUTE_KEYS,
    PRESET_ATTRIBUTES,
    QUOTA_CODES,
    VARIANT_TYPES,
)
from ..common import ApiError, Fields, Json, new_uid, without_nulls

VARIANT_TYPE = VARIANT_TYPES
LOCKED = LOCKED_VERSION_STATUSES  # content of these versions cannot change
OBJECT_ID = re.compile(r"^[0-9a-f]{24}$")

# The emulator has one user; server-owned creator fields name it.
USER_UID = "blt0e0e0e0e0e0e0e0e"
USER_NAME = "Emulator User"

# Presets (``facts.contentstack.PRESET_ATTRIBUTES``, docs/facts/contentstack.md#presets) are served with
# the fields (unconfirmed) of a custom attribute minus the creator/timestamp fields, with ``key`` = the ref
# that a PresetAttributeReference uses, ``__type: PRESET``.


def prepare(project: Json) -> Json:
    """Adds the emulator's per-project bookkeeping to a project document (idempotent)."""
    for key in ("attributes", "audiences", "events", "experiences", "versions", "cms", "cmsJobs",
                "variantHighWater"):
        project.setdefault(key, {})
    project.setdefault("priority", [])
    project.setdefault("experienceShortUids", 0)
    return project


@dataclass
class Context:
    """What a rule may look at besides the body: the project, the stored object on an update, the quotas
    and the moment of the write (read once from the emulator's clock)."""

    project: Json
    project_uid: str
    now: str
    quotas: Mapping[str, int] = field(default_factory=dict)
    current: Json | None = None


Validate = Callable[[Any, Context], Json]


@dataclass(frozen=True)
class Kind:
    """One listed kind of the project (attributes, audiences, events, experiences): what the one CRUD
    factory of ``handlers.py`` needs to serve it. The per-kind rules are the hooks."""

    key: str  # the collection in the project document
    label: str  # in messages: "Attribute 0123... was not found"
    validate: Validate
    quota: tuple[str, str] | None = None  # (quota name, what is counted)
    listing: Callable[[Json, str], list[Json]] | None = None  # default: the stored objects
    insert: Callable[[Context, Json], Json] | None = None  # default: a new object in the collection
    present: Callable[[Json, Json], Json] | None = None  # (project, object) -> the representation
    remove: Callable[[Json, str], None] | None = None  # delete rules and cascades; default: drop it
    protected: Callable[[str, str], None] | None = None  # refuses writes to server-owned objects


def stamp(obj: Json, *, created: bool, moment: str) -> None:
    if created:
        obj["createdAt"] = moment
        obj["createdBy"] = USER_UID
        obj["createdByUserName"] = USER_NAME
    obj["updatedAt"] = moment
    obj["updatedBy"] = USER_UID
    obj["updatedByUserName"] = USER_NAME


def new_object(project_uid: str, fields: Json, moment: str) -> Json:
    uid = new_uid()
    obj: Json = {"_id": uid, "uid": uid, **fields, "project": project_uid}
    stamp(obj, created=True, moment=moment)
    return obj


def replaced(current: Json, fields: Json, moment: str) -> Json:
    """A PUT replaces the client-owned fields and keeps the server-owned ones."""
    keep = ("_id", "uid", "project", "createdAt", "createdBy", "createdByUserName")
    obj: Json = {k: current[k] for k in keep if k in current}
    obj.update(fields)
    for k in ("__type", "shortUid"):
        if k in current:
            obj[k] = current[k]
    stamp(obj, created=False, moment=moment)
    return obj


def quota_check(quotas: Mapping[str, int], name: str, count: int, what: str) -> None:
    limit = quotas.get(name)
    if limit is not None and count >= limit:
        code = QUOTA_CODES[name]
        raise ApiError(400, f"{code}: the quota of {limit} {what} is reached", code=code)


def picked(body: Json, names: tuple[str, ...]) -> Json:
    """The client-owned fields of a body; everything else (server-owned fields a client re-sends, unknown
    fields) is ignored, as a whitelisting server does. A ``null`` is a field not sent, at any depth
    (docs/facts/contentstack.md#nulls)."""
    picked_fields: Json = without_nulls({k: body[k] for k in names if k in body})
    return picked_fields


# --- projects --------------------------------------------------------------------------------------------


def organization_projects(data: Json, organization_uid: str) -> list[Json]:
    projects = data["contentstack"]["projects"].values()
    return [p["info"] for p in projects if p.get("info", {}).get("organizationUid") == organization_uid]


def experience_status(project: Json, uid: str) -> str:
    """DRAFT until a version goes live; then ACTIVE or PAUSED after the live version (INACTIVE/ENDED are
    not live values)."""
    statuses = {v["status"] for v in project["versions"].get(uid, [])}
    return "ACTIVE" if "ACTIVE" in statuses else "PAUSED" if "PAUSED" in statuses else "DRAFT"


def present_project(project: Json) -> Json:
    info: Json = copy.deepcopy(project["info"])
    info["audienceCount"] = len(project.get("audiences", {}))
    info["activeExperienceCount"] = sum(1 for uid in project.get("experiences", {})
                                        if experience_status(project, uid) == "ACTIVE")
    return info


def validate_project(body: Any, existing: list[Json]) -> Json:
    fields = Fields(body)
    name = fields.string("name", required=True)
    fields.string("description")
    fields.string("connectedStackApiKey")
    fields.check()
    if name is not None and any(p["name"].strip().lower() == name.strip().lower() for p in existing):
        code = "personalize.PROJECTS.DUPLICATE_NAME"
        raise ApiError(400, f"{code}: a project named '{name}' already exists in this organization", code=code)
    return picked(body, ("name", "description", "connectedStackApiKey"))


# --- attributes ------------------------------------------------------------------------------------------


def preset_uid(project_uid: str, key: str) -> str:
    """Presets exist in every project: their uids are derived from the project, never stored."""
    return hashlib.sha256(f"{project_uid}/{key}".encode()).hexdigest()[:24]


def preset_attributes(project_uid: str) -> list[Json]:
    out = []
    for key, name, description in PRESET_ATTRIBUTES:
        uid = preset_uid(project_uid, key)
        out.append({"_id": uid, "uid": uid, "name": name, "key": key, "description": description,
                    "__type": "PRESET", "project": project_uid})
    return out


def list_attributes(project: Json, project_uid: str) -> list[Json]:
    """The presets first, then the custom attributes."""
    return preset_attributes(project_uid) + list(project["attributes"].values())


def validate_attribute(body: Any, ctx: Context) -> Json:
    own_uid = (ctx.current or {}).get("uid")
    fields = Fields(body)
    fields.string("name", required=True)
    key = fields.string("key", required=True)
    fields.string("description")
    if key is not None:
        if key in PRESET_ATTRIBUTE_KEYS:
            fields.add("key", f"'{key}' is the key of a preset attribute")
        for uid, other in ctx.project["attributes"].items():
            if uid != own_uid and other.get("key") == key:
                fields.add("key", f"'{key}' is already used by attribute {uid}")
    fields.check()
    out = picked(body, ("name", "key", "description"))
    out.setdefault("description", "")
    if ctx.current is None:
        out["__type"] = "CUSTOM"
    return out


def refuse_preset_change(project_uid: str, uid: str) -> None:
    if any(preset_uid(project_uid, key) == uid for key in PRESET_ATTRIBUTE_KEYS):
        code = "personalize.ATTRIBUTES.CANNOT_MODIFY_PRESET_ATTRIBUTE"
        raise ApiError(400, f"{code}: preset attributes cannot be updated or deleted", code=code)


def custom_attribute_refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        if node.get("__type") == "CustomAttributeReference" and isinstance(node.get("ref"), str):
            yield node["ref"]
        for value in node.values():
            yield from custom_attribute_refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from custom_attribute_refs(value)


def remove_attribute(project: Json, uid: str) -> None:
    users = [a["uid"] for a in project["audiences"].values() if uid in set(custom_attribute_refs(a.get("definition")))]
    if users:
        raise ApiError(400, f"Attribute {uid} is used by audiences {', '.join(users)}; remove it from their rules first",
                       field_errors={"uid": [f"is referenced by audience {u}" for u in users]})
    del project["attributes"][uid]


# --- audiences -------------------------------------------------------------------------------------------



def _validate_definition(node: Any, path: str, fields: Fields) -> int:
    """Validates a rule tree; returns the number of rules in it."""
    if not isinstance(node, dict):
        fields.add(path, "must be an object")
        return 0
    node_type = node.get("__type")
    if node_type == "RuleCombination":
        if node.get("combinationType") not in COMBINATIONS:
            fields.add(f"{path}.combinationType", "NOT_VALID_ENUM: must be one of AND, OR")
        rules = node.get("rules")
        if not isinstance(rules, list):
            fields.add(f"{path}.rules", "must be an array")
            return 0
        return sum(_validate_definition(rule, f"{path}.rules[{index}]", fields) for index, rule in enumerate(rules))
    if node_type == "Rule":
        attribute = node.get("attribute")
        if not isinstance(attribute, dict) or attribute.get("__type") not in ATTRIBUTE_REFERENCES \
                or not isinstance(attribute.get("ref"), str):
            fields.add(f"{path}.attribute", "must be {__type: " + " | ".join(ATTRIBUTE_REFERENCES) + ", ref}")
        condition = node.get("attributeMatchCondition")
        if not isinstance(condition, str) or not condition:
            fields.add(f"{path}.attributeMatchCondition", "is required")
        options = node.get("attributeMatchOptions")
        if options is not None and not isinstance(options, dict):
            fields.add(f"{path}.attributeMatchOptions", "must be an object")
        elif options is not None and not isinstance(options.get("__type", ""), str):
            # the options' __type names their kind (StringMatchOptions...): docs/facts/contentstack.md#audiences
            fields.add(f"{path}.attributeMatchOptions.__type", "valid matchOptions are required: __type must be a string")
        if "invertCondition" in node and not isinstance(node["invertCondition"], bool):
            fields.add(f"{path}.invertCondition", "must be a boolean")
        return 1
    fields.add(f"{path}.__type", "NOT_VALID_ENUM: must be RuleCombination or Rule")
    return 0


def validate_audience(body: Any, ctx: Context) -> Json:
    project, quotas = ctx.project, ctx.quotas
    fields = Fields(body)
    fields.string("name", required=True)
    fields.string("description")
    definition = fields.obj("definition")
    rules = 0
    if definition is not None:
        if definition.get("__type") != "RuleCombination":
            fields.add("definition.__type", "must be RuleCombination")
        rules = _validate_definition(definition, "definition", fields)
        for ref in custom_attribute_refs(definition):
            if ref not in project["attributes"]:
                fields.add("definition", f"refers to custom attribute {ref}, which does not exist")
    fields.check()
    limit = quotas.get("rules_per_audience")
    if limit is not None and rules > limit:
        code = QUOTA_CODES["rules_per_audience"]
        raise ApiError(400, f"{code}: an audience may have at most {limit} rules ({rules} sent)", code=code)
    out = picked(body, ("name", "description", "definition"))
    out.setdefault("description", "")
    return out


def version_audiences(version: Json) -> set[str]:
    refs: set[str] = set()
    for variant in version.get("variants") or []:
        refs.update(a for a in variant.get("audiences") or [] if isinstance(a, str))
    targeting = version.get("targeting") or {}
    audience = targeting.get("audience") if isinstance(targeting, dict) else None
    if isinstance(audience, dict):
        refs.update(a for a in audience.get("audiences") or [] if isinstance(a, str))
    return refs


def remove_audience(project: Json, uid: str) -> None:
    users = [exp_uid for exp_uid, versions in project["versions"].items()
             if any(v["status"] == "ACTIVE" and uid in version_audiences(v) for v in versions)]
    if users:
        raise ApiError(400, f"Audience {uid} is used by active experiences {', '.join(users)} and cannot be deleted",
                       field_errors={"uid": [f"is referenced by active experience {u}" for u in users]})
    del project["audiences"][uid]


# --- events ----------------------------------------------------------------------------------------------


def validate_event(body: Any, ctx: Context) -> Json:
    """Events are ``{key, description}``. A ``name`` (which the vendor CLI never sends) is ignored like any
    other field outside the input, not stored."""
    own_uid = (ctx.current or {}).get("uid")
    fields = Fields(body)
    key = fields.string("key", required=True)
    fields.string("description")
    for uid, other in ctx.project["events"].items():
        if key is not None and uid != own_uid and other.get("key") == key:
            fields.add("key", f"'{key}' is already used by event {uid}")
    fields.check()
    out = picked(body, ("key", "description"))
    out.setdefault("description", "")
    return out


ATTRIBUTES = Kind("attributes", "Attribute", validate_attribute, quota=("attributes", "custom attributes"),
                  listing=list_attributes, remove=remove_attribute, protected=refuse_preset_change)
AUDIENCES = Kind("audiences", "Audience", validate_audience, quota=("audiences", "audiences"), remove=remove_audience)
EVENTS = Kind("events", "Event", validate_event, quota=("events", "events"))
