"""The typed flow builders and ``DeployedVariant``: what a program's few lines become, checked by the
provider as a preview would. The program runs under Pulumi's mocks in a child process (set_mocks
changes process-wide runtime settings); the inputs the mocks saw are checked here."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from typing import Any

from pulumi.dynamic import Config, ConfigureRequest

from pulumi_personalize.engine import EngineProvider
from pulumi_personalize.sitecore.models import variant_ref
from pulumi_personalize.sitecore.resources import DECISION_MODEL_DEPLOYMENT, FLOW_DEFINITION

PROGRAM = textwrap.dedent(
    """
    import json
    import pulumi

    seen = {}

    class Mocks(pulumi.runtime.Mocks):
        def new_resource(self, args):
            outputs = dict(args.inputs)
            outputs.setdefault("revision", 4)
            seen[args.name] = {k: v for k, v in args.inputs.items() if not k.startswith("__")}
            return f"{args.name}-ref", outputs

        def call(self, args):
            return {}, None

    pulumi.runtime.set_mocks(Mocks(), preview=False)

    from pulumi_personalize import sitecore as sc
    from pulumi_personalize.sitecore import flows

    @pulumi.runtime.test
    def program():
        hero = sc.Template("hero", name="Hero", friendly_id="hero", type="WEB",
                           html="<h1>[[Title | string | Hi]]</h1>", css="h1{}", js="replaceHTML('#h');")
        offer = sc.Template("offer", name="Offer", friendly_id="offer", type="DECISION", freemarker='{"a": 1}')
        model = sc.DecisionModel("model", name="Next best offer")
        variant = sc.DecisionModelVariant("variant", name="V", decision_model=model.ref, definition="<definitions/>")
        deployment = sc.DecisionModelDeployment("deployment", decision_model=model.ref,
                                   variants=[sc.DeployedVariant(variant=variant, split=100, status="PRODUCTION")])
        experience = flows.web_experience("experience", name="Hero", friendly_id="hero_exp", start_date="2025-01-06T00:00:00Z",
                             variant=flows.Variant("Hero", template=hero, template_variables={"Title": "Sale"}),
                             status="PRODUCTION")
        experiment = flows.web_experiment("experiment", name="Test", friendly_id="hero_test", start_date="2025-01-06T00:00:00Z",
                             control=flows.Variant("Control"),
                             treatments=[flows.Variant("A", template=hero, decision_models=[model]),
                                         flows.Variant("B", html="<p>b</p>")],
                             goal=flows.custom_goal("Bought", "PURCHASE"))
        api = flows.api_experience("api", name="API", friendly_id="offer_api", start_date="2025-01-06T00:00:00Z",
                             variant=flows.Variant("Offer", template=offer, decision_models=[model]))
        resources = [hero, offer, model, variant, deployment, experience, experiment, api]
        return pulumi.Output.all(*[r.id for r in resources]).apply(
            lambda _: print("SEEN " + json.dumps(seen, sort_keys=True)))

    program()
    """
)


def built() -> dict[str, dict[str, Any]]:
    result = subprocess.run([sys.executable, "-c", PROGRAM], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    line = next(x for x in reversed(result.stdout.splitlines()) if x.startswith("SEEN "))
    seen: dict[str, dict[str, Any]] = json.loads(line.removeprefix("SEEN "))
    return seen


def check(spec: Any, inputs: dict[str, Any]) -> dict[str, Any]:
    provider = EngineProvider(spec.name, spec.module)
    provider.configure(ConfigureRequest(config=Config({
        "personalize:sitecoreBaseUrl": "https://sc.test", "personalize:sitecoreAccessToken": "t"}, "p")))
    result = provider.check({}, {k: v for k, v in inputs.items() if v is not None})
    assert result.failures == [], [(f.property, f.reason) for f in result.failures]
    checked: dict[str, Any] = provider.full_inputs(result.inputs)  # what create sends, defaults included
    return checked


def test_builders_write_the_live_flow_shape_and_pass_the_check() -> None:
    seen = built()

    deployment = check(DECISION_MODEL_DEPLOYMENT, seen["deployment"])
    assert deployment["variants"] == [{"variant_ref": "variant-ref", "split": 100, "status": "PRODUCTION",
                                       "variant_revision": 4}]  # the variant's ref and revision

    experience = check(FLOW_DEFINITION, seen["experience"])
    assert (experience["type"], experience["subtype"], experience["status"]) == (
        "INTERACTIVE_WEB_FLOW", "EXPERIENCE", "PRODUCTION")
    assert experience["channels"] == ["WEB"] and experience["business_process"] == "interactive_v1"
    [hero] = experience["variants"]
    assert hero["assets"] == {"html": "<h1>[[Title | string | Hi]]</h1>", "css": "h1{}", "js": "replaceHTML('#h');"}
    assert hero["template_variables"] == {"Title": "Sale"} and hero["ref"] == variant_ref("hero_exp", "Hero")
    assert experience["traffic"]["splits"] == [{"ref": hero["ref"], "split": 100}]

    experiment = check(FLOW_DEFINITION, seen["experiment"])
    assert experiment["subtype"] == "EXPERIMENT"
    assert [(v["name"], v["is_control"]) for v in experiment["variants"]] == [
        ("Control", True), ("A", False), ("B", False)]
    assert [s["split"] for s in experiment["traffic"]["splits"]] == [34, 33, 33]  # even, remainder to control
    assert experiment["variants"][1]["tasks"] == [{"implementation": "decisionModelTask", "input": {
        "input_type": "decisionModelTaskInput", "decision_model_refs": ["model-ref"]}}]
    assert experiment["goals"]["primary"]["event_type"] == "PURCHASE"
    assert experiment["sample_size_config"] == {"base_value": 0.02, "minimum_detectable_difference": 0.2,
                                                "confidence_level": 0.95}

    api = check(FLOW_DEFINITION, seen["api"])
    assert api["type"] == "INTERACTIVE_API_FLOW" and api["channels"] == ["WEB"]
    assert [t["implementation"] for t in api["variants"][0]["tasks"]] == ["templateRenderTask", "decisionModelTask"]
    assert api["variants"][0]["tasks"][0]["input"]["template"] == '{"a": 1}'


def test_experiment_splits_must_match_the_variants() -> None:
    program = PROGRAM.replace('goal=flows.custom_goal("Bought", "PURCHASE"))',
                              'goal=flows.custom_goal("Bought", "PURCHASE"), splits=[50, 50])')
    result = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=120)
    assert result.returncode != 0 and "splits: 2 values for 3 variants" in result.stderr
