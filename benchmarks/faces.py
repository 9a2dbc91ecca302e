"""The native face beside the dynamic one: the same N resources as a Python program on the dynamic
resources and as a YAML program on the native provider (`pulumi-resource-personalize`), under the
same engine, against a fresh emulator at zero latency and with no rate limit, so what differs is
the provider (and the language host), not the services' pace.

Per face, product and N: `pulumi up` (wall, API calls, peak RSS of the provider and the engine), a
no-change `pulumi preview`, `pulumi refresh` and `pulumi destroy` (wall, API calls).

The mix, per product (each resource independent of the others, one POST at create):
Contentstack attributes, events and audiences in turn (the project's quota is 100 of each, so at
N = 300 exactly full); Sitecore templates and decision models in turn. Both faces declare exactly
the same objects, with the same inputs (an audience's rule tree in its wire form, which both take).
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from pulumi import automation as auto

from benchmarks import harness
from benchmarks.programs import Program

FACES = ("dynamic", "native")


def _objects(product: str, n: int) -> list[tuple[str, str, dict[str, Any]]]:
    """(name, native type token, inputs in the schema's camelCase) of the N resources."""
    found: list[tuple[str, str, dict[str, Any]]] = []
    for i in range(n):
        if product == "contentstack" and i % 3 == 0:
            found.append((f"attr-{i}", "personalize:contentstack:Attribute",
                          {"name": f"Bench attribute {i}", "key": f"bench_attr_{i}", "description": "benchmark"}))
        elif product == "contentstack" and i % 3 == 1:
            found.append((f"event-{i}", "personalize:contentstack:Event",
                          {"key": f"bench_event_{i}", "description": "benchmark"}))
        elif product == "contentstack":
            found.append((f"aud-{i}", "personalize:contentstack:Audience",
                          {"name": f"Bench audience {i}", "description": "benchmark", "definition": _device(i)}))
        elif i % 2 == 0:
            found.append((f"tpl-{i}", "personalize:sitecore:Template",
                          {"name": f"Bench template {i}", "friendlyId": f"bench_template_{i}", "type": "WEB",
                           "templateElements": [{"id": "html", "template": f"<div>{i}</div>"}]}))
        else:
            found.append((f"dm-{i}", "personalize:sitecore:DecisionModel", {"name": f"Bench decision model {i}"}))
    return found


def _device(i: int) -> dict[str, Any]:
    """Visitors on device ``device-i``: a rule on a preset attribute, so no audience needs another resource."""
    rule = {"__type": "Rule", "attribute": {"__type": "PresetAttributeReference", "ref": "DEVICE_TYPE"},
            "attributeMatchCondition": "STRING_EQUALS",
            "attributeMatchOptions": {"__type": "StringMatchOptions", "value": f"device-{i}"}}
    return {"__type": "RuleCombination", "combinationType": "AND", "rules": [rule]}


def dynamic_program(product: str, n: int) -> Program:
    def program() -> None:
        from pulumi_personalize import contentstack as cs
        from pulumi_personalize import sitecore as sc

        kinds: dict[str, Callable[..., Any]] = {
            "personalize:contentstack:Attribute": cs.Attribute, "personalize:contentstack:Event": cs.Event,
            "personalize:contentstack:Audience": cs.Audience,
            "personalize:sitecore:Template": sc.Template, "personalize:sitecore:DecisionModel": sc.DecisionModel,
        }
        for name, token, inputs in _objects(product, n):
            snake = {"friendlyId": "friendly_id", "templateElements": "template_elements"}
            kinds[token](name, **{snake.get(k, k): v for k, v in inputs.items()})

    return program


def yaml_program(product: str, n: int, backend: Path) -> str:
    """Pulumi.yaml of the native face. JSON is YAML: each resource is one line of JSON."""
    lines = ["name: bench", "runtime: yaml", "backend:", f"  url: file://{backend}", "resources:"]
    for name, token, inputs in _objects(product, n):
        lines.append(f"  {name}: {json.dumps({'type': token, 'properties': inputs})}")
    return "\n".join(lines) + "\n"


def native_env() -> dict[str, str]:
    """The engine's environment, with the plugin of .venv/bin on PATH."""
    env = harness.engine_env()
    env["PATH"] = f"{harness.REPO / '.venv' / 'bin'}{os.pathsep}{env['PATH']}"
    return env


def new_stack(face: str, product: str, n: int, config: Mapping[str, auto.ConfigValue]) -> harness.Bench:
    if face == "dynamic":
        return harness.new_stack(dynamic_program(product, n), config, name=f"{face}{product}{n}")
    folder = Path(tempfile.mkdtemp(prefix=f"bench-native{product}{n}-"))
    (folder / "backend").mkdir()
    (folder / "work").mkdir()
    (folder / "work" / "Pulumi.yaml").write_text(yaml_program(product, n, folder / "backend"))
    opts = auto.LocalWorkspaceOptions(
        pulumi_home=str(folder / "pulumi-home"), secrets_provider="passphrase", env_vars=native_env(),
        pulumi_command=auto.PulumiCommand(root=str(harness.TOOLS)),
    )
    try:
        stack = auto.create_or_select_stack(stack_name="bench", work_dir=str(folder / "work"), opts=opts)
        stack.set_all_config(dict(config))
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return harness.Bench(stack=stack, folder=folder)


def _changes(summary: Any) -> dict[str, int]:
    return {str(k): int(v) for k, v in (summary.resource_changes or {}).items() if k != "same" and v}


def run(face: str, product: str, n: int) -> dict[str, Any]:
    """up (with peak RSS), no-change preview, refresh and destroy of one face's stack."""
    with harness.emulator(rate_limit=None, latency_ms=0) as emu:
        config = harness.emulator_config(emu, contentstack_rps=None, sitecore_rps=None)
        bench = new_stack(face, product, n, config)
        try:
            emu.clear_requests()
            with harness.PeakRss() as rss:
                up_s, up = bench.up()
            up_calls = len(harness.api_requests(emu))
            preview_s, preview = bench.preview()
            emu.clear_requests()
            refresh_s, _ = bench.refresh()
            refresh_calls = len(harness.api_requests(emu))
            emu.clear_requests()
            destroy_s, _ = bench.destroy()
            destroy_calls = len(harness.api_requests(emu))
        finally:
            bench.close()
    return {
        "face": face, "product": product, "n": n,
        "up_s": round(up_s, 2), "up_calls": up_calls, "up_changes": _changes(up.summary),
        "preview_s": round(preview_s, 2),
        "preview_changes": {k: v for k, v in preview.change_summary.items() if k != "same" and v},
        "refresh_s": round(refresh_s, 2), "refresh_calls": refresh_calls,
        "destroy_s": round(destroy_s, 2), "destroy_calls": destroy_calls,
        "provider_peak_rss_mib": rss.mib("provider"), "engine_peak_rss_mib": rss.mib("engine"),
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }


def print_table(rows: list[dict[str, Any]]) -> None:
    print("\n### The native face (YAML program) beside the dynamic one (Python program): zero latency, no limit\n")
    print("| product | N | face | up (s) | up calls | no-change preview (s) | refresh (s) | refresh calls "
          "| destroy (s) | provider RSS (MiB) | engine RSS (MiB) |")
    print("| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for r in rows:
        prov, eng = r["provider_peak_rss_mib"], r["engine_peak_rss_mib"]
        print(f"| {r['product']} | {r['n']} | {r['face']} | {r['up_s']} | {r['up_calls']} | {r['preview_s']} | "
              f"{r['refresh_s']} | {r['refresh_calls']} | {r['destroy_s']} | {prov and round(prov, 1)} | "
              f"{eng and round(eng, 1)} |")


def main(products: list[str], sizes: list[int]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for product in products:
        for n in sizes:
            for face in FACES:
                print(f"- {face} face, {product} N={n}: up, preview, refresh, destroy ...", flush=True)
                started = time.monotonic()
                rows.append(run(face, product, n))
                print(f"  {json.dumps(rows[-1])} ({time.monotonic() - started:.0f} s)", flush=True)
    print_table(rows)
    return rows
