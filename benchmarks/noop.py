"""A dynamic resource that does nothing: the engine's own floor.

`Noop` goes through exactly the same engine, language host and dynamic-provider host as the real
resources (check, diff, create, read, update, delete all run in the provider process), but no
provider method does any I/O. Timing `pulumi up` of N of them measures what the engine alone costs
per resource; the real resources' numbers are compared with it (same run, same machine).

The provider process imports this module as `benchmarks.noop` (the benchmark puts the repository
root on PYTHONPATH), so the pickled provider refers to it by name.
"""

from __future__ import annotations

import json
import os
import time
import uuid
from functools import cache
from typing import Any

import pulumi
from pulumi.dynamic import CheckResult, CreateResult, DiffResult, ReadResult, Resource, ResourceProvider

from pulumi_personalize.engine import reset_pulumi_pickler


def _inputs(props: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in props.items() if not k.startswith("__")}


class NoopProvider(ResourceProvider):
    """Every method returns at once; `delay_ms` (an input) makes create sleep, for tests of kills."""

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        return CheckResult(_inputs(news), [])

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        old, new = _inputs(olds), _inputs(news)
        return DiffResult(changes=old != new, replaces=[], delete_before_replace=False)

    def create(self, props: dict[str, Any]) -> CreateResult:
        inputs = _inputs(props)
        delay = inputs.get("delay_ms") or 0
        if delay:
            time.sleep(float(delay) / 1000)
        return CreateResult(id_=uuid.uuid4().hex, outs=inputs)

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        inputs = _inputs(props)
        return ReadResult(id_=id_, outs=inputs, inputs=inputs)

    def delete(self, _id: str, _props: dict[str, Any]) -> None:
        return None


class Noop(Resource, module="bench", name="Noop"):
    name: pulumi.Output[str]

    def __init__(
        self,
        resource_name: str,
        *,
        name: str,
        delay_ms: int = 0,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        # the SDK's serialize_provider (which this class goes through, unlike ours) wraps the pickler
        # on every call: without the reset, a program of about 980 no-ops fails with RecursionError
        reset_pulumi_pickler()
        props: dict[str, Any] = {"name": name, "delay_ms": delay_ms}
        super().__init__(NoopProvider(), resource_name, props, opts)


REPLAY_ENV = "BENCH_REPLAY_OUTPUTS"
"""The file of recorded outputs a ``Replay`` answers create with (set in the provider's environment)."""


def replay_key(inputs: dict[str, Any]) -> str:
    """How a recorded resource is found again: the strings in its inputs (each resource of a
    benchmark's program has a name or key of its own; numbers may come back as floats)."""

    def strings(value: Any) -> list[str]:
        if isinstance(value, str):
            return [value]
        if isinstance(value, dict):
            return [s for v in value.values() for s in strings(v)]
        if isinstance(value, list):
            return [s for v in value for s in strings(v)]
        return []

    return json.dumps(sorted(strings(inputs)))


@cache
def _recorded() -> dict[str, dict[str, Any]]:
    with open(os.environ[REPLAY_ENV], encoding="utf-8") as fh:
        found: dict[str, dict[str, Any]] = json.load(fh)
        return found


class ReplayProvider(NoopProvider):
    """A no-op that answers create with the outputs a real resource of the same inputs recorded: its
    state is the real one's, inputs and outputs, and nothing else of the real provider runs."""

    def create(self, props: dict[str, Any]) -> CreateResult:
        inputs = _inputs(props)
        return CreateResult(id_=uuid.uuid4().hex, outs=_recorded()[replay_key(inputs)])


class Replay(Resource, module="bench", name="Replay"):
    """A real resource's inputs, replayed as a no-op (``ReplayProvider``)."""

    def __init__(self, resource_name: str, inputs: dict[str, Any], opts: pulumi.ResourceOptions | None = None) -> None:
        reset_pulumi_pickler()  # as Noop: this class goes through the SDK's serialize_provider
        super().__init__(ReplayProvider(), resource_name, inputs, opts)
