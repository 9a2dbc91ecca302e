"""The checked-in TypeScript SDK (sdk/nodejs/) is what scripts/gen_sdk.py generates from the schema
the plugin serves: a changed argument, doc, secret, replace rule or version fails here until the SDK
is regenerated (`.venv/bin/python scripts/gen_sdk.py`). Needs what `make setup` installs: the CLI
and the generator in .tools/bin, the plugin in .venv/bin."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ._scripts import load_script

REPO = Path(__file__).resolve().parents[2]


def test_the_checked_in_sdk_is_what_the_schema_generates(capsys: pytest.CaptureFixture[str]) -> None:
    assert load_script("gen_sdk").main(["--check"]) == 0, capsys.readouterr().out


def test_the_check_names_a_stale_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    gen_sdk = load_script("gen_sdk")
    schema = gen_sdk.schema_from_plugin(gen_sdk.PLUGIN)
    first = next(iter(schema["resources"].values()))
    first["description"] += " (changed)"
    changed = tmp_path / "schema.json"
    changed.write_text(json.dumps(schema))
    assert gen_sdk.main(["--check", "--schema", str(changed)]) == 1
    assert "stale: sdk/nodejs/" in capsys.readouterr().out
