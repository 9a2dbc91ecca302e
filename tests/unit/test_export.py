"""personalize-export at the HTTP boundary (respx): what is read (GETs only), what becomes a
resource, how references, files, names and filters come out, and the errors a person sees."""

from __future__ import annotations

import io
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import respx

from pulumi_personalize.export.cli import ExportError, export, main, stack_config
from pulumi_personalize.export.program import (
    Call,
    FileRead,
    Names,
    Program,
    Ref,
    Resource,
    SecretSetting,
    slug,
)
from pulumi_personalize.export.render import expression, render_files
from pulumi_personalize.export.selection import CONTENTSTACK_KINDS, SITECORE_KINDS, Selection

CS = "https://cs.test"
SC = "https://sc.test"
TOKEN = "https://auth.test/oauth/token"
CS_CONFIG = {"personalize:contentstackBaseUrl": CS, "personalize:contentstackProjectUid": "p" * 24,
             "personalize:contentstackAuthtoken": "cs-token", "personalize:contentstackRequestsPerSecond": "0"}
SC_CONFIG = {"personalize:sitecoreBaseUrl": SC, "personalize:sitecoreTokenUrl": TOKEN,
             "personalize:sitecoreClientId": "client", "personalize:sitecoreClientSecret": "sc-secret"}
SC_ENV = {"SITECORE_PERSONALIZE_BASE_URL": SC, "SITECORE_PERSONALIZE_TOKEN_URL": TOKEN,
          "SITECORE_PERSONALIZE_CLIENT_ID": "client", "SITECORE_PERSONALIZE_CLIENT_SECRET": "sc-secret"}
REPO = Path(__file__).resolve().parents[2]

PLAN = "a" * 24
EVENT = "e" * 24
PREMIUM = "b" * 24
HERO = "c" * 24
TEST = "d" * 24


def rule(ref: str, value: str, *, preset: bool = False) -> dict[str, Any]:
    return {"__type": "Rule", "attribute": {"__type": "PresetAttributeReference" if preset
                                            else "CustomAttributeReference", "ref": ref},
            "attributeMatchCondition": "STRING_EQUALS",
            "attributeMatchOptions": {"__type": "StringMatchOptions", "value": value}, "invertCondition": False}


def contentstack_routes(router: respx.MockRouter, *, priority: list[str] | None = None) -> None:
    router.get(f"{CS}/attributes").respond(json=[
        {"uid": "f" * 24, "key": "COUNTRY", "name": "Country", "__type": "PRESET"},
        {"uid": PLAN, "key": "plan", "name": "Plan", "description": "the plan", "__type": "CUSTOM"}])
    router.get(f"{CS}/events").respond(json=[{"uid": EVENT, "key": "purchase", "description": ""}])
    router.get(f"{CS}/audiences").respond(json=[
        {"uid": PREMIUM, "name": "Premium", "description": "", "definition": {
            "__type": "RuleCombination", "combinationType": "OR", "rules": [
                rule(PLAN, "premium"), {"__type": "RuleCombination", "combinationType": "AND",
                                        "rules": [rule("COUNTRY", "US", preset=True)]}]}},
        {"uid": "9" * 24, "name": "Lytics fans", "source": "LYTICS", "slug": "fans"}])
    router.get(f"{CS}/experiences").respond(json=[
        {"uid": HERO, "name": "Hero", "__type": "SEGMENTED", "latestVersion": "v1"},
        {"uid": TEST, "name": "Checkout test", "__type": "AB_TEST", "latestVersion": "v2"}])
    router.get(f"{CS}/experiences/{HERO}/versions").respond(json=[{"uid": "v1", "status": "ACTIVE", "variants": [
        {"__type": "SegmentedVariant", "name": "Premium hero", "shortUid": "0", "audiences": [PREMIUM],
         "audienceCombinationType": "OR"}]}])
    router.get(f"{CS}/experiences/{TEST}/versions").respond(json=[{"uid": "v2", "status": "DRAFT", "variants": [
        {"__type": "ABTestVariant", "name": "A", "trafficDistribution": 50},
        {"__type": "ABTestVariant", "name": "B", "trafficDistribution": 50}],
        "metrics": [{"__type": "Primary", "event": EVENT, "name": "Buys"}]}])
    router.get(f"{CS}/experiences-priority").respond(json={"priorityOrder": priority or [TEST, HERO]})


def run(service: str, tmp_path: Path, config: dict[str, str], **selection: Any) -> tuple[Program, str]:
    kinds = CONTENTSTACK_KINDS if service == "contentstack" else SITECORE_KINDS
    program, _ = export(service, Selection.of(kinds, **selection), config, tmp_path, environ={})
    return program, (tmp_path / "__main__.py").read_text()


# --- names and rendering -------------------------------------------------------------------------------


def test_names_are_readable_identifiers_and_unique() -> None:
    names = Names()
    assert slug("Premium customers (EU)") == "premium_customers_eu"
    assert slug("cartValue") == "cart_value"
    assert names.new("Premium", "audience") == "premium"
    assert names.new("premium", "experience") == "premium_experience"
    assert names.new("Premium!", "experience") == "premium_experience_2"
    assert names.new("2024 sale", "audience") == "audience_2024_sale"
    assert names.new("class", "event") == "class_event"
    assert names.new("", "event") == "event"
    assert names.new("config", "attribute") == "config_attribute"  # the program's own names stay free
    assert names.new("Ünïcödé", "event") == "unicode"


def test_expression_breaks_long_calls_and_writes_references() -> None:
    assert expression(Call("f", (Ref("plan", "uid"), "x"), (("n", 1.5),))) == 'f(plan.uid, "x", n=1.5)'
    assert expression(FileRead("flows/a.html")) == '_read("flows/a.html")'
    long = Call("cs.Audience", ("name",), (("definition", [{"k": "v" * 90}]),))
    assert expression(long) == 'cs.Audience(\n    "name",\n    definition=[\n        {\n            "k": "' \
        + "v" * 90 + '",\n        },\n    ],\n)'
    assert expression('say "hi"\n') == '"say \\"hi\\"\\n"'


def test_rendered_program_is_clean_without_ruff_format(tmp_path: Path) -> None:
    program = Program("sitecore", "A test.", ["import pulumi", "from pulumi_personalize import sitecore as sc"],
                      uses_files=True)
    program.secrets.append(SecretSetting("crmClientSecret", "secret"))
    program.resources = [
        Resource("template", "sc.Template", "banner", [("name", "Banner"), ("html_file", "templates/b.html"),
                                                         ("adopt_ref", "r1")], "banner", "r1"),
        Resource("connection", "sc.Connection", "crm", [("name", "CRM"), ("auth", Call(
            "sc.ConnectionAuthArgs", (), (("client_secret", Call("config.require_secret", ("crmClientSecret",))),)))],
            "crm", "r2"),
        Resource("flow", "sc.FlowDefinition", "hero", [("variants", [{"assets": {
            "html": Call("banner.element", ("html",)), "css": FileRead("flows/hero/a.css")}}])], "hero", "r3"),
    ]
    for path, text in render_files(program, "exported").items():
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text(text)
    main_py = (tmp_path / "__main__.py").read_text()
    # sections in dependency order whatever the build order was
    assert main_py.index("crm = ") < main_py.index("banner = ") < main_py.index("hero = ")
    ruff = str(Path(sys.executable).parent / "ruff")
    for args in (["check", "--isolated", "."], ["check", "--isolated", "--select", "E,F,W,I,B,UP,SIM,RUF,N", "."],
                 ["format", "--isolated", "--check", "."]):
        result = subprocess.run([ruff, *args], cwd=tmp_path, capture_output=True, text=True, check=False)
        assert result.returncode == 0, result.stdout + result.stderr
    compile(main_py, "__main__.py", "exec")


# --- Contentstack ----------------------------------------------------------------------------------------


@respx.mock(assert_all_called=False)
def test_contentstack_program_refers_to_generated_resources(respx_mock: respx.MockRouter, tmp_path: Path) -> None:
    contentstack_routes(respx_mock)
    program, text = run("contentstack", tmp_path, CS_CONFIG)
    assert respx_mock.calls and {c.request.method for c in respx_mock.calls} == {"GET"}
    assert program.counts() == {"attribute": 1, "event": 1, "audience": 1, "experience": 2, "priority": 1}
    assert [(s.kind, s.title) for s in program.skipped] == [
        ("attribute", "COUNTRY"), ("audience", "Lytics fans"),
        ("variant_group", "content types linked to the experiences' CMS variant groups")]
    assert "preset" in program.skipped[0].reason and "Lytics" in program.skipped[1].reason
    assert "personalize:contentstackStackApiKey" in program.skipped[2].reason  # what to set to export them
    assert "rules.any_of(" in text and "rules.custom(plan.uid)" in text and 'rules.preset("COUNTRY")' in text
    assert "audiences=[premium.uid]" in text and "event=purchase.uid" in text
    assert "experiences=[checkout_test.uid, hero.uid]" in text
    assert "# Visitors get" not in text  # the managed version is the active one
    assert f'adopt_uid="{PLAN}"' in text and "f" * 24 not in text  # the preset is not adopted
    assert "config_namespace" not in text
    assert sorted(p.name for p in tmp_path.iterdir()) == ["Pulumi.yaml", "__main__.py", "requirements.txt"]
    compile(text, "__main__.py", "exec")


CMA_CONFIG = {**CS_CONFIG, "personalize:contentstackCmaBaseUrl": CS, "personalize:contentstackStackApiKey": "blt1"}


@respx.mock(assert_all_called=False)
def test_content_types_linked_to_variant_groups_are_exported(respx_mock: respx.MockRouter, tmp_path: Path) -> None:
    contentstack_routes(respx_mock)
    groups = respx_mock.get(f"{CS}/v3/variant_groups").respond(json={"variant_groups": [
        # matched by the experience it names; content types as the CMA lists them (uids) or as PUT takes them
        {"uid": "g1", "name": "Hero", "content_types": ["page", {"uid": "banner", "status": "linked"},
                                                        {"uid": "old", "status": "unlinked"}],
         "personalize_metadata": {"experience_uid": HERO}},
        {"uid": "g2", "name": "Checkout test", "content_types": [], "personalize_metadata": {"experience_uid": TEST}},
        {"uid": "g3", "name": "Gone experience", "content_types": ["page"],
         "personalize_metadata": {"experience_uid": "0" * 24}}]})

    program, text = run("contentstack", tmp_path, CMA_CONFIG)

    assert groups.called and groups.calls[0].request.headers["api_key"] == "blt1"
    assert {c.request.method for c in respx_mock.calls} == {"GET"}
    assert program.counts()["variant_group"] == 1  # the group without links and another experience's make none
    assert "variant_group" not in {s.kind for s in program.skipped}
    assert re.search(r'cs\.VariantGroupContentTypes\(\s*"hero_content_types",\s*experience=hero\.uid,\s*'
                     r'content_types=\["page", "banner"\],?\s*\)', text), text
    compile(text, "__main__.py", "exec")


@respx.mock(assert_all_called=False)
def test_variant_groups_are_not_read_without_exported_experiences(respx_mock: respx.MockRouter,
                                                                  tmp_path: Path) -> None:
    contentstack_routes(respx_mock)
    groups = respx_mock.get(f"{CS}/v3/variant_groups").respond(json={"variant_groups": []})
    program, _ = run("contentstack", tmp_path, CMA_CONFIG, kinds=["audience", "variant_group"])
    assert not groups.called and "variant_group" not in program.counts()


@respx.mock(assert_all_called=False)
def test_contentstack_kind_filter_keeps_uids_of_what_is_not_exported(respx_mock: respx.MockRouter,
                                                                     tmp_path: Path) -> None:
    contentstack_routes(respx_mock)
    program, text = run("contentstack", tmp_path, CS_CONFIG, kinds=["audience"])
    assert program.counts() == {"audience": 1}
    assert f'rules.custom("{PLAN}")' in text
    assert not respx_mock.routes[3].called  # experiences are not read for audiences


@respx.mock(assert_all_called=False)
def test_contentstack_name_filter_and_partial_priority(respx_mock: respx.MockRouter, tmp_path: Path) -> None:
    contentstack_routes(respx_mock, priority=[HERO, TEST])
    program, text = run("contentstack", tmp_path, CS_CONFIG, name="h*")
    assert program.counts() == {"experience": 1, "priority": 1}
    # the head of the order is exported; the rest keeps the service's order after it
    assert "experiences=[hero.uid]" in text
    assert any("last 1 of 2 places" in s.reason for s in program.skipped)
    program, _ = run("contentstack", tmp_path / "second", CS_CONFIG, name="checkout*")
    assert "priority" not in program.counts()
    assert any(s.kind == "priority" and "not exported" in s.reason for s in program.skipped)


@respx.mock(assert_all_called=False)
def test_contentstack_namespace_reads_that_tenant_and_names_it(respx_mock: respx.MockRouter, tmp_path: Path) -> None:
    contentstack_routes(respx_mock)
    config = {k.replace("personalize:", "acme-eu:"): v for k, v in CS_CONFIG.items()}
    program, text = run("contentstack", tmp_path, config, namespace="acme-eu")
    assert text.count('config_namespace="acme-eu"') == len(program.resources)


@respx.mock(assert_all_called=False)
def test_unsupported_experience_is_skipped_with_the_reason(respx_mock: respx.MockRouter, tmp_path: Path) -> None:
    contentstack_routes(respx_mock)
    respx_mock.get(f"{CS}/experiences/{HERO}/versions").respond(json=[{"uid": "v1", "status": "ARCHIVED", "variants": [
        {"__type": "SegmentedVariant", "name": "Fans", "audiences": [PREMIUM], "audienceCombinationType": "OR"}]}])
    program, text = run("contentstack", tmp_path, CS_CONFIG, kinds=["experience"])
    assert program.counts() == {"experience": 1} and f'adopt_uid="{HERO}"' not in text
    assert [(s.title, "ARCHIVED" in s.reason) for s in program.skipped] == [("Hero", True)]


@respx.mock(assert_all_called=False)
def test_lytics_audiences_of_a_variant_are_written(respx_mock: respx.MockRouter, tmp_path: Path) -> None:
    contentstack_routes(respx_mock)
    respx_mock.get(f"{CS}/experiences/{HERO}/versions").respond(json=[{"uid": "v1", "status": "ACTIVE", "variants": [
        {"__type": "SegmentedVariant", "name": "Fans", "audiences": [], "audienceCombinationType": "OR",
         "lyticsAudiences": ["0" * 32]}]}])
    program, text = run("contentstack", tmp_path, CS_CONFIG, kinds=["experience"])
    assert program.counts() == {"experience": 2} and not program.skipped
    assert f'lytics_audiences=["{"0" * 32}"]' in text and f'adopt_uid="{HERO}"' in text


@respx.mock(assert_all_called=False)
def test_refused_credentials_name_the_settings(respx_mock: respx.MockRouter, tmp_path: Path) -> None:
    respx_mock.get(f"{CS}/attributes").respond(401, json={"error": "Unauthorized"})
    with pytest.raises(ExportError) as caught:
        run("contentstack", tmp_path, CS_CONFIG)
    assert "personalize:contentstackAuthtoken" in str(caught.value)
    assert "cs-token" not in str(caught.value)
    respx_mock.get(f"{CS}/attributes").respond(404, text="Cannot GET /attributes")
    with pytest.raises(ExportError) as caught:
        run("contentstack", tmp_path, CS_CONFIG)
    assert "personalize:contentstackRegion" in str(caught.value) and "contentstackProjectUid" in str(caught.value)


def test_command_names_a_wrong_region_setting(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("CONTENTSTACK_PERSONALIZE_REGION", "mars")
    monkeypatch.setenv("CONTENTSTACK_PERSONALIZE_PROJECT_UID", "p" * 24)
    monkeypatch.setenv("CONTENTSTACK_AUTHTOKEN", "t")
    for name in ("PERSONALIZE_BASE_URL", "CONTENTSTACK_PERSONALIZE_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    err = io.StringIO()
    assert main(["contentstack", "--out", str(tmp_path)], stdout=io.StringIO(), stderr=err) == 2
    assert "personalize:contentstackRegion" in err.getvalue() and "the environment" in err.getvalue()
    assert not (tmp_path / "__main__.py").exists()


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize("stream", [Terminal, io.StringIO])
@respx.mock(assert_all_called=False)
def test_command_progress_on_a_terminal_only_and_a_summary(stream: type[io.StringIO], respx_mock: respx.MockRouter,
                                                           monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    contentstack_routes(respx_mock)
    monkeypatch.setenv("CONTENTSTACK_PERSONALIZE_BASE_URL", CS)
    monkeypatch.setenv("CONTENTSTACK_PERSONALIZE_PROJECT_UID", "p" * 24)
    monkeypatch.setenv("CONTENTSTACK_AUTHTOKEN", "t")
    out, err = io.StringIO(), stream()
    assert main(["contentstack", "--out", str(tmp_path)], stdout=out, stderr=err) == 0
    assert ("read 2 attributes" in err.getvalue()) is (stream is Terminal)
    summary = out.getvalue()
    assert "Exported 6 resources" in summary and "  experience: 2" in summary
    assert "attribute: COUNTRY: preset attribute" in summary and "Wrote 3 files" in summary
    assert main(["contentstack", "--out", str(tmp_path)], stdout=out, stderr=err) == 2  # no overwrite


# --- Sitecore --------------------------------------------------------------------------------------------

DMN = '<definitions xmlns="http://www.omg.org/spec/DMN/20151101/dmn.xsd"><decision id="d"/></definitions>'
CODE = "<div>[[title | string]]</div>\n<p>long enough to go to a file</p>\n"


def page(items: list[dict[str, Any]]) -> dict[str, Any]:
    return {"href": "x", "items": items, "limit": 100, "offset": 0}


def sitecore_routes(router: respx.MockRouter) -> None:
    router.post(TOKEN).respond(json={"access_token": "tok", "expires_in": 900, "token_type": "Bearer"})
    common = {"clientKey": "key1", "revision": 1, "archived": False}
    router.get(f"{SC}/v2/connections").respond(json=page([
        {**common, "ref": "c1", "name": "CRM", "systemType": "DATA_SYSTEM",
         "auth": {"authType": "OAUTH", "clientId": "id", "clientSecret": "VERY-SECRET",
                  "accessTokenUrl": "https://crm.test/token"},
         "request": {"requestType": "GET", "connectionUrl": "https://crm.test"}},
        {**common, "ref": "c2", "name": "Old", "archived": True, "systemType": "DATA_SYSTEM",
         "auth": {"authType": "NONE"}, "request": {"requestType": "GET", "connectionUrl": "https://old.test"}}]))
    router.get(f"{SC}/v3/templates").respond(json=page([
        {**common, "ref": "t1", "name": "Banner", "friendlyId": "banner", "type": "WEB", "status": "DRAFT",
         "description": "", "render": False, "templateElements": [{"id": "html", "template": CODE}]}]))
    router.get(f"{SC}/v2/decisionModelDefinitions").respond(json=page([
        {**common, "ref": "m1", "name": "Next best offer",
         "deploymentConfiguration": {"variants": [{"variantRef": "v1", "split": 100, "status": "PRODUCTION",
                                                   "variantRevision": 3}]}}]))
    router.get(f"{SC}/v2/decisionModelDefinitions/m1/variants").respond(json=page([
        {**common, "ref": "v1", "name": "Control"}]))  # a summary: fetched by ref
    router.get(f"{SC}/v2/decisionModelVariants/v1").respond(json={
        **common, "ref": "v1", "name": "Control", "definition": DMN, "decisionModelDefinitionRef": "m1"})
    router.get(f"{SC}/v3/flowDefinitions").respond(json=page([
        {**common, "ref": "f1", "name": "Offer API", "friendlyId": "offer_api", "type": "INTERACTIVE_API_FLOW",
         "subtype": "EXPERIENCE", "status": "LIVE", "channels": ["WEB"], "businessProcess": "interactive_v1",
         "schedule": {"type": "simpleSchedule", "startDate": "2026-01-01T00:00:00.000Z"},
         "traffic": {"type": "simpleTraffic", "splits": [{"ref": "x1", "split": 100}]},
         "variants": [{"ref": "x1", "name": "Offer", "assets": {"html": CODE, "css": "p{}", "js": "x" * 200},
                       "tasks": [{"implementation": "decisionModelTask",
                                  "input": {"inputType": "decisionModelTaskInput", "decisionModelRefs": ["m1"]}}]}]},
        {**common, "ref": "f2", "name": "Done", "friendlyId": "done", "type": "INTERACTIVE_WEB_FLOW",
         "subtype": "EXPERIENCE", "status": "COMPLETED", "channels": ["WEB"], "businessProcess": "interactive_v1",
         "schedule": {"type": "simpleSchedule", "startDate": "2026-01-01T00:00:00.000Z"},
         "traffic": {"type": "simpleTraffic", "splits": []}, "variants": []}]))


@respx.mock(assert_all_called=False)
def test_sitecore_program_files_references_and_secrets(respx_mock: respx.MockRouter, tmp_path: Path) -> None:
    sitecore_routes(respx_mock)
    program, text = run("sitecore", tmp_path, SC_CONFIG)
    api_calls = [c.request for c in respx_mock.calls if str(c.request.url) != TOKEN]
    assert api_calls and {r.method for r in api_calls} == {"GET"}
    assert program.counts() == {"connection": 1, "template": 1, "decision_model": 1, "decision_model_variant": 1,
                                "decision_model_deployment": 1, "flow": 1}
    assert {(s.title, s.reason.split(" ")[0]) for s in program.skipped} == {("Old", "archived"), ("done", "status")}
    assert "VERY-SECRET" not in text and 'client_secret=config.require_secret("crmClientSecret")' in text
    assert (tmp_path / "templates/banner/template.html").read_text() == CODE
    assert (tmp_path / "decision_models/next_best_offer/control.dmn").read_text() == DMN
    assert 'definition_file="decision_models/next_best_offer/control.dmn"' in text
    assert "decision_model=next_best_offer.ref" in text
    assert "variant_ref=next_best_offer_control.ref" in text and "variant_revision=3" in text
    assert '"decision_model_refs": [next_best_offer.ref]' in text
    assert '"html": banner.element("html")' in text  # the template's code, by reference
    assert '"js": _read("flows/offer_api/offer.js")' in text and '"css": "p{}"' in text
    assert (tmp_path / "flows/offer_api/offer.js").read_text() == "x" * 200
    assert 'status="PRODUCTION"' in text  # LIVE is the service's own state of a flow in production
    assert "# The service reports LIVE" in text and "# The deployed revisions as they are" in text
    # The secret is not exported: the generated code says what the adopting up does with it.
    assert ("# The service does not export secrets: the adopting `pulumi up` overwrites the live\n"
            "# secret with what you set (config crmClientSecret), so set the one in use.\n"
            "crm = sc.Connection(") in text
    compile(text, "__main__.py", "exec")


@respx.mock(assert_all_called=False)
def test_sitecore_summary_says_the_adopting_up_overwrites_unexported_secrets(
    respx_mock: respx.MockRouter, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    sitecore_routes(respx_mock)
    for key, value in SC_ENV.items():
        monkeypatch.setenv(key, value)
    out = io.StringIO()
    assert main(["sitecore", "--out", str(tmp_path)], stdout=out, stderr=io.StringIO()) == 0
    summary = out.getvalue()
    assert ("Secrets the service does not export: the adopting `pulumi up` overwrites each live secret with the "
            "value you set here, so set the one in use:\n"
            "  pulumi config set --secret crmClientSecret <clientSecret of connection 'CRM'>\n") in summary, summary


def test_requirements_accept_every_sdk_the_package_accepts(tmp_path: Path) -> None:
    declared = re.search(r'^ *"(pulumi\s*[<>=!~][^"]*)",$', (REPO / "pyproject.toml").read_text(), re.MULTILINE)
    assert declared is not None
    pulumi_pin = declared.group(1)  # "pulumi>=3.233.0,<4.0.0", from the dependencies list
    program = Program("sitecore", "x", ["from pulumi_personalize import sitecore as sc"])
    requirements = render_files(program, "p")["requirements.txt"].splitlines()
    assert pulumi_pin in requirements, requirements  # the package's own range: never a downgrade


@respx.mock(assert_all_called=False)
def test_sitecore_include_archived_and_kind_filter(respx_mock: respx.MockRouter, tmp_path: Path) -> None:
    sitecore_routes(respx_mock)
    program, text = run("sitecore", tmp_path, SC_CONFIG, kinds=["connection"], include_archived=True)
    assert program.counts() == {"connection": 2} and 'adopt_ref="c2"' in text
    assert not respx_mock.routes[3].called  # nor are decision models, for connections


@respx.mock(assert_all_called=False)
def test_objects_the_provider_cannot_state_are_skipped(respx_mock: respx.MockRouter, tmp_path: Path) -> None:
    sitecore_routes(respx_mock)
    respx_mock.get(f"{SC}/v3/templates").respond(json=page([
        {"ref": "t9", "name": "Legacy", "friendlyId": "Legacy-Banner", "type": "WEB", "status": "DRAFT",
         "description": "", "render": False, "templateElements": []}]))
    program, text = run("sitecore", tmp_path, SC_CONFIG, kinds=["template"])
    assert program.counts() == {}
    assert [(s.title, "friendly_id" in s.reason) for s in program.skipped] == [("Legacy-Banner", True)]
    assert 'adopt_ref="t9"' not in text


@respx.mock(assert_all_called=False)
def test_newer_draft_is_managed_and_the_active_version_named(respx_mock: respx.MockRouter, tmp_path: Path) -> None:
    contentstack_routes(respx_mock)
    segmented = {"__type": "SegmentedVariant", "name": "Premium hero", "audiences": [PREMIUM],
                 "audienceCombinationType": "OR"}
    respx_mock.get(f"{CS}/experiences").respond(json=[
        {"uid": HERO, "name": "Hero", "__type": "SEGMENTED", "latestVersion": "v9"}])
    respx_mock.get(f"{CS}/experiences/{HERO}/versions").respond(json=[
        {"uid": "v1", "status": "ACTIVE", "variants": [segmented], "createdAt": "2026-01-01T00:00:00Z"},
        {"uid": "v9", "status": "DRAFT", "variants": [segmented, {**segmented, "name": "Second"}],
         "createdAt": "2026-02-01T00:00:00Z"}])
    _, text = run("contentstack", tmp_path, CS_CONFIG, kinds=["experience"])
    assert "# Visitors get ACTIVE version v1; this manages the newer DRAFT." in text
    assert 'status="DRAFT"' in text and 'name="Second"' in text


def fake_pulumi(tmp_path: Path, stdout: str, code: int = 0) -> str:
    """A stand-in CLI at the process boundary: prints what `pulumi config --json` would."""
    script = tmp_path / "pulumi"
    script.write_text(f"#!{sys.executable}\nimport sys\nprint({stdout!r})\n"
                      f"print('error: no stack named dev', file=sys.stderr)\nsys.exit({code})\n")
    script.chmod(0o755)
    return str(script)


def test_stack_config_is_flat_with_secrets_in_clear(tmp_path: Path) -> None:
    answer = ('{"personalize:contentstackAuthtoken": {"value": "tok", "secret": true}, '
              '"personalize:contentstackRequestsPerSecond": {"value": 5, "secret": false}, '
              '"app:markets": {"objectValue": ["US", "CA"], "secret": false}}')
    config = stack_config("dev", tmp_path, pulumi=fake_pulumi(tmp_path, answer))
    assert config == {"personalize:contentstackAuthtoken": "tok", "personalize:contentstackRequestsPerSecond": "5",
                      "app:markets": '["US", "CA"]'}
    with pytest.raises(ExportError) as caught:
        stack_config("dev", tmp_path, pulumi=fake_pulumi(tmp_path, '{"x": {"value": "SECRET"}}', code=255))
    assert "no stack named dev" in str(caught.value) and "SECRET" not in str(caught.value)


@respx.mock(assert_all_called=False)
def test_an_archived_decision_model_is_adopted_under_its_name_from_before(respx_mock: respx.MockRouter,
                                                                           tmp_path: Path) -> None:
    sitecore_routes(respx_mock)
    respx_mock.get(f"{SC}/v2/decisionModelDefinitions").respond(json=page([
        {"ref": "m1", "name": "Next best offer - archived 2026-03-01 10:00", "archived": True, "revision": 4,
         "deploymentConfiguration": {"variants": []}}]))
    program, _ = run("sitecore", tmp_path / "a", SC_CONFIG, kinds=["decision_model"])
    assert program.counts() == {} and [s.title for s in program.skipped] == ["Next best offer"]
    program, text = run("sitecore", tmp_path / "b", SC_CONFIG, kinds=["decision_model"], include_archived=True)
    assert program.counts() == {"decision_model": 1, "decision_model_variant": 1}
    assert 'name="Next best offer",' in text and "archived 2026" not in text
