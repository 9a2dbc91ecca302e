"""Settings with the real engine: the README's emulator instructions as written, and settings
mistakes failing `pulumi preview` with the message `pulumi up` gives (issue 20, items 1, 2, 9)."""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

import pytest
from pulumi import automation as auto

from pulumi_personalize import contentstack as cs
from pulumi_personalize import sitecore as sc
from tests.e2e.conftest import REPO, StackFactory
from tests.e2e.test_examples import Project, contentstack, live_sitecore

pytestmark = pytest.mark.e2e

README_EMULATOR = "http://127.0.0.1:8787"


def readme_emulator_commands() -> list[list[str]]:
    """The shell block of the README's "Run your own project against the local emulator"."""
    text = (REPO / "README.md").read_text()
    section = text.split("### Run your own project against the local emulator", 1)[1]
    block = re.search(r"```sh\n(.*?)```", section, re.S)
    assert block is not None, "the README's emulator section lost its commands"
    return [shlex.split(line) for line in block.group(1).splitlines() if line.strip()]


def test_the_readmes_emulator_instructions_to_the_letter(emulator: Any, tmp_path: Path) -> None:
    commands = readme_emulator_commands()
    start, *configure, up = commands
    # The emulator the session runs is the README's command on another port (tests run side by side).
    assert start == ["python", "-m", "pulumi_personalize.emulator", "--port", "8787", "&"]
    assert up == ["pulumi", "up"]
    assert all(c[:3] == ["pulumi", "config", "set"] for c in configure), configure
    assert {c[-2] for c in configure} == {
        "personalize:baseUrl", "personalize:contentstackProjectUid", "personalize:contentstackAuthtoken",
        "personalize:sitecoreClientId", "personalize:sitecoreClientSecret",
    }

    project = Project(REPO, tmp_path, files=("Pulumi.yaml", "__main__.py"))  # the quickstart: both services
    project.pulumi("stack", "init", "dev")
    for command in configure:
        project.pulumi(*[emulator.base_url if arg == README_EMULATOR else arg for arg in command[1:]])
    config = project.pulumi("config", "--show-secrets", "--json")
    assert "sitecoreTokenUrl" not in config
    output = project.pulumi("up", "--yes")
    assert "error" not in output.lower(), output

    uid = next(c[-1] for c in configure if c[-2] == "personalize:contentstackProjectUid")
    outputs = project.outputs("dev")
    assert outputs["contentstack"]["premium_audience_uid"] in contentstack(emulator, uid)["audiences"]
    assert {c["ref"] for c in live_sitecore(emulator, "connections")} == {outputs["sitecore"]["weather_connection_ref"]}
    project.destroy("dev")


def both_services() -> None:
    cs.Event("purchase", key="purchase", description="Checkout completed")
    sc.DecisionModel("offers", name="Offers")


def failed(run: Any) -> str:
    with pytest.raises(auto.CommandError) as failure:
        run()
    return str(failure.value)


@pytest.mark.parametrize(
    ("key", "value", "message", "service"),
    [
        ("personalize:contentstackRegion", "emea",
         "unknown region 'emea' in personalize:contentstackRegion: set personalize:contentstackRegion to one of "
         "na, eu, au, azure-na, azure-eu, gcp-na, gcp-eu (or set personalize:contentstackBaseUrl to a base URL)", "contentstack"),
        ("personalize:sitecoreTokenUrl", "http://auth.example/oauth/token",
         "personalize:sitecoreTokenUrl uses plain http:// for auth.example, which would send credentials in clear: "
         "set personalize:sitecoreTokenUrl to an https:// URL", "sitecore"),
    ],
)
def test_a_settings_mistake_fails_the_preview_with_the_message_up_gives(
    stack_factory: StackFactory, key: str, value: str, message: str, service: str
) -> None:
    stack = stack_factory(both_services, {key: value})
    at_preview = failed(stack.preview)
    assert message in at_preview, at_preview
    at_up = failed(stack.up)
    assert message in at_up, at_up
    # nothing of that service was created (the other's may be: the engine stops at the first failure)
    assert not [r for r in stack.resources() if r["type"].startswith(f"pulumi-python:dynamic/{service}:")]


def test_a_preview_fails_on_half_a_credential_group(stack_factory: StackFactory) -> None:
    stack = stack_factory(both_services)
    stack.stack.remove_config("personalize:sitecoreClientSecret")
    text = failed(stack.preview)
    assert "Sitecore client secret is missing for client id 'emulator-client': set personalize:sitecoreClientSecret" in text
    assert "emulator-secret" not in text


def test_a_preview_with_good_settings_passes(stack_factory: StackFactory) -> None:
    stack = stack_factory(both_services)
    preview = stack.preview()
    assert stack.changes(preview).get("create", 0) >= 2, preview.stdout

