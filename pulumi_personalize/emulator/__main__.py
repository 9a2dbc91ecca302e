"""``python -m pulumi_personalize.emulator`` / ``personalize-emulator``: serve both APIs locally."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import signal
import socket
import sys
from pathlib import Path
from typing import Any

from .settings import EmulatorSettings


def parse_faults(value: str | None) -> Any:
    """``--faults`` takes inline JSON or the path of a JSON file."""
    if not value:
        return None
    text = value.strip()
    if not text.startswith(("{", "[")):
        text = Path(value).read_text(encoding="utf-8")
    return json.loads(text)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="personalize-emulator",
        description="Local emulator of the Sitecore Personalize and Contentstack Personalize APIs.",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port (default)")
    parser.add_argument("--state", default=None, help="JSON state file (in memory when omitted)")
    parser.add_argument("--address-file", default=None, help="write the base URL here once listening")
    parser.add_argument("--faults", default=None, help="fault configuration: JSON text or a JSON file")
    parser.add_argument("--rate-limit", type=float, default=None,
                        help="Contentstack requests per second per organization (off when omitted)")
    parser.add_argument("--client-id", default=None, help="Sitecore OAuth client id (emulator-client)")
    parser.add_argument("--client-secret", default=None, help="Sitecore OAuth client secret (emulator-secret)")
    parser.add_argument("--access-token", default=None,
                        help="static Sitecore bearer token accepted besides issued ones (emulator-access-token)")
    parser.add_argument("--authtoken", default=None, help="Contentstack authtoken (emulator-authtoken)")
    parser.add_argument("--oauth-token", default=None, help="Contentstack OAuth token (emulator-oauth-token)")
    parser.add_argument("--token-ttl", type=int, default=None,
                        help="lifetime in seconds of issued Sitecore access tokens (86400)")
    parser.add_argument("--log-level", default="warning")
    return parser


def _settings_and_app(parser: argparse.ArgumentParser, args: argparse.Namespace) -> Any:
    """The application the arguments and ``PERSONALIZE_EMULATOR_*`` variables describe."""
    try:
        faults = parse_faults(args.faults)
    except (OSError, ValueError) as exc:
        parser.error(f"--faults: {exc}")
    from .app import create_app
    from .common import ApiError

    settings = EmulatorSettings.from_env(
        state_path=args.state, sitecore_client_id=args.client_id, sitecore_client_secret=args.client_secret,
        sitecore_access_token=args.access_token, contentstack_authtoken=args.authtoken,
        contentstack_oauth_token=args.oauth_token, token_ttl=args.token_ttl,
    )
    rate_limit = args.rate_limit
    if rate_limit is None and os.environ.get("PERSONALIZE_EMULATOR_RATE_LIMIT"):
        rate_limit = float(os.environ["PERSONALIZE_EMULATOR_RATE_LIMIT"])
    try:
        return create_app(settings, faults=faults, rate_limit=rate_limit or None)
    except ApiError as exc:
        parser.error(f"--faults: {exc.message}: {exc.field_errors}")


def _listen(host: str, port: int) -> tuple[socket.socket, str]:
    """A bound, listening socket (port 0: a free one) and the base URL it serves."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP, not the default 0: asyncio turns Nagle off (TCP_NODELAY) only on accepted sockets
    # whose proto says TCP. With Nagle on, each response, written as headers then body, waited for the
    # client's delayed ACK: 44 ms per request instead of under 1 ms on loopback.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(128)
    sock.set_inheritable(True)
    shown = f"[{host}]" if family == socket.AF_INET6 else host
    return sock, f"http://{shown}:{sock.getsockname()[1]}"


def _announce(base_url: str, address_file: str | None) -> None:
    if address_file:  # written first: whoever reads the stdout line finds the file too
        target = Path(address_file)
        tmp = target.with_name(target.name + ".tmp")
        tmp.write_text(base_url + "\n", encoding="utf-8")
        os.replace(tmp, target)
    print(base_url, flush=True)


def main(argv: list[str] | None = None) -> None:
    parser = build_parser()
    args = parser.parse_args(argv)
    app = _settings_and_app(parser, args)
    import uvicorn

    sock, base_url = _listen(args.host, args.port)
    config = uvicorn.Config(app, log_level=args.log_level, access_log=False, lifespan="off",
                            timeout_graceful_shutdown=2)
    server = uvicorn.Server(config)

    async def announce() -> None:
        while not server.started:  # uvicorn has no start hook: this polls its flag, at start-up only
            if server.should_exit:
                return
            await asyncio.sleep(0.01)
        _announce(base_url, args.address_file)

    async def serve() -> None:
        task = asyncio.create_task(announce())
        await server.serve(sockets=[sock])
        task.cancel()

    if hasattr(signal, "SIGTERM"):
        signal.signal(signal.SIGTERM, lambda *_: setattr(server, "should_exit", True))
    try:
        with contextlib.suppress(KeyboardInterrupt):
            asyncio.run(serve())
    finally:
        app.flush()  # the changes the writer thread had not written yet
    sys.exit(0)


if __name__ == "__main__":
    main()
