"""The project's experience order (``/experiences-priority``): the endpoints of ExperiencePriority,
the reading of the service's answer, and its wire mapping. The api layer, below
``api.ContentstackApi``, whose methods it calls (it names the client for types only)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from .._values import Found, Gone, Json, Lookup, Removal
from ..errors import PersonalizeError
from .models import ExperiencePriorityInputs

if TYPE_CHECKING:
    from .api import ContentstackApi

PRIORITY_ID = "experience-priority"


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

    def delete(self, api: ContentstackApi, id_: str, props: Mapping[str, Any], live: Json | None = None) -> Removal:
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
