"""One table of life-cycle cases, run against both faces of the package (issue 18).

``ROWS`` is the table of resources: for each, the program's inputs at create, after an in-place update
and after a change of a field that ``replaces``, and the out-of-band edit a person makes in the UI.
``test_life_cycle`` runs the cases in order (create, no-change preview, update, replace, refresh after
an out-of-band edit, refresh after an out-of-band delete, tenant guard, destroy) on one stack per
face, with the same expectations for both, except where ``FACE_DIFFERENCES`` says otherwise (and why).

A face is an adapter that turns a row's inputs into a resource of an inline Python program: the
dynamic face declares ``pulumi_personalize.contentstack.Attribute(...)``, the native face declares
``personalize:contentstack:Attribute`` by its type token through the plugin (what a YAML or
TypeScript program's resource does; ``test_native_yaml.py`` runs a YAML program itself).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import pulumi
import pytest
from pulumi import automation as auto

from pulumi_personalize import contentstack as cs
from pulumi_personalize import sitecore as sc
from pulumi_personalize.contentstack import rules
from pulumi_personalize.engine import plain
from pulumi_personalize.export.program import Ref  # an output of another row's resource: Ref("us", "uid")
from pulumi_personalize.native._types import camel
from tests.e2e.conftest import CONTENTSTACK_PROJECT_UID, E2EStack, StackFactory
from tests.e2e.contentstack_live import client, customs, get
from tests.e2e.native_support import Native, plugin_env
from tests.e2e.test_native_yaml import counts
from tests.e2e.test_sitecore_lifecycle import Api
from tests.e2e.test_tenant_guard import OTHER_PROJECT

pytestmark = pytest.mark.e2e

Json = dict[str, Any]


@dataclass(frozen=True)
class Row:
    service: str  # "contentstack" or "sitecore"
    kind: str  # the class name of the dynamic face, the last part of the native type token
    name: str
    path: str  # the live collection, for the out-of-band hand
    before: Json  # snake_case inputs, as the dynamic face takes them; nested keys are one word
    after: Json  # an in-place update (``before`` again where the row is not updated)
    replaced: Json | None  # a change of a ``replaces`` field (None: the row is not replaced)
    edit: tuple[str, str] | None  # an out-of-band edit (field, value) and delete; None: left alone

    @property
    def updated(self) -> bool:
        return self.after != self.before

    def final(self) -> Json:
        return self.replaced if self.replaced is not None else self.after


US_RULE = plain(rules.all_of(rules.Rule(rules.preset("COUNTRY"), "STRING_EQUALS", rules.StringMatch("US"))))
TEMPLATE = {"name": "Banner", "type": "WEB", "template_elements": [{"id": "html", "template": "<div>Sale</div>"}]}

ROWS: tuple[Row, ...] = (
    Row("contentstack", "Attribute", "plan", "/attributes",
        before={"key": "plan", "name": "Plan"}, after={"key": "plan", "name": "Subscription plan"},
        replaced=None,  # no argument of an attribute replaces it
        edit=("name", "By hand")),
    Row("contentstack", "Audience", "us", "/audiences",
        before={"name": "US", "definition": US_RULE}, after={"name": "US", "definition": US_RULE},
        replaced=None, edit=None),
    Row("contentstack", "Experience", "hero", "/experiences",
        before={"name": "Hero", "type": "AB_TEST", "variants": [{"name": "A"}, {"name": "B"}]},
        after={"name": "Hero", "description": "spring", "type": "AB_TEST",
               "variants": [{"name": "A"}, {"name": "B"}]},
        # `type` replaces; a SEGMENTED variant needs audiences
        replaced={"name": "Hero", "description": "spring", "type": "SEGMENTED",
                  "variants": [{"name": "US hero", "audiences": [Ref("us", "uid")]}]},
        edit=None),
    Row("sitecore", "Template", "banner", "/v3/templates",
        before={**TEMPLATE, "friendly_id": "faces_banner"},
        after={**TEMPLATE, "friendly_id": "faces_banner", "description": "spring"},
        replaced={**TEMPLATE, "friendly_id": "faces_banner_two", "description": "spring"},
        edit=("description", "edited in the UI")),
    Row("sitecore", "DecisionModel", "offers", "/v2/decisionModelDefinitions",
        before={"name": "Offers"}, after={"name": "Next best offers"},
        replaced=None, edit=None),
)

# Where the faces answer differently by design, per face.
CS_MOVE, SC_MOVE = "personalize:contentstackProjectUid", "personalize:sitecoreBaseUrl"
# The native face's refusal: the moved service's resources, on a provider that also serves a
# service that did not move (the setting, old -> new, and the way forward).
CS_REFUSED = (f"moved it: project {CONTENTSTACK_PROJECT_UID} -> {OTHER_PROJECT} (personalize:contentstackProjectUid). "
              "Pulumi cannot replace only the resources of the Contentstack project: the provider also serves Sitecore")
SC_REFUSED = ("(personalize:sitecoreRegion, personalize:sitecoreBaseUrl or personalize:baseUrl). Pulumi cannot replace "
              "only the resources of the Sitecore tenant: the provider also serves Contentstack project")
FACE_DIFFERENCES: dict[str, dict[str, dict[str, dict[str, int] | str]]] = {
    # The preview of a stack whose settings point at another tenant (the setting moved -> the change
    # summary, or the text of the preview's failure).
    # dynamic: the dynamic provider's diff compares the program's inputs only, and the settings are
    # none of them: it previews no change (an `up` then touches nothing; a refresh, update or delete
    # is refused, docs/recovery.md section 4).
    # native: the provider configuration changed, so Pulumi asks the plugin's DiffConfig. One
    # service's tenant moved and the other's did not, so it answers "update in place" (a replace
    # would replace the resources of both services, and a replacing Sitecore template would find
    # its own friendly_id taken); each resource's own Diff then runs, and those recorded in the
    # moved tenant fail the preview, naming the setting and the ways forward
    # (docs/native-provider.md, "One provider, two services").
    "tenant_preview": {
        "dynamic": {CS_MOVE: {}, SC_MOVE: {}},
        "native": {CS_MOVE: CS_REFUSED, SC_MOVE: SC_REFUSED},
    },
}

FACES = ("dynamic", "native")
Make = Callable[[Row, Json, Mapping[str, Any]], Any]


def resolve(value: Any, made: Mapping[str, Any], output: Callable[[Any, str], Any]) -> Any:
    if isinstance(value, Ref):
        return output(made[value.var], value.attr)
    if isinstance(value, list):
        return [resolve(v, made, output) for v in value]
    if isinstance(value, dict):
        return {k: resolve(v, made, output) for k, v in value.items()}
    return value


def dynamic_resource(row: Row, inputs: Json, made: Mapping[str, Any]) -> Any:
    cls = getattr(cs if row.service == "contentstack" else sc, row.kind)
    return cls(row.name, **resolve(inputs, made, getattr))


def native_resource(row: Row, inputs: Json, made: Mapping[str, Any]) -> Any:
    props = {camel(k): v for k, v in resolve(inputs, made, lambda r, o: r.out(camel(o))).items()}
    return Native(f"personalize:{row.service}:{row.kind}", row.name, props)


ADAPTERS: dict[str, Make] = {"dynamic": dynamic_resource, "native": native_resource}


def program(face: str, phase: dict[str, str]) -> Callable[[], None]:
    """The program of the current phase ("before", "after" or "final") in the face's words."""

    def run() -> None:
        made: dict[str, Any] = {}
        for row in ROWS:
            inputs = {"before": row.before, "after": row.after, "final": row.final()}[phase["now"]]
            made[row.name] = ADAPTERS[face](row, inputs, made)
            pulumi.export(row.name, made[row.name].id)

    return run


class Hand:
    """A person in the services' UIs: reads, edits and deletes objects directly on the emulator."""

    def __init__(self, emulator: Any) -> None:
        self.emulator = emulator
        self.sitecore = Api(emulator.base_url)

    def live(self, row: Row, uid: str) -> Json | None:
        """The live object, None when it is gone (deleted, or archived: Sitecore's delete)."""
        if row.service == "sitecore":
            found = self.sitecore.get(f"{row.path}/{uid}")
            return None if found.get("archived") else found
        if row.kind == "Experience":
            return next((e for e in get(self.emulator, row.path) if e["uid"] == uid), None)
        return next((o for o in customs(self.emulator, row.path) if o["uid"] == uid), None)

    def edit(self, row: Row, uid: str, field: str, value: str) -> None:
        if row.service == "sitecore":
            self.sitecore.edit(f"{row.path}/{uid}", **{field: value})
            return
        live = self.live(row, uid)
        assert live is not None
        body = {k: live[k] for k in ("key", "name", "description") if k in live}
        with client(self.emulator) as c:
            c.put(f"{row.path}/{uid}", json={**body, field: value}).raise_for_status()

    def delete(self, row: Row, uid: str) -> None:
        if row.service == "sitecore":
            self.sitecore.edit(f"{row.path}/{uid}", archived=True)
            return
        with client(self.emulator) as c:
            c.delete(f"{row.path}/{uid}").raise_for_status()


def ids(stack: E2EStack) -> dict[str, str]:
    return {k: str(v) for k, v in stack.outputs.items()}


def state_outputs(stack: E2EStack, name: str) -> Json:
    [resource] = [r for r in stack.resources() if r["urn"].endswith(f"::{name}")]
    outputs: Json = resource["outputs"]
    return outputs


def check_live(hand: Hand, stack: E2EStack, which: Callable[[Row], Json]) -> None:
    """Every row's object is live and holds the inputs' name (and description, where declared)."""
    for row in ROWS:
        live = hand.live(row, ids(stack)[row.name])
        assert live is not None, f"{row.name} is not live"
        for field in ("name", "description"):
            if field in which(row):
                assert live[field] == which(row)[field], (row.name, field, live)


def test_life_cycle(face: str, stack_factory: StackFactory, emulator: Any) -> None:
    phase = {"now": "before"}
    env = plugin_env() if face == "native" else None
    stack = stack_factory(program(face, phase), env=env, project_name=f"faces-{face}")
    hand = Hand(emulator)
    edited = [row for row in ROWS if row.edit is not None]
    assert {row.service for row in edited} == {"contentstack", "sitecore"}

    # create
    assert stack.changes(stack.preview()) == {"create": len(ROWS) + 1}  # the stack and each row
    stack.up()
    check_live(hand, stack, lambda row: row.before)
    created = ids(stack)

    # no-change preview
    stack.preview(expect_no_changes=True)

    # in-place update: the ids stay
    phase["now"] = "after"
    preview = stack.preview()
    assert stack.changes(preview) == {"update": sum(row.updated for row in ROWS)}, preview.stdout
    stack.up()
    assert ids(stack) == created
    check_live(hand, stack, lambda row: row.after)
    stack.preview(expect_no_changes=True)

    # replace: a `replaces` field makes a new object, the old one goes
    phase["now"] = "final"
    replaced = [row for row in ROWS if row.replaced is not None]
    assert {row.service for row in replaced} == {"contentstack", "sitecore"}
    preview = stack.preview()
    assert stack.changes(preview) == {"replace": len(replaced)}, preview.stdout
    stack.up()
    now = ids(stack)
    for row in ROWS:
        assert (now[row.name] != created[row.name]) == (row.replaced is not None), row.name
    for row in replaced:
        assert hand.live(row, created[row.name]) is None, f"the replaced {row.name} is still live"
    check_live(hand, stack, Row.final)
    stack.preview(expect_no_changes=True)

    # refresh after an out-of-band edit: the state takes the live value, the next up puts it back
    for row in edited:
        assert row.edit is not None
        hand.edit(row, now[row.name], *row.edit)
    refresh = stack.refresh()
    assert counts(refresh.summary) == {"update": len(edited)}, refresh.stdout
    for row in edited:
        assert row.edit is not None
        field, value = row.edit
        assert state_outputs(stack, row.name)[camel(field) if face == "native" else field] == value
    assert stack.changes(stack.preview()) == {"update": len(edited)}
    stack.up()
    check_live(hand, stack, Row.final)
    stack.preview(expect_no_changes=True)

    # refresh after an out-of-band delete: dropped from the state, the next up makes it again
    for row in edited:
        hand.delete(row, now[row.name])
    refresh = stack.refresh()
    assert counts(refresh.summary) == {"delete": len(edited)}, refresh.stdout
    left = {r["urn"].rsplit("::", 1)[1] for r in stack.resources() if not r["type"].startswith("pulumi:")}
    assert left == {row.name for row in ROWS} - {row.name for row in edited}
    assert stack.changes(stack.preview()) == {"create": len(edited)}
    stack.up()
    check_live(hand, stack, Row.final)
    stack.preview(expect_no_changes=True)
    now = ids(stack)

    tenant_guard(face, stack, emulator)
    assert ids(stack) == now

    # destroy: nothing of the table stays live
    destroy = stack.destroy()
    assert counts(destroy.summary) == {"delete": len(ROWS) + 1}, destroy.stdout
    for row in ROWS:
        assert hand.live(row, now[row.name]) is None, f"{row.name} is still live"


# Each service's move to another tenant: the setting, its value and the refusal's text.
# The setting is then put back as it was (None: it was not set).
def tenant_moves(emulator: Any) -> tuple[tuple[str, str, str | None, tuple[str, ...]], ...]:
    host = emulator.base_url.split("://", 1)[1]
    return (
        (CS_MOVE, OTHER_PROJECT, CONTENTSTACK_PROJECT_UID,
         (f"recorded in Contentstack project {CONTENTSTACK_PROJECT_UID} at host {host}",
          f"configured for Contentstack project {OTHER_PROJECT}", "check personalize:contentstackProjectUid")),
        (SC_MOVE, emulator.base_url.replace("127.0.0.1", "localhost"), None,
         (f"at host {host}", "check personalize:sitecoreRegion, personalize:sitecoreBaseUrl or personalize:baseUrl")),
    )


def tenant_guard(face: str, stack: E2EStack, emulator: Any) -> None:
    """Settings pointing at another tenant, one service at a time: the refresh is refused with the
    setting named and nothing is dropped; the preview answers per face (FACE_DIFFERENCES)."""
    before = ids(stack)
    for key, value, was, texts in tenant_moves(emulator):
        stack.stack.set_config(key, auto.ConfigValue(value))
        expected = FACE_DIFFERENCES["tenant_preview"][face][key]
        if isinstance(expected, str):
            with pytest.raises(auto.CommandError) as failed:
                stack.preview()
            assert expected in str(failed.value), str(failed.value)
        else:
            preview = stack.preview()
            assert stack.changes(preview) == expected, preview.stdout
        with pytest.raises(auto.CommandError) as refused:
            stack.refresh(run_program=True)
        for text in texts:
            assert text in str(refused.value), str(refused.value)
        assert {r["urn"].rsplit("::", 1)[1] for r in stack.resources() if not r["type"].startswith("pulumi:")} \
            == {row.name for row in ROWS}
        if was is None:
            stack.stack.remove_config(key)
        else:
            stack.stack.set_config(key, auto.ConfigValue(was))
        # The refused `refresh --run-program` still recorded the moved settings as the default
        # provider's inputs in the state (the engine saves the provider's registration). Until a run
        # of the program records the restored ones, a destroy would use the moved settings (and be
        # refused). A refresh with the program puts them back.
        stack.refresh(run_program=True)
        stack.preview(expect_no_changes=True)
        assert ids(stack) == before


@pytest.fixture(params=FACES)
def face(request: pytest.FixtureRequest) -> str:
    value: str = request.param
    return value
