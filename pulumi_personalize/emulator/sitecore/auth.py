"""Tenants and access tokens of the emulated Sitecore Personalize.

Each set of client credentials (API key + secret) belongs to one tenant, named by its ``clientKey``.
The emulator knows the configured pair (``--client-id``/``--client-secret``) and any further pairs in
``PERSONALIZE_EMULATOR_SITECORE_TENANTS`` (``id=secret,id2=secret2``); a token only ever sees its own
tenant's objects, so a provider pointed at the wrong credentials sees another (or no) world.
The static ``--access-token`` belongs to the configured pair's tenant.

Tokens are self-describing (client id, expiry, HMAC with that client's secret), so they survive an
emulator restart and need no token table.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from collections.abc import Mapping
from dataclasses import dataclass

from ...facts.sitecore import TOKEN_AUDIENCE
from ..settings import EmulatorSettings
from .errors import SitecoreError

TOKEN_PREFIX = "emu2"
TENANTS_ENV = "PERSONALIZE_EMULATOR_SITECORE_TENANTS"
AUDIENCE = TOKEN_AUDIENCE
# The scope the documentation's token example shows for a Personalize key.
SCOPE = ("personalize.decision_models:manage personalize.templates:manage "
         "personalize.external_webservices:manage personalize.flows:manage")
_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


@dataclass(frozen=True)
class Tenant:
    client_id: str
    client_key: str

    @property
    def modified_by(self) -> str:
        """How the live service names an API-key caller in ``modifiedByRef``."""
        return f"{self.client_id}@clients"


def client_key_for(client_id: str) -> str:
    """A stable 32-character key per client id, alphanumeric like the documentation's examples."""
    number = int.from_bytes(hashlib.sha256(f"clientKey:{client_id}".encode()).digest(), "big")
    chars = []
    for _ in range(32):
        number, digit = divmod(number, len(_ALPHABET))
        chars.append(_ALPHABET[digit])
    return "".join(chars)


def tenant(client_id: str) -> Tenant:
    return Tenant(client_id, client_key_for(client_id))


def credentials(settings: EmulatorSettings, environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """client id -> secret, for every tenant this process serves."""
    env = os.environ if environ is None else environ
    known = {settings.sitecore_client_id: settings.sitecore_client_secret}
    for pair in env.get(TENANTS_ENV, "").split(","):
        client_id, sep, secret = pair.strip().partition("=")
        if sep and client_id and secret:
            known[client_id] = secret
    return known


def _signature(secret: str, client_id: str, expires: int) -> str:
    return hmac.new(secret.encode(), f"{client_id}:{expires}".encode(), hashlib.sha256).hexdigest()[:32]


def _b64(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def _unb64(text: str) -> str:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode()


def issue_token(secret: str, client_id: str, ttl: int, now: float) -> str:
    """``now``: epoch seconds on the emulator's clock."""
    expires = int(now) + ttl
    return f"{TOKEN_PREFIX}.{_b64(client_id)}.{expires}.{_signature(secret, client_id, expires)}"


def authenticate_client(settings: EmulatorSettings, client_id: str | None, client_secret: str | None) -> bool:
    if not client_id or not client_secret:
        return False
    expected = credentials(settings).get(client_id)
    return expected is not None and hmac.compare_digest(client_secret, expected)


def tenant_for_bearer(settings: EmulatorSettings, authorization: str | None, now: float) -> Tenant:
    """The tenant of an ``Authorization`` header at ``now`` (epoch seconds on the emulator's clock), or a 401."""
    if not authorization:
        raise SitecoreError(401, "Missing Authorization header: send 'Authorization: Bearer <access token>'")
    scheme, _, token = authorization.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise SitecoreError(401, "The Authorization header must be 'Bearer <access token>'")
    if hmac.compare_digest(token, settings.sitecore_access_token):
        return tenant(settings.sitecore_client_id)
    parts = token.split(".")
    if len(parts) == 4 and parts[0] == TOKEN_PREFIX and parts[2].isdigit():
        try:
            client_id = _unb64(parts[1])
        except (ValueError, UnicodeDecodeError):
            client_id = ""
        secret = credentials(settings).get(client_id)
        expires = int(parts[2])
        if secret is not None and hmac.compare_digest(parts[3], _signature(secret, client_id, expires)):
            if expires <= now:
                raise SitecoreError(401, "The access token has expired; request a new one")
            return tenant(client_id)
    raise SitecoreError(401, "The access token is invalid")
