"""The declared consequences of Contentstack updates, case by case, each held against what the update
then does on the emulator (in process): every output the consequences call unknown gets a new value,
every other output keeps the value the preview shows, and the notes say what a reviewer would miss
(and nothing when there is nothing to miss)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from pulumi.dynamic import UpdateResult

from pulumi_personalize.contentstack import _experiences, rules
from pulumi_personalize.contentstack._consequences import VariantChanges
from pulumi_personalize.contentstack.resources import AUDIENCE, EXPERIENCE, EXPERIENCE_PRIORITY
from pulumi_personalize.engine import UNKNOWN, Consequences, EngineProvider, consequences_of, plain
from tests.conftest import InProcessEmulator, ProviderFactory
from tests.unit.conftest import FakeTime

NEW = object()
"""The preview's stand-in for a value the update decides."""
AUDIENCES: dict[str, str] = {}
"""Audience uids by country code, made on the emulator for each test (``experiences``)."""


@pytest.fixture
def experiences(emulator_in_process: InProcessEmulator, fake_time: FakeTime, provider: ProviderFactory,
                monkeypatch: pytest.MonkeyPatch) -> Iterator[EngineProvider]:
    """The experience provider on the emulator, whose clock moves only when the ``_cms`` wait sleeps."""
    def sleep(seconds: float) -> None:
        fake_time.sleep(seconds)
        emulator_in_process.control.post("/_emulator/clock", json={"advance": seconds}).raise_for_status()

    emulator_in_process.control.post("/_emulator/clock", json={"frozen": True}).raise_for_status()
    monkeypatch.setattr(_experiences, "CMS_CLOCK", _experiences.PollClock(fake_time.clock, sleep))
    audiences = provider(AUDIENCE)
    for code in ("au", "nz"):
        definition = plain(rules.all_of(rules.Rule(rules.preset("COUNTRY"), "STRING_EQUALS", rules.StringMatch(code))))
        AUDIENCES[code] = str(audiences.create(checked(audiences, {"name": code, "definition": definition})).id)
    yield provider(EXPERIENCE)
    AUDIENCES.clear()


def checked(p: EngineProvider, news: dict[str, Any]) -> dict[str, Any]:
    result = p.check({}, news)
    assert result.failures == [], [(f.property, f.reason) for f in result.failures]
    return dict(result.inputs)


def ab(status: str, **split: float) -> dict[str, Any]:
    return {"name": "Hero", "type": "AB_TEST", "status": status,
            "variants": [{"name": n, "traffic_distribution": t} for n, t in split.items()]}


def segmented(status: str, *variants: dict[str, Any], description: str = "") -> dict[str, Any]:
    return {"name": "Down under", "status": status, "description": description, "variants": list(variants)}


def variant(name: str, *audiences: str, lytics: list[str] | None = None) -> dict[str, Any]:
    found: dict[str, Any] = {"name": name, "audiences": [AUDIENCES.get(a, a) for a in audiences]}
    if lytics is not None:
        found["lytics_audiences"] = lytics
    return found


def state(p: EngineProvider, *steps: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """The experience created with the first inputs and updated with each next one: its id and outputs."""
    created = p.create(checked(p, steps[0]))
    id_, outs = str(created.id), dict(created.outs or {})
    for news in steps[1:]:
        outs = dict(p.update(id_, outs, checked(p, news)).outs or {})
    return id_, outs


def held(p: EngineProvider, id_: str, olds: dict[str, Any], inputs: dict[str, Any]) -> Consequences:
    """The consequences of updating to ``inputs``, then the update itself, checked against them."""
    news = checked(p, inputs)
    told = consequences_of(EXPERIENCE, {**olds, "__provider": "serialized"}, news)
    preview = told.preview_outputs(olds, p.full_inputs(news), unknown=NEW)  # as the engine's preview_outs
    result: UpdateResult = p.update(id_, olds, news)
    after = dict(result.outs or {})
    assert set(after) <= set(preview), sorted(set(after) - set(preview))
    for name, shown in preview.items():
        if shown is NEW:
            assert after.get(name) != olds.get(name), f"{name} was to change: {olds.get(name)!r}"
        elif isinstance(shown, dict) and NEW in shown.values():
            assert set(after[name]) == set(shown), name
            for key, value in shown.items():
                old = (olds.get(name) or {}).values()
                assert after[name][key] not in old if value is NEW else after[name][key] == value, (name, key)
        else:
            assert after.get(name) == shown, f"{name}: previewed {shown!r}, the update gave {after.get(name)!r}"
    return told


def test_a_name_or_description_change_has_no_consequence(experiences: EngineProvider) -> None:
    id_, olds = state(experiences, segmented("ACTIVE", variant("Australia", "au")))
    told = held(experiences, id_, olds, segmented("ACTIVE", variant("Australia", "au"), description="new"))
    assert told == Consequences()


def test_a_split_change_of_an_active_experience_makes_a_new_version_and_archives_the_live_one(
        experiences: EngineProvider) -> None:
    id_, olds = state(experiences, ab("ACTIVE", A=50, B=50))
    live = olds["latest_version_uid"]
    told = held(experiences, id_, olds, ab("ACTIVE", A=30, B=70))
    assert told == Consequences(
        unknown_outputs=frozenset({"latest_version_uid", "active_version_uid"}),
        notes=(f"the live version {live} is ACTIVE and cannot be edited: this update makes a new version and "
               f"archives {live}",))


def test_a_renamed_variant_gets_a_new_cms_variant(experiences: EngineProvider) -> None:
    id_, olds = state(experiences, ab("ACTIVE", A=50, B=50))
    live, cms = olds["latest_version_uid"], olds["cms_variant_uids"]["B"]
    told = held(experiences, id_, olds, ab("ACTIVE", A=50, C=50))
    assert told.notes == (
        f"the live version {live} is ACTIVE and cannot be edited: this update makes a new version and archives {live}",
        f"variant 'B' renamed to 'C': its CMS variant is replaced (uid {cms} -> new); entry variants written against "
        f"{cms} are orphaned",
    )
    assert told.unknown_entries == {"variant_short_uids": {"C"}, "cms_variant_uids": {"C"}}
    assert told.removed_entries == {"variant_short_uids": {"B"}, "cms_variant_uids": {"B"}}


def test_a_renamed_variant_of_a_draft_changes_no_version_but_still_its_cms_variant(experiences: EngineProvider) -> None:
    id_, olds = state(experiences, segmented("DRAFT", variant("Australia", "au"), variant("NZ", "nz")))
    cms = olds["cms_variant_uids"]["NZ"]
    told = held(experiences, id_, olds, segmented("DRAFT", variant("Australia", "au"), variant("New Zealand", "nz")))
    assert told.unknown_outputs == frozenset()
    assert told.notes == (f"variant 'NZ' renamed to 'New Zealand': its CMS variant is replaced (uid {cms} -> new); "
                          f"entry variants written against {cms} are orphaned",)


def test_a_removed_variant_is_told_and_an_added_one_is_not(experiences: EngineProvider) -> None:
    id_, olds = state(experiences, segmented("DRAFT", variant("Australia", "au"), variant("NZ", "nz")))
    cms = olds["cms_variant_uids"]["NZ"]
    told = held(experiences, id_, olds, segmented("DRAFT", variant("Australia", "au")))
    assert told.notes == (f"variant 'NZ' is removed: its CMS variant {cms} and the entry variants written against "
                          "it are no longer used",)
    assert told.removed_entries == {"variant_short_uids": {"NZ"}, "cms_variant_uids": {"NZ"}}
    olds = dict(experiences.read(id_, {**olds}).outs)
    told = held(experiences, id_, olds, segmented("DRAFT", variant("Australia", "au"), variant("Oceania", "au")))
    assert told == Consequences(unknown_entries={"variant_short_uids": frozenset({"Oceania"}),
                                                 "cms_variant_uids": frozenset({"Oceania"})})


def test_editing_a_draft_in_place_has_no_consequence(experiences: EngineProvider) -> None:
    id_, olds = state(experiences, segmented("DRAFT", variant("Australia", "au")))
    assert held(experiences, id_, olds, segmented("DRAFT", variant("Australia", "au", "nz"))) == Consequences()


def test_a_first_activation_says_nothing_its_status_change_does_not(experiences: EngineProvider) -> None:
    id_, olds = state(experiences, segmented("DRAFT", variant("Australia", "au")))
    told = held(experiences, id_, olds, segmented("ACTIVE", variant("Australia", "au")))
    assert told == Consequences(unknown_outputs=frozenset({"active_version_uid", "experience_status"}))


def test_a_status_flip_changes_the_status_outputs_only(experiences: EngineProvider) -> None:
    id_, olds = state(experiences, ab("ACTIVE", A=50, B=50))
    told = held(experiences, id_, olds, ab("PAUSED", A=50, B=50))
    assert told == Consequences(unknown_outputs=frozenset({"active_version_uid", "experience_status"}))


def test_an_edit_of_a_paused_experience_made_active_makes_a_new_version(experiences: EngineProvider) -> None:
    id_, olds = state(experiences, ab("ACTIVE", A=50, B=50), ab("PAUSED", A=50, B=50))
    live = olds["latest_version_uid"]
    told = held(experiences, id_, olds, ab("ACTIVE", A=40, B=60))
    assert told.notes == (f"the live version {live} is PAUSED and cannot be edited: this update makes a new version "
                          f"and archives {live}",)
    assert told.unknown_outputs == {"latest_version_uid", "active_version_uid", "experience_status"}


def test_an_edit_of_an_active_experience_made_paused_makes_activates_and_pauses_a_new_version(
        experiences: EngineProvider) -> None:
    id_, olds = state(experiences, ab("ACTIVE", A=50, B=50))
    live = olds["latest_version_uid"]
    told = held(experiences, id_, olds, ab("PAUSED", A=40, B=60))
    assert told.notes == (f"the live version {live} is ACTIVE and cannot be edited: this update makes a new version, "
                          f"activates and pauses it, and archives {live}",)
    assert told.unknown_outputs == {"latest_version_uid", "active_version_uid", "experience_status"}


def test_a_draft_beside_the_live_version_then_its_activation(experiences: EngineProvider) -> None:
    id_, olds = state(experiences, ab("ACTIVE", A=50, B=50))
    live = olds["latest_version_uid"]
    told = held(experiences, id_, olds, ab("DRAFT", A=40, B=60))
    assert told == Consequences(unknown_outputs=frozenset({"latest_version_uid"}), notes=(
        f"the live version {live} is ACTIVE: this update makes a new DRAFT version; {live} stays ACTIVE until status "
        "is ACTIVE again",))
    olds = dict(experiences.read(id_, olds).outs)
    draft = olds["latest_version_uid"]
    told = held(experiences, id_, olds, ab("ACTIVE", A=40, B=60))
    assert told == Consequences(unknown_outputs=frozenset({"active_version_uid"}), notes=(
        f"this update activates the draft version {draft} and archives the live version {live}",))


def test_the_first_variants_bring_the_cms_variant_group(experiences: EngineProvider) -> None:
    id_, olds = state(experiences, segmented("DRAFT"))
    assert olds.get("cms_variant_group_uid") is None
    told = held(experiences, id_, olds, segmented("DRAFT", variant("Australia", "au")))
    assert told == Consequences(unknown_outputs=frozenset({"cms_variant_group_uid"}), unknown_entries={
        "variant_short_uids": frozenset({"Australia"}), "cms_variant_uids": frozenset({"Australia"})})


def test_a_renamed_variant_leaves_its_undeclared_lytics_audiences_behind(experiences: EngineProvider) -> None:
    fans = "0123456789abcdef0123456789abcdef"
    id_, olds = state(experiences, segmented("DRAFT", variant("Fans", "au", lytics=[fans])))
    assert olds["variant_lytics_audiences"] == {"Fans": [fans]}
    told = held(experiences, id_, olds, segmented("DRAFT", variant("Supporters", "au")))
    assert told.notes[1] == (f"variant 'Fans' renamed to 'Supporters': the Lytics audiences 'Fans' has in "
                             f"Contentstack ({fans}) are not carried over; declare lytics_audiences to keep them")
    assert told.removed_entries["variant_lytics_audiences"] == {"Fans"}


def test_values_not_known_until_apply_may_make_a_new_version_of_a_live_experience(
        experiences: EngineProvider) -> None:
    _, olds = state(experiences, segmented("ACTIVE", variant("Australia", "au")))
    live = olds["latest_version_uid"]
    news = checked(experiences, segmented("ACTIVE", variant("Australia", UNKNOWN)))
    told = consequences_of(EXPERIENCE, olds, news)
    assert told.notes == (f"the live version {live} is ACTIVE and cannot be edited: if the variants, split, metrics "
                          "or targeting differ once the values not known yet are, this update makes a new version "
                          f"and archives {live}",)
    assert told.unknown_outputs >= {"latest_version_uid", "cms_variant_uids", "variant_short_uids"}
    _, draft = state(experiences, segmented("DRAFT", variant("Australia", "au")))
    news = checked(experiences, segmented("DRAFT", variant("Australia", UNKNOWN)))
    assert consequences_of(EXPERIENCE, draft, news).notes == ()


def test_a_new_priority_order_is_read_back() -> None:
    told = consequences_of(EXPERIENCE_PRIORITY, {"experiences": ["a"], "order": ["a", "b"]}, {"experiences": ["b"]})
    assert told == Consequences(unknown_outputs=frozenset({"order"}))


@pytest.mark.parametrize(("before", "after", "renamed", "added", "removed"), [
    (["A", "B"], ["A", "C"], [("B", "C")], [], []),
    (["A", "B"], ["C", "A"], [], ["C"], ["B"]),  # a new first variant is no rename of the last one
    (["A", "B", "C"], ["X", "B"], [("A", "X")], [], ["C"]),
    (["A"], ["A", "B"], [], ["B"], []),
    (["A", "B"], ["B", "A"], [], [], []),  # reordered: the same variants
])
def test_variants_are_matched_by_name_and_a_rename_is_a_new_name_in_an_old_ones_place(
        before: list[str], after: list[str], renamed: list[tuple[str, str]], added: list[str], removed: list[str]) -> None:
    changes = VariantChanges.between({"variants": [{"name": n} for n in before]},
                                     {"variants": [{"name": n} for n in after]})
    assert (list(changes.renamed), list(changes.added), list(changes.removed)) == (renamed, added, removed)


def test_a_rename_before_the_cms_variants_were_read_still_says_the_cms_variant_is_new() -> None:
    olds = {**ab("DRAFT", A=50, B=50), "latest_version_uid": "v1", "cms_variant_uids": {}}
    told = consequences_of(EXPERIENCE, olds, ab("DRAFT", A=50, C=50))
    assert told.notes == ("variant 'B' renamed to 'C': it gets a new CMS variant; entry variants written against the "
                          "old one are orphaned",)
