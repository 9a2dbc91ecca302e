"""What an export takes: kinds, a name pattern, archived objects, the configuration namespace."""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable
from dataclasses import dataclass

from ..config import DEFAULT_NAMESPACE

__all__ = ["CONTENTSTACK_KINDS", "SITECORE_KINDS", "Selection"]

CONTENTSTACK_KINDS = ("attribute", "event", "audience", "experience", "priority", "variant_group")
"""``variant_group``: the content types linked to the exported experiences' CMS variant groups (needs
the stack's Content Management API settings)."""
SITECORE_KINDS = ("connection", "template", "decision_model", "flow")
"""``decision_model`` brings the model's variants and its deployment along."""


@dataclass(frozen=True)
class Selection:
    kinds: frozenset[str]
    name: str | None = None
    """A glob (``fnmatch``, case-insensitive) over an object's name or key."""
    include_archived: bool = False
    namespace: str = DEFAULT_NAMESPACE

    @classmethod
    def of(cls, service_kinds: Iterable[str], kinds: Iterable[str] | None = None, **rest: object) -> Selection:
        wanted = list(kinds or [])
        return cls(kinds=frozenset(wanted or service_kinds), **rest)  # type: ignore[arg-type]

    def wants(self, kind: str) -> bool:
        return kind in self.kinds

    def matches(self, *names: object) -> bool:
        if self.name is None:
            return True
        pattern = self.name.casefold()
        return any(isinstance(n, str) and fnmatch.fnmatchcase(n.casefold(), pattern) for n in names)

    @property
    def config_namespace(self) -> str | None:
        """What each resource's ``config_namespace=`` says (``None``: the default namespace)."""
        return None if self.namespace == DEFAULT_NAMESPACE else self.namespace
