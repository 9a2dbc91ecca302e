"""Test code: native resources by type token, for the end-to-end tests of the native provider.

Programs in other languages use the SDKs generated from the schema; these tests drive the same
plugin from a Python program with ``pulumi.CustomResource`` and the token, which is all an SDK's
resource class does.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from typing import Any

import pulumi

from pulumi_personalize.native.schema import schema
from tests.e2e.conftest import TOOLS


class Native(pulumi.CustomResource):
    """A resource of the personalize provider: ``Native("personalize:contentstack:Attribute", "plan",
    {"key": "plan", "name": "Plan"})``; every output of the schema is an attribute (``.uid``)."""

    def __init__(self, token: str, name: str, props: Mapping[str, Any],
                 opts: pulumi.ResourceOptions | None = None) -> None:
        outputs = schema()["resources"][token]["properties"]
        super().__init__(token, name, {**{k: None for k in outputs}, **props}, opts)

    def out(self, name: str) -> pulumi.Output[Any]:
        value: pulumi.Output[Any] = getattr(self, name)
        return value


def plugin_env() -> dict[str, str]:
    """PATH for the engine: the repository's tools and the virtualenv holding the plugin's script."""
    path = os.pathsep.join((str(TOOLS / "bin"), os.path.dirname(sys.executable), os.environ.get("PATH", "")))
    return {"PATH": path}
