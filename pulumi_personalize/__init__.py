"""Pulumi dynamic providers for Sitecore Personalize and Contentstack Personalize."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._version import __version__

if TYPE_CHECKING:
    from .engine import EngineProvider

__all__ = ["__version__", "provider"]


def provider(spec_name: str, spec_module: str | None = None) -> EngineProvider:
    """The dynamic provider of one kind of resource, by its spec's name (``sitecore.Template``).

    Every resource's ``__provider`` is a call of this function, which the dynamic provider host
    unpickles: state names it ``pulumi_personalize.provider``, so it stays here under that name
    (the shortest path to it: the pickle is in the state twice per resource,
    ``docs/facts/pulumi.md#pickling``). The engine is imported when it is called.
    """
    from .engine import engine_provider

    return engine_provider(spec_name, spec_module)
