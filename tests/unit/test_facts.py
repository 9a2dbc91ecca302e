"""The OpenAPI contracts in docs/contracts agree with pulumi_personalize.facts, the one place the client
and the emulator read the services' enums, paths and quotas from."""

from __future__ import annotations

from pathlib import Path
from typing import Any, get_args

import pytest
import yaml

from pulumi_personalize.facts import contentstack as cs
from pulumi_personalize.facts import sitecore as sc

CONTRACTS = Path(__file__).resolve().parents[2] / "docs" / "contracts"


def _spec(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((CONTRACTS / name).read_text(encoding="utf-8"))
    return loaded


def _enum(spec: dict[str, Any], *path: str | int) -> list[str]:
    node: Any = spec["components"]["schemas"]
    for key in path:
        node = node[key]
    values: list[str] = node["enum"]
    return values


CONTENTSTACK_ENUMS = [
    (("ExperienceInput", "properties", "__type"), cs.EXPERIENCE_TYPES),
    (("ExperienceUpdate", "properties", "__type"), cs.EXPERIENCE_TYPES),
    (("RuleCombination", "properties", "combinationType"), cs.COMBINATIONS),
    (("SegmentedVariant", "properties", "audienceCombinationType"), cs.COMBINATIONS),
    (("AttributeReference", "properties", "__type"), cs.ATTRIBUTE_REFERENCES),
    (("VersionCreate", "properties", "status"), cs.CREATE_VERSION_STATUSES),
    (("VersionUpdate", "properties", "status"), cs.DECLARABLE_VERSION_STATUSES),
]
SITECORE_ENUMS = [
    (("ConnectionRequest", "properties", "requestType"), sc.REQUEST_TYPES),
    (("ConnectionInput", "properties", "systemType"), sc.SYSTEM_TYPES),
    (("DeploymentVariant", "properties", "status"), sc.DEPLOYMENT_STATUSES),
    (("Task", "properties", "implementation"), tuple(sc.TASK_IMPLEMENTATIONS)),
    (("Task", "properties", "input", "properties", "inputType"), tuple(sc.TASK_IMPLEMENTATIONS.values())),
    (("Traffic", "properties", "type"), sc.TRAFFIC_TYPES),
    (("Traffic", "properties", "weightingAlgorithm"), sc.WEIGHTING_ALGORITHMS),
    (("Schedule", "properties", "type"), sc.SCHEDULE_TYPES),
    (("FlowDefinitionInput", "properties", "type"), sc.FLOW_TYPES),
    (("FlowDefinitionInput", "properties", "subtype"), sc.FLOW_SUBTYPES),
    (("FlowDefinitionInput", "properties", "status"), sc.FLOW_STATUSES),
    (("FlowDefinitionInput", "properties", "channels", "items"), sc.CHANNELS),
    (("TemplateElement", "properties", "id"), sc.TEMPLATE_ELEMENT_IDS),
    (("TemplateInput", "properties", "type"), sc.TEMPLATE_TYPES),
    (("TemplateInput", "properties", "status"), sc.TEMPLATE_STATUSES),
]


@pytest.mark.parametrize(("path", "fact"), CONTENTSTACK_ENUMS)
def test_contentstack_contract_enums_are_the_facts(path: tuple[str, ...], fact: tuple[str, ...]) -> None:
    assert _enum(_spec("contentstack-personalize.openapi.yml"), *path) == list(fact)


def test_contentstack_contract_statuses_and_attribute_types() -> None:
    spec = _spec("contentstack-personalize.openapi.yml")
    assert _enum(spec, "Version", "allOf", 1, "properties", "status") == list(cs.VERSION_STATUSES)
    assert _enum(spec, "Experience", "allOf", 1, "properties", "status") == list(cs.EXPERIENCE_STATUSES)
    assert _enum(spec, "Attribute", "allOf", 1, "properties", "__type") == list(cs.ATTRIBUTE_TYPES)
    assert set(cs.LOCKED_VERSION_STATUSES) | {"DRAFT"} == set(cs.VERSION_STATUSES)
    assert set(cs.LIVE_VERSION_STATUSES) < set(cs.LOCKED_VERSION_STATUSES)


def test_contentstack_contract_paths_and_presets() -> None:
    spec = _spec("contentstack-personalize.openapi.yml")
    for path in (cs.PROJECTS_PATH, cs.ATTRIBUTES_PATH, cs.AUDIENCES_PATH, cs.EVENTS_PATH, cs.EXPERIENCES_PATH,
                 cs.PRIORITY_PATH, cs.ANALYTICS_SUMMARY_PATH):
        assert path in spec["paths"], path
    text = (CONTRACTS / "contentstack-personalize.openapi.yml").read_text(encoding="utf-8")
    served = " ".join(text.split("emulator serves", 1)[1].split(" with ", 1)[0].split())  # the presets listed
    assert [key.strip() for key in served.split(",")] == list(cs.PRESET_ATTRIBUTE_KEYS)


def test_contentstack_quota_codes_and_defaults() -> None:
    assert cs.QUOTA_CODES["rules_per_audience"] == "personalize.AUDIENCES.RULE_COUNT_EXCEEDED"  # seen live
    assert cs.DEFAULT_QUOTAS == {"projects_per_organization": 3, "experiences": 100, "audiences": 100,
                                 "attributes": 100, "events": 100, "rules_per_audience": 50,
                                 "variants_per_experience": 20}
    assert cs.MAX_VARIANTS == 20


@pytest.mark.parametrize(("path", "fact"), SITECORE_ENUMS)
def test_sitecore_contract_enums_are_the_facts(path: tuple[str, ...], fact: tuple[str, ...]) -> None:
    assert _enum(_spec("sitecore-personalize.openapi.yml"), *path) == list(fact)


def test_sitecore_contract_auth_types_and_paths() -> None:
    spec = _spec("sitecore-personalize.openapi.yml")
    auth_types = _enum(spec, "ConnectionAuth", "properties", "authType")
    assert {value.upper() for value in auth_types} == set(sc.AUTH_TYPES)  # either case is taken
    for path in (sc.TOKEN_PATH, sc.CONNECTIONS_PATH, sc.DECISION_MODELS_PATH, sc.TEST_DECISION_MODEL_PATH,
                 sc.FLOW_DEFINITIONS_PATH, sc.TEMPLATES_PATH, sc.RENDER_TEMPLATES_PATH, sc.PROCESS_TEMPLATES_PATH):
        assert path in spec["paths"], path
    for collection, item in ((sc.TEMPLATES_PATH, "templateRef"), (sc.DECISION_MODELS_PATH, "decisionModelRef"),
                             (sc.DECISION_MODEL_VARIANTS_PATH, "variantRef")):
        assert f"{collection}/{{{item}}}/{sc.REVISIONS}/{{revisionRef}}" in spec["paths"], collection
    assert any(p.startswith(sc.DECISION_MODEL_VARIANTS_PATH + "/") for p in spec["paths"])


def test_literal_types_hold_the_same_values_as_the_tuples() -> None:
    assert set(get_args(sc.FlowSubtype)) == set(sc.FLOW_SUBTYPES)
    assert get_args(sc.FlowStatus) == sc.FLOW_STATUSES and get_args(sc.SystemType) == sc.SYSTEM_TYPES
    assert get_args(cs.ExperienceType) == cs.EXPERIENCE_TYPES
