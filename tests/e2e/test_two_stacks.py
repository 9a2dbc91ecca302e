"""Two stacks of one program on one Sitecore tenant (issue 20, item 5): staging must not silently take
over, nor destroy, what dev manages (docs/recovery.md#6-two-stacks-one-tenant).

The real engine, two stacks of one project on one file backend, the emulator over real HTTP.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pulumi
import pytest
from pulumi import automation as auto

from pulumi_personalize import contentstack as cs
from pulumi_personalize import sitecore as sc
from tests.e2e.conftest import E2EStack, StackFactory
from tests.e2e.test_sitecore_lifecycle import Api

pytestmark = pytest.mark.e2e

DEV = "organization/site/dev"
STAGING = "organization/site/staging"


def banner_program(phase: dict[str, Any]) -> Callable[[], None]:
    """The same declaration in every stack; ``phase`` says what this run's program holds."""

    def program() -> None:
        banner = sc.Template(
            "rain-banner", name="Rain banner", friendly_id=phase["friendly_id"], type="WEB",
            html="<p>Rain</p>", tags=["campaign:rain"], **phase.get("adopt", {}),
        )
        pulumi.export("ref", banner.ref)

    return program


def refused_preview(stack: E2EStack) -> str:
    with pytest.raises(auto.CommandError) as failure:
        stack.preview()
    return " ".join(str(failure.value).split())  # the engine wraps long lines


def test_staging_on_devs_tenant_is_told_the_choice_refused_devs_template_and_leaves_it_alone(
    stack_factory: StackFactory, emulator: Any
) -> None:
    api = Api(emulator.base_url)
    dev = stack_factory(banner_program({"friendly_id": "rain_banner"}), stack_name="dev", project_name="site")
    ref = dev.up().outputs["ref"].value
    assert api.get(f"/v3/templates/{ref}")["tags"] == ["campaign:rain", f"pulumi-stack:{DEV}"]
    dev.assert_no_changes()  # the stack's tag is no change of the program's tags

    staging_phase: dict[str, Any] = {"friendly_id": "rain_banner"}
    staging = stack_factory(banner_program(staging_phase), stack_name="staging", project_name="site")
    text = refused_preview(staging)  # at preview already, not at up
    assert (
        f"cannot create it. A template with friendly_id 'rain_banner' already exists (ref {ref}). Stack {DEV} "
        f"manages it (its tag 'pulumi-stack:{DEV}'). If each stack (dev, staging, ...) should have its own template, "
        "give this one its own friendly_id, for example 'rain_banner_staging'. Only if the template really moves "
        f"to this stack, set adopt_ref='{ref}' (or adopt_existing=True) with adopt_from_stack='{DEV}'"
    ) in text

    staging_phase["adopt"] = {"adopt_existing": True}
    text = refused_preview(staging)
    assert (
        f"adopt_existing=True: the template with friendly_id 'rain_banner' (ref {ref}) is managed by stack {DEV} "
        f"(its tag 'pulumi-stack:{DEV}'); adopting it would make two stacks manage one template, and a destroy of "
        "either would archive it."
    ) in text
    with pytest.raises(auto.CommandError) as refused_up:
        staging.up()
    assert f"is managed by stack {DEV}" in " ".join(str(refused_up.value).split())
    assert api.get(f"/v3/templates/{ref}")["tags"] == ["campaign:rain", f"pulumi-stack:{DEV}"]

    staging_phase.update(friendly_id="rain_banner_staging", adopt={})
    own = staging.up().outputs["ref"].value
    assert own != ref
    assert api.get(f"/v3/templates/{own}")["tags"] == ["campaign:rain", f"pulumi-stack:{STAGING}"]

    staging.destroy()
    assert api.get(f"/v3/templates/{own}")["archived"] is True
    devs = api.get(f"/v3/templates/{ref}")
    assert devs["archived"] is False and devs["tags"] == ["campaign:rain", f"pulumi-stack:{DEV}"]
    dev.assert_no_changes()


def test_adopting_a_contentstack_object_warns_at_preview_that_no_stack_is_recorded(
    stack_factory: StackFactory,
) -> None:
    def program() -> None:
        cs.Event("purchase", key="purchase", adopt_existing=True)

    stack = stack_factory(program, stack_name="staging", project_name="site")
    preview = stack.preview()
    # the provider process's warning reaches the terminal through the CLI's stderr (the engine passes
    # a provider's stderr on), beside the preview itself
    text = " ".join(preview.stderr.split())
    assert ("warning: event 'purchase': adopt_existing=True takes over an existing event, and nothing on an event records "
            "which Pulumi stack manages it") in text
