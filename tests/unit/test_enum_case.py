"""Enum-valued inputs of both services: any case at check, the service's spelling in what check
returns (so diff compares like with like and state holds the service's spelling); a value that is no
spelling of an accepted one fails check naming the accepted spellings (docs/internals.md "Enum-valued
inputs")."""

from __future__ import annotations

from typing import Any

from pulumi_personalize.contentstack.resources import EXPERIENCE
from pulumi_personalize.engine import EngineProvider
from pulumi_personalize.sitecore.models import Traffic
from pulumi_personalize.sitecore.resources import CONNECTION, TEMPLATE
from tests.conftest import ProviderFactory


def checked(p: EngineProvider, news: dict[str, Any]) -> dict[str, Any]:
    result = p.check({}, news)
    assert result.failures == [], [(f.property, f.reason) for f in result.failures]
    return p.full_inputs(result.inputs)  # what create sends: an input at its default is left out of the state


def test_contentstack_enums_take_any_case_and_hold_the_services_spelling(provider: ProviderFactory) -> None:
    inputs = checked(provider(EXPERIENCE), {
        "name": "Hero", "type": "segmented", "status": "active",
        "variants": [{"name": "A", "audiences": ["aud1"], "audience_combination_type": "or"}],
        "metrics": [{"type": "PRIMARY", "event": "ev1"}, {"type": "secondary", "event": "ev2"}],
        "targeting": {"audiences": ["aud1"], "audience_combination_type": "Or"},
    })
    assert inputs["type"] == "SEGMENTED" and inputs["status"] == "ACTIVE"
    assert inputs["variants"][0]["audience_combination_type"] == "OR"
    assert [m["type"] for m in inputs["metrics"]] == ["Primary", "Secondary"]
    assert inputs["targeting"]["audience_combination_type"] == "OR"
    ab_test = checked(provider(EXPERIENCE), {"name": "Checkout", "type": "ab_test", "variant_split": "equally_split",
                                             "variants": [{"name": "Control"}, {"name": "Green"}]})
    assert (ab_test["type"], ab_test["variant_split"]) == ("AB_TEST", "EQUALLY_SPLIT")


def test_sitecore_enums_take_any_case_and_hold_the_services_spelling(provider: ProviderFactory) -> None:
    connection = checked(provider(CONNECTION), {
        "name": "Weather", "system_type": "data_system",
        "request": {"connection_url": "https://w.example.com/", "request_type": "get"},
    })
    assert connection["system_type"] == "DATA_SYSTEM" and connection["request"]["request_type"] == "GET"
    template = checked(provider(TEMPLATE), {
        "name": "Offer", "friendly_id": "offer", "type": "Decision", "status": "published",
        "template_elements": [{"id": "FreeMarker", "template": "{}"}],
    })
    assert template["type"] == "DECISION" and template["status"] == "PUBLISHED"
    assert template["template_elements"][0]["id"] == "freemarker"
    # camelCase spellings of the service too, not only upper case
    traffic = Traffic.model_validate({"type": "ADVANCEDTRAFFIC", "weighting_algorithm": "multi_arm_bandit"})
    assert (traffic.type, traffic.weighting_algorithm) == ("advancedTraffic", "MULTI_ARM_BANDIT")


def test_a_value_that_is_no_spelling_of_an_accepted_one_names_them(provider: ProviderFactory) -> None:
    failures = provider(EXPERIENCE).check({}, {"name": "Hero", "status": "live"}).failures
    assert [(f.property, f.reason) for f in failures] == [
        ("status", "status: Input should be 'DRAFT', 'ACTIVE' or 'PAUSED'")]
    failures = provider(TEMPLATE).check({}, {"name": "Offer", "friendly_id": "offer", "type": "email"}).failures
    assert [(f.property, f.reason) for f in failures] == [
        ("type", "type: Input should be 'WEB', 'DECISION', 'CONDITION' or 'JS_MODULE'")]
