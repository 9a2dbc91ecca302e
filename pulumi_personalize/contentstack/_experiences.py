"""Experiences and their versions: the endpoints that drive an experience with its managed version as
one resource, the reading of versions as the service lists them (``_versions``, ``latestVersion``,
``_cms``), and the experience's wire mapping. The api layer, below ``api.ContentstackApi``, whose
methods it calls (it names the client for types only)."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from .._api import PartialCreateError
from .._values import Found, Gone, Json, Lookup, Removal, Unconfirmed
from ..errors import NotFoundError, PersonalizeError, get_logger
from ..facts import contentstack as facts
from .models import ExperienceInputs, comparable, version_inputs, version_payload, with_live_lytics

if TYPE_CHECKING:
    from .api import ContentstackApi

log = get_logger(__name__)

EXPERIENCES = facts.EXPERIENCES_PATH
LOCKED = facts.LIVE_VERSION_STATUSES
VERSIONS_KEY = "_versions"
"""Where an experience's live object carries its versions list (read separately, never sent)."""

# _cms fills in asynchronously after a version with variants exists; the vendor's CLI waits up to
# 60 s for it. Polls start short and back off, so the emulator's quick fill costs one short wait.
# Read at each poll: tests shorten them on this module.
CMS_WAIT_SECONDS = 60.0
CMS_FIRST_POLL_SECONDS = 0.5
CMS_MAX_POLL_SECONDS = 10.0


@dataclass
class PollClock:
    """What the ``_cms`` wait reads time through: the real clock, or a test's (no test sleeps)."""

    monotonic: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep


CMS_CLOCK = PollClock()


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

    def delete(self, api: ContentstackApi, id_: str, props: Mapping[str, Any], live: Json | None = None) -> Removal:
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
        inputs = with_live_lytics(inputs, current)  # undeclared Lytics targeting is kept, not dropped
        desired = comparable(inputs.version_fields())
        wanted = inputs.status
        first = "ACTIVE" if wanted == "PAUSED" else wanted  # no version is made (or leaves DRAFT) PAUSED
        short = short_uids_by_name(versions)
        if current is not None:
            have = ExperienceInputs.model_validate(
                {"name": inputs.name, "type": inputs.type, **version_inputs(current, inputs.type)}
            ).version_fields()
            have = comparable(have)
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
        clock = CMS_CLOCK
        deadline = clock.monotonic() + CMS_WAIT_SECONDS
        delay = CMS_FIRST_POLL_SECONDS
        while not cms_settled(live):
            if clock.monotonic() + delay > deadline:
                # a warning: the engine hands it to the Pulumi log
                log.warning("experience %s: the CMS variant group and variants did not appear in _cms within "
                            "%g s; cms_variant_group_uid / cms_variant_uids stay empty until a "
                            "`pulumi refresh` reads them", uid, CMS_WAIT_SECONDS)
                return live
            clock.sleep(delay)
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
        "variant_lytics_audiences": {str(v.get("name")): list(v["lyticsAudiences"])
                                     for v in (current or {}).get("variants") or []
                                     if isinstance(v, dict) and v.get("lyticsAudiences")},
    }


def experience_from_wire(live: Json, previous: Mapping[str, Any], _spec: Any) -> Json:
    exp_type = _experience_type(live)
    out: Json = {"name": live.get("name"), "description": live.get("description"), "type": exp_type}
    current = current_version(live)
    if current is not None:
        out.update(version_inputs(current, exp_type))
        _declared_lytics(out.get("variants") or [], previous.get("variants") or [])
    return out


def _declared_lytics(variants: list[Json], previous: list[Any]) -> None:
    """Lytics audiences as the program declares them: a variant that left them out keeps the live ones
    (shown in ``variant_lytics_audiences``, not as drift); one that declared them shows the live ones."""
    declared = {v.get("name"): v.get("lytics_audiences") is not None for v in previous if isinstance(v, Mapping)}
    for variant in variants:
        if declared.get(variant.get("name")) is True:
            variant.setdefault("lytics_audiences", [])
        elif declared.get(variant.get("name")) is False and variant.get("audiences"):
            variant.pop("lytics_audiences", None)
