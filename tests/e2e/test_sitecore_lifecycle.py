"""Every Sitecore resource through the real Pulumi engine against the emulator.

Per resource: preview, up, a no-change preview, refresh after an out-of-band edit and after an
out-of-band archive, update in place, replace on a type change, destroy (archived, or dropped from
state with a warning for templates), and adoption of an object created directly on the emulator.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import pulumi
import pytest

from pulumi_personalize import sitecore
from tests.e2e.conftest import E2EStack, StackFactory


class Sitecore:
    """The emulator's Sitecore API, called directly: the "out-of-band" hand in these tests."""

    def __init__(self, emulator: Any) -> None:
        self.http = httpx.Client(base_url=emulator.base_url, headers=emulator.sitecore_headers(), timeout=10)

    def get(self, path: str, ref: str) -> dict[str, Any]:
        response = self.http.get(f"/v1/{path}/{ref}")
        response.raise_for_status()
        body: dict[str, Any] = response.json()
        return body

    def patch(self, path: str, ref: str, body: dict[str, Any]) -> dict[str, Any]:
        response = self.http.patch(f"/v1/{path}/{ref}", json=body)  # the emulator's merge-PATCH
        response.raise_for_status()
        result: dict[str, Any] = response.json()
        return result

    def create(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        response = self.http.post(f"/v1/{path}", json=body)
        response.raise_for_status()
        result: dict[str, Any] = response.json()
        return result

    def all(self, path: str) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = self.http.get(f"/v1/{path}", params={"pageSize": 100}).json()["items"]
        return items


@pytest.fixture
def sc(emulator: Any) -> Sitecore:
    return Sitecore(emulator)


@dataclass
class Case:
    cls: type[pulumi.dynamic.Resource]
    path: str
    initial: dict[str, Any]
    # (argument changes, the API field and value they must produce)
    update: tuple[dict[str, Any], str, Any]
    # an out-of-band edit: API body for PATCH, and the API field/value the next up must restore
    edit: tuple[dict[str, Any], str, Any]
    archivable: bool = True
    replace: dict[str, Any] | None = None
    adopt_body: dict[str, Any] = field(default_factory=dict)


CASES = {
    "connection": Case(
        sitecore.Connection, "connections",
        initial={"name": "Weather", "connection_url": "https://weather.example.com/v1",
                 "auth_type": "BASIC", "username": "svc", "password": "pw-e2e-123456"},
        update=({"request_type": "POST"}, "requestType", "POST"),
        edit=({"connectionTimeout": 9999}, "connectionTimeout", 1000),
        adopt_body={"name": "Adopted conn", "connectionUrl": "https://a.example.com", "requestType": "GET"},
    ),
    "decision_model": Case(
        sitecore.DecisionModel, "decision-models",
        initial={"name": "Next best offer", "status": "DRAFT",
                 "deployment_configuration": [{"variant_ref": "a", "split": 60}, {"variant_ref": "b", "split": 40}]},
        update=({"status": "TEST"}, "status", "TEST"),
        edit=({"deploymentConfiguration": [{"variantRef": "a", "split": 100}]}, "deploymentConfiguration",
              [{"variantRef": "a", "split": 60}, {"variantRef": "b", "split": 40}]),
        adopt_body={"name": "Adopted model", "status": "PRODUCTION"},
    ),
    "flow_definition": Case(
        sitecore.FlowDefinition, "flow-definitions",
        initial={"name": "Hero banner test", "type": "WEB", "status": "DRAFT",
                 "variants": [{"variant_ref": "control", "split": 50}, {"variant_ref": "b", "split": 50}]},
        update=({"status": "ACTIVE"}, "status", "ACTIVE"),
        edit=({"status": "PAUSED"}, "status", "DRAFT"),
        replace={"type": "FULLSTACK"},
        adopt_body={"name": "Adopted flow", "type": "WEB"},
    ),
    "template": Case(
        sitecore.Template, "templates",
        initial={"name": "Banner", "type": "WEB", "html": "<div>hi</div>", "css": "div{color:red}"},
        update=({"javascript": "console.log(1)"}, "javascript", "console.log(1)"),
        edit=({"html": "<div>edited in the UI</div>"}, "html", "<div>hi</div>"),
        archivable=False,
        replace={"type": "DECISION"},
        adopt_body={"name": "Adopted template", "type": "WEB", "html": "<p/>"},
    ),
}


def program_for(case: Case, desired: dict[str, Any]) -> Callable[[], None]:
    def program() -> None:
        resource: Any = case.cls("it", **desired)
        pulumi.export("ref", resource.ref)
        pulumi.export("id", resource.id)
        if "revision" in case.cls._spec.output_names:  # type: ignore[attr-defined]
            pulumi.export("revision", resource.revision)
    return program


def type_suffix(case: Case) -> str:
    return f":{case.cls.__name__}"


@pytest.mark.parametrize("name", list(CASES))
def test_lifecycle(name: str, stack_factory: StackFactory, sc: Sitecore) -> None:
    case = CASES[name]
    desired = dict(case.initial)
    stack: E2EStack = stack_factory(program_for(case, desired))

    # preview, up, nothing left to do
    assert stack.changes(stack.preview()) == {"create": 2}
    ref = stack.up().outputs["ref"].value
    assert stack.outputs["id"] == ref
    live = sc.get(case.path, ref)
    assert live["name"] == desired["name"]
    stack.assert_no_changes()

    # an out-of-band edit: refresh sees it, the next preview wants to put it back, up does
    patch, api_field, restored = case.edit
    sc.patch(case.path, ref, patch)
    stack.refresh()
    assert stack.changes(stack.preview()) == {"update": 1}
    stack.up()
    assert sc.get(case.path, ref)[api_field] == restored
    stack.assert_no_changes()

    # an out-of-band archive: refresh drops it from state; up adopts and unarchives the same object
    if case.archivable:
        sc.patch(case.path, ref, {"archived": True})
        stack.refresh()
        assert stack.resources(type_suffix(case)) == []
        assert stack.changes(stack.preview()) == {"create": 1}
        assert stack.up().outputs["ref"].value == ref
        assert sc.get(case.path, ref)["archived"] is False
        stack.assert_no_changes()

    # update in place: same ref, the change reaches the service, the revision moves on
    before = sc.get(case.path, ref)
    changes, api_field, value = case.update
    desired.update(changes)
    assert stack.changes(stack.preview()) == {"update": 1}
    up = stack.up()
    assert up.outputs["ref"].value == ref
    after = sc.get(case.path, ref)
    assert after[api_field] == value
    assert after["revision"] > before["revision"]
    if "revision" in up.outputs:
        assert up.outputs["revision"].value == after["revision"]
    stack.assert_no_changes()

    # replace on a type change: a new object; the old one archived (or left, for templates)
    if case.replace is not None:
        desired.update(case.replace)
        preview = stack.preview()
        assert stack.changes(preview) == {"replace": 1}, preview.stdout
        new_ref = stack.up().outputs["ref"].value
        assert new_ref != ref
        assert all(sc.get(case.path, new_ref)[k] == v for k, v in case.replace.items())
        old = sc.get(case.path, ref)
        if case.archivable:
            assert old["archived"] is True
        else:
            assert "was removed from the Pulumi state" in "".join(stack.output)
        stack.assert_no_changes()
        ref = new_ref

    # destroy: archived, or dropped from state with a warning naming the object
    stack.output.clear()
    stack.destroy()
    assert stack.resources(type_suffix(case)) == []
    if case.archivable:
        assert sc.get(case.path, ref)["archived"] is True
    else:
        assert sc.get(case.path, ref)["name"] == desired["name"]  # still there: no DELETE, no archive
        text = "".join(stack.output)
        assert f"Template {desired['name']!r} (ref {ref}) was removed from the Pulumi state" in text


@pytest.mark.parametrize("name", list(CASES))
def test_adopts_an_object_created_outside_pulumi(name: str, stack_factory: StackFactory, sc: Sitecore) -> None:
    case = CASES[name]
    existing = sc.create(case.path, case.adopt_body)
    desired = {**case.initial, "name": case.adopt_body["name"], "adopt_ref": existing["ref"]}
    if "type" in case.adopt_body:
        desired["type"] = case.adopt_body["type"]
    stack = stack_factory(program_for(case, desired))
    assert stack.up().outputs["ref"].value == existing["ref"]
    live = sc.get(case.path, existing["ref"])
    assert live["revision"] == existing["revision"] + 1  # updated to the program's inputs, not recreated
    assert len([i for i in sc.all(case.path) if i["name"] == desired["name"]]) == 1
    stack.assert_no_changes()


@pytest.mark.parametrize("name", ["flow_definition", "template"])
def test_a_name_taken_by_a_live_object_fails_with_the_adoption_hint(
    name: str, stack_factory: StackFactory, sc: Sitecore
) -> None:
    case = CASES[name]
    existing = sc.create(case.path, {"name": case.initial["name"], "type": case.initial["type"]})
    stack = stack_factory(program_for(case, dict(case.initial)))
    with pytest.raises(Exception) as failure:
        stack.up()
    assert f"adopt_ref={existing['ref']!r}" in str(failure.value)
    assert len([i for i in sc.all(case.path) if i["name"] == case.initial["name"]]) == 1
