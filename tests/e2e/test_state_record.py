"""What the engine records of each resource besides its properties (docs/facts/pulumi.md#source-position).

A resource's ``sourcePosition`` is the program's line that declared it, not a line of this library,
and its stack trace holds no frame of the engine; ``__provider`` is stored plain (it names a spec and
holds no credential), while a secret input stays ciphertext in the files on disk.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from pulumi_personalize import contentstack, sitecore
from pulumi_personalize.sitecore import flows
from tests.e2e.conftest import StackFactory

pytestmark = pytest.mark.e2e

HERE = Path(__file__).resolve()
SECRET = "state-record-secret-0f3a"


def _line(marker: str) -> int:
    """The line of this file that carries ``# <marker>``: where the program declares a resource."""
    lines = HERE.read_text().splitlines()
    return next(number for number, text in enumerate(lines, 1) if text.rstrip().endswith(f"# {marker}"))


def program() -> None:
    sitecore.Template("tpl", name="Record", friendly_id="record_tpl", type="WEB", html="<p/>")  # template
    sitecore.Connection(  # connection
        "conn", name="Record", system_type="DATA_SYSTEM",
        request=sitecore.ConnectionRequestArgs(connection_url="https://example.com/r"),
        auth=sitecore.ConnectionAuthArgs(auth_type="OAUTH", client_id="record", client_secret=SECRET,
                                         access_token_url="https://example.com/token"),
    )
    contentstack.Attribute("attr", name="Record", key="record")  # attribute
    flows.web_experience("flow", name="Record", friendly_id="record_flow", start_date="2025-01-06T00:00:00.000Z")  # flow


def _where(resource: dict[str, Any]) -> tuple[str, int]:
    path, _, line = resource["sourcePosition"].rpartition("#")
    return path, int(line)


def test_each_resource_records_the_programs_line_and_a_plain_provider(
    stack_factory: StackFactory, emulator: Any
) -> None:
    stack = stack_factory(program, {})
    stack.up()
    resources = {r["urn"].rsplit("::", 1)[1]: r for r in stack.export()["resources"] if r.get("custom")
                 and "dynamic/" in r["type"]}
    assert set(resources) == {"tpl", "conn", "attr", "flow"}

    for name, marker in (("tpl", "template"), ("conn", "connection"), ("attr", "attribute")):
        path, line = _where(resources[name])
        assert path.endswith("tests/e2e/test_state_record.py") and line == _line(marker), resources[name]
    # A helper's own line comes first, the program's after it, as for any Python helper.
    flow_frames = [frame["sourcePosition"] for frame in resources["flow"]["stackTrace"]]
    assert "pulumi_personalize/sitecore/flows.py" in flow_frames[0]
    assert any(f.endswith(f"tests/e2e/test_state_record.py#{_line('flow')}") for f in flow_frames)
    for resource in resources.values():
        frames = [frame["sourcePosition"] for frame in resource["stackTrace"]]
        assert not [f for f in frames if "pulumi_personalize/engine/" in f or "_generated.py" in f], frames
        provider = resource["inputs"]["__provider"]
        assert isinstance(provider, str) and provider == resource["outputs"]["__provider"]

    # The state on disk: __provider plain, the connection's credentials ciphertext.
    assert SECRET not in stack.state_text()
    (state_file,) = [p for p in stack.backend.rglob(f"{stack.stack.name}.json") if "stacks" in p.parts]
    stored = json.loads(state_file.read_text())
    for resource in stored["checkpoint"]["latest"]["resources"]:
        if "dynamic/" in resource["type"]:
            assert isinstance(resource["inputs"]["__provider"], str)
    conn = next(r for r in stored["checkpoint"]["latest"]["resources"] if r["urn"].endswith("::conn"))
    assert "ciphertext" in json.dumps(conn["inputs"]["auth"]) and "ciphertext" in json.dumps(conn["outputs"]["auth"])
    assert stack.preview().change_summary == {"same": 5}
