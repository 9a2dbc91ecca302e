"""Settings of one emulator process (credentials it accepts, token lifetime, state file)."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from ..facts.contentstack import DEFAULT_QUOTAS

DEFAULT_CLIENT_ID = "emulator-client"
DEFAULT_CLIENT_SECRET = "emulator-secret"
DEFAULT_ACCESS_TOKEN = "emulator-access-token"
DEFAULT_AUTHTOKEN = "emulator-authtoken"
DEFAULT_OAUTH_TOKEN = "emulator-oauth-token"
DEFAULT_TOKEN_TTL = 86_400
# Contentstack Personalize default quotas (docs/facts/contentstack.md#quotas); each can be raised per plan
# (PERSONALIZE_EMULATOR_QUOTAS).
DEFAULT_CONTENTSTACK_QUOTAS: Mapping[str, int] = DEFAULT_QUOTAS
# Seconds the Contentstack "background job" takes to fill an experience's ``_cms``.
DEFAULT_CMS_DELAY = 0.5


@dataclass(frozen=True)
class EmulatorSettings:
    state_path: str | None = None
    sitecore_client_id: str = DEFAULT_CLIENT_ID
    sitecore_client_secret: str = DEFAULT_CLIENT_SECRET
    sitecore_access_token: str = DEFAULT_ACCESS_TOKEN
    contentstack_authtoken: str = DEFAULT_AUTHTOKEN
    contentstack_oauth_token: str = DEFAULT_OAUTH_TOKEN
    token_ttl: int = DEFAULT_TOKEN_TTL
    contentstack_quotas: Mapping[str, int] = field(default_factory=lambda: dict(DEFAULT_CONTENTSTACK_QUOTAS))
    contentstack_cms_delay: float = DEFAULT_CMS_DELAY
    # organizations without Personalize: the service answers them 403 "Forbidden"
    contentstack_disabled_organizations: tuple[str, ...] = ()

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: object) -> EmulatorSettings:
        """Defaults, then ``PERSONALIZE_EMULATOR_*`` environment variables, then explicit overrides."""
        env = os.environ if environ is None else environ
        values: dict[str, object] = {}
        mapping = {
            "PERSONALIZE_EMULATOR_CLIENT_ID": "sitecore_client_id",
            "PERSONALIZE_EMULATOR_CLIENT_SECRET": "sitecore_client_secret",
            "PERSONALIZE_EMULATOR_ACCESS_TOKEN": "sitecore_access_token",
            "PERSONALIZE_EMULATOR_AUTHTOKEN": "contentstack_authtoken",
            "PERSONALIZE_EMULATOR_OAUTH_TOKEN": "contentstack_oauth_token",
        }
        for var, attr in mapping.items():
            if env.get(var):
                values[attr] = env[var]
        if env.get("PERSONALIZE_EMULATOR_TOKEN_TTL"):
            values["token_ttl"] = int(env["PERSONALIZE_EMULATOR_TOKEN_TTL"])
        if env.get("PERSONALIZE_EMULATOR_CMS_DELAY"):
            values["contentstack_cms_delay"] = float(env["PERSONALIZE_EMULATOR_CMS_DELAY"])
        if env.get("PERSONALIZE_EMULATOR_DISABLED_ORGANIZATIONS"):  # comma-separated organization uids
            values["contentstack_disabled_organizations"] = tuple(
                o.strip() for o in env["PERSONALIZE_EMULATOR_DISABLED_ORGANIZATIONS"].split(",") if o.strip())
        if env.get("PERSONALIZE_EMULATOR_QUOTAS"):  # JSON object, merged over the defaults
            values["contentstack_quotas"] = {**DEFAULT_CONTENTSTACK_QUOTAS,
                                             **json.loads(env["PERSONALIZE_EMULATOR_QUOTAS"])}
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)  # type: ignore[arg-type]
