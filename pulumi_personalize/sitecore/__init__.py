"""Sitecore Personalize: connections, decision models, flow definitions (experiences and
experiments) and templates as Pulumi resources, plus look-ups of existing objects by name."""

from .lookups import (
    LookupResult,
    get_connection,
    get_decision_model,
    get_flow_definition,
    get_template,
    lookup_by_name,
)
from .resources import (
    Connection,
    ConnectionArgs,
    DecisionModel,
    DecisionModelArgs,
    FlowDefinition,
    FlowDefinitionArgs,
    Template,
    TemplateArgs,
    VariantArgs,
)

__all__ = [
    "Connection",
    "ConnectionArgs",
    "DecisionModel",
    "DecisionModelArgs",
    "FlowDefinition",
    "FlowDefinitionArgs",
    "LookupResult",
    "Template",
    "TemplateArgs",
    "VariantArgs",
    "get_connection",
    "get_decision_model",
    "get_flow_definition",
    "get_template",
    "lookup_by_name",
]
