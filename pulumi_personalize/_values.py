"""Values every layer shares: the bottom of the package, importing none of it.

- ``Json``: an object as the services send it;
- ``UNKNOWN``, ``is_unknown``, ``contains_unknown``: what a value not yet known at preview looks like
  (models and rule builders skip such values instead of rejecting them).

``pulumi_personalize.engine`` re-exports them, as it always has.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pulumi

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
