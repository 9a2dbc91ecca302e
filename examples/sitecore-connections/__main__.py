"""Sitecore Personalize connections (no auth and OAuth client credentials) and templates whose code
lives in files.

The OAuth client secret is a stack configuration secret, never in the code
(``pulumi config set --secret loyaltyClientSecret ...``): the connection's whole ``auth`` object is
secret in the state and in the outputs.
"""

import pulumi

from pulumi_personalize import sitecore as sc

config = pulumi.Config()

# NONE: a public service; Sitecore substitutes ${country} from the flow's input.
holidays = sc.Connection(
    "public-holidays",
    name="Public holidays",
    description="Is today a public holiday in the visitor's country?",
    system_type="DATA_SYSTEM",
    request=sc.ConnectionRequestArgs(
        connection_url="https://holidays.example.com/api/v3/IsTodayPublicHoliday/${country}",
        request_type="GET",
    ),
    input_mappings=[{"label": "Country", "key": "country", "type": "String"}],
    output_mappings=[{"label": "Is holiday", "outputReference": "isPublicHoliday", "type": "String"}],
)

# POST with a body template and a custom header.
crm = sc.Connection(
    "crm",
    name="CRM customer profile",
    description="Loyalty tier and lifetime value from the CRM",
    system_type="DATA_SYSTEM",
    request=sc.ConnectionRequestArgs(
        connection_url="https://crm.example.com/api/customers/lookup",
        request_type="POST",
        request_body='{"email": "${email}"}',
    ),
    input_mappings=[{"label": "Email", "key": "email", "type": "String"}],
    output_mappings=[
        {"label": "Tier", "outputReference": "tier", "type": "String"},
        {"label": "Lifetime value", "outputReference": "lifetimeValue", "type": "String"},
    ],
    custom_headers=[{"name": "X-Api-Version", "value": "2024-06"}],
    connection_timeout=2000,
    socket_timeout=2000,
)

# OAUTH: client credentials against the service's token endpoint.
loyalty = sc.Connection(
    "loyalty",
    name="Loyalty points",
    description="Points balance from the loyalty platform",
    system_type="DATA_SYSTEM",
    request=sc.ConnectionRequestArgs(connection_url="https://loyalty.example.com/v2/balance/${guestRef}"),
    auth=sc.ConnectionAuthArgs(
        auth_type="OAUTH",
        client_id=config.get("loyaltyClientId") or "personalize-client",
        client_secret=config.require_secret("loyaltyClientSecret"),
        access_token_url="https://loyalty.example.com/oauth/token",
    ),
    verify=config.get_bool("verifyConnections") or False,
)

# A destination: Sitecore sends data there.
analytics = sc.Connection(
    "analytics",
    name="Analytics events",
    system_type="DESTINATION",
    request=sc.ConnectionRequestArgs(
        connection_url="https://analytics.example.com/collect", request_type="POST",
        request_body='{"guest": "${guestRef}", "event": "${event}"}',
    ),
)

# Templates: the code is kept in files next to this program, so it is reviewed as HTML, CSS,
# JavaScript and FreeMarker; `pulumi preview --diff` shows the changed lines. Paths are relative to
# the project.
holiday_banner = sc.Template(
    "holiday-banner",
    name="Holiday banner",
    friendly_id="holiday_banner",
    type="WEB",
    status="PUBLISHED",
    render=True,
    html_file="templates/holiday-banner.html",
    css_file="templates/holiday-banner.css",
    js_file="templates/holiday-banner.js",
)
tier_offer = sc.Template(
    "tier-offer",
    name="Offer by loyalty tier",
    friendly_id="tier_offer",
    type="DECISION",
    freemarker_file="templates/tier-offer.ftl",
)

pulumi.export("connections", {
    "public_holidays": holidays.ref,
    "crm": crm.ref,
    "loyalty": loyalty.ref,
    "analytics": analytics.ref,
})
pulumi.export("templates", {"holiday_banner": holiday_banner.ref, "tier_offer": tier_offer.ref})
# Secret outputs stay secret: `pulumi stack output` shows [secret] unless --show-secrets is given.
pulumi.export("loyalty_auth", loyalty.auth)
