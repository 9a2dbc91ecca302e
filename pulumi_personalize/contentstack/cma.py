"""Content types linked to an experience's CMS variant group, in the Content Management API (the api
layer: api -> http; never the engine nor pulumi).

What the code relies on (``docs/facts/contentstack.md#cma``):

- every experience appears in the connected stack as a variant group of the same name, made by a
  Personalize background job some time after the experience has variants; Personalize does not
  link content types to it, and entry variants need the link;
- ``GET /v3/variant_groups`` lists the stack's groups (``{"variant_groups": [...]}``, paged by
  ``skip``/``limit``; ``experience_uid`` filters by experience), ``PUT /v3/variant_groups/{uid}``
  with ``{name, content_types: [{uid, status}]}`` links (``linked``) and unlinks (``unlinked``);
- whether that PUT replaces the group's whole list or applies the statuses one by one is
  **unconfirmed**: every write here sends the whole list the group should hold (what is linked and
  not ours to drop, plus ours) and marks what it unlinks, which is right either way.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import BaseModel

from .._values import Found, Gone, Json, Lookup, Removal
from ..errors import PersonalizeError, get_logger
from ..http import ApiClient, Limiter, StaticHeadersAuth, Wire, client_for, shared_client
from . import _experiences
from .cma_settings import CmaSettings, load_cma_settings
from .models import VariantGroupContentTypesInputs

log = get_logger(__name__)

VARIANT_GROUPS = "/v3/variant_groups"
PAGE_SIZE = 100
MAX_PAGES = 100
LINKED, UNLINKED = "linked", "unlinked"



def linked_content_types(group: Mapping[str, Any]) -> list[str]:
    """The uids of the content types linked to a group: items are uid strings (the CMA SDKs' test
    answers) or ``{uid, status}`` objects (what the PUT takes), ``linked`` unless they say otherwise."""
    out: list[str] = []
    for item in group.get("content_types") or []:
        if isinstance(item, dict):
            uid, status = item.get("uid"), item.get("status", LINKED)
        else:
            uid, status = item, LINKED
        if isinstance(uid, str) and uid and status == LINKED and uid not in out:
            out.append(uid)
    return out


def experience_of(group: Mapping[str, Any]) -> str | None:
    """The experience a group stands for (``personalize_metadata.experience_uid``), if it says."""
    meta = group.get("personalize_metadata")
    uid = meta.get("experience_uid") if isinstance(meta, dict) else None
    return uid if isinstance(uid, str) and uid else None


class CmaApi:
    """One stack's variant groups over a shared, thread-safe ``ApiClient``."""

    def __init__(self, client: ApiClient) -> None:
        self.client = client

    def groups(self, experience_uid: str | None = None) -> list[Json]:
        """Every group of the stack (of one experience, when given). Raises when the list does not
        answer (401/403/404 included): only an answer is evidence of what exists."""
        found: list[Json] = []
        query: dict[str, Any] = {"experience_uid": experience_uid} if experience_uid else {}
        for _ in range(MAX_PAGES):
            body = self.client.get(VARIANT_GROUPS, params={**query, "limit": PAGE_SIZE, "skip": len(found)})
            items = body.get("variant_groups") if isinstance(body, dict) else None
            if not isinstance(items, list):
                raise PersonalizeError(f"GET {VARIANT_GROUPS}: expected an object holding variant_groups")
            found += [i for i in items if isinstance(i, dict)]
            if len(items) < PAGE_SIZE:
                return found
        raise PersonalizeError(f"GET {VARIANT_GROUPS}: gave up after {MAX_PAGES} pages; the service seems to ignore skip")

    def group(self, uid: str) -> Json | None:
        return next((g for g in self.groups() if g.get("uid") == uid), None)

    def group_of(self, experience_uid: str) -> Json | None:
        """The experience's group. Groups that name their experience are matched by it; when none
        does, the service's filter is all there is, and only a single answer is taken."""
        groups = self.groups(experience_uid)
        tagged = [g for g in groups if experience_of(g) is not None]
        if tagged:
            return next((g for g in tagged if experience_of(g) == experience_uid), None)
        return groups[0] if len(groups) == 1 else None

    def link(self, group: Json, linked: Sequence[str], unlinked: Sequence[str]) -> Json:
        """PUT the group with ``linked`` as its whole list of linked content types and ``unlinked``
        marked as such; the group as it is afterwards."""
        uid = str(group["uid"])
        body: Json = {"content_types": [{"uid": u, "status": LINKED} for u in linked]
                      + [{"uid": u, "status": UNLINKED} for u in unlinked]}
        if isinstance(group.get("name"), str):
            body["name"] = group["name"]  # a third-party live report says the PUT needs it
        self.client.put(f"{VARIANT_GROUPS}/{uid}", body)
        fresh = self.group(uid)
        if fresh is None:
            raise PersonalizeError(f"variant group {uid} disappeared while its content types were linked")
        return fresh


class VariantGroupLinks:
    """The content types a program links to an experience's variant group; the others stay.

    - create: waits (bounded) for the experience's group, then links the declared content types;
    - update: links what was added and unlinks what the program no longer declares (``update_from``,
      given the previous inputs); ``update`` alone only links;
    - delete: unlinks only the declared content types; the group stays (Personalize owns it).
    """

    @staticmethod
    def wait_for_group(api: CmaApi, experience_uid: str) -> Json:
        """The group, made by the job that fills the experience's ``_cms``: waited for as the
        Experience waits for ``_cms`` (its bounds, its clock ``CMS_CLOCK``, which tests replace)."""
        clock = _experiences.CMS_CLOCK
        deadline = clock.monotonic() + _experiences.CMS_WAIT_SECONDS
        delay = _experiences.CMS_FIRST_POLL_SECONDS
        while (group := api.group_of(experience_uid)) is None:
            if clock.monotonic() + delay > deadline:
                raise PersonalizeError(
                    f"the CMS variant group of experience {experience_uid} did not appear in the stack within "
                    f"{_experiences.CMS_WAIT_SECONDS:g} s (Personalize makes it once the experience has variants); "
                    "nothing was linked: run `pulumi up` again later")
            clock.sleep(delay)
            delay = min(delay * 2, _experiences.CMS_MAX_POLL_SECONDS)
        return group

    @staticmethod
    def _apply(api: CmaApi, group: Json, declared: Sequence[str], dropped: Sequence[str]) -> Json:
        linked = linked_content_types(group)
        target = [u for u in linked if u not in dropped] + [u for u in declared if u not in linked]
        if set(target) == set(linked):
            return group
        return api.link(group, target, [u for u in dropped if u in linked])

    def create(self, api: CmaApi, payload: Json, inputs: BaseModel) -> Json:
        assert isinstance(inputs, VariantGroupContentTypesInputs)
        return self._apply(api, self.wait_for_group(api, inputs.experience), inputs.content_types, ())

    def get(self, api: CmaApi, id_: str) -> Lookup:
        group = api.group(id_)
        return Gone() if group is None else Found(group)  # the stack's list answered without it

    def update(self, api: CmaApi, id_: str, payload: Json, inputs: BaseModel, live: Json) -> Json:
        assert isinstance(inputs, VariantGroupContentTypesInputs)
        return self._apply(api, live, inputs.content_types, ())

    def update_from(self, api: CmaApi, id_: str, inputs: BaseModel, live: Json, previous: Mapping[str, Any]) -> Json:
        """The update, knowing what the program declared before: what it no longer declares is unlinked."""
        assert isinstance(inputs, VariantGroupContentTypesInputs)
        before = [u for u in previous.get("content_types") or [] if isinstance(u, str)]
        return self._apply(api, live, inputs.content_types, [u for u in before if u not in inputs.content_types])

    def delete(self, api: CmaApi, id_: str, props: Mapping[str, Any], live: Json | None = None) -> Removal:
        group = api.group(id_)
        if group is None:
            return Gone()  # the stack's list answered without it: nothing is linked any more
        declared = [u for u in props.get("content_types") or [] if isinstance(u, str)]
        self._apply(api, group, (), declared)
        return Gone(note=f"unlinked {', '.join(declared) or 'nothing'} from variant group {id_}; the group stays in "
                         "the stack (Personalize owns it)")

    def list(self, api: CmaApi) -> list[Json]:
        return api.groups()


def outputs(live: Json) -> Json:
    return {"uid": live.get("uid"), "variant_group_uid": live.get("uid")}


def from_wire(live: Json, previous: Mapping[str, Any], _spec: Any) -> Json:
    """What refresh writes back: the declared content types that are linked, in the program's order;
    an import (no previous inputs) takes every linked one."""
    linked = set(linked_content_types(live))
    if "content_types" not in previous:
        return {"experience": previous.get("experience") or experience_of(live),
                "content_types": linked_content_types(live)}
    declared = [u for u in previous.get("content_types") or [] if isinstance(u, str)]
    experience = previous.get("experience") or experience_of(live)
    return {"experience": experience, "content_types": [u for u in declared if u in linked]}


WIRE = Wire(name="the Contentstack Content Management API", counts_rate=True)
"""Requests are counted per organization, as for Personalize's API. Error bodies ``{error_message,
error_code, errors}`` are read by the shared parser; its numeric codes add nothing to the message."""


def cma_client(settings: CmaSettings) -> ApiClient:
    """The process-wide client for these settings (one per base URL, stack and credential); one rate
    limiter per base URL and credential, as the CMA counts per organization."""
    secret = tuple(v.get_secret_value() if v is not None else None
                   for v in (settings.management_token, settings.authtoken, settings.oauth_token))

    def build(limiter: Limiter | None) -> ApiClient:
        auth = StaticHeadersAuth({"api_key": settings.stack_api_key, **settings.credential_headers()},
                                 hint=settings.credential_hint())
        return client_for(settings, wire=WIRE, auth=auth, rate_limiter=limiter)

    return shared_client(
        ("contentstack-cma", settings.base_url, settings.stack_api_key, *secret, settings.requests_per_second,
         settings.timeout),
        ("contentstack-cma-limit", settings.base_url, *secret, settings.requests_per_second),
        settings.requests_per_second, build, wire=WIRE, cap=settings.max_requests_per_second)


def connect(config: Mapping[str, object], namespace: str) -> CmaApi:
    """(flat stack configuration, namespace) -> the stack's CMA; the environment is the fallback."""
    return CmaApi(cma_client(load_cma_settings(config, namespace=namespace)))
