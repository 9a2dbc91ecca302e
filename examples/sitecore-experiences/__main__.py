"""A Sitecore Personalize web experience, an A/B experiment and an API experience, built from one
web template, one decision template and a decision model whose variant is a DMN file.

The order is the service's: the decision model exists first, its variant is created under it, and
the deployment (which variant revision runs, at which split and status) names the variant. An edit
of the DMN file updates the variant and rolls its new revision out in the same `pulumi up`.
"""

import pulumi

from pulumi_personalize import sitecore as sc
from pulumi_personalize.sitecore import flows

config = pulumi.Config()
start = config.get("startDate") or "2025-01-06T00:00:00.000Z"
live = config.get("status") or "PRODUCTION"  # DRAFT on a dev stack, PRODUCTION on prod

hero = sc.Template(
    "hero",
    name="Hero banner",
    friendly_id="hero_banner",
    type="WEB",
    status="PUBLISHED",
    render=True,
    description="Full-width hero with a headline, an offer and a button",
    html_file="templates/hero.html",
    css_file="templates/hero.css",
    js_file="templates/hero.js",
)
offer_template = sc.Template(
    "offer-json",
    name="Offer as JSON",
    friendly_id="offer_json",
    type="DECISION",
    freemarker_file="templates/offer.ftl",
)

next_best_offer = sc.DecisionModel("next-best-offer", name="Next best offer")
by_spend = sc.DecisionModelVariant(
    "next-best-offer-by-spend",
    name="By lifetime spend",
    decision_model=next_best_offer.ref,
    definition_file="decisions/next-best-offer.dmn",
)
sc.DecisionModelDeployment(
    "next-best-offer-deployment",
    decision_model=next_best_offer.ref,
    variants=[sc.DeployedVariant(variant=by_spend, split=100, status="PRODUCTION")],
)

# A web experience: the hero for everyone, its [[parameters]] filled in.
free_delivery = flows.web_experience(
    "free-delivery-hero",
    name="Free delivery hero",
    friendly_id="free_delivery_hero",
    start_date=start,
    status=live,
    variant=flows.Variant(
        "Free delivery",
        template=hero,
        template_variables={"Headline": "Free delivery this week", "Offer": "On every order over 30"},
    ),
)

# An A/B experiment: the current page against the hero with the decision model's offer.
hero_test = flows.web_experiment(
    "hero-offer-test",
    name="Hero offer test",
    friendly_id="hero_offer_test",
    start_date=start,
    status=live,
    control=flows.Variant("Current page"),
    treatments=[
        flows.Variant(
            "Personal offer hero",
            template=hero,
            template_variables={"Headline": "Picked for you", "Link": "/offers/personal"},
            decision_models=[next_best_offer],
        ),
    ],
    splits=[50, 50],
    goal=flows.page_view_goal("Reached checkout", "/checkout"),
    sample_size=flows.SampleSize(base_value=0.03, minimum_detectable_difference=0.15, confidence_level=0.95),
)

# An API (full-stack) experience: the offer, rendered by the decision template, for any channel.
offer_api = flows.api_experience(
    "offer-api",
    name="Offer API",
    friendly_id="offer_api",
    start_date=start,
    channels=["WEB", "MOBILE_APP"],
    variant=flows.Variant("Offer", template=offer_template, decision_models=[next_best_offer]),
)

pulumi.export("templates", {"hero": hero.ref, "offer_json": offer_template.ref})
pulumi.export("decision_model", {"ref": next_best_offer.ref, "variant_ref": by_spend.ref,
                                 "variant_revision": by_spend.revision})
pulumi.export("flows", {"free_delivery_hero": free_delivery.ref, "hero_offer_test": hero_test.ref,
                        "offer_api": offer_api.ref})
