"""Which stack manages an object: two stacks on one tenant must not silently manage the same object.

Where a kind of object carries free-text tags (``ResourceSpec.owner_tags``), every create, adoption
and update writes the managing stack's tag (``pulumi-stack:<organization>/<project>/<stack>``). An
object another stack's tag names is not adopted unless ``adopt_from_stack`` names that stack, and is
neither updated nor archived by a stack that merely still holds it in its state. Where a kind carries
no tags, adopting one warns that nothing tells whether another stack manages it
(``docs/recovery.md#6-two-stacks-one-tenant``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel

from .._values import Found, stack_tag, tagged_stack, without_stack_tags
from ..errors import PersonalizeError
from ._base import ProviderBase, log
from ._values import ADOPT_EXISTING, ADOPT_FROM_STACK, MANAGED_BY, Json, is_unknown

__all__ = ["AdoptionConflict", "Ownership", "OwnershipError"]


class AdoptionConflict(PersonalizeError):
    """The program and the tenant disagree about an object a create would take over or collide with
    (its key taken, another stack's tag, an id that does not exist): the same at preview and at ``up``."""


class OwnershipError(AdoptionConflict):
    """Another stack's tag is on the object this stack was about to adopt or change."""


class Ownership(ProviderBase):
    """Provider methods that read and write the managing stack's tag."""

    def _stack(self, props: Mapping[str, Any]) -> str | None:
        """This resource's stack (``organization/project/stack``), as its program gave it."""
        value = props.get(MANAGED_BY)
        return value if isinstance(value, str) and value and not is_unknown(value) else None

    def _owner(self, live: Json) -> str | None:
        """The stack whose tag the live object carries."""
        field = self.spec.owner_tags
        return tagged_stack(live.get(field)) if field else None

    def _foreign(self, live: Json, props: Mapping[str, Any], *, adopting: bool = False) -> str | None:
        """Another stack that manages ``live``: its tag is on it and the object is not archived (what
        a destroy left is nobody's). ``adopting``: unless ``adopt_from_stack`` names it (that argument
        only counts at create: two programs naming each other must not pass an object back and forth)."""
        owner = self._owner(live)
        if owner is None or self.spec.deleted(live) or owner == self._stack(props):
            return None
        return None if adopting and owner == props.get(ADOPT_FROM_STACK) else owner

    def _marked(self, body: Json, props: Mapping[str, Any]) -> Json:
        """The wire body with this stack's tag in place of any other stack's; the program's own tags
        (or, when it declares none, the ones the object has) stay as they are."""
        field, stack = self.spec.owner_tags, self._stack(props)
        if not field or stack is None:
            return body
        tags = without_stack_tags(body.get(field)) or []
        return {**body, field: [*tags, stack_tag(stack)]}

    def _payload(self, model: BaseModel, live: Json | None, props: Mapping[str, Any]) -> Json:
        """The wire body of a create (``live`` None) or a full PUT onto ``live``, with this stack's tag."""
        return self._marked(self.spec.to_wire(model, live, self.spec), props)

    def _example_key(self, model: BaseModel, props: Mapping[str, Any]) -> str:
        """A per-stack key to suggest: the program's with this stack's name (``promo_banner_staging``)."""
        value = getattr(model, self.spec.natural_key or "", None)
        stack = self._stack(props)
        if stack is None:
            return f"{value!r} + '_' + pulumi.get_stack()"
        suffix = re.sub(r"[^a-z0-9_]+", "_", stack.rsplit("/", 1)[-1].lower())
        return repr(f"{value}_{suffix}")

    def _destroy_verb(self) -> str:
        return "archive" if self.spec.is_deleted is not None else "delete"

    def _whose(self, live: Json, props: Mapping[str, Any], model: BaseModel) -> str:
        """What the create-conflict message says about who manages the object, and the choice."""
        spec = self.spec
        owner, id_ = self._owner(live), spec.id_of(live)
        key = spec.natural_key or spec.id_name
        adopt = f"set {spec.adopt_input}={id_!r} (or {ADOPT_EXISTING}=True)"
        own_key = (f"If each stack (dev, staging, ...) should have its own {spec.label}, give this one its own {key}, "
                   f"for example {self._example_key(model, props)}")
        if owner is not None and owner == self._stack(props):
            return (f" It carries this stack's tag ({stack_tag(owner)!r}): another resource of this stack holds it "
                    "(a renamed resource needs `aliases=`), or an interrupted `pulumi up` created it; to manage it "
                    f"with this resource, {adopt}")
        if owner is not None and not spec.deleted(live):
            return (f" Stack {owner} manages it (its tag {stack_tag(owner)!r}). {own_key}. Only if the {spec.label} "
                    f"really moves to this stack, {adopt} with {ADOPT_FROM_STACK}={owner!r}: stack {owner} then "
                    "leaves it alone")
        if spec.owner_tags:
            why = "it carries no stack's tag (made outside Pulumi, or by a stack not updated since tags were written)"
        else:
            why = f"nothing on {_a(spec.label)} records which stack manages it: adopt it only if no other stack does"
        return f" {own_key}. To manage this one with this stack from now on, {adopt}; {why}"

    def _refuse_foreign_adoption(self, live: Json, props: Mapping[str, Any], how: str, model: BaseModel) -> None:
        """Adoption (``how``: the argument that asked for it) of an object another stack manages."""
        owner = self._foreign(live, props, adopting=True)
        if owner is None:
            return
        spec = self.spec
        key = spec.natural_key
        which = f" with {key} {getattr(model, key, None)!r}" if key else ""
        raise OwnershipError(
            f"{how}: the {spec.label}{which} ({spec.id_name} {spec.id_of(live)}) is managed by stack {owner} (its tag "
            f"{stack_tag(owner)!r}); adopting it would make two stacks manage one {spec.label}, and a destroy of "
            f"either would {self._destroy_verb()} it. If each stack should have its own {spec.label}, drop {how} "
            f"and give this one its own {key or 'name'}, for example {self._example_key(model, props)}. If the "
            f"{spec.label} really moves to this stack, add {ADOPT_FROM_STACK}={owner!r} (stack {owner} then leaves "
            "it alone)"
        )

    def _refuse_foreign_update(self, live: Json, props: Mapping[str, Any], olds: Mapping[str, Any]) -> None:
        """An update of an object another stack's tag names. The tag this stack recorded in its state
        is its own under an earlier name (a renamed stack, a backend moved to another organization):
        the update goes on and writes the new name. A face that names no stack (the native provider
        passes no ``managed_by``) cannot compare: it updates as before and writes no tag."""
        owner = self._foreign(live, props)
        if owner is None or owner == self._stack(olds) or self._stack(props) is None:
            return
        raise OwnershipError(
            f"stack {owner} manages this {self.spec.label} now (its tag {stack_tag(owner)!r}), so this stack leaves "
            "it alone: nothing was changed. If this stack should no longer manage it, remove the resource from the "
            f"program (the next `pulumi up` drops it from this stack's state and leaves the {self.spec.label} as it "
            f"is). To take it back on purpose, do that, then declare it again with {self.spec.adopt_input}="
            f"{self.spec.id_of(live)!r} and {ADOPT_FROM_STACK}={owner!r}"
        )

    def _warn_if_foreign(self, id_: str, live: Json, props: Mapping[str, Any]) -> None:
        """At refresh: an object another stack took over stays in this state, and says so."""
        owner = self._foreign(live, props)
        if owner is not None:
            log.warning(
                "%s: stack %s manages it now (its tag %r): this stack's next update of it will fail, and its destroy "
                "will leave it as it is. Remove the resource from this program if it belongs to %s now.",
                self.spec.title(id_, props), owner, stack_tag(owner), owner,
            )

    def _owner_look(self, client: Any, id_: str) -> Json | None:
        """Before a destroy of a kind with tags: the object as it is now (read by its id), whose tag
        says which stack manages it, and which the delete then writes back without reading it again.
        ``None`` for kinds without tags, and for any doubt (no answer): the delete reads for itself
        and reports what is wrong."""
        if not self.spec.owner_tags:
            return None
        try:
            found = self._fetch(client, id_)
        except Exception:
            return None
        return found.live if isinstance(found, Found) else None

    def _left_to_its_stack(self, live: Json, id_: str, props: Mapping[str, Any]) -> bool:
        """Destroy of an object another stack manages now: it leaves this stack's state and stays as
        it is (``True``), with a warning. An object without a tag leaves the delete to go on."""
        owner = self._foreign(live, props)
        if owner is None:
            return False
        log.warning(
            "%s was left as it is: stack %s manages it now (its tag %r). It was removed from this stack's state "
            "only.", self.spec.title(id_, props), owner, stack_tag(owner),
        )
        return True

    def _adoption_warning(self, props: Mapping[str, Any]) -> str | None:
        """At create, for a kind that carries no tag: what adopting cannot tell (``None``: no adoption)."""
        spec = self.spec
        if spec.owner_tags or not spec.adoptable:
            return None
        how = next((f"{n}={props[n]!r}" for n in (spec.adopt_input, ADOPT_EXISTING) if props.get(n)), None)
        if how is None or any(is_unknown(props.get(n)) for n in (spec.adopt_input, ADOPT_EXISTING)):
            return None
        key = spec.natural_key or "name"
        return (
            f"{spec.title(None, props)}: {how} takes over an existing {spec.label}, and nothing on {_a(spec.label)} "
            f"records which Pulumi stack manages it, so this stack cannot tell whether another one does. If another "
            f"stack manages it, both will change it and a destroy of either will {self._destroy_verb()} it: give "
            f"each stack its own {key} instead (for example with the stack's name, pulumi.get_stack())"
        )


def _a(label: str) -> str:
    return f"{'an' if label[:1] in 'aeiou' else 'a'} {label}"
