"""Pulumi's bulk import file for a tenant (``pulumi import -f FILE``), from the same program model
the adopting program is written from: the same objects, skipped for the same reasons.

The file's format is Pulumi's (``pulumi import --help``; ``pkg/importer`` in pulumi/pulumi):
``{"resources": [{"type", "name", "id", ...}]}``. ``type`` is the native provider's type token
(``personalize:contentstack:Attribute``), ``name`` the resource's name (in state, and the variable
the generated code uses), ``id`` what the native provider's import reads. Every resource uses the
stack's default ``personalize`` provider: the importing stack's ``personalize:*`` settings name the
tenant.
"""

from __future__ import annotations

import json
from typing import Any

from .program import Program

__all__ = ["import_file", "render_import_file"]


def import_file(program: Program) -> dict[str, Any]:
    """The import file's document; every resource of the program, in the program's order (a
    resource's references come before it, as ``pulumi import`` generates code in that order)."""
    resources = []
    for resource in program.resources:
        if not resource.type_token or not resource.import_id:
            raise ValueError(f"{resource.cls} {resource.title!r} has no type token or import id")
        resources.append({"type": resource.type_token, "name": resource.var, "id": resource.import_id})
    return {"resources": resources}


def render_import_file(program: Program) -> str:
    return json.dumps(import_file(program), indent=4) + "\n"
