"""Short-lived listings shared by the reads of one burst (services without GET by id).

``ListingCache`` and ``LISTINGS`` live below the engine (``pulumi_personalize._api``), where the api
layers that list use them; the twin listings are the engine's own."""

from __future__ import annotations

from .._api import LISTINGS, ListingCache

__all__ = ["LISTINGS", "TWIN_LISTINGS", "ListingCache"]

# Listings for the natural-key (twin) check before a create. Never dropped by writes: a burst of N
# creates would otherwise list N times. A stale entry can only miss objects created in the same
# burst, which this stack already manages; the service still refuses a duplicate name.
TWIN_LISTINGS = ListingCache(ttl=30.0)
