"""The native provider's Pulumi package schema, generated from the declarations (resources, their
nested shapes, outputs, import ids), the configuration keys and the exposed look-ups.

Property names are camelCase (``Arg.camel_name``); nested values of a declared shape are object
types with camelCase properties; other nested values (rule trees, flow variants, template
elements) are free-form JSON in the model's own names, as the Python face takes them.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable, Mapping
from importlib import metadata
from typing import Any

from pydantic import BaseModel

from ..config import SECRET_SETTINGS, SETTING_KEYS
from ..engine._spec import NATIVE_PACKAGE, Arg, Declaration, Shape, declarations
from ..engine._values import TENANT
from . import _types
from ._types import Spec, camel
from .functions import FUNCTIONS, Function

MODULES = ("pulumi_personalize.contentstack.resources", "pulumi_personalize.sitecore.resources")
"""The declaring modules, one per service."""

_SETTINGS_DOC: Mapping[str, str] = {
    "contentstackRegion": "Contentstack region: na (default), eu, au, azure-na, azure-eu, gcp-na, gcp-eu.",
    "contentstackBaseUrl": "Overrides the Contentstack region's URL.",
    "contentstackProjectUid": "The Contentstack Personalize project uid (sent as x-project-uid).",
    "contentstackAuthtoken": "Contentstack authtoken (or contentstackOauthToken).",
    "contentstackOauthToken": "Contentstack OAuth token (instead of the authtoken).",
    "contentstackRequestsPerSecond": "Client-side rate limit for Contentstack (default 10; 0 or off: none).",
    "contentstackStackApiKey": "The connected stack's API key (VariantGroupContentTypes).",
    "contentstackManagementToken": "A management token of the connected stack (else the authtoken is used).",
    "contentstackCmaBaseUrl": "Overrides the region's Content Management API host.",
    "sitecoreRegion": "Sitecore region: eu (default), us, ap, jp.",
    "sitecoreBaseUrl": "Overrides the Sitecore region's URL.",
    "sitecoreTokenUrl": "The OAuth token endpoint (default https://auth.sitecorecloud.io/oauth/token).",
    "sitecoreClientId": "Sitecore OAuth client id.",
    "sitecoreClientSecret": "Sitecore OAuth client secret.",
    "sitecoreAccessToken": "A static Sitecore bearer token instead of client credentials.",
    "sitecoreRequestsPerSecond": "Client-side rate limit for Sitecore (default none).",
    "baseUrl": "One URL for both services and the Sitecore token endpoint (the emulator); never for a real tenant.",
    "allowTenantChange": "true for one refresh that moves the stack to another tenant on purpose.",
    "maxRequestsPerSecond": "This stack's own cap on each service's request rate, below the shared one (default none).",
}
_TENANT_DOC = ("Where the object lives (host, region, project uid, client id and key: identifiers only). "
               "Read, update and delete refuse a provider configured for another tenant.")


def all_declarations() -> tuple[Declaration, ...]:
    return tuple(d for module in MODULES for d in declarations(module))


def _shape_token(service: str, shape: Shape) -> str:
    return f"{NATIVE_PACKAGE}:{service}:{shape.name.removesuffix('Args')}"


def shape_tokens(declaration: Declaration) -> dict[type[BaseModel], str]:
    """Model -> type token of each nested shape a resource declares."""
    return {s.model: _shape_token(declaration.service, s) for s in declaration.shapes if s.model is not None}


def _property(arg: Arg, annotation: Any, shapes: Mapping[type[BaseModel], str], default: Any = None) -> Spec:
    spec: Spec = {**_types.of_annotation(annotation, shapes), "description": _plain_doc(arg.doc)}
    if arg.secret:
        spec["secret"] = True
    if arg.replaces:
        spec["willReplaceOnChanges"] = True
    if isinstance(default, bool | int | float | str) and "type" in spec:
        spec["default"] = default
    return spec


def _plain_doc(doc: str) -> str:
    """Docs are written for Python readers (``code``): Markdown takes single backticks."""
    return doc.replace("``", "`").replace(":class:", "")


def _engine_inputs(declaration: Declaration) -> dict[str, Spec]:
    """``adoptUid``/``adoptRef`` and ``adoptExisting``; ``config_namespace`` is the Python face's way to
    a second tenant, which the native face gives with an explicit provider instead."""
    found: dict[str, Spec] = {}
    for arg in declaration.engine_args():
        if arg.name == "config_namespace":
            continue
        found[arg.camel_name] = {"type": "boolean" if arg.type == "bool" else "string",
                                 "description": _plain_doc(arg.doc)}
    return found


def resource(declaration: Declaration) -> Spec:
    """One resource's schema: inputs, outputs (inputs, computed, tenant), required, import id."""
    shapes = shape_tokens(declaration)
    fields = declaration.spec.inputs.model_fields
    inputs: dict[str, Spec] = {}
    for arg in declaration.args:
        if arg.program_only:
            continue
        inputs[arg.camel_name] = _property(arg, fields[arg.name].annotation, shapes, declaration.default(arg.name))
    inputs.update(_engine_inputs(declaration))
    required = [a.camel_name for a in declaration.args if a.required and not a.program_only]
    outputs = {k: {n: v for n, v in p.items() if n != "default"} for k, p in inputs.items()}
    for out in declaration.computed:
        outputs[camel(out.name)] = {**_types.of_text(out.type), "description": _plain_doc(out.doc or
                                    f"The {declaration.spec.label}'s {out.name} (the resource's id).")}
    outputs[TENANT] = {"type": "object", "additionalProperties": {"type": "string"}, "description": _TENANT_DOC}
    ids = [camel(o.name) for o in declaration.computed if o.name == declaration.spec.id_name]
    description = (f"{_plain_doc(declaration.doc)}\n\n## Import\n\n```sh\npulumi import {declaration.type_token} "
                   f"<name> <id>\n```\n\nThe id is {_plain_doc(declaration.import_id_doc)}.")
    return {"description": description, "inputProperties": inputs, "requiredInputs": required,
            "properties": outputs, "required": sorted({*required, *ids, TENANT})}


def shape_type(declaration: Declaration, shape: Shape) -> Spec:
    assert shape.model is not None
    shapes = shape_tokens(declaration)
    fields = shape.model.model_fields
    properties = {a.camel_name: _property(a, fields[a.name].annotation, shapes,
                                          _default(fields[a.name]))
                  for a in shape.fields if not a.program_only}
    return {"type": "object", "description": _plain_doc(shape.doc), "properties": properties,
            "required": [a.camel_name for a in shape.fields if a.required and not a.program_only]}


def _default(field: Any) -> Any:
    return None if field.is_required() else field.get_default(call_default_factory=True)


def function_schema(fn: Function) -> Spec:
    inputs = {camel(n): _types.of_annotation(a, {}) for n, a in fn.inputs.items()}
    if fn.result is None:  # plain JSON
        return {"description": _plain_doc(fn.doc) or fn.token,
                "inputs": {"type": "object", "properties": inputs, "required": [camel(n) for n in fn.required]},
                "outputs": {"type": "object", "properties": {"result": dict(_types.ANY)}, "required": ["result"]}}
    fields = fn.result.model_fields
    outputs = {camel(n): _types.of_annotation(f.annotation, {}) for n, f in fields.items()}
    for name in fn.secret_outputs:
        outputs[camel(name)]["secret"] = True
    if fn.many:  # a list of results: its items are a named object type (see ``_result_types``)
        outputs = {"items": {"type": "array", "items": {"$ref": f"#/types/{_result_token(fn)}"}}}
    required = [camel(n) for n, f in fields.items() if f.is_required()] if not fn.many else ["items"]
    return {"description": _plain_doc(fn.doc) or fn.token,
            "inputs": {"type": "object", "properties": inputs, "required": [camel(n) for n in fn.required]},
            "outputs": {"type": "object", "properties": outputs, "required": required}}


def _result_token(fn: Function) -> str:
    assert fn.result is not None
    return f"{fn.token.rsplit(':', 1)[0]}:{fn.result.__name__}"


def _result_types() -> dict[str, Spec]:
    """The item types of the look-ups that answer lists (``GeoLocation``)."""
    return {_result_token(fn): {"type": "object", "properties": {
        camel(n): _types.of_annotation(f.annotation, {}) for n, f in fn.result.model_fields.items()}}
        for fn in FUNCTIONS if fn.many and fn.result is not None}


def _settings() -> dict[str, Spec]:
    variables: dict[str, Spec] = {}
    for key in SETTING_KEYS:
        variables[key] = {"type": "string", "description": _SETTINGS_DOC.get(key, key)}
        if key in SECRET_SETTINGS:
            variables[key]["secret"] = True
    return variables


def version() -> str:
    try:
        return metadata.version("pulumi-personalize")
    except metadata.PackageNotFoundError:  # running from a checkout that is not installed
        return "0.0.0"


def _types_of(items: Iterable[Declaration]) -> dict[str, Spec]:
    found: dict[str, Spec] = {}
    for declaration in items:
        for shape in declaration.shapes:
            if shape.model is not None:
                found[_shape_token(declaration.service, shape)] = shape_type(declaration, shape)
    return found


@functools.lru_cache(maxsize=1)
def schema() -> dict[str, Any]:
    """The whole package schema (a fresh copy each call would cost nothing; callers do not mutate it)."""
    items = all_declarations()
    document: dict[str, Any] = _compact({
        "name": NATIVE_PACKAGE,
        "displayName": "Personalize",
        "version": version(),
        "description": "Sitecore Personalize and Contentstack Personalize, served from the pulumi-personalize "
        "declarations (the native face of the Python package's dynamic resources).",
        "keywords": ["pulumi", "personalize", "sitecore", "contentstack", "category/cloud"],
        "license": "Apache-2.0",
        "config": {"variables": _settings()},
        "provider": {"description": "The personalize provider. Its inputs are the personalize:* stack configuration "
                     "keys: an explicit provider (`new personalize.Provider(\"eu\", {...})`) serves a second tenant.",
                     "inputProperties": _settings()},
        "resources": {d.type_token: resource(d) for d in items},
        "types": {**_types_of(items), **_result_types()},
        "functions": {f.token: function_schema(f) for f in FUNCTIONS},
        # respectSchemaVersion: package.json gets this version, not the generator's literal "${VERSION}",
        # which the SDK would send to the engine as the plugin version it wants.
        "language": {"nodejs": {"packageName": "@pulumi-personalize/personalize", "respectSchemaVersion": True},
                     "python": {"packageName": "pulumi_personalize_native"}},
    })
    return document


def _compact(value: Any) -> Any:
    """Without empty descriptions and required lists, as Pulumi itself writes a schema back."""
    if isinstance(value, dict):
        return {k: _compact(v) for k, v in value.items()
                if not (k in ("description", "required", "requiredInputs") and v in ("", []))}
    return value


def schema_json() -> str:
    return json.dumps(schema(), indent=2, sort_keys=True)
