"""Sitecore Personalize: connections, decision models with their variants and deployment, flow
definitions (experiences and experiments) and templates as Pulumi resources, typed flow builders
(``flows``), plus look-ups of existing objects by name."""

from . import flows
from ._generated import (
    Connection,
    ConnectionArgs,
    ConnectionAuthArgs,
    ConnectionRequestArgs,
    DecisionModel,
    DecisionModelArgs,
    DecisionModelDeployment,
    DecisionModelDeploymentArgs,
    DecisionModelVariant,
    DecisionModelVariantArgs,
    DeployedVariant,
    DeploymentConfigurationArgs,
    FlowDefinition,
    FlowDefinitionArgs,
    Template,
    TemplateArgs,
)
from .lookups import (
    LookupResult,
    get_connection,
    get_decision_model,
    get_flow_definition,
    get_template,
    lookup_by_name,
)

__all__ = [
    "Connection",
    "ConnectionArgs",
    "ConnectionAuthArgs",
    "ConnectionRequestArgs",
    "DecisionModel",
    "DecisionModelArgs",
    "DecisionModelDeployment",
    "DecisionModelDeploymentArgs",
    "DecisionModelVariant",
    "DecisionModelVariantArgs",
    "DeployedVariant",
    "DeploymentConfigurationArgs",
    "FlowDefinition",
    "FlowDefinitionArgs",
    "LookupResult",
    "Template",
    "TemplateArgs",
    "flows",
    "get_connection",
    "get_decision_model",
    "get_flow_definition",
    "get_template",
    "lookup_by_name",
]
