"""The Pulumi programs the benchmarks run: N resources of one product, or N no-op resources.

Each resource is independent of the others (no dependency chains), so the engine may run them all
at once and the only limits are the engine, the provider host's threads and the rate limit.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pulumi_personalize.contentstack.rules import RuleCombination

Program = Callable[[], None]


def noop(n: int) -> Program:
    def program() -> None:
        from benchmarks.noop import Noop

        for i in range(n):
            Noop(f"noop-{i}", name=f"noop-{i}")

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


def sitecore(n: int) -> Program:
    """N Sitecore resources: templates and connections in turn (1:1)."""

    def program() -> None:
        from pulumi_personalize import sitecore as sc

        for i in range(n):
            if i % 2 == 0:
                sc.Template(f"tpl-{i}", name=f"Bench template {i}", type="WEB",
                            html=f"<div>{i}</div>", css="div{}", javascript="")
            else:
                sc.Connection(f"conn-{i}", name=f"Bench connection {i}",
                              connection_url=f"https://example.com/bench/{i}", auth_type="NONE")

    return program


PRODUCTS: dict[str, Callable[[int], Program]] = {"contentstack": contentstack, "sitecore": sitecore}
