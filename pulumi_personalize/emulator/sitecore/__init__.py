"""Sitecore Personalize, emulated as the live service serves it (facts:
``docs/facts/sitecore.md``; contract ``docs/contracts/sitecore-personalize.openapi.yml``).

Laid out like moto: ``urls.py`` (which path calls which handler), ``handlers.py`` (HTTP: auth, bodies,
paging, status codes), ``models.py`` (the stored models: fields, rules, server defaults), ``auth.py``
(tenants and tokens), ``errors.py`` (the error body).
"""

from __future__ import annotations

from .urls import PREFIXES, routes

__all__ = ["PREFIXES", "routes"]
