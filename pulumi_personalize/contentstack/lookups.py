"""Look-ups for programs: the project of a stack, geolocation data, existing objects by key or name,
an experience's analytics summary.

They run in the program process, at preview too. Credentials come from ``config`` when given,
otherwise from the stack's configuration (``personalize:*``, or ``config_namespace``'s keys), with
the environment variables as the fallback, exactly as the resources read them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from pydantic import BaseModel

from ..config import DEFAULT_NAMESPACE, load_contentstack_settings
from ..errors import PersonalizeError
from ..http import ApiClient, StaticHeadersAuth
from . import api
from ._wire import WIRE, credential_headers
from .analytics import AnalyticsSummary, analytics_summary
from .models import AttributeInfo, AudienceInfo, EventInfo, ExperienceInfo, GeoLocation, ProjectInfo

__all__ = [
    "get_analytics_summary",
    "get_attribute",
    "get_audience",
    "get_cities",
    "get_countries",
    "get_event",
    "get_experience",
    "get_project",
    "get_regions",
]

InfoT = TypeVar("InfoT", bound=BaseModel)


class LookupError_(PersonalizeError):
    """Nothing (or more than one object) matched a look-up."""


def _program_config() -> dict[str, object]:
    try:
        from pulumi.runtime.config import CONFIG

        return dict(CONFIG.get())
    except Exception:  # not inside a Pulumi program
        return {}


def _api(config: Mapping[str, object] | None, namespace: str | None) -> api.ContentstackApi:
    return api.connect(config if config is not None else _program_config(), namespace or DEFAULT_NAMESPACE)


def _geo(kind: str, params: Mapping[str, Any], config: Mapping[str, object] | None,
         namespace: str | None) -> list[GeoLocation]:
    return [GeoLocation.model_validate(i) for i in _api(config, namespace).geolocation(kind, params)]


def get_countries(search: str | None = None, *, codes: list[str] | None = None, limit: int | None = None,
                  config_namespace: str | None = None,
                  config: Mapping[str, object] | None = None) -> list[GeoLocation]:
    """Countries (ISO 3166-1) whose name contains ``search`` and/or whose code is in ``codes``."""
    params = {"search": search, "code": ",".join(codes or []), "limit": limit}
    return _geo("countries", params, config, config_namespace)


def get_regions(search: str | None = None, *, country_code: str | None = None, codes: list[str] | None = None,
                limit: int | None = None, config_namespace: str | None = None,
                config: Mapping[str, object] | None = None) -> list[GeoLocation]:
    """Regions (ISO 3166-2) by name search, country and/or codes."""
    params = {"search": search, "countryCode": country_code, "code": ",".join(codes or []), "limit": limit}
    return _geo("regions", params, config, config_namespace)


def get_cities(search: str | None = None, *, country_code: str | None = None, region_code: str | None = None,
               codes: list[str] | None = None, limit: int | None = None, config_namespace: str | None = None,
               config: Mapping[str, object] | None = None) -> list[GeoLocation]:
    """Cities by name search, country, region and/or codes."""
    params = {"search": search, "countryCode": country_code, "regionCode": region_code,
              "code": ",".join(codes or []), "limit": limit}
    return _geo("cities", params, config, config_namespace)


def _one(kind: str, path: str, model: type[InfoT], criteria: Mapping[str, str | None],
         config: Mapping[str, object] | None, namespace: str | None) -> InfoT:
    wanted = {k: v for k, v in criteria.items() if v is not None}
    if not wanted:
        raise LookupError_(f"look up a {kind} by {' or '.join(criteria)}")
    # the attributes' listing also holds the built-in presets: never a look-up's answer
    items = [i for i in _api(config, namespace).listing(path) if not api.is_preset(i)]
    matches = [i for i in items if all(i.get(k) == v for k, v in wanted.items())]
    said = ", ".join(f"{k} {v!r}" for k, v in wanted.items())
    if not matches:
        raise LookupError_(f"no {kind} with {said} in this project")
    if len(matches) > 1:
        raise LookupError_(f"{len(matches)} {kind}s have {said}: look it up by key or uid instead")
    return model.model_validate(matches[0])


def get_attribute(*, key: str | None = None, name: str | None = None, config_namespace: str | None = None,
                  config: Mapping[str, object] | None = None) -> AttributeInfo:
    return _one("attribute", api.ATTRIBUTES, AttributeInfo, {"key": key, "name": name}, config, config_namespace)


def get_event(*, key: str | None = None, name: str | None = None, config_namespace: str | None = None,
              config: Mapping[str, object] | None = None) -> EventInfo:
    return _one("event", api.EVENTS, EventInfo, {"key": key, "name": name}, config, config_namespace)


def get_audience(*, name: str | None = None, uid: str | None = None, config_namespace: str | None = None,
                 config: Mapping[str, object] | None = None) -> AudienceInfo:
    return _one("audience", api.AUDIENCES, AudienceInfo, {"name": name, "uid": uid}, config, config_namespace)


def get_experience(*, name: str | None = None, uid: str | None = None, config_namespace: str | None = None,
                   config: Mapping[str, object] | None = None) -> ExperienceInfo:
    return _one("experience", api.EXPERIENCES, ExperienceInfo, {"name": name, "uid": uid}, config,
                config_namespace)


def get_analytics_summary(*, experience_uid: str | None = None, experience_name: str | None = None,
                          version_uid: str | None = None, config_namespace: str | None = None,
                          config: Mapping[str, object] | None = None) -> AnalyticsSummary:
    """An experience's analytics summary, as the service computes it: per variant, impressions, and
    for A/B tests conversions and the probability to be best; the leading variant once there is
    enough data. For a program or a CI step that reads a test's results before promoting a variant::

        summary = cs.get_analytics_summary(experience_name="Checkout button test")
        if summary.leader is not None and summary.leader.probability_to_be_best >= 0.95:
            ...

    :param experience_uid: The experience's uid (or give ``experience_name``).
    :param experience_name: The experience's name, looked up as ``get_experience`` does.
    :param version_uid: The version to read; default: the live one (ACTIVE, else PAUSED), else the
        newest that ran (ARCHIVED). The service keeps analytics for activated versions only.
    """
    if experience_uid is None:
        experience_uid = get_experience(name=experience_name, config_namespace=config_namespace, config=config).uid
    return analytics_summary(_api(config, config_namespace), experience_uid, version_uid)


def _organization_client(config: Mapping[str, object] | None, namespace: str | None,
                         organization_uid: str) -> ApiClient:
    """A client for organization-level calls: header ``organization_uid``, no project header."""
    settings = load_contentstack_settings(config if config is not None else _program_config(),
                                          namespace=namespace or DEFAULT_NAMESPACE, project_required=False)
    headers = {"organization_uid": organization_uid, **credential_headers(settings)[0]}
    hint = f"check the organization uid and {settings.namespace}:contentstackAuthtoken / contentstackOauthToken"
    return ApiClient(settings.base_url, wire=WIRE, auth=StaticHeadersAuth(headers, hint=hint), timeouts=settings.timeout)


def get_project(*, connected_stack_api_key: str, organization_uid: str, config_namespace: str | None = None,
                config: Mapping[str, object] | None = None) -> ProjectInfo:
    """The Personalize project connected to a stack (by the stack's API key), so that a program
    can find the project uid of the stack it personalizes. Needs no project uid configured."""
    if not connected_stack_api_key or not organization_uid:
        raise LookupError_("look up a project by connected_stack_api_key and organization_uid")
    with _organization_client(config, config_namespace, organization_uid) as client:
        items = api.ContentstackApi(client).projects(connected_stack_api_key)
    # the service filters by the query; filter again in case a service version ignores it
    matches = [i for i in items if i.get("connectedStackApiKey") in (None, connected_stack_api_key)]
    if not matches:
        raise LookupError_("no Personalize project of this organization is connected to that stack")
    if len(matches) > 1:
        uids = ", ".join(str(m.get("uid")) for m in matches)
        raise LookupError_(f"{len(matches)} projects are connected to that stack ({uids})")
    return ProjectInfo.model_validate(matches[0])
