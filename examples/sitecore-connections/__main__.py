"""Sitecore Personalize connections, one per auth type, and templates whose code lives in files.

Credentials are stack configuration secrets, never in the code (``pulumi config set --secret``):
``crmPassword`` (BASIC), ``loyaltyClientSecret`` (OAUTH) and ``weatherApiKey`` (API_KEY). They stay
secret in the state and in the outputs.
"""

import pulumi

from pulumi_personalize import sitecore as sc

config = pulumi.Config()

# NONE: a public service.
holidays = sc.Connection(
    "public-holidays",
    name="Public holidays",
    description="Is today a public holiday in the visitor's country?",
    connection_url="https://holidays.example.com/api/v3/IsTodayPublicHoliday",
    auth_type="NONE",
    request_type="GET",
    system_type="DATA_SYSTEM",
    output_mappings=[{"name": "isHoliday", "path": "$.isPublicHoliday", "type": "boolean"}],
)

# BASIC: user name and password.
crm = sc.Connection(
    "crm",
    name="CRM customer profile",
    description="Loyalty tier and lifetime value from the CRM",
    connection_url="https://crm.example.com/api/customers/lookup",
    auth_type="BASIC",
    username=config.get("crmUsername") or "personalize",
    password=config.require_secret("crmPassword"),
    request_type="POST",
    input_mappings=[{"name": "email", "type": "string"}],
    output_mappings=[
        {"name": "tier", "path": "$.loyalty.tier", "type": "string"},
        {"name": "lifetimeValue", "path": "$.lifetimeValue", "type": "number"},
    ],
    custom_headers=[{"key": "Accept", "value": "application/json"}],
    connection_timeout=2000,
    socket_timeout=2000,
)

# OAUTH: client credentials against the service's token endpoint.
loyalty = sc.Connection(
    "loyalty",
    name="Loyalty points",
    description="Points balance from the loyalty platform",
    connection_url="https://loyalty.example.com/v2/balance",
    auth_type="OAUTH",
    client_id=config.get("loyaltyClientId") or "personalize-client",
    client_secret=config.require_secret("loyaltyClientSecret"),
    access_token_url="https://loyalty.example.com/oauth/token",
    request_type="GET",
)

# API_KEY: one key, sent by Sitecore the way the service expects it.
weather = sc.Connection(
    "weather",
    name="Weather",
    description="Current weather at the visitor's location",
    connection_url="https://weather.example.com/v1/current",
    auth_type="API_KEY",
    api_key=config.require_secret("weatherApiKey"),
    request_type="GET",
    custom_headers=[{"key": "X-Units", "value": "metric"}],
)

# Templates: the code is kept in files next to this program, so it is reviewed as HTML, CSS and
# JavaScript; `pulumi preview --diff` shows the changed lines. Paths are relative to the project.
holiday_banner = sc.Template.from_files(
    "holiday-banner",
    name="Holiday banner",
    type="WEB",
    html="templates/holiday-banner.html",
    css="templates/holiday-banner.css",
    javascript="templates/holiday-banner.js",
)
tier_offer = sc.Template.from_files(
    "tier-offer",
    name="Offer by loyalty tier",
    type="DECISION",
    javascript="templates/tier-offer.js",
)

pulumi.export("connections", {
    "public_holidays": holidays.ref,
    "crm": crm.ref,
    "loyalty": loyalty.ref,
    "weather": weather.ref,
})
pulumi.export("templates", {"holiday_banner": holiday_banner.ref, "tier_offer": tier_offer.ref})
# Secret outputs stay secret: `pulumi stack output` shows [secret] unless --show-secrets is given.
pulumi.export("weather_api_key", weather.api_key)
