"""Sitecore Personalize, emulated as the live service serves it (facts:
``docs/facts/sitecore.md``; contract ``docs/contracts/sitecore-personalize.openapi.yml``).

Laid out like moto: ``urls.py`` (which path calls which handler), ``handlers.py`` (HTTP: auth, bodies,
paging, status codes), ``backend.py`` (the state and every write), ``kinds.py`` (each kind's fields,
rules, server defaults), ``models.py`` (records, revisions, representations), ``auth.py`` (tenants and
tokens), ``errors.py`` (the error body).
"""

from __future__ import annotations

from .backend import SitecoreBackend
from .urls import PREFIXES, routes

__all__ = ["PREFIXES", "SitecoreBackend", "routes"]
