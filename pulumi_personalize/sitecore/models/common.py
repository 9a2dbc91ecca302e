"""What every Sitecore model shares: the server-owned fields, the strict base model, reading the live
object, friendly ids, archived objects, and the ``tags`` flows and templates carry."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from pydantic import ConfigDict, ValidationError, ValidationInfo, model_validator
from pydantic.alias_generators import to_camel

from ..._values import STACK_TAG_PREFIX, AnyCase, without_stack_tags

__all__ = [
    "DECISION_MODEL_LINKS",
    "FRIENDLY_ID_RE",
    "SERVER_FIELDS",
    "is_archived",
    "no_stack_tags",
    "read_tagged",
    "read_wire",
    "strip_server_fields",
    "tagged_body",
]

# Every field the service owns on one of these objects (docs/facts/sitecore.md#conventions).
SERVER_FIELDS = frozenset({
    "ref", "href", "clientKey", "revision", "modifiedAt", "modifiedByRef", "modifiedByUserRef",
    "transpiledVariants", "transpiledDefinition", "revisions",
})
# The decision model's ``variants`` is a server-owned link object ({href}); a flow's ``variants``
# is a declared list. Which of the two a key is depends on the resource: see ``strip_server_fields``.
DECISION_MODEL_LINKS = frozenset({"variants", "revisions"})

FRIENDLY_ID_RE = re.compile(r"^[a-z0-9_]+$")


def _upper(value: Any) -> Any:
    return value.upper() if isinstance(value, str) else value


def strip_server_fields(live: Mapping[str, Any], *, links: Iterable[str] = ()) -> dict[str, Any]:
    """The live object without what the service owns (what a full PUT starts from)."""
    drop = SERVER_FIELDS | frozenset(links)
    return {k: v for k, v in live.items() if k not in drop}


class _Model(AnyCase):
    """Strict on input; lenient when reading the live object (``context={"from_wire": True}``)."""

    # The attributes' docstrings are the reference's descriptions; scripts/gen_docs.py reads them from
    # the source. Pydantic's use_attribute_docstrings would read and compile it at every import: 40 to
    # 80 ms of each provider process's start and each program's.
    model_config = ConfigDict(extra="forbid", frozen=True, alias_generator=to_camel, populate_by_name=True)

    @model_validator(mode="before")
    @classmethod
    def _known_keys_only_from_wire(cls, data: Any, info: ValidationInfo) -> Any:
        if info.context and info.context.get("from_wire") and isinstance(data, Mapping):
            known: set[str] = set()
            for name, f in cls.model_fields.items():
                known.update((name, f.alias or name))
            return {k: v for k, v in data.items() if k in known}
        return data

    def wire(self) -> dict[str, Any]:
        """The service's JSON for this object (camelCase, ``None`` left out)."""
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)


def read_wire(model: type[_Model], live: Mapping[str, Any]) -> dict[str, Any]:
    """Inputs (snake_case) as a live object states them; unknown keys dropped, not refused.

    An object that does not fit the model (a field missing) still yields its top-level fields
    under their input names, so a look at its key and type works; validating that result fails
    where it must (the engine then keeps the inputs it knew)."""
    try:
        return model.model_validate(live, context={"from_wire": True}).model_dump(mode="json", exclude_none=True)
    except ValidationError:
        return {name: live[f.alias or name] for name, f in model.model_fields.items()
                if live.get(f.alias or name) is not None}


def _friendly_id(value: str) -> str:
    if not FRIENDLY_ID_RE.match(value):
        raise ValueError("must be lowercase letters, digits and underscores only (^[a-z0-9_]+$)")
    return value


def is_archived(live: Mapping[str, Any]) -> bool:
    """Archived objects count as gone (a refresh drops them; adoption may revive one)."""
    return bool(live.get("archived"))


def tagged_body(body: dict[str, Any]) -> dict[str, Any]:
    """A flow's or template's body, finished: ``tags`` always a list (the service keeps one), and
    unarchived (adopting or reviving an archived one unarchives it)."""
    body.setdefault("tags", [])
    body["archived"] = False
    return body


def no_stack_tags(value: list[str] | None) -> list[str] | None:
    """A program's ``tags``: the tag naming the managing stack is the provider's to write."""
    if value and any(tag.startswith(STACK_TAG_PREFIX) for tag in value):
        raise ValueError(f"a tag starting with {STACK_TAG_PREFIX!r} names the stack managing the object; the provider "
                         "writes it (docs/recovery.md#6-two-stacks-one-tenant): leave it out")
    return value


def read_tagged(model: type[_Model], live: Mapping[str, Any], previous: Mapping[str, Any]) -> dict[str, Any]:
    """``read_wire`` of a flow or template; ``tags`` left out when neither the program nor the
    service has any (the service reports ``[]`` for none). The tag naming the managing stack is the
    engine's, never the program's: a refresh or an export does not read it back."""
    out = read_wire(model, {**live, "tags": without_stack_tags(live.get("tags"))})
    if not previous.get("tags") and not out.get("tags"):
        out.pop("tags", None)
    return out
