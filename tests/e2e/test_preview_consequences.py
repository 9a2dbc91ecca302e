"""A preview says what an update does beyond its changed inputs (``consequences=`` of the
declarations, told by the dynamic provider's diff as warnings on the resource): a split change on an
ACTIVE experience makes a new version and archives the live one; a renamed variant gets a new CMS
variant. A change without such an effect, and no change at all, say nothing. Real engine, emulator
over real HTTP.

Both displays are checked: the default one (``pulumi preview``), which lists the warning under the
resource in its Diagnostics, on stdout; and ``pulumi preview --diff``, which writes every diagnostic
to stderr (``docs/facts/pulumi.md#host-log``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pulumi
import pytest

from pulumi_personalize.contentstack import Experience, ExperienceVariantArgs
from tests.e2e.conftest import E2EStack, StackFactory
from tests.e2e.contentstack_live import versions
from tests.e2e.native_support import Native, plugin_env

pytestmark = pytest.mark.e2e

NEW_VERSION = "this update makes a new version and archives"
NEW_CMS_VARIANT = "its CMS variant is replaced"
RESOURCE = "pulumi-python:dynamic/contentstack:Experience (hero):"


@dataclass
class Told:
    """What both displays of one preview said."""

    summary: dict[str, int]
    diagnostics: list[str]
    """The default display's warnings listed under the experience in its Diagnostics section."""
    diff_notes: list[str]
    """The ``--diff`` display's lines (stdout and stderr) that carry a consequence note."""


def _is_note(line: str) -> bool:
    return NEW_VERSION in line or NEW_CMS_VARIANT in line


def _under_resource(stdout: str, resource: str = RESOURCE) -> list[str]:
    lines = stdout.split("Diagnostics:", 1)[1].splitlines() if "Diagnostics:" in stdout else []
    found, inside = [], False
    for line in lines:
        if line.startswith("  ") and not line.startswith("    "):
            inside = line.strip() == resource
        elif inside and line.strip().startswith("warning:"):
            found.append(line.strip())
    return found


def told(stack: E2EStack) -> Told:
    plain = stack._run(stack.stack.preview)  # the default display (the harness's preview adds --diff)
    diff = stack.preview()
    assert stack.changes(diff) == {op: n for op, n in plain.change_summary.items() if op != "same" and n}
    notes = [line.strip() for line in "\n".join((diff.stdout, diff.stderr)).splitlines() if _is_note(line)]
    return Told(stack.changes(diff), [n for n in _under_resource(plain.stdout) if _is_note(n)], notes)


def test_preview_tells_new_version_and_new_cms_variant(stack_factory: StackFactory, emulator: Any) -> None:
    desired: dict[str, Any] = {"split": {"Control": 50, "Purple": 50}, "description": "hero test"}

    def program() -> None:
        experience = Experience(
            "hero", name="Hero", type="AB_TEST", status="ACTIVE", description=desired["description"],
            variants=[ExperienceVariantArgs(name=n, traffic_distribution=t) for n, t in desired["split"].items()],
        )
        pulumi.export("uid", experience.uid)
        pulumi.export("latest", experience.latest_version_uid)
        pulumi.export("cms", experience.cms_variant_uids)

    stack = stack_factory(program)
    up = stack.up()
    uid, live, cms = up.outputs["uid"].value, up.outputs["latest"].value, up.outputs["cms"].value
    assert told(stack) == Told({}, [], [])  # no change, nothing to tell

    # a change with no consequence beyond itself: the experience's own description (one PUT)
    desired["description"] = "the hero banner test"
    assert told(stack) == Told({"update": 1}, [], [])
    stack.up()

    # the split of the ACTIVE version: a new version is made and the live one archived
    desired["split"] = {"Control": 30, "Purple": 70}
    preview = told(stack)
    title = f"experience 'Hero' (uid {uid})"
    expected = f"warning: {title}: the live version {live} is ACTIVE and cannot be edited: {NEW_VERSION} {live}"
    assert preview == Told({"update": 1}, [expected], [expected])
    up = stack.up()
    listed = versions(emulator, uid)  # what the note said is what the up did
    assert [v["status"] for v in listed] == ["ARCHIVED", "ACTIVE"] and listed[0]["uid"] == live
    live = up.outputs["latest"].value
    assert told(stack) == Told({}, [], [])

    # a renamed variant: a new version, and its CMS variant is replaced
    desired["split"] = {"Control": 30, "Violet": 70}
    preview = told(stack)
    renamed = (f"warning: {title}: variant 'Purple' renamed to 'Violet': {NEW_CMS_VARIANT} (uid {cms['Purple']} "
               f"-> new); entry variants written against {cms['Purple']} are orphaned")
    new_version = f"warning: {title}: the live version {live} is ACTIVE and cannot be edited: {NEW_VERSION} {live}"
    assert preview == Told({"update": 1}, [new_version, renamed], [new_version, renamed])
    up = stack.up()
    new_cms = up.outputs["cms"].value
    assert new_cms["Control"] == cms["Control"] and new_cms["Violet"] not in cms.values()
    assert told(stack) == Told({}, [], [])


def test_the_native_face_tells_the_same_and_marks_only_the_new_version_unknown(stack_factory: StackFactory,
                                                                               emulator: Any) -> None:
    """The native provider (``pulumi-resource-personalize``) previews an update's outputs from the same
    declared consequences: what refers to the new version's uid sees it unknown, what refers to an
    unchanged CMS variant does not change."""
    desired: dict[str, Any] = {"split": {"Control": 50, "Purple": 50}}

    def program() -> None:
        experience = Native("personalize:contentstack:Experience", "hero", {
            "name": "Hero", "type": "AB_TEST", "status": "ACTIVE",
            "variants": [{"name": n, "trafficDistribution": t} for n, t in desired["split"].items()],
        })
        Native("personalize:contentstack:Event", "version-seen", {
            "key": "version-seen", "description": experience.out("latestVersionUid")})
        Native("personalize:contentstack:Event", "control-seen", {
            "key": "control-seen", "description": experience.out("cmsVariantUids").apply(lambda m: m["Control"])})
        pulumi.export("uid", experience.id)
        pulumi.export("latest", experience.out("latestVersionUid"))

    stack = stack_factory(program, env=plugin_env())
    up = stack.up()
    uid, live = up.outputs["uid"].value, up.outputs["latest"].value
    desired["split"] = {"Control": 30, "Purple": 70}
    preview = stack.preview()
    assert stack.changes(preview) == {"update": 2}, preview.stdout  # the experience and what reads its version
    assert "Event::version-seen" in preview.stdout and "Event::control-seen" not in preview.stdout, preview.stdout
    assert f'description: "{live}" => [unknown]' in preview.stdout, preview.stdout
    note = (f"warning: experience 'Hero' (uid {uid}): the live version {live} is ACTIVE and cannot be edited: "
            f"{NEW_VERSION} {live}")
    assert note in preview.stderr.splitlines(), preview.stderr
    plain = stack._run(stack.stack.preview)
    assert _under_resource(plain.stdout, "personalize:contentstack:Experience (hero):") == [note], plain.stdout
    stack.up()
    assert told(stack) == Told({}, [], [])
