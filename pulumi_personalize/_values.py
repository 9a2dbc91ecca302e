"""Values every layer shares: the bottom of the package, importing none of it.

- ``Json``: an object as the services send it;
- ``UNKNOWN``, ``is_unknown``, ``contains_unknown``: what a value not yet known at preview looks like
  (models and rule builders skip such values instead of rejecting them);
- ``Found``, ``Gone``, ``Unconfirmed`` (``Lookup``, ``Removal``): what an api layer answers when asked
  for one object or to delete it, so that a 404 reaches the engine as a value (the engine decides
  what it proves);
- ``AnyCase``: the rule for enum-valued inputs of both services (any case in, the service's
  spelling out);
- ``STACK_TAG_PREFIX``, ``stack_tag``, ``tagged_stack``, ``without_stack_tags``: the tag that names
  the Pulumi stack managing an object, where the service keeps free-text tags (the engine writes it,
  the models keep it out of the program's ``tags``: ``docs/recovery.md#6-two-stacks-one-tenant``).

``pulumi_personalize.engine`` re-exports all of them (the first four, as it always has).
"""

from __future__ import annotations

import types
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal, Union, get_args, get_origin

import pulumi
from pydantic import AliasChoices, BaseModel, model_validator
from pydantic.fields import FieldInfo

Json = dict[str, Any]

UNKNOWN: str = pulumi.runtime.rpc.UNKNOWN
"""What a value not yet known at preview looks like in check and diff."""


def is_unknown(value: Any) -> bool:
    return isinstance(value, str) and value == UNKNOWN


def contains_unknown(value: Any) -> bool:
    if is_unknown(value):
        return True
    if isinstance(value, Mapping):
        return any(contains_unknown(v) for v in value.values())
    if isinstance(value, list | tuple):
        return any(contains_unknown(v) for v in value)
    return False


@dataclass(frozen=True)
class Found:
    """The object is there: ``live`` as the service answered (an archived one included)."""

    live: Json


@dataclass(frozen=True)
class Gone:
    """The service's word that the object does not exist: its collection answered without it, or
    the delete was done. ``note``: what the person running Pulumi should be told about it (a
    delete that leaves something as it is), shown in the Pulumi log by the engine."""

    note: str = ""


@dataclass(frozen=True)
class Unconfirmed:
    """The object answered 404 (``why`` says where), which a wrong URL, region, project or
    credential answers too: gone only once its collection answers without it (the engine asks)."""

    why: str


Lookup = Found | Gone | Unconfirmed
"""What ``Endpoints.get`` answers."""
Removal = Gone | Unconfirmed
"""What ``Endpoints.delete`` answers."""


def spellings(annotation: Any) -> tuple[str, ...]:
    """The strings a ``Literal`` annotation accepts, looking through ``X | None`` and ``list[X]``."""
    origin = get_origin(annotation)
    if origin is Literal:
        return tuple(a for a in get_args(annotation) if isinstance(a, str))
    if origin in (Union, types.UnionType, list, tuple, set, frozenset):
        return tuple(s for arg in get_args(annotation) for s in spellings(arg))
    return ()


def spelled(value: Any, accepted: tuple[str, ...]) -> Any:
    """``value`` in the service's spelling when it is one of ``accepted`` in another case; else as given
    (so validation still refuses it, listing the accepted spellings)."""
    if isinstance(value, list):
        return [spelled(item, accepted) for item in value]
    if isinstance(value, str):
        return next((s for s in accepted if s.casefold() == value.casefold()), value)
    return value


def _input_keys(name: str, field: FieldInfo) -> set[str]:
    keys = {name, field.alias or name}
    choices = field.validation_alias
    if isinstance(choices, str):
        keys.add(choices)
    elif isinstance(choices, AliasChoices):
        keys.update(c for c in choices.choices if isinstance(c, str))
    return keys


class AnyCase(BaseModel):
    """Enum-valued inputs (``Literal`` fields) accept any case and hold the service's spelling.

    Normalised before validation, so check stores, diff compares and the wire sends the service's
    spelling (``status="active"`` is ``ACTIVE``, ``type="primary"`` is ``Primary``) and a value that
    is no spelling of an accepted one fails with pydantic's message, which lists them.
    """

    @model_validator(mode="before")
    @classmethod
    def _service_spelling(cls, data: Any) -> Any:
        if not isinstance(data, Mapping):
            return data
        # input key (the field's name or any of its aliases) -> the service's spellings
        accepted = {key: choices for name, field in cls.model_fields.items()
                    if (choices := spellings(field.annotation)) for key in _input_keys(name, field)}
        return {key: spelled(value, accepted[key]) if key in accepted else value for key, value in data.items()}


STACK_TAG_PREFIX = "pulumi-stack:"
"""A tag ``pulumi-stack:<organization>/<project>/<stack>`` names the stack that manages the object
(the ``prefix:value`` shape of Sitecore's own tags, such as the Pages client's ``siteId:<id>``)."""


def stack_tag(stack: str) -> str:
    return f"{STACK_TAG_PREFIX}{stack}"


def tagged_stack(tags: Any) -> str | None:
    """The stack a list of tags names (the first such tag), ``None`` when it names none."""
    for tag in tags if isinstance(tags, list) else []:
        if isinstance(tag, str) and tag.startswith(STACK_TAG_PREFIX) and tag[len(STACK_TAG_PREFIX):]:
            return tag[len(STACK_TAG_PREFIX):]
    return None


def without_stack_tags(tags: Any) -> Any:
    """The tags without any stack's tag: what a program declares and a refresh reads back."""
    if not isinstance(tags, list):
        return tags
    return [t for t in tags if not (isinstance(t, str) and t.startswith(STACK_TAG_PREFIX))]
