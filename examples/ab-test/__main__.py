"""A Contentstack Personalize A/B test, from the audiences it targets to the events it counts.

- two custom attributes the website sets through the SDK (``plan``, ``cart_value``);
- the events that measure success (``purchase`` is the primary metric, ``add_to_cart`` and
  ``newsletter_signup`` secondary ones);
- audiences built from preset attributes (country, device, a campaign's query parameter) and the
  custom attributes, combined with ``rules.all_of`` / ``rules.any_of``;
- the A/B experience: three variants with a custom split, its metrics, its targeting, and first
  place in the project's experience priority.

Stack configuration (``pulumi config set ...``): ``status`` (``DRAFT`` by default, ``ACTIVE`` to start
the test, ``PAUSED`` to stop it; editing the variants of an active or paused test makes a new
version, and the variants keep their short uids and CMS variants) and ``markets`` (comma-separated country codes).
"""

import pulumi

from pulumi_personalize import contentstack as cs
from pulumi_personalize.contentstack import rules

config = pulumi.Config()
status = config.get("status") or "DRAFT"
markets = [code.strip() for code in (config.get("markets") or "US,CA").split(",") if code.strip()]

# --- Attributes and events ----------------------------------------------------------------------

plan = cs.Attribute("plan", name="Plan", key="plan", description="free, pro or enterprise")
cart_value = cs.Attribute("cart-value", name="Cart value", key="cart_value",
                          description="Value of the current cart, in the store's currency")

purchase = cs.Event("purchase", key="purchase", description="Order placed")
add_to_cart = cs.Event("add-to-cart", key="add_to_cart", description="Product added to the cart")
newsletter = cs.Event("newsletter-signup", key="newsletter_signup", description="Newsletter sign-up")

# --- Audiences ----------------------------------------------------------------------------------

in_markets = cs.Audience(
    "target-markets",
    name="Visitors in the target markets",
    description="Country is one of: " + ", ".join(markets),
    definition=rules.any_of(*(
        rules.Rule(rules.preset("COUNTRY"), "STRING_EQUALS", rules.StringMatch(code)) for code in markets
    )),
)
mobile_shoppers = cs.Audience(
    "mobile-shoppers",
    name="Mobile shoppers with a full cart",
    description="On a mobile device, with more than 50 in the cart, not on the enterprise plan",
    definition=rules.all_of(
        rules.Rule(rules.preset("DEVICE_TYPE"), "STRING_EQUALS", rules.StringMatch("MOBILE")),
        rules.Rule(rules.custom(cart_value.uid), "NUMBER_GREATER_THAN", rules.NumberMatch(50)),
        rules.Rule(rules.custom(plan.uid), "STRING_NOT_EQUALS", rules.StringMatch("enterprise")),
    ),
)
spring_campaign = cs.Audience(
    "spring-campaign",
    name="Spring campaign visitors",
    definition=rules.all_of(
        rules.Rule(
            rules.preset("QUERY_PARAMETERS"),
            "JSON_MATCH",
            rules.JsonMatch("/utm_campaign", "STRING_EQUALS", rules.StringMatch("spring")),
        ),
    ),
)

# --- The A/B test -------------------------------------------------------------------------------

checkout_test = cs.Experience(
    "one-page-checkout",
    name="One-page checkout",
    description="Does a one-page checkout, or an express button, sell more than the classic flow?",
    type="AB_TEST",
    status=status,
    # an uneven split: the traffic of each variant, no variant_split (only EQUALLY_SPLIT is a known value)
    variants=[
        cs.ExperienceVariantArgs(name="Classic checkout", traffic_distribution=50),
        cs.ExperienceVariantArgs(name="One-page checkout", traffic_distribution=25),
        cs.ExperienceVariantArgs(name="Express button", traffic_distribution=25),
    ],
    metrics=[
        cs.ExperienceMetricArgs(event=purchase.uid, name="Purchases", type="Primary"),
        cs.ExperienceMetricArgs(event=add_to_cart.uid, name="Add to cart", type="Secondary"),
        cs.ExperienceMetricArgs(event=newsletter.uid, name="Newsletter sign-ups", type="Secondary"),
    ],
    # Shown to visitors in the target markets who are mobile shoppers or came from the campaign.
    targeting=cs.ExperienceTargetingArgs(
        audiences=[in_markets.uid, mobile_shoppers.uid, spring_campaign.uid],
        audience_combination_type="OR",
    ),
)

# The test comes first when several experiences could apply to a visitor.
priority = cs.ExperiencePriority("priority", experiences=[checkout_test.uid])

pulumi.export("experience_uid", checkout_test.uid)
pulumi.export("experience_status", checkout_test.experience_status)
pulumi.export("variant_short_uids", checkout_test.variant_short_uids)
# the stack's entries are personalized through these: the CMS variant group, one CMS variant per variant
pulumi.export("cms_variant_group_uid", checkout_test.cms_variant_group_uid)
pulumi.export("cms_variant_uids", checkout_test.cms_variant_uids)
pulumi.export("audience_uids", {
    "target_markets": in_markets.uid,
    "mobile_shoppers": mobile_shoppers.uid,
    "spring_campaign": spring_campaign.uid,
})
pulumi.export("event_keys", [purchase.key, add_to_cart.key, newsletter.key])
pulumi.export("priority", priority.order)
