"""Generates the reference pages (docs/reference/) from the resource classes themselves.

    .venv/bin/python scripts/gen_docs.py           # (re)write docs/reference/
    .venv/bin/python scripts/gen_docs.py --check   # exit 1 when a page is stale, missing or extra

What is read, so that the pages cannot drift from the code:
- the public resource classes of ``pulumi_personalize.contentstack`` and ``.sitecore`` (their
  ``__all__``), their docstrings and their ``<Name>Args`` dataclasses;
- each argument's docstring: the string literal that follows the field in the source (parsed with
  ``ast``, through the dataclass's bases), and its type as written there;
- whether an argument is required and its default: the resource's pydantic input model;
- the engine spec (``cls._spec``): ``replace_on``, ``secrets``, ``output_names``, ``id_name``,
  ``natural_key``, whether it is adoptable, and the registry name stored in state;
- the computed outputs' docstrings: the string after each ``name: pulumi.Output[...]`` of the class.

Only two things are written here by hand, per resource: what destroy does (``DESTROY``) and an
adoption example (``ADOPTION``); a resource without them fails the generator.
"""

from __future__ import annotations

import argparse
import ast
import dataclasses
import difflib
import importlib
import inspect
import re
import sys
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "docs" / "reference"
SERVICES = (
    ("contentstack", "Contentstack Personalize", "cs"),
    ("sitecore", "Sitecore Personalize", "sc"),
)
ENGINE_INPUTS = ("config_namespace", "adopt_uid", "adopt_ref", "adopt_existing")

DESTROY: dict[str, str] = {
    "contentstack.Attribute": "Deletes the attribute (`DELETE /attributes/{uid}`). The service refuses while an "
    "audience uses it; Pulumi deletes dependents first when they are in the same stack.",
    "contentstack.Event": "Deletes the event (`DELETE /events/{uid}`); SDK calls with its key stop counting.",
    "contentstack.Audience": "Deletes the audience (`DELETE /audiences/{uid}`). The service refuses while an "
    "active experience version uses it; Pulumi deletes dependents first when they are in the same stack.",
    "contentstack.Experience": "Pauses the active version, if the versions list shows one (visitors stop "
    "getting it first), then deletes the experience with all its versions. The service leaves the experience's "
    "CMS variant group in the connected stack.",
    "contentstack.ExperiencePriority": "Leaves the project's priority order as it is and drops the resource "
    "from the state: there is nothing to delete, and deleted experiences leave the order on their own.",
    "sitecore.Connection": "Archives the connection (`PUT` with `archived: true`; the API has no DELETE). A "
    "later create with the same name takes the archived one over and unarchives it, so its ref survives.",
    "sitecore.DecisionModel": "Archives the decision model (`PUT` with `archived: true`); the service renames it "
    "`<name> - archived <date>`. A later create with the same name still finds it, takes it over and unarchives "
    "it under its name.",
    "sitecore.DecisionModelVariant": "Archives the variant (`PUT /v2/decisionModelVariants/{ref}` with "
    "`archived: true`). Its deployment goes first when it is in the same stack.",
    "sitecore.DecisionModelDeployment": "Takes every variant out of the model's deployment (`variants: []`); "
    "an archived model is left alone.",
    "sitecore.FlowDefinition": "Archives and pauses the flow (`archived: true`, `status: PAUSED`). Its "
    "`friendly_id` stays taken: a later create with the same friendly_id and type takes the archived flow over "
    "and restores it (DRAFT, then the declared status); one of another type is refused, and the error says so.",
    "sitecore.Template": "Archives the template (`archived: true`, a field every template carries). Archive "
    "semantics of templates are unconfirmed: if the service refuses, the template is dropped from the state "
    "and **left in Sitecore**, with a warning naming it and the `adopt_ref=` that adopts it again.",
}

ADOPTION: dict[str, str] = {
    "contentstack.Attribute": '''\
plan = cs.Attribute(
    "plan",
    name="Plan",
    key="plan",
    adopt_uid="65f1a2b3c4d5e6f708192a3b",  # a custom attribute's uid; presets are never adopted
)''',
    "contentstack.Event": '''\
purchase = cs.Event("purchase", key="purchase", description="Order placed", adopt_existing=True)''',
    "contentstack.Audience": '''\
premium = cs.Audience(
    "premium",
    name="Premium customers",
    definition=rules.all_of(rules.Rule(rules.custom(plan.uid), "STRING_EQUALS", rules.StringMatch("premium"))),
    adopt_uid="65f1a2b3c4d5e6f708192a3c",
)''',
    "contentstack.Experience": '''\
homepage = cs.Experience(
    "homepage-hero",
    name="Homepage hero",
    type="SEGMENTED",  # must be the existing experience's type
    variants=[cs.ExperienceVariantArgs(name="Premium hero", audiences=[premium.uid])],
    adopt_uid="65f1a2b3c4d5e6f708192a3d",
)''',
    "contentstack.ExperiencePriority": "",
    "sitecore.Connection": '''\
weather = sc.Connection(
    "weather",
    name="Weather service",
    system_type="DATA_SYSTEM",
    request=sc.ConnectionRequestArgs(connection_url="https://weather.example.com/v1/current"),
    adopt_ref="0f6c2a8e-51b4-4d0e-9a57-3c1f5e2b7d90",  # the connection's ref
)''',
    "sitecore.DecisionModel": '''\
offers = sc.DecisionModel(
    "next-best-offer",
    name="Next best offer",
    adopt_existing=True,  # the decision model named "Next best offer", if there is one
)''',
    "sitecore.DecisionModelVariant": '''\
baseline = sc.DecisionModelVariant(
    "baseline",
    name="Baseline",
    decision_model=offers.ref,  # must be the existing variant's model
    definition_file="decisions/baseline.dmn",
    adopt_ref="5c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f",
)''',
    "sitecore.DecisionModelDeployment": "Nothing to adopt: the deployment is part of its decision model, and "
    "this resource takes it over on create (the program's variants replace the deployed ones).",
    "sitecore.FlowDefinition": '''\
banner = flows.web_experience(
    "welcome-banner",
    name="Welcome banner",
    friendly_id="welcome_banner",
    start_date="2025-01-01T00:00:00.000Z",
    variant=flows.Variant("Welcome", html="<p>Welcome back</p>"),
    adopt_ref="7d3e9b1c-2a4f-4e8d-b6c5-0a9f8e7d6c5b",  # or adopt_existing=True: the flow with this friendly_id
)''',
    "sitecore.Template": '''\
banner = sc.Template(
    "rain-banner",
    name="Rain banner",
    friendly_id="rain_banner",
    type="WEB",  # must be the existing template's type
    html_file="templates/rain-banner.html",
    adopt_ref="3b2a1c0d-9e8f-4a7b-8c6d-5e4f3a2b1c0d",
)''',
}


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


def attribute_docs(cls: type) -> dict[str, tuple[str, str]]:
    """name -> (annotation as written, docstring) for every annotated attribute of the class and its
    bases (the nearest class wins), from the source."""
    found: dict[str, tuple[str, str]] = {}
    for klass in reversed(cls.__mro__):
        if klass.__module__.split(".")[0] != "pulumi_personalize":
            continue
        try:
            source = textwrap.dedent(inspect.getsource(klass))
        except (OSError, TypeError):
            continue
        node = ast.parse(source).body[0]
        assert isinstance(node, ast.ClassDef)
        body = node.body
        for i, stmt in enumerate(body):
            if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
                doc = ""
                nxt = body[i + 1] if i + 1 < len(body) else None
                if isinstance(nxt, ast.Expr) and isinstance(nxt.value, ast.Constant) and isinstance(nxt.value.value, str):
                    doc = nxt.value.value
                previous = found.get(stmt.target.id, ("", ""))
                found[stmt.target.id] = (ast.unparse(stmt.annotation), clean_doc(doc) or previous[1])
    return found


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


def args_fields(args_cls: type, model: Any | None) -> list[Field]:
    docs = attribute_docs(args_cls)
    model_fields = getattr(model, "model_fields", {}) if model is not None else {}
    out: list[Field] = []
    for f in dataclasses.fields(args_cls):
        annotation, doc = docs.get(f.name, (str(f.type), ""))
        info = model_fields.get(f.name)
        if info is not None:
            required = info.is_required()
            default = None if required else _default_text(info.get_default(call_default_factory=True))
        else:
            required = f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
            default = _default_text(f.default)
            if f.default_factory is not dataclasses.MISSING:
                default = _default_text(f.default_factory())
        out.append(Field(f.name, simplify_type(annotation), doc, required, default))
    # the resource's own arguments first, then the ones every resource takes
    return sorted(out, key=lambda fld: (fld.name in ENGINE_INPUTS, ENGINE_INPUTS.index(fld.name)
                                        if fld.name in ENGINE_INPUTS else 0))


@dataclass
class SpecInfo:
    registry_name: str
    inputs: Any
    replace_on: tuple[str, ...]
    secrets: tuple[str, ...]
    output_names: tuple[str, ...]
    id_name: str
    adopt_input: str | None
    natural_key: str | None


def spec_info(cls: type) -> SpecInfo:
    spec = cls._spec  # type: ignore[attr-defined]
    return SpecInfo(
        registry_name=spec.name, inputs=spec.inputs, replace_on=tuple(spec.replace_on),
        secrets=tuple(spec.secrets), output_names=tuple(spec.output_names), id_name=spec.id_name,
        adopt_input=spec.adopt_input if spec.adoptable else None,
        natural_key=spec.natural_key if spec.adoptable else None,
    )


def resource_classes(package: str) -> list[type]:
    import pulumi

    module = importlib.import_module(f"pulumi_personalize.{package}")
    classes = [getattr(module, name) for name in module.__all__]
    return [c for c in classes if isinstance(c, type) and issubclass(c, pulumi.Resource)]


def nested_args(args_cls: type, fields: list[Field]) -> list[type]:
    """Dataclasses of the resource's module that its arguments' types mention, and theirs in turn."""
    module = sys.modules[args_cls.__module__]
    found: list[type] = []
    pending = list(fields)
    while pending:
        fld = pending.pop(0)
        for name in re.findall(r"\b([A-Z][A-Za-z]*)\b", fld.type):
            candidate = getattr(module, name, None)
            if isinstance(candidate, type) and candidate is not args_cls and dataclasses.is_dataclass(candidate) \
                    and candidate not in found:
                found.append(candidate)
                pending += args_fields(candidate, None)
    return found


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


def model_table(model: Any) -> list[str]:
    lines = ["| field | type | required / default | description |", "| --- | --- | --- | --- |"]
    for name, info in model.model_fields.items():
        kind = simplify_type(re.sub(r"pulumi_personalize\.[a-z_.]+\.", "", str(info.annotation))
                             .replace("typing.", "").replace("<class '", "").replace("'>", ""))
        need = "required" if info.is_required() else (
            f"default {_default_text(info.get_default(call_default_factory=True))}"
            if info.get_default(call_default_factory=True) not in (None, [], {}) else "optional")
        lines.append(f"| `{name}` | `{cell(kind)}` | {need} | {cell(clean_doc(info.description))} |")
    return lines


# --------------------------------------------------------------------------------------------------
# Writing the pages
# --------------------------------------------------------------------------------------------------

GENERATED = "<!-- Generated by scripts/gen_docs.py from the resource classes: do not edit by hand. -->"


def page_name(package: str, cls: type) -> str:
    return f"{package}-{re.sub(r'(?<!^)(?=[A-Z])', '-', cls.__name__).lower()}.md"


def field_table(fields: list[Field], info: SpecInfo | None) -> list[str]:
    lines = ["| argument | type | required / default | description |", "| --- | --- | --- | --- |"]
    for fld in fields:
        notes = []  # (note, words that say the same when the docstring has them already)
        if info is not None:
            if fld.name in info.secrets:
                notes.append(("**Secret** in state and outputs.", "secret in state"))
            if fld.name in info.replace_on or fld.name == "config_namespace":
                notes.append(("**Changing it replaces** the resource.", "replaces"))
            if fld.name in (info.adopt_input, "adopt_existing"):
                notes.append(("Used at create only.", "at create"))
        need = "required" if fld.required else (f"default {fld.default}" if fld.default else "optional")
        doc = " ".join([fld.doc, *[n for n, said in notes if said not in fld.doc.lower()]]).strip()
        lines.append(f"| `{fld.name}` | `{cell(fld.type)}` | {need} | {cell(doc)} |")
    return lines


def render_page(package: str, service: str, alias: str, cls: type) -> str:
    info = spec_info(cls)
    module = sys.modules[cls.__module__]
    args_cls = getattr(module, f"{cls.__name__}Args")
    fields = args_fields(args_cls, info.inputs)
    fqname = f"pulumi_personalize.{package}.{cls.__name__}"
    class_docs = attribute_docs(cls)
    lines = [
        GENERATED, "",
        f"# {alias}.{cls.__name__}",
        "",
        clean_doc(cls.__doc__) if service in clean_doc(cls.__doc__) else f"{service}. {clean_doc(cls.__doc__)}",
        "",
        "```python",
        f"from pulumi_personalize import {package} as {alias}",
        "",
        f"{alias}.{cls.__name__}(resource_name, args: {args_cls.__name__} | None = None, "
        "opts: pulumi.ResourceOptions | None = None, **kwargs)",
        "```",
        "",
        *([clean_doc(cls.__init__.__doc__), ""] if "__init__" in cls.__dict__ and cls.__init__.__doc__ else []),
        f"The fields of `{args_cls.__name__}` are keyword arguments too; they win over `args`. "
        f"Class: `{fqname}`; the state refers to it as `{info.registry_name}` (never renamed). "
        f"The resource's id is the service's `{info.id_name}`.",
        "",
        "## Arguments",
        "",
        *field_table(fields, info),
        "",
    ]
    extras = [name for name, _ in inspect.getmembers(cls, inspect.ismethod)
              if not name.startswith("_") and name in cls.__dict__]
    if extras:
        lines += ["Shortcuts (class methods, each creating this one resource):", ""]
        for name in extras:
            method = getattr(cls, name)
            signature = str(inspect.signature(method)).replace("'", "")
            lines.append(f"- `{alias}.{cls.__name__}.{name}{signature}`: {clean_doc(method.__doc__)}")
        lines.append("")
    # Sitecore's inputs nest the service's objects as models: each one's fields, as arguments
    for title, model in (nested_models(info.inputs) if package == "sitecore" else []):
        lines += [f"### `{title}`", "", *model_table(model), ""]
    for nested in nested_args(args_cls, fields):
        nested_fields = args_fields(nested, None)
        lines += [f"### `{nested.__name__}`", ""]
        if clean_doc(nested.__doc__) and not nested.__doc__.startswith(f"{nested.__name__}("):  # type: ignore[union-attr]
            lines += [clean_doc(nested.__doc__), ""]
        lines += [*field_table(nested_fields, None), ""]

    lines += ["## Outputs", "",
              "Every argument is also an output of the same name, holding the value the service has "
              "(secret arguments stay secret). Computed by the service:", "",
              "| output | type | description |", "| --- | --- | --- |"]
    for name in info.output_names:
        annotation, doc = class_docs.get(name, ("", ""))
        if not doc and name == info.id_name:
            doc = f"The {cls.__name__.lower()}'s {info.id_name} (also the resource's id)."
        lines.append(f"| `{name}` | `{cell(simplify_type(annotation) or 'Any')}` | {cell(doc)} |")
    lines.append("")

    secret_list = ", ".join(f"`{s}`" for s in info.secrets)
    lines += ["## Secrets", "",
              (f"{secret_list}: marked secret when given, and secret as outputs too "
               "(`additional_secret_outputs`), so they are encrypted in the state and shown as `[secret]`."
               if info.secrets else "No argument or output is secret.") + " Credentials of the service itself never "
              "reach the state: they are stack configuration, read when the provider starts.", ""]

    replace = ", ".join(f"`{r}`" for r in info.replace_on)
    lines += ["## Changes that replace", "",
              (f"{replace} cannot change in place: `pulumi preview` shows `+-` (replace), and the update creates "
               "a new object before the old one goes (see Destroy). " if info.replace_on else "")
              + "`config_namespace` (another tenant) also replaces. Everything else is updated in place with "
              "one full PUT of the object; fields the program does not manage are kept.", ""]

    lines += ["## Destroy", "", DESTROY[info.registry_name], ""]

    lines += ["## Adopting an existing object", ""]
    example = ADOPTION[info.registry_name]
    if info.adopt_input is None:
        lines += [example or "Not adoptable: there is a single priority order per project, and this resource "
                  "takes it over on create (the experiences it names go first; the others keep their order "
                  "after them).", ""]
    else:
        ast.parse(example)  # the example must at least be Python
        by_key = (f" `adopt_existing=True` takes over the {cls.__name__.lower()} whose `{info.natural_key}` is the "
                  f"program's, if there is one, and creates it otherwise." if info.natural_key else "")
        lines += [
            f"`pulumi import` and `ResourceOptions(import_=...)` do not work for dynamic resources "
            f"(pulumi/pulumi#16175). Instead, `{info.adopt_input}=` takes over the existing object at create: "
            f"the program's values are written to it, and from then on it is managed like one Pulumi created."
            f"{by_key} Both are ignored after creation. Fields that cannot change in place "
            f"({replace or 'none here'}) must match the existing object, or the create fails and says which.",
            "",
            "```python",
            example,
            "```",
            "",
        ]
    return "\n".join(lines).rstrip() + "\n"


def render_index(pages: list[tuple[str, str, str, type]]) -> str:
    lines = [
        GENERATED, "",
        "# Reference", "",
        "One page per resource: its arguments (with their docstrings), outputs, which values are secret, "
        "what replaces it, what destroy does, and how to adopt an existing object.", "",
        "| service | resource | page | summary |", "| --- | --- | --- | --- |",
    ]
    for package, service, alias, cls in pages:
        summary = clean_doc(cls.__doc__).split(". ")[0].rstrip(".")
        lines.append(f"| {service} | `{alias}.{cls.__name__}` | [{page_name(package, cls)}]"
                     f"({page_name(package, cls)}) | {cell(summary)} |")
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
    pages: list[tuple[str, str, str, type]] = []
    for package, service, alias in SERVICES:
        for cls in resource_classes(package):
            pages.append((package, service, alias, cls))
    missing = [spec_info(c).registry_name for *_, c in pages
               if spec_info(c).registry_name not in DESTROY or spec_info(c).registry_name not in ADOPTION]
    if missing:
        raise SystemExit(f"scripts/gen_docs.py: write DESTROY and ADOPTION entries for {', '.join(missing)}")
    out = {page_name(p, c): render_page(p, s, a, c) for p, s, a, c in pages}
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
