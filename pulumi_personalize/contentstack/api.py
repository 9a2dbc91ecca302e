"""Typed endpoints of the Contentstack Personalize Management API (the api layer: api -> http; it
never imports the engine or pulumi: ``get`` and ``delete`` answer ``Found`` / ``Gone`` / ``Unconfirmed``).

What the live service serves (``docs/facts/contentstack.md#endpoints``):

- lists are bare JSON arrays (``ApiClient.list_all`` still reads an envelope if one comes);
- attributes, audiences and events have no GET by id: they are read from a listing that all reads
  of a burst share (``LISTINGS``: a few seconds, dropped by any write through the client);
  ``GET /attributes`` also lists the built-in presets (``__type: PRESET``), which nothing here
  ever takes, adopts or touches;
- an experience's ``latestVersion`` is a version uid string; its versions are read from
  ``GET /experiences/{uid}/versions`` only (the service has no GET of one version);
- request bodies carry only the fields a resource manages, never the ones the service owns.
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel

from .._api import LISTINGS, PartialCreateError
from .._values import Found, Gone, Json, Lookup, Removal, Unconfirmed
from ..config import load_contentstack_settings
from ..errors import ApiError, NotFoundError, PersonalizeError, get_logger
from ..facts import contentstack as facts
from ..http import ApiClient
from ._wire import contentstack_client
from .models import (
    AttributeInputs,
    AudienceInputs,
    EventInputs,
    ExperienceInputs,
    ExperiencePriorityInputs,
    version_inputs,
    version_payload,
)

log = get_logger(__name__)

ATTRIBUTES = facts.ATTRIBUTES_PATH
AUDIENCES = facts.AUDIENCES_PATH
EVENTS = facts.EVENTS_PATH
EXPERIENCES = facts.EXPERIENCES_PATH
PRIORITY = facts.PRIORITY_PATH
PROJECTS = facts.PROJECTS_PATH
PRIORITY_ID = "experience-priority"
PRESET = "PRESET"
LOCKED = facts.LIVE_VERSION_STATUSES
VERSIONS_KEY = "_versions"
"""Where an experience's live object carries its versions list (read separately, never sent)."""

# _cms fills in asynchronously after a version with variants exists; the vendor's CLI waits up to
# 60 s for it. Polls start short and back off, so the emulator's quick fill costs one short wait.
CMS_WAIT_SECONDS = 60.0
CMS_FIRST_POLL_SECONDS = 0.5
CMS_MAX_POLL_SECONDS = 10.0

# The quotas of a project (defaults; Contentstack raises them per plan), by the name in the service's
# refusal code, personalize.<SCOPE>.<NAME>_COUNT_EXCEEDED (RULE_COUNT_EXCEEDED is seen live; the others
# follow it): what is counted, and the default when the refusal does not say.
QUOTAS = {quota.reason: (quota.counted, quota.default) for quota in facts.QUOTAS}
_CODE_RE = re.compile(r"\bpersonali[sz](?:e|ation)\.[A-Z0-9_]+(?:\.[A-Z0-9_]+)+")


def is_preset(item: Mapping[str, Any]) -> bool:
    return str(item.get("__type") or "").upper() == PRESET


def _preset_name(item: Mapping[str, Any]) -> str:
    return str(item.get("key") or item.get("ref") or item.get("name") or item.get("uid"))


def _refusal_code(exc: ApiError) -> str | None:
    """The service's ``personalize.SCOPE.REASON`` code, wherever the error envelope put it."""
    texts = [exc.error_code or "", exc.service_message or ""]
    field_errors = getattr(exc, "field_errors", None) or {}
    texts += [m for messages in field_errors.values() for m in messages]
    for text in texts:
        match = _CODE_RE.search(text)
        if match:
            return match.group(0)
    return None


def explain_refusal(exc: ApiError) -> ApiError:
    """A refusal that names the quota it hit ("the project's quota of 100 audiences is reached
    (personalize.AUDIENCES.AUDIENCE_COUNT_EXCEEDED)"); any other error as it came."""
    code = _refusal_code(exc)
    reason = code.rsplit(".", 1)[-1] if code else ""
    if code is None or not reason.endswith("_COUNT_EXCEEDED") or reason.removesuffix("_COUNT_EXCEEDED") not in QUOTAS:
        return exc
    kind, default = QUOTAS[reason.removesuffix("_COUNT_EXCEEDED")]
    number = re.search(r"\b(\d+)\b", _CODE_RE.sub("", exc.service_message or ""))
    size = number.group(1) if number else f"{default} (the default)"
    text = (f"the project's quota of {size} {kind} is reached ({code}): remove some, or ask Contentstack "
            "support to raise the quota")
    return type(exc)(f"{text}; {exc}", status=exc.status, method=exc.method, path=exc.path,
                     request_id=exc.request_id, service_message=exc.service_message, error_code=code)


class ContentstackApi:
    """One project's endpoints over the shared, thread-safe ``ApiClient``."""

    def __init__(self, client: ApiClient) -> None:
        self.client = client

    # -- collections without GET by id -----------------------------------------------------------

    def listing(self, path: str) -> list[Json]:
        """Everything the collection lists (presets included). Raises when the collection does not
        answer (401/403/404 included): only an answer is evidence of what exists."""
        return LISTINGS.get(self.client, path, lambda: self.client.list_all(path))

    def find(self, path: str, uid: str) -> Json | None:
        return next((dict(item) for item in self.listing(path) if item.get("uid") == uid), None)

    def create(self, path: str, body: Json) -> Json:
        try:
            return self._object(self.client.post(path, body), path)
        except ApiError as exc:
            raise explain_refusal(exc) from None
        finally:
            LISTINGS.invalidate(self.client)

    def replace(self, path: str, uid: str, body: Json) -> Json:
        try:
            answer = self.client.put(f"{path}/{uid}", body)
        except ApiError as exc:  # an audience's rules are counted on update too
            raise explain_refusal(exc) from None
        finally:
            LISTINGS.invalidate(self.client)
        if answer is None:  # an empty 200/204: the object is as sent
            return {**body, "uid": uid}
        return self._object(answer, path)

    def remove(self, path: str, uid: str) -> bool:
        """DELETE; ``False`` when it was already gone."""
        try:
            self.client.delete(f"{path}/{uid}")
            return True
        except NotFoundError:
            return False
        finally:
            LISTINGS.invalidate(self.client)

    @staticmethod
    def _object(body: Any, path: str) -> Json:
        if isinstance(body, dict) and isinstance(body.get("data"), dict):
            body = body["data"]  # tolerate a wrapped object
        if not isinstance(body, dict) or not body.get("uid"):
            raise PersonalizeError(f"{path}: the service answered without the object's uid")
        return body

    # -- experiences ---------------------------------------------------------------------------------

    def get_experience(self, uid: str) -> Json | None:
        """The experience, or ``None`` when the project's list answers without it.

        A 404 of ``GET /experiences/{uid}`` alone is no proof (a wrong URL or project answers it
        too): the list must answer and not hold the uid. Any failure of the list is raised.
        """
        try:
            body = self.client.get(f"{EXPERIENCES}/{uid}")
        except NotFoundError:
            listed = self.listing(EXPERIENCES)
            if any(item.get("uid") == uid for item in listed):
                raise PersonalizeError(
                    f"GET {EXPERIENCES}/{uid} answered 404 while the project's experience list holds it; "
                    "try again later"
                ) from None
            return None
        return self._object(body, EXPERIENCES)

    def list_versions(self, uid: str) -> list[Json]:
        return ordered_versions(self.client.list_all(f"{EXPERIENCES}/{uid}/versions"))

    def create_version(self, uid: str, body: Json) -> Json:
        try:
            return self._object(self.client.post(f"{EXPERIENCES}/{uid}/versions", body), "version")
        except ApiError as exc:
            raise explain_refusal(exc) from None

    def update_version(self, uid: str, version_uid: str, body: Json) -> Json:
        try:
            answer = self.client.put(f"{EXPERIENCES}/{uid}/versions/{version_uid}", body)
        except ApiError as exc:
            raise explain_refusal(exc) from None
        if answer is None:
            return {**body, "uid": version_uid}
        return self._object(answer, "version")

    # -- priority, projects and geolocation ---------------------------------------------------------

    def get_priority(self) -> list[str]:
        order = priority_order(self.client.get(PRIORITY))
        if order is None:
            raise PersonalizeError(f"GET {PRIORITY}: expected the experiences' order (a list of uids)")
        return order

    def set_priority(self, order: list[str]) -> list[str]:
        # The body key is unconfirmed: `priorityOrder` (a runner of the service's own OpenAPI against
        # the live service, and a demo script) over `experiences` (docs/facts/contentstack.md#priority).
        answer = self.client.put(PRIORITY, {"priorityOrder": order})
        return priority_order(answer) or order

    def geolocation(self, kind: str, params: Mapping[str, Any]) -> list[Json]:
        return self.client.list_all(f"/geolocation/{kind}", params={k: v for k, v in params.items() if v})

    def projects(self, connected_stack_api_key: str) -> list[Json]:
        """``GET /projects?connectedStackApiKey=...``: needs a client made for the organization."""
        return self.client.list_all(PROJECTS, params={"connectedStackApiKey": connected_stack_api_key})


def priority_order(body: Any) -> list[str] | None:
    """The uids of an experiences-priority answer: a bare list, or an object holding it under
    ``priorityOrder`` or ``experiences`` (the GET shape is unconfirmed: both are read); items are
    uids or objects carrying one."""
    items: Any = body
    if isinstance(body, dict):
        items = next((body[k] for k in ("priorityOrder", "experiences", "priority", "data")
                      if isinstance(body.get(k), list)), None)
    if not isinstance(items, list):
        return None
    order: list[str] = []
    for item in items:
        if isinstance(item, dict):
            item = item.get("uid") or item.get("experienceUid") or item.get("experience")
        if isinstance(item, str) and item:
            order.append(item)
    return order


def connect(config: Mapping[str, object], namespace: str) -> ContentstackApi:
    """(flat stack configuration, namespace) -> the project's api; the environment is the fallback."""
    return ContentstackApi(contentstack_client(load_contentstack_settings(config, namespace=namespace)))


# --------------------------------------------------------------------------------------------------
# Versions as the service lists them
# --------------------------------------------------------------------------------------------------


def ordered_versions(versions: list[Json]) -> list[Json]:
    """Oldest first. The service sorts by ``createdAt`` in a direction that is unconfirmed: sort by
    it when every version has one (ISO 8601 strings sort as time); otherwise keep the listed order."""
    stamps = [v.get("createdAt") for v in versions]
    if versions and all(isinstance(s, str) and s for s in stamps):
        return sorted(versions, key=lambda v: str(v["createdAt"]))
    return list(versions)


def _uid(value: Any) -> str | None:
    # latestVersion is a uid string; one vendor test helper uses a number
    if isinstance(value, str) and value:
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return None


def current_version(live: Json) -> Json | None:
    """The version Pulumi manages: ``latestVersion``; else the draft, the active, the newest one."""
    versions: list[Json] = live.get(VERSIONS_KEY) or []
    latest = _uid(live.get("latestVersion"))
    for version in versions:
        if latest is not None and version.get("uid") == latest:
            return version
    for status in ("DRAFT", "ACTIVE", "PAUSED"):
        found = [v for v in versions if v.get("status") == status]
        if found:
            return found[-1]
    return versions[-1] if versions else None


def active_version(live: Json) -> Json | None:
    """The version visitors get (``status == ACTIVE``); no ``activeVersion`` field is relied on."""
    found = [v for v in live.get(VERSIONS_KEY) or [] if v.get("status") == "ACTIVE"]
    return found[-1] if found else None


def variant_short_uids(version: Json | None) -> dict[str, str]:
    return {
        str(v["name"]): str(v["shortUid"]) for v in (version or {}).get("variants") or []
        if isinstance(v, dict) and v.get("name") and v.get("shortUid") is not None
    }


def short_uids_by_name(versions: list[Json]) -> dict[str, str]:
    """Variant name -> short uid across all versions, the newest winning: a variant renamed and
    restored gets its latest short uid back (and its CMS variant with it)."""
    short: dict[str, str] = {}
    for version in versions:
        short.update(variant_short_uids(version))
    return short


def cms_variant_group(live: Json) -> str | None:
    cms = live.get("_cms")
    group = cms.get("variantGroup") if isinstance(cms, dict) else None
    if isinstance(group, dict):  # one vendor type declares an object; the wire shows a uid string
        group = group.get("uid")
    return group if isinstance(group, str) and group else None


def cms_variant_uids(live: Json) -> dict[str, str]:
    """Variant name -> CMS variant uid, from ``_cms.variants`` (keyed by variant short uid)."""
    cms = live.get("_cms")
    mapped = cms.get("variants") if isinstance(cms, dict) else None
    if not isinstance(mapped, dict):
        return {}
    out: dict[str, str] = {}
    for name, short in variant_short_uids(current_version(live)).items():
        value = mapped.get(short)
        if isinstance(value, dict):
            value = value.get("uid")
        if isinstance(value, str) and value:
            out[name] = value
    return out


def cms_settled(live: Json) -> bool:
    """Whether ``_cms`` holds the variant group and a CMS variant for every managed variant."""
    wanted = variant_short_uids(current_version(live))
    if not wanted:
        return True
    return cms_variant_group(live) is not None and len(cms_variant_uids(live)) == len(wanted)


VARIANT_FIELDS = ("__type", "name", "shortUid", "audiences", "audienceCombinationType", "lyticsAudiences",
                  "trafficDistribution")


def version_body(version: Json, status: str) -> Json:
    """A version's own configuration with a new status: what a PUT must resend in full (the variants'
    own fields only, short uids included, so that they stay the same variants)."""
    variants = [{k: v[k] for k in VARIANT_FIELDS if k in v} for v in version.get("variants") or [] if isinstance(v, dict)]
    body: Json = {"status": status, "variants": variants}
    for key in ("variantSplit", "metrics", "targeting"):
        if version.get(key) is not None:
            body[key] = version[key]
    return body


# --------------------------------------------------------------------------------------------------
# Endpoints (engine.Endpoints implementations)
# --------------------------------------------------------------------------------------------------


class Listed:
    """A collection read by listing: attributes, audiences, events. ``customs_only``: the listing
    also holds built-in presets, which are never returned, adopted or written."""

    def __init__(self, path: str, *, customs_only: bool = False) -> None:
        self.path = path
        self.customs_only = customs_only

    def create(self, api: ContentstackApi, payload: Json, inputs: BaseModel) -> Json:
        try:
            return api.create(self.path, payload)
        except ApiError as exc:
            preset = self._preset_with_key(api, payload.get("key")) if self.customs_only else None
            if preset is None:
                raise
            raise PersonalizeError(
                f"the key {payload.get('key')!r} belongs to the preset attribute {preset}: presets are "
                f"built in; give the custom attribute another key ({exc})",
                status=exc.status, method=exc.method, path=exc.path, request_id=exc.request_id,
            ) from None

    def _preset_with_key(self, api: ContentstackApi, key: Any) -> str | None:
        if not isinstance(key, str):
            return None
        try:
            items = api.listing(self.path)
        except PersonalizeError:  # the explanation is a courtesy: never hide the original error
            return None
        return next((_preset_name(i) for i in items if is_preset(i) and _preset_name(i).casefold() == key.casefold()),
                    None)

    def get(self, api: ContentstackApi, id_: str) -> Lookup:
        found = api.find(self.path, id_)
        if found is None:
            return Gone()  # the listing answered without it
        if self.customs_only and is_preset(found):
            raise PersonalizeError(f"{id_} is the preset attribute {_preset_name(found)}: presets are built in "
                                   "and cannot be managed or adopted")
        return Found(found)

    def update(self, api: ContentstackApi, id_: str, payload: Json, inputs: BaseModel, live: Json) -> Json:
        return api.replace(self.path, id_, payload)

    def delete(self, api: ContentstackApi, id_: str, props: Mapping[str, Any]) -> Removal:
        return Gone() if api.remove(self.path, id_) else Unconfirmed(f"DELETE {self.path}/{id_} answered 404")

    def list(self, api: ContentstackApi) -> list[Json]:
        items = api.listing(self.path)
        return [i for i in items if not (self.customs_only and is_preset(i))]


def _description(value: str | None) -> str:
    # Always sent ("" for none): clears it whether the service's PUT replaces or merges.
    return value or ""


def wire_body(inputs: BaseModel) -> Json:
    """The create and update body: exactly the fields the resource manages, as the vendor's CLI
    sends them (``{key, name, description}``, ``{key, description}``, ``{name, description,
    definition}``, ``{name, description, __type}``); never a server-owned field."""
    if isinstance(inputs, AttributeInputs):
        return {"key": inputs.key, "name": inputs.name, "description": _description(inputs.description)}
    if isinstance(inputs, EventInputs):
        return {"key": inputs.key, "description": _description(inputs.description)}
    if isinstance(inputs, AudienceInputs):
        body: Json = {"name": inputs.name, "description": _description(inputs.description)}
        if inputs.definition is not None:
            body["definition"] = inputs.definition.model_dump(mode="json", by_alias=True, exclude_none=True)
        return body
    if isinstance(inputs, ExperienceInputs):
        # The type cannot change in place; resending it unchanged is what a third-party runner does live (docs/facts/contentstack.md#experiences).
        return {"name": inputs.name, "description": _description(inputs.description), "__type": inputs.type}
    raise TypeError(f"no wire body for {type(inputs).__name__}")


def _experience_type(live: Json) -> str:
    return str(live.get("__type") or "SEGMENTED")


class Experiences:
    """An experience and its versions, driven as one resource.

    - create: POST ``{name, description, __type}`` (the service makes an empty draft), then fill
      that draft in the requested status (PAUSED = activate, then pause). If a follow-up fails, the
      experience is deleted again (or the error names its uid when even that fails).
    - update: name/description by PUT; then the managed version (``latestVersion``): a draft is
      edited in place; a locked (ACTIVE/PAUSED) one only flips ACTIVE <-> PAUSED when its
      configuration is unchanged, otherwise a new version is POSTed (ACTIVE archives the previous
      one). Every variant keeps its short uid by name, so its CMS variant survives.
    - after a write that leaves variants, ``_cms`` is waited for (bounded) and read back.
    - delete: an active version is paused first (found in the versions list), then DELETE.
    """

    def create(self, api: ContentstackApi, payload: Json, inputs: BaseModel) -> Json:
        assert isinstance(inputs, ExperienceInputs)
        created = api.create(EXPERIENCES, payload)
        uid = str(created["uid"])
        try:
            live = {**created, VERSIONS_KEY: api.list_versions(uid)}
            wrote = self._apply_version(api, uid, live, inputs)
            return self._settled(api, uid, wrote)
        except Exception as exc:
            raise self._undo_create(api, uid, exc) from None

    @staticmethod
    def _undo_create(api: ContentstackApi, uid: str, exc: Exception) -> PartialCreateError:
        left: str | None = None
        try:
            Experiences._pause_and_delete(api, uid)
            undone = f"the new experience {uid} was deleted again, nothing is left behind"
        except Exception as cleanup:
            left = uid
            undone = (f"the new experience {uid} could not be deleted ({cleanup}); adopt it with "
                      f"adopt_uid={uid!r} or delete it in Contentstack")
        base = exc if isinstance(exc, PersonalizeError) else PersonalizeError(str(exc))
        return PartialCreateError(f"configuring the experience's version failed: {base}; {undone}",
                                  created_id=left, cause=base)

    def get(self, api: ContentstackApi, id_: str) -> Lookup:
        live = api.get_experience(id_)
        if live is None:  # the project's list answered without it, after a 404
            return Unconfirmed(f"GET {EXPERIENCES}/{id_} answered 404")
        return Found({**live, VERSIONS_KEY: api.list_versions(id_)})

    def update(self, api: ContentstackApi, id_: str, payload: Json, inputs: BaseModel, live: Json) -> Json:
        assert isinstance(inputs, ExperienceInputs)
        if VERSIONS_KEY not in live:  # an object from the listing (adopt_existing, a lost create's answer)
            live = {**live, VERSIONS_KEY: api.list_versions(id_)}
        current_meta = {k: live.get(k) or None for k in ("name", "description")}
        if current_meta != {"name": inputs.name, "description": inputs.description}:
            api.replace(EXPERIENCES, id_, payload)
        wrote = self._apply_version(api, id_, live, inputs)
        return self._settled(api, id_, wrote)

    def delete(self, api: ContentstackApi, id_: str, props: Mapping[str, Any]) -> Removal:
        return self._pause_and_delete(api, id_)

    def list(self, api: ContentstackApi) -> list[Json]:
        return api.listing(EXPERIENCES)

    # -- versions ----------------------------------------------------------------------------------------

    @staticmethod
    def _pause_and_delete(api: ContentstackApi, uid: str) -> Removal:
        """Pause, then DELETE; ``Unconfirmed`` when either answered 404."""
        missing: Unconfirmed | None = None
        try:
            versions = api.list_versions(uid)
        except NotFoundError:
            versions = []  # the DELETE below tells whether the experience is there
            missing = Unconfirmed(f"GET {EXPERIENCES}/{uid}/versions answered 404")
        for version in versions:
            if version.get("status") == "ACTIVE":
                api.update_version(uid, str(version["uid"]), version_body(version, "PAUSED"))
                log.info("paused the active version of experience %s before deleting it", uid)
        if not api.remove(EXPERIENCES, uid):
            missing = Unconfirmed(f"DELETE {EXPERIENCES}/{uid} answered 404")
        return missing or Gone()

    def _apply_version(self, api: ContentstackApi, uid: str, live: Json, inputs: ExperienceInputs) -> bool:
        """Bring the managed version to the inputs; whether anything was written."""
        versions: list[Json] = live.get(VERSIONS_KEY) or []
        current = current_version(live)
        desired = inputs.version_fields()
        wanted = inputs.status
        first = "ACTIVE" if wanted == "PAUSED" else wanted  # no version is made (or leaves DRAFT) PAUSED
        short = short_uids_by_name(versions)
        if current is not None:
            have = ExperienceInputs.model_validate(
                {"name": inputs.name, "type": inputs.type, **version_inputs(current, inputs.type)}
            ).version_fields()
            if have == desired:
                return False
            same_config = {k: v for k, v in have.items() if k != "status"} == {
                k: v for k, v in desired.items() if k != "status"}
            if current.get("status") in LOCKED and same_config and wanted in LOCKED:
                # a status flip: PUT resends the full configuration with the new status
                api.update_version(uid, str(current["uid"]), version_payload(inputs, short, wanted))
                return True
        draft = next((v for v in versions if v.get("status") == "DRAFT"), None)
        if draft is not None:
            # one draft at a time: edit it (locked versions cannot be edited)
            version = api.update_version(uid, str(draft["uid"]), version_payload(inputs, short, first))
        else:
            version = api.create_version(uid, version_payload(inputs, short, first))
        if wanted == "PAUSED":
            # the new variants' short uids come from the service: read them before resending
            short = short_uids_by_name(api.list_versions(uid))
            api.update_version(uid, str(version["uid"]), version_payload(inputs, short, "PAUSED"))
        return True

    @staticmethod
    def _settled(api: ContentstackApi, uid: str, wrote: bool) -> Json:
        """The experience after a write; ``_cms`` waited for (bounded) when variants were written.

        Activation can remap CMS variants, so the wait always follows the last write. When ``_cms``
        does not fill in time the up still succeeds: the CMS outputs stay empty and a warning says
        so (a refresh later reads them).
        """
        fresh = api.get_experience(uid)
        if fresh is None:
            raise PersonalizeError(f"experience {uid} disappeared during the update")
        versions = api.list_versions(uid)
        live = {**fresh, VERSIONS_KEY: versions}
        if not wrote:
            return live
        deadline = time.monotonic() + CMS_WAIT_SECONDS
        delay = CMS_FIRST_POLL_SECONDS
        while not cms_settled(live):
            if time.monotonic() + delay > deadline:
                # a warning: the engine hands it to the Pulumi log
                log.warning("experience %s: the CMS variant group and variants did not appear in _cms within "
                            "%g s; cms_variant_group_uid / cms_variant_uids stay empty until a "
                            "`pulumi refresh` reads them", uid, CMS_WAIT_SECONDS)
                return live
            time.sleep(delay)
            delay = min(delay * 2, CMS_MAX_POLL_SECONDS)
            fresh = api.get_experience(uid)
            if fresh is None:
                raise PersonalizeError(f"experience {uid} disappeared during the update")
            live = {**fresh, VERSIONS_KEY: versions}
        return live


def experience_outputs(live: Json) -> Json:
    current = current_version(live)
    active = active_version(live)
    return {
        "uid": live.get("uid"),
        "experience_status": live.get("status"),
        "active_version_uid": active.get("uid") if active else None,
        "latest_version_uid": _uid(live.get("latestVersion")) or (current or {}).get("uid"),
        "variant_short_uids": variant_short_uids(current),
        "cms_variant_group_uid": cms_variant_group(live),
        "cms_variant_uids": cms_variant_uids(live),
    }


def experience_from_wire(live: Json, previous: Mapping[str, Any], _spec: Any) -> Json:
    exp_type = _experience_type(live)
    out: Json = {"name": live.get("name"), "description": live.get("description"), "type": exp_type}
    current = current_version(live)
    if current is not None:
        out.update(version_inputs(current, exp_type))
    return out


class Priority:
    """The project's experience order: the named experiences first, the rest in the service's order.
    Destroy leaves the order as it is (there is nothing to delete)."""

    def _apply(self, api: ContentstackApi, inputs: ExperiencePriorityInputs) -> Json:
        current = api.get_priority()
        named = list(inputs.experiences)
        missing = [u for u in named if u not in current]
        if missing:
            raise PersonalizeError(f"experiences {', '.join(missing)} do not exist in this project")
        # every experience of the project is listed (the service refuses a partial order)
        order = named + [u for u in current if u not in named]
        if order != current:
            order = api.set_priority(order)
        return {"uid": PRIORITY_ID, "order": order}

    def create(self, api: ContentstackApi, payload: Json, inputs: BaseModel) -> Json:
        assert isinstance(inputs, ExperiencePriorityInputs)
        return self._apply(api, inputs)

    def get(self, api: ContentstackApi, id_: str) -> Lookup:
        return Found({"uid": id_, "order": api.get_priority()})

    def update(self, api: ContentstackApi, id_: str, payload: Json, inputs: BaseModel, live: Json) -> Json:
        assert isinstance(inputs, ExperiencePriorityInputs)
        return self._apply(api, inputs)

    def delete(self, api: ContentstackApi, id_: str, props: Mapping[str, Any]) -> Removal:
        return Gone(note="ExperiencePriority removed from the stack; the project's experience order was left "
                         "as it is (the service has nothing to delete)")

    def list(self, api: ContentstackApi) -> list[Json]:
        raise NotImplementedError


def priority_from_wire(live: Json, previous: Mapping[str, Any], _spec: Any) -> Json:
    # the head of the live order, as long as the program's list: equal to it when in place
    order = [str(u) for u in live.get("order") or []]
    wanted = previous.get("experiences")
    size = len(wanted) if isinstance(wanted, list) and wanted else len(order)
    return {"experiences": order[:size]}
