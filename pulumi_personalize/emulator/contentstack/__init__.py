"""Contentstack Personalize Management API, emulated as the live service serves it
(``docs/facts/contentstack.md``; contract:
``docs/contracts/contentstack-personalize.openapi.yml``).

``urls`` holds the URL table, ``handlers`` the request handling, ``models`` the stored objects and their rules.
"""

from __future__ import annotations

from .handlers import rate_limit_key
from .urls import routes

__all__ = ["rate_limit_key", "routes"]
