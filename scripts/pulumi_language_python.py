"""A minimal Pulumi language host for Python programs, used with the CLI built by install-pulumi.

Why this exists: the Go module proxy serves the Pulumi CLI (`pkg/v3`) but refuses the separate
module of the official Python language host, so `pulumi up` of a Python project has no host to
start. The engine only needs a gRPC `LanguageRuntime` that prints its port and, on `Run`, executes
the program against the resource monitor it is given. This host does exactly that, in the virtual
environment it is started from; it does not manage virtual environments or install dependencies
(the repository's setup does). A real Pulumi installation brings its own host and never uses this.

The engine starts it as `pulumi-language-python [flags] ENGINE_ADDRESS` and reads the port from the
first line of stdout.
"""

from __future__ import annotations

import asyncio
import importlib.metadata
import logging
import os
import runpy
import signal
import sys
import threading
import traceback
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import suppress
from typing import Any

import grpc
from pulumi import log
from pulumi.errors import RunError
from pulumi.runtime import reset_options, run_in_stack, set_all_config
from pulumi.runtime.proto import language_pb2, language_pb2_grpc, plugin_pb2

# The engine's RPC messages can be large (a stack's whole config); match the engine's own limit.
_MAX_MESSAGE = 400 * 1024 * 1024
# Only one program runs per host process (the engine starts a host per operation); the lock keeps
# the process-global Pulumi runtime settings from being shared by two runs if it ever were not so.
_RUN_LOCK = threading.Lock()


def _program_path(request: Any) -> str:
    """The file or directory to execute, resolved like the official host: entry point under pwd."""
    info = request.info
    program_dir = info.program_directory or request.pwd or os.getcwd()
    entry = info.entry_point or request.program or "."
    return os.path.normpath(os.path.join(program_dir, entry))


class PythonLanguageHost(language_pb2_grpc.LanguageRuntimeServicer):
    def __init__(self, engine_address: str) -> None:
        self._engine_address = engine_address

    def GetPluginInfo(self, request: Any, context: Any) -> Any:
        # The SDK's version (the official host reports its own, which is the same release); the
        # pulumi package has no __version__, so `pulumi about` showed "unknown" without this.
        return plugin_pb2.PluginInfo(version=importlib.metadata.version("pulumi"))

    def GetRequiredPlugins(self, request: Any, context: Any) -> Any:
        # Dynamic providers need no plugin download: `pulumi-resource-pulumi-python` is on PATH.
        return language_pb2.GetRequiredPluginsResponse()

    def GetRequiredPackages(self, request: Any, context: Any) -> Any:
        return language_pb2.GetRequiredPackagesResponse()

    def About(self, request: Any, context: Any) -> Any:
        version = ".".join(str(part) for part in sys.version_info[:3])
        return language_pb2.AboutResponse(executable=sys.executable, version=version)

    def GetProgramDependencies(self, request: Any, context: Any) -> Any:
        return language_pb2.GetProgramDependenciesResponse()

    def InstallDependencies(self, request: Any, context: Any) -> Iterator[Any]:
        # Dependencies are installed by the repository's setup into this interpreter's venv.
        return iter(())

    def Run(self, request: Any, context: Any) -> Any:
        with _RUN_LOCK:
            return self._run(request)

    def _run(self, request: Any) -> Any:
        program = _program_path(request)
        reset_options(
            project=request.project,
            stack=request.stack,
            root_directory=request.info.root_directory or None,
            parallel=request.parallel,
            engine_address=self._engine_address,
            monitor_address=request.monitor_address,
            preview=request.dryRun,
            organization=request.organization or "organization",
        )
        set_all_config(dict(request.config), list(request.configSecretKeys) or None)

        def execute() -> None:
            # Like `python program`: the program's directory is importable and is the cwd.
            program_dir = program if os.path.isdir(program) else os.path.dirname(program)
            if program_dir not in sys.path:
                sys.path.insert(0, program_dir)
            os.chdir(request.pwd or program_dir)
            runpy.run_path(program, run_name="__main__")

        loop = asyncio.new_event_loop()
        # Pulumi runs resource registrations on the loop's default executor.
        loop.set_default_executor(ThreadPoolExecutor(max_workers=max(request.parallel, 1) * 4))
        response = language_pb2.RunResponse()
        try:
            loop.run_until_complete(run_in_stack(execute))
        except RunError as exc:
            log.error(str(exc))
            response.error = str(exc)
            response.bail = True
        except grpc.RpcError as exc:
            if exc.code() != grpc.StatusCode.UNAVAILABLE:  # the monitor going away is a normal end
                response.error = f"RPC error: {exc.details()}"
        except SystemExit as exc:
            if exc.code not in (None, 0):
                response.error = f"program exited with status {exc.code}"
        except BaseException as exc:  # the program's own error: reported, never kills the host
            message = f"Program failed with an unhandled exception:\n{traceback.format_exc()}"
            log.error(message)
            response.error = str(exc) or type(exc).__name__
            response.bail = True
        finally:
            pending = asyncio.all_tasks(loop)
            for task in pending:
                task.cancel()
                with suppress(asyncio.CancelledError, Exception):
                    loop.run_until_complete(task)
            loop.close()
            sys.stdout.flush()
            sys.stderr.flush()
        return response


def main(argv: list[str]) -> int:
    # Flags such as -tracing or -root come first; the engine address is always last.
    positional = [arg for arg in argv if not arg.startswith("-")]
    engine_address = positional[-1] if positional else ""
    logging.getLogger("asyncio").setLevel(logging.CRITICAL)

    server = grpc.server(
        ThreadPoolExecutor(max_workers=4),
        options=[
            ("grpc.max_receive_message_length", _MAX_MESSAGE),
            ("grpc.max_send_message_length", _MAX_MESSAGE),
        ],
    )
    language_pb2_grpc.add_LanguageRuntimeServicer_to_server(PythonLanguageHost(engine_address), server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    print(port, flush=True)
    # The engine ends its plugins with SIGINT when it is done with them: that is a normal stop.
    stopped = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stopped.set())
    # An engine killed outright (SIGKILL, a crash) cannot signal us: leave when it is gone, rather
    # than linger as an orphan holding a port.
    engine_pid = os.getppid()
    while not stopped.wait(timeout=1.0):
        if os.getppid() != engine_pid:
            break
    server.stop(grace=1).wait(2)
    sys.stdout.flush()
    sys.stderr.flush()
    # Not a normal interpreter exit: a program thread still blocked on the (gone) engine would keep
    # the process alive while the interpreter waits for it.
    os._exit(0)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
