"""Contentstack Personalize facts shared by the client and the emulator.

What they mean and where they come from: ``docs/facts/contentstack.md`` (#presets, #quotas, #versions);
the contract ``docs/contracts/contentstack-personalize.openapi.yml`` must agree (``tests/unit/test_facts.py``).
"""

from __future__ import annotations

from typing import Literal, NamedTuple, get_args

# --- paths (at the root of the region's base URL) ---
PROJECTS_PATH = "/projects"
ATTRIBUTES_PATH = "/attributes"
AUDIENCES_PATH = "/audiences"
EVENTS_PATH = "/events"
EXPERIENCES_PATH = "/experiences"
PRIORITY_PATH = "/experiences-priority"
# An experience version's analytics summary, `?version=<versionUid>` (docs/facts/contentstack.md#analytics)
ANALYTICS_SUMMARY_PATH = EXPERIENCES_PATH + "/{uid}/analytics/summary"
ANALYTICS_VERSION_PARAM = "version"

# --- experiences and their versions ---
ExperienceType = Literal["SEGMENTED", "AB_TEST"]
EXPERIENCE_TYPES: tuple[str, ...] = get_args(ExperienceType)
VARIANT_TYPES = {"SEGMENTED": "SegmentedVariant", "AB_TEST": "ABTestVariant"}  # a variant's __type per experience type
Combination = Literal["AND", "OR"]
COMBINATIONS: tuple[str, ...] = get_args(Combination)
VERSION_STATUSES = ("DRAFT", "ACTIVE", "PAUSED", "ARCHIVED")  # ARCHIVED only by a later activation
VersionStatus = Literal["DRAFT", "ACTIVE", "PAUSED"]  # what a client sends on PUT
DECLARABLE_VERSION_STATUSES: tuple[str, ...] = get_args(VersionStatus)
CREATE_VERSION_STATUSES = ("DRAFT", "ACTIVE")  # what a POST of a version may send
LIVE_VERSION_STATUSES = ("ACTIVE", "PAUSED")  # the version an experience runs (at most one)
LOCKED_VERSION_STATUSES = ("ACTIVE", "PAUSED", "ARCHIVED")  # content can no longer change
EXPERIENCE_STATUSES = ("DRAFT", "ACTIVE", "PAUSED")  # derived from the versions

# --- attributes ---
# Built-in preset attributes every project has: (key, name, description). The keys come from the
# vendor's prose, CLI mocks and a third-party report; the live list may be longer.
PRESET_ATTRIBUTES: tuple[tuple[str, str, str], ...] = (
    ("COUNTRY", "Country", "The visitor's country (ISO 3166-1), from the IP address"),
    ("REGION", "Region", "The visitor's region (ISO 3166-2), from the IP address"),
    ("CITY", "City", "The visitor's city, from the IP address"),
    ("QUERY_PARAMETERS", "Query Parameters", "The query parameters of the visited URL"),
    ("DATE_AND_TIME", "Date and Time", "The date and time of the visit"),
    ("DEVICE_TYPE", "Device Type", "MOBILE, TABLET or DESKTOP"),
    ("OPERATING_SYSTEM", "Operating System", "The visitor's operating system"),
    ("REFERRER", "Referrer", "The referring URL"),
)
PRESET_ATTRIBUTE_KEYS: tuple[str, ...] = tuple(key for key, _, _ in PRESET_ATTRIBUTES)
ATTRIBUTE_TYPES = ("CUSTOM", "PRESET")
ATTRIBUTE_REFERENCES = ("PresetAttributeReference", "CustomAttributeReference", "LyticsAttributeReference")


# --- quotas per project (per organization for projects); each can be raised per plan ---
class Quota(NamedTuple):
    name: str  # the emulator's setting name
    reason: str  # the NAME in the refusal code personalize.<SCOPE>.<NAME>_COUNT_EXCEEDED
    scope: str  # the SCOPE in that code
    counted: str  # what is counted, in words
    default: int


# RULE_COUNT_EXCEEDED is seen live; the other codes follow it.
QUOTAS: tuple[Quota, ...] = (
    Quota("projects_per_organization", "PROJECT", "PROJECTS", "projects per organization", 3),
    Quota("experiences", "EXPERIENCE", "EXPERIENCES", "experiences", 100),
    Quota("audiences", "AUDIENCE", "AUDIENCES", "audiences", 100),
    Quota("attributes", "ATTRIBUTE", "ATTRIBUTES", "custom attributes", 100),  # presets do not count
    Quota("events", "EVENT", "EVENTS", "events", 100),
    Quota("rules_per_audience", "RULE", "AUDIENCES", "rules per audience", 50),
    Quota("variants_per_experience", "VARIANT", "EXPERIENCES", "variants per experience", 20),
)
DEFAULT_QUOTAS = {quota.name: quota.default for quota in QUOTAS}
QUOTA_CODES = {quota.name: f"personalize.{quota.scope}.{quota.reason}_COUNT_EXCEEDED" for quota in QUOTAS}
MAX_VARIANTS = DEFAULT_QUOTAS["variants_per_experience"]

# --- audience rules ---
# Match conditions known so far (docs/facts/contentstack.md#audiences), with where each comes from;
# the service may know more, so a rule's condition is not limited to these.
MATCH_CONDITIONS: tuple[tuple[str, str], ...] = (
    *((name, "vendor API docs") for name in ("STRING_EQUALS", "NUMBER_GREATER_THAN", "JSON_MATCH", "BETWEEN_TIME")),
    *((name, "third party") for name in ("CONTAINS_SUBSTRING", "HAS_ANY_VALUE", "IS_TRUE", "IS_FALSE",
                                         "NUMBER_LESS_THAN", "NUMBER_EQUAL_TO", "IS_MEMBER_OF", "BEFORE_TIME",
                                         "AFTER_TIME")),
)

# --- the rate limit (docs/facts/contentstack.md#rate-limits) ---
# Management API reads and writes alike, counted per organization; raisable per plan. Whether a 429
# carries Retry-After is unconfirmed, and no rate headers are documented.
REQUESTS_PER_SECOND = 10
RATE_LIMIT_WINDOW = 1.0  # seconds over which the requests are counted
RATE_LIMIT_MESSAGE = "Rate limit exceeded: too many requests per second"  # the emulator's words; the live text is unconfirmed
