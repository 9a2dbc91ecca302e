"""Start the emulator as a real subprocess for tests and demos.

::

    from pulumi_personalize.emulator.testing import running_emulator

    with running_emulator(state_file=tmp_path / "state.json") as emu:
        httpx.get(emu.base_url + "/attributes", headers=emu.contentstack_headers("p1"))
        emu.set_faults([{"path": "^/attributes", "status": 503, "times": 2}])
        emu.requests()          # what the emulator saw (credentials redacted)
        emu.reset()             # empty world, empty log, start-up faults

``running_emulator`` returns an already started :class:`EmulatorHandle`; using it as a context
manager stops the process on exit, otherwise call ``stop()``.
"""

from __future__ import annotations

import contextlib
import os
import selectors
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

import httpx

from .settings import (
    DEFAULT_ACCESS_TOKEN,
    DEFAULT_AUTHTOKEN,
    DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET,
    DEFAULT_OAUTH_TOKEN,
)

DEFAULT_PROJECT_UID = "0123456789abcdef01234567"


class EmulatorError(RuntimeError):
    pass


class EmulatorHandle:
    """A running emulator process."""

    def __init__(self, *, state_file: str | os.PathLike[str] | None = None, faults: Any = None,
                 rate_limit: float | None = None, token_ttl: int | None = None,
                 extra_args: Sequence[str] = (), env: Mapping[str, str] | None = None,
                 startup_timeout: float = 20.0) -> None:
        self.state_file = Path(state_file) if state_file is not None else None
        self.faults_at_start = faults
        self.rate_limit = rate_limit
        self.token_ttl = token_ttl
        self.extra_args = list(extra_args)
        self.env = dict(env or {})
        self.startup_timeout = startup_timeout
        self._workdir = Path(tempfile.mkdtemp(prefix="personalize-emulator-"))
        self._process: subprocess.Popen[bytes] | None = None
        self._log_handle: Any = None
        self.base_url = ""
        self._client: httpx.Client | None = None

    # --- lifecycle --------------------------------------------------------------------------------

    @property
    def log_file(self) -> Path:
        return self._workdir / "emulator.log"

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process else None

    def start(self) -> EmulatorHandle:
        if self._process is not None:
            raise EmulatorError("the emulator is already running")
        import json

        self._workdir.mkdir(parents=True, exist_ok=True)
        cmd = [sys.executable, "-m", "pulumi_personalize.emulator", "--host", "127.0.0.1", "--port", "0"]
        if self.state_file is not None:
            cmd += ["--state", str(self.state_file)]
        if self.faults_at_start is not None:
            cmd += ["--faults", json.dumps(self.faults_at_start)]
        if self.rate_limit is not None:
            cmd += ["--rate-limit", str(self.rate_limit)]
        if self.token_ttl is not None:
            cmd += ["--token-ttl", str(self.token_ttl)]
        cmd += self.extra_args
        self._log_handle = open(self.log_file, "ab")  # noqa: SIM115 - closed in stop()
        # stdout carries one line, the base URL, once the emulator listens; its logs go to the file
        self._process = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=self._log_handle,
                                         env={**os.environ, **self.env})
        announced = _first_line(self._process, self.startup_timeout)
        if announced is None:
            code, output = self._process.poll(), self.output()
            self.stop(keep_files=code is not None)
            if code is not None:
                raise EmulatorError(f"the emulator exited with {code}: {output}")
            raise EmulatorError(f"the emulator did not start within {self.startup_timeout}s: {output}")
        self.base_url = announced
        self._client = httpx.Client(base_url=self.base_url, timeout=10.0)
        self.health()
        return self

    def stop(self, *, keep_files: bool = False) -> None:
        """Terminate the process (SIGTERM, then SIGKILL after 10 s) and remove its scratch folder."""
        if self._client is not None:
            self._client.close()
            self._client = None
        process, self._process = self._process, None
        if process is not None and process.stdout is not None:
            process.stdout.close()
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
        if self._log_handle is not None:
            self._log_handle.close()
            self._log_handle = None
        if not keep_files:
            shutil.rmtree(self._workdir, ignore_errors=True)

    def restart(self) -> EmulatorHandle:
        """Stop and start again (same state file; the port may change)."""
        self.stop(keep_files=True)
        return self.start()

    def output(self) -> str:
        try:
            return self.log_file.read_text(errors="replace")[-4000:]
        except OSError:
            return ""

    def __enter__(self) -> EmulatorHandle:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    # --- control API ------------------------------------------------------------------------------

    def _control(self) -> httpx.Client:
        if self._client is None:
            raise EmulatorError("the emulator is not running")
        return self._client

    def health(self) -> dict[str, Any]:
        response = self._control().get("/_emulator/health")
        response.raise_for_status()
        result: dict[str, Any] = response.json()
        return result

    def reset(self) -> None:
        self._control().post("/_emulator/reset").raise_for_status()

    def flush(self) -> None:
        """Have the state file hold every change made so far (it is written behind the requests;
        every control call, this one included, and the emulator's stop write it)."""
        self._control().post("/_emulator/flush").raise_for_status()

    def set_faults(self, rules: Any = None, *, seed: int | None = None, rate_limit: float | None = None,
                   draws: str | None = None) -> dict[str, Any]:
        """Replace the fault configuration: a list of rules, or a whole ``{"rules": ...}`` object."""
        config: dict[str, Any] = dict(rules) if isinstance(rules, Mapping) else {"rules": list(rules or [])}
        if seed is not None:
            config["seed"] = seed
        if rate_limit is not None:
            config["rateLimit"] = rate_limit
        if draws is not None:
            config["draws"] = draws
        response = self._control().put("/_emulator/faults", json=config)
        response.raise_for_status()
        result: dict[str, Any] = response.json()
        return result

    def clear_faults(self) -> None:
        self.set_faults({"rules": [], "rateLimit": None})

    def faults(self) -> dict[str, Any]:
        result: dict[str, Any] = self._control().get("/_emulator/faults").json()
        return result

    def requests(self, *, method: str | None = None, path: str | None = None) -> list[dict[str, Any]]:
        params = {k: v for k, v in {"method": method, "path": path}.items() if v}
        response = self._control().get("/_emulator/requests", params=params)
        response.raise_for_status()
        result: list[dict[str, Any]] = response.json()["requests"]
        return result

    def clear_requests(self) -> None:
        self._control().delete("/_emulator/requests").raise_for_status()

    def wait_for_requests(self, count: int, *, method: str | None = None, path: str | None = None,
                          pattern: str | None = None, timeout: float = 10.0) -> list[dict[str, Any]]:
        """The matching requests once at least ``count`` were answered, or after ``timeout`` seconds
        (the emulator waits on its log; compare the length)."""
        params: dict[str, Any] = {k: v for k, v in {"method": method, "path": path, "pattern": pattern}.items() if v}
        params.update(count=count, timeout=timeout)
        response = self._control().get("/_emulator/requests", params=params, timeout=timeout + 10)
        response.raise_for_status()
        result: list[dict[str, Any]] = response.json()["requests"]
        return result

    def wait_idle(self, *, timeout: float = 10.0, quiet: float = 0.5) -> bool:
        """Whether the emulator became idle (nothing in flight, nothing new for ``quiet`` s) in time."""
        response = self._control().get("/_emulator/idle", params={"timeout": timeout, "quiet": quiet},
                                       timeout=timeout + 10)
        response.raise_for_status()
        return bool(response.json()["idle"])

    # --- the emulator's clock -------------------------------------------------------------------------

    def clock(self) -> dict[str, Any]:
        result: dict[str, Any] = self._control().get("/_emulator/clock").json()
        return result

    def move_clock(self, *, advance: float | None = None, now: float | str | None = None,
                   frozen: bool | None = None) -> dict[str, Any]:
        """Moves the emulator's clock (``POST /_emulator/clock``): rate-limit windows, the ``_cms`` job,
        token expiry and timestamps follow it. ``reset()`` puts it back to the real time."""
        body = {k: v for k, v in {"advance": advance, "now": now, "frozen": frozen}.items() if v is not None}
        response = self._control().post("/_emulator/clock", json=body)
        response.raise_for_status()
        result: dict[str, Any] = response.json()
        return result

    def advance_clock(self, seconds: float) -> dict[str, Any]:
        return self.move_clock(advance=seconds)

    # --- credentials --------------------------------------------------------------------------------

    @staticmethod
    def contentstack_headers(project_uid: str = DEFAULT_PROJECT_UID, *, oauth: bool = False) -> dict[str, str]:
        if oauth:
            return {"authorization": f"Bearer {DEFAULT_OAUTH_TOKEN}", "x-project-uid": project_uid}
        return {"authtoken": DEFAULT_AUTHTOKEN, "x-project-uid": project_uid}

    @staticmethod
    def sitecore_headers(token: str = DEFAULT_ACCESS_TOKEN) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}"}

    def client_env(self, project_uid: str = DEFAULT_PROJECT_UID) -> dict[str, str]:
        """Environment variables that point the provider (docs/internals.md) at this emulator."""
        return {
            "PERSONALIZE_BASE_URL": self.base_url,
            "CONTENTSTACK_PERSONALIZE_BASE_URL": self.base_url,
            "CONTENTSTACK_PERSONALIZE_PROJECT_UID": project_uid,
            "CONTENTSTACK_AUTHTOKEN": DEFAULT_AUTHTOKEN,
            "SITECORE_PERSONALIZE_BASE_URL": self.base_url,
            "SITECORE_PERSONALIZE_TOKEN_URL": f"{self.base_url}/oauth/token",
            "SITECORE_PERSONALIZE_CLIENT_ID": DEFAULT_CLIENT_ID,
            "SITECORE_PERSONALIZE_CLIENT_SECRET": DEFAULT_CLIENT_SECRET,
        }


def running_emulator(state_file: str | os.PathLike[str] | None = None, faults: Any = None, *,
                     rate_limit: float | None = None, token_ttl: int | None = None,
                     extra_args: Sequence[str] = (), env: Mapping[str, str] | None = None) -> EmulatorHandle:
    """Start an emulator subprocess on a free port and return its handle (also a context manager)."""
    return EmulatorHandle(state_file=state_file, faults=faults, rate_limit=rate_limit, token_ttl=token_ttl,
                          extra_args=extra_args, env=env).start()


def _first_line(process: subprocess.Popen[bytes], timeout: float) -> str | None:
    """The first line the process writes to stdout, waiting at most ``timeout`` seconds for it (a bounded
    wait on the pipe, not a poll); ``None`` when the process ends or the time runs out first."""
    assert process.stdout is not None
    deadline = time.monotonic() + timeout
    received = b""
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        while b"\n" not in received and (left := deadline - time.monotonic()) > 0:
            if not selector.select(left):
                continue
            chunk = os.read(process.stdout.fileno(), 4096)
            if not chunk:  # end of file: the process is exiting; let it finish so its code is known
                with contextlib.suppress(subprocess.TimeoutExpired):
                    process.wait(timeout=10)
                return None
            received += chunk
    line = received.split(b"\n", 1)[0].decode("utf-8", "replace").strip()
    return line or None
