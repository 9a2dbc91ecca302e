"""Adoption and lost creates: taking over existing objects by id or natural key, twins, and a
create whose answer was lost."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import BaseModel

from .._api import AMBIGUOUS_CREATE_ATTEMPTS
from .._values import Found
from ..errors import PersonalizeError, ServerError, TransportError
from ._base import log
from ._errors import PartialCreateError
from ._listings import LISTINGS, TWIN_LISTINGS
from ._ownership import AdoptionConflict, Ownership
from ._values import ADOPT_EXISTING, Json, is_unknown

__all__ = ["AMBIGUOUS_CREATE_ATTEMPTS", "Adoption"]


class Adoption(Ownership):
    """Provider methods that find the object a create should take over instead of posting."""

    def _create_once(self, client: Any, model: BaseModel, props: Mapping[str, Any]) -> Json:
        """POST the object, surviving answers that leave unknown whether the service created it.

        The HTTP layer does not repeat a POST after a 5xx or a timeout (it could duplicate the
        object). Here the engine knows how to look: it lists by natural key, takes over the object
        the failed POST made (an update completes what the create's follow-up calls would have
        done), and posts again only when there is none. Without a natural key the error stands.
        """
        spec = self.spec
        for attempt in range(1, AMBIGUOUS_CREATE_ATTEMPTS + 1):
            try:
                return spec.endpoints.create(client, self._payload(model, None, props), model)
            except (ServerError, TransportError) as exc:
                if spec.natural_key is None or attempt == AMBIGUOUS_CREATE_ATTEMPTS:
                    raise
                made = self._made_by_failed_create(client, model, props)
                if made is None:
                    log.info("create %s failed before the service acted (%s); posting again", spec.label, exc)
                    continue
                id_ = spec.id_of(made)
                log.info("create %s answered %s but the service made it (%s %s); completing it",
                         spec.label, exc, spec.id_name, id_)
                return spec.endpoints.update(client, id_, self._payload(model, made, props), model, made)
        raise AssertionError("unreachable")  # the loop returns or raises

    def _made_by_failed_create(self, client: Any, model: BaseModel, props: Mapping[str, Any]) -> Json | None:
        """The one live object with the program's natural key and immutable fields, listed afresh."""
        LISTINGS.invalidate(client)
        TWIN_LISTINGS.invalidate(client)
        candidates = [
            item for item in self._namesakes(client, model) or []
            if not self.spec.deleted(item) and self._immutable_mismatch(model, item) is None
            and self._foreign(item, props) is None  # the lost POST wrote this stack's tag
        ]
        if len(candidates) > 1:
            raise PersonalizeError(self._adoption_hint(model, candidates, "the create's answer was lost", props))
        return candidates[0] if candidates else None

    def _adoption_target(self, client: Any, props: Mapping[str, Any], model: BaseModel) -> Json | None:
        spec = self.spec
        if not spec.adoptable:
            return None
        wanted = props.get(spec.adopt_input)
        if wanted:
            found = spec.endpoints.get(client, str(wanted))
            if not isinstance(found, Found):
                raise AdoptionConflict(
                    f"{spec.adopt_input}={wanted!r}: no {spec.label} with this {spec.id_name} exists; "
                    f"check the {spec.id_name}, or remove {spec.adopt_input} to create a new {spec.label}"
                )
            self._check_immutable(model, found.live, f"{spec.adopt_input}={wanted!r}")
            self._refuse_foreign_adoption(found.live, props, f"{spec.adopt_input}={wanted!r}", model)
            return found.live
        if props.get(ADOPT_EXISTING) and spec.natural_key is not None:
            match = self._find_by_natural_key(client, model)
            if match is not None:
                self._check_immutable(model, match, f"{ADOPT_EXISTING}=True")
                self._refuse_foreign_adoption(match, props, f"{ADOPT_EXISTING}=True", model)
            return match
        return None

    def _namesakes(self, client: Any, model: BaseModel) -> list[Json] | None:
        """Every object whose natural key is the program's (``None``: no natural key, or no listing)."""
        spec = self.spec
        key = spec.natural_key
        if key is None:
            return None
        wanted = getattr(model, key, None)
        alias = spec.inputs.model_fields[key].alias or key
        try:
            items = TWIN_LISTINGS.get(client, spec.name, lambda: spec.endpoints.list(client))
        except NotImplementedError:
            return None
        return [item for item in items if item.get(alias, item.get(key)) == wanted]

    def _find_by_natural_key(self, client: Any, model: BaseModel) -> Json | None:
        spec = self.spec
        matches = self._namesakes(client, model) or []
        if len(matches) > 1:  # a deleted (archived) namesake is not a rival of a live one
            matches = [m for m in matches if not spec.deleted(m)] or matches
        if len(matches) > 1:
            ids = ", ".join(spec.id_of(m) for m in matches)
            raise AdoptionConflict(
                f"{ADOPT_EXISTING}=True: several {spec.label}s have {spec.natural_key} "
                f"{getattr(model, str(spec.natural_key), None)!r} ({ids}); choose one with {spec.adopt_input}"
            )
        return matches[0] if matches else None

    def _immutable_mismatch(self, model: BaseModel, live: Json) -> tuple[str, Any, Any] | None:
        """The first ``replace_on`` field on which ``live`` differs from the program: (name, live, desired)."""
        spec = self.spec
        current = spec.from_wire(live, {}, spec)
        desired = self._normal(model)
        for name in spec.replace_on:
            if name in current and current.get(name) != desired.get(name):
                return name, current.get(name), desired.get(name)
        return None

    def _check_immutable(self, model: BaseModel, live: Json, how: str) -> None:
        mismatch = self._immutable_mismatch(model, live)
        if mismatch is not None:
            name, current, desired = mismatch
            raise AdoptionConflict(
                f"{how}: the existing {self.spec.label} has {name} {current!r}, the program says "
                f"{desired!r}, and {name} cannot change in place"
            )

    def _claim_twin(self, client: Any, model: BaseModel, props: Mapping[str, Any]) -> Json | None:
        """``claim_twins``: the deleted twin to revive, ``None`` to create; a live twin fails the create."""
        twins = [t for t in self._namesakes(client, model) or [] if self._immutable_mismatch(model, t) is None]
        live = [t for t in twins if not self.spec.deleted(t)]
        if live:
            raise AdoptionConflict(self._adoption_hint(model, live, "cannot create it", props))
        return twins[0] if twins else None

    def _adoption_hint(self, model: BaseModel, existing: Sequence[Json], lead: str, props: Mapping[str, Any]) -> str:
        """``lead``, then which objects hold the natural key already, who manages the first, and the
        choice: a key of this stack's own, or adopting it (``_whose``)."""
        spec = self.spec
        key = spec.natural_key or spec.id_name
        ids = ", ".join(spec.id_of(e) for e in existing)
        return (f"{lead}. A {spec.label} with {key} {getattr(model, key, None)!r} already exists "
                f"({spec.id_name} {ids}).{self._whose(existing[0], props, model)}")

    def _explain_create_failure(self, client: Any, model: BaseModel, exc: PersonalizeError,
                                props: Mapping[str, Any]) -> PersonalizeError:
        """A create refused because the key is taken: say how to adopt the existing object."""
        spec = self.spec
        if spec.natural_key is None or exc.status not in (400, 409, 422) or isinstance(exc, PartialCreateError):
            return exc
        if spec.claim_twins:  # twins were looked for before the create: a namesake now is another type
            return exc
        try:
            twin = self._find_by_natural_key(client, model)
        except Exception:  # the explanation is a courtesy: never hide the original error
            return exc
        if twin is None:
            return exc
        return PersonalizeError(
            self._adoption_hint(model, [twin], str(exc), props),
            status=exc.status, method=exc.method, path=exc.path, request_id=exc.request_id,
        )

    def _adoption_failures(self, olds: Mapping[str, Any], props: Mapping[str, Any], model: BaseModel) -> list[str]:
        """At check (so at preview too), for a create of a kind that carries the stack's tag: what the
        ``up`` would refuse about the object it would take over or collide with, read from the service
        now. A look-up that fails says nothing (the create asks again and reports it)."""
        spec = self.spec
        if olds or not spec.owner_tags or not spec.adoptable:
            return []
        if any(is_unknown(props.get(name)) for name in spec.engine_inputs):
            return []  # an adoption argument not known until apply: looked at then
        try:
            client = self._client(props)
            if self._adoption_target(client, props, model) is None and spec.claim_twins:
                self._claim_twin(client, model, props)
        except AdoptionConflict as exc:
            return [str(exc)]
        except Exception as exc:  # the service is unreachable now, say: the create will tell
            log.debug("check %s: no adoption look-up (%s); the create looks again", spec.label, exc)
        return []
