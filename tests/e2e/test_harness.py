"""The harness itself, proven with the probe resources through the real engine."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pulumi
from pulumi import automation as auto

from tests.e2e.conftest import StackFactory
from tests.e2e.probe import CALL_LOG_ENV, ConfigProbe, Record


def _calls(log: Path) -> list[str]:
    if not log.exists():
        return []
    return [json.loads(line)["method"] for line in log.read_text().splitlines()]


def test_every_provider_method_runs_through_the_engine(stack_factory: StackFactory, tmp_path: Path) -> None:
    folder = tmp_path / "records"
    call_log = tmp_path / "calls.jsonl"
    desired: dict[str, Any] = {"folder": str(folder), "content": {"greeting": "hello"}}

    def program() -> None:
        record = Record("greeting", folder=desired["folder"], content=desired["content"])
        pulumi.export("record_id", record.id)
        pulumi.export("content", record.content)

    stack = stack_factory(program, with_emulator=False, env={CALL_LOG_ENV: str(call_log)})

    preview = stack.preview()
    assert stack.changes(preview) == {"create": 2}  # the stack and the record

    up = stack.up()
    record_id = up.outputs["record_id"].value
    assert json.loads((folder / f"{record_id}.json").read_text()) == {"greeting": "hello"}
    assert {"check", "create"} <= set(_calls(call_log))

    stack.assert_no_changes()
    assert "diff" in _calls(call_log)

    # An edit outside Pulumi: refresh reads it, and the next preview wants to put it back.
    (folder / f"{record_id}.json").write_text(json.dumps({"greeting": "changed by hand"}))
    stack.refresh()
    assert "read" in _calls(call_log)
    assert stack.changes(stack.preview()) == {"update": 1}

    # An update in place.
    desired["content"] = {"greeting": "hello again"}
    stack.up()
    assert "update" in _calls(call_log)
    assert json.loads((folder / f"{record_id}.json").read_text()) == {"greeting": "hello again"}
    stack.assert_no_changes()

    # A change of folder replaces: a new record is created, the old one deleted.
    desired["folder"] = str(tmp_path / "elsewhere")
    replaced = stack.up()
    new_id = replaced.outputs["record_id"].value
    assert new_id != record_id
    assert not (folder / f"{record_id}.json").exists()
    assert (tmp_path / "elsewhere" / f"{new_id}.json").exists()

    # A deletion outside Pulumi: refresh drops the record from state.
    (tmp_path / "elsewhere" / f"{new_id}.json").unlink()
    stack.refresh()
    assert stack.resources(":Record") == []

    stack.up()
    stack.destroy()
    assert list((tmp_path / "elsewhere").glob("*.json")) == []
    assert {"check", "diff", "create", "read", "update", "delete"} <= set(_calls(call_log))


def test_check_failures_stop_the_preview(stack_factory: StackFactory, tmp_path: Path) -> None:
    def program() -> None:
        Record("bad", folder="", content={})

    stack = stack_factory(program, with_emulator=False)
    try:
        stack.preview()
    except auto.CommandError as exc:
        assert "folder must be a non-empty path" in str(exc)
    else:
        raise AssertionError("a check failure must fail the preview")


def test_configure_receives_the_whole_stack_configuration_decrypted(stack_factory: StackFactory) -> None:
    """The finding the provider's design rests on (README, Development)."""
    secret = "tok-" + "9f3a" * 6

    def program() -> None:
        probe = ConfigProbe("probe")
        pulumi.export("configured", probe.configured)
        pulumi.export("keys", probe.keys)
        pulumi.export("digests", probe.digests)

    stack = stack_factory(
        program,
        {
            "personalize:contentstackAuthtoken": auto.ConfigValue(secret, secret=True),
            "personalize:contentstackRegion": "eu",
            "othertenant:contentstackProjectUid": "proj-2",
        },
        with_emulator=False,
    )
    outputs = stack.up().outputs
    assert outputs["configured"].value is True
    keys = outputs["keys"].value
    # Every namespace arrives, not only the provider's own.
    assert {
        "personalize:contentstackAuthtoken",
        "personalize:contentstackRegion",
        "othertenant:contentstackProjectUid",
    } <= set(keys)
    # The secret arrives decrypted: its digest is the digest of the clear value.
    assert (
        outputs["digests"].value["personalize:contentstackAuthtoken"]
        == hashlib.sha256(secret.encode()).hexdigest()
    )
    # ... and never reaches the state in clear.
    # The engine stores the whole configuration as the default pulumi-python provider's inputs:
    # the secret must be ciphertext there, in the export a user runs and in the files on disk.
    assert "personalize:contentstackAuthtoken" in stack.export_text()
    assert secret not in stack.export_text()
    assert secret not in stack.state_text()
    assert secret not in "".join(stack.output)
