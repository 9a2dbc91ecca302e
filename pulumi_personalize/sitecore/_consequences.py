"""What an update of a Sitecore resource does beyond its changed inputs (``consequences=`` of the
declarations in ``resources.py``): pure functions of the state's outputs and the new inputs.

Every update is a PUT of the whole object, and every PUT adds one to the object's ``revision``
(``docs/facts/sitecore.md#conventions``); a published template whose code changes is put back to DRAFT
and published again, two PUTs (``docs/facts/sitecore.md#templates``; ``Templates.update`` in
``api.py``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..engine import Consequences, contains_unknown

REVISED = Consequences(unknown_outputs=frozenset({"revision"}))


def revised(olds: Mapping[str, Any], news: Mapping[str, Any]) -> Consequences:
    """An update of any Sitecore object: a new revision."""
    return REVISED


def template_consequences(olds: Mapping[str, Any], news: Mapping[str, Any]) -> Consequences:
    """A new revision; a published template's new code is unpublished and published again."""
    republished = (olds.get("status") == "PUBLISHED" and news.get("status") == "PUBLISHED"
                   and not contains_unknown(news.get("template_elements"))
                   and olds.get("template_elements") != news.get("template_elements"))
    if not republished:
        return REVISED
    revision = olds.get("revision")
    after = f"revision {revision} -> {revision + 2}" if isinstance(revision, int) else "two revisions"
    return Consequences(unknown_outputs=REVISED.unknown_outputs, notes=(
        f"it is PUBLISHED: its new code is saved as a DRAFT, then published again ({after})",))
