"""Two stacks on one tenant: the managing stack's tag on Sitecore flows and templates, adoption of
another stack's object refused (at check, so at preview, and at create), its update refused and its
destroy leaving it alone; the create-conflict message explaining the choice; the warning for kinds
that carry no tag (docs/recovery.md#6-two-stacks-one-tenant).

The emulator in process stands in for the tenant: what a stack wrote is what the next one reads."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from pulumi_personalize.contentstack.resources import EVENT
from pulumi_personalize.engine import LISTINGS, TWIN_LISTINGS, ResourceOperationError
from pulumi_personalize.sitecore.resources import CONNECTION, FLOW_DEFINITION, TEMPLATE
from tests.conftest import InProcessEmulator, ProviderFactory

DEV = "organization/site/dev"
STAGING = "organization/site/staging"
BANNER = {"name": "Rain banner", "friendly_id": "rain_banner", "type": "WEB",
          "template_elements": [{"id": "html", "template": "<p>Rain</p>"}]}


@pytest.fixture
def tenant(emulator_in_process: InProcessEmulator) -> InProcessEmulator:
    return emulator_in_process


def live_template(provider: ProviderFactory, ref: str) -> dict[str, Any]:
    """The template as the tenant holds it now (a GET over the provider's own client)."""
    body: dict[str, Any] = provider(TEMPLATE)._client({}).client.get(f"/v3/templates/{ref}")
    return body


def puts(tenant: InProcessEmulator) -> int:
    return sum(1 for c in tenant.router.calls if c.request.method == "PUT")


def created_by(provider: ProviderFactory, stack: str | None, **changes: Any) -> tuple[str, dict[str, Any]]:
    """A template created by ``stack`` (``None``: a program from before the stack's tag, or made outside Pulumi)."""
    p = provider(TEMPLATE)
    news = {**BANNER, **changes, **({"managed_by": stack} if stack else {})}
    made = p.create(p.check({}, news).inputs)
    # the next stack is another provider process: it shares no listing with this one
    LISTINGS.clear()
    TWIN_LISTINGS.clear()
    return made.id, dict(made.outs or {})


def failure_text(result: Any) -> str:
    return " | ".join(f.reason for f in result.failures)


def test_a_create_tags_the_object_with_its_stack_and_a_refresh_keeps_the_tag_out_of_the_program(
        tenant: InProcessEmulator, provider: ProviderFactory) -> None:
    ref, outs = created_by(provider, DEV, tags=["campaign:rain"])
    assert live_template(provider, ref)["tags"] == ["campaign:rain", f"pulumi-stack:{DEV}"]
    assert outs["managed_by"] == DEV and outs["tags"] == ["campaign:rain"]
    read = provider(TEMPLATE).read(ref, outs)
    assert read.inputs is not None and read.inputs["tags"] == ["campaign:rain"]
    assert provider(TEMPLATE).diff(ref, outs, {**read.inputs}).changes is False


def test_the_second_stack_is_told_the_choice_at_check_and_at_create(
        tenant: InProcessEmulator, provider: ProviderFactory) -> None:
    ref, _ = created_by(provider, DEV)
    p = provider(TEMPLATE)
    checked = p.check({}, {**BANNER, "managed_by": STAGING})
    expected = (
        f"cannot create it. A template with friendly_id 'rain_banner' already exists (ref {ref}). Stack {DEV} "
        f"manages it (its tag 'pulumi-stack:{DEV}'). If each stack (dev, staging, ...) should have its own template, "
        "give this one its own friendly_id, for example 'rain_banner_staging'. Only if the template really moves to "
        f"this stack, set adopt_ref='{ref}' (or adopt_existing=True) with adopt_from_stack='{DEV}': stack {DEV} then "
        "leaves it alone"
    )
    assert failure_text(checked) == expected
    with pytest.raises(ResourceOperationError) as refused:
        p.create({**BANNER, "managed_by": STAGING})
    assert str(refused.value) == f"create template 'Rain banner' failed: {expected}"


def test_adopting_another_stacks_object_is_refused_naming_it(tenant: InProcessEmulator,
                                                             provider: ProviderFactory) -> None:
    ref, _ = created_by(provider, DEV)
    p = provider(TEMPLATE)
    expected = (
        f"adopt_existing=True: the template with friendly_id 'rain_banner' (ref {ref}) is managed by stack {DEV} "
        f"(its tag 'pulumi-stack:{DEV}'); adopting it would make two stacks manage one template, and a destroy of "
        "either would archive it. If each stack should have its own template, drop adopt_existing=True and give "
        "this one its own friendly_id, for example 'rain_banner_staging'. If the template really moves to this "
        f"stack, add adopt_from_stack='{DEV}' (stack {DEV} then leaves it alone)"
    )
    news = {**BANNER, "managed_by": STAGING, "adopt_existing": True}
    assert failure_text(p.check({}, news)) == expected
    with pytest.raises(ResourceOperationError, match="is managed by stack organization/site/dev"):
        p.create(news)
    by_ref = {**BANNER, "managed_by": STAGING, "adopt_ref": ref}
    assert failure_text(p.check({}, by_ref)).startswith(f"adopt_ref='{ref}': the template with friendly_id")
    assert puts(tenant) == 0  # nothing was taken


def test_a_deliberate_move_retags_it_and_the_old_stack_leaves_it_alone(
        tenant: InProcessEmulator, provider: ProviderFactory, caplog: pytest.LogCaptureFixture) -> None:
    ref, dev_outs = created_by(provider, DEV)
    p = provider(TEMPLATE)
    news = {**BANNER, "managed_by": STAGING, "adopt_existing": True, "adopt_from_stack": DEV}
    assert p.check({}, news).failures == []
    moved = p.create(news)
    assert moved.id == ref and live_template(provider, ref)["tags"] == [f"pulumi-stack:{STAGING}"]

    dev = provider(TEMPLATE)
    with pytest.raises(ResourceOperationError) as refused:
        dev.update(ref, dev_outs, {**BANNER, "name": "Rain banner (dev)", "managed_by": DEV})
    assert str(refused.value) == (
        f"update template 'Rain banner (dev)' (ref {ref}) failed: stack {STAGING} manages this template now (its "
        f"tag 'pulumi-stack:{STAGING}'), so this stack leaves it alone: nothing was changed. If this stack should no "
        "longer manage it, remove the resource from the program (the next `pulumi up` drops it from this stack's "
        f"state and leaves the template as it is). To take it back on purpose, do that, then declare it again with "
        f"adopt_ref='{ref}' and adopt_from_stack='{STAGING}'"
    )
    before = puts(tenant)
    with caplog.at_level(logging.WARNING, logger="pulumi_personalize"):
        dev.delete(ref, dev_outs)
    assert f"template 'Rain banner' (ref {ref}) was left as it is: stack {STAGING} manages it now" in caplog.text
    assert puts(tenant) == before and live_template(provider, ref)["archived"] is False
    provider(TEMPLATE).delete(ref, dict(moved.outs or {}))  # its own stack's destroy archives it
    assert live_template(provider, ref)["archived"] is True


def test_an_untagged_object_is_adopted_as_before_and_tagged(tenant: InProcessEmulator,
                                                           provider: ProviderFactory) -> None:
    ref, _ = created_by(provider, None, tags=["siteId:42"])  # made before the tag existed, or outside Pulumi
    p = provider(TEMPLATE)
    news = {**BANNER, "managed_by": STAGING, "adopt_existing": True}
    assert p.check({}, news).failures == []
    assert p.create(news).id == ref
    assert live_template(provider, ref)["tags"] == ["siteId:42", f"pulumi-stack:{STAGING}"]


def test_an_existing_stack_gets_its_tag_at_its_next_update_without_a_diff_for_it(
        tenant: InProcessEmulator, provider: ProviderFactory) -> None:
    ref, old_outs = created_by(provider, None)  # state written before the tag: no managed_by
    assert "managed_by" not in old_outs
    p = provider(TEMPLATE)
    news = p.check(old_outs, {**BANNER, "managed_by": DEV}).inputs
    assert p.diff(ref, old_outs, news).changes is False  # the stack's name alone is no change
    updated = p.update(ref, old_outs, {**news, "description": "now"})
    assert (updated.outs or {})["managed_by"] == DEV
    assert live_template(provider, ref)["tags"] == [f"pulumi-stack:{DEV}"]


def test_an_archived_object_is_nobodys_and_is_revived_whatever_its_tag(tenant: InProcessEmulator,
                                                                       provider: ProviderFactory) -> None:
    ref, dev_outs = created_by(provider, DEV)
    provider(TEMPLATE).delete(ref, dev_outs)
    assert live_template(provider, ref)["tags"] == [f"pulumi-stack:{DEV}"]  # destroy leaves the tag
    revived = provider(TEMPLATE).create({**BANNER, "managed_by": STAGING})
    assert revived.id == ref and live_template(provider, ref)["tags"] == [f"pulumi-stack:{STAGING}"]


def test_a_program_cannot_declare_a_stack_tag_and_adopt_from_stack_needs_an_adoption(
        tenant: InProcessEmulator, provider: ProviderFactory) -> None:
    p = provider(FLOW_DEFINITION)
    flow = {"name": "Rain", "friendly_id": "rain", "type": "INTERACTIVE_WEB_FLOW",
            "schedule": {"start_date": "2025-01-01T00:00:00.000Z"}, "managed_by": DEV}
    refused = p.check({}, {**flow, "tags": ["pulumi-stack:organization/site/prod"]})
    assert "a tag starting with 'pulumi-stack:' names the stack managing the object" in failure_text(refused)
    alone = p.check({}, {**flow, "adopt_from_stack": STAGING})
    assert failure_text(alone) == ("adopt_from_stack names the stack an adopted object comes from: it goes with "
                                   "adopt_ref or adopt_existing=True")


def test_kinds_without_tags_explain_and_warn(tenant: InProcessEmulator, provider: ProviderFactory,
                                             caplog: pytest.LogCaptureFixture) -> None:
    connection = {"name": "Weather", "system_type": "DATA_SYSTEM",
                  "request": {"connection_url": "https://weather.example.com"}}
    made = provider(CONNECTION).create(provider(CONNECTION).check({}, connection).inputs)
    with pytest.raises(ResourceOperationError) as taken:
        provider(CONNECTION).create(provider(CONNECTION).check({}, connection).inputs)
    assert str(taken.value).endswith(
        f"To manage this one with this stack from now on, set adopt_ref='{made.id}' (or adopt_existing=True); "
        "nothing on a connection records which stack manages it: adopt it only if no other stack does")
    with caplog.at_level(logging.WARNING, logger="pulumi_personalize"):
        provider(EVENT).check({}, {"key": "purchase", "adopt_existing": True})
    assert ("event 'purchase': adopt_existing=True takes over an existing event, and nothing on an event records "
            "which Pulumi stack manages it") in caplog.text
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="pulumi_personalize"):
        provider(EVENT).check({"key": "purchase"}, {"key": "purchase", "adopt_existing": True})
    assert caplog.text == ""  # an update adopts nothing: no warning on every preview


def test_a_look_up_that_fails_at_check_leaves_the_verdict_to_the_create(tenant: InProcessEmulator,
                                                                         provider: ProviderFactory) -> None:
    ref, _ = created_by(provider, DEV)
    tenant.set_faults([{"path": "^/v3/templates$", "method": "GET", "status": 403, "times": 1}])
    p = provider(TEMPLATE)
    news = {**BANNER, "managed_by": STAGING}
    assert p.check({}, news).failures == []  # no answer now: the preview says nothing it does not know
    with pytest.raises(ResourceOperationError, match=f"already exists \\(ref {ref}\\). Stack {DEV} manages it"):
        p.create(p.check({}, news).inputs)


def test_a_refresh_of_an_object_another_stack_took_says_so(tenant: InProcessEmulator, provider: ProviderFactory,
                                                          caplog: pytest.LogCaptureFixture) -> None:
    ref, dev_outs = created_by(provider, DEV)
    provider(TEMPLATE).create({**BANNER, "managed_by": STAGING, "adopt_ref": ref, "adopt_from_stack": DEV})
    LISTINGS.clear()
    with caplog.at_level(logging.WARNING, logger="pulumi_personalize"):
        read = provider(TEMPLATE).read(ref, dev_outs)
    assert read.id == ref  # still dev's to drop or keep: the refresh only tells
    assert (f"template 'Rain banner' (ref {ref}): stack {STAGING} manages it now (its tag 'pulumi-stack:{STAGING}'): "
            "this stack's next update of it will fail, and its destroy will leave it as it is.") in caplog.text


def test_a_renamed_stack_updates_what_it_tagged_under_its_old_name(tenant: InProcessEmulator,
                                                                  provider: ProviderFactory) -> None:
    ref, dev_outs = created_by(provider, DEV)  # `pulumi stack rename`, or a backend moved to an organization
    renamed = "acme/site/dev"
    updated = provider(TEMPLATE).update(ref, dev_outs, {**BANNER, "description": "now", "managed_by": renamed})
    assert (updated.outs or {})["managed_by"] == renamed
    assert live_template(provider, ref)["tags"] == [f"pulumi-stack:{renamed}"]


def test_a_face_that_names_no_stack_updates_as_before_and_writes_no_tag(tenant: InProcessEmulator,
                                                                       provider: ProviderFactory) -> None:
    ref, dev_outs = created_by(provider, DEV)
    imported = {k: v for k, v in dev_outs.items() if k != "managed_by"}  # e.g. the native provider's state
    provider(TEMPLATE).update(ref, imported, {**BANNER, "description": "native"})
    live = live_template(provider, ref)
    assert live["description"] == "native" and live["tags"] == [f"pulumi-stack:{DEV}"]


def test_the_create_conflict_says_who_made_an_untagged_object_or_that_it_is_this_stacks(
        tenant: InProcessEmulator, provider: ProviderFactory) -> None:
    ref, _ = created_by(provider, None)
    untagged = provider(TEMPLATE).check({}, {**BANNER, "managed_by": STAGING})
    assert failure_text(untagged) == (
        f"cannot create it. A template with friendly_id 'rain_banner' already exists (ref {ref}). If each stack (dev, "
        "staging, ...) should have its own template, give this one its own friendly_id, for example "
        f"'rain_banner_staging'. To manage this one with this stack from now on, set adopt_ref='{ref}' (or "
        "adopt_existing=True); it carries no stack's tag (made outside Pulumi, or by a stack not updated since tags "
        "were written)"
    )
    other, _ = created_by(provider, STAGING, friendly_id="snow_banner", name="Snow banner")
    own = provider(TEMPLATE).check({}, {**BANNER, "friendly_id": "snow_banner", "managed_by": STAGING})
    assert failure_text(own) == (
        f"cannot create it. A template with friendly_id 'snow_banner' already exists (ref {other}). It carries this "
        f"stack's tag ('pulumi-stack:{STAGING}'): another resource of this stack holds it (a renamed resource needs "
        "`aliases=`), or an interrupted `pulumi up` created it; to manage it with this resource, set "
        f"adopt_ref='{other}' (or adopt_existing=True)"
    )


def test_a_destroy_reads_each_tagged_object_once_by_ref_and_writes_that_read_back_archived(
        tenant: InProcessEmulator, provider: ProviderFactory) -> None:
    made = [created_by(provider, DEV, friendly_id=f"rain_{i}", name=f"Rain {i}") for i in range(3)]
    p = provider(TEMPLATE)
    p.read(made[0][0], made[0][1])  # a listing in this process, which the destroy's first PUT makes stale
    before = len(tenant.router.calls)
    for ref, outs in made:
        p.delete(ref, outs)
    sent = [f"{c.request.method} {c.request.url.path}" for c in list(tenant.router.calls)[before:]]
    # the stack's tag is read from the object the archive writes back: two calls each, and no listing
    assert sent == [f"{verb} /v3/templates/{ref}" for ref, _ in made for verb in ("GET", "PUT")]
    assert all(live_template(provider, ref)["archived"] is True for ref, _ in made)


def test_a_destroy_compares_the_tenant_key_of_the_object_it_read_before_writing(
        tenant: InProcessEmulator, provider: ProviderFactory) -> None:
    ref, outs = created_by(provider, DEV)
    elsewhere = {**outs, "tenant": {**outs["tenant"], "client_key": "another-tenant-key"}}
    before = puts(tenant)
    with pytest.raises(ResourceOperationError, match="was recorded in Sitecore tenant client key another-tenant-key"):
        provider(TEMPLATE).delete(ref, elsewhere)
    assert puts(tenant) == before and live_template(provider, ref)["archived"] is False
