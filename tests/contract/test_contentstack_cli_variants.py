"""The vendor's own Personalize import/export code as the emulator's test peer.

``@contentstack/cli-variants`` is the plugin the Contentstack CLI (csdx) uses to copy a Personalize project
between stacks; it has to work against production. Its published code is installed with npm (pinned, with
its own dependencies) into ``~/.cache/pulumi-personalize/npm/cli-variants-<version>/`` and driven by
``cli_variants_driver.js``: it imports a realistic project (``fixtures/cli-variants-export``, laid out as the
plugin's export writes it, after the plugin's own test mocks) into a running emulator, then exports it back.

Passing means: the emulator answered every one of the plugin's requests with a 2xx, and what the plugin
exported is what it imported (less what the plugin itself leaves out on import: preset attributes, Lytics
audiences, ARCHIVED versions).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from pulumi_personalize.emulator.testing import running_emulator

from .conftest import NpmInstall

CLI_VARIANTS_VERSION = "1.4.1"  # the version docs/facts/contentstack.md was read from
PACKAGE = "@contentstack/cli-variants"
HERE = Path(__file__).resolve().parent
DRIVER = HERE / "cli_variants_driver.js"
FIXTURE = HERE / "fixtures" / "cli-variants-export"
ORGANIZATION = "blt5f3e2d1c0b9a8f7e"
STACK_API_KEY = "blt0123456789abcdef"
SERVER_OWNED = {"_id", "createdAt", "updatedAt", "createdBy", "updatedBy", "createdByUserName", "updatedByUserName"}

Json = dict[str, Any]


def _read(folder: Path, *parts: str) -> Any:
    return json.loads(folder.joinpath(*parts).read_text())


def _mapped(node: Any, mapping: dict[str, str]) -> Any:
    """``node`` with every old uid the import mapped replaced by the new one."""
    if isinstance(node, dict):
        return {k: _mapped(v, mapping) for k, v in node.items()}
    if isinstance(node, list):
        return [_mapped(v, mapping) for v in node]
    if isinstance(node, str):
        return mapping.get(node, node)
    return node


def _version_config(version: Json) -> Json:
    """What a version says, without identity or the server-assigned variant numbers."""
    variants = [{k: v for k, v in variant.items() if k != "shortUid"} for variant in version["variants"]]
    return {"status": version["status"], "variants": variants,
            **{k: version[k] for k in ("variantSplit", "metrics", "targeting") if version.get(k)}}


def _by_status(config: Json) -> str:
    return str(config["status"])


# the plugin sends `authtoken: <token>` after `csdx auth:login`, `authorization: Bearer <token>` after an OAuth
# login; the emulator's two credentials differ, so each run proves which header the plugin sent
CREDENTIALS = {"authtoken": "emulator-authtoken", "oauth": "emulator-oauth-token"}


@pytest.fixture(scope="module", params=sorted(CREDENTIALS))
def round_trip(request: pytest.FixtureRequest, npm_package: NpmInstall) -> Any:
    install = npm_package(PACKAGE, CLI_VARIANTS_VERSION, f"cli-variants-{CLI_VARIANTS_VERSION}")
    work = Path(tempfile.mkdtemp(prefix="cli-variants-"))
    try:
        shutil.copytree(FIXTURE, work / "import")
        home = work / "home"
        home.mkdir()
        # the background job that fills _cms is slower than the plugin's first look, so the plugin's polling
        # is exercised
        with running_emulator(env={"PERSONALIZE_EMULATOR_CMS_DELAY": "0.6"}) as emu:
            args = {"personalizeUrl": emu.base_url, "auth": request.param, "token": CREDENTIALS[request.param],
                    "organizationUid": ORGANIZATION, "stackApiKey": STACK_API_KEY,
                    "importData": str(work / "import"), "backupDir": str(work / "backup"),
                    "exportData": str(work / "export"), "result": str(work / "result.json")}
            (work / "args.json").write_text(json.dumps(args))
            env = {**os.environ, "HOME": str(home), "XDG_CONFIG_HOME": str(home / ".config"),
                   "CS_CLI_CONFIG_PATH": str(home / "csdx"), "NODE_PATH": str(install / "node_modules")}
            login = subprocess.run(["node", str(DRIVER), str(work / "args.json"), "login"], cwd=work, env=env,
                                   capture_output=True, text=True, timeout=120)
            assert login.returncode == 0, login.stdout[-4000:] + login.stderr[-4000:]
            run = subprocess.run(["node", str(DRIVER), str(work / "args.json")], cwd=work, env=env,
                                 capture_output=True, text=True, timeout=300)
            requests = emu.requests()
        assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-4000:]
        yield work, requests, _read(work, "result.json"), run.stdout
    finally:
        shutil.rmtree(work, ignore_errors=True)


def test_every_request_of_the_plugin_succeeded(round_trip: Any) -> None:
    _, requests, _, _ = round_trip
    failed = [(r["method"], r["path"], r["status"], r["body"]) for r in requests
              if r["status"] is None or r["status"] >= 400]
    assert failed == []
    calls = Counter((r["method"], "/".join("{uid}" if len(p) == 24 else p for p in r["path"].split("/")))
                    for r in requests)
    assert calls[("POST", "/projects")] == 1 and calls[("GET", "/projects")] == 1
    assert calls[("POST", "/attributes")] == 2  # the custom ones; presets already exist
    assert calls[("POST", "/audiences")] == 4  # the Lytics audience is not creatable
    assert calls[("POST", "/events")] == 2
    assert calls[("POST", "/experiences")] == 3
    assert calls[("PUT", "/experiences/{uid}/versions/{uid}")] == 3  # each experience's first (auto) version
    assert calls[("POST", "/experiences/{uid}/versions")] == 1  # the hero's draft next to its active version
    assert calls[("GET", "/experiences/{uid}")] >= 3  # the plugin polled for _cms
    assert calls[("GET", "/experiences/{uid}/versions")] == 3
    assert {("GET", "/attributes"), ("GET", "/audiences"), ("GET", "/events"), ("GET", "/experiences")} <= set(calls)


def test_the_project_round_trips(round_trip: Any) -> None:
    work, _, result, _ = round_trip
    assert result["importedProject"] == result["exportedProject"]
    (project,) = _read(work, "export", "personalize", "projects", "projects.json")
    (source,) = _read(FIXTURE, "personalize", "projects", "projects.json")
    assert project["uid"] == result["importedProject"]
    assert (project["name"], project["description"]) == (source["name"], source["description"])
    assert project["connectedStackApiKey"] == STACK_API_KEY and project["organizationUid"] == ORGANIZATION


def test_attributes_and_events_round_trip(round_trip: Any) -> None:
    work, _, _, _ = round_trip
    source = _read(FIXTURE, "personalize", "attributes", "attributes.json")
    exported = _read(work, "export", "personalize", "attributes", "attributes.json")
    assert all(not SERVER_OWNED & set(a) for a in exported)  # the plugin's invalidKeys were stripped

    def customs(items: list[Json]) -> list[tuple[str, str, str]]:
        return sorted((a["key"], a["name"], a["description"]) for a in items if a["__type"] == "CUSTOM")

    assert customs(exported) == customs(source)
    presets = {a["key"] for a in exported if a["__type"] == "PRESET"}
    assert {a["key"] for a in source if a["__type"] == "PRESET"} <= presets
    mapping = _read(work, "backup", "mapper", "personalize", "attributes", "uid-mapping.json")
    assert sorted(mapping.values()) == sorted(a["uid"] for a in exported if a["__type"] == "CUSTOM")

    events = _read(work, "export", "personalize", "events", "events.json")
    source_events = _read(FIXTURE, "personalize", "events", "events.json")
    assert sorted((e["key"], e["description"]) for e in events) == \
        sorted((e["key"], e["description"]) for e in source_events)


def test_audiences_round_trip(round_trip: Any) -> None:
    work, _, _, _ = round_trip
    attributes = _read(work, "backup", "mapper", "personalize", "attributes", "uid-mapping.json")
    source = [a for a in _read(FIXTURE, "personalize", "audiences", "audiences.json") if a.get("source") != "LYTICS"]
    exported = _read(work, "export", "personalize", "audiences", "audiences.json")

    def shape(audience: Json, mapping: dict[str, str]) -> tuple[str, str, str]:
        definition = _mapped(audience["definition"], mapping)
        return audience["name"], audience["description"], json.dumps(definition, sort_keys=True)

    assert sorted(shape(a, {}) for a in exported) == sorted(shape(a, attributes) for a in source)


def test_experiences_and_versions_round_trip(round_trip: Any) -> None:
    work, _, result, _ = round_trip
    mapper = work / "backup" / "mapper" / "personalize"
    mapping = {**_read(mapper, "audiences", "uid-mapping.json"), **_read(mapper, "events", "uid-mapping.json")}
    new_uids = _read(mapper, "experiences", "uid-mapping.json")
    source = _read(FIXTURE, "personalize", "experiences", "experiences.json")
    exported = {e["uid"]: e for e in _read(work, "export", "personalize", "experiences", "experiences.json")}
    assert sorted(exported) == sorted(new_uids.values())
    for old in source:
        new = exported[new_uids[old["uid"]]]
        assert (new["name"], new["description"], new["__type"], new["status"]) == \
            (old["name"], old["description"], old["__type"], old["status"])
        versions = _read(work, "export", "personalize", "experiences", "versions", f"{new['uid']}.json")
        assert new["latestVersion"] in {v["uid"] for v in versions}
        # the plugin imports the ACTIVE and the DRAFT version of each experience, nothing else
        wanted = [_mapped(_version_config(v), mapping)
                  for v in _read(FIXTURE, "personalize", "experiences", "versions", f"{old['uid']}.json")
                  if v["status"] in ("ACTIVE", "DRAFT")]
        got = [_version_config(v) for v in versions]
        assert sorted(got, key=_by_status) == sorted(wanted, key=_by_status)
        # the background job gave every variant a CMS variant, and the import saw it
        shorts = {variant["shortUid"] for v in versions for variant in v["variants"]}
        assert set(new["_cms"]["variants"]) == shorts
    cms_variants = _read(mapper, "experiences", "cms-variants.json")
    assert cms_variants == {uid: e["_cms"]["variants"] for uid, e in exported.items()}
    asked = sorted(r["url"] for r in result["cmaRequests"])
    assert asked == sorted(f"/v3/variant_groups?experience_uid={uid}" for uid in exported)

