"""Two stacks of one Contentstack organization roll out at once against the organization's limit
(issue 21): the real engine runs both `pulumi up`s side by side, each stack on its own project of
one organization, against the emulator's 10 requests per second per organization. Both succeed,
whether their processes share the budget file (one CI runner) or not (two runners)."""

from __future__ import annotations

from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
from pulumi import automation as auto

from pulumi_personalize.facts.contentstack import REQUESTS_PER_SECOND

from .conftest import CONTENTSTACK_AUTHTOKEN, E2EStack, engine_env

ORGANIZATION = "blt-org-shared-rate"
PER_KIND = 8  # attributes, events and audiences per stack: 24 creates each, 48 calls at 10/s

PROGRAM = f'''
from pulumi_personalize import contentstack as cs
from pulumi_personalize.contentstack import rules

for i in range({PER_KIND}):
    cs.Attribute(f"attr-{{i}}", name=f"Attribute {{i}}", key=f"attr_{{i}}")
    cs.Event(f"event-{{i}}", key=f"event_{{i}}")
    cs.Audience(f"aud-{{i}}", name=f"Audience {{i}}", definition=rules.all_of(
        rules.Rule(rules.preset("DEVICE_TYPE"), "STRING_EQUALS", rules.StringMatch(f"device-{{i}}"))))
'''


def projects_of_one_organization(base_url: str, names: list[str]) -> list[str]:
    headers = {"authtoken": CONTENTSTACK_AUTHTOKEN, "organization_uid": ORGANIZATION}
    with httpx.Client(base_url=base_url, headers=headers, timeout=10) as client:
        made = [client.post("/projects", json={"name": name}) for name in names]
    for response in made:
        assert response.status_code == 201, response.text
    return [str(response.json()["uid"]) for response in made]


def open_stack(name: str, project_uid: str, base_url: str, tmp_path: Path, pulumi_command: auto.PulumiCommand,
               env: Mapping[str, str]) -> E2EStack:
    """A project directory of its own (its own engine and provider processes when it runs)."""
    project = tmp_path / name
    project.mkdir()
    backend = tmp_path / "backend"
    backend.mkdir(exist_ok=True)
    (project / "Pulumi.yaml").write_text(f"name: {name}\nruntime: python\nbackend:\n  url: file://{backend}\n")
    (project / "__main__.py").write_text(PROGRAM)
    opts = auto.LocalWorkspaceOptions(work_dir=str(project), pulumi_home=str(tmp_path / "pulumi-home"),
                                      secrets_provider="passphrase", env_vars=engine_env(env),
                                      pulumi_command=pulumi_command)
    stack = auto.create_or_select_stack(stack_name="prod", work_dir=str(project), opts=opts)
    stack.set_all_config({
        "personalize:baseUrl": auto.ConfigValue(base_url),
        "personalize:contentstackProjectUid": auto.ConfigValue(project_uid),
        "personalize:contentstackAuthtoken": auto.ConfigValue(CONTENTSTACK_AUTHTOKEN, secret=True),
    })
    return E2EStack(stack=stack, workdir=project, backend=backend)


def custom_keys(base_url: str, project_uid: str, path: str) -> set[str]:
    headers = {"authtoken": CONTENTSTACK_AUTHTOKEN, "x-project-uid": project_uid}
    response = httpx.get(f"{base_url}{path}", headers=headers, timeout=10)
    response.raise_for_status()
    return {str(item.get("key") or item.get("name")) for item in response.json() if item.get("__type") != "PRESET"}


@pytest.mark.parametrize("sharing", ["one runner", "two runners"])
def test_two_stacks_of_one_organization_up_at_once_both_succeed(
    tmp_path: Path, pulumi_command: auto.PulumiCommand, emulator: Any, sharing: str
) -> None:
    base_url = emulator.base_url
    dev_uid, prod_uid = projects_of_one_organization(base_url, ["Dev", "Prod"])
    emulator.set_faults({"rules": [], "rateLimit": REQUESTS_PER_SECOND, "rateLimitRetryAfter": False})
    budgets = tmp_path / "rate-limits"
    stacks = []
    for name, uid in (("shop-dev", dev_uid), ("shop-prod", prod_uid)):
        # one runner: both processes find the budget file in one folder; two runners: neither shares
        folder = str(budgets) if sharing == "one runner" else "off"
        stacks.append(open_stack(name, uid, base_url, tmp_path, pulumi_command,
                                 {"PERSONALIZE_RATE_LIMIT_DIR": folder}))
    emulator.clear_requests()
    try:
        with ThreadPoolExecutor(max_workers=2) as pool:
            results = list(pool.map(lambda e2e: e2e.up(), stacks))
        refused = [r for r in emulator.requests() if r["status"] == 429]
        print(f"{sharing}: {len(refused)} requests refused with 429 of {len(emulator.requests())}")
        for result in results:
            assert result.summary.result == "succeeded"
            assert (result.summary.resource_changes or {}).get("create") == 3 * PER_KIND + 1  # and the stack
        for uid in (dev_uid, prod_uid):
            assert custom_keys(base_url, uid, "/attributes") == {f"attr_{i}" for i in range(PER_KIND)}
            assert custom_keys(base_url, uid, "/events") == {f"event_{i}" for i in range(PER_KIND)}
            assert len(custom_keys(base_url, uid, "/audiences")) == PER_KIND
        assert (sharing == "one runner") == any(budgets.glob("*.json"))  # the file is the only thing shared
    finally:
        emulator.clear_faults()
        for e2e in stacks:
            e2e.stack.destroy(color="never")
