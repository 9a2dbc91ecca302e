"""Generates each service's typed ``*Args`` classes and resource classes from its declarations.

    .venv/bin/python scripts/gen_resources.py           # (re)write pulumi_personalize/<service>/_generated.py
    .venv/bin/python scripts/gen_resources.py --check   # exit 1 when a generated module is stale

The declarations (``declare(...)`` in ``pulumi_personalize/<service>/resources.py``) are the only
place a resource's fields are written; this writes them out as real code so that editors and mypy
see real signatures: a dataclass per ``*Args`` (nested ones too), and a resource class whose
keyword arguments and ``pulumi.Output`` attributes are typed. ``typing.dataclass_transform`` cannot
say this: a resource's constructor takes ``resource_name``, ``args`` and ``opts`` before its fields,
every field stays optional there (``args`` may carry it), and its attributes are ``pulumi.Output``
of a type that differs from the argument's (``Sequence[ExperienceVariantArgs]`` in, a list of dicts
out).
"""

from __future__ import annotations

import argparse
import importlib
import sys
import types
from pathlib import Path
from types import ModuleType
from typing import Any

REPO = Path(__file__).resolve().parents[1]
SERVICES = ("contentstack", "sitecore")
INDENT = "    "


def _doc(text: str, indent: str = INDENT) -> list[str]:
    """A docstring as lines (wrapped at 110 columns)."""
    import textwrap

    if not text:
        return []
    body = text.replace('"""', '\\"\\"\\"')
    lines = textwrap.wrap(f'"""{body}"""', 110 - len(indent), break_long_words=False, break_on_hyphens=False)
    return [f"{indent}{line}" for line in lines]


def _field(arg: Any) -> list[str]:
    if arg.kw_only:
        default = "field(kw_only=True)" if arg.required else f"field(default={arg.default}, kw_only=True)"
    else:
        default = "" if arg.required else arg.default
    annotation = f"{arg.arg_type} | None" if arg.default == "None" and not arg.required else arg.arg_type
    line = f"{INDENT}{arg.name}: {annotation}" + (f" = {default}" if default else "")
    return [line, *_doc(arg.doc)]


def _dataclass(name: str, doc: str, fields: list[Any], base: str | None, post_init: str | None) -> list[str]:
    head = f"class {name}({base}):" if base else f"class {name}:"
    lines = ["", "", "@dataclass", head, *(_doc(doc) or [])]
    if doc:
        lines.append("")
    for arg in fields:
        lines += _field(arg)
    if post_init:
        lines += ["", f"{INDENT}def __post_init__(self) -> None:", f"{INDENT * 2}_declared.{post_init}(self)"]
    return lines


def _output_type(decl: Any, arg: Any) -> str:
    if arg.program_only:
        return ""
    known = arg.required or decl.required(arg.name) or decl.default(arg.name) is not None
    return arg.type if known or arg.type.endswith("| None") else f"{arg.type} | None"


def _resource(decl: Any, const: str) -> list[str]:
    spec = decl.spec
    args_cls = f"{decl.cls}Args"
    module = spec.name.split(".")[0]
    bases = f"_declared.{decl.methods}, EngineResource" if decl.methods else "EngineResource"
    lines = ["", "", f'class {decl.cls}({bases}, module="{module}", name="{decl.cls}"):', *_doc(decl.doc), "",
             f"{INDENT}_spec = _declared.{const}"]
    for out in decl.computed:
        lines += [f"{INDENT}{out.name}: pulumi.Output[{out.type}]", *_doc(out.doc)]
    for arg in decl.args:
        if not arg.program_only:
            lines += [f"{INDENT}{arg.name}: pulumi.Output[{_output_type(decl, arg)}]", *_doc(arg.doc)]
    lines.append(f"{INDENT}config_namespace: pulumi.Output[str | None]")
    keywords = [*decl.args, *decl.engine_args()]
    params = [f"{INDENT * 2}{a.name}: {a.arg_type} | None = None," for a in keywords]
    if decl.prepare:
        params.append(f"{INDENT * 2}base_dir: str | os.PathLike[str] | None = None,")
    lines += [
        "",
        f"{INDENT}def __init__(",
        f"{INDENT * 2}self,",
        f"{INDENT * 2}resource_name: str,",
        f"{INDENT * 2}args: {args_cls} | None = None,",
        f"{INDENT * 2}opts: pulumi.ResourceOptions | None = None,",
        f"{INDENT * 2}*,",
        *params,
        f"{INDENT}) -> None:",
        *_doc(decl.init_doc, INDENT * 2),
        f"{INDENT * 2}values: dict[str, Any] = {{",
        *[f'{INDENT * 3}"{a.name}": {a.name},' for a in keywords],
        f"{INDENT * 2}}}",
    ]
    if decl.prepare:
        lines.append(f"{INDENT * 2}values = _declared.{decl.prepare}(values, base_dir, resource_name)")
    lines.append(f"{INDENT * 2}self._declare(resource_name, merge_args({args_cls}, args, values), opts)")
    return lines


def _import_declarations(service: str) -> ModuleType:
    """The service's declaring module. Its package's ``__init__`` imports the generated module: when
    that is stale or missing, the package is stood in for without its ``__init__`` (for this import
    only), so that regeneration never depends on what it regenerates."""
    package = f"pulumi_personalize.{service}"
    try:
        importlib.import_module(package)
    except ImportError:
        stub = types.ModuleType(package)
        stub.__path__ = [str(REPO / "pulumi_personalize" / service)]
        sys.modules[package] = stub
        try:
            return importlib.import_module(f"{package}.resources")
        finally:
            del sys.modules[package]
    return importlib.import_module(f"{package}.resources")


def render(service: str) -> str:
    """The generated module of one service."""
    from pulumi_personalize.engine import ResourceSpec
    from pulumi_personalize.engine._spec import declarations

    module = _import_declarations(service)
    module_name = module.__name__
    consts = {v.name: k for k, v in vars(module).items() if isinstance(v, ResourceSpec)}
    decls = declarations(module_name)
    if not decls:
        return ""
    names: list[str] = []
    body: list[str] = []
    shapes_done: set[str] = set()
    for decl in decls:
        for shape in decl.shapes:
            if shape.name not in shapes_done:
                shapes_done.add(shape.name)
                names.append(shape.name)
                body += _dataclass(shape.name, shape.doc, list(shape.fields), None, shape.post_init)
        inputs = [a for a in decl.args if not a.program_only]
        engine = [a for a in decl.engine_args() if a.name != "config_namespace"]
        body += _dataclass(f"{decl.cls}Args", f"Arguments of :class:`{decl.cls}`.", [*inputs, *engine], "EngineArgs", None)
        body += _resource(decl, consts[decl.name])
        names += [decl.cls, f"{decl.cls}Args"]
    text = "\n".join(body)
    typing_names = [n for n in ("Mapping", "Sequence") if f"{n}[" in text]
    head = [
        f"# Generated by scripts/gen_resources.py from pulumi_personalize/{service}/resources.py: do not edit by hand.",
        f'"""The typed ``*Args`` and resource classes of {service}, from its declarations (``resources.py``)."""',
        "",
        "from __future__ import annotations",
        "",
        *(["import os"] if "os.PathLike" in text else []),
        *([f"from collections.abc import {', '.join(typing_names)}"] if typing_names else []),
        "from dataclasses import dataclass, field",
        "from typing import Any",
        "",
        "import pulumi",
        "",
        "from ..engine import EngineArgs, EngineResource, merge_args",
        "from . import resources as _declared",
        *vars(module).get("GENERATED_IMPORTS", ()),
        "",
        "__all__ = [",
        *[f'{INDENT}"{n}",' for n in sorted(names)],
        "]",
    ]
    return "\n".join([*head, *body]) + "\n"


def target(service: str) -> Path:
    return REPO / "pulumi_personalize" / service / "_generated.py"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Generate pulumi_personalize/<service>/_generated.py.")
    parser.add_argument("--check", action="store_true", help="exit 1 if a generated module is stale")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(REPO))
    stale = []
    for service in SERVICES:
        wanted = render(service)
        path = target(service)
        if not wanted:
            continue  # a service without declarations keeps its hand-written classes
        if (path.read_text() if path.exists() else "") == wanted:
            continue
        stale.append(service)
        if not args.check:
            path.write_text(wanted)
            print(f"wrote {path.relative_to(REPO)}")
    if args.check and stale:
        print(f"stale: {', '.join(stale)}; run `.venv/bin/python scripts/gen_resources.py`", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
