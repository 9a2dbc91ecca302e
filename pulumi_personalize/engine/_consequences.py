"""What an in-place update does beyond the properties a preview lists: the outputs it gives new
values (a new experience version's uid, the CMS variant of a renamed variant, a template's revision)
and, in the user's words, the effects people miss (a new version of a live experience).

A resource declares them with ``consequences=`` (``declare``): a pure function of the state's
outputs and the checked new inputs, with no HTTP, so that a preview can call it. The dynamic
provider's ``diff`` logs the notes as warnings (``EngineProvider.diff``); a native provider's diff
and update preview use the unknown outputs too (``docs/internals.md``, "Consequences of an update").
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ._declared import with_defaults
from ._values import UNKNOWN, Json, public

if TYPE_CHECKING:
    from ._spec import ResourceSpec

@dataclass(frozen=True)
class Consequences:
    """The consequences of one in-place update, known before it runs."""

    unknown_outputs: frozenset[str] = frozenset()
    """Computed outputs whose whole value the update changes to one not known before it runs
    (``latest_version_uid`` of an experience that gets a new version, a Sitecore ``revision``)."""
    unknown_entries: Mapping[str, frozenset[str]] = field(default_factory=dict)
    """For a computed output that maps names to values (``cms_variant_uids``): the names whose value
    is new (a renamed or added variant's CMS variant). The output's other entries keep their values."""
    removed_entries: Mapping[str, frozenset[str]] = field(default_factory=dict)
    """For such an output: the names the update removes (a variant that is no longer declared)."""
    notes: tuple[str, ...] = ()
    """One sentence each, in the user's words, for what a reviewer of the preview would miss. They
    follow the resource's title (``experience 'Hero' (uid ...)``: *note*), so they need not name it."""

    @property
    def changed_outputs(self) -> frozenset[str]:
        """Every computed output the update changes, wholly or in some entries."""
        return self.unknown_outputs | frozenset(self.unknown_entries) | frozenset(self.removed_entries)

    def preview_outputs(self, olds: Mapping[str, Any], news: Mapping[str, Any], unknown: Any = UNKNOWN) -> Json:
        """The outputs an update previews: the new inputs over the state's outputs, with ``unknown``
        for what the update changes (``unknown`` is the caller's sentinel; the dynamic host's string
        by default). Entries of a map output keep their old values unless new or removed."""
        outs: Json = {**public(olds), **public(news)}
        for name in {*self.unknown_entries, *self.removed_entries} - self.unknown_outputs:
            before = outs.get(name)
            entries = dict(before) if isinstance(before, Mapping) else {}
            for key in self.removed_entries.get(name, frozenset()):
                entries.pop(key, None)
            for key in self.unknown_entries.get(name, frozenset()):
                entries[key] = unknown
            outs[name] = entries
        for name in self.unknown_outputs:
            outs[name] = unknown
        return outs


NO_CONSEQUENCES = Consequences()

ConsequencesHook = Callable[[Mapping[str, Any], Json], Consequences]
"""``(olds, news) -> Consequences``: ``olds`` are the state's outputs (the old inputs plus the
computed outputs, ``__*`` keys removed), ``news`` the new inputs as check returned them (normalised;
a value not known until apply is ``UNKNOWN``). Called only for an in-place update with changes."""


def consequences_of(spec: ResourceSpec[Any], olds: Mapping[str, Any], news: Mapping[str, Any]) -> Consequences:
    """The declared consequences of updating a resource of ``spec`` from ``olds`` to ``news`` in
    place; none when the resource declares none. The caller decides that it is such an update (not
    a create, not a replace). ``news`` may be the declared inputs check returns: the defaults are
    put back first (``engine/_declared.py``)."""
    if spec.consequences is None:
        return NO_CONSEQUENCES
    return spec.consequences(public(olds), with_defaults(spec.inputs, public(news)))
