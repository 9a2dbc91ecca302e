"""The native provider's schema, generated from the declarations: every resource, argument, output,
shape, setting and look-up is there, with descriptions, secrets, replaces, defaults and required."""

from __future__ import annotations

import json

from pulumi_personalize.config import SECRET_SETTINGS, SETTING_KEYS
from pulumi_personalize.native._types import camel
from pulumi_personalize.native.functions import FUNCTIONS
from pulumi_personalize.native.schema import all_declarations, schema, schema_json


def _resolve(spec: dict, types: dict) -> dict:
    ref = spec.get("$ref") or spec.get("items", {}).get("$ref", "")
    return types[ref.removeprefix("#/types/")] if ref.startswith("#/types/") else {}


def test_every_declaration_and_argument_is_a_resource_property() -> None:
    document = json.loads(schema_json())
    assert document["name"] == "personalize"
    declared = all_declarations()
    assert set(document["resources"]) == {d.type_token for d in declared}
    for declaration in declared:
        resource = document["resources"][declaration.type_token]
        assert declaration.import_id_doc.split("`")[0] in resource["description"]
        inputs, outputs = resource["inputProperties"], resource["properties"]
        for arg in declaration.args:
            if arg.program_only:
                assert arg.camel_name not in inputs
                continue
            assert inputs[arg.camel_name]["description"], arg.name
            assert arg.camel_name in outputs
            assert inputs[arg.camel_name].get("secret", False) == arg.secret
            assert inputs[arg.camel_name].get("willReplaceOnChanges", False) == arg.replaces
            assert (arg.camel_name in resource.get("requiredInputs", [])) == bool(arg.required), arg.name
        for out in declaration.computed:
            assert outputs[camel(out.name)]["description"], out.name
        assert "tenant" in outputs and "configNamespace" not in inputs
        assert "adoptUid" in inputs or "adoptRef" in inputs or not declaration.spec.adoptable


def test_nested_shapes_are_object_types_with_camel_case_properties() -> None:
    document = schema()
    types = document["types"]
    variants = document["resources"]["personalize:contentstack:Experience"]["inputProperties"]["variants"]
    variant = _resolve(variants, types)
    assert {"name", "audiences", "audienceCombinationType", "trafficDistribution", "lyticsAudiences"} == set(
        variant["properties"])
    assert variant["required"] == ["name"]
    auth = document["resources"]["personalize:sitecore:Connection"]["inputProperties"]["auth"]
    assert auth["secret"] is True and "clientSecret" in _resolve(auth, types)["properties"]
    deployed = types["personalize:sitecore:DeployedVariant"]["properties"]
    assert "variant" not in deployed and {"variantRef", "variantRevision", "split", "status"} <= set(deployed)


def test_defaults_and_types_come_from_the_models() -> None:
    resources = schema()["resources"]
    experience = resources["personalize:contentstack:Experience"]["inputProperties"]
    assert experience["status"] == {**experience["status"], "type": "string", "default": "DRAFT"}
    connection = resources["personalize:sitecore:Connection"]["inputProperties"]
    assert connection["connectionTimeout"]["type"] == "integer" and connection["connectionTimeout"]["default"] == 1000
    assert connection["verify"]["type"] == "boolean"
    outputs = resources["personalize:contentstack:Experience"]["properties"]
    assert outputs["variantShortUids"] == {**outputs["variantShortUids"], "type": "object",
                                           "additionalProperties": {"type": "string"}}
    template = resources["personalize:sitecore:Template"]
    assert set(template["requiredInputs"]) == {"name", "friendlyId", "type"}
    assert "html" not in template["inputProperties"]  # program-only: the Python face's files


def test_provider_configuration_is_the_stack_keys_with_secrets_marked() -> None:
    document = schema()
    for section in (document["config"]["variables"], document["provider"]["inputProperties"]):
        assert set(section) == set(SETTING_KEYS)
        assert {k for k, v in section.items() if v.get("secret")} == set(SECRET_SETTINGS)
        assert all(v["description"] for v in section.values())


def test_look_ups_are_functions() -> None:
    functions = schema()["functions"]
    assert set(functions) == {f.token for f in FUNCTIONS}
    project = functions["personalize:contentstack:getProject"]
    assert project["inputs"]["required"] == ["connectedStackApiKey", "organizationUid"]
    assert "configNamespace" not in project["inputs"]["properties"]
    assert {"uid", "name", "connectedStackApiKey"} <= set(project["outputs"]["properties"])
    countries = functions["personalize:contentstack:getCountries"]["outputs"]["properties"]["items"]
    assert countries["type"] == "array"
    assert "countryCode" in _resolve(countries, schema()["types"])["properties"]
    connection = functions["personalize:sitecore:getConnection"]
    assert connection["outputs"]["properties"]["raw"]["secret"] is True
    assert connection["inputs"]["required"] == ["name"]


def plain_lookup(name: str, *, limit: int | None = None, config: object = None,
                 config_namespace: str | None = None) -> dict[str, object]:
    """A look-up answering plain JSON."""
    return {"name": name, "limit": limit, "config": config}


def test_a_look_up_answering_plain_json_is_one_expose_line() -> None:
    from pulumi_personalize.native.functions import expose
    from pulumi_personalize.native.schema import function_schema

    fn = expose("sitecore", plain_lookup)
    assert fn.token == "personalize:sitecore:plainLookup"
    spec = function_schema(fn)
    assert spec["inputs"]["properties"] == {"name": {"type": "string"}, "limit": {"type": "integer"}}
    assert spec["inputs"]["required"] == ["name"]
    assert spec["outputs"]["properties"] == {"result": {"$ref": "pulumi.json#/Any"}}
    assert fn.invoke({"name": "x"}, {"personalize:baseUrl": "u"}) == {
        "result": {"name": "x", "limit": None, "config": {"personalize:baseUrl": "u"}}}
