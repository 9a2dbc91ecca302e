"""Round trip of `personalize-export contentstack`: a realistic project made through the API
directly, exported, adopted by `pulumi up` of the generated program without changing any object,
then no changes, and one edited value previews as exactly one update."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx
import pytest

from pulumi_personalize.emulator.contentstack.cma import EMULATOR_MANAGEMENT_TOKEN, EMULATOR_STACK_API_KEY
from tests.e2e.conftest import CONTENTSTACK_AUTHTOKEN, CONTENTSTACK_PROJECT_UID
from tests.e2e.export_support import (
    WRITES,
    PulumiProject,
    ruff,
    run_export,
    source_project,
    without_bookkeeping,
    world,
)

pytestmark = pytest.mark.e2e

ATTRIBUTES = [("plan", "Plan"), ("cart_value", "Cart value"), ("loyalty_tier", "Loyalty tier"),
              ("visits", "Visits"), ("newsletter", "Newsletter subscriber"), ("favourite_team", "Favourite team"),
              ("last_order_days", "Days since last order"), ("b2b", "Business customer"),
              ("app_version", "App version"), ("segment_id", "CDP segment")]
EVENTS = ["purchase", "add_to_cart", "signup", "newsletter_signup", "search", "video_play", "checkout_start",
          "wishlist_add", "coupon_applied", "support_chat"]


class Api:
    """The service's own API, through plain httpx (not the provider)."""

    def __init__(self, base_url: str) -> None:
        self.http = httpx.Client(base_url=base_url, timeout=10, headers={
            "authtoken": CONTENTSTACK_AUTHTOKEN, "x-project-uid": CONTENTSTACK_PROJECT_UID})

    def send(self, method: str, path: str, body: Any = None) -> Any:
        response = self.http.request(method, path, json=body)
        assert response.status_code < 300, f"{method} {path}: {response.status_code} {response.text}"
        return response.json() if response.content else None


def rule(attribute: str, condition: str, options: dict[str, Any] | None, *, preset: bool = False,
         invert: bool = False) -> dict[str, Any]:
    node: dict[str, Any] = {
        "__type": "Rule",
        "attribute": {"__type": "PresetAttributeReference" if preset else "CustomAttributeReference", "ref": attribute},
        "attributeMatchCondition": condition, "invertCondition": invert}
    if options is not None:
        node["attributeMatchOptions"] = options
    return node


def combination(kind: str, *rules: dict[str, Any]) -> dict[str, Any]:
    return {"__type": "RuleCombination", "combinationType": kind, "rules": list(rules)}


def text(value: str) -> dict[str, Any]:
    return {"__type": "StringMatchOptions", "value": value}


def number(value: float) -> dict[str, Any]:
    return {"__type": "NumberMatchOptions", "value": value}


def seed(api: Api) -> dict[str, Any]:
    """10 attributes, 10 events, 8 audiences with nested rules, 5 experiences, a priority."""
    attrs = {key: api.send("POST", "/attributes", {"key": key, "name": name, "description": f"The {name.lower()}"})["uid"]
             for key, name in ATTRIBUTES}
    events = {key: api.send("POST", "/events", {"key": key, "description": f"Visitor: {key}"})["uid"]
              for key in EVENTS}
    definitions = {
        "Premium customers": combination("AND", rule(attrs["plan"], "STRING_EQUALS", text("premium"))),
        "Big carts in the US": combination("AND", rule("COUNTRY", "STRING_EQUALS", text("US"), preset=True),
                                           rule(attrs["cart_value"], "NUMBER_GREATER_THAN", number(250))),
        "Loyal or frequent": combination("OR", rule(attrs["loyalty_tier"], "STRING_EQUALS", text("gold")),
                                         combination("AND", rule(attrs["visits"], "NUMBER_GREATER_THAN", number(10)),
                                                     rule(attrs["newsletter"], "STRING_EQUALS", text("yes")))),
        "Not business": combination("AND", rule(attrs["b2b"], "STRING_EQUALS", text("true"), invert=True)),
        "Spring campaign": combination("AND", rule("QUERY_PARAMETERS", "JSON_MATCH", {
            "__type": "JSONMatchOptions", "pointer": "/utm_campaign", "matchCondition": "STRING_EQUALS",
            "matchOptions": text("spring"), "invertCondition": False}, preset=True)),
        "Black Friday window": combination("AND", rule("DATE_AND_TIME", "BETWEEN_TIME", {
            "__type": "DateTimeMatchOptions", "startTime": "2026-11-27T00:00:00", "endTime": "2026-11-30T23:59:59",
            "useVisitorTimezone": True}, preset=True)),
        "Lapsed buyers": combination("OR", combination("AND",
                                                      rule(attrs["last_order_days"], "NUMBER_GREATER_THAN", number(90)),
                                                      rule(attrs["plan"], "STRING_EQUALS", text("free"))),
                                     rule(attrs["segment_id"], "STRING_EQUALS", text("lapsed"))),
        "Mobile app fans": combination("AND", rule("DEVICE_TYPE", "STRING_EQUALS", text("MOBILE"), preset=True),
                                       rule(attrs["app_version"], "STRING_EQUALS", text("5.2"))),
    }
    audiences = {name: api.send("POST", "/audiences", {"name": name, "description": f"{name} (seeded)",
                                                       "definition": definition})["uid"]
                 for name, definition in definitions.items()}

    def experience(name: str, kind: str) -> tuple[str, str]:
        created = api.send("POST", "/experiences", {"name": name, "description": f"{name}!", "__type": kind})
        return created["uid"], created["latestVersion"]

    def segmented(*pairs: tuple[str, str]) -> list[dict[str, Any]]:
        return [{"__type": "SegmentedVariant", "name": n, "audiences": [audiences[a]],
                 "audienceCombinationType": "OR"} for n, a in pairs]

    hero, draft = experience("Homepage hero", "SEGMENTED")  # active, with a paused older version
    first = {"status": "ACTIVE", "variants": segmented(("Premium hero", "Premium customers"))}
    api.send("PUT", f"/experiences/{hero}/versions/{draft}", first)
    api.send("PUT", f"/experiences/{hero}/versions/{draft}", {**first, "status": "PAUSED"})
    api.send("POST", f"/experiences/{hero}/versions", {"status": "ACTIVE", "variants": segmented(
        ("Premium hero", "Premium customers"), ("Loyal hero", "Loyal or frequent"))})

    checkout, draft = experience("Checkout button test", "AB_TEST")
    api.send("PUT", f"/experiences/{checkout}/versions/{draft}", {
        "status": "ACTIVE",
        "variants": [{"__type": "ABTestVariant", "name": "Control", "trafficDistribution": 60},
                     {"__type": "ABTestVariant", "name": "Green", "trafficDistribution": 40}],
        "metrics": [{"__type": "Primary", "event": events["purchase"], "name": "Purchases"}],
        "targeting": {"audience": {"audiences": [audiences["Big carts in the US"]],
                                   "audienceCombinationType": "AND"}}})

    paused, draft = experience("Spring banner", "SEGMENTED")  # paused
    body = {"status": "ACTIVE", "variants": segmented(("Spring", "Spring campaign"))}
    api.send("PUT", f"/experiences/{paused}/versions/{draft}", body)
    api.send("PUT", f"/experiences/{paused}/versions/{draft}", {**body, "status": "PAUSED"})

    newer, draft = experience("Black Friday", "SEGMENTED")  # active, with a newer draft
    api.send("PUT", f"/experiences/{newer}/versions/{draft}", {"status": "ACTIVE", "variants": segmented(
        ("Deals", "Black Friday window"))})
    api.send("POST", f"/experiences/{newer}/versions", {"status": "DRAFT", "variants": segmented(
        ("Deals", "Black Friday window"), ("App deals", "Mobile app fans"))})

    even, _ = experience("Signup copy", "AB_TEST")  # a draft A/B test split equally
    api.send("PUT", f"/experiences/{even}/versions/{_}", {
        "status": "DRAFT", "variantSplit": "EQUALLY_SPLIT",
        "variants": [{"__type": "ABTestVariant", "name": n, "trafficDistribution": 50} for n in ("Short", "Long")],
        "metrics": [{"__type": "Primary", "event": events["signup"], "name": "Signups"}]})

    order = [checkout, hero, newer, paused, even]
    api.send("PUT", "/experiences-priority", {"priorityOrder": order})
    return {"attributes": attrs, "events": events, "audiences": audiences, "order": order}


def project_world(base_url: str) -> dict[str, Any]:
    project = world(base_url)["contentstack"]["projects"][CONTENTSTACK_PROJECT_UID]
    return {k: project[k] for k in ("attributes", "events", "audiences", "experiences", "versions", "priority")}


def test_export_round_trip(emulator: Any, tmp_path: Path) -> None:
    seeded = seed(Api(emulator.base_url))
    source = source_project(tmp_path, emulator.base_url)
    out = tmp_path / "adopted"
    before = project_world(emulator.base_url)
    emulator.clear_requests()

    result = run_export(source, "contentstack", "--out", str(out), "--project-name", "adopted")
    assert result.returncode == 0, result.stderr
    sent = emulator.requests()
    assert sent and {r["method"] for r in sent} == {"GET"}, [f"{r['method']} {r['path']}" for r in sent]
    assert "attribute: 10" in result.stdout and "event: 10" in result.stdout, result.stdout
    assert "audience: 8" in result.stdout and "experience: 5" in result.stdout, result.stdout
    assert re.search(r"attribute: COUNTRY, .*preset attribute", result.stdout), result.stdout
    # no stack settings: the variant groups' links are not exported, and the summary says what to set
    assert re.search(r"variant_group: .*not exported.*personalize:contentstackStackApiKey", result.stdout), result.stdout
    assert sorted(p.name for p in out.iterdir()) == ["Pulumi.yaml", "__main__.py", "requirements.txt"]
    program = (out / "__main__.py").read_text()
    for uid in [*seeded["attributes"].values(), *seeded["audiences"].values(), *seeded["order"]]:
        assert program.count(f'adopt_uid="{uid}"') == 1, uid
    assert "rules.custom(plan.uid)" in program and "audiences=[premium_customers.uid]" in program
    assert "event=purchase.uid" in program
    lint = ruff(out, "check")
    assert lint.returncode == 0, lint.stdout
    formatted = ruff(out, "format", "--check")
    assert formatted.returncode == 0, formatted.stdout

    adopted = PulumiProject(out, tmp_path)
    adopted.init("dev", emulator.base_url)
    emulator.clear_requests()
    up = adopted.pulumi("up", "--yes", "--skip-preview", "--stack", "dev")
    assert "+ 35 created" in up.stdout, up.stdout  # 10 + 10 + 8 + 5, the priority and the stack
    writes = [r for r in emulator.requests() if r["method"] in WRITES]
    assert all(r["method"] == "PUT" for r in writes), [f"{r['method']} {r['path']}" for r in writes]
    assert without_bookkeeping(project_world(emulator.base_url)) == without_bookkeeping(before)

    assert adopted.preview_summary("dev") == {"same": 35}
    # one edited value previews as exactly that one update
    edited = program.replace('description="The loyalty tier"', 'description="Gold, silver or bronze"')
    assert edited != program
    (out / "__main__.py").write_text(edited)
    assert adopted.preview_summary("dev") == {"update": 1, "same": 34}
    assert adopted.updated("dev") == ["loyalty_tier"]


STACK_PLAIN = {"personalize:contentstackStackApiKey": EMULATOR_STACK_API_KEY}
STACK_SECRETS = {"personalize:contentstackManagementToken": EMULATOR_MANAGEMENT_TOKEN}
GROUPS = "/v3/variant_groups"


def cma(base_url: str) -> httpx.Client:
    """The stack's Content Management API, as a person in the UI reaches it."""
    return httpx.Client(base_url=base_url, timeout=10,
                        headers={"authtoken": CONTENTSTACK_AUTHTOKEN, "api_key": EMULATOR_STACK_API_KEY})


def linked(base_url: str) -> dict[str, list[str]]:
    """Experience uid -> the content types linked to its variant group."""
    with cma(base_url) as stack:
        groups = stack.get(GROUPS).raise_for_status().json()["variant_groups"]
    return {g["personalize_metadata"]["experience_uid"]: list(g["content_types"]) for g in groups}


def test_export_writes_the_content_types_linked_to_variant_groups(emulator: Any, tmp_path: Path) -> None:
    api = Api(emulator.base_url)
    audience = api.send("POST", "/audiences", {"name": "Everyone", "description": "", "definition": combination(
        "AND", rule("COUNTRY", "STRING_EQUALS", text("US"), preset=True))})["uid"]
    checkout = api.send("POST", "/experiences", {"name": "Checkout", "description": "", "__type": "AB_TEST"})
    api.send("PUT", f"/experiences/{checkout['uid']}/versions/{checkout['latestVersion']}", {
        "status": "ACTIVE", "variants": [{"__type": "ABTestVariant", "name": n, "trafficDistribution": 50}
                                         for n in ("Control", "Green")]})
    hero = api.send("POST", "/experiences", {"name": "Hero", "description": "", "__type": "SEGMENTED"})
    api.send("PUT", f"/experiences/{hero['uid']}/versions/{hero['latestVersion']}", {"status": "ACTIVE", "variants": [
        {"__type": "SegmentedVariant", "name": "US", "audiences": [audience], "audienceCombinationType": "OR"}]})
    emulator.advance_clock(5)  # Personalize's background job makes the variant groups
    with cma(emulator.base_url) as stack:  # someone links two content types to the checkout test's group
        [group] = stack.get(GROUPS, params={"experience_uid": checkout["uid"]}).raise_for_status().json()[
            "variant_groups"]
        stack.put(f"{GROUPS}/{group['uid']}", json={"name": group["name"], "content_types": [
            {"uid": "product", "status": "linked"}, {"uid": "cart", "status": "linked"}]}).raise_for_status()
    before = linked(emulator.base_url)
    assert before == {checkout["uid"]: ["product", "cart"], hero["uid"]: []}

    source = source_project(tmp_path, emulator.base_url, STACK_SECRETS, STACK_PLAIN)
    out = tmp_path / "adopted"
    emulator.clear_requests()
    result = run_export(source, "contentstack", "--out", str(out), "--project-name", "adopted")
    assert result.returncode == 0, result.stderr
    assert {r["method"] for r in emulator.requests()} == {"GET"}
    assert "variant_group: 1" in result.stdout and "not exported" not in result.stdout, result.stdout
    program = (out / "__main__.py").read_text()
    assert re.search(r'cs\.VariantGroupContentTypes\(\s*"checkout_content_types",\s*experience=checkout\.uid,\s*'
                     r'content_types=\["product", "cart"\],?\s*\)', program), program
    assert ruff(out, "check").returncode == 0

    adopted = PulumiProject(out, tmp_path)
    adopted.init("dev", emulator.base_url, STACK_SECRETS, STACK_PLAIN)
    emulator.clear_requests()
    up = adopted.pulumi("up", "--yes", "--skip-preview", "--stack", "dev")
    assert "+ 6 created" in up.stdout, up.stdout  # the audience, 2 experiences, the link, the priority, the stack
    writes = [f"{r['method']} {r['path']}" for r in emulator.requests() if r["method"] in WRITES]
    assert not [w for w in writes if GROUPS in w], writes  # the links were there: nothing to write
    assert linked(emulator.base_url) == before
    assert adopted.preview_summary("dev") == {"same": 6}

    # the program now manages the link: dropping a content type previews as that one update
    (out / "__main__.py").write_text(program.replace('["product", "cart"]', '["product"]'))
    assert adopted.preview_summary("dev") == {"update": 1, "same": 5}
    assert adopted.updated("dev") == ["checkout_content_types"]
