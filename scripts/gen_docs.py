"""Generates the reference pages (docs/reference/) from the resource declarations.

    .venv/bin/python scripts/gen_docs.py           # (re)write docs/reference/
    .venv/bin/python scripts/gen_docs.py --check   # exit 1 when a page is stale, missing or extra

The pages of the builder modules (``contentstack.rules``, ``sitecore.flows``) and of each service's
look-ups (``<service>/lookups.py``: functions and their pydantic results) come from their
docstrings, signatures and attribute docstrings, and, for the rules, from the match conditions and
presets in ``pulumi_personalize/facts/contentstack.py`` and what check accepts.

Everything on a resource's page comes from the resource's declaration (``declare(...)`` in
``pulumi_personalize/<service>/resources.py``, listed by ``engine._spec.declarations``): its
description, arguments (descriptions, secrecy, what replaces), nested ``*Args`` classes, computed
outputs, what destroy does and the adoption example; an argument's type, whether it is required and
its default come from the declaration's input model (what check applies); the Sitecore inputs'
nested objects no ``*Args`` class covers are tabled from those models' fields.
"""

from __future__ import annotations

import argparse
import ast
import dataclasses
import difflib
import importlib
import inspect
import itertools
import re
import sys
import textwrap
import types
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pydantic

if TYPE_CHECKING:
    from pulumi_personalize.engine._spec import Declaration, Shape

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "docs" / "reference"
SERVICES = (
    ("contentstack", "Contentstack Personalize", "cs"),
    ("sitecore", "Sitecore Personalize", "sc"),
)

# --------------------------------------------------------------------------------------------------
# Reading the code
# --------------------------------------------------------------------------------------------------


@dataclass
class Field:
    name: str
    type: str
    doc: str
    required: bool
    default: str | None


def clean_doc(text: str | None) -> str:
    """One paragraph of Markdown from an RST-ish docstring."""
    if not text:
        return ""
    text = " ".join(inspect.cleandoc(text).split())
    text = re.sub(r":(?:class|meth|func|attr):`~?([^`]+)`", r"`\1`", text)
    return text.replace("``", "`")


def cell(text: str) -> str:
    return text.replace("|", "\\|")


def simplify_type(annotation: str) -> str:
    """``pulumi.Input[Sequence[pulumi.Input[str]]] | None`` -> ``Sequence[str]``."""
    text = annotation
    while "pulumi.Input[" in text or "pulumi.Output[" in text:
        for wrapper in ("pulumi.Input[", "pulumi.Output["):
            start = text.find(wrapper)
            if start < 0:
                continue
            depth, i = 0, start + len(wrapper) - 1
            while i < len(text):
                depth += {"[": 1, "]": -1}.get(text[i], 0)
                if depth == 0:
                    break
                i += 1
            text = text[:start] + text[start + len(wrapper):i] + text[i + 1:]
    parts = [p.strip() for p in _split_union(text)]
    return " | ".join(p for p in parts if p != "None") or text


def _split_union(text: str) -> Iterator[str]:
    depth, start = 0, 0
    for i, ch in enumerate(text):
        depth += {"[": 1, "]": -1}.get(ch, 0)
        if ch == "|" and depth == 0:
            yield text[start:i]
            start = i + 1
    yield text[start:]


def _default_text(value: Any) -> str | None:
    if value is None or value is dataclasses.MISSING:
        return None
    if isinstance(value, list | tuple) and not value:
        return "`[]`"
    if isinstance(value, dict) and not value:
        return "`{}`"
    if hasattr(value, "model_dump"):
        return f"`{value.model_dump(mode='json')}`"
    return f"`{value!r}`".replace("'", '"')


def _literal_default(source: str) -> str | None:
    """An ``*Args`` default (Python source) as the page shows it."""
    return _default_text(ast.literal_eval(source))


def args_fields(decl: Declaration) -> list[Field]:
    """The resource's own arguments (required and defaults as check applies them), then the ones
    every resource takes."""
    out = []
    for arg in decl.args:
        if arg.program_only:
            out.append(Field(arg.name, simplify_type(arg.arg_type), clean_doc(arg.doc), False, None))
            continue
        required = decl.required(arg.name)
        default = None if required else _default_text(decl.default(arg.name))
        out.append(Field(arg.name, simplify_type(arg.arg_type), clean_doc(arg.doc), required, default))
    for arg in decl.engine_args():
        out.append(Field(arg.name, simplify_type(arg.arg_type), clean_doc(arg.doc), False, None))
    return out


def shape_fields(shape: Shape) -> list[Field]:
    return [Field(a.name, simplify_type(a.arg_type), clean_doc(a.doc), a.required,
                  None if a.required else _literal_default(a.default)) for a in shape.fields]


def builders(package: str, decl: Declaration) -> list[type]:
    """The builder dataclasses an argument's declared Python type names (``RuleCombination | Rule``),
    and the ones their fields name in turn."""
    namespace = vars(importlib.import_module(f"pulumi_personalize.{package}._generated"))
    shapes = {s.name for s in decl.shapes}
    found: list[type] = []
    pending = [a.arg_type for a in decl.args]
    while pending:
        for name in re.findall(r"\b([A-Z][A-Za-z]*)\b", pending.pop(0)):
            candidate = namespace.get(name)
            if isinstance(candidate, type) and dataclasses.is_dataclass(candidate) and name not in shapes \
                    and not name.endswith("Args") and candidate not in found:
                found.append(candidate)
                pending += [str(f.type) for f in dataclasses.fields(candidate)]
    return found


def builder_fields(builder: type) -> list[Field]:
    out = []
    for f in dataclasses.fields(builder):
        required = f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
        default = _default_text(f.default_factory() if f.default_factory is not dataclasses.MISSING else f.default)
        out.append(Field(f.name, simplify_type(str(f.type)), "", required, None if required else default))
    return out


def _models_in(annotation: Any) -> Iterator[type]:
    from pydantic import BaseModel

    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation
    for arg in getattr(annotation, "__args__", ()) or ():
        yield from _models_in(arg)
    for meta in getattr(annotation, "__metadata__", ()) or ():
        yield from _models_in(meta)


def nested_models(inputs: Any) -> list[tuple[str, type]]:
    """The pydantic models nested in a resource's inputs (their fields are arguments too, in
    snake_case), as (where they appear, model), every one once."""
    found: list[tuple[str, type]] = []
    seen: set[type] = set()
    pending: list[tuple[str, Any]] = [(name, info.annotation) for name, info in inputs.model_fields.items()]
    while pending:
        where, annotation = pending.pop(0)
        for model in _models_in(annotation):
            if model in seen or model is inputs:
                continue
            seen.add(model)
            found.append((f"{where}: {model.__name__}", model))
            pending += [(f"{where}.{name}", info.annotation) for name, info in model.model_fields.items()]
    return found


def field_docs(model: Any) -> dict[str, str]:
    """Each field's description: ``Field(description=...)``, else the string literal under the field
    in its class body (its attribute docstring), nearest class first. The models leave pydantic's
    ``use_attribute_docstrings`` off, which would read and compile their source at every import
    (``sitecore/models/common.py``)."""
    docs: dict[str, str] = {}
    for cls in reversed(model.__mro__):  # the nearest class's docstring wins
        if not (isinstance(cls, type) and issubclass(cls, pydantic.BaseModel)) or cls is pydantic.BaseModel:
            continue
        try:
            body = ast.parse(textwrap.dedent(inspect.getsource(cls))).body[0]
        except (OSError, TypeError, SyntaxError, IndexError):
            continue
        if not isinstance(body, ast.ClassDef):
            continue
        for stmt, following in itertools.pairwise(body.body):
            if (isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name)
                    and isinstance(following, ast.Expr) and isinstance(following.value, ast.Constant)
                    and isinstance(following.value.value, str)):
                docs[stmt.target.id] = inspect.cleandoc(following.value.value)
    for name, info in model.model_fields.items():
        if info.description:
            docs[name] = info.description
    return {name: doc for name, doc in docs.items() if name in model.model_fields}


def model_table(model: Any) -> list[str]:
    lines = ["| field | type | required / default | description |", "| --- | --- | --- | --- |"]
    described = field_docs(model)
    for name, info in model.model_fields.items():
        kind = simplify_type(re.sub(r"pulumi_personalize\.[a-z_.]+\.", "", str(info.annotation))
                             .replace("typing.", "").replace("<class '", "").replace("'>", ""))
        need = "required" if info.is_required() else (
            f"default {_default_text(info.get_default(call_default_factory=True))}"
            if info.get_default(call_default_factory=True) not in (None, [], {}) else "optional")
        lines.append(f"| `{name}` | `{cell(kind)}` | {need} | {cell(clean_doc(described.get(name)))} |")
    return lines


# --------------------------------------------------------------------------------------------------
# The builder modules' pages (cs.rules, sc.flows): from the modules' docstrings, signatures and
# attribute docstrings, and the facts the rules are checked against
# --------------------------------------------------------------------------------------------------

BUILDER_MODULES = (
    ("contentstack", "rules", "Contentstack Personalize", "cs"),
    ("sitecore", "flows", "Sitecore Personalize", "sc"),
)


def doc_markdown(text: str | None) -> list[str]:
    """Markdown paragraphs from a docstring, keeping its indented (``::``) blocks as Python code."""
    if not text:
        return []
    out: list[str] = []
    code: list[str] = []
    for para in re.split(r"\n\s*\n", inspect.cleandoc(text)):
        lines = para.splitlines()
        if all(line.startswith(" ") for line in lines):
            code += [*([""] if code else []), *(line[4:] if line.startswith("    ") else line.strip()
                                                  for line in lines)]
            continue
        if code:
            out += ["```python", *code, "```", ""]
            code = []
        out += [clean_doc(para).replace("::", ":"), ""]
    if code:
        out += ["```python", *code, "```", ""]
    return out


def attribute_docs(source: str, class_name: str | None = None) -> dict[str, str]:
    """The string literal after each annotated (or assigned) name, in a class or at module level."""
    body = ast.parse(source).body
    if class_name is not None:
        body = next(n.body for n in body if isinstance(n, ast.ClassDef) and n.name == class_name)
    docs: dict[str, str] = {}
    for node, after in itertools.pairwise(body):
        target = node.target if isinstance(node, ast.AnnAssign) else (
            node.targets[0] if isinstance(node, ast.Assign) and len(node.targets) == 1 else None)
        if isinstance(target, ast.Name) and isinstance(after, ast.Expr) \
                and isinstance(after.value, ast.Constant) and isinstance(after.value.value, str):
            docs[target.id] = clean_doc(after.value.value)
    return docs


def _type_vars(cls: type) -> dict[str, str]:
    """TypeVar name -> the type a generic base is given (``StringMatch(_ValueMatch[str])``: ValueT -> str)."""
    found: dict[str, str] = {}
    for klass in cls.__mro__:
        for base in getattr(klass, "__orig_bases__", ()):
            origin = getattr(base, "__origin__", None)
            for var, arg in zip(getattr(origin, "__parameters__", ()), getattr(base, "__args__", ()), strict=False):
                found.setdefault(var.__name__, getattr(arg, "__name__", str(arg)))
    return found


def _aliases(module: Any) -> dict[str, str]:
    """The module's union aliases spelt out (``MatchOptions`` -> ``StringMatch | NumberMatch | ...``)."""
    return {name: " | ".join(a.__name__ for a in value.__args__) for name, value in vars(module).items()
            if isinstance(value, types.UnionType) and not name.startswith("_")}


def dataclass_rows(cls: type) -> list[str]:
    docs: dict[str, str] = {}
    for klass in reversed(cls.__mro__):
        if klass.__module__ == cls.__module__:
            docs.update(attribute_docs(inspect.getsource(klass), klass.__name__))
    subst = _type_vars(cls) | _aliases(importlib.import_module(cls.__module__))
    lines = ["| field | type | required / default | description |", "| --- | --- | --- | --- |"]
    for fld in builder_fields(cls):
        kind = re.sub(r"\b[A-Z][A-Za-z]*\b", lambda m: subst.get(m.group(0), m.group(0)), fld.type)
        need = "required" if fld.required else (f"default {fld.default}" if fld.default else "optional")
        lines.append(f"| `{fld.name}` | `{cell(kind)}` | {need} | {cell(docs.get(fld.name, ''))} |")
    return lines


# Parameters that mean the same on every look-up and builder that takes them.
COMMON_PARAMS = {
    "config_namespace": "The stack configuration namespace holding the service's settings (default `personalize`; "
                        "another one for a second tenant).",
    "config": "Settings to use instead of the program's stack configuration, flat (`{\"personalize:<key>\": "
              "value}`); the environment variables stay the fallback.",
}

_PARAM = re.compile(r"^:param (\w+): (.*(?:\n[ \t]+\S.*)*)\n?", re.MULTILINE)


def _split_params(doc: str | None) -> tuple[str, dict[str, str]]:
    """A function's docstring without its ``:param name: text`` lines, and those texts by name."""
    text = inspect.cleandoc(doc or "")
    params = {name: clean_doc(body) for name, body in _PARAM.findall(text)}
    return _PARAM.sub("", text).strip(), params


def _resource_param_docs(fn: Any) -> dict[str, str]:
    """What a builder returning a resource passes on: the resource's arguments (and their nested
    fields) describe the builder's parameters of the same name."""
    from pulumi_personalize.engine._spec import declarations

    module = importlib.import_module(fn.__module__)
    returned = str(inspect.signature(fn).return_annotation)
    decl = next((d for d in declarations(f"{module.__package__}.resources") if d.cls == returned), None)
    if decl is None:
        return {}
    docs = {"resource_name": "The Pulumi resource's name (unique in the stack).",
            "opts": "Resource options, as for any resource.",
            "kwargs": f"Any other argument of `{decl.cls}` ([its page]({page_name(module.__package__.split('.')[-1], decl)}))."}
    for _, model in reversed(nested_models(decl.spec.inputs)):
        docs |= {name: clean_doc(doc) for name, doc in field_docs(model).items() if doc}
    return docs | {fld.name: fld.doc for fld in args_fields(decl) if fld.doc}


def _signature(fn: Any) -> tuple[str, list[str]]:
    """The call as a program writes it, and a table of its parameters (described by ``:param``, else
    by the argument of the same name of the resource it returns)."""
    docs = COMMON_PARAMS | _resource_param_docs(fn) | _split_params(fn.__doc__)[1]
    params, star = [], False
    rows = ["| argument | type | default | description |", "| --- | --- | --- | --- |"]
    for param in inspect.signature(fn).parameters.values():
        if param.kind is param.KEYWORD_ONLY and not star:
            params.append("*")
            star = True
        prefix = {"VAR_POSITIONAL": "*", "VAR_KEYWORD": "**"}.get(param.kind.name, "")
        default = "" if param.default is param.empty else f"={param.default!r}"
        kind = simplify_type(str(param.annotation)) if param.annotation is not param.empty else ""
        params.append(f"{prefix}{param.name}{default}")
        shown = "required" if param.default is param.empty and not prefix else (
            _default_text(param.default) or "`None`" if default else "")
        rows.append(f"| `{prefix}{param.name}` | `{cell(kind)}` | {shown} | {cell(docs.get(param.name, ''))} |")
    returns = inspect.signature(fn).return_annotation
    return f"{fn.__name__}({', '.join(params)}) -> {returns}", rows


def _module_entries(module: Any, alias: str, short: str | None) -> list[str]:
    """``short=None``: the names are re-exported by the service's package (``sc.get_template``)."""
    from pydantic import BaseModel

    lines: list[str] = []
    for name in sorted(module.__all__, key=lambda n: (not inspect.isfunction(getattr(module, n)), n)):
        obj = getattr(module, name)
        lines += [f"### `{alias}.{f'{short}.' if short else ''}{name}`", ""]
        if inspect.isfunction(obj):
            call, rows = _signature(obj)
            lines += ["```python", call, "```", "", *doc_markdown(_split_params(obj.__doc__)[0])]
            returned = getattr(module, str(inspect.signature(obj).return_annotation), None)
            if not obj.__doc__ and isinstance(returned, type):
                lines += [f"Returns a `{returned.__name__}`: {clean_doc(returned.__doc__)}", ""]
            lines += [*rows, ""] if len(rows) > 2 else []
        else:
            lines += doc_markdown(obj.__doc__)
            if isinstance(obj, type) and dataclasses.is_dataclass(obj):
                wire = getattr(obj, "TYPE", None)
                lines += [*([f"On the wire: `__type: {wire}`.", ""] if wire else []), *dataclass_rows(obj), ""]
            elif isinstance(obj, type) and issubclass(obj, BaseModel):
                lines += [*model_table(obj), ""]
    return lines


def _match_conditions(module: Any) -> list[str]:
    """Each known match condition and the options check accepts with it (``condition_error``)."""
    from pulumi_personalize.facts.contentstack import MATCH_CONDITIONS

    options = [cls for cls in (getattr(module, n) for n in module.__all__) if hasattr(cls, "TYPE")
               and cls.TYPE.endswith("MatchOptions")]
    lines = ["## Match conditions", "",
             "`attribute_match_condition` is the service's condition name; the options must fit it, or "
             "`pulumi preview` fails (the provider's check). The names below are the ones known "
             "(`MATCH_CONDITIONS` in `pulumi_personalize/facts/contentstack.py`, sources in "
             "`docs/facts/contentstack.md#audiences`); others pass check only without options or with "
             "options they fit. A rule may leave out its options: check accepts that with any condition.", "",
             "| condition | known from | options check accepts |", "| --- | --- | --- |"]
    for condition, source in MATCH_CONDITIONS:
        fits = [f"`{cls.__name__}`" for cls in options if module.condition_error(condition, cls.TYPE) is None]
        lines.append(f"| `{condition}` | {source} | {', '.join(fits) or 'none (leave the options out)'} |")
    return [*lines, ""]


def _presets(module: Any) -> list[str]:
    from pulumi_personalize.facts.contentstack import PRESET_ATTRIBUTES

    note = attribute_docs(inspect.getsource(module)).get("PRESET_ATTRIBUTES", "")
    lines = ["## Preset attributes", "", "`rules.preset(key)` names one of these by its key. " + note, "",
             "| key | name | description |", "| --- | --- | --- |"]
    lines += [f"| `{key}` | {cell(name)} | {cell(doc)} |" for key, name, doc in PRESET_ATTRIBUTES]
    return [*lines, ""]


def render_module_page(package: str, short: str, service: str, alias: str) -> str:
    module = importlib.import_module(f"pulumi_personalize.{package}.{short}")
    lines = [GENERATED, "", f"# {alias}.{short}", "", f"{service}: `pulumi_personalize.{package}.{short}`.", "",
             *doc_markdown(module.__doc__), "## Builders", "", *_module_entries(module, alias, short)]
    if short == "rules":
        lines += [*_match_conditions(module), *_presets(module)]
    return "\n".join(lines).rstrip() + "\n"


def module_page_name(package: str, short: str) -> str:
    return f"{package}-{short}.md"


# Each service's look-ups (``<service>/lookups.py``, re-exported by the service's package): functions
# a program calls, with their typed results.
LOOKUPS = "lookups"


def render_lookups_page(package: str, service: str, alias: str) -> str:
    module = importlib.import_module(f"pulumi_personalize.{package}.{LOOKUPS}")
    lines = [GENERATED, "", f"# {service} look-ups", "",
             f"`from pulumi_personalize import {package} as {alias}`; defined in `pulumi_personalize.{package}."
             f"{LOOKUPS}`.", "", *doc_markdown(module.__doc__), "## Look-ups and their results", "",
             *_module_entries(module, alias, None)]
    return "\n".join(lines).rstrip() + "\n"


# --------------------------------------------------------------------------------------------------
# Writing the pages
# --------------------------------------------------------------------------------------------------

GENERATED = "<!-- Generated by scripts/gen_docs.py from the resource declarations: do not edit by hand. -->"


def page_name(package: str, decl: Declaration) -> str:
    return f"{package}-{re.sub(r'(?<!^)(?=[A-Z])', '-', decl.cls).lower()}.md"


def field_table(fields: list[Field], spec: Any | None) -> list[str]:
    lines = ["| argument | type | required / default | description |", "| --- | --- | --- | --- |"]
    for fld in fields:
        notes = []  # (note, words that say the same when the description has them already)
        if spec is not None:
            if fld.name in spec.secrets:
                notes.append(("**Secret** in state and outputs.", "secret in state"))
            if fld.name in spec.replace_on or fld.name == "config_namespace":
                notes.append(("**Changing it replaces** the resource.", "replaces"))
            if fld.name in (spec.adopt_input, "adopt_existing"):
                notes.append(("Used at create only.", "at create"))
        need = "required" if fld.required else (f"default {fld.default}" if fld.default else "optional")
        doc = " ".join([fld.doc, *[n for n, said in notes if said not in fld.doc.lower()]]).strip()
        lines.append(f"| `{fld.name}` | `{cell(fld.type)}` | {need} | {cell(doc)} |")
    return lines


def _head(package: str, service: str, alias: str, decl: Declaration) -> list[str]:
    args_cls = f"{decl.cls}Args"
    doc = clean_doc(decl.doc)
    return [
        GENERATED, "",
        f"# {alias}.{decl.cls}",
        "",
        doc if service in doc else f"{service}. {doc}",
        "",
        "```python",
        f"from pulumi_personalize import {package} as {alias}",
        "",
        f"{alias}.{decl.cls}(resource_name, args: {args_cls} | None = None, "
        "opts: pulumi.ResourceOptions | None = None, **kwargs)",
        "```",
        "",
        *([clean_doc(decl.init_doc), ""] if decl.init_doc else []),
        f"The fields of `{args_cls}` are keyword arguments too; they win over `args`. "
        f"Class: `pulumi_personalize.{package}.{decl.cls}`; the state refers to it as `{decl.name}` (never renamed). "
        f"The resource's id is the service's `{decl.spec.id_name}`.",
        "",
    ]


def _arguments(package: str, decl: Declaration) -> list[str]:
    lines = ["## Arguments", "", *field_table(args_fields(decl), decl.spec), ""]
    # Sitecore's inputs nest the service's objects as models: each one's fields, as arguments,
    # unless a nested *Args class is that model's (its table below says the same, from it)
    shaped = {s.model for s in decl.shapes}
    for title, model in (nested_models(decl.spec.inputs) if package == "sitecore" else []):
        if model not in shaped:
            lines += [f"### `{title}`", "", *model_table(model), ""]
    for builder in builders(package, decl):
        lines += [f"### `{builder.__name__}`", ""]
        if clean_doc(builder.__doc__) and not str(builder.__doc__).startswith(f"{builder.__name__}("):
            lines += [clean_doc(builder.__doc__), ""]
        lines += [*field_table(builder_fields(builder), None), ""]
    for shape in decl.shapes:
        lines += [f"### `{shape.name}`", ""]
        if shape.doc:
            lines += [clean_doc(shape.doc), ""]
        lines += [*field_table(shape_fields(shape), None), ""]
    return lines


def _outputs(decl: Declaration) -> list[str]:
    lines = ["## Outputs", "",
             "Every argument is also an output of the same name, holding the value the service has "
             "(secret arguments stay secret). Computed by the service:", "",
             "| output | type | description |", "| --- | --- | --- |"]
    for out in decl.computed:
        doc = clean_doc(out.doc)
        if not doc and out.name == decl.spec.id_name:
            doc = f"The {decl.spec.label}'s {out.name} (also the resource's id)."
        lines.append(f"| `{out.name}` | `{cell(simplify_type(out.type))}` | {cell(doc)} |")
    return [*lines, ""]


def _rules(decl: Declaration) -> list[str]:
    spec = decl.spec
    secret_list = ", ".join(f"`{s}`" for s in spec.secrets)
    lines = ["## Secrets", "",
             (f"{secret_list}: marked secret when given, and secret as outputs too "
              "(`additional_secret_outputs`), so they are encrypted in the state and shown as `[secret]`."
              if spec.secrets else "No argument or output is secret.") + " Credentials of the service itself never "
             "reach the state: they are stack configuration, read when the provider starts.", ""]
    replace = ", ".join(f"`{r}`" for r in spec.replace_on)
    lines += ["## Changes that replace", "",
              (f"{replace} cannot change in place: `pulumi preview` shows `+-` (replace), and the update creates "
               "a new object before the old one goes (see Destroy). " if spec.replace_on else "")
              + "`config_namespace` (another tenant) also replaces. Everything else is updated in place with "
              "one full PUT of the object; fields the program does not manage are kept.", ""]
    lines += ["## Destroy", "", decl.destroy, "", "## Adopting an existing object", ""]
    if not spec.adoptable:
        return [*lines, decl.adoption or "Not adoptable: there is a single priority order per project, and this "
                "resource takes it over on create (the experiences it names go first; the others keep their order "
                "after them).", ""]
    ast.parse(decl.adoption)  # the example must at least be Python
    by_key = (f" `adopt_existing=True` takes over the {decl.spec.label} whose `{spec.natural_key}` is the "
              f"program's, if there is one, and creates it otherwise." if spec.natural_key else "")
    return [
        *lines,
        f"`pulumi import` and `ResourceOptions(import_=...)` do not work for dynamic resources "
        f"(pulumi/pulumi#16175). Instead, `{spec.adopt_input}=` takes over the existing object at create: "
        f"the program's values are written to it, and from then on it is managed like one Pulumi created."
        f"{by_key} Both are ignored after creation. Fields that cannot change in place "
        f"({replace or 'none here'}) must match the existing object, or the create fails and says which.",
        "",
        "```python",
        decl.adoption,
        "```",
        "",
    ]


def _native(decl: Declaration) -> list[str]:
    """The same resource on the native provider (``pulumi_personalize/native``): token and import id."""
    sample = next((a.camel_name for a in decl.args if "_" in a.name and not a.program_only), None)
    spelled = f" (`{sample}`)" if sample else ""
    return ["## Native provider (TypeScript, YAML, import)", "",
            f"Type token `{decl.type_token}`; arguments and outputs are spelled in camelCase{spelled}. An existing "
            f"object is imported with `pulumi import {decl.type_token} <name> <id>` (or `import_=`), where the id "
            f"is {decl.import_id_doc}. See [the native provider](../native-provider.md).", ""]


def render_page(package: str, service: str, alias: str, decl: Declaration) -> str:
    lines = [*_head(package, service, alias, decl), *_arguments(package, decl), *_outputs(decl), *_rules(decl),
             *_native(decl)]
    return "\n".join(lines).rstrip() + "\n"


def render_index(pages: list[tuple[str, str, str, Declaration]]) -> str:
    lines = [
        GENERATED, "",
        "# Reference", "",
        "One page per resource: its arguments (with their descriptions), outputs, which values are secret, "
        "what replaces it, what destroy does, and how to adopt an existing object.", "",
        "| service | resource | page | summary |", "| --- | --- | --- | --- |",
    ]
    for package, service, alias, decl in pages:
        summary = clean_doc(decl.doc).split(". ")[0].rstrip(".")
        lines.append(f"| {service} | `{alias}.{decl.cls}` | [{page_name(package, decl)}]"
                     f"({page_name(package, decl)}) | {cell(summary)} |")
    lines += ["", "Typed builders of the values some arguments take:", "",
              "| service | module | page | summary |", "| --- | --- | --- | --- |"]
    for package, short, service, alias in BUILDER_MODULES:
        module = importlib.import_module(f"pulumi_personalize.{package}.{short}")
        summary = clean_doc(module.__doc__).split(". ")[0].split(": ")[0].rstrip(".")
        name = module_page_name(package, short)
        lines.append(f"| {service} | `{alias}.{short}` | [{name}]({name}) | {cell(summary)} |")
    lines += ["", "Look-ups a program calls (read-only; they run at preview too):", "",
              "| service | page | summary |", "| --- | --- | --- |"]
    for package, service, _alias in SERVICES:
        module = importlib.import_module(f"pulumi_personalize.{package}.{LOOKUPS}")
        summary = clean_doc(module.__doc__).split(". ")[0].split(": ")[0].rstrip(".")
        name = module_page_name(package, LOOKUPS)
        lines.append(f"| {service} | [{name}]({name}) | {cell(summary)} |")
    lines += [
        "",
        "Every resource also takes `config_namespace` (the stack configuration namespace that holds the "
        "service's credentials, `personalize` by default; name another one for a second tenant) and, "
        "except the experience priority, `adopt_uid` (Contentstack) or `adopt_ref` (Sitecore) and "
        "`adopt_existing`. The configuration keys are listed in `docs/internals.md`.",
        "",
        "Regenerate after changing a resource: `.venv/bin/python scripts/gen_docs.py` "
        "(`tests/unit/test_docs_fresh.py` fails while these pages are stale).",
    ]
    return "\n".join(lines) + "\n"


def render_all() -> dict[str, str]:
    """File name (relative to docs/reference) -> content."""
    from pulumi_personalize.engine._spec import declarations

    pages = [(package, service, alias, decl) for package, service, alias in SERVICES
             for decl in declarations(f"pulumi_personalize.{package}.resources")]
    out = {page_name(p, d): render_page(p, s, a, d) for p, s, a, d in pages}
    out |= {module_page_name(p, m): render_module_page(p, m, s, a) for p, m, s, a in BUILDER_MODULES}
    out |= {module_page_name(p, LOOKUPS): render_lookups_page(p, s, a) for p, s, a in SERVICES}
    out["README.md"] = render_index(pages)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Generate docs/reference/ from the resource classes.")
    parser.add_argument("--check", action="store_true", help="exit 1 if the committed pages are stale")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(REPO))
    wanted = render_all()
    existing = {p.name: p.read_text() for p in OUT.glob("*.md")} if OUT.exists() else {}
    stale = sorted(n for n in wanted if existing.get(n) != wanted[n])
    extra = sorted(set(existing) - set(wanted))
    if args.check:
        for name in stale:
            diff = difflib.unified_diff(existing.get(name, "").splitlines(), wanted[name].splitlines(),
                                        f"docs/reference/{name} (committed)", "(generated)", lineterm="")
            print("\n".join(list(diff)[:40]))
        for name in extra:
            print(f"docs/reference/{name}: not generated by scripts/gen_docs.py (remove it)")
        if stale or extra:
            print("docs/reference is stale: run `.venv/bin/python scripts/gen_docs.py`", file=sys.stderr)
            return 1
        return 0
    OUT.mkdir(parents=True, exist_ok=True)
    for name in stale:
        (OUT / name).write_text(wanted[name])
        print(f"wrote docs/reference/{name}")
    for name in extra:
        (OUT / name).unlink()
        print(f"removed docs/reference/{name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
