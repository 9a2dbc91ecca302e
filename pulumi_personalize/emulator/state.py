"""The emulator's world: one JSON document behind a lock, persisted atomically after every change."""

from __future__ import annotations

import contextlib
import copy
import json
import os
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

Json = dict[str, Any]

# Every Sitecore object by ref, whatever its tenant (each record carries its clientKey; sitecore/models.py).
SITECORE_KINDS = ("connections", "decisionModels", "decisionModelVariants", "flowDefinitions", "templates")
CONTENTSTACK_KINDS = ("attributes", "audiences", "events", "experiences")
STATE_FORMAT = 1


def empty_state() -> Json:
    return {
        "format": STATE_FORMAT,
        "sitecore": {kind: {} for kind in SITECORE_KINDS},
        "sitecoreRevisions": {kind: {} for kind in SITECORE_KINDS},  # kind -> ref -> [record per revision]
        "contentstack": {"projects": {}},
    }


def empty_project() -> Json:
    project: Json = {kind: {} for kind in CONTENTSTACK_KINDS}
    project["versions"] = {}  # experience uid -> list of versions, in creation order
    project["priority"] = []  # experience uids, highest priority first
    return project


class Store:
    """Holds the state. Every read and write of ``data`` happens under ``lock``.

    ``mutate()`` is the only way to change the state: it takes the lock and, when the block
    finishes without an exception, writes the state file (temp file + rename).
    """

    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        self.path = Path(path) if path else None
        self.lock = threading.RLock()
        self.data: Json = empty_state()
        if self.path is not None and self.path.exists() and self.path.stat().st_size > 0:
            loaded = json.loads(self.path.read_text(encoding="utf-8"))
            self.data = self._upgrade(loaded)

    @staticmethod
    def _upgrade(loaded: Any) -> Json:
        state = empty_state()
        if not isinstance(loaded, dict):
            return state
        for kind in SITECORE_KINDS:
            state["sitecore"][kind] = dict(loaded.get("sitecore", {}).get(kind, {}))
            state["sitecoreRevisions"][kind] = dict(loaded.get("sitecoreRevisions", {}).get(kind, {}))
        for uid, project in loaded.get("contentstack", {}).get("projects", {}).items():
            fresh = empty_project()
            fresh.update(project)
            state["contentstack"]["projects"][uid] = fresh
        return state

    @contextlib.contextmanager
    def read(self) -> Iterator[Json]:
        with self.lock:
            yield self.data

    @contextlib.contextmanager
    def mutate(self) -> Iterator[Json]:
        with self.lock:
            yield self.data
            self.save()

    def save(self) -> None:
        if self.path is None:
            return
        with self.lock:
            # Compact: ``indent`` would switch json to its pure-Python encoder, ~8x slower on every write.
            payload = json.dumps(self.data, separators=(",", ":"))
            directory = self.path.parent
            directory.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".tmp", dir=directory)
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as handle:
                    handle.write(payload)
                    handle.flush()
                    os.fsync(handle.fileno())
                os.replace(tmp, self.path)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
                raise

    def reset(self) -> None:
        with self.mutate() as data:
            data.clear()
            data.update(empty_state())

    def snapshot(self) -> Json:
        with self.lock:
            return copy.deepcopy(self.data)

    def project(self, data: Json, project_uid: str, *, create: bool) -> Json:
        """The Contentstack project ``project_uid``; an unknown one is empty (created on first write)."""
        projects: Json = data["contentstack"]["projects"]
        if project_uid in projects:
            result: Json = projects[project_uid]
            return result
        fresh = empty_project()
        if create:
            projects[project_uid] = fresh
        return fresh
