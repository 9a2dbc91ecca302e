"""Values every layer shares: the bottom of the package, importing none of it.

- ``Json``: an object as the services send it;
- ``UNKNOWN``, ``is_unknown``, ``contains_unknown``: what a value not yet known at preview looks like
  (models and rule builders skip such values instead of rejecting them);
- ``Found``, ``Gone``, ``Unconfirmed`` (``Lookup``, ``Removal``): what an api layer answers when asked
  for one object or to delete it, so that a 404 reaches the engine as a value (the engine decides
  what it proves).

``pulumi_personalize.engine`` re-exports all of them (the first four, as it always has).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
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
