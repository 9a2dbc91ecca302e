"""What every benchmark needs: an emulator subprocess, a stack on a local file backend, a clock,
the emulator's request log, and the peak memory of the dynamic provider process.

Nothing here asserts: the benchmarks measure and print; the README records what they printed.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from pulumi import automation as auto
from pulumi.runtime import rpc

from benchmarks import noop
from pulumi_personalize.emulator.testing import EmulatorHandle, running_emulator
from pulumi_personalize.engine import reset_pulumi_pickler

REPO = Path(__file__).resolve().parents[1]
TOOLS = REPO / ".tools"
PASSPHRASE = "benchmark-passphrase-not-a-secret"
PROJECT_UID = "bench0000000000000000001"
AUTHTOKEN = "emulator-authtoken"
CLIENT_ID = "emulator-client"
CLIENT_SECRET = "emulator-secret"


def engine_env() -> dict[str, str]:
    """The environment of every pulumi command: offline, local, the repository importable."""
    return {
        "PATH": f"{TOOLS / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}",
        "PYTHONPATH": os.pathsep.join(p for p in (str(REPO), os.environ.get("PYTHONPATH", "")) if p),
        "PULUMI_CONFIG_PASSPHRASE": PASSPHRASE,
        "PULUMI_SKIP_UPDATE_CHECK": "true",
        "PULUMI_SKIP_CONFIRMATIONS": "true",
        "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
    }


def latency_rules(latency_ms: float) -> list[dict[str, Any]]:
    """Every API request (control endpoints are never faulted) waits ``latency_ms`` first."""
    return [{"path": "^/", "action": "latency", "latency_ms": latency_ms}] if latency_ms else []


@contextmanager
def emulator(*, rate_limit: float | None, latency_ms: float,
             env: Mapping[str, str] | None = None) -> Iterator[EmulatorHandle]:
    """An emulator subprocess started with ``--rate-limit`` and a latency fault rule (``env``: its
    ``PERSONALIZE_EMULATOR_*`` settings, such as quotas).

    Its world lives in memory: no benchmark restarts it, and its state file's writer would take CPU
    from the engine, the program and the provider on the same two cores (at zero latency, 0.25 s of
    a 10 s `up` of 300 Sitecore objects), where a live service keeps its data on its own machines.
    """
    faults = {"rules": latency_rules(latency_ms)}
    with running_emulator(faults=faults, rate_limit=rate_limit, env=env) as emu:
        yield emu


def api_requests(emu: EmulatorHandle) -> list[dict[str, Any]]:
    """The request log without the control API (the log never holds those anyway)."""
    return [r for r in emu.requests() if not r["path"].startswith("/_emulator")]


SITECORE_VERSIONS = ("v2", "v3")  # Sitecore's collections live under /v2/... and /v3/...


def request_kind(path: str) -> str:
    """``/v2/connections`` (a list page or a POST), ``/v2/connections/{ref}`` (one object),
    ``/v2/decisionModelDefinitions/{ref}/variants``; Contentstack's first segment (``/attributes``)."""
    parts = path.strip("/").split("/")
    if parts[0] not in SITECORE_VERSIONS or len(parts) < 2:
        return f"/{parts[0]}"
    collection = f"/{parts[0]}/{parts[1]}"
    rest = parts[2:]
    if not rest:
        return collection
    if rest[0] in ("testConnection", "renderTemplates", "process"):  # collection-level actions
        return f"{collection}/{rest[0]}"
    return "/".join([collection, "{ref}", *rest[1:]])


def summarize_requests(entries: list[dict[str, Any]]) -> dict[str, int]:
    """Counts by "METHOD kind" (:func:`request_kind`) plus the statuses that mean trouble."""
    counts: Counter[str] = Counter()
    for r in entries:
        counts[f"{r['method']} {request_kind(r['path'])}"] += 1
        status = r.get("status")
        if status is None or status >= 400:
            counts[f"status {status}"] += 1
    return dict(counts)


def list_pages(entries: list[dict[str, Any]]) -> dict[str, list[int]]:
    """Sitecore list GETs by collection: the ``offset`` of each page read, in order."""
    pages: dict[str, list[int]] = {}
    for r in entries:
        kind = request_kind(r["path"])
        if r["method"] == "GET" and kind.startswith(tuple(f"/{v}/" for v in SITECORE_VERSIONS)) and "{ref}" not in kind:
            pages.setdefault(kind, []).append(int((r.get("query") or {}).get("offset", 0)))
    return pages


@dataclass
class Bench:
    """One stack on its own file backend, for one benchmark run."""

    stack: auto.Stack
    folder: Path
    output: list[str] = field(default_factory=list)
    commands: list[tuple[str, float]] = field(default_factory=list)
    """Each CLI command the Automation API ran for this stack, with its wall time (``time_commands``)."""

    def up(self) -> tuple[float, auto.UpResult]:
        reset_pulumi_pickler()
        self.commands.clear()
        started = time.monotonic()
        result = self.stack.up(on_output=self.output.append, color="never")
        return time.monotonic() - started, result

    @property
    def cli_s(self) -> float:
        """The wall time of the last ``pulumi up`` command itself: what a CI job's ``pulumi up`` takes.
        The Automation API's ``up`` also runs ``pulumi stack output`` and reads the stack's history
        for its result, and stops the inline program's server, after it."""
        return next(wall for name, wall in reversed(self.commands) if name == "up")

    def time_commands(self) -> None:
        """Record each CLI command's wall time. ``_run_pulumi_cmd_sync`` is the SDK's private step
        that runs one command; the benchmarks run on the SDK version ``pyproject.toml`` pins for
        development, where it takes the command's arguments first."""
        run = self.stack._run_pulumi_cmd_sync

        def timed(args: list[str], *rest: Any, **options: Any) -> Any:
            started = time.monotonic()
            try:
                return run(args, *rest, **options)
            finally:
                name = next((a for a in args if not a.startswith("-")), "?")
                self.commands.append((name, time.monotonic() - started))

        self.stack._run_pulumi_cmd_sync = timed  # type: ignore[method-assign]

    def state_bytes(self) -> float:
        """The mean size (JSON characters) of a resource's inputs and outputs in the stack's state: the
        file backend rewrites the whole state after every step, so its cost grows with this."""
        deployment = self.stack.export_stack().deployment or {}
        resources = [r for r in deployment.get("resources", []) if not r["type"].startswith("pulumi:")]
        sizes = [len(json.dumps({"inputs": r.get("inputs", {}), "outputs": r.get("outputs", {})}))
                 for r in resources]
        return sum(sizes) / len(sizes) if sizes else 0.0

    def preview(self) -> tuple[float, auto.PreviewResult]:
        reset_pulumi_pickler()
        started = time.monotonic()
        result = self.stack.preview(on_output=self.output.append, color="never")
        return time.monotonic() - started, result

    def refresh(self) -> tuple[float, auto.RefreshResult]:
        started = time.monotonic()
        result = self.stack.refresh(on_output=self.output.append, color="never")
        return time.monotonic() - started, result

    def destroy(self) -> tuple[float, auto.DestroyResult]:
        started = time.monotonic()
        result = self.stack.destroy(on_output=self.output.append, color="never")
        return time.monotonic() - started, result

    def close(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


SECRET_SIG: str = rpc._special_sig_key
"""The key that marks a secret value in an exported state (the SDK's own constant)."""


def replay_records(deployment: Mapping[str, Any], outputs_file: Path) -> list[tuple[str, dict[str, Any], list[str]]]:
    """What ``programs.replay`` needs to store, resource by resource, what a real stack stored: its
    name, inputs and secret outputs, and (written to ``outputs_file``) its outputs. A secret value
    becomes a plain string of its size, made secret again by the replay's options."""

    def plain(value: Any) -> Any:
        if isinstance(value, Mapping):
            if SECRET_SIG in value:
                return "s" * (len(str(value.get("ciphertext", value.get("plaintext", "")))) * 3 // 4)
            return {k: plain(v) for k, v in value.items()}
        if isinstance(value, list):
            return [plain(v) for v in value]
        return value

    records: list[tuple[str, dict[str, Any], list[str]]] = []
    outputs: dict[str, Any] = {}
    for r in deployment.get("resources", []):
        if r["type"].startswith("pulumi:"):
            continue
        inputs = {k: plain(v) for k, v in r.get("inputs", {}).items() if not k.startswith("__")}
        outs = {k: plain(v) for k, v in r.get("outputs", {}).items() if not k.startswith("__")}
        secrets = [k for k, v in r.get("outputs", {}).items() if isinstance(v, Mapping) and SECRET_SIG in v]
        outputs[noop.replay_key(inputs)] = outs
        records.append((r["urn"].rsplit("::", 1)[1], inputs, secrets))
    outputs_file.write_text(json.dumps(outputs), encoding="utf-8")
    return records


def emulator_config(
    emu: EmulatorHandle | None, *, contentstack_rps: float | None, sitecore_rps: float | None
) -> dict[str, auto.ConfigValue]:
    if emu is None:
        return {}

    def rps(value: float | None) -> str:
        return "off" if not value else str(value)

    return {
        "personalize:baseUrl": auto.ConfigValue(emu.base_url),
        "personalize:contentstackProjectUid": auto.ConfigValue(PROJECT_UID),
        "personalize:contentstackAuthtoken": auto.ConfigValue(AUTHTOKEN, secret=True),
        "personalize:contentstackRequestsPerSecond": auto.ConfigValue(rps(contentstack_rps)),
        "personalize:sitecoreTokenUrl": auto.ConfigValue(f"{emu.base_url}/oauth/token"),
        "personalize:sitecoreClientId": auto.ConfigValue(CLIENT_ID),
        "personalize:sitecoreClientSecret": auto.ConfigValue(CLIENT_SECRET, secret=True),
        "personalize:sitecoreRequestsPerSecond": auto.ConfigValue(rps(sitecore_rps)),
    }


def new_stack(
    program: Callable[[], None],
    config: Mapping[str, auto.ConfigValue],
    *,
    name: str = "bench",
    env: Mapping[str, str] | None = None,
) -> Bench:
    folder = Path(tempfile.mkdtemp(prefix=f"bench-{name}-"))
    backend = folder / "backend"
    workdir = folder / "work"
    backend.mkdir()
    workdir.mkdir()
    settings = auto.ProjectSettings(
        name="bench", runtime="python", backend=auto.ProjectBackend(url=f"file://{backend}")
    )
    opts = auto.LocalWorkspaceOptions(
        work_dir=str(workdir),
        pulumi_home=str(folder / "pulumi-home"),
        project_settings=settings,
        secrets_provider="passphrase",
        # the stack's own rate budget folder: no other run on this machine shares its budget
        env_vars={**engine_env(), "PERSONALIZE_RATE_LIMIT_DIR": str(folder / "rate-limits"), **(env or {})},
        pulumi_command=auto.PulumiCommand(root=str(TOOLS)),
    )
    stack = auto.create_or_select_stack(stack_name=name, project_name="bench", program=program, opts=opts)
    if config:
        stack.set_all_config(dict(config))
    bench = Bench(stack=stack, folder=folder)
    bench.time_commands()
    return bench


# ---------------------------------------------------------------------------------------------------
# Memory: peak RSS of our own dynamic provider processes, read from /proc (no psutil)
# ---------------------------------------------------------------------------------------------------


def _children_map() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="utf-8") as fh:
                stat = fh.read()
        except OSError:
            continue
        # The command name is in parentheses and may hold spaces: split after the last ")".
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry))
    return children


def descendants(root: int) -> list[int]:
    """Every live descendant pid of ``root`` (from /proc)."""
    children = _children_map()
    found: list[int] = []
    todo = [root]
    while todo:
        pid = todo.pop()
        for child in children.get(pid, []):
            found.append(child)
            todo.append(child)
    return found


def cmdline(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as fh:
            return fh.read().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def _status_kib(pid: int, key: str) -> int | None:
    try:
        with open(f"/proc/{pid}/status", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


class PeakRss:
    """Polls /proc for descendants of this process; keeps the peak RSS per role.

    Roles: ``provider`` (cmdline has ``pulumi.dynamic``: the dynamic provider host, or
    ``pulumi-resource-personalize`` / ``pulumi_personalize.native``: the native provider), ``engine`` (the ``pulumi`` CLI). Only our own descendants count: other runs on the machine are ignored.
    ``VmHWM`` is the kernel's high-water mark of the process's RSS, so a peak between two polls is
    still seen as long as the process is polled once before it exits.
    """

    def __init__(self, interval: float = 0.05) -> None:
        self.interval = interval
        self.peak_kib: dict[str, int] = {}
        self.pids: dict[str, set[int]] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    @staticmethod
    def role(cmdline: str) -> str | None:
        if any(mark in cmdline for mark in ("pulumi.dynamic", "pulumi-resource-personalize",
                                             "pulumi_personalize.native")):
            return "provider"
        first = cmdline.split(" ", 1)[0]
        if first.endswith("/pulumi") or first == "pulumi":
            return "engine"
        return None

    def _poll(self) -> None:
        for pid in descendants(os.getpid()):
            role = self.role(cmdline(pid))
            if role is None:
                continue
            hwm = _status_kib(pid, "VmHWM")
            if hwm is None:
                continue
            self.pids.setdefault(role, set()).add(pid)
            self.peak_kib[role] = max(self.peak_kib.get(role, 0), hwm)

    def _run(self) -> None:
        while not self._stop.is_set():
            self._poll()
            self._stop.wait(self.interval)

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def mib(self, role: str) -> float | None:
        kib = self.peak_kib.get(role)
        return None if kib is None else kib / 1024


def phases(calls: list[dict[str, Any]], started_at: float, wall: float) -> dict[str, Any]:
    """Where the wall time went, from the emulator's log (its clock is the real one here): before the
    first API call (start-up), between the first and the last (the rollout proper, and the accepted
    rate in it), after the last (the engines finishing)."""
    stamps = sorted(datetime.fromisoformat(r["time"].replace("Z", "+00:00")).timestamp() for r in calls)
    if not stamps:
        return {}
    busy = stamps[-1] - stamps[0]
    accepted = sum(1 for r in calls if r.get("status") != 429)
    return {"before_first_call_s": round(stamps[0] - started_at, 2), "first_to_last_call_s": round(busy, 2),
            "after_last_call_s": round(started_at + wall - stamps[-1], 2),
            "accepted_per_s_between": round(accepted / busy, 2) if busy else None}
