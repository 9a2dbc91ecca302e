"""Writes the TypeScript SDK of the native provider (sdk/nodejs/) from its schema.

    .venv/bin/python scripts/gen_sdk.py                      # (re)write sdk/nodejs/
    .venv/bin/python scripts/gen_sdk.py --check              # exit 1 when a file is stale, missing or extra
    .venv/bin/python scripts/gen_sdk.py --schema schema.json # from a schema file instead of the plugin

The schema is what the provider plugin serves (`pulumi package get-schema` of the plugin
`pulumi-resource-personalize` in this checkout's .venv, by path: by name the CLI looks only among
installed plugins and then asks Pulumi's registry); the code is written by Pulumi's own
generator (`pkg/v3/codegen/nodejs` at the CLI's version), which `make setup` builds from
tools/sdkgen into .tools/bin/sdkgen. Every file it writes says it was generated, and
sdk/nodejs/.gitattributes marks the folder generated for review tools. The SDK is checked in: a
TypeScript user needs neither Go nor this repository's setup to use it, and a change of the schema
shows in review as the SDK's diff.
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "sdk" / "nodejs"
BIN = REPO / ".tools" / "bin"
VENV_BIN = REPO / ".venv" / "bin"
PLUGIN = VENV_BIN / "pulumi-resource-personalize"

def engine_env() -> dict[str, str]:
    """The CLI of .tools/bin finding the plugin of .venv/bin, offline and quiet."""
    path = os.pathsep.join((str(BIN), str(VENV_BIN), os.environ.get("PATH", "")))
    return {
        **os.environ,
        "PATH": path,
        "PULUMI_SKIP_UPDATE_CHECK": "true",
        "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
    }


def schema_from_plugin(plugin: Path) -> dict[str, Any]:
    pulumi = BIN / "pulumi"
    for needed in (pulumi, plugin):
        if not needed.exists():
            raise SystemExit(f"no {needed.name} in {needed.parent}: run `make setup`")
    with tempfile.TemporaryDirectory() as cwd:
        result = subprocess.run(
            [str(pulumi), "package", "get-schema", str(plugin)],
            cwd=cwd, env=engine_env(), capture_output=True, text=True, timeout=300,
        )
    if result.returncode != 0:
        raise SystemExit(f"`pulumi package get-schema {plugin}` failed:\n{result.stderr.strip()}")
    schema: dict[str, Any] = json.loads(result.stdout)
    return schema


def with_sdk_settings(schema: dict[str, Any]) -> dict[str, Any]:
    """The schema plus the npm package's settings it does not state itself."""
    schema = json.loads(json.dumps(schema))  # a copy: the caller's stays as the plugin served it
    if not schema.get("version"):
        raise SystemExit("the schema has no version: the SDK would not know which plugin to ask for")
    nodejs = schema.setdefault("language", {}).setdefault("nodejs", {})
    if not nodejs.get("packageName"):  # the generator would take Pulumi's own npm scope
        raise SystemExit("the schema names no npm package (language.nodejs.packageName)")
    if not nodejs.get("respectSchemaVersion"):  # package.json would say "${VERSION}"
        raise SystemExit("the schema does not set language.nodejs.respectSchemaVersion")
    return schema


def generate(schema: dict[str, Any], out: Path) -> None:
    sdkgen = BIN / "sdkgen"
    if not sdkgen.exists():
        raise SystemExit("no SDK generator in .tools/bin: run `make setup` (it builds tools/sdkgen)")
    with tempfile.TemporaryDirectory() as tmp:
        spec = Path(tmp) / "schema.json"
        spec.write_text(json.dumps(schema))
        subprocess.run([str(sdkgen), "-schema", str(spec), "-language", "nodejs", "-out", str(out)],
                       check=True, timeout=300)


def files_of(folder: Path) -> dict[str, bytes]:
    if not folder.exists():
        return {}
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def differences(fresh: dict[str, bytes], current: dict[str, bytes]) -> list[str]:
    """One line per stale, missing or extra file, with the first lines of a stale file's diff."""
    lines: list[str] = []
    for name in sorted(fresh.keys() | current.keys()):
        if name not in current:
            lines.append(f"missing: sdk/nodejs/{name}")
        elif name not in fresh:
            lines.append(f"extra: sdk/nodejs/{name}")
        elif fresh[name] != current[name]:
            diff = difflib.unified_diff(current[name].decode().splitlines(), fresh[name].decode().splitlines(),
                                        "checked in", "generated", lineterm="", n=1)
            lines.append(f"stale: sdk/nodejs/{name}\n  " + "\n  ".join(list(diff)[:12]))
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare with sdk/nodejs/ instead of writing it")
    parser.add_argument("--schema", type=Path, help="a schema file (default: ask the plugin)")
    parser.add_argument("--plugin", type=Path, default=PLUGIN, help="the plugin to ask (default: .venv's)")
    args = parser.parse_args(argv)
    schema = json.loads(args.schema.read_text()) if args.schema else schema_from_plugin(args.plugin)
    with tempfile.TemporaryDirectory() as tmp:
        fresh_dir = Path(tmp) / "nodejs"
        generate(with_sdk_settings(schema), fresh_dir)
        fresh = files_of(fresh_dir)
        if args.check:
            problems = differences(fresh, files_of(OUT))
            if problems:
                print("sdk/nodejs/ is not what the schema generates; run "
                      "`.venv/bin/python scripts/gen_sdk.py`:\n" + "\n".join(problems))
                return 1
            return 0
        shutil.rmtree(OUT, ignore_errors=True)
        shutil.copytree(fresh_dir, OUT)
    print(f"wrote {len(fresh)} files to sdk/nodejs/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
