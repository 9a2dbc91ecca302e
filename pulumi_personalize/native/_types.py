"""Pulumi schema types from Python annotations (the input models') and from the declared output
types (``Out.type`` text): one place that says how a value is spelled in the native schema, and
which nested values are objects with camelCase properties (the declared shapes) rather than
free-form JSON that keeps the model's own names."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import UnionType
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel

Spec = dict[str, Any]
ANY: Spec = {"$ref": "pulumi.json#/Any"}
_PRIMITIVES: Mapping[Any, str] = {str: "string", bool: "boolean", int: "integer", float: "number"}
_PRIMITIVE_TEXT: Mapping[str, str] = {"str": "string", "bool": "boolean", "int": "integer", "float": "number"}


def camel(name: str) -> str:
    """``friendly_id`` -> ``friendlyId`` (as ``Arg.camel_name``)."""
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def unwrap(annotation: Any) -> Any:
    """The annotation without ``Annotated`` and ``| None``; a union of several types stays one."""
    while get_origin(annotation) is Annotated:
        annotation = get_args(annotation)[0]
    if get_origin(annotation) in (Union, UnionType):
        parts = [p for p in get_args(annotation) if p is not type(None)]
        return unwrap(parts[0]) if len(parts) == 1 else annotation
    return annotation


def nested_model(annotation: Any, shapes: Mapping[type[BaseModel], str]) -> type[BaseModel] | None:
    """The declared shape a field holds (itself or as the items of a list), if any."""
    inner = unwrap(annotation)
    if get_origin(inner) in (list, Sequence, tuple):
        args = get_args(inner)
        inner = unwrap(args[0]) if args else None
    return inner if isinstance(inner, type) and inner in shapes else None


def of_annotation(annotation: Any, shapes: Mapping[type[BaseModel], str]) -> Spec:
    """The schema type of a model field: primitives, arrays, maps, declared shapes by reference;
    anything else (rule trees, flow variants) is free-form JSON."""
    inner = unwrap(annotation)
    if inner in _PRIMITIVES:
        return {"type": _PRIMITIVES[inner]}
    if isinstance(inner, type) and inner in shapes:
        return {"$ref": f"#/types/{shapes[inner]}"}
    origin, args = get_origin(inner), get_args(inner)
    if origin is Literal:
        kinds = {type(a) for a in args}
        return {"type": _PRIMITIVES[kinds.pop()]} if len(kinds) == 1 and next(iter(kinds), str) in _PRIMITIVES \
            else ANY
    if origin in (list, Sequence, tuple) and args:
        return {"type": "array", "items": of_annotation(args[0], shapes)}
    if origin in (dict, Mapping) and len(args) == 2:
        return {"type": "object", "additionalProperties": of_annotation(args[1], shapes)}
    return dict(ANY)


def of_text(text: str) -> Spec:
    """The schema type of a declared output (``dict[str, list[str]]``, ``str | None``)."""
    text = text.strip().removesuffix("| None").strip()
    if text in _PRIMITIVE_TEXT:
        return {"type": _PRIMITIVE_TEXT[text]}
    if text.startswith("list[") and text.endswith("]"):
        return {"type": "array", "items": of_text(text[5:-1])}
    if text.startswith("dict[str,") and text.endswith("]"):
        return {"type": "object", "additionalProperties": of_text(text[9:-1])}
    return dict(ANY)
