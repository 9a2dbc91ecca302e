"""The adaptive client-side rate limit: a send schedule whose rate follows what the service says.

The design is AIMD, as in TCP and in the AWS SDKs' adaptive retry mode: the rate starts at the
service's documented ceiling, is cut multiplicatively when the service refuses a request with 429,
and grows back additively with time. The refused request waits its ``Retry-After`` (or, without
one, about one window of the service), with jitter, so that limiters on other machines do not retry
in step; a ``Retry-After`` longer than the window holds back every sender of the budget. Across processes of one machine the budget is one file
(``_budget.FileBudget``); across machines nothing is shared and the cuts alone make the sum of the
rates fall under the service's limit.

What never changes with adaptation is the ceiling: at most ``floor(ceiling)`` sends in any window of
``1 s + margin``, the guarantee of ``RateLimiter`` (see its docstring for the margin), here over
every process sharing the budget (no margin where no service counts: ``new_limiter``).
"""

from __future__ import annotations

import math
import random as _random
import time
from collections.abc import Callable
from typing import Protocol, runtime_checkable

from ._budget import Budget, BudgetState, MemoryBudget
from ._ratelimit import RateLimiter, sliding_window

__all__ = ["AdaptiveLimit", "AdaptiveLimiter"]

_MAX_BACKLOG = 600.0
"""A reserved slot further ahead than this comes from a clock that jumped or a broken file: dropped."""


@runtime_checkable
class AdaptiveLimit(Protocol):
    """A limiter that listens to the service: the transport tells it of each 429."""

    def acquire(self) -> float: ...

    def now(self) -> float:
        """The limiter's clock, read when a request is sent (``throttled``'s ``sent``)."""
        ...

    def throttled(self, sent: float, retry_after: float | None) -> float:
        """The service refused a request sent at ``sent`` with 429, asking for ``retry_after`` s if it
        said; returns the seconds that request waits before its next turn."""
        ...


class AdaptiveLimiter:
    """The schedule of one budget (an organization's), shared through ``budget``.

    * ``ceiling``: the service's rate, never exceeded (sends per second, over every sharer).
    * ``cap``: this process's own ceiling (``personalize:maxRequestsPerSecond``), below the shared one.
    * ``decrease``: the factor of a cut, made on the second 429 within two windows (a lone one is
      timing noise), at most once per episode (a 429 of a request sent before the last cut is the
      same congestion, already answered).
    * ``recovery``: sends per second regained per second after a cut (by default a twentieth of
      the ceiling: from 70% back to full in 6 s). Each machine recovers on its own, so k machines
      probe k times as fast: slower recovery means fewer 429s, faster means less idle capacity.
    * ``floor``: the lowest rate a cut reaches.
    * ``jitter``: a pause lasts ``Retry-After * (1 + jitter * U)``; without ``Retry-After``, one
      window * ``(1 - jitter * U)``.

    ``clock`` must be one that every sharer of a file agrees on (wall time, the default).
    """

    def __init__(
        self,
        ceiling: float,
        *,
        budget: Budget | None = None,
        cap: float | None = None,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
        random: Callable[[], float] = _random.random,
        margin: float = 0.05,
        decrease: float = 0.7,
        recovery: float | None = None,
        floor: float | None = None,
        jitter: float = 0.2,
        max_pause: float = 60.0,
    ) -> None:
        self.limit, self.window = sliding_window(ceiling, margin)
        if cap is not None:
            sliding_window(cap, margin)  # the same checks, for the cap
        if not (0 < decrease < 1) or not (0 <= jitter <= 1):
            raise ValueError("decrease must be in (0, 1), jitter in [0, 1]")
        self.ceiling = ceiling
        self.margin = margin
        self.decrease = decrease
        self.recovery = ceiling / 20 if recovery is None else recovery
        self.floor = min(ceiling, ceiling / 100 if floor is None else floor)
        self.jitter = jitter
        self.max_pause = max_pause
        self.clock = clock
        self._sleep = sleep
        self._random = random
        self.budget = budget if budget is not None else MemoryBudget(ceiling)
        self._cap = RateLimiter(cap, clock=clock, sleep=sleep, margin=margin) if cap and cap < ceiling else None

    def now(self) -> float:
        return self.clock()

    @property
    def cap(self) -> float | None:
        """This process's own ceiling, where it is below the shared one."""
        return self._cap.rate if self._cap is not None else None

    @property
    def rate(self) -> float:
        """The rate the schedule allows now (recovery applied)."""
        now = self.clock()

        def read(state: BudgetState) -> float:
            self._recover(state, now)
            return state.rate

        return self.budget.update(read)

    def acquire(self) -> float:
        """Block until the caller may send; return the seconds waited.

        The slot is reserved under the budget's lock and slept outside it (FIFO across threads and
        processes). A caller who slept through a new pause reserves again: its old slot predates
        what the service just said.
        """
        waited = self._cap.acquire() if self._cap is not None else 0.0
        while True:
            now = self.clock()
            slot, epoch = self.reserve(now)
            wait = slot - now
            if wait <= 0:
                return waited
            self._sleep(wait)
            waited += wait
            if self.confirm(slot, epoch, self.clock()):
                return waited

    def reserve(self, now: float) -> tuple[float, int]:
        """Reserve the next send slot: (its time, the pause epoch it was reserved in)."""
        return self.budget.update(lambda state: self._reserve(state, now))

    def confirm(self, slot: float, epoch: int, woke: float) -> bool:
        """At the slot's time: False when a pause came meanwhile (reserve again). A caller woken later
        than the margin allows (a busy machine) sends later than its slot said: the schedule records
        when it really sends (less the margin), so the sends a window later keep their distance."""

        def check(state: BudgetState) -> bool:
            if state.pause_epoch != epoch:
                return False
            # the margin absorbs lateness up to itself; beyond it, the next window must keep its distance
            if woke - slot > self.margin and slot in state.slots:
                state.slots.remove(slot)
                state.slots.append(woke - self.margin)
                state.slots.sort()
            return True

        return self.budget.update(check)

    def throttled(self, sent: float, retry_after: float | None) -> float:
        """Slow down after a 429; return how long the refused request waits before its next turn.

        The refused request waits ``Retry-After`` (about one window when there is none), with
        jitter. Every other sender waits too only when the service asks for longer than its own
        counting window: a longer ``Retry-After`` speaks for the organization, while a 429 within
        the window is one request too many, which the cut of the rate answers.
        """
        now = self.clock()
        if retry_after is not None:
            wait = min(retry_after, self.max_pause) * (1 + self.jitter * self._random())
        else:  # the service's window is likely full: let it pass, some sharers a little sooner
            wait = self.window * (1 - self.jitter * self._random())

        def change(state: BudgetState) -> None:
            # a lone 429 is timing noise (a send that reached the service late, next to the next
            # window's): the refused request waits, the rate stays. A second within two windows is
            # too many senders: cut, once per episode (a 429 of a request sent before the cut is
            # the same congestion, already answered).
            if sent >= state.decreased_at and now - state.refused_at <= 2 * self.window:
                self._recover(state, now)
                state.rate = max(self.floor, state.rate * self.decrease)
                state.decreased_at = state.changed_at = now
            state.refused_at = now
            if retry_after is not None and retry_after > self.window and now + wait > state.paused_until:
                state.paused_until = now + wait
                state.pause_epoch += 1
                # the callers holding later slots will reserve again (the epoch moved): free them
                state.slots = [slot for slot in state.slots if slot <= now]

        self.budget.update(change)
        return wait

    def _recover(self, state: BudgetState, now: float) -> None:
        start = max(state.changed_at, state.paused_until)
        if now > start:
            state.rate = min(self.ceiling, state.rate + self.recovery * (now - start))
            state.changed_at = now
        state.rate = min(self.ceiling, max(self.floor, state.rate))

    def _reserve(self, state: BudgetState, now: float) -> tuple[float, int]:
        if state.slots and state.slots[-1] > now + _MAX_BACKLOG:
            state.slots.clear()
        state.paused_until = min(state.paused_until, now + self.max_pause * 2)
        self._recover(state, now)
        # at least half the rate's interval apart: the service answers a burst one request after the
        # other, and a burst counted late crowds the next window's first sends into a 429
        slot = max(now, state.paused_until, state.slots[-1] + 0.5 / state.rate if state.slots else now)
        # ``floor(rate)`` sends per ``floor(rate) / rate`` s (+ margin): catching up after a quiet
        # spell, as the engine hands requests over in clumps; and never more than the ceiling
        burst = max(1, math.floor(state.rate))
        if len(state.slots) >= burst:
            slot = max(slot, state.slots[-burst] + burst / state.rate + self.margin)
        if len(state.slots) >= self.limit:
            slot = max(slot, state.slots[-self.limit] + self.window)
        state.slots.append(slot)
        del state.slots[: -self.limit]
        return slot, state.pause_epoch
