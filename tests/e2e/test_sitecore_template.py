"""Templates from files, a one-line change in a 2,000-line template in a preview, a published JS
module whose change fails the preview (Sitecore refuses to modify it) instead of the up, ``verify=True``
refusing code that does not render before anything is saved, and a program reading a template's
revisions and previews."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pulumi
import pytest
from pulumi import automation as auto

from pulumi_personalize import sitecore
from tests.e2e.conftest import StackFactory
from tests.e2e.test_sitecore_lifecycle import Api

pytestmark = pytest.mark.e2e


def test_one_line_change_in_a_large_file_template_previews_as_one_line(
    stack_factory: StackFactory, emulator: Any, tmp_path: Path
) -> None:
    site = tmp_path / "site"
    site.mkdir()
    lines = [f'<div class="row-{i}">offer {i}</div>' for i in range(2000)]
    (site / "banner.html").write_text("\n".join(lines))
    (site / "banner.css").write_text(".row-1 { color: teal }\n")
    (site / "banner.js").write_text("console.log('banner');\n")

    def program() -> None:
        template = sitecore.Template(
            "banner", name="Banner", friendly_id="banner", type="WEB", html_file="banner.html",
            css_file="banner.css", js_file="banner.js", base_dir=site,
        )
        pulumi.export("ref", template.ref)
        pulumi.export("revision", template.revision)

    api = Api(emulator.base_url)
    stack = stack_factory(program)
    up = stack.up()
    ref = up.outputs["ref"].value
    live = api.get(f"/v3/templates/{ref}")
    assert live["templateElements"] == [
        {"id": "html", "template": "\n".join(lines)}, {"id": "css", "template": ".row-1 { color: teal }\n"},
        {"id": "js", "template": "console.log('banner');\n"}]
    stack.assert_no_changes()

    lines[1234] = '<div class="row-1234">offer 1234, now 10% off</div>'
    (site / "banner.html").write_text("\n".join(lines))
    preview = stack.preview()
    assert stack.changes(preview) == {"update": 1}
    text = preview.stdout
    # The changed line with a little context, not the 2,000 lines (the preview stays a screenful).
    assert '- <div class="row-1234">offer 1234</div>' in text
    assert '+ <div class="row-1234">offer 1234, now 10% off</div>' in text
    assert "row-1000" not in text and "row-1500" not in text
    assert len(text.splitlines()) < 60, text

    up = stack.up()
    assert up.outputs["ref"].value == ref
    assert up.outputs["revision"].value == live["revision"] + 1
    assert api.get(f"/v3/templates/{ref}")["templateElements"][0]["template"] == "\n".join(lines)
    stack.assert_no_changes()


def test_a_published_js_module_change_fails_the_preview_not_the_up(
    stack_factory: StackFactory, emulator: Any
) -> None:
    code = {"js": "export function greet() { return 'hi'; }"}

    def program() -> None:
        module = sitecore.Template("greeter", name="Greeter", friendly_id="greeter", type="JS_MODULE",
                                   status="PUBLISHED", js=code["js"])
        pulumi.export("ref", module.ref)

    stack = stack_factory(program)
    ref = stack.up().outputs["ref"].value
    stack.assert_no_changes()
    code["js"] = "export function greet() { return 'hello'; }"
    with pytest.raises(auto.CommandError) as failure:
        stack.preview()
    assert "a published JS module cannot be modified in Sitecore Personalize" in str(failure.value)
    assert Api(emulator.base_url).get(f"/v3/templates/{ref}")["templateElements"][0]["template"].endswith("'hi'; }")


def test_a_template_argument_given_twice_is_refused(tmp_path: Path) -> None:
    (tmp_path / "a.html").write_text("<p/>")
    with pytest.raises(TypeError, match="either html= or html_file="):
        sitecore.Template("t", name="t", friendly_id="t", type="WEB", html="<p/>", html_file="a.html",
                          base_dir=tmp_path)


def test_missing_template_file_fails_the_preview_naming_resource_argument_and_path(
    stack_factory: StackFactory, tmp_path: Path
) -> None:
    def program() -> None:
        sitecore.Template("banner", name="Banner", friendly_id="banner", type="WEB", html="<div/>",
                          css_file="missing.css", base_dir=tmp_path)

    stack = stack_factory(program)
    with pytest.raises(auto.CommandError) as raised:
        stack.preview()
    text = str(raised.value)
    assert (f"sc.Template 'banner': css_file='missing.css' cannot be read from {tmp_path / 'missing.css'}: "
            "No such file or directory") in text, text[-3000:]
    assert "FileNotFoundError" not in text, text[-3000:]
    assert "Traceback" not in text, text[-3000:]  # a RunError: the message alone


UNCLOSED_IF = '<#if guest.email??>{"vip": true}'
OFFER = '<#if guest.email??>{"vip": true}<#else>{"vip": false}</#if>'


def test_verify_fails_with_the_services_message_and_saves_nothing(stack_factory: StackFactory, emulator: Any) -> None:
    code = {"freemarker": UNCLOSED_IF}

    def program() -> None:
        offer = sitecore.Template("offer", name="Offer", friendly_id="offer_json", type="DECISION",
                                  freemarker=code["freemarker"], verify=True)
        pulumi.export("ref", offer.ref)

    api = Api(emulator.base_url)
    stack = stack_factory(program)
    with pytest.raises(auto.CommandError) as failure:
        stack.up()
    text = str(failure.value)
    assert ("create template 'Offer' failed: template 'offer_json' does not render in Sitecore Personalize "
            "(Template code does not render): the freemarker code (argument freemarker, template_elements[0]): "
            "FreeMarker: <#if> is not closed (</#if> is missing); nothing was created") in text, text[-3000:]
    assert "Traceback" not in text, text[-3000:]
    assert api.get("/v3/templates?limit=100")["items"] == []  # nothing created
    posted = {e["path"] for e in emulator.requests(method="POST")}
    assert "/v3/templates/process" in posted and "/v3/templates" not in posted

    code["freemarker"] = OFFER
    ref = stack.up().outputs["ref"].value
    stack.assert_no_changes()

    code["freemarker"] = UNCLOSED_IF
    with pytest.raises(auto.CommandError, match="the template was left as it was"):
        stack.up()
    live = api.get(f"/v3/templates/{ref}")
    assert live["templateElements"] == [{"id": "freemarker", "template": OFFER}] and live["revision"] == 1


def test_a_program_reads_a_templates_revisions_after_an_update(stack_factory: StackFactory, emulator: Any) -> None:
    html = {"value": "<p>Rain in [[City | string | town]]</p>"}

    def program() -> None:
        banner = sitecore.Template("banner", name="Rain banner", friendly_id="rain_banner", type="WEB",
                                   html=html["value"], verify=True)
        # Look-ups run in the program: once the ref is known (after the banner's create or update).
        revisions = banner.ref.apply(lambda ref: [
            {"revision": r.revision, "html": r.code()["html"]} for r in sitecore.get_template_revisions(ref)])
        pulumi.export("revisions", revisions)
        pulumi.export("first", banner.ref.apply(lambda ref: sitecore.get_template_revision(ref, 1).code()))
        pulumi.export("rendered", banner.friendly_id.apply(lambda fid: sitecore.render_templates(
            {"oslo": {"friendly_id": fid, "template_params": {"City": "Oslo"}}}).code("oslo")))

    stack = stack_factory(program)
    first_html = html["value"]
    up = stack.up()
    assert up.outputs["revisions"].value == [{"revision": 1, "html": first_html}]
    assert up.outputs["rendered"].value == {"html": "<p>Rain in Oslo</p>"}

    html["value"] = "<p>Rain again in [[City | string | town]]</p>"
    up = stack.up()
    assert up.outputs["revisions"].value == [{"revision": 1, "html": first_html},
                                             {"revision": 2, "html": html["value"]}]
    assert up.outputs["first"].value == {"html": first_html}
    assert up.outputs["rendered"].value == {"html": "<p>Rain again in Oslo</p>"}
