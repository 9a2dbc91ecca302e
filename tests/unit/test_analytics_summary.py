"""cs.get_analytics_summary: an experience version's analytics summary, read from the emulator in
process (numbers set through its control), and the other shapes the live service might send (respx)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import respx

from pulumi_personalize.contentstack import AnalyticsSummary, get_analytics_summary
from pulumi_personalize.errors import ValidationError
from tests.conftest import CS_URL, PROJECT_UID, PROVIDER_CONFIG, InProcessEmulator

CONFIG = dict(PROVIDER_CONFIG)


def _ab_test(emu: InProcessEmulator, name: str = "Checkout", *, activate: bool = True) -> tuple[str, str]:
    """An A/B test with variants A and B made through the API; (experience uid, version uid)."""
    headers = {"authtoken": CONFIG["personalize:contentstackAuthtoken"], "x-project-uid": PROJECT_UID}
    with httpx.Client(base_url=CS_URL, headers=headers) as cs:
        created = cs.post("/experiences", json={"name": name, "__type": "AB_TEST"}).raise_for_status().json()
        body = {"status": "ACTIVE" if activate else "DRAFT",
                "variants": [{"__type": "ABTestVariant", "name": n, "trafficDistribution": 50} for n in ("A", "B")]}
        cs.put(f"/experiences/{created['uid']}/versions/{created['latestVersion']}", json=body).raise_for_status()
    return created["uid"], created["latestVersion"]


def _set_counts(emu: InProcessEmulator, uid: str, counts: dict[str, tuple[int, int]], version: str | None = None) -> None:
    body: dict[str, Any] = {"variants": {k: {"impressions": i, "conversions": c} for k, (i, c) in counts.items()}}
    if version:
        body["version"] = version
    emu.control.put(f"/_emulator/contentstack/projects/{PROJECT_UID}/experiences/{uid}/analytics",
                    json=body).raise_for_status()


def test_a_running_test_reads_the_numbers_the_service_holds(emulator_in_process: InProcessEmulator) -> None:
    uid, version = _ab_test(emulator_in_process)
    _set_counts(emulator_in_process, uid, {"0": (2000, 100), "1": (2000, 160)})

    summary = get_analytics_summary(experience_name="Checkout", config=CONFIG)

    assert (summary.experience_uid, summary.version_uid) == (uid, version)  # the live version by default
    a, b = summary.variant("A"), summary.variant("B")
    assert (a.short_uid, a.impressions, a.conversions) == ("0", 2000, 100)
    assert (b.short_uid, b.impressions, b.conversions) == ("1", 2000, 160)
    assert b.conversion_rate == 0.08
    assert b.probability_to_be_best is not None and b.probability_to_be_best > 0.99
    assert summary.leading_variant == "1" and summary.leader == b
    sent = emulator_in_process.requests(path="/analytics/summary")
    assert [r["query"] for r in sent] == [{"version": version}]


def test_too_little_data_names_no_leader_and_equal_numbers_tie(emulator_in_process: InProcessEmulator) -> None:
    uid, _ = _ab_test(emulator_in_process)
    _set_counts(emulator_in_process, uid, {"0": (50, 5), "1": (50, 5)})

    summary = get_analytics_summary(experience_uid=uid, config=CONFIG)

    assert summary.leading_variant is None and summary.leader is None
    assert [v.probability_to_be_best for v in summary.variants] == [0.5, 0.5]


def test_an_older_version_is_read_by_its_uid(emulator_in_process: InProcessEmulator) -> None:
    uid, first = _ab_test(emulator_in_process)
    _set_counts(emulator_in_process, uid, {"0": (300, 30), "1": (300, 3)})
    headers = {"authtoken": CONFIG["personalize:contentstackAuthtoken"], "x-project-uid": PROJECT_UID}
    with httpx.Client(base_url=CS_URL, headers=headers) as cs:  # a new version goes live; the first is archived
        cs.post(f"/experiences/{uid}/versions", json={"status": "ACTIVE", "variants": [
            {"__type": "ABTestVariant", "name": "A", "shortUid": "0", "trafficDistribution": 100}]}).raise_for_status()

    old = get_analytics_summary(experience_uid=uid, version_uid=first, config=CONFIG)
    new = get_analytics_summary(experience_uid=uid, config=CONFIG)

    assert old.version_uid == first and old.leading_variant == "0"
    assert new.version_uid != first and [(v.name, v.impressions) for v in new.variants] == [("A", 0)]


def test_a_draft_that_never_ran_says_so(emulator_in_process: InProcessEmulator) -> None:
    uid, _ = _ab_test(emulator_in_process, activate=False)
    with pytest.raises(ValidationError, match="DRAFT that was never activated"):
        get_analytics_summary(experience_uid=uid, config=CONFIG)


def test_a_segmented_experience_has_impressions_only(emulator_in_process: InProcessEmulator) -> None:
    headers = {"authtoken": CONFIG["personalize:contentstackAuthtoken"], "x-project-uid": PROJECT_UID}
    with httpx.Client(base_url=CS_URL, headers=headers) as cs:
        audience = cs.post("/audiences", json={"name": "Everyone"}).raise_for_status().json()["uid"]
        created = cs.post("/experiences", json={"name": "Hero", "__type": "SEGMENTED"}).raise_for_status().json()
        cs.put(f"/experiences/{created['uid']}/versions/{created['latestVersion']}", json={"status": "ACTIVE", "variants": [
            {"__type": "SegmentedVariant", "name": "Gold", "audiences": [audience], "audienceCombinationType": "OR"}],
        }).raise_for_status()
    _set_counts(emulator_in_process, created["uid"], {"0": (700, 0)})

    [gold] = get_analytics_summary(experience_name="Hero", config=CONFIG).variants

    assert (gold.name, gold.impressions, gold.conversions, gold.probability_to_be_best) == ("Gold", 700, None, None)


@pytest.mark.parametrize("answer", [
    # keyed by short uid, wrapped in data, the leader as a string, percentages, a field of the service's own
    {"data": {"variants": {"0": {"impressions": 10, "conversions": 1, "probabilityToBeBest": 12.5},
                           "1": {"impressions": 10, "conversions": 4, "probabilityToBeBest": 87.5}},
              "leadingVariant": "1", "timeframe": {"from": "2026-11-01"}}},
    # a list, the short uid under another name, the leader as an object, fractions
    {"variants": [{"variantShortUid": 0, "impressions": 10, "conversions": 1, "probabilityToBeBest": 0.125},
                  {"variantShortUid": 1, "impressions": 10, "conversions": 4, "probabilityToBeBest": 0.875}],
     "leadingVariant": {"shortUid": "1", "name": "B"}, "timeframe": {"from": "2026-11-01"}},
])
def test_either_shape_of_the_answer_reads_the_same(answer: dict[str, Any]) -> None:
    experience = {"uid": "e1", "name": "Checkout", "__type": "AB_TEST", "latestVersion": "v1"}
    versions = [{"uid": "v1", "status": "ACTIVE", "createdAt": "2026-11-01T00:00:00Z",
                 "variants": [{"shortUid": "0", "name": "A"}, {"shortUid": "1", "name": "B"}]}]
    with respx.mock(base_url=CS_URL, assert_all_called=True) as router:
        router.get("/experiences/e1").respond(json=experience)
        router.get("/experiences/e1/versions").respond(json=versions)
        router.get("/experiences/e1/analytics/summary", params={"version": "v1"}).respond(json=answer)
        summary = get_analytics_summary(experience_uid="e1", config=CONFIG)

    assert isinstance(summary, AnalyticsSummary)
    assert [(v.short_uid, v.name, v.conversions, v.probability_to_be_best) for v in summary.variants] == [
        ("0", "A", 1, 0.125), ("1", "B", 4, 0.875)]
    assert summary.leader is not None and summary.leader.name == "B"
    assert summary.model_extra == {"timeframe": {"from": "2026-11-01"}}  # kept, not dropped
