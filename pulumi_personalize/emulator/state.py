"""The emulator's world: one JSON document behind a lock, written to its file behind the requests.

The file is rewritten whole (temp file + rename) by a writer thread after changes, several changes
at a time, not by the request that made them: rewriting it inside each write request cost 3 ms per
request at a few hundred objects, two thirds of the emulator's time, and grew with the state. After
each write the writer rests ten times as long as the write took, and at least 0.1 s, so that writing
the file takes a bounded share of a core however large the state grows (writing after every change
of a `pulumi up` of 300 objects took half the emulator's CPU, on the cores the engine and the
provider share with it). It is current after ``flush()``, which every control API request and the
process's stop call.
"""

from __future__ import annotations

import contextlib
import copy
import json
import os
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

Json = dict[str, Any]

# Every Sitecore object by ref, whatever its tenant (each record carries its clientKey; sitecore/models.py).
SITECORE_KINDS = ("connections", "decisionModels", "decisionModelVariants", "flowDefinitions", "templates")
CONTENTSTACK_KINDS = ("attributes", "audiences", "events", "experiences")
STATE_FORMAT = 1
REST_FACTOR = 10.0
"""After a write, the writer rests this many times as long as the write took (at most a tenth of a core)..."""
MIN_REST_S = 0.1
"""... and at least this long (at most ten writes a second, whatever the state's size)..."""
MAX_REST_S = 0.5
"""... and at most this long: a change reaches the file within about this, unless ``flush()`` writes it sooner."""


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

    ``mutate()`` is the way to change the state (``changed()`` where a read finds a change to make):
    it takes the lock and, when the block finishes without an exception, marks the state changed;
    the writer thread then writes the file. ``flush()`` writes it before returning.
    """

    def __init__(self, path: str | os.PathLike[str] | None = None, *,
                 rest: Callable[[float], None] = time.sleep) -> None:
        """``rest``: how the writer waits between writes (a test holds it there)."""
        self.path = Path(path) if path else None
        self._rest = rest
        self.lock = threading.RLock()
        self.data: Json = empty_state()
        self._changes = 0  # changes made, under ``lock``
        self._written = 0  # changes the file holds, under ``_writing``
        self._writing = threading.Lock()
        self._pending = threading.Event()
        self._writer: threading.Thread | None = None
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
            self.changed()

    def changed(self) -> None:
        """Record that ``data`` changed (under ``lock``): the writer thread writes the file soon."""
        if self.path is None:
            return
        with self.lock:
            self._changes += 1
            if self._writer is None:
                self._writer = threading.Thread(target=self._write_behind, name="emulator-state-writer",
                                                daemon=True)
                self._writer.start()
        self._pending.set()

    def _write_behind(self) -> None:
        while True:
            self._pending.wait()
            self._pending.clear()  # changes made from here on set it again: none is missed
            started = time.monotonic()
            self.flush()
            self._rest(min(MAX_REST_S, max(MIN_REST_S, REST_FACTOR * (time.monotonic() - started))))

    def flush(self) -> None:
        """Write the file now if it lacks a change: when this returns, it holds every change made
        before the call."""
        if self.path is None:
            return
        with self._writing:
            with self.lock:
                if self._changes == self._written:
                    return
                changes = self._changes
                # Compact: ``indent`` would switch json to its pure-Python encoder, ~8x slower.
                payload = json.dumps(self.data, separators=(",", ":"))
            self._replace_file(payload)
            self._written = changes

    def _replace_file(self, payload: str) -> None:
        assert self.path is not None
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
        self.flush()

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
