"""Dynamic resources that exist only to prove the harness and the engine's behaviour.

`Record` keeps a small JSON document in a folder on disk, so that every provider method (check,
diff, create, read, update, delete) has an observable effect that a test can verify from outside
the engine. `ConfigProbe` reports what `configure()` received from the stack configuration,
without ever putting a configuration value into state: only key names and SHA-256 digests.

The test process and the provider process import this module as `tests.e2e.probe` (the harness
puts the repository root on PYTHONPATH), so the pickled provider refers to it by name.
"""

from __future__ import annotations

import hashlib
import json
import os
import uuid
from typing import Any

import pulumi
from pulumi.dynamic import (
    CheckResult,
    ConfigureRequest,
    CreateResult,
    DiffResult,
    ReadResult,
    Resource,
    ResourceProvider,
    UpdateResult,
)

# Every provider method appends one line here, so tests can prove which methods the engine called.
CALL_LOG_ENV = "PROBE_CALL_LOG"


def _log_call(method: str, **details: Any) -> None:
    path = os.environ.get(CALL_LOG_ENV)
    if path:
        with open(path, "a", encoding="utf-8") as fh:
            fh.write(json.dumps({"method": method, **details}) + "\n")


def _inputs(props: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in props.items() if not k.startswith("__")}


class RecordProvider(ResourceProvider):
    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        _log_call("check")
        failures = []
        if not isinstance(news.get("folder"), str) or not news["folder"]:
            failures.append(pulumi.dynamic.CheckFailure("folder", "folder must be a non-empty path"))
        return CheckResult(news, failures)

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        _log_call("diff")
        old, new = _inputs(olds), _inputs(news)
        changed = [k for k in set(old) | set(new) if old.get(k) != new.get(k)]
        return DiffResult(
            changes=bool(changed),
            replaces=[k for k in changed if k == "folder"],
            delete_before_replace=False,
        )

    def create(self, props: dict[str, Any]) -> CreateResult:
        _log_call("create")
        inputs = _inputs(props)
        record_id = uuid.uuid4().hex
        self._write(inputs["folder"], record_id, inputs["content"])
        return CreateResult(id_=record_id, outs=inputs)

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        _log_call("read")
        inputs = _inputs(props)
        path = os.path.join(inputs["folder"], f"{id_}.json")
        if not os.path.exists(path):
            return ReadResult(id_="", outs={})
        with open(path, encoding="utf-8") as fh:
            content = json.load(fh)
        outs = {**inputs, "content": content}
        return ReadResult(id_=id_, outs=outs, inputs=outs)

    def update(self, id_: str, _olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        _log_call("update")
        inputs = _inputs(news)
        self._write(inputs["folder"], id_, inputs["content"])
        return UpdateResult(outs=inputs)

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        _log_call("delete")
        path = os.path.join(_inputs(props)["folder"], f"{id_}.json")
        if os.path.exists(path):
            os.remove(path)

    @staticmethod
    def _write(folder: str, record_id: str, content: Any) -> None:
        os.makedirs(folder, exist_ok=True)
        with open(os.path.join(folder, f"{record_id}.json"), "w", encoding="utf-8") as fh:
            json.dump(content, fh)


class Record(Resource, module="probe", name="Record"):
    folder: pulumi.Output[str]
    content: pulumi.Output[Any]

    def __init__(
        self, resource_name: str, *, folder: str, content: Any, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(RecordProvider(), resource_name, {"folder": folder, "content": content}, opts)


class ConfigProbeProvider(ResourceProvider):
    """Reports the configuration that configure() saw: names and digests, never values."""

    def configure(self, req: ConfigureRequest) -> None:
        # Set only here, in the provider process, after unpickling: never part of the state.
        # req.config is a pulumi.dynamic.Config: get()/require() by "namespace:key"; it has no public
        # way to list keys, so the probe reads the mapping behind it to report what arrived.
        self._seen = {k: str(v) for k, v in req.config._props.items()}

    def create(self, props: dict[str, Any]) -> CreateResult:
        seen: dict[str, str] = getattr(self, "_seen", {})
        outs = {
            "configured": hasattr(self, "_seen"),
            "keys": sorted(seen),
            "digests": {k: hashlib.sha256(v.encode()).hexdigest() for k, v in seen.items()},
        }
        return CreateResult(id_="config-probe", outs=outs)


class ConfigProbe(Resource, module="probe", name="ConfigProbe"):
    configured: pulumi.Output[bool]
    keys: pulumi.Output[list[str]]
    digests: pulumi.Output[dict[str, str]]

    def __init__(self, resource_name: str, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(
            ConfigProbeProvider(),
            resource_name,
            {"configured": None, "keys": None, "digests": None},
            opts,
        )
