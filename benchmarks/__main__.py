"""`make bench` / `python -m benchmarks`: the real engine against the emulator; prints ratios.

Three measurements per product (Contentstack: attributes, events, audiences; Sitecore: templates,
connections, web experiences and decision models, 2:2:1:1) and per size N:

1. `pulumi up` of N resources with the emulator's 10 requests/second limit and 50 ms latency on
   every request (Sitecore: the emulator has no limit of its own, the provider's client is set to
   10/s). Bound = API calls (from the emulator's request log) / 10 per second; ratio = wall / bound.
   Then `pulumi refresh` of the same stack: API calls, wall time, and the list pages it read.
2. The same `pulumi up` at zero latency and no limit, and `pulumi up` of N no-op dynamic resources
   under the same engine (benchmarks/noop.py): ratio = real / no-op.
3. Peak RSS of the dynamic provider process (VmHWM from /proc), during the limited `up`.
4. The native face beside the dynamic one (benchmarks/faces.py): the same resources as a YAML
   program on the native provider and as a Python program on the dynamic resources, N = 50 and 300.
5. k stacks of one Contentstack organization (one project each), `pulumi up` at once against the
   emulator's 10 requests/second per organization (benchmarks/multi.py), and the start-up cost of
   one `pulumi up` on its own.

Nothing is asserted; the numbers are printed (and written as JSON with --json).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from benchmarks import faces, harness, multi, noop, programs, sampler

RATE = 10.0
LATENCY_MS = 50.0


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="50,150,300", help="comma-separated N (default 50,150,300)")
    parser.add_argument("--quick", action="store_true", help="N=50 only: about two minutes")
    parser.add_argument("--products", default="contentstack,sitecore", help="contentstack,sitecore")
    parser.add_argument("--skip-floor", action="store_true", help="skip the zero-latency / no-op comparison")
    parser.add_argument("--client-rps", type=float, default=RATE,
                        help="the providers' client-side limit in the limited runs (default 10, the service's)")
    parser.add_argument("--face-sizes", default="50,300",
                        help="N of the native-beside-dynamic comparison (default 50,300)")
    parser.add_argument("--skip-faces", action="store_true", help="skip the native-beside-dynamic comparison")
    parser.add_argument("--only-faces", action="store_true", help="run only the native-beside-dynamic comparison")
    parser.add_argument("--json", type=Path, default=None, help="also write the results here")
    parser.add_argument("--stacks", default="3x300,5x150",
                        help="k stacks x N objects of one organization, up at once (default 3x300,5x150; '' skips)")
    parser.add_argument("--unshared", action="store_true",
                        help="also run the first --stacks entry with no shared budget (stacks on separate runners)")
    parser.add_argument("--floor-repeats", type=int, default=5,
                        help="runs of each zero-latency / no-op comparison; the row shows the median (default 5)")
    parser.add_argument("--profile", action="store_true",
                        help="sample the provider process during the floor runs and print where its time went")
    args = parser.parse_args(argv)
    args.stacks = [tuple(int(x) for x in item.lower().split("x")) for item in args.stacks.split(",") if item.strip()]
    args.sizes = [50] if args.quick else [int(s) for s in args.sizes.split(",") if s.strip()]
    args.face_sizes = [50] if args.quick else [int(s) for s in args.face_sizes.split(",") if s.strip()]
    args.products = [p.strip() for p in args.products.split(",") if p.strip()]
    for product in args.products:
        if product not in programs.PRODUCTS:
            parser.error(f"unknown product {product!r}; choose from {', '.join(programs.PRODUCTS)}")
    return args


def count_changes(summary: Any) -> int:
    return int((summary.resource_changes or {}).get("create", 0)) - 1  # minus the stack itself


def limited_run(product: str, n: int, client_rps: float = RATE) -> dict[str, Any]:
    """`pulumi up` then `pulumi refresh` at 10 requests/second and 50 ms latency."""
    with harness.emulator(rate_limit=RATE, latency_ms=LATENCY_MS) as emu:
        config = harness.emulator_config(emu, contentstack_rps=client_rps, sitecore_rps=client_rps)
        bench = harness.new_stack(programs.PRODUCTS[product](n), config, name=f"{product}{n}")
        try:
            emu.clear_requests()
            with harness.PeakRss() as rss:
                started_at = time.time()
                wall, result = bench.up()
            cli = bench.cli_s
            calls = harness.api_requests(emu)
            phases = harness.phases(calls, started_at, wall)
            counts = harness.summarize_requests(calls)
            created = count_changes(result.summary)
            bound = len(calls) / RATE
            emu.clear_requests()
            refresh_wall, _ = bench.refresh()
            refresh_calls = harness.api_requests(emu)
        finally:
            bench.close()
    return {
        "product": product,
        "n": n,
        "up_s": round(wall, 2),
        "up_cli_s": round(cli, 2),
        "ratio_cli": round(cli / bound, 3),
        "calls": len(calls),
        "calls_per_resource": round(len(calls) / n, 2),
        "bound_s": round(bound, 2),
        "ratio": round(wall / bound, 3),
        "created": created,
        "failed": n - created,
        "http_429": counts.get("status 429", 0),
        "http_errors": sum(v for k, v in counts.items() if k.startswith("status ")),
        "calls_by_kind": counts,
        **phases,
        "refresh_s": round(refresh_wall, 2),
        "refresh_calls": len(refresh_calls),
        "refresh_calls_by_kind": harness.summarize_requests(refresh_calls),
        "refresh_list_pages": harness.list_pages(refresh_calls),
        "up_list_pages": harness.list_pages(calls),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "provider_peak_rss_mib": rss.mib("provider"),
        "engine_peak_rss_mib": rss.mib("engine"),
    }


def profiled_env(name: str) -> tuple[dict[str, str], str]:
    """The environment that runs the provider process under ``benchmarks.sampler``, and its output prefix."""
    folder = Path(tempfile.mkdtemp(prefix="bench-profile-"))
    script = folder / "python-profiled"
    python = os.environ.get("PULUMI_PYTHON_CMD") or sys.executable  # the providers' Python (make bench: .venv-bench)
    script.write_text(f'#!/bin/sh\nexec "{python}" -m benchmarks.sampler "$@"\n')
    script.chmod(0o755)
    prefix = str(folder / name)
    return {"PULUMI_PYTHON_CMD": str(script), sampler.OUT_ENV: prefix}, prefix


def noop_up(n: int) -> tuple[float, float, float]:
    """`pulumi up` of N no-op resources: (wall, the CLI command's wall, mean state bytes per resource)."""
    bench = harness.new_stack(programs.noop(n), {}, name=f"noop{n}")
    try:
        wall, _ = bench.up()
        return wall, bench.cli_s, bench.state_bytes()
    finally:
        bench.close()


def replay_up(deployment: dict[str, Any], name: str) -> tuple[float, float]:
    """`pulumi up` of no-ops that store what the real stack stored (``noop.Replay``): (wall, mean
    state bytes per resource)."""
    folder = Path(tempfile.mkdtemp(prefix="bench-replay-"))
    try:
        outputs = folder / "outputs.json"
        records = harness.replay_records(deployment, outputs)
        bench = harness.new_stack(programs.replay(records), {}, name=name, env={noop.REPLAY_ENV: str(outputs)})
        try:
            wall, _ = bench.up()
            return wall, bench.state_bytes()
        finally:
            bench.close()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def floor_run(product: str, n: int, profile: bool = False) -> dict[str, Any]:
    """The same `up` at zero latency and no limit, against N no-op resources under the same engine:
    no-ops of one property (the issue's target), and no-ops that store exactly what the real
    resources stored, inputs and outputs (the file backend rewrites the whole state after each step,
    so a heavier state costs the engine more whoever the provider is: the ratio to them is what the
    provider itself adds)."""
    env, prefix = profiled_env(f"{product}{n}") if profile else ({}, "")
    with harness.emulator(rate_limit=None, latency_ms=0) as emu:
        config = harness.emulator_config(emu, contentstack_rps=None, sitecore_rps=None)
        bench = harness.new_stack(programs.PRODUCTS[product](n), config, name=f"{product}{n}fast", env=env)
        program = sampler.Sampler(Path(f"{prefix}-program.{os.getpid()}.json")) if profile else None
        try:
            emu.clear_requests()
            if program is not None:  # the inline program runs in this process
                threading.Thread(target=program.run, daemon=True).start()
            real_wall, result = bench.up()
            real_cli = bench.cli_s
            if program is not None:
                program.stop()
            calls = len(harness.api_requests(emu))
            created = count_changes(result.summary)
            real_bytes = bench.state_bytes()
            deployment = bench.stack.export_stack().deployment or {}
        finally:
            bench.close()
    noop_wall, noop_cli, noop_bytes = noop_up(n)
    replay_wall, replay_bytes = replay_up(deployment, f"replay{product}{n}")
    if profile:
        time.sleep(1.1)  # the sampler writes once a second; the engine has stopped the provider by now
        print(f"\n#### where the {product} provider process spent its time (N = {n}, zero latency, no limit)\n")
        print(sampler.report(prefix))
        print(f"\n#### where the {product} program (this process) spent its time\n")
        print(sampler.report(f"{prefix}-program"))
    return {
        "product": product,
        "n": n,
        "real_s": round(real_wall, 2),
        "noop_s": round(noop_wall, 2),
        "ratio": round(real_wall / noop_wall, 3),
        "real_cli_s": round(real_cli, 2),
        "noop_cli_s": round(noop_cli, 2),
        "ratio_cli": round(real_cli / noop_cli, 3),
        "state_bytes": round(real_bytes),
        "noop_state_bytes": round(noop_bytes),
        "replay_state_bytes": round(replay_bytes),
        "replay_s": round(replay_wall, 2),
        "ratio_replay": round(real_wall / replay_wall, 3),
        "calls": calls,
        "failed": n - created,
    }


def floor_median(product: str, n: int, repeats: int, profile: bool = False) -> dict[str, Any]:
    """``floor_run`` ``repeats`` times: the run with the median ratio, with every run's ratios beside
    it. On two cores one run's ratio varies by up to 10% at N = 300 (1.22 to 1.35 for Sitecore in
    one series), so the median of three moved by 0.05 between runs of the same code."""
    runs = [floor_run(product, n, profile and i == 0) for i in range(max(1, repeats))]
    for run in runs:
        print(f"    run: {json.dumps(run)}", flush=True)
    median = sorted(runs, key=lambda r: r["ratio"])[len(runs) // 2]
    return {**median, "ratios": [r["ratio"] for r in runs], "ratios_replay": [r["ratio_replay"] for r in runs]}


def print_tables(limited: list[dict[str, Any]], floors: list[dict[str, Any]], startup: float) -> None:
    print("\n### `pulumi up` at 10 requests/s and 50 ms latency (target: wall <= 1.10 x calls/10 s at N >= 150, 0 failed)\n")
    print("`pulumi up`: the CLI command's own wall time (what a CI job's `pulumi up` takes); Automation: the "
          "Automation API's `up`, which also runs `pulumi stack output` and reads the history after it. "
          f"Ratio less start-up: (Automation wall - {startup} s, the start-up measured on its own) / bound. "
          "Before 1st / after last call: from the start of the Automation `up` to the first API call the "
          "emulator logged, and from the last one to the end.\n")
    print("| product | N | API calls | bound (s) | `pulumi up` (s) | **ratio** | Automation (s) | ratio | "
          "ratio less start-up | before 1st call (s) | 1st to last call (s) | after last call (s) | failed | 429s |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for r in limited:
        less = round((r["up_s"] - startup) / r["bound_s"], 3) if r["bound_s"] else None
        print(f"| {r['product']} | {r['n']} | {r['calls']} | {r['bound_s']} | {r['up_cli_s']} | **{r['ratio_cli']}** | "
              f"{r['up_s']} | {r['ratio']} | {less} | {r.get('before_first_call_s')} | "
              f"{r.get('first_to_last_call_s')} | {r.get('after_last_call_s')} | {r['failed']} | {r['http_429']} |")
    print("\n### `pulumi refresh` of the same stacks (target: API calls grow with list pages, not objects)\n")
    print("| product | N | API calls | wall (s) | calls by kind | list pages (offsets) |")
    print("| --- | ---: | ---: | ---: | --- | --- |")
    for r in limited:
        kinds = ", ".join(f"{k}: {v}" for k, v in sorted(r["refresh_calls_by_kind"].items()))
        pages = "; ".join(f"{k} {v}" for k, v in sorted(r["refresh_list_pages"].items())) or "-"
        print(f"| {r['product']} | {r['n']} | {r['refresh_calls']} | {r['refresh_s']} | {kinds} | {pages} |")
    print("\n### Peak RSS during `pulumi up` (VmHWM)\n")
    print("| product | N | dynamic provider (MiB) | engine (MiB) |")
    print("| --- | ---: | ---: | ---: |")
    for r in limited:
        prov, eng = r["provider_peak_rss_mib"], r["engine_peak_rss_mib"]
        print(f"| {r['product']} | {r['n']} | {prov and round(prov, 1)} | {eng and round(eng, 1)} |")
    if floors:
        print("\n### Zero latency, no limit, against N no-op dynamic resources (target: ratio <= 1.25)\n")
        print("Each row: the run with the median ratio of the runs made (`--floor-repeats`), every run's "
              "ratio beside it. State: mean JSON characters of a resource's inputs and outputs in the state. "
              "Same-state no-op: no-ops that store exactly what the real resources stored, inputs and outputs "
              "(`benchmarks/noop.py`, `Replay`): the ratio to them is the provider's own cost.\n")
        print("| product | N | API calls | real (s) | no-op (s) | **ratio** | every run | `pulumi up` ratio | "
              "state, real / no-op | same-state no-op (s) | ratio to same-state | every run | failed |")
        print("| --- | ---: | ---: | ---: | ---: | ---: | --- | ---: | --- | ---: | ---: | --- | ---: |")
        for r in floors:
            every = " / ".join(str(x) for x in r.get("ratios", [r["ratio"]]))
            every_replay = " / ".join(str(x) for x in r.get("ratios_replay", [r["ratio_replay"]]))
            print(f"| {r['product']} | {r['n']} | {r['calls']} | {r['real_s']} | {r['noop_s']} | **{r['ratio']}** | "
                  f"{every} | {r['ratio_cli']} | {r['state_bytes']} / {r['noop_state_bytes']} | {r['replay_s']} | "
                  f"{r['ratio_replay']} | {every_replay} | {r['failed']} |")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if not (harness.TOOLS / "bin" / "pulumi").exists():
        print("the Pulumi CLI is not installed: run `make setup`", file=sys.stderr)
        return 2
    started = time.monotonic()
    sizes = "none" if args.only_faces else args.sizes
    faces_at = "none" if args.skip_faces else args.face_sizes
    print(f"# benchmarks: sizes {sizes}, faces at {faces_at}, products {args.products}, "
          f"client limit {args.client_rps:g}/s, "
          f"{os.cpu_count()} CPUs, Python {platform.python_version()}, "
          f"load average {' / '.join(f'{x:.2f}' for x in os.getloadavg())} (1/5/15 min), "
          f"providers' Python {os.environ.get('PULUMI_PYTHON_CMD') or 'of .venv (the launchers default)'}",
          flush=True)
    limited: list[dict[str, Any]] = []
    floors: list[dict[str, Any]] = []
    startup = {} if args.only_faces else multi.startup_run()
    if startup:
        print(f"- start-up of one `pulumi up` (one no-op resource): {json.dumps(startup)}", flush=True)
    for product in [] if args.only_faces else args.products:
        for n in args.sizes:
            print(f"- {product} N={n}: up + refresh at {RATE:g}/s, {LATENCY_MS:g} ms ...", flush=True)
            limited.append(limited_run(product, n, args.client_rps))
            print(f"  {json.dumps({k: v for k, v in limited[-1].items() if 'by_kind' not in k})}", flush=True)
            if not args.skip_floor:
                print(f"- {product} N={n}: zero latency, no limit, and no-op ...", flush=True)
                floors.append(floor_median(product, n, args.floor_repeats, args.profile))
                print(f"  {json.dumps(floors[-1])}", flush=True)
    shared: list[dict[str, Any]] = []
    for i, (k, n) in enumerate([] if args.only_faces else args.stacks):
        for sharing in (True, False) if (args.unshared and i == 0) else (True,):
            print(f"- {k} stacks x {n} Contentstack objects of one organization, up at once "
                  f"(budget shared: {sharing}) ...", flush=True)
            shared.append(multi.shared_organization_run(k, n, rate=RATE, latency_ms=LATENCY_MS, sharing=sharing))
            print(f"  {json.dumps(shared[-1])}", flush=True)
    if limited:
        print_tables(limited, floors, startup["inline_s"])
    if shared:
        multi.print_table(shared, startup)
    face_rows = [] if args.skip_faces else faces.main(args.products, args.face_sizes)
    total = time.monotonic() - started
    print(f"\nTotal benchmark time: {total:.0f} s; load average at the end "
          f"{' / '.join(f'{x:.2f}' for x in os.getloadavg())} (1/5/15 min)")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"limited": limited, "floor": floors, "startup": startup,
                                         "shared_organization": shared, "faces": face_rows, "total_s": total},
                                        indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
