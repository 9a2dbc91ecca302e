"""A pydantic field's annotation and default as Python source text: what a declaration's
argument derives from its model field (``_spec.Arg.resolved``) for the generated ``*Args``."""

from __future__ import annotations

import json
from types import UnionType
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel
from pydantic.fields import FieldInfo


def source_type(annotation: Any) -> str:
    """A model field's annotation as the source text of the value's type, without ``| None``:
    ``Literal`` values are ``str``, nested models ``dict[str, Any]``."""
    if get_origin(annotation) is Annotated:
        return source_type(get_args(annotation)[0])
    if annotation in (str, bool, int, float):
        return str(annotation.__name__)
    if annotation is Any:
        return "Any"
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return "dict[str, Any]"
    origin, params = get_origin(annotation), get_args(annotation)
    if origin is Literal:
        kinds = sorted({type(p).__name__ for p in params})
        return " | ".join(kinds)
    if origin in (list, dict):
        return f"{origin.__name__}[{', '.join(source_type(p) for p in params)}]"
    if origin in (Union, UnionType):
        parts = dict.fromkeys(source_type(p) for p in params if p is not type(None))
        return " | ".join(parts)
    raise ValueError(f"cannot write {annotation!r} as a type: give the argument's type=")


def default_source(field: FieldInfo) -> str:
    """A nested ``*Args`` field's default as source: the model's, where it is a plain value."""
    value = field.get_default(call_default_factory=True)
    if isinstance(value, bool | int | float | str):
        return json.dumps(value)
    if isinstance(value, list | tuple) and not value:
        return "()"  # a dataclass default must be immutable; the model takes it as a list
    return "None"  # a model or a filled container: the model applies its own default
