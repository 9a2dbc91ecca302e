"""The declarations are the one place a resource's fields are written: they must agree with the
input models (which check, diff and the wire mapping use), and hold what a provider schema needs."""

from __future__ import annotations

import inspect
from typing import Annotated, Any, Literal

import pytest
from pydantic import BaseModel, Field

from pulumi_personalize import contentstack as cs
from pulumi_personalize import sitecore as sc
from pulumi_personalize.contentstack import api as cs_api
from pulumi_personalize.engine._field_source import source_type
from pulumi_personalize.engine._spec import Arg, Out, Shape, declarations, declare

MODULES = ("pulumi_personalize.contentstack.resources", "pulumi_personalize.sitecore.resources")


def test_a_declaration_must_name_every_field_of_its_model() -> None:
    class Widget(BaseModel):
        name: str
        size: int | None = None

    with pytest.raises(ValueError, match=r"\['size'\]"):
        declare(name="test.Widget", module=__name__, label="widget", inputs=Widget, connect=cs_api.connect,
                endpoints=cs_api.Listed(cs_api.EVENTS), outputs=lambda live: {}, cls="Widget", doc="",
                args=(Arg("name", "The name."),), computed=(Out("uid", "str", ""),), destroy="", adoption="")


class _Inner(BaseModel):
    size: int


class _Fields(BaseModel):
    name: str = Field(min_length=1)
    kind: Literal["A", "B"] = "A"
    count: int | None = None
    ratio: float = 0.5
    on: bool = False
    tags: list[str] = Field(default_factory=list)
    extra: dict[str, Any] | None = None
    inner: _Inner | None = None
    inners: list[_Inner] = Field(default_factory=list)
    either: Annotated[_Inner | _Fields, "a tagged union"] | None = None


@pytest.mark.parametrize(("name", "expected"), [
    ("name", "str"), ("kind", "str"), ("count", "int"), ("ratio", "float"), ("on", "bool"), ("tags", "list[str]"),
    ("extra", "dict[str, Any]"), ("inner", "dict[str, Any]"), ("inners", "list[dict[str, Any]]"),
    ("either", "dict[str, Any]"),
])
def test_an_arguments_type_is_its_model_fields_annotation_as_source(name: str, expected: str) -> None:
    assert source_type(_Fields.model_fields[name].annotation) == expected


def test_an_annotation_without_a_source_form_asks_for_an_explicit_type() -> None:
    with pytest.raises(ValueError, match="type="):
        source_type(set[int])


def test_required_and_defaults_come_from_the_model_unless_declared() -> None:
    fields = _Fields.model_fields
    name = Arg("name", "The name.").resolved(fields["name"], nested=False)
    assert (name.type, name.required, name.default) == ("str", True, "None")
    # a resource's argument leaves the default to check; a nested *Args field shows the model's
    assert Arg("kind", "").resolved(fields["kind"], nested=False).default == "None"
    assert Arg("kind", "").resolved(fields["kind"], nested=True).default == '"A"'
    assert Arg("ratio", "").resolved(fields["ratio"], nested=True).default == "0.5"
    assert Arg("tags", "").resolved(fields["tags"], nested=True).default == "()"
    assert Arg("inner", "").resolved(fields["inner"], nested=True).default == "None"
    # what the model cannot say: a field a validator or another argument fills, a type a program passes
    assert Arg("name", "", required=False).resolved(fields["name"], nested=False).required is False
    assert Arg("name", "", default="()").resolved(fields["name"], nested=False).required is False
    assert Arg("on", "", type="int").resolved(fields["on"], nested=False).type == "int"
    # a program passes any sequence or mapping: the state holds lists and dicts
    assert Arg("tags", "").resolved(fields["tags"], nested=False).arg_type == "pulumi.Input[Sequence[str]]"
    assert Arg("inners", "").resolved(fields["inners"], nested=False).arg_type == \
        "pulumi.Input[Sequence[Mapping[str, Any]]]"
    assert Arg("tags", "", arg="Sequence[pulumi.Input[str]]").resolved(fields["tags"], nested=False).arg_type == \
        "Sequence[pulumi.Input[str]]"
    with pytest.raises(ValueError, match="type="):
        Arg("base_dir", "Not a model field.", program_only=True).resolved(None, nested=False)


@pytest.mark.parametrize(("arg", "nested"), [
    (Arg("name", "", type="str"), False), (Arg("name", "", required=True), False),
    (Arg("count", "", required=False), False), (Arg("kind", "", default='"A"'), True),
    (Arg("count", "", default="None"), False),
])
def test_an_argument_may_not_restate_its_model_field(arg: Arg, nested: bool) -> None:
    with pytest.raises(ValueError, match="what the model says"):
        arg.resolved(_Fields.model_fields[arg.name], nested=nested)


def test_a_shape_names_every_field_of_its_model_and_takes_their_types() -> None:
    with pytest.raises(ValueError, match=r"\['size'\]"):
        Shape("InnerArgs", "", fields=(), model=_Inner)
    shape = Shape("InnerArgs", "", fields=(Arg("size", "How big."),), model=_Inner)
    assert [(a.type, a.required) for a in shape.fields] == [("int", True)]


def test_declared_arguments_carry_the_models_types_and_requirements() -> None:
    [experience] = [d for d in declarations(MODULES[0]) if d.name == "contentstack.Experience"]
    assert experience.arg("type").type == "str"  # Literal["SEGMENTED", "AB_TEST"]
    assert experience.arg("variants").type == "list[dict[str, Any]]"
    assert experience.arg("targeting").type == "dict[str, Any]"
    assert experience.arg("name").required and not experience.arg("description").required
    [metric] = [s for s in experience.shapes if s.name == "ExperienceMetricArgs"]
    assert [(a.name, a.default) for a in metric.fields if not a.required] == [("name", "None"), ("type", '"Primary"')]
    for module in MODULES:
        for decl in declarations(module):
            for arg in (*decl.args, *(f for s in decl.shapes for f in s.fields)):
                assert arg.type is not None or arg.arg is not None, f"{decl.name}.{arg.name}"
                assert arg.required is not None and arg.default is not None, f"{decl.name}.{arg.name}"


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
        "name", "audiences", "audience_combination_type", "traffic_distribution", "lytics_audiences"]


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
    cs.VariantGroupContentTypes: ("dynamic/contentstack:VariantGroupContentTypes",
                                  "contentstack.VariantGroupContentTypes"),
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
