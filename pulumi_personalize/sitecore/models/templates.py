"""Templates (``/v3/templates``): web, decision, condition and JS module code, element by element."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import Field, field_validator

from ...facts.sitecore import ElementId, TemplateStatus, TemplateType
from .common import _friendly_id, _Model, _upper, no_stack_tags, read_tagged, strip_server_fields, tagged_body

__all__ = [
    "ELEMENT_ORDER",
    "ElementId",
    "TemplateElement",
    "TemplateInputs",
    "TemplateStatus",
    "TemplateType",
]

ELEMENT_ORDER: tuple[str, ...] = ("html", "css", "js", "freemarker")


class TemplateElement(_Model):
    id: ElementId
    """html, css, js or freemarker."""
    template: str
    """The code (FreeMarker needs at least ``{}``)."""


class TemplateInputs(_Model):
    """The desired state of a template. File-sourced code is read in the program (resources.py)
    and arrives here as strings, so the provider never depends on the program's working directory."""

    name: str = Field(min_length=1)
    friendly_id: str
    type: TemplateType
    status: TemplateStatus = "DRAFT"
    description: str = ""
    render: bool = False
    template_elements: list[TemplateElement] = Field(default_factory=list)
    tags: list[str] | None = None

    @field_validator("friendly_id")
    @classmethod
    def _fid(cls, value: str) -> str:
        return _friendly_id(value)

    _upper_fields = field_validator("type", "status", mode="before")(_upper)
    _tags = field_validator("tags")(no_stack_tags)

    @field_validator("template_elements")
    @classmethod
    def _one_of_each_in_order(cls, value: list[TemplateElement]) -> list[TemplateElement]:
        ids = [e.id for e in value]
        repeated = sorted({i for i in ids if ids.count(i) > 1})
        if repeated:
            raise ValueError(f"each element id may appear once, repeated: {', '.join(repeated)}")
        empty_freemarker = [e for e in value if e.id == "freemarker" and not e.template.strip()]
        if empty_freemarker:
            raise ValueError("the freemarker element needs at least {} (Sitecore refuses an empty one)")
        return sorted(value, key=lambda e: ELEMENT_ORDER.index(e.id))  # order carries no meaning

    def to_api(self, live: Mapping[str, Any] | None = None) -> dict[str, Any]:
        body = strip_server_fields(live or {})
        body.setdefault("defaultTemplate", False)  # the create page: false and true, always
        body.setdefault("customTemplate", True)
        body.update(self.wire())
        return tagged_body(body)

    @classmethod
    def inputs_from_api(cls, live: Mapping[str, Any], previous: Mapping[str, Any]) -> dict[str, Any]:
        return read_tagged(cls, live, previous)

    def code(self) -> dict[str, str]:
        return {e.id: e.template for e in self.template_elements}
