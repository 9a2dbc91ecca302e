"""Every example under examples/ (and the quickstart at the repository root) as a user runs it.

The real CLI on a copy of the example's directory: `pulumi stack init`, `pulumi config set-all`
(secrets with --secret), `pulumi up --yes`, `pulumi preview --expect-no-changes`, `pulumi destroy
--yes`, on a file backend with a passphrase, against the emulator.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from tests.e2e.conftest import (
    CONTENTSTACK_AUTHTOKEN,
    CONTENTSTACK_PROJECT_UID,
    REPO,
    SITECORE_CLIENT_ID,
    SITECORE_CLIENT_SECRET,
    run_pulumi,
)

pytestmark = pytest.mark.e2e

EXAMPLES = REPO / "examples"
# Never copied: a user's virtual environment and caches.
_IGNORE = shutil.ignore_patterns("venv", ".venv", "__pycache__", "*.pyc")


class Project:
    """A copy of an example directory with its own file backend and Pulumi home."""

    def __init__(self, source: Path, tmp_path: Path, *, files: tuple[str, ...] | None = None) -> None:
        self.dir = tmp_path / source.name
        if files is None:
            shutil.copytree(source, self.dir, ignore=_IGNORE)
        else:  # the repository root: only the project's own files
            self.dir.mkdir(parents=True)
            for name in files:
                shutil.copy2(source / name, self.dir / name)
        backend = tmp_path / "backend"
        backend.mkdir(exist_ok=True)
        self.env = {"PULUMI_BACKEND_URL": f"file://{backend}", "PULUMI_HOME": str(tmp_path / "pulumi-home")}

    def pulumi(self, *args: str) -> str:
        result = run_pulumi(list(args), cwd=self.dir, env=self.env)
        assert result.returncode == 0, (
            f"`pulumi {' '.join(args)}` failed ({result.returncode}):\n{result.stdout}\n{result.stderr}"
        )
        return result.stdout + result.stderr

    def init(self, stack: str, base_url: str, *, project_uid: str | None = CONTENTSTACK_PROJECT_UID,
             plain: Mapping[str, str] | None = None, secrets: Mapping[str, str] | None = None) -> None:
        """`pulumi stack init` and the emulator's configuration, as the README tells a user to."""
        self.pulumi("stack", "init", stack)
        values = {
            "personalize:baseUrl": base_url,
            "personalize:sitecoreClientId": SITECORE_CLIENT_ID,
            **({"personalize:contentstackProjectUid": project_uid} if project_uid else {}),
            **(plain or {}),
        }
        secret_values = {
            "personalize:contentstackAuthtoken": CONTENTSTACK_AUTHTOKEN,
            "personalize:sitecoreClientSecret": SITECORE_CLIENT_SECRET,
            **(secrets or {}),
        }
        args = ["config", "set-all", "--stack", stack]
        for key, value in values.items():
            args += ["--plaintext", f"{key}={value}"]
        for key, value in secret_values.items():
            args += ["--secret", f"{key}={value}"]
        self.pulumi(*args)

    def up(self, stack: str) -> str:
        return self.pulumi("up", "--yes", "--stack", stack, "--skip-preview")

    def assert_no_changes(self, stack: str) -> None:
        self.pulumi("preview", "--expect-no-changes", "--stack", stack)

    def destroy(self, stack: str) -> str:
        return self.pulumi("destroy", "--yes", "--stack", stack, "--skip-preview")

    def outputs(self, stack: str, *, show_secrets: bool = False) -> dict[str, Any]:
        args = ["stack", "output", "--json", "--stack", stack]
        if show_secrets:
            args.append("--show-secrets")
        return dict(json.loads(self._stdout(*args)))

    def _stdout(self, *args: str) -> str:
        result = run_pulumi(list(args), cwd=self.dir, env=self.env)
        assert result.returncode == 0, result.stderr
        return result.stdout

    def export_text(self, stack: str) -> str:
        """`pulumi stack export` as a user runs it: secrets stay encrypted."""
        return self._stdout("stack", "export", "--stack", stack)


def world(emulator: Any) -> dict[str, Any]:
    state: dict[str, Any] = httpx.get(f"{emulator.base_url}/_emulator/state", timeout=10).json()
    return state


def contentstack(emulator: Any, project_uid: str = CONTENTSTACK_PROJECT_UID) -> dict[str, Any]:
    projects: dict[str, Any] = world(emulator)["contentstack"]["projects"]
    return dict(projects.get(project_uid) or {})


def live_sitecore(emulator: Any, kind: str) -> list[dict[str, Any]]:
    """The Sitecore objects of one kind that are not archived, in every tenant (the emulator's state
    keeps them by kind, or by tenant and then kind)."""
    sitecore = world(emulator)["sitecore"]
    by_kind = [t[kind] for t in sitecore["tenants"].values()] if "tenants" in sitecore else [sitecore[kind]]
    return [o for objects in by_kind for o in objects.values() if not o.get("archived")]


def versions_of(project: Mapping[str, Any], experience_uid: str) -> list[dict[str, Any]]:
    return list(project.get("versions", {}).get(experience_uid, []))


def live_version(project: Mapping[str, Any], experience_uid: str) -> dict[str, Any]:
    versions = [v for v in versions_of(project, experience_uid) if v["status"] != "ARCHIVED"]
    assert len(versions) == 1, versions
    return versions[0]


# --------------------------------------------------------------------------------------------------


def test_quickstart_the_repository_root(emulator: Any, tmp_path: Path) -> None:
    project = Project(REPO, tmp_path, files=("Pulumi.yaml", "__main__.py"))
    project.init("dev", emulator.base_url)
    project.up("dev")
    project.assert_no_changes("dev")

    outputs = project.outputs("dev")
    cs = contentstack(emulator)
    assert outputs["contentstack"]["checkout_test_uid"] in cs["experiences"]
    assert outputs["contentstack"]["premium_audience_uid"] in cs["audiences"]
    assert {c["ref"] for c in live_sitecore(emulator, "connections")} == {outputs["sitecore"]["weather_connection_ref"]}
    experiment = {f["ref"]: f for f in live_sitecore(emulator, "flowDefinitions")}[outputs["sitecore"]["experiment_ref"]]
    assert experiment["subtype"] == "EXPERIMENT" and len(experiment["variants"]) == 2
    model = {m["ref"]: m for m in live_sitecore(emulator, "decisionModels")}[outputs["sitecore"]["decision_model_ref"]]
    assert [v["status"] for v in model["deploymentConfiguration"]["variants"]] == ["PRODUCTION"]

    project.destroy("dev")
    cs = contentstack(emulator)
    assert not any(cs.get(kind) for kind in ("attributes", "audiences", "events", "experiences"))
    assert live_sitecore(emulator, "connections") == []
    assert live_sitecore(emulator, "flowDefinitions") == [] and live_sitecore(emulator, "decisionModels") == []


def test_multi_environment_dev_and_prod_stacks(emulator: Any, tmp_path: Path) -> None:
    source = EXAMPLES / "multi-environment"
    for stack in ("dev", "prod"):
        committed = (source / f"Pulumi.{stack}.yaml").read_text()
        assert "secure:" not in committed and "encryptionsalt" not in committed
        assert "Authtoken" not in committed and "ClientSecret" not in committed

    project = Project(source, tmp_path)
    uids = {}
    for stack in ("dev", "prod"):
        # The project uids and regions come from the committed Pulumi.<stack>.yaml.
        project.init(stack, emulator.base_url, project_uid=None)
        uids[stack] = _yaml_value(project.dir / f"Pulumi.{stack}.yaml", "personalize:contentstackProjectUid")
        stack_file = (project.dir / f"Pulumi.{stack}.yaml").read_text()
        assert "secure:" in stack_file and SITECORE_CLIENT_SECRET not in stack_file
        project.up(stack)
        project.assert_no_changes(stack)
    assert uids["dev"] != uids["prod"]

    dev, prod = project.outputs("dev"), project.outputs("prod")
    assert (dev["stack"], prod["stack"]) == ("dev", "prod")
    assert (dev["signup_cta"]["status"], prod["signup_cta"]["status"]) == ("DRAFT", "ACTIVE")
    assert (dev["offers_decision_model"]["status"], prod["offers_decision_model"]["status"]) == ("DRAFT", "PRODUCTION")
    assert (dev["welcome_banner_flow"]["status"], prod["welcome_banner_flow"]["status"]) == ("DRAFT", "PRODUCTION")

    # Each stack wrote into its own Contentstack project, with its own split and audience rule.
    for stack, outputs, treatment in (("dev", dev, 50), ("prod", prod, 20)):
        cs = contentstack(emulator, uids[stack])
        uid = outputs["signup_cta"]["uid"]
        assert set(cs["experiences"]) == {uid}
        version = live_version(cs, uid)
        assert [v["trafficDistribution"] for v in version["variants"]] == [100 - treatment, treatment]
        assert outputs["frequent_visitors_audience_uid"] in cs["audiences"]
    models = {m["name"]: m for m in live_sitecore(emulator, "decisionModels")}
    assert set(models) == {"Sign-up offers (dev)", "Sign-up offers (prod)"}

    for stack in ("dev", "prod"):
        project.destroy(stack)
        assert not contentstack(emulator, uids[stack]).get("experiences")
    assert live_sitecore(emulator, "decisionModels") == []
    assert live_sitecore(emulator, "flowDefinitions") == []


def test_ab_test(emulator: Any, tmp_path: Path) -> None:
    project = Project(EXAMPLES / "ab-test", tmp_path)
    project.init("dev", emulator.base_url, plain={"status": "ACTIVE", "markets": "US,CA,GB"})
    project.up("dev")
    project.assert_no_changes("dev")

    outputs = project.outputs("dev")
    cs = contentstack(emulator)
    uid = outputs["experience_uid"]
    assert outputs["experience_status"] == "ACTIVE"
    assert outputs["variant_short_uids"] == {"Classic checkout": "0", "One-page checkout": "1", "Express button": "2"}
    assert outputs["priority"][0] == uid
    assert cs["experiences"][uid]["__type"] == "AB_TEST"

    version = live_version(cs, uid)
    assert version["status"] == "ACTIVE"
    assert "variantSplit" not in version  # explicit traffic; only EQUALLY_SPLIT is a known split value
    assert set(outputs["cms_variant_uids"]) == set(outputs["variant_short_uids"])
    assert outputs["cms_variant_group_uid"] == cs["cms"][uid]["variantGroup"]
    assert [v["trafficDistribution"] for v in version["variants"]] == [50, 25, 25]
    events = {e["uid"]: e["key"] for e in cs["events"].values()}
    assert [(events[m["event"]], m["__type"]) for m in version["metrics"]] == [
        ("purchase", "Primary"), ("add_to_cart", "Secondary"), ("newsletter_signup", "Secondary"),
    ]
    targeting = version["targeting"]["audience"]
    assert targeting["audienceCombinationType"] == "OR"
    assert set(targeting["audiences"]) == set(outputs["audience_uids"].values())
    markets = cs["audiences"][outputs["audience_uids"]["target_markets"]]
    assert "US, CA, GB" in markets["description"]

    # destroy pauses the running test before deleting it, then removes what it used
    project.destroy("dev")
    cs = contentstack(emulator)
    assert not any(cs.get(kind) for kind in ("attributes", "audiences", "events", "experiences"))


def test_sitecore_connections(emulator: Any, tmp_path: Path) -> None:
    secrets = {"loyaltyClientSecret": "loyalty-cs-e2e-91b2"}
    project = Project(EXAMPLES / "sitecore-connections", tmp_path)
    project.init("dev", emulator.base_url, secrets=secrets)
    project.up("dev")
    project.assert_no_changes("dev")

    outputs = project.outputs("dev")
    assert outputs["loyalty_auth"] == "[secret]"
    assert project.outputs("dev", show_secrets=True)["loyalty_auth"]["client_secret"] == secrets["loyaltyClientSecret"]
    assert secrets["loyaltyClientSecret"] not in project.export_text("dev")
    connections = {c["ref"]: c for c in live_sitecore(emulator, "connections")}
    assert set(connections) == set(outputs["connections"].values())
    by_name = {name: connections[ref] for name, ref in outputs["connections"].items()}
    assert {name: (c["auth"]["authType"], c["systemType"]) for name, c in by_name.items()} == {
        "public_holidays": ("NONE", "DATA_SYSTEM"), "crm": ("NONE", "DATA_SYSTEM"),
        "loyalty": ("OAUTH", "DATA_SYSTEM"), "analytics": ("NONE", "DESTINATION"),
    }
    assert by_name["crm"]["request"] == {"requestType": "POST", "connectionUrl": "https://crm.example.com/api/customers/lookup",
                                         "requestBody": '{"email": "${email}"}'}

    templates = {t["ref"]: t for t in live_sitecore(emulator, "templates")}
    banner = templates[outputs["templates"]["holiday_banner"]]
    folder = EXAMPLES / "sitecore-connections" / "templates"
    assert banner["status"] == "PUBLISHED"
    assert banner["templateElements"] == [
        {"id": "html", "template": (folder / "holiday-banner.html").read_text()},
        {"id": "css", "template": (folder / "holiday-banner.css").read_text()},
        {"id": "js", "template": (folder / "holiday-banner.js").read_text()},
    ]
    offer = templates[outputs["templates"]["tier_offer"]]
    assert offer["type"] == "DECISION"
    assert offer["templateElements"] == [{"id": "freemarker", "template": (folder / "tier-offer.ftl").read_text()}]

    project.destroy("dev")
    assert live_sitecore(emulator, "connections") == [] and live_sitecore(emulator, "templates") == []


def test_sitecore_experiences(emulator: Any, tmp_path: Path) -> None:
    project = Project(EXAMPLES / "sitecore-experiences", tmp_path)
    project.init("dev", emulator.base_url)
    project.up("dev")
    project.assert_no_changes("dev")

    outputs = project.outputs("dev")
    model = outputs["decision_model"]
    models = {m["ref"]: m for m in live_sitecore(emulator, "decisionModels")}
    assert models[model["ref"]]["deploymentConfiguration"]["variants"] == [
        {"variantRef": model["variant_ref"], "split": 100, "status": "PRODUCTION",
         "variantRevision": model["variant_revision"]}]
    variant = {v["ref"]: v for v in live_sitecore(emulator, "decisionModelVariants")}[model["variant_ref"]]
    assert variant["definition"] == (EXAMPLES / "sitecore-experiences" / "decisions" / "next-best-offer.dmn").read_text()

    flows = {f["ref"]: f for f in live_sitecore(emulator, "flowDefinitions")}
    experience, test, api = (flows[outputs["flows"][k]] for k in ("free_delivery_hero", "hero_offer_test", "offer_api"))
    hero_html = (EXAMPLES / "sitecore-experiences" / "templates" / "hero.html").read_text()
    assert (experience["type"], experience["subtype"], experience["status"]) == (
        "INTERACTIVE_WEB_FLOW", "EXPERIENCE", "PRODUCTION")
    assert experience["variants"][0]["assets"]["html"] == hero_html
    assert (test["subtype"], test["status"]) == ("EXPERIMENT", "PRODUCTION")
    assert [s["split"] for s in test["traffic"]["splits"]] == [50, 50]
    assert [v["isControl"] for v in test["variants"]] == [True, False]
    assert test["variants"][1]["tasks"] == [{"implementation": "decisionModelTask", "input": {
        "inputType": "decisionModelTaskInput", "decisionModelRefs": [model["ref"]]}}]
    assert test["goals"]["primary"]["type"] == "pageViewGoal"
    assert (api["type"], api["businessProcess"], api["channels"]) == (
        "INTERACTIVE_API_FLOW", "interactive_v1", ["WEB", "MOBILE_APP"])
    assert api["variants"][0]["tasks"][0]["implementation"] == "templateRenderTask"

    # an edited DMN file: the variant and its deployment in one up
    dmn = project.dir / "decisions" / "next-best-offer.dmn"
    dmn.write_text(dmn.read_text().replace('"newsletter"', '"ten-percent"'))
    project.up("dev")
    project.assert_no_changes("dev")
    revision = project.outputs("dev")["decision_model"]["variant_revision"]
    assert revision == model["variant_revision"] + 1
    deployed = {m["ref"]: m for m in live_sitecore(emulator, "decisionModels")}[model["ref"]]
    assert deployed["deploymentConfiguration"]["variants"][0]["variantRevision"] == revision

    project.destroy("dev")
    for kind in ("decisionModels", "decisionModelVariants", "flowDefinitions", "templates"):
        assert live_sitecore(emulator, kind) == [], kind


def _yaml_value(path: Path, key: str) -> str:
    return str(yaml.safe_load(path.read_text())["config"][key])
