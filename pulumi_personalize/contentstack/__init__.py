"""Contentstack Personalize: Attribute, Audience, Event, Experience, ExperiencePriority, look-ups
(projects, geolocation, existing objects)."""

from . import rules
from ._generated import (
    Attribute,
    AttributeArgs,
    Audience,
    AudienceArgs,
    Event,
    EventArgs,
    Experience,
    ExperienceArgs,
    ExperienceMetricArgs,
    ExperiencePriority,
    ExperiencePriorityArgs,
    ExperienceTargetingArgs,
    ExperienceVariantArgs,
)
from .lookups import (
    get_attribute,
    get_audience,
    get_cities,
    get_countries,
    get_event,
    get_experience,
    get_project,
    get_regions,
)
from .models import AttributeInfo, AudienceInfo, EventInfo, ExperienceInfo, GeoLocation, ProjectInfo

__all__ = [
    "Attribute",
    "AttributeArgs",
    "AttributeInfo",
    "Audience",
    "AudienceArgs",
    "AudienceInfo",
    "Event",
    "EventArgs",
    "EventInfo",
    "Experience",
    "ExperienceArgs",
    "ExperienceInfo",
    "ExperienceMetricArgs",
    "ExperiencePriority",
    "ExperiencePriorityArgs",
    "ExperienceTargetingArgs",
    "ExperienceVariantArgs",
    "GeoLocation",
    "ProjectInfo",
    "get_attribute",
    "get_audience",
    "get_cities",
    "get_countries",
    "get_event",
    "get_experience",
    "get_project",
    "get_regions",
    "rules",
]
