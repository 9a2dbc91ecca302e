"""The emulator's clock: the only place it reads the time.

Real by default. A test moves it forward (``advance``), sets it (``set``) or stops it (``freeze``),
in process or over ``POST /_emulator/clock``, so nothing time-based needs a sleep on the wall clock:
rate-limit windows, the Contentstack ``_cms`` background job, token expiry, timestamps and fault
latency all read this object. Listeners (``on_change``) run after every move, so work that became
due (the ``_cms`` job) happens at once, without waiting for a read.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

from .waiting import Changes


class Clock:
    """Wall time plus an offset, optionally frozen. Thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._offset = 0.0
        self._frozen_at: float | None = None  # real monotonic reading when frozen
        self._listeners: list[Callable[[], None]] = []
        self._changes = Changes()
        self._sleepers = 0

    # --- reading ----------------------------------------------------------------------------------

    def monotonic(self) -> float:
        """Seconds on a clock that never goes back by itself (moves with ``advance``/``set``)."""
        with self._lock:
            base = self._frozen_at if self._frozen_at is not None else time.monotonic()
            return base + self._offset

    def time(self) -> float:
        """Epoch seconds."""
        return self.monotonic() + _EPOCH_MINUS_MONOTONIC

    def iso(self) -> str:
        """UTC timestamp in RFC 3339 form with milliseconds, e.g. ``2024-05-01T12:00:00.123Z``."""
        moment = datetime.fromtimestamp(self.time(), timezone.utc)
        return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")

    @property
    def frozen(self) -> bool:
        return self._frozen_at is not None

    # --- moving -----------------------------------------------------------------------------------

    def advance(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError("the clock only moves forward")
        with self._lock:
            self._offset += seconds
        self._moved()

    def set(self, epoch_seconds: float) -> None:
        """Moves the clock to ``epoch_seconds`` (forward or back: a test may want either)."""
        with self._lock:
            base = self._frozen_at if self._frozen_at is not None else time.monotonic()
            self._offset = epoch_seconds - _EPOCH_MINUS_MONOTONIC - base
        self._moved()

    def freeze(self, frozen: bool = True) -> None:
        """Stops the clock where it is (``advance`` still moves it), or lets it run again from there."""
        with self._lock:
            now = time.monotonic()
            if frozen and self._frozen_at is None:
                self._frozen_at = now
            elif not frozen and self._frozen_at is not None:
                self._offset += self._frozen_at - now  # resumes from the reading it was frozen at
                self._frozen_at = None
        self._moved()

    def reset(self) -> None:
        """Back to the real time, running."""
        with self._lock:
            self._offset = 0.0
            self._frozen_at = None
        self._moved()

    def on_change(self, listener: Callable[[], None]) -> None:
        self._listeners.append(listener)

    def to_json(self) -> dict[str, Any]:
        return {"now": self.iso(), "epoch": self.time(), "frozen": self.frozen, "sleepers": self.sleepers}

    def _moved(self) -> None:
        for listener in list(self._listeners):
            listener()
        self._changes.notify()

    # --- waiting ---------------------------------------------------------------------------------

    async def sleep(self, seconds: float) -> None:
        """Returns once this clock has moved ``seconds`` on: real time when it runs, an ``advance``
        when it is frozen (a test holds a slow request, then lets it go)."""
        deadline = self.monotonic() + seconds
        with self._lock:
            self._sleepers += 1
        self._changes.notify()
        try:
            await self._changes.wait_for(lambda: self.monotonic() >= deadline,
                                         lambda: None if self.frozen else deadline - self.monotonic())
        finally:
            with self._lock:
                self._sleepers -= 1
            self._changes.notify()

    @property
    def sleepers(self) -> int:
        """How many ``sleep`` calls wait on this clock (a test moves the clock once they are there)."""
        return self._sleepers

    async def until_sleepers(self, count: int, timeout: float) -> bool:
        """Whether ``count`` sleeps wait on this clock within ``timeout`` real seconds (a bounded wait)."""
        deadline = time.monotonic() + timeout
        return await self._changes.wait_for(lambda: self._sleepers >= count, lambda: deadline - time.monotonic())


# Fixed once per process: a running clock reads both from the monotonic clock, so a change of the
# system time while the emulator runs does not make it jump.
_EPOCH_MINUS_MONOTONIC = time.time() - time.monotonic()


def parse_moment(value: Any) -> float:
    """Epoch seconds from a number or an ISO-8601 date-time (``Z`` or an offset)."""
    if isinstance(value, bool):
        raise ValueError("must be epoch seconds or an ISO-8601 date-time")
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=timezone.utc)
        return moment.timestamp()
    raise ValueError("must be epoch seconds or an ISO-8601 date-time")
