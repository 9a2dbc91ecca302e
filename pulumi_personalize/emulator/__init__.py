"""A local HTTP emulator of Sitecore Personalize and Contentstack Personalize.

Run it with ``python -m pulumi_personalize.emulator --port 0 --state FILE`` (or the
``personalize-emulator`` console script); tests use :mod:`pulumi_personalize.emulator.testing`.
See ``README.md`` in this folder for the routes, the control API and the fault rules.
"""

from __future__ import annotations

from .settings import (
    DEFAULT_ACCESS_TOKEN,
    DEFAULT_AUTHTOKEN,
    DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET,
    DEFAULT_OAUTH_TOKEN,
    EmulatorSettings,
)

__all__ = [
    "DEFAULT_ACCESS_TOKEN",
    "DEFAULT_AUTHTOKEN",
    "DEFAULT_CLIENT_ID",
    "DEFAULT_CLIENT_SECRET",
    "DEFAULT_OAUTH_TOKEN",
    "EmulatorSettings",
]
