"""URL settings: what a base or token URL must look like, and where its host came from.

A URL setting carries credentials to its host (an authtoken, an OAuth token, a client secret), so
plain ``http://`` is refused except for a loopback host (the emulator on this machine); a typo or a
proxy setting must not send them in clear. Messages name the setting and never a URL's
``user:password@`` part (``tenant.host_of`` drops it too).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from typing import NamedTuple, Protocol
from urllib.parse import urlsplit

from .errors import ConfigurationError
from .facts.sitecore import TOKEN_PATH
from .tenant import DEFAULT_NAMESPACE

__all__ = ["DEFAULT_SITECORE_TOKEN_URL", "Base", "base_url", "checked_url", "is_loopback", "token_url", "url_source"]

DEFAULT_SITECORE_TOKEN_URL = f"https://auth.sitecorecloud.io{TOKEN_PATH}"


class Source(Protocol):
    """What is read here of ``config._Source``: keys looked up in one namespace."""

    namespace: str

    def name(self, key: str) -> str: ...
    def get(self, key: str) -> tuple[str | None, str]: ...
    def from_config(self, key: str, namespace: str | None = None) -> str | None: ...
    def from_env(self, key: str, namespace: str | None = None) -> str | None: ...


def is_loopback(host: str) -> bool:
    """``localhost``, 127.0.0.0/8 or ``::1`` (the host as ``urlsplit`` gives it: no brackets)."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def checked_url(value: str, where: str, key: str) -> str:
    """``value`` without a trailing slash, or ``ConfigurationError`` naming ``where`` and ``key``."""
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        shown = value if "@" not in value else "(a URL with a user name)"
        raise ConfigurationError(
            f"{where} must be an absolute http(s) URL such as https://example.com, got {shown!r}: set {key}",
            key=key,
        )
    if parts.query or parts.fragment:
        raise ConfigurationError(f"{where} must not have a query string or fragment: set {key}", key=key)
    if parts.scheme == "http" and not is_loopback(parts.hostname):
        raise ConfigurationError(
            f"{where} uses plain http:// for {parts.hostname}, which would send credentials in clear: "
            f"set {key} to an https:// URL (http:// is accepted only for a loopback host such as "
            "127.0.0.1, localhost or [::1], the emulator)",
            key=key,
        )
    return value.rstrip("/")


def url_source(where: str, key: str, *, also: str = "") -> str:
    """Where a URL's host came from, for connection errors: ``where`` (a key or an environment
    variable), and what to set instead (``key``, then ``also``)."""
    fix = f"set {key}" + (f", or {also}" if also else "")
    return f"the host comes from {where}: {fix}"


def _where(where: str) -> str:
    """A value's origin in words: the stack key, or ``the X environment variable``."""
    return where if ":" in where else f"the {where} environment variable"


def _region(src: Source, region_key: str, service_key: str, regions: Mapping[str, str],
            aliases: Mapping[str, str], default_region: str) -> tuple[str, str]:
    """(region, where it came from); a region that is set is checked even when a URL overrides it."""
    raw, where = src.get(region_key)
    region = (raw or default_region).strip().lower()
    region = aliases.get(region, region)
    if region not in regions:
        raise ConfigurationError(
            f"unknown region {raw!r} in {where}: set {src.name(region_key)} to one of "
            f"{', '.join(regions)} (or set {src.name(service_key)} to a base URL)",
            key=src.name(region_key),
        )
    origin = f"{_where(where)} ({region})" if raw is not None else f"the default region ({region})"
    return region, origin


class Base(NamedTuple):
    """A service's base URL as the settings chose it."""

    url: str
    region: str | None
    """None when a URL setting overrides the region's."""
    source: str
    """Where the host comes from, for connection errors."""
    shared: bool
    """Chosen by ``baseUrl`` (the emulator override for both services)."""


def base_url(src: Source, service_key: str, region_key: str, regions: Mapping[str, str],
             aliases: Mapping[str, str], default_region: str) -> Base:
    region, region_origin = _region(src, region_key, service_key, regions, aliases, default_region)
    for key in (service_key, "baseUrl"):
        value, where = src.get(key)
        if value is not None:
            source = url_source(_where(where), src.name(key))
            return Base(checked_url(value, where, src.name(key)), None, source, key == "baseUrl")
    if src.namespace != DEFAULT_NAMESPACE:
        shared = src.from_config("baseUrl", DEFAULT_NAMESPACE) or src.from_env("baseUrl", DEFAULT_NAMESPACE)
        if shared is not None:
            where = f"{DEFAULT_NAMESPACE}:baseUrl"
            return Base(checked_url(shared, where, where), None, url_source(where, where), True)
    also = f"{src.name(service_key)} / {DEFAULT_NAMESPACE}:baseUrl for the emulator"
    return Base(regions[region], region, url_source(region_origin, src.name(region_key), also=also), False)


def token_url(src: Source, base: Base) -> tuple[str, str]:
    """(Sitecore token URL, where its host comes from): ``sitecoreTokenUrl``, else the emulator's
    token endpoint under ``baseUrl`` when that chose the base URL, else Sitecore's auth server."""
    key = src.name("sitecoreTokenUrl")
    raw, where = src.get("sitecoreTokenUrl")
    if raw is not None:
        return checked_url(raw, where, key), url_source(_where(where), key)
    if base.shared:
        return f"{base.url}{TOKEN_PATH}", f"{base.source} (or {key})"
    return DEFAULT_SITECORE_TOKEN_URL, url_source(
        "the default token URL", key, also=f"{DEFAULT_NAMESPACE}:baseUrl for the emulator")
