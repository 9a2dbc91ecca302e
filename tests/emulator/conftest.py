"""Fixtures: one emulator subprocess per test session, reset before every test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from pulumi_personalize.emulator.testing import DEFAULT_PROJECT_UID, EmulatorHandle, running_emulator


@pytest.fixture(scope="session")
def emulator_session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmulatorHandle]:
    state = tmp_path_factory.mktemp("emulator") / "state.json"
    with running_emulator(state_file=state) as emu:
        yield emu


@pytest.fixture
def emulator(emulator_session: EmulatorHandle) -> Iterator[EmulatorHandle]:
    """A running emulator with an empty world, an empty request log and no faults."""
    emulator_session.reset()
    yield emulator_session
    emulator_session.reset()


@pytest.fixture
def cs(emulator: EmulatorHandle) -> Iterator[httpx.Client]:
    """Contentstack client for project ``DEFAULT_PROJECT_UID``."""
    with httpx.Client(base_url=emulator.base_url, headers=emulator.contentstack_headers(DEFAULT_PROJECT_UID),
                      timeout=10) as client:
        yield client


@pytest.fixture
def sc(emulator: EmulatorHandle) -> Iterator[httpx.Client]:
    """Sitecore client with the static bearer token."""
    with httpx.Client(base_url=emulator.base_url, headers=emulator.sitecore_headers(), timeout=10) as client:
        yield client


@pytest.fixture
def state_path(tmp_path: Path) -> Path:
    return tmp_path / "state.json"
