"""Fixtures for the whole suite: one provider factory, one reset, one way to fake the services.

- ``provider(spec, config=None)``: the ``EngineProvider`` of a resource spec, configured as the
  engine configures it, with ``provider_config`` (both services on fake hosts, the emulator's
  credentials) unless a module overrides that fixture or a test passes its own configuration.
- ``reset_process_state`` (autouse): the package keeps listing caches and client pools per process;
  every test starts and ends without them.
- ``emulator_in_process``: the emulator's application served in this process behind an httpx
  transport, answering the fake hosts. Unit tests fake the services with it, at the HTTP boundary
  only; respx routes by hand stay where a test needs one exact exchange or a fault the emulator
  cannot give (an answer lost after the service acted, a dropped connection).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterator, Mapping
from types import TracebackType
from typing import Any, Protocol

import httpx
import pytest
import respx
from pulumi.dynamic import Config, ConfigureRequest

from pulumi_personalize.emulator.app import create_app
from pulumi_personalize.emulator.contentstack.cma import EMULATOR_STACK_API_KEY
from pulumi_personalize.emulator.settings import DEFAULT_ACCESS_TOKEN, DEFAULT_AUTHTOKEN
from pulumi_personalize.engine import LISTINGS, TWIN_LISTINGS, EngineProvider, ResourceSpec
from pulumi_personalize.http import BUDGET_DIR_ENV, clear_client_cache

CS_URL = "https://cs.test"
SC_URL = "https://sc.test"
PROJECT_UID = "project-1"
CONTENTSTACK_AUTHTOKEN = DEFAULT_AUTHTOKEN
SITECORE_ACCESS_TOKEN = DEFAULT_ACCESS_TOKEN
PROVIDER_CONFIG: Mapping[str, str] = {
    "personalize:contentstackBaseUrl": CS_URL,
    "personalize:contentstackProjectUid": PROJECT_UID,
    "personalize:contentstackAuthtoken": CONTENTSTACK_AUTHTOKEN,
    # tests must not be slowed (or confused) by the real-time client-side limiter
    "personalize:contentstackRequestsPerSecond": "0",
    # the stack's Content Management API (cs.VariantGroupContentTypes), on the same fake host
    "personalize:contentstackCmaBaseUrl": CS_URL,
    "personalize:contentstackStackApiKey": EMULATOR_STACK_API_KEY,
    "personalize:sitecoreBaseUrl": SC_URL,
    "personalize:sitecoreAccessToken": SITECORE_ACCESS_TOKEN,
}


Handler = Callable[[httpx.Request], httpx.Response]


class ProviderFactory(Protocol):
    def __call__(self, spec: ResourceSpec[Any], config: Mapping[str, str] | None = None) -> EngineProvider: ...


@pytest.fixture
def provider_config() -> Mapping[str, str]:
    """The stack configuration ``provider`` configures with; a module overrides it for its own values."""
    return PROVIDER_CONFIG


@pytest.fixture
def provider(provider_config: Mapping[str, str]) -> ProviderFactory:
    """``provider(spec, config=None)``: the spec's ``EngineProvider``, configured (``provider_config`` by default)."""

    def make(spec: ResourceSpec[Any], config: Mapping[str, str] | None = None) -> EngineProvider:
        made = EngineProvider(spec.name, spec.module)
        made.configure(ConfigureRequest(Config(dict(provider_config if config is None else config), "proj")))
        return made

    return make


def _forget_process_state() -> None:
    LISTINGS.clear()
    TWIN_LISTINGS.clear()
    clear_client_cache()


@pytest.fixture(autouse=True, scope="session")
def rate_budgets_in_a_temporary_folder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The rate budgets shared by the processes of a machine (a file per organization) go to this
    run's temporary folder, for the test process and the engines it starts, not the user's cache."""
    patch = pytest.MonkeyPatch()
    patch.setenv(BUDGET_DIR_ENV, str(tmp_path_factory.mktemp("rate-limits")))
    yield
    patch.undo()


@pytest.fixture(autouse=True)
def reset_process_state() -> Iterator[None]:
    """No listing cached and no client pooled by one test is seen by the next."""
    _forget_process_state()
    yield
    _forget_process_state()


class EmulatorTransport(httpx.BaseTransport):
    """The emulator's ASGI application behind a synchronous httpx transport, in this process.

    The application runs on one event loop in a thread of its own, so its background jobs (the
    Contentstack ``_cms`` fill) go on between requests, and clients call it from any thread.
    """

    def __init__(self) -> None:
        self._asgi = httpx.ASGITransport(app=create_app())
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="emulator-in-process", daemon=True)
        self._thread.start()

    async def _exchange(self, request: httpx.Request) -> httpx.Response:
        response = await self._asgi.handle_async_request(request)
        body = await response.aread()
        return httpx.Response(response.status_code, headers=response.headers, content=body, request=request)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        request.read()  # a sync body becomes bytes the ASGI side can stream
        return asyncio.run_coroutine_threadsafe(self._exchange(request), self._loop).result(timeout=30)

    def close(self) -> None:
        if self._loop.is_running():
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=10)
        self._loop.close()


class InProcessEmulator:
    """Both services of the emulator on the fake hosts (``CS_URL``, ``SC_URL``) while entered.

    ``router`` is the respx router that hands the package's requests to the emulator: its ``calls``
    are the exchanges as the client saw them. The emulator's control API is reached directly.
    """

    def __init__(self, hosts: tuple[str, ...] = (CS_URL, SC_URL)) -> None:
        self.transport = EmulatorTransport()
        self._intercepts: list[tuple[str, str, Handler]] = []
        self.router = respx.mock(assert_all_called=False)
        for host in hosts:
            self.router.route(host=httpx.URL(host).host).mock(side_effect=self._answer)
        self.control = httpx.Client(transport=self.transport, base_url="http://emulator.test")

    def intercept(self, method: str, path: str, handler: Handler) -> None:
        """``method path`` goes to ``handler`` instead (the latest wins), which may call ``transport``
        itself: for a fault the emulator cannot give, such as an answer lost after it acted."""
        self._intercepts.append((method.upper(), path, handler))

    def _answer(self, request: httpx.Request) -> httpx.Response:
        for method, path, handler in reversed(self._intercepts):
            if request.method == method and request.url.path == path:
                return handler(request)
        return self.transport.handle_request(request)

    def __enter__(self) -> InProcessEmulator:
        self.router.__enter__()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.router.__exit__(exc_type, exc, tb)
        self.control.close()
        self.transport.close()

    def requests(self, *, method: str | None = None, path: str | None = None) -> list[dict[str, Any]]:
        """What the emulator saw (``/_emulator/requests``: credentials redacted, no headers)."""
        params = {k: v for k, v in {"method": method, "path": path}.items() if v}
        response = self.control.get("/_emulator/requests", params=params)
        response.raise_for_status()
        found: list[dict[str, Any]] = response.json()["requests"]
        return found

    def set_faults(self, rules: list[dict[str, Any]]) -> None:
        self.control.put("/_emulator/faults", json={"rules": rules}).raise_for_status()


@pytest.fixture
def emulator_in_process() -> Iterator[InProcessEmulator]:
    """A fresh emulator answering ``CS_URL`` and ``SC_URL`` in this process."""
    with InProcessEmulator() as emulator:
        yield emulator
