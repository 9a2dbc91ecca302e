"""Look-ups of existing Sitecore objects by name, their revisions, and template previews, for use in a
Pulumi program.

Dynamic providers cannot serve invokes, so these run in the program process itself: they read the
stack configuration the program sees (the same ``personalize:sitecore*`` keys the provider reads in
``configure()``) and call the API directly, walking every page of the list (the API has no name
filter). They run at preview too, so a name that does not exist fails the preview, with the names
that do exist in the message.

    conn = sitecore.get_connection("Weather service")
    sitecore.FlowDefinition("hero", name="Hero", friendly_id="hero", ...)  # and use conn.ref

Revisions (``get_template_revisions``, ``get_decision_model_revision``, ...) read what an object was
at each save, for audit or to promote a known revision; the previews render template code with
parameter values (``render_templates`` of saved templates by friendly id, ``process_templates`` of
code not saved). All are read-only: nothing is saved.

    for rev in sitecore.get_template_revisions(banner_ref):
        print(rev.revision, rev.modified_at, rev.status)
    html = sitecore.render_templates(templates={"a": {"friendly_id": "rain_banner",
                                                      "template_params": {"City": "Oslo"}}}).code("a")["html"]
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict

from ..config import DEFAULT_NAMESPACE, load_sitecore_settings
from ..errors import NotFoundError
from ._wire import sitecore_client
from .api import (
    CONNECTIONS,
    DECISION_MODEL_VARIANTS,
    DECISION_MODELS,
    FLOW_DEFINITIONS,
    PAGE_SIZE,
    TEMPLATES,
    Kind,
    SitecoreApi,
)
from .models import (
    DecisionModelRevision,
    DecisionModelVariantRevision,
    ProcessedTemplates,
    RenderedTemplates,
    Revision,
    TemplateCode,
    TemplateRevision,
    TemplateToRender,
    is_archived,
)

__all__ = [
    "DecisionModelRevision",
    "DecisionModelVariantRevision",
    "LookupResult",
    "ProcessedTemplates",
    "RenderedTemplates",
    "TemplateCode",
    "TemplateRevision",
    "TemplateToRender",
    "get_connection",
    "get_decision_model",
    "get_decision_model_revision",
    "get_decision_model_revisions",
    "get_decision_model_variant_revision",
    "get_decision_model_variant_revisions",
    "get_flow_definition",
    "get_template",
    "get_template_revision",
    "get_template_revisions",
    "lookup_by_name",
    "process_templates",
    "render_templates",
]

RevisionT = TypeVar("RevisionT", bound=Revision)

_MAX_NAMES_IN_MESSAGE = 20


class LookupResult(BaseModel):
    """An existing object: its reference, name and the whole object as the service returned it."""

    model_config = ConfigDict(frozen=True)

    ref: str
    name: str
    archived: bool
    revision: int | None = None
    status: str | None = None
    type: str | None = None
    raw: dict[str, Any]


def _program_config() -> dict[str, Any]:
    # The program's view of the stack configuration ("namespace:key" -> value, secrets decrypted).
    from pulumi.runtime import config as runtime_config

    return {**runtime_config.get_config_env(), **runtime_config.CONFIG.get()}


def _api(config: Mapping[str, Any] | None, namespace: str) -> SitecoreApi:
    settings = load_sitecore_settings(_program_config() if config is None else config, namespace=namespace)
    return SitecoreApi(sitecore_client(settings))


def lookup_by_name(
    kind: Kind,
    name: str,
    *,
    include_archived: bool = False,
    config_namespace: str = DEFAULT_NAMESPACE,
    config: Mapping[str, Any] | None = None,
) -> LookupResult:
    """The one object of ``kind`` named ``name``. Raises ``NotFoundError`` when there is none and
    ``LookupError`` when several share the name (use the ref then).

    :param kind: The collection (``api.CONNECTIONS``, ``api.TEMPLATES``, ...).
    :param name: The object's name.
    :param include_archived: Whether archived objects count.
    """
    api = _api(config, config_namespace)
    matches: list[dict[str, Any]] = []
    seen: list[str] = []
    for item in api.client.iter_pages(kind.path, page_size=PAGE_SIZE):
        if include_archived or not is_archived(item):
            seen.append(str(item.get("name")))
            if item.get("name") == name:
                matches.append(item)
    if not matches:
        known = ", ".join(sorted(seen)[:_MAX_NAMES_IN_MESSAGE]) or "none"
        more = f" (and {len(seen) - _MAX_NAMES_IN_MESSAGE} more)" if len(seen) > _MAX_NAMES_IN_MESSAGE else ""
        archived_hint = "" if include_archived else "; pass include_archived=True to search archived ones too"
        raise NotFoundError(
            f"no {kind.label} named {name!r} in Sitecore Personalize{archived_hint}. "
            f"Existing names: {known}{more}",
            status=404,
            method="GET",
            path=kind.path,
        )
    if len(matches) > 1:
        refs = ", ".join(str(m.get("ref")) for m in matches)
        raise LookupError(f"{len(matches)} {kind.label}s are named {name!r} (refs {refs}): refer to one by ref")
    item = matches[0]
    revision = item.get("revision")
    return LookupResult(
        ref=str(item.get("ref")),
        name=name,
        archived=is_archived(item),
        revision=revision if isinstance(revision, int) else None,
        status=item.get("status") if isinstance(item.get("status"), str) else None,
        type=item.get("type") if isinstance(item.get("type"), str) else None,
        raw=item,
    )


def get_connection(name: str, **kwargs: Any) -> LookupResult:
    """An existing connection by name.

    :param name: The connection's name.
    :param kwargs: ``include_archived``, ``config_namespace``, ``config`` (see ``lookup_by_name``).
    """
    return lookup_by_name(CONNECTIONS, name, **kwargs)


def get_decision_model(name: str, **kwargs: Any) -> LookupResult:
    """An existing decision model by name."""
    return lookup_by_name(DECISION_MODELS, name, **kwargs)


def get_flow_definition(name: str, **kwargs: Any) -> LookupResult:
    """An existing flow definition (experience or experiment) by name."""
    return lookup_by_name(FLOW_DEFINITIONS, name, **kwargs)


def get_template(name: str, **kwargs: Any) -> LookupResult:
    """An existing template by name."""
    return lookup_by_name(TEMPLATES, name, **kwargs)


# --- revisions (docs/facts/sitecore.md#revisions) ---------------------------------------------------------


def _revisions(kind: Kind, model: type[RevisionT], ref: str, config: Mapping[str, Any] | None,
               namespace: str) -> list[RevisionT]:
    return [model.from_api(item) for item in _api(config, namespace).revisions(kind, ref)]


def _revision(kind: Kind, model: type[RevisionT], ref: str, revision: int, config: Mapping[str, Any] | None,
              namespace: str) -> RevisionT:
    return model.from_api(_api(config, namespace).revision(kind, ref, revision))


def get_template_revisions(ref: str, *, config_namespace: str = DEFAULT_NAMESPACE,
                           config: Mapping[str, Any] | None = None) -> list[TemplateRevision]:
    """Every revision of a template (``GET /v3/templates/{ref}/revisions``), in the service's order
    (oldest first on the emulator).

    :param ref: The template's ref (``template.ref``).
    """
    return _revisions(TEMPLATES, TemplateRevision, ref, config, config_namespace)


def get_template_revision(ref: str, revision: int, *, config_namespace: str = DEFAULT_NAMESPACE,
                          config: Mapping[str, Any] | None = None) -> TemplateRevision:
    """One revision of a template by its number (``GET /v3/templates/{ref}/revisions/{revision}``).

    :param ref: The template's ref.
    :param revision: The revision's number (1 is the template as created).
    """
    return _revision(TEMPLATES, TemplateRevision, ref, revision, config, config_namespace)


def get_decision_model_revisions(ref: str, *, config_namespace: str = DEFAULT_NAMESPACE,
                                 config: Mapping[str, Any] | None = None) -> list[DecisionModelRevision]:
    """Every revision of a decision model (``GET /v2/decisionModelDefinitions/{ref}/revisions``): each
    save, a deployment's included.

    :param ref: The decision model's ref (``model.ref``).
    """
    return _revisions(DECISION_MODELS, DecisionModelRevision, ref, config, config_namespace)


def get_decision_model_revision(ref: str, revision: int, *, config_namespace: str = DEFAULT_NAMESPACE,
                                config: Mapping[str, Any] | None = None) -> DecisionModelRevision:
    """One revision of a decision model by its number.

    :param ref: The decision model's ref.
    :param revision: The revision's number.
    """
    return _revision(DECISION_MODELS, DecisionModelRevision, ref, revision, config, config_namespace)


def get_decision_model_variant_revisions(ref: str, *, config_namespace: str = DEFAULT_NAMESPACE,
                                         config: Mapping[str, Any] | None = None,
                                         ) -> list[DecisionModelVariantRevision]:
    """Every revision of a decision model variant (``GET /v2/decisionModelVariants/{ref}/revisions``):
    the DMN definitions a deployment can name by ``variant_revision``.

    :param ref: The variant's ref (``variant.ref``).
    """
    return _revisions(DECISION_MODEL_VARIANTS, DecisionModelVariantRevision, ref, config, config_namespace)


def get_decision_model_variant_revision(ref: str, revision: int, *, config_namespace: str = DEFAULT_NAMESPACE,
                                        config: Mapping[str, Any] | None = None) -> DecisionModelVariantRevision:
    """One revision of a decision model variant by its number.

    :param ref: The variant's ref.
    :param revision: The revision's number.
    """
    return _revision(DECISION_MODEL_VARIANTS, DecisionModelVariantRevision, ref, revision, config,
                     config_namespace)


# --- template previews (docs/facts/sitecore.md#template-previews) -----------------------------------------


def render_templates(templates: Mapping[str, TemplateToRender | Mapping[str, Any]], *,
                     config_namespace: str = DEFAULT_NAMESPACE,
                     config: Mapping[str, Any] | None = None) -> RenderedTemplates:
    """Saved templates rendered with parameter values (``POST /v3/templates/renderTemplates``); saves nothing.

    :param templates: Any key -> the template to render: ``{"friendly_id": ..., "template_params": {...}}``
        (or ``TemplateToRender``); the answer holds each one's code under the same key.
    """
    wanted = {key: TemplateToRender.model_validate(value) for key, value in templates.items()}
    body = {key: t.model_dump(by_alias=True) for key, t in wanted.items()}
    return RenderedTemplates.model_validate(_api(config, config_namespace).render_templates(body))


def process_templates(templates: Sequence[TemplateCode | Mapping[str, Any]], *,
                      template_variables: Mapping[str, str] | None = None,
                      config_namespace: str = DEFAULT_NAMESPACE,
                      config: Mapping[str, Any] | None = None) -> ProcessedTemplates:
    """Template code that need not be saved, rendered with variable values (``POST /v3/templates/process``);
    saves nothing. ``Template(verify=True)`` sends its code here before each save.

    :param templates: The elements: ``[{"id": "html", "template": "<p>Hi [[Name | string]]</p>"}, ...]``.
    :param template_variables: Values of the template parameters by name; a parameter left out takes its
        default.
    """
    elements = [TemplateCode.model_validate(e).model_dump() for e in templates]
    answer = _api(config, config_namespace).process_templates(elements, dict(template_variables or {}))
    return ProcessedTemplates.model_validate(answer)
