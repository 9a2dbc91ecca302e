"""Settings of one emulator process (credentials it accepts, token lifetime, state file)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

DEFAULT_CLIENT_ID = "emulator-client"
DEFAULT_CLIENT_SECRET = "emulator-secret"
DEFAULT_ACCESS_TOKEN = "emulator-access-token"
DEFAULT_AUTHTOKEN = "emulator-authtoken"
DEFAULT_OAUTH_TOKEN = "emulator-oauth-token"
DEFAULT_TOKEN_TTL = 86_400


@dataclass(frozen=True)
class EmulatorSettings:
    state_path: str | None = None
    sitecore_client_id: str = DEFAULT_CLIENT_ID
    sitecore_client_secret: str = DEFAULT_CLIENT_SECRET
    sitecore_access_token: str = DEFAULT_ACCESS_TOKEN
    contentstack_authtoken: str = DEFAULT_AUTHTOKEN
    contentstack_oauth_token: str = DEFAULT_OAUTH_TOKEN
    token_ttl: int = DEFAULT_TOKEN_TTL

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
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)  # type: ignore[arg-type]
