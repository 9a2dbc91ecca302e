"""The boundary of the native face: Pulumi property values (camelCase, secrets, computed) <-> the
engine's plain values (snake_case, the ``UNKNOWN`` marker), driven by one resource's declaration.

Only the names the declaration knows are renamed: the resource's arguments, engine arguments and
outputs at the top, the fields of its declared shapes below. Free-form values (a rule tree, a map
keyed by variant names) pass through as they are.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from pulumi.provider.experimental.property_value import Computed, PropertyValue
from pydantic import BaseModel

from ..engine import UNKNOWN, Json
from ..engine._spec import Declaration
from ..engine._values import TENANT
from ._types import camel, nested_model
from .schema import shape_tokens


def to_plain(value: PropertyValue) -> Any:
    """A property value as the engine takes it: secrets unwrapped, computed as ``UNKNOWN``, whole
    numbers as ``int`` (protobuf carries every number as a double)."""
    inner = value.value
    if isinstance(inner, Computed):
        return UNKNOWN
    if isinstance(inner, Mapping):
        return {k: to_plain(v) for k, v in inner.items()}
    if isinstance(inner, tuple | list):
        return [to_plain(v) for v in inner]
    if isinstance(inner, float) and inner.is_integer():
        return int(inner)
    return inner


def from_plain(value: Any, secret: bool = False) -> PropertyValue:
    """An engine value as a property value (``UNKNOWN`` stays the wire's unknown marker)."""
    if value == UNKNOWN:
        # the SDK cannot marshal its own Computed value; the engine reads this string as unknown
        converted = PropertyValue(UNKNOWN)
    elif isinstance(value, Mapping):
        converted = PropertyValue({str(k): from_plain(v) for k, v in value.items()})
    elif isinstance(value, list | tuple):
        converted = PropertyValue([from_plain(v) for v in value])
    elif isinstance(value, bool) or value is None or isinstance(value, str):
        converted = PropertyValue(value)
    elif isinstance(value, int | float):
        converted = PropertyValue(float(value))
    else:
        converted = PropertyValue(str(value))
    return converted.with_secret(True) if secret else converted


class Names:
    """One resource's names on both sides of the boundary."""

    def __init__(self, declaration: Declaration) -> None:
        spec = declaration.spec
        self.declaration = declaration
        self.shapes = shape_tokens(declaration)
        extra = (*spec.engine_inputs, *spec.output_names, TENANT)
        self.top: dict[str, str] = {camel(n): n for n in (*spec.input_fields, *extra)}

    def to_engine(self, props: Mapping[str, PropertyValue]) -> tuple[Json, set[str]]:
        """camelCase property values -> snake_case plain values, and the names that came secret."""
        plain = {k: to_plain(v) for k, v in props.items()}
        secret = {self.top.get(k, k) for k, v in props.items() if v.contains_secret()}
        return self._rename(plain, self.declaration.spec.inputs, self.top, to_snake=True), secret

    def to_native(self, values: Mapping[str, Any], secret: Iterable[str] = ()) -> dict[str, PropertyValue]:
        """snake_case plain values -> camelCase property values; ``secret`` (and the declared secret
        arguments) marked secret."""
        secrets = {*secret, *self.declaration.spec.secrets}
        renamed = self._rename(values, self.declaration.spec.inputs, {v: k for k, v in self.top.items()},
                               to_snake=False)
        back = {v: k for k, v in self.top.items()}
        marked = {back.get(n, n) for n in secrets}
        return {k: from_plain(v, k in marked) for k, v in renamed.items()}

    def _rename(self, values: Mapping[str, Any], model: type[BaseModel] | None, names: Mapping[str, str],
                *, to_snake: bool) -> Json:
        fields = model.model_fields if model is not None else {}
        out: Json = {}
        for key, value in values.items():
            name = names.get(key, key)
            field_name = name if to_snake else key
            info = fields.get(field_name)
            inner = nested_model(info.annotation, self.shapes) if info is not None else None
            out[name] = self._nested(value, inner, to_snake=to_snake) if inner is not None else value
        return out

    def _nested(self, value: Any, model: type[BaseModel], *, to_snake: bool) -> Any:
        if isinstance(value, list):
            return [self._nested(v, model, to_snake=to_snake) for v in value]
        if not isinstance(value, Mapping):
            return value
        pairs = {camel(n): n for n in model.model_fields}
        names = pairs if to_snake else {v: k for k, v in pairs.items()}
        return self._rename(value, model, names, to_snake=to_snake)
