"""Contentstack experiences, their versions, the CMS background job and the priority order.

Like ``models.py``, nothing here knows about HTTP: functions take the project document and plain JSON
bodies and raise :class:`ApiError`. A version's status moves DRAFT -> ACTIVE <-> PAUSED -> ARCHIVED (by a
later activation); an ACTIVE, PAUSED or ARCHIVED version is locked: its content cannot change.
"""

from __future__ import annotations

import copy
import secrets
from typing import Any

from ...facts.contentstack import (
    COMBINATIONS,
    CREATE_VERSION_STATUSES,
    DECLARABLE_VERSION_STATUSES,
    EXPERIENCE_TYPES,
    LIVE_VERSION_STATUSES,
    QUOTA_CODES,
)
from ..common import ApiError, Fields, Json, without_nulls
from .models import (
    LOCKED,
    OBJECT_ID,
    VARIANT_TYPE,
    Context,
    Kind,
    experience_status,
    new_object,
    picked,
    stamp,
    version_audiences,
)

VERSIONS = "personalize.EXPERIENCES.VERSIONS."
CONFIGURATION = ("variantSplit", "metrics", "targeting")


# --- experiences -----------------------------------------------------------------------------------------


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
        audiences += [a for a in sorted(version_audiences(version)) if a not in audiences]
        events += [m["event"] for m in version.get("metrics") or [] if m.get("event") not in events]
    out["referredAudiences"] = audiences
    out["referredEvents"] = events
    cms = project["cms"].get(uid)
    if cms is not None:
        out["_cms"] = copy.deepcopy(cms)
    return out


def validate_experience(body: Any, ctx: Context) -> Json:
    current = ctx.current
    fields = Fields(body)
    fields.string("name", required=True)
    fields.string("description")
    exp_type = fields.string("__type", required=current is None, enum=EXPERIENCE_TYPES)
    if current is not None and exp_type is not None and exp_type != current["__type"]:
        fields.add("__type", f"cannot be changed after creation (is {current['__type']})")
    fields.check()
    out = picked(body, ("name", "description", "__type"))
    out.setdefault("description", "")
    return out


def create_experience(ctx: Context, fields: Json) -> Json:
    """A new experience comes with a DRAFT version without variants, at the bottom of the priority."""
    project = ctx.project
    short = project["experienceShortUids"]
    project["experienceShortUids"] = short + 1
    experience = new_object(ctx.project_uid, {**fields, "shortUid": str(short)}, ctx.now)
    uid = experience["uid"]
    project["experiences"][uid] = experience
    draft = new_object(ctx.project_uid, {"experienceUid": uid, "status": "DRAFT", "variants": []}, ctx.now)
    project["versions"][uid] = [draft]
    project["variantHighWater"][uid] = 0
    project["priority"].append(uid)
    return experience


def delete_experience(project: Json, uid: str) -> None:
    """Works whatever the status (ACTIVE included); the CMS variant group is left behind, as live (the
    stack's view of it: ``cma.py``)."""
    group = (project["cms"].get(uid) or {}).get("variantGroup")
    if group:
        project.setdefault("leftVariantGroups", {})[group] = {"experience": project["experiences"][uid]}
    del project["experiences"][uid]
    for key in ("versions", "cms", "cmsJobs", "variantHighWater"):
        project[key].pop(uid, None)
    project["priority"] = [p for p in project["priority"] if p != uid]


def list_experiences(project: Json, project_uid: str) -> list[Json]:
    return [project["experiences"][uid] for uid in priority(project)]


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
    return {"variants": variants, **{k: version.get(k) for k in CONFIGURATION}}


def _refuse(code: str, message: str) -> ApiError:
    return ApiError(400, f"{VERSIONS}{code}: {message}", code=VERSIONS + code)


def _status(fields: Fields, current: Json | None) -> str | None:
    if "status" not in fields.body:
        fields.add("status", "STATUS_REQUIRED: status is required")
        return None
    allowed = CREATE_VERSION_STATUSES if current is None else DECLARABLE_VERSION_STATUSES
    status = fields.string("status", enum=allowed)
    if status is None:
        fields.errors["status"] = [f"INVALID_STATUS: must be one of {', '.join(allowed)}"]
    return status


def _check_status_move(versions: list[Json], current: Json | None, status: str, fields: Fields) -> None:
    if current is None:
        if any(v["status"] == "DRAFT" for v in versions):
            raise _refuse("CANNOT_CREATE_VERSION_AS_DRAFT_ALREADY_EXISTS",
                          "this experience already has a DRAFT version; update it instead")
        return
    previous = current["status"]
    if previous in LOCKED and status == "DRAFT":
        raise _refuse("CANNOT_MARK_VERSION_AS_DRAFT", f"a {previous} version cannot go back to DRAFT")
    if previous == "ARCHIVED":
        raise _refuse("CANNOT_UPDATE_LOCKED_VERSION", "an ARCHIVED version cannot be changed")
    if previous == "DRAFT" and status == "PAUSED":
        fields.add("status", "INVALID_STATUS: only an ACTIVE version can be PAUSED")
        fields.check()


def _variant(variant: Any, index: int, exp_type: str, ctx: Context, known_shorts: set[Any],
             fields: Fields) -> Json | None:
    """One variant of the body, cleaned to what is stored (its ``shortUid`` as sent, or None)."""
    if not isinstance(variant, dict):
        fields.add(f"variants[{index}]", "must be an object")
        return None
    sub = Fields(variant, prefix=f"variants[{index}].")
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
        _object_ids(audiences, f"variants[{index}].audiences", ctx.project["audiences"], "audience", fields)
        clean.update({"audiences": list(audiences), "audienceCombinationType": combination})
        if lytics:
            clean["lyticsAudiences"] = list(lytics)
    else:
        traffic = sub.number("trafficDistribution", required=True, minimum=0, maximum=100)
        clean["trafficDistribution"] = variant.get("trafficDistribution") if traffic is not None else None
    fields.merge(sub)
    clean["shortUid"] = short
    return clean


def _variants(raw: list[Any], experience: Json, ctx: Context, fields: Fields) -> list[Json]:
    versions = ctx.project["versions"].get(experience["uid"], [])
    known_shorts = {v.get("shortUid") for ver in versions for v in ver.get("variants") or []}
    cleaned = (_variant(v, i, experience["__type"], ctx, known_shorts, fields) for i, v in enumerate(raw))
    variants = [v for v in cleaned if v is not None]
    limit = ctx.quotas.get("variants_per_experience")
    if limit is not None and len(variants) > limit:
        code = QUOTA_CODES["variants_per_experience"]
        raise ApiError(400, f"{code}: an experience may have at most {limit} variants ({len(variants)} sent)",
                       code=code)
    return variants


def _metrics_and_targeting(metrics: list[Any] | None, targeting: Json | None, ctx: Context,
                           fields: Fields) -> None:
    for index, metric in enumerate(metrics or []):
        sub = Fields(metric, prefix=f"metrics[{index}].")
        sub.string("__type", required=True)
        event = sub.string("event", required=True)
        sub.string("name")
        fields.merge(sub)
        if event is not None:
            _object_ids([event], f"metrics[{index}].event", ctx.project["events"], "event", fields)
    audience = (targeting or {}).get("audience")
    if audience is None:
        return
    if not isinstance(audience, dict):
        fields.add("targeting.audience", "must be an object")
        return
    sub = Fields(audience, prefix="targeting.audience.")
    listed = sub.array("audiences", items=str)
    sub.string("audienceCombinationType", enum=COMBINATIONS)
    fields.merge(sub)
    _object_ids(listed, "targeting.audience.audiences", ctx.project["audiences"], "audience", fields)


def _keep_locked(out: Json, current: Json) -> None:
    """Resending a locked version's configuration (pause, resume) is fine, changing it is not; parts of
    the configuration left out of the body stay as they are."""
    for key in CONFIGURATION:
        if key not in out and current.get(key) is not None:
            out[key] = copy.deepcopy(current[key])
    for fresh, old in zip(out["variants"], current.get("variants") or [], strict=False):
        if fresh["shortUid"] is None:
            fresh["shortUid"] = old.get("shortUid")
    if _content(out) != _content(current):
        raise _refuse("CANNOT_UPDATE_LOCKED_VERSION",
                      f"a {current['status']} version is locked; create a new version to change its content")


def validate_version(body: Any, experience: Json, ctx: Context) -> Json:
    """The stored fields of a version written by POST (``ctx.current`` None) or PUT (the whole
    configuration); new variants get the next shortUids (never reused)."""
    uid = experience["uid"]
    fields = Fields(body)
    status = _status(fields, ctx.current)
    raw_variants = fields.body.get("variants")
    if not isinstance(raw_variants, list):
        fields.add("variants", "VARIANTS_NOT_ARRAY: variants must be an array")
        raw_variants = []
    fields.string("variantSplit")
    metrics = fields.array("metrics", items=dict)
    targeting = fields.obj("targeting")
    fields.check()
    assert status is not None
    _check_status_move(ctx.project["versions"].get(uid, []), ctx.current, status, fields)
    variants = _variants(raw_variants, experience, ctx, fields)
    _metrics_and_targeting(metrics, targeting, ctx, fields)
    if status == "ACTIVE" and not variants:
        fields.add("variants", "EMPTY_ARRAY: an ACTIVE version needs at least one variant")
    fields.check()
    out: Json = {"status": status, "variants": variants}
    out.update({k: without_nulls(fields.body[k]) for k in CONFIGURATION if fields.body.get(k) is not None})
    if ctx.current is not None and ctx.current["status"] in LOCKED:
        _keep_locked(out, ctx.current)
    high_water = int(ctx.project["variantHighWater"].get(uid, 0))
    for variant in variants:
        if variant["shortUid"] is None:
            variant["shortUid"] = str(high_water)
            high_water += 1
    ctx.project["variantHighWater"][uid] = high_water
    return out


def activate(versions: list[Json], keep_uid: str, moment: str) -> None:
    """Activating a version archives the one that was live (ACTIVE or PAUSED) before."""
    for version in versions:
        if version["uid"] != keep_uid and version["status"] in LIVE_VERSION_STATUSES:
            version["status"] = "ARCHIVED"
            stamp(version, created=False, moment=moment)


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


def schedule_cms(project: Json, uid: str, due: float) -> bool:
    """After a version with variants is written, the service's background job creates (or extends) the CMS
    variant group; the experience shows it in ``_cms`` once the job has run (at ``due``, epoch seconds on
    the emulator's clock). Returns whether a job was scheduled."""
    if any(v.get("variants") for v in project["versions"].get(uid, [])):
        project["cmsJobs"][uid] = due
        return True
    return False


def _cms_uid() -> str:
    return "cs" + secrets.token_hex(8)


def run_due_cms_jobs(project: Json, now: float) -> bool:
    """Runs the jobs that are due at ``now``; returns whether anything changed."""
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


EXPERIENCES = Kind("experiences", "Experience", validate_experience, quota=("experiences", "experiences"),
                   listing=list_experiences, insert=create_experience, present=present_experience,
                   remove=delete_experience)
