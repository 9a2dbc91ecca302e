"""Every secret the suite uses is searched for everywhere a user or an operator could see it.

Secrets: the Contentstack authtoken and OAuth token, the Sitecore client secret, a connection's
password, OAuth client secret and API key, a wrong token that the service refuses, and the password
of a connection whose test fails. Places: `pulumi stack export` (as a user runs it), the file
backend's files, the engine's output with --debug, the engine's own logs at -v=9 with --logflow
(to stderr, and to log files in TMPDIR), the provider process's log (DEBUG, through a
sitecustomize that only adds a file handler), and every error message. Expected: zero occurrences,
except in the engine's own -v=9 trace of RPC property values (see engine_rpc_trace).
"""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import pytest
from pulumi import automation as auto

from tests.e2e.conftest import (
    CONTENTSTACK_AUTHTOKEN,
    REPO,
    SITECORE_CLIENT_SECRET,
    E2EStack,
    StackFactory,
)

pytestmark = pytest.mark.e2e


CONTENTSTACK_OAUTH_TOKEN = "emulator-oauth-token"
PASSWORD = "pw-Secr3t-e2e-7f3a91"
CLIENT_SECRET = "cs-Secr3t-e2e-0b7d44"
API_KEY = "ak-Secr3t-e2e-5c2e18"
FAILING_PASSWORD = "pw-Fail-Secr3t-93ab11"
WRONG_TOKEN = "wrong-Secr3t-token-4411"

SECRETS = {
    "contentstack authtoken": CONTENTSTACK_AUTHTOKEN,
    "contentstack oauth token": CONTENTSTACK_OAUTH_TOKEN,
    "sitecore client secret": SITECORE_CLIENT_SECRET,
    "connection password": PASSWORD,
    "connection client secret": CLIENT_SECRET,
    "connection api key": API_KEY,
    "failing connection password": FAILING_PASSWORD,
    "refused token": WRONG_TOKEN,
}

SITECUSTOMIZE = """
import logging, os
_path = os.environ.get("PERSONALIZE_TEST_PROVIDER_LOG")
if _path:
    _handler = logging.FileHandler(_path)
    _handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
    _logger = logging.getLogger("pulumi_personalize")
    _logger.setLevel(logging.DEBUG)
    _logger.addHandler(_handler)
"""


def program() -> None:
    from pulumi_personalize import contentstack as cs
    from pulumi_personalize import sitecore as sc

    cs.Attribute("plan", name="Plan", key="plan")  # authtoken (personalize namespace)
    cs.Event("signup", key="signup", config_namespace="oauthns")  # OAuth token
    def oauth(name: str, secret: str, url: str = "https://oauth.example.com", verify: bool = False) -> None:
        sc.Connection(name, name=name, system_type="DATA_SYSTEM", verify=verify,
                      request=sc.ConnectionRequestArgs(connection_url=url),
                      auth=sc.ConnectionAuthArgs(auth_type="OAUTH", client_id="cid", client_secret=secret,
                                                 access_token_url="https://auth.example.com/token"))

    oauth("basic", PASSWORD)
    oauth("oauth", CLIENT_SECRET)
    oauth("apikey", API_KEY)
    # Failures whose messages are searched too: a connection test that fails, a token refused.
    oauth("failing", FAILING_PASSWORD, url="https://fail.example.com", verify=True)
    cs.Attribute("refused", name="Refused", key="refused", config_namespace="wrongns")


@pytest.fixture
def secret_stack(stack_factory: StackFactory, tmp_path: Path) -> tuple[E2EStack, Path, Path]:
    logs = tmp_path / "engine-logs"
    logs.mkdir()
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(textwrap.dedent(SITECUSTOMIZE))
    provider_log = tmp_path / "provider.log"
    stack = stack_factory(
        program,
        {
            "oauthns:contentstackProjectUid": "secretsoauthproject000001",
            "oauthns:contentstackOauthToken": auto.ConfigValue(CONTENTSTACK_OAUTH_TOKEN, secret=True),
            "wrongns:contentstackProjectUid": "secretswrongproject000001",
            "wrongns:contentstackAuthtoken": auto.ConfigValue(WRONG_TOKEN, secret=True),
        },
        env={
            "TMPDIR": str(logs),  # where the engine writes its log files
            "PYTHONPATH": f"{site}:{REPO}",
            "PERSONALIZE_TEST_PROVIDER_LOG": str(provider_log),
        },
    )
    return stack, logs, provider_log


def engine_rpc_trace(line: str) -> bool:
    """The engine's own -v=9 trace of gRPC property values ("Marshaling property for RPC[...]:
    value={...}"): Pulumi v3.259 writes secret values there in clear, whatever the program or the
    provider does (its docs promise that only level 11 exposes known credentials). Outside our
    control; counted and reported, not failed on. Everything else must be clean."""
    return '"v":9' in line and "arshaling property for RPC" in line


def _search(places: dict[str, str]) -> tuple[list[str], int]:
    found = []
    engine_lines = 0
    for place, text in places.items():
        for line in text.splitlines():
            for what, secret in SECRETS.items():
                if secret not in line:
                    continue
                if engine_rpc_trace(line):
                    engine_lines += 1
                    continue
                at = line.index(secret)
                found.append(f"{what} in {place}: ...{line[max(0, at - 200):at + len(secret) + 50]!r}...")
    return found, engine_lines


def test_no_secret_appears_anywhere(secret_stack: tuple[E2EStack, Path, Path], emulator: Any) -> None:
    stack, logs, provider_log = secret_stack
    errors: list[str] = []
    stderr: list[str] = []
    # Retries write log lines too: make some requests fail once.
    emulator.set_faults([{"path": "^/(v2|v3|attributes|events)", "probability": 0.3, "status": 503, "retry_after": 1}],
                        seed=5)
    try:
        try:
            result = stack.up(continue_on_error=True, debug=True, log_verbosity=9, log_flow=True,
                              log_to_std_err=True)
            stderr.append(result.stderr)
        except auto.CommandError as exc:
            errors.append(str(exc))
    finally:
        emulator.clear_faults()
    assert errors, "the failing connection and the refused token must fail the up"
    error_text = "\n".join(errors)
    assert "connection test failed" in error_text, [line for line in error_text.splitlines() if "error" in line and "\"level\"" not in line][:40]
    assert "401" in error_text or "Unauthorized" in error_text or "authentic" in error_text.lower(), error_text[-3000:]
    # The engine's log to stderr is part of the CommandError text; it must be the verbose one.
    assert "I" in error_text and len(error_text) > 20_000, "expected the -v=9 engine log in the error output"

    # Logs to files (TMPDIR) this time, with the provider's log flowing into them.
    refresh = stack.refresh(log_verbosity=9, log_flow=True, debug=True)
    preview = stack.preview(debug=True)
    export_before_destroy = stack.export_text()
    state_before_destroy = stack.state_text()
    try:
        stack.destroy(continue_on_error=True, debug=True, log_verbosity=9, log_flow=True)
    except auto.CommandError as exc:
        errors.append(str(exc))

    log_files = {str(p): p.read_text(errors="replace") for p in logs.rglob("*") if p.is_file()}
    assert any("pulumi" in name for name in log_files), f"no engine log files in {logs}: {list(log_files)}"
    assert sum(len(t) for t in log_files.values()) > 10_000
    provider_text = provider_log.read_text(errors="replace") if provider_log.exists() else ""
    assert "pulumi_personalize" in provider_text, "the provider's DEBUG log must have been captured"

    places = {
        "pulumi stack export": export_before_destroy,
        "pulumi stack export after destroy": stack.export_text(),
        "backend files": state_before_destroy,
        "backend files after destroy": stack.state_text(),
        "engine output (--debug)": "\n".join(stack.output),
        "error messages": "\n".join(errors),
        "engine stderr (-v=9)": "\n".join(stderr),
        "refresh output": refresh.stdout + refresh.stderr,
        "preview output": preview.stdout + preview.stderr,
        "provider log": provider_text,
        **{f"engine log file {name}": text for name, text in log_files.items()},
    }
    found, engine_lines = _search(places)
    print(f"\nsecrets: {len(places)} places searched; engine -v=9 RPC trace lines with a secret: {engine_lines}")
    assert found == [], "\n".join(found[:20])

    # The searches are meaningful: the secrets were used, and stored encrypted.
    export = export_before_destroy
    assert "personalize:contentstackAuthtoken" in export and "oauthns:contentstackOauthToken" in export
    assert "ciphertext" in export
    assert export.count('"auth"') >= 4  # each connection's auth object, stored as ciphertext
    assert len(stack.resources("sitecore:Connection")) == 0  # destroyed
