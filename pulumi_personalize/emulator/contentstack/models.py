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
"""

from __future__ import annotations

import copy
import hashlib
import re
import secrets
import time
from collections.abc import Iterator, Mapping
from typing import Any

from ..common import ApiError, Fields, Json, new_uid, now_iso

EXPERIENCE_TYPES = ("SEGMENTED", "AB_TEST")
VARIANT_TYPE = {"SEGMENTED": "SegmentedVariant", "AB_TEST": "ABTestVariant"}
COMBINATIONS = ("AND", "OR")
VERSION_STATUSES = ("DRAFT", "ACTIVE", "PAUSED", "ARCHIVED")
LOCKED = ("ACTIVE", "PAUSED", "ARCHIVED")  # content of these versions cannot change
OBJECT_ID = re.compile(r"^[0-9a-f]{24}$")

# The emulator has one user; server-owned creator fields name it.
USER_UID = "blt0e0e0e0e0e0e0e0e"
USER_NAME = "Emulator User"

# Preset attributes every project has (docs/facts/contentstack.md#presets). The refs come from the vendor's prose, CLI mocks and
# a third-party report; the live list may be longer. Their fields (unconfirmed): the same as a custom
# attribute's minus the creator/timestamp fields, with ``key`` = the ref that a PresetAttributeReference
# uses, ``__type: PRESET``.
PRESET_ATTRIBUTES: tuple[tuple[str, str, str], ...] = (
    ("COUNTRY", "Country", "The visitor's country (ISO 3166-1), from the IP address"),
    ("REGION", "Region", "The visitor's region (ISO 3166-2), from the IP address"),
    ("CITY", "City", "The visitor's city, from the IP address"),
    ("QUERY_PARAMETERS", "Query Parameters", "The query parameters of the visited URL"),
    ("DATE_AND_TIME", "Date and Time", "The date and time of the visit"),
    ("DEVICE_TYPE", "Device Type", "MOBILE, TABLET or DESKTOP"),
    ("OPERATING_SYSTEM", "Operating System", "The visitor's operating system"),
    ("REFERRER", "Referrer", "The referring URL"),
)

# Code names per quota: personalize.<SCOPE>.<NAME>_COUNT_EXCEEDED, after the one code seen live
# (personalize.AUDIENCES.RULE_COUNT_EXCEEDED).
QUOTA_CODES = {
    "projects_per_organization": "personalize.PROJECTS.PROJECT_COUNT_EXCEEDED",
    "experiences": "personalize.EXPERIENCES.EXPERIENCE_COUNT_EXCEEDED",
    "audiences": "personalize.AUDIENCES.AUDIENCE_COUNT_EXCEEDED",
    "attributes": "personalize.ATTRIBUTES.ATTRIBUTE_COUNT_EXCEEDED",
    "events": "personalize.EVENTS.EVENT_COUNT_EXCEEDED",
    "rules_per_audience": "personalize.AUDIENCES.RULE_COUNT_EXCEEDED",
    "variants_per_experience": "personalize.EXPERIENCES.VARIANT_COUNT_EXCEEDED",
}

VERSIONS = "personalize.EXPERIENCES.VERSIONS."


def prepare(project: Json) -> Json:
    """Adds the emulator's per-project bookkeeping to a project document (idempotent)."""
    for key in ("attributes", "audiences", "events", "experiences", "versions", "cms", "cmsJobs",
                "variantHighWater"):
        project.setdefault(key, {})
    project.setdefault("priority", [])
    project.setdefault("experienceShortUids", 0)
    return project


def stamp(obj: Json, *, created: bool) -> None:
    moment = now_iso()
    if created:
        obj["createdAt"] = moment
        obj["createdBy"] = USER_UID
        obj["createdByUserName"] = USER_NAME
    obj["updatedAt"] = moment
    obj["updatedBy"] = USER_UID
    obj["updatedByUserName"] = USER_NAME


def new_object(project_uid: str, fields: Json) -> Json:
    uid = new_uid()
    obj: Json = {"_id": uid, "uid": uid, **fields, "project": project_uid}
    stamp(obj, created=True)
    return obj


def replaced(current: Json, fields: Json) -> Json:
    """A PUT replaces the client-owned fields and keeps the server-owned ones."""
    keep = ("_id", "uid", "project", "createdAt", "createdBy", "createdByUserName")
    obj: Json = {k: current[k] for k in keep if k in current}
    obj.update(fields)
    for k in ("__type", "shortUid"):
        if k in current:
            obj[k] = current[k]
    stamp(obj, created=False)
    return obj


def quota_check(quotas: Mapping[str, int], name: str, count: int, what: str) -> None:
    limit = quotas.get(name)
    if limit is not None and count >= limit:
        code = QUOTA_CODES[name]
        raise ApiError(400, f"{code}: the quota of {limit} {what} is reached", code=code)


def _picked(body: Json, names: tuple[str, ...]) -> Json:
    """The client-owned fields of a body; everything else (server-owned fields a client re-sends, unknown
    fields) is ignored, as a whitelisting server does."""
    return {k: body[k] for k in names if k in body and body[k] is not None}


# --- projects --------------------------------------------------------------------------------------------


def organization_projects(data: Json, organization_uid: str) -> list[Json]:
    projects = data["contentstack"]["projects"].values()
    return [p["info"] for p in projects if p.get("info", {}).get("organizationUid") == organization_uid]


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
    return _picked(body, ("name", "description", "connectedStackApiKey"))


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


def validate_attribute(body: Any, project: Json, project_uid: str, own_uid: str | None) -> Json:
    fields = Fields(body)
    fields.string("name", required=True)
    key = fields.string("key", required=True)
    fields.string("description")
    if key is not None:
        if key in {k for k, _, _ in PRESET_ATTRIBUTES}:
            fields.add("key", f"'{key}' is the key of a preset attribute")
        for uid, other in project["attributes"].items():
            if uid != own_uid and other.get("key") == key:
                fields.add("key", f"'{key}' is already used by attribute {uid}")
    fields.check()
    out = _picked(body, ("name", "key", "description"))
    out.setdefault("description", "")
    return out


def refuse_preset_change(project_uid: str, uid: str) -> None:
    if any(preset_uid(project_uid, key) == uid for key, _, _ in PRESET_ATTRIBUTES):
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


def attribute_delete_rule(project: Json, uid: str) -> None:
    users = [a["uid"] for a in project["audiences"].values() if uid in set(custom_attribute_refs(a.get("definition")))]
    if users:
        raise ApiError(400, f"Attribute {uid} is used by audiences {', '.join(users)}; remove it from their rules first",
                       field_errors={"uid": [f"is referenced by audience {u}" for u in users]})


# --- audiences -------------------------------------------------------------------------------------------

ATTRIBUTE_REFERENCES = ("PresetAttributeReference", "CustomAttributeReference", "LyticsAttributeReference")


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
        if "invertCondition" in node and not isinstance(node["invertCondition"], bool):
            fields.add(f"{path}.invertCondition", "must be a boolean")
        return 1
    fields.add(f"{path}.__type", "NOT_VALID_ENUM: must be RuleCombination or Rule")
    return 0


def validate_audience(body: Any, project: Json, quotas: Mapping[str, int]) -> Json:
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
    out = _picked(body, ("name", "description", "definition"))
    out.setdefault("description", "")
    return out


def _version_audiences(version: Json) -> set[str]:
    refs: set[str] = set()
    for variant in version.get("variants") or []:
        refs.update(a for a in variant.get("audiences") or [] if isinstance(a, str))
    targeting = version.get("targeting") or {}
    audience = targeting.get("audience") if isinstance(targeting, dict) else None
    if isinstance(audience, dict):
        refs.update(a for a in audience.get("audiences") or [] if isinstance(a, str))
    return refs


def audience_delete_rule(project: Json, uid: str) -> None:
    users = [exp_uid for exp_uid, versions in project["versions"].items()
             if any(v["status"] == "ACTIVE" and uid in _version_audiences(v) for v in versions)]
    if users:
        raise ApiError(400, f"Audience {uid} is used by active experiences {', '.join(users)} and cannot be deleted",
                       field_errors={"uid": [f"is referenced by active experience {u}" for u in users]})


# --- events ----------------------------------------------------------------------------------------------


def validate_event(body: Any, project: Json, own_uid: str | None) -> Json:
    """Events are ``{key, description}``. A ``name`` (which the vendor CLI never sends) is ignored like any
    other field outside the input, not stored."""
    fields = Fields(body)
    key = fields.string("key", required=True)
    fields.string("description")
    for uid, other in project["events"].items():
        if key is not None and uid != own_uid and other.get("key") == key:
            fields.add("key", f"'{key}' is already used by event {uid}")
    fields.check()
    out = _picked(body, ("key", "description"))
    out.setdefault("description", "")
    return out


# --- experiences -----------------------------------------------------------------------------------------


def experience_status(project: Json, uid: str) -> str:
    """DRAFT until a version goes live; then ACTIVE or PAUSED after the live version (INACTIVE/ENDED are
    not live values)."""
    statuses = {v["status"] for v in project["versions"].get(uid, [])}
    return "ACTIVE" if "ACTIVE" in statuses else "PAUSED" if "PAUSED" in statuses else "DRAFT"


def present_experience(project: Json, experience: Json) -> Json:
    uid = experience["uid"]
    out = copy.deepcopy(experience)
    versions = project["versions"].get(uid, [])
    out["status"] = experience_status(project, uid)
    # latestVersion is the uid string of the newest version (the CLI puts it straight into a path)
    out["latestVersion"] = versions[-1]["uid"] if versions else None
    live = [v for v in versions if v["status"] != "ARCHIVED"]
    audiences: list[str] = []
    events: list[str] = []
    for version in live:
        audiences += [a for a in sorted(_version_audiences(version)) if a not in audiences]
        events += [m["event"] for m in version.get("metrics") or [] if m.get("event") not in events]
    out["referredAudiences"] = audiences
    out["referredEvents"] = events
    cms = project["cms"].get(uid)
    if cms is not None:
        out["_cms"] = copy.deepcopy(cms)
    return out


def validate_experience(body: Any, current: Json | None) -> Json:
    fields = Fields(body)
    fields.string("name", required=True)
    fields.string("description")
    exp_type = fields.string("__type", required=current is None, enum=EXPERIENCE_TYPES)
    if current is not None and exp_type is not None and exp_type != current["__type"]:
        fields.add("__type", f"cannot be changed after creation (is {current['__type']})")
    fields.check()
    out = _picked(body, ("name", "description", "__type"))
    out.setdefault("description", "")
    return out


def create_experience(project: Json, project_uid: str, fields: Json) -> Json:
    short = project["experienceShortUids"]
    project["experienceShortUids"] = short + 1
    experience = new_object(project_uid, {**fields, "shortUid": str(short)})
    uid = experience["uid"]
    project["experiences"][uid] = experience
    draft = new_object(project_uid, {"experienceUid": uid, "status": "DRAFT", "variants": []})
    project["versions"][uid] = [draft]
    project["variantHighWater"][uid] = 0
    project["priority"].append(uid)  # new experiences go to the bottom
    return experience


def delete_experience(project: Json, uid: str) -> None:
    """Works whatever the status (ACTIVE included); the CMS variant group is left behind, as live."""
    del project["experiences"][uid]
    for key in ("versions", "cms", "cmsJobs", "variantHighWater"):
        project[key].pop(uid, None)
    project["priority"] = [p for p in project["priority"] if p != uid]


# --- versions --------------------------------------------------------------------------------------------


def _object_ids(values: Any, path: str, known: Json, label: str, fields: Fields) -> None:
    for index, value in enumerate(values or []):
        if not isinstance(value, str) or not OBJECT_ID.match(value):
            fields.add(f"{path}[{index}]", f"{value!r} is not a valid ObjectId")
        elif value not in known:
            fields.add(f"{path}[{index}]", f"{label} {value} does not exist in this project")


def _content(version: Json) -> Json:
    """What a locked version may not change: variants (shortUids aside) and their configuration."""
    variants = [{k: v for k, v in variant.items() if k != "shortUid"} for variant in version.get("variants") or []]
    return {"variants": variants, **{k: version.get(k) for k in ("variantSplit", "metrics", "targeting")}}


def validate_version(body: Any, project: Json, experience: Json, quotas: Mapping[str, int], *,
                     current: Json | None) -> Json:
    """The stored fields of a version written by POST (``current`` None) or PUT (the whole configuration)."""
    uid = experience["uid"]
    exp_type = experience["__type"]
    versions: list[Json] = project["versions"].get(uid, [])
    fields = Fields(body)
    if "status" not in fields.body:
        fields.add("status", "STATUS_REQUIRED: status is required")
    allowed = ("DRAFT", "ACTIVE") if current is None else ("DRAFT", "ACTIVE", "PAUSED")
    status = fields.string("status", enum=allowed) if "status" in fields.body else None
    if "status" in fields.body and status is None:
        fields.errors["status"] = [f"INVALID_STATUS: must be one of {', '.join(allowed)}"]
    raw_variants = fields.body.get("variants")
    if not isinstance(raw_variants, list):
        fields.add("variants", "VARIANTS_NOT_ARRAY: variants must be an array")
        raw_variants = []
    fields.string("variantSplit")
    metrics = fields.array("metrics", items=dict)
    targeting = fields.obj("targeting")
    fields.check()
    assert status is not None

    # a version's status moves DRAFT -> ACTIVE <-> PAUSED -> (ARCHIVED by a later activation)
    if current is None:
        if any(v["status"] == "DRAFT" for v in versions):
            code = VERSIONS + "CANNOT_CREATE_VERSION_AS_DRAFT_ALREADY_EXISTS"
            raise ApiError(400, f"{code}: this experience already has a DRAFT version; update it instead", code=code)
    else:
        previous = current["status"]
        if previous in LOCKED and status == "DRAFT":
            code = VERSIONS + "CANNOT_MARK_VERSION_AS_DRAFT"
            raise ApiError(400, f"{code}: a {previous} version cannot go back to DRAFT", code=code)
        if previous == "ARCHIVED":
            code = VERSIONS + "CANNOT_UPDATE_LOCKED_VERSION"
            raise ApiError(400, f"{code}: an ARCHIVED version cannot be changed", code=code)
        if previous == "DRAFT" and status == "PAUSED":
            fields.add("status", "INVALID_STATUS: only an ACTIVE version can be PAUSED")
            fields.check()

    known_shorts = {v.get("shortUid") for ver in versions for v in ver.get("variants") or []}
    high_water = int(project["variantHighWater"].get(uid, 0))
    previous_variants = (current or {}).get("variants") or []
    variants: list[Json] = []
    for index, variant in enumerate(raw_variants):
        sub = Fields(variant, prefix=f"variants[{index}].")
        if not isinstance(variant, dict):
            fields.add(f"variants[{index}]", "must be an object")
            continue
        vtype = sub.string("__type", enum=tuple(VARIANT_TYPE.values()))
        if vtype is not None and vtype != VARIANT_TYPE[exp_type]:
            sub.add("__type", f"must be {VARIANT_TYPE[exp_type]} for a {exp_type} experience")
        sub.string("name", required=True)
        short = sub.string("shortUid")
        if short is not None and short not in known_shorts:
            # shortUids are the server's: only an existing variant's may be sent back
            fields.add("variants", f"variants[{index}].shortUid '{short}' is not a variant of this experience")
        clean: Json = {"__type": VARIANT_TYPE[exp_type], "name": variant.get("name")}
        if exp_type == "SEGMENTED":
            audiences = sub.array("audiences", items=str) or []
            lytics = sub.array("lyticsAudiences", items=str) or []
            combination = sub.string("audienceCombinationType", required=True, enum=COMBINATIONS)
            if not audiences and not lytics:
                sub.add("audiences", "EMPTY_ARRAY: a segmented variant needs at least one audience")
            _object_ids(audiences, f"variants[{index}].audiences", project["audiences"], "audience", fields)
            clean.update({"audiences": list(audiences), "audienceCombinationType": combination})
            if lytics:
                clean["lyticsAudiences"] = list(lytics)
        else:
            traffic = sub.number("trafficDistribution", required=True, minimum=0, maximum=100)
            clean["trafficDistribution"] = variant.get("trafficDistribution") if traffic is not None else None
        fields.merge(sub)
        clean["shortUid"] = short
        variants.append(clean)
    limit = quotas.get("variants_per_experience")
    if limit is not None and len(variants) > limit:
        code = QUOTA_CODES["variants_per_experience"]
        raise ApiError(400, f"{code}: an experience may have at most {limit} variants ({len(variants)} sent)",
                       code=code)
    for index, metric in enumerate(metrics or []):
        sub = Fields(metric, prefix=f"metrics[{index}].")
        sub.string("__type", required=True)
        event = sub.string("event", required=True)
        sub.string("name")
        fields.merge(sub)
        if event is not None:
            _object_ids([event], f"metrics[{index}].event", project["events"], "event", fields)
    if targeting is not None and targeting.get("audience") is not None:
        audience = targeting["audience"]
        if not isinstance(audience, dict):
            fields.add("targeting.audience", "must be an object")
        else:
            sub = Fields(audience, prefix="targeting.audience.")
            listed = sub.array("audiences", items=str)
            sub.string("audienceCombinationType", enum=COMBINATIONS)
            fields.merge(sub)
            _object_ids(listed, "targeting.audience.audiences", project["audiences"], "audience", fields)
    if status == "ACTIVE" and not variants:
        fields.add("variants", "EMPTY_ARRAY: an ACTIVE version needs at least one variant")
    fields.check()

    out: Json = {"status": status, "variants": variants}
    for key in ("variantSplit", "metrics", "targeting"):
        if fields.body.get(key) is not None:
            out[key] = copy.deepcopy(fields.body[key])

    if current is not None and current["status"] in LOCKED:
        # resending the same configuration (pause, resume) is fine; changing it is not; parts of the
        # configuration left out of the body stay as they are
        for key in ("variantSplit", "metrics", "targeting"):
            if key not in out and current.get(key) is not None:
                out[key] = copy.deepcopy(current[key])
        for fresh, old in zip(variants, previous_variants, strict=False):
            if fresh["shortUid"] is None:
                fresh["shortUid"] = old.get("shortUid")
        if _content(out) != _content(current):
            code = VERSIONS + "CANNOT_UPDATE_LOCKED_VERSION"
            raise ApiError(400, f"{code}: a {current['status']} version is locked; create a new version to "
                           "change its content", code=code)
    for variant in variants:
        if variant["shortUid"] is None:
            variant["shortUid"] = str(high_water)
            high_water += 1
    project["variantHighWater"][uid] = high_water
    return out


def activate(versions: list[Json], keep_uid: str) -> None:
    """Activating a version archives the one that was live (ACTIVE or PAUSED) before."""
    for version in versions:
        if version["uid"] != keep_uid and version["status"] in ("ACTIVE", "PAUSED"):
            version["status"] = "ARCHIVED"
            stamp(version, created=False)


def find_version(project: Json, uid: str, version_uid: str) -> Json:
    for version in project["versions"].get(uid, []):
        if version["uid"] == version_uid:
            result: Json = version
            return result
    raise ApiError(404, f"Version {version_uid} of experience {uid} was not found")


def discard_version(project: Json, uid: str, version: Json) -> None:
    if version["status"] != "DRAFT":
        raise ApiError(400, f"Only a DRAFT version can be discarded; this version is {version['status']}",
                       field_errors={"status": [f"is {version['status']}; only DRAFT versions can be deleted"]})
    project["versions"][uid].remove(version)


# --- the CMS background job ------------------------------------------------------------------------------


def schedule_cms(project: Json, uid: str, delay: float) -> None:
    """After a version with variants is written, the service's background job creates (or extends) the CMS
    variant group; the experience shows it in ``_cms`` once the job has run."""
    if any(v.get("variants") for v in project["versions"].get(uid, [])):
        project["cmsJobs"][uid] = time.time() + delay


def _cms_uid() -> str:
    return "cs" + secrets.token_hex(8)


def run_due_cms_jobs(project: Json, now: float | None = None) -> bool:
    """Runs the jobs that are due; returns whether anything changed."""
    now = time.time() if now is None else now
    changed = False
    for uid, due in list(project["cmsJobs"].items()):
        if due > now:
            continue
        del project["cmsJobs"][uid]
        changed = True
        if uid not in project["experiences"]:
            continue
        cms = project["cms"].setdefault(uid, {"variantGroup": _cms_uid(), "variants": {}})
        for version in project["versions"].get(uid, []):
            for variant in version.get("variants") or []:
                short = variant.get("shortUid")
                if isinstance(short, str) and short not in cms["variants"]:
                    cms["variants"][short] = _cms_uid()  # stable: a shortUid keeps its CMS variant
    return changed


# --- priority --------------------------------------------------------------------------------------------


def priority(project: Json) -> list[str]:
    known = project["experiences"]
    order = [uid for uid in project["priority"] if uid in known]
    return order + [uid for uid in known if uid not in order]


def validate_priority(body: Any, project: Json) -> list[str]:
    """PUT body: ``{"priorityOrder": [uid, ...]}`` or ``{"experiences": [uid, ...]}`` (the live key is
    unconfirmed; both are taken). Every experience of the project must be listed exactly once."""
    fields = Fields(body)
    key = "priorityOrder" if "priorityOrder" in fields.body or "experiences" not in fields.body else "experiences"
    order = fields.array(key, required=True, items=str)
    fields.check()
    assert order is not None
    seen: set[str] = set()
    for index, uid in enumerate(order):
        if uid in seen:
            fields.add(f"{key}[{index}]", f"experience {uid} is listed twice")
        elif uid not in project["experiences"]:
            fields.add(f"{key}[{index}]", f"experience {uid} does not exist in this project")
        seen.add(uid)
    fields.check()
    missing = [uid for uid in project["experiences"] if uid not in seen]
    if missing:
        code = "MISSING_EXPERIENCES"
        raise ApiError(400, f"{code}: the order must list every experience; missing {', '.join(missing)}",
                       code=code, field_errors={key: [f"{code}: missing {uid}" for uid in missing]})
    return list(order)
