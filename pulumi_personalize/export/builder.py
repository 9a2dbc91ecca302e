"""What both services' program builders share: the program, its names, skipping an object with
the reason, and adding a resource that adopts a live object.

Each resource's declaration (``spec.declaration``) says its class name, arguments and wire names.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import BaseModel, ValidationError

from .._values import Json
from .program import Names, Program, Resource, Skipped, validation_message
from .selection import Selection

if TYPE_CHECKING:  # annotations only: the exporter never calls the engine
    from ..engine import ResourceSpec

__all__ = ["ProgramBuilder", "title_of"]


def title_of(item: Json, *keys: str) -> str:
    """The first of ``keys`` the object sets (the last one's value, as it is, when none is set)."""
    value: Any = None
    for key in keys:
        value = item.get(key)
        if value:
            break
    return str(value)


class ProgramBuilder:
    """Turns one tenant's snapshot into a :class:`Program`; a service's builder adds one method per kind."""

    package: ClassVar[str]
    """How the program names the service's package (``cs``, ``sc``)."""

    def __init__(self, selection: Selection, program: Program) -> None:
        self.selection = selection
        self.names = Names()
        self.program = program

    def skip(self, kind: str, title: str, reason: str) -> None:
        self.program.skipped.append(Skipped(kind, title, reason))

    def states(self, kind: str, title: str, model: type[BaseModel], inputs: Mapping[str, Any], *,
               cannot: str = "the provider cannot state it as it is") -> bool:
        """Whether the provider's model takes the object as it is (else it is skipped, with why)."""
        try:
            model.model_validate(inputs)
        except ValidationError as exc:
            self.skip(kind, title, f"{cannot} ({validation_message(exc)})")
            return False
        return True

    def chosen(self, kind: str, items: list[Json], titles: tuple[str, ...],
               names: tuple[str, ...]) -> Iterator[tuple[Json, str]]:
        """The objects of ``kind`` the selection wants (by kind, and by ``names`` against its pattern),
        each with its title (the first of ``titles`` it sets)."""
        if not self.selection.wants(kind):
            return
        for item in items:
            if self.selection.matches(*(item.get(name) for name in names)):
                yield item, title_of(item, *titles)

    def add(self, kind: str, spec: ResourceSpec[Any], title: str, live_id: str | None,
            kwargs: list[tuple[str, Any]], *, import_id: str | None = None) -> str:
        """A resource of ``spec``'s class, adopting the live object ``live_id`` (if any); its variable.
        ``import_id``: what ``pulumi import`` takes, where it is not ``live_id``."""
        var = self.names.new(title, kind)
        if self.selection.config_namespace:
            kwargs.append(("config_namespace", self.selection.config_namespace))
        if live_id is not None:
            kwargs.append((spec.adopt_input, live_id))
        cls = f"{self.package}.{spec.declaration.cls}"
        self.program.resources.append(Resource(kind, cls, var, kwargs, title, live_id,
                                               type_token=spec.declaration.type_token,
                                               import_id=import_id or live_id))
        return var

    def kinds(self) -> tuple[Callable[[], None], ...]:
        """The builder's method per kind, in the order they run: a kind refers to the kinds before it."""
        raise NotImplementedError

    def build(self) -> Program:
        for kind in self.kinds():
            kind()
        return self.program
