"""Several stacks of one Contentstack organization, `pulumi up` at once (issue 21).

Each stack is a project directory of its own (its own engine, language host and provider process,
as parallel CI jobs have) on its own Contentstack project; all the projects belong to one
organization, and the emulator limits that organization to 10 requests per second with 50 ms of
latency on every request. The providers share their budget through one folder
(``PERSONALIZE_RATE_LIMIT_DIR``), as stacks on one CI runner do; ``sharing=False`` turns that off,
as for stacks on separate runners.

Bound = calls the service accepted / 10 per second (a refused call does not count against the
limit, so it is no part of the work to do); ratio = wall time of the whole rollout / bound.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pulumi import automation as auto

from benchmarks import harness
from pulumi_personalize.emulator.testing import EmulatorHandle

ORGANIZATION = "blt-bench-organization"


@dataclass
class LocalStack:
    """A project directory with its program, and its stack on a file backend of its own."""

    stack: auto.Stack
    folder: Path

    def up(self) -> tuple[float, auto.UpResult | Exception]:
        started = time.monotonic()
        try:
            result: auto.UpResult | Exception = self.stack.up(color="never", on_output=lambda _: None)
        except auto.CommandError as exc:  # a failed stack is a result here, not a crash
            result = exc
        return time.monotonic() - started, result


def create_projects(emu: EmulatorHandle, k: int) -> list[str]:
    """k Contentstack projects of one organization (POST /projects, as the UI would)."""
    import httpx

    headers = {"authtoken": harness.AUTHTOKEN, "organization_uid": ORGANIZATION}
    uids = []
    with httpx.Client(base_url=emu.base_url, headers=headers, timeout=30) as client:
        for i in range(k):
            response = client.post("/projects", json={"name": f"Environment {i}"})
            response.raise_for_status()
            uids.append(str(response.json()["uid"]))
    return uids


def local_stack(root: Path, name: str, program: str, config: dict[str, auto.ConfigValue],
                env: dict[str, str]) -> LocalStack:
    folder = root / name
    (folder / "backend").mkdir(parents=True)
    (folder / "Pulumi.yaml").write_text(
        f"name: {name}\nruntime: python\nbackend:\n  url: file://{folder / 'backend'}\n")
    (folder / "__main__.py").write_text(program)
    opts = auto.LocalWorkspaceOptions(work_dir=str(folder), pulumi_home=str(folder / "pulumi-home"),
                                      secrets_provider="passphrase", env_vars={**harness.engine_env(), **env},
                                      pulumi_command=auto.PulumiCommand(root=str(harness.TOOLS)))
    stack = auto.create_or_select_stack(stack_name="ci", work_dir=str(folder), opts=opts)
    stack.set_all_config(config)
    return LocalStack(stack=stack, folder=folder)


def program_text(kind: str, n: int) -> str:
    return f"from benchmarks import programs\n\nprograms.{kind}({n})()\n"


def shared_organization_run(k: int, n: int, *, rate: float, latency_ms: float, sharing: bool = True) -> dict[str, Any]:
    """k stacks of n Contentstack objects each, one project each, one organization, `up` at once."""
    root = Path(tempfile.mkdtemp(prefix=f"bench-{k}x{n}-"))
    quotas = {"PERSONALIZE_EMULATOR_QUOTAS": json.dumps({"projects_per_organization": max(3, k)})}
    env = {"PERSONALIZE_RATE_LIMIT_DIR": str(root / "rate-limits") if sharing else "off"}
    try:
        with harness.emulator(rate_limit=rate, latency_ms=latency_ms, env=quotas) as emu:
            stacks = []
            for i, uid in enumerate(create_projects(emu, k)):
                config = harness.emulator_config(emu, contentstack_rps=rate, sitecore_rps=None)
                config["personalize:contentstackProjectUid"] = auto.ConfigValue(uid)
                stacks.append(local_stack(root, f"env{i}", program_text("contentstack", n), config, env))
            emu.clear_requests()
            started, started_at = time.monotonic(), time.time()
            with ThreadPoolExecutor(max_workers=k) as pool:
                outcomes = list(pool.map(lambda s: s.up(), stacks))
            wall = time.monotonic() - started
            calls = harness.api_requests(emu)
            phases = harness.phases(calls, started_at, wall)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    refused = sum(1 for r in calls if r.get("status") == 429)
    accepted = len(calls) - refused
    failed_stacks = sum(1 for _, result in outcomes if isinstance(result, Exception))
    bound = accepted / rate
    return {
        "stacks": k,
        "n": n,
        "sharing": sharing,
        "wall_s": round(wall, 2),
        "stack_walls_s": [round(w, 2) for w, _ in outcomes],
        "calls": len(calls),
        "accepted": accepted,
        "http_429": refused,
        "bound_s": round(bound, 2),
        "ratio": round(wall / bound, 3) if bound else None,
        "failed_stacks": failed_stacks,
        **phases,
        "errors": [str(r)[-400:] for _, r in outcomes if isinstance(r, Exception)],
    }


def startup_run() -> dict[str, Any]:
    """What a `pulumi up` costs before its first API call: engine, language host, program and provider
    process, measured as the `up` of one no-op dynamic resource. ``inline_s``: an inline program of the
    benchmark process (the single-stack runs); ``cli_s``: a project directory whose program the
    language host runs in a new Python process, as a CI job does (the k-stack runs). The second of two
    runs each (warm)."""
    from benchmarks import programs

    inline = []
    for attempt in range(2):
        bench = harness.new_stack(programs.noop(1), {}, name=f"startup{attempt}")
        try:
            inline.append(bench.up()[0])
        finally:
            bench.close()
    cli = []
    root = Path(tempfile.mkdtemp(prefix="bench-startup-"))
    try:
        for attempt in range(2):
            cli.append(local_stack(root, f"startup{attempt}", program_text("noop", 1), {}, {}).up()[0])
    finally:
        shutil.rmtree(root, ignore_errors=True)
    return {"inline_s": round(inline[1], 2), "cli_s": round(cli[1], 2)}


def print_table(runs: list[dict[str, Any]], startup: dict[str, Any] | None) -> None:
    print("\n### k stacks of one organization, `pulumi up` at once, 10 requests/s per organization, 50 ms latency\n")
    print("(target: 0 failed stacks, wall <= 1.2 x accepted calls / 10 s)\n")
    print("| stacks x N | budget shared | calls | 429s | bound (s) | wall (s) | ratio | each stack's wall (s) | failed stacks "
          "| before 1st call (s) | 1st to last call (s) | accepted/s between | after last call (s) |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: |")
    for r in runs:
        walls = " / ".join(str(w) for w in r["stack_walls_s"])
        print(f"| {r['stacks']} x {r['n']} | {'yes' if r['sharing'] else 'no'} | {r['calls']} | {r['http_429']} | "
              f"{r['bound_s']} | {r['wall_s']} | {r['ratio']} | {walls} | {r['failed_stacks']} | "
              f"{r.get('before_first_call_s')} | {r.get('first_to_last_call_s')} | {r.get('accepted_per_s_between')} | "
              f"{r.get('after_last_call_s')} |")
    if startup:
        print(f"\nStart-up of one `pulumi up` of a project directory (engine, language host, program, provider "
              f"process; one no-op resource): {startup['cli_s']} s. Ratio less start-up of the first row: "
              + (f"{round((runs[0]['wall_s'] - startup['cli_s']) / runs[0]['bound_s'], 3)}." if runs else "-"))
