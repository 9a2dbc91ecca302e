"""A TypeScript program on the native provider, through the generated SDK (sdk/nodejs/), under the
real engine against the emulator: preview, up, no-change preview, update, refresh after an
out-of-band edit, destroy. Its resources go through an explicit provider resource
(`new personalize.Provider(...)`), and the stack has no `personalize:*` configuration at all.

The program is compiled with `tsc` and run as an inline program of the Node Automation API
(tests/e2e/native_ts_driver.js), which serves it from its own process: no Node.js language host is
needed. `@pulumi/pulumi`, `typescript` and `@types/node` come from npm, pinned, installed once per
machine into ~/.cache/pulumi-personalize/npm/ (like the contract tests' packages).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import PASSPHRASE, REPO, emulator_config, engine_env
from tests.e2e.test_sitecore_lifecycle import Api

pytestmark = pytest.mark.e2e

# @pulumi/pulumi at the CLI's version (scripts/install-pulumi); the others what compiles the SDK.
NODE_PACKAGES = {"@pulumi/pulumi": "3.276.0", "typescript": "5.9.3", "@types/node": "20.19.43"}
NPM_CACHE = Path.home() / ".cache" / "pulumi-personalize" / "npm"
SDK = REPO / "sdk" / "nodejs"

def sdk_package() -> str:
    """The npm name of the generated SDK (the schema's language.nodejs.packageName)."""
    name: str = json.loads((SDK / "package.json").read_text())["name"]
    return name

DRIVER = Path(__file__).with_name("native_ts_driver.js")


def node_packages() -> Path:
    """The pinned npm packages, installed once per machine; the folder that holds node_modules."""
    key = hashlib.sha256(json.dumps(NODE_PACKAGES, sort_keys=True).encode()).hexdigest()[:12]
    cache = NPM_CACHE / f"native-ts-{key}"
    if (cache / "installed").exists():
        return cache
    npm = shutil.which("npm")
    assert npm is not None and shutil.which("node"), "Node.js and npm are needed (apt-get install nodejs npm)"
    cache.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=cache.name + ".", dir=cache.parent))
    (staging / "package.json").write_text(json.dumps({"name": "native-ts", "private": True}))
    specs = [f"{name}@{version}" for name, version in NODE_PACKAGES.items()]
    # --ignore-scripts: the packages ship built code; @pulumi/pulumi's engine field asks for a newer
    # Node.js than some machines have, which is only a warning (the Automation API runs on Node 20).
    subprocess.run([npm, "install", "--no-audit", "--no-fund", "--ignore-scripts", "--save-exact", *specs],
                   cwd=staging, check=True, capture_output=True, timeout=900)
    (staging / "installed").write_text("\n".join(specs))
    shutil.rmtree(cache, ignore_errors=True)
    os.replace(staging, cache)  # whole or not at all: an interrupted install is never reused
    return cache


@pytest.fixture(scope="session")
def npm_packages() -> Path:
    return node_packages()


def tsc(packages: Path, project: Path, *extra: str) -> None:
    result = subprocess.run(
        ["node", str(packages / "node_modules" / "typescript" / "bin" / "tsc"), "-p", str(project), *extra],
        capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, f"tsc -p {project}:\n{result.stdout}\n{result.stderr}"


def build_program(packages: Path, root: Path, source: str) -> Path:
    """Compiles the checked-in SDK into root/node_modules/pulumi-personalize as npm would install it,
    and the program beside it; returns the compiled program."""
    modules = root / "node_modules"
    modules.mkdir(parents=True)
    # The pinned packages by symlink: Node resolves them to one real path, so the driver, the program
    # and the SDK share one @pulumi/pulumi runtime.
    for entry in (packages / "node_modules").iterdir():
        if not entry.name.startswith("."):
            (modules / entry.name).symlink_to(entry)
    sdk_source = root / "sdk-src"
    shutil.copytree(SDK, sdk_source)
    installed = modules / sdk_package()
    tsc(packages, sdk_source, "--outDir", str(installed))
    shutil.copy(SDK / "package.json", installed / "package.json")  # the SDK reads its version there
    (root / "program.ts").write_text(source.replace("SDK_PACKAGE", sdk_package()))
    (root / "tsconfig.json").write_text(json.dumps({
        "compilerOptions": {"target": "ES2022", "module": "commonjs", "strict": True, "skipLibCheck": True,
                            "types": ["node"]},
        "files": ["program.ts"],
    }))
    tsc(packages, root)
    shutil.copy(DRIVER, root / "driver.js")
    return root / "program.js"


class TsStack:
    """One stack of the compiled program: each command is one run of the driver."""

    def __init__(self, root: Path, program: Path, config: dict[str, Any]) -> None:
        self.root, self.program, self.config = root, program, config
        (root / "backend").mkdir()
        (root / "work").mkdir()

    def run(self, command: str) -> dict[str, Any]:
        request = {
            "program": str(self.program), "command": command, "stackName": "test", "projectName": "native-ts",
            "workDir": str(self.root / "work"), "pulumiHome": str(self.root / "pulumi-home"),
            "backendUrl": f"file://{self.root / 'backend'}", "envVars": {"PULUMI_CONFIG_PASSPHRASE": PASSPHRASE},
            "config": self.config,
        }
        path = self.root / "request.json"
        path.write_text(json.dumps(request))
        env = {**os.environ, **engine_env({"PATH": f"{REPO / '.venv' / 'bin'}{os.pathsep}{engine_env()['PATH']}"})}
        result = subprocess.run(["node", str(self.root / "driver.js"), str(path)], cwd=self.root, env=env,
                                capture_output=True, text=True, timeout=600)
        lines = result.stdout.strip().splitlines()
        assert result.returncode == 0 and lines, f"{command} failed:\n{result.stdout}\n{result.stderr}"
        answer: dict[str, Any] = json.loads(lines[-1])
        return answer

    @staticmethod
    def changes(answer: dict[str, Any]) -> dict[str, int]:
        return {op: n for op, n in (answer.get("changeSummary") or {}).items() if op != "same" and n}


PROGRAM = """\
import * as pulumi from "@pulumi/pulumi";
import * as personalize from "SDK_PACKAGE";

export = async () => {
    const config = new pulumi.Config("test");
    const description = config.require("description");
    // Everything the provider needs comes from this resource, none from personalize:* configuration.
    const emulator = new personalize.Provider("emulator", {
        baseUrl: config.require("baseUrl"),
        contentstackProjectUid: config.require("contentstackProjectUid"),
        contentstackAuthtoken: config.requireSecret("contentstackAuthtoken"),
        sitecoreTokenUrl: config.require("sitecoreTokenUrl"),
        sitecoreClientId: config.require("sitecoreClientId"),
        sitecoreClientSecret: config.requireSecret("sitecoreClientSecret"),
    });
    const opts = { provider: emulator };
    const plan = new personalize.contentstack.Attribute("plan", {
        name: "Plan", key: "plan", description,
    }, opts);
    const purchase = new personalize.contentstack.Event("purchase", { key: "purchase", description }, opts);
    const banner = new personalize.sitecore.Template("banner", {
        name: "Banner", friendlyId: "banner", type: "WEB", description,
        templateElements: [{ id: "html", template: "<div>Spring sale</div>" }],
    }, opts);
    return { attributeUid: plan.uid, eventUid: purchase.uid, templateRef: banner.ref };
};
"""


def stack_config(base_url: str, description: str) -> dict[str, Any]:
    """The emulator's settings under the program's own namespace (test:*), for its provider resource."""
    config = {f"test:{key.split(':', 1)[1]}": {"value": value.value, "secret": value.secret}
              for key, value in emulator_config(base_url).items()}
    config["test:description"] = {"value": description, "secret": False}
    return config


def test_typescript_program_runs_the_life_cycle_through_an_explicit_provider(
    npm_packages: Path, emulator: Any, tmp_path: Path
) -> None:
    program = build_program(npm_packages, tmp_path / "ts", PROGRAM)
    stack = TsStack(tmp_path / "ts", program, stack_config(emulator.base_url, "first"))

    preview = stack.run("preview")
    # the three resources and the explicit provider
    assert stack.changes(preview) == {"create": 5}, preview["stdout"]

    up = stack.run("up")
    outputs = {key: value["value"] for key, value in up["outputs"].items()}
    api = Api(emulator.base_url)
    template = api.get(f"/v3/templates/{outputs['templateRef']}")
    assert (template["name"], template["description"]) == ("Banner", "first")
    assert outputs["attributeUid"] and outputs["eventUid"]

    assert stack.changes(stack.run("preview")) == {}

    stack.config["test:description"]["value"] = "second"
    preview = stack.run("preview")
    assert stack.changes(preview) == {"update": 3}, preview["stdout"]
    # the detailed diff names each changed property with its old and new value
    assert preview["stdout"].count('description: "first" => "second"') == 3, preview["stdout"]
    stack.run("up")
    assert api.get(f"/v3/templates/{outputs['templateRef']}")["description"] == "second"
    assert stack.changes(stack.run("preview")) == {}

    # Someone edits the template in the UI: refresh reads it, the next preview puts it back.
    api.edit(f"/v3/templates/{outputs['templateRef']}", description="edited in the UI")
    refresh = stack.run("refresh")
    assert stack.changes(refresh) == {"update": 1}, refresh["stdout"]
    preview = stack.run("preview")
    assert stack.changes(preview) == {"update": 1}, preview["stdout"]
    assert "edited in the UI" in preview["stdout"]

    destroy = stack.run("destroy")
    assert stack.changes(destroy) == {"delete": 5}, destroy["stdout"]
    archived = api.get(f"/v3/templates/{outputs['templateRef']}")
    assert archived.get("archived") is True
