"""``personalize-export``: one Contentstack project or one Sitecore tenant as a Pulumi program, or
as Pulumi's bulk import file for the native provider (``--format pulumi-import``).

    personalize-export contentstack --stack dev --out adopted
    personalize-export sitecore --namespace acme-eu --kind flow --name 'checkout*' --out flows
    personalize-export contentstack --stack dev --format pulumi-import --out tenant.json

Settings are the provider's (``config.py``): the stack configuration of ``--stack`` (read with
``pulumi config --show-secrets --json`` in ``--cwd``), else the environment variables. It only
reads (GETs; Sitecore's OAuth token request aside).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TextIO, TypeVar

from ..config import DEFAULT_NAMESPACE, Tenant, load_contentstack_settings, load_sitecore_settings
from ..contentstack._wire import contentstack_client
from ..contentstack.api import ContentstackApi
from ..contentstack.cma import CmaApi, cma_client
from ..contentstack.cma_settings import load_cma_settings
from ..errors import (
    ApiError,
    AuthenticationError,
    ConfigurationError,
    NotFoundError,
    PersonalizeError,
    TransportError,
)
from ..sitecore._wire import sitecore_client
from ..sitecore.api import SitecoreApi
from .contentstack import contentstack_program
from .import_file import render_import_file
from .program import Program, slug
from .reader import ContentstackSnapshot, Progress, read_contentstack, read_sitecore, read_variant_groups
from .render import format_with_ruff, render_files
from .selection import CONTENTSTACK_KINDS, SITECORE_KINDS, Selection
from .sitecore import sitecore_program

__all__ = ["ExportError", "export", "main", "stack_config"]

SnapshotT = TypeVar("SnapshotT")


class ExportError(PersonalizeError):
    """The export cannot go on; the message says what to change."""


def stack_config(stack: str, cwd: Path, pulumi: str | None = None) -> dict[str, object]:
    """The stack's configuration, flat (``namespace:key`` -> value), secrets in clear, as the
    provider's ``configure()`` receives it."""
    command = pulumi or shutil.which("pulumi")
    if command is None:
        raise ExportError("--stack needs the Pulumi CLI on PATH (or leave --stack out and use environment variables)")
    result = subprocess.run([command, "config", "--show-secrets", "--json", "--stack", stack],
                            cwd=cwd, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        # never echo the output: it may hold secrets; the error text of the CLI does not
        raise ExportError(f"`pulumi config --stack {stack}` failed in {cwd}: {result.stderr.strip()[:500]}")
    raw = json.loads(result.stdout or "{}")
    flat: dict[str, object] = {}
    for key, entry in raw.items():
        value = entry.get("value") if isinstance(entry, dict) else entry
        if value is None and isinstance(entry, dict):
            value = entry.get("objectValue")
        if value is not None:
            flat[key] = value if isinstance(value, str) else json.dumps(value)
    return flat


def _explain(exc: PersonalizeError, tenant: Tenant) -> str:
    """The error with the settings to check when it says "wrong place" or "wrong credential"."""
    text = str(exc)
    if isinstance(exc, AuthenticationError):
        # the http layer's message names the keys already; say it where it does not
        named = f"{tenant.namespace}:" in text
        return text if named else f"{text}\nthe credentials were refused: check {tenant.credential_settings()}"
    if isinstance(exc, TransportError):
        return f"{text}\nnothing answers where the settings point: check {tenant.location_settings()}"
    if isinstance(exc, NotFoundError):
        where = tenant.location_settings()
        if tenant.service == "contentstack":
            where += f" and {tenant.settings_for('project_uid')}"
        return f"{text}\nthe service was not found where the settings point: check {where}"
    return text


def _read(tenant: Tenant, read: Callable[[], SnapshotT]) -> SnapshotT:
    """``read()``, with a failed call explained in terms of the settings to check."""
    try:
        return read()
    except (ApiError, TransportError) as exc:
        raise ExportError(_explain(exc, tenant)) from None


def _contentstack(selection: Selection, config: dict[str, object], environ: dict[str, str] | None,
                  report: Progress) -> tuple[Program, str]:
    """The project as a program, and the program's default name."""
    settings = load_contentstack_settings(config, namespace=selection.namespace, environ=environ)
    tenant = settings.tenant
    snap = _read(tenant, lambda: read_contentstack(ContentstackApi(contentstack_client(settings)), tenant,
                                                   selection, report))
    if selection.wants("variant_group") and snap.experiences:
        _stack(snap, selection, config, environ, report)
    return contentstack_program(snap, selection), f"contentstack-{slug(tenant.project_uid or '')[:12] or 'project'}"


def _stack(snap: ContentstackSnapshot, selection: Selection, config: dict[str, object],
           environ: dict[str, str] | None, report: Progress) -> None:
    """The connected stack's variant groups (Content Management API), when its settings are given;
    otherwise the snapshot says what is missing."""
    try:
        settings = load_cma_settings(config, namespace=selection.namespace, environ=environ)
    except ConfigurationError as exc:
        snap.variant_groups_unread = (
            f"not exported: the stack's variant groups are read with the Content Management API, whose settings are "
            f"not given ({exc})")
        return
    _read(settings.tenant, lambda: read_variant_groups(CmaApi(cma_client(settings)), snap, report))


def _sitecore(selection: Selection, config: dict[str, object], environ: dict[str, str] | None,
              report: Progress) -> tuple[Program, str]:
    """The tenant as a program (its client key found in what was read), and the default name."""
    settings = load_sitecore_settings(config, namespace=selection.namespace, environ=environ)
    tenant = settings.tenant
    snap = _read(tenant, lambda: read_sitecore(SitecoreApi(sitecore_client(settings)), tenant, selection, report))
    every = snap.connections + snap.templates + snap.decision_models + snap.flows
    key = next((tenant.observed_key(o) for o in every if tenant.observed_key(o)), None)
    snap.tenant = replace(tenant, client_key=key)
    return sitecore_program(snap, selection), "sitecore-personalize"


FORMATS = ("program", "pulumi-import")


def export(service: str, selection: Selection, config: dict[str, object], out: Path, *,
           project_name: str | None = None, progress: Progress | None = None,
           environ: dict[str, str] | None = None, output_format: str = "program") -> tuple[Program, list[str]]:
    """Read the tenant, write the program into the folder ``out`` (or, ``output_format="pulumi-import"``,
    the bulk import file ``out``); (the program, the files written)."""
    def quiet(_what: str, _count: int) -> None:
        return None

    build = _contentstack if service == "contentstack" else _sitecore
    program, default_name = build(selection, config, environ, progress or quiet)
    if output_format == "pulumi-import":
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(render_import_file(program), encoding="utf-8")
        return program, [out.name]
    files = render_files(program, project_name or default_name)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for relative, content in files.items():
        path = out / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
        written.append(relative)
    format_with_ruff(out)
    return program, written


def _summary(program: Program, written: list[str], out: Path, namespace: str, stream: TextIO, *,
             importing: bool = False) -> None:
    counts = program.counts()
    total = sum(counts.values())
    print(f"Exported {total} resource{'s' if total != 1 else ''} to {out}:", file=stream)
    for kind, count in counts.items():
        print(f"  {kind}: {count}", file=stream)
    if program.skipped:
        print(f"Skipped {len(program.skipped)}:", file=stream)
        grouped: dict[tuple[str, str], list[str]] = {}
        for item in program.skipped:
            grouped.setdefault((item.kind, item.reason), []).append(item.title)
        for (kind, reason), titles in grouped.items():
            print(f"  {kind}: {', '.join(titles)}: {reason}", file=stream)
    if importing:
        print(f"Next: in a Pulumi project with the personalize provider plugin, whose stack's personalize:* "
              f"settings name this tenant (read here from namespace {namespace}): `pulumi import -f {out}` "
              "(--generate-code=false writes no code).", file=stream)
        return
    print(f"Wrote {len(written)} files: {', '.join(written)}", file=stream)
    print(f"Next: cd {out}; `pulumi stack init <stack>`; set this tenant's settings in namespace {namespace} "
          "(README: Configure real tenants); `pulumi up` adopts everything.", file=stream)
    if program.secrets:
        print("Secrets the service does not export: the adopting `pulumi up` overwrites each live secret with the "
              "value you set here, so set the one in use:", file=stream)
    for secret in program.secrets:
        print(f"  pulumi config set --secret {secret.key} <{secret.what}>", file=stream)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="personalize-export",
        description="Write a Pulumi Python program that adopts everything in one Contentstack Personalize "
                    "project or one Sitecore Personalize tenant (reads only).")
    parser.add_argument("service", choices=("contentstack", "sitecore"))
    parser.add_argument("--stack", help="read the settings from this stack's configuration (pulumi config "
                        "--show-secrets --json); default: environment variables only")
    parser.add_argument("--cwd", type=Path, default=Path.cwd(), help="the Pulumi project holding --stack")
    parser.add_argument("--namespace", default=DEFAULT_NAMESPACE,
                        help="configuration namespace of the tenant (a second tenant: acme-eu)")
    parser.add_argument("--kind", action="append", metavar="KIND",
                        help=f"only these kinds (repeatable): Contentstack {', '.join(CONTENTSTACK_KINDS)}; "
                             f"Sitecore {', '.join(SITECORE_KINDS)}")
    parser.add_argument("--name", help="only objects whose name (or key / friendly id) matches this glob")
    parser.add_argument("--include-archived", action="store_true", help="Sitecore: adopt archived objects too "
                        "(the first up unarchives them)")
    parser.add_argument("--format", choices=FORMATS, default="program",
                        help="program: a Pulumi Python program that adopts the tenant (default); pulumi-import: "
                             "Pulumi's bulk import file for `pulumi import -f` with the native provider")
    parser.add_argument("--out", type=Path, default=None, help="output folder (default ./<service>-export); with "
                        "--format pulumi-import, the file (default ./<service>-import.json)")
    parser.add_argument("--project-name", help="name in Pulumi.yaml")
    parser.add_argument("--force", action="store_true", help="write into a folder that holds a program already")
    return parser


def main(argv: Sequence[str] | None = None, *, stdout: TextIO | None = None, stderr: TextIO | None = None) -> int:
    out_stream = stdout or sys.stdout
    err_stream = stderr or sys.stderr
    parser = _parser()
    args = parser.parse_args(argv)
    valid = CONTENTSTACK_KINDS if args.service == "contentstack" else SITECORE_KINDS
    unknown = sorted(set(args.kind or []) - set(valid))
    if unknown:
        parser.error(f"unknown --kind {', '.join(unknown)} for {args.service}: use {', '.join(valid)}")
    importing = args.format == "pulumi-import"
    out: Path = args.out or Path(f"{args.service}-import.json" if importing else f"{args.service}-export")
    taken = out if importing else out / "__main__.py"
    if taken.exists() and not args.force:
        print(f"personalize-export: {taken} exists: choose another --out or pass --force", file=err_stream)
        return 2
    selection = Selection.of(valid, args.kind, name=args.name, include_archived=args.include_archived,
                             namespace=args.namespace)
    terminal = err_stream.isatty()

    def progress(what: str, count: int) -> None:
        if terminal:
            print(f"read {count} {what}", file=err_stream, flush=True)

    try:
        config = stack_config(args.stack, args.cwd) if args.stack else {}
        program, written = export(args.service, selection, config, out, project_name=args.project_name,
                                  progress=progress, environ=dict(os.environ), output_format=args.format)
    except ConfigurationError as exc:
        where = f"stack {args.stack!r}" if args.stack else "the environment"
        print(f"personalize-export: {exc} (settings read from {where})", file=err_stream)
        return 2
    except PersonalizeError as exc:
        print(f"personalize-export: {exc}", file=err_stream)
        return 1
    _summary(program, written, out, args.namespace, out_stream, importing=importing)
    return 0
