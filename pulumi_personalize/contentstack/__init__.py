"""Contentstack Personalize: Attribute, Audience, Event, Experience, ExperiencePriority, the content
types linked to an experience's CMS variant group (VariantGroupContentTypes), look-ups (projects,
geolocation, existing objects, an experience's analytics summary)."""

# The resource and ``*Args`` classes are listed once, in the generated module's ``__all__``, and the
# look-ups in ``lookups.__all__``: a new resource or look-up needs no line here.
from . import _generated, lookups, rules
from ._generated import *  # noqa: F403
from .analytics import AnalyticsSummary, VariantAnalytics
from .lookups import *  # noqa: F403
from .models import AttributeInfo, AudienceInfo, EventInfo, ExperienceInfo, GeoLocation, ProjectInfo

__all__ = ["AnalyticsSummary", "AttributeInfo", "AudienceInfo", "EventInfo", "ExperienceInfo", "GeoLocation",
           "ProjectInfo", "VariantAnalytics", "rules"]
__all__ += _generated.__all__
__all__ += lookups.__all__
