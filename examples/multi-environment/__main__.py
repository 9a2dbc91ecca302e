"""One program, one stack per environment.

Everything that differs between dev and prod is stack configuration (Pulumi.<stack>.yaml): the
tenants and regions (``personalize:*``), and this project's knobs below. The code is identical, so
what is reviewed and tested in dev is what reaches prod.
"""

import pulumi

from pulumi_personalize import contentstack as cs
from pulumi_personalize import sitecore as sc
from pulumi_personalize.contentstack import rules
from pulumi_personalize.sitecore import flows

stack = pulumi.get_stack()
config = pulumi.Config()
experience_status = config.get("experienceStatus") or "DRAFT"  # ACTIVE in prod, DRAFT in dev
treatment_percent = config.get_int("treatmentPercent") or 50  # share of traffic for the new variant
frequent_visits = config.get_int("frequentVisits") or 5  # dev uses a low bar to test with
decision_model_status = config.get("decisionModelStatus") or "DRAFT"  # of the deployed variants
flow_status = config.get("flowStatus") or "DRAFT"  # PRODUCTION in prod

# --- Contentstack Personalize: each stack has its own project (personalize:contentstackProjectUid)

visits = cs.Attribute("visit-count", name="Visit count", key="visit_count",
                      description="Visits in the last 30 days")
signup = cs.Event("signup", key="signup", description="Account created")
frequent = cs.Audience(
    "frequent-visitors",
    name="Frequent visitors",
    description=f"More than {frequent_visits} visits in the last 30 days",
    definition=rules.all_of(
        rules.Rule(rules.custom(visits.uid), "NUMBER_GREATER_THAN", rules.NumberMatch(frequent_visits)),
    ),
)
signup_cta = cs.Experience(
    "signup-cta",
    name="Sign-up call to action",
    description="Does a personal invitation convert frequent visitors better?",
    type="AB_TEST",
    status=experience_status,
    variants=[
        cs.ExperienceVariantArgs(name="Control", traffic_distribution=100 - treatment_percent),
        cs.ExperienceVariantArgs(name="Personal invitation", traffic_distribution=treatment_percent),
    ],
    metrics=[cs.ExperienceMetricArgs(event=signup.uid, name="Sign-ups")],
    targeting=cs.ExperienceTargetingArgs(audiences=[frequent.uid]),
)

# --- Sitecore Personalize: the names carry the stack, so dev and prod may share one tenant -------

offers = sc.DecisionModel("offers", name=f"Sign-up offers ({stack})")
standard = sc.DecisionModelVariant(
    "offers-standard", name="Standard offer", decision_model=offers.ref,
    definition='<definitions xmlns="https://www.omg.org/spec/DMN/20151101/dmn.xsd" id="standard"/>',
)
personal = sc.DecisionModelVariant(
    "offers-personal", name="Personal offer", decision_model=offers.ref,
    definition='<definitions xmlns="https://www.omg.org/spec/DMN/20151101/dmn.xsd" id="personal"/>',
)
sc.DecisionModelDeployment(
    "offers-deployment",
    decision_model=offers.ref,
    variants=[
        sc.DeployedVariant(variant=standard, split=100 - treatment_percent, status=decision_model_status),
        sc.DeployedVariant(variant=personal, split=treatment_percent, status=decision_model_status),
    ],
)
welcome = flows.web_experience(
    "welcome-banner",
    name=f"Welcome banner ({stack})",
    friendly_id=f"welcome_banner_{stack}",
    start_date="2025-01-06T00:00:00.000Z",
    variant=flows.Variant("Welcome", html="<p class='welcome'>Welcome! Sign up for 10% off</p>"),
    status=flow_status,
)

pulumi.export("stack", stack)
pulumi.export("signup_cta", {
    "uid": signup_cta.uid,
    "status": signup_cta.experience_status,
    "variant_short_uids": signup_cta.variant_short_uids,
})
pulumi.export("frequent_visitors_audience_uid", frequent.uid)
pulumi.export("offers_decision_model", {"ref": offers.ref, "status": decision_model_status})
pulumi.export("welcome_banner_flow", {"ref": welcome.ref, "status": welcome.status})
