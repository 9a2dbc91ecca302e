"""Contentstack Personalize Management API, emulated as the live service serves it
(``docs/facts/contentstack.md``; contract:
``docs/contracts/contentstack-personalize.openapi.yml``).

Laid out like moto: ``urls.py`` (the URL table), ``handlers.py`` (HTTP: credentials, headers, status
codes; one CRUD factory for the listed kinds), ``backend.py`` (the state and every write), ``models.py``
and ``experiences.py`` (the stored objects and their rules), ``geolocation.py`` (read-only look-ups).
"""

from __future__ import annotations

from .backend import ContentstackBackend
from .urls import routes

__all__ = ["ContentstackBackend", "routes"]
