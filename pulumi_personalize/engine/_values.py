"""Values as the dynamic provider host hands them over: unknowns at preview, Outputs, ``None``.

The primitives every layer needs (``Json``, ``UNKNOWN``, ``is_unknown``, ``contains_unknown``) live
below the engine, in ``pulumi_personalize._values``; they are re-exported here and by the package."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import pulumi
from pulumi.output import Unknown
from pydantic.alias_generators import to_snake

from .._values import UNKNOWN, Json, contains_unknown, is_unknown

__all__ = [
    "ADOPT_EXISTING",
    "ADOPT_FROM_STACK",
    "CONFIG_NAMESPACE",
    "FROM_STACK_ARG",
    "MANAGED_BY",
    "OWNER_INPUTS",
    "TENANT",
    "UNKNOWN",
    "Json",
    "contains_unknown",
    "drop_none",
    "is_unknown",
    "loc_is_unknown",
    "public",
    "resolve_outputs",
]

CONFIG_NAMESPACE = "config_namespace"
ADOPT_EXISTING = "adopt_existing"
MANAGED_BY = "managed_by"
"""The stack a resource belongs to (``<organization>/<project>/<stack>``), set by the resource class for
the kinds whose objects carry the stack's tag (``ResourceSpec.owner_tags``); never a program's argument."""
ADOPT_FROM_STACK = "adopt_from_stack"
"""Adoption of an object another stack's tag names, on purpose: that stack's name."""
OWNER_INPUTS = (MANAGED_BY, ADOPT_FROM_STACK)
"""The engine inputs of a kind whose objects carry the stack's tag (the second only where it is adoptable)."""
FROM_STACK_ARG = (ADOPT_FROM_STACK, (
    "The stack (``organization/project/stack``) whose tag the object to adopt carries, to move it to this stack on "
    "purpose: without it, adopting an object another stack manages fails. That stack then leaves the object alone."
))
TENANT = "tenant"
"""The output every resource records its tenant in (``config.Tenant.record``: identifiers only)."""


def resolve_outputs(value: Any) -> Any:
    """Plain values for what the host hands over as ``Output`` objects.

    Nested Outputs (a rule referencing an attribute's uid) reach check and diff as deserialized
    output values, not as the ``UNKNOWN`` string: a known one becomes its value, an unknown one
    ``UNKNOWN``, so the rest of the engine deals with one representation.
    """
    if isinstance(value, pulumi.Output):
        data = getattr(value, "_data", None)
        if isinstance(data, asyncio.Future) and data.done() and not data.cancelled() and data.exception() is None:
            resolved = data.result()
            return resolve_outputs(resolved.value) if resolved.is_known else UNKNOWN
        return UNKNOWN
    if isinstance(value, Unknown):
        return UNKNOWN
    if isinstance(value, Mapping):
        return {k: resolve_outputs(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [resolve_outputs(v) for v in value]
    return value


def public(props: Mapping[str, Any]) -> Json:
    """Props without the host's ``__provider`` (and any other ``__*`` key), Outputs resolved."""
    return {k: resolve_outputs(v) for k, v in props.items() if not k.startswith("__")}


def drop_none(value: Any) -> Any:
    """``None`` and absent mean the same to the engine (the host drops ``None`` on the wire too)."""
    if isinstance(value, Mapping):
        return {k: drop_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list | tuple):
        return [drop_none(v) for v in value]
    return value


def _walk(raw: Any, loc: Sequence[int | str]) -> Iterator[Any]:
    """The values met walking an error location through the raw input.

    Locations use aliases (``attributeMatchOptions``) and tagged-union tags (``Rule``) that the
    snake_case input does not hold; those segments are mapped or skipped.
    """
    current = raw
    for segment in loc:
        yield current
        if isinstance(current, Mapping):
            key = str(segment)
            for candidate in (key, to_snake(key), key.lstrip("_")):
                if candidate in current:
                    current = current[candidate]
                    break
            # else: a tag or an alias we cannot map: stay where we are
        elif isinstance(current, list) and isinstance(segment, int) and 0 <= segment < len(current):
            current = current[segment]
    yield current


def loc_is_unknown(raw: Any, loc: Sequence[int | str]) -> bool:
    """Whether an error's location runs through a value that is unknown at preview."""
    return any(is_unknown(v) for v in _walk(raw, loc))


def _path(loc: Sequence[int | str]) -> str:
    out = ""
    for segment in loc:
        if isinstance(segment, int):
            out += f"[{segment}]"
        else:
            name = "type" if segment == "__type" else to_snake(str(segment))
            # pydantic puts a tagged union's tag in the location: not a field
            if name and segment[:1].isupper() and not str(segment).isupper():
                continue
            out += f".{name}" if out else name
    return out
