"""The native face's type tokens and import ids, derived from the declarations."""

from __future__ import annotations

import re
from pathlib import Path

from pulumi_personalize.engine._spec import declarations

MODULES = ("pulumi_personalize.contentstack.resources", "pulumi_personalize.sitecore.resources")


def test_every_declaration_has_a_distinct_token_of_its_service_and_class() -> None:
    tokens = {}
    for module in MODULES:
        service = module.split(".")[1]
        for declaration in declarations(module):
            assert declaration.type_token == f"personalize:{service}:{declaration.cls}"
            assert re.fullmatch(r"personalize:(contentstack|sitecore):[A-Z][A-Za-z]+", declaration.type_token)
            tokens[declaration.type_token] = declaration.name
    assert len(tokens) == sum(len(declarations(m)) for m in MODULES)
    assert tokens["personalize:contentstack:Attribute"] == "contentstack.Attribute"
    assert tokens["personalize:sitecore:Template"] == "sitecore.Template"


def test_import_ids_name_the_id_the_resource_stores() -> None:
    by_token = {d.type_token: d for m in MODULES for d in declarations(m)}
    assert by_token["personalize:contentstack:Audience"].import_id_doc == "the audience's uid"
    assert by_token["personalize:sitecore:Connection"].import_id_doc == "the connection's ref"
    assert "experience-priority" in by_token["personalize:contentstack:ExperiencePriority"].import_id_doc
    assert "decision model's ref" in by_token["personalize:sitecore:DecisionModelDeployment"].import_id_doc
    # a variant is read by its ref alone (its answer names the parent): no composite id
    assert "ref alone" in by_token["personalize:sitecore:DecisionModelVariant"].import_id_doc


def test_the_native_provider_page_lists_every_token_and_import_id() -> None:
    page = (Path(__file__).resolve().parents[2] / "docs" / "native-provider.md").read_text()
    for module in MODULES:
        for declaration in declarations(module):
            row = f"| `{declaration.type_token}` | {declaration.import_id_doc.replace('``', '`')} |"
            assert row in page, row
