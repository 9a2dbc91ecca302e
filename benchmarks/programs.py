"""The Pulumi programs the benchmarks run: N resources of one product, or N no-op resources.

Each resource is independent of the others (no dependency chains), so the engine may run them all
at once and the only limits are the engine, the provider host's threads and the rate limit.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pulumi_personalize.contentstack.rules import RuleCombination

Program = Callable[[], None]


def noop(n: int) -> Program:
    """N no-op resources of one property each."""

    def program() -> None:
        from benchmarks.noop import Noop

        for i in range(n):
            Noop(f"noop-{i}", name=f"noop-{i}")

    return program


def replay(records: list[tuple[str, dict[str, Any], list[str]]]) -> Program:
    """No-ops that store what real resources stored: (name, inputs, secret outputs) each, their
    outputs from the file ``benchmarks.noop.REPLAY_ENV`` names (``benchmarks.noop.Replay``)."""

    def program() -> None:
        import pulumi

        from benchmarks.noop import Replay

        for name, inputs, secrets in records:
            Replay(name, inputs, pulumi.ResourceOptions(additional_secret_outputs=secrets) if secrets else None)

    return program


def contentstack(n: int) -> Program:
    """N list-only Contentstack resources: attributes, events and audiences in turn (1:1:1).

    Each audience refers to a preset attribute (no dependency on the stack's own attributes), so
    every resource is independent.
    """

    def program() -> None:
        from pulumi_personalize import contentstack as cs

        for i in range(n):
            kind = i % 3
            if kind == 0:
                cs.Attribute(f"attr-{i}", name=f"Bench attribute {i}", key=f"bench_attr_{i}",
                             description="benchmark")
            elif kind == 1:
                cs.Event(f"event-{i}", key=f"bench_event_{i}", description="benchmark")
            else:
                cs.Audience(
                    f"aud-{i}",
                    name=f"Bench audience {i}",
                    description="benchmark",
                    definition=_audience_definition(i),
                )

    return program


def _audience_definition(i: int) -> RuleCombination:
    from pulumi_personalize.contentstack import rules

    return rules.all_of(rules.Rule(rules.preset("DEVICE_TYPE"), "STRING_EQUALS", rules.StringMatch(f"device-{i}")))


# Sitecore kinds in turn, two templates and two connections for each flow and decision model: at
# N = 300 that is 100 templates, so a refresh walks a second (empty) page of /v3/templates.
SITECORE_MIX = ("template", "connection", "flow", "template", "connection", "decision model")


def sitecore_kinds(n: int) -> dict[str, int]:
    """How many of each Sitecore kind ``sitecore(n)`` declares."""
    counts = dict.fromkeys(SITECORE_MIX, 0)
    for i in range(n):
        counts[SITECORE_MIX[i % len(SITECORE_MIX)]] += 1
    return counts


def sitecore(n: int) -> Program:
    """N independent Sitecore resources: templates, connections, web experiences (DRAFT, one
    variant with its own code) and decision models, 2:2:1:1. Each is one POST at create."""

    def program() -> None:
        from pulumi_personalize import sitecore as sc
        from pulumi_personalize.sitecore import flows

        for i in range(n):
            kind = SITECORE_MIX[i % len(SITECORE_MIX)]
            if kind == "template":
                sc.Template(f"tpl-{i}", name=f"Bench template {i}", friendly_id=f"bench_template_{i}",
                            type="WEB", html=f"<div>{i}</div>", css="div{}")
            elif kind == "connection":
                sc.Connection(f"conn-{i}", name=f"Bench connection {i}", system_type="DATA_SYSTEM",
                              request=sc.ConnectionRequestArgs(connection_url=f"https://example.com/bench/{i}"))
            elif kind == "flow":
                flows.web_experience(f"flow-{i}", name=f"Bench flow {i}", friendly_id=f"bench_flow_{i}",
                                     start_date="2025-01-06T00:00:00.000Z",
                                     variant=flows.Variant(f"Bench {i}", html=f"<p>{i}</p>"))
            else:
                sc.DecisionModel(f"dm-{i}", name=f"Bench decision model {i}")

    return program


PRODUCTS: dict[str, Callable[[int], Program]] = {"contentstack": contentstack, "sitecore": sitecore}
