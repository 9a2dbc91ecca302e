"""A real Sitecore Personalize client nobody here wrote, as the emulator's test peer.

``sitecore-personalize-tenant-sdk`` (npm, 0.4.6) is a published TypeScript SDK of the Personalize tenant
API. Its published ``dist/client.js`` is installed with npm (pinned, with its own dependencies) into
``~/.cache/pulumi-personalize/npm/sitecore-tenant-sdk-0.4.6/`` and driven by ``sitecore_sdk_driver.mjs``:
authenticate, create/list/get/update connections, flows (an experience and an experiment, archive, the
friendlyId kept after archive), templates (by type, by friendlyId, publish, both previews) and decision
models (list, variants, variant update, test).

The SDK takes no URLs: it always asks ``https://auth.sitecorecloud.io/oauth/token`` for a token and calls
``https://<region>/...``. The driver therefore routes that process's HTTPS connections to those Sitecore
hosts to the emulator's socket (see the driver's header); the SDK's code itself is not touched.

Passing means: every expectation of the driver held, and the emulator answered every request of the SDK
with a 2xx except the one the driver provokes on purpose (a friendlyId that an archived flow still holds).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

from pulumi_personalize.emulator.testing import running_emulator

from .conftest import NpmInstall

SDK_VERSION = "0.4.6"  # the version docs/facts/sitecore.md was read from
PACKAGE = "sitecore-personalize-tenant-sdk"
DRIVER = Path(__file__).resolve().parent / "sitecore_sdk_driver.mjs"
CLIENT_ID, CLIENT_SECRET = "sdk-peer", "sdk-peer-secret"


def test_the_published_sdk_works_against_the_emulator(npm_package: NpmInstall) -> None:
    sdk_dir = npm_package(PACKAGE, SDK_VERSION, f"sitecore-tenant-sdk-{SDK_VERSION}")
    node = shutil.which("node")
    assert node is not None, "node is needed to run the SDK"
    env = {"PERSONALIZE_EMULATOR_SITECORE_TENANTS": f"{CLIENT_ID}={CLIENT_SECRET}"}
    with running_emulator(env=env) as emu:
        result = subprocess.run(
            [node, str(DRIVER)], capture_output=True, text=True, timeout=120,
            env={**os.environ, "EMULATOR_URL": emu.base_url, "SDK_DIR": str(sdk_dir),
                 "CLIENT_ID": CLIENT_ID, "CLIENT_SECRET": CLIENT_SECRET})
        assert result.returncode == 0, result.stdout + result.stderr
        created = json.loads(result.stdout.strip().splitlines()[-1])
        requests = emu.requests()

    assert len(created["flows"]) == 2 and len(created["templates"]) == 2 and created["connection"]
    # The token was asked for the way the documentation says, with the SDK's own form.
    token_calls = [r for r in requests if r["path"] == "/oauth/token"]
    assert len(token_calls) == 1 and token_calls[0]["status"] == 200
    assert token_calls[0]["body"] == {"grant_type": "client_credentials", "client_id": CLIENT_ID,
                                      "client_secret": "***", "audience": "https://api.sitecorecloud.io"}
    failed = [(r["method"], r["path"], r["status"]) for r in requests if not 200 <= (r["status"] or 0) < 300]
    assert failed == [("POST", "/v3/flowDefinitions", 400)], failed  # the reserved friendlyId, on purpose
    paths = {(r["method"], r["path"].split("?")[0]) for r in requests}
    for expected in [("GET", "/v2/connections"), ("GET", "/v3/flowDefinitions"), ("GET", "/v3/templates"),
                     ("GET", "/v2/decisionModelDefinitions"), ("POST", "/v3/templates/renderTemplates"),
                     ("POST", "/v3/templates/process"), ("POST", "/v2/testDecisionModel"),
                     ("GET", "/v3/flowDefinitions/sdk_alert_bar"), ("GET", "/v3/templates/sdk_banner")]:
        assert expected in paths, expected
    listed = [r for r in requests if r["path"] == "/v3/templates" and r["method"] == "GET"]
    assert {"type": "WEB", "limit": "10", "offset": "0"} in [r["query"] for r in listed]
