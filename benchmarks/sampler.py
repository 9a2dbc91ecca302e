"""Where the dynamic provider process spends its time: a sampling profiler of every thread.

The provider process serves the engine's calls on gRPC worker threads, which ``cProfile`` (one
thread) does not see. This runs ``python -m pulumi.dynamic`` under a sampler thread that reads
every thread's stack (``sys._current_frames``) every ``interval`` seconds, counts each function once
per sample it appears in (inclusive) and the innermost frame (self), and writes the counts to
``$PERSONALIZE_PROFILE_OUT`` every second (the engine stops the process without an orderly exit).

Use: ``PULUMI_PYTHON_CMD=<a script running "python -m benchmarks.sampler" with the arguments>``,
which the dynamic-provider launcher in ``.tools/bin`` honours; ``python -m benchmarks --profile``
does it for the floor runs and prints the top functions; it also samples the benchmark process
itself, where the Automation API runs the inline program (the resources' registration).
"""

from __future__ import annotations

import collections
import json
import os
import runpy
import sys
import threading
import time
from pathlib import Path
from typing import Any

OUT_ENV = "PERSONALIZE_PROFILE_OUT"
# innermost frames of threads with nothing to do: gRPC's polling loop, idle pool workers, the main thread
_IDLE = ("grpc/_server.py:_serve", "thread.py:_worker", "threading.py:wait", ":wait_for_termination", ":select")
# innermost frames of a request blocked on I/O or a lock
_WAITING = ("sync.py:read", "sync.py:write", "_adaptive.py:acquire", "_ratelimit.py:acquire", ":_wait_for_tstate_lock")


def _where(code: Any) -> str:
    filename = code.co_filename
    for marker in ("site-packages/", "pulumi_personalize/", "benchmarks/", "lib/python"):
        if marker in filename:
            filename = filename.split(marker, 1)[1] if marker.endswith("/") else filename
            if marker == "pulumi_personalize/":
                filename = "pulumi_personalize/" + filename
            break
    return f"{filename}:{code.co_name}"


class Sampler:
    def __init__(self, out: Path, interval: float = 0.002) -> None:
        self.out = out
        self.interval = interval
        self.samples = 0
        self.busy = 0
        self.waiting = 0
        self.inclusive: collections.Counter[str] = collections.Counter()
        self.self_: collections.Counter[str] = collections.Counter()
        self._me = 0
        self._stop = threading.Event()

    def _sample(self) -> None:
        self.samples += 1
        for ident, frame in sys._current_frames().items():
            if ident == self._me:
                continue
            top = _where(frame.f_code)
            if top.endswith(_IDLE):
                continue  # a thread waiting for work: no request is in it
            if top.endswith(_WAITING):
                self.waiting += 1  # a request waiting on the network (the emulator's answer) or a lock
            self.busy += 1
            self.self_[top] += 1
            seen = set()
            while frame is not None:
                name = _where(frame.f_code)
                if name not in seen:
                    seen.add(name)
                    self.inclusive[name] += 1
                frame = frame.f_back  # type: ignore[assignment]

    def _dump(self) -> None:
        data = {"samples": self.samples, "busy": self.busy, "waiting": self.waiting, "interval": self.interval,
                "self": self.self_.most_common(60), "inclusive": self.inclusive.most_common(120)}
        tmp = self.out.with_suffix(".tmp")
        tmp.write_text(json.dumps(data))
        tmp.replace(self.out)

    def run(self) -> None:
        self._me = threading.get_ident()
        last = time.monotonic()
        while not self._stop.wait(self.interval):
            self._sample()
            if time.monotonic() - last >= 1.0:
                self._dump()
                last = time.monotonic()
        self._dump()

    def stop(self) -> None:
        """Stop sampling and write what was seen (in-process use; the provider process never stops it)."""
        self._stop.set()


def main() -> None:
    out = os.environ.get(OUT_ENV)
    # called as the launcher calls python: [-u] -m pulumi.dynamic ARGS...
    args = [a for a in sys.argv[1:] if a != "-u"]
    if args[:2] != ["-m", "pulumi.dynamic"]:
        raise SystemExit("usage: python -m benchmarks.sampler [-u] -m pulumi.dynamic ARGS")
    if out:
        sampler = Sampler(Path(f"{out}.{os.getpid()}.json"))
        threading.Thread(target=sampler.run, daemon=True, name="sampler").start()
    sys.argv = ["pulumi.dynamic", *args[2:]]
    runpy.run_module("pulumi.dynamic", run_name="__main__", alter_sys=True)


def report(prefix: str, top: int = 25) -> str:
    """The merged counts of every profile written under ``prefix``, as a text table."""
    self_: collections.Counter[str] = collections.Counter()
    inclusive: collections.Counter[str] = collections.Counter()
    busy = waiting = 0
    interval = 0.002
    for path in Path(prefix).parent.glob(Path(prefix).name + ".*.json"):
        data = json.loads(path.read_text())
        busy += data["busy"]
        waiting += data["waiting"]
        interval = data["interval"]
        self_.update(dict(data["self"]))
        inclusive.update(dict(data["inclusive"]))
    lines = [f"thread-seconds in requests: {busy * interval:.1f}, of which waiting on the network or a lock: "
             f"{waiting * interval:.1f}", "", "inclusive:"]
    lines += [f"  {n / max(busy, 1):6.1%}  {name}" for name, n in inclusive.most_common(top)]
    lines += ["", "self:"]
    lines += [f"  {n / max(busy, 1):6.1%}  {name}" for name, n in self_.most_common(top)]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
