"""A program may declare more resources than the SDK's pickler wrapping would allow."""

from __future__ import annotations

import subprocess
import sys
import textwrap

# Run in a child process: set_mocks changes process-wide runtime settings (pulumi.log among them).
PROGRAM = textwrap.dedent(
    """
    import pickle
    import pulumi
    from pulumi_personalize import contentstack as cs

    class Mocks(pulumi.runtime.Mocks):
        def new_resource(self, args):
            return f"{args.name}-id", dict(args.inputs)

        def call(self, args):
            return {}, None

    def wrapper_depth():
        fn = pickle._Pickler._batch_setitems
        depth = 0
        while getattr(fn, "__qualname__", "") != "_Pickler._batch_setitems":
            fn = next(c.cell_contents for c in fn.__closure__ if callable(c.cell_contents))
            depth += 1
        return depth

    pulumi.runtime.set_mocks(Mocks(), preview=False)
    for i in range(1100):
        cs.Event(f"event-{i}", key=f"event_{i}")
    print("depth", wrapper_depth())
    """
)


def test_more_than_a_thousand_resources_in_one_program() -> None:
    # Without the engine's reset, the 981st dynamic resource fails with RecursionError (SDK 3.259).
    result = subprocess.run([sys.executable, "-c", PROGRAM], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split()[-1] in ("0", "1")
