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

Here: the client (``ContentstackApi``), refusals explained, ``connect``, the paths, the listed kinds'
endpoints (``Listed``) and their wire bodies. Experiences with their versions are in
``_experiences``, the experiences' order in ``_priority``; both are named here too.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel

from .._api import LISTINGS
from .._values import Found, Gone, Json, Lookup, Removal, Unconfirmed
from ..config import load_contentstack_settings
from ..errors import ApiError, NotFoundError, PersonalizeError
from ..facts import contentstack as facts
from ..http import ApiClient
from ._experiences import (
    EXPERIENCES,
    LOCKED,
    VARIANT_FIELDS,
    VERSIONS_KEY,
    Experiences,
    active_version,
    cms_settled,
    cms_variant_group,
    cms_variant_uids,
    current_version,
    experience_from_wire,
    experience_outputs,
    ordered_versions,
    short_uids_by_name,
    variant_short_uids,
    version_body,
)
from ._priority import PRIORITY_ID, Priority, priority_from_wire, priority_order
from ._wire import contentstack_client
from .models import AttributeInputs, AudienceInputs, EventInputs, ExperienceInputs
from .rules import custom_refs

# the declarations, the exporter and the look-ups reach every endpoint through this one module
__all__ = [
    "ATTRIBUTES",
    "AUDIENCES",
    "EVENTS",
    "EXPERIENCES",
    "LOCKED",
    "PRESET",
    "PRIORITY",
    "PRIORITY_ID",
    "PROJECTS",
    "QUOTAS",
    "VARIANT_FIELDS",
    "VERSIONS_KEY",
    "ContentstackApi",
    "Experiences",
    "Listed",
    "Priority",
    "active_version",
    "cms_settled",
    "cms_variant_group",
    "cms_variant_uids",
    "connect",
    "current_version",
    "experience_from_wire",
    "experience_outputs",
    "explain_refusal",
    "is_preset",
    "ordered_versions",
    "priority_from_wire",
    "priority_order",
    "short_uids_by_name",
    "variant_short_uids",
    "version_body",
    "wire_body",
]

ATTRIBUTES = facts.ATTRIBUTES_PATH
AUDIENCES = facts.AUDIENCES_PATH
EVENTS = facts.EVENTS_PATH
PRIORITY = facts.PRIORITY_PATH
PROJECTS = facts.PROJECTS_PATH
PRESET = "PRESET"

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


def connect(config: Mapping[str, object], namespace: str) -> ContentstackApi:
    """(flat stack configuration, namespace) -> the project's api; the environment is the fallback."""
    return ContentstackApi(contentstack_client(load_contentstack_settings(config, namespace=namespace)))


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

    def delete(self, api: ContentstackApi, id_: str, props: Mapping[str, Any], live: Json | None = None) -> Removal:
        try:
            removed = api.remove(self.path, id_)
        except ApiError as exc:
            users = _audiences_using(api, id_) if self.customs_only else []
            if not users:
                raise
            raise PersonalizeError(
                f"the attribute {props.get('key') or id_!r} ({id_}) is still used by the audiences {', '.join(users)}: "
                f"remove their rules on rules.custom({id_!r}) (or the audiences) first, in the same program or "
                f"wherever they are managed, then run up again ({exc})",
                status=exc.status, method=exc.method, path=exc.path, request_id=exc.request_id,
            ) from None
        return Gone() if removed else Unconfirmed(f"DELETE {self.path}/{id_} answered 404")

    def list(self, api: ContentstackApi) -> list[Json]:
        items = api.listing(self.path)
        return [i for i in items if not (self.customs_only and is_preset(i))]


def _audiences_using(api: ContentstackApi, uid: str) -> list[str]:
    """``'name' (uid)`` of each audience whose rules refer to the custom attribute ``uid``.

    Why a delete of an attribute was refused; a delete has no check, so no preview can know it.
    """
    try:
        audiences = api.listing(AUDIENCES)
    except PersonalizeError:  # the explanation is a courtesy: never hide the original error
        return []
    return [f"{a.get('name')!r} ({a.get('uid')})" for a in audiences if uid in custom_refs(a.get("definition"))]


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
