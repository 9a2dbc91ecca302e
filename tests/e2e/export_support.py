"""What the export round-trip tests share: a source project whose stack holds the settings, the
command run as a user runs it, the generated project's `pulumi` commands, the emulator's world."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import httpx

from tests.e2e.conftest import (
    CONTENTSTACK_AUTHTOKEN,
    CONTENTSTACK_PROJECT_UID,
    REPO,
    SITECORE_CLIENT_ID,
    SITECORE_CLIENT_SECRET,
    engine_env,
    run_pulumi,
)

# Server bookkeeping an adoption PUT may move without changing the object.
BOOKKEEPING = frozenset({"updatedAt", "updatedBy", "updatedByUserName", "modifiedAt", "modifiedByRef",
                         "modifiedByUserRef", "revision"})
WRITES = ("POST", "PUT", "PATCH", "DELETE")


class PulumiProject:
    """A Pulumi project directory with its own file backend and Pulumi home."""

    def __init__(self, directory: Path, tmp_path: Path) -> None:
        self.dir = directory
        backend = tmp_path / "backend"
        backend.mkdir(exist_ok=True)
        self.env = {"PULUMI_BACKEND_URL": f"file://{backend}", "PULUMI_HOME": str(tmp_path / "pulumi-home")}

    def pulumi(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        result = run_pulumi(list(args), cwd=self.dir, env=self.env)
        if check:
            assert result.returncode == 0, (
                f"`pulumi {' '.join(args)}` failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
        return result

    def init(self, stack: str, base_url: str, extra_secrets: Mapping[str, str] | None = None,
             extra_plain: Mapping[str, str] | None = None) -> None:
        """The emulator's settings, as the README tells a user to set them."""
        self.pulumi("stack", "init", stack)
        plain = {
            "personalize:baseUrl": base_url,
            "personalize:contentstackProjectUid": CONTENTSTACK_PROJECT_UID,
            "personalize:sitecoreTokenUrl": f"{base_url}/oauth/token",
            "personalize:sitecoreClientId": SITECORE_CLIENT_ID,
            **(extra_plain or {}),
        }
        secrets = {"personalize:contentstackAuthtoken": CONTENTSTACK_AUTHTOKEN,
                   "personalize:sitecoreClientSecret": SITECORE_CLIENT_SECRET, **(extra_secrets or {})}
        args = ["config", "set-all", "--stack", stack]
        for key, value in plain.items():
            args += ["--plaintext", f"{key}={value}"]
        for key, value in secrets.items():
            args += ["--secret", f"{key}={value}"]
        self.pulumi(*args)

    def preview_summary(self, stack: str) -> dict[str, int]:
        summary: dict[str, int] = self.preview(stack)["changeSummary"]
        return {k: v for k, v in summary.items() if v}

    def preview(self, stack: str) -> dict[str, Any]:
        result = self.pulumi("preview", "--json", "--stack", stack)
        answer: dict[str, Any] = json.loads(result.stdout)
        return answer

    def updated(self, stack: str) -> list[str]:
        """The names of the resources a preview would update."""
        return [step["urn"].rsplit("::", 1)[-1] for step in self.preview(stack).get("steps", [])
                if step.get("op") == "update"]


def source_project(tmp_path: Path, base_url: str, extra_secrets: Mapping[str, str] | None = None,
                   extra_plain: Mapping[str, str] | None = None) -> PulumiProject:
    """Where `--stack dev` is read from: an (empty) project whose stack holds the settings."""
    directory = tmp_path / "source"
    directory.mkdir()
    (directory / "Pulumi.yaml").write_text("name: source\nruntime: python\n")
    project = PulumiProject(directory, tmp_path)
    project.init("dev", base_url, extra_secrets, extra_plain)
    return project


def run_export(source: PulumiProject, *args: str) -> subprocess.CompletedProcess[str]:
    """`python -m pulumi_personalize.export ... --stack dev --cwd <source>`, as a user runs it."""
    env = {**os.environ, **engine_env(source.env)}
    for name in list(env):  # the settings come from the stack, nothing from the test's shell
        if name.startswith(("CONTENTSTACK_", "SITECORE_", "PERSONALIZE_")):
            env.pop(name)
    return subprocess.run(
        [sys.executable, "-m", "pulumi_personalize.export", *args, "--stack", "dev", "--cwd", str(source.dir)],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=300, check=False,
    )


def world(base_url: str) -> dict[str, Any]:
    state: dict[str, Any] = httpx.get(f"{base_url}/_emulator/state", timeout=10).json()
    return state


def without_bookkeeping(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: without_bookkeeping(v) for k, v in value.items() if k not in BOOKKEEPING}
    if isinstance(value, list):
        return [without_bookkeeping(v) for v in value]
    return value


def ruff(directory: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """ruff with its defaults, run in the generated project as its owner would; `check` also with
    this repository's stricter rule set (long lines aside: a live value may be long)."""
    strict = ["--select", "E,F,W,I,B,UP,SIM,RUF,N", "--ignore", "E501"] if args[:1] == ("check",) else []
    return subprocess.run([str(Path(sys.executable).parent / "ruff"), *args, *strict, "--isolated", "."],
                          cwd=directory, capture_output=True, text=True, check=False)
