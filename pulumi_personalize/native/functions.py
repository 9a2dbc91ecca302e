"""The look-ups the native provider serves as functions (``personalize:contentstack:getProject``):
the plain functions of ``<service>/lookups.py``, each exposed by one ``expose(...)`` line below.

A look-up's arguments are its keyword parameters (minus ``config`` and ``config_namespace``, which
the provider fills from its own configuration); its result is a pydantic model (the function's
outputs, camelCase), a list of them (one output, ``items``), or any other JSON value (one output,
``result``). A look-up declared with ``**kwargs`` names its arguments with ``inputs=``.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, get_args, get_origin, get_type_hints

from pydantic import BaseModel

from ..contentstack import lookups as cs
from ..sitecore import lookups as sc
from ._types import camel

_PROVIDED = ("config", "config_namespace")


@dataclass(frozen=True)
class Function:
    """One look-up as a schema function."""

    token: str
    call: Callable[..., Any]
    doc: str
    inputs: Mapping[str, Any]
    """Argument name -> annotation (keyword arguments of ``call``)."""
    required: tuple[str, ...]
    result: type[BaseModel] | None
    """The model of the answer (or of its items); ``None``: plain JSON, the one output ``result``."""
    many: bool
    """The look-up answers a list of models: the function's one output is ``items``."""
    secret_outputs: tuple[str, ...] = field(default=())

    def invoke(self, args: Mapping[str, Any], config: Mapping[str, object]) -> dict[str, Any]:
        """Calls the look-up with the provider's configuration; the answer in the models' field names."""
        answer = self.call(**args, config=config)
        if self.result is None:
            return {"result": answer}
        if self.many:
            return {"items": [item.model_dump(mode="json") for item in answer]}
        dumped: dict[str, Any] = answer.model_dump(mode="json")
        return dumped


def expose(service: str, fn: Callable[..., Any], *, inputs: Mapping[str, Any] | None = None,
           secret_outputs: tuple[str, ...] = ()) -> Function:
    """``get_project`` of ``contentstack`` -> ``personalize:contentstack:getProject``."""
    hints = get_type_hints(fn)
    parameters = inspect.signature(fn).parameters
    if inputs is None:
        inputs = {n: hints[n] for n, p in parameters.items()
                  if n not in _PROVIDED and p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)}
    required = tuple(n for n in inputs if n in parameters and parameters[n].default is inspect.Parameter.empty)
    result, many = hints["return"], False
    if get_origin(result) is list:
        result, many = get_args(result)[0], True
    if not (isinstance(result, type) and issubclass(result, BaseModel)):
        result, many = None, False
    return Function(f"personalize:{service}:{camel(fn.__name__)}", fn, inspect.getdoc(fn) or "", inputs,
                    required, result, many, secret_outputs)


_BY_NAME = {"name": str, "include_archived": bool}

FUNCTIONS: tuple[Function, ...] = (
    expose("contentstack", cs.get_project),
    expose("contentstack", cs.get_attribute),
    expose("contentstack", cs.get_event),
    expose("contentstack", cs.get_audience),
    expose("contentstack", cs.get_experience),
    expose("contentstack", cs.get_countries),
    expose("contentstack", cs.get_regions),
    expose("contentstack", cs.get_cities),
    expose("contentstack", cs.get_analytics_summary),
    # the whole object as the service answers it: a connection's holds its credentials
    expose("sitecore", sc.get_connection, inputs=_BY_NAME, secret_outputs=("raw",)),
    expose("sitecore", sc.get_decision_model, inputs=_BY_NAME),
    expose("sitecore", sc.get_flow_definition, inputs=_BY_NAME),
    expose("sitecore", sc.get_template, inputs=_BY_NAME),
    expose("sitecore", sc.get_template_revisions),
    expose("sitecore", sc.get_template_revision),
    expose("sitecore", sc.get_decision_model_revisions),
    expose("sitecore", sc.get_decision_model_revision),
    expose("sitecore", sc.get_decision_model_variant_revisions),
    expose("sitecore", sc.get_decision_model_variant_revision),
    expose("sitecore", sc.render_templates),
    expose("sitecore", sc.process_templates),
)


def function(token: str) -> Function:
    found = next((f for f in FUNCTIONS if f.token == token), None)
    if found is None:
        raise KeyError(f"no function {token!r}; this provider serves {', '.join(f.token for f in FUNCTIONS)}")
    return found
