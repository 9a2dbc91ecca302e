"""A failed operation reaches the user as one line: in the dynamic provider host (``python -m
pulumi.dynamic``), whose SDK 3.260+ formats a provider error with ``traceback.format_exc()``, the
provider leaves only the exception line. Anywhere else (a program, this test run) nothing changes."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from pulumi.dynamic import Config, ConfigureRequest

from pulumi_personalize.engine import EngineProvider

# What the host does with a provider error, run in a process whose __main__ is the host's module.
HOST = textwrap.dedent(
    """
    import traceback
    from pulumi.dynamic import Config, ConfigureRequest
    from pulumi_personalize.engine import EngineProvider, ResourceOperationError

    EngineProvider("contentstack.Attribute", "pulumi_personalize.contentstack.resources").configure(
        ConfigureRequest(Config({}, "p")))
    try:
        raise ResourceOperationError("attribute 'Plan'", "create", "HTTP 400 Bad Request")
    except Exception:
        print(traceback.format_exc(), end="")
    """
)


def test_host_reports_the_exception_line_alone() -> None:
    # `python -c` with __main__'s spec set as `python -m pulumi.dynamic` sets it.
    program = ("import sys, importlib.util; "
               "sys.modules['__main__'].__spec__ = importlib.util.find_spec('pulumi.dynamic.__main__'); "
               f"exec({HOST!r})")
    result = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, check=True, timeout=60)
    assert result.stdout == (
        "pulumi_personalize.engine.ResourceOperationError: create attribute 'Plan' failed: HTTP 400 Bad Request\n")


def test_other_processes_keep_their_tracebacks() -> None:
    EngineProvider("contentstack.Attribute", "pulumi_personalize.contentstack.resources").configure(
        ConfigureRequest(Config({}, "p")))
    assert not hasattr(sys, "tracebacklimit")
