"""What the service answers to its actions and read-only calls: a connection test, template
previews (``renderTemplates``, ``process``) and revisions (docs/facts/sitecore.md#revisions,
#template-previews, #connection-test).

Lenient, unlike the input models: keys a model does not know are ignored (each revision keeps the
whole object in ``raw``), and a field the service leaves out is ``None``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

if TYPE_CHECKING:  # typing.Self is 3.11+; the annotation is never evaluated at run time
    from typing_extensions import Self

__all__ = [
    "ConnectionTestResult",
    "DecisionModelRevision",
    "DecisionModelVariantRevision",
    "ProcessedTemplates",
    "RenderedTemplates",
    "Revision",
    "TemplateCode",
    "TemplateRevision",
    "TemplateToRender",
]


class ConnectionTestResult(BaseModel):
    """``POST /v2/connections/testConnection``: ``statusCode`` is the external system's answer."""

    model_config = {"extra": "allow", "frozen": True, "populate_by_name": True}

    statusCode: int | None = None
    executionTimeInMilliseconds: float | None = None

    @property
    def passed(self) -> bool:
        # No statusCode at all: the service accepted the test without saying more (unconfirmed shape).
        return self.statusCode is None or 200 <= self.statusCode < 300


class _Answer(BaseModel):
    # attribute docstrings, read by scripts/gen_docs.py (not at import: see models/common.py)
    model_config = ConfigDict(frozen=True, extra="ignore", alias_generator=to_camel, populate_by_name=True)


class TemplateCode(_Answer):
    """One element of a template's code, as the previews take and answer it."""

    id: str
    """``html``, ``css``, ``js`` or ``freemarker``."""
    template: str
    """The code (in an answer: with the template parameters filled in)."""


def _by_id(elements: list[TemplateCode]) -> dict[str, str]:
    return {e.id: e.template for e in elements}


class TemplateToRender(_Answer):
    """One saved template to render: its friendly id and the values of its template parameters."""

    friendly_id: str
    """The template's ``friendlyId``."""
    template_params: dict[str, str] = Field(default_factory=dict)
    """Values of its template parameters (``[[Name | string]]``) by name; a parameter left out takes its
    default."""


class RenderedTemplates(_Answer):
    """``POST /v3/templates/renderTemplates``: each requested template's code, under the request's keys."""

    rendered_templates: dict[str, list[TemplateCode]] = Field(default_factory=dict)
    """Key of the request -> the template's elements, parameters filled in."""

    def code(self, key: str) -> dict[str, str]:
        """One rendered template's code by element id (``{"html": ..., "css": ...}``)."""
        return _by_id(self.rendered_templates.get(key, []))


class ProcessedTemplates(_Answer):
    """``POST /v3/templates/process``: the code sent, with the template variables filled in."""

    templates: list[TemplateCode] = Field(default_factory=list)
    """The elements, in the order sent."""

    def code(self) -> dict[str, str]:
        """The code by element id."""
        return _by_id(self.templates)


class Revision(_Answer):
    """One revision of an object: the object as it was saved at that revision."""

    ref: str
    """The object's ref (the same in every revision)."""
    revision: int
    """The revision's number (1 at create, one more on each update)."""
    name: str | None = None
    """The object's name at that revision."""
    description: str | None = None
    """Its description at that revision, where it has one."""
    archived: bool = False
    """Whether that revision archived it."""
    modified_at: str | None = None
    """When that revision was saved (ISO-8601, UTC)."""
    modified_by: str | None = None
    """Who saved it (``modifiedByRef`` or ``modifiedByUserRef``; an API key shows as ``<id>@clients``)."""
    revision_comment: str | None = None
    """The comment saved with it, where there is one."""
    raw: dict[str, Any] = Field(default_factory=dict)
    """The whole object as the service returned it."""

    @classmethod
    def from_api(cls, item: Mapping[str, Any]) -> Self:
        """A revision from the service's object."""
        who = item.get("modifiedByRef") or item.get("modifiedByUserRef")
        return cls.model_validate({**item, "modifiedBy": who, "raw": dict(item)})


class TemplateRevision(Revision):
    """A template as it was saved at one revision."""

    friendly_id: str | None = None
    """Its ``friendlyId`` at that revision."""
    type: str | None = None
    """WEB, DECISION, CONDITION or JS_MODULE."""
    status: str | None = None
    """DRAFT or PUBLISHED at that revision."""
    template_elements: list[TemplateCode] = Field(default_factory=list)
    """Its code at that revision."""

    def code(self) -> dict[str, str]:
        """The code at that revision by element id."""
        return _by_id(self.template_elements)


class DecisionModelRevision(Revision):
    """A decision model as it was saved at one revision."""

    deployment_configuration: dict[str, Any] | None = None
    """Which variant revisions were deployed, with which split and status."""


class DecisionModelVariantRevision(Revision):
    """A decision model variant as it was saved at one revision."""

    decision_model_definition_ref: str | None = None
    """The ref of its decision model."""
    definition: str | None = None
    """Its DMN definition at that revision."""
