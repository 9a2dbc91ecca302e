"""The declared consequences of Sitecore updates, held against what the update then does on the
emulator (in process): every update adds a revision; a published template whose code changes is
saved as a DRAFT and published again (two revisions), and says so. Nothing else changes."""

from __future__ import annotations

from typing import Any

import pytest

from pulumi_personalize.engine import Consequences, EngineProvider, ResourceSpec, consequences_of
from pulumi_personalize.sitecore.resources import (
    CONNECTION,
    DECISION_MODEL,
    DECISION_MODEL_DEPLOYMENT,
    DECISION_MODEL_VARIANT,
    FLOW_DEFINITION,
    TEMPLATE,
)
from tests.conftest import InProcessEmulator, ProviderFactory

REVISED = Consequences(unknown_outputs=frozenset({"revision"}))


def checked(p: EngineProvider, news: dict[str, Any]) -> dict[str, Any]:
    result = p.check({}, news)
    assert result.failures == [], [(f.property, f.reason) for f in result.failures]
    return dict(result.inputs)


def held(p: EngineProvider, spec: ResourceSpec[Any], first: dict[str, Any], then: dict[str, Any]) -> Consequences:
    """Create with ``first``, tell the consequences of updating to ``then``, update: only the revision
    moves, by one."""
    created = p.create(checked(p, first))
    olds = dict(created.outs or {})
    news = checked(p, then)
    told = consequences_of(spec, olds, news)
    after = dict(p.update(str(created.id), olds, news).outs or {})
    preview = told.preview_outputs(olds, news, unknown=None)
    assert {k: v for k, v in after.items() if preview.get(k) is not None} == {
        k: v for k, v in preview.items() if v is not None}
    assert after["revision"] == olds["revision"] + 1  # one PUT
    return told


WEB = {"name": "Banner", "friendly_id": "banner", "type": "WEB", "template_elements": [{"id": "html", "template": "<p/>"}]}


@pytest.mark.usefixtures("emulator_in_process")
def test_a_draft_template_edit_adds_one_revision_and_says_nothing(provider: ProviderFactory) -> None:
    told = held(provider(TEMPLATE), TEMPLATE, WEB, {**WEB, "template_elements": [{"id": "html", "template": "<b/>"}]})
    assert told == REVISED


@pytest.mark.usefixtures("emulator_in_process")
def test_a_published_template_with_new_code_is_published_again_and_says_so(provider: ProviderFactory) -> None:
    p = provider(TEMPLATE)
    published = {**WEB, "status": "PUBLISHED"}
    created = p.create(checked(p, published))
    olds = dict(created.outs or {})
    news = checked(p, {**published, "template_elements": [{"id": "html", "template": "<b/>"}]})
    told = consequences_of(TEMPLATE, olds, news)
    revision = olds["revision"]
    assert told == Consequences(unknown_outputs=frozenset({"revision"}), notes=(
        f"it is PUBLISHED: its new code is saved as a DRAFT, then published again (revision {revision} -> "
        f"{revision + 2})",))
    assert p.update(str(created.id), olds, news).outs["revision"] == revision + 2  # what the note said


@pytest.mark.usefixtures("emulator_in_process")
def test_a_published_template_whose_other_fields_change_is_not_republished(provider: ProviderFactory) -> None:
    published = {**WEB, "status": "PUBLISHED"}
    assert held(provider(TEMPLATE), TEMPLATE, published, {**published, "description": "for the sale"}) == REVISED
    # publishing a draft is one PUT as well
    assert consequences_of(TEMPLATE, {**WEB, "status": "DRAFT", "revision": 1},
                           {**WEB, "status": "PUBLISHED", "template_elements": []}) == REVISED


def test_every_sitecore_update_adds_a_revision() -> None:
    for spec in (CONNECTION, DECISION_MODEL, DECISION_MODEL_VARIANT, DECISION_MODEL_DEPLOYMENT, FLOW_DEFINITION):
        assert "revision" in spec.output_names, spec.name
        assert consequences_of(spec, {"name": "a", "revision": 3}, {"name": "b"}) == REVISED, spec.name


def test_the_revision_moves_on_the_service_too(emulator_in_process: InProcessEmulator, provider: ProviderFactory) -> None:
    model = {"name": "Next best offer"}
    assert held(provider(DECISION_MODEL), DECISION_MODEL, model, {"name": "Next offer"}) == REVISED
