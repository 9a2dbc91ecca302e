"""The stored models of the emulated Sitecore Personalize: fields, rules, server defaults, presentation.

The kinds themselves (``kinds.py``, one place per field of the live service, ``docs/facts/sitecore.md#connections`` to ``#templates``):
each kind's ``validate_*`` function checks what a POST/PUT body must hold and returns the document to
store without its server-owned fields; :func:`create_record` / :func:`update_record` add those
(``ref``, ``clientKey``, ``revision``, ``archived``, ``modifiedAt``, ``modifiedByRef`` or
``modifiedByUserRef``) and the server-side effects (archive rename, ``transpiledVariants``...);
:func:`present` adds what is derived from the request (``href``, link objects).

Fields the emulator does not know are kept as sent: the live service echoes whole documents and
clients PUT back what they GET.

State: ``data["sitecore"][kind][ref]`` = the record (with its tenant's ``clientKey``; refs are UUIDs, so
all tenants share one table per kind and :class:`TenantView` shows each tenant its own), and
``data["sitecoreRevisions"][kind][ref]`` = ``[record at revision 1, record at revision 2, ...]``.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..common import Json, new_ref
from .auth import Tenant

# Every resource's server-owned fields; a PUT may carry them back (clients GET, modify, PUT) and the
# values sent are ignored.
COMMON_SERVER_FIELDS = frozenset({"clientKey", "href", "ref", "modifiedAt", "modifiedByRef",
                                  "modifiedByUserRef", "revision", "revisions"})

class TenantView:
    """One tenant's objects in the shared state: records live by ref in ``data["sitecore"][kind]`` and
    carry their ``clientKey``; every revision in ``data["sitecoreRevisions"][kind][ref]``."""

    def __init__(self, data: Json, client_key: str) -> None:
        self._data = data
        self.client_key = client_key

    def __getitem__(self, key: str) -> Json:
        """This tenant's records of one kind, by ref (a new dict: write with :meth:`save`)."""
        records: Json = self._data["sitecore"].get(key, {})
        return {ref: r for ref, r in records.items() if r.get("clientKey") == self.client_key}

    def revisions(self, key: str, ref: str) -> list[Json]:
        history: list[Json] = self._data.get("sitecoreRevisions", {}).get(key, {}).get(ref, [])
        return list(history)

    def save(self, key: str, record: Json) -> None:
        self._data["sitecore"].setdefault(key, {})[record["ref"]] = record
        history = self._data.setdefault("sitecoreRevisions", {}).setdefault(key, {})
        history.setdefault(record["ref"], []).append(copy.deepcopy(record))


def tenant_state(data: Json, client_key: str) -> TenantView:
    return TenantView(data, client_key)


@dataclass
class Context:
    """What a validator may look at besides the body."""

    tenant: TenantView
    current: Json | None = None  # the stored record on an update
    parent: Json | None = None  # a variant's decision model
    ref: str | None = None


@dataclass(frozen=True)
class Kind:
    key: str  # key in the tenant state
    path: str  # canonical URL of the collection; item href = path + "/" + ref
    label: str
    modified_by: str  # "modifiedByRef" or "modifiedByUserRef" (docs/facts/sitecore.md#conventions)
    validate: Callable[[Json, Context], Json]
    server_fields: frozenset[str] = COMMON_SERVER_FIELDS
    links: tuple[str, ...] = ()  # link objects {href}: "revisions", "variants"
    friendly_id: bool = False  # the item can also be addressed by friendlyId
    after: Callable[[Json, Json | None, str], None] | None = field(default=None)  # server-side effects


# --- records ------------------------------------------------------------------------------------------------------

# Key order of a representation, as the documentation's examples print it; the rest follows as stored.
_LEADING = ("clientKey", "href", "ref", "name", "description", "modifiedByRef", "modifiedByUserRef",
            "modifiedAt", "revision", "archived")


def _ordered(record: Json) -> Json:
    out = {k: record[k] for k in _LEADING if k in record}
    out.update({k: v for k, v in record.items() if k not in out})
    return out


def create_record(kind: Kind, tenant_data: TenantView, tenant: Tenant, body: Json, stamp: str, *,
                  parent_ref: str | None = None) -> Json:
    """``stamp``: the moment of the write (``modifiedAt``), from the emulator's clock."""
    ctx = Context(tenant=tenant_data, parent=None, ref=None)
    clean = kind.validate(body, ctx)
    record: Json = {"clientKey": tenant.client_key, "ref": new_ref(), **clean,
                    kind.modified_by: tenant.modified_by, "modifiedAt": stamp, "revision": 1, "archived": False}
    if parent_ref is not None:
        record["decisionModelDefinitionRef"] = parent_ref
    if kind.after is not None:
        kind.after(record, None, stamp)
    record = _ordered(record)
    tenant_data.save(kind.key, record)
    return record


def update_record(kind: Kind, tenant_data: TenantView, tenant: Tenant, current: Json, body: Json,
                  stamp: str) -> Json:
    ref = current["ref"]
    clean = kind.validate(body, Context(tenant=tenant_data, current=current, ref=ref))
    archived = clean.pop("archived", False)
    record: Json = {"clientKey": tenant.client_key, "ref": ref, **clean, kind.modified_by: tenant.modified_by,
                    "modifiedAt": stamp, "revision": int(current["revision"]) + 1, "archived": bool(archived)}
    if "decisionModelDefinitionRef" in current:
        record["decisionModelDefinitionRef"] = current["decisionModelDefinitionRef"]
    if kind.after is not None:
        kind.after(record, current, stamp)
    record = _ordered(record)
    tenant_data.save(kind.key, record)
    return record


def present(kind: Kind, record: Json, base_url: str, **extra: Any) -> Json:
    """The representation of a stored record: absolute ``href`` and link objects added."""
    out = copy.deepcopy(record)
    href = f"{base_url}{kind.path}/{record['ref']}"
    out["href"] = href
    for link in kind.links:
        out[link] = {"href": f"{href}/{link}"}
    out.update(extra)
    return _ordered(out)


# --- previews ---------------------------------------------------------------------------------------------------

# Template parameters: [[Name]], [[Name | type]], [[Name | type | default | {options}]].
_PARAMETER = re.compile(r"\[\[\s*([^\]|]+?)\s*(?:\|([^\]]*))?\]\]")


def substitute(code: str, variables: Json) -> str:
    """Replace template parameters with variable values; a missing one falls back to its default."""

    def one(match: re.Match[str]) -> str:
        name = match.group(1).strip()
        if name in variables and variables[name] is not None:
            return str(variables[name])
        rest = [part.strip() for part in (match.group(2) or "").split("|")]
        return rest[1] if len(rest) > 1 else ""

    return _PARAMETER.sub(one, code)


# FreeMarker directives that open a block closed by ``</#name>`` (``<#else>``, ``<#assign x = 1>`` ... do not).
_FTL_BLOCKS = frozenset({"if", "list", "items", "switch", "macro", "function", "attempt", "compress"})
_FTL_TAG = re.compile(r"<(/?)#(\w+)[^>]*?(/?)>")
_UNCLOSED_PARAMETER = re.compile(r"\[\[\s*[A-Za-z_][\w ]*\|[^\n\]]{0,30}")


def render_problems(element_id: str, code: str) -> list[str]:
    """Why code does not render (docs/facts/sitecore.md#template-previews): FreeMarker without at least
    ``{}`` (documented); unbalanced FreeMarker blocks and a template parameter never closed by ``]]``
    (the emulator's rules: what the service answers to them is unconfirmed)."""
    problems: list[str] = []
    if element_id == "freemarker" and not ("{" in code and "}" in code):
        problems.append("FreeMarker code must hold at least {}")
    if element_id == "freemarker":
        opened: list[str] = []
        for closing, name, self_closed in _FTL_TAG.findall(code):
            if name not in _FTL_BLOCKS or self_closed:
                continue
            if not closing:
                opened.append(name)
            elif opened and opened[-1] == name:
                opened.pop()
            else:
                problems.append(f"FreeMarker: </#{name}> closes no open <#{name}>")
        problems += [f"FreeMarker: <#{name}> is not closed (</#{name}> is missing)" for name in reversed(opened)]
    # A parameter's opening (``[[Name |``) left once every closed parameter is taken out; JavaScript's
    # nested arrays (``[[1, 2], [3]]``) are not parameters.
    unclosed = _UNCLOSED_PARAMETER.search(_PARAMETER.sub("", code))
    if unclosed:
        problems.append(f"template parameter {unclosed.group(0).strip()!r} is not closed with ]]")
    return problems


def decision_nodes(definition: str) -> list[Json]:
    """One result node per ``<decision id=.. name=..>`` of a DMN definition (no evaluation)."""
    nodes = []
    for match in re.finditer(r"<(?:\w+:)?decision\b([^>]*)>", definition):
        attributes = dict(re.findall(r'(\w+)="([^"]*)"', match.group(1)))
        nodes.append({"id": attributes.get("id", ""), "name": attributes.get("name", ""), "error": False,
                      "type": "decisionTable", "executionTime": 0.0, "dependentNodeIds": [], "outputs": []})
    return nodes
