"""A dynamic resource that does nothing: the engine's own floor.

`Noop` goes through exactly the same engine, language host and dynamic-provider host as the real
resources (check, diff, create, read, update, delete all run in the provider process), but no
provider method does any I/O. Timing `pulumi up` of N of them measures what the engine alone costs
per resource; the real resources' numbers are compared with it (same run, same machine).

The provider process imports this module as `benchmarks.noop` (the benchmark puts the repository
root on PYTHONPATH), so the pickled provider refers to it by name.
"""

from __future__ import annotations

import time
import uuid
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
        payload: str = "",
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        # the SDK's serialize_provider (which this class goes through, unlike ours) wraps the pickler
        # on every call: without the reset, a program of about 980 no-ops fails with RecursionError
        reset_pulumi_pickler()
        props: dict[str, Any] = {"name": name, "delay_ms": delay_ms}
        if payload:  # padding, so that a no-op's state can weigh what a real resource's does
            props["payload"] = payload
        super().__init__(NoopProvider(), resource_name, props, opts)
