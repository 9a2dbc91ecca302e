"""Detailed diffs: each changed property, and whether it is added, removed or changed, in place or
by replacing the object (the declaration's ``replaces``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pulumi.provider.experimental.provider import PropertyDiff, PropertyDiffKind

from ..engine import drop_none
from ._types import camel

_KINDS = {  # (what happened, replaces?) -> kind
    ("add", False): PropertyDiffKind.ADD, ("add", True): PropertyDiffKind.ADD_REPLACE,
    ("delete", False): PropertyDiffKind.DELETE, ("delete", True): PropertyDiffKind.DELETE_REPLACE,
    ("update", False): PropertyDiffKind.UPDATE, ("update", True): PropertyDiffKind.UPDATE_REPLACE,
}


def _empty(value: Any) -> bool:
    return value is None or value == [] or value == {}


def detailed_diff(changed: Sequence[str], replaces: Sequence[str], olds: Mapping[str, Any],
                  news: Mapping[str, Any]) -> dict[str, PropertyDiff]:
    """camelCase property -> its diff, for the properties the engine found changed."""
    found: dict[str, PropertyDiff] = {}
    for name in changed:
        before, after = drop_none(olds.get(name)), drop_none(news.get(name))
        what = "add" if _empty(before) else "delete" if _empty(after) else "update"
        found[camel(name)] = PropertyDiff(_KINDS[(what, name in replaces)], input_diff=True)
    return found
