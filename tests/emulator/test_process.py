"""The emulator as a process: command line, addresses, persistence, restarts, concurrency."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from pulumi_personalize.emulator.testing import EmulatorError, EmulatorHandle, running_emulator


def test_command_line_prints_the_address_and_writes_the_address_file(tmp_path: Path) -> None:
    address_file = tmp_path / "addr"
    process = subprocess.Popen(
        [sys.executable, "-m", "pulumi_personalize.emulator", "--port", "0", "--host", "127.0.0.1",
         "--state", str(tmp_path / "s.json"), "--address-file", str(address_file)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        line = process.stdout.readline().strip()
        assert line.startswith("http://127.0.0.1:") and int(line.rsplit(":", 1)[1]) > 0
        assert address_file.read_text().strip() == line
        assert httpx.get(line + "/_emulator/health").json()["status"] == "ok"
    finally:
        process.terminate()
        assert process.wait(timeout=10) == 0


def test_console_script_help() -> None:
    script = shutil.which("personalize-emulator") or str(Path(sys.executable).parent / "personalize-emulator")
    result = subprocess.run([script, "--help"], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0 and "--state" in result.stdout and "--faults" in result.stdout


def test_two_processes_on_different_ports_have_separate_worlds(tmp_path: Path) -> None:
    with running_emulator(state_file=tmp_path / "a.json") as a, running_emulator(state_file=tmp_path / "b.json") as b:
        assert a.base_url != b.base_url
        headers = a.contentstack_headers()
        httpx.post(a.base_url + "/events", headers=headers, json={"key": "a"}).raise_for_status()
        assert len(httpx.get(a.base_url + "/events", headers=headers).json()) == 1
        assert httpx.get(b.base_url + "/events", headers=headers).json() == []


def test_restart_with_the_same_state_file_serves_the_same_objects(tmp_path: Path) -> None:
    state = tmp_path / "world" / "state.json"
    with running_emulator(state_file=state) as emu:
        cs = httpx.Client(base_url=emu.base_url, headers=emu.contentstack_headers())
        sc = httpx.Client(base_url=emu.base_url, headers=emu.sitecore_headers())
        experience = cs.post("/experiences", json={"name": "Home", "__type": "AB_TEST"}).json()
        attribute = cs.post("/attributes", json={"name": "A", "key": "a"}).json()
        connection_body = {"name": "C", "auth": {"authType": "NONE"}, "systemType": "DATA_SYSTEM",
                           "request": {"requestType": "GET", "connectionUrl": "https://c.example.com"}}
        connection = sc.post("/v2/connections", json=connection_body).json()
        sc.put(f"/v2/connections/{connection['ref']}", json={**connection_body, "name": "C2"}).raise_for_status()
        token = httpx.post(emu.base_url + "/oauth/token", data={
            "grant_type": "client_credentials", "client_id": "emulator-client",
            "client_secret": "emulator-secret", "audience": "https://api.sitecorecloud.io"}).json()["access_token"]
        before = {
            "experience": cs.get(f"/experiences/{experience['uid']}").json(),
            "attributes": cs.get("/attributes").json(),
            "connection": sc.get(f"/v2/connections/{connection['ref']}").json(),
            "priority": cs.get("/experiences-priority").json(),
        }
        cs.close()
        sc.close()
        first_url = emu.base_url
        emu.flush()  # the file is written behind the requests; flush makes it current
        saved = json.loads(state.read_text())
        assert attribute["uid"] in json.dumps(saved)
        assert not [p for p in state.parent.iterdir() if p.name != "state.json"]  # no temp files left behind
        emu.restart()
        with httpx.Client(base_url=emu.base_url, headers=emu.contentstack_headers()) as cs2, \
                httpx.Client(base_url=emu.base_url, headers={"Authorization": f"Bearer {token}"}) as sc2:
            after_connection = sc2.get(f"/v2/connections/{connection['ref']}").json()  # issued token still valid
            after_connection["href"] = after_connection["href"].replace(emu.base_url, first_url)
            assert after_connection == before["connection"] and after_connection["revision"] == 2
            assert cs2.get(f"/experiences/{experience['uid']}").json() == before["experience"]
            assert cs2.get("/attributes").json() == before["attributes"]
            assert cs2.get("/experiences-priority").json() == before["priority"]


def test_reset_empties_the_state_file(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    with running_emulator(state_file=state) as emu:
        httpx.post(emu.base_url + "/events", headers=emu.contentstack_headers(),
                   json={"key": "a"}).raise_for_status()
        emu.reset()
        assert json.loads(state.read_text())["contentstack"]["projects"] == {}
        emu.restart()
        assert httpx.get(emu.base_url + "/events", headers=emu.contentstack_headers()).json() == []


def test_without_a_state_file_the_world_is_in_memory(tmp_path: Path) -> None:
    with running_emulator() as emu:
        assert emu.health()["state"] is None
        httpx.post(emu.base_url + "/events", headers=emu.contentstack_headers(),
                   json={"key": "a"}).raise_for_status()
        emu.restart()
        assert httpx.get(emu.base_url + "/events", headers=emu.contentstack_headers()).json() == []


def test_concurrent_writes_are_all_kept(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    with running_emulator(state_file=state) as emu, httpx.Client(
            base_url=emu.base_url, headers=emu.contentstack_headers(),
            limits=httpx.Limits(max_connections=16)) as cs:
        def create(i: int) -> int:
            return cs.post("/events", json={"key": f"e{i}"}).status_code

        with ThreadPoolExecutor(max_workers=16) as pool:
            statuses = list(pool.map(create, range(80)))
        assert statuses == [201] * 80
        assert len(cs.get("/events").json()) == 80
        emu.flush()
        saved = json.loads(state.read_text())
        assert len(next(iter(saved["contentstack"]["projects"].values()))["events"]) == 80


def test_unknown_paths_are_json_404s(emulator: EmulatorHandle) -> None:
    response = httpx.get(emulator.base_url + "/nope", headers=emulator.contentstack_headers())
    assert response.status_code == 404 and response.json()["message"] == "Cannot GET /nope"
    response = httpx.get(emulator.base_url + "/v3/templates/x/nope", headers=emulator.sitecore_headers())
    assert response.status_code == 404 and response.json()["status"] == 404 and response.json()["code"] == "NOT_FOUND"


def test_handle_exposes_client_environment(emulator: EmulatorHandle) -> None:
    env = emulator.client_env("c" * 24)
    assert env["PERSONALIZE_BASE_URL"] == emulator.base_url
    assert env["SITECORE_PERSONALIZE_TOKEN_URL"] == emulator.base_url + "/oauth/token"
    assert env["CONTENTSTACK_PERSONALIZE_PROJECT_UID"] == "c" * 24


def test_faults_and_rate_limit_from_a_file(tmp_path: Path) -> None:
    faults = tmp_path / "faults.json"
    faults.write_text(json.dumps({"rateLimit": 3, "rules": [{"path": "^/v3/", "status": 500}]}))
    with running_emulator(extra_args=["--faults", str(faults)]) as emu:
        assert emu.faults()["rateLimit"] == 3
        assert httpx.get(emu.base_url + "/v3/templates", headers=emu.sitecore_headers()).status_code == 500
        statuses = [httpx.get(emu.base_url + "/events", headers=emu.contentstack_headers()).status_code
                    for _ in range(4)]
        assert statuses == [200, 200, 200, 429]


def test_a_process_that_cannot_start_is_reported_with_its_output() -> None:
    with pytest.raises(EmulatorError, match=r"(?s)exited with 2: .*error: --faults"):
        running_emulator(extra_args=["--faults", "{not json"])


def test_accepted_connections_turn_nagle_off() -> None:
    """A response is written as headers, then body: with Nagle on, the body waits for the client's
    delayed ACK (40 ms on Linux) and every request took 44 ms. asyncio turns Nagle off only on
    sockets whose protocol says TCP, so that is what the listening socket must say."""
    import asyncio
    import socket

    from pulumi_personalize.emulator.__main__ import _listen

    async def accept_one() -> int:
        listening, base_url = _listen("127.0.0.1", 0)
        accepted: asyncio.Future[int] = asyncio.get_running_loop().create_future()

        class Probe(asyncio.Protocol):
            def connection_made(self, transport: asyncio.BaseTransport) -> None:
                sock = transport.get_extra_info("socket")
                accepted.set_result(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
                transport.close()

        server = await asyncio.get_running_loop().create_server(Probe, sock=listening)
        port = int(base_url.rsplit(":", 1)[1])
        with socket.create_connection(("127.0.0.1", port)):
            value = await asyncio.wait_for(accepted, timeout=10)
        server.close()
        await server.wait_closed()
        return value

    assert asyncio.run(accept_one()) != 0


def test_the_state_file_is_written_behind_and_flush_makes_it_current(tmp_path: Path) -> None:
    """Writes from many threads, then ``flush()``: the file holds every one of them, is what the
    store holds, and a second flush with nothing new leaves the file alone."""
    from pulumi_personalize.emulator.state import Store

    path = tmp_path / "state.json"
    store = Store(path)

    def write(i: int) -> None:
        with store.mutate() as data:
            data["sitecore"]["templates"][f"ref-{i}"] = {"ref": f"ref-{i}", "n": i}

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(write, range(200)))
    store.flush()
    saved = json.loads(path.read_text())
    assert saved == store.snapshot() and len(saved["sitecore"]["templates"]) == 200
    before = path.stat().st_mtime_ns, path.stat().st_ino
    store.flush()
    assert (path.stat().st_mtime_ns, path.stat().st_ino) == before
    assert Store(path).snapshot() == store.snapshot()


def test_the_writer_rests_between_writes_and_flush_does_not_wait_for_it(tmp_path: Path) -> None:
    """After a write the writer rests (a multiple of the write's time, within bounds) before it writes
    again: changes made meanwhile wait for the rest's end, or for ``flush()``, which writes at once."""
    import threading

    from pulumi_personalize.emulator import state
    from pulumi_personalize.emulator.state import Store

    resting, wake = threading.Event(), threading.Event()
    rests: list[float] = []

    def rest(seconds: float) -> None:  # holds the writer until the test lets it go
        rests.append(seconds)
        resting.set()
        assert wake.wait(10)
        wake.clear()

    path = tmp_path / "state.json"
    store = Store(path, rest=rest)
    with store.mutate() as data:
        data["sitecore"]["templates"]["first"] = {"ref": "first"}
    assert resting.wait(10)  # the writer wrote the first change and rests
    assert "first" in path.read_text() and state.MIN_REST_S <= rests[0] <= state.MAX_REST_S
    resting.clear()

    with store.mutate() as data:
        data["sitecore"]["templates"]["second"] = {"ref": "second"}
    assert "second" not in path.read_text()  # not while the writer rests
    store.flush()
    assert "second" in path.read_text()  # flush writes at once
    with store.mutate() as data:
        data["sitecore"]["templates"]["third"] = {"ref": "third"}
    wake.set()  # the rest ends: the writer writes what is pending, then rests again
    assert resting.wait(10)
    assert json.loads(path.read_text()) == store.snapshot() and len(rests) == 2
    wake.set()
