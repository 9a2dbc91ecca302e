"""Shared fixtures for the unit tests: fake time for retries, settings builders (the reset is in tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest

from pulumi_personalize.config import (
    ContentstackSettings,
    SitecoreSettings,
    load_contentstack_settings,
    load_sitecore_settings,
)
from pulumi_personalize.http import RetryPolicy

CS_URL = "https://cs.test"
SC_URL = "https://sc.test"
TOKEN_URL = "https://auth.test/oauth/token"
# Fixed "now" for Retry-After dates: Wed, 21 Oct 2015 07:28:00 GMT.
WALL_NOW = 1445412480.0


@dataclass
class FakeTime:
    """A monotonic clock that only moves when something sleeps (or a test advances it)."""

    now: float = 1000.0
    sleeps: list[float] = field(default_factory=list)

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    def clock(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def fake_time() -> FakeTime:
    return FakeTime()


@pytest.fixture
def policy(fake_time: FakeTime) -> RetryPolicy:
    # random() == 1.0 makes full jitter return its ceiling, so backoff is predictable.
    return RetryPolicy(
        max_attempts=5,
        base_delay=0.5,
        max_delay=8.0,
        max_total_wait=60.0,
        sleep=fake_time.sleep,
        random=lambda: 1.0,
        clock=fake_time.clock,
        wall_clock=lambda: WALL_NOW,
    )


def _cs_settings(**overrides: str) -> ContentstackSettings:
    config = {
        "personalize:contentstackBaseUrl": CS_URL,
        "personalize:contentstackProjectUid": "project-uid-1",
        "personalize:contentstackAuthtoken": "cs-authtoken-SECRET-1",
        # Retry tests must not be slowed (or confused) by the real-time client-side limiter.
        "personalize:contentstackRequestsPerSecond": "0",
    }
    config.update({f"personalize:{k}": v for k, v in overrides.items()})
    return load_contentstack_settings({k: v for k, v in config.items() if v}, environ={})


def _sc_settings(**overrides: str) -> SitecoreSettings:
    config = {
        "personalize:sitecoreBaseUrl": SC_URL,
        "personalize:sitecoreTokenUrl": TOKEN_URL,
        "personalize:sitecoreClientId": "sc-client-id",
        "personalize:sitecoreClientSecret": "sc-client-SECRET-2",
    }
    config.update({f"personalize:{k}": v for k, v in overrides.items()})
    return load_sitecore_settings({k: v for k, v in config.items() if v}, environ={})


@pytest.fixture
def cs_settings() -> Callable[..., ContentstackSettings]:
    """Build Contentstack settings through the real loader; keyword overrides are stack config keys."""
    return _cs_settings


@pytest.fixture
def sc_settings() -> Callable[..., SitecoreSettings]:
    """Build Sitecore settings (client credentials) through the real loader."""
    return _sc_settings
