"""A YAML program on the native provider, under the real engine against the emulator: preview, up,
no-change preview, update, refresh after an out-of-band edit, destroy. The program uses the default
provider, configured by the stack's `personalize:*` keys (the same keys the dynamic resources read).

`pulumi-language-yaml` is what `make setup` puts in .tools/bin (scripts/install-pulumi); the
provider is the plugin `pulumi-resource-personalize` of .venv/bin.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path
from typing import Any

import pytest
from pulumi import automation as auto

from tests.e2e.conftest import REPO, E2EStack, emulator_config, engine_env
from tests.e2e.test_sitecore_lifecycle import Api

pytestmark = pytest.mark.e2e


def program(backend: Path, description: str) -> str:
    return f"""\
name: native-yaml
runtime: yaml
backend:
  url: file://{backend}
resources:
  plan:
    type: personalize:contentstack:Attribute
    properties:
      name: Plan
      key: plan
      description: {description}
  purchase:
    type: personalize:contentstack:Event
    properties:
      key: purchase
      description: {description}
  banner:
    type: personalize:sitecore:Template
    properties:
      name: Banner
      friendlyId: banner
      type: WEB
      description: {description}
      templateElements:
        - id: html
          template: <div>Spring sale</div>
outputs:
  attributeUid: ${{plan.uid}}
  eventUid: ${{purchase.uid}}
  templateRef: ${{banner.ref}}
"""


def yaml_stack(tmp_path: Path, emulator: Any, pulumi_command: auto.PulumiCommand) -> E2EStack:
    workdir, backend = tmp_path / f"yaml-{uuid.uuid4().hex[:6]}", tmp_path / "backend"
    workdir.mkdir()
    backend.mkdir()
    (workdir / "Pulumi.yaml").write_text(program(backend, "first"))
    # The provider plugin is a console script of the package, in .venv/bin.
    env = engine_env({"PATH": f"{REPO / '.venv' / 'bin'}{os.pathsep}{engine_env()['PATH']}"})
    opts = auto.LocalWorkspaceOptions(
        pulumi_home=str(tmp_path / "pulumi-home"), secrets_provider="passphrase", env_vars=env,
        pulumi_command=pulumi_command,
    )
    stack = auto.create_or_select_stack(stack_name="test", work_dir=str(workdir), opts=opts)
    stack.set_all_config(emulator_config(emulator.base_url))
    return E2EStack(stack=stack, workdir=workdir, backend=backend)


def counts(summary: auto.UpdateSummary) -> dict[str, int]:
    """An update's resource changes without the resources that stayed the same."""
    return {str(op): n for op, n in (summary.resource_changes or {}).items() if op != "same" and n}


def test_yaml_program_runs_the_life_cycle_on_the_default_provider(
    emulator: Any, tmp_path: Path, pulumi_command: auto.PulumiCommand
) -> None:
    stack = yaml_stack(tmp_path, emulator, pulumi_command)
    try:
        preview = stack.preview()
        assert stack.changes(preview) == {"create": 4}, preview.stdout  # the stack and three resources

        up = stack.up()
        ref = up.outputs["templateRef"].value
        api = Api(emulator.base_url)
        template = api.get(f"/v3/templates/{ref}")
        assert (template["name"], template["description"]) == ("Banner", "first")
        assert up.outputs["attributeUid"].value and up.outputs["eventUid"].value
        stack.assert_no_changes()

        (stack.workdir / "Pulumi.yaml").write_text(program(stack.backend, "second"))
        preview = stack.preview()
        assert stack.changes(preview) == {"update": 3}, preview.stdout
        # the detailed diff names each changed property with its old and new value
        assert preview.stdout.count('description: "first" => "second"') == 3, preview.stdout
        stack.up()
        assert api.get(f"/v3/templates/{ref}")["description"] == "second"
        stack.assert_no_changes()

        # Someone edits the template in the UI: refresh reads it, the next preview puts it back.
        api.edit(f"/v3/templates/{ref}", description="edited in the UI")
        refresh = stack.refresh()
        assert counts(refresh.summary) == {"update": 1}, refresh.stdout
        preview = stack.preview()
        assert stack.changes(preview) == {"update": 1}, preview.stdout
        assert "edited in the UI" in preview.stdout

        destroy = stack.destroy()
        assert counts(destroy.summary) == {"delete": 4}, destroy.stdout
        assert api.get(f"/v3/templates/{ref}").get("archived") is True
    finally:
        stack.stack.workspace.remove_stack("test", force=True)
