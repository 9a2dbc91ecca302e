"""What an update of a Contentstack resource does beyond its changed inputs (``consequences=`` of
the declarations in ``resources.py``): pure functions of the state's outputs and the new inputs.

They follow what the endpoints do (``Experiences._apply_version`` in ``_experiences.py``): a DRAFT
version is edited in place; a locked (ACTIVE or PAUSED) one only flips its status when its
configuration is unchanged, otherwise the update makes a new version, and activating one archives
the live one (``docs/facts/contentstack.md#versions``); variants keep their short uids, and so their
CMS variants, by name (``docs/facts/contentstack.md#cms``), so a renamed variant gets new ones.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..engine import Consequences, contains_unknown, drop_none
from ..facts import contentstack as facts
from .models import VERSION_FIELDS, comparable

LOCKED = facts.LIVE_VERSION_STATUSES
SHORT_UIDS, CMS_UIDS, LYTICS = "variant_short_uids", "cms_variant_uids", "variant_lytics_audiences"
BY_NAME = (SHORT_UIDS, CMS_UIDS, LYTICS)
"""The outputs keyed by variant name."""


def _version(props: Mapping[str, Any]) -> dict[str, Any]:
    """The version part of an experience's inputs, as the endpoints compare it."""
    return comparable({k: drop_none(props.get(k)) for k in VERSION_FIELDS if props.get(k) is not None})


def _names(props: Mapping[str, Any]) -> list[Any]:
    return [v.get("name") if isinstance(v, Mapping) else v for v in props.get("variants") or []]


@dataclass(frozen=True)
class VariantChanges:
    """How the declared variants change, matched by name; a name that left and one that came at
    the same position are a rename."""

    renamed: tuple[tuple[str, str], ...]
    added: tuple[str, ...]
    removed: tuple[str, ...]

    @classmethod
    def between(cls, olds: Mapping[str, Any], news: Mapping[str, Any]) -> VariantChanges:
        before, after = [str(n) for n in _names(olds)], [str(n) for n in _names(news)]
        added = [n for n in after if n not in before]
        removed = [n for n in before if n not in after]
        renamed = []
        for index, name in enumerate(after):
            old = before[index] if index < len(before) else None
            if name in added and old in removed:
                renamed.append((old, name))
        pairs = {n for pair in renamed for n in pair}
        return cls(tuple(renamed), tuple(n for n in added if n not in pairs), tuple(n for n in removed if n not in pairs))

    @property
    def new_names(self) -> frozenset[str]:
        return frozenset(self.added) | {new for _, new in self.renamed}

    @property
    def gone_names(self) -> frozenset[str]:
        return frozenset(self.removed) | {old for old, _ in self.renamed}


def _variant_notes(changes: VariantChanges, olds: Mapping[str, Any], news: Mapping[str, Any]) -> list[str]:
    cms: Mapping[str, Any] = olds.get(CMS_UIDS) or {}
    lytics: Mapping[str, Any] = olds.get(LYTICS) or {}
    declared = {str(v.get("name")): v for v in news.get("variants") or [] if isinstance(v, Mapping)}
    notes = []
    for old, new in changes.renamed:
        uid = cms.get(old)
        notes.append(f"variant {old!r} renamed to {new!r}: its CMS variant is replaced (uid {uid} -> new); entry "
                     f"variants written against {uid} are orphaned" if uid else
                     f"variant {old!r} renamed to {new!r}: it gets a new CMS variant; entry variants written "
                     "against the old one are orphaned")
        if lytics.get(old) and declared.get(new, {}).get("lytics_audiences") is None:
            notes.append(f"variant {old!r} renamed to {new!r}: the Lytics audiences {old!r} has in Contentstack "
                         f"({', '.join(map(str, lytics[old]))}) are not carried over; declare lytics_audiences "
                         "to keep them")
    for old in changes.removed:
        uid = cms.get(old)
        where = f"its CMS variant {uid}" if uid else "its CMS variant"
        notes.append(f"variant {old!r} is removed: {where} and the entry variants written against it are no "
                     "longer used")
    return notes


def _version_notes(olds: Mapping[str, Any], new_status: str) -> tuple[list[str], set[str]]:
    """What a write of the version part does to the experience's versions (not a status flip), and
    the outputs that change with it."""
    old_status = olds.get("status") or "DRAFT"
    edits_draft = old_status not in LOCKED  # the managed version is the draft, edited in place
    live = olds.get("active_version_uid") if edits_draft else olds.get("latest_version_uid")
    unknown = set() if edits_draft else {"latest_version_uid"}
    goes_live = new_status in LOCKED  # the written version becomes the live one, the old live one is archived
    if new_status == "ACTIVE" or (new_status == "PAUSED" and olds.get("active_version_uid")):
        unknown.add("active_version_uid")  # the new live version's, or none once paused
    if goes_live and olds.get("experience_status") != new_status:
        unknown.add("experience_status")  # the service's summary follows the live version
    if edits_draft:  # a first activation says nothing its status change does not say
        if not goes_live or not live:
            return [], unknown
        return [f"this update activates the draft version {olds.get('latest_version_uid')} and archives the live "
                f"version {live}"], unknown
    if not goes_live:
        return [f"the live version {live} is {old_status}: this update makes a new DRAFT version; {live} stays "
                f"{old_status} until status is ACTIVE again"], unknown
    made = "makes a new version" if new_status == "ACTIVE" else "makes a new version, activates and pauses it,"
    return [f"the live version {live} is {old_status} and cannot be edited: this update {made} and archives "
            f"{live}"], unknown


def experience_consequences(olds: Mapping[str, Any], news: Mapping[str, Any]) -> Consequences:
    """An experience update: a new version of a live experience, CMS variants of renamed variants."""
    before, after = _version(olds), _version(news)
    if before == after:
        return Consequences()  # name or description only: a PUT of the experience
    old_status, new_status = olds.get("status") or "DRAFT", after.get("status") or "DRAFT"
    same_config = {k: v for k, v in before.items() if k != "status"} == {
        k: v for k, v in after.items() if k != "status"}
    if contains_unknown(after):
        return _uncertain(olds, after)
    if old_status in LOCKED and new_status in LOCKED and same_config:
        # a status flip of the same version: nothing new is made
        return Consequences(unknown_outputs=frozenset({"experience_status", "active_version_uid"}))
    notes, unknown = _version_notes(olds, new_status)
    changes = VariantChanges.between(olds, news)
    notes += _variant_notes(changes, olds, news)
    if not olds.get("cms_variant_group_uid") and after.get("variants"):
        unknown.add("cms_variant_group_uid")  # the service makes the group once a version has variants
    lytics = {str(v.get("name")) for v in news.get("variants") or []
              if isinstance(v, Mapping) and v.get("lytics_audiences")}
    new_entries = {SHORT_UIDS: changes.new_names, CMS_UIDS: changes.new_names, LYTICS: changes.new_names & lytics}
    gone = {name: changes.gone_names & set(olds.get(name) or {}) for name in BY_NAME}
    return Consequences(
        unknown_outputs=frozenset(unknown),
        unknown_entries={k: v for k, v in new_entries.items() if v},
        removed_entries={k: frozenset(v) for k, v in gone.items() if v},
        notes=tuple(notes),
    )


def _uncertain(olds: Mapping[str, Any], after: Mapping[str, Any]) -> Consequences:
    """New version fields not known until apply (an audience created in the same update): whether a
    new version is made cannot be told, so everything a version makes is unknown, and a live
    experience says that it may get a new version."""
    old_status = olds.get("status") or "DRAFT"
    unknown = {"latest_version_uid", "active_version_uid", "experience_status", "cms_variant_group_uid", *BY_NAME}
    notes: tuple[str, ...] = ()
    if old_status in LOCKED:
        live = olds.get("latest_version_uid")
        notes = (f"the live version {live} is {old_status} and cannot be edited: if the variants, split, metrics or "
                 f"targeting differ once the values not known yet are, this update makes a new version and archives "
                 f"{live}",)
    return Consequences(unknown_outputs=frozenset(unknown), notes=notes)


def priority_consequences(olds: Mapping[str, Any], news: Mapping[str, Any]) -> Consequences:
    """A new priority order: the project's whole order (``order``) is read back after the PUT."""
    return Consequences(unknown_outputs=frozenset({"order"}))
