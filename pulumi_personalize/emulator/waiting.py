"""Waiting on a condition without sleeping on the wall clock: an event loop task waits until another
thread or task says something changed (``notify``), then checks its condition again."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Callable


class Changes:
    """Wakes every waiter, in whatever event loop it waits, on each ``notify``."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._waiters: set[tuple[asyncio.AbstractEventLoop, asyncio.Event]] = set()

    def notify(self) -> None:
        with self._lock:
            waiters = list(self._waiters)
        for loop, event in waiters:
            loop.call_soon_threadsafe(event.set)

    async def wait_for(self, done: Callable[[], bool], timeout: Callable[[], float | None]) -> bool:
        """Returns ``True`` once ``done()`` holds, ``False`` when ``timeout()`` (seconds left, ``None``
        for no limit) runs out first. Both are asked again after every change."""
        loop = asyncio.get_running_loop()
        while True:
            event = asyncio.Event()
            entry = (loop, event)
            with self._lock:  # registered before the check: a change in between still wakes us
                self._waiters.add(entry)
            try:
                if done():
                    return True
                left = timeout()
                if left is not None and left <= 0:
                    return False
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(event.wait(), left)
            finally:
                with self._lock:
                    self._waiters.discard(entry)
