"""Look-ups of existing Sitecore objects by name, for use in a Pulumi program.

Dynamic providers cannot serve invokes, so these run in the program process itself: they read the
stack configuration the program sees (the same ``personalize:sitecore*`` keys the provider reads in
``configure()``) and call the API directly, walking every page of the list (the API has no name
filter). They run at preview too, so a name that does not exist fails the preview, with the names
that do exist in the message.

    conn = sitecore.get_connection("Weather service")
    sitecore.FlowDefinition("hero", name="Hero", friendly_id="hero", ...)  # and use conn.ref
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict

from ..config import DEFAULT_NAMESPACE, load_sitecore_settings
from ..errors import NotFoundError
from ._wire import sitecore_client
from .api import CONNECTIONS, DECISION_MODELS, FLOW_DEFINITIONS, PAGE_SIZE, TEMPLATES, Kind, SitecoreApi
from .models import is_archived

__all__ = [
    "LookupResult",
    "get_connection",
    "get_decision_model",
    "get_flow_definition",
    "get_template",
    "lookup_by_name",
]

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


def lookup_by_name(
    kind: Kind,
    name: str,
    *,
    include_archived: bool = False,
    config_namespace: str = DEFAULT_NAMESPACE,
    config: Mapping[str, Any] | None = None,
) -> LookupResult:
    """The one object of ``kind`` named ``name``. Raises ``NotFoundError`` when there is none and
    ``LookupError`` when several share the name (use the ref then)."""
    settings = load_sitecore_settings(_program_config() if config is None else config, namespace=config_namespace)
    api = SitecoreApi(sitecore_client(settings))
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
    """An existing connection by name (see ``lookup_by_name`` for the options)."""
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
