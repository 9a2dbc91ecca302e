"""What state keeps as a resource's inputs: the arguments the program declares, not the defaults.

Check normalises the inputs through the spec's model (spelling, types, defaults filled) and returns
them with every top-level argument that holds its default left out (``declared``); create, update,
diff and the preview put those defaults back first (``with_defaults``). The state's inputs then say
what the program says, and a refresh or an import what differs from the defaults (the code
``pulumi import`` writes); the outputs still say everything the service holds. And the file backend,
which rewrites the whole state after every step, has that much less to rewrite
(``docs/facts/pulumi.md#declared-inputs``).

Top-level arguments only: a nested default (a connection request's ``request_type``) stays where it
is, so every tag a union is told apart by stays too, and putting the defaults back gives the normal
form exactly. A state written before this holds the defaults already: ``with_defaults`` leaves it as
it is.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from pydantic import BaseModel

from ._values import Json, drop_none

__all__ = ["declared", "input_defaults", "with_defaults"]


@functools.cache
def input_defaults(model: type[BaseModel]) -> Mapping[str, Any]:
    """Each top-level input that has a default, as check's normal form writes it when the input is
    left out (``model_dump(mode="json")``, ``None`` left out)."""
    blank = model.model_construct()  # defaults set, nothing validated: required fields stay unset
    found: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        if info.is_required():
            continue
        dumped = drop_none(blank.model_dump(mode="json", include={name}, exclude_none=True))
        if name in dumped:
            found[name] = dumped[name]
    return MappingProxyType(found)


def declared(model: type[BaseModel], normal: Mapping[str, Any]) -> Json:
    """``normal`` (check's normal form) without the top-level inputs that hold their default."""
    defaults = input_defaults(model)
    return {k: v for k, v in normal.items() if k not in defaults or defaults[k] != v}


def with_defaults(model: type[BaseModel], props: Mapping[str, Any]) -> Json:
    """``props`` with every input left out (or ``None``) at its default: the normal form again.
    Unknown values stay as they are."""
    defaults = input_defaults(model)
    missing = {k: copy.deepcopy(v) for k, v in defaults.items() if props.get(k) is None}
    return {**props, **missing}
