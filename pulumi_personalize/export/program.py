"""The model of a generated program: resources, their arguments as values, references, files.

Builders (``contentstack.py``, ``sitecore.py``) turn a tenant snapshot into a :class:`Program`;
``render.py`` writes it as Python. Values are plain Python data (str, int, float, bool, None, lists,
dicts) plus three node types: :class:`Ref` (an attribute of another generated resource, so the
engine orders them and the program reads as a graph), :class:`Call` (a builder or Args class) and
:class:`FileRead` (a body kept in a file next to the program).
"""

from __future__ import annotations

import keyword
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

__all__ = [
    "SECRET_OVERWRITE",
    "Call",
    "FileRead",
    "Names",
    "Program",
    "Ref",
    "Resource",
    "SecretSetting",
    "Skipped",
]


@dataclass(frozen=True)
class Ref:
    """``var.attr``: an output (the id, usually) of a resource defined earlier in the program."""

    var: str
    attr: str


@dataclass(frozen=True)
class Call:
    """``func(*args, **kwargs)``; ``func`` is a dotted name the program imports or defines."""

    func: str
    args: tuple[Any, ...] = ()
    kwargs: tuple[tuple[str, Any], ...] = ()


@dataclass(frozen=True)
class FileRead:
    """The text of a file written next to the program (for arguments that take no path)."""

    path: str


@dataclass
class Resource:
    kind: str
    """The export kind (``attribute``, ``flow``...): what ``--kind`` selects and the summary counts."""
    cls: str
    """The class as the program names it (``cs.Attribute``)."""
    var: str
    """The Python variable; also the Pulumi resource name."""
    kwargs: list[tuple[str, Any]]
    title: str
    """The object's name or key, for messages."""
    live_id: str | None = None
    """The adopted object's uid/ref (``None`` for resources that take over without an id)."""
    comment: str | None = None
    """A line written above the resource: what a reader should know that the arguments do not say."""
    type_token: str = ""
    """The native provider's type token (``personalize:contentstack:Attribute``), for the bulk import file."""
    import_id: str | None = None
    """What ``pulumi import`` takes as the id: the adopted object's ``live_id``, or the id of a
    resource that adopts nothing (the priority order, a deployment, a variant group link)."""


@dataclass(frozen=True)
class Skipped:
    """A live object the program does not declare: the summary lists it with the reason."""

    kind: str
    title: str
    """The object's name or key, as the resource would have been titled."""
    reason: str
    """Why, in words a person can act on (``--include-archived`` adopts it, say)."""


@dataclass(frozen=True)
class SecretSetting:
    """A secret the service does not give back, read from the new stack's configuration."""

    key: str
    """Key in the project's configuration namespace (``pulumi config set --secret <key> ...``)."""
    what: str


# The service never returns a secret, so the adopting `up` sends what the stack's configuration holds.
SECRET_OVERWRITE = ("The service does not export secrets: the adopting `pulumi up` overwrites the live\n"
                    "secret with what you set ({}), so set the one in use.")


@dataclass
class Program:
    service: str
    """``contentstack`` or ``sitecore``."""
    description: str
    """One line for the docstring and ``Pulumi.yaml``: what was exported from where."""
    imports: list[str]
    resources: list[Resource] = field(default_factory=list)
    files: dict[str, str] = field(default_factory=dict)
    """Relative path -> content, written next to ``__main__.py``."""
    skipped: list[Skipped] = field(default_factory=list)
    secrets: list[SecretSetting] = field(default_factory=list)
    uses_files: bool = False
    """Whether the program reads files itself (``FileRead``): it then defines ``_read``."""

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for resource in self.resources:
            out[resource.kind] = out.get(resource.kind, 0) + 1
        return out

    def add_file(self, path: str, content: str) -> str:
        self.files[path] = content
        return path


# Names the generated module binds itself: never a resource's variable.
RESERVED = frozenset({"pulumi", "cs", "sc", "rules", "config", "Path", "HERE", "_read"})


def slug(text: str) -> str:
    """``"Premium customers (EU)"`` -> ``premium_customers_eu``; ``""`` when nothing is left."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    # camelCase words apart: "cartValue" -> "cart_value"
    ascii_text = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", ascii_text)
    return re.sub(r"[^a-z0-9]+", "_", ascii_text.lower()).strip("_")


class Names:
    """Readable, unique Python identifiers for the program's resources."""

    def __init__(self) -> None:
        self.taken: set[str] = set(RESERVED)

    def new(self, text: str | None, kind: str) -> str:
        kind_slug = slug(kind) or "resource"
        base = slug(text or "") or kind_slug
        if base[0].isdigit():
            base = f"{kind_slug}_{base}"
        if keyword.iskeyword(base) or keyword.issoftkeyword(base):
            base = f"{base}_{kind_slug}"
        candidates = [base] if base.endswith(kind_slug) else [base, f"{base}_{kind_slug}"]
        for candidate in candidates:
            if candidate not in self.taken:
                self.taken.add(candidate)
                return candidate
        number = 2
        while f"{candidates[-1]}_{number}" in self.taken:
            number += 1
        name = f"{candidates[-1]}_{number}"
        self.taken.add(name)
        return name


def validation_message(exc: ValidationError) -> str:
    """The first complaint of a model about a live object, for the skipped list."""
    first = exc.errors()[0]
    where = ".".join(str(p) for p in first.get("loc", ()))
    return f"{where}: {first.get('msg')}" if where else str(first.get("msg"))


def file_slug(text: str | None, fallback: str) -> str:
    """A file or folder name from an object's name."""
    return slug(text or "") or fallback
