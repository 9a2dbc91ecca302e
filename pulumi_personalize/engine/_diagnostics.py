"""Warnings to the Pulumi engine from a provider process, attached to the resource being served, so
that they show in the output of ``pulumi preview`` and ``up`` under that resource.

The dynamic provider host never connects to the engine: ``pulumi.log`` there only writes to the
process's stderr, which the engine passes on unattached, to its own stderr. But the engine starts
every provider with its address as the last argument, and serves ``Engine.Log`` there; the host's
gRPC method (``Diff``, ``Update``, ...) holds the request, with the resource's URN, on the stack of
the thread that calls the provider (``docs/facts/pulumi.md#host-log``). A native provider is
connected (its Pulumi settings hold the engine), but ``pulumi.log`` attaches a message to a resource
only given a ``Resource`` object, which a provider has not: the URN is found the same way.
"""

from __future__ import annotations

import re
import sys
import threading
from typing import Any

_ADDRESS_RE = re.compile(r"^(?:[A-Za-z0-9.\-]+|\[[0-9A-Fa-f:]+\]):\d+$")
_LOCK = threading.Lock()
LOG_TIMEOUT_SECONDS = 10.0
"""How long a warning may wait for the engine before it goes to stderr instead."""
_engine: list[Any] = []  # [stub], or [None] once it is known that there is no engine to talk to


def engine_address() -> str | None:
    """The engine's address when this process is the dynamic provider host it started."""
    main = sys.modules.get("__main__")
    if getattr(getattr(main, "__spec__", None), "name", None) != "pulumi.dynamic.__main__":
        return None
    return address_in(sys.argv[1:])


def address_in(args: list[str]) -> str | None:
    """The engine's address among a provider's arguments: the last one (flags come first)."""
    return args[-1] if args and _ADDRESS_RE.match(args[-1]) else None


def urn_in_flight() -> str:
    """The URN of the provider request being served on this thread (``""`` outside one): the
    ``request`` of the gRPC method that called in (the dynamic host's ``Diff(self, request, context)``,
    a native provider's ``diff(self, request)``)."""
    frame = sys._getframe(1)
    while frame is not None:
        urn = getattr(frame.f_locals.get("request"), "urn", None)
        if isinstance(urn, str) and urn.startswith("urn:pulumi:"):
            return urn
        frame = frame.f_back  # type: ignore[assignment]
    return ""


def connect(address: str) -> Any:
    """An ``Engine`` client for the engine at ``address``."""
    import grpc
    from pulumi.runtime.proto import engine_pb2_grpc

    return engine_pb2_grpc.EngineStub(grpc.insecure_channel(address))  # log messages are small: no options


def _stub() -> Any:
    with _LOCK:
        if not _engine:
            address = engine_address()
            _engine.append(None if address is None else connect(address))
        return _engine[0]


def warn_engine(message: str) -> bool:
    """Send a warning to the engine, attached to the resource in flight; whether it was sent. In the
    dynamic host, always (its own channel); in another process whose Pulumi settings hold an engine
    (a native provider), when a resource is in flight; otherwise not (``pulumi.log`` does as well)."""
    from pulumi.runtime.proto import engine_pb2

    urn = urn_in_flight()
    stub = _stub()
    try:
        if stub is not None:
            stub.Log(engine_pb2.LogRequest(severity=engine_pb2.WARNING, message=message, urn=urn),
                     timeout=LOG_TIMEOUT_SECONDS)
            return True
        if not urn:
            return False
        from pulumi.runtime.settings import get_engine

        engine = get_engine()
        if engine is None:
            return False
        engine.Log(engine_pb2.LogRequest(severity=engine_pb2.WARNING, message=message, urn=urn))
    except Exception:  # the engine went away: stderr is what is left
        return False
    return True
