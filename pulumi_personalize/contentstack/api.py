"""Typed endpoints of the Contentstack Personalize Management API (the api layer: api -> http).

Attributes, audiences and events have no GET by id: they are read from a listing that all reads
of a burst share (``engine.LISTINGS``: a few seconds, dropped by any write through the client).
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from typing import Any

import pulumi
from pydantic import BaseModel

from ..config import load_contentstack_settings
from ..engine import LISTINGS, Json, PartialCreateError
from ..errors import NotFoundError, PersonalizeError, get_logger
from ..http import ApiClient, contentstack_client
from .models import ExperienceInputs, ExperiencePriorityInputs, version_inputs, version_payload

log = get_logger(__name__)

ATTRIBUTES = "/attributes"
AUDIENCES = "/audiences"
EVENTS = "/events"
EXPERIENCES = "/experiences"
PRIORITY = "/experiences/priority"
PRIORITY_ID = "experience-priority"
VERSION_SERVER_FIELDS = ("uid", "experience", "created_at", "updated_at", "createdAt", "updatedAt",
                         "createdBy", "updatedBy")


class ContentstackApi:
    """One project's endpoints over the shared, thread-safe ``ApiClient``."""

    def __init__(self, client: ApiClient) -> None:
        self.client = client

    # -- collections without GET by id -----------------------------------------------------------

    def listing(self, path: str) -> list[Json]:
        return LISTINGS.get(self.client, path, lambda: self.client.list_all(path))

    def find(self, path: str, uid: str) -> Json | None:
        return next((dict(item) for item in self.listing(path) if item.get("uid") == uid), None)

    def create(self, path: str, body: Json) -> Json:
        try:
            return self._object(self.client.post(path, body), path)
        finally:
            LISTINGS.invalidate(self.client)

    def replace(self, path: str, uid: str, body: Json) -> Json:
        try:
            return self._object(self.client.put(f"{path}/{uid}", body), path)
        finally:
            LISTINGS.invalidate(self.client)

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
        try:
            body = self.client.get(f"{EXPERIENCES}/{uid}")
        except NotFoundError:
            return None
        return self._object(body, EXPERIENCES)

    def list_versions(self, uid: str) -> list[Json]:
        return self.client.list_all(f"{EXPERIENCES}/{uid}/versions")

    def get_version(self, uid: str, version_uid: str) -> Json:
        return self._object(self.client.get(f"{EXPERIENCES}/{uid}/versions/{version_uid}"), "version")

    def create_version(self, uid: str, body: Json) -> Json:
        return self._object(self.client.post(f"{EXPERIENCES}/{uid}/versions", body), "version")

    def update_version(self, uid: str, version_uid: str, body: Json) -> Json:
        return self._object(self.client.put(f"{EXPERIENCES}/{uid}/versions/{version_uid}", body), "version")

    # -- priority and geolocation -----------------------------------------------------------------

    def get_priority(self) -> list[str]:
        body = self.client.get(PRIORITY)
        order = body.get("priority") if isinstance(body, dict) else body
        return [str(u) for u in order or []]

    def set_priority(self, order: list[str]) -> list[str]:
        body = self.client.put(PRIORITY, {"priority": order})
        got = body.get("priority") if isinstance(body, dict) else None
        return [str(u) for u in got] if isinstance(got, list) else order

    def geolocation(self, kind: str, params: Mapping[str, Any]) -> list[Json]:
        return self.client.list_all(f"/geolocation/{kind}", params={k: v for k, v in params.items() if v})


def connect(config: Mapping[str, object], namespace: str) -> ContentstackApi:
    """(flat stack configuration, namespace) -> the project's api; the environment is the fallback."""
    return ContentstackApi(contentstack_client(load_contentstack_settings(config, namespace=namespace)))


# --------------------------------------------------------------------------------------------------
# Endpoints (engine.Endpoints implementations)
# --------------------------------------------------------------------------------------------------


class Listed:
    """A collection read by listing: attributes, audiences, events."""

    def __init__(self, path: str) -> None:
        self.path = path

    def create(self, api: ContentstackApi, payload: Json, inputs: BaseModel) -> Json:
        return api.create(self.path, payload)

    def get(self, api: ContentstackApi, id_: str) -> Json | None:
        return api.find(self.path, id_)

    def update(self, api: ContentstackApi, id_: str, payload: Json, inputs: BaseModel, live: Json) -> Json:
        return api.replace(self.path, id_, payload)

    def delete(self, api: ContentstackApi, id_: str, props: Mapping[str, Any]) -> None:
        api.remove(self.path, id_)

    def list(self, api: ContentstackApi) -> list[Json]:
        return api.listing(self.path)


def experience_meta(inputs: ExperienceInputs) -> Json:
    body: Json = {"name": inputs.name, "__type": inputs.type}
    if inputs.description is not None:
        body["description"] = inputs.description
    return body


def _latest(live: Json) -> Json | None:
    latest = live.get("latestVersion")
    return latest if isinstance(latest, dict) else None


def _experience_type(live: Json) -> str:
    return str(live.get("__type") or live.get("type") or "SEGMENTED")


class Experiences:
    """An experience and its versions, driven as one resource.

    - create: POST the experience (the service makes an empty draft), then fill that draft in the
      requested status (PAUSED = activate, then pause). If a follow-up fails, the experience is
      deleted again (or the error names its uid when even that fails).
    - update: name/description by PUT; the version part edits the draft when the latest version is
      a draft, otherwise creates a new version (ACTIVE archives the previous one), or only flips
      ACTIVE <-> PAUSED when the configuration is unchanged. Variants keep their short uids by name.
    - delete: an active experience is paused first.
    """

    def create(self, api: ContentstackApi, payload: Json, inputs: BaseModel) -> Json:
        assert isinstance(inputs, ExperienceInputs)
        live = api.create(EXPERIENCES, payload)
        uid = str(live["uid"])
        try:
            self._apply_version(api, uid, live, inputs)
            fresh = api.get_experience(uid)
            if fresh is None:
                raise PersonalizeError(f"experience {uid} disappeared right after it was created")
            return fresh
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

    def get(self, api: ContentstackApi, id_: str) -> Json | None:
        return api.get_experience(id_)

    def update(self, api: ContentstackApi, id_: str, payload: Json, inputs: BaseModel, live: Json) -> Json:
        assert isinstance(inputs, ExperienceInputs)
        current_meta = {k: live.get(k) for k in ("name", "description")}
        wanted_meta = {"name": inputs.name, "description": inputs.description}
        if current_meta != wanted_meta:
            api.replace(EXPERIENCES, id_, payload)
        self._apply_version(api, id_, live, inputs)
        fresh = api.get_experience(id_)
        if fresh is None:
            raise PersonalizeError(f"experience {id_} disappeared during the update")
        return fresh

    def delete(self, api: ContentstackApi, id_: str, props: Mapping[str, Any]) -> None:
        self._pause_and_delete(api, id_)

    def list(self, api: ContentstackApi) -> list[Json]:
        return api.listing(EXPERIENCES)

    # -- versions ----------------------------------------------------------------------------------------

    @staticmethod
    def _pause_and_delete(api: ContentstackApi, uid: str) -> None:
        live = api.get_experience(uid)
        if live is None:
            return
        active = live.get("activeVersion")
        if isinstance(active, dict):
            active = active.get("uid")
        if active:
            version = api.get_version(uid, str(active))
            if version.get("status") == "ACTIVE":
                body = {k: v for k, v in version.items() if k not in VERSION_SERVER_FIELDS}
                api.update_version(uid, str(active), {**body, "status": "PAUSED"})
                log.info("paused the active version of experience %s before deleting it", uid)
        api.remove(EXPERIENCES, uid)

    @staticmethod
    def _short_uids(api: ContentstackApi, uid: str) -> dict[str, str]:
        # newest version wins: a renamed-then-restored variant gets its latest short uid back
        short: dict[str, str] = {}
        for version in api.list_versions(uid):
            for variant in version.get("variants") or []:
                if isinstance(variant, dict) and variant.get("name") and variant.get("shortUid") is not None:
                    short[str(variant["name"])] = str(variant["shortUid"])
        return short

    def _apply_version(self, api: ContentstackApi, uid: str, live: Json, inputs: ExperienceInputs) -> None:
        latest = _latest(live)
        desired = inputs.version_fields()
        if latest is not None:
            current = ExperienceInputs.model_validate(
                {"name": inputs.name, "type": inputs.type, **version_inputs(latest, inputs.type)}
            ).version_fields()
            if current == desired:
                return  # nothing to do
        short = self._short_uids(api, uid)
        wanted = inputs.status
        config_same = latest is not None and {k: v for k, v in current.items() if k != "status"} == {
            k: v for k, v in desired.items() if k != "status"
        }
        if latest is not None and latest.get("status") == "DRAFT":
            first = "ACTIVE" if wanted == "PAUSED" else wanted
            version = api.update_version(uid, str(latest["uid"]), version_payload(inputs, short, first))
        elif latest is not None and config_same and wanted in ("ACTIVE", "PAUSED") \
                and latest.get("status") in ("ACTIVE", "PAUSED"):
            api.update_version(uid, str(latest["uid"]), version_payload(inputs, short, wanted))
            return
        else:
            first = "ACTIVE" if wanted == "PAUSED" else wanted
            version = api.create_version(uid, version_payload(inputs, short, first))
        if wanted == "PAUSED":
            # a version cannot be created (or go from DRAFT) straight to PAUSED: activate, then pause
            short = {str(v.get("name")): str(v.get("shortUid")) for v in version.get("variants") or []
                     if isinstance(v, dict) and v.get("shortUid") is not None}
            api.update_version(uid, str(version["uid"]), version_payload(inputs, short, "PAUSED"))


def experience_outputs(live: Json) -> Json:
    latest = _latest(live) or {}
    active = live.get("activeVersion")
    if isinstance(active, dict):
        active = active.get("uid")
    return {
        "uid": live.get("uid"),
        "experience_status": live.get("status"),
        "active_version_uid": active,
        "latest_version_uid": latest.get("uid"),
        "variant_short_uids": {
            str(v["name"]): str(v["shortUid"]) for v in latest.get("variants") or []
            if isinstance(v, dict) and v.get("name") and v.get("shortUid") is not None
        },
    }


def experience_from_wire(live: Json, previous: Mapping[str, Any], _spec: Any) -> Json:
    exp_type = _experience_type(live)
    out: Json = {"name": live.get("name"), "description": live.get("description"), "type": exp_type}
    latest = _latest(live)
    if latest is not None:
        out.update(version_inputs(latest, exp_type))
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
        order = named + [u for u in current if u not in named]
        if order != current:
            order = api.set_priority(order)
        return {"uid": PRIORITY_ID, "order": order}

    def create(self, api: ContentstackApi, payload: Json, inputs: BaseModel) -> Json:
        assert isinstance(inputs, ExperiencePriorityInputs)
        return self._apply(api, inputs)

    def get(self, api: ContentstackApi, id_: str) -> Json | None:
        return {"uid": id_, "order": api.get_priority()}

    def update(self, api: ContentstackApi, id_: str, payload: Json, inputs: BaseModel, live: Json) -> Json:
        assert isinstance(inputs, ExperiencePriorityInputs)
        return self._apply(api, inputs)

    def delete(self, api: ContentstackApi, id_: str, props: Mapping[str, Any]) -> None:
        message = ("ExperiencePriority removed from the stack; the project's experience order was left "
                   "as it is (the service has nothing to delete)")
        log.info(message)
        with contextlib.suppress(Exception):  # no engine to log to (unit tests)
            pulumi.log.info(message)

    def list(self, api: ContentstackApi) -> list[Json]:
        raise NotImplementedError


def priority_from_wire(live: Json, previous: Mapping[str, Any], _spec: Any) -> Json:
    # the head of the live order, as long as the program's list: equal to it when in place
    order = [str(u) for u in live.get("order") or []]
    wanted = previous.get("experiences")
    size = len(wanted) if isinstance(wanted, list) and wanted else len(order)
    return {"experiences": order[:size]}
