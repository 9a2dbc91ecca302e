"""Templates (``/v3/templates``): web, decision, condition and JS module code, element by element."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, ClassVar

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
    verify: bool | None = None
    """Ours, not the service's: render the code (``POST /v3/templates/process``) before each save. ``None``
    (not ``False``) when left out, so stacks made before it existed show no change."""

    LOCAL_FIELDS: ClassVar[frozenset[str]] = frozenset({"verify"})

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
        body.update(self.model_dump(mode="json", by_alias=True, exclude_none=True, exclude=set(self.LOCAL_FIELDS)))
        return tagged_body(body)

    @classmethod
    def inputs_from_api(cls, live: Mapping[str, Any], previous: Mapping[str, Any]) -> dict[str, Any]:
        out = read_tagged(cls, live, previous)
        if previous.get("verify") is not None:
            out["verify"] = bool(previous["verify"])  # the program's, never the service's
        return out

    def code(self) -> dict[str, str]:
        return {e.id: e.template for e in self.template_elements}

    def render_failure(self, error: Exception) -> str:
        """What a refused ``process`` of this template's code says, each problem under the argument
        that holds the element (``templates[1].template`` -> ``css``)."""
        refused = getattr(error, "status", None) in (400, 422)
        problems = []
        for field, messages in (getattr(error, "field_errors", None) or {}).items():
            found = re.match(r"templates\[(\d+)\]", field)
            index = int(found.group(1)) if found else -1
            where = (f"the {self.template_elements[index].id} code (argument {self.template_elements[index].id}, "
                     f"template_elements[{index}])" if 0 <= index < len(self.template_elements) else field)
            problems.append(f"{where}: {'; '.join(messages)}")
        if refused:
            said = getattr(error, "service_message", None) or str(error)
            return (f"template {self.friendly_id!r} does not render in Sitecore Personalize ({said}): "
                    + ("; ".join(problems) or str(error)))
        return f"template {self.friendly_id!r} could not be rendered to verify it: {error}"
