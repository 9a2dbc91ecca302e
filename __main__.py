"""The quickstart: a believable personalization set-up on both services, run by `make demo`.

Contentstack Personalize: attributes and events, audiences built from rules, an A/B test with a
conversion metric and targeting, a segmented experience, and the experiences' priority.
Sitecore Personalize: an OAuth connection to a weather service, a published web template, a decision
model with a DMN variant deployed to production, and a web A/B experiment that uses them.

Credentials and addresses come from stack configuration (`personalize:*`, see README), so the same
program runs against the emulator, a dev tenant and production.
"""

import pulumi

from pulumi_personalize import contentstack as cs
from pulumi_personalize import sitecore as sc
from pulumi_personalize.contentstack import rules
from pulumi_personalize.sitecore import flows

config = pulumi.Config()
# A size that differs by stack (examples/multi-environment shows more of this).
checkout_traffic = config.get_int("checkoutTreatmentPercent") or 50

# --- Contentstack Personalize -------------------------------------------------------------------

plan = cs.Attribute("plan", name="Plan", key="plan", description="Subscription plan of the visitor")
lifetime_value = cs.Attribute(
    "lifetime-value", name="Lifetime value", key="lifetime_value", description="Total spend, a number"
)
purchase = cs.Event("purchase", key="purchase", description="Checkout completed")
add_to_cart = cs.Event("add-to-cart", key="add_to_cart", description="Product added to the cart")

premium = cs.Audience(
    "premium",
    name="Premium customers",
    description="Visitors on the premium plan, or who have spent more than 1000",
    definition=rules.any_of(
        rules.Rule(rules.custom(plan.uid), "STRING_EQUALS", rules.StringMatch("premium")),
        rules.Rule(rules.custom(lifetime_value.uid), "NUMBER_GREATER_THAN", rules.NumberMatch(1000)),
    ),
)
black_friday = cs.Audience(
    "black-friday",
    name="Black Friday campaign",
    definition=rules.all_of(
        rules.Rule(
            rules.preset("QUERY_PARAMETERS"),
            "JSON_MATCH",
            rules.JsonMatch("/utm_campaign", "STRING_EQUALS", rules.StringMatch("BLACK_FRIDAY")),
        ),
    ),
)

checkout_test = cs.Experience(
    "checkout-button-test",
    name="Checkout button test",
    description="Does a green checkout button convert better?",
    type="AB_TEST",
    status="ACTIVE",
    variants=[
        cs.ExperienceVariantArgs(name="Control", traffic_distribution=100 - checkout_traffic),
        cs.ExperienceVariantArgs(name="Green button", traffic_distribution=checkout_traffic),
    ],
    metrics=[cs.ExperienceMetricArgs(event=purchase.uid, name="Purchases")],
    targeting=cs.ExperienceTargetingArgs(audiences=[black_friday.uid]),
)
homepage = cs.Experience(
    "homepage-hero",
    name="Homepage hero by segment",
    type="SEGMENTED",
    status="ACTIVE",
    variants=[
        cs.ExperienceVariantArgs(name="Premium hero", audiences=[premium.uid]),
        cs.ExperienceVariantArgs(name="Black Friday hero", audiences=[black_friday.uid]),
    ],
)
cs.ExperiencePriority("priority", experiences=[checkout_test.uid, homepage.uid])

# --- Sitecore Personalize -----------------------------------------------------------------------

weather = sc.Connection(
    "weather",
    name="Weather service",
    description="Current weather at the visitor's location",
    system_type="DATA_SYSTEM",
    request=sc.ConnectionRequestArgs(connection_url="https://weather.example.com/v1/current?city=${city}"),
    auth=sc.ConnectionAuthArgs(
        auth_type="OAUTH",
        client_id="personalize",
        client_secret=config.get_secret("weatherClientSecret") or pulumi.Output.secret("demo-weather-secret"),
        access_token_url="https://weather.example.com/oauth/token",
    ),
    input_mappings=[{"label": "City", "key": "city", "type": "String"}],
    output_mappings=[{"label": "Raining", "outputReference": "isRaining", "type": "String"}],
)
banner = sc.Template(
    "rain-banner",
    name="Rain banner",
    friendly_id="rain_banner",
    type="WEB",
    status="PUBLISHED",
    html='<div class="banner">[[Message | string | It is raining: 10% off umbrellas]]</div>',
    css=".banner { background: #036; color: #fff; padding: 1em; }",
    js="insertHTMLBefore('body');",
)
next_best_offer = sc.DecisionModel("next-best-offer", name="Next best offer")
weather_aware = sc.DecisionModelVariant(
    "next-best-offer-weather-aware",
    name="Weather aware",
    decision_model=next_best_offer.ref,
    definition=(
        '<definitions xmlns="https://www.omg.org/spec/DMN/20151101/dmn.xsd" id="weather_aware" '
        'name="Weather aware"><decision id="umbrella" name="Umbrella offer"/></definitions>'
    ),
)
sc.DecisionModelDeployment(
    "next-best-offer-deployment",
    decision_model=next_best_offer.ref,
    variants=[sc.DeployedVariant(variant=weather_aware, split=100, status="PRODUCTION")],
)
rain_experiment = flows.web_experiment(
    "rain-banner-experiment",
    name="Rain banner experiment",
    friendly_id="rain_banner_experiment",
    start_date="2025-01-06T00:00:00.000Z",
    control=flows.Variant("No banner"),
    treatments=[flows.Variant("Rain banner", template=banner, decision_models=[next_best_offer])],
    goal=flows.page_view_goal("Bought an umbrella", "/checkout/complete"),
)

pulumi.export("contentstack", {
    "checkout_test_uid": checkout_test.uid,
    "homepage_uid": homepage.uid,
    "premium_audience_uid": premium.uid,
    # what the stack's entries are personalized with: the CMS variant group and one variant per variant
    "homepage_cms_variant_group_uid": homepage.cms_variant_group_uid,
    "homepage_cms_variant_uids": homepage.cms_variant_uids,
})
pulumi.export("sitecore", {
    "weather_connection_ref": weather.ref,
    "banner_template_ref": banner.ref,
    "decision_model_ref": next_best_offer.ref,
    "experiment_ref": rain_experiment.ref,
})
