"""Writes docs/export.md from a real run of `personalize-export` against the emulator.

    .venv/bin/python scripts/capture_export.py            # rewrite the page
    .venv/bin/python scripts/capture_export.py --print    # print it only

Starts the emulator, makes a small tenant of each service through the APIs directly (plain httpx),
runs the command as a user does (settings from environment variables) and puts its summary, the
generated `__main__.py` and the files beside it into the page. Uids, refs and the emulator's
address differ on every run; they are left as they came (they are what a user sees).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import httpx

REPO = Path(__file__).resolve().parents[1]
PAGE = REPO / "docs" / "export.md"
sys.path.insert(0, str(REPO))

from pulumi_personalize.emulator.contentstack.cma import EMULATOR_STACK_API_KEY  # noqa: E402
from pulumi_personalize.emulator.sitecore.auth import AUDIENCE  # noqa: E402
from pulumi_personalize.emulator.testing import EmulatorHandle, running_emulator  # noqa: E402

PROJECT = "0123456789abcdef01234567"


def contentstack_tenant(base_url: str) -> str:
    http = httpx.Client(base_url=base_url, timeout=10,
                        headers={"authtoken": "emulator-authtoken", "x-project-uid": PROJECT})

    def send(method: str, path: str, body: Any) -> Any:
        response = http.request(method, path, json=body)
        response.raise_for_status()
        return response.json()

    plan = send("POST", "/attributes", {"key": "plan", "name": "Plan", "description": "free, pro or enterprise"})
    send("POST", "/attributes", {"key": "cart_value", "name": "Cart value", "description": ""})
    purchase = send("POST", "/events", {"key": "purchase", "description": "Order placed"})
    premium = send("POST", "/audiences", {"name": "Premium in the US", "description": "", "definition": {
        "__type": "RuleCombination", "combinationType": "AND", "rules": [
            {"__type": "Rule", "attribute": {"__type": "CustomAttributeReference", "ref": plan["uid"]},
             "attributeMatchCondition": "STRING_EQUALS",
             "attributeMatchOptions": {"__type": "StringMatchOptions", "value": "pro"}, "invertCondition": False},
            {"__type": "RuleCombination", "combinationType": "OR", "rules": [
                {"__type": "Rule", "attribute": {"__type": "PresetAttributeReference", "ref": "COUNTRY"},
                 "attributeMatchCondition": "STRING_EQUALS",
                 "attributeMatchOptions": {"__type": "StringMatchOptions", "value": code}, "invertCondition": False}
                for code in ("US", "CA")]}]}})
    hero = send("POST", "/experiences", {"name": "Homepage hero", "description": "", "__type": "SEGMENTED"})
    send("PUT", f"/experiences/{hero['uid']}/versions/{hero['latestVersion']}", {"status": "ACTIVE", "variants": [
        {"__type": "SegmentedVariant", "name": "Premium hero", "audiences": [premium["uid"]],
         "audienceCombinationType": "OR"}]})
    test = send("POST", "/experiences", {"name": "Checkout test", "description": "", "__type": "AB_TEST"})
    send("PUT", f"/experiences/{test['uid']}/versions/{test['latestVersion']}", {
        "status": "DRAFT", "variants": [{"__type": "ABTestVariant", "name": n, "trafficDistribution": t}
                                        for n, t in (("Control", 70), ("Green button", 30))],
        "metrics": [{"__type": "Primary", "event": purchase["uid"], "name": "Purchases"}]})
    send("PUT", "/experiences-priority", {"priorityOrder": [test["uid"], hero["uid"]]})
    return str(hero["uid"])


def link_content_types(emulator: EmulatorHandle, experience_uid: str, uids: list[str]) -> None:
    """Links content types to the experience's CMS variant group, as a person does in the stack."""
    emulator.advance_clock(5)  # the background job that makes the group is due
    with httpx.Client(base_url=emulator.base_url, timeout=10,
                      headers={"authtoken": "emulator-authtoken", "api_key": EMULATOR_STACK_API_KEY}) as cma:
        groups = cma.get("/v3/variant_groups", params={"experience_uid": experience_uid}).raise_for_status().json()
        group = groups["variant_groups"][0]
        body = {"name": group["name"], "content_types": [{"uid": u, "status": "linked"} for u in uids]}
        cma.put(f"/v3/variant_groups/{group['uid']}", json=body).raise_for_status()


def sitecore_tenant(base_url: str) -> None:
    token = httpx.post(f"{base_url}/oauth/token", timeout=10, data={
        "client_id": "emulator-client", "client_secret": "emulator-secret", "grant_type": "client_credentials",
        "audience": AUDIENCE}).json()["access_token"]
    http = httpx.Client(base_url=base_url, timeout=10, headers={"Authorization": f"Bearer {token}"})

    def send(method: str, path: str, body: Any) -> Any:
        response = http.request(method, path, json=body)
        response.raise_for_status()
        return response.json()

    send("POST", "/v2/connections", {
        "name": "Loyalty API", "description": "Points balance", "systemType": "DATA_SYSTEM",
        "auth": {"authType": "OAUTH", "clientId": "personalize", "clientSecret": "s3cr3t",
                 "accessTokenUrl": "https://loyalty.example.com/oauth/token"},
        "request": {"requestType": "GET", "connectionUrl": "https://loyalty.example.com/points/${email}"},
        "inputMappings": [], "outputMappings": [], "customHeaders": [], "urlParameters": []})
    offer = "{\n  \"offer\": \"${decision.offer}\"\n}\n"
    send("POST", "/v3/templates", {
        "name": "Offer JSON", "friendlyId": "offer_json", "type": "DECISION", "status": "PUBLISHED",
        "description": "", "render": False, "defaultTemplate": False, "customTemplate": True, "tags": [],
        "templateElements": [{"id": "freemarker", "template": offer}]})
    model = send("POST", "/v2/decisionModelDefinitions", {"name": "Next best offer",
                                                          "deploymentConfiguration": {"variants": []}})
    variant = send("POST", f"/v2/decisionModelDefinitions/{model['ref']}/variants", {
        "name": "Control", "definition": '<definitions xmlns="http://www.omg.org/spec/DMN/20151101/dmn.xsd" '
                                         'id="control" name="Control"/>\n'})
    send("PUT", f"/v2/decisionModelDefinitions/{model['ref']}", {"name": "Next best offer", "deploymentConfiguration": {
        "variants": [{"variantRef": variant["ref"], "split": 100, "status": "PRODUCTION", "variantRevision": 1}]}})
    ref = "6a1f0c2e-4b1d-4c3e-9f2a-7b8c9d0e1f2a"
    send("POST", "/v3/flowDefinitions", {
        "name": "Offer API", "friendlyId": "offer_api", "type": "INTERACTIVE_API_FLOW", "subtype": "EXPERIENCE",
        "status": "DRAFT", "channels": ["WEB"], "businessProcess": "interactive_v1",
        "schedule": {"type": "simpleSchedule", "startDate": "2026-01-01T00:00:00.000Z"},
        "traffic": {"type": "simpleTraffic", "weightingAlgorithm": "USER_DEFINED", "allocation": 100,
                    "splits": [{"ref": ref, "split": 100}]},
        "variants": [{"ref": ref, "name": "Offer", "isControl": False, "tasks": [
            {"implementation": "decisionModelTask",
             "input": {"inputType": "decisionModelTaskInput", "decisionModelRefs": [model["ref"]]}},
            {"implementation": "templateRenderTask",
             "input": {"inputType": "templateRenderTaskInput", "type": "application/json", "template": offer}}]}],
        "triggers": [], "tags": []})


def run(service: str, env: dict[str, str], out: Path) -> str:
    result = subprocess.run([sys.executable, "-m", "pulumi_personalize.export", service, "--out", str(out)],
                            env=env, capture_output=True, text=True, check=True, cwd=out.parent)
    return result.stdout.replace(str(out.parent) + "/", "")


def section(service: str, command: str, summary: str, out: Path) -> str:
    files = sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file())
    main = (out / "__main__.py").read_text()
    return "\n".join([
        f"```console\n$ {command}\n{summary.rstrip()}\n```", "",
        f"Files: {', '.join(f'`{f}`' for f in files)}.", "",
        f"`{out.name}/__main__.py`:", "", f"```python\n{main.rstrip()}\n```", ""])


INTRO = """\
# Bring an existing tenant under code: `personalize-export`

Pulumi cannot import dynamic resources (pulumi/pulumi#16175), and adoption (`adopt_uid=`,
`adopt_ref=`, `adopt_existing=`) works one object at a time. `personalize-export` reads one
Contentstack Personalize project or one Sitecore Personalize tenant and writes a runnable Pulumi
program in which every live object is a resource that adopts it:

```sh
personalize-export contentstack --stack dev --out adopted     # or: python -m pulumi_personalize.export
cd adopted && pulumi stack init dev    # set the same personalize:* settings (README), then
pulumi up                              # adopts everything; the values written are the live ones
pulumi preview                         # no changes
```

- **Settings** are the provider's: `--stack dev` reads that stack's configuration
  (`pulumi config --show-secrets --json`, run in `--cwd`, default the current folder); without
  `--stack`, the environment variables (README, "Configure real tenants"). `--namespace acme-eu`
  reads a second tenant's keys and writes `config_namespace="acme-eu"` on every resource. A refused
  credential or an unreachable region fails with the setting to fix.
- **Reads only**: GETs (and, for Sitecore, the OAuth token request). Nothing is written until you run
  `pulumi up` yourself, and that `up` writes each object's own values back (a PUT that may move the
  service's `updatedAt` / `revision` and tags Sitecore flows and templates with the adopting stack,
  nothing else; `tests/e2e/test_export_*.py` compares every field).
- **References**: an audience rule's custom attribute, an experience variant's and the targeting's
  audiences, a metric's event, a decision model variant's model, a deployment's variants, a flow
  task's decision models, a flow's code that is a template's (`template.element("html")`) are
  references between the generated resources. An object that is not exported stays a uid/ref.
- **Files**: template code (`templates/<friendly_id>/template.{html,css,js,ftl}`), DMN definitions
  (`decision_models/<model>/<variant>.dmn`) and long flow code that is no template's (`flows/...`)
  are written next to the program and read from there.
- **Secrets** the service holds (a connection's OAuth client secret) are never written: the program
  reads them from its own stack configuration (`config.require_secret("crmClientSecret")`), and the
  summary lists the `pulumi config set --secret` commands. The adopting `pulumi up` sends the value
  you set, so it overwrites the live secret: set the one in use (the summary and a comment above the
  resource say so).
- **Objects another stack manages**: a Sitecore flow or template carrying a stack's tag
  (`pulumi-stack:<organization>/<project>/<stack>`) is exported like any other, without that tag in its
  `tags`; the adopting preview then refuses it, naming that stack. Add
  `adopt_from_stack="<organization>/<project>/<stack>"` to move it to the new stack on purpose, or
  leave it out (`--name`) and let its stack keep it ([two stacks, one tenant](recovery.md#6-two-stacks-one-tenant)).
- **Project files**: `Pulumi.yaml` (name, description, `runtime: python`) and `requirements.txt`,
  whose `pulumi` line is this package's own range (`pulumi>=3.233.0,<4.0.0`), so installing it never
  changes the SDK a project already has within that range.
- **Filters**: `--kind` (repeatable: Contentstack `attribute`, `event`, `audience`, `experience`,
  `priority`, `variant_group`; Sitecore `connection`, `template`, `decision_model` with its variants
  and deployment, `flow`) and `--name 'glob*'` (name, key or friendly id). Skipped, and said so in
  the summary: what the provider does not manage (Contentstack preset attributes, Lytics audiences,
  experiences whose newest version is archived, while a variant's Lytics targeting is written as
  `lytics_audiences`; Sitecore archived objects unless `--include-archived`, which adopts and
  unarchives them; flows in `COMPLETED`).
- **Experiences**: the resource manages an experience's newest version (`latestVersion`), so that is
  the version written; an older active version of an experience with a newer draft stays active.
  `ExperiencePriority` lists the head of the project's order whose experiences are exported.
- **Variant groups**: when the stack's Content Management API settings are given
  (`personalize:contentstackStackApiKey`, and `contentstackManagementToken` or the authtoken; README,
  "Configure real tenants"), the content types linked to each exported experience's CMS variant group
  become a `cs.VariantGroupContentTypes` (it takes nothing over: its create links what is linked
  already, so the adopting `up` changes nothing). Without them the summary says they were not exported
  and which setting is missing.
- **Bulk import file**: `--format pulumi-import --out tenant.json` writes, instead of a program,
  Pulumi's bulk import file for the native provider (`pulumi-resource-personalize`): one entry per
  object the program would adopt (the same objects, skipped for the same reasons), each with the
  provider's type token (`personalize:contentstack:Attribute`, ...), the resource name the program
  would use, and the id `pulumi import` takes (the object's uid or ref; `experience-priority` for the
  priority order, the model's ref for a deployment, the group's uid for a variant group link).
  `pulumi import -f tenant.json` in a project whose `personalize:*` settings name the tenant imports
  them all (`--generate-code=false` writes no code).
- **Code style**: the program is formatted (with `ruff format` when ruff is installed beside the
  Python running the command) and passes `ruff check`.

Below: real runs against the emulator (`scripts/capture_export.py` makes this page).
"""


def build() -> str:
    parts = [INTRO]
    with tempfile.TemporaryDirectory() as scratch, running_emulator() as emulator:
        root = Path(scratch)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("CONTENTSTACK_", "SITECORE_", "PERSONALIZE_"))}
        env.update(emulator.client_env(PROJECT))
        env["CONTENTSTACK_STACK_API_KEY"] = EMULATOR_STACK_API_KEY  # the stack's variant groups are read too
        link_content_types(emulator, contentstack_tenant(emulator.base_url), ["landing_page"])
        sitecore_tenant(emulator.base_url)
        for service, title in (("contentstack", "A Contentstack project"), ("sitecore", "A Sitecore tenant")):
            out = root / f"{service}-export"
            summary = run(service, env, out)
            parts += [f"## {title}", "", section(service, f"personalize-export {service} --out {out.name}", summary, out)]
    return "\n".join(parts).rstrip() + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--print", action="store_true", help="print the page instead of writing it")
    args = parser.parse_args()
    page = build()
    if args.print:
        print(page)
    else:
        PAGE.write_text(page)
        print(f"wrote {PAGE.relative_to(REPO)}")


if __name__ == "__main__":
    main()
