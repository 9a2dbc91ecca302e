"""Personalization next to other infrastructure: values come from the infra project's stack.

``pulumi.StackReference`` reads the outputs of the infra project's stack of the same name (dev reads
dev, prod reads prod) from the same backend; ``infraStack`` in stack configuration names another
one. On a file backend (or any backend without organizations) the name is
``organization/<project>/<stack>``; on Pulumi Cloud it is ``<org>/<project>/<stack>``.

The resources are grouped in one ``ComponentResource`` so that ``pulumi preview`` shows them as the
site's personalization, and so that a second site is one more ``SitePersonalization(...)``.
"""

import pulumi

from pulumi_personalize import contentstack as cs
from pulumi_personalize.contentstack import rules

config = pulumi.Config()
infra = pulumi.StackReference(
    config.get("infraStack") or f"organization/stack-reference-infra/{pulumi.get_stack()}"
)


class SitePersonalization(pulumi.ComponentResource):
    """The audiences of one website, named after its environment and built on its URL."""

    def __init__(self, name: str, *, site_url: pulumi.Input[str], environment: pulumi.Input[str],
                 opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("personalize-examples:site:SitePersonalization", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        url = pulumi.Output.from_input(site_url).apply(lambda value: value.rstrip("/"))
        env = pulumi.Output.from_input(environment)

        # The referrer value is an Output from another stack, nested in the rule tree: the provider
        # sees it resolved at preview, so a new URL shows up as an update of this audience.
        self.offer_visitors = cs.Audience(
            f"{name}-offer-visitors",
            name=env.apply(lambda e: f"Visitors from the offers page ({e})"),
            description=url.apply(lambda u: f"Arrived from {u}/offers"),
            definition=rules.all_of(
                rules.Rule(rules.preset("REFERRER"), "STRING_EQUALS",
                           rules.StringMatch(url.apply(lambda u: f"{u}/offers"))),
            ),
            opts=child,
        )
        self.us_visitors = cs.Audience(
            f"{name}-us-visitors",
            name=env.apply(lambda e: f"Visitors in the US ({e})"),
            description=url.apply(lambda u: f"Visitors of {u} in the United States"),
            definition=rules.all_of(
                rules.Rule(rules.preset("COUNTRY"), "STRING_EQUALS", rules.StringMatch("US")),
            ),
            opts=child,
        )
        self.register_outputs({
            "offer_visitors_uid": self.offer_visitors.uid,
            "us_visitors_uid": self.us_visitors.uid,
        })


site = SitePersonalization(
    "site",
    site_url=infra.require_output("siteUrl"),
    environment=infra.require_output("environment"),
)

pulumi.export("site_url", infra.require_output("siteUrl"))
pulumi.export("audience_uids", {"offer_visitors": site.offer_visitors.uid, "us_visitors": site.us_visitors.uid})
