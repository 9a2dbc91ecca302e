"""The DMN example the reference page of ``sc.DecisionModelVariant`` points at (and the
sitecore-experiences example deploys) is a well-formed decision table: every rule has one input
entry per input and one output entry per output, ids are unique, and the hit policy is one DMN
defines."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = "examples/sitecore-experiences/decisions/next-best-offer.dmn"
HIT_POLICIES = {"UNIQUE", "FIRST", "PRIORITY", "ANY", "COLLECT", "RULE ORDER", "OUTPUT ORDER"}


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def test_the_example_is_a_complete_decision_table() -> None:
    root = ET.parse(REPO / EXAMPLE).getroot()
    assert _local(root.tag) == "definitions"
    tables = [e for e in root.iter() if _local(e.tag) == "decisionTable"]
    assert tables, "no decisionTable"
    for table in tables:
        assert table.get("hitPolicy", "UNIQUE") in HIT_POLICIES
        children = [_local(c.tag) for c in table]
        inputs, outputs = children.count("input"), children.count("output")
        assert inputs >= 1 and outputs >= 1
        rules = [c for c in table if _local(c.tag) == "rule"]
        assert rules
        for rule in rules:
            entries = [_local(c.tag) for c in rule]
            assert (entries.count("inputEntry"), entries.count("outputEntry")) == (inputs, outputs), rule.get("id")
    ids = [e.get("id") for e in root.iter() if e.get("id")]
    assert len(ids) == len(set(ids))


def test_the_reference_page_and_the_example_program_name_it() -> None:
    assert EXAMPLE in (REPO / "docs" / "reference" / "sitecore-decision-model-variant.md").read_text()
    program = (REPO / "examples" / "sitecore-experiences" / "__main__.py").read_text()
    assert EXAMPLE.split("sitecore-experiences/", 1)[1] in program
