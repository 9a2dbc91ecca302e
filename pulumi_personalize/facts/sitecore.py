"""Sitecore Personalize facts shared by the client and the emulator.

What they mean and where they come from: ``docs/facts/sitecore.md`` (#connections to #templates); the
contract ``docs/contracts/sitecore-personalize.openapi.yml`` must agree (``tests/unit/test_facts.py``).
"""

from __future__ import annotations

from typing import Literal, get_args

# --- paths (version-prefixed per resource, as live) ---
TOKEN_PATH = "/oauth/token"  # of the auth host (https://auth.sitecorecloud.io)
CONNECTIONS_PATH = "/v2/connections"
DECISION_MODELS_PATH = "/v2/decisionModelDefinitions"
DECISION_MODEL_VARIANTS_PATH = "/v2/decisionModelVariants"
TEST_DECISION_MODEL_PATH = "/v2/testDecisionModel"
FLOW_DEFINITIONS_PATH = "/v3/flowDefinitions"
TEMPLATES_PATH = "/v3/templates"
RENDER_TEMPLATES_PATH = f"{TEMPLATES_PATH}/renderTemplates"  # preview of stored templates, by friendlyId
PROCESS_TEMPLATES_PATH = f"{TEMPLATES_PATH}/process"  # preview of code given in the request (unsaved)
REVISIONS = "revisions"  # <collection>/{ref}/revisions[/{revision number}]: templates, decision models, variants
TOKEN_AUDIENCE = "https://api.sitecorecloud.io"
# The token endpoint's path on Sitecore's auth server, and on the emulator beside the API paths.
TOKEN_PATH = "/oauth/token"

# --- connections ---
AUTH_TYPES = ("NONE", "OAUTH")  # observed; the documentation also writes them in lower case
RequestType = Literal["GET", "POST", "PUT", "PATCH", "DELETE"]
REQUEST_TYPES: tuple[str, ...] = get_args(RequestType)
SystemType = Literal["DATA_SYSTEM", "DESTINATION"]  # observed values; others unconfirmed
SYSTEM_TYPES: tuple[str, ...] = get_args(SystemType)

# --- decision models ---
DeploymentStatus = Literal["DRAFT", "TEST", "PRODUCTION", "ARCHIVED"]
DEPLOYMENT_STATUSES: tuple[str, ...] = get_args(DeploymentStatus)

# --- flow definitions ---
FLOW_TYPES = ("INTERACTIVE_WEB_FLOW", "INTERACTIVE_API_FLOW", "TRIGGERED_V3", "COMPONENT")
FlowSubtype = Literal["EXPERIENCE", "EXPERIMENT"]
FLOW_SUBTYPES = ("EXPERIMENT", "EXPERIENCE")  # the documentation's order; the same values as FlowSubtype
FlowStatus = Literal["DRAFT", "PUBLISHING", "PRODUCTION", "SCHEDULED", "LIVE", "PAUSED", "COMPLETED"]
FLOW_STATUSES: tuple[str, ...] = get_args(FlowStatus)
Channel = Literal["CALL_CENTER", "EMAIL", "MOBILE_APP", "MOBILE_WEB", "PUSH_NOTIFICATION", "SMS", "WEB"]
CHANNELS: tuple[str, ...] = get_args(Channel)
TRAFFIC_TYPES = ("simpleTraffic", "advancedTraffic", "audienceTraffic")
WEIGHTING_ALGORITHMS = ("USER_DEFINED", "MULTI_ARM_BANDIT")
SCHEDULE_TYPES = ("simpleSchedule",)
TASK_IMPLEMENTATIONS = {"templateRenderTask": "templateRenderTaskInput",
                        "decisionModelTask": "decisionModelTaskInput",
                        "conditionsTask": "conditionsTaskInput"}  # a task's implementation -> its input type

# --- templates ---
TemplateType = Literal["WEB", "DECISION", "CONDITION", "JS_MODULE"]
TEMPLATE_TYPES: tuple[str, ...] = get_args(TemplateType)
TemplateStatus = Literal["DRAFT", "PUBLISHED"]
TEMPLATE_STATUSES: tuple[str, ...] = get_args(TemplateStatus)
ElementId = Literal["html", "css", "js", "freemarker"]
TEMPLATE_ELEMENT_IDS: tuple[str, ...] = get_args(ElementId)
