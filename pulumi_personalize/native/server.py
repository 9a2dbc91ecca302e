"""The gRPC server of the plugin: the SDK's servicer, with three of its defects fixed.

- Every failed call's message gets the provider's Python stack appended (``_raise_with_traceback``):
  the engine shows it to the user. Here the message is the operation's own line alone.
- DiffConfig answers "no change" whatever the provider says (a bool where the protocol wants its
  enum), so a resource moved to an explicit provider of another tenant would not be replaced.
- Read always answers properties, even for an id the provider found gone, so ``pulumi import`` of a
  missing id "succeeds" with an empty resource: a gone object answers no properties here
  (``docs/facts/pulumi.md#native-provider``).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
from collections.abc import Awaitable, Callable
from typing import Any

import grpc
import grpc.aio
from pulumi.provider.experimental.property_value import PropertyValue
from pulumi.provider.experimental.provider import DiffRequest, Provider
from pulumi.provider.experimental.server import ProviderServicer
from pulumi.runtime import proto, settings
from pulumi.runtime._grpc_settings import _GRPC_CHANNEL_OPTIONS
from pulumi.runtime.proto import provider_pb2_grpc

_TRIMMED = ("GetSchema", "CheckConfig", "Configure", "Check", "Diff", "Create", "Update", "Delete", "Invoke")


async def _one_line(call: Callable[[Any, Any], Awaitable[Any]], request: Any, context: Any) -> Any:
    try:
        return await call(request, context)
    except NotImplementedError:
        raise
    except Exception as exc:
        # the SDK re-raises the provider's error with its stack: report the error itself
        original = exc.__context__ if exc.__context__ is not None else exc
        await context.abort(grpc.StatusCode.UNKNOWN, str(original))


class Servicer(ProviderServicer):
    async def Read(self, request: Any, context: Any) -> Any:
        response = await _one_line(super().Read, request, context)
        if not response.id:
            return proto.ReadResponse()  # gone: no properties, so the engine drops it or fails the import
        return response


    async def DiffConfig(self, request: Any, context: Any) -> Any:
        """The SDK's own answers a diff's ``changes`` as a bool (True reads as DIFF_NONE) and fails on
        any detailed diff: a changed tenant would never replace what it serves."""

        async def diff(request: Any, _context: Any) -> Any:
            answer = await self._provider.diff_config(DiffRequest(
                request.urn, request.id, PropertyValue.unmarshal_map(request.olds),
                PropertyValue.unmarshal_map(request.news), list(request.ignoreChanges)))
            changes = proto.DiffResponse.DIFF_SOME if answer.changes else proto.DiffResponse.DIFF_NONE
            return proto.DiffResponse(changes=changes, replaces=answer.replaces, diffs=answer.diffs,
                                      deleteBeforeReplace=False)

        return await _one_line(diff, request, context)


def _trimmed(name: str) -> Callable[..., Awaitable[Any]]:
    async def method(self: Servicer, request: Any, context: Any) -> Any:
        return await _one_line(getattr(ProviderServicer, name).__get__(self), request, context)

    method.__name__ = name
    return method


for _name in _TRIMMED:
    setattr(Servicer, _name, _trimmed(_name))


def main(args: list[str], version: str, provider: Provider) -> None:
    """Serve ``provider`` on a free local port and tell the engine which (the plugin protocol)."""
    parser = argparse.ArgumentParser(description="pulumi-resource-personalize: the personalize provider plugin")
    parser.add_argument("engine", help="the Pulumi engine's address")
    parser.add_argument("--logflow", action="store_true")
    parser.add_argument("--logtostderr", action="store_true")
    known, _ = parser.parse_known_args(args)
    # pulumi.log (the engine's warnings: a preview's consequences, a delete's note) reaches the engine
    settings.reset_options(engine_address=known.engine)

    async def serve() -> None:
        server = grpc.aio.server(options=_GRPC_CHANNEL_OPTIONS)
        provider_pb2_grpc.add_ResourceProviderServicer_to_server(
            Servicer(args, version, provider, engine_address=known.engine), server)
        port = server.add_insecure_port(address="127.0.0.1:0")
        await server.start()
        sys.stdout.buffer.write(f"{port}\n".encode())
        sys.stdout.buffer.flush()
        await server.wait_for_termination()

    with contextlib.suppress(KeyboardInterrupt):  # the engine stops plugins with a signal
        asyncio.run(serve())
