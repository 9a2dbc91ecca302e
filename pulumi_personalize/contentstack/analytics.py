"""An experience version's analytics summary (the api layer: api -> http; never the engine nor pulumi).

``GET /experiences/{uid}/analytics/summary?version=<versionUid>`` is documented by the vendor
(``docs/facts/contentstack.md#analytics``): per variant, impressions, and for A/B tests conversions
and the probability to be best; the leading variant once the service has enough data; for
activated experiences only. The documentation gives no response body, so the shape is read
leniently and what the service sends beyond it is kept (``model_extra``):

- the summary itself or wrapped in ``data``;
- ``variants`` as a list of objects, or as an object keyed by the variant's short uid;
- a variant's short uid as ``shortUid`` or ``variantShortUid``;
- the leading variant as a short uid string or an object holding one (``leadingVariant``, ``leader``
  or ``winner``);
- a probability as a fraction (0.87) or a percentage (87): over 1 it is divided by 100.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, field_validator, model_validator

from .._values import Json
from ..errors import ApiError, PersonalizeError
from ..facts import contentstack as facts
from ._experiences import VERSIONS_KEY, current_version, ordered_versions
from .api import ContentstackApi

__all__ = ["AnalyticsSummary", "VariantAnalytics", "analytics_summary", "summary_version"]

_SHORT_UID = AliasChoices("shortUid", "variantShortUid", "short_uid")
_LEADER_KEYS = ("leadingVariant", "leader", "winner", "leadingVariantShortUid")


def _fraction(value: Any) -> Any:
    if isinstance(value, int | float) and not isinstance(value, bool) and value > 1:
        return value / 100  # a percentage: probabilities are at most 1
    return value


class VariantAnalytics(BaseModel):
    """One variant's numbers in the summary (fields the service adds are kept in ``model_extra``)."""

    model_config = ConfigDict(populate_by_name=True, extra="allow", frozen=True)

    short_uid: str | None = Field(None, validation_alias=_SHORT_UID)
    """The variant's short uid in its experience (``cs.Experience.variant_short_uids`` by name)."""
    name: str | None = None
    """The variant's name (from the version when the service leaves it out)."""
    impressions: int = 0
    """Visitors who were shown the variant."""
    conversions: int | None = None
    """A/B tests only: visitors who triggered the primary metric's event."""
    conversion_rate: float | None = Field(None, validation_alias=AliasChoices("conversionRate", "conversion_rate"))
    """A/B tests only: conversions / impressions, 0 to 1."""
    probability_to_be_best: float | None = Field(
        None, validation_alias=AliasChoices("probabilityToBeBest", "probability_to_be_best", "probabilityToBeTheBest"))
    """A/B tests only: 0 to 1."""

    @field_validator("short_uid", mode="before")
    @classmethod
    def _text(cls, value: Any) -> Any:
        return str(value) if isinstance(value, int) and not isinstance(value, bool) else value

    @field_validator("probability_to_be_best", "conversion_rate", mode="before")
    @classmethod
    def _as_fraction(cls, value: Any) -> Any:
        return _fraction(value)


class AnalyticsSummary(BaseModel):
    """The analytics summary of one version of an experience (fields the service adds are kept in
    ``model_extra``)."""

    model_config = ConfigDict(populate_by_name=True, extra="allow", frozen=True)

    experience_uid: str = Field(validation_alias=AliasChoices("experienceUid", "experience_uid", "experience"))
    version_uid: str | None = Field(None, validation_alias=AliasChoices("versionUid", "version_uid", "version"))
    """The version the numbers are for."""
    variants: list[VariantAnalytics] = Field(default_factory=list)
    """One entry per variant of the version; ``variant(name_or_short_uid)`` finds one."""
    leading_variant: str | None = None
    """Short uid of the leading (winning) variant, once the service has enough data (A/B tests only)."""

    @model_validator(mode="before")
    @classmethod
    def _shapes(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("data"), dict) and "variants" not in data:
            data = {**data["data"], **{k: v for k, v in data.items() if k != "data"}}
        if not isinstance(data, dict):
            return data
        data = dict(data)
        variants = data.get("variants")
        if isinstance(variants, dict):  # keyed by short uid
            data["variants"] = [{"shortUid": key, **value} if isinstance(value, dict) else {"shortUid": key}
                                for key, value in variants.items()]
        leader = next((data.pop(k) for k in _LEADER_KEYS if k in data), None)
        if isinstance(leader, dict):
            leader = next((leader.get(k) for k in ("shortUid", "variantShortUid", "short_uid") if leader.get(k)), None)
        data["leading_variant"] = str(leader) if isinstance(leader, str | int) and leader != "" else None
        return data

    def variant(self, name_or_short_uid: str) -> VariantAnalytics:
        """The variant with this name or short uid (``KeyError`` naming the ones there are)."""
        for variant in self.variants:
            if name_or_short_uid in (variant.name, variant.short_uid):
                return variant
        known = ", ".join(f"{v.name!r} ({v.short_uid})" for v in self.variants) or "none"
        raise KeyError(f"no variant {name_or_short_uid!r} in this summary; its variants: {known}")

    @property
    def leader(self) -> VariantAnalytics | None:
        """The leading variant's numbers, when the service names one."""
        return next((v for v in self.variants if v.short_uid == self.leading_variant), None)


def summary_version(experience: Json) -> Json | None:
    """The version a summary is read for by default: the live one (ACTIVE, else PAUSED), else the
    newest that ran (ARCHIVED), else the newest; with its experience's versions under ``VERSIONS_KEY``."""
    versions = ordered_versions(experience.get(VERSIONS_KEY) or [])
    for status in ("ACTIVE", "PAUSED", "ARCHIVED"):
        found = [v for v in versions if v.get("status") == status]
        if found:
            return found[-1]
    return current_version(experience)


def _names(version: Json | None) -> dict[str, str]:
    return {str(v["shortUid"]): str(v["name"]) for v in (version or {}).get("variants") or []
            if isinstance(v, dict) and v.get("shortUid") is not None and v.get("name")}


def analytics_summary(api: ContentstackApi, experience_uid: str, version_uid: str | None = None) -> AnalyticsSummary:
    """The summary of ``version_uid`` (default: ``summary_version``) of the experience; variants the
    answer leaves unnamed get their names from the version."""
    experience = api.get_experience(experience_uid)
    if experience is None:
        raise PersonalizeError(f"no experience {experience_uid} in this project")
    versions = api.list_versions(experience_uid)
    experience = {**experience, VERSIONS_KEY: versions}
    version = (next((v for v in versions if v.get("uid") == version_uid), None) if version_uid
               else summary_version(experience))
    if version_uid and version is None:
        raise PersonalizeError(f"experience {experience_uid} has no version {version_uid}; its versions: "
                               f"{', '.join(str(v.get('uid')) for v in versions) or 'none'}")
    wanted = version_uid or (version or {}).get("uid")
    path = facts.ANALYTICS_SUMMARY_PATH.format(uid=experience_uid)
    try:
        body = api.client.get(path, params={facts.ANALYTICS_VERSION_PARAM: wanted} if wanted else None)
    except ApiError as exc:
        status = (version or {}).get("status")
        if status == "DRAFT" and exc.status in (400, 404, 422):
            raise type(exc)(f"{exc}; version {wanted} of experience {experience_uid} is a DRAFT that was never "
                            "activated: the service keeps analytics for activated experiences only",
                            status=exc.status, method=exc.method, path=exc.path, request_id=exc.request_id,
                            service_message=exc.service_message) from None
        raise
    return _with_defaults(body, experience_uid, wanted, _names(version))


def _with_defaults(body: Any, experience_uid: str, version_uid: str | None, names: Mapping[str, str]) -> AnalyticsSummary:
    if not isinstance(body, dict):
        raise PersonalizeError(f"GET {facts.ANALYTICS_SUMMARY_PATH.format(uid=experience_uid)}: expected an object")
    summary = AnalyticsSummary.model_validate({"experienceUid": experience_uid, "versionUid": version_uid, **body})
    named = [v if v.name or v.short_uid not in names else v.model_copy(update={"name": names[str(v.short_uid)]})
             for v in summary.variants]
    return summary.model_copy(update={"variants": named})
