"""An existing stack keeps working: a stack made by the code of an earlier commit, driven by this code.

The package as it was at ``PINNED`` (the last commit before the refactor of issue 17) is taken out of
the clone's history with ``git archive`` and put first on ``PYTHONPATH`` for ``pulumi up`` of a
program with one resource of every kind of both services. The harness's environment reaches the
language host (which runs the program) and the dynamic-provider process alike; a probe resource
reports the package that process imported, and a stack output the one the program imported, so the
test knows the old code really made the stack. Then the same stack, with this checkout's code: a
preview shows no change, a refresh keeps every resource, an edit of one resource updates it in
place, and destroy removes what was made.
"""

from __future__ import annotations

import os
import subprocess
import tarfile
from collections.abc import Mapping
from io import BytesIO
from pathlib import Path
from typing import Any

import httpx
import pytest
from pulumi import automation as auto

from tests.e2e.conftest import (
    CONTENTSTACK_AUTHTOKEN,
    CONTENTSTACK_PROJECT_UID,
    REPO,
    E2EStack,
    emulator_config,
    engine_env,
)

pytestmark = pytest.mark.e2e

PINNED = "49d871a"  # main before the refactor of issue 17; its state is what users' stacks hold
PROJECT = "upgrade"
STACK = "upgrade"


# One resource of every kind of both services, written against the public API both commits share.
PROGRAM = '''
import pulumi
from pulumi.dynamic import CreateResult, DiffResult, ResourceProvider, Resource

import pulumi_personalize
from pulumi_personalize import contentstack as cs
from pulumi_personalize import sitecore as sc
from pulumi_personalize.contentstack import rules
from pulumi_personalize.sitecore import flows


class PackageProbeProvider(ResourceProvider):
    """Runs in the dynamic-provider process: reports which pulumi_personalize that process imports."""

    def create(self, props):
        import pulumi_personalize as package

        return CreateResult(id_="package-probe", outs={"package_file": package.__file__})

    def diff(self, _id, _olds, _news):
        return DiffResult(changes=False)


class PackageProbe(Resource, module="upgrade", name="PackageProbe"):
    package_file: pulumi.Output[str]

    def __init__(self, name):
        super().__init__(PackageProbeProvider(), name, {"package_file": None})


config = pulumi.Config()
probe = PackageProbe("package-probe")

plan = cs.Attribute("plan", name="Plan", key="plan",
                    description=config.get("attributeDescription") or "Subscription plan")
purchase = cs.Event("purchase", key="purchase", description="Checkout completed")
premium = cs.Audience(
    "premium",
    name="Premium customers",
    definition=rules.any_of(rules.Rule(rules.custom(plan.uid), "STRING_EQUALS", rules.StringMatch("premium"))),
)
checkout = cs.Experience(
    "checkout-test",
    name="Checkout button test",
    type="AB_TEST",
    status="ACTIVE",
    variants=[cs.ExperienceVariantArgs(name="Control", traffic_distribution=50),
              cs.ExperienceVariantArgs(name="Green button", traffic_distribution=50)],
    metrics=[cs.ExperienceMetricArgs(event=purchase.uid, name="Purchases")],
    targeting=cs.ExperienceTargetingArgs(audiences=[premium.uid]),
)
cs.ExperiencePriority("priority", experiences=[checkout.uid])

weather = sc.Connection(
    "weather",
    name="Weather service",
    system_type="DATA_SYSTEM",
    request=sc.ConnectionRequestArgs(connection_url="https://weather.example.com/v1/current"),
    auth=sc.ConnectionAuthArgs(auth_type="OAUTH", client_id="personalize",
                               client_secret=pulumi.Output.secret("upgrade-weather-secret"),
                               access_token_url="https://weather.example.com/oauth/token"),
)
banner = sc.Template("banner", name="Banner", friendly_id="upgrade_banner", type="WEB",
                     html="<div>[[Message | string | Hello]]</div>")
model = sc.DecisionModel("offer", name="Next best offer")
variant = sc.DecisionModelVariant(
    "offer-baseline",
    name="Baseline",
    decision_model=model.ref,
    definition='<definitions xmlns="https://www.omg.org/spec/DMN/20151101/dmn.xsd" id="baseline"/>',
)
sc.DecisionModelDeployment("offer-deployment", decision_model=model.ref,
                           variants=[sc.DeployedVariant(variant=variant, split=100, status="PRODUCTION")])
flows.web_experiment(
    "banner-experiment",
    name="Banner experiment",
    friendly_id="upgrade_banner_experiment",
    start_date="2025-01-06T00:00:00.000Z",
    control=flows.Variant("No banner"),
    treatments=[flows.Variant("Banner", template=banner, decision_models=[model])],
    goal=flows.page_view_goal("Checkout", "/checkout/complete"),
)

pulumi.export("program_package", pulumi_personalize.__file__)
pulumi.export("provider_package", probe.package_file)
pulumi.export("attribute_uid", plan.uid)
'''

# Every kind of resource of both services, as its type token ends; all must be in the old stack.
KINDS = ("Attribute", "Event", "Audience", "Experience", "ExperiencePriority", "Connection", "Template",
         "DecisionModel", "DecisionModelVariant", "DecisionModelDeployment", "FlowDefinition")


def pinned_package(into: Path) -> Path:
    """``pulumi_personalize`` as it was at ``PINNED``, extracted under ``into``; fails when the clone lacks it."""
    found = subprocess.run(["git", "-C", str(REPO), "cat-file", "-e", f"{PINNED}^{{commit}}"],
                           capture_output=True, text=True)
    if found.returncode != 0:
        pytest.fail(f"this clone lacks commit {PINNED}, the code that made the stack this test upgrades; "
                    f"fetch the full history (`git fetch --unshallow`) and run it again", pytrace=False)
    archive = subprocess.run(["git", "-C", str(REPO), "archive", "--format=tar", PINNED, "pulumi_personalize"],
                             capture_output=True, check=True)
    with tarfile.open(fileobj=BytesIO(archive.stdout)) as tar:
        if hasattr(tarfile, "data_filter"):  # Python 3.10.12+ / 3.11.4+
            tar.extractall(into, filter="data")
        else:  # our own history: nothing to guard against
            tar.extractall(into)
    return into


def open_stack(project: Path, tmp_path: Path, pulumi_command: auto.PulumiCommand,
               env: Mapping[str, str]) -> E2EStack:
    """The one stack of ``project``, in a workspace whose commands (and their children) get ``env``."""
    opts = auto.LocalWorkspaceOptions(
        work_dir=str(project),
        pulumi_home=str(tmp_path / "pulumi-home"),
        secrets_provider="passphrase",
        env_vars=engine_env(env),
        pulumi_command=pulumi_command,
    )
    stack = auto.create_or_select_stack(stack_name=STACK, work_dir=str(project), opts=opts)
    return E2EStack(stack=stack, workdir=project, backend=tmp_path / "backend")


def managed(e2e: E2EStack) -> dict[str, dict[str, Any]]:
    """The stack's resources of this package, by URN."""
    return {r["urn"]: r for r in e2e.export().get("resources", []) if r["type"].startswith("pulumi-python:")
            and "PackageProbe" not in r["type"]}


def counts(summary: auto.UpdateSummary) -> dict[str, int]:
    """What an operation changed, by kind of change, without what stayed the same."""
    return {str(op): n for op, n in (summary.resource_changes or {}).items() if op != "same" and n}


def custom_attributes(base_url: str) -> list[dict[str, Any]]:
    headers = {"authtoken": CONTENTSTACK_AUTHTOKEN, "x-project-uid": CONTENTSTACK_PROJECT_UID}
    response = httpx.get(f"{base_url}/attributes", headers=headers, timeout=10)
    response.raise_for_status()
    return [a for a in response.json() if a.get("__type") == "CUSTOM"]


def test_a_stack_made_by_the_pinned_commit_keeps_working(
    tmp_path: Path, pulumi_command: auto.PulumiCommand, emulator: Any
) -> None:
    old_root = pinned_package(tmp_path / "pinned")
    project = tmp_path / "project"
    project.mkdir()
    backend = tmp_path / "backend"
    backend.mkdir()
    # the backend in the project file: `pulumi stack export` (E2EStack.export) runs in this directory
    (project / "Pulumi.yaml").write_text(f"name: {PROJECT}\nruntime: python\nbackend:\n  url: file://{backend}\n")
    (project / "__main__.py").write_text(PROGRAM)
    current_path = engine_env()["PYTHONPATH"]

    # --- made by the pinned commit's code ------------------------------------------------------------
    old = open_stack(project, tmp_path, pulumi_command,
                     {"PYTHONPATH": os.pathsep.join([str(old_root), current_path])})
    old.stack.set_all_config(emulator_config(emulator.base_url))
    made = old.up()
    assert made.summary.result == "succeeded"
    old_package = str(old_root / "pulumi_personalize" / "__init__.py")
    assert made.outputs["program_package"].value == old_package, "the program did not run the pinned code"
    assert made.outputs["provider_package"].value == old_package, "the provider did not run the pinned code"
    before = managed(old)
    kinds = {r["type"].rsplit(":", 1)[1] for r in before.values()}
    assert kinds == set(KINDS), kinds
    assert len(before) == len(KINDS)

    # --- the same stack, driven by this checkout's code ----------------------------------------------
    current = open_stack(project, tmp_path, pulumi_command, {})
    preview = current.assert_no_changes()
    # the only difference the preview shows is the program's own output: this checkout's package ran
    current_package = str(REPO / "pulumi_personalize" / "__init__.py")
    assert f'"{old_package}" => "{current_package}"' in preview.stdout, preview.stdout

    refreshed = current.refresh()
    assert refreshed.summary.result == "succeeded"
    after_refresh = managed(current)
    assert {urn: r["id"] for urn, r in after_refresh.items()} == {urn: r["id"] for urn, r in before.items()}
    current.assert_no_changes()

    edited_description = "Subscription plan, edited after the upgrade"
    current.stack.set_config("attributeDescription", auto.ConfigValue(edited_description))
    edit = current.preview()
    assert current.changes(edit) == {"update": 1}, edit.stdout
    updated = current.up()
    assert counts(updated.summary) == {"update": 1}
    # this checkout's code ran now, and the attribute was changed in place: same uid, new description
    assert updated.outputs["program_package"].value == current_package
    assert updated.outputs["attribute_uid"].value == made.outputs["attribute_uid"].value
    [attribute] = custom_attributes(emulator.base_url)
    assert attribute["uid"] == made.outputs["attribute_uid"].value
    assert attribute["description"] == edited_description
    assert {urn: r["id"] for urn, r in managed(current).items()} == {urn: r["id"] for urn, r in before.items()}

    destroyed = current.destroy()
    assert destroyed.summary.result == "succeeded"
    assert counts(destroyed.summary).get("delete", 0) >= len(KINDS)
    assert managed(current) == {}
    assert custom_attributes(emulator.base_url) == []
