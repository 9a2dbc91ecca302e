"""Sitecore's read-only look-ups (revisions of templates, decision models and their variants; template
previews) and ``Template(verify=True)``, with the emulator in process at the HTTP boundary
(docs/facts/sitecore.md#revisions, #template-previews)."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from pulumi_personalize import sitecore as sc
from pulumi_personalize.engine import ResourceOperationError
from pulumi_personalize.errors import NotFoundError
from pulumi_personalize.sitecore.resources import DECISION_MODEL, DECISION_MODEL_VARIANT, TEMPLATE
from tests.conftest import PROVIDER_CONFIG, InProcessEmulator, ProviderFactory

DMN = '<definitions xmlns="https://www.omg.org/spec/DMN/20151101/dmn.xsd" id="d"><decision id="a"/></definitions>'
UNCLOSED_IF = '<#if guest.email??>{"vip": true}'
OFFER = '<#if guest.email??>{"vip": true}<#else>{}</#if>'


@pytest.fixture
def tenant(emulator_in_process: InProcessEmulator) -> InProcessEmulator:
    return emulator_in_process


def calls(tenant: InProcessEmulator, method: str, path: str) -> list[httpx.Request]:
    return [c.request for c in tenant.router.calls if c.request.method == method and c.request.url.path == path]


def template(**changes: Any) -> dict[str, Any]:
    return {"name": "Offer", "friendly_id": "offer_json", "type": "DECISION", "verify": True,
            "template_elements": [{"id": "freemarker", "template": OFFER}], **changes}


# --- revisions ------------------------------------------------------------------------------------------


def test_template_revisions_list_every_save_and_one_by_number(tenant: InProcessEmulator,
                                                              provider: ProviderFactory) -> None:
    p = provider(TEMPLATE)
    created = p.create(p.check({}, template(verify=None)).inputs)
    p.update(created.id, created.outs, p.check({}, template(verify=None, name="Offer v2",
                                                            template_elements=[{"id": "freemarker", "template": "{}"}])).inputs)
    revisions = sc.get_template_revisions(created.id, config=PROVIDER_CONFIG)
    assert all(isinstance(r, sc.TemplateRevision) for r in revisions)
    assert [(r.revision, r.name, r.code()) for r in revisions] == [
        (1, "Offer", {"freemarker": OFFER}), (2, "Offer v2", {"freemarker": "{}"})]
    first = revisions[0]
    assert (first.ref, first.friendly_id, first.type, first.status, first.archived) == (
        created.id, "offer_json", "DECISION", "DRAFT", False)
    assert first.modified_by and first.modified_at and first.raw["templateElements"][0]["template"] == OFFER
    one = sc.get_template_revision(created.id, 1, config=PROVIDER_CONFIG)
    assert one == first
    with pytest.raises(NotFoundError) as missing:
        sc.get_template_revision(created.id, 3, config=PROVIDER_CONFIG)
    assert missing.value.status == 404 and "/v3/templates/" in str(missing.value.path)
    with pytest.raises(NotFoundError):
        sc.get_template_revisions("no-such-ref", config=PROVIDER_CONFIG)


def test_decision_model_and_variant_revisions(tenant: InProcessEmulator, provider: ProviderFactory) -> None:
    model = provider(DECISION_MODEL).create({"name": "Next best offer"})
    variants = provider(DECISION_MODEL_VARIANT)
    variant = variants.create({"name": "Baseline", "decision_model": model.id, "definition": DMN})
    variants.update(variant.id, variant.outs, {"name": "Baseline", "decision_model": model.id,
                                               "definition": DMN.replace('id="a"', 'id="b"')})
    deployed = {"variants": [{"variantRef": variant.id, "split": 100, "status": "PRODUCTION", "variantRevision": 2}]}
    provider(DECISION_MODEL).update(model.id, model.outs, {"name": "Next best offer",
                                                           "deployment_configuration": deployed})

    model_revisions = sc.get_decision_model_revisions(model.id, config=PROVIDER_CONFIG)
    assert [(r.revision, r.deployment_configuration) for r in model_revisions] == [
        (1, {"variants": []}), (2, deployed)]
    assert all(r.modified_by for r in model_revisions)  # decision models say modifiedByUserRef
    assert sc.get_decision_model_revision(model.id, 2, config=PROVIDER_CONFIG).deployment_configuration == deployed

    variant_revisions = sc.get_decision_model_variant_revisions(variant.id, config=PROVIDER_CONFIG)
    assert [(r.revision, r.decision_model_definition_ref, 'id="b"' in (r.definition or ""))
            for r in variant_revisions] == [(1, model.id, False), (2, model.id, True)]
    one = sc.get_decision_model_variant_revision(variant.id, 1, config=PROVIDER_CONFIG)
    assert isinstance(one, sc.DecisionModelVariantRevision) and one.definition == DMN


def test_revisions_read_the_programs_settings_by_namespace(tenant: InProcessEmulator,
                                                           provider: ProviderFactory) -> None:
    created = provider(TEMPLATE).create(provider(TEMPLATE).check({}, template(verify=None)).inputs)
    other = {k.replace("personalize:", "acme:"): v for k, v in PROVIDER_CONFIG.items()}
    found = sc.get_template_revisions(ref=created.id, config_namespace="acme", config=other)
    assert [r.revision for r in found] == [1]


# --- previews -------------------------------------------------------------------------------------------


def test_render_templates_fills_the_parameters_of_saved_templates(tenant: InProcessEmulator,
                                                                  provider: ProviderFactory) -> None:
    p = provider(TEMPLATE)
    p.create(p.check({}, {"name": "Rain", "friendly_id": "rain_banner", "type": "WEB", "template_elements": [
        {"id": "html", "template": "<p>Rain in [[City | string | town]]</p>"},
        {"id": "css", "template": "p { color: [[Colour | string]] }"}]}).inputs)
    rendered = sc.render_templates(
        {"oslo": {"friendly_id": "rain_banner", "template_params": {"City": "Oslo", "Colour": "teal"}},
         "default": sc.TemplateToRender(friendly_id="rain_banner"),
         "camel": {"friendlyId": "rain_banner", "templateParams": {"City": "Bergen"}}},
        config=PROVIDER_CONFIG)
    assert rendered.code("oslo") == {"html": "<p>Rain in Oslo</p>", "css": "p { color: teal }"}
    assert rendered.code("default") == {"html": "<p>Rain in town</p>", "css": "p { color:  }"}
    assert rendered.code("camel")["html"] == "<p>Rain in Bergen</p>"
    [request] = calls(tenant, "POST", "/v3/templates/renderTemplates")
    assert b'"templateParams":{}' in request.content.replace(b" ", b"")  # always sent, as the page requires
    with pytest.raises(NotFoundError):
        sc.render_templates({"a": {"friendly_id": "nope"}}, config=PROVIDER_CONFIG)


def test_process_templates_renders_code_that_is_not_saved(tenant: InProcessEmulator) -> None:
    processed = sc.process_templates(
        [{"id": "html", "template": "<p>Hi [[Name | string]]</p>"}, sc.TemplateCode(id="freemarker", template="{}")],
        template_variables={"Name": "Ada"}, config=PROVIDER_CONFIG)
    assert processed.code() == {"html": "<p>Hi Ada</p>", "freemarker": "{}"}
    assert [e.id for e in processed.templates] == ["html", "freemarker"]
    assert calls(tenant, "GET", "/v3/templates") == [] and calls(tenant, "POST", "/v3/templates") == []


# --- Template(verify=True) -----------------------------------------------------------------------------


def test_verify_renders_before_the_create_and_saves(tenant: InProcessEmulator, provider: ProviderFactory) -> None:
    p = provider(TEMPLATE)
    created = p.create(p.check({}, template()).inputs)
    order = [(c.request.method, c.request.url.path) for c in tenant.router.calls]
    assert order.count(("POST", "/v3/templates")) == 1
    assert order.index(("POST", "/v3/templates/process")) < order.index(("POST", "/v3/templates"))  # rendered first
    [process] = calls(tenant, "POST", "/v3/templates/process")
    assert json.loads(process.content) == {"templates": [{"id": "freemarker", "template": OFFER}],
                                           "templateVariables": {}}
    assert b"verify" not in calls(tenant, "POST", "/v3/templates")[0].content  # ours, never sent
    assert created.outs["verify"] is True
    # a refresh keeps the program's verify (the service knows nothing of it)
    assert p.read(created.id, created.outs).inputs["verify"] is True


def test_verify_failure_at_create_names_template_and_argument_and_creates_nothing(
        tenant: InProcessEmulator, provider: ProviderFactory) -> None:
    p = provider(TEMPLATE)
    inputs = p.check({}, template(template_elements=[{"id": "html", "template": "<p>[[Name | string</p>"},
                                                     {"id": "freemarker", "template": UNCLOSED_IF}])).inputs
    with pytest.raises(ResourceOperationError) as failure:
        p.create(inputs)
    text = str(failure.value)
    assert text.startswith("create template 'Offer' failed: template 'offer_json' does not render in Sitecore "
                           "Personalize (Template code does not render): "), text
    assert ("the html code (argument html, template_elements[0]): template parameter '[[Name | string</p>' is "
            "not closed with ]]") in text
    assert ("the freemarker code (argument freemarker, template_elements[1]): FreeMarker: <#if> is not closed "
            "(</#if> is missing); nothing was created") in text
    assert failure.value.status == 400
    assert calls(tenant, "POST", "/v3/templates") == []


def test_without_verify_nothing_is_rendered(tenant: InProcessEmulator, provider: ProviderFactory) -> None:
    p = provider(TEMPLATE)
    created = p.create(p.check({}, template(verify=None, template_elements=[
        {"id": "freemarker", "template": UNCLOSED_IF}])).inputs)  # saved as given: the service does not render on save
    p.update(created.id, created.outs, p.check({}, template(verify=False, name="Renamed")).inputs)
    assert calls(tenant, "POST", "/v3/templates/process") == []
    assert "verify" not in created.outs  # left out: stacks made before verify existed show no change


def test_verify_at_update_passes_then_fails_leaving_the_template_as_it_was(
        tenant: InProcessEmulator, provider: ProviderFactory) -> None:
    p = provider(TEMPLATE)
    created = p.create(p.check({}, template()).inputs)
    updated = p.update(created.id, created.outs, p.check({}, template(description="now with a description")).inputs)
    assert len(calls(tenant, "PUT", f"/v3/templates/{created.id}")) == 1
    with pytest.raises(ResourceOperationError) as failure:
        p.update(created.id, updated.outs, p.check({}, template(template_elements=[
            {"id": "freemarker", "template": UNCLOSED_IF}])).inputs)
    assert "the freemarker code (argument freemarker, template_elements[0])" in str(failure.value)
    assert str(failure.value).endswith("; the template was left as it was")
    assert len(calls(tenant, "PUT", f"/v3/templates/{created.id}")) == 1  # no second PUT
    assert [r.revision for r in sc.get_template_revisions(created.id, config=PROVIDER_CONFIG)] == [1, 2]
    assert len(calls(tenant, "POST", "/v3/templates/process")) == 3


def test_verify_that_cannot_reach_the_preview_says_so(tenant: InProcessEmulator, provider: ProviderFactory) -> None:
    tenant.intercept("POST", "/v3/templates/process", lambda request: httpx.Response(
        403, json={"status": 403, "code": "FORBIDDEN", "message": "The API key lacks Developer templates"}))
    p = provider(TEMPLATE)
    with pytest.raises(ResourceOperationError) as failure:
        p.create(p.check({}, template()).inputs)
    assert "template 'offer_json' could not be rendered to verify it: " in str(failure.value)
    assert "nothing was created" in str(failure.value) and failure.value.status == 403
    assert calls(tenant, "POST", "/v3/templates") == []
