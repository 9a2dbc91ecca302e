"""The declarations are the one place a resource's fields are written: they must agree with the
input models (which check, diff and the wire mapping use), and hold what a provider schema needs."""

from __future__ import annotations

import inspect
from typing import Any

import pytest
from pydantic import BaseModel

from pulumi_personalize import contentstack as cs
from pulumi_personalize import sitecore as sc
from pulumi_personalize.contentstack import api as cs_api
from pulumi_personalize.engine._spec import Arg, Out, declarations, declare

MODULES = ("pulumi_personalize.contentstack.resources", "pulumi_personalize.sitecore.resources")


def test_a_declaration_must_name_every_field_of_its_model() -> None:
    class Widget(BaseModel):
        name: str
        size: int | None = None

    with pytest.raises(ValueError, match=r"\['size'\]"):
        declare(name="test.Widget", module=__name__, label="widget", inputs=Widget, connect=cs_api.connect,
                endpoints=cs_api.Listed(cs_api.EVENTS), outputs=lambda live: {}, cls="Widget", doc="",
                args=(Arg("name", "str", "The name."),), computed=(Out("uid", "str", ""),), destroy="", adoption="")


@pytest.mark.parametrize("module", MODULES)
def test_every_declaration_holds_what_a_schema_needs(module: str) -> None:
    found = declarations(module)
    assert found
    for decl in found:
        assert decl.doc and decl.destroy, decl.name
        for arg in decl.args:
            assert arg.doc, f"{decl.name}.{arg.name}: no description"
            if not arg.program_only:
                assert decl.wire_name(arg.name)
                assert arg.secret == (arg.name in decl.spec.secrets)
                assert arg.replaces == (arg.name in decl.spec.replace_on)
        assert tuple(o.name for o in decl.computed) == decl.spec.output_names


def test_wire_names_and_schema_names_come_from_the_declaration() -> None:
    [experience] = [d for d in declarations(MODULES[0]) if d.name == "contentstack.Experience"]
    assert experience.wire_name("type") == "__type"
    assert experience.default("status") == "DRAFT"
    assert experience.arg("variant_split").camel_name == "variantSplit"
    assert experience.arg("type").replaces
    [metric] = [s for s in experience.shapes if s.name == "ExperienceMetricArgs"]
    assert metric.wire_name("type") == "__type"


def test_resource_classes_have_real_keyword_arguments() -> None:
    params = inspect.signature(cs.Event.__init__).parameters
    assert {"key", "description", "config_namespace", "adopt_uid", "adopt_existing"} <= set(params)
    assert all(params[n].kind is inspect.Parameter.KEYWORD_ONLY for n in ("key", "description"))
    assert "kwargs" not in params
    assert [f for f in inspect.signature(cs.ExperienceVariantArgs).parameters] == [
        "name", "audiences", "audience_combination_type", "traffic_distribution"]


def test_program_only_arguments_are_keywords_of_the_resource_not_fields_of_its_args() -> None:
    params = inspect.signature(sc.Template.__init__).parameters
    assert {"html", "html_file", "css_file", "base_dir", "template_elements"} <= set(params)
    fields = set(inspect.signature(sc.TemplateArgs).parameters)
    assert "template_elements" in fields and not {"html", "html_file", "base_dir"} & fields
    assert "definition_file" in inspect.signature(sc.DecisionModelVariant.__init__).parameters


def test_required_fields_of_the_model_are_required_in_the_args() -> None:
    for module in MODULES:
        for decl in declarations(module):
            for arg in decl.args:
                if arg.required:
                    assert decl.required(arg.name), f"{decl.name}.{arg.name}: required here, not in the model"
    with pytest.raises(TypeError, match="system_type"):
        sc.ConnectionArgs(name="weather", request=sc.ConnectionRequestArgs(connection_url="https://x"))  # type: ignore[call-arg]


STORED_IN_STATE = {
    # class: (type token, spec name) as they were before the classes were generated
    cs.Attribute: ("dynamic/contentstack:Attribute", "contentstack.Attribute"),
    cs.Event: ("dynamic/contentstack:Event", "contentstack.Event"),
    cs.Audience: ("dynamic/contentstack:Audience", "contentstack.Audience"),
    cs.Experience: ("dynamic/contentstack:Experience", "contentstack.Experience"),
    cs.ExperiencePriority: ("dynamic/contentstack:ExperiencePriority", "contentstack.ExperiencePriority"),
    sc.Connection: ("dynamic/sitecore:Connection", "sitecore.Connection"),
    sc.Template: ("dynamic/sitecore:Template", "sitecore.Template"),
    sc.DecisionModel: ("dynamic/sitecore:DecisionModel", "sitecore.DecisionModel"),
    sc.DecisionModelVariant: ("dynamic/sitecore:DecisionModelVariant", "sitecore.DecisionModelVariant"),
    sc.DecisionModelDeployment: ("dynamic/sitecore:DecisionModelDeployment", "sitecore.DecisionModelDeployment"),
    sc.FlowDefinition: ("dynamic/sitecore:FlowDefinition", "sitecore.FlowDefinition"),
}


def test_names_stored_in_state_are_unchanged() -> None:
    """Existing stacks keep working: type tokens, spec names and the spec's module (which the
    pickled EngineProvider imports) are what they were before the classes were generated."""
    for cls, (token, spec_name) in STORED_IN_STATE.items():
        assert cls._resource_type_name == token  # type: ignore[attr-defined]
        assert cls._spec.name == spec_name
        service = spec_name.split(".")[0]
        assert cls._spec.module == f"pulumi_personalize.{service}.resources"
    assert {d.name for m in MODULES for d in declarations(m)} == {n for _, n in STORED_IN_STATE.values()}


def test_the_old_module_paths_still_hold_the_classes() -> None:
    from pulumi_personalize.contentstack import resources as cs_resources
    from pulumi_personalize.sitecore import resources as sc_resources

    assert cs_resources.Event is cs.Event and cs_resources.ExperienceVariantArgs is cs.ExperienceVariantArgs
    assert sc_resources.Template is sc.Template and sc_resources.DeployedVariant is sc.DeployedVariant
    with pytest.raises(AttributeError):
        _ = cs_resources.NoSuchThing


def _schema_properties(decl: Any) -> dict[str, dict[str, Any]]:
    """What the next issue's native provider schema takes from a declaration, built the simplest way."""
    types = decl.spec.inputs.model_json_schema(by_alias=False)["properties"]
    properties: dict[str, dict[str, Any]] = {}
    for arg in (*decl.args, *decl.engine_args()):
        if arg.program_only:
            continue
        prop: dict[str, Any] = {"description": arg.doc, "secret": arg.secret, "replaceOnChanges": arg.replaces}
        if arg.name in types:
            prop["type"] = types[arg.name].get("type")
            prop["default"] = decl.default(arg.name)
        properties[arg.camel_name] = prop
    for out in decl.computed:
        properties[out.name] = {"description": out.doc, "output": out.type}
    return properties


def test_a_provider_schema_can_be_derived_from_the_declarations() -> None:
    [event] = [d for d in declarations(MODULES[0]) if d.name == "contentstack.Event"]
    props = _schema_properties(event)
    assert props["key"] == {"description": "Key the SDKs trigger the event with.", "secret": False,
                            "replaceOnChanges": False, "type": "string", "default": None}
    assert props["configNamespace"]["replaceOnChanges"] is True
    assert set(props) == {"key", "description", "configNamespace", "adoptUid", "adoptExisting", "uid"}
    [connection] = [d for d in declarations(MODULES[1]) if d.name == "sitecore.Connection"]
    props = _schema_properties(connection)
    assert props["auth"]["secret"] is True
    assert props["connectionTimeout"]["default"] == 1000
