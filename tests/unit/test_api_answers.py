"""The services' endpoints answer found / gone / unconfirmed as values, and their warnings reach the
Pulumi log through the engine's bridge (the api layer never imports pulumi). respx stands in for the
services at the HTTP boundary."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
import respx

from pulumi_personalize.contentstack import api as cs_api
from pulumi_personalize.contentstack.resources import ATTRIBUTE, EXPERIENCE, EXPERIENCE_PRIORITY
from pulumi_personalize.engine import Found, Gone, Unconfirmed
from pulumi_personalize.errors import register_secret
from pulumi_personalize.sitecore import api as sc_api
from pulumi_personalize.sitecore.resources import DECISION_MODEL_VARIANT, TEMPLATE

CS_URL = "https://cs.test"
SC_URL = "https://sc.test"
CS_CONFIG = {
    "personalize:contentstackBaseUrl": CS_URL,
    "personalize:contentstackProjectUid": "project-1",
    "personalize:contentstackAuthtoken": "cs-token-ANSWERS",
    "personalize:contentstackRequestsPerSecond": "0",
}
SC_CONFIG = {"personalize:sitecoreBaseUrl": SC_URL, "personalize:sitecoreAccessToken": "sc-token-ANSWERS"}


@pytest.fixture
def cs() -> Iterator[respx.MockRouter]:
    with respx.mock(base_url=CS_URL, assert_all_called=False) as router:
        yield router


@pytest.fixture
def sc() -> Iterator[respx.MockRouter]:
    with respx.mock(base_url=SC_URL, assert_all_called=False) as router:
        yield router


def cs_client() -> cs_api.ContentstackApi:
    return cs_api.connect(CS_CONFIG, "personalize")


def sc_client() -> sc_api.SitecoreApi:
    return sc_api.connect(SC_CONFIG, "personalize")


# --- get ------------------------------------------------------------------------------------------------


def test_a_listed_collection_answers_found_or_gone_from_its_listing(cs: respx.MockRouter) -> None:
    cs.get("/attributes").respond(json=[{"uid": "a1", "key": "plan", "name": "Plan"}])
    assert ATTRIBUTE.endpoints.get(cs_client(), "a1") == Found({"uid": "a1", "key": "plan", "name": "Plan"})
    assert ATTRIBUTE.endpoints.get(cs_client(), "a2") == Gone()


def test_an_experience_answered_404_is_unconfirmed_naming_the_call(cs: respx.MockRouter) -> None:
    cs.get("/experiences/e1").respond(404, json={"message": "Experience not found"})
    cs.get("/experiences").respond(json=[])
    assert EXPERIENCE.endpoints.get(cs_client(), "e1") == Unconfirmed("GET /experiences/e1 answered 404")


def test_a_sitecore_object_answered_404_is_unconfirmed_and_one_found_is_found(sc: respx.MockRouter) -> None:
    live = {"ref": "v1", "name": "V", "definition": {}}
    sc.get("/v2/decisionModelVariants/v1").respond(json=live)
    sc.get("/v2/decisionModelVariants/v2").respond(404)
    sc.get("/v2/decisionModelDefinitions").respond(json={"items": []})
    assert DECISION_MODEL_VARIANT.endpoints.get(sc_client(), "v1") == Found(live)
    assert DECISION_MODEL_VARIANT.endpoints.get(sc_client(), "v2") == Unconfirmed(
        "GET /v2/decisionModelVariants/v2 answered 404")


# --- delete ---------------------------------------------------------------------------------------------


def test_a_delete_answers_gone_when_done_and_unconfirmed_after_a_404(cs: respx.MockRouter) -> None:
    cs.delete("/attributes/a1").respond(204)
    cs.delete("/attributes/a2").respond(404)
    assert ATTRIBUTE.endpoints.delete(cs_client(), "a1", {}) == Gone()
    assert ATTRIBUTE.endpoints.delete(cs_client(), "a2", {}) == Unconfirmed("DELETE /attributes/a2 answered 404")


def test_an_experience_whose_versions_answer_404_is_unconfirmed_even_when_the_delete_passes(
        cs: respx.MockRouter) -> None:
    cs.get("/experiences/e1/versions").respond(404)
    delete = cs.delete("/experiences/e1").respond(204)
    answer = EXPERIENCE.endpoints.delete(cs_client(), "e1", {})
    assert answer == Unconfirmed("GET /experiences/e1/versions answered 404") and delete.called


def test_archiving_a_sitecore_object_that_answers_404_is_unconfirmed(sc: respx.MockRouter) -> None:
    sc.get("/v2/decisionModelVariants/v1").respond(404)
    sc.get("/v2/decisionModelDefinitions").respond(json={"items": []})
    assert DECISION_MODEL_VARIANT.endpoints.delete(sc_client(), "v1", {}) == Unconfirmed(
        "GET /v2/decisionModelVariants/v1 answered 404")


def test_the_priority_delete_leaves_the_order_and_says_so(cs: respx.MockRouter) -> None:
    answer = EXPERIENCE_PRIORITY.endpoints.delete(cs_client(), "experience-priority", {})
    assert isinstance(answer, Gone) and "order was left as it is" in answer.note
    assert not cs.calls  # nothing to delete on the service


# --- warnings -------------------------------------------------------------------------------------------


def test_a_refused_template_archive_warns_through_logging_and_the_bridge(
        sc: respx.MockRouter, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]) -> None:
    sc.get("/v3/templates/t1").respond(json={"ref": "t1", "name": "B", "archived": False, "templateElements": []})
    sc.put("/v3/templates/t1").respond(400, json={"status": 400, "message": "cannot archive"})
    with caplog.at_level(logging.WARNING, logger="pulumi_personalize"):
        assert TEMPLATE.endpoints.delete(sc_client(), "t1", {"friendly_id": "banner"}) == Gone()
    [record] = [r for r in caplog.records if r.name == "pulumi_personalize.sitecore.api"]
    assert record.levelno == logging.WARNING and "still exists in Sitecore Personalize" in record.getMessage()
    # outside a Pulumi engine, pulumi.log.warn writes to stderr: the bridge handed the record over
    assert "warning: template 'banner' (ref t1) was removed from the Pulumi state" in capsys.readouterr().err


def test_the_bridge_forwards_warnings_only_and_scrubs_them(capsys: pytest.CaptureFixture[str]) -> None:
    register_secret("bridge-secret-0123456789")
    log = logging.getLogger("pulumi_personalize.tests.plain")  # no filter of its own: the bridge's scrubs
    log.setLevel(logging.INFO)  # so that the info reaches the bridge, which leaves it
    try:
        log.info("an info stays in the Python log")
        log.warning("the service echoed %s", "bridge-secret-0123456789")
    finally:
        log.setLevel(logging.NOTSET)
    err = capsys.readouterr().err
    assert "an info stays" not in err
    assert "warning: the service echoed" in err and "bridge-secret-0123456789" not in err
