"""The engine's side of declared consequences: the preview outputs they describe, the hook called only
for an in-place update, its notes told as warnings naming the resource, and, in the dynamic provider
host, those warnings sent to the engine attached to the resource's URN (a real gRPC ``Engine``
server stands in for the Pulumi engine)."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Iterator, Mapping
from concurrent import futures
from types import SimpleNamespace
from typing import Any

import grpc  # type: ignore[import-untyped]
import pytest
from google.protobuf import empty_pb2
from pulumi.runtime.proto import engine_pb2, engine_pb2_grpc

from pulumi_personalize.contentstack.resources import ATTRIBUTE, EXPERIENCE
from pulumi_personalize.engine import (
    NO_CONSEQUENCES,
    UNKNOWN,
    Consequences,
    EngineProvider,
    ResourceSpec,
    _diagnostics,
    consequences_of,
    register,
)
from pulumi_personalize.engine._base import log

SEEN: list[tuple[dict[str, Any], dict[str, Any]]] = []
"""What the hook below was called with."""


def _hook(olds: Mapping[str, Any], news: Mapping[str, Any]) -> Consequences:
    SEEN.append((dict(olds), dict(news)))
    if news.get("name") == "boom":
        raise KeyError("cms_variant_uids")
    return Consequences(unknown_outputs=frozenset({"latest_version_uid"}), notes=("a new version is made",))


HOOKED: ResourceSpec[Any] = register(dataclasses.replace(EXPERIENCE, name="test.Hooked", module=__name__,
                                                         consequences=_hook))
OLDS = {"name": "Hero", "type": "SEGMENTED", "status": "ACTIVE", "variants": [], "metrics": [],
        "latest_version_uid": "v3", "__provider": "serialized"}


@pytest.fixture
def hooked() -> Iterator[EngineProvider]:
    SEEN.clear()
    yield EngineProvider(HOOKED.name, HOOKED.module)
    SEEN.clear()


# --- Consequences --------------------------------------------------------------------------------------


def test_preview_outputs_mark_exactly_what_the_update_decides() -> None:
    olds = {"name": "A", "latest_version_uid": "v3", "active_version_uid": "v3", "__provider": "x",
            "cms_variant_uids": {"Control": "cs1", "Purple": "cs2"}, "variant_short_uids": {"Control": "0", "Purple": "1"}}
    told = Consequences(
        unknown_outputs=frozenset({"latest_version_uid", "variant_short_uids"}),
        unknown_entries={"cms_variant_uids": frozenset({"Violet"}), "variant_short_uids": frozenset({"Violet"})},
        removed_entries={"cms_variant_uids": frozenset({"Purple"})},
    )
    assert told.preview_outputs(olds, {"name": "B"}) == {
        "name": "B",  # the new inputs over the state's outputs
        "latest_version_uid": UNKNOWN,
        "active_version_uid": "v3",
        "cms_variant_uids": {"Control": "cs1", "Violet": UNKNOWN},
        "variant_short_uids": UNKNOWN,  # wholly unknown beats entries
    }
    assert told.changed_outputs == {"latest_version_uid", "variant_short_uids", "cms_variant_uids"}
    assert olds["cms_variant_uids"] == {"Control": "cs1", "Purple": "cs2"}  # the state is not touched
    sentinel = object()
    assert told.preview_outputs(olds, {}, unknown=sentinel)["latest_version_uid"] is sentinel
    assert NO_CONSEQUENCES.preview_outputs(olds, {"name": "B"}) == {**{k: v for k, v in olds.items()
                                                                       if k != "__provider"}, "name": "B"}


def test_a_resource_without_a_hook_has_no_consequences_and_the_hook_sees_no_internal_keys(hooked: EngineProvider) -> None:
    assert consequences_of(ATTRIBUTE, {"name": "A"}, {"name": "B"}) is NO_CONSEQUENCES
    consequences_of(HOOKED, OLDS, {"name": "Hero", "__provider": "serialized"})
    [(olds, news)] = SEEN
    assert "__provider" not in olds and "__provider" not in news


# --- the dynamic provider's diff -------------------------------------------------------------------------


def warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]


def test_diff_tells_the_notes_of_an_in_place_update_naming_the_resource(
        hooked: EngineProvider, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="pulumi_personalize.engine")
    result = hooked.diff("e1", OLDS, {**OLDS, "status": "PAUSED"})
    assert result.changes is True and result.replaces == []
    assert warnings(caplog) == ["experience 'Hero' (uid e1): a new version is made"]


def test_diff_tells_nothing_for_no_change_a_replace_or_a_resource_without_a_hook(
        hooked: EngineProvider, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="pulumi_personalize.engine")
    assert hooked.diff("e1", OLDS, dict(OLDS)).changes is False
    assert hooked.diff("e1", OLDS, {**OLDS, "type": "AB_TEST"}).replaces == ["type"]
    assert SEEN == []  # not even asked: a replace makes a new object
    attributes = EngineProvider(ATTRIBUTE.name, ATTRIBUTE.module)
    assert attributes.diff("a1", {"name": "A", "key": "a"}, {"name": "B", "key": "a"}).changes is True
    assert warnings(caplog) == []


def test_a_hook_that_fails_never_fails_the_preview(hooked: EngineProvider, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="pulumi_personalize.engine")
    assert hooked.diff("e1", OLDS, {**OLDS, "name": "boom"}).changes is True
    assert warnings(caplog) == ["experience 'boom' (uid e1): the preview cannot tell what this update does beyond "
                                "its changes (KeyError)"]


# --- warnings to the engine, attached to the resource ------------------------------------------------------


class Engine(engine_pb2_grpc.EngineServicer):  # type: ignore[misc]
    """The Pulumi engine's ``Engine`` service, as far as logging goes."""

    def __init__(self) -> None:
        self.logs: list[tuple[int, str, str]] = []

    def Log(self, request: Any, context: Any) -> Any:
        self.logs.append((request.severity, request.message, request.urn))
        return empty_pb2.Empty()


@pytest.fixture
def engine() -> Iterator[Engine]:
    """A real ``Engine`` server the provider process talks to, as the dynamic host's would."""
    served = Engine()
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=1))
    engine_pb2_grpc.add_EngineServicer_to_server(served, server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    before = list(_diagnostics._engine)
    _diagnostics._engine[:] = [_diagnostics.connect(f"127.0.0.1:{port}")]
    yield served
    _diagnostics._engine[:] = before
    server.stop(None)


# The dynamic host's gRPC method, as it calls the provider: a frame of pulumi/dynamic/__main__.py
# holding the request (with the resource's URN) on the calling thread.
_HOST: dict[str, Any] = {}
exec(compile("def Diff(request, call):\n    return call()\n", "site-packages/pulumi/dynamic/__main__.py", "exec"),
     _HOST)
URN = "urn:pulumi:dev::shop::pulumi-python:dynamic/contentstack:Experience::hero"


def test_in_the_host_a_note_goes_to_the_engine_on_the_resource_being_diffed(
        hooked: EngineProvider, engine: Engine) -> None:
    _HOST["Diff"](SimpleNamespace(urn=URN), lambda: hooked.diff("e1", OLDS, {**OLDS, "status": "PAUSED"}))
    assert engine.logs == [(engine_pb2.WARNING, "experience 'Hero' (uid e1): a new version is made", URN)]


def test_any_warning_of_the_package_goes_the_same_way_redacted(engine: Engine) -> None:
    _HOST["Diff"](SimpleNamespace(urn=URN), lambda: log.warning("token %s", "authtoken: abc"))
    log.warning("outside a host call")
    [(severity, message, urn), (_, _, no_urn)] = engine.logs
    assert severity == engine_pb2.WARNING and urn == URN and no_urn == ""
    assert "abc" not in message


def test_the_engine_address_is_the_providers_last_argument() -> None:
    assert _diagnostics.address_in(["127.0.0.1:40003"]) == "127.0.0.1:40003"
    assert _diagnostics.address_in(["--logtostderr", "-v=9", "--tracing", "t:1", "[::1]:5"]) == "[::1]:5"
    assert _diagnostics.address_in(["--logtostderr"]) is None and _diagnostics.address_in([]) is None
    assert _diagnostics.engine_address() is None  # this process is no provider host
    assert _diagnostics.urn_in_flight() == ""


def test_in_a_native_provider_a_note_goes_to_its_engine_on_the_resource_being_diffed(
        hooked: EngineProvider, engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    stub = _diagnostics._engine[0]
    _diagnostics._engine[:] = [None]  # no dynamic host here: the engine the Pulumi settings hold
    import pulumi.runtime.settings

    monkeypatch.setattr(pulumi.runtime.settings, "get_engine", lambda: stub)

    def diff(request: Any) -> None:  # a native provider's method, holding its request
        hooked.diff("e1", OLDS, {**OLDS, "status": "PAUSED"})

    diff(SimpleNamespace(urn=URN))
    assert engine.logs == [(engine_pb2.WARNING, "experience 'Hero' (uid e1): a new version is made", URN)]
