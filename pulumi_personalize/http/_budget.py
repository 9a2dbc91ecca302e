"""Where a rate budget lives: in this process (``MemoryBudget``), or in a small file shared by every
process on the machine that uses the same budget (``FileBudget``).

A budget is the state of one adaptive limit (``_adaptive``): the current rate, the recent send
times, and the pause a 429 imposed. ``update`` runs a change on it under a lock: a thread lock, and
for a file an exclusive ``flock`` as well, so several ``pulumi up`` processes of one organization on
one CI runner draw on one schedule. Nothing secret is written: the file name is a digest and the
file holds numbers only.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import threading
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO, Protocol, TypeVar

try:
    import fcntl
except ImportError:  # Windows: no flock; each process keeps its own budget
    fcntl = None  # type: ignore[assignment]

__all__ = ["BUDGET_DIR_ENV", "Budget", "BudgetState", "FileBudget", "MemoryBudget", "budget_dir", "shared_budget"]

T = TypeVar("T")

BUDGET_DIR_ENV = "PERSONALIZE_RATE_LIMIT_DIR"
"""Where the shared budgets live; ``off`` keeps every process's budget to itself."""


@dataclass
class BudgetState:
    """One limit's state. Times are seconds on the limiter's clock (wall time when shared: it is the
    clock every process of the machine agrees on)."""

    rate: float
    """Sends per second allowed now: the ceiling, lowered on 429, raised again as time passes."""
    slots: list[float] = field(default_factory=list)
    """The most recent reserved send times, oldest first."""
    paused_until: float = 0.0
    """No send before this (a 429's ``Retry-After``, or the service's window when it gave none)."""
    pause_epoch: int = 0
    """Counts pauses, so that a caller who reserved before one can tell and reserve again."""
    decreased_at: float = -math.inf
    """When the rate was last cut: a 429 for a request sent before that is the same episode."""
    changed_at: float = -math.inf
    """When the rate last moved, for the additive recovery."""
    refused_at: float = -math.inf
    """When the service last refused a request: a lone 429 is noise, a second one soon after is not."""

    @classmethod
    def parse(cls, text: str, rate: float) -> BudgetState | None:
        """The state a file holds, or None when it holds nothing usable (new, or written by a crash)."""
        try:
            raw = json.loads(text)
            state = cls(rate=float(raw["rate"]), slots=[float(s) for s in raw["slots"]],
                        paused_until=float(raw["paused_until"]), pause_epoch=int(raw["pause_epoch"]),
                        decreased_at=float(raw["decreased_at"]), changed_at=float(raw["changed_at"]),
                        refused_at=float(raw["refused_at"]))
        except (ValueError, TypeError, KeyError):
            return None
        if not (math.isfinite(state.rate) and state.rate > 0):
            return None
        return state

    def dump(self) -> str:
        # -inf is not JSON: a large negative number means "never" just as well
        return json.dumps({k: (-1e18 if isinstance(v, float) and v == -math.inf else v)
                           for k, v in asdict(self).items()})


class Budget(Protocol):
    """Runs a change on the state under a lock that every sharer respects; returns what it returns."""

    def update(self, change: Callable[[BudgetState], T]) -> T: ...


class MemoryBudget:
    """A budget shared by the threads of this process only."""

    def __init__(self, rate: float) -> None:
        self._state = BudgetState(rate=rate)
        self._lock = threading.Lock()

    def update(self, change: Callable[[BudgetState], T]) -> T:
        with self._lock:
            return change(self._state)


class FileBudget:
    """A budget in ``path``, shared by every process (and thread) that opens the same file.

    The file is opened on first use and kept open; each update locks it (``flock``), reads the
    state, applies the change and writes it back: well under a millisecond, at 10 sends a second.
    A file that is missing, empty or unreadable starts a fresh state at ``rate``.
    """

    def __init__(self, path: Path, rate: float) -> None:
        self.path = path
        self._rate = rate
        self._lock = threading.Lock()
        self._file: IO[str] | None = None

    def _open(self) -> IO[str]:
        if self._file is None:
            self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
            self._file = os.fdopen(fd, "r+", encoding="utf-8")
        return self._file

    def update(self, change: Callable[[BudgetState], T]) -> T:
        assert fcntl is not None  # shared_budget() builds none where there is no flock
        with self._lock:
            file = self._open()
            fcntl.flock(file.fileno(), fcntl.LOCK_EX)
            try:
                file.seek(0)
                state = BudgetState.parse(file.read(), self._rate) or BudgetState(rate=self._rate)
                result = change(state)
                file.seek(0)
                file.truncate()
                file.write(state.dump())
                file.flush()
            finally:
                fcntl.flock(file.fileno(), fcntl.LOCK_UN)
            return result

    def close(self) -> None:
        with self._lock:
            if self._file is not None:
                self._file.close()
                self._file = None


def budget_dir(environ: dict[str, str] | None = None) -> Path | None:
    """The folder of the shared budgets: ``$PERSONALIZE_RATE_LIMIT_DIR``, else the user's cache folder
    (``$XDG_CACHE_HOME`` or ``~/.cache``) ``/pulumi-personalize/rate-limits``; None when sharing is
    off (the variable is ``off``, or there is no flock on this platform)."""
    env = os.environ if environ is None else environ
    if fcntl is None:
        return None
    chosen = env.get(BUDGET_DIR_ENV, "").strip()
    if chosen.lower() in ("off", "none", "0", "false"):
        return None
    if chosen:
        return Path(chosen).expanduser()
    cache = env.get("XDG_CACHE_HOME", "").strip() or str(Path.home() / ".cache")
    return Path(cache) / "pulumi-personalize" / "rate-limits"


def shared_budget(key: Sequence[object], rate: float, folder: Path | None) -> Budget:
    """The budget for ``key`` (what identifies the organization: host and credential), in a file of
    ``folder`` when there is one. The file name is a digest of the key and the rate, so the same
    organization configured at another rate gets a budget of its own."""
    if folder is None:
        return MemoryBudget(rate)
    digest = hashlib.sha256()
    for part in (*key, rate):
        digest.update(repr(part).encode())
        digest.update(b"\x00")
    return FileBudget(folder / f"{digest.hexdigest()[:32]}.json", rate)
